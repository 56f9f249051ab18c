#include "collect/org.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/endpoint.h"
#include "util/str.h"

/* 100,000 accounts (or children) at 20 a page, with room to spare: past that, the token is going round. */
#define MAX_PAGES 10000
/* Far more OUs than an Organization may hold (its quota is 2,000 at most): past that, the tree loops. */
#define MAX_UNITS 10000
/* The Organizations model's MaxResults maximum for the three listings. */
#define PAGE_SIZE 20

#define LOWER_ALNUM "abcdefghijklmnopqrstuvwxyz0123456789"

/* A member that must be a string; NULL if it is not one (borrowed from obj). */
static const char *str_member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Copies the 12 digits at *p into out (13 bytes) and moves *p past them. False when there are not 12. */
static bool take_account_id(const char **p, char *out)
{
    for (size_t i = 0; i < 12; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
    }
    memcpy(out, *p, 12);
    out[12] = '\0';
    *p += 12;
    return true;
}

/* The length of a run of [a-z0-9] at s when it is min to max long, else 0. */
static size_t lower_alnum_run(const char *s, size_t min, size_t max)
{
    size_t n = strspn(s, LOWER_ALNUM);

    return n >= min && n <= max ? n : 0;
}

bool org_parse_account_arn(const char *arn, org_account_arn *out)
{
    const char *p;
    size_t n;

    if (!arn || !str_starts_with(arn, "arn:"))
        return false;
    p = arn + 4;
    n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
    if (n == 0 || !str_starts_with(p + n, ":organizations::"))
        return false;
    p += n + strlen(":organizations::");
    if (!take_account_id(&p, out->management) || !str_starts_with(p, ":account/o-"))
        return false;
    p += strlen(":account/");
    n = lower_alnum_run(p + 2, 10, 32);
    if (n == 0 || p[2 + n] != '/')
        return false;
    memcpy(out->organization, p, 2 + n);
    out->organization[2 + n] = '\0';
    p += 2 + n + 1;
    return take_account_id(&p, out->account) && *p == '\0';
}

bool org_valid_parent_id(const char *s)
{
    size_t n;

    if (str_starts_with(s, "r-"))
        return lower_alnum_run(s + 2, 4, 32) == strlen(s + 2);
    if (!str_starts_with(s, "ou-"))
        return false;
    n = lower_alnum_run(s + 3, 4, 32);
    return n && s[3 + n] == '-' && lower_alnum_run(s + 4 + n, 8, 32) == strlen(s + 4 + n);
}

/* ---- paging ---- */

typedef int (*take_fn)(void *ud, const cJSON *answer, ia_err *err);

/*
 * Calls operation (with ParentId and ChildType when given) and every page
 * after it, handing each answer to take. The client retries as its policy
 * says, as it does for every call of the run's own account.
 */
static int list_all(aws_client *c, const aws_call *call, const char *operation, const char *parent,
                    const char *child_type, take_fn take, void *ud, ia_err *err)
{
    char *next = NULL, *sent = NULL;
    int pages = 0, rc = -1;

    do {
        cJSON *req, *resp = NULL;
        const cJSON *token;
        int called;

        if (++pages > MAX_PAGES) {
            err_set(err, IA_ERR_PROTOCOL, "organizations %s: more than %d pages; giving up", operation,
                    MAX_PAGES);
            goto out;
        }
        req = cJSON_CreateObject();
        if (!req || !cJSON_AddNumberToObject(req, "MaxResults", PAGE_SIZE) ||
            (parent && !cJSON_AddStringToObject(req, "ParentId", parent)) ||
            (child_type && !cJSON_AddStringToObject(req, "ChildType", child_type)) ||
            (next && !cJSON_AddStringToObject(req, "NextToken", next))) {
            cJSON_Delete(req);
            err_set(err, IA_ERR_NOMEM, "out of memory");
            goto out;
        }
        free(sent);
        sent = next;
        next = NULL;
        called = aws_json_call(c, call, operation, req, &resp, err);
        cJSON_Delete(req);
        if (called != 0)
            goto out;
        if (take(ud, resp, err) != 0) {
            cJSON_Delete(resp);
            goto out;
        }
        token = cJSON_GetObjectItemCaseSensitive(resp, "NextToken");
        if (cJSON_IsString(token) && token->valuestring[0]) {
            /* The same token twice would page forever. */
            if (sent && strcmp(sent, token->valuestring) == 0) {
                cJSON_Delete(resp);
                err_set(err, IA_ERR_PROTOCOL, "organizations %s: the same NextToken came back twice",
                        operation);
                goto out;
            }
            next = str_dup(token->valuestring);
            if (!next) {
                cJSON_Delete(resp);
                err_set(err, IA_ERR_NOMEM, "out of memory");
                goto out;
            }
        }
        cJSON_Delete(resp);
    } while (next);
    rc = 0;
out:
    free(sent);
    free(next);
    return rc;
}

