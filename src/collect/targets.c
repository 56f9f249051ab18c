#include "collect/targets.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ytree.h"
#include "aws/sts.h"
#include "collect/regions.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"

#define MAX_ACCOUNTS 100000

char *targets_role_arn(const char *partition, const char *account, const char *role_name)
{
    size_t n = strlen(partition) + strlen(account) + strlen(role_name) + 32;
    char *arn = malloc(n);

    if (arn)
        snprintf(arn, n, "arn:%s:iam::%s:role/%s", partition, account, role_name);
    return arn;
}

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
        ia_err unknown;

        if (!ytree_is_str(r) || !r->text[0] ||
            strspn(r->text, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(r->text)) {
            problem(fc, r, "'%s' is not a region name",
                    r->kind == YTREE_SCALAR ? r->text : "(a list or map)");
            continue;
        }
        if (regions_check("regions", r->text, strlen(r->text), &unknown) != 0) {
            problem(fc, r, "%s", unknown.msg);
            continue;
        }
        t->regions[t->n_regions] = str_dup(r->text);
        if (t->regions[t->n_regions])
            t->n_regions++;
    }
}

/* c7n-org's tags: a list of "key:value" strings, or a map of scalars. Checked, then left out: a snapshot has
 * no place for them. */
static void check_tags(file_check *fc, const ytree_node *v)
{
    bool is_list = v->kind == YTREE_SEQ;

    if (v->kind != YTREE_SEQ && v->kind != YTREE_MAP) {
        problem(fc, v, "'tags' must be a list of \"key:value\" strings or a mapping, not %s",
                ytree_describe(v));
        return;
    }
    /* In a map, only the values (odd items) are checked: keys are scalars by YAML's own rules here. */
    for (size_t i = is_list ? 0 : 1; i < v->n; i += is_list ? 1 : 2) {
        const ytree_node *tag = v->items[i];

        if (tag->kind != YTREE_SCALAR)
            problem(fc, tag, "a tag must be %s, not %s", is_list ? "a \"key:value\" string" : "a scalar",
                    ytree_describe(tag));
        else if (is_list && !strchr(tag->text, ':'))
            problem(fc, tag, "tag '%s' is not \"key:value\"", tag->text);
    }
}

/* The two forms of an accounts file: their keys differ, the targets they make do not. */
typedef enum file_form { FORM_NATIVE, FORM_C7N_ORG } file_form;

/* What a key of an account entry is, in one form. */
typedef enum account_key {
    KEY_ID,
    KEY_NAME,
    KEY_ROLE_ARN,
    KEY_EXTERNAL_ID,
    KEY_REGIONS,
    KEY_TAGS,
    KEY_IGNORED
} account_key;

typedef struct key_row {
    const char *name;
    account_key key;
} key_row;

static const key_row native_keys[] = {
    {"id", KEY_ID},
    {"name", KEY_NAME},
    {"role_arn", KEY_ROLE_ARN},
    {"external_id", KEY_EXTERNAL_ID},
    {"regions", KEY_REGIONS},
    {NULL, KEY_IGNORED},
};

/* Cloud Custodian's c7n-org accounts file (its CONFIG_SCHEMA): email and vars mean nothing here. */
static const key_row c7n_keys[] = {
    {"account_id", KEY_ID},           {"name", KEY_NAME},       {"role", KEY_ROLE_ARN},
    {"external_id", KEY_EXTERNAL_ID}, {"regions", KEY_REGIONS}, {"tags", KEY_TAGS},
    {"email", KEY_IGNORED},           {"vars", KEY_IGNORED},    {NULL, KEY_IGNORED},
};

/* The name keys give to which (present in every table). */
static const char *key_name(const key_row *keys, account_key which)
{
    while (keys->key != which)
        keys++;
    return keys->name;
}

/* The names of keys, "a, b, c". */
static void key_names(const key_row *keys, char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (; keys->name && n < size; keys++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", keys->name);
}

static void load_account(file_check *fc, file_form form, const ytree_node *node, collect_targets *out)
{
    const key_row *keys = form == FORM_C7N_ORG ? c7n_keys : native_keys;
    const char *id_key = key_name(keys, KEY_ID);
    collect_target *t;

    if (node->kind != YTREE_MAP) {
        problem(fc, node, "each account must be a mapping with at least '%s'", id_key);
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
        const key_row *row = keys;

        while (row->name && strcmp(row->name, key) != 0)
            row++;
        if (!row->name) {
            char expected[128];

            key_names(keys, expected, sizeof(expected));
            problem(fc, k, "unknown key '%s' (expected %s)", key, expected);
            continue;
        }
        switch (row->key) {
        case KEY_ID:
            t->id = scalar(fc, v, key);
            if (t->id && !targets_valid_account_id(t->id))
                problem(fc, v, "account id '%s' is not 12 digits (quote ids that start with 0)", t->id);
            break;
        case KEY_NAME: t->name = scalar(fc, v, key); break;
        case KEY_ROLE_ARN:
            /* c7n-org's role may be a list, a chain of roles assumed in turn: one AssumeRole is all this
             * collector does. */
            if (v->kind == YTREE_SEQ) {
                problem(fc, v, "'%s' must be one role ARN (a chain of roles is not supported)", key);
                break;
            }
            t->role_arn = scalar(fc, v, key);
            if (t->role_arn && !str_starts_with(t->role_arn, "arn:"))
                problem(fc, v, "%s '%s' is not an ARN", key, t->role_arn);
            break;
        case KEY_EXTERNAL_ID:
            t->external_id = scalar(fc, v, key);
            if (t->external_id && !sts_valid_external_id(t->external_id))
                problem(fc, v, "external_id must be 2 to 1224 of letters, digits and +=,.@:/_-");
            break;
        case KEY_REGIONS: load_regions(fc, v, t); break;
        case KEY_TAGS: check_tags(fc, v); break;
        case KEY_IGNORED: break;
        }
    }
    if (!t->id && !ytree_get(node, id_key))
        problem(fc, node, "account has no '%s'", id_key);
}

/* c7n-org's form when the first account names its id account_id; else the native one. */
static file_form form_of(const ytree_node *accounts)
{
    const ytree_node *first = accounts->items[0];

    return first->kind == YTREE_MAP && ytree_get(first, "account_id") ? FORM_C7N_ORG : FORM_NATIVE;
}

int targets_load_file(const char *path, collect_targets *out, ia_err *err)
{
    file_check fc = {path, err, 0};
    const ytree_node *root, *accounts;
    file_form form;
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
    if (accounts->kind != YTREE_SEQ || accounts->n == 0) {
        problem(&fc, accounts, "'%s' must be a non-empty list", "accounts");
        goto out;
    }
    form = form_of(accounts);
    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const ytree_node *k = root->items[i];
        const char *key = k->kind == YTREE_SCALAR ? k->text : "";

        /* c7n-org's top-level vars are its policies' variables, nothing imgaudit reads. */
        if (strcmp(key, "accounts") != 0 && (form != FORM_C7N_ORG || strcmp(key, "vars") != 0))
            problem(&fc, k, "unknown top-level key '%s' (expected accounts%s)", key,
                    form == FORM_C7N_ORG ? ", vars" : "");
    }
    for (size_t i = 0; i < accounts->n; i++)
        load_account(&fc, form, accounts->items[i], out);
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
