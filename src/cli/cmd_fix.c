/*
 * `imgaudit fix plan RESULTS.json [-o plan.json]`: what would resolve the
 * failures of a results document whose rules declare a fix, as a plan file
 * that a person reviews and `fix apply` (cmd_fix_apply.c) carries out.
 * Nothing here changes anything in AWS, or even calls it.
 */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/fix_apply.h"
#include "cli/paths.h"
#include "fix/fix.h"
#include "rules/rules.h"
#include "util/cancel.h"
#include "util/log.h"
#include "util/nearest.h"
#include "util/timefmt.h"

typedef struct fix_cmd {
    const char *output;
    const char *action;
    cli_list rules, accounts;
    cli_list operands; /* the results document */
} fix_cmd;

static const char *const action_names[] = {RULES_FIX_UNSHARE_WORKSPACES, RULES_FIX_UNSHARE_APPSTREAM,
                                           RULES_FIX_UPDATE_WORKSPACES};

static const cli_opt plan_options[] = {
    {"output", 'o', "FILE", CLI_STRING(fix_cmd, output), 0,
     "where the plan goes, written whole or not at all ('-': stdout, the\ntable then on stderr); without it "
     "the plan is only shown"},
    {"rule", 0, "ID", CLI_LIST(fix_cmd, rules), 0, "only the failures of this rule (repeatable)"},
    {"account", 0, "ID", CLI_LIST(fix_cmd, accounts), 0, "only the changes in this account (repeatable)"},
    {"action", 0, "NAME", CLI_STRING(fix_cmd, action), 0,
     "only this action: unshare-workspaces-image, unshare-appstream-image\nor "
     "create-updated-workspaces-image"},
    {NULL, 0, "RESULTS", CLI_LIST(fix_cmd, operands), 0,
     "a results document (evaluate/audit --json; '-': stdin)"},
    {0},
};

static const cli_group plan_groups[] = {
    {NULL, plan_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

static const cli_command fix_plan_cmd = {
    .name = "fix plan",
    .summary = "the changes that would resolve the failures whose rules declare a fix:\n"
               "a table per account, and the plan file (-o) to review",
    .synopsis = "RESULTS [-o FILE] [--rule ID]... [--account ID]... [--action NAME]",
    .groups = plan_groups,
    .parent = &cmd_fix,
};

static const cli_command *const fix_verbs[] = {&fix_plan_cmd, &cmd_fix_apply, NULL};

/* The options' values, checked before the results are read. */
static int check_filters(const fix_cmd *c, ia_err *err)
{
    size_t n = sizeof(action_names) / sizeof(action_names[0]);

    if (c->action) {
        size_t k = 0;

        while (k < n && strcmp(c->action, action_names[k]) != 0)
            k++;
        if (k == n) {
            const char *near = nearest_in(c->action, action_names, n);

            return err_set(err, IA_ERR_USAGE, "--action: unknown action '%s'%s%s%s", c->action,
                           near ? " (did you mean '"
                                : " (expected unshare-workspaces-image, unshare-appstream-image "
                                  "or create-updated-workspaces-image)",
                           near ? near : "", near ? "'?)" : "");
        }
    }
    for (size_t i = 0; i < c->accounts.n; i++) {
        const char *a = c->accounts.items[i];
        size_t len = strspn(a, "0123456789");

        if (len != 12 || a[len])
            return err_set(err, IA_ERR_USAGE, "--account: '%s' is not a 12-digit account id", a);
    }
    return 0;
}

static int run_plan(int argc, char **argv)
{
    fix_cmd c = {0};
    cli_paths outputs = {0}, inputs = {0};
    fix_filter f;
    fix_plan *plan = NULL;
    char now[TIMEFMT_ISO_SIZE];
    ia_err err;
    int rc;

    err_clear(&err);
    rc = cli_parse(&fix_plan_cmd, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (c.operands.n != 1) {
        rc = cli_usage_error(fix_plan_cmd.name, "%s (imgaudit fix plan RESULTS.json -o plan.json)",
                             c.operands.n ? "one results document, not several" : "which results?");
        goto out;
    }
    if (check_filters(&c, &err) != 0 || cli_paths_add(&outputs, "--output", c.output, &err) != 0 ||
        cli_paths_add(&inputs, "the results", c.operands.items[0], &err) != 0 ||
        cli_paths_check(&outputs, &inputs, &err) != 0)
        goto fail;
    f = (fix_filter){c.rules.items, c.rules.n, c.accounts.items, c.accounts.n, c.action};
    cancel_install_handlers();
    timefmt_iso(time(NULL), now);
    if (fix_plan_build(c.operands.items[0], &f, now, &plan, &err) != 0 ||
        (c.output && fix_plan_write(plan, c.output, &err) != 0)) {
        rc = cli_fail(&err);
        goto out;
    }
    fix_plan_print(plan, c.output && strcmp(c.output, "-") == 0 ? stderr : stdout);
    fprintf(c.output && strcmp(c.output, "-") == 0 ? stderr : stdout,
            "Nothing was changed: review the plan, then 'imgaudit fix apply PLAN' carries it out.\n");
    /* The table first, then the line on stderr that says where the plan went. */
    fflush(stdout);
    if (c.output && strcmp(c.output, "-") != 0)
        log_line("imgaudit: wrote the plan to %s", c.output);
    else if (!c.output)
        log_line("imgaudit: the plan was not saved: give -o FILE to keep it for review");
    rc = CLI_EXIT_OK;
    goto out;
fail:
    rc = cli_fail_in(fix_plan_cmd.name, &err);
out:
    fix_plan_free(plan);
    cli_paths_free(&outputs);
    cli_paths_free(&inputs);
    cli_list_free(&c.rules);
    cli_list_free(&c.accounts);
    cli_list_free(&c.operands);
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        cli_opt_help(&cmd_fix, stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        cli_opt_help(&cmd_fix, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "plan") == 0)
        return run_plan(argc - 1, argv + 1);
    if (strcmp(argv[1], "apply") == 0)
        return cmd_fix_apply_run(argc - 1, argv + 1);
    return cli_usage_error(cmd_fix.name, "unknown subcommand '%s' (plan or apply)", argv[1]);
}

const cli_command cmd_fix = {
    .name = "fix",
    .summary = "plan the changes that resolve findings, then apply the reviewed plan\n"
               "(fix plan RESULTS -o PLAN; fix apply PLAN)",
    .description = "plan reads a results document (evaluate/audit --json) and proposes, for each failure\n"
                   "whose rule declares a fix, the AWS calls that would resolve it: one action per image\n"
                   "and account to unshare (UpdateWorkspaceImagePermission, DeleteImagePermissions), one\n"
                   "CreateUpdatedWorkspaceImage per Windows image with updates. Waived and passed results\n"
                   "never produce actions, and plan changes nothing. apply carries a plan out once a person\n"
                   "confirmed it (or --yes): each action reads the state first and is skipped as already\n"
                   "done when its precondition no longer holds, then reads again to see the change. Nothing\n"
                   "is ever deleted or shared (docs/fix.md).\n",
    .verbs = fix_verbs,
    .exit_status = "exit status: plan: 0 planned (even nothing); 2 bad command line or a file that is\n"
                   "             not a results document; 4 could not write the plan; 130 interrupted\n"
                   "             apply: 0 every action done or already done; 1 some actions failed\n"
                   "             (each named; the others were carried out); 2 bad command line, a bad,\n"
                   "             old or incomplete plan, or not confirmed; 4 could not run (credentials,\n"
                   "             the log); 130 interrupted (the log says what was done)\n",
    .run = run,
};
