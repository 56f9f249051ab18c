/*
 * Compiling one rule: the checks that make a rule file trustworthy (every
 * key known, every value of the right type, every variable defined, every
 * regular expression valid) and the work done once so that evaluation does
 * none of it (keys split into segments, ops to enums, values typed,
 * durations in seconds, templates split into parts).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rules/regex_check.h"
#include "rules/rules_int.h"
#include "util/buf.h"
#include "util/str.h"

#define SECONDS_PER_DAY   86400
#define MAX_DURATION_DAYS 1000000

static const struct {
    const char *name;
    rop op;
} ops[] = {
    {"eq", OP_EQ},
    {"ne", OP_NE},
    {"lt", OP_LT},
    {"le", OP_LE},
    {"gt", OP_GT},
    {"ge", OP_GE},
    {"in", OP_IN},
    {"not-in", OP_NOT_IN},
    {"contains", OP_CONTAINS},
    {"not-contains", OP_NOT_CONTAINS},
    {"regex", OP_REGEX},
    {"present", OP_PRESENT},
    {"absent", OP_ABSENT},
    {"empty", OP_EMPTY},
    {"not-empty", OP_NOT_EMPTY},
    {"older-than", OP_OLDER_THAN},
    {"newer-than", OP_NEWER_THAN},
};

#define OP_LIST                                                                                              \
    "eq, ne, lt, le, gt, ge, in, not-in, contains, not-contains, regex, present, absent, empty, not-empty, " \
    "older-than, newer-than"

static const char *const rule_keys[] = {"id",          "title",   "severity", "resource", "description",
                                        "remediation", "message", "when",     "tests",    "fix"};

/* The fix actions, the resource type each changes, and whether it takes `accounts` or `name_template`. */
static const struct {
    const char *action;
    const char *type;
    bool accounts;
} fix_actions[] = {
    {RULES_FIX_UNSHARE_WORKSPACES, "workspaces_image", true},
    {RULES_FIX_UNSHARE_APPSTREAM, "appstream_image", true},
    {RULES_FIX_UPDATE_WORKSPACES, "workspaces_image", false},
};

#define FIX_ACTION_LIST                                                                                      \
    RULES_FIX_UNSHARE_WORKSPACES ", " RULES_FIX_UNSHARE_APPSTREAM ", " RULES_FIX_UPDATE_WORKSPACES

/* The longest name CreateUpdatedWorkspaceImage takes, and what {date} (YYYYMMDD) adds to a template. */
#define FIX_NAME_MAX 64
#define FIX_DATE_LEN 8

/* What a compile step needs to say where a problem is. */
typedef struct cc {
    rules_ctx *ctx;
    const rvenv *env; /* the variables values may name */
    const char *file;
} cc;

const char *rules_op_name(rop op)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (ops[i].op == op)
            return ops[i].name;
    }
    return "?";
}

/* ---- freeing ---- */

static void path_clean(rpath *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->segs[i].name);
    free(p->segs);
    memset(p, 0, sizeof(*p));
}

static void val_clean(rval *v)
{
    free(v->items);
    free(v->slots);
    memset(v, 0, sizeof(*v));
}

void rules_cond_free(rcond *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        rules_cond_free(c->kids[i]);
    free(c->kids);
    path_clean(&c->path);
    val_clean(&c->val);
    if (c->has_re)
        regfree(&c->re);
    free(c);
}

static void tmpl_clean(rtmpl *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->parts[i].lit);
        free(t->parts[i].matched_key);
        path_clean(&t->parts[i].path);
    }
    free(t->parts);
    memset(t, 0, sizeof(*t));
}

void rules_rule_clean(rrule *r)
{
    rules_cond_free(r->when);
    rules_cond_free(r->test_when);
    tmpl_clean(&r->msg);
    for (size_t i = 0; i < r->n_examples; i++) {
        cJSON_Delete(r->examples[i].data);
        rules_cond_free(r->examples[i].when);
        free(r->examples[i].account);
        free(r->examples[i].region);
    }
    free(r->examples);
    memset(r, 0, sizeof(*r));
}

/* ---- keys ---- */

static bool seg_char_ok(char c)
{
    return (unsigned char)c > ' ' && c != '.' && c != '[' && c != ']' && c != '{' && c != '}' && c != 0x7f;
}

/*
 * Splits "A.B[].C" into segments. Only a whole key of `account` or `region`
 * addresses where the resource was collected: AWS fields are capitalised, so
 * nothing in the data is shadowed. Writes a reason into why on failure.
 */
static int path_parse(const char *text, size_t len, rpath *out, char *why, size_t why_size)
{
    const char *p = text, *end = text + len;

    memset(out, 0, sizeof(*out));
    if (strlen(text) != len) {
        snprintf(why, why_size, "it holds a NUL character");
        return -1;
    }
    if (strcmp(text, "account") == 0 || strcmp(text, "region") == 0) {
        out->root = text[0] == 'a' ? ROOT_ACCOUNT : ROOT_REGION;
        return 0;
    }
    if (len == 0) {
        snprintf(why, why_size, "it is empty");
        return -1;
    }
    while (p < end) {
        const char *start = p;
        rseg *segs;

        while (p < end && seg_char_ok(*p))
            p++;
        if (p == start) {
            snprintf(why, why_size, "expected a field name at offset %zu", (size_t)(start - text));
            goto fail;
        }
        segs = realloc(out->segs, (out->n + 1) * sizeof(*segs));
        if (!segs)
            goto nomem;
        out->segs = segs;
        out->segs[out->n].walk = false;
        out->segs[out->n].name = str_ndup(start, (size_t)(p - start));
        if (!out->segs[out->n].name)
            goto nomem;
        out->n++;
        if (p < end && *p == '[') {
            if (p + 1 >= end || p[1] != ']') {
                snprintf(why, why_size, "only '[]' (walk the list) may follow a field name");
                goto fail;
            }
            out->segs[out->n - 1].walk = true;
            out->walks = true;
            p += 2;
        }
        if (p == end)
            break;
        if (*p != '.') {
            snprintf(why, why_size, "unexpected '%c' at offset %zu", *p, (size_t)(p - text));
            goto fail;
        }
        p++;
        if (p == end) {
            snprintf(why, why_size, "it ends with '.'");
            goto fail;
        }
    }
    return 0;
nomem:
    snprintf(why, why_size, "out of memory");
    path_clean(out);
    return -2;
fail:
    path_clean(out);
    return -1;
}

