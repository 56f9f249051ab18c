#include "rules/waivers.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "rules/clock.h"
#include "rules/rules_int.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"
#include "util/timefmt.h"

typedef struct waiver {
    waiver_info info; /* strings borrowed from docs, file from files */
    int64_t expires_day;
} waiver;

struct waivers {
    waiver *items;
    size_t n;
    ytree_doc **docs; /* owned: the waivers borrow their strings */
    size_t n_docs;
    char **files; /* owned */
    size_t n_files;
};

static const char *const waiver_keys[] = {"rule",   "resource", "account", "region",
                                          "reason", "owner",    "expires"};

void waivers_free(waivers *w)
{
    if (!w)
        return;
    free(w->items);
    for (size_t i = 0; i < w->n_docs; i++)
        ytree_free(w->docs[i]);
    free(w->docs);
    for (size_t i = 0; i < w->n_files; i++)
        free(w->files[i]);
    free(w->files);
    free(w);
}

size_t waivers_count(const waivers *w)
{
    return w ? w->n : 0;
}

const waiver_info *waivers_get(const waivers *w, size_t i)
{
    return &w->items[i].info;
}

bool waivers_expired(const waivers *w, size_t i, int64_t today)
{
    return today > w->items[i].expires_day;
}

bool waivers_match_rule(const waivers *w, size_t i, const char *rule_id)
{
    return fnmatch(w->items[i].info.rule, rule_id, 0) == 0;
}

static bool glob_ok(const char *pattern, const char *value)
{
    return !pattern || (value && fnmatch(pattern, value, 0) == 0);
}

bool waivers_match_resource(const waivers *w, size_t i, const snap_resource *res)
{
    const waiver_info *wi = &w->items[i].info;

    return glob_ok(wi->resource, res->id) && glob_ok(wi->account, res->account) &&
           glob_ok(wi->region, res->region);
}

/* A string field of a waiver: *out borrowed or NULL. Returns -1 after recording a problem. */
static int str_field(rules_ctx *ctx, const char *file, const ytree_node *node, const char *key, bool required,
                     const char **out)
{
    const ytree_node *v = ytree_get(node, key);

    *out = NULL;
    if (!v) {
        if (required)
            return rules_problem(ctx, file, node, "waiver is missing '%s'", key);
        return 0;
    }
    if (!ytree_is_str(v)) {
        if (v->kind == YTREE_SCALAR && v->type == YTREE_NUM)
            return rules_problem(ctx, file, v, "'%s' must be a string, not a number (quote it: \"%s\")", key,
                                 v->text);
        return rules_problem(ctx, file, v, "'%s' must be a string, not %s", key, ytree_describe(v));
    }
    if (v->len == 0 || strlen(v->text) != v->len)
        return rules_problem(ctx, file, v, "'%s' must not be empty or hold NUL characters", key);
    *out = v->text;
    return 0;
}

/* A waiver's rule must name a rule that exists: a typo would waive nothing, silently. */
static int check_rule(rules_ctx *ctx, const rules_set *set, const char *file, const ytree_node *at,
                      const char *pattern)
{
    const char *close;

    if (rules_set_matches(set, pattern, &close))
        return 0;
    if (strpbrk(pattern, "*?["))
        return rules_problem(ctx, file, at, "waiver's rule glob '%s' matches no loaded rule", pattern);
    if (close)
        return rules_problem(ctx, file, at,
                             "waiver names rule '%s', which is not loaded (did you mean '%s'?)", pattern,
                             close);
    return rules_problem(ctx, file, at, "waiver names rule '%s', which is not loaded", pattern);
}

static int load_waiver(rules_ctx *ctx, const rules_set *set, const char *file, const ytree_node *node,
                       waiver *w)
{
    int bad = 0;

    if (node->kind != YTREE_MAP)
        return rules_problem(ctx, file, node, "a waiver must be a mapping, not %s", ytree_describe(node));
    for (size_t i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *k = node->items[i];
        bool known = false;

        for (size_t j = 0; j < sizeof(waiver_keys) / sizeof(waiver_keys[0]); j++)
            known = known || strcmp(k->text, waiver_keys[j]) == 0;
        if (!known)
            bad =
                rules_problem(ctx, file, k,
                              "unknown key '%s' in waiver (expected rule, resource, account, region, reason, "
                              "owner, expires)",
                              k->text);
    }
    w->info.file = file;
    w->info.line = node->line;
    w->info.state = WAIVER_UNUSED;
    if (str_field(ctx, file, node, "rule", true, &w->info.rule) != 0)
        bad = -1;
    else if (set && check_rule(ctx, set, file, ytree_get(node, "rule"), w->info.rule) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "resource", false, &w->info.resource) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "account", false, &w->info.account) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "region", false, &w->info.region) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "reason", true, &w->info.reason) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "owner", false, &w->info.owner) != 0)
        bad = -1;
    if (str_field(ctx, file, node, "expires", true, &w->info.expires) != 0) {
        bad = -1;
    } else if (!timefmt_date_parse(w->info.expires, &w->expires_day)) {
        bad = rules_problem(ctx, file, ytree_get(node, "expires"),
                            "'expires' must be a date as YYYY-MM-DD, not '%s'", w->info.expires);
    }
    return bad;
}

