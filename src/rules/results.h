#ifndef IMGAUDIT_RULES_RESULTS_H
#define IMGAUDIT_RULES_RESULTS_H

/*
 * The results model: what evaluation produces and every report writer reads
 * (JSON, JUnit, HTML, console). Writers only read it; none re-evaluates rules.
 *
 * It is compact on purpose: a result is 32 bytes (the indices of its
 * rule, resource and waiver, its status), a passing one carries no
 * message, and the strings a result points at are borrowed from the tables
 * in the same `results`. A
 * resource is kept as its type, id, name, account and region, copied into
 * storage the results own (accounts, regions and types once each), not as
 * the JSON it was read from: evaluation reads the snapshot one resource at
 * a time (snapshot/read.h snapshot_doc_each) and frees each once judged,
 * keeping of its data only what a report shows besides the results, the
 * sharing facts of an image (image_facts), and what a failure's fix needs
 * (result_fix). The built-in pack's 12 rules over 1,000,000 resources (6
 * million results, 2 million failing) take about 680 MB, most of it the
 * failures' messages, some 50 MB the fix inputs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rules/severity.h"
#include "snapshot/snapshot.h"

typedef enum result_status { RESULT_PASS = 0, RESULT_FAIL, RESULT_WAIVED } result_status;

/* Where a failure stands against the --baseline run. */
typedef enum result_change { CHANGE_NONE = 0, CHANGE_NEW, CHANGE_EXISTING } result_change;

typedef enum waiver_state { WAIVER_APPLIED = 0, WAIVER_EXPIRED, WAIVER_UNUSED } waiver_state;

/*
 * The fix a rule declares (docs/rules.md, "Fixes"): what `imgaudit fix plan`
 * proposes for its failures. action is NULL when the rule declares none.
 * Strings are borrowed as the rule's others are.
 */
typedef struct rule_fix {
    const char *action;        /* RULES_FIX_UNSHARE_WORKSPACES, ... (rules/rules.h) */
    const char *accounts;      /* the unshare actions: "all" or "untrusted"; else NULL */
    const char *name_template; /* create-updated-workspaces-image: the new image's name; else NULL */
} rule_fix;

typedef struct rule_info {
    const char *id;
    const char *title;
    const char *description;   /* may be NULL */
    const char *remediation;   /* may be NULL */
    const char *resource_type; /* a restype's name (snapshot/restype.h) */
    severity sev;
    const char *file; /* rule file it was loaded from */
    rule_fix fix;
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
    /* A byte each (a million resources make millions of results): 32 bytes a result in all. */
    result_status status : 8;
    result_change change : 8;
    char *message;    /* owned; filled template for FAIL and WAIVED, NULL for PASS */
    char *first_seen; /* owned; ISO-8601, for failures when a baseline was given, else NULL */
} result;

/* A failure in the baseline that is gone now. */
typedef struct resolved_failure {
    char *rule, *resource_type, *resource_id, *account, *region, *message, *first_seen; /* owned */
} resolved_failure;

/* A share an image's owner grants: an entry of its "Permissions" that names an account. */
typedef struct image_grant {
    const char *account; /* snap_permission_account; borrowed from the results' storage */
    bool options;        /* it has imagePermissions (AppStream): the two allow flags say what it lets do */
    bool allow_fleet, allow_image_builder;
} image_grant;

/*
 * What the record of an image (workspaces_image, appstream_image) says of
 * its sharing, read from its data while it is evaluated: the data does not
 * outlive evaluation (report/sharing.h works the shares out of these).
 */
typedef struct image_facts {
    uint32_t resource; /* index into results.resources */
    /* The owning account: OwnerAccountId, else the account field of the Arn (AppStream), if shorter
     * than RESULTS_ACCOUNT_MAX; "" when neither names one. Borrowed from the results' storage. */
    const char *owner;
    bool byol; /* RequiredTenancy DEDICATED: a Bring Your Own License image */
    /* Another account's image, seen from one it is shared with: ImageType SHARED (WorkSpaces, the
     * collector's listing) or Visibility SHARED (AppStream). */
    bool shared_in;
    uint32_t first_grant; /* its grants: results.grants[first_grant, first_grant + n_grants) */
    uint32_t n_grants;
} image_facts;

/*
 * What a failure of a rule with a fix says the fix needs, worked out from the
 * resource's data while it was evaluated (the data does not outlive it): one
 * JSON object in compact text, which the results document carries as the
 * failure's "fix" (docs/rules.md).
 */
typedef struct result_fix {
    uint32_t rule, resource; /* the failure's: results.items has one result per (rule, resource) */
    const char *input;       /* in the results' storage, once however many failures need the same */
} result_fix;

/* Room for an owner's account id read from an ARN; a longer one is not believed (the owner is unknown). */
#define RESULTS_ACCOUNT_MAX 64

typedef struct results {
    rule_info *rules;
    size_t n_rules;
    /* In snapshot order. Strings borrowed from the results' storage (or from whoever filled the table);
     * data is NULL once evaluated: what reports need of it is in images. */
    snap_resource *resources;
    size_t n_resources;
    image_facts *images; /* the images among resources, in snapshot order (results_add_resource) */
    size_t n_images;
    image_grant *grants; /* what images' first_grant and n_grants point into */
    size_t n_grants;
    struct results_store *store; /* owned: the strings resources, images and grants borrow */
    waiver_info *waivers;
    size_t n_waivers;
    result *items; /* grouped by rule (in rule order), then resources in snapshot order */
    size_t n_items;
    result_fix *fixes; /* the failures' fix inputs, sorted by rule then resource */
    size_t n_fixes;
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
 * Appends to r->resources a copy of res that outlives it: type, id, name,
 * account and region copied into r's storage (type, account and region
 * once each however many resources name them), data NULL. For an image
 * (workspaces_image, appstream_image), also appends its image_facts, read
 * from res->data. This is how evaluation keeps what it reads, and how a
 * test builds results by hand. Returns 0, or -1 when out of memory (r is
 * then as it was, and results_free frees it).
 */
int results_add_resource(results *r, const snap_resource *res);

/*
 * Frees what the results own: the items (with their message and
 * first_seen), the rules, resources, images, grants, waivers and resolved
 * arrays, the storage of the resources' strings, and the resolved failures'
 * strings. Strings that rule_info and waiver_info point at are borrowed
 * (from the rule set and the waivers) and are not touched. Zeroes *r,
 * which may then be reused; the struct itself is the caller's. Accepts
 * NULL.
 */
void results_free(results *r);

/*
 * The fix input of it (borrowed from r: compact JSON text), or NULL when it
 * is no failure or its rule declares no fix.
 */
const char *results_fix_input(const results *r, const result *it);

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