static int compile_path(cc *c, const ytree_node *node, const char *what, rpath *out)
{
    char why[160];
    int rc;

    if (!ytree_is_str(node))
        return rules_problem(c->ctx, c->file, node, "%s must be a string, not %s", what,
                             ytree_describe(node));
    rc = path_parse(node->text, node->len, out, why, sizeof(why));
    if (rc == -2)
        return rules_nomem(c->ctx);
    if (rc != 0)
        return rules_problem(c->ctx, c->file, node, "bad key '%s': %s", node->text, why);
    return 0;
}

/* ---- values ---- */

const ytree_node *rules_var_ref(const ytree_node *node)
{
    if (!node || node->kind != YTREE_MAP || node->n != 2 || strcmp(node->items[0]->text, "var") != 0)
        return NULL;
    return node->items[1];
}

/*
 * Resolves a value node: itself, or the variable it names. *label describes
 * it for messages ("value" or "variable 'x'"); *file is the file the value
 * stands in (the rule file, or the variable's). Returns NULL after recording
 * a problem.
 */
static const ytree_node *value_resolve(cc *c, const ytree_node *node, char *label, size_t label_size,
                                       const char **file)
{
    const ytree_node *name = rules_var_ref(node);
    const rvdef *v;

    snprintf(label, label_size, "the value");
    *file = c->file;
    if (!name) {
        if (node->kind == YTREE_MAP) {
            rules_problem(c->ctx, c->file, node, "a value is a string, number, boolean, list or {var: NAME}");
            return NULL;
        }
        return node;
    }
    if (!ytree_is_str(name)) {
        rules_problem(c->ctx, c->file, name, "a variable name must be a string, not %s",
                      ytree_describe(name));
        return NULL;
    }
    v = rules_env_find(c->env, name->text);
    if (!v) {
        rules_problem(c->ctx, c->file, name, "undefined variable '%s'", name->text);
        return NULL;
    }
    snprintf(label, label_size, "variable '%s'", name->text);
    *file = v->file ? v->file : c->file;
    /* A variable that could not be worked out was reported where it is defined. */
    return v->value;
}

/*
 * A value that cannot be compiled for another problem of its condition (an
 * unknown op, a bad key) is still looked at for an undefined variable, so
 * that one run shows that too.
 */
static void value_check_only(cc *c, const ytree_node *node)
{
    const ytree_node *name = rules_var_ref(node);

    if (name && ytree_is_str(name) && !rules_env_find(c->env, name->text))
        rules_problem(c->ctx, c->file, name, "undefined variable '%s'", name->text);
}

static void scalar_to_val(const ytree_node *n, rval *out)
{
    memset(out, 0, sizeof(*out));
    switch (n->type) {
    case YTREE_STR:
        out->type = RV_STR;
        out->str = n->text;
        break;
    case YTREE_NULL: out->type = RV_NULL; break;
    case YTREE_BOOL:
        out->type = RV_BOOL;
        out->b = n->boolean;
        break;
    case YTREE_NUM:
        out->type = RV_NUM;
        out->num = n->number;
        break;
    }
}

static bool scalar_comparable(const ytree_node *n)
{
    return n->kind == YTREE_SCALAR && n->type != YTREE_NULL;
}

/* "90d", "12h", "2w", "90" (days), or a number of days. */
static int duration_parse(const ytree_node *n, int64_t *seconds)
{
    double days;

    if (n->kind != YTREE_SCALAR)
        return -1;
    if (n->type == YTREE_NUM) {
        days = n->number;
    } else if (n->type == YTREE_STR && n->len > 0) {
        long count, unit = SECONDS_PER_DAY;
        char digits[24];
        size_t len = n->len;
        char last = n->text[len - 1];

        if (last == 'd' || last == 'h' || last == 'w') {
            unit = last == 'h' ? 3600 : last == 'w' ? 7L * SECONDS_PER_DAY : SECONDS_PER_DAY;
            len--;
        }
        if (len == 0 || len >= sizeof(digits) || n->text[0] == '-' || n->text[0] == '+')
            return -1;
        memcpy(digits, n->text, len);
        digits[len] = '\0';
        if (!str_to_long(digits, 0, (long)MAX_DURATION_DAYS * 24, &count))
            return -1;
        *seconds = (int64_t)count * unit;
        return *seconds <= (int64_t)MAX_DURATION_DAYS * SECONDS_PER_DAY ? 0 : -1;
    } else {
        return -1;
    }
    if (!(days >= 0) || days > MAX_DURATION_DAYS)
        return -1;
    *seconds = (int64_t)llround(days * SECONDS_PER_DAY);
    return 0;
}

/* Strings first, in strcmp order; the other values after them, in any order. */
static int rval_order(const void *pa, const void *pb)
{
    const rval *a = pa, *b = pb;

    if (a->type != RV_STR || b->type != RV_STR)
        return (a->type != RV_STR) - (b->type != RV_STR);
    return strcmp(a->str, b->str);
}

/*
 * The hash set of a list's strings: a value is looked up with one hash and
 * a strcmp or two (trusted_accounts may list a whole Organization, and every
 * image's shares are looked up in it). -1 when out of memory.
 */
