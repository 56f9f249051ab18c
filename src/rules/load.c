/*
 * Loading a rule set: files and directories read with a bound, parsed to
 * position-keeping trees, variables merged, then every rule compiled. Every
 * problem is recorded, so one run shows them all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/rules_int.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"
#include "util/termtext.h"

void rules_diags_init(rules_diags *diags)
{
    memset(diags, 0, sizeof(*diags));
}

void rules_diags_free(rules_diags *diags)
{
    if (!diags)
        return;
    for (size_t i = 0; i < diags->n; i++) {
        free(diags->items[i].file);
        free(diags->items[i].msg);
    }
    free(diags->items);
    memset(diags, 0, sizeof(*diags));
}

int rules_diags_add(rules_diags *diags, const ia_err *err)
{
    return rules_diags_add_level(diags, err, RULES_DIAG_ERROR);
}

int rules_diags_add_level(rules_diags *diags, const ia_err *err, rules_diag_level level)
{
    rules_diag *d;

    if (diags->n >= RULES_DIAGS_MAX ||
        (level != RULES_DIAG_ERROR && diags->n_warnings >= RULES_WARNINGS_MAX)) {
        if (level == RULES_DIAG_ERROR)
            diags->dropped++;
        else if (level == RULES_DIAG_WARNING)
            diags->dropped_warnings++;
        else
            diags->dropped_strict++;
        return 0;
    }
    if (diags->n == diags->cap) {
        size_t cap = diags->cap ? diags->cap * 2 : 16;
        rules_diag *items = realloc(diags->items, cap * sizeof(*items));

        if (!items)
            return -1;
        diags->items = items;
        diags->cap = cap;
    }
    d = &diags->items[diags->n];
    d->file = str_dup(err->file);
    d->msg = str_dup(err->msg);
    if (!d->file || !d->msg) {
        free(d->file);
        free(d->msg);
        return -1;
    }
    d->line = err->line;
    d->column = err->column;
    d->level = level;
    diags->n_warnings += level != RULES_DIAG_ERROR;
    diags->n++;
    return 0;
}

static bool diag_is_error(const rules_diag *d, bool strict)
{
    return d->level == RULES_DIAG_ERROR || (strict && d->level == RULES_DIAG_STRICT);
}

void rules_diags_count(const rules_diags *diags, bool strict, size_t *errors, size_t *warnings)
{
    *errors = diags->dropped + (strict ? diags->dropped_strict : 0);
    *warnings = diags->dropped_warnings + (strict ? 0 : diags->dropped_strict);
    for (size_t i = 0; i < diags->n; i++) {
        if (diag_is_error(&diags->items[i], strict))
            (*errors)++;
        else
            (*warnings)++;
    }
}

void rules_diag_format(const rules_diag *diag, char *out, size_t size)
{
    if (diag->line)
        snprintf(out, size, "%s:%u:%u: %s", diag->file, diag->line, diag->column, diag->msg);
    else
        snprintf(out, size, "%s: %s", diag->file, diag->msg);
}

size_t rules_diags_dropped(const rules_diags *diags)
{
    return diags->dropped + diags->dropped_warnings + diags->dropped_strict;
}

void rules_diags_print(const rules_diags *diags, FILE *fp, const char *error_prefix,
                       const char *warning_prefix, bool strict)
{
    char line[2048];

    error_prefix = error_prefix ? error_prefix : "";
    for (size_t i = 0; i < diags->n; i++) {
        const rules_diag *d = &diags->items[i];
        rules_diag label = *d;
        char msg[1100];

        if (diag_is_error(d, strict)) {
            rules_diag_format(d, line, sizeof(line));
            termtext_printf(fp, "%s%s\n", error_prefix, line);
        } else if (warning_prefix) {
            rules_diag_format(d, line, sizeof(line));
            termtext_printf(fp, "%s%s\n", warning_prefix, line);
        } else {
            snprintf(msg, sizeof(msg), "warning: %s", d->msg);
            label.msg = msg;
            rules_diag_format(&label, line, sizeof(line));
            termtext_printf(fp, "%s%s\n", error_prefix, line);
        }
    }
    if (rules_diags_dropped(diags))
        fprintf(fp, "%s%zu more problems not shown\n", error_prefix, rules_diags_dropped(diags));
}

void rules_warn(rules_ctx *ctx, rules_diag_level level, const char *file, const ytree_node *at,
                const char *fmt, ...)
{
    ia_err e;
    va_list ap;

    err_clear(&e);
    err_set_at(&e, file, at ? at->line : 1, at ? at->column : 1, "%s", "");
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    if (rules_diags_add_level(ctx->diags, &e, level) != 0)
        rules_nomem(ctx);
}

void rules_add_err(rules_ctx *ctx, const ia_err *e)
{
    if (e->kind == IA_ERR_NOMEM) {
        rules_nomem(ctx);
        return;
    }
    if (ctx->bad == 0)
        *ctx->err = *e;
    ctx->bad++;
    if (rules_diags_add(ctx->diags, e) != 0)
        rules_nomem(ctx);
}

int rules_problem(rules_ctx *ctx, const char *file, const ytree_node *at, const char *fmt, ...)
{
    ia_err e;
    va_list ap;

    err_clear(&e);
    err_set_at(&e, file, at ? at->line : 1, at ? at->column : 1, "%s", "");
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    rules_add_err(ctx, &e);
    return -1;
}

int rules_nomem(rules_ctx *ctx)
{
    if (!ctx->fatal)
        err_set(ctx->err, IA_ERR_NOMEM, "out of memory while loading rules");
    ctx->fatal = 1;
    ctx->bad++;
    return -1;
}

/* ---- the set ---- */

