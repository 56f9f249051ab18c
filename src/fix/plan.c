/*
 * Building a fix plan from a results document: its members walked with
 * util/jsonscan.h, the failures that carry a "fix" parsed one at a time
 * (the others are recognised without parsing), one pending action per
 * change, then duplicates merged and everything put in the order a person
 * reads it: account, region, resource, change.
 */
#define _GNU_SOURCE /* memmem: a result without a fix is passed over unparsed */
#include <stdlib.h>
#include <string.h>

#include "fix/fix_int.h"
#include "report/json.h"
#include "rules/rules.h"
#include "snapshot/snapshot.h"
#include "util/jsonfile.h"
#include "util/jsonscan.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "version.h"

/* A result is nested in the document and its array: two levels fewer than the document may take. */
#define RESULT_MAX_DEPTH (JSON_MAX_DEPTH - 2)

static const char NOTE_UPDATED[] =
    "CreateUpdatedWorkspaceImage makes a new image with the latest WorkSpaces drivers and components; "
    "the source image is kept. A person must verify the new image and move the bundles to it.";

/* One change before duplicates are merged. */
typedef struct pending {
    char *key;       /* owned: what makes two changes one (account, region, action, resource, target) */
    cJSON *action;   /* owned: the action without resolves and id */
    cJSON *resolves; /* owned: [{rule, finding_id}] */
} pending;

typedef struct builder {
    const fix_filter *f;
    const char *date; /* YYYYMMDD */
    pending *items;
    size_t n, cap;
    cJSON *skipped; /* owned: what a failure's fix could not become, and why */
    int nomem;
} builder;

/* A member's string, borrowed from obj, or NULL. */
static bool listed(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s && strcmp(s, list[i]) == 0)
            return true;
    }
    return n == 0;
}

static cJSON *str_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Adds value to obj under key (or to array obj when key is NULL); out of memory is remembered. */
static void put(builder *b, cJSON *obj, const char *key, cJSON *value)
{
    if (!value || !obj ||
        !(key ? cJSON_AddItemToObject(obj, key, value) : cJSON_AddItemToArray(obj, value))) {
        cJSON_Delete(value);
        b->nomem = 1;
    }
}

/* Records that the failure res's fix became no action. */
static void skip(builder *b, const cJSON *res, const char *action, const char *why)
{
    cJSON *o = cJSON_CreateObject();

    put(b, o, "rule", str_or_null(fix_str(res, "rule")));
    put(b, o, "finding_id", str_or_null(fix_str(res, "finding_id")));
    put(b, o, "account", str_or_null(fix_str(res, "account")));
    put(b, o, "region", str_or_null(fix_str(res, "region")));
    put(b, o, "resource_id", str_or_null(fix_str(res, "resource_id")));
    put(b, o, "action", str_or_null(action));
    put(b, o, "reason", cJSON_CreateString(why));
    put(b, b->skipped, NULL, o);
}

/* The members every action starts with, from the failure res. */
static cJSON *action_head(builder *b, const cJSON *res, const char *action)
{
    cJSON *a = cJSON_CreateObject();

    put(b, a, "action", cJSON_CreateString(action));
    put(b, a, "account", str_or_null(fix_str(res, "account")));
    put(b, a, "account_name", str_or_null(fix_str(res, "account_name")));
    put(b, a, "region", str_or_null(fix_str(res, "region")));
    put(b, a, "resource_type", str_or_null(fix_str(res, "resource_type")));
    put(b, a, "resource_id", str_or_null(fix_str(res, "resource_id")));
    put(b, a, "resource_name", str_or_null(fix_str(res, "resource_name")));
    return a;
}

static cJSON *call(builder *b, const char *service, const char *operation, cJSON *params)
{
    cJSON *c = cJSON_CreateObject();

    put(b, c, "service", cJSON_CreateString(service));
    put(b, c, "operation", cJSON_CreateString(operation));
    put(b, c, "parameters", params);
    return c;
}

