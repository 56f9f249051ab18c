#include "snapshot/merge.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "snapshot/read.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* More regions than any partition has: a longer list is not a collector's. */
#define MAX_REGIONS 1000

/* An (account, region) pair a part collected, and which part (an index into the paths). */
typedef struct pair {
    const char *account, *region;
    size_t part;
} pair;

typedef struct pairs {
    pair *v; /* owned; the strings are borrowed (see where each list is kept) */
    size_t n, cap;
} pairs;

/* The parts of one split: `collect --shard K/N` run by one caller in one partition with one N. */
typedef struct split {
    char caller[32], partition[16]; /* as the snapshot's record holds them */
    unsigned count;
    size_t first_part; /* the first part of the split, to name it by */
    size_t *part_of;   /* owned, count entries: 1 + the part that holds shard K, or 0 */
} split;

/* One part while it is read: its metadata, borrowed from doc. */
typedef struct part {
    const char *path;
    size_t index;
    snapshot_doc *doc; /* owned */
    time_t started_at, finished_at;
    bool complete;
    const cJSON *caller;     /* {account, arn, user_id}, each checked to be a string that fits */
    const cJSON *callers;    /* a merged part's list of every caller, or NULL */
    const cJSON *partition;  /* a string that fits */
    const cJSON *partitions; /* a merged part's list of every partition, or NULL */
    const cJSON *regions;    /* an array of strings */
    const cJSON **by_id;     /* owned array: the "accounts" entries, sorted by id */
    size_t n_accounts;
    unsigned shard_index, shard_count; /* shard_count 0: not a shard */
    pairs collected;                   /* sorted; strings borrowed from doc */
} part;

typedef struct merge {
    const char *const *paths;
    snapshot *out;
    pairs all;         /* every pair merged so far; strings borrowed from out's accounts */
    cJSON *callers;    /* every distinct caller, first part's first */
    cJSON *partitions; /* every distinct partition, first part's first */
    split *splits;
    size_t n_splits;
} merge;

/* Every refusal of a part: bad input, named by its file. Returns -1. */
static int bad(const part *p, ia_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(const part *p, ia_err *err, const char *fmt, ...)
{
    char msg[sizeof(err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set_at(err, p->path, 0, 0, "%s", msg);
}

static int nomem(ia_err *err)
{
    return err_set(err, IA_ERR_NOMEM, "out of memory");
}

/* ---- pairs ---- */

static int cmp_pair(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    int c = strcmp(a->account, b->account);

    return c ? c : strcmp(a->region, b->region);
}

/* Orders by account alone, for finding any pair of an account. */
static int cmp_pair_account(const void *pa, const void *pb)
{
    return strcmp(((const pair *)pa)->account, ((const pair *)pb)->account);
}

static int pairs_add(pairs *ps, const char *account, const char *region, size_t from, ia_err *err)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        pair *grown = realloc(ps->v, cap * sizeof(*grown));

        if (!grown)
            return nomem(err);
        ps->v = grown;
        ps->cap = cap;
    }
    ps->v[ps->n++] = (pair){account, region, from};
    return 0;
}

static void pairs_sort(pairs *ps)
{
    if (ps->n)
        qsort(ps->v, ps->n, sizeof(*ps->v), cmp_pair);
}

/* The pair (account, region) in sorted ps; with region NULL, any pair of the account. NULL when none. */
static const pair *pairs_find(const pairs *ps, const char *account, const char *region)
{
    pair key = {account, region ? region : "", 0};

    if (!ps->n)
        return NULL;
    return bsearch(&key, ps->v, ps->n, sizeof(*ps->v), region ? cmp_pair : cmp_pair_account);
}

/* ---- reading one part's metadata ---- */

/* A member that must be a string; NULL if it is not one. */
static const char *str_member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A member that must be a string or null (or absent): false for anything else. *out is NULL for null. */
static bool str_or_null_member(const cJSON *obj, const char *name, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    *out = cJSON_IsString(v) ? v->valuestring : NULL;
    return !v || cJSON_IsNull(v) || cJSON_IsString(v);
}

/* True when v is a list of at most MAX_REGIONS strings. */
static bool region_list(const cJSON *v)
{
    const cJSON *r;

    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > MAX_REGIONS)
        return false;
    cJSON_ArrayForEach(r, v)
    {
        if (!cJSON_IsString(r) || !r->valuestring[0])
            return false;
    }
    return true;
}

