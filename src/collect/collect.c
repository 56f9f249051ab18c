#include "collect/collect.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/retry.h"
#include "collect/listings.h"
#include "collect/sched.h"
#include "util/cancel.h"
#include "util/log.h"
#include "util/str.h"

/*
 * A listing, or an image's permissions, that still answers with a fresh
 * NextToken after this many pages is given up and recorded as an error. These
 * APIs page at 25 (DescribeImagePermissions at 500), so this is 25,000 images
 * of one kind in one account and region: WorkSpaces allows 40 images per
 * region unless raised, and thousands would be an extreme fleet. At AWS's rate
 * limits of a few requests a second it is a few minutes, not hours.
 */
#define MAX_PAGES 1000

/*
 * One request to make, and what it needs to go on: a listing or a
 * permissions read pages through its NextTokens one request at a time, each
 * handed out by the scheduler when its lane has a slot.
 */
typedef enum task_kind { TASK_ACCOUNT, TASK_LIST, TASK_PERMISSIONS } task_kind;

typedef struct task {
    sched_item item; /* first: the scheduler hands this out */
    task_kind kind;
    size_t account;     /* index into run.accounts */
    const char *region; /* borrowed from the account's region list; NULL for TASK_ACCOUNT */
    listing what;
    const snap_resource *resource; /* TASK_PERMISSIONS: the image */
    cJSON *data;                   /* TASK_PERMISSIONS: its data, owned by the snapshot, where they go */
    cJSON *request;                /* owned; the request being paged, NextToken set for the next page */
    cJSON *gathered;               /* owned; TASK_PERMISSIONS: the entries read so far */
    char *token;                   /* owned; the last NextToken, to catch one that repeats */
    int pages;
    int attempt; /* failed attempts at the current page */
} task;

typedef struct account_state {
    const collect_target *target;
    creds_provider *creds; /* the account's: owned when assumed, else the base provider */
    bool owns_creds;
    const char *role_arn; /* borrowed from target or role_arn_buf */
    char *role_arn_buf;   /* owned; built from --role-name */
    const char *const *regions;
    size_t n_regions;
    atomic_long outstanding; /* tasks not yet finished for this account */
} account_state;

typedef struct run {
    aws_client *client;
    creds_provider *base;
    const collect_options *opt;
    snapshot *snap;
    sched *sched;
    int max_attempts;
    long retry_base_ms;
    account_state *accounts;
    size_t n_accounts;
    atomic_long accounts_done;
    pthread_mutex_t lock; /* guards fatal and failed */
    ia_err fatal;         /* out of memory, say: stops the run */
    bool failed;
    atomic_bool deadline_hit; /* --deadline passed: what is not done is recorded as not read */
    atomic_long n_late;       /* what the deadline left unread, recorded (record_late) */
} run;

/* What became of one attempt: how the scheduler should count it, and whether the task goes on. */
typedef struct step {
    sched_outcome outcome;
    bool again;     /* the task has another request (the next page, or a retry) */
    double delay_s; /* before it: a retry's backoff */
} step;

static void fail_run(run *r, const ia_err *err)
{
    pthread_mutex_lock(&r->lock);
    if (!r->failed) {
        r->failed = true;
        r->fatal = *err;
    }
    pthread_mutex_unlock(&r->lock);
    sched_stop(r->sched);
}

static void fail_nomem(run *r)
{
    ia_err err;

    err_clear(&err);
    err_set(&err, IA_ERR_NOMEM, "out of memory");
    fail_run(r, &err);
}

/* ---- tasks ---- */

static void task_free(run *r, task *t)
{
    if (atomic_fetch_sub(&r->accounts[t->account].outstanding, 1) == 1)
        atomic_fetch_add(&r->accounts_done, 1);
    cJSON_Delete(t->request);
    cJSON_Delete(t->gathered);
    free(t->token);
    free(t);
}

