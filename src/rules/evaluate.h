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
 * out is filled from scratch (the caller frees it with results_free). It
 * borrows: rule strings from set, resources from snap, waiver strings from
 * w; all three must outlive it. It also names snap's Organization
 * (org_accounts, has_organization) and the accounts the sharing rules trust
 * (trusted: variable RULES_VAR_TRUSTED_SHARING, trust_known 0 when set has
 * no such list of strings). Returns 0, or -1 when out of memory or
 * when a stop was asked for (IA_ERR_CANCELLED, util/cancel.h: checked at
 * every resource); out is then empty.
 */
int rules_evaluate(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                   results *out, ia_err *err);

#endif
