#ifndef IMGAUDIT_REPORT_TALLY_H
#define IMGAUDIT_REPORT_TALLY_H

/*
 * Counts over a results model that several report writers show: by severity
 * and status, per rule, per account, and the gate. Computed once in one pass
 * over the results; memory is proportional to rules, resources and accounts,
 * not to results.
 */

#include <stddef.h>
#include <stdint.h>

#include "rules/results.h"
#include "util/err.h"

#define TALLY_N_SEV    SEV_COUNT
#define TALLY_N_STATUS 3 /* RESULT_PASS, RESULT_FAIL, RESULT_WAIVED */

typedef struct tally_account {
    const char *id; /* borrowed from the results or snapshot */
    /* Borrowed: from the snapshot's accounts[], else from its Organization member (r->org_accounts);
     * NULL when neither names it (never ""). */
    const char *name;
    /* The regions it was audited in: the first regions array its entries in the snapshot's accounts[]
     * have, borrowed; NULL when none has one (or it is not listed there). */
    const cJSON *regions;
    size_t resources;
    size_t status[TALLY_N_STATUS];
    size_t fail_by_sev[TALLY_N_SEV];
    size_t errors; /* collection errors naming this account */
} tally_account;

typedef struct tally {
    size_t status[TALLY_N_STATUS];
    size_t by_sev[TALLY_N_SEV][TALLY_N_STATUS];
    size_t n_new, n_existing; /* failures against the baseline */
    size_t *rule_status;      /* owned; n_rules * TALLY_N_STATUS, index rule * TALLY_N_STATUS + status */
    size_t *rule_first;       /* owned; n_rules: index of the rule's first item (n_items when none) */
    size_t n_rules;
    tally_account *accounts; /* owned array, sorted by id */
    size_t n_accounts;
    uint32_t *resource_account; /* owned; n_resources: index into accounts */
} tally;

/*
 * Fills t from r. Accounts are the union of the snapshot's accounts[], the
 * resources' accounts and the collection errors' accounts. On failure (out of
 * memory, or an item pointing past the rule or resource tables) returns -1
 * with err set and t empty. The caller frees t with tally_free.
 */
int tally_compute(const results *r, tally *t, ia_err *err);

/*
 * The tally a writer shows: given when the caller computed it once for
 * several writers (given is then only read), else computed into *own. The
 * caller frees *own with tally_free either way (it stays all zero when given
 * is used). Returns NULL with err set as tally_compute on failure.
 */
const tally *tally_given_or_compute(const results *r, const tally *given, tally *own, ia_err *err);

/* Frees what tally_compute allocated. Accepts NULL and an all-zero tally. */
void tally_free(tally *t);

/* Index of account id in t->accounts, or -1. */
long tally_account_index(const tally *t, const char *id);

/* The CI gate as the command line set it (--fail-on, --fail-on-new). All zero: not gated. */
typedef struct tally_gate {
    int enabled;  /* 0 for --fail-on none */
    severity min; /* --fail-on */
    int new_only; /* --fail-on-new */
} tally_gate;

/*
 * The gate, in one place for every writer and for the exit code: the number
 * of un-waived failures whose rule severity is at or above g->min. With
 * new_only, only failures marked CHANGE_NEW count; without a baseline every
 * failure is new. 0 when the gate is not enabled (or g is NULL).
 */
size_t tally_gate_count(const results *r, const tally_gate *g);

/*
 * What an enabled gate found, as every writer words it, into out (of size
 * bytes): "3 new failures at or above high" with blocking failures (new with
 * --fail-on-new), else "no failures at or above critical".
 */
void tally_gate_describe(const tally_gate *g, size_t blocking, char *out, size_t size);

/*
 * The rules with failures, most severe first, then most failures, then rule
 * order: *order (owned, free()) gets their indexes into r->rules, *n how many.
 * Returns 0, or -1 with err set when memory runs out.
 */
int tally_failing_rules(const results *r, const tally *t, size_t **order, size_t *n, ia_err *err);

/*
 * The first max new failures (CHANGE_NEW) to list, most severe first, then in
 * results order: their indexes into r->items go to out, which has room for
 * max. Returns how many it wrote; t->n_new says how many there are in all.
 */
size_t tally_new_failures(const results *r, size_t *out, size_t max);

/* Snapshot string field helpers, borrowed: obj[key] when it is a string, else NULL. */
const char *tally_json_str(const cJSON *obj, const char *key);

#endif
