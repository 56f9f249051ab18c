#ifndef IMGAUDIT_CLI_CLI_H
#define IMGAUDIT_CLI_CLI_H

#include "util/err.h"

/*
 * Exit codes. Decided here and nowhere else; documented in --help and the README.
 */
enum cli_exit {
    CLI_EXIT_OK = 0,           /* done; for a gate, it passed */
    CLI_EXIT_GATE = 1,         /* an un-waived failure at or above --fail-on */
    CLI_EXIT_USAGE = 2,        /* bad command line or bad input file */
    CLI_EXIT_INCOMPLETE = 3,   /* collection incomplete: some account/region/operation failed */
    CLI_EXIT_RUNTIME = 4,      /* could not run: credentials, network, AWS refused, I/O */
    CLI_EXIT_INTERRUPTED = 130 /* SIGINT/SIGTERM */
};

/* Runs the program: looks the subcommand up in a table and hands over. Returns the exit code. */
int cli_main(int argc, char **argv);

/* The exit code for an error, by its kind. */
int cli_exit_for(const ia_err *err);

/* Prints "imgaudit: error: <one line>" to stderr and returns cli_exit_for(err). */
int cli_fail(const ia_err *err);

/*
 * For getopt_long run with an optstring that starts with ':': the usage
 * error for what it returned when the word at argv[optind - 1] was not a
 * known option (opt '?') or lacked its value (opt ':'). Returns CLI_EXIT_USAGE.
 */
int cli_option_error(const char *cmd, int opt, char **argv);

/* Prints a usage error naming the subcommand and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