static int index_strings(rval *list)
{
    size_t cap = 16, mask;

    if (list->n_str == 0)
        return 0;
    if (list->n_str >= UINT32_MAX / 2)
        return -1;
    while (cap < 2 * list->n_str)
        cap *= 2;
    list->slots = calloc(cap, sizeof(*list->slots));
    if (!list->slots)
        return -1;
    list->n_slots = cap;
    mask = cap - 1;
    for (size_t i = 0; i < list->n_str; i++) {
        size_t slot = (size_t)str_hash(list->items[i].str) & mask;

        while (list->slots[slot])
            slot = (slot + 1) & mask;
        list->slots[slot] = (uint32_t)i + 1;
    }
    return 0;
}

/* Checks and converts a leaf's value for its op. */
static int compile_value(cc *c, rcond *leaf, const ytree_node *opnode, const ytree_node *valnode)
{
    const char *opn = rules_op_name(leaf->op);
    const ytree_node *v;
    char label[160], where[170], why[256];
    const char *vfile = NULL;
    int rc;

    switch (leaf->op) {
    case OP_PRESENT:
    case OP_ABSENT:
    case OP_EMPTY:
    case OP_NOT_EMPTY:
        if (valnode)
            return rules_problem(c->ctx, c->file, valnode, "op '%s' takes no value", opn);
        return 0;
    default: break;
    }
    if (!valnode)
        return rules_problem(c->ctx, c->file, opnode, "op '%s' needs a value", opn);
    v = value_resolve(c, valnode, label, sizeof(label), &vfile);
    if (!v)
        return -1;
    switch (leaf->op) {
    case OP_EQ:
    case OP_NE:
    case OP_CONTAINS:
    case OP_NOT_CONTAINS:
        if (v->kind == YTREE_SEQ && (leaf->op == OP_EQ || leaf->op == OP_NE))
            return rules_problem(c->ctx, c->file, valnode,
                                 "op '%s' compares with one value, but %s is a list (use %s)", opn, label,
                                 leaf->op == OP_EQ ? "'in'" : "'not-in'");
        if (!scalar_comparable(v))
            return rules_problem(
                c->ctx, c->file, valnode, "op '%s' needs a string, number or boolean, but %s is %s%s", opn,
                label, ytree_describe(v),
                v->kind == YTREE_SCALAR ? " (use 'absent' or 'empty' for a missing value)" : "");
        scalar_to_val(v, &leaf->val);
        return 0;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if (v->kind != YTREE_SCALAR || (v->type != YTREE_NUM && v->type != YTREE_STR))
            return rules_problem(c->ctx, c->file, valnode, "op '%s' needs a number or a string, but %s is %s",
                                 opn, label, ytree_describe(v));
        scalar_to_val(v, &leaf->val);
        return 0;
    case OP_IN:
    case OP_NOT_IN:
        if (v->kind != YTREE_SEQ)
            return rules_problem(c->ctx, c->file, valnode, "op '%s' needs a list, but %s is %s", opn, label,
                                 ytree_describe(v));
        leaf->val.type = RV_LIST;
        leaf->val.items = calloc(v->n ? v->n : 1, sizeof(rval));
        if (!leaf->val.items)
            return rules_nomem(c->ctx);
        for (size_t i = 0; i < v->n; i++) {
            if (!scalar_comparable(v->items[i]))
                return rules_problem(c->ctx, c->file, v == valnode ? v->items[i] : valnode,
                                     "op '%s': list items must be strings, numbers or booleans, not %s", opn,
                                     ytree_describe(v->items[i]));
            scalar_to_val(v->items[i], &leaf->val.items[i]);
            leaf->val.n++;
            leaf->val.n_str += leaf->val.items[i].type == RV_STR;
        }
        /* Sorted (the strings first), and the strings indexed. */
        qsort(leaf->val.items, leaf->val.n, sizeof(rval), rval_order);
        return index_strings(&leaf->val) == 0 ? 0 : rules_nomem(c->ctx);
    case OP_REGEX:
        if (!ytree_is_str(v))
            return rules_problem(c->ctx, c->file, valnode, "op 'regex' needs a string, but %s is %s", label,
                                 ytree_describe(v));
        if (strlen(v->text) != v->len)
            return rules_problem(c->ctx, c->file, valnode, "regular expression holds a NUL character");
        /* Problems of the pattern are shown where it stands: in the variable's file when it is one. */
        snprintf(where, sizeof(where), "%s%s", v == valnode ? "" : label, v == valnode ? "" : ": ");
        if (regex_check(v->text, v->len, why, sizeof(why)) != 0)
            return rules_problem(c->ctx, vfile, v, "%sregular expression '%.40s%s' %s", where, v->text,
                                 v->len > 40 ? "..." : "", why);
        rc = regcomp(&leaf->re, v->text, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            regerror(rc, &leaf->re, why, sizeof(why));
            return rules_problem(c->ctx, vfile, v, "%sbad regular expression '%s': %s", where, v->text, why);
        }
        leaf->has_re = true;
        scalar_to_val(v, &leaf->val);
        return 0;
    case OP_OLDER_THAN:
    case OP_NEWER_THAN:
        if (duration_parse(v, &leaf->dur_s) != 0)
            return rules_problem(
                c->ctx, c->file, valnode,
                "op '%s' needs a duration such as 90d, 12h, 2w or a number of days, but %s is "
                "'%s'",
                opn, label, v->kind == YTREE_SCALAR ? v->text : ytree_describe(v));
        return 0;
    default: break;
    }
    return 0;
}

/* ---- conditions ---- */

static rcond *compile_cond(cc *c, const ytree_node *node);

static rcond *cond_new(cc *c, rcond_kind kind)
{
    rcond *r = calloc(1, sizeof(*r));

    if (!r)
        rules_nomem(c->ctx);
    else
        r->kind = kind;
    return r;
}

