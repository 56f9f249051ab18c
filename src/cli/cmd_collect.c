/* `imgaudit collect`: gathers images, permissions and image builders into a snapshot file. */
#include "cli/commands.h"

#include <stddef.h>

#include "cli/cli.h"
#include "cli/collectopts.h"
#include "cli/paths.h"
#include "cli/run_collect.h"
#include "util/cancel.h"
#include "util/log.h"

typedef struct collect_cmd {
    collectopts co;
    const char *output;
} collect_cmd;

static int set_shard(void *obj, const char *value, ia_err *err)
{
    return collectopts_set_shard(&((collect_cmd *)obj)->co, value, err);
}

static const cli_opt collect_options[] = {
    {"output", 'o', "FILE", CLI_STRING(collect_cmd, output), 0,
     "where the snapshot goes, written whole or not at all, mode 0666 less\nthe umask (default '-': stdout)"},
    {0},
};

static const cli_opt collect_shard_options[] = {
    {"shard", 0, "K/N", CLI_CALL(set_shard), 0,
     "only the accounts whose id hashes to K of N shards (0 <= K < N <= 1000),\n"
     "for N jobs that split them ('imgaudit merge' joins the snapshots);\n"
     "auto/N: K is JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX"},
    {0},
};

static const cli_group collect_groups[] = {
    {"options", collect_options, 0},
    {NULL, collectopts_options, offsetof(collect_cmd, co)},
    {NULL, collect_shard_options, 0}, /* after what chooses the accounts: a share of those */
    {NULL, awsopts_options, offsetof(collect_cmd, co.aws)},
    {NULL, cli_help_options, 0},
    {0},
};

static int run(int argc, char **argv)
{
    collect_cmd c = {.output = "-"};
    cli_paths outputs = {0}, inputs = {0};
    snapshot snap;
    ia_err err;
    int rc;

    collectopts_init(&c.co);
    snapshot_init(&snap);
    err_clear(&err);
    rc = cli_parse(&cmd_collect, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (collectopts_check(&c.co, &err) != 0 || cli_paths_add(&outputs, "--output", c.output, &err) != 0 ||
        cli_paths_add(&inputs, "--accounts", c.co.accounts_file, &err) != 0 ||
        cli_paths_check(&outputs, &inputs, &err) != 0) {
        rc = cli_fail_in(cmd_collect.name, &err);
        goto out;
    }
    if (collectopts_load(&c.co, &err) != 0) {
        rc = cli_exit_for(&err);
        goto out;
    }
    cancel_install_handlers();
    if (run_collect(&c.co, &snap, &err) != 0 || snapshot_write(&snap, c.output, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    run_collect_summary(&snap, c.co.aws.quiet, c.output);
    rc = snap.n_errors ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
    /* Quiet: the summary's news in one line when the run does not pass. */
    if (rc == CLI_EXIT_INCOMPLETE && c.co.aws.quiet)
        log_line("imgaudit: INCOMPLETE: the collection is incomplete (%zu error%s, in the snapshot's errors)",
                 snap.n_errors, snap.n_errors == 1 ? "" : "s");
out:
    cli_paths_free(&outputs);
    cli_paths_free(&inputs);
    collectopts_clean_up(&c.co);
    snapshot_clean_up(&snap);
    return rc;
}

const cli_command cmd_collect = {
    .name = "collect",
    .summary = "gather images, permissions and image builders into a snapshot",
    .synopsis = "[options]",
    .description = "Gathers every WorkSpaces image (owned and shared) with its sharing permissions, and the\n"
                   "AppStream 2.0 image builders and images (private and shared, with permissions), across\n"
                   "accounts and regions, into one snapshot file (docs/snapshot.md).\n",
    .groups = collect_groups,
    .exit_status = "exit status: 0 complete; 3 collection incomplete (see the snapshot's errors);\n"
                   "2 bad usage or accounts file; 4 could not run (credentials, network); 130 interrupted.\n",
    .run = run,
};