/* Queues a new task on its lane: (service, region, account), AWS's own scope for rate limits. */
static void push(run *r, task_kind kind, size_t account, const char *region, listing what,
                 const snap_resource *res, cJSON *data)
{
    const aws_service *svc = kind == TASK_ACCOUNT ? &AWS_STS : listing_service(what);
    task *t = calloc(1, sizeof(*t));
    ia_err err;

    if (!t) {
        fail_nomem(r);
        return;
    }
    t->kind = kind;
    t->account = account;
    t->region = kind == TASK_ACCOUNT ? NULL : region;
    t->what = what;
    t->resource = res;
    t->data = data;
    atomic_fetch_add(&r->accounts[account].outstanding, 1);
    err_clear(&err);
    if (!region)
        region = r->opt->sts_region ? r->opt->sts_region : "";
    if (sched_push(r->sched, svc->id, region, r->accounts[account].target->id, &t->item, 0, &err) != 0) {
        task_free(r, t);
        fail_run(r, &err);
    }
}

/* ---- recording failures ---- */

/* What the deadline left unread, recorded as such (the snapshot must say what it lacks). */
static void record_late(run *r, const account_state *a, const char *region, const aws_service *svc,
                        const char *op, const char *resource)
{
    ia_err late;

    err_clear(&late);
    err_set(&late, IA_ERR_CANCELLED, "deadline reached (--deadline) before %s %s was read", svc->id, op);
    snapshot_add_error(r->snap, a->target->id, region, svc->id, op, resource, &late);
    atomic_fetch_add(&r->n_late, 1);
}

static void record(run *r, const account_state *a, const char *region, const aws_service *svc, const char *op,
                   const char *resource, const ia_err *err)
{
    char line[1536];

    if (err->kind == IA_ERR_CANCELLED) {
        /* A signal writes no snapshot at all; the deadline writes one. */
        if (!cancel_requested() && atomic_load(&r->deadline_hit))
            record_late(r, a, region, svc, op, resource);
        return;
    }
    /* One line each; those of the deadline are summed up in one line at the end. */
    err_format(err, line, sizeof(line));
    log_warn("account %s%s%s: %s", a->target->id, region ? " region " : "", region ? region : "", line);
    snapshot_add_error(r->snap, a->target->id, region, svc->id, op, resource, err);
}

/* ---- one page ---- */

/*
 * One attempt at t's current page. 0: *answer (owned) holds it. 1: worth
 * another attempt, st says when (the backoff runs in the scheduler, not in a
 * sleeping worker). -1: failed for good, err says why.
 */
static int attempt_page(run *r, task *t, const aws_service *svc, const char *op, cJSON **answer, step *st,
                        ia_err *err)
{
    aws_call call = {svc, t->region, r->accounts[t->account].creds, t->attempt + 1, false, NULL};

    if (aws_json_call(r->client, &call, op, t->request, answer, err) == 0) {
        t->attempt = 0;
        st->outcome = SCHED_OK;
        return 0;
    }
    st->outcome =
        err->kind != IA_ERR_CREDS && retry_is_throttle_code(err->aws_code) ? SCHED_THROTTLED : SCHED_FAILED;
    if (err->retryable && ++t->attempt < r->max_attempts && !cancel_requested()) {
        st->again = true;
        st->delay_s = (double)retry_backoff_ms(t->attempt, r->retry_base_ms, retry_rand01()) / 1000.0;
        return 1;
    }
    return -1;
}

/*
 * Sets t's request up for the page after answer. 1: there is one; 0: that
 * was the last; -1: a token that repeats or too many pages (err).
 */
static int next_page(task *t, const cJSON *answer, const aws_service *svc, const char *op, ia_err *err)
{
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(answer, "NextToken");

    if (!cJSON_IsString(next) || !next->valuestring[0])
        return 0;
    /* The same token twice would page forever. */
    if (t->token && strcmp(t->token, next->valuestring) == 0)
        return err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): the same NextToken came back twice", svc->id, op,
                       t->region);
    if (++t->pages >= MAX_PAGES)
        return err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): more than %d pages; giving up", svc->id, op,
                       t->region, MAX_PAGES);
    free(t->token);
    t->token = str_dup(next->valuestring);
    cJSON_DeleteItemFromObjectCaseSensitive(t->request, "NextToken");
    if (!t->token || !cJSON_AddStringToObject(t->request, "NextToken", t->token))
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 1;
}

