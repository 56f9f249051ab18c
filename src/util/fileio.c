/* fopencookie: the temporary file's stream stops writing once a stop is asked for. */
#define _GNU_SOURCE
#include "util/fileio.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cancel.h"
#include "util/str.h"

/* A temporary file of ours this old is a leftover of a killed run (SIGKILL runs no handler), never a live
 * one. */
#define STALE_TMP_AGE_S (24 * 60 * 60)

bool file_same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int file_read_all(const char *path, buf *out, ia_err *err)
{
    return file_read_checked(path, out, NULL, NULL, err);
}

int file_read_checked(const char *path, buf *out,
                      int (*check)(void *ud, const buf *out, size_t from, ia_err *err), void *ud, ia_err *err)
{
    char chunk[65536];
    FILE *fp = fopen(path, "rb");
    size_t n;
    int rc = -1;

    if (!fp)
        return err_set(err, IA_ERR_IO, "%s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (buf_append(out, chunk, n) != 0) {
            err_set(err, IA_ERR_NOMEM, "%s: file too large (limit %zu bytes)", path, out->max);
            goto out;
        }
        if (check && check(ud, out, out->len - n, err) != 0)
            goto out;
    }
    if (ferror(fp)) {
        err_set(err, IA_ERR_IO, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    if (!out->data && buf_append(out, "", 0) != 0) {
        err_set(err, IA_ERR_NOMEM, "%s: out of memory", path);
        goto out;
    }
    rc = 0;
out:
    fclose(fp);
    return rc;
}

/*
 * Temporary paths still open, so that a signal handler can remove them. Fixed
 * size: no allocation in the handler. A slot is claimed (BUSY) before its path
 * is written and published (READY) after, so the handler never reads a path
 * being written.
 */
#define MAX_OPEN_OUTPUTS 16
enum { SLOT_FREE = 0, SLOT_BUSY, SLOT_READY };
static char g_tmp_paths[MAX_OPEN_OUTPUTS][4096];
static atomic_int g_tmp_state[MAX_OPEN_OUTPUTS];

int file_temp_register(const char *tmp)
{
    for (int i = 0; i < MAX_OPEN_OUTPUTS; i++) {
        int expected = SLOT_FREE;

        if (atomic_compare_exchange_strong(&g_tmp_state[i], &expected, SLOT_BUSY)) {
            str_copy(g_tmp_paths[i], sizeof(g_tmp_paths[i]), tmp);
            atomic_store(&g_tmp_state[i], SLOT_READY);
            return i;
        }
    }
    return -1;
}

void file_temp_forget(int slot)
{
    if (slot >= 0)
        atomic_store(&g_tmp_state[slot], SLOT_FREE);
}

void file_out_abort_all(void)
{
    for (int i = 0; i < MAX_OPEN_OUTPUTS; i++) {
        if (atomic_load(&g_tmp_state[i]) == SLOT_READY)
            unlink(g_tmp_paths[i]);
    }
}

/* True when entry is "<prefix>XXXXXX", the six letters or digits mkstemp puts in. */
static bool tmp_name_of(const char *entry, const char *prefix, size_t prefix_len)
{
    if (strncmp(entry, prefix, prefix_len) != 0 || strlen(entry) != prefix_len + 6)
        return false;
    for (const char *p = entry + prefix_len; *p; p++) {
        if (!isalnum((unsigned char)*p))
            return false;
    }
    return true;
}

/*
 * Removes the temporaries that killed runs left beside path: files named as
 * file_out_open names them for this very path, regular, ours, and older than
 * STALE_TMP_AGE_S. Best effort: whatever cannot be read or removed stays.
 */
static void remove_stale_tmps(const char *path, size_t dirlen)
{
    char prefix[512], dir[4096], full[4096 + 512];
    time_t too_old = time(NULL) - STALE_TMP_AGE_S;
    size_t prefix_len;
    struct dirent *e;
    DIR *d;

    if (dirlen >= sizeof(dir) ||
        snprintf(prefix, sizeof(prefix), ".%s.tmp-", path + dirlen) >= (int)sizeof(prefix))
        return;
    prefix_len = strlen(prefix);
    if (dirlen)
        str_copy(dir, dirlen + 1, path);
    else
        str_copy(dir, sizeof(dir), ".");
    d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        struct stat st;

        if (!tmp_name_of(e->d_name, prefix, prefix_len))
            continue;
        snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
        if (lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_mtime < too_old)
            unlink(full);
    }
    closedir(d);
}

/*
 * The temporary file's stream writes through these, so that a stop (SIGINT,
 * SIGTERM) ends every writer at its next flush: once a stop is asked for, the
 * output is abandoned and a write fails (ECANCELED), which each writer takes
 * as its end. The cookie is the descriptor.
 */
