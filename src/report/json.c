#include "report/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report/finding.h"
#include "report/sharing.h"
#include "report/tally.h"
#include "util/fileio.h"
#include "version.h"

/* Serialising one value at a time into a reused buffer; a value that does not fit is printed by malloc. */
#define SCRATCH_BYTES 65536

typedef struct jw {
    FILE *fp;
    char *scratch; /* owned */
    int io_failed;
    int nomem;
    int members;    /* members written so far in the top-level object */
    const tally *t; /* borrowed: account names */
    finding_hasher ids;
} jw;

/* A borrowed string as a JSON string (cJSON will not free it), or null. */
static cJSON *sref(const char *s)
{
    return s ? cJSON_CreateStringReference(s) : cJSON_CreateNull();
}

/* Adds value to object obj under key, or to array obj when key is NULL; frees value on failure. */
static void add(jw *w, cJSON *obj, const char *key, cJSON *value)
{
    cJSON_bool ok =
        obj && value && (key ? cJSON_AddItemToObjectCS(obj, key, value) : cJSON_AddItemToArray(obj, value));

    if (!ok) {
        cJSON_Delete(value);
        w->nomem = 1;
    }
}

static void add_count(jw *w, cJSON *obj, const char *key, size_t n)
{
    add(w, obj, key, cJSON_CreateNumber((double)n));
}

static void put(jw *w, const char *s)
{
    if (fputs(s, w->fp) == EOF)
        w->io_failed = 1;
}

/*
 * Writes serialised text, shifting continuation lines one tab right when it
 * is a member of the top-level object. Safe on cJSON output: a newline in a
 * JSON string is always escaped, so every raw newline is layout.
 */
static void put_nested(jw *w, const char *text, int indent)
{
    const char *nl;

    if (!indent) {
        put(w, text);
        return;
    }
    while ((nl = strchr(text, '\n')) != NULL) {
        if (fwrite(text, 1, (size_t)(nl - text) + 1, w->fp) != (size_t)(nl - text) + 1)
            w->io_failed = 1;
        put(w, "\t");
        text = nl + 1;
    }
    put(w, text);
}

/* Prints one value; frees it. */
static void put_value(jw *w, cJSON *value, int formatted)
{
    char *heap;

    if (!value || w->nomem) {
        w->nomem = 1;
        cJSON_Delete(value);
        return;
    }
    /* cJSON's size estimate can be a few bytes short, so it is given less than the whole buffer. */
    if (cJSON_PrintPreallocated(value, w->scratch, SCRATCH_BYTES - 8, formatted)) {
        put_nested(w, w->scratch, formatted);
    } else {
        heap = formatted ? cJSON_Print(value) : cJSON_PrintUnformatted(value);
        if (heap)
            put_nested(w, heap, formatted);
        else
            w->nomem = 1;
        cJSON_free(heap);
    }
    cJSON_Delete(value);
}

/* A top-level member: "key": value. Keys are fixed ASCII names. */
static void member(jw *w, const char *key, cJSON *value)
{
    put(w, w->members++ ? ",\n\t\"" : "\t\"");
    put(w, key);
    put(w, "\": ");
    put_value(w, value, 1);
}

static cJSON *snapshot_meta(jw *w, const results *r)
{
    /* callers, partitions: a merged snapshot's, when its parts differed; shard: a `collect --shard` one's. */
    static const char *const keys[] = {"tool_version", "started_at", "finished_at", "complete",
                                       "partition",    "partitions", "regions",     "shard",
                                       "caller",       "callers",    "accounts"};
    cJSON *meta = cJSON_CreateObject();

    for (size_t i = 0; meta && r->snapshot && i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->snapshot, keys[i]);

        if (v && !cJSON_AddItemReferenceToObject(meta, keys[i], (cJSON *)(uintptr_t)v))
            w->nomem = 1;
    }
    add_count(w, meta, "resources", r->n_resources);
    return meta;
}

static cJSON *status_counts(jw *w, const size_t counts[3])
{
    cJSON *o = cJSON_CreateObject();

    add_count(w, o, "pass", counts[RESULT_PASS]);
    add_count(w, o, "fail", counts[RESULT_FAIL]);
    add_count(w, o, "waived", counts[RESULT_WAIVED]);
    return o;
}

