#include "report/baseline.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/tally.h"
#include "util/jsonfile.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* A previous run's results, parsed whole (about 5 times the file in memory, at most JSON_PARSE_RATIO times:
 * util/jsonfile.h): 256 MiB is some 800,000 results. */
#define BASELINE_MAX ((size_t)256 * 1024 * 1024)
#define TIME_MAX     31 /* longest ISO-8601 time kept; results.evaluated_at holds 32 bytes */

/* A failure of the baseline run; every string borrowed from the parsed document. */
typedef struct old_failure {
    const char *rule, *type, *id, *account, *region, *message, *first_seen;
    int seen; /* this run has a failure or a waived result under the same key */
} old_failure;

typedef struct baseline {
    old_failure *fails;
    size_t n_fails;
    size_t *slots; /* open addressing: index + 1 into fails, 0 when empty */
    size_t n_slots;
    char default_time[TIME_MAX + 1]; /* for baseline failures without first_seen */
} baseline;

struct baseline_doc {
    cJSON *root; /* owned */
    baseline b;  /* strings borrowed from root */
};

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* FNV-1a over the key's parts, each followed by a unit separator so that "a"+"bc" differs from "ab"+"c". */
static uint64_t key_hash(const char *rule, const char *type, const char *account, const char *region,
                         const char *id)
{
    const char *parts[] = {rule, type, account, region, id};
    uint64_t h = 14695981039346656037u;

    for (size_t p = 0; p < 5; p++) {
        for (const unsigned char *c = (const unsigned char *)or_empty(parts[p]); *c; c++)
            h = (h ^ *c) * 1099511628211u;
        h = (h ^ 0x1f) * 1099511628211u;
    }
    return h;
}

static int key_equal(const old_failure *f, const char *rule, const char *type, const char *account,
                     const char *region, const char *id)
{
    return strcmp(or_empty(f->rule), or_empty(rule)) == 0 && strcmp(or_empty(f->type), or_empty(type)) == 0 &&
           strcmp(or_empty(f->account), or_empty(account)) == 0 &&
           strcmp(or_empty(f->region), or_empty(region)) == 0 && strcmp(or_empty(f->id), or_empty(id)) == 0;
}

/* The baseline failure with this key, or NULL. */
static old_failure *lookup(const baseline *b, const char *rule, const char *type, const char *account,
                           const char *region, const char *id)
{
    size_t mask = b->n_slots - 1, i = (size_t)key_hash(rule, type, account, region, id) & mask;

    for (; b->slots[i]; i = (i + 1) & mask) {
        old_failure *f = &b->fails[b->slots[i] - 1];

        if (key_equal(f, rule, type, account, region, id))
            return f;
    }
    return NULL;
}

/* Adds fails[idx] unless its key is there already (a duplicate in the document: the first wins). */
static void insert(baseline *b, size_t idx)
{
    const old_failure *f = &b->fails[idx];
    size_t mask = b->n_slots - 1, i = (size_t)key_hash(f->rule, f->type, f->account, f->region, f->id) & mask;

    for (; b->slots[i]; i = (i + 1) & mask) {
        if (key_equal(&b->fails[b->slots[i] - 1], f->rule, f->type, f->account, f->region, f->id))
            return;
    }
    b->slots[i] = idx + 1;
}

/* A timestamp with a time of day (util/timefmt's grammar) that fits the results' ISO-8601 fields. */
static bool is_iso_time(const char *s)
{
    return strlen(s) <= TIME_MAX && timefmt_is_datetime(s);
}

/* A string member, or NULL when absent or null; -1 (with err set) when it is there but not a string. */
static int opt_string(const cJSON *obj, const char *key, const char *path, size_t idx, const char **out,
                      ia_err *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item))
        return err_set_at(err, path, 0, 0, "results[%zu].%s must be a string", idx, key);
    *out = item->valuestring;
    return 0;
}

static int req_string(const cJSON *obj, const char *key, const char *path, size_t idx, const char **out,
                      ia_err *err)
{
    if (opt_string(obj, key, path, idx, out, err) != 0)
        return -1;
    if (!*out)
        return err_set_at(err, path, 0, 0, "results[%zu] has no \"%s\"", idx, key);
    return 0;
}

static void clock_now(char out[TIME_MAX + 1])
{
    char iso[TIMEFMT_ISO_SIZE];

    timefmt_iso(time(NULL), iso);
    str_copy(out, TIME_MAX + 1, iso);
}

