/*
 * Running compiled conditions and message templates over one resource. This
 * is the inner loop of evaluation (rules x resources), so it allocates
 * nothing and parses nothing but timestamps: keys were split at load time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/wbuf.h"

/* A filled message longer than this is cut; reports have no use for more. */
#define MESSAGE_MAX_BYTES 16384
/* The accounts a fix names, each followed by a NUL: far more than an image's permissions can hold. */
#define FIX_SEEN_MAX_BYTES ((size_t)16 * 1024 * 1024)

typedef bool (*visit_fn)(const cJSON *value, void *arg);

/* cJSON's type test without a call into the shared library: this runs for every key of every resource. */
#define JTYPE(v) ((v)->type & 0xFF)

/* An object's member; NULL when missing, when JSON null, or when node is not an object. */
static const cJSON *member(const cJSON *node, const char *name)
{
    if (!node || JTYPE(node) != cJSON_Object)
        return NULL;
    for (const cJSON *c = node->child; c; c = c->next) {
        /* The first byte rules out most keys before strcmp is called. */
        if (c->string && c->string[0] == name[0] && strcmp(c->string, name) == 0)
            return JTYPE(c) == cJSON_NULL ? NULL : c;
    }
    return NULL;
}

/*
 * Calls fn for each value the segments yield from node, stopping as soon as
 * fn returns true (ANY semantics). Returns whether it stopped early.
 */
static bool walk(const rseg *segs, size_t n, const cJSON *node, visit_fn fn, void *arg)
{
    for (size_t i = 0; i < n; i++) {
        node = member(node, segs[i].name);
        if (!node)
            return false;
        if (segs[i].walk) {
            if (!cJSON_IsArray(node))
                return false;
            for (const cJSON *el = node->child; el; el = el->next) {
                if (i + 1 == n) {
                    if (!cJSON_IsNull(el) && fn(el, arg))
                        return true;
                } else if (walk(segs + i + 1, n - i - 1, el, fn, arg)) {
                    return true;
                }
            }
            return false;
        }
    }
    return fn(node, arg);
}

/*
 * The single value of a path that does not walk, or NULL when it is missing.
 * account and region are served from *scratch, a string item that only
 * points at the resource's own text: cJSON offers no read-only string view.
 */
static const cJSON *path_get(const rpath *p, const snap_resource *res, cJSON *scratch)
{
    const cJSON *node = res->data;

    if (p->root != ROOT_DATA) {
        const char *s = p->root == ROOT_ACCOUNT ? res->account : res->region;

        if (!s)
            return NULL;
        memset(scratch, 0, sizeof(*scratch));
        scratch->type = cJSON_String;
        scratch->valuestring = (char *)(uintptr_t)s;
        return scratch;
    }
    for (size_t i = 0; i < p->n && node; i++)
        node = member(node, p->segs[i].name);
    return node;
}

static bool val_eq(const cJSON *v, const rval *x)
{
    switch (x->type) {
    case RV_STR: return cJSON_IsString(v) && v->valuestring && strcmp(v->valuestring, x->str) == 0;
    case RV_NUM: return cJSON_IsNumber(v) && v->valuedouble == x->num;
    case RV_BOOL: return cJSON_IsBool(v) && (cJSON_IsTrue(v) != 0) == x->b;
    case RV_NULL: return cJSON_IsNull(v);
    case RV_LIST: return false;
    }
    return false;
}

/* Whether s is one of the list's strings: looked up in their hash set. */
static bool str_in(const char *s, const rval *list)
{
    size_t mask = list->n_slots - 1;

    if (list->n_slots == 0)
        return false;
    for (size_t i = (size_t)str_hash(s) & mask; list->slots[i]; i = (i + 1) & mask) {
        if (strcmp(list->items[list->slots[i] - 1].str, s) == 0)
            return true;
    }
    return false;
}

/* A string is looked up among the list's strings; any other value among the rest. */
static bool val_in(const cJSON *v, const rval *list)
{
    if (cJSON_IsString(v) && v->valuestring)
        return str_in(v->valuestring, list);
    for (size_t i = list->n_str; i < list->n; i++) {
        if (val_eq(v, &list->items[i]))
            return true;
    }
    return false;
}

