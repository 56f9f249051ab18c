#ifndef IMGAUDIT_CLI_COMMANDS_H
#define IMGAUDIT_CLI_COMMANDS_H

/* One function per subcommand, each in its own cmd_<verb>.c. argv[0] is the subcommand's name. */

int cmd_whoami(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