static bool whole_number(const cJSON *v, unsigned min, unsigned max, unsigned *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
        v->valuedouble != (double)(unsigned)v->valuedouble)
        return false;
    *out = (unsigned)v->valuedouble;
    return true;
}

static int read_time(part *p, const char *name, time_t *out, ia_err *err)
{
    const char *s = str_member(p->doc->root, name);

    if (!s || !timefmt_is_datetime(s) || !timefmt_parse(s, out))
        return bad(p, err, "\"%s\" is not an ISO-8601 time", name);
    return 0;
}

/* The field of a caller that is missing or too long for the snapshot's record; NULL when none is. */
static const char *bad_caller_field(const cJSON *caller)
{
    static const struct {
        const char *name;
        size_t size;
    } fields[] = {
        {"account", sizeof(((snapshot *)0)->caller_account)},
        {"arn", sizeof(((snapshot *)0)->caller_arn)},
        {"user_id", sizeof(((snapshot *)0)->caller_user_id)},
    };

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = str_member(caller, fields[i].name);

        if (!v || strlen(v) >= fields[i].size)
            return fields[i].name;
    }
    return NULL;
}

static bool partition_name(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring[0] &&
           strlen(v->valuestring) < sizeof(((snapshot *)0)->partition);
}

/* "caller" and "partition", and the lists a merged part has when its own parts differed. */
static int read_who(part *p, ia_err *err)
{
    const cJSON *root = p->doc->root, *c;
    const char *field;

    p->caller = cJSON_GetObjectItemCaseSensitive(root, "caller");
    field = bad_caller_field(p->caller);
    if (field)
        return bad(p, err, "\"caller\" has no \"%s\" (a string that fits)", field);
    p->callers = cJSON_GetObjectItemCaseSensitive(root, "callers");
    if (p->callers && !cJSON_IsArray(p->callers))
        return bad(p, err, "\"callers\" is not a list");
    cJSON_ArrayForEach(c, p->callers)
    {
        if (bad_caller_field(c))
            return bad(p, err, "\"callers\" holds one with no \"%s\" (a string that fits)",
                       bad_caller_field(c));
    }
    p->partition = cJSON_GetObjectItemCaseSensitive(root, "partition");
    if (!partition_name(p->partition))
        return bad(p, err, "\"partition\" is not a partition name");
    p->partitions = cJSON_GetObjectItemCaseSensitive(root, "partitions");
    if (p->partitions && (!cJSON_IsArray(p->partitions) || !p->partitions->child))
        return bad(p, err, "\"partitions\" is not a list of partition names");
    cJSON_ArrayForEach(c, p->partitions)
    {
        if (!partition_name(c))
            return bad(p, err, "\"partitions\" holds something that is not a partition name");
    }
    return 0;
}

static int read_shard(part *p, ia_err *err)
{
    const cJSON *shard = cJSON_GetObjectItemCaseSensitive(p->doc->root, "shard");

    if (!shard || cJSON_IsNull(shard))
        return 0;
    if (!whole_number(cJSON_GetObjectItemCaseSensitive(shard, "count"), 1, SNAPSHOT_SHARD_MAX,
                      &p->shard_count) ||
        !whole_number(cJSON_GetObjectItemCaseSensitive(shard, "index"), 0, p->shard_count - 1,
                      &p->shard_index)) {
        p->shard_count = 0;
        return bad(p, err, "\"shard\" is not {\"index\": K, \"count\": N} with 0 <= K < N <= %d",
                   SNAPSHOT_SHARD_MAX);
    }
    return 0;
}

static int cmp_account_item(const void *pa, const void *pb)
{
    return strcmp(str_member(*(const cJSON *const *)pa, "id"), str_member(*(const cJSON *const *)pb, "id"));
}

