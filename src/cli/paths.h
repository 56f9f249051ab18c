#ifndef IMGAUDIT_CLI_PATHS_H
#define IMGAUDIT_CLI_PATHS_H

/*
 * The files a command line names, each with the option that names it, so
 * that a run which would write over one of its inputs, or write two outputs
 * to one file, is refused before anything is read or collected.
 */

#include <stddef.h>

#include "util/err.h"

typedef struct cli_path {
    const char *what; /* the option ("--json") or operand ("the snapshot"); borrowed, static */
    const char *path; /* borrowed from argv */
} cli_path;

typedef struct cli_paths {
    cli_path *items; /* owned: cli_paths_free */
    size_t n, cap;
} cli_paths;

/* Appends (what, path) when path is not NULL; what and path are borrowed. IA_ERR_NOMEM when it cannot grow.
 */
int cli_paths_add(cli_paths *p, const char *what, const char *path, ia_err *err);

/* Frees the array (not the strings) and empties the list. */
void cli_paths_free(cli_paths *p);

/*
 * Refuses (IA_ERR_USAGE) two outputs, or an output and an input, that are
 * one file: "--json and the snapshot name the same file 's.json'". One file
 * is the same path; for paths that exist, the same device and inode (a
 * symlink, ./x and x); for paths that do not exist yet, the same real
 * directory and base name. "-" (stdin or stdout) and what exists but is
 * not a regular file (/dev/null, a FIFO) name no file here. Inputs may
 * share a file with each other.
 */
int cli_paths_check(const cli_paths *outputs, const cli_paths *inputs, ia_err *err);

#endif