void rules_set_free(rules_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n_rules; i++)
        rules_rule_clean(&set->rules[i]);
    free(set->rules);
    for (size_t i = 0; i < set->n_docs; i++)
        ytree_free(set->docs[i]);
    free(set->docs);
    for (size_t i = 0; i < set->n_files; i++)
        free(set->files[i]);
    free(set->files);
    free(set->vars);
    rules_env_free(&set->env);
    for (size_t i = 0; i < set->n_org; i++)
        free(set->org[i]);
    free(set->org);
    free(set);
}

size_t rules_set_count(const rules_set *set)
{
    return set ? set->n_rules : 0;
}

size_t rules_set_file_count(const rules_set *set)
{
    return set ? set->n_files : 0;
}

const rule_info *rules_set_info(const rules_set *set, size_t i)
{
    return &set->rules[i].info;
}

bool rules_set_ids_complete(const rules_set *set)
{
    return set && !set->ids_missing;
}

long rules_set_find(const rules_set *set, const char *id)
{
    for (size_t i = 0; i < set->n_rules; i++) {
        if (strcmp(set->rules[i].info.id, id) == 0)
            return (long)i;
    }
    return -1;
}

int rules_set_var_strings(const rules_set *set, const char *name, const char *const **items, size_t *n)
{
    const rvdef *d = set ? rules_env_find(&set->env, name) : NULL;

    if (!d || !d->value || !d->strs_ok)
        return -1;
    *items = d->strs;
    *n = d->n_strs;
    return 0;
}

static int id_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_set_org_accounts(rules_set *set, const char *const *ids, size_t n, ia_err *err)
{
    char **org = calloc(n ? n : 1, sizeof(*org));
    rcond **whens = calloc(set->n_rules ? set->n_rules : 1, sizeof(*whens));
    rules_diags diags;
    rules_ctx ctx;
    rvenv env;
    size_t kept = 0;
    int rc = -1;

    rules_diags_init(&diags);
    ctx = (rules_ctx){&diags, err, 0, 0};
    memset(&env, 0, sizeof(env));
    err_clear(err);
    if (!org || !whens)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        if (!(org[i] = str_dup(ids[i])))
            goto nomem;
    }
    qsort(org, n, sizeof(*org), id_order);
    for (size_t i = 0; i < n; i++) {
        if (kept && strcmp(org[kept - 1], org[i]) == 0)
            free(org[i]);
        else
            org[kept++] = org[i];
    }
    n = kept;
    /* Everything is made anew beside the old, and swapped in only once all of it compiled. */
    if (rules_env_build(&ctx, &env, set->vars, set->n_vars, (const char *const *)org, n, NULL) != 0)
        goto fail;
    for (size_t i = 0; i < set->n_rules; i++) {
        if (rules_recompile_when(&ctx, &env, &set->rules[i], &whens[i]) != 0)
            goto fail;
    }
    for (size_t i = 0; i < set->n_rules; i++) {
        rules_cond_free(set->rules[i].when);
        set->rules[i].when = whens[i];
        whens[i] = NULL;
    }
    rules_env_free(&set->env);
    set->env = env;
    memset(&env, 0, sizeof(env));
    for (size_t i = 0; i < set->n_org; i++)
        free(set->org[i]);
    free(set->org);
    set->org = org;
    set->n_org = n;
    org = NULL;
    n = 0;
    rc = 0;
    goto out;
