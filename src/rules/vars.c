/*
 * Variables as the rules see them: the merged definitions (the last one of
 * each name wins), the built-in organization_accounts, and the variables
 * defined from others ({var: NAME}, {union: [...]}, {if: ..., then: ...,
 * else: ...}), worked out once every definition is known, so that
 * overriding a variable in a --vars file changes what is derived from it.
 *
 * A derived value is made of the YAML nodes it came from: a union is a
 * list node of its own (owned by the environment) whose items are the
 * scalars of its parts, so the compiler checks and converts it as it does a
 * list written in a file.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/str.h"

enum { VAR_NEW = 0, VAR_RESOLVING, VAR_DONE, VAR_BAD };

/* One allocation made while resolving, freed with the environment. */
struct rvmem {
    struct rvmem *next;
    max_align_t data[];
};

static void *env_alloc(rvenv *env, size_t size)
{
    struct rvmem *m = calloc(1, sizeof(*m) + (size ? size : 1));

    if (!m)
        return NULL;
    m->next = env->mem;
    env->mem = m;
    return m->data;
}

void rules_env_free(rvenv *env)
{
    if (!env)
        return;
    while (env->mem) {
        struct rvmem *next = env->mem->next;

        free(env->mem);
        env->mem = next;
    }
    free(env->defs);
    free(env->stack);
    memset(env, 0, sizeof(*env));
}

/* ---- the form of a definition, checked where it is written ---- */

static bool plain_value(const ytree_node *n)
{
    return n->kind == YTREE_SCALAR && n->type != YTREE_NULL;
}

static int form_expr(rules_ctx *ctx, const char *file, const char *name, const ytree_node *val,
                     bool in_union);

/* {if: COND, then: X, else: Y}: COND is {var: NAME} or a boolean; else is optional. */
static int form_if(rules_ctx *ctx, const char *file, const char *name, const ytree_node *val, bool in_union)
{
    const ytree_node *cond = NULL, *then = NULL;
    int bad = 0;

    for (size_t i = 0; i + 1 < val->n; i += 2) {
        const ytree_node *k = val->items[i], *v = val->items[i + 1];

        if (strcmp(k->text, "if") == 0) {
            cond = v;
        } else if (strcmp(k->text, "then") == 0) {
            then = v;
            bad |= form_expr(ctx, file, name, v, in_union);
        } else if (strcmp(k->text, "else") == 0) {
            bad |= form_expr(ctx, file, name, v, in_union);
        } else {
            bad = rules_problem(ctx, file, k,
                                "variable '%s': unknown key '%s' in 'if' (expected if, then, else)", name,
                                k->text);
        }
    }
    if (!then)
        bad = rules_problem(ctx, file, val, "variable '%s': 'if' needs 'then'", name);
    if (cond && !(cond->kind == YTREE_SCALAR && cond->type == YTREE_BOOL)) {
        const ytree_node *ref = cond->kind == YTREE_MAP && cond->n == 2 ? cond->items[0] : NULL;

        if (!ref || strcmp(ref->text, "var") != 0 || !ytree_is_str(cond->items[1]))
            bad = rules_problem(ctx, file, cond,
                                "variable '%s': 'if' takes {var: NAME} naming a boolean, not %s", name,
                                ytree_describe(cond));
    }
    return bad ? -1 : 0;
}

/*
 * A value: a string, number or boolean (not inside a union), a list of them,
 * {var: NAME}, {union: [VALUE...]} or {if: ...}. Every problem is recorded.
 */
