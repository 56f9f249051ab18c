/*
 * Why a condition holds or not for one resource, for `rules test`: the leaf
 * that decided it, what its key yielded and what it wanted, each with its
 * type, since a number where a string was meant is the commonest surprise.
 * Runs only for an example whose outcome was wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/buf.h"

#define EXPLAIN_MAX_BYTES 4096
/* A value is shown up to this many bytes of JSON. */
#define VALUE_MAX_BYTES 300

static size_t count_leaves(const rcond *c)
{
    size_t n = 0;

    if (c->kind == COND_LEAF)
        return 1;
    for (size_t i = 0; i < c->n; i++)
        n += count_leaves(c->kids[i]);
    return n;
}

/* The deciding leaf of c, whose leaves are numbered from base + 1; its number in *index. */
static const rcond *deciding(const rcond *c, const snap_resource *res, const rules_clock *clock, size_t base,
                             size_t *index)
{
    size_t at = base;

    switch (c->kind) {
    case COND_LEAF: *index = base + 1; return c;
    case COND_NOT: return deciding(c->kids[0], res, clock, base, index);
    case COND_AND:
    case COND_OR:
        for (size_t i = 0; i < c->n; i++) {
            /* and: the first branch that fails it; or: the first that makes it hold. */
            if (rules_cond_eval(c->kids[i], res, clock) == (c->kind == COND_OR))
                return deciding(c->kids[i], res, clock, at, index);
            at += count_leaves(c->kids[i]);
        }
        /* and that holds: its last branch, what made it hold once the others (often filters) did; or that
         * does not: its first. */
        if (c->kind == COND_AND)
            return deciding(c->kids[c->n - 1], res, clock, at - count_leaves(c->kids[c->n - 1]), index);
        return deciding(c->kids[0], res, clock, base, index);
    }
    return c;
}

static const char *const type_names[] = {"string", "number", "boolean", "null", "object", "list"};

/* The bit of each type a value is or holds (a list: its elements'): 1u << its index in type_names. */
static unsigned type_bits(const cJSON *v, bool look_inside)
{
    unsigned bits = 0;

    if (look_inside && cJSON_IsArray(v)) {
        for (const cJSON *el = v->child; el; el = el->next)
            bits |= type_bits(el, false);
        return bits;
    }
    return cJSON_IsString(v)   ? 1u
           : cJSON_IsNumber(v) ? 2u
           : cJSON_IsBool(v)   ? 4u
           : cJSON_IsNull(v)   ? 8u
           : cJSON_IsObject(v) ? 16u
                               : 32u;
}

/* "string", "number", "list of string", "list of number and string"...: what the rules compare by. */
static void type_of(const cJSON *v, char *out, size_t size)
{
    unsigned bits = type_bits(v, true);
    size_t len = 0;

    if (cJSON_IsArray(v) && !v->child) {
        snprintf(out, size, "empty list");
        return;
    }
    if (cJSON_IsArray(v))
        len = (size_t)snprintf(out, size, "list of ");
    for (size_t i = 0, k = 0; i < sizeof(type_names) / sizeof(type_names[0]) && len < size; i++) {
        if (bits & 1u << i)
            len += (size_t)snprintf(out + len, size - len, "%s%s", k++ ? " and " : "", type_names[i]);
    }
}

/* Appends v as compact JSON, cut at VALUE_MAX_BYTES, then its type in parentheses. */
static void put_value(buf *out, const cJSON *v)
{
    char *json = cJSON_PrintUnformatted(v);
    char type[80];

    type_of(v, type, sizeof(type));
    if (json && strlen(json) > VALUE_MAX_BYTES)
        buf_printf(out, "%.*s... (%s)", VALUE_MAX_BYTES, json, type);
    else
        buf_printf(out, "%s (%s)", json ? json : "?", type);
    cJSON_free(json);
}

static cJSON *rval_json(const rval *v)
{
    cJSON *list;

    switch (v->type) {
    case RV_STR: return cJSON_CreateString(v->str);
    case RV_NUM: return cJSON_CreateNumber(v->num);
    case RV_BOOL: return cJSON_CreateBool(v->b);
    case RV_NULL: return cJSON_CreateNull();
    case RV_LIST: break;
    }
    list = cJSON_CreateArray();
    for (size_t i = 0; list && i < v->n; i++) {
        cJSON *item = rval_json(&v->items[i]);

        if (!item || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            return NULL;
        }
    }
    return list;
}

