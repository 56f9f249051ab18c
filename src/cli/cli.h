#ifndef IMGAUDIT_CLI_CLI_H
#define IMGAUDIT_CLI_CLI_H

#include <getopt.h>
#include <stdio.h>

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

/* Takes one option for a command: 1 taken, 0 not one of its options, -1 a bad value (err says why). */
typedef int (*cli_take_fn)(void *ud, int opt, const char *arg, ia_err *err);

/*
 * Parses a command's options with getopt_long (shortopts starts with ":h";
 * longopts ends with {"help", no_argument, NULL, 'h'} and the null entry),
 * handing each to take.
 * Returns -1 when every option was taken: optind then points at the first
 * operand. Otherwise returns the exit code the command ends with: 0 after
 * printing usage for --help, CLI_EXIT_USAGE after printing what was wrong.
 */
int cli_parse_options(const char *cmd, int argc, char **argv, const char *shortopts,
                      const struct option *longopts, cli_take_fn take, void *ud, void (*usage)(FILE *fp));

/* Prints a usage error naming the subcommand and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
