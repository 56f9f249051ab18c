/*
 * The option tables and their parser (src/cli/opt.c): mixed options and
 * operands, whole names only, an option of one value given once, "--",
 * grouped short options, and --help written from the rows, checked against
 * the recorded help of every command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "cli/reportopts.h"
#include "testutil.h"

typedef struct inner {
    const char *region, *regions;
    int n;
    int n_tags;
} inner;

typedef struct test_cmd {
    inner in;
    const char *output;
    bool flag, quiet;
    cli_list vars, operands;
} test_cmd;

static int set_n(void *obj, const char *value, ia_err *err)
{
    return cli_opt_whole_number("n", value, 1, 9, &((inner *)obj)->n, err);
}

/* A setter that accumulates: it counts. */
static int add_tag(void *obj, const char *value, ia_err *err)
{
    (void)value;
    (void)err;
    ((inner *)obj)->n_tags++;
    return 0;
}

static const cli_opt inner_options[] = {
    {"region", 0, "REGION", CLI_STRING(inner, region), 0, "one region"},
    {"regions", 0, "LIST", CLI_STRING(inner, regions), 0, "regions"},
    {"n", 0, "N", CLI_CALL(set_n), 0, "a number"},
    {"tag", 0, "TAG", CLI_CALL(add_tag), CLI_OPT_REPEATABLE, "a tag (repeatable)"},
    {0},
};

static const cli_opt own_options[] = {
    {"output", 'o', "FILE", CLI_STRING(test_cmd, output), 0, "where"},
    {"flag", 'f', NULL, CLI_BOOL(test_cmd, flag), 0, "a flag"},
    {"quiet", 'q', NULL, CLI_BOOL(test_cmd, quiet), 0, "quiet"},
    {"vars", 0, "FILE", CLI_LIST(test_cmd, vars), 0, "repeatable"},
    {0},
};

static const cli_opt operand_options[] = {
    {NULL, 0, "ARG", CLI_LIST(test_cmd, operands), 0, "operands"},
    {0},
};

static const cli_group with_operands[] = {
    {"options", own_options, 0},
    {NULL, inner_options, offsetof(test_cmd, in)},
    {NULL, operand_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_group without_operands[] = {
    {"options", own_options, 0},
    {NULL, inner_options, offsetof(test_cmd, in)},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_command cmd_with = {.name = "t", .summary = "s", .groups = with_operands};
static const cli_command cmd_without = {.name = "t", .summary = "s", .groups = without_operands};

static test_cmd g_c;
static ia_err g_err;

/* Parses the NULL-terminated words into g_c (fresh) and returns what cli_opt_parse did. */
static int parse(const cli_command *cmd, ...)
{
    char *argv[32] = {"t"};
    int argc = 1;
    va_list ap;

    cli_list_free(&g_c.vars);
    cli_list_free(&g_c.operands);
    memset(&g_c, 0, sizeof(g_c));
    err_clear(&g_err);
    va_start(ap, cmd);
    for (char *w = va_arg(ap, char *); w && argc < 31; w = va_arg(ap, char *))
        argv[argc++] = w;
    va_end(ap);
    return cli_opt_parse(cmd, &g_c, argc, argv, &g_err);
}

static void test_cli_opt__options_and_operands_in_any_order(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "a", "--output", "x", "b", "-f", "--vars=1", "c", "--vars", "2", NULL),
                    CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.output, "x");
    CU_ASSERT(g_c.flag);
    CU_ASSERT_FALSE(g_c.quiet);
    CU_ASSERT_EQUAL_FATAL(g_c.vars.n, 2);
    CU_ASSERT_STRING_EQUAL(g_c.vars.items[0], "1");
    CU_ASSERT_STRING_EQUAL(g_c.vars.items[1], "2");
    CU_ASSERT_EQUAL_FATAL(g_c.operands.n, 3);
    CU_ASSERT_STRING_EQUAL(g_c.operands.items[0], "a");
    CU_ASSERT_STRING_EQUAL(g_c.operands.items[2], "c");
}

static void test_cli_opt__one_value_options_are_given_once(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "-o", "1", "--output", "2", NULL), -1);
    CU_ASSERT_EQUAL(g_err.kind, IA_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "--output (-o) given twice: it takes one value");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--region", "a", "--region=b", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "--region given twice: it takes one value");
    /* A setter of one value too, even with the same value. */
    CU_ASSERT_EQUAL(parse(&cmd_with, "--n", "5", "--n", "5", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "--n given twice: it takes one value");
    /* A flag given twice is a flag given. */
    CU_ASSERT_EQUAL(parse(&cmd_with, "-f", "--flag", "-ff", NULL), CLI_OPT_DONE);
    CU_ASSERT(g_c.flag);
    /* Lists and accumulating setters take every value. */
    CU_ASSERT_EQUAL(
        parse(&cmd_with, "--tag", "a", "--vars", "1", "--tag=b", "--vars", "2", "--tag", "c", NULL),
        CLI_OPT_DONE);
    CU_ASSERT_EQUAL(g_c.in.n_tags, 3);
    CU_ASSERT_EQUAL(g_c.vars.n, 2);
    /* Each parse starts afresh. */
    CU_ASSERT_EQUAL(parse(&cmd_with, "--output", "x", NULL), CLI_OPT_DONE);
}

