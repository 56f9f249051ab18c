#include "fix/apply.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "fix/apply_int.h"
#include "fix/fix_int.h"
#include "fix/record.h"
#include "util/cancel.h"

/*
 * Reads after a change that do not see it yet (AWS's reads lag its writes)
 * before it counts as failed: spaced 1, 2, 4, 8, 8, 8... times the backoff
 * base (equal jitter), some 30 s in all at the default base (docs/fix.md).
 */
#define MAX_UNSEEN 8

/* A read that pages on past this is given up: an image shared with 25,000 accounts is no image of ours. */
#define MAX_PAGES 1000

typedef struct account_access {
    const char *id;
    creds_provider *creds; /* owned when assumed, else the base provider */
    bool owns_creds;
    const char *role_arn; /* borrowed, or role_arn_buf */
    char *role_arn_buf;
} account_access;

typedef struct apply_run {
    const fix_apply_options *opt;
    const char *plan_created_at;
    sched *sched;
    int max_attempts;
    long retry_base_ms;
    account_access *accounts;
    size_t n_accounts;
    fix_job *jobs;
    size_t n_jobs;
    pthread_mutex_t lock; /* guards counts, fatal and the lines told */
    fix_apply_counts counts;
    ia_err fatal;
    bool failed;
} apply_run;

/* What became of one request: how the scheduler counts it, and what the job does next. */
typedef struct step {
    sched_outcome outcome;
    bool again;     /* the job has another request */
    double delay_s; /* before it */
} step;

static void fail_run(apply_run *r, const ia_err *err)
{
    pthread_mutex_lock(&r->lock);
    if (!r->failed) {
        r->failed = true;
        r->fatal = *err;
    }
    pthread_mutex_unlock(&r->lock);
    sched_stop(r->sched);
}

/* ---- accounts ---- */

static const collect_target *target_of(const fix_apply_options *opt, const char *id)
{
    for (size_t i = 0; opt->targets && i < opt->targets->n; i++) {
        if (strcmp(opt->targets->items[i].id, id) == 0)
            return &opt->targets->items[i];
    }
    return NULL;
}

/*
 * The role that reaches account id, as collect decides it: the accounts
 * file's role_arn, else the caller's own credentials in its own account,
 * else the role named by role_name. 0 with *arn NULL for the caller's own
 * credentials; -1 when nothing reaches it.
 */
static int role_of(const fix_apply_options *opt, const char *id, const char **arn, char **arn_buf,
                   ia_err *err)
{
    const collect_target *t = target_of(opt, id);

    *arn = NULL;
    *arn_buf = NULL;
    if (t && t->role_arn) {
        *arn = t->role_arn;
        return 0;
    }
    if (strcmp(id, opt->caller_account) == 0)
        return 0;
    if (!opt->role_name)
        return err_set(
            err, IA_ERR_USAGE,
            "account %s: no role to reach it: give --fix-role-name (or --role-name), or an --accounts "
            "file with its role_arn",
            id);
    *arn_buf = targets_role_arn(opt->partition, id, opt->role_name);
    if (!*arn_buf)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    *arn = *arn_buf;
    return 0;
}

int fix_apply_check_access(const fix_plan *p, const fix_apply_options *opt, ia_err *err)
{
    const cJSON *a;
    const char *last = NULL;

    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p->doc, "actions"))
    {
        const char *id = fix_str(a, "account"), *arn;
        char *arn_buf;

        /* Actions are sorted by account: each is looked up once. */
        if (id && last && strcmp(id, last) == 0)
            continue;
        if (!id || role_of(opt, id, &arn, &arn_buf, err) != 0)
            return -1;
        free(arn_buf);
        last = id;
    }
    return 0;
}

/* The account's place in r->accounts, made on first sight (the plan is sorted by account). */
static int account_ix(apply_run *r, const char *id, size_t *ix, ia_err *err)
{
    const fix_apply_options *opt = r->opt;
    account_access *a;

    for (size_t i = r->n_accounts; i > 0; i--) {
        if (strcmp(r->accounts[i - 1].id, id) == 0) {
            *ix = i - 1;
            return 0;
        }
    }
    a = &r->accounts[r->n_accounts];
    a->id = id;
    if (role_of(opt, id, &a->role_arn, &a->role_arn_buf, err) != 0)
        return -1;
    r->n_accounts++;
    *ix = r->n_accounts - 1;
    if (!a->role_arn) {
        a->creds = opt->base;
        return 0;
    }
    {
        const collect_target *t = target_of(opt, id);
        creds_role_options ro = {a->role_arn, t && t->external_id ? t->external_id : opt->external_id,
                                 opt->session_name, 0, opt->sts_region};

        if (creds_assume_role_new(&a->creds, opt->client, opt->base, &ro, err) != 0)
            return -1;
        a->owns_creds = true;
    }
    return 0;
}