/* Adds a change, its key made of parts joined by a unit separator; takes action. */
static void add_pending(builder *b, const cJSON *res, cJSON *action, const char *target)
{
    const char *parts[] = {fix_str(action, "account"), fix_str(action, "region"), fix_str(action, "action"),
                           fix_str(action, "resource_id"), target};
    size_t len = 1;
    pending *p;
    cJSON *r = cJSON_CreateObject();

    for (size_t i = 0; i < 5; i++)
        len += strlen(parts[i] ? parts[i] : "") + 1;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        pending *grown = realloc(b->items, cap * sizeof(*grown));

        if (!grown)
            goto nomem;
        b->items = grown;
        b->cap = cap;
    }
    p = &b->items[b->n];
    p->key = malloc(len);
    p->resolves = cJSON_CreateArray();
    if (!p->key || !p->resolves || !r) {
        free(p->key);
        cJSON_Delete(p->resolves);
        goto nomem;
    }
    len = 0;
    for (size_t i = 0; i < 5; i++) {
        size_t n = parts[i] ? strlen(parts[i]) : 0;

        memcpy(p->key + len, parts[i] ? parts[i] : "", n);
        p->key[len + n] = '\x1f';
        len += n + 1;
    }
    p->key[len] = '\0';
    put(b, r, "rule", str_or_null(fix_str(res, "rule")));
    put(b, r, "finding_id", str_or_null(fix_str(res, "finding_id")));
    put(b, p->resolves, NULL, r);
    p->action = action;
    b->n++;
    return;
nomem:
    cJSON_Delete(r);
    cJSON_Delete(action);
    b->nomem = 1;
}

/* unshare-workspaces-image and unshare-appstream-image: one action per account the fix names. */
static void plan_unshare(builder *b, const cJSON *res, const cJSON *fix, const char *action)
{
    bool ws = strcmp(action, RULES_FIX_UNSHARE_WORKSPACES) == 0;
    const char *id = fix_str(res, "resource_id");
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(fix, "targets"), *t;

    if (ws ? !fix_workspaces_image_id_ok(id) : !fix_appstream_name_ok(id)) {
        skip(b, res, action,
             ws ? "the image id is not one UpdateWorkspaceImagePermission takes"
                : "the image name is not one DeleteImagePermissions takes");
        return;
    }
    if (cJSON_GetArraySize(targets) == 0) {
        skip(b, res, action, "the results name no account to remove");
        return;
    }
    cJSON_ArrayForEach(t, targets)
    {
        const char *acct = cJSON_IsString(t) ? t->valuestring : NULL;
        cJSON *a, *params, *pre, *pre_params;

        if (!fix_account_ok(acct)) {
            skip(b, res, action, "a target is not a 12-digit account id");
            continue;
        }
        a = action_head(b, res, action);
        params = cJSON_CreateObject();
        pre = cJSON_CreateObject();
        pre_params = cJSON_CreateObject();
        put(b, params, ws ? "ImageId" : "Name", cJSON_CreateString(id));
        put(b, params, "SharedAccountId", cJSON_CreateString(acct));
        if (ws)
            put(b, params, "AllowCopyImage", cJSON_CreateFalse());
        put(b, a, "call",
            call(b, ws ? "workspaces" : "appstream",
                 ws ? "UpdateWorkspaceImagePermission" : "DeleteImagePermissions", params));
        /* What apply reads first: the share must still be there, else the action is already done. */
        put(b, pre, "operation",
            cJSON_CreateString(ws ? "DescribeWorkspaceImagePermissions" : "DescribeImagePermissions"));
        put(b, pre_params, ws ? "ImageId" : "Name", cJSON_CreateString(id));
        put(b, pre, "parameters", pre_params);
        put(b, pre, "holds_when", cJSON_CreateString("shared-with-account"));
        put(b, pre, "account", cJSON_CreateString(acct));
        put(b, a, "precondition", pre);
        add_pending(b, res, a, acct);
    }
}