static void test_cli_opt__whole_names_only_and_a_prefix_is_unknown(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--region", "r", "--regions", "rs", NULL), CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.in.region, "r");
    CU_ASSERT_STRING_EQUAL(g_c.in.regions, "rs");
    /* A unique prefix does not stand for a name: an option added later could not change its meaning. */
    CU_ASSERT_EQUAL(parse(&cmd_with, "--out=x", NULL), -1);
    CU_ASSERT_EQUAL(g_err.kind, IA_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--out=x'; did you mean '--output'?");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--q", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--q'");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--regi", "x", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--regi'; did you mean '--region'?");
    /* The closest name is suggested: one letter off. */
    CU_ASSERT_EQUAL(parse(&cmd_with, "--var", "x", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--var'; did you mean '--vars'?");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--regoins", "x", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--regoins'; did you mean '--regions'?");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--colour", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--colour'");
}

static void test_cli_opt__a_value_inline_or_the_next_word_whatever_it_is(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--output=-x", NULL), CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.output, "-x");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--output", "--flag", NULL), CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.output, "--flag");
    CU_ASSERT_FALSE(g_c.flag);
    CU_ASSERT_EQUAL(parse(&cmd_with, "-ofile", NULL), CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.output, "file");
    CU_ASSERT_EQUAL(parse(&cmd_with, "--output=", NULL), CLI_OPT_DONE);
    CU_ASSERT_STRING_EQUAL(g_c.output, "");
}

static void test_cli_opt__a_missing_value_names_the_option_as_typed(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--output", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "--output needs a value");
    CU_ASSERT_EQUAL(parse(&cmd_with, "-fo", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "-fo needs a value");
}

static void test_cli_opt__a_flag_given_a_value_is_unknown(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--flag=1", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--flag=1'");
}

static void test_cli_opt__short_flags_group(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "-fq", NULL), CLI_OPT_DONE);
    CU_ASSERT(g_c.flag && g_c.quiet);
    CU_ASSERT_EQUAL(parse(&cmd_with, "-fox", NULL), CLI_OPT_DONE);
    CU_ASSERT(g_c.flag);
    CU_ASSERT_STRING_EQUAL(g_c.output, "x");
    CU_ASSERT_EQUAL(parse(&cmd_with, "-fz", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '-fz'");
}

static void test_cli_opt__double_dash_ends_the_options(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "-q", "--", "--flag", "-", NULL), CLI_OPT_DONE);
    CU_ASSERT(g_c.quiet);
    CU_ASSERT_FALSE(g_c.flag);
    CU_ASSERT_EQUAL_FATAL(g_c.operands.n, 2);
    CU_ASSERT_STRING_EQUAL(g_c.operands.items[0], "--flag");
    CU_ASSERT_STRING_EQUAL(g_c.operands.items[1], "-");
}

