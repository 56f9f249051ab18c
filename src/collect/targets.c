#include "collect/targets.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ytree.h"
#include "aws/sts.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"

#define MAX_ACCOUNTS 100000

bool targets_valid_account_id(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++) {
        if (!isdigit((unsigned char)s[n]))
            return false;
    }
    return n == 12;
}

static void target_clean_up(collect_target *t)
{
    free(t->id);
    free(t->name);
    free(t->role_arn);
    free(t->external_id);
    for (size_t i = 0; i < t->n_regions; i++)
        free(t->regions[i]);
    free(t->regions);
    memset(t, 0, sizeof(*t));
}

void targets_free(collect_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        target_clean_up(&t->items[i]);
    free(t->items);
    t->items = NULL;
    t->n = 0;
}

static collect_target *grow(collect_targets *t)
{
    collect_target *items;

    if (t->n >= MAX_ACCOUNTS)
        return NULL;
    items = realloc(t->items, (t->n + 1) * sizeof(*items));
    if (!items)
        return NULL;
    t->items = items;
    memset(&items[t->n], 0, sizeof(items[0]));
    return &items[t->n++];
}

int targets_add(collect_targets *t, const char *id, const char *name, ia_err *err)
{
    collect_target *item = grow(t);

    if (!item)
        return err_set(err, IA_ERR_NOMEM, "too many accounts (limit %d)", MAX_ACCOUNTS);
    item->id = str_dup(id);
    item->name = str_dup(name);
    if (!item->id || (name && !item->name))
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

/* ---- the accounts file ---- */

typedef struct file_check {
    const char *path;
    ia_err *err;
    unsigned problems;
} file_check;

static void problem(file_check *fc, const ytree_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(file_check *fc, const ytree_node *at, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_error("%s:%u:%u: %s", fc->path, at ? at->line : 1, at ? at->column : 1, msg);
    if (fc->problems++ == 0)
        err_set_at(fc->err, fc->path, at ? at->line : 1, at ? at->column : 1, "%s", msg);
}

/* A scalar's text, for string-valued keys (ids may be written as plain numbers). */
static char *scalar(file_check *fc, const ytree_node *v, const char *key)
{
    char *s;

    if (!v || v->kind != YTREE_SCALAR || v->type == YTREE_NULL || v->type == YTREE_BOOL) {
        problem(fc, v, "'%s' must be a string", key);
        return NULL;
    }
    s = str_dup(v->text);
    if (!s)
        problem(fc, v, "%s: out of memory", key);
    return s;
}

static void load_regions(file_check *fc, const ytree_node *v, collect_target *t)
{
    if (v->kind != YTREE_SEQ || v->n == 0) {
        problem(fc, v, "'%s' must be a non-empty list of region names", "regions");
        return;
    }
    t->regions = calloc(v->n, sizeof(char *));
    if (!t->regions) {
        problem(fc, v, "%s: out of memory", "regions");
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const ytree_node *r = v->items[i];

        if (!ytree_is_str(r) || !r->text[0] ||
            strspn(r->text, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(r->text)) {
            problem(fc, r, "'%s' is not a region name",
                    r->kind == YTREE_SCALAR ? r->text : "(a list or map)");
            continue;
        }
        t->regions[t->n_regions] = str_dup(r->text);
        if (t->regions[t->n_regions])
            t->n_regions++;
    }
}

static void load_account(file_check *fc, const ytree_node *node, collect_targets *out)
{
    collect_target *t;

    if (node->kind != YTREE_MAP) {
        problem(fc, node, "each account must be a mapping with at least '%s'", "id");
        return;
    }
    t = grow(out);
    if (!t) {
        problem(fc, node, "too many accounts%s", "");
        return;
    }
    for (size_t i = 0; i + 1 < node->n; i += 2) {
        const ytree_node *k = node->items[i], *v = node->items[i + 1];
        const char *key = k->kind == YTREE_SCALAR ? k->text : "";

        if (strcmp(key, "id") == 0) {
            t->id = scalar(fc, v, key);
            if (t->id && !targets_valid_account_id(t->id)) {
                problem(fc, v, "account id '%s' is not 12 digits (quote ids that start with 0)", t->id);
            }
        } else if (strcmp(key, "name") == 0) {
            t->name = scalar(fc, v, key);
        } else if (strcmp(key, "role_arn") == 0) {
            t->role_arn = scalar(fc, v, key);
            if (t->role_arn && !str_starts_with(t->role_arn, "arn:"))
                problem(fc, v, "role_arn '%s' is not an ARN", t->role_arn);
        } else if (strcmp(key, "external_id") == 0) {
            t->external_id = scalar(fc, v, key);
            if (t->external_id && !sts_valid_external_id(t->external_id))
                problem(fc, v, "external_id must be 2 to 1224 of letters, digits and +=,.@:/_-");
        } else if (strcmp(key, "regions") == 0) {
            load_regions(fc, v, t);
        } else {
            problem(fc, k, "unknown key '%s' (expected id, name, role_arn, external_id, regions)", key);
        }
    }
    if (!t->id && !ytree_get(node, "id"))
        problem(fc, node, "account has no '%s'", "id");
}

int targets_load_file(const char *path, collect_targets *out, ia_err *err)
{
    file_check fc = {path, err, 0};
    const ytree_node *root, *accounts;
    ytree_doc *doc = NULL;
    buf text;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    buf_init(&text, YTREE_MAX_BYTES);
    if (file_read_all(path, &text, err) != 0)
        goto out;
    if (ytree_parse(path, buf_str(&text), text.len, &doc, err) != 0)
        goto out;
    root = ytree_root(doc);
    accounts = root ? ytree_get(root, "accounts") : NULL;
    if (!root || root->kind != YTREE_MAP || !accounts) {
        problem(&fc, root, "expected a top-level '%s:' list", "accounts");
        goto out;
    }
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ytree_node *k = root->items[i];

        if (k->kind != YTREE_SCALAR || strcmp(k->text, "accounts") != 0)
            problem(&fc, k, "unknown top-level key '%s' (expected accounts)",
                    k->kind == YTREE_SCALAR ? k->text : "");
    }
    if (accounts->kind != YTREE_SEQ || accounts->n == 0) {
        problem(&fc, accounts, "'%s' must be a non-empty list", "accounts");
        goto out;
    }
    for (size_t i = 0; i < accounts->n; i++)
        load_account(&fc, accounts->items[i], out);
    for (size_t i = 0; i < out->n; i++) {
        for (size_t j = 0; j < i && out->items[i].id; j++) {
            if (out->items[j].id && strcmp(out->items[i].id, out->items[j].id) == 0)
                problem(&fc, accounts->items[i], "account %s is listed twice", out->items[i].id);
        }
    }
    rc = fc.problems ? -1 : 0;
out:
    /* A file that could not be read or parsed is its one problem: printed here too, as the others are. */
    if (rc != 0 && fc.problems == 0) {
        char line[1536];

        err_format(err, line, sizeof(line));
        log_error("%s", line);
    }
    if (rc != 0)
        targets_free(out);
    ytree_free(doc);
    buf_free(&text);
    return rc;
}
