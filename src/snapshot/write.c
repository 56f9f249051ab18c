#include "snapshot/write.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "version.h"

void snapshot_init(snapshot *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    s->parse_credit = (long long)(JSON_PARSE_FLOOR / 2);
}

int snapshot_charge_parse(snapshot *s, size_t cost, size_t bytes)
{
    long long change = (long long)bytes * JSON_PARSE_RATIO - (long long)cost;
    int rc = 0;

    pthread_mutex_lock(&s->lock);
    if (s->parse_credit + change < 0)
        rc = -1;
    else
        s->parse_credit += change;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A record and its strings are one allocation; the data it shows read-only is the snapshot's to free. */
static void resource_free(snap_resource *r)
{
    if (!r)
        return;
    cJSON_Delete((cJSON *)r->data);
    free(r);
}

/* type is a restype's name (kept as is) or, when own_type, copied with the other strings. */
static snap_resource *resource_new(const char *type, bool own_type, const char *account, const char *region,
                                   const char *id)
{
    size_t n_account = strlen(account) + 1, n_region = strlen(region) + 1, n_id = strlen(id) + 1;
    size_t n_type = own_type ? strlen(type) + 1 : 0;
    snap_resource *r = malloc(sizeof(*r) + n_account + n_region + n_id + n_type);
    char *strings;

    if (!r)
        return NULL;
    strings = (char *)(r + 1);
    memset(r, 0, sizeof(*r));
    r->account = memcpy(strings, account, n_account);
    r->region = memcpy(strings + n_account, region, n_region);
    r->id = memcpy(strings + n_account + n_region, id, n_id);
    r->type = own_type ? memcpy(strings + n_account + n_region + n_id, type, n_type) : type;
    return r;
}

static void error_clean_up(snap_error *e)
{
    free(e->account);
    free(e->region);
    free(e->service);
    free(e->operation);
    free(e->code);
    free(e->message);
    free(e->resource);
    memset(e, 0, sizeof(*e));
}

void snapshot_clean_up(snapshot *s)
{
    for (size_t i = 0; i < s->n_resources; i++)
        resource_free(s->resources[i]);
    free(s->resources);
    for (size_t i = 0; i < s->n_errors; i++)
        error_clean_up(&s->errors[i]);
    free(s->errors);
    for (size_t i = 0; i < s->n_accounts; i++) {
        free(s->accounts[i].id);
        free(s->accounts[i].name);
        free(s->accounts[i].role_arn);
        free_strings(s->accounts[i].regions, s->accounts[i].n_regions);
    }
    free(s->accounts);
    free_strings(s->regions, s->n_regions);
    cJSON_Delete(s->callers);
    cJSON_Delete(s->partitions);
    cJSON_Delete(s->organizations);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof(*s));
}

/* Adds r (NULL when it could not be made), taking it and data (also on failure). */
static int add_resource(snapshot *s, snap_resource *r, cJSON *data, const snap_resource **out, ia_err *err)
{
    if (!r)
        goto nomem;
    r->data = data;
    data = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->n_resources == s->cap_resources) {
        size_t cap = s->cap_resources ? s->cap_resources * 2 : 256;
        snap_resource **grown = realloc(s->resources, cap * sizeof(*grown));

        if (!grown) {
            pthread_mutex_unlock(&s->lock);
            goto nomem;
        }
        s->resources = grown;
        s->cap_resources = cap;
    }
    s->resources[s->n_resources++] = r;
    pthread_mutex_unlock(&s->lock);
    if (out)
        *out = r;
    return 0;
nomem:
    resource_free(r);
    cJSON_Delete(data);
    return err_set(err, IA_ERR_NOMEM, "out of memory");
}

int snapshot_add_resource(snapshot *s, restype t, const char *account, const char *region, const char *id,
                          cJSON *data, const snap_resource **out, ia_err *err)
{
    return add_resource(s, resource_new(restype_name(t), false, account, region, id), data, out, err);
}

int snapshot_add_resource_named(snapshot *s, const char *type, const char *account, const char *region,
                                const char *id, cJSON *data, ia_err *err)
{
    restype t;
    /* A known type shares the table's name, as a collected one does; only an unknown one is copied. */
    bool known = restype_parse(type, &t) == 0;

    return add_resource(s, resource_new(known ? restype_name(t) : type, !known, account, region, id), data,
                        NULL, err);
}