static void test_cli_opt__help_ends_the_parse_where_it_stands(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--help", "--bogus", NULL), CLI_OPT_HELP);
    CU_ASSERT_EQUAL(parse(&cmd_with, "-fh", NULL), CLI_OPT_HELP);
    CU_ASSERT_EQUAL(parse(&cmd_with, "--he", NULL), -1);
    CU_ASSERT_EQUAL(parse(&cmd_with, "--bogus", "--help", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--bogus'");
}

static void test_cli_opt__a_command_without_operands_takes_none_after_every_option(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_without, "a", "--flag", "b", NULL), -1);
    CU_ASSERT(g_c.flag);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unexpected argument 'a'");
    CU_ASSERT_EQUAL(parse(&cmd_without, "a", "--bogus", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "unknown option '--bogus'");
    CU_ASSERT_EQUAL(parse(&cmd_without, "a", "-h", NULL), CLI_OPT_HELP);
}

static void test_cli_opt__a_setter_checks_its_value(void)
{
    CU_ASSERT_EQUAL(parse(&cmd_with, "--n=5", NULL), CLI_OPT_DONE);
    CU_ASSERT_EQUAL(g_c.in.n, 5);
    CU_ASSERT_EQUAL(parse(&cmd_with, "--n", "10", NULL), -1);
    CU_ASSERT_STRING_EQUAL(g_err.msg, "--n: '10' is not a whole number from 1 to 9");
}

static void test_cli_opt__usage_line_from_the_rows(void)
{
    char line[256];

    cli_opt_usage_line(&cmd_with, line, sizeof(line));
    CU_ASSERT_STRING_EQUAL(line, "t [--output FILE] [--flag] [--quiet] [--vars FILE]... [--region REGION] "
                                 "[--regions LIST] [--n N] [--tag TAG]... [ARG...]");
    cli_opt_usage_line(&cmd_with, line, 20);
    CU_ASSERT_STRING_EQUAL(line, "t [--output FILE] [");
}

/* Every command and verb: names and letters once each, help for every row, the store fits the row. */
static void check_rows(const cli_command *cmd)
{
    const char *names[128];
    char letters[128];
    size_t n_names = 0, n_letters = 0, n_operands = 0, n_help = 0;

    for (const cli_group *g = cmd->groups; g && g->opts; g++) {
        for (const cli_opt *o = g->opts; o->store != CLI_STORE_END; o++) {
            CU_ASSERT_PTR_NOT_NULL(o->help);
            n_operands += !o->name;
            n_help += o->store == CLI_STORE_HELP;
            if (o->store == CLI_STORE_BOOL || o->store == CLI_STORE_HELP)
                CU_ASSERT_PTR_NULL(o->value_name);
            if (o->store == CLI_STORE_STRING || o->store == CLI_STORE_LIST)
                CU_ASSERT_PTR_NOT_NULL(o->value_name);
            CU_ASSERT((o->store == CLI_STORE_CALL) == (o->set != NULL));
            /* Only a setter that takes a value can accumulate; a list row repeats by its store. */
            if (o->flags & CLI_OPT_REPEATABLE)
                CU_ASSERT(o->store == CLI_STORE_CALL && o->value_name);
            for (size_t i = 0; o->name && i < n_names; i++)
                CU_ASSERT(strcmp(names[i], o->name) != 0);
            for (size_t i = 0; o->letter && i < n_letters; i++)
                CU_ASSERT(letters[i] != o->letter);
            if (o->name && n_names < 128)
                names[n_names++] = o->name;
            if (o->letter && n_letters < 128)
                letters[n_letters++] = o->letter;
        }
    }
    CU_ASSERT(n_operands <= 1);
    CU_ASSERT_EQUAL(n_help, cmd->groups ? 1 : 0);
}

static void test_cli_opt__every_command_names_each_option_once(void)
{
    for (const cli_command *const *c = cli_commands; *c; c++) {
        CU_ASSERT((*c)->groups != NULL || (*c)->verbs != NULL);
        check_rows(*c);
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++) {
            CU_ASSERT_PTR_EQUAL((*v)->parent, *c);
            check_rows(*v);
        }
    }
}