/* The baseline run's own time: evaluated_at, else run.finished_at, else none (""). */
static int baseline_time(const cJSON *root, const char *path, char out[TIME_MAX + 1], ia_err *err)
{
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(root, "run");
    const char *t = tally_json_str(root, "evaluated_at");
    const char *field = "evaluated_at";

    if (!t) {
        t = tally_json_str(run, "finished_at");
        field = "run.finished_at";
    }
    out[0] = '\0';
    if (!t)
        return 0;
    if (!is_iso_time(t))
        return err_set_at(err, path, 0, 0, "%s is not an ISO-8601 time", field);
    str_copy(out, TIME_MAX + 1, t);
    return 0;
}

/* Reads the document's failures into b; validates every entry, so that nothing is applied from a bad file. */
static int load_failures(const cJSON *root, const char *path, baseline *b, ia_err *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "results"), *item;
    const char *schema = tally_json_str(root, "schema");
    size_t n = 0, idx = 0;

    if (schema && strcmp(schema, "imgaudit.results") != 0)
        return err_set_at(err, path, 0, 0,
                          "is an %s document, not a previous run's results (imgaudit.results)", schema);
    if (!cJSON_IsArray(list))
        return err_set_at(err, path, 0, 0, "not a results document: no \"results\" array");
    n = (size_t)cJSON_GetArraySize(list);
    b->fails = calloc(n ? n : 1, sizeof(*b->fails));
    if (!b->fails)
        return err_set(err, IA_ERR_NOMEM, "out of memory reading the baseline");
    cJSON_ArrayForEach(item, list)
    {
        old_failure f;
        const char *status;

        memset(&f, 0, sizeof(f));
        if (!cJSON_IsObject(item))
            return err_set_at(err, path, 0, 0, "results[%zu] is not an object", idx);
        if (req_string(item, "rule", path, idx, &f.rule, err) != 0 ||
            req_string(item, "resource_id", path, idx, &f.id, err) != 0 ||
            req_string(item, "status", path, idx, &status, err) != 0 ||
            opt_string(item, "resource_type", path, idx, &f.type, err) != 0 ||
            opt_string(item, "account", path, idx, &f.account, err) != 0 ||
            opt_string(item, "region", path, idx, &f.region, err) != 0 ||
            opt_string(item, "message", path, idx, &f.message, err) != 0 ||
            opt_string(item, "first_seen", path, idx, &f.first_seen, err) != 0)
            return -1;
        if (strcmp(status, "pass") != 0 && strcmp(status, "fail") != 0 && strcmp(status, "waived") != 0)
            return err_set_at(err, path, 0, 0, "results[%zu].status is \"%.40s\", not pass, fail or waived",
                              idx, status);
        if (f.first_seen && !is_iso_time(f.first_seen))
            return err_set_at(err, path, 0, 0, "results[%zu].first_seen is not an ISO-8601 time", idx);
        if (strcmp(status, "fail") == 0)
            b->fails[b->n_fails++] = f;
        idx++;
    }
    /* At most half full, so probes stay short. */
    for (b->n_slots = 16; b->n_slots < 2 * b->n_fails; b->n_slots *= 2)
        ;
    b->slots = calloc(b->n_slots, sizeof(*b->slots));
    if (!b->slots)
        return err_set(err, IA_ERR_NOMEM, "out of memory reading the baseline");
    for (size_t i = 0; i < b->n_fails; i++)
        insert(b, i);
    return 0;
}

/* A place a collection error covers: a region of an account, or (region NULL) all of it. */
typedef struct error_place {
    const char *account, *region; /* borrowed from the results' errors */
} error_place;

/* What rechecked asks of the run, sorted once so that each baseline failure costs a few binary searches. */
typedef struct run_index {
    const char **rules; /* the loaded rules' ids, sorted; the strings borrowed */
    size_t n_rules;
    error_place *errors; /* sorted by account, then region with NULL first */
    size_t n_errors;
} run_index;

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_place(const void *a, const void *b)
{
    const error_place *x = a, *y = b;
    int c = strcmp(x->account, y->account);

    if (c || x->region == y->region)
        return c;
    if (!x->region || !y->region)
        return x->region ? 1 : -1;
    return strcmp(x->region, y->region);
}

static void run_index_free(run_index *ix)
{
    free(ix->rules);
    free(ix->errors);
}

