#ifndef IMGAUDIT_RULES_EVALUATE_H
#define IMGAUDIT_RULES_EVALUATE_H

/*
 * Evaluation: every rule over every resource of its type, waivers applied,
 * into the results model that every report writer reads.
 */

#include "rules/clock.h"
#include "rules/results.h"
#include "rules/rules.h"
#include "snapshot/read.h"
#include "rules/waivers.h"

/*
 * Gives set the members of snap's Organization(s) (organization_accounts;
 * none when snap was not collected with --org): rules_set_org_accounts with
 * snap's ids. Call it once snap is read, before rules_evaluate. Returns 0,
 * or -1 when out of memory (err).
 */
int rules_bind_snapshot(rules_set *set, const snapshot_doc *snap, ia_err *err);

/*
 * Judges snap against set. For every rule and every resource of the rule's
 * type, out gets one item: pass (no message, nothing allocated), fail (the
 * filled message) or waived (the message and the first waiver, in file
 * order, that matches and has not expired on clock->today). Waivers that
 * expired are reported as expired and apply to nothing; those that waived
 * nothing are unused. w may be NULL.
 *
 * out is filled from scratch (the caller frees it with results_free). Its
 * resources are copies (results_add_resource: data NULL, an image's
 * sharing facts in images). It borrows rule strings from set, waiver
 * strings from w and the envelope (snapshot, errors, org_accounts) from
 * snap; all three must outlive it. It also names the accounts the sharing
 * rules trust (trusted: variable RULES_VAR_TRUSTED_SHARING, trust_known 0
 * when set has no such list of strings). Returns 0, or -1 when out of
 * memory or when a stop was asked for (IA_ERR_CANCELLED, util/cancel.h:
 * checked at every resource); out is then empty.
 *
 * This judges snap's table (snapshot_doc_read); rules_run_* below judge
 * the resources as they are read (snapshot_doc_open, snapshot_doc_each),
 * with the same results.
 */
int rules_evaluate(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                   results *out, ia_err *err);

/*
 * An evaluation fed one resource at a time. rules_run_start takes what
 * rules_evaluate takes (snap may be the envelope only: its resources are
 * not looked at); rules_run_judge judges one resource with every rule of
 * its type and keeps a copy of it, so res may be freed when it returns;
 * rules_run_finish puts the results in *out as rules_evaluate does, and
 * frees run. Each returns 0, or -1 with err set (out of memory, or
 * IA_ERR_CANCELLED from rules_run_snapshot); after a failure the caller frees
 * run with rules_run_free (which accepts NULL), except after
 * rules_run_finish, which always frees it.
 */
typedef struct rules_run rules_run;

int rules_run_start(const rules_set *set, const waivers *w, const snapshot_doc *snap,
                    const rules_clock *clock, rules_run **out, ia_err *err);
int rules_run_judge(rules_run *run, const snap_resource *res, ia_err *err);

/* rules_run_judge on every resource of snap as snapshot_doc_each reads it (snapshot_doc_open). */
int rules_run_snapshot(rules_run *run, snapshot_doc *snap, ia_err *err);
int rules_run_finish(rules_run *run, results *out, ia_err *err);
void rules_run_free(rules_run *run);

#endif
