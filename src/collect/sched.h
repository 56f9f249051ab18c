#ifndef IMGAUDIT_COLLECT_SCHED_H
#define IMGAUDIT_COLLECT_SCHED_H

/*
 * The collector's scheduler: which request goes next, so that every worker
 * is busy while any lane has work it may send now.
 *
 * A lane is (service, region, account), the scope of AWS's own API rate
 * limits. Each lane has a queue of items (one request each: a page, a
 * permissions read, an AssumeRole) and a rate: the next item may start
 * 1/rate seconds after the one before. Lanes with queued items sit in a heap
 * ordered by their next free slot, so a worker takes the lane whose slot
 * comes first and never sleeps on one lane while another is ready. Items
 * pushed with a delay (a retry's backoff) wait in a timer heap, not in a
 * worker.
 *
 * Rates adapt, additive increase and multiplicative decrease as the SDKs'
 * adaptive mode: a throttle cuts a rate by 30% (from the rate requests were
 * actually sent at, when that is lower), an answer raises it a little. A
 * family is (service, region): a new lane follows its family's rate, and the
 * first throttle of such a lane cuts the family's rate at once for all of
 * them, so that 500 accounts learn AWS's limit once, not 500 times, and
 * mostly before they reach it. After its own first throttle (or after many
 * answers: a big account) a lane goes its own way: a lane that keeps
 * throttling slows only itself. A rate is cut at most once per
 * burst's worth of requests sent at it: throttles of requests sent before
 * that are the old rate's debt. Each lane paces itself with a token bucket, as AWS
 * limits it: a burst (2 to start with), then one request per 1/rate. A
 * family starts at 2 requests/s (these Describe calls are limited to a few
 * per second per account and region) and climbs by one request/s per round
 * of its lanes while none of them has been throttled. Only answers to
 * requests sent past a burst raise a rate: a burst proves nothing about it.
 *
 * Thread-safe. Times are seconds on the clock given in the options.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

typedef struct sched sched;
typedef struct sched_lane sched_lane;

/*
 * The scheduler's part of a caller's work item: embed it in the item and
 * recover the item from it. Its members are the scheduler's own while the
 * item is queued or handed out.
 */
typedef struct sched_item {
    struct sched_item *next;
    sched_lane *lane;
    double due;     /* when a delayed item may be queued */
    double sent_at; /* when it was handed out */
    bool own;       /* sent at its lane's own rate, not its family's */
    bool paced;     /* sent on the rate, past the burst: its answer says the rate holds */
} sched_item;

typedef enum sched_outcome {
    SCHED_OK = 0,    /* answered */
    SCHED_THROTTLED, /* answered with a throttling error: the lane slows */
    SCHED_FAILED     /* any other failure: the rate stays */
} sched_outcome;

typedef struct sched_options {
    double start_rps; /* a family's first rate; 0: 2 */
    double min_rps;   /* floor; 0: 0.5 */
    double max_rps;   /* ceiling; 0: 200 */
    /* The clock, for tests; NULL: CLOCK_MONOTONIC. */
    double (*clock)(void *ud);
    void *clock_ud;
} sched_options;

/* Counters for the progress line. */
typedef struct sched_stats {
    size_t lanes;     /* lanes made */
    size_t queued;    /* items waiting for a slot or a delay */
    size_t running;   /* items handed out and not done */
    size_t throttles; /* SCHED_THROTTLED outcomes */
    size_t cuts;      /* rate cuts made (lanes and families) */
} sched_stats;

/* Makes a scheduler (owned: sched_free). */
int sched_new(sched **out, const sched_options *opt, ia_err *err);

/* Frees it and its lanes; items still queued are the caller's (not freed). Accepts NULL. */
void sched_free(sched *s);

/*
 * Queues item on the lane (service, region, account; account may be NULL),
 * made on first use, to be handed out once delay_s has passed and the lane
 * has a slot. The strings are copied. IA_ERR_NOMEM when no lane can be made.
 */
int sched_push(sched *s, const char *service, const char *region, const char *account, sched_item *item,
               double delay_s, ia_err *err);

/*
 * Hands out the next item whose lane has a free slot now, waiting until one
 * has: NULL when nothing is queued, delayed or running (all done), after
 * sched_stop, or once SIGINT/SIGTERM was caught (util/cancel.h).
 */
sched_item *sched_next(sched *s);

/*
 * Without waiting: the item that sched_next would hand out now, or NULL with
 * *wait_s the seconds until one may be (-1 when none is queued or delayed).
 */
sched_item *sched_try_next(sched *s, double *wait_s);

/*
 * Tells how the item handed out ended. Push its follow-ups (the next page, a
 * retry) before this call, so that the scheduler never sees a moment with
 * nothing left while there is more. The item is the caller's again.
 */
void sched_done(sched *s, sched_item *item, sched_outcome outcome);

/*
 * sched_done, then the same item queued again on its lane in one step (no
 * moment with nothing left): after delay_s (a retry's backoff; it then goes
 * first in its lane), or at once at the lane's end (0: the next page).
 * IA_ERR_NOMEM when it cannot be queued (the item is then the caller's).
 */
int sched_again(sched *s, sched_item *item, sched_outcome outcome, double delay_s, ia_err *err);

/* Takes one item still queued or delayed out of the scheduler, for freeing after a stop; NULL when none. */
sched_item *sched_drain(sched *s);

/* Makes every sched_next return NULL. */
void sched_stop(sched *s);

/* Current counters. */
void sched_stats_get(sched *s, sched_stats *out);

/* The rate a lane's next item would be sent at (tests, logs); 0 when the lane does not exist. */
double sched_lane_rate(sched *s, const char *service, const char *region, const char *account);

#endif