/* create-updated-workspaces-image: one action per Windows image. */
static void plan_update(builder *b, const cJSON *res, const cJSON *fix)
{
    const char *id = fix_str(res, "resource_id"), *platform = fix_str(fix, "platform");
    const char *tmpl = fix_str(fix, "name_template"), *name = fix_str(res, "resource_name");
    const char *state = fix_str(fix, "state");
    char new_name[FIX_NAME_MAX + 1], description[FIX_DESCRIPTION_MAX + 1];
    cJSON *a, *params, *tags, *tag, *pre, *pre_params, *ids;

    if (!platform || strcmp(platform, "WINDOWS") != 0) {
        skip(b, res, RULES_FIX_UPDATE_WORKSPACES,
             "CreateUpdatedWorkspaceImage updates Windows images only: update this one by hand");
        return;
    }
    if (!fix_workspaces_image_id_ok(id)) {
        skip(b, res, RULES_FIX_UPDATE_WORKSPACES,
             "the image id is not one CreateUpdatedWorkspaceImage takes");
        return;
    }
    /* AWS refuses a source that is not AVAILABLE (InvalidResourceStateException): no action that must fail.
     */
    if (state && strcmp(state, "AVAILABLE") != 0) {
        skip(b, res, RULES_FIX_UPDATE_WORKSPACES,
             "the image is not AVAILABLE, and CreateUpdatedWorkspaceImage needs an available source");
        return;
    }
    fix_updated_name(tmpl ? tmpl : RULES_FIX_NAME_TEMPLATE, name ? name : id, id, b->date, new_name);
    fix_updated_description(fix_str(fix, "updates_description"), id, description);
    a = action_head(b, res, RULES_FIX_UPDATE_WORKSPACES);
    params = cJSON_CreateObject();
    put(b, params, "Name", cJSON_CreateString(new_name));
    put(b, params, "Description", cJSON_CreateString(description));
    put(b, params, "SourceImageId", cJSON_CreateString(id));
    tags = cJSON_CreateArray();
    tag = cJSON_CreateObject();
    put(b, tag, "Key", cJSON_CreateString("imgaudit:source-image"));
    put(b, tag, "Value", cJSON_CreateString(id));
    put(b, tags, NULL, tag);
    tag = cJSON_CreateObject();
    put(b, tag, "Key", cJSON_CreateString("imgaudit:finding"));
    put(b, tag, "Value", str_or_null(fix_str(res, "finding_id")));
    put(b, tags, NULL, tag);
    put(b, params, "Tags", tags);
    put(b, a, "call", call(b, "workspaces", "CreateUpdatedWorkspaceImage", params));
    /* Updates must still be pending; an image of the new name already there means it was done. */
    pre = cJSON_CreateObject();
    pre_params = cJSON_CreateObject();
    ids = cJSON_CreateArray();
    put(b, pre, "operation", cJSON_CreateString("DescribeWorkspaceImages"));
    put(b, ids, NULL, cJSON_CreateString(id));
    put(b, pre_params, "ImageIds", ids);
    put(b, pre, "parameters", pre_params);
    put(b, pre, "holds_when", cJSON_CreateString("update-available"));
    put(b, pre, "done_when", cJSON_CreateString("image-named"));
    put(b, pre, "name", cJSON_CreateString(new_name));
    put(b, a, "precondition", pre);
    put(b, a, "note", cJSON_CreateString(NOTE_UPDATED));
    add_pending(b, res, a, "");
}

/* One result of the document: a failure whose fix the filters let through becomes changes. */
static void plan_result(builder *b, const cJSON *res)
{
    const cJSON *fix = cJSON_GetObjectItemCaseSensitive(res, "fix");
    const char *status = fix_str(res, "status"), *action = fix_str(fix, "action");

    /* Waived and passed results are never fixed, whatever they carry. */
    if (!status || strcmp(status, "fail") != 0 || !action)
        return;
    if (!listed(fix_str(res, "rule"), b->f->rules, b->f->n_rules) ||
        !listed(fix_str(res, "account"), b->f->accounts, b->f->n_accounts) ||
        (b->f->action && strcmp(action, b->f->action) != 0))
        return;
    if (!fix_account_ok(fix_str(res, "account")) || !fix_str(res, "region"))
        skip(b, res, action, "the failure names no account or region to change");
    else if (strcmp(action, RULES_FIX_UNSHARE_WORKSPACES) == 0 ||
             strcmp(action, RULES_FIX_UNSHARE_APPSTREAM) == 0)
        plan_unshare(b, res, fix, action);
    else if (strcmp(action, RULES_FIX_UPDATE_WORKSPACES) == 0)
        plan_update(b, res, fix);
    else
        skip(b, res, action, "this imgaudit knows no such action");
}