/* Appends a failure, copying its strings. 0, or -1 when out of memory. */
static int add_error(snapshot *s, const char *account, const char *region, const char *service,
                     const char *operation, const char *resource, const char *code, const char *message,
                     long http_status)
{
    snap_error e = {0};
    int rc = -1;

    e.account = str_dup(account);
    e.region = str_dup(region);
    e.service = str_dup(service);
    e.operation = str_dup(operation);
    e.code = str_dup(code);
    e.message = str_dup(message);
    e.resource = str_dup(resource);
    e.http_status = http_status;
    pthread_mutex_lock(&s->lock);
    if (!e.service || !e.operation || !e.code || !e.message || (account && !e.account) ||
        (region && !e.region) || (resource && !e.resource))
        goto out;
    if (s->n_errors == s->cap_errors) {
        size_t cap = s->cap_errors ? s->cap_errors * 2 : 16;
        snap_error *grown = realloc(s->errors, cap * sizeof(*grown));

        if (!grown)
            goto out;
        s->errors = grown;
        s->cap_errors = cap;
    }
    s->errors[s->n_errors++] = e;
    memset(&e, 0, sizeof(e));
    rc = 0;
out:
    pthread_mutex_unlock(&s->lock);
    error_clean_up(&e);
    return rc;
}

int snapshot_add_error(snapshot *s, const char *account, const char *region, const char *service,
                       const char *operation, const char *resource, const ia_err *failure)
{
    return add_error(s, account, region, service, operation, resource,
                     failure->aws_code[0] ? failure->aws_code : err_kind_name(failure->kind), failure->msg,
                     failure->http_status);
}

