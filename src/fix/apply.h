#ifndef IMGAUDIT_FIX_APPLY_H
#define IMGAUDIT_FIX_APPLY_H

/*
 * Carrying out a plan (`imgaudit fix apply`, docs/fix.md): for each action,
 * read the state it expects, make the call only while its precondition
 * still holds, and read again to see that it took. Each action that ends is
 * one line of the apply log, written and synced before the next is told, so
 * that a stop at any moment leaves a log that says what was done.
 *
 * Requests go through the collector's scheduler: one lane per service,
 * region and account, paced and slowed on throttling as AWS limits them;
 * failures are retried with the client's backoff. A call that changes
 * something is never sent again blindly: after a failure that may have
 * reached AWS the state is read first, so nothing is done twice.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aws/client.h"
#include "aws/creds.h"
#include "collect/targets.h"
#include "fix/fix.h"
#include "util/err.h"

typedef struct fix_apply_options {
    aws_client *client;
    creds_provider *base;           /* the caller's credentials */
    const char *caller_account;     /* the caller's own account, reached with base */
    const char *caller_arn;         /* for the log */
    const char *partition;          /* of the role ARNs made from role_name */
    const collect_targets *targets; /* --accounts: an account's role_arn and external_id; may be NULL */
    const char *role_name;          /* the role in the other accounts, or NULL */
    const char *external_id;        /* or NULL */
    const char *session_name;       /* or NULL: "imgaudit" */
    const char *sts_region;
    int concurrency; /* requests in flight at once, >= 1 */
    int log_fd;      /* the apply log, open for appending; -1: none */
    FILE *out;       /* a line per action as it ends; NULL: none */
} fix_apply_options;

typedef struct fix_apply_counts {
    size_t done;         /* changed now, and seen changed */
    size_t already_done; /* the precondition no longer held: nothing to do */
    size_t failed;       /* each named on stderr and in the log */
    size_t not_run;      /* not finished when the run was stopped: nothing logged, a re-run does them */
} fix_apply_counts;

/*
 * Whether every account p changes can be reached with opt: an --accounts
 * role_arn, the caller's own account, or role_name. IA_ERR_USAGE naming the
 * first account none reaches.
 */
int fix_apply_check_access(const fix_plan *p, const fix_apply_options *opt, ia_err *err);

/*
 * Carries out every action of p, counting each in *counts. 0 when every
 * action ended (some may have failed: counts->failed); -1 with err when the
 * run could not go on (IA_ERR_NOMEM, IA_ERR_IO: the log could not be
 * written) or was stopped by SIGINT/SIGTERM (IA_ERR_CANCELLED): no action
 * starts after a stop, a change already sent is waited for and logged.
 */
int fix_apply_run(const fix_plan *p, const fix_apply_options *opt, fix_apply_counts *counts, ia_err *err);

#endif
