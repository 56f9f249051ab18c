#include "snapshot/read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cancel.h"
#include "util/jsonfile.h"
#include "util/jsonscan.h"
#include "util/str.h"

/* Where one resource stands in the text, as the scan found it. */
typedef struct resource_span {
    size_t value, value_end, depth;
} resource_span;

/*
 * The envelope's scan notes each resource's place so that the resources'
 * read does not scan the list again, while the places take at most a
 * sixteenth of the text (24 bytes a resource: a resource of fewer than 384
 * bytes on average, hostile or not, is scanned again instead).
 */
#define SPANS_TEXT_SHARE 16
/* What any snapshot may take for them: 24 KB. */
#define SPANS_FLOOR 1024

/* Where the resources stand in the text, between snapshot_doc_open and snapshot_doc_each. */
struct snapshot_source {
    json_text text;
    /* Offset of the "resources" list's '[', or SIZE_MAX when the envelope's parse read the list (a key
     * written with escapes, which the scanner does not decode) */
    size_t resources;
    resource_span *spans; /* the resources' places, or NULL when the list is to be scanned */
    size_t n_spans, cap_spans;
    bool done; /* snapshot_doc_each has read the resources */
};

static void drop_spans(struct snapshot_source *src)
{
    free(src->spans);
    src->spans = NULL;
    src->n_spans = src->cap_spans = 0;
}

void snapshot_doc_free(snapshot_doc *snap)
{
    if (!snap)
        return;
    if (snap->src) {
        json_text_close(&snap->src->text);
        drop_spans(snap->src);
    }
    free(snap->src);
    cJSON_Delete(snap->root);
    free(snap->resources);
    free(snap->org_accounts);
    free(snap);
}

/* A value that must be a string; NULL if it is not one. */
static const char *str_of(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A member that must be a string; NULL if it is not one. */
static const char *str_member(const cJSON *obj, const char *name)
{
    return str_of(cJSON_GetObjectItemCaseSensitive(obj, name));
}

static int check_resource(const char *name, size_t i, const cJSON *item, snap_resource *ref, ia_err *err)
{
    enum { TYPE, ID, ACCOUNT, REGION, DATA, N_KEYS };
    static const char *const keys[N_KEYS] = {"type", "id", "account", "region", "data"};
    const cJSON *m[N_KEYS];
    const char *account, *region;
    const cJSON *data;
    const char *missing = NULL;

    if (!cJSON_IsObject(item))
        return err_set_at(err, name, 0, 0, "resources[%zu] is not an object", i);
    json_members(item, keys, m, N_KEYS);
    ref->type = str_of(m[TYPE]);
    ref->id = str_of(m[ID]);
    account = str_of(m[ACCOUNT]);
    region = str_of(m[REGION]);
    data = m[DATA];
    if (!ref->type)
        missing = "'type' (a string)";
    else if (!ref->id)
        missing = "'id' (a string)";
    else if (!account)
        missing = "'account' (a string)";
    else if (!region)
        missing = "'region' (a string)";
    else if (!cJSON_IsObject(data))
        missing = "'data' (an object)";
    if (missing)
        return err_set_at(err, name, 0, 0, "resources[%zu] (%s/%s): missing or malformed %s", i,
                          account ? account : "?", region ? region : "?", missing);
    ref->account = account;
    ref->region = region;
    ref->data = data;
    ref->name = restype_display_name(ref->type, data);
    return 0;
}

/* ---- organizations ---- */

/* True when s is n to m of the characters in set, nothing else. */
static bool all_of(const char *s, const char *set, size_t n, size_t m)
{
    size_t len = strlen(s);

    return len >= n && len <= m && strspn(s, set) == len;
}

static bool account_id(const char *s)
{
    return s && all_of(s, "0123456789", 12, 12);
}

static bool organization_id(const char *s)
{
    return s && str_starts_with(s, "o-") && all_of(s + 2, "abcdefghijklmnopqrstuvwxyz0123456789", 10, 32);
}

/* A member account, and where it stood in the file (ties between Organizations go to the first). */
typedef struct placed_member {
    snap_org_account a;
    size_t at;
} placed_member;

static int cmp_member(const void *pa, const void *pb)
{
    const placed_member *a = pa, *b = pb;
    int c = strcmp(a->a.id, b->a.id);

    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/* The problem with organizations[i].accounts[j], or NULL when it is a member as the collector writes them. */
static const char *bad_member(const cJSON *m)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
    const char *state = str_member(m, "state");

    if (!cJSON_IsObject(m))
        return "not an object";
    if (!account_id(str_member(m, "id")))
        return "missing or malformed 'id' (12 digits)";
    if (name && !cJSON_IsString(name) && !cJSON_IsNull(name))
        return "malformed 'name' (a string or null)";
    if (!state || !state[0])
        return "missing or malformed 'state' (a string)";
    return NULL;
}

/* The problem with organizations[i] itself (not its members), or NULL. */
static const char *bad_organization(const cJSON *org)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(org, "org_units"), *u;

    if (!cJSON_IsObject(org))
        return "not an object";
    if (!organization_id(str_member(org, "id")))
        return "missing or malformed 'id' (o- and 10 to 32 of a-z, 0-9)";
    if (!account_id(str_member(org, "management_account")))
        return "missing or malformed 'management_account' (12 digits)";
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(org, "accounts")))
        return "missing or malformed 'accounts' (a list)";
    if (units && !cJSON_IsArray(units))
        return "malformed 'org_units' (a list of OU and root ids)";
    cJSON_ArrayForEach(u, units)
    {
        if (!cJSON_IsString(u) || !u->valuestring[0])
            return "malformed 'org_units' (a list of OU and root ids)";
    }
    return NULL;
}

