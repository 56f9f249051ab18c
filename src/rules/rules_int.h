#ifndef IMGAUDIT_RULES_RULES_INT_H
#define IMGAUDIT_RULES_RULES_INT_H

/*
 * The compiled form of a rule set, shared by the files of src/rules (load,
 * compile, eval, ruletest). Not an interface: nothing outside src/rules
 * includes this.
 */

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rules/rules.h"
#include "util/ytree.h"

typedef enum rop {
    OP_EQ = 0,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IN,
    OP_NOT_IN,
    OP_CONTAINS,
    OP_NOT_CONTAINS,
    OP_REGEX,
    OP_PRESENT,
    OP_ABSENT,
    OP_EMPTY,
    OP_NOT_EMPTY,
    OP_OLDER_THAN,
    OP_NEWER_THAN
} rop;

typedef enum rval_type { RV_NULL = 0, RV_BOOL, RV_NUM, RV_STR, RV_LIST } rval_type;

/* A constant from a rule file; strings are borrowed from the set's YAML documents. */
typedef struct rval {
    rval_type type;
    bool b;
    double num;
    const char *str;
    struct rval *items; /* owned, RV_LIST only: the strings first, sorted bytewise, then the rest */
    size_t n;
    size_t n_str; /* RV_LIST: items[0..n_str) are the strings */
} rval;

typedef enum rpath_root { ROOT_DATA = 0, ROOT_ACCOUNT, ROOT_REGION } rpath_root;

typedef struct rseg {
    char *name; /* owned */
    bool walk;  /* followed by [] */
} rseg;

/* A key split once at load time. */
typedef struct rpath {
    rpath_root root;
    rseg *segs; /* owned */
    size_t n;
    bool walks; /* some segment walks a list */
} rpath;

typedef enum rcond_kind { COND_AND = 0, COND_OR, COND_NOT, COND_LEAF } rcond_kind;

typedef struct rcond {
    rcond_kind kind;
    struct rcond **kids; /* owned; AND/OR: n, NOT: 1 */
    size_t n;
    rpath path;
    rop op;
    rval val;
    regex_t re;
    bool has_re;
    int64_t dur_s; /* older-than/newer-than */
} rcond;

/* A message template: literal text and paths, alternating as parsed. */
typedef struct rtmpl_part {
    char *lit; /* owned, or NULL for a path part */
    rpath path;
} rtmpl_part;

typedef struct rtmpl {
    rtmpl_part *parts; /* owned */
    size_t n;
} rtmpl;

/* One example resource from a rule's tests: block. */
typedef struct rexample {
    cJSON *data;    /* owned */
    char *account;  /* owned; "" when the example names none */
    char *region;   /* owned; "" when the example names none */
    bool must_fail; /* from fail: rather than pass: */
    unsigned line, column;
} rexample;

typedef struct rrule {
    rule_info info; /* strings borrowed from the YAML documents, file from the set's file list */
    rcond *when;    /* owned */
    rtmpl msg;
    rexample *examples; /* owned */
    size_t n_examples;
    unsigned line, column;
} rrule;

/* A variable: the last definition wins. */
typedef struct rvar {
    const char *name;        /* borrowed from a document */
    const ytree_node *value; /* borrowed */
    const char *file;
} rvar;

/* Values in all rule and variable files of one run together: each file alone may hold YTREE_MAX_NODES. */
#define RULES_MAX_TOTAL_NODES 1000000

/* A variable's name and its place in rules_set.vars, for the sorted index. */
struct rvar_key {
    const char *name;
    size_t index;
};

struct rules_set {
    rrule *rules;
    size_t n_rules;
    ytree_doc **docs; /* owned; kept alive because compiled rules borrow their strings */
    size_t n_docs;
    size_t n_nodes; /* in all of docs, bounded by RULES_MAX_TOTAL_NODES */
    char **files;   /* owned names of the files read */
    size_t n_files;
    rvar *vars;
    size_t n_vars;
    struct rvar_key
        *var_order; /* owned; the vars sorted by name, then index (rules_index_vars); may be NULL */
};

/* Loader state shared with the compiler: where problems go. */
typedef struct rules_ctx {
    rules_diags *diags;
    ia_err *err;
    int fatal;  /* out of memory: stop */
    size_t bad; /* problems found */
} rules_ctx;

/* Records a problem at a node of file. Always returns -1. */
int rules_problem(rules_ctx *ctx, const char *file, const ytree_node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a problem already held in an ia_err (a YAML syntax error); out of memory stops the load. */
void rules_add_err(rules_ctx *ctx, const ia_err *e);

/* Records a problem with a whole file (unreadable, too large), named by path without a position. */
void rules_file_problem(rules_ctx *ctx, const char *path, const char *msg);

/* Records running out of memory; stops the load. Always returns -1. */
int rules_nomem(rules_ctx *ctx);

/* Compiles one rule's mapping into r (whose info.file is set). Problems go to ctx. Returns 0 or -1. */
int rules_compile_rule(rules_ctx *ctx, const rules_set *set, const ytree_node *node, rrule *r);

/*
 * Indexes the variables by name, once all are loaded and before rules are
 * compiled, so that each {var: NAME} is found in log time. Without the index
 * (out of memory) lookups scan. Returns 0, or -1 when the index could not be made.
 */
int rules_index_vars(rules_set *set);

/* Frees what a compiled rule owns (not r itself). */
void rules_rule_clean(rrule *r);

/* Evaluates a compiled condition. */
bool rules_cond_eval(const rcond *c, const snap_resource *res, const rules_clock *clock);

/* Fills a template for res into a new string (owned), NULL when out of memory. */
char *rules_tmpl_render(const rtmpl *t, const snap_resource *res);

/* Converts a YAML node into JSON (owned), typed as YAML typed it. NULL when out of memory. */
cJSON *rules_ytree_to_json(const ytree_node *node);

#endif
