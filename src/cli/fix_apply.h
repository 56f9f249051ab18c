#ifndef IMGAUDIT_CLI_FIX_APPLY_H
#define IMGAUDIT_CLI_FIX_APPLY_H

/* `imgaudit fix apply`, a verb of `fix` (cmd_fix.c) defined in cmd_fix_apply.c. */

#include "cli/commands.h"

extern const cli_command cmd_fix_apply;

/* Runs it: argv[0] is "apply". The exit code. */
int cmd_fix_apply_run(int argc, char **argv);

#endif
