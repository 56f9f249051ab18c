#include "util/ytree.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/str.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

struct ytree_doc {
    ytree_node *root;
    /* Every node made, so freeing needs no recursion. */
    ytree_node **all;
    size_t n_all, cap_all;
};

typedef struct parse_state {
    const char *name;
    const char *text;
    size_t len;
    ytree_doc *doc;
    ytree_node *stack[YTREE_MAX_DEPTH];
    size_t depth;
    int seen_doc;
} parse_state;

static ytree_node *node_new(ytree_doc *doc, ytree_kind kind, const yaml_mark_t *mark)
{
    ytree_node *node;

    if (doc->n_all == doc->cap_all) {
        size_t cap = doc->cap_all ? doc->cap_all * 2 : 64;
        ytree_node **all = realloc(doc->all, cap * sizeof(*all));

        if (!all)
            return NULL;
        doc->all = all;
        doc->cap_all = cap;
    }
    node = calloc(1, sizeof(*node));
    if (!node)
        return NULL;
    node->kind = kind;
    node->line = (unsigned)mark->line + 1;
    node->column = (unsigned)mark->column + 1;
    doc->all[doc->n_all++] = node;
    return node;
}

static int node_push_item(ytree_node *parent, ytree_node *child)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        ytree_node **items = realloc(parent->items, cap * sizeof(*items));

        if (!items)
            return -1;
        parent->items = items;
        parent->cap = cap;
    }
    parent->items[parent->n++] = child;
    return 0;
}

static int parser_error(parse_state *st, const yaml_parser_t *parser, ia_err *err)
{
    unsigned line, col;

    if (parser->error == YAML_MEMORY_ERROR)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory while reading YAML", st->name);
    if (parser->error == YAML_READER_ERROR) {
        /* libyaml's reader errors carry a byte offset, not a mark. */
        str_text_position(st->text, st->len, parser->problem_offset, &line, &col);
        return err_set_at(err, st->name, line, col, "YAML syntax error: %s",
                          parser->problem ? parser->problem : "unreadable input");
    }
    line = (unsigned)parser->problem_mark.line + 1;
    col = (unsigned)parser->problem_mark.column + 1;
    if (parser->context)
        return err_set_at(err, st->name, line, col, "YAML syntax error: %s (%s)",
                          parser->problem ? parser->problem : "invalid YAML", parser->context);
    return err_set_at(err, st->name, line, col, "YAML syntax error: %s",
                      parser->problem ? parser->problem : "invalid YAML");
}

static bool is_null_text(const char *s)
{
    return strcmp(s, "") == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

static int bool_text(const char *s)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return 1;
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return 0;
    return -1;
}

static bool all_digits(const char *s, const char *set)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!strchr(set, *s))
            return false;
    }
    return true;
}

/* YAML 1.2 core schema numbers: decimal and octal/hex integers, floats, .inf and .nan. */
static bool number_text(const char *s, double *out)
{
    const char *p = s;
    char *end = NULL;
    int digits = 0;

    if (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF")) {
        errno = 0;
        *out = (double)strtoull(s + 2, &end, 16);
        return errno == 0;
    }
    if (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567")) {
        errno = 0;
        *out = (double)strtoull(s + 2, &end, 8);
        return errno == 0;
    }
    if (*p == '+' || *p == '-')
        p++;
    if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (p == s && (strcmp(p, ".nan") == 0 || strcmp(p, ".NaN") == 0 || strcmp(p, ".NAN") == 0)) {
        *out = NAN;
        return true;
    }
    /* Check the shape first: strtod would also take "0x1p3", "infinity" and leading spaces. */
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    errno = 0;
    *out = strtod(s, &end);
    return end && *end == '\0';
}

