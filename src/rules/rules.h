#ifndef IMGAUDIT_RULES_RULES_H
#define IMGAUDIT_RULES_RULES_H

/*
 * Rule sets: YAML rule files read, checked and compiled once (paths split
 * into segments, regular expressions compiled, variables resolved, ops and
 * durations turned into values), then run over any number of resources.
 * The file format is documented in docs/rules.md.
 *
 * Problems in the input are collected, not stopped at: loading reports every
 * problem in every file as "file:line:column: what is wrong" in a
 * rules_diags list, so `imgaudit rules lint` shows them all at once.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules/clock.h"
#include "rules/results.h"
#include "util/err.h"

struct buf;

/* The most rule/vars files a directory may hold, the most problems kept in one rules_diags, and the most of
 * them that may be warnings (so that errors always have room). */
#define RULES_MAX_FILES    4096
#define RULES_DIAGS_MAX    500
#define RULES_WARNINGS_MAX 100

/*
 * How bad a problem is. An error stops the load; a warning does not. A
 * strict warning is an error for `rules lint` and a warning elsewhere: a
 * mistake that loads but makes a rule silently wrong (an account id that YAML
 * reads as a number).
 */
typedef enum rules_diag_level {
    RULES_DIAG_ERROR = 0,
    RULES_DIAG_WARNING,
    RULES_DIAG_STRICT
} rules_diag_level;

/* One problem in an input file. line and column are 0 when the problem has no position (file unreadable). */
typedef struct rules_diag {
    char *file; /* owned */
    unsigned line, column;
    char *msg; /* owned */
    rules_diag_level level;
} rules_diag;

/* Problems found while loading, in the order they were found. */
typedef struct rules_diags {
    rules_diag *items;
    size_t n, cap;
    size_t dropped;                          /* errors past RULES_DIAGS_MAX, counted but not kept */
    size_t n_warnings;                       /* warnings kept, at most RULES_WARNINGS_MAX */
    size_t dropped_warnings, dropped_strict; /* warnings (RULES_DIAG_WARNING, RULES_DIAG_STRICT) not kept */
} rules_diags;

/* Starts an empty list. */
void rules_diags_init(rules_diags *diags);

/* Frees every entry; the list can be used again after rules_diags_init. Accepts NULL. */
void rules_diags_free(rules_diags *diags);

/* Adds the problem held in err (its file, line, column and message). Returns 0, or -1 when out of memory. */
int rules_diags_add(rules_diags *diags, const ia_err *err);

/* The same at another level than RULES_DIAG_ERROR. */
int rules_diags_add_level(rules_diags *diags, const ia_err *err, rules_diag_level level);

/*
 * Counts the errors and the warnings (strict: RULES_DIAG_STRICT counts as an
 * error), those dropped past the bounds included.
 */
void rules_diags_count(const rules_diags *diags, bool strict, size_t *errors, size_t *warnings);

/* How many problems were dropped past the bounds (errors, warnings and strict warnings). */
size_t rules_diags_dropped(const rules_diags *diags);

/*
 * Orders the problems from index from on by file (in the order of files[],
 * then files not in it in the order they first appear), then line and
 * column. The loaders call it, so problems read top to bottom.
 */
void rules_diags_sort(rules_diags *diags, size_t from, const char *const *files, size_t n_files);

/* Sets err to the first error from index from on (as IA_ERR_INPUT with its position), unless err is out of
 * memory. Warnings are passed over. */
void rules_diags_first(const rules_diags *diags, size_t from, ia_err *err);

/* "file:line:column: msg" (or "file: msg" without a position) into out. */
void rules_diag_format(const rules_diag *diag, char *out, size_t size);

/*
 * Prints each problem on its own line, then a count of dropped ones: an error
 * as "<error_prefix>file:line:column: msg", a warning as
 * "<warning_prefix>file:line:column: msg", or, when warning_prefix is NULL, as
 * "<error_prefix>file:line:column: warning: msg". strict: RULES_DIAG_STRICT is
 * printed as an error.
 */
void rules_diags_print(const rules_diags *diags, FILE *fp, const char *error_prefix,
                       const char *warning_prefix, bool strict);

/* A rule or vars file held in memory. name is what positions name. */
typedef struct rules_source {
    const char *name;
    const char *text;
    size_t len;
} rules_source;

typedef struct rules_set rules_set;