static int form_expr(rules_ctx *ctx, const char *file, const char *name, const ytree_node *val, bool in_union)
{
    const ytree_node *k;
    int bad = 0;

    if (val->kind == YTREE_SCALAR) {
        if (plain_value(val))
            return 0;
        return rules_problem(ctx, file, val,
                             "variable '%s' must be a string, number, boolean, a list of them, {var: NAME}, "
                             "{union: [...]} or {if: ..., then: ...}, not %s",
                             name, ytree_describe(val));
    }
    if (val->kind == YTREE_SEQ) {
        for (size_t j = 0; j < val->n; j++) {
            if (!plain_value(val->items[j]))
                bad = rules_problem(ctx, file, val->items[j],
                                    "variable '%s': list items must be strings, numbers or booleans, not %s",
                                    name, ytree_describe(val->items[j]));
        }
        return bad ? -1 : 0;
    }
    if (val->n == 0)
        return rules_problem(ctx, file, val, "variable '%s' is an empty mapping (expected var, union or if)",
                             name);
    k = val->items[0];
    if (ytree_get(val, "if"))
        return form_if(ctx, file, name, val, in_union);
    if (strcmp(k->text, "var") != 0 && strcmp(k->text, "union") != 0)
        return rules_problem(ctx, file, k, "variable '%s': unknown key '%s' (expected var, union or if)",
                             name, k->text);
    if (val->n > 2)
        return rules_problem(ctx, file, val->items[2], "variable '%s': unexpected '%s' after '%s'", name,
                             val->items[2]->text, k->text);
    if (strcmp(k->text, "var") == 0) {
        if (!ytree_is_str(val->items[1]))
            return rules_problem(ctx, file, val->items[1],
                                 "variable '%s': a variable name must be a string, not %s", name,
                                 ytree_describe(val->items[1]));
        return 0;
    }
    if (val->items[1]->kind != YTREE_SEQ)
        return rules_problem(ctx, file, val->items[1], "variable '%s': 'union' takes a list of lists, not %s",
                             name, ytree_describe(val->items[1]));
    for (size_t j = 0; j < val->items[1]->n; j++) {
        const ytree_node *item = val->items[1]->items[j];

        if (item->kind == YTREE_SCALAR)
            bad = rules_problem(ctx, file, item, "variable '%s': 'union' takes lists, not %s", name,
                                ytree_describe(item));
        else if (form_expr(ctx, file, name, item, true) != 0)
            bad = -1;
    }
    return bad ? -1 : 0;
}

static bool var_name_ok(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-'))
            return false;
    }
    return true;
}

int rules_var_form(rules_ctx *ctx, const char *file, const ytree_node *key, const ytree_node *val,
                   bool in_tests)
{
    if (!var_name_ok(key->text))
        return rules_problem(ctx, file, key, "bad variable name '%s' (letters, digits, '_' and '-')",
                             key->text);
    if (strcmp(key->text, RULES_VAR_ORGANIZATION) == 0) {
        if (!in_tests)
            return rules_problem(ctx, file, key,
                                 "variable '" RULES_VAR_ORGANIZATION "' is the snapshot's Organization: it "
                                 "cannot be defined in a file (only in a rule's tests: vars)");
        if (val->kind != YTREE_SEQ)
            return rules_problem(
                ctx, file, val, "variable '" RULES_VAR_ORGANIZATION "' must be a list of account ids, not %s",
                ytree_describe(val));
        for (size_t j = 0; j < val->n; j++) {
            if (!ytree_is_str(val->items[j]))
                return rules_problem(ctx, file, val->items[j],
                                     "variable '" RULES_VAR_ORGANIZATION "': account ids are strings, not %s",
                                     ytree_describe(val->items[j]));
        }
        return 0;
    }
    return form_expr(ctx, file, key->text, val, false);
}

/* ---- the environment ---- */

static int def_order(const void *pa, const void *pb)
{
    const rvdef *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);

    return c ? c : (a->order < b->order ? -1 : a->order > b->order);
}

static int def_find_cmp(const void *key, const void *item)
{
    return strcmp(key, ((const rvdef *)item)->name);
}

const rvdef *rules_env_find(const rvenv *env, const char *name)
{
    if (!env->n)
        return NULL;
    return bsearch(name, env->defs, env->n, sizeof(*env->defs), def_find_cmp);
}

/* A list node of n items (borrowed nodes), placed at at. NULL when out of memory. */
static ytree_node *list_new(rvenv *env, const ytree_node *at, size_t n)
{
    ytree_node *node = env_alloc(env, sizeof(*node));

    if (!node)
        return NULL;
    node->kind = YTREE_SEQ;
    node->line = at ? at->line : 1;
    node->column = at ? at->column : 1;
    node->items = env_alloc(env, (n ? n : 1) * sizeof(*node->items));
    return node->items ? node : NULL;
}

/* The snapshot's Organization as a list node of strings (the ids are borrowed). */
static ytree_node *org_list(rvenv *env, const char *const *ids, size_t n)
{
    ytree_node *list = list_new(env, NULL, n), *scalars = env_alloc(env, (n ? n : 1) * sizeof(*scalars));

    if (!list || !scalars)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        scalars[i].kind = YTREE_SCALAR;
        scalars[i].type = YTREE_STR;
        scalars[i].line = scalars[i].column = 1;
        scalars[i].text = (char *)(uintptr_t)ids[i];
        scalars[i].len = strlen(ids[i]);
        list->items[list->n++] = &scalars[i];
    }
    return list;
}

/* Strings first, bytewise; then booleans (false first), then numbers in order: equal values are neighbours.
 */