static int run_index_build(const results *r, run_index *ix, ia_err *err)
{
    const cJSON *e;

    memset(ix, 0, sizeof(*ix));
    ix->rules = malloc((r->n_rules ? r->n_rules : 1) * sizeof(*ix->rules));
    ix->errors = malloc(((size_t)cJSON_GetArraySize(r->errors) + 1) * sizeof(*ix->errors));
    if (!ix->rules || !ix->errors)
        return err_set(err, IA_ERR_NOMEM, "out of memory applying the baseline");
    for (size_t i = 0; i < r->n_rules; i++) {
        if (r->rules[i].id)
            ix->rules[ix->n_rules++] = r->rules[i].id;
    }
    /* An error without an account (Organizations, say) does not hide an account this run did read. */
    cJSON_ArrayForEach(e, r->errors)
    {
        const char *account = tally_json_str(e, "account");

        if (account)
            ix->errors[ix->n_errors++] = (error_place){account, tally_json_str(e, "region")};
    }
    if (ix->n_rules)
        qsort(ix->rules, ix->n_rules, sizeof(*ix->rules), cmp_str_ptr);
    if (ix->n_errors)
        qsort(ix->errors, ix->n_errors, sizeof(*ix->errors), cmp_place);
    return 0;
}

static bool error_covers(const run_index *ix, const char *account, const char *region)
{
    error_place whole = {account, NULL}, one = {account, region};

    if (!ix->n_errors)
        return false;
    return bsearch(&whole, ix->errors, ix->n_errors, sizeof(whole), cmp_place) ||
           (region && bsearch(&one, ix->errors, ix->n_errors, sizeof(one), cmp_place));
}

/* Whether the account's entry in the snapshot lists region (an account listed without regions, or not
 * listed at all, as in a hand-made snapshot: its resources are what was read). */
static bool region_collected(const tally_account *a, const char *region)
{
    const cJSON *item;

    if (!a->regions)
        return true;
    cJSON_ArrayForEach(item, a->regions)
    {
        if (cJSON_IsString(item) && region && strcmp(item->valuestring, region) == 0)
            return true;
    }
    return false;
}

/*
 * Whether this run looked again at what the baseline failure was about: its
 * rule was loaded, its account audited, its region collected for that
 * account, and no collection error covers the place. Only then can its
 * absence mean it was resolved.
 */
static bool rechecked(const run_index *ix, const tally *t, const old_failure *f)
{
    long a = f->account ? tally_account_index(t, f->account) : -1;

    return a >= 0 && f->rule &&
           bsearch(&f->rule, ix->rules, ix->n_rules, sizeof(*ix->rules), cmp_str_ptr) != NULL &&
           region_collected(&t->accounts[a], f->region) && !error_covers(ix, f->account, f->region);
}

static void free_resolved(resolved_failure *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].rule);
        free(list[i].resource_type);
        free(list[i].resource_id);
        free(list[i].account);
        free(list[i].region);
        free(list[i].message);
        free(list[i].first_seen);
    }
    free(list);
}

static int copy_resolved(resolved_failure *out, const old_failure *f, const char *default_time)
{
    memset(out, 0, sizeof(*out));
    out->rule = str_dup(or_empty(f->rule));
    out->resource_type = str_dup(or_empty(f->type));
    out->resource_id = str_dup(or_empty(f->id));
    out->account = str_dup(or_empty(f->account));
    out->region = str_dup(or_empty(f->region));
    out->message = str_dup(or_empty(f->message));
    out->first_seen = str_dup(f->first_seen ? f->first_seen : default_time);
    return out->rule && out->resource_type && out->resource_id && out->account && out->region &&
                   out->message && out->first_seen
               ? 0
               : -1;
}

/* Checks the document root, read from path, and reads its failures into b (strings borrowed from root). */
static int load_doc(const cJSON *root, const char *path, baseline *b, ia_err *err)
{
    if (!cJSON_IsObject(root))
        return err_set_at(err, path, 0, 0, "not a results document: the top level is not an object");
    if (baseline_time(root, path, b->default_time, err) != 0 || load_failures(root, path, b, err) != 0)
        return -1;
    return 0;
}

