#ifndef IMGAUDIT_CLI_OPT_H
#define IMGAUDIT_CLI_OPT_H

/*
 * Each option is one table row (modelled on libgit2's cli_opt_spec): its
 * long name, short letter, value name, where its value goes and its help
 * text. The same rows drive the parsing, `--help` and the man page.
 *
 * A table holds the options of one group (the AWS options, the collection
 * options, ...) and stores into one struct; a command lists its groups, each
 * with the offset of that struct inside the command's own, so that a group
 * is shared by every command that embeds its struct.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

/* The values of a repeatable option, in command-line order. */
typedef struct cli_list {
    const char **items; /* owned array (cli_list_free); the strings are borrowed from argv */
    size_t n, cap;
} cli_list;

/* Appends s (borrowed: it must outlive the list). IA_ERR_NOMEM when it cannot grow. */
int cli_list_append(cli_list *l, const char *s, ia_err *err);

/* Frees the array (not the strings) and empties the list. */
void cli_list_free(cli_list *l);

/* Where an option's value goes. */
typedef enum cli_store {
    CLI_STORE_END = 0, /* the empty row that ends a table */
    CLI_STORE_BOOL,    /* a flag: bool set to true */
    CLI_STORE_STRING,  /* const char *, borrowed from argv; given once at most */
    CLI_STORE_LIST,    /* cli_list: every value, in order (a repeatable option, or the operands) */
    CLI_STORE_CALL,    /* the row's setter checks and stores it (the value is NULL for a flag) */
    CLI_STORE_HELP,    /* -h, --help: the command prints its help and ends */
} cli_store;

/* Stores value (NULL for a flag) into obj, the table's struct. -1 with err (IA_ERR_USAGE) for a bad value. */
typedef int (*cli_opt_setter)(void *obj, const char *value, ia_err *err);

enum {
    CLI_OPT_NO_SYNOPSIS = 1 << 0, /* left out of a generated usage line */
    CLI_OPT_REPEATABLE = 1 << 1,  /* a CLI_STORE_CALL row whose setter accumulates: it may be given again */
};

typedef struct cli_opt {
    const char *name;       /* long name without "--"; NULL for the operands row */
    char letter;            /* short option, or 0 */
    const char *value_name; /* "FILE": the option takes a value; NULL: a flag */
    cli_store store;
    size_t offset;      /* where the value goes in the table's struct (CLI_STORE_BOOL, _STRING, _LIST) */
    cli_opt_setter set; /* CLI_STORE_CALL */
    unsigned flags;     /* CLI_OPT_* */
    const char *help;   /* lines separated by '\n' */
} cli_opt;

/*
 * The store columns of a row, for a field of a struct. The field must have
 * the type the store writes: any other does not compile (_Generic has no
 * match).
 */
#define CLI_FIELD_(type, field, ctype) _Generic(((type *)0)->field, ctype : offsetof(type, field))
#define CLI_BOOL(type, field)          CLI_STORE_BOOL, CLI_FIELD_(type, field, bool), NULL
#define CLI_STRING(type, field)        CLI_STORE_STRING, CLI_FIELD_(type, field, const char *), NULL
#define CLI_LIST(type, field)          CLI_STORE_LIST, CLI_FIELD_(type, field, cli_list), NULL
#define CLI_CALL(setter)               CLI_STORE_CALL, 0, setter

/*
 * For setters: value as a whole number from min to max into *out, else
 * IA_ERR_USAGE naming the option ("--concurrency: 'x' is not ...").
 */
int cli_opt_whole_number(const char *name, const char *value, int min, int max, int *out, ia_err *err);

/* -h, --help: the last group of every command. */
extern const cli_opt cli_help_options[];

typedef struct cli_group {
    const char *heading; /* starts a section of --help ("collection"); NULL continues the one before */
    const cli_opt *opts; /* a table, ended by an empty row */
    size_t offset;       /* where the table's struct is inside the command's */
} cli_group;

/*
 * A subcommand, as `imgaudit --help`, its own --help and the man page
 * describe it. A command either has groups (its options) or verbs ("rules"
 * has "rules lint", ...), each a command of its own.
 */
typedef struct cli_command {
    const char *name;        /* as typed after 'imgaudit': "audit", "rules lint" */
    const char *summary;     /* one line: what it does */
    const char *synopsis;    /* after the name in a usage line ("SNAPSHOT [options]"); NULL: from the rows */
    const char *description; /* the paragraph(s) under the usage lines, or NULL */
    const cli_group *groups; /* ended by an empty group; NULL for a command with verbs */
    const struct cli_command *const *verbs; /* NULL-terminated, or NULL */
    const struct cli_command *parent;       /* a verb's command: its --help is the parent's */
    const char *exit_status;                /* what its exit codes mean here, or NULL */
    int (*run)(int argc, char **argv);      /* argv[0] is the name; the exit code. NULL for a verb */
} cli_command;

enum {
    CLI_OPT_DONE = 0, /* every word taken */
    CLI_OPT_HELP = 1, /* --help was given: nothing after it was looked at */
};

/*
 * Parses argv[1..argc) against cmd's groups, storing into obj, the command's
 * struct (each group's rows at obj + its offset). Options and operands may be
 * mixed; "--" ends the options. A long option is written whole, --name=VALUE
 * or --name VALUE (no abbreviation: a name added later cannot change what an
 * old command line means); a short one -xVALUE or -x VALUE, flags grouped
 * (-qh). An option that takes one value (CLI_STORE_STRING, or a CLI_STORE_CALL
 * row with a value and without CLI_OPT_REPEATABLE) may be given once; a
 * CLI_STORE_LIST or CLI_OPT_REPEATABLE row as often as wanted; a flag given
 * twice is a flag given. Operands go to the command's operands row; a command
 * without one takes none. Returns CLI_OPT_DONE, CLI_OPT_HELP, or -1 with err
 * (IA_ERR_USAGE, or a setter's error) at the first problem; an unknown long
 * option's message suggests the closest name.
 */
int cli_opt_parse(const cli_command *cmd, void *obj, int argc, char **argv, ia_err *err);

/* Writes cmd's usage line after "imgaudit " into out (synopsis from the rows when cmd has none). */
void cli_opt_usage_line(const cli_command *cmd, char *out, size_t size);

/* Prints cmd's --help (a verb's is its parent's). */
void cli_opt_help(const cli_command *cmd, FILE *fp);

/*
 * Prints "  NAME  summary" for each command, names padded to the longest
 * plus two; a summary's further lines are indented to match.
 */
void cli_opt_print_names(const cli_command *const *cmds, FILE *fp);

#endif