/*
 * Loads and compiles rules. paths are rule files or directories (a directory
 * contributes every *.yaml and *.yml in it, in name order); var_paths are
 * --vars files, holding only `vars:`. Variables are merged in load order,
 * rule files first and then var files, a later definition replacing an
 * earlier one. On success returns 0 and *out is an owned set (free with
 * rules_set_free). Otherwise returns -1, *out is NULL, every problem found is
 * in diags (which the caller initialised and frees) and err holds the first
 * one (IA_ERR_INPUT) or the failure that stopped loading (IA_ERR_NOMEM).
 */
int rules_load(const char *const *paths, size_t n_paths, const char *const *var_paths, size_t n_var_paths,
               rules_set **out, rules_diags *diags, ia_err *err);

/*
 * The same as rules_load, except that on a problem (-1) *out is still the
 * rules that could be read, some of them incomplete (an id may be NULL), or
 * NULL after running out of memory. Such a set serves only to name its rules
 * (`rules lint` checks the waivers against it); it must never be evaluated.
 */
int rules_load_partial(const char *const *paths, size_t n_paths, const char *const *var_paths,
                       size_t n_var_paths, rules_set **out, rules_diags *diags, ia_err *err);

/* The same as rules_load over files already in memory (the texts are copied). */
int rules_load_sources(const rules_source *rule_srcs, size_t n_rule_srcs, const rules_source *var_srcs,
                       size_t n_var_srcs, rules_set **out, rules_diags *diags, ia_err *err);

/* Frees a set. Accepts NULL. Anything borrowed from the set (rule_info strings) dies with it. */
void rules_set_free(rules_set *set);

/* Number of rules, in load order (files in the order given, rules in file order). */
size_t rules_set_count(const rules_set *set);

/* Number of files the rules and variables came from. */
size_t rules_set_file_count(const rules_set *set);

/* A rule's description, borrowed from the set. i < rules_set_count. */
const rule_info *rules_set_info(const rules_set *set, size_t i);

/*
 * The variable naming every account that images may be shared with and come
 * from (trusted_accounts, plus the Organization's members when
 * trust_organization is true): what reports mark as trusted.
 */
#define RULES_VAR_TRUSTED_SHARING "trusted_sharing_accounts"

/*
 * The strings of list variable name as the rules see it (a derived
 * variable worked out), sorted bytewise, each once, borrowed from the set
 * (valid until it is freed or given other accounts by
 * rules_set_org_accounts). Returns 0 and sets *items, *n; -1 when the
 * variable is undefined or is not a list of strings.
 */
int rules_set_var_strings(const rules_set *set, const char *name, const char *const **items, size_t *n);

/*
 * Gives the rules the members of the snapshot's Organization(s): the
 * built-in variable organization_accounts (an empty list until then, as for
 * `rules lint`, `list` and `test`) becomes ids[0..n) (any order, copied),
 * and every rule is compiled again with it, so the variables derived from it
 * (trusted_sharing_accounts) follow. Called once the snapshot is read,
 * before rules_evaluate; calling it again replaces the list, and ends the
 * life of what rules_set_var_strings gave before (results' trusted list
 * included). Returns 0, or -1 when out of memory (IA_ERR_NOMEM in err; the
 * set is unchanged).
 */
int rules_set_org_accounts(rules_set *set, const char *const *ids, size_t n, ia_err *err);

/*
 * The variables rule i's `when` names ({var: NAME}), each once, in the order
 * written: the first max of them into out (borrowed from the set). Returns
 * how many it names, which is more than max when out could not hold them all,
 * or -1 when out of memory.
 */
long rules_rule_vars(const rules_set *set, size_t i, const char **out, size_t max);

/* Which rules run; every field empty or false: all of them. */
typedef struct rules_selection {
    const char *const *only; /* ids or globs (fnmatch) of the rules to run; none: every rule */
    size_t n_only;
    const char *const *exclude; /* ids or globs of rules left out */
    size_t n_exclude;
    bool has_min_severity;
    severity min_severity; /* with has_min_severity: rules at least this severe */
} rules_selection;

/*
 * Keeps only the rules sel chooses (in their order), freeing the others, so
 * that evaluation, the reports and the gate see only those. Every id or glob
 * in only and exclude must match some rule of the set: otherwise returns -1
 * with IA_ERR_USAGE in err naming it and the closest id, and the set is
 * unchanged. Returns 0 (even when no rule is left), or -1 (IA_ERR_NOMEM).
 */
int rules_set_select(rules_set *set, const rules_selection *sel, ia_err *err);

/*
 * Whether set names every rule its files hold: always for a set loaded
 * without a problem; for one from rules_load_partial, false when a rule file
 * could not be read or parsed whole, or a rule has no valid id.
 */
