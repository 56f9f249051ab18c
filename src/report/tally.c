#include "report/tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tally_json_str(const cJSON *obj, const char *key)
{
    const cJSON *item = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_account(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const tally_account *)elem)->id);
}

long tally_account_index(const tally *t, const char *id)
{
    const tally_account *a;

    if (!id || !t->n_accounts)
        return -1;
    a = bsearch(id, t->accounts, t->n_accounts, sizeof(*t->accounts), cmp_account);
    return a ? (long)(a - t->accounts) : -1;
}

void tally_free(tally *t)
{
    if (!t)
        return;
    free(t->rule_status);
    free(t->rule_first);
    free(t->accounts);
    free(t->resource_account);
    memset(t, 0, sizeof(*t));
}

static int cmp_member(const void *key, const void *elem)
{
    return strcmp(key, ((const snap_org_account *)elem)->id);
}

/* An account the snapshot's accounts[] leaves unnamed takes its Organization member's name, if any. */
static void name_accounts(const results *r, tally *t)
{
    for (size_t i = 0; i < t->n_accounts; i++) {
        tally_account *a = &t->accounts[i];
        const snap_org_account *member;

        if (a->name && !a->name[0])
            a->name = NULL;
        if (a->name || !r->n_org_accounts)
            continue;
        member = bsearch(a->id, r->org_accounts, r->n_org_accounts, sizeof(*r->org_accounts), cmp_member);
        if (member && member->name && member->name[0])
            a->name = member->name;
    }
}

/* Collects every account id once, sorted, so that lookups are a binary search. */
static int build_accounts(const results *r, tally *t, ia_err *err)
{
    const cJSON *accounts = r->snapshot ? cJSON_GetObjectItemCaseSensitive(r->snapshot, "accounts") : NULL;
    const cJSON *item;
    const char **ids = NULL;
    size_t n = 0, cap = r->n_resources + (size_t)cJSON_GetArraySize(accounts) +
                        (size_t)cJSON_GetArraySize(r->errors) + 1;
    int rc = -1;

    ids = malloc(cap * sizeof(*ids));
    if (!ids) {
        err_set(err, IA_ERR_NOMEM, "out of memory counting accounts");
        goto out;
    }
    cJSON_ArrayForEach(item, accounts)
    {
        const char *id = tally_json_str(item, "id");

        if (id)
            ids[n++] = id;
    }
    for (size_t i = 0; i < r->n_resources; i++) {
        const char *id = r->resources[i].account;

        /* The results keep an account's string once and a snapshot lists an account's resources
         * together: a run of the same string is one id to sort, not a million. */
        if (id && !(n && ids[n - 1] == id))
            ids[n++] = id;
    }
    cJSON_ArrayForEach(item, r->errors)
    {
        const char *id = tally_json_str(item, "account");

        if (id)
            ids[n++] = id;
    }
    if (n)
        qsort(ids, n, sizeof(*ids), cmp_str_ptr);
    t->accounts = calloc(n ? n : 1, sizeof(*t->accounts));
    if (!t->accounts) {
        err_set(err, IA_ERR_NOMEM, "out of memory counting accounts");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (t->n_accounts && strcmp(t->accounts[t->n_accounts - 1].id, ids[i]) == 0)
            continue;
        t->accounts[t->n_accounts++].id = ids[i];
    }
    cJSON_ArrayForEach(item, accounts)
    {
        long idx = tally_account_index(t, tally_json_str(item, "id"));
        const cJSON *regions = cJSON_GetObjectItemCaseSensitive(item, "regions");

        if (idx >= 0 && !t->accounts[idx].name)
            t->accounts[idx].name = tally_json_str(item, "name");
        if (idx >= 0 && !t->accounts[idx].regions && cJSON_IsArray(regions))
            t->accounts[idx].regions = regions;
    }
    cJSON_ArrayForEach(item, r->errors)
    {
        long idx = tally_account_index(t, tally_json_str(item, "account"));

        if (idx >= 0)
            t->accounts[idx].errors++;
    }
    name_accounts(r, t);
    rc = 0;
out:
    free(ids);
    return rc;
}

