#ifndef IMGAUDIT_UTIL_FILEIO_H
#define IMGAUDIT_UTIL_FILEIO_H

/* Reading whole files with a bound, and writing files atomically. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"

/* Whether two stats are of the same file (device and inode): one file under two names. */
bool file_same_stat(const struct stat *a, const struct stat *b);

/* Reads all of path into out (which the caller has initialised; its max bounds the size). */
int file_read_all(const char *path, buf *out, ia_err *err);

/*
 * The same, calling check(ud, out, from, err) each time a chunk has been
 * appended at out->data + from: a check that returns non-zero (having set
 * err) stops the read there, so that bytes that cannot be what the caller
 * expects are refused before the rest is read.
 */
int file_read_checked(const char *path, buf *out,
                      int (*check)(void *ud, const buf *out, size_t from, ia_err *err), void *ud,
                      ia_err *err);

/*
 * An output file that appears whole or not at all. file_out_open creates a
 * temporary file beside path (same folder, so rename is atomic), mode 0666
 * less the umask, as other Unix tools create their outputs (0644 with umask
 * 022; a file it replaces does not pass on its mode); the caller writes to out->fp; file_out_commit flushes,
 * fsyncs and renames it over path; file_out_abort removes it. The path "-" means stdout: commit only flushes
 * it. An existing path that is not a regular file (/dev/null, a FIFO) is written in place, never renamed
 * over. A file_out that was neither committed nor aborted is removed by file_out_abort_all, which the signal
 * handling calls at exit. A run killed outright (SIGKILL) leaves its temporary ".NAME.tmp-XXXXXX" behind:
 * file_out_open removes those of its path that are regular files of this user older than a day. Once a stop
 * is asked for (util/cancel.h), writes to the temporary file fail (ECANCELED), so a writer ends at its next
 * flush, and commit renames nothing (IA_ERR_CANCELLED): what was at path stays as it was.
 */
typedef struct file_out {
    FILE *fp;       /* borrowed by the writer until commit/abort */
    char *path;     /* owned */
    char *tmp_path; /* owned; NULL for stdout */
    int registered; /* internal: listed for file_out_abort_all */
    int fd;         /* internal: the temporary file's descriptor */
} file_out;

int file_out_open(file_out *out, const char *path, ia_err *err);

/*
 * The same with the mode the file is created with (less the umask): 0600
 * for a file that holds a secret (the SSO token cache) or stays private (a
 * temporary snapshot). A device or FIFO written in place keeps its own.
 */
int file_out_open_mode(file_out *out, const char *path, mode_t mode, ia_err *err);
int file_out_commit(file_out *out, ia_err *err);
void file_out_abort(file_out *out);

/* Removes every temporary file still open. Async-signal-safe (unlink only). */
void file_out_abort_all(void);

/*
 * Lists a temporary file of the caller's (a path up to 4095 bytes) for
 * file_out_abort_all, so that a stop removes it even when the process ends
 * from the signal handler. Returns the slot for file_temp_forget, or -1 when
 * the list (16 files, outputs included) is full.
 */
int file_temp_register(const char *path);

/* Takes the file off that list (the caller removes it). Accepts -1. */
void file_temp_forget(int slot);

#endif
