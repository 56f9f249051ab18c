#ifndef IMGAUDIT_REPORT_BASELINE_H
#define IMGAUDIT_REPORT_BASELINE_H

/*
 * The nightly diff (--baseline PREVIOUS.json): compares this run's failures
 * with a previous run's JSON results document, so that reports can lead with
 * what changed and a CI gate can count only new failures.
 */

#include <stddef.h>

#include "rules/results.h"
#include "util/err.h"

/*
 * Reads the results document at path (a previous run's `--json` output:
 * `results[]` with rule, resource_type, resource_id, account, region, status,
 * message, first_seen) and marks r against it. A result is matched by rule,
 * resource type, account, region and resource id.
 *
 * - Each current failure becomes CHANGE_EXISTING when the baseline has it as
 *   a failure, with first_seen carried over (the baseline entry's first_seen,
 *   else the baseline run's evaluated_at or run.finished_at, else now), and
 *   CHANGE_NEW otherwise, first seen now (r->evaluated_at). A failure that
 *   was waived or passing in the baseline is new: it did not count then.
 * - Baseline failures with no current failure or waived result for the same
 *   key fill r->resolved, unless this run could not look again: their rule was
 *   not loaded, their region not collected for the account, their account
 *   is missing from this run's snapshot, or a collection error covers their
 *   account and region. Those are neither resolved nor new.
 * - Passing and waived results get CHANGE_NONE and no first_seen.
 *
 * Sets r->has_baseline. Strings put in r are owned by r (freed by
 * results_free); first_seen and resolved from an earlier call are replaced.
 * Returns 0, or -1 with err set and r unchanged: IA_ERR_INPUT when the file
 * cannot be read, IA_ERR_INPUT naming the file (and line:column for JSON
 * syntax errors, or the offending field as results[N].field) when it is not
 * a results document, IA_ERR_NOMEM.
 */
int baseline_apply(results *r, const char *path, ia_err *err);

/* The same over a results document already in memory; name stands for the path in errors. */
int baseline_apply_text(results *r, const char *name, const char *text, size_t len, ia_err *err);

/* A results document read and checked, its failures loaded: what baseline_apply_doc compares with. */
typedef struct baseline_doc baseline_doc;

/*
 * Reads the results document at path and checks it as baseline_apply does,
 * without applying it, so that a bad baseline is found before a run that
 * needs it: 0 with *out (owned: baseline_free), or -1 with *out NULL and err
 * as baseline_apply sets it.
 */
int baseline_read(const char *path, baseline_doc **out, ia_err *err);

/* baseline_apply over a document from baseline_read (borrowed; it can be applied again). */
int baseline_apply_doc(results *r, baseline_doc *doc, ia_err *err);

/* Frees what baseline_read made. Accepts NULL. */
void baseline_free(baseline_doc *doc);

#endif