/* ---- ending a job ---- */

static void finish(apply_run *r, fix_job *j, fix_outcome o, const char *detail, const ia_err *err)
{
    const account_access *a = &r->accounts[j->account_ix];
    fix_record_ctx ctx = {r->opt->log_fd, r->opt->out, r->opt->caller_arn, a->role_arn, r->plan_created_at};
    ia_err werr;
    int rc;

    err_clear(&werr);
    pthread_mutex_lock(&r->lock);
    j->ended = true;
    rc = fix_record(j, &ctx, o, detail, err, &werr);
    if (rc == 0) {
        r->counts.done += o == FIX_OUTCOME_DONE;
        r->counts.already_done += o == FIX_OUTCOME_ALREADY_DONE;
        r->counts.failed += o == FIX_OUTCOME_FAILED;
    }
    pthread_mutex_unlock(&r->lock);
    if (rc != 0)
        fail_run(r, &werr);
}

/* The job's read or change is over: done now, or nothing was left to do. */
static void finish_clear(apply_run *r, fix_job *j, const char *detail)
{
    if (j->sent) {
        /* A call of this run may have made it (its answer lost): the change is seen, done. (Someone else may
         * have made it meanwhile: the log says done either way, and the state is right.) */
        j->verified = true;
        finish(r, j, FIX_OUTCOME_DONE, detail, NULL);
    } else {
        finish(r, j, FIX_OUTCOME_ALREADY_DONE, detail, NULL);
    }
}

/* ---- one request ---- */

static void next_stage(fix_job *j, fix_stage stage)
{
    j->stage = stage;
    j->attempt = 0;
    j->pages = 0;
    cJSON_Delete(j->request);
    j->request = NULL;
    free(j->token);
    j->token = NULL;
}

/* A failed attempt: again after a backoff while the policy allows, else the job failed. */
static step retry_or_fail(apply_run *r, fix_job *j, const ia_err *err)
{
    step st = {err->kind != IA_ERR_CREDS && retry_is_throttle_code(err->aws_code) ? SCHED_THROTTLED
                                                                                  : SCHED_FAILED,
               false, 0};

    /* Stopped: the job is left unended, for settle_unended to tell from what it sent. */
    if (err->kind == IA_ERR_CANCELLED || cancel_requested())
        return st;
    if (err->retryable && ++j->attempt < r->max_attempts) {
        st.again = true;
        st.delay_s = (double)retry_backoff_ms(j->attempt, r->retry_base_ms, retry_rand01()) / 1000.0;
        return st;
    }
    finish(r, j, FIX_OUTCOME_FAILED, NULL, err);
    return st;
}

/* Sets the request up for the page after answer: 1 there is one, 0 that was the last, -1 a loop (err). */
static int next_page(fix_job *j, const cJSON *answer, ia_err *err)
{
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(answer, "NextToken");

    if (!cJSON_IsString(next) || !next->valuestring[0])
        return 0;
    if ((j->token && strcmp(j->token, next->valuestring) == 0) || ++j->pages >= MAX_PAGES)
        return err_set(err, IA_ERR_PROTOCOL, "%s (%s): the pages do not end", fix_job_read_operation(j),
                       j->region);
    free(j->token);
    j->token = str_dup(next->valuestring);
    cJSON_DeleteItemFromObjectCaseSensitive(j->request, "NextToken");
    if (!j->token || !cJSON_AddStringToObject(j->request, "NextToken", j->token))
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 1;
}