static rcond *compile_combinator(cc *c, const ytree_node *key, const ytree_node *val)
{
    bool is_not = strcmp(key->text, "not") == 0;
    rcond *r = cond_new(c, is_not ? COND_NOT : strcmp(key->text, "and") == 0 ? COND_AND : COND_OR);
    int bad = 0;

    if (!r)
        return NULL;
    if (is_not) {
        if (val->kind != YTREE_MAP) {
            rules_problem(c->ctx, c->file, val, "'not' takes one condition (a mapping), not %s",
                          ytree_describe(val));
            goto fail;
        }
        r->kids = calloc(1, sizeof(*r->kids));
        if (!r->kids) {
            rules_nomem(c->ctx);
            goto fail;
        }
        r->kids[0] = compile_cond(c, val);
        if (!r->kids[0])
            goto fail;
        r->n = 1;
        return r;
    }
    if (val->kind != YTREE_SEQ || val->n == 0) {
        rules_problem(c->ctx, c->file, val, "'%s' takes a non-empty list of conditions, not %s", key->text,
                      val->kind == YTREE_SEQ ? "an empty list" : ytree_describe(val));
        goto fail;
    }
    r->kids = calloc(val->n, sizeof(*r->kids));
    if (!r->kids) {
        rules_nomem(c->ctx);
        goto fail;
    }
    /* Compile every branch even after a bad one, so that all problems are reported. */
    for (size_t i = 0; i < val->n && !c->ctx->fatal; i++) {
        rcond *kid = compile_cond(c, val->items[i]);

        if (!kid)
            bad = 1;
        else
            r->kids[r->n++] = kid;
    }
    if (bad)
        goto fail;
    return r;
fail:
    rules_cond_free(r);
    return NULL;
}

static int op_lookup(const char *name, rop *out)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(ops[i].name, name) == 0) {
            *out = ops[i].op;
            return 0;
        }
    }
    return -1;
}

static rcond *compile_leaf(cc *c, const ytree_node *node)
{
    const ytree_node *keyn = NULL, *opn = NULL, *valn = NULL;
    rcond *r = cond_new(c, COND_LEAF);
    int bad = 0;

    if (!r)
        return NULL;
    for (size_t i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *k = node->items[i];

        if (strcmp(k->text, "key") == 0)
            keyn = node->items[i + 1];
        else if (strcmp(k->text, "op") == 0)
            opn = node->items[i + 1];
        else if (strcmp(k->text, "value") == 0)
            valn = node->items[i + 1];
        else
            bad = rules_problem(c->ctx, c->file, k,
                                "unknown key '%s' in a condition (expected key, op, value)", k->text);
    }
    if (!keyn)
        bad = rules_problem(c->ctx, c->file, node, "condition is missing 'key'");
    else if (compile_path(c, keyn, "'key'", &r->path) != 0)
        bad = -1;
    else
        r->key = keyn->text;
    if (!opn) {
        bad = rules_problem(c->ctx, c->file, node, "condition is missing 'op'");
        value_check_only(c, valn);
    } else if (!ytree_is_str(opn) || op_lookup(opn->text, &r->op) != 0) {
        bad = rules_problem(c->ctx, c->file, opn, "unknown op '%s' (expected one of " OP_LIST ")",
                            opn->kind == YTREE_SCALAR ? opn->text : ytree_describe(opn));
        value_check_only(c, valn);
    } else if (compile_value(c, r, opn, valn) != 0) {
        bad = -1;
    }
    r->val_node = valn;
    if (bad) {
        rules_cond_free(r);
        return NULL;
    }
    return r;
}

/* `{Key: value}`: shorthand for {key: Key, op: eq, value: value}. */
static rcond *compile_shorthand(cc *c, const ytree_node *key, const ytree_node *val)
{
    rcond *r = cond_new(c, COND_LEAF);

    if (!r)
        return NULL;
    r->op = OP_EQ;
    r->key = key->text;
    r->val_node = val;
    if (compile_path(c, key, "a key", &r->path) != 0) {
        value_check_only(c, val);
        rules_cond_free(r);
        return NULL;
    }
    if (compile_value(c, r, key, val) != 0) {
        rules_cond_free(r);
        return NULL;
    }
    return r;
}

static rcond *compile_cond(cc *c, const ytree_node *node)
{
    const ytree_node *first;

    if (node->kind != YTREE_MAP || node->n == 0) {
        rules_problem(c->ctx, c->file, node,
                      "a condition is a mapping: {and: [..]}, {or: [..]}, {not: {..}}, {key, op, value} "
                      "or {Key: value}, not %s",
                      node->kind == YTREE_MAP ? "an empty mapping" : ytree_describe(node));
        return NULL;
    }
    if (ytree_get(node, "key") || ytree_get(node, "op"))
        return compile_leaf(c, node);
    first = node->items[0];
    if (node->n > 2) {
        rules_problem(c->ctx, c->file, node->items[2],
                      "a condition holds one test; combine several with 'and' or 'or' (unexpected '%s')",
                      node->items[2]->text);
        return NULL;
    }
    if (strcmp(first->text, "and") == 0 || strcmp(first->text, "or") == 0 || strcmp(first->text, "not") == 0)
        return compile_combinator(c, first, node->items[1]);
    if (strcmp(first->text, "value") == 0) {
        rules_problem(c->ctx, c->file, first, "condition is missing 'key' and 'op'");
        return NULL;
    }
    return compile_shorthand(c, first, node->items[1]);
}

/* ---- templates ---- */

static int tmpl_push(rtmpl *t, char *lit, const rpath *path)
{
    rtmpl_part *parts = realloc(t->parts, (t->n + 1) * sizeof(*parts));

    if (!parts)
        return -1;
    t->parts = parts;
    memset(&t->parts[t->n], 0, sizeof(t->parts[t->n]));
    t->parts[t->n].lit = lit;
    if (path)
        t->parts[t->n].path = *path;
    else
        memset(&t->parts[t->n].path, 0, sizeof(rpath));
    t->n++;
    return 0;
}

