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
    /* RV_LIST: the strings as a hash set (str_hash), each slot an index into items plus one (0: free);
     * n_slots, a power of two, is at least twice n_str, or 0 when there are none. Owned. */
    uint32_t *slots;
    size_t n_slots;
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
    const char *key; /* a leaf's key as written, borrowed: what {matched:KEY} names */
    rpath path;
    rop op;
    rval val;
    const ytree_node *val_node; /* borrowed: the value as written ({var: NAME} or a constant), or NULL */
    regex_t re;
    bool has_re;
    int64_t dur_s; /* older-than/newer-than */
} rcond;

/* A message template: literal text, paths and {matched}, in the order parsed. */
typedef struct rtmpl_part {
    char *lit; /* owned, or NULL for a placeholder */
    rpath path;
    bool matched;      /* {matched} or {matched:KEY}: the values that made `when` hold */
    char *matched_key; /* owned: KEY, or NULL for every leaf */
} rtmpl_part;

typedef struct rtmpl {
    rtmpl_part *parts; /* owned */
    size_t n;
} rtmpl;

/* One example resource from a rule's tests: block. */
typedef struct rexample {
    cJSON *data;      /* owned */
    char *account;    /* owned; "" when the example names none */
    char *region;     /* owned; "" when the example names none */
    const char *name; /* borrowed: the example's `name`, or NULL */
    bool must_fail;   /* from fail: rather than pass: */
    unsigned line, column;
    const ytree_node *vars; /* borrowed: the example's own vars, or NULL */
    struct rcond *when;     /* owned: `when` compiled with the example's vars, or NULL (the rule's) */
} rexample;

typedef struct rrule {
    rule_info info;              /* strings borrowed from the YAML documents, file from the set's file list */
    rcond *when;                 /* owned */
    const ytree_node *when_node; /* borrowed: compiled again when the Organization is known */
    const ytree_node *tests_node; /* borrowed: the `tests:` block as written, or NULL */
    rcond *test_when; /* owned: `when` compiled with the tests' vars, or NULL (the same as when) */
    rtmpl msg;
    rexample *examples; /* owned */
    size_t n_examples;
    unsigned line, column;
} rrule;

/* A variable's definition as written; several may share a name (the last one wins). */
typedef struct rvar {
    const char *name;        /* borrowed from a document */
    const ytree_node *value; /* borrowed */
    const char *file;
    const ytree_node *key; /* borrowed: where the name is written; NULL for a rule's tests' vars */
} rvar;

/* The built-in variable holding the snapshot's Organization's members. */
#define RULES_VAR_ORGANIZATION "organization_accounts"

/* How deep variables may be derived from one another. */
#define RULES_VARS_MAX_DEPTH 64

/* A variable as the rules see it: the definition that won, and its value once worked out. */
typedef struct rvdef {
    const char *name;
    const ytree_node *def; /* as written (borrowed), or the environment's list for organization_accounts */
    const char *file;      /* where def is; NULL for organization_accounts from the snapshot */
    size_t order;
    const ytree_node *value; /* a scalar or a list of scalars (maybe the environment's); NULL when bad */
    int state;
    const char **strs; /* a list of strings only: its strings sorted bytewise, each once (environment's) */
    size_t n_strs;
    bool strs_ok;
} rvdef;

/* The variables one compilation sees: one definition per name, sorted by name, values worked out. */
typedef struct rvenv {
    rvdef *defs; /* owned */
    size_t n;
    struct rvmem *mem; /* owned: lists made while working values out */
    rvdef **stack;     /* owned: the definitions being worked out, to name a cycle */
    size_t depth;
    const char *context; /* said after each problem (e.g. which rule's tests), or NULL */
} rvenv;

/* Values in all rule and variable files of one run together: each file alone may hold YTREE_MAX_NODES. */
#define RULES_MAX_TOTAL_NODES 1000000