/* Records what a page's failure says, or stops the run when memory ran out. */
static void page_failed(run *r, task *t, const aws_service *svc, const char *op, const char *resource,
                        const ia_err *err)
{
    if (err->kind == IA_ERR_NOMEM)
        fail_run(r, err);
    else
        record(r, &r->accounts[t->account], t->region, svc, op, resource, err);
}

/* ---- listings ---- */

typedef struct page_ctx {
    run *r;
    size_t account;
    const char *region;
    listing what;
} page_ctx;

static void want_permissions(void *ud, const snap_resource *res, cJSON *data)
{
    const page_ctx *pc = ud;

    push(pc->r, TASK_PERMISSIONS, pc->account, pc->region, pc->what, res, data);
}

static step run_listing(run *r, task *t)
{
    const aws_service *svc = listing_service(t->what);
    const char *op = listing_operation(t->what);
    page_ctx pc = {r, t->account, t->region, t->what};
    step st = {SCHED_FAILED, false, 0};
    cJSON *answer = NULL;
    ia_err err;
    int rc;

    err_clear(&err);
    if (!t->request && !(t->request = listing_request(t->what))) {
        fail_nomem(r);
        return st;
    }
    rc = attempt_page(r, t, svc, op, &answer, &st, &err);
    if (rc > 0)
        return st;
    if (rc == 0 && listing_take_page(t->what, answer, r->snap, r->accounts[t->account].target->id, t->region,
                                     want_permissions, &pc, &err) == 0)
        rc = next_page(t, answer, svc, op, &err);
    else
        rc = -1;
    cJSON_Delete(answer);
    if (rc < 0)
        page_failed(r, t, svc, op, NULL, &err);
    st.again = rc > 0;
    return st;
}

/* ---- permissions ---- */

static step run_permissions(run *r, task *t)
{
    const aws_service *svc = listing_service(t->what);
    const char *op = listing_permissions_operation(t->what);
    step st = {SCHED_FAILED, false, 0};
    cJSON *answer = NULL;
    ia_err err;
    int rc;

    err_clear(&err);
    if (!t->request) {
        t->request = listing_permissions_request(t->what, t->resource->id);
        t->gathered = cJSON_CreateArray();
        if (!t->request || !t->gathered) {
            fail_nomem(r);
            return st;
        }
    }
    rc = attempt_page(r, t, svc, op, &answer, &st, &err);
    if (rc > 0)
        return st;
    if (rc == 0 && listing_take_permissions(t->what, answer, t->gathered, &err) == 0)
        rc = next_page(t, answer, svc, op, &err);
    else
        rc = -1;
    cJSON_Delete(answer);
    /* On failure, Permissions stay absent (unknown), never empty (which would say "not shared"). */
    if (rc == 0) {
        /* Taken by the attach, whatever becomes of it. */
        cJSON *all = t->gathered;

        t->gathered = NULL;
        if (listing_attach_permissions(t->data, all, &err) != 0)
            rc = -1;
    }
    if (rc < 0)
        page_failed(r, t, svc, op, t->resource->id, &err);
    st.again = rc > 0;
    return st;
}

/* ---- accounts ---- */