static const char *wanted_word(rop op)
{
    switch (op) {
    case OP_EQ: return "equal to";
    case OP_NE: return "not equal to";
    case OP_LT: return "less than";
    case OP_LE: return "at most";
    case OP_GT: return "greater than";
    case OP_GE: return "at least";
    case OP_IN: return "in";
    case OP_NOT_IN: return "not in";
    case OP_CONTAINS: return "containing";
    case OP_NOT_CONTAINS: return "not containing";
    case OP_REGEX: return "matching";
    case OP_PRESENT: return "present";
    case OP_ABSENT: return "absent";
    case OP_EMPTY: return "empty";
    case OP_NOT_EMPTY: return "not empty";
    case OP_OLDER_THAN: return "older than";
    case OP_NEWER_THAN: return "newer than";
    }
    return "?";
}

/* The value as the rule writes it: {var: NAME}, or the constant as JSON. */
static void put_written(buf *out, const rcond *leaf)
{
    const ytree_node *v = leaf->val_node, *ref = rules_var_ref(v);
    cJSON *json;
    char *text;

    if (!v)
        return;
    if (ref) {
        buf_printf(out, " {var: %s}", ref->text);
        return;
    }
    json = rules_ytree_to_json(v);
    text = json ? cJSON_PrintUnformatted(json) : NULL;
    if (text && strlen(text) > VALUE_MAX_BYTES)
        buf_printf(out, " %.*s...", VALUE_MAX_BYTES, text);
    else if (text)
        buf_printf(out, " %s", text);
    cJSON_free(text);
    cJSON_Delete(json);
}

/* "wanted not in [...] (list of string)", and a note when no type found can ever equal one wanted. */
static int put_wanted(buf *out, const rcond *leaf, const cJSON *found)
{
    cJSON *want = NULL;
    unsigned fb, wb;

    buf_printf(out, ", wanted %s", wanted_word(leaf->op));
    switch (leaf->op) {
    case OP_PRESENT:
    case OP_ABSENT:
    case OP_EMPTY:
    case OP_NOT_EMPTY: return 0;
    case OP_OLDER_THAN:
    case OP_NEWER_THAN: buf_printf(out, " %g days", (double)leaf->dur_s / 86400.0); return 0;
    default: break;
    }
    want = rval_json(&leaf->val);
    if (!want)
        return -1;
    buf_putc(out, ' ');
    put_value(out, want);
    if (found && leaf->op != OP_REGEX) {
        /* A walk's values and a list are compared element by element; so is a list value for in/not-in. */
        fb = type_bits(found, leaf->path.walks || leaf->op == OP_CONTAINS || leaf->op == OP_NOT_CONTAINS);
        wb = type_bits(want, leaf->op == OP_IN || leaf->op == OP_NOT_IN);
        /* Null, objects and lists count as one kind here: the note is about scalars of another type. */
        fb = (fb & 7u) | (fb & ~7u ? 8u : 0);
        wb = (wb & 7u) | (wb & ~7u ? 8u : 0);
        if (fb && wb && !(fb & wb))
            buf_puts(out, "; the types differ, and a value never equals one of another type (a number is not "
                          "a string: quote it)");
    }
    cJSON_Delete(want);
    return 0;
}

char *rules_cond_explain(const rcond *c, const snap_resource *res, const rules_clock *clock)
{
    size_t index = 0;
    const rcond *leaf = deciding(c, res, clock, 0, &index);
    cJSON *found = NULL;
    buf out;

    buf_init(&out, EXPLAIN_MAX_BYTES);
    if (rules_leaf_found(leaf, res, &found) != 0)
        goto nomem;
    buf_printf(&out, "condition %zu (%s %s", index, leaf->key ? leaf->key : "?", rules_op_name(leaf->op));
    put_written(&out, leaf);
    buf_printf(&out, ") was %s: found ", rules_cond_eval(leaf, res, clock) ? "true" : "false");
    if (!found || (leaf->path.walks && !found->child))
        buf_puts(&out, "nothing (the key yields no value)");
    else
        put_value(&out, found);
    if (put_wanted(&out, leaf, found && (!leaf->path.walks || found->child) ? found : NULL) != 0)
        goto nomem;
    cJSON_Delete(found);
    return buf_detach(&out);
nomem:
    cJSON_Delete(found);
    buf_free(&out);
    return NULL;
}
