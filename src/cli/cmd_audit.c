/*
 * `imgaudit audit`: collect and evaluate in one run, as a nightly job or a CI
 * pipeline runs it. Rules and waivers are loaded first, so a typo in them
 * costs seconds, not a whole collection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/collectopts.h"
#include "cli/commands.h"
#include "cli/reportopts.h"
#include "util/cancel.h"

#define CMD "audit"

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: imgaudit audit [options]\n\n"
            "Collects (as 'imgaudit collect') and evaluates (as 'imgaudit evaluate') in one run.\n\n"
            "collection:\n" COLLECTOPTS_HELP
            "  --snapshot-out FILE     keep the snapshot (docs/snapshot.md)\n\n"
            "evaluation and reports:\n" REPORTOPTS_HELP "\nAWS:\n" AWSOPTS_HELP
            "  -h, --help              this help\n\n"
            "exit status: 0 passed; 1 the --fail-on gate failed; 2 bad command line or input file;\n"
            "3 collection incomplete (unless --allow-partial); 4 could not run (credentials, network, I/O);\n"
            "130 interrupted. A failed gate (1) is reported before an incomplete collection (3).\n");
}

/* The snapshot goes to --snapshot-out, or to a private temporary file that is removed afterwards. */
static int snapshot_path(const char *snapshot_out, char *tmp, size_t size, ia_err *err)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    if (snapshot_out) {
        snprintf(tmp, size, "%s", snapshot_out);
        return 0;
    }
    snprintf(tmp, size, "%s/imgaudit-snapshot-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(tmp);
    if (fd < 0)
        return err_set(err, IA_ERR_IO, "%s: cannot create a temporary snapshot", tmp);
    close(fd);
    return 0;
}

typedef struct audit_cmd {
    collectopts co;
    reportopts ro;
    const char *snapshot_out;
} audit_cmd;

static int take(void *ud, int opt, const char *arg, ia_err *err)
{
    audit_cmd *c = ud;
    int rc;

    if (opt == 's') {
        c->snapshot_out = arg;
        return 1;
    }
    rc = reportopts_take(&c->ro, opt, arg, err);
    return rc != 0 ? rc : collectopts_take(&c->co, opt, arg, err);
}

int cmd_audit(int argc, char **argv)
{
    static const struct option longopts[] = {
        AWSOPTS_LONG_OPTIONS,
        COLLECTOPTS_LONG_OPTIONS,
        REPORTOPTS_LONG_OPTIONS,
        {"snapshot-out", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    audit_cmd c = {0};
    collectopts *co = &c.co;
    reportopts *ro = &c.ro;
    const char *snapshot_out;
    char path[4096] = "";
    bool temporary = false, quiet;
    ia_err err;
    int rc;

    collectopts_init(co);
    err_clear(&err);
    if (reportopts_init(ro, argc, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_parse_options(CMD, argc, argv, ":h", longopts, take, &c, usage);
    if (rc >= 0)
        goto out;
    snapshot_out = c.snapshot_out;
    if (optind < argc) {
        rc = cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (collectopts_check(co, &err) != 0 || reportopts_check(ro, &err) != 0) {
        rc = cli_usage_error(CMD, "%s", err.msg);
        goto out;
    }
    if (snapshot_out && strcmp(snapshot_out, "-") == 0) {
        rc = cli_usage_error(CMD, "--snapshot-out needs a file (stdout is for a report)");
        goto out;
    }
    if (reportopts_load(ro, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    cancel_install_handlers();
    if (collectopts_run(co, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (snapshot_path(snapshot_out, path, sizeof(path), &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    temporary = !snapshot_out;
    if (collectopts_write(co, path, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    /* The collection is on disk now; give its memory back before evaluation reads it. */
    quiet = co->aws.quiet;
    collectopts_summary(co, snapshot_out ? snapshot_out : "a temporary file");
    collectopts_clean_up(co);
    collectopts_init(co);
    rc = reportopts_judge(ro, path, snapshot_out, quiet);
out:
    if (temporary)
        unlink(path);
    reportopts_clean_up(ro);
    collectopts_clean_up(co);
    return rc;
}