/* Flushes pending literal text as a part. */
static int tmpl_flush(rtmpl *t, buf *lit)
{
    char *s;

    if (lit->len == 0)
        return 0;
    s = buf_detach(lit);
    if (!s || tmpl_push(t, s, NULL) != 0) {
        free(s);
        return -1;
    }
    return 0;
}

static int compile_template(cc *c, const ytree_node *node, rtmpl *t)
{
    const char *s = node->text, *end = node->text + node->len;
    buf lit;
    int rc = -1;

    buf_init(&lit, YTREE_MAX_BYTES);
    while (s < end) {
        const char *close;
        rpath path;
        char why[160];
        char *inner;
        int prc;

        if ((s[0] == '{' && s + 1 < end && s[1] == '{') || (s[0] == '}' && s + 1 < end && s[1] == '}')) {
            if (buf_putc(&lit, s[0]) != 0)
                goto nomem;
            s += 2;
            continue;
        }
        if (*s == '}') {
            rules_problem(c->ctx, c->file, node, "message: unmatched '}' (write '}}' for a brace)");
            goto out;
        }
        if (*s != '{') {
            if (buf_putc(&lit, *s) != 0)
                goto nomem;
            s++;
            continue;
        }
        close = memchr(s, '}', (size_t)(end - s));
        if (!close) {
            rules_problem(c->ctx, c->file, node,
                          "message: '{' without a closing '}' (write '{{' for a brace)");
            goto out;
        }
        inner = str_ndup(s + 1, (size_t)(close - s - 1));
        if (!inner)
            goto nomem;
        str_trim(inner);
        if (strcmp(inner, "matched") == 0 || strncmp(inner, "matched:", 8) == 0) {
            if (tmpl_flush(t, &lit) != 0 || tmpl_push(t, NULL, NULL) != 0) {
                free(inner);
                goto nomem;
            }
            t->parts[t->n - 1].matched = true;
            if (inner[7] == ':') {
                memmove(inner, inner + 8, strlen(inner + 8) + 1);
                str_trim(inner);
                t->parts[t->n - 1].matched_key = inner;
                if (!*inner) {
                    rules_problem(c->ctx, c->file, node, "message: '{matched:}' names no key");
                    goto out;
                }
            } else {
                free(inner);
            }
            s = close + 1;
            continue;
        }
        prc = path_parse(inner, strlen(inner), &path, why, sizeof(why));
        if (prc != 0) {
            if (prc == -2) {
                free(inner);
                goto nomem;
            }
            rules_problem(c->ctx, c->file, node, "message: bad placeholder '{%s}': %s", inner, why);
            free(inner);
            goto out;
        }
        free(inner);
        if (tmpl_flush(t, &lit) != 0 || tmpl_push(t, NULL, &path) != 0) {
            path_clean(&path);
            goto nomem;
        }
        s = close + 1;
    }
    if (tmpl_flush(t, &lit) != 0)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    rules_nomem(c->ctx);
out:
    buf_free(&lit);
    return rc;
}

/* ---- rule fields ---- */

static int one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, set[i]) == 0)
            return (int)i;
    }
    return -1;
}

/* A text field: *out is the string (borrowed) or NULL. Returns -1 after recording a problem. */
static int text_field(cc *c, const ytree_node *rule, const char *key, bool required, const char **out)
{
    const ytree_node *v = ytree_get(rule, key);

    *out = NULL;
    if (!v) {
        if (required)
            return rules_problem(c->ctx, c->file, rule, "rule is missing '%s'", key);
        return 0;
    }
    if (!ytree_is_str(v))
        return rules_problem(c->ctx, c->file, v, "'%s' must be a string, not %s", key, ytree_describe(v));
    if (v->len == 0 || strlen(v->text) != v->len)
        return rules_problem(c->ctx, c->file, v, "'%s' must not be empty or hold NUL characters", key);
    *out = v->text;
    return 0;
}

static bool id_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    }
    return true;
}

/* A field that must be there; NULL after recording a problem when it is not. */
static const ytree_node *required_field(cc *c, const ytree_node *rule, const char *key)
{
    const ytree_node *v = ytree_get(rule, key);

    if (!v)
        rules_problem(c->ctx, c->file, rule, "rule is missing '%s'", key);
    return v;
}

/* Records that field key's value v is not one of list. Returns -1. */
static int not_one_of(cc *c, const char *key, const ytree_node *v, const char *list)
{
    return rules_problem(c->ctx, c->file, v, "%s '%s' is not one of %s", key,
                         v->kind == YTREE_SCALAR ? v->text : ytree_describe(v), list);
}