/* Checks the "accounts" list, sorts it into p->by_id and lists the pairs the part collected. */
static int read_accounts(part *p, ia_err *err)
{
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(p->doc->root, "accounts"), *a, *r;
    size_t i = 0;

    if (!cJSON_IsArray(accounts))
        return bad(p, err, "\"accounts\" is not a list");
    p->n_accounts = (size_t)cJSON_GetArraySize(accounts);
    p->by_id = calloc(p->n_accounts ? p->n_accounts : 1, sizeof(*p->by_id));
    if (!p->by_id)
        return nomem(err);
    cJSON_ArrayForEach(a, accounts)
    {
        const char *id = str_member(a, "id"), *unused;

        if (!id || !id[0] || !str_or_null_member(a, "name", &unused) ||
            !str_or_null_member(a, "role_arn", &unused) ||
            !region_list(cJSON_GetObjectItemCaseSensitive(a, "regions")))
            return bad(
                p, err,
                "accounts[%zu] is not {\"id\": ..., \"name\": ..., \"role_arn\": ..., \"regions\": [...]}",
                i);
        if (p->shard_count && snapshot_shard_of(id, p->shard_count) != p->shard_index)
            return bad(p, err,
                       "account %s is not in shard %u/%u, which the snapshot says it is (its id hashes to "
                       "shard %u)",
                       id, p->shard_index, p->shard_count, snapshot_shard_of(id, p->shard_count));
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "regions"))
        {
            if (pairs_add(&p->collected, id, r->valuestring, p->index, err) != 0)
                return -1;
        }
        p->by_id[i++] = a;
    }
    if (p->n_accounts)
        qsort(p->by_id, p->n_accounts, sizeof(*p->by_id), cmp_account_item);
    for (i = 1; i < p->n_accounts; i++) {
        if (cmp_account_item(&p->by_id[i - 1], &p->by_id[i]) == 0)
            return bad(p, err, "account %s is listed twice in \"accounts\"", str_member(p->by_id[i], "id"));
    }
    pairs_sort(&p->collected);
    for (i = 1; i < p->collected.n; i++) {
        if (cmp_pair(&p->collected.v[i - 1], &p->collected.v[i]) == 0)
            return bad(p, err, "account %s lists region %s twice", p->collected.v[i].account,
                       p->collected.v[i].region);
    }
    return 0;
}

static int read_meta(part *p, ia_err *err)
{
    const cJSON *root = p->doc->root, *complete = cJSON_GetObjectItemCaseSensitive(root, "complete");

    if (read_time(p, "started_at", &p->started_at, err) != 0 ||
        read_time(p, "finished_at", &p->finished_at, err) != 0)
        return -1;
    if (!cJSON_IsBool(complete))
        return bad(p, err, "\"complete\" is not true or false");
    p->complete = cJSON_IsTrue(complete);
    if (read_who(p, err) != 0)
        return -1;
    p->regions = cJSON_GetObjectItemCaseSensitive(root, "regions");
    if (!region_list(p->regions))
        return bad(p, err, "\"regions\" is not a list of at most %d region names", MAX_REGIONS);
    return read_shard(p, err) != 0 ? -1 : read_accounts(p, err);
}

/* Every resource and error lies in what its part says it collected, so that the overlap check sees all. */
static int check_within(const part *p, ia_err *err)
{
    const cJSON *e;
    size_t i = 0;

    for (i = 0; i < p->doc->n_resources; i++) {
        const snap_resource *r = &p->doc->resources[i];

        if (!pairs_find(&p->collected, r->account, r->region))
            return bad(p, err, "resources[%zu] (%s/%s) lies outside the accounts and regions it lists", i,
                       r->account, r->region);
    }
    i = 0;
    cJSON_ArrayForEach(e, p->doc->errors)
    {
        const char *account, *region, *resource;
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "http_status");

        if (!str_or_null_member(e, "account", &account) || !str_or_null_member(e, "region", &region) ||
            !str_or_null_member(e, "resource", &resource) || !str_member(e, "service") ||
            !str_member(e, "operation") || !str_member(e, "code") || !str_member(e, "message") ||
            (status && !cJSON_IsNull(status) && !cJSON_IsNumber(status)))
            return bad(p, err, "errors[%zu] is not an error as the collector writes them", i);
        if (account && !pairs_find(&p->collected, account, region))
            return bad(p, err, "errors[%zu] (%s/%s) lies outside the accounts and regions it lists", i,
                       account, region ? region : "any region");
        i++;
    }
    return 0;
}

/* ---- adding one part ---- */

/* Appends a copy of s to v[0..*n) unless there (when unique). 0 or -1 (out of memory). */
static int strings_add(char ***v, size_t *n, const char *s, bool unique)
{
    char **grown;

    for (size_t i = 0; unique && i < *n; i++) {
        if (strcmp((*v)[i], s) == 0)
            return 0;
    }
    grown = realloc(*v, (*n + 1) * sizeof(**v));
    if (!grown)
        return -1;
    *v = grown;
    grown[*n] = str_dup(s);
    if (!grown[*n])
        return -1;
    (*n)++;
    return 0;
}