bool rules_set_ids_complete(const rules_set *set);

/* Index of the rule with this id, or -1. */
long rules_set_find(const rules_set *set, const char *id);

/*
 * True when rule i FAILS for res (its `when` condition holds). res->type is
 * not checked: the caller picks resources of the rule's type. Never fails:
 * a value of the wrong type is simply not equal.
 */
bool rules_rule_fails(const rules_set *set, size_t i, const snap_resource *res, const rules_clock *clock);

/*
 * Rule i's message filled in for res: {path} from the resource's data (list
 * values joined with ", ", a missing value as "(none)"), {account} and
 * {region} from where it was collected, {matched} the values that made the
 * rule's `when` hold (judged at clock). Owned: free(). NULL when out of memory.
 */
char *rules_rule_message(const rules_set *set, size_t i, const snap_resource *res, const rules_clock *clock);

/*
 * rules_rule_message for a rule that fails res (rules_rule_fails said so:
 * its condition is not judged again for {matched}), written into out
 * instead of a string of its own: out (from buf_init; its ceiling becomes a
 * message's) is emptied first and keeps its memory for the next message, so
 * that a caller filling millions of them does not allocate for each. The message is cut where
 * rules_rule_message cuts it. Returns the text, borrowed from out: valid
 * until out changes.
 */
const char *rules_failure_message(const rules_set *set, size_t i, const snap_resource *res,
                                  const rules_clock *clock, struct buf *out);

/*
 * The memory rules_failure_fix_input writes in, kept from one call to the
 * next so that a run of millions of failures allocates next to nothing.
 * rules_fix_room_new returns NULL when out of memory; rules_fix_room_free
 * accepts NULL.
 */
typedef struct rules_fix_room rules_fix_room;
rules_fix_room *rules_fix_room_new(void);
void rules_fix_room_free(rules_fix_room *room);

/* The fix actions a rule may declare (its `fix: {action: ...}`), and the default of name_template. */
#define RULES_FIX_UNSHARE_WORKSPACES "unshare-workspaces-image"
#define RULES_FIX_UNSHARE_APPSTREAM  "unshare-appstream-image"
#define RULES_FIX_UPDATE_WORKSPACES  "create-updated-workspaces-image"
#define RULES_FIX_NAME_TEMPLATE      "{Name}-upd-{date}"

/*
 * What fixing rule i's failure on res needs (rule i declares a fix, and
 * fails res: rules_rule_fails said so, and its condition is not judged
 * again): a compact JSON object, written into room and borrowed from it
 * (valid until the next call), NULL when out of memory. For the unshare
 * actions {"action", "accounts", "targets": [account ids]}: every account
 * the image's Permissions name (accounts: all), or those that made the
 * rule's `when` hold, judged at clock (untrusted: the rule's own trust). For
 * create-updated-workspaces-image {"action", "name_template", "platform":
 * OperatingSystem.Type, "updates_description": Updates.Description}, each
 * null when the data has none. Byte for byte what cJSON_PrintUnformatted
 * prints of that object.
 */
const char *rules_failure_fix_input(const rules_set *set, size_t i, const snap_resource *res,
                                    const rules_clock *clock, rules_fix_room *room);

/* What `rules test` found. */
typedef struct rules_test_summary {
    size_t rules;    /* rules in the set */
    size_t tested;   /* rules with at least one example that must fail and one that must pass */
    size_t untested; /* rules missing either */
    size_t examples; /* examples run */
    size_t failed;   /* examples whose outcome was not the expected one */
} rules_test_summary;

/*
 * Runs every rule's examples (its `tests:` block): each `fail` example must
 * make the rule fail and each `pass` example must not. Writes one line per
 * wrong outcome and per untested rule to report (NULL: silent), naming the
 * example's file:line:column. Fills sum. Returns 0 (the outcome is in sum).
 */
int rules_run_tests(const rules_set *set, const rules_clock *clock, FILE *report, rules_test_summary *sum);

/*
 * Where the built-in rule pack is: $IMGAUDIT_RULES_DIR when set, else
 * <directory of the running program>/../rules (the repository layout), else
 * the install data directory taken relative to the program
 * (../share/imgaudit/rules for the default layout), else the one the build
 * was configured for (IMGAUDIT_DATADIR/rules, set by CMake from
 * CMAKE_INSTALL_PREFIX and GNUInstallDirs). Writes the first that exists
 * into out. Returns -1 (IA_ERR_INPUT) when none does.
 */
int rules_pack_dir(char *out, size_t size, ia_err *err);

#endif
