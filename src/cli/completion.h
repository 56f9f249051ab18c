#ifndef IMGAUDIT_CLI_COMPLETION_H
#define IMGAUDIT_CLI_COMPLETION_H

/*
 * Bash completion for imgaudit, written from the same tables as --help and
 * the man page: the commands (cli_commands) and their verbs, each one's
 * option rows, and what a value is by the row's value name (file names for
 * FILE, PATH and SNAPSHOT, the words of "rule|account", the severities for
 * SEVERITY). The build runs src/mkman.c to write
 * build/bash-completion/imgaudit, installed under
 * share/bash-completion/completions.
 */

#include <stdio.h>

#include "util/err.h"

/*
 * Writes the script to fp: a function _imgaudit and the `complete` line
 * that binds it. -1 with err when fp could not be written (IA_ERR_IO) or a
 * name in the tables is not a plain shell word (IA_ERR_INTERNAL: the script
 * would not be safe to source).
 */
int cli_completion_write(FILE *fp, ia_err *err);

#endif
