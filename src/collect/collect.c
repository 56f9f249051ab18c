#include "collect/collect.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/endpoint.h"
#include "collect/regions.h"
#include "util/cancel.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* Guards against a service that keeps answering with a NextToken. */
#define MAX_PAGES 100000

typedef enum listing {
    LIST_WS_OWNED = 0,
    LIST_WS_SHARED,
    LIST_AS_BUILDERS,
    LIST_AS_PRIVATE,
    LIST_AS_SHARED,
    LIST_COUNT
} listing;

/* The service each resource type is read from (snapshot/restype_list.h). */
static const aws_service *const services[RESTYPE_COUNT] = {
#define RESTYPE(e, name, service, ...) [e] = &AWS_##service,
#include "snapshot/restype_list.h"
#undef RESTYPE
};

/* What each listing asks: its type's listing call, for one visibility. */
static const struct listing_def {
    restype type;
    const char *type_param; /* request member naming the visibility, or NULL */
    const char *type_value;
    int max_results; /* the service model's maximum */
    bool wants_permissions;
} listings[LIST_COUNT] = {
    [LIST_WS_OWNED] = {RESTYPE_WORKSPACES_IMAGE, "ImageType", "OWNED", 25, true},
    [LIST_WS_SHARED] = {RESTYPE_WORKSPACES_IMAGE, "ImageType", "SHARED", 25, false},
    [LIST_AS_BUILDERS] = {RESTYPE_APPSTREAM_IMAGE_BUILDER, NULL, NULL, 25, false},
    [LIST_AS_PRIVATE] = {RESTYPE_APPSTREAM_IMAGE, "Type", "PRIVATE", 25, true},
    [LIST_AS_SHARED] = {RESTYPE_APPSTREAM_IMAGE, "Type", "SHARED", 25, false},
};

/* Who an image is shared with: the call per type that has one, its key and where its answer is. */
static const struct permissions_def {
    const char *operation; /* NULL: the type is never shared */
    const char *id_param;
    const char *items;
    int max_results;
} permissions[RESTYPE_COUNT] = {
    [RESTYPE_WORKSPACES_IMAGE] = {"DescribeWorkspaceImagePermissions", "ImageId", "ImagePermissions", 25},
    [RESTYPE_APPSTREAM_IMAGE_BUILDER] = {NULL, NULL, NULL, 0},
    [RESTYPE_APPSTREAM_IMAGE] = {"DescribeImagePermissions", "Name", "SharedImagePermissionsList", 500},
};

/* Timestamp members of each resource shape, from the service models (botocore's service-2.json). */
static const char *const ts_workspaces_image[] = {"Created", NULL};
static const char *const ts_builder[] = {"CreatedTime", "ImageBuilderErrors[].ErrorTimestamp", NULL};
static const char *const ts_appstream_image[] = {"CreatedTime", "PublicBaseImageReleasedDate",
                                                 "Applications[].CreatedTime", "ImageErrors[].ErrorTimestamp",
                                                 NULL};
static const char *const *const timestamps[RESTYPE_COUNT] = {
    [RESTYPE_WORKSPACES_IMAGE] = ts_workspaces_image,
    [RESTYPE_APPSTREAM_IMAGE_BUILDER] = ts_builder,
    [RESTYPE_APPSTREAM_IMAGE] = ts_appstream_image,
};

typedef enum task_kind { TASK_ACCOUNT, TASK_LIST, TASK_PERMISSIONS } task_kind;

typedef struct task {
    task_kind kind;
    size_t account;     /* index into run.accounts */
    const char *region; /* borrowed from the account's region list */
    listing what;
    const snap_resource *resource; /* TASK_PERMISSIONS: the image */
    cJSON *data;                   /* TASK_PERMISSIONS: its data, owned by the snapshot, where they go */
    struct task *next;
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
    account_state *accounts;
    size_t n_accounts;
    atomic_long accounts_done;
    /* The queue */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    task *head, *tail;
    long pending; /* queued + running; 0 means done */
    ia_err fatal; /* out of memory, say: stops the run */
    bool failed;
} run;

/* ---- the queue ---- */

