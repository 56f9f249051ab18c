/* realpath */
#define _DEFAULT_SOURCE
#include "cli/paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fileio.h"
#include "util/str.h"

/* A command line holds far fewer words than this (ARG_MAX); a list longer is a bug. */
#define CLI_PATHS_MAX ((size_t)1 << 22)

int cli_paths_add(cli_paths *p, const char *what, const char *path, ia_err *err)
{
    if (!path)
        return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        cli_path *items;

        if (cap > CLI_PATHS_MAX)
            return err_set(err, IA_ERR_NOMEM, "more than %zu files on one command line", CLI_PATHS_MAX);
        items = realloc(p->items, cap * sizeof(*items));
        if (!items)
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        p->items = items;
        p->cap = cap;
    }
    p->items[p->n++] = (cli_path){what, path};
    return 0;
}

void cli_paths_free(cli_paths *p)
{
    free(p->items);
    memset(p, 0, sizeof(*p));
}

/* Which file a path names, as far as can be told before anything is written. */
typedef struct file_id {
    bool none;   /* "-", or not a regular file: never the same as another */
    bool exists; /* then st says which file */
    struct stat st;
    char where[PATH_MAX + NAME_MAX + 2]; /* not existing: its real directory and base name, else the path */
} file_id;

static void identify(const char *path, file_id *id)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

    memset(id, 0, sizeof(*id));
    if (strcmp(path, "-") == 0) {
        id->none = true;
        return;
    }
    if (stat(path, &id->st) == 0) {
        id->none = !S_ISREG(id->st.st_mode);
        id->exists = true;
        return;
    }
    /* The directory of "x" is ".", of "/x" is "/". */
    if (!slash)
        str_copy(dir, sizeof(dir), ".");
    else if (slash == path)
        str_copy(dir, sizeof(dir), "/");
    else if ((size_t)(slash - path) < sizeof(dir))
        str_copy(dir, (size_t)(slash - path) + 1, path);
    else
        dir[0] = '\0';
    if (dir[0] && realpath(dir, real))
        snprintf(id->where, sizeof(id->where), "%s/%s", real, base);
    else
        str_copy(id->where, sizeof(id->where), path);
}

static bool same_file(const cli_path *a, const file_id *ia, const cli_path *b, const file_id *ib)
{
    if (ia->none || ib->none)
        return false;
    if (strcmp(a->path, b->path) == 0)
        return true;
    if (ia->exists != ib->exists)
        return false;
    return ia->exists ? file_same_stat(&ia->st, &ib->st) : strcmp(ia->where, ib->where) == 0;
}

int cli_paths_check(const cli_paths *outputs, const cli_paths *inputs, ia_err *err)
{
    size_t n = outputs->n + inputs->n;
    file_id *ids;
    int rc = 0;

    if (outputs->n == 0)
        return 0;
    ids = calloc(n, sizeof(*ids));
    if (!ids)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        identify(i < outputs->n ? outputs->items[i].path : inputs->items[i - outputs->n].path, &ids[i]);
    /* Each output against every path after it: the other outputs, then the inputs. */
    for (size_t i = 0; i < outputs->n && rc == 0; i++) {
        for (size_t j = i + 1; j < n && rc == 0; j++) {
            const cli_path *a = &outputs->items[i];
            const cli_path *b = j < outputs->n ? &outputs->items[j] : &inputs->items[j - outputs->n];

            if (same_file(a, &ids[i], b, &ids[j]))
                rc = err_set(err, IA_ERR_USAGE, "%s and %s name the same file '%.200s'", a->what, b->what,
                             b->path);
        }
    }
    free(ids);
    return rc;
}