/* What the read of j's current stage found decides the next stage. */
static step after_read(apply_run *r, fix_job *j, fix_state state)
{
    step st = {SCHED_OK, true, 0};

    switch (j->stage) {
    case FIX_STAGE_READ:
        if (state == FIX_STATE_GONE) {
            finish_clear(r, j, "the image no longer exists");
            st.again = false;
        } else if (state == FIX_STATE_CLEAR) {
            finish_clear(r, j, NULL);
            st.again = false;
        } else {
            next_stage(j, j->kind == FIX_UPDATE_WORKSPACES ? FIX_STAGE_FIND_NAMED : FIX_STAGE_CALL);
        }
        return st;
    case FIX_STAGE_FIND_NAMED:
        if (state == FIX_STATE_CLEAR) {
            finish_clear(r, j, "an image of that name exists");
            st.again = false;
        } else {
            next_stage(j, FIX_STAGE_CALL);
        }
        return st;
    case FIX_STAGE_VERIFY:
        if (state != FIX_STATE_HOLDS) {
            j->verified = true;
            finish(r, j, FIX_OUTCOME_DONE, NULL, NULL);
            st.again = false;
        } else if (++j->unseen >= MAX_UNSEEN) {
            finish(r, j, FIX_OUTCOME_FAILED,
                   j->kind == FIX_UPDATE_WORKSPACES ? "the new image does not show in DescribeWorkspaceImages"
                                                    : "the call was answered, but the image is still shared",
                   NULL);
            st.again = false;
        } else {
            double span =
                (double)r->retry_base_ms / 1000.0 * (double)(1 << (j->unseen < 4 ? j->unseen - 1 : 3));

            next_stage(j, FIX_STAGE_VERIFY);
            st.delay_s = span / 2 + span / 2 * retry_rand01();
        }
        return st;
    case FIX_STAGE_CALL: break;
    }
    return st;
}

static step run_read(apply_run *r, fix_job *j, const account_access *a)
{
    char request_id[AWS_REQUEST_ID_SIZE] = "";
    aws_call call = {fix_job_service(j), j->region, a->creds, j->attempt + 1, false, request_id};
    cJSON *answer = NULL;
    fix_state state;
    ia_err err;
    bool paged;
    int more;

    err_clear(&err);
    if (!j->request)
        j->request = fix_job_read_request(j);
    if (!j->request) {
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        fail_run(r, &err);
        return (step){SCHED_FAILED, false, 0};
    }
    if (aws_json_call(r->opt->client, &call, fix_job_read_operation(j), j->request, &answer, &err) != 0) {
        if (fix_job_gone(j, &err))
            return after_read(r, j, FIX_STATE_GONE);
        return retry_or_fail(r, j, &err);
    }
    j->attempt = 0;
    /* The log names the change's request; without one, the read that decided. */
    if (!j->changed)
        str_copy(j->request_id, sizeof(j->request_id), request_id);
    state = fix_job_read_answer(j, answer);
    /* What one page cannot settle: an account not on this page of the permissions, an image name not on this
     * page of the owned images. */
    paged = j->kind != FIX_UPDATE_WORKSPACES ? state == FIX_STATE_CLEAR
                                             : j->stage == FIX_STAGE_FIND_NAMED && state == FIX_STATE_HOLDS;
    more = paged ? next_page(j, answer, &err) : 0;
    cJSON_Delete(answer);
    if (more < 0) {
        finish(r, j, FIX_OUTCOME_FAILED, NULL, &err);
        return (step){SCHED_OK, false, 0};
    }
    if (more > 0)
        return (step){SCHED_OK, true, 0};
    return after_read(r, j, state);
}

