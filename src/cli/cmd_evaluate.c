/*
 * `imgaudit evaluate SNAPSHOT`: judges a saved snapshot against rules,
 * offline, writes the reports and gates CI with the exit status.
 */
#include "cli/commands.h"

#include <stddef.h>

#include "cli/cli.h"
#include "cli/reportopts.h"
#include "cli/run_judge.h"
#include "util/cancel.h"

typedef struct evaluate_cmd {
    reportopts ro;
    bool quiet;
    cli_list snapshots; /* the operands: one is wanted */
} evaluate_cmd;

static const cli_opt evaluate_options[] = {
    {"quiet", 'q', NULL, CLI_BOOL(evaluate_cmd, quiet), 0,
     "no summary: silent when all is well; warnings, errors and a failed\nrun's verdict (one line) still on "
     "stderr"},
    {NULL, 0, "SNAPSHOT", CLI_LIST(evaluate_cmd, snapshots), 0,
     "a snapshot file from 'imgaudit collect'; '-' for stdin"},
    {0},
};

static const cli_group evaluate_groups[] = {
    {"options", reportopts_rule_options, offsetof(evaluate_cmd, ro)},
    {NULL, reportopts_pack_options, offsetof(evaluate_cmd, ro)},
    {NULL, reportopts_select_options, offsetof(evaluate_cmd, ro)},
    {NULL, reportopts_waiver_options, offsetof(evaluate_cmd, ro)},
    {NULL, reportopts_today_options, offsetof(evaluate_cmd, ro)},
    {NULL, reportopts_report_options, offsetof(evaluate_cmd, ro)},
    {NULL, evaluate_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

static int run(int argc, char **argv)
{
    const char *name = cmd_evaluate.name;
    evaluate_cmd c = {0};
    cli_paths outputs = {0}, inputs = {0};
    ia_err err;
    int rc;

    reportopts_init(&c.ro);
    err_clear(&err);
    rc = cli_parse(&cmd_evaluate, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (c.snapshots.n == 0) {
        rc = cli_usage_error(name, "which snapshot? (imgaudit evaluate SNAPSHOT)");
        goto out;
    }
    if (c.snapshots.n > 1) {
        rc = cli_usage_error(name, "one snapshot at a time ('%s' and '%s')", c.snapshots.items[0],
                             c.snapshots.items[1]);
        goto out;
    }
    if (reportopts_check(&c.ro, &err) != 0) {
        rc = cli_usage_error(name, "%s", err.msg);
        goto out;
    }
    /* Before anything is read: a report written over the snapshot would destroy it. */
    if (reportopts_paths(&c.ro, &outputs, &inputs, &err) != 0 ||
        cli_paths_add(&inputs, "the snapshot", c.snapshots.items[0], &err) != 0 ||
        cli_paths_check(&outputs, &inputs, &err) != 0) {
        rc = cli_fail_in(name, &err);
        goto out;
    }
    if (reportopts_load(&c.ro, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    cancel_install_handlers();
    rc = run_judge(&c.ro, c.snapshots.items[0], NULL, c.quiet);
out:
    cli_paths_free(&outputs);
    cli_paths_free(&inputs);
    cli_list_free(&c.snapshots);
    reportopts_clean_up(&c.ro);
    return rc;
}

const cli_command cmd_evaluate = {
    .name = "evaluate",
    .summary = "judge a snapshot against YAML rules and waivers (--json FILE)",
    .synopsis = "SNAPSHOT [options]",
    .description =
        "Judges a snapshot (from 'imgaudit collect') against YAML rules, offline, and writes the\n"
        "reports. A summary goes to stdout (to stderr when a report does). SNAPSHOT '-' is stdin.\n",
    .groups = evaluate_groups,
    .exit_status =
        "exit status: 0 passed; 1 the --fail-on gate failed; 2 bad command line or input file;\n"
        "3 the snapshot's collection was incomplete (unless --allow-partial); 4 could not write a report;\n"
        "130 interrupted (no report is replaced).\n",
    .run = run,
};