int tally_compute(const results *r, tally *t, ia_err *err)
{
    size_t n_rules = r->n_rules;
    int rc = -1;

    memset(t, 0, sizeof(*t));
    t->n_rules = n_rules;
    t->rule_status = calloc(n_rules ? n_rules * TALLY_N_STATUS : 1, sizeof(*t->rule_status));
    t->rule_first = malloc((n_rules ? n_rules : 1) * sizeof(*t->rule_first));
    t->resource_account = malloc((r->n_resources ? r->n_resources : 1) * sizeof(*t->resource_account));
    if (!t->rule_status || !t->rule_first || !t->resource_account) {
        err_set(err, IA_ERR_NOMEM, "out of memory counting results");
        goto out;
    }
    for (size_t i = 0; i < n_rules; i++)
        t->rule_first[i] = r->n_items;
    if (build_accounts(r, t, err) != 0)
        goto out;
    for (size_t i = 0; i < r->n_resources; i++) {
        const char *id = r->resources[i].account;
        long idx;

        /* Mostly the previous resource's account, the same string (see build_accounts): no search then. */
        if (i && id && id == r->resources[i - 1].account)
            idx = (long)t->resource_account[i - 1];
        else
            idx = tally_account_index(t, id);

        /* A resource without an account cannot happen in a snapshot; count it under the first. */
        t->resource_account[i] = idx >= 0 ? (uint32_t)idx : 0;
        if (idx >= 0)
            t->accounts[idx].resources++;
    }
    for (size_t i = 0; i < r->n_items; i++) {
        const result *it = &r->items[i];
        size_t st = (size_t)it->status;
        severity sev;

        if (it->rule >= n_rules || it->resource >= r->n_resources || st >= TALLY_N_STATUS) {
            err_set(err, IA_ERR_INTERNAL, "result %zu points outside the rule or resource tables", i);
            goto out;
        }
        /* The writers stream a rule's results as one run; the model promises they are grouped. */
        if (t->rule_first[it->rule] == r->n_items) {
            t->rule_first[it->rule] = i;
        } else if (r->items[i - 1].rule != it->rule) {
            err_set(err, IA_ERR_INTERNAL, "results of rule %s are not grouped together",
                    r->rules[it->rule].id);
            goto out;
        }
        sev = r->rules[it->rule].sev;
        if ((unsigned)sev >= TALLY_N_SEV)
            sev = SEV_INFO;
        t->status[st]++;
        t->by_sev[sev][st]++;
        t->rule_status[(size_t)it->rule * TALLY_N_STATUS + st]++;
        if (t->n_accounts) {
            tally_account *a = &t->accounts[t->resource_account[it->resource]];

            a->status[st]++;
            if (it->status == RESULT_FAIL)
                a->fail_by_sev[sev]++;
        }
        if (it->status == RESULT_FAIL && it->change == CHANGE_NEW)
            t->n_new++;
        else if (it->status == RESULT_FAIL && it->change == CHANGE_EXISTING)
            t->n_existing++;
    }
    rc = 0;
out:
    if (rc != 0)
        tally_free(t);
    return rc;
}

const tally *tally_given_or_compute(const results *r, const tally *given, tally *own, ia_err *err)
{
    memset(own, 0, sizeof(*own));
    if (given)
        return given;
    return tally_compute(r, own, err) == 0 ? own : NULL;
}

size_t tally_gate_count(const results *r, const tally_gate *g)
{
    size_t n = 0;

    if (!g || !g->enabled)
        return 0;
    for (size_t i = 0; i < r->n_items; i++) {
        const result *it = &r->items[i];

        if (it->status != RESULT_FAIL || it->rule >= r->n_rules || r->rules[it->rule].sev < g->min)
            continue;
        if (g->new_only && r->has_baseline && it->change != CHANGE_NEW)
            continue;
        n++;
    }
    return n;
}

/* Orders failing rules: most severe first, then most failures, then rule order. */
typedef struct rule_rank {
    size_t rule, fails;
    severity sev;
} rule_rank;

static int cmp_rank(const void *a, const void *b)
{
    const rule_rank *x = a, *y = b;

    if (x->sev != y->sev)
        return x->sev > y->sev ? -1 : 1;
    if (x->fails != y->fails)
        return x->fails > y->fails ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

int tally_failing_rules(const results *r, const tally *t, size_t **order, size_t *n, ia_err *err)
{
    rule_rank *ranks = malloc((r->n_rules ? r->n_rules : 1) * sizeof(*ranks));
    size_t *out = malloc((r->n_rules ? r->n_rules : 1) * sizeof(*out)), k = 0;

    *order = NULL;
    *n = 0;
    if (!ranks || !out) {
        free(ranks);
        free(out);
        return err_set(err, IA_ERR_NOMEM, "out of memory ranking the failing rules");
    }
    for (size_t i = 0; i < r->n_rules && i < t->n_rules; i++) {
        size_t fails = t->rule_status[i * TALLY_N_STATUS + RESULT_FAIL];

        if (fails)
            ranks[k++] = (rule_rank){i, fails, r->rules[i].sev};
    }
    if (k)
        qsort(ranks, k, sizeof(*ranks), cmp_rank);
    for (size_t i = 0; i < k; i++)
        out[i] = ranks[i].rule;
    free(ranks);
    *order = out;
    *n = k;
    return 0;
}

size_t tally_new_failures(const results *r, size_t *out, size_t max)
{
    size_t n = 0;

    for (int s = SEV_CRITICAL; s >= SEV_INFO && n < max; s--) {
        for (size_t i = 0; i < r->n_items && n < max; i++) {
            const result *it = &r->items[i];

            if (it->status == RESULT_FAIL && it->change == CHANGE_NEW && it->rule < r->n_rules &&
                (int)r->rules[it->rule].sev == s)
                out[n++] = i;
        }
    }
    return n;
}

void tally_gate_describe(const tally_gate *g, size_t blocking, char *out, size_t size)
{
    const char *new_only = g->new_only ? "new " : "";

    if (blocking)
        snprintf(out, size, "%zu %sfailure%s at or above %s", blocking, new_only, blocking == 1 ? "" : "s",
                 severity_name(g->min));
    else
        snprintf(out, size, "no %sfailures at or above %s", new_only, severity_name(g->min));
}