static int node_order(const void *pa, const void *pb)
{
    const ytree_node *a = *(const ytree_node *const *)pa, *b = *(const ytree_node *const *)pb;

    if (a->type != b->type)
        return a->type == YTREE_STR ? -1 : b->type == YTREE_STR ? 1 : (a->type < b->type ? -1 : 1);
    switch (a->type) {
    case YTREE_STR: return strcmp(a->text, b->text);
    case YTREE_BOOL: return (int)a->boolean - (int)b->boolean;
    case YTREE_NUM: return a->number < b->number ? -1 : a->number > b->number;
    case YTREE_NULL: return 0;
    }
    return 0;
}

typedef struct rsv {
    rules_ctx *ctx;
    rvenv *env;
    rvdef *def; /* the definition being worked out */
} rsv;

static int rsv_problem(rsv *r, const ytree_node *at, const char *what)
{
    return rules_problem(r->ctx, r->def->file, at, "variable '%s': %s%s", r->def->name, what,
                         r->env->context ? r->env->context : "");
}

static const ytree_node *resolve_def(rsv *r, rvdef *d, const ytree_node *ref);

static const ytree_node *eval_expr(rsv *r, const ytree_node *val);

/* {var: NAME} inside the definition being worked out. */
static const ytree_node *eval_var(rsv *r, const ytree_node *name)
{
    rvdef *d = (rvdef *)rules_env_find(r->env, name->text);
    char what[200];

    if (!d) {
        snprintf(what, sizeof(what), "undefined variable '%.100s'", name->text);
        rsv_problem(r, name, what);
        return NULL;
    }
    return resolve_def(r, d, name);
}

static const ytree_node *eval_union(rsv *r, const ytree_node *val)
{
    const ytree_node *items = val->items[1];
    const ytree_node **parts = calloc(items->n ? items->n : 1, sizeof(*parts));
    ytree_node *out = NULL;
    size_t total = 0;
    bool bad = false;
    char what[200];

    if (!parts) {
        rules_nomem(r->ctx);
        return NULL;
    }
    /* Every part is worked out, so that each problem shows, before any is given up on. */
    for (size_t i = 0; i < items->n; i++) {
        parts[i] = eval_expr(r, items->items[i]);
        if (!parts[i]) {
            bad = true;
        } else if (parts[i]->kind != YTREE_SEQ) {
            snprintf(what, sizeof(what), "'union' takes lists, but this is %s", ytree_describe(parts[i]));
            rsv_problem(r, items->items[i], what);
            bad = true;
        } else {
            total += parts[i]->n;
        }
    }
    if (bad || r->ctx->fatal)
        goto out;
    out = list_new(r->env, val, total);
    if (!out) {
        rules_nomem(r->ctx);
        goto out;
    }
    for (size_t i = 0; i < items->n; i++) {
        for (size_t j = 0; j < parts[i]->n; j++)
            out->items[out->n++] = parts[i]->items[j];
    }
    qsort(out->items, out->n, sizeof(*out->items), node_order);
    for (size_t i = 0, kept = 0; i < out->n; i++) {
        if (kept == 0 || node_order(&out->items[kept - 1], &out->items[i]) != 0)
            out->items[kept++] = out->items[i];
        if (i + 1 == out->n)
            out->n = kept;
    }
out:
    free(parts);
    return bad ? NULL : out;
}

static const ytree_node *eval_if(rsv *r, const ytree_node *val)
{
    const ytree_node *cond = ytree_get(val, "if"), *then_n = ytree_get(val, "then"),
                     *else_n = ytree_get(val, "else");
    const ytree_node *c = cond, *then_v, *else_v = NULL;
    char what[240];

    if (cond->kind == YTREE_MAP)
        c = eval_var(r, cond->items[1]);
    then_v = eval_expr(r, then_n);
    if (else_n)
        else_v = eval_expr(r, else_n);
    if (!c || !then_v || (else_n && !else_v))
        return NULL;
    if (!(c->kind == YTREE_SCALAR && c->type == YTREE_BOOL)) {
        snprintf(what, sizeof(what), "'if' needs a boolean, but variable '%.100s' is %s",
                 cond->items[1]->text, ytree_describe(c));
        rsv_problem(r, cond->items[1], what);
        return NULL;
    }
    if (c->boolean)
        return then_v;
    if (else_v)
        return else_v;
    else_v = list_new(r->env, val, 0);
    if (!else_v)
        rules_nomem(r->ctx);
    return else_v;
}

static const ytree_node *eval_expr(rsv *r, const ytree_node *val)
{
    const ytree_node *ref = rules_var_ref(val);

    if (val->kind != YTREE_MAP)
        return val;
    if (ytree_get(val, "if"))
        return eval_if(r, val);
    if (ref)
        return eval_var(r, ref);
    return eval_union(r, val);
}

