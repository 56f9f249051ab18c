#include "rules/evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/cancel.h"
#include "util/str.h"
#include "util/timefmt.h"

/* The restype of a type name, or -1 for one this imgaudit does not know (kept, never judged). */
static int type_index(const char *type)
{
    restype t;

    return restype_parse(type, &t) == 0 ? (int)t : -1;
}

/* Resources grouped by type, as indices into the snapshot, in snapshot order. */
typedef struct by_type {
    uint32_t *idx[RESTYPE_COUNT];
    size_t n[RESTYPE_COUNT];
} by_type;

static void by_type_free(by_type *bt)
{
    for (int t = 0; t < RESTYPE_COUNT; t++)
        free(bt->idx[t]);
}

static int by_type_build(const snapshot_doc *snap, by_type *bt)
{
    memset(bt, 0, sizeof(*bt));
    for (size_t i = 0; i < snap->n_resources; i++) {
        int t = type_index(snap->resources[i].type);

        if (t >= 0)
            bt->n[t]++;
    }
    for (int t = 0; t < RESTYPE_COUNT; t++) {
        bt->idx[t] = malloc((bt->n[t] ? bt->n[t] : 1) * sizeof(uint32_t));
        if (!bt->idx[t])
            return -1;
        bt->n[t] = 0;
    }
    for (size_t i = 0; i < snap->n_resources; i++) {
        int t = type_index(snap->resources[i].type);

        if (t >= 0)
            bt->idx[t][bt->n[t]++] = (uint32_t)i;
    }
    return 0;
}

/* A waiver for one resource id, named without a glob: looked up by binary search rather than tried in turn.
 */
typedef struct exact_waiver {
    const char *resource; /* borrowed from the waivers */
    uint32_t k;           /* its index */
} exact_waiver;

/* Per rule: where its items start, and the waivers that could apply to it (decided once per rule). */
typedef struct rule_plan {
    int type;
    size_t first_item;
    uint32_t *cand; /* the other candidates, in waiver order; points into a shared array */
    size_t n_cand;
    exact_waiver *exact; /* sorted by resource, then index; points into a shared array */
    size_t n_exact;
} rule_plan;

static bool names_one_resource(const waivers *w, size_t k)
{
    const char *resource = waivers_get(w, k)->resource;

    return resource && !strpbrk(resource, "*?[\\");
}

static int exact_order(const void *pa, const void *pb)
{
    const exact_waiver *a = pa, *b = pb;
    int c = strcmp(a->resource, b->resource);

    return c ? c : (a->k > b->k) - (a->k < b->k);
}

/* Moves the plan's waivers that name one resource out of cand into exact (room for them), sorted. */
static void plan_split(const waivers *w, rule_plan *p, exact_waiver *exact)
{
    size_t kept = 0;

    p->exact = exact;
    for (size_t i = 0; i < p->n_cand; i++) {
        uint32_t k = p->cand[i];

        if (names_one_resource(w, k))
            p->exact[p->n_exact++] = (exact_waiver){waivers_get(w, k)->resource, k};
        else
            p->cand[kept++] = k;
    }
    p->n_cand = kept;
    if (p->n_exact > 1)
        qsort(p->exact, p->n_exact, sizeof(*p->exact), exact_order);
}

/*
 * The first waiver of the plan (in waiver order) that covers res, or -1: the
 * lowest of those naming res's id that match, unless a glob before it does.
 */
