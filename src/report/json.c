#include "report/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report/finding.h"
#include "report/sharing.h"
#include "report/tally.h"
#include "util/fileio.h"
#include "util/wbuf.h"
#include "version.h"

/* The run-wide members (rules, waivers, errors...) are serialised by cJSON into a reused buffer; a
 * value that does not fit is printed by malloc. */
#define SCRATCH_BYTES 65536

/*
 * The writer. Members whose size does not grow with the fleet are cJSON
 * values, printed once; the shares, the results and the resolved failures,
 * which do grow, are written field by field through out, so that no value
 * is built for them: a million results cost no allocation.
 */
typedef struct jw {
    wbuf out;
    char *scratch; /* owned */
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

/* Writes a string literal: its length is known at compile time. */
#define PUT(w, lit) wbuf_write(&(w)->out, lit, sizeof(lit) - 1)

/*
 * Writes serialised text, shifting continuation lines one tab right when it
 * is a member of the top-level object. Safe on cJSON output: a newline in a
 * JSON string is always escaped, so every raw newline is layout.
 */
static void put_nested(jw *w, const char *text)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != NULL) {
        wbuf_write(&w->out, text, (size_t)(nl - text) + 1);
        PUT(w, "\t");
        text = nl + 1;
    }
    wbuf_puts(&w->out, text);
}

/* Prints one value, formatted; frees it. */
static void put_value(jw *w, cJSON *value)
{
    char *heap;

    if (!value || w->nomem) {
        w->nomem = 1;
        cJSON_Delete(value);
        return;
    }
    /* cJSON's size estimate can be a few bytes short, so it is given less than the whole buffer. */
    if (cJSON_PrintPreallocated(value, w->scratch, SCRATCH_BYTES - 8, 1)) {
        put_nested(w, w->scratch);
    } else {
        heap = cJSON_Print(value);
        if (heap)
            put_nested(w, heap);
        else
            w->nomem = 1;
        cJSON_free(heap);
    }
    cJSON_Delete(value);
}

/* A top-level member: "key": value. Keys are fixed ASCII names. */
static void member(jw *w, const char *key, cJSON *value)
{
    if (w->members++)
        PUT(w, ",\n\t\"");
    else
        PUT(w, "\t\"");
    wbuf_puts(&w->out, key);
    PUT(w, "\": ");
    put_value(w, value);
}

/* The members of one streamed object: a key (with its punctuation, as a literal) and its value. */
#define KEY_STR(w, lit, v)                                                                                   \
    do {                                                                                                     \
        PUT(w, lit);                                                                                         \
        wbuf_json_string(&(w)->out, v);                                                                      \
    } while (0)
#define KEY_UINT(w, lit, v)                                                                                  \
    do {                                                                                                     \
        PUT(w, lit);                                                                                         \
        wbuf_uint(&(w)->out, v);                                                                             \
    } while (0)

/* A finding_id as a JSON string; out of memory when OpenSSL fails, which only a lack of memory makes it do.
 */
static void put_finding_id(jw *w, int rc, const char *id)
{
    if (rc != 0)
        w->nomem = 1;
    wbuf_json_string(&w->out, id);
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

/* A waiver as the report's waivers[] lists it, with its state and how many results it matched. */
static cJSON *waiver_obj(jw *w, const waiver_info *wi)
{
    cJSON *o = cJSON_CreateObject();

    add(w, o, "rule", sref(wi->rule));
    add(w, o, "resource", sref(wi->resource));
    add(w, o, "account", sref(wi->account));
    add(w, o, "region", sref(wi->region));
    add(w, o, "reason", sref(wi->reason));
    add(w, o, "owner", sref(wi->owner));
    add(w, o, "expires", sref(wi->expires));
    add(w, o, "file", sref(wi->file));
    add_count(w, o, "line", wi->line);
    add(w, o, "state", sref(waiver_state_name(wi->state)));
    add_count(w, o, "matched", wi->matched);
    return o;
}

static cJSON *waivers_list(jw *w, const results *r)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; arr && i < r->n_waivers && !w->nomem; i++)
        add(w, arr, NULL, waiver_obj(w, &r->waivers[i]));
    return arr;
}

static const char *change_name(result_change c)
{
    return c == CHANGE_NEW ? "new" : c == CHANGE_EXISTING ? "existing" : NULL;
}

