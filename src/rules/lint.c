/*
 * Warnings about rule and variable files that load but are likely wrong:
 * a variable that nothing reads (a misspelt name, so the pack's default is
 * still the one used) and an account id that YAML reads as a number (it
 * never equals the string the API returns, so the rule silently never
 * matches it). Both are worked out from the files as written, so they show
 * even when other problems stop the load.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/nearest.h"
#include "util/str.h"

/* The variables imgaudit itself and the built-in pack's rules read: never unused, and suggested for a typo.
 */
static const char *const known_vars[] = {
    RULES_VAR_ORGANIZATION, RULES_VAR_TRUSTED_SHARING,      "trusted_accounts",
    "trust_organization",   "disallowed_image_error_codes", "image_max_age_days",
};

#define N_KNOWN (sizeof(known_vars) / sizeof(known_vars[0]))

/*
 * A set of names borrowed from the documents, in the order added, with a hash
 * index: a file may define a hundred thousand variables.
 */
typedef struct names {
    const char **items;
    size_t n, cap;
    size_t *slots; /* index + 1 into items; 0 is free; cap * 2 of them */
    int nomem;
} names;

static void names_free(names *s)
{
    free(s->items);
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

/* The slot holding name, or the free slot where it belongs. The table is never more than half full. */
static size_t names_slot(const names *s, const char *name)
{
    size_t mask = 2 * s->cap - 1, i = (size_t)str_hash(name) & mask;

    while (s->slots[i] && strcmp(s->items[s->slots[i] - 1], name) != 0)
        i = (i + 1) & mask;
    return i;
}

static bool names_has(const names *s, const char *name)
{
    return s->cap && s->slots[names_slot(s, name)] != 0;
}

static int names_grow(names *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    const char **items = realloc(s->items, cap * sizeof(*items));
    size_t *slots;

    if (!items)
        return -1;
    s->items = items;
    slots = calloc(2 * cap, sizeof(*slots));
    if (!slots)
        return -1;
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    for (size_t i = 0; i < s->n; i++)
        s->slots[names_slot(s, s->items[i])] = i + 1;
    return 0;
}

/* Adds name unless it is there; returns whether it was added. */
static bool names_add(names *s, const char *name)
{
    if (names_has(s, name))
        return false;
    if (s->n == s->cap && names_grow(s) != 0) {
        s->nomem = 1;
        return false;
    }
    s->slots[names_slot(s, name)] = s->n + 1;
    s->items[s->n++] = name;
    return true;
}

/* The name of a {var: NAME} mapping, or NULL. */
static const char *var_name(const ytree_node *n)
{
    const ytree_node *ref = rules_var_ref(n);

    return ref && ytree_is_str(ref) ? ref->text : NULL;
}

/* Every {var: NAME} anywhere in a value (a variable's definition: var, union, if). */
static void value_refs(const ytree_node *n, names *out, unsigned depth)
{
    const char *name = var_name(n);

    if (!n || depth > YTREE_MAX_DEPTH)
        return;
    if (name) {
        names_add(out, name);
        return;
    }
    if (n->kind == YTREE_SCALAR)
        return;
    for (size_t i = 0; i < n->n; i++)
        value_refs(n->items[i], out, depth + 1);
}

typedef void (*leaf_fn)(const char *key, const ytree_node *value, void *arg);

/* Calls fn for each leaf of a `when` as written: its key (NULL when not a string) and its value (or NULL). */
static void when_leaves(const ytree_node *c, leaf_fn fn, void *arg, unsigned depth)
{
    const ytree_node *key, *v;
    const char *first;

    if (!c || c->kind != YTREE_MAP || c->n < 2 || depth > YTREE_MAX_DEPTH)
        return;
    key = ytree_get(c, "key");
    if (key || ytree_get(c, "op")) {
        fn(key && ytree_is_str(key) ? key->text : NULL, ytree_get(c, "value"), arg);
        return;
    }
    first = c->items[0]->text;
    v = c->items[1];
    if (strcmp(first, "and") == 0 || strcmp(first, "or") == 0) {
        for (size_t i = 0; v->kind == YTREE_SEQ && i < v->n; i++)
            when_leaves(v->items[i], fn, arg, depth + 1);
    } else if (strcmp(first, "not") == 0) {
        when_leaves(v, fn, arg, depth + 1);
    } else {
        fn(first, v, arg);
    }
}

/*
 * Whether a key names an account id: `account` (where the resource was
 * collected) or a field whose name ends in AccountId or AccountIds, in any
 * case (SharedAccountId, sharedAccountId, OwnerAccountId, SharedAccountIds).
 */
static bool account_key(const char *key)
{
    const char *last = strrchr(key, '.');
    char seg[128];
    size_t len;

    if (strcmp(key, "account") == 0)
        return true;
    last = last ? last + 1 : key;
    len = strlen(last);
    if (len >= 2 && strcmp(last + len - 2, "[]") == 0)
        len -= 2;
    if (len >= sizeof(seg))
        return false;
    for (size_t i = 0; i < len; i++)
        seg[i] = (char)tolower((unsigned char)last[i]);
    seg[len] = '\0';
    return (len >= 9 && strcmp(seg + len - 9, "accountid") == 0) ||
           (len >= 10 && strcmp(seg + len - 10, "accountids") == 0);
}

/* Whether a variable's name says it holds account ids: ..._accounts, ...account_ids. */
static bool account_name(const char *name)
{
    size_t len = strlen(name);

    return (len >= 8 && strcmp(name + len - 8, "accounts") == 0) ||
           (len >= 11 && strcmp(name + len - 11, "account_ids") == 0);
}

static bool twelve_digit_string(const ytree_node *n)
{
    if (!ytree_is_str(n) || n->len != 12)
        return false;
    for (size_t i = 0; i < 12; i++) {
        if (!isdigit((unsigned char)n->text[i]))
            return false;
    }
    return true;
}

/*
 * A number where an account id is wanted: a strict warning saying what YAML
 * made of it, in variable var's value or, var NULL, in what a rule compares.
 */
static void account_number(rules_ctx *ctx, const char *file, const ytree_node *item, const char *what,
                           const char *var)
{
    bool digits = item->len > 0;
    char where[160];

    if (var)
        snprintf(where, sizeof(where), "variable '%.100s'", var);
    else
        snprintf(where, sizeof(where), "%s", what);

    for (size_t i = 0; i < item->len; i++)
        digits = digits && isdigit((unsigned char)item->text[i]);
    if (digits && item->text[0] == '0' && item->len > 1)
        rules_warn(
            ctx, RULES_DIAG_STRICT, file, item,
            "%s: account id %s is a number to YAML, which drops its leading zero (%.0f); account ids are "
            "strings: quote it: \"%s\"",
            where, item->text, item->number, item->text);
    else
        rules_warn(ctx, RULES_DIAG_STRICT, file, item,
                   "%s: account id %s is a number to YAML and never equals the string an account id is; "
                   "quote it: \"%s\"",
                   where, item->text, item->text);
}

/*
 * The numbers in the lists of a value that holds account ids (a list, or a
 * union's or if's lists). all: every list; else only a list holding a
 * 12-digit string (then its numbers are account ids too).
 */
static void account_lists(rules_ctx *ctx, const char *file, const ytree_node *n, const char *what,
                          const char *var, bool all, unsigned depth)
{
    bool ids = all;

    if (!n || n->kind == YTREE_SCALAR || depth > YTREE_MAX_DEPTH || var_name(n))
        return;
    if (n->kind == YTREE_MAP) {
        for (size_t i = 1; i < n->n; i += 2)
            account_lists(ctx, file, n->items[i], what, var, all, depth + 1);
        return;
    }
    for (size_t i = 0; i < n->n && !ids; i++)
        ids = twelve_digit_string(n->items[i]);
    for (size_t i = 0; i < n->n; i++) {
        const ytree_node *item = n->items[i];

        if (item->kind == YTREE_SCALAR && item->type == YTREE_NUM && ids)
            account_number(ctx, file, item, what, var);
        else if (item->kind != YTREE_SCALAR)
            account_lists(ctx, file, item, what, var, all, depth + 1);
    }
}

/* The variables a rule's tests' vars name: in its `vars:` and in each example's. */
static void tests_refs(const ytree_node *tests, names *used)
{
    const ytree_node *vars = ytree_get(tests, "vars");

    if (vars && vars->kind == YTREE_MAP)
        value_refs(vars, used, 0);
    for (size_t i = 1; tests && tests->kind == YTREE_MAP && i < tests->n; i += 2) {
        const ytree_node *list = tests->items[i];

        for (size_t j = 0; list->kind == YTREE_SEQ && j < list->n; j++) {
            vars = ytree_get(list->items[j], "vars");
            if (vars && vars->kind == YTREE_MAP)
                value_refs(vars, used, 0);
        }
    }
}

typedef struct lint_arg {
    rules_ctx *ctx;
    const char *file;
    names *used;
    names *accounts; /* variables compared with an account id */
} lint_arg;

static void lint_leaf(const char *key, const ytree_node *value, void *p)
{
    lint_arg *a = p;
    const char *name = var_name(value);

    if (name)
        names_add(a->used, name);
    if (!key || !value || !account_key(key))
        return;
    if (name)
        names_add(a->accounts, name);
    else if (value->kind == YTREE_SEQ)
        account_lists(a->ctx, a->file, value, "a list of account ids", NULL, true, 0);
    else if (value->kind == YTREE_SCALAR && value->type == YTREE_NUM)
        account_number(a->ctx, a->file, value, "an account id", NULL);
}

static void unused_vars(rules_ctx *ctx, const rules_set *set, const names *used)
{
    names reported = {0};

    for (size_t i = set->n_vars; i-- > 0 && !used->nomem && !reported.nomem;) {
        const rvar *v = &set->vars[i];
        const char *close;

        if (names_has(used, v->name) || !names_add(&reported, v->name))
            continue;
        /* A warning past the bound is only counted: no guess is worked out for it. */
        close =
            ctx->diags->n_warnings < RULES_WARNINGS_MAX ? nearest_in(v->name, used->items, used->n) : NULL;
        if (close)
            rules_warn(ctx, RULES_DIAG_WARNING, v->file, v->key,
                       "variable '%s' is defined but no rule or variable uses it (did you mean '%s'?)",
                       v->name, close);
        else
            rules_warn(ctx, RULES_DIAG_WARNING, v->file, v->key,
                       "variable '%s' is defined but no rule or variable uses it", v->name);
    }
    if (reported.nomem)
        rules_nomem(ctx);
    names_free(&reported);
}

void rules_lint_set(rules_ctx *ctx, const rules_set *set)
{
    names used = {0}, accounts = {0};
    lint_arg a = {ctx, NULL, &used, &accounts};
    bool grew = true;

    for (size_t i = 0; i < set->n_rules; i++) {
        a.file = set->rules[i].info.file;
        when_leaves(set->rules[i].when_node, lint_leaf, &a, 0);
        tests_refs(set->rules[i].tests_node, &used);
    }
    for (size_t i = 0; i < set->n_vars; i++) {
        value_refs(set->vars[i].value, &used, 0);
        if (account_name(set->vars[i].name))
            names_add(&accounts, set->vars[i].name);
    }
    /* What an account list is made of holds account ids too: trusted_sharing_accounts' union parts. */
    for (unsigned round = 0; grew && round < RULES_VARS_MAX_DEPTH; round++) {
        grew = false;
        for (size_t i = 0; i < set->n_vars; i++) {
            size_t before = accounts.n;

            if (!names_has(&accounts, set->vars[i].name))
                continue;
            value_refs(set->vars[i].value, &accounts, 0);
            grew |= accounts.n > before;
        }
    }
    for (size_t i = 0; i < set->n_vars; i++) {
        const rvar *v = &set->vars[i];

        if (v->value->kind == YTREE_SCALAR && v->value->type == YTREE_NUM && names_has(&accounts, v->name))
            account_number(ctx, v->file, v->value, NULL, v->name);
        else
            account_lists(ctx, v->file, v->value, NULL, v->name, names_has(&accounts, v->name), 0);
    }
    /* The variables the program itself reads are used too. */
    for (size_t i = 0; i < N_KNOWN; i++)
        names_add(&used, known_vars[i]);
    unused_vars(ctx, set, &used);
    if (used.nomem || accounts.nomem)
        rules_nomem(ctx);
    names_free(&used);
    names_free(&accounts);
}

/* Adds the variable a leaf's value names, if any, to the names at p. */
static void var_leaf(const char *key, const ytree_node *value, void *p)
{
    const char *name = var_name(value);

    (void)key;
    if (name)
        names_add(p, name);
}

long rules_rule_vars(const rules_set *set, size_t i, const char **out, size_t max)
{
    names vars = {0};
    long n;

    when_leaves(set->rules[i].when_node, var_leaf, &vars, 0);
    for (size_t k = 0; k < vars.n && k < max; k++)
        out[k] = vars.items[k];
    n = vars.nomem ? -1 : (long)vars.n;
    names_free(&vars);
    return n;
}
