#ifndef IMGAUDIT_CLI_COMMANDS_H
#define IMGAUDIT_CLI_COMMANDS_H

/* The subcommands, each defined (options, help, run) in its own cmd_<verb>.c. */

#include "cli/opt.h"

extern const cli_command cmd_audit;
extern const cli_command cmd_collect;
extern const cli_command cmd_evaluate;
extern const cli_command cmd_fix;
extern const cli_command cmd_merge;
extern const cli_command cmd_rules;
extern const cli_command cmd_whoami;

#endif
