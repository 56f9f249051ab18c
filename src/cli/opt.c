/*
 * Parsing a command line against the option tables (opt.h): options and
 * operands in any order, "--", grouped short options, with no per-command
 * short-option string or switch. Long names are matched whole, and an option
 * that takes one value is taken once.
 */
#include "cli/opt.h"

#include <stdlib.h>
#include <string.h>

#include "util/nearest.h"
#include "util/str.h"

/* A list holds words of one command line; this is far more than fits in one (ARG_MAX). */
#define CLI_LIST_MAX ((size_t)1 << 22)

const cli_opt cli_help_options[] = {
    {"help", 'h', NULL, CLI_STORE_HELP, 0, NULL, CLI_OPT_NO_SYNOPSIS, "this help"},
    {0},
};

int cli_list_append(cli_list *l, const char *s, ia_err *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **items;

        if (cap > CLI_LIST_MAX)
            return err_set(err, IA_ERR_NOMEM, "more than %zu values for one option", CLI_LIST_MAX);
        items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = s;
    return 0;
}

void cli_list_free(cli_list *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int cli_opt_whole_number(const char *name, const char *value, int min, int max, int *out, ia_err *err)
{
    long v;

    if (!str_to_long(value, min, max, &v))
        return err_set(err, IA_ERR_USAGE, "--%s: '%s' is not a whole number from %d to %d", name, value, min,
                       max);
    *out = (int)v;
    return 0;
}

/* A row found for a word, the struct it stores into, and its place among the command's rows. */
typedef struct found {
    const cli_opt *opt;
    void *obj;
    size_t index;
} found;

/* What a parse keeps between words: which single-value rows were given already (by index). */
typedef struct parse_state {
    bool *seen; /* owned; one per row of the command */
} parse_state;

typedef bool (*row_match)(const cli_opt *o, const char *name, size_t len);

static bool long_exact(const cli_opt *o, const char *name, size_t len)
{
    return o->name && strlen(o->name) == len && strncmp(o->name, name, len) == 0;
}

static bool letter_is(const cli_opt *o, const char *name, size_t len)
{
    (void)len;
    return o->letter && o->letter == *name;
}

static bool is_operands(const cli_opt *o, const char *name, size_t len)
{
    (void)name;
    (void)len;
    return !o->name;
}

/* The number of cmd's rows that match; *out is the first. */
static size_t find(const cli_command *cmd, void *obj, row_match match, const char *name, size_t len,
                   found *out)
{
    size_t n = 0, index = 0;

    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++, index++) {
            if (match(o, name, len) && n++ == 0)
                *out = (found){o, (char *)obj + g->offset, index};
        }
    }
    return n;
}

static size_t count_rows(const cli_command *cmd)
{
    size_t n = 0;

    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++)
            n++;
    }
    return n;
}

/* "unknown option '--rule'", with "; did you mean '--rules'?" when a long name is close to it. */
static int unknown_option(const cli_command *cmd, const char *word, const char *name, size_t len, ia_err *err)
{
    nearest near;

    nearest_init(&near, name, len);
    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
            if (o->name)
                nearest_offer(&near, o->name);
        }
    }
    if (nearest_found(&near))
        return err_set(err, IA_ERR_USAGE, "unknown option '%s'; did you mean '--%s'?", word,
                       nearest_found(&near));
    return err_set(err, IA_ERR_USAGE, "unknown option '%s'", word);
}

/* Whether a second use of the row is refused: it takes one value, which a second would silently replace. */
static bool single_valued(const cli_opt *o)
{
    return o->store == CLI_STORE_STRING ||
           (o->store == CLI_STORE_CALL && o->value_name && !(o->flags & CLI_OPT_REPEATABLE));
}

static int store(const found *f, const char *value, ia_err *err)
{
    void *field = (char *)f->obj + f->opt->offset;

    switch (f->opt->store) {
    case CLI_STORE_BOOL: *(bool *)field = true; return 0;
    case CLI_STORE_STRING: *(const char **)field = value; return 0;
    case CLI_STORE_LIST: return cli_list_append(field, value, err);
    case CLI_STORE_CALL: return f->opt->set(f->obj, value, err);
    default: return err_set(err, IA_ERR_INTERNAL, "option row without a store");
    }
}

/*
 * Takes the option in argv[*i] (its row f), with its value when it takes
 * one: inline (--name=VALUE, -xVALUE) or the next word, whatever it is.
 */
static int take(parse_state *ps, const found *f, const char *inline_value, int argc, char **argv, int *i,
                ia_err *err)
{
    const char *value = inline_value;

    if (f->opt->store == CLI_STORE_HELP)
        return CLI_OPT_HELP;
    if (single_valued(f->opt)) {
        if (ps->seen[f->index]) {
            if (f->opt->letter)
                return err_set(err, IA_ERR_USAGE, "--%s (-%c) given twice: it takes one value", f->opt->name,
                               f->opt->letter);
            return err_set(err, IA_ERR_USAGE, "--%s given twice: it takes one value", f->opt->name);
        }
        ps->seen[f->index] = true;
    }
    if (f->opt->value_name && !value) {
        if (*i + 1 >= argc)
            return err_set(err, IA_ERR_USAGE, "%s needs a value", argv[*i]);
        value = argv[++*i];
    }
    return store(f, value, err);
}

static int take_long(parse_state *ps, const cli_command *cmd, void *obj, int argc, char **argv, int *i,
                     ia_err *err)
{
    const char *name = argv[*i] + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    found f;

    if (find(cmd, obj, long_exact, name, len, &f) == 0)
        return unknown_option(cmd, argv[*i], name, len, err);
    /* A flag given a value is as unknown as a name that matches nothing. */
    if (eq && !f.opt->value_name)
        return err_set(err, IA_ERR_USAGE, "unknown option '%s'", argv[*i]);
    return take(ps, &f, eq ? eq + 1 : NULL, argc, argv, i, err);
}

/* -abc: flags a and b, then c, which takes "" or the next word when it wants a value. */
static int take_short(parse_state *ps, const cli_command *cmd, void *obj, int argc, char **argv, int *i,
                      ia_err *err)
{
    for (const char *p = argv[*i] + 1; *p; p++) {
        found f;
        int rc;

        if (find(cmd, obj, letter_is, p, 1, &f) == 0)
            return err_set(err, IA_ERR_USAGE, "unknown option '%s'", argv[*i]);
        if (f.opt->value_name)
            return take(ps, &f, p[1] ? p + 1 : NULL, argc, argv, i, err);
        rc = take(ps, &f, NULL, argc, argv, i, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int cli_opt_parse(const cli_command *cmd, void *obj, int argc, char **argv, ia_err *err)
{
    const char *stray = NULL;
    bool options_done = false;
    found operands;
    bool has_operands = find(cmd, obj, is_operands, NULL, 0, &operands) > 0;
    parse_state ps = {calloc(count_rows(cmd) + 1, sizeof(bool))};
    int rc = 0;

    if (!ps.seen)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *arg = argv[i];

        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (has_operands)
                rc = store(&operands, arg, err);
            else if (!stray)
                stray = arg;
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (arg[1] == '-') {
            rc = take_long(&ps, cmd, obj, argc, argv, &i, err);
        } else {
            rc = take_short(&ps, cmd, obj, argc, argv, &i, err);
        }
    }
    free(ps.seen);
    if (rc != 0)
        return rc;
    /* Checked last, as getopt_long's callers did: a bad option, or --help, anywhere comes first. */
    if (stray)
        return err_set(err, IA_ERR_USAGE, "unexpected argument '%s'", stray);
    return CLI_OPT_DONE;
}