/* One result, on one line: the keys of result_obj in docs/rules.md, in that order. */
static void put_result(jw *w, const results *r, const result *it)
{
    const rule_info *ri = &r->rules[it->rule];
    const snap_resource *res = &r->resources[it->resource];
    const waiver_info *wv = finding_waiver(r, it);
    char id[FINDING_ID_SIZE];
    int id_rc = finding_id_of(&w->ids, r, it, id);
    const char *fix;

    KEY_STR(w, "{\"rule\":", ri->id);
    KEY_STR(w, ",\"title\":", ri->title);
    KEY_STR(w, ",\"severity\":", severity_name(ri->sev));
    KEY_STR(w, ",\"status\":", result_status_name(it->status));
    KEY_STR(w, ",\"resource_type\":", res->type);
    KEY_STR(w, ",\"resource_id\":", res->id);
    KEY_STR(w, ",\"resource_name\":", res->name);
    KEY_STR(w, ",\"account\":", res->account);
    KEY_STR(w, ",\"account_name\":", w->t->accounts[w->t->resource_account[it->resource]].name);
    KEY_STR(w, ",\"region\":", res->region);
    KEY_STR(w, ",\"message\":", it->message);
    if (wv) {
        KEY_STR(w, ",\"waiver\":{\"reason\":", wv->reason);
        KEY_STR(w, ",\"owner\":", wv->owner);
        KEY_STR(w, ",\"expires\":", wv->expires);
        KEY_STR(w, ",\"file\":", wv->file);
        KEY_UINT(w, ",\"line\":", wv->line);
        PUT(w, "}");
    }
    if (r->has_baseline && it->status != RESULT_PASS) {
        KEY_STR(w, ",\"change\":", change_name(it->change));
        KEY_STR(w, ",\"first_seen\":", it->first_seen);
    }
    PUT(w, ",\"finding_id\":");
    put_finding_id(w, id_rc, id);
    /* What `fix plan` needs of a failure whose rule declares a fix: compact JSON, as cJSON prints it. */
    if ((fix = results_fix_input(r, it)) != NULL) {
        PUT(w, ",\"fix\":");
        wbuf_puts(&w->out, fix);
    }
    PUT(w, "}");
}

/*
 * What changed since the baseline: counts, and the failures that are gone, in
 * the layout cJSON gives a formatted member of the top-level object (one key
 * per line, a tab after the colon, the objects of an array joined by ", ").
 */
static void put_baseline(jw *w, const results *r)
{
    size_t n_new = 0, n_existing = 0;

    for (size_t i = 0; i < r->n_items; i++) {
        n_new += r->items[i].change == CHANGE_NEW;
        n_existing += r->items[i].change == CHANGE_EXISTING;
    }
    PUT(w, ",\n\t\"baseline\": {");
    KEY_UINT(w, "\n\t\t\"new\":\t", n_new);
    KEY_UINT(w, ",\n\t\t\"existing\":\t", n_existing);
    KEY_UINT(w, ",\n\t\t\"resolved_count\":\t", r->n_resolved);
    PUT(w, ",\n\t\t\"resolved\":\t[");
    for (size_t i = 0; i < r->n_resolved && !w->nomem && !w->out.failed; i++) {
        const resolved_failure *f = &r->resolved[i];
        char id[FINDING_ID_SIZE];
        int id_rc = finding_id(&w->ids, f->rule, f->account, f->region, f->resource_type, f->resource_id, id);

        if (i)
            PUT(w, ", ");
        KEY_STR(w, "{\n\t\t\t\t\"rule\":\t", f->rule);
        KEY_STR(w, ",\n\t\t\t\t\"resource_type\":\t", f->resource_type);
        KEY_STR(w, ",\n\t\t\t\t\"resource_id\":\t", f->resource_id);
        KEY_STR(w, ",\n\t\t\t\t\"account\":\t", f->account);
        KEY_STR(w, ",\n\t\t\t\t\"region\":\t", f->region);
        KEY_STR(w, ",\n\t\t\t\t\"message\":\t", f->message);
        KEY_STR(w, ",\n\t\t\t\t\"first_seen\":\t", f->first_seen);
        PUT(w, ",\n\t\t\t\t\"finding_id\":\t");
        put_finding_id(w, id_rc, id);
        PUT(w, "\n\t\t\t}");
    }
    PUT(w, "]\n\t}");
}

/* A fact the run may not know: true, false or null. */
static void put_fact(jw *w, sharing_fact f)
{
    if (f == SHARING_UNKNOWN)
        PUT(w, "null");
    else if (f == SHARING_YES)
        PUT(w, "true");
    else
        PUT(w, "false");
}

static void put_bool(jw *w, bool b)
{
    if (b)
        PUT(w, "true");
    else
        PUT(w, "false");
}

static void put_party(jw *w, const sharing_party *p)
{
    KEY_STR(w, "{\"account\":", p->account[0] ? p->account : NULL);
    KEY_STR(w, ",\"name\":", p->name);
    PUT(w, ",\"audited\":");
    put_bool(w, p->audited);
    PUT(w, ",\"in_organization\":");
    put_fact(w, p->in_org);
    PUT(w, ",\"trusted\":");
    put_fact(w, p->trusted);
    PUT(w, "}");
}