/*
 * Adds the part's accounts to out as they are, and their pairs to m->all
 * (borrowing out's strings). An account that several parts collected (in
 * different regions) is one entry each until combine_accounts.
 */
static int add_accounts(merge *m, const part *p, ia_err *err)
{
    snapshot *out = m->out;

    for (size_t i = 0; i < p->n_accounts; i++) {
        const cJSON *a = p->by_id[i], *r;
        const char *name, *role_arn;
        snap_account *acc;

        str_or_null_member(a, "name", &name);
        str_or_null_member(a, "role_arn", &role_arn);
        if (snapshot_add_account(out, str_member(a, "id"), name, role_arn, NULL, 0, err) != 0)
            return -1;
        acc = &out->accounts[out->n_accounts - 1];
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "regions"))
        {
            if (strings_add(&acc->regions, &acc->n_regions, r->valuestring, false) != 0)
                return nomem(err);
            if (pairs_add(&m->all, acc->id, acc->regions[acc->n_regions - 1], p->index, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* Moves the part's resources into out (their data detached from the part's document) and copies its errors.
 */
static int add_findings(merge *m, part *p, ia_err *err)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(p->doc->root, "resources")->child;
    const cJSON *e;

    for (size_t i = 0; i < p->doc->n_resources; i++, item = item->next) {
        const snap_resource *r = &p->doc->resources[i];
        cJSON *data = cJSON_DetachItemFromObjectCaseSensitive(item, "data");

        if (snapshot_add_resource_named(m->out, r->type, r->account, r->region, r->id, data, err) != 0)
            return -1;
    }
    cJSON_ArrayForEach(e, p->doc->errors)
    {
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(e, "http_status");
        const char *account, *region, *resource;

        str_or_null_member(e, "account", &account);
        str_or_null_member(e, "region", &region);
        str_or_null_member(e, "resource", &resource);
        if (snapshot_add_error_record(m->out, account, region, str_member(e, "service"),
                                      str_member(e, "operation"), resource, str_member(e, "code"),
                                      str_member(e, "message"),
                                      cJSON_IsNumber(status) ? (long)status->valuedouble : 0, err) != 0)
            return -1;
    }
    return 0;
}

/* A copy of item added to list unless an equal one is there; the one in the list (borrowed), NULL on failure.
 */
static const cJSON *distinct_add(cJSON *list, const cJSON *item)
{
    cJSON *have, *copy;

    cJSON_ArrayForEach(have, list)
    {
        if (cJSON_Compare(have, item, true))
            return have;
    }
    copy = cJSON_Duplicate(item, true);
    if (!copy || !cJSON_AddItemToArray(list, copy)) {
        cJSON_Delete(copy);
        return NULL;
    }
    return copy;
}

/* Records the part in its split (one caller, partition and N). */
static int add_to_split(merge *m, const part *p, ia_err *err)
{
    const char *caller = str_member(p->caller, "account"), *partition = p->partition->valuestring;
    split *s = NULL;

    for (size_t i = 0; i < m->n_splits && !s; i++) {
        if (m->splits[i].count == p->shard_count && strcmp(m->splits[i].caller, caller) == 0 &&
            strcmp(m->splits[i].partition, partition) == 0)
            s = &m->splits[i];
    }
    if (!s) {
        split *grown = realloc(m->splits, (m->n_splits + 1) * sizeof(*grown));

        if (!grown)
            return nomem(err);
        m->splits = grown;
        s = &m->splits[m->n_splits];
        memset(s, 0, sizeof(*s));
        str_copy(s->caller, sizeof(s->caller), caller);
        str_copy(s->partition, sizeof(s->partition), partition);
        s->count = p->shard_count;
        s->first_part = p->index;
        s->part_of = calloc(p->shard_count, sizeof(*s->part_of));
        if (!s->part_of)
            return nomem(err);
        m->n_splits++;
    }
    /* Two parts of one shard are two collections split alike (one per OU, say): both count as present. */
    if (!s->part_of[p->shard_index])
        s->part_of[p->shard_index] = p->index + 1;
    return 0;
}

/* Adds the part's caller and partition to m's distinct ones; a merged part's lists stand for its parts. */
static int add_who(merge *m, const part *p, ia_err *err)
{
    const cJSON *c;

    if (!distinct_add(m->callers, p->caller))
        return nomem(err);
    cJSON_ArrayForEach(c, p->callers)
    {
        if (!distinct_add(m->callers, c))
            return nomem(err);
    }
    /* A merged part's "partition" is "mixed" when it has a list: the list says what it stands for. */
    if (!p->partitions && !distinct_add(m->partitions, p->partition))
        return nomem(err);
    cJSON_ArrayForEach(c, p->partitions)
    {
        if (!distinct_add(m->partitions, c))
            return nomem(err);
    }
    return 0;
}

/* The entry of list whose "id" is id (borrowed), or NULL. */
static cJSON *find_by_id(const cJSON *list, const char *id)
{
    cJSON *item;

    cJSON_ArrayForEach(item, list)
    {
        if (strcmp(str_member(item, "id"), id) == 0)
            return item;
    }
    return NULL;
}

/* Appends a copy of every item of from to to. */
static int append_copies(cJSON *to, const cJSON *from, ia_err *err)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, from)
    {
        cJSON *copy = cJSON_Duplicate(item, true);

        if (!copy || !cJSON_AddItemToArray(to, copy)) {
            cJSON_Delete(copy);
            return nomem(err);
        }
    }
    return 0;
}

