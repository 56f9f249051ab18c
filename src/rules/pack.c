/* realpath is an XSI extension of POSIX 2008. */
#define _DEFAULT_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"
#include "util/str.h"

/*
 * Where `cmake --install` puts shared data: CMake defines both from GNUInstallDirs
 * (<prefix>/share/imgaudit, and that directory relative to the one holding the
 * program). The defaults below are for a build without CMake.
 */
#ifndef IMGAUDIT_DATADIR
#define IMGAUDIT_DATADIR "/usr/local/share/imgaudit"
#endif
#ifndef IMGAUDIT_DATADIR_FROM_BINDIR
#define IMGAUDIT_DATADIR_FROM_BINDIR "../share/imgaudit"
#endif

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes path, made absolute and tidy where possible, into out. */
static int take(const char *path, char *out, size_t size, ia_err *err)
{
    char *real = realpath(path, NULL);
    bool fits = str_copy(out, size, real ? real : path);

    free(real);
    if (!fits)
        return err_set(err, IA_ERR_INPUT, "rule pack path too long: %s", path);
    return 0;
}

int rules_pack_dir(char *out, size_t size, ia_err *err)
{
    const char *env = getenv("IMGAUDIT_RULES_DIR");
    char exe[4096], beside[4096 + 64] = "", installed[4096 + 64] = "";
    char *slash = NULL;
    ssize_t n;

    if (env && *env) {
        if (!is_dir(env))
            return err_set_at(err, env, 0, 0, "IMGAUDIT_RULES_DIR is not a directory");
        return take(env, out, size, err);
    }
    /* The repository and install layouts both keep rules/ beside the directory holding the program. */
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
    }
    if (slash) {
        *slash = '\0';
        snprintf(beside, sizeof(beside), "%s/../rules", exe);
        if (is_dir(beside))
            return take(beside, out, size, err);
        /* An install moved to another prefix (cmake --install --prefix) still finds its pack. */
        snprintf(installed, sizeof(installed), "%s/" IMGAUDIT_DATADIR_FROM_BINDIR "/rules", exe);
        if (is_dir(installed))
            return take(installed, out, size, err);
    }
    if (is_dir(IMGAUDIT_DATADIR "/rules"))
        return take(IMGAUDIT_DATADIR "/rules", out, size, err);
    /* A program copied alone: say where the pack may be, and every place that was tried. */
    return err_set(
        err, IA_ERR_INPUT,
        "cannot find the built-in rule pack: set IMGAUDIT_RULES_DIR to its directory or pass --rules "
        "PATH (looked in %s%s%s%s" IMGAUDIT_DATADIR "/rules)",
        beside, *beside ? ", " : "", installed, *installed ? ", " : "");
}