static int pending_order(const void *pa, const void *pb)
{
    return strcmp(((const pending *)pa)->key, ((const pending *)pb)->key);
}

/* action with its id as the first member (a reader sees at once which action a line is in); takes action. */
static cJSON *with_id(builder *b, cJSON *action)
{
    char id[FIX_ID_SIZE];
    cJSON *out = cJSON_CreateObject(), *m;

    if (!out || fix_action_id(action, id) != 0 || !cJSON_AddStringToObject(out, "id", id)) {
        cJSON_Delete(out);
        cJSON_Delete(action);
        b->nomem = 1;
        return NULL;
    }
    /* Moved as they are: a detached member keeps its key. */
    while ((m = action->child) != NULL)
        cJSON_AddItemToArray(out, cJSON_DetachItemViaPointer(action, m));
    cJSON_Delete(action);
    return out;
}

/*
 * The actions in key order, a change two failures ask for once with both in
 * its resolves, each with its id. Frees the pending changes.
 */
static cJSON *merge_actions(builder *b)
{
    cJSON *list = cJSON_CreateArray();

    if (b->n > 1)
        qsort(b->items, b->n, sizeof(*b->items), pending_order);
    for (size_t i = 0; i < b->n; i++) {
        pending *p = &b->items[i];

        while (i + 1 < b->n && strcmp(p->key, b->items[i + 1].key) == 0) {
            pending *dup = &b->items[++i];
            cJSON *r;

            while ((r = cJSON_DetachItemFromArray(dup->resolves, 0)) != NULL)
                put(b, p->resolves, NULL, r);
            cJSON_Delete(dup->resolves);
            cJSON_Delete(dup->action);
            free(dup->key);
        }
        put(b, p->action, "resolves", p->resolves);
        put(b, list, NULL, with_id(b, p->action));
        free(p->key);
    }
    free(b->items);
    b->items = NULL;
    b->n = 0;
    return list;
}

/*
 * Whether a collection error leaves what an action of service in account and
 * region reads unknown: an error of that service there, or one of the account
 * as a whole (its role could not be assumed: no region, or "global"). An
 * AppStream listing that failed says nothing about WorkSpaces images.
 */
static bool error_covers(const cJSON *e, const char *account, const char *region, const char *service)
{
    const char *ea = fix_str(e, "account"), *er = fix_str(e, "region"), *es = fix_str(e, "service");

    if (!ea || strcmp(ea, account) != 0)
        return false;
    if (!er || strcmp(er, "global") == 0)
        return true;
    return strcmp(er, region) == 0 && (!es || strcmp(es, service) == 0);
}

/* Whether the last entries of list, those of account and region (at most one per service), hold service. */
static bool covered_already(const cJSON *list, const char *account, const char *region, const char *service)
{
    int n = cJSON_GetArraySize(list);

    for (int i = n - 1; i >= 0 && i >= n - 2; i--) {
        const cJSON *o = cJSON_GetArrayItem(list, i);
        const char *oa = fix_str(o, "account"), *oreg = fix_str(o, "region"), *os = fix_str(o, "service");

        /* A member left out for want of memory fails the plan anyway (b->nomem). */
        if (!oa || !oreg || strcmp(oa, account) != 0 || strcmp(oreg, region) != 0)
            return false;
        if (os && strcmp(os, service) == 0)
            return true;
    }
    return false;
}

/*
 * Whether the snapshot was read whole where each action changes something:
 * [{account, region, service, complete, errors}], one per account, region
 * and service of actions (in their order: sorted by account and region, so
 * the entries of one account and region are together), so that apply can
 * refuse what was not.
 */