static ssize_t tmp_write(void *cookie, const char *data, size_t size)
{
    int fd = (int)(intptr_t)cookie;
    size_t done = 0;

    while (done < size) {
        ssize_t n;

        if (cancel_requested()) {
            errno = ECANCELED;
            return 0;
        }
        n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0; /* fopencookie: 0 is the error */
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int tmp_close(void *cookie)
{
    return close((int)(intptr_t)cookie);
}

/*
 * mkstemp with a mode: fills the template's final "XXXXXX" with letters and
 * digits and creates the file exclusively, mode less the umask (mkstemp
 * always makes 0600, and reading the umask to widen that afterwards is not
 * thread-safe). Returns the descriptor, or -1 with errno.
 */
static int create_tmp(char *tmpl, mode_t mode)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_uint counter;
    char *x = tmpl + strlen(tmpl) - 6;

    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char rnd[6];
        struct timespec ts;
        int fd;

        /* Unpredictable where the kernel gives randomness; unique enough for O_EXCL otherwise. */
        if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
            unsigned long v;

            clock_gettime(CLOCK_REALTIME, &ts);
            v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^
                atomic_fetch_add(&counter, 7919u);
            for (size_t i = 0; i < sizeof(rnd); i++, v >>= 5)
                rnd[i] = (unsigned char)v;
        }
        for (size_t i = 0; i < sizeof(rnd); i++)
            x[i] = letters[rnd[i] % (sizeof(letters) - 1)];
        fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

int file_out_open(file_out *out, const char *path, ia_err *err)
{
    return file_out_open_mode(out, path, 0666, err);
}

int file_out_open_mode(file_out *out, const char *path, mode_t mode, ia_err *err)
{
    static const cookie_io_functions_t tmp_io = {NULL, tmp_write, NULL, tmp_close};

    const char *slash;
    struct stat st;
    size_t dirlen;
    int fd;

    memset(out, 0, sizeof(*out));
    out->registered = -1;
    out->path = str_dup(path);
    if (!out->path)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        out->fp = stdout;
        return 0;
    }
    /* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in place: renaming over it would
     * replace it with a regular file. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        out->fp = fopen(path, "wb");
        if (!out->fp) {
            err_set(err, IA_ERR_IO, "%s: %s", path, strerror(errno));
            file_out_abort(out);
            return -1;
        }
        return 0;
    }
    slash = strrchr(path, '/');
    dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    remove_stale_tmps(path, dirlen);
    out->tmp_path = malloc(dirlen + strlen(path) + 32);
    if (!out->tmp_path) {
        file_out_abort(out);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    memcpy(out->tmp_path, path, dirlen);
    snprintf(out->tmp_path + dirlen, strlen(path) + 32, ".%s.tmp-XXXXXX", path + dirlen);
    fd = create_tmp(out->tmp_path, mode);
    if (fd < 0) {
        err_set(err, IA_ERR_IO, "%s: cannot create file: %s", path, strerror(errno));
        free(out->tmp_path);
        out->tmp_path = NULL;
        file_out_abort(out);
        return -1;
    }
    out->registered = file_temp_register(out->tmp_path);
    out->fd = fd;
    out->fp = fopencookie((void *)(intptr_t)fd, "wb", tmp_io);
    if (!out->fp) {
        close(fd);
        err_set(err, IA_ERR_IO, "%s: %s", path, strerror(errno));
        file_out_abort(out);
        return -1;
    }
    return 0;
}

int file_out_commit(file_out *out, ia_err *err)
{
    int rc = -1;

    if (!out->tmp_path) {
        if (fflush(out->fp) != 0 || ferror(out->fp)) {
            err_set(err, IA_ERR_IO, "%s: write error: %s", out->fp == stdout ? "stdout" : out->path,
                    strerror(errno));
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (fflush(out->fp) != 0 || ferror(out->fp) || fsync(out->fd) != 0) {
        err_set(err, IA_ERR_IO, "%s: write error: %s", out->path, strerror(errno));
        goto out;
    }
    if (fclose(out->fp) != 0) {
        out->fp = NULL;
        err_set(err, IA_ERR_IO, "%s: write error: %s", out->path, strerror(errno));
        goto out;
    }
    out->fp = NULL;
    /* After a stop, nothing new replaces what was there. */
    if (cancel_requested()) {
        err_set(err, IA_ERR_CANCELLED, "%s: interrupted; left as it was", out->path);
        goto out;
    }
    if (rename(out->tmp_path, out->path) != 0) {
        err_set(err, IA_ERR_IO, "%s: cannot rename into place: %s", out->path, strerror(errno));
        goto out;
    }
    free(out->tmp_path);
    out->tmp_path = NULL;
    rc = 0;
out:
    file_out_abort(out);
    return rc;
}

void file_out_abort(file_out *out)
{
    if (out->fp && out->fp != stdout)
        fclose(out->fp);
    out->fp = NULL;
    if (out->tmp_path)
        unlink(out->tmp_path);
    file_temp_forget(out->registered);
    out->registered = -1;
    free(out->tmp_path);
    out->tmp_path = NULL;
    free(out->path);
    out->path = NULL;
}