cJSON *rules_ytree_to_json(const ytree_node *node)
{
    cJSON *out = NULL;

    if (node->kind == YTREE_SCALAR) {
        switch (node->type) {
        case YTREE_STR: return cJSON_CreateString(node->text);
        case YTREE_NULL: return cJSON_CreateNull();
        case YTREE_BOOL: return cJSON_CreateBool(node->boolean);
        case YTREE_NUM: return cJSON_CreateNumber(node->number);
        }
        return NULL;
    }
    out = node->kind == YTREE_SEQ ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!out)
        return NULL;
    for (size_t i = 0; i < node->n; i++) {
        const ytree_node *item = node->kind == YTREE_SEQ ? node->items[i] : node->items[++i];
        cJSON *child = rules_ytree_to_json(item);

        if (!child ||
            (node->kind == YTREE_SEQ ? !cJSON_AddItemToArray(out, child)
                                     : !cJSON_AddItemToObject(out, node->items[i - 1]->text, child))) {
            cJSON_Delete(child);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

/* A tests: block's vars: definitions laid over the set's for this rule's examples. */
static int compile_tests_vars(cc *c, const ytree_node *vars)
{
    int bad = 0;

    if (vars->kind != YTREE_MAP)
        return rules_problem(c->ctx, c->file, vars,
                             "tests 'vars' must be a mapping of names to values, not %s",
                             ytree_describe(vars));
    for (size_t i = 0; i + 1 < vars->n && !c->ctx->fatal; i += 2) {
        if (rules_var_form(c->ctx, c->file, vars->items[i], vars->items[i + 1], true) != 0)
            bad = -1;
    }
    return bad;
}

/*
 * One example: the resource's data, except lower-case account and region,
 * which say where it was, and vars, laid over the tests' vars for it alone.
 */
static int compile_example(cc *c, const ytree_node *node, bool must_fail, rexample *ex)
{
    ex->must_fail = must_fail;
    ex->line = node->line;
    ex->column = node->column;
    if (node->kind != YTREE_MAP)
        return rules_problem(c->ctx, c->file, node,
                             "an example is a mapping holding the resource's fields, not %s",
                             ytree_describe(node));
    ex->data = cJSON_CreateObject();
    if (!ex->data)
        return rules_nomem(c->ctx);
    for (size_t i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *k = node->items[i], *v = node->items[i + 1];
        bool env = strcmp(k->text, "account") == 0 || strcmp(k->text, "region") == 0;
        cJSON *item;

        if (strcmp(k->text, "name") == 0) {
            if (!ytree_is_str(v))
                return rules_problem(c->ctx, c->file, v, "example 'name' must be a string, not %s",
                                     ytree_describe(v));
            ex->name = v->text;
            continue;
        }
        if (strcmp(k->text, "vars") == 0) {
            ex->vars = v;
            if (compile_tests_vars(c, v) != 0)
                return -1;
            continue;
        }
        if (env) {
            if (!ytree_is_str(v))
                return rules_problem(c->ctx, c->file, v, "example '%s' must be a string, not %s", k->text,
                                     ytree_describe(v));
            if (k->text[0] == 'a')
                ex->account = str_dup(v->text);
            else
                ex->region = str_dup(v->text);
            if (!(k->text[0] == 'a' ? ex->account : ex->region))
                return rules_nomem(c->ctx);
            continue;
        }
        item = rules_ytree_to_json(v);
        if (!item || !cJSON_AddItemToObject(ex->data, k->text, item)) {
            cJSON_Delete(item);
            return rules_nomem(c->ctx);
        }
    }
    if ((!ex->account && !(ex->account = str_dup(""))) || (!ex->region && !(ex->region = str_dup(""))))
        return rules_nomem(c->ctx);
    return 0;
}

static int compile_tests(cc *c, const ytree_node *tests, rrule *r, const ytree_node **vars)
{
    size_t total = 0;
    int bad = 0;

    if (tests->kind != YTREE_MAP)
        return rules_problem(c->ctx, c->file, tests,
                             "'tests' must be a mapping with 'fail' and 'pass' lists, not %s",
                             ytree_describe(tests));
    for (size_t i = 0; i + 1 < tests->n; i += 2) {
        if (tests->items[i + 1]->kind == YTREE_SEQ)
            total += tests->items[i + 1]->n;
    }
    r->examples = calloc(total ? total : 1, sizeof(*r->examples));
    if (!r->examples)
        return rules_nomem(c->ctx);
    /* Every list is checked even when another is wrong, so that all problems show at once. */
    for (size_t i = 0; i + 1 < tests->n && !c->ctx->fatal; i += 2) {
        const ytree_node *k = tests->items[i], *v = tests->items[i + 1];
        bool must_fail = strcmp(k->text, "fail") == 0;

        if (strcmp(k->text, "vars") == 0) {
            *vars = v;
            if (compile_tests_vars(c, v) != 0)
                bad = -1;
            continue;
        }
        if (!must_fail && strcmp(k->text, "pass") != 0) {
            bad = rules_problem(c->ctx, c->file, k, "unknown key '%s' in tests (expected fail, pass, vars)",
                                k->text);
            continue;
        }
        if (v->kind != YTREE_SEQ) {
            bad = rules_problem(c->ctx, c->file, v, "tests '%s' must be a list of example resources, not %s",
                                k->text, ytree_describe(v));
            continue;
        }
        for (size_t j = 0; j < v->n && !c->ctx->fatal; j++) {
            if (compile_example(c, v->items[j], must_fail, &r->examples[r->n_examples++]) != 0)
                bad = -1;
        }
    }
    return bad;
}

/* Whether c can hold through a leaf that names values (not only through not, absent or empty). */
static bool cond_can_match(const rcond *c, const char *key)
{
    switch (c->kind) {
    case COND_LEAF: return c->op != OP_ABSENT && c->op != OP_EMPTY && (!key || strcmp(c->key, key) == 0);
    case COND_AND:
    case COND_OR:
        for (size_t i = 0; i < c->n; i++) {
            if (cond_can_match(c->kids[i], key))
                return true;
        }
        return false;
    case COND_NOT: return false;
    }
    return false;
}

/* {matched} must be able to name something, {matched:KEY} must name a key of `when`. */
static int check_matched(cc *c, const ytree_node *msg, const rrule *r)
{
    int bad = 0;

    for (size_t i = 0; i < r->msg.n; i++) {
        const rtmpl_part *p = &r->msg.parts[i];

        if (!p->matched || cond_can_match(r->when, p->matched_key))
            continue;
        if (p->matched_key)
            bad = rules_problem(c->ctx, c->file, msg,
                                "message: '{matched:%s}': no condition of 'when' on key '%s' can name values "
                                "(outside 'not', 'absent' and 'empty')",
                                p->matched_key, p->matched_key);
        else
            bad = rules_problem(c->ctx, c->file, msg,
                                "message: '{matched}' would always be '(none)': 'when' holds only through "
                                "'not', 'absent' or 'empty'");
    }
    return bad;
}

/*
 * A name template: literal characters CreateUpdatedWorkspaceImage allows in
 * a name ([a-zA-Z0-9_./()-]) and the placeholders {Name}, {ImageId} and
 * {date}. The literal part and {date} must leave room in the 64 characters
 * for the image's name. Records a problem and returns -1 otherwise.
 */
static int check_name_template(cc *c, const ytree_node *v)
{
    static const char *const holders[] = {"{Name}", "{ImageId}", "{date}"};
    size_t fixed = 0;

    for (const char *p = v->text; *p;) {
        size_t k = 0;

        while (k < 3 && strncmp(p, holders[k], strlen(holders[k])) != 0)
            k++;
        if (k < 3) {
            fixed += k == 2 ? FIX_DATE_LEN : 0;
            p += strlen(holders[k]);
            continue;
        }
        if (*p == '{' || *p == '}')
            return rules_problem(c->ctx, c->file, v,
                                 "fix: name_template: unknown placeholder at '%.20s' (expected {Name}, "
                                 "{ImageId}, {date})",
                                 p);
        if (!(isalnum((unsigned char)*p) || strchr("_./()-", *p)))
            return rules_problem(c->ctx, c->file, v,
                                 "fix: name_template: '%c' is not allowed in an image name (letters, "
                                 "digits, _ . / ( ) -)",
                                 *p);
        fixed++;
        p++;
    }
    if (fixed + 1 > FIX_NAME_MAX / 2)
        return rules_problem(c->ctx, c->file, v,
                             "fix: name_template leaves too little of the %d characters a name may have "
                             "for the image's name (its text and {date} take %zu)",
                             FIX_NAME_MAX, fixed);
    return 0;
}

/*
 * `fix: {action, accounts, name_template}`: the action must change the
 * rule's resource type, `accounts` (all or untrusted) goes with the unshare
 * actions, name_template with create-updated-workspaces-image. untrusted
 * needs a condition of `when` on the accounts shared with, whose values
 * name the accounts to remove.
 */
static int compile_fix(cc *c, const ytree_node *fix, rrule *r)
{
    static const char *const keys[] = {"action", "accounts", "name_template"};
    const ytree_node *action, *accounts, *tmpl;
    size_t a = 0;
    char key[64];

    if (fix->kind != YTREE_MAP)
        return rules_problem(c->ctx, c->file, fix, "'fix' must be a mapping, not %s", ytree_describe(fix));
    for (size_t i = 0; i + 1 < fix->n; i += 2) {
        if (one_of(fix->items[i]->text, keys, 3) < 0)
            return rules_problem(c->ctx, c->file, fix->items[i],
                                 "unknown key '%s' in fix (expected action, accounts, name_template)",
                                 fix->items[i]->text);
    }
    action = ytree_get(fix, "action");
    accounts = ytree_get(fix, "accounts");
    tmpl = ytree_get(fix, "name_template");
    if (!action)
        return rules_problem(c->ctx, c->file, fix, "fix is missing 'action'");
    while (a < sizeof(fix_actions) / sizeof(fix_actions[0]) &&
           !(ytree_is_str(action) && strcmp(action->text, fix_actions[a].action) == 0))
        a++;
    if (a == sizeof(fix_actions) / sizeof(fix_actions[0]))
        return not_one_of(c, "fix: action", action, FIX_ACTION_LIST);
    if (r->info.resource_type && strcmp(r->info.resource_type, fix_actions[a].type) != 0)
        return rules_problem(c->ctx, c->file, action,
                             "fix: action '%s' changes %s resources, not %s (the rule's)", action->text,
                             fix_actions[a].type, r->info.resource_type);
    if (fix_actions[a].accounts) {
        if (tmpl)
            return rules_problem(c->ctx, c->file, tmpl, "fix: name_template goes with %s only",
                                 RULES_FIX_UPDATE_WORKSPACES);
        if (!accounts)
            return rules_problem(c->ctx, c->file, fix, "fix: action '%s' needs 'accounts' (all or untrusted)",
                                 action->text);
        if (!ytree_is_str(accounts) ||
            (strcmp(accounts->text, "all") != 0 && strcmp(accounts->text, "untrusted") != 0))
            return not_one_of(c, "fix: accounts", accounts, "all, untrusted");
        snprintf(key, sizeof(key), "Permissions[].%s",
                 strcmp(fix_actions[a].type, "appstream_image") == 0 ? "sharedAccountId" : "SharedAccountId");
        if (accounts->text[0] == 'u' && r->when && !cond_can_match(r->when, key))
            return rules_problem(
                c->ctx, c->file, accounts,
                "fix: accounts: untrusted removes the accounts a condition of 'when' on '%s' "
                "names, and 'when' has none (outside 'not', 'absent' and 'empty')",
                key);
        r->info.fix.accounts = accounts->text;
    } else {
        if (accounts)
            return rules_problem(c->ctx, c->file, accounts,
                                 "fix: accounts goes with the unshare actions only");
        if (tmpl && (!ytree_is_str(tmpl) || tmpl->len == 0 || strlen(tmpl->text) != tmpl->len))
            return rules_problem(c->ctx, c->file, tmpl, "fix: name_template must be a non-empty string");
        if (tmpl && check_name_template(c, tmpl) != 0)
            return -1;
        r->info.fix.name_template = tmpl ? tmpl->text : RULES_FIX_NAME_TEMPLATE;
    }
    r->info.fix.action = fix_actions[a].action;
    return 0;
}

int rules_recompile_when(rules_ctx *ctx, const rvenv *env, const rrule *r, rcond **out)
{
    cc c = {ctx, env, r->info.file};

    *out = compile_cond(&c, r->when_node);
    return *out ? 0 : -1;
}

/*
 * `when` compiled again with the set's variables and over them the tests'
 * vars (block, then example, each may be NULL). NULL after a problem.
 */
static rcond *compile_with_vars(cc *c, const rules_set *set, const rrule *r, const ytree_node *block,
                                const ytree_node *example)
{
    const ytree_node *layers[2] = {block, example};
    const ytree_node *at = example ? example : block;
    rvar *all = calloc(set->n_vars + (block ? block->n : 0) + (example ? example->n : 0) + 1, sizeof(*all));
    size_t n = set->n_vars;
    char context[256];
    rvenv env;
    rcond *out = NULL;

    if (!all) {
        rules_nomem(c->ctx);
        return NULL;
    }
    if (set->n_vars)
        memcpy(all, set->vars, set->n_vars * sizeof(*all));
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; layers[l] && i + 1 < layers[l]->n; i += 2)
            all[n++] = (rvar){layers[l]->items[i]->text, layers[l]->items[i + 1], c->file, NULL};
    }
    snprintf(context, sizeof(context), " (with the tests' vars of rule %s at %s:%u:%u)",
             r->info.id ? r->info.id : "(no id)", c->file, at->line, at->column);
    if (rules_env_build(c->ctx, &env, all, n, (const char *const *)set->org, set->n_org, context) == 0)
        rules_recompile_when(c->ctx, &env, r, &out);
    rules_env_free(&env);
    free(all);
    return out;
}