int snapshot_add_error_record(snapshot *s, const char *account, const char *region, const char *service,
                              const char *operation, const char *resource, const char *code,
                              const char *message, long http_status, ia_err *err)
{
    if (add_error(s, account, region, service, operation, resource, code, message, http_status) != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

size_t snapshot_error_count(snapshot *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->n_errors;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static char **copy_strings(const char *const *v, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof(char *));

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = str_dup(v[i]);
        if (!out[i]) {
            free_strings(out, i);
            return NULL;
        }
    }
    return out;
}

int snapshot_add_account(snapshot *s, const char *id, const char *name, const char *role_arn,
                         const char *const *regions, size_t n_regions, ia_err *err)
{
    snap_account *grown = realloc(s->accounts, (s->n_accounts + 1) * sizeof(*grown));
    snap_account *a;

    if (!grown)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    s->accounts = grown;
    a = &s->accounts[s->n_accounts];
    memset(a, 0, sizeof(*a));
    a->id = str_dup(id);
    a->name = str_dup(name);
    a->role_arn = str_dup(role_arn);
    a->regions = copy_strings(regions, n_regions);
    a->n_regions = n_regions;
    s->n_accounts++;
    if (!a->id || !a->regions || (name && !a->name) || (role_arn && !a->role_arn))
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

int snapshot_set_regions(snapshot *s, const char *const *regions, size_t n, ia_err *err)
{
    free_strings(s->regions, s->n_regions);
    s->regions = copy_strings(regions, n);
    s->n_regions = s->regions ? n : 0;
    return s->regions ? 0 : err_set(err, IA_ERR_NOMEM, "out of memory");
}

/* ---- writing ---- */

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static const char *data_string(const cJSON *data, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int cmp_resource(const void *pa, const void *pb)
{
    const snap_resource *a = *(const snap_resource *const *)pa, *b = *(const snap_resource *const *)pb;
    int c;

    if ((c = strcmp(a->account, b->account)) != 0 || (c = strcmp(a->region, b->region)) != 0 ||
        (c = strcmp(a->type, b->type)) != 0 || (c = strcmp(a->id, b->id)) != 0)
        return c;
    /* An AppStream image shared in may bear the name of one of the account's own: the ARN tells them apart,
     * so that the order never depends on which thread came first. */
    return strcmp(data_string(a->data, "Arn"), data_string(b->data, "Arn"));
}

static int cmp_error(const void *pa, const void *pb)
{
    const snap_error *a = pa, *b = pb;
    int c;

    if ((c = cmp_str(a->account, b->account)) != 0 || (c = cmp_str(a->region, b->region)) != 0 ||
        (c = cmp_str(a->service, b->service)) != 0 || (c = cmp_str(a->operation, b->operation)) != 0 ||
        (c = cmp_str(a->resource, b->resource)) != 0 || (c = cmp_str(a->code, b->code)) != 0)
        return c;
    if (a->http_status != b->http_status)
        return a->http_status < b->http_status ? -1 : 1;
    return cmp_str(a->message, b->message);
}

static bool same_failure(const snap_error *a, const snap_error *b)
{
    return cmp_str(a->account, b->account) == 0 && cmp_str(a->region, b->region) == 0 &&
           strcmp(a->service, b->service) == 0 && strcmp(a->operation, b->operation) == 0 &&
           strcmp(a->code, b->code) == 0 && cmp_str(a->resource, b->resource) == 0;
}

/*
 * One error per account, region, service, operation and code: DescribeImages
 * denied for PRIVATE and for SHARED images is one failure to a reader.
 * Expects the errors sorted.
 */
static void drop_repeated_errors(snapshot *s)
{
    size_t kept = 0;

    for (size_t i = 0; i < s->n_errors; i++) {
        if (kept > 0 && same_failure(&s->errors[kept - 1], &s->errors[i])) {
            error_clean_up(&s->errors[i]);
            continue;
        }
        s->errors[kept++] = s->errors[i];
    }
    s->n_errors = kept;
}

static int cmp_account(const void *pa, const void *pb)
{
    return strcmp(((const snap_account *)pa)->id, ((const snap_account *)pb)->id);
}

static cJSON *string_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Writes `"key": <value>` (value printed compactly, then freed) and the separator. */
static int write_member(FILE *fp, const char *key, cJSON *value, const char *sep)
{
    char *text = value ? cJSON_PrintUnformatted(value) : NULL;
    int rc = -1;

    if (text && fprintf(fp, "  \"%s\": %s%s\n", key, text, sep) >= 0)
        rc = 0;
    cJSON_free(text);
    cJSON_Delete(value);
    return rc;
}

static cJSON *strings_array(char *const *v, size_t n)
{
    /* cJSON_CreateStringArray gives NULL, not [], for no strings. */
    return n ? cJSON_CreateStringArray((const char *const *)v, (int)n) : cJSON_CreateArray();
}

static cJSON *shard_object(const snapshot *s)
{
    cJSON *o = cJSON_CreateObject();

    if (o && (!cJSON_AddNumberToObject(o, "index", s->shard_index) ||
              !cJSON_AddNumberToObject(o, "count", s->shard_count))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* An item of a list being sorted, and where it stood. */
typedef struct placed_item {
    cJSON *item;
    const char *key; /* the item's "id", or the item itself when it is a string; "" when neither */
    size_t at;
} placed_item;

static int cmp_placed_item(const void *pa, const void *pb)
{
    const placed_item *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);

    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/*
 * Sorts the items of list by their key (an object's "id", a string's text)
 * and drops each whose key the one before it has: the first given stays.
 * -1 when out of memory (list untouched).
 */
static int sort_unique(cJSON *list)
{
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    placed_item *v;
    const placed_item *kept = NULL;
    cJSON *item;

    if (n < 2)
        return 0;
    v = calloc(n, sizeof(*v));
    if (!v)
        return -1;
    while ((item = cJSON_DetachItemFromArray(list, 0)) != NULL) {
        const char *key = cJSON_IsString(item) ? item->valuestring : data_string(item, "id");

        v[i] = (placed_item){item, key, i};
        i++;
    }
    qsort(v, n, sizeof(*v), cmp_placed_item);
    for (i = 0; i < n; i++) {
        /* Equal keys are adjacent: compared with the one kept, which is still alive. */
        if (kept && strcmp(kept->key, v[i].key) == 0) {
            cJSON_Delete(v[i].item);
            continue;
        }
        cJSON_AddItemToArray(list, v[i].item);
        kept = &v[i];
    }
    free(v);
    return 0;
}

int snapshot_sort_organizations(cJSON *organizations)
{
    cJSON *org;

    if (sort_unique(organizations) != 0)
        return -1;
    cJSON_ArrayForEach(org, organizations)
    {
        cJSON *units = cJSON_GetObjectItemCaseSensitive(org, "org_units");

        if (sort_unique(cJSON_GetObjectItemCaseSensitive(org, "accounts")) != 0 ||
            (units && sort_unique(units) != 0))
            return -1;
    }
    return 0;
}

/* Prints item compactly, then line_end, on a line of its own at indent. */
static int write_line(FILE *fp, const char *indent, const cJSON *item, const char *line_end)
{
    char *text = cJSON_PrintUnformatted(item);
    int ok = text && fprintf(fp, "%s%s%s\n", indent, text, line_end) >= 0;

    cJSON_free(text);
    return ok ? 0 : -1;
}

/* Prints item's name (escaped as cJSON does), a colon and its value, compactly, after sep. */
static int write_named(FILE *fp, const char *sep, const cJSON *item)
{
    cJSON *name = cJSON_CreateStringReference(item->string);
    char *key = name ? cJSON_PrintUnformatted(name) : NULL, *value = cJSON_PrintUnformatted(item);
    int ok = key && value && fprintf(fp, "%s%s:%s", sep, key, value) >= 0;

    cJSON_free(value);
    cJSON_free(key);
    cJSON_Delete(name);
    return ok ? 0 : -1;
}

/*
 * "organizations", one member a line (as resources are), so that two
 * snapshots of an Organization diff by member: each Organization's other
 * members on its first line, its "accounts" last.
 */
static int write_organizations(FILE *fp, const cJSON *organizations)
{
    const cJSON *org;

    if (fprintf(fp, "  \"organizations\": [\n") < 0)
        return -1;
    cJSON_ArrayForEach(org, organizations)
    {
        const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(org, "accounts"), *member;
        const char *sep = "";

        if (fprintf(fp, "    {") < 0)
            return -1;
        cJSON_ArrayForEach(member, org)
        {
            if (member == accounts)
                continue;
            if (write_named(fp, sep, member) != 0)
                return -1;
            sep = ",";
        }
        if (fprintf(fp, ",\"accounts\":[\n") < 0)
            return -1;
        cJSON_ArrayForEach(member, accounts)
        {
            if (write_line(fp, "      ", member, member->next ? "," : "") != 0)
                return -1;
        }
        if (fprintf(fp, "    ]}%s\n", org->next ? "," : "") < 0)
            return -1;
    }
    return fprintf(fp, "  ],\n") < 0 ? -1 : 0;
}

static int write_body(snapshot *s, FILE *fp)
{
    char started[TIMEFMT_ISO_SIZE], finished[TIMEFMT_ISO_SIZE];
    cJSON *caller = cJSON_CreateObject(), *accounts = cJSON_CreateArray();

    timefmt_iso(s->started_at, started);
    timefmt_iso(s->finished_at, finished);
    if (!caller || !accounts)
        goto fail;
    cJSON_AddStringToObject(caller, "account", s->caller_account);
    cJSON_AddStringToObject(caller, "arn", s->caller_arn);
    cJSON_AddStringToObject(caller, "user_id", s->caller_user_id);
    for (size_t i = 0; i < s->n_accounts; i++) {
        cJSON *a = cJSON_CreateObject();

        if (!a)
            goto fail;
        cJSON_AddItemToArray(accounts, a);
        cJSON_AddStringToObject(a, "id", s->accounts[i].id);
        cJSON_AddItemToObject(a, "name", string_or_null(s->accounts[i].name));
        cJSON_AddItemToObject(a, "role_arn", string_or_null(s->accounts[i].role_arn));
        cJSON_AddItemToObject(a, "regions", strings_array(s->accounts[i].regions, s->accounts[i].n_regions));
    }
    if (fprintf(fp, "{\n") < 0 || write_member(fp, "schema", cJSON_CreateString(SNAPSHOT_SCHEMA), ",") ||
        write_member(fp, "schema_version", cJSON_CreateNumber(SNAPSHOT_SCHEMA_VERSION), ",") ||
        write_member(fp, "tool_version", cJSON_CreateString(IMGAUDIT_VERSION), ",") ||
        write_member(fp, "started_at", cJSON_CreateString(started), ",") ||
        write_member(fp, "finished_at", cJSON_CreateString(finished), ",") ||
        write_member(fp, "complete", cJSON_CreateBool(s->n_errors == 0 && !s->parts_incomplete), ",") ||
        write_member(fp, "caller", caller, ",") ||
        (s->callers && write_member(fp, "callers", cJSON_Duplicate(s->callers, true), ",")) ||
        write_member(fp, "partition", cJSON_CreateString(s->partition), ",") ||
        (s->partitions && write_member(fp, "partitions", cJSON_Duplicate(s->partitions, true), ",")) ||
        write_member(fp, "regions", strings_array(s->regions, s->n_regions), ",") ||
        (s->shard_count && write_member(fp, "shard", shard_object(s), ",")) ||
        write_member(fp, "accounts", accounts, ",") ||
        (s->organizations && write_organizations(fp, s->organizations) != 0))
        return -1;
    if (fprintf(fp, "  \"resources\": [\n") < 0)
        return -1;
    for (size_t i = 0; i < s->n_resources; i++) {
        snap_resource *r = s->resources[i];
        cJSON *env = cJSON_CreateObject();
        char *text;
        int ok;

        if (!env)
            return -1;
        cJSON_AddStringToObject(env, "type", r->type);
        cJSON_AddStringToObject(env, "account", r->account);
        cJSON_AddStringToObject(env, "region", r->region);
        cJSON_AddStringToObject(env, "id", r->id);
        /* Borrow the data into the envelope just to print it, without copying it. */
        cJSON_AddItemReferenceToObject(env, "data", (cJSON *)r->data);
        text = cJSON_PrintUnformatted(env);
        cJSON_Delete(env);
        ok = text && fprintf(fp, "    %s%s\n", text, i + 1 < s->n_resources ? "," : "") >= 0;
        cJSON_free(text);
        if (!ok)
            return -1;
    }
    if (fprintf(fp, "  ],\n  \"errors\": [\n") < 0)
        return -1;
    for (size_t i = 0; i < s->n_errors; i++) {
        snap_error *e = &s->errors[i];
        cJSON *o = cJSON_CreateObject();
        char *text;
        int ok;

        if (!o)
            return -1;
        cJSON_AddItemToObject(o, "account", string_or_null(e->account));
        cJSON_AddItemToObject(o, "region", string_or_null(e->region));
        cJSON_AddStringToObject(o, "service", e->service);
        cJSON_AddStringToObject(o, "operation", e->operation);
        if (e->resource)
            cJSON_AddStringToObject(o, "resource", e->resource);
        cJSON_AddStringToObject(o, "code", e->code);
        cJSON_AddStringToObject(o, "message", e->message);
        if (e->http_status)
            cJSON_AddNumberToObject(o, "http_status", (double)e->http_status);
        else
            cJSON_AddNullToObject(o, "http_status");
        text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        ok = text && fprintf(fp, "    %s%s\n", text, i + 1 < s->n_errors ? "," : "") >= 0;
        cJSON_free(text);
        if (!ok)
            return -1;
    }
    return fprintf(fp, "  ]\n}\n") < 0 ? -1 : 0;
fail:
    cJSON_Delete(caller);
    cJSON_Delete(accounts);
    return -1;
}

int snapshot_write(snapshot *s, const char *path, ia_err *err)
{
    return snapshot_write_mode(s, path, 0666, err);
}

int snapshot_write_mode(snapshot *s, const char *path, mode_t mode, ia_err *err)
{
    file_out out;

    /* qsort's base must not be NULL, even for nothing to sort. */
    if (s->n_resources)
        qsort(s->resources, s->n_resources, sizeof(*s->resources), cmp_resource);
    if (s->n_errors)
        qsort(s->errors, s->n_errors, sizeof(*s->errors), cmp_error);
    drop_repeated_errors(s);
    if (s->n_accounts)
        qsort(s->accounts, s->n_accounts, sizeof(*s->accounts), cmp_account);
    if (s->organizations && snapshot_sort_organizations(s->organizations) != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if (file_out_open_mode(&out, path, mode, err) != 0)
        return -1;
    if (write_body(s, out.fp) != 0) {
        file_out_abort(&out);
        return err_set(err, IA_ERR_IO, "%s: cannot write the snapshot", path);
    }
    return file_out_commit(&out, err);
}