nomem:
    rules_nomem(&ctx);
fail:
    /* The variables compiled once already: a problem now can only be running out of memory. */
    rules_diags_first(&diags, 0, err);
out:
    for (size_t i = 0; org && i < n; i++)
        free(org[i]);
    free(org);
    for (size_t i = 0; whens && i < set->n_rules; i++)
        rules_cond_free(whens[i]);
    free(whens);
    rules_env_free(&env);
    rules_diags_free(&diags);
    return rc;
}

/*
 * Grows an array of elem-sized items by one slot; returns the new slot or
 * NULL. The array is only ever grown here, so its room is implied by *n: the
 * next power of two. It doubles when full (one slot at a time would copy the
 * whole array on every add: quadratic over 50,000 variables).
 */
static void *grow(void **arr, size_t *n, size_t elem)
{
    char *p = *arr;

    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 1;

        if (cap > SIZE_MAX / elem || !(p = realloc(*arr, cap * elem)))
            return NULL;
        *arr = p;
    }
    memset(p + *n * elem, 0, elem);
    return p + (*n)++ * elem;
}

/* ---- pass 1: documents and variables ---- */

static void load_vars(rules_ctx *ctx, rules_set *set, const char *file, const ytree_node *vars)
{
    if (vars->kind != YTREE_MAP) {
        rules_problem(ctx, file, vars, "'vars' must be a mapping of names to values, not %s",
                      ytree_describe(vars));
        return;
    }
    for (size_t i = 0; i + 1 < vars->n && !ctx->fatal; i += 2) {
        const ytree_node *key = vars->items[i], *val = vars->items[i + 1];
        rvar *v;

        /* A definition of the wrong form is left out: what names it then finds it undefined. */
        if (rules_var_form(ctx, file, key, val, false) != 0)
            continue;
        v = grow((void **)&set->vars, &set->n_vars, sizeof(*v));
        if (!v) {
            rules_nomem(ctx);
            return;
        }
        v->name = key->text;
        v->value = val;
        v->file = file;
        v->key = key;
    }
}

/* Checks a file's top level and takes its variables. Returns its `rules` list, or NULL. */
static const ytree_node *load_top(rules_ctx *ctx, rules_set *set, const char *file, const ytree_node *root,
                                  bool vars_only)
{
    const ytree_node *rules = NULL;

    if (!root) {
        rules_problem(ctx, file, NULL, "empty file: expected %s",
                      vars_only ? "'vars:'" : "'rules:' or 'vars:'");
        return NULL;
    }
    if (root->kind != YTREE_MAP) {
        rules_problem(ctx, file, root, "expected a mapping with %s at the top, not %s",
                      vars_only ? "'vars:'" : "'rules:' and 'vars:'", ytree_describe(root));
        return NULL;
    }
    for (size_t i = 0; i + 1 < root->n && !ctx->fatal; i += 2) {
        const ytree_node *key = root->items[i], *val = root->items[i + 1];

        if (strcmp(key->text, "vars") == 0)
            load_vars(ctx, set, file, val);
        else if (strcmp(key->text, "rules") == 0 && !vars_only)
            rules = val;
        else if (strcmp(key->text, "rules") == 0)
            rules_problem(ctx, file, key, "a --vars file holds only 'vars:', not rules");
        else
            rules_problem(ctx, file, key, "unknown key '%s' (expected %s)", key->text,
                          vars_only ? "'vars'" : "'rules' or 'vars'");
    }
    if (rules && rules->kind != YTREE_SEQ) {
        rules_problem(ctx, file, rules, "'rules' must be a list of rules, not %s", ytree_describe(rules));
        return NULL;
    }
    return rules;
}