static int str_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The variable's strings, sorted and each once, for rules_set_var_strings; none when it is not such a list.
 */
static int def_strings(rvenv *env, rvdef *d)
{
    const ytree_node *v = d->value;
    size_t kept = 0;

    if (v->kind != YTREE_SEQ)
        return 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->type != YTREE_STR)
            return 0;
    }
    d->strs = env_alloc(env, (v->n ? v->n : 1) * sizeof(*d->strs));
    if (!d->strs)
        return -1;
    for (size_t i = 0; i < v->n; i++)
        d->strs[i] = v->items[i]->text;
    qsort(d->strs, v->n, sizeof(*d->strs), str_order);
    for (size_t i = 0; i < v->n; i++) {
        if (kept == 0 || strcmp(d->strs[kept - 1], d->strs[i]) != 0)
            d->strs[kept++] = d->strs[i];
    }
    d->n_strs = kept;
    d->strs_ok = true;
    return 0;
}

/* Works out d's value (once); ref is where it is named from, for a cycle's position. */
static const ytree_node *resolve_def(rsv *r, rvdef *d, const ytree_node *ref)
{
    rsv inner = {r->ctx, r->env, d};
    const ytree_node *v;

    if (d->state == VAR_DONE)
        return d->value;
    if (d->state == VAR_BAD)
        return NULL;
    if (d->state == VAR_RESOLVING) {
        char what[512];
        size_t len = 0, from = 0;

        while (from < r->env->depth && r->env->stack[from] != d)
            from++;
        len += (size_t)snprintf(what, sizeof(what), "variables defined in a cycle: ");
        for (size_t i = from; i < r->env->depth && len < sizeof(what); i++)
            len += (size_t)snprintf(what + len, sizeof(what) - len, "%s -> ", r->env->stack[i]->name);
        if (len < sizeof(what))
            snprintf(what + len, sizeof(what) - len, "%s", d->name);
        rsv_problem(r, ref, what);
        return NULL;
    }
    if (r->env->depth >= RULES_VARS_MAX_DEPTH) {
        rsv_problem(r, ref, "variables are derived more than 64 deep");
        return NULL;
    }
    d->state = VAR_RESOLVING;
    r->env->stack[r->env->depth++] = d;
    v = eval_expr(&inner, d->def);
    r->env->depth--;
    d->value = v;
    d->state = v ? VAR_DONE : VAR_BAD;
    if (v && def_strings(r->env, d) != 0) {
        rules_nomem(r->ctx);
        d->state = VAR_BAD;
        return NULL;
    }
    return d->state == VAR_DONE ? v : NULL;
}

int rules_env_build(rules_ctx *ctx, rvenv *env, const rvar *vars, size_t n_vars, const char *const *org,
                    size_t n_org, const char *context)
{
    size_t kept = 0, before = ctx->bad;
    rsv r = {ctx, env, NULL};

    memset(env, 0, sizeof(*env));
    env->context = context;
    env->defs = calloc(n_vars + 1, sizeof(*env->defs));
    env->stack = calloc(RULES_VARS_MAX_DEPTH + 1, sizeof(*env->stack));
    if (!env->defs || !env->stack)
        return rules_nomem(ctx);
    /* organization_accounts first: a definition of it (only a rule's tests may hold one) replaces it. */
    env->defs[0].name = RULES_VAR_ORGANIZATION;
    env->defs[0].def = org_list(env, org, n_org);
    if (!env->defs[0].def)
        return rules_nomem(ctx);
    for (size_t i = 0; i < n_vars; i++) {
        env->defs[i + 1].name = vars[i].name;
        env->defs[i + 1].def = vars[i].value;
        env->defs[i + 1].file = vars[i].file;
        env->defs[i + 1].order = i + 1;
    }
    qsort(env->defs, n_vars + 1, sizeof(*env->defs), def_order);
    /* The last definition of each name wins. */
    for (size_t i = 0; i <= n_vars; i++) {
        if (i < n_vars && strcmp(env->defs[i].name, env->defs[i + 1].name) == 0)
            continue;
        env->defs[kept++] = env->defs[i];
    }
    env->n = kept;
    /* Every definition is worked out now, used or not: a problem in one shows whether a rule reads it. */
    for (size_t i = 0; i < env->n && !ctx->fatal; i++)
        resolve_def(&r, &env->defs[i], env->defs[i].def);
    return ctx->bad > before ? -1 : 0;
}
