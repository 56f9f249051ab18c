/*
 * `imgaudit evaluate SNAPSHOT`: judges a saved snapshot against rules,
 * offline, writes the reports and gates CI with the exit status.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/reportopts.h"
#include "util/cancel.h"

#define CMD "evaluate"

static void usage(FILE *fp)
{
    fprintf(
        fp,
        "usage: imgaudit evaluate SNAPSHOT [options]\n\n"
        "Judges a snapshot (from 'imgaudit collect') against YAML rules, offline, and writes the\n"
        "reports. A summary goes to stdout (to stderr when a report does).\n\n"
        "options:\n" REPORTOPTS_HELP "  --quiet                 no summary\n"
        "  -h, --help              this help\n\n"
        "exit status: 0 passed; 1 the --fail-on gate failed; 2 bad command line or input file;\n"
        "3 the snapshot's collection was incomplete (unless --allow-partial); 4 could not write a report.\n");
}

typedef struct evaluate_cmd {
    reportopts ro;
    bool quiet;
} evaluate_cmd;

static int take(void *ud, int opt, const char *arg, ia_err *err)
{
    evaluate_cmd *c = ud;

    if (opt == 'q') {
        c->quiet = true;
        return 1;
    }
    return reportopts_take(&c->ro, opt, arg, err);
}

int cmd_evaluate(int argc, char **argv)
{
    static const struct option longopts[] = {
        REPORTOPTS_LONG_OPTIONS,
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *snapshot = NULL;
    evaluate_cmd c = {0};
    reportopts *ro = &c.ro;
    ia_err err;
    int rc;

    err_clear(&err);
    if (reportopts_init(ro, argc, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_parse_options(CMD, argc, argv, ":hq", longopts, take, &c, usage);
    if (rc >= 0)
        goto out;
    if (optind < argc)
        snapshot = argv[optind++];
    if (!snapshot) {
        rc = cli_usage_error(CMD, "which snapshot? (imgaudit evaluate SNAPSHOT)");
        goto out;
    }
    if (optind < argc) {
        rc = cli_usage_error(CMD, "one snapshot at a time ('%s' and '%s')", snapshot, argv[optind]);
        goto out;
    }
    if (reportopts_check(ro, &err) != 0) {
        rc = cli_usage_error(CMD, "%s", err.msg);
        goto out;
    }
    if (reportopts_load(ro, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    cancel_install_handlers();
    rc = reportopts_judge(ro, snapshot, NULL, c.quiet);
out:
    reportopts_clean_up(ro);
    return rc;
}
