/*
 * `imgaudit rules lint|list|test [PATH...]`: rule files without a snapshot.
 * lint shows every problem at once; list prints what would run; test runs
 * each rule's example resources, the way policy-as-code tools test policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "rules/rules.h"
#include "rules/waivers.h"

#define CMD "rules"

static void usage(FILE *fp)
{
    fprintf(
        fp,
        "usage: imgaudit rules lint [--vars FILE]... [--waivers FILE]... [PATH...]\n"
        "       imgaudit rules list [--vars FILE]... [PATH...]\n"
        "       imgaudit rules test [--vars FILE]... [--today YYYY-MM-DD] [--allow-untested] [PATH...]\n\n"
        "PATH is a rule file or a directory of *.yaml/*.yml files (also --rules PATH); without one,\n"
        "the built-in pack ($IMGAUDIT_RULES_DIR, else <program dir>/../rules, else the install\n"
        "data directory).\n\n"
        "  lint   checks rule, vars and waiver files; prints every problem as file:line:column\n"
        "  list   prints the loaded rules: id, severity, resource type, title\n"
        "  test   runs each rule's examples (tests: fail/pass); a rule needs at least one\n"
        "         example of each unless --allow-untested\n\n"
        "exit status: 0 all good, 1 a rule test failed or a rule is untested,\n"
        "             2 bad command line or a problem in a file\n");
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

typedef enum verb { VERB_LINT, VERB_LIST, VERB_TEST } verb;

typedef struct rules_opts {
    verb v;
    const char **paths, **vars, **waivers;
    size_t n_paths, n_vars, n_waivers;
    const char *today;
    int allow_untested;
} rules_opts;

static int parse_args(int argc, char **argv, rules_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *val = NULL;
        int m;

        if (strcmp(argv[i], "--allow-untested") == 0 && o->v == VERB_TEST) {
            o->allow_untested = 1;
        } else if ((m = opt_value(argc, argv, &i, "--rules", &val)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--rules needs a path");
            o->paths[o->n_paths++] = val;
        } else if ((m = opt_value(argc, argv, &i, "--vars", &val)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--vars needs a file");
            o->vars[o->n_vars++] = val;
        } else if (o->v == VERB_LINT && (m = opt_value(argc, argv, &i, "--waivers", &val)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--waivers needs a file");
            o->waivers[o->n_waivers++] = val;
        } else if (o->v == VERB_TEST && (m = opt_value(argc, argv, &i, "--today", &val)) != 0) {
            if (m < 0)
                return cli_usage_error(CMD, "--today needs a date (YYYY-MM-DD)");
            o->today = val;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s' for '%s'", argv[i], argv[1]);
        } else {
            o->paths[o->n_paths++] = argv[i];
        }
    }
    return 0;
}

static void print_list(const rules_set *set)
{
    size_t n = rules_set_count(set);
    int w_id = 2, w_sev = 8, w_res = 8;

    for (size_t i = 0; i < n; i++) {
        const rule_info *ri = rules_set_info(set, i);
        int len = (int)strlen(ri->id);

        w_id = len > w_id ? len : w_id;
        len = (int)strlen(ri->resource_type);
        w_res = len > w_res ? len : w_res;
    }
    printf("%-*s  %-*s  %-*s  %s\n", w_id, "ID", w_sev, "SEVERITY", w_res, "RESOURCE", "TITLE");
    for (size_t i = 0; i < n; i++) {
        const rule_info *ri = rules_set_info(set, i);

        printf("%-*s  %-*s  %-*s  %s\n", w_id, ri->id, w_sev, severity_name(ri->sev), w_res,
               ri->resource_type, ri->title);
    }
}

static int run_test(const rules_set *set, const rules_opts *o)
{
    rules_test_summary sum;
    rules_clock clock;
    ia_err err;

    err_clear(&err);
    if (rules_clock_init(&clock, o->today, &err) != 0)
        return cli_fail(&err);
    rules_run_tests(set, &clock, stdout, &sum);
    printf("%zu rules: %zu tested, %zu untested; %zu examples, %zu failed\n", sum.rules, sum.tested,
           sum.untested, sum.examples, sum.failed);
    if (sum.failed || (sum.untested && !o->allow_untested))
        return CLI_EXIT_GATE;
    return CLI_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    rules_opts o;
    rules_set *set = NULL;
    waivers *wv = NULL;
    rules_diags diags;
    char pack[4096];
    ia_err err;
    int rc = CLI_EXIT_USAGE, bad = 0;

    memset(&o, 0, sizeof(o));
    err_clear(&err);
    rules_diags_init(&diags);
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    if (strcmp(argv[1], "lint") == 0)
        o.v = VERB_LINT;
    else if (strcmp(argv[1], "list") == 0)
        o.v = VERB_LIST;
    else if (strcmp(argv[1], "test") == 0)
        o.v = VERB_TEST;
    else
        return cli_usage_error(CMD, "unknown subcommand '%s' (lint, list or test)", argv[1]);
    o.paths = calloc((size_t)argc + 1, sizeof(*o.paths));
    o.vars = calloc((size_t)argc + 1, sizeof(*o.vars));
    o.waivers = calloc((size_t)argc + 1, sizeof(*o.waivers));
    if (!o.paths || !o.vars || !o.waivers) {
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        rc = cli_fail(&err);
        goto out;
    }
    if (parse_args(argc, argv, &o) != 0)
        goto out;
    if (o.n_paths == 0) {
        if (rules_pack_dir(pack, sizeof(pack), &err) != 0) {
            rc = cli_fail(&err);
            goto out;
        }
        o.paths[o.n_paths++] = pack;
    }
    if (rules_load(o.paths, o.n_paths, o.vars, o.n_vars, &set, &diags, &err) != 0) {
        if (!diags.n) {
            rc = cli_fail(&err);
            goto out;
        }
        bad = 1;
    }
    /* Lint reads the waivers even when a rule file is bad: one run shows every problem. */
    if (o.n_waivers && waivers_load(o.waivers, o.n_waivers, &wv, &diags, &err) != 0) {
        if (!diags.n) {
            rc = cli_fail(&err);
            goto out;
        }
        bad = 1;
    }
    if (bad) {
        rules_diags_print(&diags, o.v == VERB_LINT ? stdout : stderr,
                          o.v == VERB_LINT ? "" : "imgaudit: error: ");
        fprintf(stderr, "imgaudit rules %s: %zu problem%s found\n", argv[1], diags.n + diags.dropped,
                diags.n + diags.dropped == 1 ? "" : "s");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    switch (o.v) {
    case VERB_LINT:
        printf("ok: %zu rules in %zu files", rules_set_count(set), rules_set_file_count(set));
        if (o.n_waivers)
            printf(", %zu waivers", waivers_count(wv));
        printf("\n");
        rc = CLI_EXIT_OK;
        break;
    case VERB_LIST:
        print_list(set);
        rc = CLI_EXIT_OK;
        break;
    case VERB_TEST: rc = run_test(set, &o); break;
    }
out:
    waivers_free(wv);
    rules_set_free(set);
    rules_diags_free(&diags);
    free(o.paths);
    free(o.vars);
    free(o.waivers);
    return rc;
}