static step run_call(apply_run *r, fix_job *j, const account_access *a)
{
    char request_id[AWS_REQUEST_ID_SIZE] = "";
    aws_call call = {fix_job_service(j), j->region, a->creds, j->attempt + 1, true, request_id};
    cJSON *answer = NULL;
    step st = {SCHED_OK, true, 0};
    ia_err err;

    err_clear(&err);
    if (aws_json_call(r->opt->client, &call, j->operation, j->params, &answer, &err) == 0) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(answer, "ImageId"));

        j->sent = j->changed = true;
        str_copy(j->request_id, sizeof(j->request_id), request_id);
        if (id)
            str_copy(j->new_image_id, sizeof(j->new_image_id), id);
        cJSON_Delete(answer);
        if (j->kind == FIX_UPDATE_WORKSPACES && !j->new_image_id[0]) {
            err_set(&err, IA_ERR_PROTOCOL, "%s answered without the new image's ImageId", j->operation);
            finish(r, j, FIX_OUTCOME_FAILED, NULL, &err);
            return (step){SCHED_OK, false, 0};
        }
        next_stage(j, FIX_STAGE_VERIFY);
        return st;
    }
    if (err.kind == IA_ERR_CANCELLED || err.kind == IA_ERR_CREDS || err.kind == IA_ERR_NOMEM)
        return retry_or_fail(r, j, &err);
    str_copy(j->request_id, sizeof(j->request_id), err.request_id);
    /*
     * The call may have reached AWS (a time-out, a 5xx): read the state again
     * before another call, so that nothing is done twice. A name already
     * taken (an update made before) reads as done the same way.
     */
    j->sent = j->sent || err.kind != IA_ERR_AWS || err.http_status >= 500;
    if (cancel_requested())
        return (step){SCHED_FAILED, false, 0};
    if ((err.retryable || strcmp(err.aws_code, "ResourceAlreadyExistsException") == 0) &&
        ++j->write_failures < r->max_attempts) {
        st.outcome = retry_is_throttle_code(err.aws_code) ? SCHED_THROTTLED : SCHED_FAILED;
        st.delay_s = (double)retry_backoff_ms(j->write_failures, r->retry_base_ms, retry_rand01()) / 1000.0;
        next_stage(j, FIX_STAGE_READ);
        return st;
    }
    finish(r, j, FIX_OUTCOME_FAILED, NULL, &err);
    return (step){SCHED_FAILED, false, 0};
}

static int push(apply_run *r, fix_job *j, ia_err *err);

static void *worker(void *arg)
{
    apply_run *r = arg;
    sched_item *item;

    while ((item = sched_next(r->sched)) != NULL) {
        fix_job *j = (fix_job *)item;
        const account_access *a = &r->accounts[j->account_ix];
        step st = j->stage == FIX_STAGE_CALL ? run_call(r, j, a) : run_read(r, j, a);
        ia_err err;

        err_clear(&err);
        /* The next change to the same image starts once this one ended (pushed before sched_done: the
         * scheduler never sees a moment with nothing left while there is more). */
        if (j->ended && j->next_same && !cancel_requested() && push(r, j->next_same, &err) != 0)
            fail_run(r, &err);
        /* A job that did not end and goes no further was stopped: settle_unended tells what became of it. */
        if (j->ended || !st.again || cancel_requested())
            sched_done(r->sched, item, st.outcome);
        else if (sched_again(r->sched, item, st.outcome, st.delay_s, &err) != 0)
            fail_run(r, &err);
    }
    return NULL;
}

/*
 * After a stop: what each job left unended came to. Its change answered:
 * done, not read back. Sent and unanswered: unknown, so failed, for a person
 * (or a re-run, which reads first) to settle. Otherwise nothing was changed:
 * not logged, a re-run does it.
 */
static void settle_unended(apply_run *r)
{
    /* Without its log, a run has nothing to tell with (the output named the jobs the log missed). */
    for (size_t i = 0; i < r->n_jobs && !(r->failed && r->fatal.kind == IA_ERR_IO); i++) {
        fix_job *j = &r->jobs[i];
        ia_err err;

        if (j->ended)
            continue;
        if (j->changed) {
            finish(r, j, FIX_OUTCOME_DONE, "stopped before the change was read back", NULL);
        } else if (j->sent) {
            err_clear(&err);
            err_set(
                &err, IA_ERR_CANCELLED,
                "stopped after a call whose answer was lost: whether it took is unknown; run again to see");
            finish(r, j, FIX_OUTCOME_FAILED, NULL, &err);
        } else {
            r->counts.not_run++;
        }
    }
}

static int prepare(apply_run *r, const fix_plan *p, ia_err *err)
{
    const cJSON *a;
    size_t i = 0;

    r->n_jobs = p->n_actions;
    r->jobs = calloc(r->n_jobs ? r->n_jobs : 1, sizeof(*r->jobs));
    r->accounts = calloc(r->n_jobs ? r->n_jobs : 1, sizeof(*r->accounts));
    if (!r->jobs || !r->accounts)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(p->doc, "actions"))
    {
        fix_job *j = &r->jobs[i++];

        if (fix_job_init(j, a) != 0)
            return err_set(err, IA_ERR_INTERNAL, "action %zu of the plan lacks what its kind needs", i);
        if (account_ix(r, j->account, &j->account_ix, err) != 0)
            return -1;
    }
    return 0;
}