/* lt/le/gt/ge: numbers numerically, strings by bytes (ISO-8601 times sort right); else no order. */
static bool val_order(const cJSON *v, const rval *x, rop op)
{
    int c;

    if (x->type == RV_NUM && cJSON_IsNumber(v)) {
        double a = v->valuedouble;

        if (a != a || x->num != x->num)
            return false;
        c = a < x->num ? -1 : a > x->num ? 1 : 0;
    } else if (x->type == RV_STR && cJSON_IsString(v) && v->valuestring) {
        c = strcmp(v->valuestring, x->str);
    } else {
        return false;
    }
    switch (op) {
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    default: return false;
    }
}

/* A time as the snapshot writes it (ISO-8601), or epoch seconds as AWS sends them. */
static bool val_time(const cJSON *v, int64_t *epoch)
{
    time_t t;

    if (cJSON_IsString(v) && v->valuestring) {
        if (!timefmt_parse(v->valuestring, &t))
            return false;
        *epoch = (int64_t)t;
        return true;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12) {
        *epoch = (int64_t)v->valuedouble;
        return true;
    }
    return false;
}

static bool val_empty(const cJSON *v)
{
    if (cJSON_IsString(v))
        return !v->valuestring || v->valuestring[0] == '\0';
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        return v->child == NULL;
    return false;
}

/* contains on one value: an element of a list, a substring of a string, or a member of an object. */
static bool val_contains(const cJSON *v, const rval *x)
{
    if (cJSON_IsArray(v)) {
        for (const cJSON *el = v->child; el; el = el->next) {
            if (val_eq(el, x))
                return true;
        }
        return false;
    }
    if (cJSON_IsString(v) && v->valuestring && x->type == RV_STR)
        return strstr(v->valuestring, x->str) != NULL;
    if (cJSON_IsObject(v) && x->type == RV_STR)
        return member(v, x->str) != NULL;
    return false;
}

typedef struct leaf_arg {
    const rcond *c;
    const rules_clock *clock;
} leaf_arg;

/* A comparison op on one present value. */
static bool compare_one(const cJSON *v, void *p)
{
    const leaf_arg *a = p;
    const rcond *c = a->c;
    int64_t t;

    switch (c->op) {
    case OP_EQ: return val_eq(v, &c->val);
    case OP_NE: return !val_eq(v, &c->val);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: return val_order(v, &c->val, c->op);
    case OP_IN: return val_in(v, &c->val);
    case OP_NOT_IN: return !val_in(v, &c->val);
    case OP_REGEX:
        return cJSON_IsString(v) && v->valuestring && regexec(&c->re, v->valuestring, 0, NULL, 0) == 0;
    case OP_OLDER_THAN: return val_time(v, &t) && t < a->clock->now_s - c->dur_s;
    case OP_NEWER_THAN: return val_time(v, &t) && t > a->clock->now_s - c->dur_s;
    case OP_CONTAINS: return val_eq(v, &c->val);
    default: return false;
    }
}

/* contains/not-contains over walked values: one of them equals the value. */
static bool equals_one(const cJSON *v, void *p)
{
    const leaf_arg *a = p;

    return val_eq(v, &a->c->val);
}

static bool yields_any(const cJSON *v, void *p)
{
    (void)v;
    (void)p;
    return true;
}

static bool leaf_walk_eval(const rcond *c, const snap_resource *res, const rules_clock *clock)
{
    leaf_arg a = {c, clock};
    bool any;

    switch (c->op) {
    case OP_PRESENT:
    case OP_NOT_EMPTY: return walk(c->path.segs, c->path.n, res->data, yields_any, NULL);
    case OP_ABSENT:
    case OP_EMPTY: return !walk(c->path.segs, c->path.n, res->data, yields_any, NULL);
    case OP_NOT_CONTAINS:
        /* The walked values as one list: it must have elements, none equal to the value. */
        if (!walk(c->path.segs, c->path.n, res->data, yields_any, NULL))
            return false;
        any = walk(c->path.segs, c->path.n, res->data, equals_one, &a);
        return !any;
    default: return walk(c->path.segs, c->path.n, res->data, compare_one, &a);
    }
}

