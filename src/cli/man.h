#ifndef IMGAUDIT_CLI_MAN_H
#define IMGAUDIT_CLI_MAN_H

/*
 * The man page, imgaudit(1), written from the same tables as --help: the
 * commands (cli_commands) with their option rows, the exit codes
 * (cli_exit_docs). The build runs src/mkman.c to write build/imgaudit.1.
 */

#include <stdio.h>

#include "util/err.h"

/* Writes the page in roff (man macros) to fp. -1 with err (IA_ERR_IO) when fp could not be written. */
int cli_man_write(FILE *fp, ia_err *err);

#endif