/*
 * Unions the part's "organizations" (checked by the reader) into out's: by
 * Organization id, its management_account the first part's; members by
 * account id, the first part's name and state kept; org_units unioned, or
 * none (the whole Organization was collected) when a part recorded none.
 */
static int add_organizations(merge *m, const part *p, ia_err *err)
{
    const cJSON *orgs = cJSON_GetObjectItemCaseSensitive(p->doc->root, "organizations"), *org;

    if (!orgs)
        return 0;
    if (!m->out->organizations) {
        m->out->organizations = cJSON_CreateArray();
        if (!m->out->organizations)
            return nomem(err);
    }
    cJSON_ArrayForEach(org, orgs)
    {
        cJSON *have = find_by_id(m->out->organizations, str_member(org, "id")), *units;
        const cJSON *more = cJSON_GetObjectItemCaseSensitive(org, "org_units");

        /* The shards of one collection each record the same Organization: nothing to union. */
        if (have && cJSON_Compare(have, org, true))
            continue;
        if (!have) {
            cJSON *copy = cJSON_Duplicate(org, true);

            if (!copy || !cJSON_AddItemToArray(m->out->organizations, copy)) {
                cJSON_Delete(copy);
                return nomem(err);
            }
            continue;
        }
        if (append_copies(cJSON_GetObjectItemCaseSensitive(have, "accounts"),
                          cJSON_GetObjectItemCaseSensitive(org, "accounts"), err) != 0)
            return -1;
        units = cJSON_GetObjectItemCaseSensitive(have, "org_units");
        if (units && !more)
            cJSON_DeleteItemFromObjectCaseSensitive(have, "org_units");
        else if (units && append_copies(units, more, err) != 0)
            return -1;
    }
    /* Sorting keeps the first of equal ids: the earlier part's member. */
    return snapshot_sort_organizations(m->out->organizations) != 0 ? nomem(err) : 0;
}

static int add_part(merge *m, part *p, ia_err *err)
{
    snapshot *out = m->out;
    const cJSON *r;

    if (p->index == 0 || p->started_at < out->started_at)
        out->started_at = p->started_at;
    if (p->index == 0 || p->finished_at > out->finished_at)
        out->finished_at = p->finished_at;
    if (!p->complete)
        out->parts_incomplete = true;
    if (add_who(m, p, err) != 0)
        return -1;
    if (p->index == 0) {
        str_copy(out->caller_account, sizeof(out->caller_account), str_member(p->caller, "account"));
        str_copy(out->caller_arn, sizeof(out->caller_arn), str_member(p->caller, "arn"));
        str_copy(out->caller_user_id, sizeof(out->caller_user_id), str_member(p->caller, "user_id"));
    }
    cJSON_ArrayForEach(r, p->regions)
    {
        if (strings_add(&out->regions, &out->n_regions, r->valuestring, true) != 0)
            return nomem(err);
    }
    if (out->n_regions > MAX_REGIONS)
        return bad(p, err, "the snapshots list more than %d regions between them", MAX_REGIONS);
    if ((p->shard_count && add_to_split(m, p, err) != 0) || add_organizations(m, p, err) != 0)
        return -1;
    return add_accounts(m, p, err) != 0 ? -1 : add_findings(m, p, err);
}