static cJSON *summary(jw *w, const results *r)
{
    const tally *t = w->t;
    cJSON *o = cJSON_CreateObject(), *sev = cJSON_CreateObject(), *wv = cJSON_CreateObject();
    size_t by_state[3] = {0, 0, 0};

    add_count(w, o, "rules", r->n_rules);
    add_count(w, o, "resources", r->n_resources);
    add_count(w, o, "total", r->n_items);
    add_count(w, o, "pass", t->status[RESULT_PASS]);
    add_count(w, o, "fail", t->status[RESULT_FAIL]);
    add_count(w, o, "waived", t->status[RESULT_WAIVED]);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        add(w, sev, severity_name((severity)s), status_counts(w, t->by_sev[s]));
    add(w, o, "by_severity", sev);
    for (size_t i = 0; i < r->n_waivers; i++) {
        if ((unsigned)r->waivers[i].state < 3)
            by_state[r->waivers[i].state]++;
    }
    add_count(w, wv, "applied", by_state[WAIVER_APPLIED]);
    add_count(w, wv, "expired", by_state[WAIVER_EXPIRED]);
    add_count(w, wv, "unused", by_state[WAIVER_UNUSED]);
    add(w, o, "waivers", wv);
    add_count(w, o, "collection_errors", (size_t)(r->errors ? cJSON_GetArraySize(r->errors) : 0));
    return o;
}

cJSON *json_rule_object(const rule_info *ri)
{
    jw w;
    cJSON *o = cJSON_CreateObject();

    memset(&w, 0, sizeof(w));
    add(&w, o, "id", sref(ri->id));
    add(&w, o, "title", sref(ri->title));
    add(&w, o, "severity", sref(severity_name(ri->sev)));
    add(&w, o, "resource_type", sref(ri->resource_type));
    add(&w, o, "description", sref(ri->description));
    add(&w, o, "remediation", sref(ri->remediation));
    add(&w, o, "file", sref(ri->file));
    if (w.nomem) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *rules_list(jw *w, const results *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; arr && i < r->n_rules && !w->nomem; i++)
        add(w, arr, NULL, json_rule_object(&r->rules[i]));
    return arr;
}

static cJSON *waiver_obj(jw *w, const waiver_info *wi, int full)
{
    cJSON *o = cJSON_CreateObject();

    if (full) {
        add(w, o, "rule", sref(wi->rule));
        add(w, o, "resource", sref(wi->resource));
        add(w, o, "account", sref(wi->account));
        add(w, o, "region", sref(wi->region));
    }
    add(w, o, "reason", sref(wi->reason));
    add(w, o, "owner", sref(wi->owner));
    add(w, o, "expires", sref(wi->expires));
    add(w, o, "file", sref(wi->file));
    add_count(w, o, "line", wi->line);
    if (full) {
        add(w, o, "state", sref(waiver_state_name(wi->state)));
        add_count(w, o, "matched", wi->matched);
    }
    return o;
}

static cJSON *waivers_list(jw *w, const results *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; arr && i < r->n_waivers && !w->nomem; i++)
        add(w, arr, NULL, waiver_obj(w, &r->waivers[i], 1));
    return arr;
}

static const char *change_name(result_change c)
{
    return c == CHANGE_NEW ? "new" : c == CHANGE_EXISTING ? "existing" : NULL;
}

/* A finding_id as a JSON string; out of memory when OpenSSL fails, which only a lack of memory makes it do.
 */
static cJSON *finding_id_value(int rc, const char *id)
{
    return rc == 0 ? cJSON_CreateString(id) : NULL;
}

