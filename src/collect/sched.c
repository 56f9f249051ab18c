#include "collect/sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cancel.h"
#include "util/log.h"
#include "util/str.h"

/* Multiplicative decrease on a throttle, as the SDKs' adaptive mode (CUBIC's beta). */
#define DECREASE 0.7
/*
 * Additive increase per answered request: fast while a family has never been
 * throttled (nothing is known of its limit), slow once it has (the limit is
 * near, and a throttle costs a retry). A family's rate is shared by its
 * lanes, so it grows by this much per round of them, not per request.
 */
#define INCREASE_UNKNOWN 1.0
#define INCREASE_NEAR    0.05
/* A lane's burst: what AWS's buckets allow these calls at the least (a bucket of 1 costs a lane one
 * throttle). */
#define START_BURST 2.0
/* While a family climbs, each round of paced answers multiplies its rate by this (at least +1 request/s). */
#define CLIMB 1.5
/* A lane that has had this many answers at its family's rate goes its own way: a big account climbs alone. */
#define GRADUATE_AFTER 50
/* Weight of the newest gap in a lane's average time between requests. */
#define GAP_WEIGHT 0.3
/* How long a waiting worker sleeps at most before it looks for a signal. */
#define WAKE_S 0.1

/* A bucket this close to a whole token has one: floating point must not leave a slot a rounding error away.
 */
#define TOKEN_EPS 1e-9

/*
 * A lane's bucket fills a little slower than its rate: AWS's bucket counts from when requests arrive, ours
 * from when they leave, and the network's jitter between the two must not cost a throttle at the limit.
 */
#define PACE_MARGIN 0.95

#define KEY_MAX      96
#define FIRST_SLOTS  256u
#define MAX_LANES    (1u << 21)
#define FIRST_TIMERS 64u

typedef struct family {
    char key[KEY_MAX]; /* "service/region" */
    double rps;
    double burst;   /* requests a lane may send at once after a pause, as AWS's token buckets allow */
    double calm_at; /* a throttle of a request sent before this is the last cut's debt, not news */
    bool throttled; /* ever */
    size_t n_lanes;
    size_t n_busy;           /* its lanes with queued items: a round is an answer from each */
    double prev_rps;         /* the rate before its last step up: a whole round went through at it */
    size_t answers_in_round; /* paced answers since its last step up */
} family;

struct sched_lane {
    char key[KEY_MAX]; /* "service/region/account" */
    family *fam;
    bool own;            /* throttled itself, or grown up: its rate is its own */
    unsigned answered;   /* answers at its family's rate */
    unsigned since_full; /* requests since its bucket was last full */
    double rps;
    double calm_at;   /* as its family's, for its own rate */
    double tokens;    /* its own token bucket, mirroring AWS's: requests it may send now */
    double filled_at; /* when tokens was last brought up to date */
    double next_free; /* when its next item may be handed out: when tokens reach 1 */
    double last_sent; /* when its last item was, 0 for never */
    double gap;       /* average time between its items, 0 until known */
    sched_item *head, *tail;
    size_t heap_pos; /* index in the ready heap + 1; 0 when not there */
};

/* Strings to pointers, open addressing, doubling at 3/4. */
typedef struct table {
    void **slots;
    size_t n_slots, n;
} table;

struct sched {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    sched_options opt;
    table lanes, families;
    sched_lane **ready; /* min-heap on next_free */
    size_t n_ready, cap_ready;
    sched_item **timers; /* min-heap on due */
    size_t n_timers, cap_timers;
    size_t queued, running, throttles, cuts;
    bool stopped;
};

/* ---- time ---- */