/*
 * Checks "organizations" (absent when not collected with --org) and makes
 * the table of every member: sorted by id, each once (the first listed).
 */
static int check_organizations(const char *name, snapshot_doc *snap, ia_err *err)
{
    const cJSON *orgs = cJSON_GetObjectItemCaseSensitive(snap->root, "organizations"), *org, *m;
    placed_member *v = NULL;
    size_t n = 0, i = 0, kept = 0;

    if (!orgs)
        return 0;
    if (!cJSON_IsArray(orgs))
        return err_set_at(err, name, 0, 0, "snapshot \"organizations\" is not a list");
    cJSON_ArrayForEach(org, orgs)
    {
        const char *problem = bad_organization(org);
        size_t j = 0;

        if (problem)
            return err_set_at(err, name, 0, 0, "organizations[%zu]: %s", i, problem);
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(org, "accounts"))
        {
            problem = bad_member(m);
            if (problem)
                return err_set_at(err, name, 0, 0, "organizations[%zu].accounts[%zu] (%s): %s", i, j,
                                  str_member(org, "id"), problem);
            j++;
            n++;
        }
        i++;
    }
    snap->has_organization = i > 0;
    if (n == 0)
        return 0;
    v = calloc(n, sizeof(*v));
    snap->org_accounts = calloc(n, sizeof(*snap->org_accounts));
    if (!v || !snap->org_accounts) {
        free(v);
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory for %zu Organization members", name, n);
    }
    i = 0;
    cJSON_ArrayForEach(org, orgs)
    {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(org, "accounts"))
        {
            v[i].a = (snap_org_account){str_member(m, "id"), str_member(m, "name"), str_member(m, "state"),
                                        str_member(org, "id")};
            v[i].at = i;
            i++;
        }
    }
    qsort(v, n, sizeof(*v), cmp_member);
    for (i = 0; i < n; i++) {
        if (kept == 0 || strcmp(snap->org_accounts[kept - 1].id, v[i].a.id) != 0)
            snap->org_accounts[kept++] = v[i].a;
    }
    snap->n_org_accounts = kept;
    free(v);
    return 0;
}

/* Replaces bytes that are not UTF-8 in every string and key of the tree (cJSON passes them through). */
static void scrub_strings(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->string && !(item->type & cJSON_StringIsConst))
            str_utf8_scrub(item->string);
        if (cJSON_IsString(item) && item->valuestring && !(item->type & cJSON_IsReference))
            str_utf8_scrub(item->valuestring);
        scrub_strings(item->child);
    }
}