static bool leaf_eval(const rcond *c, const snap_resource *res, const rules_clock *clock)
{
    leaf_arg a = {c, clock};
    cJSON scratch;
    const cJSON *v;

    if (c->path.walks)
        return leaf_walk_eval(c, res, clock);
    v = path_get(&c->path, res, &scratch);
    if (!v)
        return c->op == OP_ABSENT || c->op == OP_EMPTY || c->op == OP_NE || c->op == OP_NOT_IN ||
               c->op == OP_NOT_CONTAINS;
    switch (c->op) {
    case OP_PRESENT: return true;
    case OP_ABSENT: return false;
    case OP_EMPTY: return val_empty(v);
    case OP_NOT_EMPTY: return !val_empty(v);
    case OP_CONTAINS: return val_contains(v, &c->val);
    case OP_NOT_CONTAINS: return !val_contains(v, &c->val);
    default: return compare_one(v, &a);
    }
}

static bool collect_visit(const cJSON *v, void *p)
{
    cJSON *copy = cJSON_Duplicate(v, true);

    if (!copy || !cJSON_AddItemToArray(p, copy)) {
        cJSON_Delete(copy);
        return true; /* stops the walk; the caller sees the copy missing */
    }
    return false;
}

int rules_leaf_found(const rcond *leaf, const snap_resource *res, cJSON **out)
{
    cJSON scratch;
    const cJSON *v;

    *out = NULL;
    if (leaf->path.walks) {
        cJSON *list = cJSON_CreateArray();

        if (!list)
            return -1;
        if (walk(leaf->path.segs, leaf->path.n, res->data, collect_visit, list)) {
            cJSON_Delete(list);
            return -1;
        }
        *out = list;
        return 0;
    }
    v = path_get(&leaf->path, res, &scratch);
    if (!v)
        return 0;
    *out = v == &scratch ? cJSON_CreateString(scratch.valuestring) : cJSON_Duplicate(v, true);
    return *out ? 0 : -1;
}

bool rules_cond_eval(const rcond *c, const snap_resource *res, const rules_clock *clock)
{
    switch (c->kind) {
    case COND_AND:
        for (size_t i = 0; i < c->n; i++) {
            if (!rules_cond_eval(c->kids[i], res, clock))
                return false;
        }
        return true;
    case COND_OR:
        for (size_t i = 0; i < c->n; i++) {
            if (rules_cond_eval(c->kids[i], res, clock))
                return true;
        }
        return false;
    case COND_NOT: return !rules_cond_eval(c->kids[0], res, clock);
    case COND_LEAF: return leaf_eval(c, res, clock);
    }
    return false;
}

/* ---- templates ---- */

typedef struct render_arg {
    buf *out;
    size_t count;
} render_arg;

static void render_value(buf *out, const cJSON *v)
{
    char num[64];
    char *json;

    if (cJSON_IsString(v)) {
        buf_puts(out, v->valuestring ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;

        /* Range first: casting a double outside long long's range is undefined. */
        if (d > -1e15 && d < 1e15 && d == (double)(long long)d)
            snprintf(num, sizeof(num), "%lld", (long long)d);
        else
            snprintf(num, sizeof(num), "%.15g", d);
        buf_puts(out, num);
    } else if (cJSON_IsBool(v)) {
        buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
    } else {
        json = cJSON_PrintUnformatted(v);
        if (json)
            buf_puts(out, json);
        cJSON_free(json);
    }
}

static bool render_visit(const cJSON *v, void *p)
{
    render_arg *a = p;

    if (cJSON_IsArray(v)) {
        for (const cJSON *el = v->child; el; el = el->next) {
            if (cJSON_IsNull(el))
                continue;
            if (a->count++)
                buf_puts(a->out, ", ");
            render_value(a->out, el);
        }
        return false;
    }
    if (a->count++)
        buf_puts(a->out, ", ");
    render_value(a->out, v);
    return false;
}

/* ---- {matched}: worked out again for a failure only, so a pass costs nothing more ---- */

/* The values written, each followed by a NUL, and a hash set of their offsets (+1; 0 is free), so that a
 * list of a million shares costs a million lookups, not a million scans. */
typedef struct match_set {
    buf seen;
    uint32_t *slots;
    size_t cap, used;
    buf one; /* a value as it is written, before it is looked up in seen; emptied for each */
} match_set;

typedef struct match_arg {
    const rcond *leaf;
    const rules_clock *clock;
    const char *key; /* only leaves on this key; NULL: every leaf */
    buf *out;
    buf *json;        /* when set, the string values go here, as a JSON array's elements, instead of out */
    bool json_failed; /* out of memory adding to json */
    size_t count;
    bool full; /* the message reached its cap: nothing more is looked at */
    match_set *set;
} match_arg;

/* The slot holding text, or the free slot where it belongs. */
static size_t seen_slot(const match_set *m, const char *text)
{
    size_t i = (size_t)str_hash(text) & (m->cap - 1);

    while (m->slots[i] && strcmp(m->seen.data + m->slots[i] - 1, text) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* Keeps the set at most half full. Returns -1 when out of memory. */
static int seen_grow(match_set *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint32_t *old = m->slots;
    size_t old_cap = m->cap;

    m->slots = calloc(cap, sizeof(*m->slots));
    if (!m->slots) {
        m->slots = old;
        return -1;
    }
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i])
            m->slots[seen_slot(m, m->seen.data + old[i] - 1)] = old[i];
    }
    free(old);
    return 0;
}