/* The help as written now equals the recorded file tests/data/cli/help/<name>.txt. */
static void check_help(const char *name, const cli_command *cmd)
{
    char rel[64], *want, *got = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&got, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    if (cmd)
        cli_opt_help(cmd, fp);
    else
        cli_help(fp);
    fclose(fp);
    snprintf(rel, sizeof(rel), "cli/help/%s.txt", name);
    want = testutil_read_file(testutil_data_path(rel), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(want);
    free(got);
}

static void test_cli_opt__help_is_written_from_the_rows(void)
{
    check_help("imgaudit", NULL);
    for (const cli_command *const *c = cli_commands; *c; c++) {
        check_help((*c)->name, *c);
        /* A verb's help is its command's, and its own options: tests/data/cli/help/<command>-<verb>.txt. */
        for (const cli_command *const *v = (*c)->verbs; v && *v; v++) {
            char name[64];

            snprintf(name, sizeof(name), "%s", (*v)->name);
            *strchr(name, ' ') = '-';
            check_help(name, *v);
        }
    }
}

/* --junit-passes and --no-junit-passes, of evaluate and audit: passes are in by default, the last one given
 * wins. */
static void test_cli_opt__junit_passes_pair_last_one_wins(void)
{
    static const cli_group groups[] = {{"reports", reportopts_report_options, 0}, {0}};
    static const cli_command cmd = {.name = "t", .summary = "s", .groups = groups};
    static const struct {
        const char *words[3];
        bool passes;
    } cases[] = {
        {{NULL}, true},
        {{"--no-junit-passes", NULL}, false},
        {{"--junit-passes", NULL}, true},
        {{"--junit-passes", "--no-junit-passes", NULL}, false},
        {{"--no-junit-passes", "--junit-passes", NULL}, true},
        {{"--no-junit-passes", "--no-junit-passes", NULL}, false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[4] = {"t"};
        int argc = 1;
        reportopts ro;

        reportopts_init(&ro);
        for (int w = 0; cases[i].words[w]; w++)
            argv[argc++] = (char *)cases[i].words[w];
        err_clear(&g_err);
        CU_ASSERT_EQUAL(cli_opt_parse(&cmd, &ro, argc, argv, &g_err), CLI_OPT_DONE);
        CU_ASSERT_EQUAL(ro.junit_passes, cases[i].passes);
    }
    /* Flags: a value is refused, naming the option. */
    {
        char *argv[] = {"t", "--no-junit-passes=yes"};
        reportopts ro;

        reportopts_init(&ro);
        CU_ASSERT_EQUAL(cli_opt_parse(&cmd, &ro, 2, argv, &g_err), -1);
        CU_ASSERT_EQUAL(g_err.kind, IA_ERR_USAGE);
        CU_ASSERT_PTR_NOT_NULL(strstr(g_err.msg, "--no-junit-passes"));
    }
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"options_and_operands_in_any_order", test_cli_opt__options_and_operands_in_any_order},
        {"one_value_options_are_given_once", test_cli_opt__one_value_options_are_given_once},
        {"whole_names_only_and_a_prefix_is_unknown", test_cli_opt__whole_names_only_and_a_prefix_is_unknown},
        {"a_value_inline_or_the_next_word_whatever_it_is",
         test_cli_opt__a_value_inline_or_the_next_word_whatever_it_is},
        {"a_missing_value_names_the_option_as_typed",
         test_cli_opt__a_missing_value_names_the_option_as_typed},
        {"a_flag_given_a_value_is_unknown", test_cli_opt__a_flag_given_a_value_is_unknown},
        {"short_flags_group", test_cli_opt__short_flags_group},
        {"double_dash_ends_the_options", test_cli_opt__double_dash_ends_the_options},
        {"help_ends_the_parse_where_it_stands", test_cli_opt__help_ends_the_parse_where_it_stands},
        {"a_command_without_operands_takes_none_after_every_option",
         test_cli_opt__a_command_without_operands_takes_none_after_every_option},
        {"a_setter_checks_its_value", test_cli_opt__a_setter_checks_its_value},
        {"usage_line_from_the_rows", test_cli_opt__usage_line_from_the_rows},
        {"every_command_names_each_option_once", test_cli_opt__every_command_names_each_option_once},
        {"help_is_written_from_the_rows", test_cli_opt__help_is_written_from_the_rows},
        {"junit_passes_pair_last_one_wins", test_cli_opt__junit_passes_pair_last_one_wins},
        CU_TEST_INFO_NULL,
    };
    int rc = testutil_run("cli_opt", tests);

    cli_list_free(&g_c.vars);
    cli_list_free(&g_c.operands);
    return rc;
}