/* Checks the envelope in snap->root: everything but the resources, which are checked one by one. */
static int check(const char *name, snapshot_doc *snap, ia_err *err)
{
    const cJSON *schema, *version, *resources, *errors;

    /* Every report must be well-formed UTF-8 whatever an image's owner put in its name. */
    scrub_strings(snap->root);
    schema = cJSON_GetObjectItemCaseSensitive(snap->root, "schema");
    version = cJSON_GetObjectItemCaseSensitive(snap->root, "schema_version");
    if (!cJSON_IsObject(snap->root) || !cJSON_IsString(schema) ||
        strcmp(schema->valuestring, SNAPSHOT_SCHEMA) != 0)
        return err_set_at(err, name, 0, 0, "not an imgaudit snapshot (\"schema\" is not \"%s\")",
                          SNAPSHOT_SCHEMA);
    if (!cJSON_IsNumber(version) || version->valuedouble != SNAPSHOT_SCHEMA_VERSION)
        return err_set_at(err, name, 0, 0,
                          "snapshot schema_version %s is not supported (this imgaudit reads %d)",
                          cJSON_IsNumber(version) ? "other than 1" : "missing", SNAPSHOT_SCHEMA_VERSION);
    resources = cJSON_GetObjectItemCaseSensitive(snap->root, "resources");
    if (!cJSON_IsArray(resources))
        return err_set_at(err, name, 0, 0, "snapshot has no \"resources\" list");
    errors = cJSON_GetObjectItemCaseSensitive(snap->root, "errors");
    if (errors && !cJSON_IsArray(errors) && !cJSON_IsNull(errors))
        return err_set_at(err, name, 0, 0, "snapshot \"errors\" is not a list");
    snap->errors = cJSON_IsArray(errors) ? errors : NULL;
    return check_organizations(name, snap, err);
}

/* A parse of text[at..at+len) failed: the error names the place in the whole text. */
static int parse_error(const json_text *t, size_t at, const json_fault *fault, ia_err *err)
{
    unsigned line, col;

    /* The budget is the whole piece's: no one place is to blame. */
    if (fault->status == JSON_TOO_LARGE)
        return err_set_at(err, t->name, 0, 0, "%s", fault->msg);
    str_text_position(t->data, t->len, at + fault->offset, &line, &col);
    if (fault->status == JSON_TOO_DEEP)
        return err_set_at(err, t->name, line, col, "nesting deeper than %d levels", JSON_MAX_DEPTH);
    return err_set_at(err, t->name, line, col, "%s: not a snapshot", fault->msg);
}

/* jsonscan's hook for what it steps over: those pages are given back. */
static void passed(void *t, size_t at)
{
    json_text_release(t, at);
}

/* Where the top-level "resources" list is. */
typedef enum list_place {
    LIST_NONE,  /* no such member, or not a list, or the text breaks before it */
    LIST_FOUND, /* text[at..end) */
    LIST_OPEN,  /* it starts at at and does not close: the text breaks inside it */
} list_place;

/* Notes where e stands; false once the places would take more than their share (spans dropped). */
static bool note_span(struct snapshot_source *src, const jsonscan_item *e)
{
    if (src->n_spans == src->cap_spans) {
        size_t limit = src->text.len / SPANS_TEXT_SHARE / sizeof(resource_span);
        size_t cap = src->cap_spans ? src->cap_spans * 2 : SPANS_FLOOR;
        resource_span *grown = NULL;

        /* Grown up to the share exactly, not refused at the doubling that would pass it. */
        if (limit < SPANS_FLOOR)
            limit = SPANS_FLOOR;
        if (cap > limit)
            cap = limit;
        if (cap > src->n_spans)
            grown = realloc(src->spans, cap * sizeof(*grown));
        if (!grown) {
            drop_spans(src);
            return false;
        }
        src->spans = grown;
        src->cap_spans = cap;
    }
    src->spans[src->n_spans++] = (resource_span){e->value, e->value_end, e->depth};
    return true;
}

/*
 * Walks the resources list that m's value starts, element by element,
 * noting their places (note_span) while they fit: 0 with s past the list,
 * or -1 when the walk fails (no places kept, s where it was), the list then
 * stepped over whole as before, so that its errors stay where they were.
 */