static void match_one(match_arg *m, const cJSON *v)
{
    match_set *set = m->set;
    const char *text;
    size_t len, slot, at;

    if (m->full)
        return;
    buf_reset(&set->one);
    render_value(&set->one, v);
    text = buf_str(&set->one);
    len = strlen(text);
    if ((set->used + 1) * 2 > set->cap && seen_grow(set) != 0)
        goto full;
    slot = seen_slot(set, text);
    if (set->slots[slot])
        return;
    at = set->seen.len;
    /* seen is bounded as the message is, so offsets fit. */
    if (buf_append(&set->seen, text, len + 1) != 0)
        goto full;
    set->slots[slot] = (uint32_t)at + 1;
    set->used++;
    if (m->json) {
        if (!cJSON_IsString(v))
            return;
        if ((m->count && buf_putc(m->json, ',') != 0) || buf_json_string(m->json, v->valuestring) != 0) {
            m->json_failed = true;
            goto full;
        }
        m->count++;
        return;
    }
    if ((m->count && buf_puts(m->out, ", ") != 0) || buf_puts(m->out, text) != 0)
        goto full;
    m->count++;
    return;
full:
    m->full = true;
}

/* A value that made a leaf hold; a list stands for its elements, as {path} shows it. */
static void match_add(match_arg *m, const cJSON *v)
{
    if (!cJSON_IsArray(v)) {
        match_one(m, v);
        return;
    }
    for (const cJSON *el = v->child; el; el = el->next) {
        if (!cJSON_IsNull(el))
            match_one(m, el);
    }
}

/* Each walked element the leaf's op holds for (all of them, not just the first). */
static bool match_visit(const cJSON *v, void *p)
{
    match_arg *m = p;
    leaf_arg a = {m->leaf, m->clock};
    bool take;

    switch (m->leaf->op) {
    case OP_PRESENT:
    case OP_NOT_EMPTY:
    case OP_NOT_CONTAINS: take = true; break;
    case OP_CONTAINS: take = val_eq(v, &m->leaf->val); break;
    default: take = compare_one(v, &a); break;
    }
    if (take)
        match_add(m, v);
    return m->full;
}

/* The values of c, which holds for res: a leaf's, and for and/or those of the branches that hold. */
static void match_cond(const rcond *c, const snap_resource *res, match_arg *m)
{
    cJSON scratch;
    const cJSON *v;

    switch (c->kind) {
    case COND_AND:
        for (size_t i = 0; i < c->n; i++)
            match_cond(c->kids[i], res, m);
        return;
    case COND_OR:
        for (size_t i = 0; i < c->n; i++) {
            if (rules_cond_eval(c->kids[i], res, m->clock))
                match_cond(c->kids[i], res, m);
        }
        return;
    case COND_NOT: return; /* what does not hold names no value */
    case COND_LEAF: break;
    }
    if (c->op == OP_ABSENT || c->op == OP_EMPTY || (m->key && strcmp(c->key, m->key) != 0))
        return;
    m->leaf = c;
    if (c->path.walks) {
        walk(c->path.segs, c->path.n, res->data, match_visit, m);
        return;
    }
    v = path_get(&c->path, res, &scratch);
    if (v)
        match_add(m, v);
}