struct rules_set {
    rrule *rules;
    size_t n_rules;
    ytree_doc **docs; /* owned; kept alive because compiled rules borrow their strings */
    size_t n_docs;
    size_t n_nodes; /* in all of docs, bounded by RULES_MAX_TOTAL_NODES */
    char **files;   /* owned names of the files read */
    size_t n_files;
    rvar *vars; /* owned array: every definition, in load order */
    size_t n_vars;
    rvenv env;        /* the variables the rules were compiled with */
    bool vars_bad;    /* some variable could not be worked out: the tests' vars are not tried */
    bool ids_missing; /* a rule file was not read whole, or a rule has no valid id (rules_load_partial) */
    char **org;       /* owned: the Organization's account ids given by rules_set_org_accounts, sorted */
    size_t n_org;
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

/* Records a warning (level RULES_DIAG_WARNING or RULES_DIAG_STRICT) at a node of file: the load goes on. */
void rules_warn(rules_ctx *ctx, rules_diag_level level, const char *file, const ytree_node *at,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Records a problem already held in an ia_err (a YAML syntax error); out of memory stops the load. */
void rules_add_err(rules_ctx *ctx, const ia_err *e);

/* Records a problem with a whole file (unreadable, too large), named by path without a position. */
void rules_file_problem(rules_ctx *ctx, const char *path, const char *msg);

/* Records running out of memory; stops the load. Always returns -1. */
int rules_nomem(rules_ctx *ctx);

/*
 * Compiles one rule's mapping into r (whose info.file is set) with the set's
 * variables (set->env); its tests' vars, when it has some, with those laid
 * over them. Problems go to ctx. Returns 0 or -1.
 */
int rules_compile_rule(rules_ctx *ctx, const rules_set *set, const ytree_node *node, rrule *r);

/* Compiles r's `when` again with env into *out (owned, free with rules_cond_free). Returns 0 or -1. */
int rules_recompile_when(rules_ctx *ctx, const rvenv *env, const rrule *r, rcond **out);

/* Frees a compiled condition. Accepts NULL. */
void rules_cond_free(rcond *c);

/*
 * Checks the form of the definition key: val where it is written (name,
 * value, and the union/if/var forms); in_tests allows organization_accounts
 * (a rule's tests: vars). Problems go to ctx. Returns 0 or -1.
 */
int rules_var_form(rules_ctx *ctx, const char *file, const ytree_node *key, const ytree_node *val,
                   bool in_tests);

/*
 * Builds env from the definitions vars[0..n) (a later one of a name replacing
 * an earlier one) and organization_accounts = org[0..n_org) (borrowed: they
 * must outlive env and what is compiled with it), then works out every
 * value. Problems go to ctx, each followed by context when not NULL. Returns
 * 0, or -1 when there were problems (env must still be freed).
 */
int rules_env_build(rules_ctx *ctx, rvenv *env, const rvar *vars, size_t n_vars, const char *const *org,
                    size_t n_org, const char *context);

/* Frees what env owns. Accepts NULL. */
void rules_env_free(rvenv *env);

/* The definition of name, or NULL. */
const rvdef *rules_env_find(const rvenv *env, const char *name);

/*
 * Warns about what loads but is likely wrong (src/rules/lint.c): a variable
 * that no rule or variable reads, and an account id written as a number in
 * what holds account ids (RULES_DIAG_STRICT). Works on the files as written:
 * called whether the rules compiled or not.
 */
void rules_lint_set(rules_ctx *ctx, const rules_set *set);

/* The NAME node of a `{var: NAME}` mapping, or NULL when node is not one (or is NULL). */
const ytree_node *rules_var_ref(const ytree_node *node);

/* Frees what a compiled rule owns (not r itself). */
void rules_rule_clean(rrule *r);

/*
 * Whether the id or glob pattern matches a rule of the set (rules without an
 * id, as lint's partial sets hold, are skipped). When it does not and is no
 * glob, *closest is the nearest id (borrowed from the set), else NULL.
 */
bool rules_set_matches(const rules_set *set, const char *pattern, const char **closest);

/* An op's name as rules write it ("not-in"). Static. */
const char *rules_op_name(rop op);

/*
 * What leaf's key yields for res, for explaining an outcome: *out is owned
 * (cJSON_Delete), a list of the walked values for a key that walks, else the
 * value; NULL when the key yields nothing. Returns 0, or -1 when out of
 * memory.
 */
int rules_leaf_found(const rcond *leaf, const snap_resource *res, cJSON **out);

/*
 * Why c holds or not for res, in one line (owned: free(); NULL when out of
 * memory): the leaf that decided it, numbered in the order written, with the
 * value found and the value wanted and their types: "condition 2
 * (Permissions[].SharedAccountId not-in {var: trusted}) was false: found
 * [\"111111111111\"] (list of string), wanted not in [\"111111111111\"] (list of
 * string)". The deciding leaf: for `and`, the first branch that does not hold
 * (or the last, when all do); for `or`, the first that holds (or the first,
 * when none does); `not` looks through to its condition.
 */
char *rules_cond_explain(const rcond *c, const snap_resource *res, const rules_clock *clock);

/* Evaluates a compiled condition. */
bool rules_cond_eval(const rcond *c, const snap_resource *res, const rules_clock *clock);

/*
 * Fills a template for res into a new string (owned), NULL when out of
 * memory. when (the condition that held) and clock serve {matched}.
 */
char *rules_tmpl_render(const rtmpl *t, const rcond *when, const snap_resource *res,
                        const rules_clock *clock);

/* Converts a YAML node into JSON (owned), typed as YAML typed it. NULL when out of memory. */
cJSON *rules_ytree_to_json(const ytree_node *node);

#endif
