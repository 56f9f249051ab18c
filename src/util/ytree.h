#ifndef IMGAUDIT_UTIL_YTREE_H
#define IMGAUDIT_UTIL_YTREE_H

/*
 * YAML text to a small tree that keeps every node's position, so that the
 * readers of rule, vars, waivers and accounts files can say
 * "file:line:column: what is wrong" about any node.
 *
 * libyaml's event API is read here and nowhere else. The prefix is `ytree_`
 * because libyaml already owns `yaml_*` and `YAML_*`. Scalars are typed the
 * way YAML 1.2's core schema types them: plain `true`/`false` are booleans,
 * plain numbers are numbers, plain `null`/`~`/nothing is null, and anything
 * quoted is a string. Aliases (`*name`) are refused: none of these files has
 * a use for them and expanding them is how small files become huge trees.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Bounds on what one YAML input file may hold. */
#define YTREE_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define YTREE_MAX_DEPTH 64
/* Nodes in one document: a tree node costs ~150 bytes, so this bounds a file's tree near 40 MB, whatever
 * its byte size (an 8 MB flow list of one-digit numbers would otherwise make four million nodes). */
#define YTREE_MAX_NODES 250000

typedef enum ytree_kind { YTREE_SCALAR = 0, YTREE_SEQ, YTREE_MAP } ytree_kind;

/* The type of a scalar after YAML's resolution rules. */
typedef enum ytree_type { YTREE_STR = 0, YTREE_NULL, YTREE_BOOL, YTREE_NUM } ytree_type;

typedef struct ytree_node {
    ytree_kind kind;
    unsigned line, column; /* 1-based position where the node starts */
    /* Scalars */
    char *text; /* owned by the document; NUL-terminated (may hold NULs: see len) */
    size_t len;
    ytree_type type;
    bool plain; /* written without quotes or block style */
    bool boolean;
    double number;
    /* Sequences: items[0..n). Mappings: items[2i] is a key, items[2i+1] its value. */
    struct ytree_node **items;
    size_t n;
    size_t cap; /* internal: allocated length of items */
} ytree_node;

typedef struct ytree_doc ytree_doc;

/*
 * Parses one YAML document from text[0..len). name is used in error
 * positions. On success *out is an owned document (free with
 * ytree_free); its root is NULL for an empty file. On a syntax error,
 * returns -1 with err naming name:line:column.
 */
int ytree_parse(const char *name, const char *text, size_t len, ytree_doc **out, ia_err *err);

/* Frees a document and every node in it. Accepts NULL. */
void ytree_free(ytree_doc *doc);

/* How many nodes the document holds (for bounds across several files). */
size_t ytree_node_count(const ytree_doc *doc);

/* The document's root node, borrowed (valid while doc lives); NULL when the file was empty. */
const ytree_node *ytree_root(const ytree_doc *doc);

/* In a mapping, the value for a string key, borrowed; NULL if absent or if map is not a mapping. */
const ytree_node *ytree_get(const ytree_node *map, const char *key);

/* True for a scalar of the string type (quoted, or plain text that is not null/bool/number). */
bool ytree_is_str(const ytree_node *node);

/* "a string", "a number", "a boolean", "null", "a list" or "a mapping", for error messages. */
const char *ytree_describe(const ytree_node *node);

#endif
