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
 * Judges snap against set. For every rule and every resource of the rule's
 * type, out gets one item: pass (no message, nothing allocated), fail (the
 * filled message) or waived (the message and the first waiver, in file
 * order, that matches and has not expired on clock->today). Waivers that
 * expired are reported as expired and apply to nothing; those that waived
 * nothing are unused. w may be NULL.
 *
 * out is filled from scratch (the caller frees it with results_free). It
 * borrows: rule strings from set, resources from snap, waiver strings from
 * w; all three must outlive it. Returns 0, or -1 when out of memory or
 * when a stop was asked for (IA_ERR_CANCELLED, util/cancel.h: checked at
 * every resource); out is then empty.
 */
int rules_evaluate(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                   results *out, ia_err *err);

#endif