static double mono_now(void *ud)
{
    struct timespec ts;

    (void)ud;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_of(const sched *s)
{
    return s->opt.clock(s->opt.clock_ud);
}

/* ---- the tables ---- */

/* Every entry starts with its key (family and sched_lane both do). */
static void **probe(void **slots, size_t n_slots, const char *key)
{
    size_t i = (size_t)str_hash(key) & (n_slots - 1);

    while (slots[i] && strcmp((const char *)slots[i], key) != 0)
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

static void *table_find(const table *t, const char *key)
{
    return t->n_slots ? *probe(t->slots, t->n_slots, key) : NULL;
}

/* Adds entry (not there yet). False when memory runs out or the table is at its ceiling. */
static bool table_add(table *t, void *entry)
{
    if ((t->n + 1) * 4 > t->n_slots * 3) {
        size_t n = t->n_slots ? t->n_slots * 2 : FIRST_SLOTS;
        void **slots;

        if (n > MAX_LANES * 2)
            return false;
        slots = calloc(n, sizeof(*slots));
        if (!slots)
            return false;
        for (size_t i = 0; i < t->n_slots; i++) {
            if (t->slots[i])
                *probe(slots, n, (const char *)t->slots[i]) = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = n;
    }
    *probe(t->slots, t->n_slots, (const char *)entry) = entry;
    t->n++;
    return true;
}

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n_slots; i++)
        free(t->slots[i]);
    free(t->slots);
}

/* ---- the heaps ---- */

static bool lane_before(const sched_lane *a, const sched_lane *b)
{
    return a->next_free < b->next_free;
}

static void ready_swap(sched *s, size_t i, size_t j)
{
    sched_lane *t = s->ready[i];

    s->ready[i] = s->ready[j];
    s->ready[j] = t;
    s->ready[i]->heap_pos = i + 1;
    s->ready[j]->heap_pos = j + 1;
}

static void ready_up(sched *s, size_t i)
{
    while (i > 0 && lane_before(s->ready[i], s->ready[(i - 1) / 2])) {
        ready_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void ready_down(sched *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < s->n_ready && lane_before(s->ready[l], s->ready[m]))
            m = l;
        if (r < s->n_ready && lane_before(s->ready[r], s->ready[m]))
            m = r;
        if (m == i)
            return;
        ready_swap(s, i, m);
        i = m;
    }
}

static int ready_insert(sched *s, sched_lane *lane)
{
    if (s->n_ready == s->cap_ready) {
        size_t cap = s->cap_ready ? s->cap_ready * 2 : FIRST_SLOTS;
        sched_lane **grown = realloc(s->ready, cap * sizeof(*grown));

        if (!grown)
            return -1;
        s->ready = grown;
        s->cap_ready = cap;
    }
    s->ready[s->n_ready] = lane;
    lane->heap_pos = ++s->n_ready;
    ready_up(s, s->n_ready - 1);
    return 0;
}

static void ready_remove_top(sched *s)
{
    s->ready[0]->heap_pos = 0;
    s->ready[0] = s->ready[--s->n_ready];
    if (s->n_ready) {
        s->ready[0]->heap_pos = 1;
        ready_down(s, 0);
    }
}

static void timer_up(sched *s, size_t i)
{
    while (i > 0 && s->timers[i]->due < s->timers[(i - 1) / 2]->due) {
        sched_item *t = s->timers[i];

        s->timers[i] = s->timers[(i - 1) / 2];
        s->timers[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static void timer_down(sched *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        sched_item *t;

        if (l < s->n_timers && s->timers[l]->due < s->timers[m]->due)
            m = l;
        if (r < s->n_timers && s->timers[r]->due < s->timers[m]->due)
            m = r;
        if (m == i)
            return;
        t = s->timers[i];
        s->timers[i] = s->timers[m];
        s->timers[m] = t;
        i = m;
    }
}

static int timer_insert(sched *s, sched_item *item)
{
    if (s->n_timers == s->cap_timers) {
        size_t cap = s->cap_timers ? s->cap_timers * 2 : FIRST_TIMERS;
        sched_item **grown = realloc(s->timers, cap * sizeof(*grown));

        if (!grown)
            return -1;
        s->timers = grown;
        s->cap_timers = cap;
    }
    s->timers[s->n_timers++] = item;
    timer_up(s, s->n_timers - 1);
    return 0;
}

/* ---- lanes ---- */

static double lane_rate(const sched_lane *lane)
{
    return lane->own ? lane->rps : lane->fam->rps;
}

/* Brings the lane's bucket up to now: its rate's worth of tokens since it was last filled, up to the burst.
 */
static void refill(sched_lane *lane, double now)
{
    if (now > lane->filled_at) {
        lane->tokens += (now - lane->filled_at) * lane_rate(lane) * PACE_MARGIN;
        lane->filled_at = now;
    }
    /* A bucket that would hold more than its burst was idle: what comes next is a burst again. */
    if (lane->tokens > lane->fam->burst + TOKEN_EPS)
        lane->since_full = 0;
    if (lane->tokens > lane->fam->burst)
        lane->tokens = lane->fam->burst;
}

/* A bucket this close to a whole token has one: floating point must not leave a slot a rounding error away.
 */
#define TOKEN_EPS 1e-9

/* When the lane's bucket next holds a whole token. */
static double slot_after(const sched_lane *lane, double now)
{
    return lane->tokens >= 1 - TOKEN_EPS ? now : now + (1 - lane->tokens) / (lane_rate(lane) * PACE_MARGIN);
}

static family *family_get(sched *s, const char *service, const char *region)
{
    char key[KEY_MAX];
    family *f;

    snprintf(key, sizeof(key), "%s/%s", service, region);
    f = table_find(&s->families, key);
    if (f)
        return f;
    f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    str_copy(f->key, sizeof(f->key), key);
    f->rps = s->opt.start_rps;
    f->prev_rps = s->opt.start_rps;
    f->burst = START_BURST;
    if (!table_add(&s->families, f)) {
        free(f);
        return NULL;
    }
    return f;
}

static sched_lane *lane_get(sched *s, const char *service, const char *region, const char *account)
{
    char key[KEY_MAX];
    sched_lane *lane;
    family *f;

    snprintf(key, sizeof(key), "%s/%s/%s", service, region, account ? account : "");
    lane = table_find(&s->lanes, key);
    if (lane)
        return lane;
    f = family_get(s, service, region);
    lane = f ? calloc(1, sizeof(*lane)) : NULL;
    if (!lane)
        return NULL;
    str_copy(lane->key, sizeof(lane->key), key);
    lane->fam = f;
    lane->tokens = f->burst;
    lane->filled_at = now_of(s);
    if (!table_add(&s->lanes, lane)) {
        free(lane);
        return NULL;
    }
    f->n_lanes++;
    return lane;
}

/* Puts item at the lane's end (or, for a retry that has waited its turn, at its front) and the lane in the
 * heap. */
static int enqueue(sched *s, sched_item *item, bool front)
{
    sched_lane *lane = item->lane;

    if (!lane->heap_pos && ready_insert(s, lane) != 0)
        return -1;
    if (!lane->head)
        lane->fam->n_busy++;
    if (front) {
        item->next = lane->head;
        lane->head = item;
        if (!lane->tail)
            lane->tail = item;
    } else {
        item->next = NULL;
        if (lane->tail)
            lane->tail->next = item;
        else
            lane->head = item;
        lane->tail = item;
    }
    return 0;
}

/* Moves delayed items whose time has come into their lanes. */
static void release_timers(sched *s, double now)
{
    while (s->n_timers && s->timers[0]->due <= now) {
        sched_item *item = s->timers[0];

        s->timers[0] = s->timers[--s->n_timers];
        timer_down(s, 0);
        /* A lane already in the heap needs no room; one that is not may fail to get it: then the item
         * waits a little longer as a timer (the heap had room for it before). */
        if (enqueue(s, item, true) != 0) {
            item->due = now + WAKE_S;
            timer_insert(s, item);
            return;
        }
    }
}

/* ---- the interface ---- */

int sched_new(sched **out, const sched_options *opt, ia_err *err)
{
    sched *s = calloc(1, sizeof(*s));
    pthread_condattr_t attr;

    *out = NULL;
    if (!s)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    s->opt = *opt;
    if (s->opt.start_rps <= 0)
        s->opt.start_rps = 2;
    if (s->opt.min_rps <= 0)
        s->opt.min_rps = 0.5;
    if (s->opt.max_rps <= 0)
        s->opt.max_rps = 200;
    if (!s->opt.clock)
        s->opt.clock = mono_now;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    *out = s;
    return 0;
}

void sched_free(sched *s)
{
    if (!s)
        return;
    table_free(&s->lanes);
    table_free(&s->families);
    free(s->ready);
    free(s->timers);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Queues item (its lane set) now or after delay_s; the lock is held. */
static int queue(sched *s, sched_item *item, double delay_s, ia_err *err)
{
    int rc;

    if (delay_s > 0) {
        item->due = now_of(s) + delay_s;
        rc = timer_insert(s, item);
    } else {
        rc = enqueue(s, item, false);
    }
    if (rc != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    s->queued++;
    pthread_cond_signal(&s->wake);
    return 0;
}

int sched_push(sched *s, const char *service, const char *region, const char *account, sched_item *item,
               double delay_s, ia_err *err)
{
    int rc = -1;

    pthread_mutex_lock(&s->lock);
    item->lane = lane_get(s, service, region, account);
    if (item->lane)
        rc = queue(s, item, delay_s, err);
    else
        err_set(err, IA_ERR_NOMEM, "out of memory for the lane %s/%s/%s", service, region,
                account ? account : "");
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* Hands out the top lane's first item at now; the lock is held. */
static sched_item *take(sched *s, double now)
{
    sched_lane *lane = s->ready[0];
    sched_item *item = lane->head;

    lane->head = item->next;
    if (!lane->head) {
        lane->tail = NULL;
        lane->fam->n_busy--;
    }
    item->next = NULL;
    item->own = lane->own;
    item->sent_at = now;
    if (lane->last_sent > 0) {
        double gap = now - lane->last_sent;

        lane->gap = lane->gap > 0 ? (1 - GAP_WEIGHT) * lane->gap + GAP_WEIGHT * gap : gap;
    }
    lane->last_sent = now;
    refill(lane, now);
    lane->tokens -= 1;
    item->paced = ++lane->since_full > lane->fam->burst;
    lane->next_free = slot_after(lane, now);
    if (lane->head)
        ready_down(s, 0);
    else
        ready_remove_top(s);
    s->queued--;
    s->running++;
    return item;
}

static sched_item *try_next(sched *s, double now, double *wait_s)
{
    double when = -1;

    release_timers(s, now);
    while (s->n_ready && s->ready[0]->next_free <= now) {
        sched_lane *top = s->ready[0];

        /* Its slot was worked out at the rate then; a cut since may have moved it. */
        refill(top, now);
        if (top->tokens >= 1 - TOKEN_EPS)
            return take(s, now);
        top->next_free = slot_after(top, now);
        ready_down(s, 0);
    }
    if (s->n_ready)
        when = s->ready[0]->next_free;
    if (s->n_timers && (when < 0 || s->timers[0]->due < when))
        when = s->timers[0]->due;
    *wait_s = when < 0 ? -1 : when - now;
    return NULL;
}

sched_item *sched_try_next(sched *s, double *wait_s)
{
    sched_item *item;

    pthread_mutex_lock(&s->lock);
    item = try_next(s, now_of(s), wait_s);
    pthread_mutex_unlock(&s->lock);
    return item;
}

sched_item *sched_next(sched *s)
{
    sched_item *item = NULL;

    pthread_mutex_lock(&s->lock);
    while (!s->stopped && !cancel_requested() && (s->queued || s->running)) {
        double wait_s;
        struct timespec until;

        item = try_next(s, now_of(s), &wait_s);
        if (item)
            break;
        if (wait_s < 0 || wait_s > WAKE_S)
            wait_s = WAKE_S;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)(wait_s * 1e9) + 1;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return item;
}

/* The rate a throttle says to go down to: 30% below what the lane was really sent at. */
static double cut(const sched *s, const sched_lane *lane, double rate)
{
    double actual = lane->gap > 0 ? 1.0 / lane->gap : rate;
    double cut_to = DECREASE * (actual < rate ? actual : rate);

    return cut_to < s->opt.min_rps ? s->opt.min_rps : cut_to;
}

/*
 * When a rate just cut is news again: requests sent before then may still be throttled for what the bucket
 * owed at the old rate (a burst's worth, and one more), which says nothing about the new one.
 */
static double calm_after(double now, double burst, double rps)
{
    return now + (burst + 1) / rps;
}

static void throttled(sched *s, sched_lane *lane, const sched_item *item, double now)
{
    family *f = lane->fam;

    s->throttles++;
    if (!lane->own) {
        /* Its first throttle: the family learns (once per cut), the lane goes its own way. */
        if (!item->own && item->sent_at >= f->calm_at) {
            double to = cut(s, lane, f->rps);

            /* The first throttle ends the climb: back to the last rate a whole round went through at. */
            f->rps = !f->throttled && f->prev_rps < to ? f->prev_rps : to;
            f->calm_at = calm_after(now, f->burst, f->rps);
            s->cuts++;
            log_debug("rate: %s cut to %.2f requests/s for its accounts (throttled in %s)", f->key, f->rps,
                      lane->key);
        }
        f->throttled = true;
        lane->own = true;
        lane->rps = f->rps;
        lane->calm_at = f->calm_at;
    } else if (item->own && item->sent_at >= lane->calm_at) {
        lane->rps = cut(s, lane, lane->rps);
        lane->calm_at = calm_after(now, f->burst, lane->rps);
        s->cuts++;
        log_debug("rate: %s cut to %.2f requests/s", lane->key, lane->rps);
    }
    /* AWS says the bucket is empty: the next request waits for a whole token from now. */
    lane->tokens = 0;
    lane->filled_at = now;
    lane->next_free = slot_after(lane, now);
    if (lane->heap_pos)
        ready_down(s, lane->heap_pos - 1);
}

static void answered(sched *s, sched_lane *lane, const sched_item *item)
{
    family *f = lane->fam;
    double inc = f->throttled ? INCREASE_NEAR : INCREASE_UNKNOWN;

    if (!item->paced)
        inc = 0;
    if (lane->own && item->own) {
        lane->rps = lane->rps + inc > s->opt.max_rps ? s->opt.max_rps : lane->rps + inc;
    } else if (!lane->own && !item->own && item->sent_at >= f->calm_at) {
        /* Climbing: a step per round of the family's lanes. Near the limit: a little per answer. */
        if (!f->throttled && item->paced && ++f->answers_in_round >= (f->n_busy ? f->n_busy : 1)) {
            double up = f->rps * CLIMB > f->rps + inc ? f->rps * CLIMB : f->rps + inc;

            f->answers_in_round = 0;
            f->prev_rps = f->rps;
            f->rps = up > s->opt.max_rps ? s->opt.max_rps : up;
        } else if (f->throttled) {
            inc /= (double)(f->n_busy ? f->n_busy : 1);
            f->rps = f->rps + inc > s->opt.max_rps ? s->opt.max_rps : f->rps + inc;
        }
        if (++lane->answered >= GRADUATE_AFTER) {
            lane->own = true;
            lane->rps = f->rps;
            lane->calm_at = f->calm_at;
        }
    }
}

/* The lock is held. */
static void done(sched *s, sched_item *item, sched_outcome outcome)
{
    if (outcome == SCHED_THROTTLED)
        throttled(s, item->lane, item, now_of(s));
    else if (outcome == SCHED_OK)
        answered(s, item->lane, item);
    s->running--;
}

void sched_done(sched *s, sched_item *item, sched_outcome outcome)
{
    pthread_mutex_lock(&s->lock);
    done(s, item, outcome);
    if (!s->running && !s->queued)
        pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

int sched_again(sched *s, sched_item *item, sched_outcome outcome, double delay_s, ia_err *err)
{
    int rc;

    pthread_mutex_lock(&s->lock);
    done(s, item, outcome);
    rc = queue(s, item, delay_s, err);
    if (!s->running && !s->queued)
        pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

sched_item *sched_drain(sched *s)
{
    sched_item *item = NULL;

    pthread_mutex_lock(&s->lock);
    if (s->n_timers) {
        item = s->timers[--s->n_timers];
    } else if (s->n_ready) {
        sched_lane *lane = s->ready[0];

        item = lane->head;
        lane->head = item->next;
        if (!lane->head) {
            lane->tail = NULL;
            lane->fam->n_busy--;
            ready_remove_top(s);
        }
    }
    if (item)
        s->queued--;
    pthread_mutex_unlock(&s->lock);
    return item;
}

void sched_stop(sched *s)
{
    pthread_mutex_lock(&s->lock);
    s->stopped = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void sched_stats_get(sched *s, sched_stats *out)
{
    pthread_mutex_lock(&s->lock);
    out->lanes = s->lanes.n;
    out->queued = s->queued;
    out->running = s->running;
    out->throttles = s->throttles;
    out->cuts = s->cuts;
    pthread_mutex_unlock(&s->lock);
}

double sched_lane_rate(sched *s, const char *service, const char *region, const char *account)
{
    char key[KEY_MAX];
    const sched_lane *lane;
    double rate = 0;

    snprintf(key, sizeof(key), "%s/%s/%s", service, region, account ? account : "");
    pthread_mutex_lock(&s->lock);
    lane = table_find(&s->lanes, key);
    if (lane)
        rate = lane_rate(lane);
    pthread_mutex_unlock(&s->lock);
    return rate;
}