static void fail_run(run *r, const ia_err *err)
{
    pthread_mutex_lock(&r->lock);
    if (!r->failed) {
        r->failed = true;
        r->fatal = *err;
    }
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

static void push(run *r, task_kind kind, size_t account, const char *region, listing what,
                 const snap_resource *res, cJSON *data)
{
    task *t = calloc(1, sizeof(*t));
    ia_err err;

    if (!t) {
        err_clear(&err);
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        fail_run(r, &err);
        return;
    }
    t->kind = kind;
    t->account = account;
    t->region = region;
    t->what = what;
    t->resource = res;
    t->data = data;
    atomic_fetch_add(&r->accounts[account].outstanding, 1);
    pthread_mutex_lock(&r->lock);
    if (r->tail)
        r->tail->next = t;
    else
        r->head = t;
    r->tail = t;
    r->pending++;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

static task *pop(run *r)
{
    task *t = NULL;

    pthread_mutex_lock(&r->lock);
    while (!r->head && r->pending > 0 && !r->failed)
        pthread_cond_wait(&r->wake, &r->lock);
    if (r->head && !r->failed) {
        t = r->head;
        r->head = t->next;
        if (!r->head)
            r->tail = NULL;
    }
    pthread_mutex_unlock(&r->lock);
    return t;
}

static void finish(run *r, task *t)
{
    if (atomic_fetch_sub(&r->accounts[t->account].outstanding, 1) == 1)
        atomic_fetch_add(&r->accounts_done, 1);
    pthread_mutex_lock(&r->lock);
    if (--r->pending == 0)
        pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    free(t);
}

/* ---- recording failures ---- */

static void record(run *r, const account_state *a, const char *region, const aws_service *svc, const char *op,
                   const char *resource, const ia_err *err)
{
    char line[1536];

    if (err->kind == IA_ERR_CANCELLED)
        return;
    err_format(err, line, sizeof(line));
    log_warn("account %s%s%s: %s", a->target->id, region ? " region " : "", region ? region : "", line);
    snapshot_add_error(r->snap, a->target->id, region, svc->id, op, resource, err);
}

/* ---- timestamps: AWS JSON sends epoch seconds; the snapshot keeps ISO-8601 ---- */

static void iso_member(cJSON *obj, const char *name)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    char iso[TIMEFMT_ISO_SIZE];

    /* A number that is no date stays as AWS sent it. */
    if (!cJSON_IsNumber(v) || !timefmt_iso_epoch(v->valuedouble, iso))
        return;
    cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateString(iso));
}

static void iso_timestamps(cJSON *data, const char *const *paths)
{
    for (size_t i = 0; paths[i]; i++) {
        const char *walk = strstr(paths[i], "[].");

        if (!walk) {
            iso_member(data, paths[i]);
        } else {
            char list[64];
            cJSON *item;

            snprintf(list, sizeof(list), "%.*s", (int)(walk - paths[i]), paths[i]);
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(data, list))
            {
                iso_member(item, walk + 3);
            }
        }
    }
}

/* ---- paginated calls ---- */

/*
 * Calls op page after page, handing each answer to on_page (which may detach
 * what it keeps). Stops at the first failure.
 */
typedef int (*page_fn)(run *r, account_state *a, const char *region, listing what, cJSON *answer, void *ud,
                       ia_err *err);

static int paginate(run *r, account_state *a, const char *region, const aws_service *svc, const char *op,
                    cJSON *request, page_fn on_page, listing what, void *ud, ia_err *err)
{
    aws_call call = {svc, region, a->creds, a->target->id};
    char *token = NULL;
    int pages = 0, rc = -1;

    do {
        cJSON *answer = NULL;
        const cJSON *next;

        cJSON_DeleteItemFromObjectCaseSensitive(request, "NextToken");
        if (token && !cJSON_AddStringToObject(request, "NextToken", token)) {
            err_set(err, IA_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (aws_json_call(r->client, &call, op, request, &answer, err) != 0)
            goto out;
        rc = on_page(r, a, region, what, answer, ud, err);
        next = cJSON_GetObjectItemCaseSensitive(answer, "NextToken");
        /* The same token twice would page forever. */
        if (token && cJSON_IsString(next) && strcmp(token, next->valuestring) == 0 && rc == 0) {
            cJSON_Delete(answer);
            err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): the same NextToken came back twice", svc->id, op,
                    region);
            goto out;
        }
        free(token);
        token = cJSON_IsString(next) && next->valuestring[0] ? str_dup(next->valuestring) : NULL;
        cJSON_Delete(answer);
        if (rc != 0)
            goto out;
        rc = -1;
        if (++pages >= MAX_PAGES) {
            err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): more than %d pages; giving up", svc->id, op, region,
                    MAX_PAGES);
            goto out;
        }
    } while (token);
    rc = 0;
out:
    free(token);
    return rc;
}