/* Parses one source into the set. Returns the file's name as kept by the set, and the document root. */
static const char *load_doc(rules_ctx *ctx, rules_set *set, const rules_source *src, const ytree_node **root,
                            bool *parsed)
{
    ytree_doc *doc = NULL;
    char **slot;
    ia_err e;

    *root = NULL;
    *parsed = false;
    slot = grow((void **)&set->files, &set->n_files, sizeof(*slot));
    if (!slot || !(*slot = str_dup(src->name))) {
        rules_nomem(ctx);
        return NULL;
    }
    err_clear(&e);
    if (ytree_parse(*slot, src->text, src->len, &doc, &e) != 0) {
        rules_add_err(ctx, &e);
        return *slot;
    }
    /* Every parsed file stays alive for the run: bound them together, not just one by one. */
    set->n_nodes += ytree_node_count(doc);
    if (set->n_nodes > RULES_MAX_TOTAL_NODES) {
        ytree_free(doc);
        err_set_at(&e, *slot, 1, 1, "the rule and variable files hold more than %d values in all",
                   RULES_MAX_TOTAL_NODES);
        rules_add_err(ctx, &e);
        return *slot;
    }
    if (!grow((void **)&set->docs, &set->n_docs, sizeof(*set->docs))) {
        ytree_free(doc);
        rules_nomem(ctx);
        return NULL;
    }
    set->docs[set->n_docs - 1] = doc;
    *root = ytree_root(doc);
    *parsed = true;
    return *slot;
}

/* ---- pass 2: rules ---- */

typedef struct id_ref {
    const char *id;
    const char *file;
    const ytree_node *at;
    size_t order;
} id_ref;

static int id_ref_compare(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    if (c)
        return c;
    return x->order < y->order ? -1 : (x->order > y->order);
}

/* Ids are unique across every file loaded; the later definition is the one reported. */
static void check_duplicate_ids(rules_ctx *ctx, id_ref *ids, size_t n)
{
    if (n < 2)
        return;
    qsort(ids, n, sizeof(*ids), id_ref_compare);
    for (size_t i = 1; i < n; i++) {
        size_t first = i - 1;

        if (strcmp(ids[first].id, ids[i].id) != 0)
            continue;
        while (first > 0 && strcmp(ids[first - 1].id, ids[i].id) == 0)
            first--;
        rules_problem(ctx, ids[i].file, ids[i].at, "duplicate rule id '%s' (first defined at %s:%u:%u)",
                      ids[i].id, ids[first].file, ids[first].at->line, ids[first].at->column);
    }
}

static void compile_rules(rules_ctx *ctx, rules_set *set, const char *file, const ytree_node *list,
                          id_ref **ids, size_t *n_ids)
{
    for (size_t i = 0; i < list->n && !ctx->fatal; i++) {
        const ytree_node *node = list->items[i];
        rrule *r = grow((void **)&set->rules, &set->n_rules, sizeof(*r));
        const ytree_node *idn;
        id_ref *ref;

        if (!r) {
            rules_nomem(ctx);
            return;
        }
        r->info.file = file;
        r->line = node->line;
        r->column = node->column;
        rules_compile_rule(ctx, set, node, r);
        idn = ytree_get(node, "id");
        set->ids_missing |= !r->info.id;
        if (!r->info.id || !idn)
            continue;
        ref = grow((void **)ids, n_ids, sizeof(*ref));
        if (!ref) {
            rules_nomem(ctx);
            return;
        }
        ref->id = r->info.id;
        ref->file = file;
        ref->at = idn;
        ref->order = *n_ids;
    }
}

typedef struct diag_key {
    size_t file_rank;
    unsigned line, column;
    size_t order;
} diag_key;