static cJSON *result_obj(jw *w, const results *r, const result *it)
{
    const rule_info *ri = &r->rules[it->rule];
    const snap_resource *res = &r->resources[it->resource];
    const waiver_info *wv = finding_waiver(r, it);
    cJSON *o = cJSON_CreateObject();
    char id[FINDING_ID_SIZE];
    int id_rc = finding_id_of(&w->ids, r, it, id);

    add(w, o, "rule", sref(ri->id));
    add(w, o, "title", sref(ri->title));
    add(w, o, "severity", sref(severity_name(ri->sev)));
    add(w, o, "status", sref(result_status_name(it->status)));
    add(w, o, "resource_type", sref(res->type));
    add(w, o, "resource_id", sref(res->id));
    add(w, o, "resource_name", sref(res->name));
    add(w, o, "account", sref(res->account));
    add(w, o, "account_name", sref(w->t->accounts[w->t->resource_account[it->resource]].name));
    add(w, o, "region", sref(res->region));
    add(w, o, "message", sref(it->message));
    if (wv)
        add(w, o, "waiver", waiver_obj(w, wv, 0));
    if (r->has_baseline && it->status != RESULT_PASS) {
        add(w, o, "change", sref(change_name(it->change)));
        add(w, o, "first_seen", sref(it->first_seen));
    }
    add(w, o, "finding_id", finding_id_value(id_rc, id));
    return o;
}

/* What changed since the baseline: counts, and the failures that are gone. */
static cJSON *baseline_obj(jw *w, const results *r)
{
    cJSON *o = cJSON_CreateObject(), *gone = cJSON_CreateArray();
    size_t n_new = 0, n_existing = 0;

    for (size_t i = 0; i < r->n_items; i++) {
        n_new += r->items[i].change == CHANGE_NEW;
        n_existing += r->items[i].change == CHANGE_EXISTING;
    }
    add_count(w, o, "new", n_new);
    add_count(w, o, "existing", n_existing);
    add_count(w, o, "resolved_count", r->n_resolved);
    for (size_t i = 0; gone && i < r->n_resolved && !w->nomem; i++) {
        const resolved_failure *f = &r->resolved[i];
        cJSON *item = cJSON_CreateObject();
        char id[FINDING_ID_SIZE];
        int id_rc = finding_id(&w->ids, f->rule, f->account, f->region, f->resource_type, f->resource_id, id);

        add(w, item, "rule", sref(f->rule));
        add(w, item, "resource_type", sref(f->resource_type));
        add(w, item, "resource_id", sref(f->resource_id));
        add(w, item, "account", sref(f->account));
        add(w, item, "region", sref(f->region));
        add(w, item, "message", sref(f->message));
        add(w, item, "first_seen", sref(f->first_seen));
        add(w, item, "finding_id", finding_id_value(id_rc, id));
        add(w, gone, NULL, item);
    }
    add(w, o, "resolved", gone);
    return o;
}

/* A fact the run may not know: true, false or null. */
static cJSON *fact(sharing_fact f)
{
    return f == SHARING_UNKNOWN ? cJSON_CreateNull() : cJSON_CreateBool(f == SHARING_YES);
}

static cJSON *party_obj(jw *w, const sharing_party *p)
{
    cJSON *o = cJSON_CreateObject();

    add(w, o, "account", sref(p->account[0] ? p->account : NULL));
    add(w, o, "name", sref(p->name));
    add(w, o, "audited", cJSON_CreateBool(p->audited));
    add(w, o, "in_organization", fact(p->in_org));
    add(w, o, "trusted", fact(p->trusted));
    return o;
}

/* One share, as docs/rules.md describes it. */
static cJSON *share_obj(jw *w, const sharing_edge *e)
{
    static const char *const grants[] = {[SHARING_GRANT_UNSEEN] = NULL,
                                         [SHARING_GRANT_LAUNCH_COPY] = "launch_copy",
                                         [SHARING_GRANT_OPTIONS] = "image_permissions"};
    bool options = e->grant == SHARING_GRANT_OPTIONS;
    cJSON *o = cJSON_CreateObject(), *seen = cJSON_CreateArray();

    add(w, o, "resource_type", sref(e->res->type));
    add(w, o, "resource_id", sref(e->res->id));
    add(w, o, "image_name", sref(e->res->name));
    add(w, o, "region", sref(e->res->region));
    add(w, o, "byol", cJSON_CreateBool(e->byol));
    add(w, o, "owner", party_obj(w, &e->owner));
    add(w, o, "shared_with", party_obj(w, &e->target));
    if (e->seen_from & SHARING_SEEN_OWNER)
        add(w, seen, NULL, sref("owner"));
    if (e->seen_from & SHARING_SEEN_RECIPIENT)
        add(w, seen, NULL, sref("recipient"));
    add(w, o, "seen_from", seen);
    add(w, o, "grant", sref(grants[e->grant]));
    add(w, o, "allow_fleet", options ? cJSON_CreateBool(e->allow_fleet) : cJSON_CreateNull());
    add(w, o, "allow_image_builder", options ? cJSON_CreateBool(e->allow_image_builder) : cJSON_CreateNull());
    return o;
}