static void load_file(rules_ctx *ctx, const rules_set *set, waivers *w, const char *file,
                      const ytree_node *root)
{
    const ytree_node *list = NULL;
    waiver *items;

    if (!root)
        return; /* an empty file waives nothing */
    if (root->kind != YTREE_MAP) {
        rules_problem(ctx, file, root, "expected a mapping with 'waivers:' at the top, not %s",
                      ytree_describe(root));
        return;
    }
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        if (strcmp(root->items[i]->text, "waivers") == 0)
            list = root->items[i + 1];
        else
            rules_problem(ctx, file, root->items[i], "unknown key '%s' (expected 'waivers')",
                          root->items[i]->text);
    }
    if (!list || (list->kind == YTREE_SCALAR && list->type == YTREE_NULL))
        return;
    if (list->kind != YTREE_SEQ) {
        rules_problem(ctx, file, list, "'waivers' must be a list, not %s", ytree_describe(list));
        return;
    }
    items = realloc(w->items, (w->n + list->n + 1) * sizeof(*items));
    if (!items) {
        rules_nomem(ctx);
        return;
    }
    w->items = items;
    for (size_t i = 0; i < list->n; i++) {
        memset(&w->items[w->n], 0, sizeof(w->items[w->n]));
        if (load_waiver(ctx, set, file, list->items[i], &w->items[w->n]) == 0)
            w->n++;
    }
}

static int load_sources(const rules_source *srcs, size_t n_srcs, const rules_set *set, waivers **out,
                        rules_diags *diags, ia_err *err)
{
    waivers *w = calloc(1, sizeof(*w));
    rules_ctx ctx = {diags, err, 0, 0};
    size_t first_diag = diags->n;
    int rc = -1;

    *out = NULL;
    err_clear(err);
    if (!w || !(w->docs = calloc(n_srcs + 1, sizeof(*w->docs))) ||
        !(w->files = calloc(n_srcs + 1, sizeof(*w->files)))) {
        rules_nomem(&ctx);
        goto out;
    }
    for (size_t i = 0, nodes = 0; i < n_srcs && !ctx.fatal; i++) {
        ytree_doc *doc = NULL;
        ia_err e;
        char *file = str_dup(srcs[i].name);

        if (!file) {
            rules_nomem(&ctx);
            break;
        }
        w->files[w->n_files++] = file;
        err_clear(&e);
        if (ytree_parse(file, srcs[i].text, srcs[i].len, &doc, &e) != 0) {
            rules_add_err(&ctx, &e);
            continue;
        }
        /* The parsed files stay alive for the run: bound them together, not just one by one. */
        nodes += ytree_node_count(doc);
        if (nodes > RULES_MAX_TOTAL_NODES) {
            ytree_free(doc);
            err_set_at(&e, file, 1, 1, "the waiver files hold more than %d values in all",
                       RULES_MAX_TOTAL_NODES);
            rules_add_err(&ctx, &e);
            break;
        }
        w->docs[w->n_docs++] = doc;
        load_file(&ctx, set, w, file, ytree_root(doc));
    }
    if (w) {
        rules_diags_sort(diags, first_diag, (const char *const *)w->files, w->n_files);
        rules_diags_first(diags, first_diag, err);
    }
    if (ctx.bad)
        goto out;
    *out = w;
    w = NULL;
    rc = 0;
out:
    waivers_free(w);
    return rc;
}

int waivers_load_sources(const rules_source *srcs, size_t n_srcs, waivers **out, rules_diags *diags,
                         ia_err *err)
{
    return load_sources(srcs, n_srcs, NULL, out, diags, err);
}

int waivers_load(const char *const *paths, size_t n_paths, waivers **out, rules_diags *diags, ia_err *err)
{
    return waivers_load_checked(paths, n_paths, NULL, out, diags, err);
}

int waivers_load_checked(const char *const *paths, size_t n_paths, const rules_set *set, waivers **out,
                         rules_diags *diags, ia_err *err)
{
    rules_source *srcs = calloc(n_paths + 1, sizeof(*srcs));
    buf *texts = calloc(n_paths + 1, sizeof(*texts));
    rules_ctx ctx = {diags, err, 0, 0};
    size_t first_diag = diags->n, n = 0;
    ia_err e2;
    int rc = -1;

    *out = NULL;
    err_clear(err);
    if (!srcs || !texts) {
        rules_nomem(&ctx);
        goto out;
    }
    for (size_t i = 0; i < n_paths; i++) {
        ia_err e;

        err_clear(&e);
        buf_init(&texts[n], YTREE_MAX_BYTES);
        if (file_read_all(paths[i], &texts[n], &e) != 0) {
            buf_free(&texts[n]);
            rules_file_problem(&ctx, paths[i], e.msg);
            continue;
        }
        srcs[n].name = paths[i];
        srcs[n].text = buf_str(&texts[n]);
        srcs[n].len = texts[n].len;
        n++;
    }
    err_clear(&e2);
    rc = load_sources(srcs, n, set, out, diags, &e2);
    if (rc != 0 && (ctx.bad == 0 || e2.kind == IA_ERR_NOMEM))
        *err = e2;
    if (rc == 0 && ctx.bad) {
        waivers_free(*out);
        *out = NULL;
        rc = -1;
    }
    if (rc != 0) {
        rules_diags_sort(diags, first_diag, paths, n_paths);
        rules_diags_first(diags, first_diag, err);
    }
out:
    for (size_t i = 0; texts && i < n; i++)
        buf_free(&texts[i]);
    free(texts);
    free(srcs);
    return rc;
}