static int diag_compare(const void *a, const void *b)
{
    const diag_key *x = a, *y = b;

    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

void rules_diags_sort(rules_diags *diags, size_t from, const char *const *files, size_t n_files)
{
    size_t n = diags->n - from;
    diag_key *keys;
    rules_diag *sorted;

    if (diags->n <= from + 1)
        return;
    keys = malloc(n * sizeof(*keys));
    sorted = malloc(n * sizeof(*sorted));
    if (!keys || !sorted)
        goto out; /* unsorted is still correct */
    for (size_t i = 0; i < n; i++) {
        const char *file = diags->items[from + i].file;
        size_t rank = n_files + i;

        for (size_t j = 0; j < n_files; j++) {
            if (strcmp(files[j], file) == 0) {
                rank = j;
                break;
            }
        }
        for (size_t j = 0; rank >= n_files && j < i; j++) {
            if (strcmp(diags->items[from + j].file, file) == 0)
                rank = keys[j].file_rank;
        }
        keys[i].file_rank = rank;
        keys[i].line = diags->items[from + i].line;
        keys[i].column = diags->items[from + i].column;
        keys[i].order = from + i;
    }
    qsort(keys, n, sizeof(*keys), diag_compare);
    for (size_t i = 0; i < n; i++)
        sorted[i] = diags->items[keys[i].order];
    memcpy(diags->items + from, sorted, n * sizeof(*sorted));
out:
    free(keys);
    free(sorted);
}

void rules_diags_first(const rules_diags *diags, size_t from, ia_err *err)
{
    const rules_diag *d;

    while (from < diags->n && diags->items[from].level != RULES_DIAG_ERROR)
        from++;
    if (diags->n <= from || err->kind == IA_ERR_NOMEM)
        return;
    d = &diags->items[from];
    err_clear(err);
    err_set_at(err, d->file, d->line, d->column, "%s", d->msg);
}

/* rules_load_sources; partial: on a problem, *out is still what loaded (but never after running out of
 * memory). */
static int load_sources(const rules_source *rule_srcs, size_t n_rule_srcs, const rules_source *var_srcs,
                        size_t n_var_srcs, bool partial, rules_set **out, rules_diags *diags, ia_err *err)
{
    rules_set *set = calloc(1, sizeof(*set));
    const ytree_node **lists = NULL;
    const char **list_files = NULL;
    id_ref *ids = NULL;
    size_t n_ids = 0;
    rules_ctx ctx = {diags, err, 0, 0};
    size_t first_diag = diags->n;
    int rc = -1;

    *out = NULL;
    err_clear(err);
    lists = calloc(n_rule_srcs + 1, sizeof(*lists));
    list_files = calloc(n_rule_srcs + 1, sizeof(*list_files));
    if (!set || !lists || !list_files) {
        rules_nomem(&ctx);
        goto out;
    }
    for (size_t i = 0; i < n_rule_srcs + n_var_srcs && !ctx.fatal; i++) {
        bool vars_only = i >= n_rule_srcs;
        const rules_source *src = vars_only ? &var_srcs[i - n_rule_srcs] : &rule_srcs[i];
        const ytree_node *root;
        const char *file;
        bool parsed;

        size_t before = ctx.bad;

        file = load_doc(&ctx, set, src, &root, &parsed);
        /* A rule file not read whole may hide rules: a partial set then cannot say a rule does not exist. */
        if (!parsed) {
            set->ids_missing |= !vars_only;
            continue;
        }
        if (!vars_only) {
            lists[i] = load_top(&ctx, set, file, root, false);
            list_files[i] = file;
            set->ids_missing |= ctx.bad > before;
        } else {
            load_top(&ctx, set, file, root, true);
        }
    }
    if (set && !ctx.fatal) {
        size_t before = ctx.bad;

        rules_env_build(&ctx, &set->env, set->vars, set->n_vars, NULL, 0, NULL);
        set->vars_bad = ctx.bad > before;
    }
    for (size_t i = 0; i < n_rule_srcs && !ctx.fatal; i++) {
        if (lists[i])
            compile_rules(&ctx, set, list_files[i], lists[i], &ids, &n_ids);
    }
    if (!ctx.fatal)
        check_duplicate_ids(&ctx, ids, n_ids);
    if (set && !ctx.fatal)
        rules_lint_set(&ctx, set);
    if (set) {
        rules_diags_sort(diags, first_diag, (const char *const *)set->files, set->n_files);
        rules_diags_first(diags, first_diag, err);
    }
    if (ctx.bad && partial && !ctx.fatal) {
        *out = set;
        set = NULL;
    }
    if (ctx.bad)
        goto out;
    *out = set;
    set = NULL;
    rc = 0;
out:
    free(ids);
    free(lists);
    free(list_files);
    rules_set_free(set);
    return rc;
}

/* ---- files and directories ---- */

typedef struct src_list {
    rules_source *items;
    char **owned; /* each item's text and name, owned: 2 per item */
    size_t n, cap;
    char **order; /* owned: every file tried, read or not, in the order given */
    size_t n_order;
    struct stat *seen; /* every file read: one named twice (a pack file, ./rules and rules) is read once */
    size_t n_seen;
} src_list;

static void src_list_free(src_list *l)
{
    for (size_t i = 0; i < 2 * l->n; i++)
        free(l->owned[i]);
    for (size_t i = 0; i < l->n_order; i++)
        free(l->order[i]);
    free(l->order);
    free(l->seen);
    free(l->items);
    free(l->owned);
    memset(l, 0, sizeof(*l));
}

/* Takes ownership of name and text (even on failure). */
static int src_list_push(src_list *l, char *name, char *text, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        rules_source *items = realloc(l->items, cap * sizeof(*items));
        char **owned;

        if (!items)
            goto fail;
        l->items = items;
        owned = realloc(l->owned, 2 * cap * sizeof(*owned));
        if (!owned)
            goto fail;
        l->owned = owned;
        l->cap = cap;
    }
    l->items[l->n].name = name;
    l->items[l->n].text = text;
    l->items[l->n].len = len;
    l->owned[2 * l->n] = name;
    l->owned[2 * l->n + 1] = text;
    l->n++;
    return 0;
fail:
    free(name);
    free(text);
    return -1;
}