static int push(apply_run *r, fix_job *j, ia_err *err)
{
    return sched_push(r->sched, fix_job_service(j)->id, j->region, j->account, &j->item, 0, err);
}

/* Whether a and b are changes of one kind to one image. */
static bool same_image(const fix_job *a, const fix_job *b)
{
    return a->kind == b->kind && strcmp(a->account, b->account) == 0 && strcmp(a->region, b->region) == 0 &&
           strcmp(a->resource, b->resource) == 0;
}

/* Orders jobs by what they change: account, region, resource, kind; then as in the plan. */
static int change_order(const void *pa, const void *pb)
{
    const fix_job *a = *(fix_job *const *)pa, *b = *(fix_job *const *)pb;
    int d = strcmp(a->account, b->account);

    if (!d)
        d = strcmp(a->region, b->region);
    if (!d)
        d = strcmp(a->resource, b->resource);
    if (!d)
        d = (int)a->kind - (int)b->kind;
    return d ? d : (a < b ? -1 : a > b);
}

/*
 * The changes of one kind to one image run one after another: a read of an
 * image's permissions pages through them, and an unshare of the same image
 * between two pages would move the accounts after it onto a page already
 * read (the tokens count places), so that one still shared reads as gone.
 * Each chain's first is pushed; each job starts the next as it ends.
 */
static int start(apply_run *r, ia_err *err)
{
    fix_job **order = malloc((r->n_jobs ? r->n_jobs : 1) * sizeof(*order));
    int rc = 0;

    if (!order)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n_jobs; i++)
        order[i] = &r->jobs[i];
    qsort(order, r->n_jobs, sizeof(*order), change_order);
    for (size_t i = 0; i < r->n_jobs && rc == 0; i++) {
        fix_job *j = order[i];
        bool chained = i > 0 && same_image(order[i - 1], j);

        if (chained)
            order[i - 1]->next_same = j;
        else
            rc = push(r, j, err);
    }
    free(order);
    return rc;
}

int fix_apply_run(const fix_plan *p, const fix_apply_options *opt, fix_apply_counts *counts, ia_err *err)
{
    int concurrency = opt->concurrency > 0 ? opt->concurrency : 1;
    sched_options so = {0};
    pthread_t *threads = NULL;
    size_t n_threads = 0;
    apply_run r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.opt = opt;
    r.plan_created_at = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p->doc, "created_at"));
    r.max_attempts = aws_client_max_attempts(opt->client);
    r.retry_base_ms = aws_client_retry_base_ms(opt->client);
    pthread_mutex_init(&r.lock, NULL);
    threads = calloc((size_t)concurrency, sizeof(*threads));
    if (!threads) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (sched_new(&r.sched, &so, err) != 0 || prepare(&r, p, err) != 0 || start(&r, err) != 0)
        goto out;
    for (int i = 0; i < concurrency && (size_t)i < r.n_jobs; i++) {
        if (pthread_create(&threads[n_threads], NULL, worker, &r) != 0)
            break;
        n_threads++;
    }
    if (n_threads == 0 && r.n_jobs > 0) {
        err_set(err, IA_ERR_INTERNAL, "cannot start worker threads");
        goto out;
    }
    for (size_t i = 0; i < n_threads; i++)
        pthread_join(threads[i], NULL);
    while (sched_drain(r.sched))
        ;
    settle_unended(&r);
    if (r.failed) {
        *err = r.fatal;
        goto out;
    }
    if (cancel_requested()) {
        err_set(err, IA_ERR_CANCELLED, "interrupted by signal %d", cancel_signal());
        goto out;
    }
    rc = 0;
out:
    *counts = r.counts;
    for (size_t i = 0; i < r.n_jobs; i++) {
        cJSON_Delete(r.jobs[i].request);
        free(r.jobs[i].token);
    }
    for (size_t i = 0; i < r.n_accounts; i++) {
        if (r.accounts[i].owns_creds)
            creds_provider_free(r.accounts[i].creds);
        free(r.accounts[i].role_arn_buf);
    }
    free(r.jobs);
    free(r.accounts);
    free(threads);
    sched_free(r.sched);
    pthread_mutex_destroy(&r.lock);
    return rc;
}
