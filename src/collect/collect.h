#ifndef IMGAUDIT_COLLECT_COLLECT_H
#define IMGAUDIT_COLLECT_COLLECT_H

/*
 * The collection run: every account x region x listing, fanned out over a
 * bounded pool of worker threads that share one client (one connection
 * pool). Per account: assume its role (once; the provider refreshes it),
 * then per region: WorkSpaces images OWNED and SHARED, AppStream image
 * builders, AppStream images PRIVATE and SHARED; then per owned or private
 * image its permissions. Every page of every listing is followed. A failure
 * is recorded in the snapshot's errors and the rest goes on.
 */

#include <stdbool.h>
#include <stddef.h>

#include "aws/client.h"
#include "aws/creds.h"
#include "snapshot/write.h"
#include "collect/targets.h"

/* Progress on stderr: a live line redrawn on a terminal, or a log line now and then (cron, CI, a file). */
typedef enum collect_progress {
    COLLECT_PROGRESS_NONE = 0,
    COLLECT_PROGRESS_LIVE, /* redrawn four times a second, cleared at the end */
    COLLECT_PROGRESS_LINES /* a log line every progress_interval_s */
} collect_progress;

typedef struct collect_options {
    const char *const *regions; /* the run's regions (an account's own list overrides) */
    size_t n_regions;
    const collect_targets *targets; /* accounts to reach */
    const char *role_name;          /* --role-name: role to assume where an account names none, or NULL */
    const char *external_id;        /* --external-id, or NULL */
    const char *session_name;       /* --session-name; NULL: "imgaudit" */
    const char *sts_region;         /* region for AssumeRole */
    int concurrency;                /* worker threads; >= 1 */
    collect_progress progress;      /* what stderr shows while the run goes on */
    int progress_interval_s;        /* COLLECT_PROGRESS_LINES: seconds between lines; >= 1 */
    double deadline;                /* collect_clock_s() at which the run stops; 0: none */
} collect_options;

/* Seconds on CLOCK_MONOTONIC, the clock of collect_options.deadline. */
double collect_clock_s(void);

/*
 * Runs the collection into snap (which holds the caller identity and
 * partition already). base is the caller's credentials. Returns 0 when the
 * run finished (errors, if any, are in snap->errors), -1 with err when it
 * could not run or was cancelled (IA_ERR_CANCELLED). At opt->deadline the
 * requests in flight are stopped and the run ends: every account, listing
 * and permissions read not finished by then is an error in snap ("deadline
 * reached"), and the run counts as finished (0). The client cannot be used
 * for requests after a run that reached its deadline.
 */
int collect_run(aws_client *client, creds_provider *base, const collect_options *opt, snapshot *snap,
                ia_err *err);

#endif