/* A launch-permission option: known only when the grant says so. */
static void put_option(jw *w, bool known, bool value)
{
    if (known)
        put_bool(w, value);
    else
        PUT(w, "null");
}

/* One share, on one line, as docs/rules.md describes it. */
static void put_share(jw *w, const sharing_edge *e)
{
    static const char *const grants[] = {[SHARING_GRANT_UNSEEN] = NULL,
                                         [SHARING_GRANT_LAUNCH_COPY] = "launch_copy",
                                         [SHARING_GRANT_OPTIONS] = "image_permissions"};
    bool options = e->grant == SHARING_GRANT_OPTIONS;
    const char *sep = "";

    KEY_STR(w, "{\"resource_type\":", e->res->type);
    KEY_STR(w, ",\"resource_id\":", e->res->id);
    KEY_STR(w, ",\"image_name\":", e->res->name);
    KEY_STR(w, ",\"region\":", e->res->region);
    PUT(w, ",\"byol\":");
    put_bool(w, e->byol);
    PUT(w, ",\"owner\":");
    put_party(w, &e->owner);
    PUT(w, ",\"shared_with\":");
    put_party(w, &e->target);
    PUT(w, ",\"seen_from\":[");
    if (e->seen_from & SHARING_SEEN_OWNER) {
        PUT(w, "\"owner\"");
        sep = ",";
    }
    if (e->seen_from & SHARING_SEEN_RECIPIENT) {
        wbuf_puts(&w->out, sep);
        PUT(w, "\"recipient\"");
    }
    KEY_STR(w, "],\"grant\":", grants[e->grant]);
    PUT(w, ",\"allow_fleet\":");
    put_option(w, options, e->allow_fleet);
    PUT(w, ",\"allow_image_builder\":");
    put_option(w, options, e->allow_image_builder);
    PUT(w, "}");
}

static cJSON *errors_list(const results *r)
{
    /* A reference array: the snapshot keeps ownership of its errors. */
    return r->errors ? cJSON_CreateArrayReference(r->errors->child) : cJSON_CreateArray();
}

int json_report_fwrite(const results *r, FILE *fp, ia_err *err)
{
    return json_report_fwrite_with(r, NULL, NULL, fp, err);
}

int json_report_fwrite_with(const results *r, const struct tally *given_tally,
                            const struct sharing *given_shares, FILE *fp, ia_err *err)
{
    jw w;
    tally own_tally;
    sharing own_shares;
    const sharing *shares = given_shares ? given_shares : &own_shares;
    int rc = -1;

    memset(&w, 0, sizeof(w));
    memset(&own_tally, 0, sizeof(own_tally));
    memset(&own_shares, 0, sizeof(own_shares));
    w.scratch = malloc(SCRATCH_BYTES);
    if (!w.scratch || wbuf_init(&w.out, fp) != 0 || finding_hasher_init(&w.ids) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing JSON results");
        goto out;
    }
    if (!(w.t = tally_given_or_compute(r, given_tally, &own_tally, err)) ||
        (!given_shares && sharing_compute(r, w.t, &own_shares, err) != 0))
        goto out;
    PUT(&w, "{\n");
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
        put_baseline(&w, r);
    /* One share per line, then one result per line: a document of millions of results is never built. */
    PUT(&w, ",\n\t\"sharing\": [");
    for (size_t i = 0; i < shares->n_edges && !w.nomem && !w.out.failed; i++) {
        if (i)
            PUT(&w, ",");
        PUT(&w, "\n\t\t");
        put_share(&w, &shares->edges[i]);
    }
    PUT(&w, "\n\t]");
    PUT(&w, ",\n\t\"results\": [");
    for (size_t i = 0; i < r->n_items && !w.nomem && !w.out.failed; i++) {
        if (i)
            PUT(&w, ",");
        PUT(&w, "\n\t\t");
        put_result(&w, r, &r->items[i]);
    }
    PUT(&w, "\n\t]\n}\n");
    if (w.nomem) {
        err_set(err, IA_ERR_NOMEM, "out of memory writing JSON results");
        goto out;
    }
    if (wbuf_finish(&w.out) != 0) {
        err_set(err, IA_ERR_IO, "writing JSON results: %s",
                strerror(w.out.write_errno ? w.out.write_errno : EIO));
        goto out;
    }
    rc = 0;
out:
    sharing_free(&own_shares);
    tally_free(&own_tally);
    finding_hasher_clean_up(&w.ids);
    wbuf_free(&w.out);
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