static void part_clean_up(part *p)
{
    snapshot_doc_free(p->doc);
    free(p->by_id);
    free(p->collected.v);
    memset(p, 0, sizeof(*p));
}

/* ---- after the last part ---- */

static int cmp_pair_then_part(const void *pa, const void *pb)
{
    const pair *a = pa, *b = pb;
    int c = cmp_pair(a, b);

    return c ? c : (a->part > b->part) - (a->part < b->part);
}

/*
 * Refuses an (account, region) pair that two parts collected, naming the
 * later part and the earlier one. Checked once over every pair (each part
 * lists its own once), not part by part, so that a thousand shards cost one
 * sort.
 */
static int check_overlaps(merge *m, ia_err *err)
{
    const pair *v = m->all.v;

    if (m->all.n)
        qsort(m->all.v, m->all.n, sizeof(*m->all.v), cmp_pair_then_part);
    for (size_t i = 1; i < m->all.n; i++) {
        if (cmp_pair(&v[i - 1], &v[i]) == 0)
            return err_set_at(
                err, m->paths[v[i].part], 0, 0,
                "account %s, region %s is in %s too: the snapshots overlap (was it collected twice?)",
                v[i].account, v[i].region, m->paths[v[i - 1].part]);
    }
    return 0;
}

/* An account entry and where it stood among out's, which is part order. */
typedef struct placed_account {
    snap_account a;
    size_t at;
} placed_account;

