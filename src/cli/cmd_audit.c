/*
 * `imgaudit audit`: collect and evaluate in one run, as a nightly job or a CI
 * pipeline runs it. Rules and waivers are loaded first, so a typo in them
 * costs seconds, not a whole collection.
 */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/collectopts.h"
#include "cli/reportopts.h"
#include "cli/run_collect.h"
#include "cli/run_judge.h"
#include "util/cancel.h"
#include "util/fileio.h"
#include "util/log.h"

typedef struct audit_cmd {
    collectopts co;
    reportopts ro;
    const char *snapshot_out;
} audit_cmd;

static const cli_opt audit_options[] = {
    {"snapshot-out", 0, "FILE", CLI_STRING(audit_cmd, snapshot_out), 0,
     "keep the snapshot (docs/snapshot.md)"},
    {0},
};

static const cli_group audit_groups[] = {
    {"collection", collectopts_options, offsetof(audit_cmd, co)},
    {NULL, audit_options, 0},
    {"evaluation and reports", reportopts_rule_options, offsetof(audit_cmd, ro)},
    {NULL, reportopts_pack_options, offsetof(audit_cmd, ro)},
    {NULL, reportopts_select_options, offsetof(audit_cmd, ro)},
    {NULL, reportopts_waiver_options, offsetof(audit_cmd, ro)},
    {NULL, reportopts_today_options, offsetof(audit_cmd, ro)},
    {NULL, reportopts_report_options, offsetof(audit_cmd, ro)},
    {"AWS", awsopts_options, offsetof(audit_cmd, co.aws)},
    {NULL, cli_help_options, 0},
    {0},
};

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

static int run(int argc, char **argv)
{
    const char *name = cmd_audit.name;
    audit_cmd c = {0};
    cli_paths outputs = {0}, inputs = {0};
    char path[4096] = "";
    bool temporary = false;
    int temp_slot = -1;
    snapshot snap;
    ia_err err;
    int rc;

    collectopts_init(&c.co);
    snapshot_init(&snap);
    reportopts_init(&c.ro);
    err_clear(&err);
    rc = cli_parse(&cmd_audit, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (collectopts_check(&c.co, &err) != 0 || reportopts_check(&c.ro, &err) != 0) {
        rc = cli_usage_error(name, "%s", err.msg);
        goto out;
    }
    if (c.snapshot_out && strcmp(c.snapshot_out, "-") == 0) {
        rc = cli_usage_error(name, "--snapshot-out needs a file (stdout is for a report)");
        goto out;
    }
    if (reportopts_paths(&c.ro, &outputs, &inputs, &err) != 0 ||
        cli_paths_add(&outputs, "--snapshot-out", c.snapshot_out, &err) != 0 ||
        cli_paths_add(&inputs, "--accounts", c.co.accounts_file, &err) != 0 ||
        cli_paths_check(&outputs, &inputs, &err) != 0) {
        rc = cli_fail_in(name, &err);
        goto out;
    }
    if (collectopts_load(&c.co, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    if (reportopts_load(&c.ro, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    cancel_install_handlers();
    if (run_collect(&c.co, &snap, &err) != 0 ||
        snapshot_path(c.snapshot_out, path, sizeof(path), &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    temporary = !c.snapshot_out;
    /* A stop may end the process from the signal handler (while the snapshot is parsed): it removes this too.
     */
    if (temporary)
        temp_slot = file_temp_register(path);
    /* --snapshot-out is an output like the reports; the temporary one stays private, as mkstemp made it. */
    if (snapshot_write_mode(&snap, path, temporary ? 0600 : 0666, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    run_collect_summary(&snap, c.co.aws.quiet, c.snapshot_out ? c.snapshot_out : "a temporary file");
    /* The collection is on disk now; give its memory back before evaluation reads it. */
    snapshot_clean_up(&snap);
    snapshot_init(&snap);
    rc = run_judge(&c.ro, path, c.snapshot_out, c.co.aws.quiet);
    /* An error may have named the snapshot: it stays where the error says it is, to be evaluated again. */
    if (temporary && (rc == CLI_EXIT_USAGE || rc == CLI_EXIT_RUNTIME)) {
        log_warn("the collected snapshot is kept at %s", path);
        temporary = false;
    }
out:
    cli_paths_free(&outputs);
    cli_paths_free(&inputs);
    file_temp_forget(temp_slot);
    if (temporary)
        unlink(path);
    snapshot_clean_up(&snap);
    collectopts_clean_up(&c.co);
    reportopts_clean_up(&c.ro);
    return rc;
}

const cli_command cmd_audit = {
    .name = "audit",
    .summary = "collect and evaluate in one run: reports and a CI exit status",
    .synopsis = "[options]",
    .description = "Collects (as 'imgaudit collect') and evaluates (as 'imgaudit evaluate') in one run.\n",
    .groups = audit_groups,
    .exit_status =
        "exit status: 0 passed; 1 the --fail-on gate failed; 2 bad command line or input file;\n"
        "3 collection incomplete (unless --allow-partial); 4 could not run (credentials, network, I/O);\n"
        "130 interrupted. A failed gate (1) is reported before an incomplete collection (3).\n",
    .run = run,
};