static step run_account(run *r, task *t)
{
    account_state *a = &r->accounts[t->account];
    step st = {SCHED_OK, false, 0};
    aws_creds probe = {0};
    ia_err err;

    err_clear(&err);
    if (!a->creds) {
        err_set(&err, IA_ERR_CREDS, "no role to reach account %s: give it a role_arn or use --role-name",
                a->target->id);
        record(r, a, NULL, &AWS_STS, "AssumeRole", NULL, &err);
        return st;
    }
    /* Assume the role once, up front: if it fails, the account's regions are not worth a try. */
    if (a->owns_creds && creds_get(a->creds, &probe, &err) != 0) {
        st.outcome =
            err.kind != IA_ERR_CREDS && retry_is_throttle_code(err.aws_code) ? SCHED_THROTTLED : SCHED_FAILED;
        record(r, a, NULL, &AWS_STS, "AssumeRole", NULL, &err);
        return st;
    }
    creds_clean_up(&probe);
    for (size_t i = 0; i < a->n_regions; i++) {
        const char *region = a->regions[i];

        for (listing what = 0; what < LIST_COUNT; what++) {
            if (listing_offered(what, region))
                push(r, TASK_LIST, t->account, region, what, NULL, NULL);
        }
        if (!listing_offered(LIST_WS_OWNED, region))
            log_info("account %s: WorkSpaces is not offered in %s; skipped", a->target->id, region);
        if (!listing_offered(LIST_AS_BUILDERS, region))
            log_info("account %s: AppStream 2.0 is not offered in %s; skipped", a->target->id, region);
    }
    return st;
}

/* A task the deadline left unfinished (queued, or waiting out a retry's backoff): recorded as not read. */
static void record_unfinished(run *r, const task *t)
{
    const account_state *a = &r->accounts[t->account];

    switch (t->kind) {
    case TASK_ACCOUNT: record_late(r, a, NULL, &AWS_STS, "AssumeRole", NULL); break;
    case TASK_LIST:
        record_late(r, a, t->region, listing_service(t->what), listing_operation(t->what), NULL);
        break;
    case TASK_PERMISSIONS:
        record_late(r, a, t->region, listing_service(t->what), listing_permissions_operation(t->what),
                    t->resource->id);
        break;
    }
}

static void *worker(void *arg)
{
    run *r = arg;
    sched_item *item;

    while ((item = sched_next(r->sched)) != NULL) {
        task *t = (task *)item;
        step st = {SCHED_FAILED, false, 0};
        ia_err err;

        if (!cancel_requested()) {
            switch (t->kind) {
            case TASK_ACCOUNT: st = run_account(r, t); break;
            case TASK_LIST: st = run_listing(r, t); break;
            case TASK_PERMISSIONS: st = run_permissions(r, t); break;
            }
        }
        err_clear(&err);
        if (!st.again) {
            sched_done(r->sched, item, st.outcome);
            task_free(r, t);
        } else if (sched_again(r->sched, item, st.outcome, st.delay_s, &err) != 0) {
            task_free(r, t);
            fail_run(r, &err);
        }
    }
    return NULL;
}

/* ---- progress ---- */

typedef struct progress {
    run *r;
    pthread_t thread;
    atomic_bool stop;
} progress;

static void clear_line(void)
{
    fputs("\r\033[K", stderr);
}

double collect_clock_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "  left ~3m20s" once some accounts are done: the time so far, scaled by the accounts still to do. */
static void time_left(char *out, size_t size, double elapsed, long done, size_t total)
{
    double left;

    out[0] = '\0';
    if (done <= 0 || (size_t)done >= total)
        return;
    left = elapsed * (double)(total - (size_t)done) / (double)done;
    if (left >= 60)
        snprintf(out, size, "  left ~%ldm%02lds", (long)left / 60, (long)left % 60);
    else
        snprintf(out, size, "  left ~%lds", (long)left + 1);
}

/* The run's counters as one line: "accounts 2/5  requests 120  retries 3  throttled 4 (1/s)  errors 1". */
static void progress_text(run *r, double throttle_rate, char *out, size_t size)
{
    aws_client_stats stats;

    aws_client_stats_get(r->client, &stats);
    snprintf(out, size, "accounts %ld/%zu  requests %ld  retries %ld  throttled %ld (%.0f/s)  errors %zu",
             atomic_load(&r->accounts_done), r->n_accounts, stats.requests, stats.retries, stats.throttles,
             throttle_rate, snapshot_error_count(r->snap));
}