static int walk_resources(struct snapshot_source *src, jsonscan *s, jsonscan_item *m)
{
    json_text *t = &src->text;
    bool noting = true;
    jsonscan list;
    jsonscan_item e;
    int more;

    if (jsonscan_open(&list, t->data, t->len, m->value, '[') != 0)
        return -1;
    while ((more = jsonscan_next(&list, &e)) == 1) {
        json_text_release(t, e.value);
        noting = noting && note_span(src, &e);
    }
    if (more < 0) {
        drop_spans(src);
        return -1;
    }
    jsonscan_walked(s, m, list.at);
    return 0;
}

/*
 * The top-level member "resources" when its value is a list. The members
 * before it are only stepped over: the envelope's parse checks them. When
 * the text breaks before the list, the envelope's parse names the place,
 * having built no more than what comes before it.
 */
static list_place find_resources(struct snapshot_source *src, size_t *at, size_t *end)
{
    json_text *t = &src->text;
    size_t start = t->len >= 3 && memcmp(t->data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    jsonscan s;
    jsonscan_item m;
    int more;

    if (jsonscan_open(&s, t->data, t->len, start, '{') != 0)
        return LIST_NONE;
    /* Stepping over a million resources reads them all: their pages are given back as it goes. */
    s.passed = passed;
    s.ud = t;
    while ((more = jsonscan_next_key(&s, &m)) == 1) {
        bool found = jsonscan_key_is(&s, &m, "resources");

        if (found && m.value < t->len && t->data[m.value] == '[' && walk_resources(src, &s, &m) == 0)
            break;
        more = jsonscan_next_value(&s, &m);
        if (more != 1 || found)
            break;
    }
    /* A failed step still names the member it was in. */
    if (more == 0 || !jsonscan_key_is(&s, &m, "resources") || m.value >= t->len || t->data[m.value] != '[')
        return LIST_NONE;
    *at = m.value;
    *end = m.value_end;
    return more == 1 ? LIST_FOUND : LIST_OPEN;
}

/*
 * The place of the first error in a snapshot whose resources list does not
 * close (a file cut short, say), found as the envelope and the resources
 * would be read, without parsing the list whole: what precedes the list,
 * then each resource, then where the list breaks.
 */
static int broken_list(json_text *t, size_t at, ia_err *err)
{
    char *head = malloc(at + 4);
    json_arena arena = {NULL};
    cJSON *parsed = NULL;
    json_fault fault;
    jsonscan s;
    jsonscan_item e;
    int rc;

    if (!head)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", t->name);
    memcpy(head, t->data, at);
    memcpy(head + at, "[]}", 4);
    rc = json_parse_bounded(head, at + 3, JSON_MAX_DEPTH, &parsed, &fault);
    free(head);
    cJSON_Delete(parsed);
    if (rc != 0 && fault.offset < at)
        return parse_error(t, 0, &fault, err);
    jsonscan_open(&s, t->data, t->len, at, '[');
    /* A resource the list breaks in (e.value set, no end found) runs to the end of the text: cJSON names the
     * place in it. */
    while ((rc = jsonscan_next(&s, &e)) == 1 || (rc < 0 && e.value > 0)) {
        size_t len = rc == 1 ? e.value_end - e.value : t->len - e.value;

        json_text_release(t, e.value);
        if (json_parse_in(&arena, t->data + e.value, len, SNAPSHOT_RESOURCE_MAX_DEPTH,
                          rc == 1 ? e.depth : JSON_DEPTH_UNKNOWN, &parsed, &fault) != 0) {
            json_arena_free(&arena);
            return parse_error(t, e.value, &fault, err);
        }
        if (rc < 0)
            break;
    }
    json_arena_free(&arena);
    return parse_error(t, s.at, &(json_fault){JSON_INVALID, 0, "invalid JSON"}, err);
}

/*
 * Parses the envelope: the whole text with the resources list read as "[]"
 * (a copy of the rest: the accounts, regions, errors, Organization), so
 * that cJSON checks every byte outside the list and its errors name the
 * same places as in the file.
 */
static int parse_envelope(snapshot_doc *snap, ia_err *err)
{
    json_text *t = &snap->src->text;
    size_t at = SIZE_MAX, end = 0, len;
    char *env = NULL;
    json_fault fault;
    int rc;

    if (t->len == 0)
        return err_set_at(err, t->name, 0, 0, "empty file, not a snapshot");
    switch (find_resources(snap->src, &at, &end)) {
    case LIST_NONE:
        if (json_parse_bounded(t->data, t->len, JSON_MAX_DEPTH, &snap->root, &fault) != 0)
            return parse_error(t, 0, &fault, err);
        return 0;
    case LIST_OPEN: return broken_list(t, at, err);
    case LIST_FOUND: break;
    }
    len = t->len - (end - at) + 2;
    env = malloc(len + 1);
    if (!env)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", t->name);
    memcpy(env, t->data, at);
    memcpy(env + at, "[]", 2);
    memcpy(env + at + 2, t->data + end, t->len - end);
    env[len] = '\0';
    rc = json_parse_bounded(env, len, JSON_MAX_DEPTH, &snap->root, &fault);
    free(env);
    if (rc != 0) {
        /* Past the "[]", the envelope stands (end - at - 2) bytes before the file. */
        if (fault.offset >= at + 2)
            fault.offset += end - at - 2;
        else if (fault.offset > at)
            fault.offset = at;
        return parse_error(t, 0, &fault, err);
    }
    snap->src->resources = at;
    return 0;
}

/* Opens the text already in snap->src: the envelope parsed and checked. */
static int open_doc(snapshot_doc *snap, ia_err *err)
{
    snap->src->resources = SIZE_MAX;
    if (parse_envelope(snap, err) != 0)
        return -1;
    return check(snap->src->text.name, snap, err);
}

/* A new snapshot_doc with its source, or NULL (err set). */
static snapshot_doc *new_doc(ia_err *err)
{
    snapshot_doc *snap = calloc(1, sizeof(*snap));

    if (snap)
        snap->src = calloc(1, sizeof(*snap->src));
    if (!snap || !snap->src) {
        free(snap);
        err_set(err, IA_ERR_NOMEM, "out of memory reading a snapshot");
        return NULL;
    }
    return snap;
}

int snapshot_doc_open(const char *path, snapshot_doc **out, ia_err *err)
{
    snapshot_doc *snap = new_doc(err);

    *out = NULL;
    if (!snap)
        return -1;
    if (json_text_open(path, SNAPSHOT_MAX_BYTES, "a snapshot", &snap->src->text, err) != 0 ||
        open_doc(snap, err) != 0) {
        snapshot_doc_free(snap);
        return -1;
    }
    *out = snap;
    return 0;
}

/* The list the resources are kept in (snapshot_doc_read): the envelope's empty "resources". */
static cJSON *kept_list(snapshot_doc *snap)
{
    return cJSON_GetObjectItemCaseSensitive(snap->root, "resources");
}

/* The resources when the envelope's parse read them (see snapshot_source): checked and handed over. */
static int in_envelope(snapshot_doc *snap, snapshot_resource_fn fn, void *ud, ia_err *err)
{
    const cJSON *item;
    size_t i = 0;

    cJSON_ArrayForEach(item, kept_list(snap))
    {
        snap_resource ref;

        if (check_resource(snap->src->text.name, i++, item, &ref, err) != 0 || fn(ud, &ref, err) != 0)
            return -1;
    }
    return 0;
}

/* The next resource's place into *e: from the spans the envelope's scan noted, else scanned. As
 * jsonscan_next. */
static int next_resource(const struct snapshot_source *src, jsonscan *s, size_t i, jsonscan_item *e)
{
    const resource_span *span;

    if (!src->spans)
        return jsonscan_next(s, e);
    if (i == src->n_spans)
        return 0;
    span = src->spans + i;
    *e = (jsonscan_item){.value = span->value, .value_end = span->value_end, .depth = span->depth};
    return 1;
}

/*
 * Reads the resources one by one: each parsed (bounded as a document
 * nested three levels down), scrubbed and checked, handed to fn, then
 * freed, or kept in the envelope's "resources" list when keep is set.
 */
static int each_resource(snapshot_doc *snap, bool keep, snapshot_resource_fn fn, void *ud, ia_err *err)
{
    json_text *t = &snap->src->text;
    size_t i = 0, list = snap->src->resources;
    cJSON *kept = kept_list(snap);
    json_arena arena = {NULL};
    jsonscan s;
    jsonscan_item e;
    int more, rc = 0;

    if (snap->src->done)
        return 0;
    snap->src->done = true;
    if (list == SIZE_MAX)
        return in_envelope(snap, fn, ud, err); /* and kept where they are */
    if (jsonscan_open(&s, t->data, t->len, list, '[') != 0)
        return err_set(err, IA_ERR_INTERNAL, "%s: the resources list moved", t->name);
    while ((more = next_resource(snap->src, &s, i, &e)) == 1) {
        const char *text = t->data + e.value;
        size_t len = e.value_end - e.value;
        cJSON *item = NULL;
        snap_resource ref;
        json_fault fault;

        if (cancel_requested()) {
            rc = err_set(err, IA_ERR_CANCELLED, "%s: interrupted while reading the snapshot", t->name);
            break;
        }
        json_text_release(t, e.value);
        /* Kept: a tree of its own. Judged and dropped: in the arena, which the next resource reuses. */
        rc = keep ? json_parse_bounded(text, len, SNAPSHOT_RESOURCE_MAX_DEPTH, &item, &fault)
                  : json_parse_in(&arena, text, len, SNAPSHOT_RESOURCE_MAX_DEPTH, e.depth, &item, &fault);
        if (rc != 0) {
            rc = parse_error(t, e.value, &fault, err);
            break;
        }
        /* cJSON writes a \u escape as well-formed UTF-8: only a resource with bytes above ASCII can hold
         * strings to scrub, and the fleet's names are mostly ASCII. */
        if (!str_is_ascii(text, len))
            scrub_strings(item);
        rc = check_resource(t->name, i, item, &ref, err);
        if (rc == 0)
            rc = fn(ud, &ref, err);
        if (rc == 0 && keep)
            cJSON_AddItemToArray(kept, item);
        else if (keep)
            cJSON_Delete(item);
        if (rc != 0)
            break;
        i++;
    }
    json_arena_free(&arena);
    drop_spans(snap->src);
    if (rc == 0 && more < 0)
        return parse_error(t, s.at, &(json_fault){JSON_INVALID, 0, "invalid JSON"}, err);
    return rc;
}

int snapshot_doc_each(snapshot_doc *snap, snapshot_resource_fn fn, void *ud, ia_err *err)
{
    return each_resource(snap, false, fn, ud, err);
}

/* The table snapshot_doc_read makes as it reads the resources, and its room. */
typedef struct table {
    snapshot_doc *snap;
    size_t cap;
} table;

static int add_to_table(void *ud, const snap_resource *ref, ia_err *err)
{
    table *tb = ud;
    snapshot_doc *snap = tb->snap;

    if (snap->n_resources == tb->cap) {
        size_t cap = tb->cap ? tb->cap * 2 : 1024;
        snap_resource *grown = realloc(snap->resources, cap * sizeof(*grown));

        if (!grown)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory for %zu resources", snap->src->text.name,
                           cap);
        snap->resources = grown;
        tb->cap = cap;
    }
    snap->resources[snap->n_resources++] = *ref;
    return 0;
}

/* Reads every resource into the envelope and makes the table of them. */
static int read_all(snapshot_doc *snap, ia_err *err)
{
    table tb = {snap, 0};

    return each_resource(snap, true, add_to_table, &tb, err);
}

int snapshot_doc_parse(const char *name, const char *text, size_t len, snapshot_doc **out, ia_err *err)
{
    snapshot_doc *snap = new_doc(err);

    *out = NULL;
    if (!snap)
        return -1;
    snap->src->text.data = text;
    snap->src->text.len = len;
    str_copy(snap->src->text.name, sizeof(snap->src->text.name), name);
    if (open_doc(snap, err) != 0 || read_all(snap, err) != 0) {
        snapshot_doc_free(snap);
        return -1;
    }
    *out = snap;
    return 0;
}

int snapshot_doc_read(const char *path, snapshot_doc **out, ia_err *err)
{
    if (snapshot_doc_open(path, out, err) != 0)
        return -1;
    if (read_all(*out, err) != 0) {
        snapshot_doc_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