static cJSON *coverage(builder *b, const cJSON *actions, const cJSON *errors)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *a;

    cJSON_ArrayForEach(a, actions)
    {
        const char *acct = fix_str(a, "account"), *region = fix_str(a, "region");
        const char *service = fix_str(cJSON_GetObjectItemCaseSensitive(a, "call"), "service");
        const cJSON *e;
        size_t n = 0;
        cJSON *o;

        if (!list || covered_already(list, acct, region, service))
            continue;
        cJSON_ArrayForEach(e, errors) n += error_covers(e, acct, region, service);
        o = cJSON_CreateObject();
        put(b, o, "account", cJSON_CreateString(acct));
        put(b, o, "region", cJSON_CreateString(region));
        put(b, o, "service", cJSON_CreateString(service));
        put(b, o, "complete", cJSON_CreateBool(n == 0));
        put(b, o, "errors", cJSON_CreateNumber((double)n));
        put(b, list, NULL, o);
    }
    return list;
}

static cJSON *strings(builder *b, const char *const *items, size_t n)
{
    cJSON *list = cJSON_CreateArray();

    for (size_t i = 0; i < n; i++)
        put(b, list, NULL, cJSON_CreateString(items[i]));
    return list;
}

static cJSON *summary(builder *b, const cJSON *actions)
{
    static const char *const names[] = {RULES_FIX_UNSHARE_WORKSPACES, RULES_FIX_UNSHARE_APPSTREAM,
                                        RULES_FIX_UPDATE_WORKSPACES};
    cJSON *o = cJSON_CreateObject(), *by = cJSON_CreateObject();
    size_t counts[3] = {0, 0, 0}, accounts = 0;
    const cJSON *a;
    const char *last = NULL;

    cJSON_ArrayForEach(a, actions)
    {
        const char *acct = fix_str(a, "account"), *name = fix_str(a, "action");

        accounts += !last || strcmp(last, acct) != 0;
        last = acct;
        for (size_t k = 0; k < 3; k++)
            counts[k] += strcmp(name, names[k]) == 0;
    }
    put(b, o, "actions", cJSON_CreateNumber((double)cJSON_GetArraySize(actions)));
    put(b, o, "accounts", cJSON_CreateNumber((double)accounts));
    for (size_t k = 0; k < 3; k++)
        put(b, by, names[k], cJSON_CreateNumber((double)counts[k]));
    put(b, o, "by_action", by);
    put(b, o, "skipped", cJSON_CreateNumber((double)cJSON_GetArraySize(b->skipped)));
    return o;
}

/* The place of offset at in t, as an input error. */
static int text_error(const json_text *t, size_t at, ia_err *err, const char *msg)
{
    unsigned line, col;

    str_text_position(t->data, t->len, at, &line, &col);
    return err_set_at(err, t->name, line, col, "%s", msg);
}

/* Parses the member value text[at..end) of t whole (a small one: schema, snapshot, errors). */
static int parse_member(const json_text *t, size_t at, size_t end, cJSON **out, ia_err *err)
{
    json_fault fault;

    if (json_parse_bounded(t->data + at, end - at, JSON_MAX_DEPTH - 1, out, &fault) == 0)
        return 0;
    if (fault.status == JSON_INVALID)
        return text_error(t, at + fault.offset, err, "invalid JSON: not a results document");
    return text_error(t, at + fault.offset, err, fault.msg);
}

/* What the document says beside its results: kept for the plan's source and coverage. */
typedef struct source {
    cJSON *schema, *evaluated_at, *snapshot, *errors; /* owned, each NULL until read */
} source;

static void source_free(source *s)
{
    cJSON_Delete(s->schema);
    cJSON_Delete(s->evaluated_at);
    cJSON_Delete(s->snapshot);
    cJSON_Delete(s->errors);
}

/* Stepping over results gives their pages back. */
static void passed(void *t, size_t at)
{
    json_text_release(t, at);
}