/* Sleeps about s seconds, in steps short enough that the end of the run is not kept waiting. */
static void nap(progress *p, double s)
{
    double until = collect_clock_s() + s;

    while (!atomic_load(&p->stop) && collect_clock_s() < until) {
        struct timespec ts = {0, 50 * 1000000L};

        nanosleep(&ts, NULL);
    }
}

/*
 * On a terminal: one line redrawn four times a second, cleared at the end.
 * Without one (cron, CI, a log file): a plain log line every interval, none
 * when the run ends sooner, so that a long run shows it is alive and a
 * short one prints nothing more than its summary.
 */
static void *draw(void *arg)
{
    progress *p = arg;
    run *r = p->r;
    bool live = r->opt->progress == COLLECT_PROGRESS_LIVE;
    double interval = live ? 0.25 : (double)r->opt->progress_interval_s, wait = live ? 0 : interval;
    double started = collect_clock_s(), last_t = started, rate = 0;
    long last_throttles = 0;

    for (;;) {
        aws_client_stats stats;
        char counts[256], line[320], left[48];
        double now;

        nap(p, wait);
        if (atomic_load(&p->stop))
            break;
        wait = interval;
        now = collect_clock_s();
        aws_client_stats_get(r->client, &stats);
        /* Throttles per second, over the last second or so (a line's interval is longer). */
        if (now - last_t >= 1.0) {
            rate = (double)(stats.throttles - last_throttles) / (now - last_t);
            last_throttles = stats.throttles;
            last_t = now;
        }
        progress_text(r, rate, counts, sizeof(counts));
        time_left(left, sizeof(left), now - started, atomic_load(&r->accounts_done), r->n_accounts);
        snprintf(line, sizeof(line), "collecting: %s%s", counts, left);
        if (live)
            log_status(line);
        else
            log_line("imgaudit: %s", line);
    }
    if (live)
        log_status(NULL);
    return NULL;
}

/* ---- the deadline ---- */

typedef struct watch {
    run *r;
    double deadline; /* collect_clock_s() */
    pthread_t thread;
    atomic_bool over; /* the run ended first */
} watch;

/* At the deadline: transfers in flight end, and no worker is handed more. */
static void *watch_deadline(void *arg)
{
    watch *w = arg;

    while (!atomic_load(&w->over) && collect_clock_s() < w->deadline && !cancel_requested())
        cancel_sleep_ms(50);
    if (!atomic_load(&w->over) && !cancel_requested()) {
        atomic_store(&w->r->deadline_hit, true);
        http_pool_stop(aws_client_http_pool(w->r->client));
        sched_stop(w->r->sched);
    }
    return NULL;
}

/* ---- the run ---- */

static int prepare_accounts(run *r, ia_err *err)
{
    const collect_options *opt = r->opt;
    const char *partition = r->snap->partition;

    r->accounts = calloc(opt->targets->n ? opt->targets->n : 1, sizeof(*r->accounts));
    if (!r->accounts)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    r->n_accounts = opt->targets->n;
    for (size_t i = 0; i < r->n_accounts; i++) {
        account_state *a = &r->accounts[i];
        const collect_target *t = &opt->targets->items[i];

        a->target = t;
        a->regions = t->regions ? (const char *const *)t->regions : opt->regions;
        a->n_regions = t->regions ? t->n_regions : opt->n_regions;
        a->role_arn = t->role_arn;
        if (!a->role_arn && opt->role_name && strcmp(t->id, r->snap->caller_account) != 0) {
            a->role_arn_buf = targets_role_arn(partition, t->id, opt->role_name);
            if (!a->role_arn_buf)
                return err_set(err, IA_ERR_NOMEM, "out of memory");
            a->role_arn = a->role_arn_buf;
        }
        if (a->role_arn) {
            creds_role_options ro = {a->role_arn, t->external_id ? t->external_id : opt->external_id,
                                     opt->session_name, 0, opt->sts_region};

            if (creds_assume_role_new(&a->creds, r->client, r->base, &ro, err) != 0)
                return -1;
            a->owns_creds = true;
        } else if (strcmp(t->id, r->snap->caller_account) == 0) {
            a->creds = r->base;
        }
        if (snapshot_add_account(r->snap, t->id, t->name, a->role_arn, a->regions, a->n_regions, err) != 0)
            return -1;
    }
    return 0;
}