/* Types a scalar by its tag and style. Returns -1 with a message in err for a tag it cannot honour. */
static int scalar_resolve(parse_state *st, ytree_node *node, const yaml_event_t *ev, ia_err *err)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *text = node->text;
    int b;

    node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    node->type = YTREE_STR;
    if (tag && strcmp(tag, "!") != 0) {
        if (!str_starts_with(tag, TAG_PREFIX))
            return err_set_at(err, st->name, node->line, node->column, "unsupported YAML tag '%s'", tag);
        tag += strlen(TAG_PREFIX);
        if (strcmp(tag, "str") == 0)
            return 0;
        if (strcmp(tag, "null") == 0 && is_null_text(text)) {
            node->type = YTREE_NULL;
            return 0;
        }
        if (strcmp(tag, "bool") == 0 && (b = bool_text(text)) >= 0) {
            node->type = YTREE_BOOL;
            node->boolean = b == 1;
            return 0;
        }
        if ((strcmp(tag, "int") == 0 || strcmp(tag, "float") == 0) && number_text(text, &node->number)) {
            node->type = YTREE_NUM;
            return 0;
        }
        return err_set_at(err, st->name, node->line, node->column, "value '%s' does not fit the tag !!%s",
                          text, tag);
    }
    if (!node->plain || tag)
        return 0;
    if (is_null_text(text)) {
        node->type = YTREE_NULL;
    } else if ((b = bool_text(text)) >= 0) {
        node->type = YTREE_BOOL;
        node->boolean = b == 1;
    } else if (number_text(text, &node->number)) {
        node->type = YTREE_NUM;
    }
    return 0;
}

static int key_compare(const void *a, const void *b)
{
    const ytree_node *x = *(ytree_node *const *)a;
    const ytree_node *y = *(ytree_node *const *)b;
    int c = strcmp(x->text, y->text);

    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->column < y->column ? -1 : (x->column > y->column);
}

/* Duplicate keys are an error in YAML; sorting finds them without quadratic work on huge mappings. */
static int map_check_duplicates(parse_state *st, const ytree_node *map, ia_err *err)
{
    size_t n = map->n / 2;
    ytree_node **keys;
    int rc = 0;

    if (n < 2)
        return 0;
    keys = malloc(n * sizeof(*keys));
    if (!keys)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", st->name);
    for (size_t i = 0; i < n; i++)
        keys[i] = map->items[2 * i];
    qsort(keys, n, sizeof(*keys), key_compare);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(keys[i - 1]->text, keys[i]->text) == 0) {
            rc = err_set_at(err, st->name, keys[i]->line, keys[i]->column,
                            "duplicate key '%s' (first at line %u)", keys[i]->text, keys[i - 1]->line);
            break;
        }
    }
    free(keys);
    return rc;
}

/* Hangs a finished node under the open container, or makes it the root. */
static int attach(parse_state *st, ytree_node *node, ia_err *err)
{
    ytree_node *parent;

    if (st->depth == 0) {
        st->doc->root = node;
        return 0;
    }
    parent = st->stack[st->depth - 1];
    if (parent->kind == YTREE_MAP && parent->n % 2 == 0 && node->kind != YTREE_SCALAR)
        return err_set_at(err, st->name, node->line, node->column, "a mapping key must be a plain value");
    if (parent->kind == YTREE_MAP && parent->n % 2 == 0 && node->type != YTREE_STR)
        node->type = YTREE_STR; /* keys are names: `1: x` and `true: x` name "1" and "true" */
    if (node_push_item(parent, node) != 0)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", st->name);
    return 0;
}