int baseline_apply_doc(results *r, baseline_doc *doc, ia_err *err)
{
    baseline *b = &doc->b;
    char default_time[TIME_MAX + 1];
    tally t;
    run_index ix;
    char now[TIME_MAX + 1];
    char **first_seen = NULL;
    result_change *change = NULL;
    resolved_failure *resolved = NULL;
    size_t n_resolved = 0, unchecked = 0;
    int rc = -1;

    memset(&t, 0, sizeof(t));
    memset(&ix, 0, sizeof(ix));
    if (tally_compute(r, &t, err) != 0 || run_index_build(r, &ix, err) != 0)
        goto out;
    if (r->evaluated_at[0] && is_iso_time(r->evaluated_at))
        str_copy(now, sizeof(now), r->evaluated_at);
    else
        clock_now(now);
    str_copy(default_time, sizeof(default_time), b->default_time[0] ? b->default_time : now);
    for (size_t i = 0; i < b->n_fails; i++)
        b->fails[i].seen = 0;

    /* Everything is computed aside first, so that r is changed only when nothing can fail any more. */
    first_seen = calloc(r->n_items ? r->n_items : 1, sizeof(*first_seen));
    change = calloc(r->n_items ? r->n_items : 1, sizeof(*change));
    resolved = calloc(b->n_fails ? b->n_fails : 1, sizeof(*resolved));
    if (!first_seen || !change || !resolved) {
        err_set(err, IA_ERR_NOMEM, "out of memory applying the baseline");
        goto out;
    }
    for (size_t i = 0; i < r->n_items; i++) {
        const result *it = &r->items[i];
        const snap_resource *res = &r->resources[it->resource];
        old_failure *f;

        if (it->status == RESULT_PASS)
            continue;
        f = lookup(b, r->rules[it->rule].id, res->type, res->account, res->region, res->id);
        if (f)
            f->seen = 1;
        if (it->status != RESULT_FAIL)
            continue;
        change[i] = f ? CHANGE_EXISTING : CHANGE_NEW;
        first_seen[i] = str_dup(f ? (f->first_seen ? f->first_seen : default_time) : now);
        if (!first_seen[i]) {
            err_set(err, IA_ERR_NOMEM, "out of memory applying the baseline");
            goto out;
        }
    }
    for (size_t i = 0; i < b->n_fails; i++) {
        const old_failure *f = &b->fails[i];

        /* A duplicate key in the baseline is listed once: only the entry in the table counts. */
        if (f->seen || lookup(b, f->rule, f->type, f->account, f->region, f->id) != f)
            continue;
        if (!rechecked(&ix, &t, f)) {
            unchecked++;
            continue;
        }
        if (copy_resolved(&resolved[n_resolved++], f, default_time) != 0) {
            err_set(err, IA_ERR_NOMEM, "out of memory applying the baseline");
            goto out;
        }
    }
    if (unchecked)
        log_info("baseline: %zu earlier failure%s in accounts or regions this run could not read are neither "
                 "resolved nor new",
                 unchecked, unchecked == 1 ? "" : "s");

    for (size_t i = 0; i < r->n_items; i++) {
        free(r->items[i].first_seen);
        r->items[i].first_seen = first_seen[i];
        r->items[i].change = change[i];
    }
    free_resolved(r->resolved, r->n_resolved);
    r->resolved = resolved;
    r->n_resolved = n_resolved;
    r->has_baseline = 1;
    resolved = NULL;
    n_resolved = 0;
    free(first_seen);
    first_seen = NULL;
    rc = 0;
out:
    for (size_t i = 0; first_seen && i < r->n_items; i++)
        free(first_seen[i]);
    free(first_seen);
    free(change);
    free_resolved(resolved, n_resolved);
    tally_free(&t);
    run_index_free(&ix);
    return rc;
}

/* Takes root (owned, deleted on failure): checks it, read from path, and loads its failures. */
static int doc_load(cJSON *root, const char *path, baseline_doc **out, ia_err *err)
{
    baseline_doc *doc = calloc(1, sizeof(*doc));

    *out = NULL;
    if (!doc) {
        cJSON_Delete(root);
        return err_set(err, IA_ERR_NOMEM, "out of memory reading the baseline");
    }
    doc->root = root;
    if (load_doc(root, path, &doc->b, err) != 0) {
        baseline_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

int baseline_read(const char *path, baseline_doc **out, ia_err *err)
{
    cJSON *root;

    *out = NULL;
    /* A baseline that cannot be read is bad input (exit 2), like a missing snapshot. */
    if (json_read_file(path, BASELINE_MAX, "a results document", &root, err) != 0)
        return -1;
    return doc_load(root, path, out, err);
}

void baseline_free(baseline_doc *doc)
{
    if (!doc)
        return;
    free(doc->b.fails);
    free(doc->b.slots);
    cJSON_Delete(doc->root);
    free(doc);
}

int baseline_apply(results *r, const char *path, ia_err *err)
{
    baseline_doc *doc;
    int rc;

    if (baseline_read(path, &doc, err) != 0)
        return -1;
    rc = baseline_apply_doc(r, doc, err);
    baseline_free(doc);
    return rc;
}

int baseline_apply_text(results *r, const char *name, const char *text, size_t len, ia_err *err)
{
    cJSON *root;
    baseline_doc *doc;
    int rc;

    if (json_parse_text(name, text, len, "a results document", &root, err) != 0 ||
        doc_load(root, name, &doc, err) != 0)
        return -1;
    rc = baseline_apply_doc(r, doc, err);
    baseline_free(doc);
    return rc;
}