/* The conditions the examples are judged with, when the tests or an example carry vars. */
static int compile_test_whens(cc *c, const rules_set *set, const ytree_node *block, rrule *r)
{
    int bad = 0;

    if (block && !(r->test_when = compile_with_vars(c, set, r, block, NULL)))
        bad = -1;
    for (size_t i = 0; i < r->n_examples && !c->ctx->fatal; i++) {
        rexample *ex = &r->examples[i];

        if (ex->vars && !(ex->when = compile_with_vars(c, set, r, block, ex->vars)))
            bad = -1;
    }
    return bad;
}

int rules_compile_rule(rules_ctx *ctx, const rules_set *set, const ytree_node *node, rrule *r)
{
    cc c = {ctx, &set->env, r->info.file};
    const ytree_node *when, *msg, *tests, *v, *test_vars = NULL;
    bool msg_ok = false, tests_bad = false;
    restype type;
    int bad = 0;

    if (node->kind != YTREE_MAP)
        return rules_problem(ctx, c.file, node, "a rule must be a mapping, not %s", ytree_describe(node));
    for (size_t i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *k = node->items[i];

        if (one_of(k->text, rule_keys, sizeof(rule_keys) / sizeof(rule_keys[0])) < 0)
            bad = rules_problem(
                ctx, c.file, k,
                "unknown key '%s' in rule (expected id, title, severity, resource, description, "
                "remediation, message, when, tests, fix)",
                k->text);
    }
    if (text_field(&c, node, "id", true, &r->info.id) != 0)
        bad = -1;
    else if (!id_ok(r->info.id)) {
        bad = rules_problem(ctx, c.file, ytree_get(node, "id"),
                            "rule id '%s' must be lower-case letters, digits and '-'", r->info.id);
        r->info.id = NULL;
    }
    if (text_field(&c, node, "title", true, &r->info.title) != 0)
        bad = -1;
    if (text_field(&c, node, "description", false, &r->info.description) != 0)
        bad = -1;
    if (text_field(&c, node, "remediation", false, &r->info.remediation) != 0)
        bad = -1;
    v = required_field(&c, node, "severity");
    if (!v)
        bad = -1;
    else if (!ytree_is_str(v) || severity_parse(v->text, &r->info.sev) != 0)
        bad = not_one_of(&c, "severity", v, severity_choices());
    v = required_field(&c, node, "resource");
    if (!v)
        bad = -1;
    else if (!ytree_is_str(v) || restype_parse(v->text, &type) != 0)
        bad = not_one_of(&c, "resource", v, restype_choices());
    else
        r->info.resource_type = restype_name(type);
    msg = ytree_get(node, "message");
    if (msg) {
        if (!ytree_is_str(msg))
            bad = rules_problem(ctx, c.file, msg, "'message' must be a string, not %s", ytree_describe(msg));
        else if (compile_template(&c, msg, &r->msg) != 0)
            bad = -1;
        else
            msg_ok = true;
    }
    when = ytree_get(node, "when");
    r->when_node = when;
    if (!when)
        bad = rules_problem(ctx, c.file, node, "rule is missing 'when'");
    else if (!(r->when = compile_cond(&c, when)))
        bad = -1;
    if (r->when && msg_ok && check_matched(&c, msg, r) != 0)
        bad = -1;
    v = ytree_get(node, "fix");
    if (v && compile_fix(&c, v, r) != 0)
        bad = -1;
    tests = ytree_get(node, "tests");
    r->tests_node = tests;
    if (tests && compile_tests(&c, tests, r, &test_vars) != 0)
        tests_bad = true;
    /*
     * Problems of the set's variables were reported once already: the tests' vars are tried only without.
     * The rule's other problems (an unknown key, a bad title) do not hide those of its tests' vars: they are
     * tried whenever `when` and the tests themselves are good.
     */
    if (tests_bad || (r->when && !set->vars_bad && compile_test_whens(&c, set, test_vars, r) != 0))
        bad = -1;
    if (!msg && r->info.title && !bad) {
        /* Without a message, a failure says the title: literal text, no placeholders. */
        char *lit = str_dup(r->info.title);

        if (!lit || tmpl_push(&r->msg, lit, NULL) != 0) {
            free(lit);
            return rules_nomem(ctx);
        }
    }
    return bad ? -1 : 0;
}