/* ---- ListAccounts ---- */

/* The entry of arn's Organization in organizations, made when it is the first account of it (borrowed). */
static cJSON *org_entry(cJSON *organizations, const org_account_arn *arn, ia_err *err)
{
    cJSON *org;

    cJSON_ArrayForEach(org, organizations)
    {
        const char *management = str_member(org, "management_account");

        if (strcmp(str_member(org, "id"), arn->organization) != 0)
            continue;
        if (strcmp(management, arn->management) != 0) {
            err_set(
                err, IA_ERR_PROTOCOL,
                "organizations ListAccounts: %s has two management accounts in its accounts' Arns (%s, %s)",
                arn->organization, management, arn->management);
            return NULL;
        }
        return org;
    }
    org = cJSON_CreateObject();
    if (!org || !cJSON_AddItemToArray(organizations, org)) {
        cJSON_Delete(org);
        org = NULL;
    } else if (!cJSON_AddStringToObject(org, "id", arn->organization) ||
               !cJSON_AddStringToObject(org, "management_account", arn->management) ||
               !cJSON_AddArrayToObject(org, "accounts")) {
        org = NULL;
    }
    if (!org)
        err_set(err, IA_ERR_NOMEM, "out of memory");
    return org;
}

/* Adds {"id", "name", "state"} to the Organization's accounts. */
static int add_member(cJSON *org, const char *id, const char *name, const char *state, ia_err *err)
{
    cJSON *member = cJSON_CreateObject();

    if (!member || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(org, "accounts"), member)) {
        cJSON_Delete(member);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    if (!cJSON_AddStringToObject(member, "id", id) ||
        !cJSON_AddItemToObject(member, "name", name ? cJSON_CreateString(name) : cJSON_CreateNull()) ||
        !cJSON_AddStringToObject(member, "state", state))
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

int org_take_accounts_page(const cJSON *answer, cJSON *organizations, collect_targets *active, ia_err *err)
{
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(answer, "Accounts"), *account;
    size_t i = 0;

    if (accounts && !cJSON_IsArray(accounts))
        return err_set(err, IA_ERR_PROTOCOL, "organizations ListAccounts: 'Accounts' is not a list");
    cJSON_ArrayForEach(account, accounts)
    {
        const char *id = str_member(account, "Id"), *name = str_member(account, "Name");
        const char *arn = str_member(account, "Arn"), *state = str_member(account, "State");
        org_account_arn parsed;
        cJSON *org;

        /* State replaces Status (retired 2026-09-09 per the Organizations model); older answers carry only
         * Status. */
        if (!state)
            state = str_member(account, "Status");
        if (!id || !targets_valid_account_id(id))
            return err_set(err, IA_ERR_PROTOCOL,
                           "organizations ListAccounts: Accounts[%zu] has no 12-digit Id", i);
        if (!state)
            return err_set(err, IA_ERR_PROTOCOL,
                           "organizations ListAccounts: account %s has neither State nor Status", id);
        /* The Arn is the only place the answer names the Organization: without it the member could not be
         * recorded under its Organization, and is not dropped silently either. */
        if (!arn || !org_parse_account_arn(arn, &parsed) || strcmp(parsed.account, id) != 0)
            return err_set(err, IA_ERR_PROTOCOL,
                           "organizations ListAccounts: account %s has Arn '%.200s', not "
                           "arn:PARTITION:organizations::MANAGEMENT:account/o-ID/%s",
                           id, arn ? arn : "(none)", id);
        org = org_entry(organizations, &parsed, err);
        if (!org || add_member(org, id, name, state, err) != 0)
            return -1;
        /* Suspended and closing accounts cannot be assumed into: recorded, not collected from. */
        if (strcmp(state, "ACTIVE") == 0 && targets_add(active, id, name, err) != 0)
            return -1;
        i++;
    }
    return 0;
}

typedef struct org_listing {
    cJSON *organizations;
    collect_targets *active;
} org_listing;

static int take_accounts(void *ud, const cJSON *answer, ia_err *err)
{
    org_listing *l = ud;

    return org_take_accounts_page(answer, l->organizations, l->active, err);
}

int org_list(aws_client *c, creds_provider *creds, const char *region, collect_targets *active,
             cJSON **organizations, ia_err *err)
{
    aws_call call = {&AWS_ORGANIZATIONS, region, creds, 0, false, NULL};
    org_listing l = {cJSON_CreateArray(), active};

    memset(active, 0, sizeof(*active));
    *organizations = NULL;
    if (!l.organizations)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if (list_all(c, &call, "ListAccounts", NULL, NULL, take_accounts, &l, err) != 0) {
        cJSON_Delete(l.organizations);
        targets_free(active);
        return -1;
    }
    *organizations = l.organizations;
    return 0;
}

/* ---- OUs ---- */

/* The OUs to read (the given ones first, then those found under them) and the accounts found. */
typedef struct org_walk {
    char **units;
    size_t n_units, cap_units;
    char **accounts;
    size_t n_accounts, cap_accounts;
} org_walk;

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Appends a copy of s to v (n of cap used), doubling cap when full. */
static int push_string(char ***v, size_t *n, size_t *cap, const char *s, ia_err *err)
{
    if (*n == *cap) {
        size_t more = *cap ? *cap * 2 : 64;
        char **grown = realloc(*v, more * sizeof(*grown));

        if (!grown)
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        *v = grown;
        *cap = more;
    }
    (*v)[*n] = str_dup(s);
    if (!(*v)[*n])
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    (*n)++;
    return 0;
}

static int add_unit(org_walk *w, const char *id, ia_err *err)
{
    for (size_t i = 0; i < w->n_units; i++) {
        if (strcmp(w->units[i], id) == 0)
            return 0;
    }
    if (w->n_units >= MAX_UNITS)
        return err_set(err, IA_ERR_PROTOCOL, "organizations ListChildren: more than %d OUs; giving up",
                       MAX_UNITS);
    return push_string(&w->units, &w->n_units, &w->cap_units, id, err);
}

static int take_children(void *ud, const cJSON *answer, ia_err *err)
{
    const cJSON *children = cJSON_GetObjectItemCaseSensitive(answer, "Children"), *child;

    if (children && !cJSON_IsArray(children))
        return err_set(err, IA_ERR_PROTOCOL, "organizations ListChildren: 'Children' is not a list");
    cJSON_ArrayForEach(child, children)
    {
        const char *id = str_member(child, "Id");

        if (!id || !str_starts_with(id, "ou-") || !org_valid_parent_id(id))
            return err_set(err, IA_ERR_PROTOCOL, "organizations ListChildren: a child has no OU Id ('%.64s')",
                           id ? id : "(none)");
        if (add_unit(ud, id, err) != 0)
            return -1;
    }
    return 0;
}

static int take_parent_accounts(void *ud, const cJSON *answer, ia_err *err)
{
    org_walk *w = ud;
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(answer, "Accounts"), *account;

    if (accounts && !cJSON_IsArray(accounts))
        return err_set(err, IA_ERR_PROTOCOL, "organizations ListAccountsForParent: 'Accounts' is not a list");
    cJSON_ArrayForEach(account, accounts)
    {
        const char *id = str_member(account, "Id");

        if (!id || !targets_valid_account_id(id))
            return err_set(err, IA_ERR_PROTOCOL,
                           "organizations ListAccountsForParent: an account has no "
                           "12-digit Id");
        if (push_string(&w->accounts, &w->n_accounts, &w->cap_accounts, id, err) != 0)
            return -1;
    }
    return 0;
}

static int cmp_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Replaces targets with those of its accounts found in w (sorted), in their order. */
static int keep_found(const org_walk *w, collect_targets *targets, ia_err *err)
{
    collect_targets kept = {0};

    for (size_t i = 0; i < targets->n; i++) {
        const collect_target *t = &targets->items[i];

        if (w->n_accounts && bsearch(&t->id, w->accounts, w->n_accounts, sizeof(*w->accounts), cmp_string) &&
            targets_add(&kept, t->id, t->name, err) != 0) {
            targets_free(&kept);
            return -1;
        }
    }
    targets_free(targets);
    *targets = kept;
    return 0;
}

/* Adds "org_units" (the n units) to every entry of organizations. */
static int record_units(cJSON *organizations, const char *const *units, size_t n, ia_err *err)
{
    cJSON *org;

    cJSON_ArrayForEach(org, organizations)
    {
        cJSON *list = cJSON_AddArrayToObject(org, "org_units");

        for (size_t i = 0; list && i < n; i++) {
            if (!cJSON_AddItemToArray(list, cJSON_CreateString(units[i])))
                list = NULL;
        }
        if (!list)
            return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    return 0;
}

int org_keep_under(aws_client *c, creds_provider *creds, const char *region, const char *const *units,
                   size_t n, cJSON *organizations, collect_targets *targets, ia_err *err)
{
    aws_call call = {&AWS_ORGANIZATIONS, region, creds, 0, false, NULL};
    org_walk w = {0};
    size_t given;
    int rc = -1;

    for (size_t i = 0; i < n; i++) {
        if (add_unit(&w, units[i], err) != 0)
            goto out;
    }
    given = w.n_units; /* the units asked for, each once; those found under them follow */
    /* Breadth first: w.units grows as children are found, and each is read once. */
    for (size_t i = 0; i < w.n_units; i++) {
        const char *parent = w.units[i];

        if (list_all(c, &call, "ListAccountsForParent", parent, NULL, take_parent_accounts, &w, err) == 0 &&
            list_all(c, &call, "ListChildren", parent, "ORGANIZATIONAL_UNIT", take_children, &w, err) == 0)
            continue;
        if (strcmp(err->aws_code, "ParentNotFoundException") == 0 ||
            strcmp(err->aws_code, "ChildNotFoundException") == 0) {
            if (i < given)
                err_prefix(err, "--org-unit %s: no such OU or root in the Organization", parent);
            else
                err_prefix(err, "OU %s (found under --org-unit) is no longer in the Organization", parent);
        } else {
            err_prefix(err, "cannot list the accounts under %s", parent);
        }
        goto out;
    }
    if (w.n_accounts)
        qsort(w.accounts, w.n_accounts, sizeof(*w.accounts), cmp_string);
    rc = keep_found(&w, targets, err) != 0 ? -1 : record_units(organizations, units, n, err);
out:
    free_strings(w.units, w.n_units);
    free_strings(w.accounts, w.n_accounts);
    return rc;
}
