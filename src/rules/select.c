/*
 * Choosing which rules run (--rule, --exclude-rule, --severity): the rules
 * left out are dropped from the set, so evaluation, every report and the
 * gate see only the ones chosen.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"
#include "util/nearest.h"

static bool matches(const char *pattern, const char *id)
{
    return fnmatch(pattern, id, 0) == 0;
}

static bool matches_any(const char *const *patterns, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (matches(patterns[i], id))
            return true;
    }
    return false;
}

bool rules_set_matches(const rules_set *set, const char *pattern, const char **closest)
{
    nearest near;
    size_t offered = 0;

    *closest = NULL;
    for (size_t i = 0; i < set->n_rules; i++) {
        const char *id = set->rules[i].info.id;

        if (id && matches(pattern, id))
            return true;
    }
    if (strpbrk(pattern, "*?["))
        return false;
    nearest_init(&near, pattern, strlen(pattern));
    for (size_t i = 0; i < set->n_rules && offered < NEAREST_MAX_NAMES; i++) {
        const char *id = set->rules[i].info.id;

        if (id && strcmp(id, pattern) != 0) {
            nearest_offer(&near, id);
            offered++;
        }
    }
    *closest = nearest_found(&near);
    return false;
}

/* Every pattern must match a rule of the set: an id that matches none is a typo, not an empty selection. */
static int check_patterns(const rules_set *set, const char *option, const char *const *patterns, size_t n,
                          ia_err *err)
{
    for (size_t p = 0; p < n; p++) {
        const char *close;

        if (rules_set_matches(set, patterns[p], &close))
            continue;
        if (close)
            return err_set(err, IA_ERR_USAGE, "%s '%s' matches no rule (did you mean '%s'?)", option,
                           patterns[p], close);
        return err_set(err, IA_ERR_USAGE, "%s '%s' matches no rule ('imgaudit rules list' lists them)",
                       option, patterns[p]);
    }
    return 0;
}

int rules_set_select(rules_set *set, const rules_selection *sel, ia_err *err)
{
    size_t kept = 0;

    if (check_patterns(set, "--rule", sel->only, sel->n_only, err) != 0 ||
        check_patterns(set, "--exclude-rule", sel->exclude, sel->n_exclude, err) != 0)
        return -1;
    for (size_t i = 0; i < set->n_rules; i++) {
        rrule *r = &set->rules[i];
        bool keep = (sel->n_only == 0 || matches_any(sel->only, sel->n_only, r->info.id)) &&
                    !matches_any(sel->exclude, sel->n_exclude, r->info.id) &&
                    (!sel->has_min_severity || r->info.sev >= sel->min_severity);

        if (!keep) {
            rules_rule_clean(r);
            continue;
        }
        if (kept != i)
            set->rules[kept] = *r;
        kept++;
    }
    set->n_rules = kept;
    return 0;
}