static int take_resources(run *r, account_state *a, const char *region, listing what, cJSON *answer, void *ud,
                          ia_err *err)
{
    const struct listing_def *def = &listings[what];
    const restype_def *type = restype_get(def->type);
    cJSON *items = cJSON_GetObjectItemCaseSensitive(answer, type->items);
    size_t account = (size_t)(a - r->accounts);

    (void)ud;
    if (items && !cJSON_IsArray(items))
        return err_set(err, IA_ERR_PROTOCOL, "%s %s (%s): '%s' is not a list", services[def->type]->id,
                       type->listing, region, type->items);
    while (cJSON_GetArraySize(items) > 0) {
        /* Detach rather than copy: the page is freed right after, the resource lives on. */
        cJSON *data = cJSON_DetachItemFromArray(items, 0);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, type->id_field);
        const snap_resource *res = NULL;

        if (!cJSON_IsObject(data) || !cJSON_IsString(id) || !id->valuestring[0]) {
            log_warn("account %s region %s: %s answered an item without %s; skipped", a->target->id, region,
                     type->listing, type->id_field);
            cJSON_Delete(data);
            continue;
        }
        iso_timestamps(data, timestamps[def->type]);
        if (def->type == RESTYPE_WORKSPACES_IMAGE) {
            /* Which listing it came from, OWNED or SHARED. AppStream images need nothing added: their
             * Visibility says PRIVATE or SHARED, and their ImageType (CUSTOM/NATIVE) is the API's own. */
            cJSON_DeleteItemFromObjectCaseSensitive(data, "ImageType");
            cJSON_AddStringToObject(data, "ImageType", def->type_value);
        }
        if (snapshot_add_resource(r->snap, def->type, a->target->id, region, id->valuestring, data, &res,
                                  err) != 0)
            return -1;
        if (def->wants_permissions)
            push(r, TASK_PERMISSIONS, account, region, what, res, data);
    }
    return 0;
}

static void run_listing(run *r, task *t)
{
    account_state *a = &r->accounts[t->account];
    const struct listing_def *def = &listings[t->what];
    const aws_service *svc = services[def->type];
    const char *op = restype_get(def->type)->listing;
    cJSON *request = cJSON_CreateObject();
    ia_err err;

    err_clear(&err);
    if (!request || !cJSON_AddNumberToObject(request, "MaxResults", def->max_results) ||
        (def->type_param && !cJSON_AddStringToObject(request, def->type_param, def->type_value))) {
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        fail_run(r, &err);
    } else if (paginate(r, a, t->region, svc, op, request, take_resources, t->what, NULL, &err) != 0) {
        if (err.kind == IA_ERR_NOMEM)
            fail_run(r, &err);
        else
            record(r, a, t->region, svc, op, NULL, &err);
    }
    cJSON_Delete(request);
}

/* ---- permissions ---- */

static int gather_permissions(run *r, account_state *a, const char *region, listing what, cJSON *answer,
                              void *ud, ia_err *err)
{
    cJSON *all = ud;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(answer, permissions[listings[what].type].items);

    (void)r;
    (void)a;
    (void)region;
    if (list && !cJSON_IsArray(list))
        return err_set(err, IA_ERR_PROTOCOL, "permissions answer is not a list");
    while (cJSON_GetArraySize(list) > 0)
        cJSON_AddItemToArray(all, cJSON_DetachItemFromArray(list, 0));
    return 0;
}

static int cmp_permission(const void *pa, const void *pb)
{
    const char *a = snap_permission_account(*(cJSON *const *)pa),
               *b = snap_permission_account(*(cJSON *const *)pb);

    return strcmp(a ? a : "", b ? b : "");
}

/* Sorted by account id, so that two snapshots of the same sharing are identical. */
static cJSON *sorted_permissions(cJSON *all)
{
    int n = cJSON_GetArraySize(all);
    cJSON **items = calloc(n > 0 ? (size_t)n : 1, sizeof(cJSON *));
    cJSON *sorted;

    if (!items)
        return NULL;
    for (int i = 0; i < n; i++)
        items[i] = cJSON_DetachItemFromArray(all, 0);
    qsort(items, (size_t)n, sizeof(cJSON *), cmp_permission);
    sorted = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        if (sorted)
            cJSON_AddItemToArray(sorted, items[i]);
        else
            cJSON_Delete(items[i]);
    }
    free(items);
    return sorted;
}

static void run_permissions(run *r, task *t)
{
    account_state *a = &r->accounts[t->account];
    restype type = listings[t->what].type;
    const struct permissions_def *def = &permissions[type];
    const aws_service *svc = services[type];
    cJSON *request = cJSON_CreateObject(), *all = cJSON_CreateArray(), *sorted;
    ia_err err;

    err_clear(&err);
    if (!request || !all || !cJSON_AddStringToObject(request, def->id_param, t->resource->id) ||
        !cJSON_AddNumberToObject(request, "MaxResults", def->max_results)) {
        err_set(&err, IA_ERR_NOMEM, "out of memory");
        fail_run(r, &err);
        goto out;
    }
    if (paginate(r, a, t->region, svc, def->operation, request, gather_permissions, t->what, all, &err) !=
        0) {
        /* Permissions stay absent (unknown), never empty (which would say "not shared"). */
        record(r, a, t->region, svc, def->operation, t->resource->id, &err);
        goto out;
    }
    sorted = sorted_permissions(all);
    if (sorted)
        cJSON_AddItemToObject(t->data, "Permissions", sorted);
out:
    cJSON_Delete(request);
    cJSON_Delete(all);
}