static int name_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *name)
{
    size_t len = strlen(name);

    if (name[0] == '.')
        return false;
    return (len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
           (len > 4 && strcmp(name + len - 4, ".yml") == 0);
}

void rules_file_problem(rules_ctx *ctx, const char *path, const char *msg)
{
    size_t plen = strlen(path);
    ia_err e;

    /* file_read_all's messages start with the path; the diagnostic names it once. */
    if (strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
        msg += plen + 2;
    err_clear(&e);
    err_set_at(&e, path, 0, 0, "%s", msg);
    rules_add_err(ctx, &e);
}

static int src_list_add_file(src_list *l, const char *path, rules_ctx *ctx)
{
    buf b;
    ia_err e;
    char *name;
    char **slot;
    struct stat st;

    if (stat(path, &st) == 0) {
        struct stat *seen;

        for (size_t i = 0; i < l->n_seen; i++)
            if (l->seen[i].st_dev == st.st_dev && l->seen[i].st_ino == st.st_ino)
                return 0;
        if (!(seen = grow((void **)&l->seen, &l->n_seen, sizeof(*l->seen))))
            return rules_nomem(ctx);
        *seen = st;
    }
    slot = grow((void **)&l->order, &l->n_order, sizeof(*l->order));
    if (!slot || !(*slot = str_dup(path)))
        return rules_nomem(ctx);
    err_clear(&e);
    buf_init(&b, YTREE_MAX_BYTES);
    if (file_read_all(path, &b, &e) != 0) {
        buf_free(&b);
        rules_file_problem(ctx, path, e.msg);
        return -1;
    }
    name = str_dup(path);
    if (!name || src_list_push(l, name, b.data, b.len) != 0) {
        if (!name)
            buf_free(&b);
        return rules_nomem(ctx);
    }
    return 0;
}

static int src_list_add_dir(src_list *l, const char *path, rules_ctx *ctx)
{
    DIR *dir = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    int rc = -1;

    if (!dir) {
        rules_file_problem(ctx, path, strerror(errno));
        return -1;
    }
    while ((de = readdir(dir)) != NULL) {
        char **slot;

        if (!yaml_name(de->d_name))
            continue;
        if (n >= RULES_MAX_FILES) {
            rules_file_problem(ctx, path, "too many rule files in one directory");
            goto out;
        }
        slot = grow((void **)&names, &n, sizeof(*names));
        if (!slot || !(*slot = str_dup(de->d_name))) {
            rules_nomem(ctx);
            goto out;
        }
    }
    if (n == 0) {
        rules_file_problem(ctx, path, "no *.yaml or *.yml files in this directory");
        goto out;
    }
    qsort(names, n, sizeof(*names), name_compare);
    rc = 0;
    for (size_t i = 0; i < n && !ctx->fatal; i++) {
        buf full;

        buf_init(&full, 8192);
        if (buf_printf(&full, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]) != 0) {
            buf_free(&full);
            rules_file_problem(ctx, path, "path too long");
            rc = -1;
            continue;
        }
        if (src_list_add_file(l, buf_str(&full), ctx) != 0)
            rc = -1;
        buf_free(&full);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return rc;
}

static int src_list_add_path(src_list *l, const char *path, bool dirs_ok, rules_ctx *ctx)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        char **slot = grow((void **)&l->order, &l->n_order, sizeof(*l->order));

        if (!slot || !(*slot = str_dup(path)))
            return rules_nomem(ctx);
        rules_file_problem(ctx, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode) && dirs_ok)
        return src_list_add_dir(l, path, ctx);
    return src_list_add_file(l, path, ctx);
}

