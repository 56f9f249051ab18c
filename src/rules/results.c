#include "rules/results.h"

#include <stdlib.h>
#include <string.h>

#include "rules/results_store.h"

const char *result_status_name(result_status s)
{
    switch (s) {
    case RESULT_PASS: return "pass";
    case RESULT_FAIL: return "fail";
    case RESULT_WAIVED: return "waived";
    }
    return "unknown";
}

const char *waiver_state_name(waiver_state s)
{
    switch (s) {
    case WAIVER_APPLIED: return "applied";
    case WAIVER_EXPIRED: return "expired";
    case WAIVER_UNUSED: return "unused";
    }
    return "unknown";
}

void results_free(results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_items; i++) {
        free(r->items[i].message);
        free(r->items[i].first_seen);
    }
    free(r->items);
    free(r->fixes);
    for (size_t i = 0; i < r->n_resolved; i++) {
        resolved_failure *f = &r->resolved[i];

        free(f->rule);
        free(f->resource_type);
        free(f->resource_id);
        free(f->account);
        free(f->region);
        free(f->message);
        free(f->first_seen);
    }
    free(r->resolved);
    free(r->rules);
    free(r->resources);
    free(r->images);
    free(r->grants);
    results_store_free(r->store);
    free(r->waivers);
    memset(r, 0, sizeof(*r));
}

const char *results_fix_input(const results *r, const result *it)
{
    size_t lo = 0, hi = r->n_fixes;

    if (it->status != RESULT_FAIL || !r->rules[it->rule].fix.action)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const result_fix *f = &r->fixes[mid];

        if (f->rule < it->rule || (f->rule == it->rule && f->resource < it->resource))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n_fixes && r->fixes[lo].rule == it->rule && r->fixes[lo].resource == it->resource)
        return r->fixes[lo].input;
    return NULL;
}

void results_summarize(const results *r, results_summary *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (size_t i = 0; i < r->n_items; i++) {
        const result *it = &r->items[i];
        unsigned st = (unsigned)it->status, sev = (unsigned)r->rules[it->rule].sev;

        if (st > 2 || sev >= SEV_COUNT)
            continue;
        sum->total++;
        sum->by_status[st]++;
        sum->by_severity[sev][st]++;
    }
    for (size_t i = 0; i < r->n_waivers; i++) {
        if (r->waivers[i].state == WAIVER_EXPIRED)
            sum->waivers_expired++;
        else if (r->waivers[i].state == WAIVER_UNUSED)
            sum->waivers_unused++;
    }
}