/* ---- accounts ---- */

static void run_account(run *r, task *t)
{
    account_state *a = &r->accounts[t->account];
    aws_creds probe = {0};
    ia_err err;

    err_clear(&err);
    if (!a->creds) {
        err_set(&err, IA_ERR_CREDS, "no role to reach account %s: give it a role_arn or use --role-name",
                a->target->id);
        record(r, a, NULL, &AWS_STS, "AssumeRole", NULL, &err);
        return;
    }
    /* Assume the role once, up front: if it fails, the account's regions are not worth a try. */
    if (a->owns_creds && creds_get(a->creds, &probe, &err) != 0) {
        record(r, a, NULL, &AWS_STS, "AssumeRole", NULL, &err);
        return;
    }
    creds_clean_up(&probe);
    for (size_t i = 0; i < a->n_regions; i++) {
        const char *region = a->regions[i];

        if (regions_offers(REGION_WORKSPACES, region)) {
            push(r, TASK_LIST, t->account, region, LIST_WS_OWNED, NULL, NULL);
            push(r, TASK_LIST, t->account, region, LIST_WS_SHARED, NULL, NULL);
        } else {
            log_info("account %s: WorkSpaces is not offered in %s; skipped", a->target->id, region);
        }
        if (regions_offers(REGION_APPSTREAM, region)) {
            push(r, TASK_LIST, t->account, region, LIST_AS_BUILDERS, NULL, NULL);
            push(r, TASK_LIST, t->account, region, LIST_AS_PRIVATE, NULL, NULL);
            push(r, TASK_LIST, t->account, region, LIST_AS_SHARED, NULL, NULL);
        } else {
            log_info("account %s: AppStream 2.0 is not offered in %s; skipped", a->target->id, region);
        }
    }
}

static void *worker(void *arg)
{
    run *r = arg;
    task *t;

    while ((t = pop(r)) != NULL) {
        if (!cancel_requested()) {
            switch (t->kind) {
            case TASK_ACCOUNT: run_account(r, t); break;
            case TASK_LIST: run_listing(r, t); break;
            case TASK_PERMISSIONS: run_permissions(r, t); break;
            }
        }
        finish(r, t);
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

static void *draw(void *arg)
{
    progress *p = arg;
    run *r = p->r;

    while (!atomic_load(&p->stop)) {
        aws_client_stats stats;
        char line[256];

        aws_client_stats_get(r->client, &stats);
        snprintf(line, sizeof(line),
                 "collecting: accounts %ld/%zu  requests %ld  retries %ld  throttled %ld  errors %zu",
                 atomic_load(&r->accounts_done), r->n_accounts, stats.requests, stats.retries,
                 stats.throttles, snapshot_error_count(r->snap));
        log_status(line);
        for (int i = 0; i < 5 && !atomic_load(&p->stop); i++) {
            struct timespec ts = {0, 50 * 1000000L};

            nanosleep(&ts, NULL);
        }
    }
    log_status(NULL);
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
            size_t n = strlen(partition) + strlen(t->id) + strlen(opt->role_name) + 32;

            a->role_arn_buf = malloc(n);
            if (!a->role_arn_buf)
                return err_set(err, IA_ERR_NOMEM, "out of memory");
            snprintf(a->role_arn_buf, n, "arn:%s:iam::%s:role/%s", partition, t->id, opt->role_name);
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
    run r;
    pthread_t *threads = NULL;
    size_t n_threads = 0;
    progress prog = {0};
    bool drawing = false;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.client = client;
    r.base = base;
    r.opt = opt;
    r.snap = snap;
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.wake, NULL);
    if (prepare_accounts(&r, err) != 0)
        goto out;
    for (size_t i = 0; i < r.n_accounts; i++)
        push(&r, TASK_ACCOUNT, i, NULL, LIST_WS_OWNED, NULL, NULL);
    threads = calloc((size_t)(opt->concurrency > 0 ? opt->concurrency : 1), sizeof(pthread_t));
    if (!threads) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (opt->progress) {
        prog.r = &r;
        log_set_before_hook(clear_line);
        drawing = pthread_create(&prog.thread, NULL, draw, &prog) == 0;
    }
    for (int i = 0; i < (opt->concurrency > 0 ? opt->concurrency : 1); i++) {
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
    while (r.head) {
        task *t = r.head;

        r.head = t->next;
        free(t);
    }
    for (size_t i = 0; i < r.n_accounts; i++) {
        if (r.accounts[i].owns_creds)
            creds_provider_free(r.accounts[i].creds);
        free(r.accounts[i].role_arn_buf);
    }
    free(r.accounts);
    free(threads);
    pthread_cond_destroy(&r.wake);
    pthread_mutex_destroy(&r.lock);
    return rc;
}