/* The results, one at a time: only a failure that carries a fix is parsed. */
static int walk_results(builder *b, json_text *t, size_t at, ia_err *err)
{
    json_arena arena = {NULL};
    jsonscan s;
    jsonscan_item e = {0, 0, 0, 0, 0};
    int more = 0, rc = 0;

    if (jsonscan_open(&s, t->data, t->len, at, '[') != 0)
        return text_error(t, s.at, err, "\"results\" must be an array: not a results document");
    s.passed = passed;
    s.ud = t;
    while (rc == 0 && !b->nomem && (more = jsonscan_next(&s, &e)) == 1) {
        const char *text = t->data + e.value;
        size_t len = e.value_end - e.value;
        cJSON *res = NULL;
        json_fault fault;

        json_text_release(t, e.value);
        /* The writer puts "fix" in a failure's one line; a result without it asks for nothing. */
        if (!memmem(text, len, "\"fix\":", 6))
            continue;
        if (json_parse_in(&arena, text, len, RESULT_MAX_DEPTH, e.depth, &res, &fault) != 0) {
            rc = text_error(t, e.value + fault.offset, err, "invalid JSON: not a results document");
            break;
        }
        if (!cJSON_IsObject(res)) {
            rc = text_error(t, e.value, err, "a result must be an object: not a results document");
            break;
        }
        plan_result(b, res);
    }
    /* A result the list breaks in runs to the end of the text: cJSON names the place in it. */
    if (rc == 0 && !b->nomem && more < 0 && e.value > 0) {
        cJSON *res = NULL;
        json_fault fault;

        if (json_parse_in(&arena, t->data + e.value, t->len - e.value, RESULT_MAX_DEPTH, JSON_DEPTH_UNKNOWN,
                          &res, &fault) != 0)
            rc = text_error(t, e.value + fault.offset, err, "invalid JSON: not a results document");
    }
    json_arena_free(&arena);
    if (rc == 0 && !b->nomem && more < 0)
        rc = text_error(t, s.at, err, "invalid JSON: not a results document");
    return rc;
}

