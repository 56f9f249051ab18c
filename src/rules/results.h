#ifndef IMGAUDIT_RULES_RESULTS_H
#define IMGAUDIT_RULES_RESULTS_H

/*
 * The results model: what evaluation produces and every report writer reads
 * (JSON, JUnit, HTML, console). Writers only read it; none re-evaluates rules.
 *
 * It is compact on purpose: a passing result carries no message, and the
 * strings a result points at (rule, resource, waiver) are borrowed from the
 * tables in the same `results`, so 20 rules over 1,000,000 resources stay
 * within memory proportional to the snapshot.
 */

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rules/severity.h"
#include "snapshot/snapshot.h"

typedef enum result_status { RESULT_PASS = 0, RESULT_FAIL, RESULT_WAIVED } result_status;

/* Where a failure stands against the --baseline run. */
typedef enum result_change { CHANGE_NONE = 0, CHANGE_NEW, CHANGE_EXISTING } result_change;

typedef enum waiver_state { WAIVER_APPLIED = 0, WAIVER_EXPIRED, WAIVER_UNUSED } waiver_state;

typedef struct rule_info {
    const char *id;
    const char *title;
    const char *description;   /* may be NULL */
    const char *remediation;   /* may be NULL */
    const char *resource_type; /* a restype's name (snapshot/restype.h) */
    severity sev;
    const char *file; /* rule file it was loaded from */
} rule_info;

typedef struct waiver_info {
    const char *rule;     /* id or glob */
    const char *resource; /* id or glob, or NULL */
    const char *account;  /* or NULL */
    const char *region;   /* or NULL */
    const char *reason;
    const char *owner;   /* or NULL */
    const char *expires; /* YYYY-MM-DD */
    const char *file;
    unsigned line;
    waiver_state state;
    size_t matched; /* results it waived */
    /* Its rule glob names a rule of this run (one left out by --rule, --exclude-rule or --severity had
     * nothing to match); set by rules_evaluate for the waivers that have not expired. */
    int rule_ran;
} waiver_info;

typedef struct result {
    uint32_t rule;     /* index into results.rules */
    uint32_t resource; /* index into results.resources */
    int32_t waiver;    /* index into results.waivers, or -1 */
    result_status status;
    result_change change;
    char *message;    /* owned; filled template for FAIL and WAIVED, NULL for PASS */
    char *first_seen; /* owned; ISO-8601, for failures when a baseline was given, else NULL */
} result;

/* A failure in the baseline that is gone now. */
typedef struct resolved_failure {
    char *rule, *resource_type, *resource_id, *account, *region, *message, *first_seen; /* owned */
} resolved_failure;

typedef struct results {
    rule_info *rules;
    size_t n_rules;
    snap_resource *resources;
    size_t n_resources;
    waiver_info *waivers;
    size_t n_waivers;
    result *items; /* grouped by rule (in rule order), then resources in snapshot order */
    size_t n_items;
    resolved_failure *resolved;
    size_t n_resolved;
    const cJSON *snapshot; /* the whole snapshot, borrowed: run metadata, accounts, regions, errors */
    const cJSON *errors;   /* snapshot's "errors" array, borrowed */
    /* The Organization's members (snapshot_doc's, borrowed), sorted by id; has_organization as there. */
    const snap_org_account *org_accounts;
    size_t n_org_accounts;
    int has_organization;
    /* The accounts the sharing rules trust (variable RULES_VAR_TRUSTED_SHARING, resolved), sorted
     * bytewise, borrowed from the rule set; trust_known is 0 when the rules define no such list. */
    const char *const *trusted;
    size_t n_trusted;
    int trust_known;
    char evaluated_at[32]; /* ISO-8601 UTC */
    int has_baseline;
} results;

/* "pass", "fail", "waived". Static strings. */
const char *result_status_name(result_status s);

/* "applied", "expired", "unused". Static strings. */
const char *waiver_state_name(waiver_state s);

/*
 * Frees what the results own: the items (with their message and
 * first_seen), the rules, resources, waivers and resolved arrays and the
 * resolved failures' strings. Strings that rule_info, snap_resource and
 * waiver_info point at are borrowed (from the rule set, the snapshot and the
 * waivers) and are not touched. Zeroes *r, which may then be reused; the
 * struct itself is the caller's. Accepts NULL.
 */
void results_free(results *r);

/* Counts of results, overall and per severity (indexed by severity), by status. */
typedef struct results_summary {
    size_t total;
    size_t by_status[3];              /* indexed by result_status */
    size_t by_severity[SEV_COUNT][3]; /* [severity][result_status] */
    size_t waivers_expired;
    size_t waivers_unused;
} results_summary;

/* Fills sum from r. */
void results_summarize(const results *r, results_summary *sum);

#endif
