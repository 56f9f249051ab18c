#ifndef IMGAUDIT_CLI_COLLECTOPTS_H
#define IMGAUDIT_CLI_COLLECTOPTS_H

/*
 * The options of a collection, shared by `collect` and `audit`: which
 * accounts, how to reach them, which regions, how fast. The run itself is
 * run_collect.h.
 */

#include <stdbool.h>

#include "cli/awsopts.h"
#include "cli/opt.h"
#include "collect/targets.h"
#include "util/err.h"

typedef struct collectopts {
    awsopts aws;               /* its options are a group of their own (awsopts_options) */
    const char *accounts_file; /* the strings are borrowed from argv */
    bool org;
    cli_list org_units; /* --org-unit, repeatable: OU or root ids (owned array, strings borrowed from argv) */
    const char *role_name;
    const char *external_id;
    const char *session_name;
    cli_list regions; /* --regions, repeatable: each a checked comma-separated list, or "all" (owned array) */
    const char *exclude; /* --exclude-accounts, comma-separated */
    int concurrency;
    long deadline_s; /* --deadline; 0: none */
    bool no_progress;
    unsigned shard_index, shard_count; /* --shard K/N (collect only); shard_count 0: every account */
    collect_targets accounts;          /* owned; the --accounts file, read by collectopts_load */
} collectopts;

/* The options, storing into a collectopts (not its aws: awsopts_options does that). */
extern const cli_opt collectopts_options[];

/* Sets the defaults. */
void collectopts_init(collectopts *co);

/*
 * --shard K/N or auto/N (docs/sharding.md): 0 <= K < N <= SNAPSHOT_SHARD_MAX;
 * auto takes K from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), else
 * AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job). IA_ERR_USAGE naming
 * what is wrong (the variable, for auto).
 */
int collectopts_set_shard(collectopts *co, const char *spec, ia_err *err);

/* Checks the options fit together (IA_ERR_USAGE). */
int collectopts_check(const collectopts *co, ia_err *err);

/*
 * Reads the --accounts file, if one is given, into co->accounts: before
 * anything is asked of AWS, so that a bad file costs no call. Every problem
 * is printed on stderr (targets_load_file); -1 with the first in err,
 * already printed.
 */
int collectopts_load(collectopts *co, ia_err *err);

/* Frees what collectopts_load read, and the lists of repeatable options. */
void collectopts_clean_up(collectopts *co);

#endif