/*
 * Writes the message of template t into out (emptied first): held is the
 * condition that holds for res, whose values {matched} names, or NULL when
 * none does.
 */
static void render_into(const rtmpl *t, const rcond *held, const snap_resource *res, const rules_clock *clock,
                        buf *out)
{
    cJSON scratch;

    buf_reset(out);
    out->max = MESSAGE_MAX_BYTES;
    for (size_t i = 0; i < t->n; i++) {
        const rtmpl_part *part = &t->parts[i];
        render_arg a = {out, 0};

        if (part->lit) {
            buf_puts(out, part->lit);
            continue;
        }
        if (part->matched) {
            match_set set;
            match_arg m;

            memset(&set, 0, sizeof(set));
            memset(&m, 0, sizeof(m));
            m.clock = clock;
            m.key = part->matched_key;
            m.out = out;
            m.set = &set;
            buf_init(&set.seen, MESSAGE_MAX_BYTES);
            buf_init(&set.one, MESSAGE_MAX_BYTES);
            if (held)
                match_cond(held, res, &m);
            buf_free(&set.seen);
            buf_free(&set.one);
            free(set.slots);
            a.count = m.count;
        } else if (part->path.walks) {
            walk(part->path.segs, part->path.n, res->data, render_visit, &a);
        } else {
            const cJSON *v = path_get(&part->path, res, &scratch);

            if (v)
                render_visit(v, &a);
        }
        if (a.count == 0)
            buf_puts(out, "(none)");
    }
    /* A message past the cap keeps what fitted: buf refuses whole appends, never leaves half a value. */
}

char *rules_tmpl_render(const rtmpl *t, const rcond *when, const snap_resource *res, const rules_clock *clock)
{
    bool matched = false;
    buf out;

    /* {matched} names values only when the condition holds, which is judged once for all of them. */
    for (size_t i = 0; i < t->n; i++)
        matched = matched || t->parts[i].matched;
    buf_init(&out, MESSAGE_MAX_BYTES);
    render_into(t, matched && when && rules_cond_eval(when, res, clock) ? when : NULL, res, clock, &out);
    return buf_detach(&out);
}

bool rules_rule_fails(const rules_set *set, size_t i, const snap_resource *res, const rules_clock *clock)
{
    return rules_cond_eval(set->rules[i].when, res, clock);
}

char *rules_rule_message(const rules_set *set, size_t i, const snap_resource *res, const rules_clock *clock)
{
    return rules_tmpl_render(&set->rules[i].msg, set->rules[i].when, res, clock);
}

const char *rules_failure_message(const rules_set *set, size_t i, const snap_resource *res,
                                  const rules_clock *clock, buf *out)
{
    render_into(&set->rules[i].msg, set->rules[i].when, res, clock, out);
    return buf_str(out);
}

#define PERMISSIONS_KEY "Permissions[]."

/* The rule key of the accounts an image is shared with; past PERMISSIONS_KEY, their key in Permissions
 * entries. */
static const char *share_account_key(const char *type)
{
    return strcmp(type, "appstream_image") == 0 ? PERMISSIONS_KEY "sharedAccountId"
                                                : PERMISSIONS_KEY "SharedAccountId";
}

/* The fix input as it is written, and the set of the accounts it names: kept from one failure to the next. */
struct rules_fix_room {
    buf text;
    match_set set;
};

/* A set that grew past this many slots is not kept: emptying it for every failure would cost more than it. */
#define FIX_SET_KEEP_SLOTS 1024
/* Room for every account seen holds, escaped (at most six bytes a byte), quoted and separated. */
#define FIX_TEXT_MAX_BYTES (8 * FIX_SEEN_MAX_BYTES)