static cJSON *errors_list(const results *r)
{
    /* A reference array: the snapshot keeps ownership of its errors. */
    return r->errors ? cJSON_CreateArrayReference(r->errors->child) : cJSON_CreateArray();
}

int json_report_fwrite(const results *r, FILE *fp, ia_err *err)
{
    jw w = {fp, malloc(SCRATCH_BYTES), 0, 0, 0, NULL, {NULL, NULL}};
    tally t;
    sharing shares;
    int rc = -1;

    memset(&t, 0, sizeof(t));
    memset(&shares, 0, sizeof(shares));
    if (!w.scratch || finding_hasher_init(&w.ids) != 0) {
        free(w.scratch);
        return err_set(err, IA_ERR_NOMEM, "out of memory writing JSON results");
    }
    if (tally_compute(r, &t, err) != 0 || sharing_compute(r, &t, &shares, err) != 0)
        goto out;
    w.t = &t;
    put(&w, "{\n");
    member(&w, "schema", cJSON_CreateString(JSON_REPORT_SCHEMA));
    member(&w, "schema_version", cJSON_CreateNumber(JSON_REPORT_SCHEMA_VERSION));
    member(&w, "tool_version", cJSON_CreateString(IMGAUDIT_VERSION));
    member(&w, "evaluated_at", cJSON_CreateString(r->evaluated_at));
    member(&w, "snapshot", snapshot_meta(&w, r));
    member(&w, "summary", summary(&w, r));
    member(&w, "rules", rules_list(&w, r));
    member(&w, "waivers", waivers_list(&w, r));
    member(&w, "errors", errors_list(r));
    if (r->has_baseline)
        member(&w, "baseline", baseline_obj(&w, r));
    /* One share per line, streamed as the results are. */
    put(&w, ",\n\t\"sharing\": [");
    for (size_t i = 0; i < shares.n_edges && !w.nomem && !w.io_failed; i++) {
        put(&w, i ? ",\n\t\t" : "\n\t\t");
        put_value(&w, share_obj(&w, &shares.edges[i]), 0);
    }
    put(&w, "\n\t]");
    /* One result per line, streamed: a document of millions of results is never built in memory. */
    put(&w, ",\n\t\"results\": [");
    for (size_t i = 0; i < r->n_items && !w.nomem && !w.io_failed; i++) {
        put(&w, i ? ",\n\t\t" : "\n\t\t");
        put_value(&w, result_obj(&w, r, &r->items[i]), 0);
    }
    put(&w, "\n\t]\n}\n");
    if (w.nomem) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing JSON results");
        goto out;
    }
    if (w.io_failed || ferror(fp)) {
        err_set(err, IA_ERR_IO, "writing JSON results: %s", strerror(errno ? errno : EIO));
        goto out;
    }
    rc = 0;
out:
    sharing_free(&shares);
    tally_free(&t);
    finding_hasher_clean_up(&w.ids);
    free(w.scratch);
    return rc;
}

int json_report_write(const results *r, const char *path, ia_err *err)
{
    file_out out;

    /* file_out writes a device or FIFO (/dev/stdout) in place rather than renaming over it. */
    if (file_out_open(&out, path, err) != 0)
        return -1;
    if (json_report_fwrite(r, out.fp, err) != 0) {
        file_out_abort(&out);
        return -1;
    }
    return file_out_commit(&out, err);
}
