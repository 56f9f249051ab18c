#ifndef IMGAUDIT_CLI_RUN_COLLECT_H
#define IMGAUDIT_CLI_RUN_COLLECT_H

/*
 * The collection stage of `collect` and `audit`, what curl calls operate():
 * open the AWS session, learn who the caller is, decide the accounts and
 * regions, collect.
 */

#include <stdbool.h>

#include "cli/collectopts.h"
#include "snapshot/write.h"
#include "util/err.h"

/*
 * Collects what co describes into snap (snapshot_init'ed by the caller, who
 * keeps it: snapshot_clean_up). The session is opened and closed here.
 * What could not be read is in snap's errors, not a failure; -1 with err
 * when the run cannot start (no credentials, no region) or was interrupted.
 * The accounts collectopts_load read are taken (co->accounts is left empty).
 */
int run_collect(collectopts *co, snapshot *snap, ia_err *err);

/* One line on stderr, unless quiet: what was collected, what failed, where it went (path; "-": stdout). */
void run_collect_summary(const snapshot *snap, bool quiet, const char *path);

#endif
