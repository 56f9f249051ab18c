/*
 * `imgaudit rules lint|list|test [PATH...]`: rule files without a snapshot.
 * lint shows every problem at once; list prints what would run; test runs
 * each rule's example resources, the way policy-as-code tools test policies.
 */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/reportopts.h"
#include "report/json.h"
#include "rules/rules.h"
#include "rules/waivers.h"
#include "util/log.h"
#include "util/termtext.h"

typedef struct rules_cmd {
    reportopts ro; /* --rules and the PATHs, --vars, --waivers, --today, the selection */
    bool allow_untested;
    bool json;
} rules_cmd;

static const cli_opt path_operands[] = {
    {NULL, 0, "PATH", CLI_LIST(reportopts, rules), 0, "a rule file or a directory of *.yaml/*.yml files"},
    {0},
};

static const cli_opt list_options[] = {
    {"json", 0, NULL, CLI_BOOL(rules_cmd, json), 0, "the rules as a JSON array (docs/rules.md)"},
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
    {NULL, reportopts_pack_options, RO},
    {NULL, reportopts_select_options, RO},
    {NULL, list_options, 0},
    {NULL, path_operands, RO},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_group test_groups[] = {
    {NULL, reportopts_rule_options, RO},
    {NULL, reportopts_select_options, RO},
    {NULL, reportopts_today_options, RO},
    {NULL, test_options, 0},
    {NULL, path_operands, RO},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_command rules_lint = {
    .name = "rules lint",
    .summary = "checks rule, vars and waiver files; prints every problem as file:line:column",
    .groups = lint_groups,
    .parent = &cmd_rules,
};

static const cli_command rules_list = {
    .name = "rules list",
    .summary = "prints the rules that would run (the built-in pack and PATHs): id, severity,\n"
               "resource type, title; --json: every field",
    .groups = list_groups,
    .parent = &cmd_rules,
};

static const cli_command rules_test = {
    .name = "rules test",
    .summary = "runs each rule's examples (tests: fail/pass; --rule, --exclude-rule, --severity:\n"
               "some rules' only); a rule needs at least one example of each unless --allow-untested",
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

/* A rule's file as the user knows it: relative to the pack for the pack's own rules, else as given. */
static const char *rule_file(const char *file, const char *pack_dir, bool *builtin)
{
    size_t len = strlen(pack_dir);

    *builtin = len && strncmp(file, pack_dir, len) == 0 && file[len] == '/';
    return *builtin ? file + len + 1 : file;
}

/* The rule's fix as declared ({action, accounts, name_template}, the last two null when they do not apply),
 * or null. Returns -1 when out of memory. */
static int add_fix(cJSON *obj, const rule_fix *fix)
{
    cJSON *o;

    if (!fix->action)
        return cJSON_AddNullToObject(obj, "fix") ? 0 : -1;
    o = cJSON_AddObjectToObject(obj, "fix");
    if (!o || !cJSON_AddStringToObject(o, "action", fix->action) ||
        !(fix->accounts ? cJSON_AddStringToObject(o, "accounts", fix->accounts)
                        : cJSON_AddNullToObject(o, "accounts")) ||
        !(fix->name_template ? cJSON_AddStringToObject(o, "name_template", fix->name_template)
                             : cJSON_AddNullToObject(o, "name_template")))
        return -1;
    return 0;
}

static cJSON *rule_json(const rules_set *set, size_t i, const char *pack_dir)
{
    const rule_info *ri = rules_set_info(set, i);
    const char *vars[64];
    long n_vars = rules_rule_vars(set, i, vars, sizeof(vars) / sizeof(vars[0]));
    rule_info shown = *ri;
    bool builtin;
    cJSON *obj, *list = NULL;

    /* The report's rule object, its file as the user knows it, and what only this listing says. */
    shown.file = rule_file(ri->file, pack_dir, &builtin);
    obj = json_rule_object(&shown);
    if (!obj || n_vars < 0 || !cJSON_AddBoolToObject(obj, "builtin", builtin) ||
        !(list = cJSON_AddArrayToObject(obj, "variables")) || add_fix(obj, &ri->fix) != 0)
        goto fail;
    for (size_t k = 0; k < (size_t)n_vars && k < sizeof(vars) / sizeof(vars[0]); k++) {
        cJSON *name = cJSON_CreateString(vars[k]);

        if (!name || !cJSON_AddItemToArray(list, name)) {
            cJSON_Delete(name);
            goto fail;
        }
    }
    return obj;
fail:
    cJSON_Delete(obj);
    return NULL;
}

static int print_json(const rules_set *set, const char *pack_dir)
{
    cJSON *arr = cJSON_CreateArray();
    char *text = NULL;
    ia_err err;
    int rc = CLI_EXIT_OK;

    for (size_t i = 0; arr && i < rules_set_count(set); i++) {
        cJSON *obj = rule_json(set, i, pack_dir);

        if (!obj || !cJSON_AddItemToArray(arr, obj)) {
            cJSON_Delete(obj);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    text = arr ? cJSON_Print(arr) : NULL;
    if (!text) {
        err_clear(&err);
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        rc = cli_fail(&err);
    } else {
        printf("%s\n", text);
    }
    cJSON_free(text);
    cJSON_Delete(arr);
    return rc;
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

/* lint's last line: the rules read and the problems counted. Returns the exit status. */
static int lint_verdict(const rules_set *set, bool valid, const waivers *wv, const rules_cmd *c,
                        const rules_diags *diags)
{
    size_t errors, warnings;

    rules_diags_count(diags, true, &errors, &warnings);
    if (errors || !set || !valid) {
        printf("%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s", warnings,
               warnings == 1 ? "" : "s");
        return CLI_EXIT_USAGE;
    }
    printf("ok: %zu rules in %zu files", rules_set_count(set), rules_set_file_count(set));
    if (c->ro.waivers.n)
        printf(", %zu waivers", waivers_count(wv));
    printf("; 0 errors, %zu warning%s\n", warnings, warnings == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

static int run_verb(const cli_command *verb, int argc, char **argv)
{
    rules_cmd c = {0};
    reportopts *ro = &c.ro;
    rules_diags diags;
    size_t errors, warnings;
    bool lint = verb == &rules_lint, with_pack;
    ia_err err;
    int rc;

    reportopts_init(ro);
    err_clear(&err);
    rules_diags_init(&diags);
    rc = cli_parse(verb, &c, argc, argv);
    if (rc >= 0)
        goto out;
    /* list shows what evaluate would run: the pack and the PATHs; lint and test check the PATHs alone. */
    with_pack = verb == &rules_list ? !ro->no_builtin_rules : ro->rules.n == 0;
    if (!with_pack && ro->rules.n == 0) {
        rc = cli_usage_error(verb->name, "--no-builtin-rules needs a PATH (which rules, then?)");
        goto out;
    }
    /* Lint checks the waivers against the rules that loaded even when a rule file is bad: one run shows every
     * problem. */
    rc = reportopts_load_rules(ro, with_pack, lint, &diags, &err);
    if (rc < 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (lint) {
        rules_diags_print(&diags, stdout, "", NULL, true);
        rc = lint_verdict(ro->set, rc == 0, ro->wv, &c, &diags);
        goto out;
    }
    if (rc > 0) {
        rules_diags_count(&diags, false, &errors, &warnings);
        log_line("imgaudit %s: %zu problem%s found", verb->name, errors, errors == 1 ? "" : "s");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (verb == &rules_list) {
        if (c.json)
            rc = print_json(ro->set, with_pack ? ro->pack_dir : "");
        else {
            print_list(ro->set);
            rc = CLI_EXIT_OK;
        }
    } else {
        rc = run_test(ro->set, &c);
    }
out:
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
        "PATH is a rule file or a directory of *.yaml/*.yml files (also --rules PATH). lint and\n"
        "test check the PATHs alone, or without one the built-in pack ($IMGAUDIT_RULES_DIR, else\n"
        "<program dir>/../rules, else the install data directory); list shows what evaluate would\n"
        "run: the pack and the PATHs (--no-builtin-rules: the PATHs alone).\n",
    .verbs = rules_verbs,
    .exit_status = "exit status: 0 all good (lint: warnings only), 1 a rule test failed or a rule is\n"
                   "             untested, 2 bad command line or an error in a file\n",
    .run = run,
};