static int handle_event(parse_state *st, const yaml_event_t *ev, int *done, ia_err *err)
{
    ytree_node *node;
    unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;

    switch (ev->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_NO_EVENT: return 0;
    case YAML_STREAM_END_EVENT: *done = 1; return 0;
    case YAML_DOCUMENT_START_EVENT:
        if (st->seen_doc)
            return err_set_at(err, st->name, line, col, "only one YAML document per file is read");
        st->seen_doc = 1;
        return 0;
    case YAML_ALIAS_EVENT:
        return err_set_at(err, st->name, line, col, "YAML aliases (*%s) are not supported",
                          (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        if (st->doc->n_all >= YTREE_MAX_NODES)
            return err_set_at(err, st->name, line, col, "more than %d values in one file", YTREE_MAX_NODES);
        node = node_new(st->doc, YTREE_SCALAR, &ev->start_mark);
        if (!node)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory", st->name);
        node->len = ev->data.scalar.length;
        node->text = str_ndup((const char *)ev->data.scalar.value, node->len);
        if (!node->text)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory", st->name);
        if (scalar_resolve(st, node, ev, err) != 0)
            return -1;
        return attach(st, node, err);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (st->depth >= YTREE_MAX_DEPTH)
            return err_set_at(err, st->name, line, col, "nesting deeper than %d levels", YTREE_MAX_DEPTH);
        if (st->doc->n_all >= YTREE_MAX_NODES)
            return err_set_at(err, st->name, line, col, "more than %d values in one file", YTREE_MAX_NODES);
        node =
            node_new(st->doc, ev->type == YAML_SEQUENCE_START_EVENT ? YTREE_SEQ : YTREE_MAP, &ev->start_mark);
        if (!node)
            return err_set(err, IA_ERR_NOMEM, "%s: out of memory", st->name);
        if (attach(st, node, err) != 0)
            return -1;
        st->stack[st->depth++] = node;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (st->depth == 0)
            return err_set_at(err, st->name, line, col, "YAML syntax error: unbalanced collection");
        node = st->stack[--st->depth];
        if (node->kind == YTREE_MAP)
            return map_check_duplicates(st, node, err);
        return 0;
    }
    return 0;
}

int ytree_parse(const char *name, const char *text, size_t len, ytree_doc **out, ia_err *err)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    parse_state st;
    int parser_ok = 0, done = 0, rc = -1;

    *out = NULL;
    memset(&st, 0, sizeof(st));
    st.name = name;
    st.text = text;
    st.len = len;
    if (len > YTREE_MAX_BYTES)
        return err_set_at(err, name, 0, 0, "file too large (limit %zu bytes)", YTREE_MAX_BYTES);
    st.doc = calloc(1, sizeof(*st.doc));
    if (!st.doc)
        return err_set(err, IA_ERR_NOMEM, "%s: out of memory", name);
    if (!yaml_parser_initialize(&parser)) {
        err_set(err, IA_ERR_NOMEM, "%s: out of memory", name);
        goto out;
    }
    parser_ok = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done) {
        int hrc;

        if (!yaml_parser_parse(&parser, &ev)) {
            parser_error(&st, &parser, err);
            goto out;
        }
        hrc = handle_event(&st, &ev, &done, err);
        yaml_event_delete(&ev);
        if (hrc != 0)
            goto out;
    }
    *out = st.doc;
    st.doc = NULL;
    rc = 0;
out:
    if (parser_ok)
        yaml_parser_delete(&parser);
    ytree_free(st.doc);
    return rc;
}

void ytree_free(ytree_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_all; i++) {
        free(doc->all[i]->text);
        free(doc->all[i]->items);
        free(doc->all[i]);
    }
    free(doc->all);
    free(doc);
}

size_t ytree_node_count(const ytree_doc *doc)
{
    return doc ? doc->n_all : 0;
}

const ytree_node *ytree_root(const ytree_doc *doc)
{
    return doc ? doc->root : NULL;
}

const ytree_node *ytree_get(const ytree_node *map, const char *key)
{
    if (!map || map->kind != YTREE_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        if (strcmp(map->items[i]->text, key) == 0)
            return map->items[i + 1];
    }
    return NULL;
}

bool ytree_is_str(const ytree_node *node)
{
    return node && node->kind == YTREE_SCALAR && node->type == YTREE_STR;
}

const char *ytree_describe(const ytree_node *node)
{
    if (!node)
        return "nothing";
    if (node->kind == YTREE_SEQ)
        return "a list";
    if (node->kind == YTREE_MAP)
        return "a mapping";
    switch (node->type) {
    case YTREE_STR: return "a string";
    case YTREE_NULL: return "null";
    case YTREE_BOOL: return "a boolean";
    case YTREE_NUM: return "a number";
    }
    return "a value";
}
