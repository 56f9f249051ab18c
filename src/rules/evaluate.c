/* MAP_ANONYMOUS: the blocks results are kept in until the end (chunk). */
#define _DEFAULT_SOURCE
#include "rules/evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "rules/results_store.h"
#include "util/buf.h"
#include "util/cancel.h"
#include "util/str.h"
#include "util/timefmt.h"

/* The restype of a type name, or -1 for one this imgaudit does not know (kept, never judged). */
static int type_index(const char *type)
{
    restype t;

    return restype_parse(type, &t) == 0 ? (int)t : -1;
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

/*
 * A rule's results in the order they came (snapshot order), in blocks: no
 * copy as they grow. Blocks are mapped, not malloc'd: each is unmapped as
 * rules_run_finish copies it into the items, so that memory is given back
 * to the system at once and the copy never holds the results twice.
 */
#define CHUNK_RESULTS 32767

typedef struct chunk {
    struct chunk *next;
    size_t n;
    result items[CHUNK_RESULTS];
} chunk;

struct rules_run {
    const rules_set *set;
    const waivers *w;
    const snapshot_doc *snap;
    rules_clock clock;
    results out; /* rules, resources, images and waivers as they fill; items are in chunks until the end */
    rule_plan *plan;
    uint32_t *cand;
    exact_waiver *exact;
    uint32_t *type_rules[RESTYPE_COUNT]; /* the rules of each type, in rule order */
    size_t n_type_rules[RESTYPE_COUNT];
    chunk **first, **last; /* per rule */
    size_t n_items;
    buf message;         /* where each failure's message is filled */
    size_t fix_cap;      /* room in out.fixes */
    rules_fix_room *fix; /* where each fix input is written */
};

/* Room for one more result of rule r, or NULL when out of memory. */
static result *next_item(rules_run *run, size_t r)
{
    chunk *c = run->last[r];

    if (!c || c->n == CHUNK_RESULTS) {
        c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (c == MAP_FAILED)
            return NULL;
        c->next = NULL;
        c->n = 0;
        if (run->last[r])
            run->last[r]->next = c;
        else
            run->first[r] = c;
        run->last[r] = c;
    }
    run->n_items++;
    return &c->items[c->n++];
}

/* What fixing rule r's failure on res (resource ri) needs, kept while res's data is at hand. */
static int add_fix(rules_run *run, size_t r, const snap_resource *res, uint32_t ri)
{
    results *out = &run->out;
    const char *input, *kept;

    if (out->n_fixes == run->fix_cap) {
        size_t cap = run->fix_cap ? run->fix_cap * 2 : 64;
        result_fix *grown = realloc(out->fixes, cap * sizeof(*grown));

        if (!grown)
            return -1;
        out->fixes = grown;
        run->fix_cap = cap;
    }
    input = rules_failure_fix_input(run->set, r, res, &run->clock, run->fix);
    kept = input ? results_store_keep_once(out, input) : NULL;
    if (!kept)
        return -1;
    out->fixes[out->n_fixes++] = (result_fix){(uint32_t)r, ri, kept};
    return 0;
}

static int fix_order(const void *pa, const void *pb)
{
    const result_fix *a = pa, *b = pb;

    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return a->resource < b->resource ? -1 : a->resource > b->resource;
}

/* Rule r on res, the resource ri of the results: one more result in rule r's blocks. */
static int judge(rules_run *run, size_t r, const snap_resource *res, uint32_t ri)
{
    const rule_plan *plan = &run->plan[r];
    result *it = next_item(run, r);

    if (!it)
        return -1;
    it->rule = (uint32_t)r;
    it->resource = ri;
    it->waiver = -1;
    it->status = RESULT_PASS;
    it->change = CHANGE_NONE;
    it->message = NULL;
    it->first_seen = NULL;
    if (!rules_rule_fails(run->set, r, res, &run->clock))
        return 0;
    /* Filled in the run's buffer, kept in a block of its own length: millions of failures would otherwise
     * keep a buffer grown by doubling, up to twice that, each. */
    it->message = str_dup(rules_failure_message(run->set, r, res, &run->clock, &run->message));
    if (!it->message)
        return -1;
    it->status = RESULT_FAIL;
    it->waiver = plan->n_cand || plan->n_exact ? waiver_for(run->w, plan, res) : -1;
    if (it->waiver >= 0) {
        it->status = RESULT_WAIVED;
        run->out.waivers[it->waiver].matched++;
        run->out.waivers[it->waiver].state = WAIVER_APPLIED;
    }
    /* A waived failure is never fixed: its fix is not worked out. */
    if (it->status == RESULT_FAIL && run->out.rules[r].fix.action)
        return add_fix(run, r, res, ri);
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

/* Frees the results' blocks and the messages in them (a run that did not finish). */
static void free_chunks(rules_run *run)
{
    for (size_t r = 0; run->first && r < run->out.n_rules; r++) {
        chunk *c = run->first[r];

        while (c) {
            chunk *next = c->next;

            for (size_t i = 0; i < c->n; i++)
                free(c->items[i].message);
            munmap(c, sizeof(*c));
            c = next;
        }
        run->first[r] = run->last[r] = NULL;
    }
}

void rules_run_free(rules_run *run)
{
    if (!run)
        return;
    free_chunks(run);
    results_free(&run->out);
    free(run->first);
    free(run->last);
    free(run->cand);
    free(run->exact);
    free(run->plan);
    for (int t = 0; t < RESTYPE_COUNT; t++)
        free(run->type_rules[t]);
    buf_free(&run->message);
    rules_fix_room_free(run->fix);
    free(run);
}

/* The plan of every rule: its type, and the waivers that could apply to it. */
static int plan_rules(rules_run *run)
{
    results *out = &run->out;
    size_t n_rules = out->n_rules, n_waivers = out->n_waivers, n_cand_all = 0;

    if (n_rules && n_waivers > SIZE_MAX / n_rules / sizeof(*run->cand))
        return -1;
    run->cand = malloc((n_rules * n_waivers + 1) * sizeof(*run->cand));
    if (!run->cand)
        return -1;
    for (size_t r = 0; r < n_rules; r++) {
        const rule_info *info = rules_set_info(run->set, r);
        rule_plan *p = &run->plan[r];

        out->rules[r] = *info;
        p->type = type_index(info->resource_type);
        if (p->type >= 0)
            run->type_rules[p->type][run->n_type_rules[p->type]++] = (uint32_t)r;
        p->cand = run->cand + n_cand_all;
        for (size_t k = 0; k < n_waivers; k++) {
            if (out->waivers[k].state == WAIVER_EXPIRED || !waivers_match_rule(run->w, k, info->id))
                continue;
            out->waivers[k].rule_ran = 1;
            p->cand[p->n_cand++] = (uint32_t)k;
        }
        n_cand_all += p->n_cand;
    }
    run->exact = malloc((n_cand_all + 1) * sizeof(*run->exact));
    if (!run->exact)
        return -1;
    for (size_t r = 0, used = 0; r < n_rules; r++) {
        plan_split(run->w, &run->plan[r], run->exact + used);
        used += run->plan[r].n_exact;
    }
    return 0;
}

int rules_run_start(const rules_set *set, const waivers *w, const snapshot_doc *snap,
                    const rules_clock *clock, rules_run **out, ia_err *err)
{
    size_t n_rules = rules_set_count(set), n_waivers = waivers_count(w);
    rules_run *run = calloc(1, sizeof(*run));

    *out = NULL;
    if (n_rules >= UINT32_MAX || n_waivers >= INT32_MAX) {
        free(run);
        return err_set(err, IA_ERR_NOMEM, "too many rules or waivers to evaluate");
    }
    if (!run)
        goto nomem;
    buf_init(&run->message, 0);
    run->set = set;
    run->w = w;
    run->snap = snap;
    run->clock = *clock;
    run->out.rules = calloc(n_rules ? n_rules : 1, sizeof(*run->out.rules));
    run->out.waivers = calloc(n_waivers ? n_waivers : 1, sizeof(*run->out.waivers));
    run->plan = calloc(n_rules ? n_rules : 1, sizeof(*run->plan));
    run->first = calloc(n_rules ? n_rules : 1, sizeof(*run->first));
    run->last = calloc(n_rules ? n_rules : 1, sizeof(*run->last));
    run->fix = rules_fix_room_new();
    if (!run->out.rules || !run->out.waivers || !run->plan || !run->first || !run->last || !run->fix)
        goto nomem;
    for (int t = 0; t < RESTYPE_COUNT; t++) {
        run->type_rules[t] = malloc((n_rules ? n_rules : 1) * sizeof(uint32_t));
        if (!run->type_rules[t])
            goto nomem;
    }
    run->out.n_rules = n_rules;
    run->out.n_waivers = n_waivers;
    for (size_t k = 0; k < n_waivers; k++) {
        run->out.waivers[k] = *waivers_get(w, k);
        run->out.waivers[k].matched = 0;
        run->out.waivers[k].rule_ran = 0;
        run->out.waivers[k].state = waivers_expired(w, k, clock->today) ? WAIVER_EXPIRED : WAIVER_UNUSED;
    }
    if (plan_rules(run) != 0)
        goto nomem;
    *out = run;
    return 0;
nomem:
    rules_run_free(run);
    return err_set(err, IA_ERR_NOMEM, "out of memory while evaluating rules");
}

int rules_run_judge(rules_run *run, const snap_resource *res, ia_err *err)
{
    int t = type_index(res->type);
    uint32_t ri = (uint32_t)run->out.n_resources;

    /* Every rule of its type while its JSON is in cache; each result lands in its rule's blocks. */
    for (size_t q = 0; t >= 0 && q < run->n_type_rules[t]; q++) {
        if (judge(run, run->type_rules[t][q], res, ri) != 0)
            return err_set(err, IA_ERR_NOMEM, "out of memory while evaluating rules");
    }
    if (results_add_resource(&run->out, res) != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory while evaluating rules");
    return 0;
}

static int judge_one(void *run, const snap_resource *res, ia_err *err)
{
    return rules_run_judge(run, res, err);
}

int rules_run_snapshot(rules_run *run, snapshot_doc *snap, ia_err *err)
{
    return snapshot_doc_each(snap, judge_one, run, err);
}

int rules_run_finish(rules_run *run, results *out, ia_err *err)
{
    const snapshot_doc *snap = run->snap;
    results *r = &run->out;
    size_t k = 0;

    memset(out, 0, sizeof(*out));
    /* Grouped by rule, in rule order: each rule's blocks one after the other, freed as they are copied. */
    r->items = malloc((run->n_items ? run->n_items : 1) * sizeof(*r->items));
    if (!r->items) {
        rules_run_free(run);
        return err_set(err, IA_ERR_NOMEM, "out of memory while evaluating rules");
    }
    for (size_t i = 0; i < r->n_rules; i++) {
        chunk *c = run->first[i];

        while (c) {
            chunk *next = c->next;

            memcpy(r->items + k, c->items, c->n * sizeof(*c->items));
            k += c->n;
            munmap(c, sizeof(*c));
            c = next;
        }
        run->first[i] = run->last[i] = NULL;
    }
    r->n_items = k;
    /* Judged resource by resource: put in the order of the items, which results_fix_input searches. */
    if (r->n_fixes > 1)
        qsort(r->fixes, r->n_fixes, sizeof(*r->fixes), fix_order);
    r->snapshot = snap->root;
    r->errors = snap->errors;
    r->org_accounts = snap->org_accounts;
    r->n_org_accounts = snap->n_org_accounts;
    r->has_organization = snap->has_organization;
    r->trust_known =
        rules_set_var_strings(run->set, RULES_VAR_TRUSTED_SHARING, &r->trusted, &r->n_trusted) == 0;
    {
        char iso[TIMEFMT_ISO_SIZE];

        timefmt_iso(time(NULL), iso);
        str_copy(r->evaluated_at, sizeof(r->evaluated_at), iso);
    }
    *out = *r;
    memset(r, 0, sizeof(*r));
    rules_run_free(run);
    return 0;
}

int rules_evaluate(const rules_set *set, const waivers *w, const snapshot_doc *snap, const rules_clock *clock,
                   results *out, ia_err *err)
{
    rules_run *run = NULL;

    memset(out, 0, sizeof(*out));
    if (rules_run_start(set, w, snap, clock, &run, err) != 0)
        return -1;
    for (size_t i = 0; i < snap->n_resources; i++) {
        /* A stop must not wait for a million resources: an atomic load per resource is cheap. (Read as
         * they come, the reader checks it.) */
        if (cancel_requested()) {
            rules_run_free(run);
            return err_set(err, IA_ERR_CANCELLED, "interrupted while evaluating rules");
        }
        if (rules_run_judge(run, &snap->resources[i], err) != 0) {
            rules_run_free(run);
            return -1;
        }
    }
    return rules_run_finish(run, out, err);
}
