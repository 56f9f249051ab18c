/*
 * `imgaudit rules lint|list|test [PATH...]`: rule files without a snapshot.
 * lint shows every problem at once; list prints what would run; test runs
 * each rule's example resources, the way policy-as-code tools test policies.
 */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/reportopts.h"
#include "rules/rules.h"
#include "rules/waivers.h"
#include "util/termtext.h"

typedef struct rules_cmd {
    reportopts ro; /* --rules and the PATHs, --vars, --waivers, --today */
    bool allow_untested;
} rules_cmd;

static const cli_opt path_operands[] = {
    {NULL, 0, "PATH", CLI_LIST(reportopts, rules), 0, "a rule file or a directory of *.yaml/*.yml files"},
    {0},
};

static const cli_opt test_options[] = {
    {"allow-untested", 0, NULL, CLI_BOOL(rules_cmd, allow_untested), 0,
     "a rule without an example of each kind does not fail the run"},
    {0},
};

#define RO offsetof(rules_cmd, ro)

static const cli_group lint_groups[] = {
    {NULL, reportopts_rule_options, RO},
    {NULL, reportopts_waiver_options, RO},
    {NULL, path_operands, RO},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_group list_groups[] = {
    {NULL, reportopts_rule_options, RO},
    {NULL, path_operands, RO},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_group test_groups[] = {
    {NULL, reportopts_rule_options, RO}, {NULL, reportopts_today_options, RO}, {NULL, test_options, 0},
    {NULL, path_operands, RO},           {NULL, cli_help_options, 0},          {0},
};

static const cli_command rules_lint = {
    .name = "rules lint",
    .summary = "checks rule, vars and waiver files; prints every problem as file:line:column",
    .groups = lint_groups,
    .parent = &cmd_rules,
};

static const cli_command rules_list = {
    .name = "rules list",
    .summary = "prints the loaded rules: id, severity, resource type, title",
    .groups = list_groups,
    .parent = &cmd_rules,
};

static const cli_command rules_test = {
    .name = "rules test",
    .summary = "runs each rule's examples (tests: fail/pass); a rule needs at least one\n"
               "example of each unless --allow-untested",
    .groups = test_groups,
    .parent = &cmd_rules,
};

static const cli_command *const rules_verbs[] = {&rules_lint, &rules_list, &rules_test, NULL};

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

        termtext_printf(stdout, "%-*s  %-*s  %-*s  %s\n", w_id, ri->id, w_sev, severity_name(ri->sev), w_res,
                        ri->resource_type, ri->title);
    }
}

static int run_test(const rules_set *set, const rules_cmd *c)
{
    rules_test_summary sum;
    rules_clock clock;
    ia_err err;

    err_clear(&err);
    if (rules_clock_init(&clock, c->ro.today, &err) != 0)
        return cli_fail(&err);
    rules_run_tests(set, &clock, stdout, &sum);
    printf("%zu rules: %zu tested, %zu untested; %zu examples, %zu failed\n", sum.rules, sum.tested,
           sum.untested, sum.examples, sum.failed);
    if (sum.failed || (sum.untested && !c->allow_untested))
        return CLI_EXIT_GATE;
    return CLI_EXIT_OK;
}

static int run_verb(const cli_command *verb, int argc, char **argv)
{
    rules_cmd c = {0};
    reportopts *ro = &c.ro;
    rules_set *set = NULL;
    waivers *wv = NULL;
    rules_diags diags;
    ia_err err;
    int rc, bad = 0;

    reportopts_init(ro);
    err_clear(&err);
    rules_diags_init(&diags);
    rc = cli_parse(verb, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (ro->rules.n == 0 && (rules_pack_dir(ro->pack_dir, sizeof(ro->pack_dir), &err) != 0 ||
                             cli_list_append(&ro->rules, ro->pack_dir, &err) != 0)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (rules_load(ro->rules.items, ro->rules.n, ro->vars.items, ro->vars.n, &set, &diags, &err) != 0) {
        if (!diags.n) {
            rc = cli_fail(&err);
            goto out;
        }
        bad = 1;
    }
    /* Lint reads the waivers even when a rule file is bad: one run shows every problem. */
    if (ro->waivers.n && waivers_load(ro->waivers.items, ro->waivers.n, &wv, &diags, &err) != 0) {
        if (!diags.n) {
            rc = cli_fail(&err);
            goto out;
        }
        bad = 1;
    }
    if (bad) {
        rules_diags_print(&diags, verb == &rules_lint ? stdout : stderr,
                          verb == &rules_lint ? "" : "imgaudit: error: ");
        fprintf(stderr, "imgaudit %s: %zu problem%s found\n", verb->name, diags.n + diags.dropped,
                diags.n + diags.dropped == 1 ? "" : "s");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (verb == &rules_lint) {
        printf("ok: %zu rules in %zu files", rules_set_count(set), rules_set_file_count(set));
        if (ro->waivers.n)
            printf(", %zu waivers", waivers_count(wv));
        printf("\n");
        rc = CLI_EXIT_OK;
    } else if (verb == &rules_list) {
        print_list(set);
        rc = CLI_EXIT_OK;
    } else {
        rc = run_test(set, &c);
    }
out:
    waivers_free(wv);
    rules_set_free(set);
    rules_diags_free(&diags);
    reportopts_clean_up(ro);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        cli_opt_help(&cmd_rules, stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        cli_opt_help(&cmd_rules, stdout);
        return CLI_EXIT_OK;
    }
    for (const cli_command *const *v = rules_verbs; *v; v++) {
        if (strcmp(strchr((*v)->name, ' ') + 1, argv[1]) == 0)
            return run_verb(*v, argc - 1, argv + 1);
    }
    return cli_usage_error(cmd_rules.name, "unknown subcommand '%s' (lint, list or test)", argv[1]);
}

const cli_command cmd_rules = {
    .name = "rules",
    .summary = "lint, list or test rule files (rules lint|list|test [PATH...])",
    .description =
        "PATH is a rule file or a directory of *.yaml/*.yml files (also --rules PATH); without one,\n"
        "the built-in pack ($IMGAUDIT_RULES_DIR, else <program dir>/../rules, else the install\n"
        "data directory).\n",
    .verbs = rules_verbs,
    .exit_status = "exit status: 0 all good, 1 a rule test failed or a rule is untested,\n"
                   "             2 bad command line or a problem in a file\n",
    .run = run,
};