/* The document's members: the small ones parsed and kept, the results walked. */
static int read_results(builder *b, json_text *t, source *src, ia_err *err)
{
    size_t start = t->len >= 3 && memcmp(t->data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    bool has_results = false;
    jsonscan s;
    jsonscan_item m = {0, 0, 0, 0, 0};
    int more;

    if (jsonscan_open(&s, t->data, t->len, start, '{') != 0)
        return text_error(t, s.at, err, "invalid JSON: not a results document");
    /* Stepping over the results to find where they end reads them all: their pages are given back as it goes.
     */
    s.passed = passed;
    s.ud = t;
    while ((more = jsonscan_next(&s, &m)) == 1) {
        cJSON **keep = jsonscan_key_is(&s, &m, "schema")         ? &src->schema
                       : jsonscan_key_is(&s, &m, "evaluated_at") ? &src->evaluated_at
                       : jsonscan_key_is(&s, &m, "snapshot")     ? &src->snapshot
                       : jsonscan_key_is(&s, &m, "errors")       ? &src->errors
                                                                 : NULL;

        if (keep && !*keep && parse_member(t, m.value, m.value_end, keep, err) != 0)
            return -1;
        if (keep == &src->schema &&
            (!cJSON_IsString(src->schema) || strcmp(src->schema->valuestring, JSON_REPORT_SCHEMA) != 0))
            return text_error(t, m.value, err,
                              "not a results document (\"schema\" is not \"" JSON_REPORT_SCHEMA "\")");
        if (jsonscan_key_is(&s, &m, "results")) {
            /* The schema comes first in what imgaudit writes: a document without it is refused before its
             * results are looked at. */
            if (!src->schema)
                return text_error(t, m.key, err, "not a results document (no \"schema\" before \"results\")");
            if (walk_results(b, t, m.value, err) != 0)
                return -1;
            has_results = true;
        }
        if (b->nomem)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory building the plan", t->name);
    }
    /* The results list breaks: walked, it says in which result and where (the step over it says only
     * that it does not close). */
    if (more < 0 && m.value > m.key && jsonscan_key_is(&s, &m, "results") && src->schema &&
        walk_results(b, t, m.value, err) != 0)
        return -1;
    if (more < 0)
        return text_error(t, s.at, err, "invalid JSON: not a results document");
    if (!src->schema || !has_results)
        return err_set(err, IA_ERR_INPUT, "%s: not a results document (no \"%s\")", t->name,
                       src->schema ? "results" : "schema");
    return 0;
}

/* The plan's "source": where it came from and whether that snapshot was read whole. */
static cJSON *source_obj(builder *b, const json_text *t, const source *src)
{
    cJSON *o = cJSON_CreateObject();
    const cJSON *complete = cJSON_GetObjectItemCaseSensitive(src->snapshot, "complete");

    put(b, o, "results", cJSON_CreateString(t->name));
    put(b, o, "evaluated_at",
        str_or_null(cJSON_IsString(src->evaluated_at) ? src->evaluated_at->valuestring : NULL));
    put(b, o, "snapshot_finished_at", str_or_null(fix_str(src->snapshot, "finished_at")));
    put(b, o, "snapshot_complete",
        cJSON_IsBool(complete) ? cJSON_CreateBool(cJSON_IsTrue(complete)) : cJSON_CreateNull());
    return o;
}

static cJSON *filters_obj(builder *b, const fix_filter *f)
{
    cJSON *o = cJSON_CreateObject();

    put(b, o, "rules", strings(b, f->rules, f->n_rules));
    put(b, o, "accounts", strings(b, f->accounts, f->n_accounts));
    put(b, o, "action", str_or_null(f->action));
    return o;
}

/* YYYYMMDD of an ISO-8601 time, for {date}. */
static void date_of(const char *iso, char out[9])
{
    size_t n = 0;

    for (const char *p = iso; *p && *p != 'T' && n < 8; p++) {
        if (*p >= '0' && *p <= '9')
            out[n++] = *p;
    }
    out[n] = '\0';
}

int fix_plan_build(const char *path, const fix_filter *f, const char *created_at, fix_plan **out, ia_err *err)
{
    json_text t;
    source src = {NULL, NULL, NULL, NULL};
    builder b;
    char date[9];
    cJSON *doc = NULL, *actions;
    fix_plan *p = NULL;
    int rc = -1;

    *out = NULL;
    memset(&t, 0, sizeof(t));
    memset(&b, 0, sizeof(b));
    date_of(created_at, date);
    b.f = f;
    b.date = date;
    b.skipped = cJSON_CreateArray();
    if (!b.skipped) {
        err_set(err, IA_ERR_NOMEM, "out of memory building the plan");
        goto out;
    }
    if (json_text_open(path, SNAPSHOT_MAX_BYTES, "a results document", &t, err) != 0 ||
        read_results(&b, &t, &src, err) != 0)
        goto out;
    actions = merge_actions(&b);
    doc = cJSON_CreateObject();
    put(&b, doc, "schema", cJSON_CreateString(FIX_PLAN_SCHEMA));
    put(&b, doc, "schema_version", cJSON_CreateNumber(FIX_PLAN_SCHEMA_VERSION));
    put(&b, doc, "tool_version", cJSON_CreateString(IMGAUDIT_VERSION));
    put(&b, doc, "created_at", cJSON_CreateString(created_at));
    put(&b, doc, "source", source_obj(&b, &t, &src));
    put(&b, doc, "filters", filters_obj(&b, f));
    put(&b, doc, "coverage", coverage(&b, actions, src.errors));
    put(&b, doc, "summary", summary(&b, actions));
    put(&b, doc, "actions", actions);
    put(&b, doc, "skipped", b.skipped);
    b.skipped = NULL;
    p = calloc(1, sizeof(*p));
    if (b.nomem || !p) {
        err_set(err, IA_ERR_NOMEM, "out of memory building the plan");
        goto out;
    }
    p->doc = doc;
    p->n_actions = (size_t)cJSON_GetArraySize(actions);
    doc = NULL;
    *out = p;
    p = NULL;
    rc = 0;
out:
    for (size_t i = 0; i < b.n; i++) {
        free(b.items[i].key);
        cJSON_Delete(b.items[i].action);
        cJSON_Delete(b.items[i].resolves);
    }
    free(b.items);
    cJSON_Delete(b.skipped);
    cJSON_Delete(doc);
    free(p);
    source_free(&src);
    json_text_close(&t);
    return rc;
}

size_t fix_plan_count(const fix_plan *p)
{
    return p ? p->n_actions : 0;
}

void fix_plan_free(fix_plan *p)
{
    if (!p)
        return;
    cJSON_Delete(p->doc);
    free(p);
}