rules_fix_room *rules_fix_room_new(void)
{
    rules_fix_room *room = calloc(1, sizeof(*room));

    if (room) {
        buf_init(&room->text, FIX_TEXT_MAX_BYTES);
        buf_init(&room->set.seen, FIX_SEEN_MAX_BYTES);
        buf_init(&room->set.one, MESSAGE_MAX_BYTES);
    }
    return room;
}

void rules_fix_room_free(rules_fix_room *room)
{
    if (!room)
        return;
    buf_free(&room->text);
    buf_free(&room->set.seen);
    buf_free(&room->set.one);
    free(room->set.slots);
    free(room);
}

/* Empties the set for the next failure, keeping its memory while it is small. */
static void set_reset(match_set *set)
{
    buf_reset(&set->seen);
    set->used = 0;
    if (set->cap > FIX_SET_KEEP_SLOTS) {
        free(set->slots);
        set->slots = NULL;
        set->cap = 0;
    } else if (set->slots) {
        memset(set->slots, 0, set->cap * sizeof(*set->slots));
    }
}

/* Every account res's Permissions name, as JSON strings separated by commas, into out. Returns 0 or -1. */
static int all_targets(const snap_resource *res, buf *out)
{
    const cJSON *perms = member(res->data, "Permissions");
    const char *field = share_account_key(res->type) + strlen(PERMISSIONS_KEY);
    const cJSON *p;
    bool first = true;

    cJSON_ArrayForEach(p, perms)
    {
        const cJSON *id = member(p, field);

        if (!cJSON_IsString(id))
            continue;
        if ((!first && buf_putc(out, ',') != 0) || buf_json_string(out, id->valuestring) != 0)
            return -1;
        first = false;
    }
    return 0;
}

/*
 * The accounts that made when (which holds for res) hold, on the key Permissions[].<field> (lint made sure
 * it has one), as all_targets writes them.
 */
static int matched_targets(const rcond *when, const snap_resource *res, const rules_clock *clock,
                           rules_fix_room *room)
{
    match_arg m;

    memset(&m, 0, sizeof(m));
    m.clock = clock;
    m.key = share_account_key(res->type);
    m.json = &room->text;
    /* Every account is named, not as many as a message holds: the seen set is bounded by the data. */
    m.set = &room->set;
    match_cond(when, res, &m);
    set_reset(&room->set);
    return m.json_failed ? -1 : 0;
}

/* data's string at a dotted path of plain members, or NULL. */
static const char *data_string(const cJSON *data, const char *first, const char *second)
{
    const cJSON *v = member(member(data, first), second);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* key (with the punctuation before the value), then value as a JSON string, or null for NULL. */
static int put_member(buf *out, const char *key, const char *value)
{
    return buf_puts(out, key) != 0 || buf_json_string(out, value) != 0 ? -1 : 0;
}

const char *rules_failure_fix_input(const rules_set *set, size_t i, const snap_resource *res,
                                    const rules_clock *clock, rules_fix_room *room)
{
    const rule_fix *fix = &set->rules[i].info.fix;
    buf *out = &room->text;
    int rc;

    /* Written as cJSON_PrintUnformatted writes the object, member by member, into memory kept for the next.
     */
    buf_reset(out);
    rc = put_member(out, "{\"action\":", fix->action);
    if (rc == 0 && fix->accounts) {
        rc = put_member(out, ",\"accounts\":", fix->accounts);
        rc = rc || buf_puts(out, ",\"targets\":[") != 0 ||
             (strcmp(fix->accounts, "all") == 0 ? all_targets(res, out)
                                                : matched_targets(set->rules[i].when, res, clock, room)) != 0;
        rc = rc || buf_putc(out, ']') != 0;
    } else if (rc == 0) {
        rc = put_member(out, ",\"name_template\":", fix->name_template) ||
             put_member(out, ",\"platform\":", data_string(res->data, "OperatingSystem", "Type")) ||
             put_member(out, ",\"updates_description\":", data_string(res->data, "Updates", "Description")) ||
             put_member(out, ",\"state\":",
                        cJSON_IsString(member(res->data, "State")) ? member(res->data, "State")->valuestring
                                                                   : NULL);
    }
    return rc == 0 && buf_putc(out, '}') == 0 ? buf_str(out) : NULL;
}