int rules_load_sources(const rules_source *rule_srcs, size_t n_rule_srcs, const rules_source *var_srcs,
                       size_t n_var_srcs, rules_set **out, rules_diags *diags, ia_err *err)
{
    return load_sources(rule_srcs, n_rule_srcs, var_srcs, n_var_srcs, false, out, diags, err);
}

static int load_paths(const char *const *paths, size_t n_paths, const char *const *var_paths,
                      size_t n_var_paths, bool partial, rules_set **out, rules_diags *diags, ia_err *err)
{
    src_list rules_l = {0}, vars_l = {0};
    rules_ctx ctx = {diags, err, 0, 0};
    size_t first_diag = diags->n;
    ia_err e2;
    int rc = -1;

    *out = NULL;
    err_clear(err);
    for (size_t i = 0; i < n_paths && !ctx.fatal; i++)
        src_list_add_path(&rules_l, paths[i], true, &ctx);
    for (size_t i = 0; i < n_var_paths && !ctx.fatal; i++)
        src_list_add_path(&vars_l, var_paths[i], false, &ctx);
    if (ctx.fatal)
        goto out;
    /* Parse what could be read even when some file could not, so one run shows every problem. */
    err_clear(&e2);
    rc = load_sources(rules_l.items, rules_l.n, vars_l.items, vars_l.n, partial, out, diags, &e2);
    if (rc != 0 && (ctx.bad == 0 || e2.kind == IA_ERR_NOMEM))
        *err = e2;
    if (rc == 0 && ctx.bad) {
        if (!partial) {
            rules_set_free(*out);
            *out = NULL;
        }
        rc = -1;
    }
    /* A file that could not be read may hold rules too. */
    if (*out && ctx.bad)
        (*out)->ids_missing = true;
    if (rc != 0) {
        char **order = calloc(rules_l.n_order + vars_l.n_order + 1, sizeof(*order));

        /* Problems read in the order the files were named, whether they could be read or not. */
        for (size_t i = 0; order && i < rules_l.n_order; i++)
            order[i] = rules_l.order[i];
        for (size_t i = 0; order && i < vars_l.n_order; i++)
            order[rules_l.n_order + i] = vars_l.order[i];
        rules_diags_sort(diags, first_diag, (const char *const *)order,
                         order ? rules_l.n_order + vars_l.n_order : 0);
        rules_diags_first(diags, first_diag, err);
        free(order);
    }
out:
    src_list_free(&rules_l);
    src_list_free(&vars_l);
    return rc;
}

int rules_load(const char *const *paths, size_t n_paths, const char *const *var_paths, size_t n_var_paths,
               rules_set **out, rules_diags *diags, ia_err *err)
{
    return load_paths(paths, n_paths, var_paths, n_var_paths, false, out, diags, err);
}

int rules_load_partial(const char *const *paths, size_t n_paths, const char *const *var_paths,
                       size_t n_var_paths, rules_set **out, rules_diags *diags, ia_err *err)
{
    return load_paths(paths, n_paths, var_paths, n_var_paths, true, out, diags, err);
}