static int32_t waiver_for(const waivers *w, const rule_plan *p, const snap_resource *res)
{
    int64_t best = -1;
    size_t lo = 0, hi = p->n_exact;

    while (res->id && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(p->exact[mid].resource, res->id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; res->id && lo < p->n_exact && strcmp(p->exact[lo].resource, res->id) == 0; lo++) {
        if (waivers_match_resource(w, p->exact[lo].k, res)) {
            best = p->exact[lo].k;
            break;
        }
    }
    for (size_t i = 0; i < p->n_cand && (best < 0 || p->cand[i] < best); i++) {
        if (waivers_match_resource(w, p->cand[i], res))
            return (int32_t)p->cand[i];
    }
    return (int32_t)best;
}

static int judge(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                 const rule_plan *plan, size_t r, size_t j, uint32_t ri, results *out)
{
    const snap_resource *res = &snap->resources[ri];
    result *it = &out->items[plan[r].first_item + j];

    it->rule = (uint32_t)r;
    it->resource = ri;
    it->waiver = -1;
    it->status = RESULT_PASS;
    it->change = CHANGE_NONE;
    it->message = NULL;
    it->first_seen = NULL;
    if (!rules_rule_fails(set, r, res, clock))
        return 0;
    it->message = rules_rule_message(set, r, res, clock);
    if (!it->message)
        return -1;
    it->status = RESULT_FAIL;
    it->waiver = plan[r].n_cand || plan[r].n_exact ? waiver_for(w, &plan[r], res) : -1;
    if (it->waiver >= 0) {
        it->status = RESULT_WAIVED;
        out->waivers[it->waiver].matched++;
        out->waivers[it->waiver].state = WAIVER_APPLIED;
    }
    return 0;
}

int rules_bind_snapshot(rules_set *set, const snapshot_doc *snap, ia_err *err)
{
    size_t n = snap->has_organization ? snap->n_org_accounts : 0;
    const char **ids = malloc((n ? n : 1) * sizeof(*ids));
    int rc;

    if (!ids)
        return err_set(err, IA_ERR_NOMEM, "out of memory while reading the Organization's accounts");
    for (size_t i = 0; i < n; i++)
        ids[i] = snap->org_accounts[i].id;
    rc = rules_set_org_accounts(set, ids, n, err);
    free(ids);
    return rc;
}

int rules_evaluate(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                   results *out, ia_err *err)
{
    size_t n_rules = rules_set_count(set), n_waivers = waivers_count(w), n_items = 0, n_cand_all = 0;
    uint32_t *cand = NULL, *type_rules = NULL;
    exact_waiver *exact = NULL;
    rule_plan *plan = NULL;
    by_type bt;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&bt, 0, sizeof(bt));
    if (snap->n_resources >= UINT32_MAX || n_rules >= UINT32_MAX || n_waivers >= INT32_MAX)
        return err_set(err, IA_ERR_NOMEM, "too many rules, resources or waivers to evaluate");
    if (by_type_build(snap, &bt) != 0)
        goto nomem;
    out->rules = calloc(n_rules ? n_rules : 1, sizeof(*out->rules));
    out->resources = calloc(snap->n_resources ? snap->n_resources : 1, sizeof(*out->resources));
    out->waivers = calloc(n_waivers ? n_waivers : 1, sizeof(*out->waivers));
    plan = calloc(n_rules ? n_rules : 1, sizeof(*plan));
    type_rules = malloc((n_rules ? n_rules : 1) * sizeof(*type_rules));
    if (n_rules && n_waivers > SIZE_MAX / n_rules / sizeof(*cand))
        goto nomem;
    cand = malloc((n_rules * n_waivers + 1) * sizeof(*cand));
    if (!out->rules || !out->resources || !out->waivers || !plan || !type_rules || !cand)
        goto nomem;
    out->n_rules = n_rules;
    out->n_resources = snap->n_resources;
    out->n_waivers = n_waivers;
    if (snap->n_resources)
        memcpy(out->resources, snap->resources, snap->n_resources * sizeof(*out->resources));
    for (size_t k = 0; k < n_waivers; k++) {
        out->waivers[k] = *waivers_get(w, k);
        out->waivers[k].matched = 0;
        out->waivers[k].rule_ran = 0;
        out->waivers[k].state = waivers_expired(w, k, clock->today) ? WAIVER_EXPIRED : WAIVER_UNUSED;
    }
    /* Items are grouped by rule, so each rule's block starts after the blocks of the rules before it. */
    for (size_t r = 0; r < n_rules; r++) {
        const rule_info *info = rules_set_info(set, r);

        out->rules[r] = *info;
        plan[r].type = type_index(info->resource_type);
        plan[r].first_item = n_items;
        n_items += plan[r].type >= 0 ? bt.n[plan[r].type] : 0;
        plan[r].cand = cand + n_cand_all;
        for (size_t k = 0; k < n_waivers; k++) {
            if (out->waivers[k].state == WAIVER_EXPIRED || !waivers_match_rule(w, k, info->id))
                continue;
            out->waivers[k].rule_ran = 1;
            plan[r].cand[plan[r].n_cand++] = (uint32_t)k;
        }
        n_cand_all += plan[r].n_cand;
    }
    exact = malloc((n_cand_all + 1) * sizeof(*exact));
    if (!exact)
        goto nomem;
    for (size_t r = 0, used = 0; r < n_rules; r++) {
        plan_split(w, &plan[r], exact + used);
        used += plan[r].n_exact;
    }
    /* Zeroed, so that a failure part-way frees exactly the messages made (large callocs cost no writes). */
    out->items = calloc(n_items ? n_items : 1, sizeof(*out->items));
    if (!out->items)
        goto nomem;
    out->n_items = n_items;
    /*
     * Resource by resource, every rule of its type: a resource's JSON nodes are
     * read from memory once and stay in cache for all its rules, which is what
     * keeps a million resources fast. Each result still lands in its rule's block.
     */
    for (int t = 0; t < RESTYPE_COUNT; t++) {
        size_t n_tr = 0;

        for (size_t r = 0; r < n_rules; r++) {
            if (plan[r].type == t)
                type_rules[n_tr++] = (uint32_t)r;
        }
        if (n_tr == 0)
            continue;
        for (size_t j = 0; j < bt.n[t]; j++) {
            /* A stop must not wait for a million resources: an atomic load per resource is cheap. */
            if (cancel_requested()) {
                results_free(out);
                err_set(err, IA_ERR_CANCELLED, "interrupted while evaluating rules");
                goto out;
            }
            for (size_t q = 0; q < n_tr; q++) {
                if (judge(set, w, snap, clock, plan, type_rules[q], j, bt.idx[t][j], out) != 0)
                    goto nomem;
            }
        }
    }
    out->snapshot = snap->root;
    out->errors = snap->errors;
    out->org_accounts = snap->org_accounts;
    out->n_org_accounts = snap->n_org_accounts;
    out->has_organization = snap->has_organization;
    out->trust_known =
        rules_set_var_strings(set, RULES_VAR_TRUSTED_SHARING, &out->trusted, &out->n_trusted) == 0;
    {
        char iso[TIMEFMT_ISO_SIZE];

        timefmt_iso(time(NULL), iso);
        str_copy(out->evaluated_at, sizeof(out->evaluated_at), iso);
    }
    rc = 0;
    goto out;
nomem:
    results_free(out);
    err_set(err, IA_ERR_NOMEM, "out of memory while evaluating rules");
out:
    free(cand);
    free(exact);
    free(plan);
    free(type_rules);
    by_type_free(&bt);
    return rc;
}