static int cmp_placed(const void *pa, const void *pb)
{
    const placed_account *a = pa, *b = pb;
    int c = strcmp(a->a.id, b->a.id);

    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/*
 * Sorts out's accounts by id and makes one entry of an account that several
 * parts collected: its regions in part order, the first name and role_arn
 * given. The entries folded in are freed (their region strings move).
 */
static int combine_accounts(snapshot *out, ia_err *err)
{
    placed_account *v = calloc(out->n_accounts ? out->n_accounts : 1, sizeof(*v));
    size_t kept = 0;

    if (!v)
        return nomem(err);
    for (size_t i = 0; i < out->n_accounts; i++)
        v[i] = (placed_account){out->accounts[i], i};
    if (out->n_accounts)
        qsort(v, out->n_accounts, sizeof(*v), cmp_placed);
    for (size_t i = 0; i < out->n_accounts; i++) {
        snap_account *keep, *fold = &v[i].a;
        char **regions;

        if (kept == 0 || strcmp(out->accounts[kept - 1].id, fold->id) != 0) {
            out->accounts[kept++] = *fold;
            continue;
        }
        keep = &out->accounts[kept - 1];
        regions = realloc(keep->regions, (keep->n_regions + fold->n_regions) * sizeof(*regions));
        if (!regions) {
            /* What is not placed yet stays in v: put it back so that snapshot_clean_up frees it. */
            for (size_t j = i; j < out->n_accounts; j++)
                out->accounts[kept++] = v[j].a;
            free(v);
            return nomem(err);
        }
        memcpy(regions + keep->n_regions, fold->regions, fold->n_regions * sizeof(*regions));
        keep->regions = regions;
        keep->n_regions += fold->n_regions;
        if (!keep->name) {
            keep->name = fold->name;
            fold->name = NULL;
        }
        if (!keep->role_arn) {
            keep->role_arn = fold->role_arn;
            fold->role_arn = NULL;
        }
        free(fold->id);
        free(fold->name);
        free(fold->role_arn);
        free(fold->regions);
    }
    out->n_accounts = kept;
    free(v);
    return 0;
}

/* "2, 4-5": the shards of s no part holds, into out. How many there are. */
static unsigned missing_shards(const split *s, char *out, size_t size)
{
    unsigned n = 0;
    size_t len = 0;

    out[0] = '\0';
    for (unsigned k = 0; k < s->count; k++) {
        unsigned last = k;

        if (s->part_of[k])
            continue;
        while (last + 1 < s->count && !s->part_of[last + 1])
            last++;
        n += last - k + 1;
        if (len < size) {
            int w = last == k ? snprintf(out + len, size - len, "%s%u", len ? ", " : "", k)
                              : snprintf(out + len, size - len, "%s%u-%u", len ? ", " : "", k, last);

            len += w > 0 ? (size_t)w : 0;
        }
        k = last;
    }
    return n;
}

/* A lost shard job leaves accounts unaudited: said on stderr, and kept in the snapshot's errors. */
static int report_missing_shards(merge *m, ia_err *err)
{
    for (size_t i = 0; i < m->n_splits; i++) {
        const split *s = &m->splits[i];
        char list[512], msg[768], which[640];
        unsigned n = missing_shards(s, list, sizeof(list));

        if (!n)
            continue;
        snprintf(
            msg, sizeof(msg),
            "%s %s of %u %s missing from the split %s belongs to (caller %s, partition %s): the accounts "
            "%s hold%s were not audited",
            n == 1 ? "shard" : "shards", list, s->count, n == 1 ? "is" : "are", m->paths[s->first_part],
            s->caller, s->partition, n == 1 ? "it" : "they", n == 1 ? "s" : "");
        log_warn("%s", msg);
        /* The resource names the split, so that the writer does not take two splits' errors for one. */
        snprintf(which, sizeof(which), "%s %s/%u (caller %s, partition %s)", n == 1 ? "shard" : "shards",
                 list, s->count, s->caller, s->partition);
        if (snapshot_add_error_record(m->out, NULL, NULL, "imgaudit", "merge", which, "ShardMissing", msg, 0,
                                      err) != 0)
            return -1;
    }
    return 0;
}

static int cmp_string_item(const void *pa, const void *pb)
{
    return strcmp((*(const cJSON *const *)pa)->valuestring, (*(const cJSON *const *)pb)->valuestring);
}

static int cmp_caller_item(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
    int c = strcmp(str_member(a, "account"), str_member(b, "account"));

    if (!c)
        c = strcmp(str_member(a, "arn"), str_member(b, "arn"));
    return c ? c : strcmp(str_member(a, "user_id"), str_member(b, "user_id"));
}

/* *list sorted by cmp when it has two items or more; else NULL (the parts agree: nothing to list). */
static int keep_if_several(cJSON **list, int (*cmp)(const void *, const void *), ia_err *err)
{
    size_t n = (size_t)cJSON_GetArraySize(*list), i = 0;
    cJSON **items, *item;

    if (n < 2) {
        cJSON_Delete(*list);
        *list = NULL;
        return 0;
    }
    items = calloc(n, sizeof(*items));
    if (!items)
        return nomem(err);
    while ((item = cJSON_DetachItemFromArray(*list, 0)) != NULL)
        items[i++] = item;
    qsort(items, n, sizeof(*items), cmp);
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(*list, items[i]);
    free(items);
    return 0;
}

/* What the parts' metadata comes to, once all are in. */
static int finish(merge *m, ia_err *err)
{
    snapshot *out = m->out;
    const cJSON *only = cJSON_GetArraySize(m->partitions) == 1 ? m->partitions->child : NULL;

    /* One partition: the parts' own (a merged part's list may name just one); several: "mixed", and the list.
     */
    str_copy(out->partition, sizeof(out->partition), only ? only->valuestring : "mixed");
    if (check_overlaps(m, err) != 0 || combine_accounts(out, err) != 0 ||
        report_missing_shards(m, err) != 0 || keep_if_several(&m->callers, cmp_caller_item, err) != 0 ||
        keep_if_several(&m->partitions, cmp_string_item, err) != 0)
        return -1;
    out->callers = m->callers;
    out->partitions = m->partitions;
    m->callers = m->partitions = NULL;
    return 0;
}

int snapshot_merge(const char *const *paths, size_t n, snapshot *out, ia_err *err)
{
    merge m = {paths, out, {0}, cJSON_CreateArray(), cJSON_CreateArray(), NULL, 0};
    part p = {0};
    int rc = -1;

    if (n == 0) {
        err_set(err, IA_ERR_USAGE, "no snapshot to merge");
        goto out;
    }
    if (!m.callers || !m.partitions) {
        nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        p.path = paths[i];
        p.index = i;
        if (snapshot_doc_read(paths[i], &p.doc, err) != 0 || read_meta(&p, err) != 0 ||
            check_within(&p, err) != 0 || add_part(&m, &p, err) != 0)
            goto out;
        part_clean_up(&p);
    }
    rc = finish(&m, err);
out:
    part_clean_up(&p);
    for (size_t i = 0; i < m.n_splits; i++)
        free(m.splits[i].part_of);
    free(m.splits);
    free(m.all.v);
    cJSON_Delete(m.callers);
    cJSON_Delete(m.partitions);
    return rc;
}