int collect_run(aws_client *client, creds_provider *base, const collect_options *opt, snapshot *snap,
                ia_err *err)
{
    int concurrency = opt->concurrency > 0 ? opt->concurrency : 1;
    sched_options so = {0};
    pthread_t *threads = NULL;
    size_t n_threads = 0;
    progress prog = {0};
    watch wd = {0};
    bool drawing = false, watching = false;
    sched_item *left;
    run r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.client = client;
    r.base = base;
    r.opt = opt;
    r.snap = snap;
    r.max_attempts = aws_client_max_attempts(client);
    r.retry_base_ms = aws_client_retry_base_ms(client);
    pthread_mutex_init(&r.lock, NULL);
    if (sched_new(&r.sched, &so, err) != 0 || prepare_accounts(&r, err) != 0)
        goto out;
    for (size_t i = 0; i < r.n_accounts && !r.failed; i++)
        push(&r, TASK_ACCOUNT, i, NULL, LIST_WS_OWNED, NULL, NULL);
    threads = calloc((size_t)concurrency, sizeof(pthread_t));
    if (!threads) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (opt->deadline > 0) {
        wd.r = &r;
        wd.deadline = opt->deadline;
        watching = pthread_create(&wd.thread, NULL, watch_deadline, &wd) == 0;
        if (!watching) {
            err_set(err, IA_ERR_INTERNAL, "cannot start the deadline's thread");
            goto out;
        }
    }
    if (opt->progress != COLLECT_PROGRESS_NONE) {
        prog.r = &r;
        if (opt->progress == COLLECT_PROGRESS_LIVE)
            log_set_before_hook(clear_line);
        drawing = pthread_create(&prog.thread, NULL, draw, &prog) == 0;
    }
    for (int i = 0; i < concurrency; i++) {
        if (pthread_create(&threads[n_threads], NULL, worker, &r) != 0)
            break;
        n_threads++;
    }
    if (n_threads == 0) {
        err_set(err, IA_ERR_INTERNAL, "cannot start worker threads");
        fail_run(&r, err);
    }
    for (size_t i = 0; i < n_threads; i++)
        pthread_join(threads[i], NULL);
    if (watching) {
        atomic_store(&wd.over, true);
        pthread_join(wd.thread, NULL);
    }
    if (drawing) {
        atomic_store(&prog.stop, true);
        pthread_join(prog.thread, NULL);
        log_set_before_hook(NULL);
    }
    if (r.failed) {
        *err = r.fatal;
        goto out;
    }
    if (cancel_requested()) {
        err_set(err, IA_ERR_CANCELLED, "interrupted by signal %d; no snapshot written", cancel_signal());
        goto out;
    }
    rc = 0;
out:
    while (r.sched && (left = sched_drain(r.sched)) != NULL) {
        if (rc == 0)
            record_unfinished(&r, (task *)left);
        task_free(&r, (task *)left);
    }
    /* Said only when something was left unread: the deadline may pass just as the last answer came. */
    if (rc == 0 && atomic_load(&r.n_late) > 0)
        log_warn(
            "the deadline (--deadline) was reached: what was not read by then is in the snapshot's errors");
    for (size_t i = 0; i < r.n_accounts; i++) {
        if (r.accounts[i].owns_creds)
            creds_provider_free(r.accounts[i].creds);
        free(r.accounts[i].role_arn_buf);
    }
    free(r.accounts);
    free(threads);
    sched_free(r.sched);
    pthread_mutex_destroy(&r.lock);
    return rc;
}
