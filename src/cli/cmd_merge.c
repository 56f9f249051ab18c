/*
 * `imgaudit merge SNAPSHOT... -o ALL`: joins snapshots collected apart (per
 * partition, per Organization, the shards of `collect --shard`) into one
 * that `evaluate` judges as a whole.
 */
#include "cli/commands.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/paths.h"
#include "snapshot/merge.h"
#include "util/cancel.h"
#include "util/log.h"

typedef struct merge_cmd {
    const char *output;
    bool quiet;
    cli_list parts; /* the operands */
} merge_cmd;

static const cli_opt merge_options[] = {
    {"output", 'o', "FILE", CLI_STRING(merge_cmd, output), 0,
     "where the merged snapshot goes, written whole or not at all, mode 0666\nless the umask (default '-': "
     "stdout)"},
    {"quiet", 'q', NULL, CLI_BOOL(merge_cmd, quiet), 0,
     "no summary (a missing shard is still warned of; an incomplete merge is\nsaid in one line)"},
    {NULL, 0, "SNAPSHOT", CLI_LIST(merge_cmd, parts), 0, "snapshots from 'imgaudit collect', one or more"},
    {0},
};

static const cli_group merge_groups[] = {
    {"options", merge_options, 0},
    {NULL, cli_help_options, 0},
    {0},
};

/* One line on stderr: what the merged snapshot holds and where it went. */
static void summary(const snapshot *snap, size_t n_parts, const char *path)
{
    bool to_stdout = strcmp(path, "-") == 0;

    log_line("imgaudit: merged %zu snapshot%s: %zu resources from %zu account%s in %zu region%s; %zu "
             "error%s%s; %s %s",
             n_parts, n_parts == 1 ? "" : "s", snap->n_resources, snap->n_accounts,
             snap->n_accounts == 1 ? "" : "s", snap->n_regions, snap->n_regions == 1 ? "" : "s",
             snap->n_errors, snap->n_errors == 1 ? "" : "s",
             snap->n_errors || snap->parts_incomplete ? " (collection incomplete)" : "",
             to_stdout ? "written to" : "wrote", to_stdout ? "stdout" : path);
}

static int run(int argc, char **argv)
{
    merge_cmd c = {.output = "-"};
    cli_paths outputs = {0}, inputs = {0};
    snapshot snap;
    ia_err err;
    int rc;

    snapshot_init(&snap);
    err_clear(&err);
    rc = cli_parse(&cmd_merge, &c, argc, argv);
    if (rc >= 0)
        goto out;
    if (c.parts.n == 0) {
        rc = cli_usage_error(cmd_merge.name, "which snapshots? (imgaudit merge SNAPSHOT... -o FILE)");
        goto out;
    }
    if (cli_paths_add(&outputs, "--output", c.output, &err) != 0)
        goto fail;
    for (size_t i = 0; i < c.parts.n; i++) {
        if (cli_paths_add(&inputs, "a snapshot to merge", c.parts.items[i], &err) != 0)
            goto fail;
    }
    if (cli_paths_check(&outputs, &inputs, &err) != 0)
        goto fail;
    cancel_install_handlers();
    if (snapshot_merge(c.parts.items, c.parts.n, &snap, &err) != 0 ||
        snapshot_write(&snap, c.output, &err) != 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (!c.quiet)
        summary(&snap, c.parts.n, c.output);
    rc = snap.n_errors || snap.parts_incomplete ? CLI_EXIT_INCOMPLETE : CLI_EXIT_OK;
    if (rc == CLI_EXIT_INCOMPLETE && c.quiet)
        log_line("imgaudit: INCOMPLETE: the merged collection is incomplete (%zu error%s%s)", snap.n_errors,
                 snap.n_errors == 1 ? "" : "s", snap.parts_incomplete ? "; a part was incomplete" : "");
    goto out;
fail:
    rc = cli_fail_in(cmd_merge.name, &err);
out:
    cli_paths_free(&outputs);
    cli_paths_free(&inputs);
    cli_list_free(&c.parts);
    snapshot_clean_up(&snap);
    return rc;
}

const cli_command cmd_merge = {
    .name = "merge",
    .summary = "join snapshots collected apart (partitions, Organizations, shards) into one",
    .synopsis = "SNAPSHOT... [options]",
    .description =
        "Joins snapshots collected apart (one per partition or Organization, or the N shards of\n"
        "'collect --shard K/N') into one that 'imgaudit evaluate' judges as a whole: resources,\n"
        "errors and accounts unioned and written in the collector's order; complete only if every\n"
        "part is. Parts that both collected one account in one region are refused. Shards missing\n"
        "from a split are warned of and recorded as errors (docs/sharding.md).\n",
    .groups = merge_groups,
    .exit_status =
        "exit status: 0 merged, complete; 3 merged, but a part was incomplete or a shard is missing;\n"
        "2 bad usage, or a snapshot that is malformed or overlaps another; 4 could not write;\n"
        "130 interrupted.\n",
    .run = run,
};
