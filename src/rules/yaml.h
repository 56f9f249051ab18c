#ifndef IMGAUDIT_RULES_YAML_H
#define IMGAUDIT_RULES_YAML_H

/*
 * YAML text to a small tree that keeps every node's position, so that the
 * rule compiler can say "file:line:column: what is wrong" about any node.
 *
 * libyaml's event API is read here and nowhere else. Scalars are typed the
 * way YAML 1.2's core schema types them: plain `true`/`false` are booleans,
 * plain numbers are numbers, plain `null`/`~`/nothing is null, and anything
 * quoted is a string. Aliases (`*name`) are refused: rule files have no use
 * for them and expanding them is how small files become huge trees.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Bounds on what a rule, vars or waivers file may hold. */
#define RULES_YAML_MAX_BYTES ((size_t)8 * 1024 * 1024)
#define RULES_YAML_MAX_DEPTH 64

typedef enum rules_ykind { RULES_Y_SCALAR = 0, RULES_Y_SEQ, RULES_Y_MAP } rules_ykind;

/* The type of a scalar after YAML's resolution rules. */
typedef enum rules_ytype { RULES_YT_STR = 0, RULES_YT_NULL, RULES_YT_BOOL, RULES_YT_NUM } rules_ytype;

typedef struct rules_ynode {
    rules_ykind kind;
    unsigned line, column; /* 1-based position where the node starts */
    /* Scalars */
    char *text; /* owned by the document; NUL-terminated (may hold NULs: see len) */
    size_t len;
    rules_ytype type;
    bool plain; /* written without quotes or block style */
    bool boolean;
    double number;
    /* Sequences: items[0..n). Mappings: items[2i] is a key, items[2i+1] its value. */
    struct rules_ynode **items;
    size_t n;
    size_t cap; /* internal: allocated length of items */
} rules_ynode;

typedef struct rules_ydoc rules_ydoc;

/*
 * Parses one YAML document from text[0..len). name is used in error
 * positions. On success *out is an owned document (free with
 * rules_yaml_free); its root is NULL for an empty file. On a syntax error,
 * returns -1 with err naming name:line:column.
 */
int rules_yaml_parse(const char *name, const char *text, size_t len, rules_ydoc **out, ia_err *err);

/* Frees a document and every node in it. Accepts NULL. */
void rules_yaml_free(rules_ydoc *doc);

/* The document's root node, borrowed (valid while doc lives); NULL when the file was empty. */
const rules_ynode *rules_yaml_root(const rules_ydoc *doc);

/* Number of key/value pairs of a mapping (0 for other kinds). */
size_t rules_yaml_map_size(const rules_ynode *map);

/* In a mapping, the value for a string key, borrowed; NULL if absent or if map is not a mapping. */
const rules_ynode *rules_yaml_get(const rules_ynode *map, const char *key);

/* True for a scalar of the string type (quoted, or plain text that is not null/bool/number). */
bool rules_yaml_is_str(const rules_ynode *node);

/* "a string", "a number", "a boolean", "null", "a list" or "a mapping", for error messages. */
const char *rules_yaml_describe(const rules_ynode *node);

#endif
