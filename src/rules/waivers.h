#ifndef IMGAUDIT_RULES_WAIVERS_H
#define IMGAUDIT_RULES_WAIVERS_H

/*
 * Waivers: accepted failures, each with a reason and an expiry date. A
 * waiver names a rule (id or glob) and optionally a resource id, account and
 * region (each an id or a glob, matched with fnmatch). The format is in
 * docs/rules.md; problems are reported like rule files' problems.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/results.h"
#include "rules/rules.h"

typedef struct waivers waivers;

/*
 * Loads waiver files. On success returns 0 and *out is owned (waivers_free).
 * Otherwise returns -1, *out is NULL, every problem is in diags and err holds
 * the first (or the out-of-memory failure).
 */
int waivers_load(const char *const *paths, size_t n_paths, waivers **out, rules_diags *diags, ia_err *err);

/*
 * The same, and every waiver's rule (id or glob) must match a rule of set:
 * one that matches none is a problem at its `rule` (naming the closest id).
 * set NULL: not checked (waivers_load). set may be one rules_load_partial gave.
 */
int waivers_load_checked(const char *const *paths, size_t n_paths, const rules_set *set, waivers **out,
                         rules_diags *diags, ia_err *err);

/* The same as waivers_load over files already in memory (only read during the call). */
int waivers_load_sources(const rules_source *srcs, size_t n_srcs, waivers **out, rules_diags *diags,
                         ia_err *err);

/* Frees the waivers. Accepts NULL. */
void waivers_free(waivers *w);

/* Number of waivers, in file order. NULL has none. */
size_t waivers_count(const waivers *w);

/*
 * Waiver i as written (state WAIVER_UNUSED, matched 0), borrowed: valid while
 * w lives. Evaluation copies it and fills state and matched.
 */
const waiver_info *waivers_get(const waivers *w, size_t i);

/* True when waiver i has expired on day today (days since 1970-01-01): today is after `expires`. */
bool waivers_expired(const waivers *w, size_t i, int64_t today);

/* True when waiver i's rule pattern matches rule_id. */
bool waivers_match_rule(const waivers *w, size_t i, const char *rule_id);

/* True when waiver i's resource, account and region patterns (those it has) match res. */
bool waivers_match_resource(const waivers *w, size_t i, const snap_resource *res);

#endif
