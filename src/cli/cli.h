#ifndef IMGAUDIT_CLI_CLI_H
#define IMGAUDIT_CLI_CLI_H

#include "cli/opt.h"
#include "util/err.h"

/*
 * Exit codes. Decided here and nowhere else; documented in --help, the man
 * page (both from cli_exit_docs) and the README.
 */
enum cli_exit {
    CLI_EXIT_OK = 0,           /* done; for a gate, it passed */
    CLI_EXIT_GATE = 1,         /* an un-waived failure at or above --fail-on */
    CLI_EXIT_USAGE = 2,        /* bad command line or bad input file */
    CLI_EXIT_INCOMPLETE = 3,   /* collection incomplete: some account/region/operation failed */
    CLI_EXIT_RUNTIME = 4,      /* could not run: credentials, network, AWS refused, I/O */
    CLI_EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM */
};

/* What each exit code means, one line each, in the enum's order; ended by a NULL meaning. */
typedef struct cli_exit_doc {
    int code;
    const char *meaning;
} cli_exit_doc;

extern const cli_exit_doc cli_exit_docs[];

/* What imgaudit does, two lines, for 'imgaudit --help' and the man page. */
extern const char cli_description[];

/* The subcommands, NULL-terminated, in the order 'imgaudit --help' and the man page list them. */
extern const cli_command *const cli_commands[];

/* Runs the program: looks the subcommand up in cli_commands and hands over. Returns the exit code. */
int cli_main(int argc, char **argv);

/* Prints 'imgaudit --help'. */
void cli_help(FILE *fp);

/* The exit code for an error, by its kind. */
int cli_exit_for(const ia_err *err);

/* Prints "imgaudit: error: <one line>" to stderr and returns cli_exit_for(err). */
int cli_fail(const ia_err *err);

/* A usage error (IA_ERR_USAGE) as cli_usage_error naming cmd, any other as cli_fail. Returns the exit code.
 */
int cli_fail_in(const char *cmd, const ia_err *err);

/*
 * Parses a command's options into obj (cli_opt_parse). Returns -1 when the
 * command goes on; otherwise the exit code it ends with: CLI_EXIT_OK after
 * printing its help for --help, CLI_EXIT_USAGE after printing what was
 * wrong (or cli_fail's code for an error that is not the user's).
 */
int cli_parse(const cli_command *cmd, void *obj, int argc, char **argv);

/* Prints a usage error naming the subcommand and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
