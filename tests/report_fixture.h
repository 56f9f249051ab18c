#ifndef IMGAUDIT_TESTS_REPORT_FIXTURE_H
#define IMGAUDIT_TESTS_REPORT_FIXTURE_H

/*
 * Builds a results model from a fixture file under tests/data/reports, the
 * way the rule engine fills it, so that the report writers' tests share their
 * inputs. A fixture is one JSON document:
 *
 *   evaluated_at   the run's time
 *   snapshot       a snapshot document (docs/snapshot.md): accounts, regions, resources, errors;
 *                  the resources are kept as evaluation keeps them (results_add_resource)
 *   rules[]        id, title, description, remediation, resource_type, severity, file
 *   waivers[]      rule, resource, account, region, reason, owner, expires, file, line, state, matched
 *   results[]      rule (id), resource (index into snapshot.resources), status (pass|fail|waived),
 *                  message, waiver (index), change (new|existing), first_seen
 *   resolved[]     rule, resource_type, resource_id, account, region, message, first_seen
 *   has_baseline   true when the run was compared with a baseline
 *   org_accounts[] id, name, state, organization: the Organization's members, sorted by id, as the
 *                  snapshot reader leaves them; present means the snapshot has an Organization
 *   trusted[]      the accounts the sharing rules trust, sorted; present means they are known
 *
 * Items are laid out rule by rule in rule order, as the engine does. A
 * resource's display name is its Name (WorkSpaces) or DisplayName (AppStream).
 */

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/results.h"
#include "testutil.h"
#include "util/str.h"

typedef struct report_fixture {
    cJSON *doc; /* owns every string the model borrows */
    results r;
    snap_org_account *org; /* owned: what r.org_accounts points at */
    const char **trusted;  /* owned array: what r.trusted points at */
} report_fixture;

#define FIXTURE_UNUSED __attribute__((unused))

static const char *fixture_str(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static severity fixture_severity(const char *s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};

    for (int i = 0; i < 5; i++) {
        if (s && strcmp(s, names[i]) == 0)
            return (severity)i;
    }
    return SEV_INFO;
}

static char *fixture_dup(const char *s)
{
    return s ? str_dup(s) : NULL;
}

/* Frees what fixture_load made (the model with results_free, then the document it borrows from). */
static FIXTURE_UNUSED void fixture_free(report_fixture *f)
{
    results_free(&f->r);
    free(f->org);
    free(f->trusted);
    cJSON_Delete(f->doc);
    memset(f, 0, sizeof(*f));
}

/* The snapshot's resources, kept as evaluation keeps them (results_add_resource: data read, not kept). */
static void fixture_load_resources(report_fixture *f, const cJSON *snapshot)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(snapshot, "resources"), *it;

    cJSON_ArrayForEach(it, list)
    {
        snap_resource res;

        res.type = fixture_str(it, "type");
        res.id = fixture_str(it, "id");
        res.account = fixture_str(it, "account");
        res.region = fixture_str(it, "region");
        res.data = cJSON_GetObjectItemCaseSensitive(it, "data");
        res.name = fixture_str(res.data, "DisplayName");
        if (!res.name)
            res.name = fixture_str(res.data, "Name");
        if (res.name && res.id && strcmp(res.name, res.id) == 0)
            res.name = NULL;
        CU_ASSERT_EQUAL_FATAL(results_add_resource(&f->r, &res), 0);
    }
}

static void fixture_load_rules(report_fixture *f)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->doc, "rules"), *it;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;

    f->r.rules = calloc(n ? n : 1, sizeof(*f->r.rules));
    CU_ASSERT_FATAL(f->r.rules != NULL);
    cJSON_ArrayForEach(it, list)
    {
        rule_info *ru = &f->r.rules[i++];

        ru->id = fixture_str(it, "id");
        ru->title = fixture_str(it, "title");
        ru->description = fixture_str(it, "description");
        ru->remediation = fixture_str(it, "remediation");
        ru->resource_type = fixture_str(it, "resource_type");
        ru->sev = fixture_severity(fixture_str(it, "severity"));
        ru->file = fixture_str(it, "file");
    }
    f->r.n_rules = n;
}

static void fixture_load_waivers(report_fixture *f)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->doc, "waivers"), *it;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;

    f->r.waivers = calloc(n ? n : 1, sizeof(*f->r.waivers));
    CU_ASSERT_FATAL(f->r.waivers != NULL);
    cJSON_ArrayForEach(it, list)
    {
        waiver_info *w = &f->r.waivers[i++];
        const char *state = fixture_str(it, "state");
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(it, "line");
        const cJSON *matched = cJSON_GetObjectItemCaseSensitive(it, "matched");

        w->rule = fixture_str(it, "rule");
        w->resource = fixture_str(it, "resource");
        w->account = fixture_str(it, "account");
        w->region = fixture_str(it, "region");
        w->reason = fixture_str(it, "reason");
        w->owner = fixture_str(it, "owner");
        w->expires = fixture_str(it, "expires");
        w->file = fixture_str(it, "file");
        w->line = cJSON_IsNumber(line) ? (unsigned)line->valueint : 0;
        w->matched = cJSON_IsNumber(matched) ? (size_t)matched->valueint : 0;
        w->state = WAIVER_APPLIED;
        if (state && strcmp(state, "expired") == 0)
            w->state = WAIVER_EXPIRED;
        else if (state && strcmp(state, "unused") == 0)
            w->state = WAIVER_UNUSED;
    }
    f->r.n_waivers = n;
}

static void fixture_load_items(report_fixture *f)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->doc, "results"), *it;
    size_t n = (size_t)cJSON_GetArraySize(list), k = 0;

    f->r.items = calloc(n ? n : 1, sizeof(*f->r.items));
    CU_ASSERT_FATAL(f->r.items != NULL);
    for (size_t ru = 0; ru < f->r.n_rules; ru++) {
        cJSON_ArrayForEach(it, list)
        {
            const char *rule = fixture_str(it, "rule"), *status = fixture_str(it, "status");
            const char *change = fixture_str(it, "change");
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(it, "resource");
            const cJSON *waiver = cJSON_GetObjectItemCaseSensitive(it, "waiver");
            result *item;

            if (!rule || strcmp(rule, f->r.rules[ru].id) != 0)
                continue;
            CU_ASSERT_FATAL(cJSON_IsNumber(res) && res->valueint >= 0 &&
                            (size_t)res->valueint < f->r.n_resources);
            item = &f->r.items[k++];
            item->rule = (uint32_t)ru;
            item->resource = (uint32_t)res->valueint;
            item->waiver = cJSON_IsNumber(waiver) ? (int32_t)waiver->valueint : -1;
            item->status = RESULT_PASS;
            if (status && strcmp(status, "fail") == 0)
                item->status = RESULT_FAIL;
            else if (status && strcmp(status, "waived") == 0)
                item->status = RESULT_WAIVED;
            item->change = CHANGE_NONE;
            if (change && strcmp(change, "new") == 0)
                item->change = CHANGE_NEW;
            else if (change && strcmp(change, "existing") == 0)
                item->change = CHANGE_EXISTING;
            item->message = fixture_dup(fixture_str(it, "message"));
            item->first_seen = fixture_dup(fixture_str(it, "first_seen"));
        }
    }
    CU_ASSERT_FATAL(k == n); /* every result names a rule of the fixture */
    f->r.n_items = n;
}

static void fixture_load_resolved(report_fixture *f)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->doc, "resolved"), *it;
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;

    f->r.resolved = calloc(n ? n : 1, sizeof(*f->r.resolved));
    CU_ASSERT_FATAL(f->r.resolved != NULL);
    cJSON_ArrayForEach(it, list)
    {
        resolved_failure *rf = &f->r.resolved[i++];

        rf->rule = fixture_dup(fixture_str(it, "rule"));
        rf->resource_type = fixture_dup(fixture_str(it, "resource_type"));
        rf->resource_id = fixture_dup(fixture_str(it, "resource_id"));
        rf->account = fixture_dup(fixture_str(it, "account"));
        rf->region = fixture_dup(fixture_str(it, "region"));
        rf->message = fixture_dup(fixture_str(it, "message"));
        rf->first_seen = fixture_dup(fixture_str(it, "first_seen"));
    }
    f->r.n_resolved = n;
}

/* The Organization's members and the trusted accounts, when the fixture names them; both must be sorted. */
static void fixture_load_sharing_context(report_fixture *f)
{
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(f->doc, "org_accounts");
    const cJSON *trusted = cJSON_GetObjectItemCaseSensitive(f->doc, "trusted"), *it;
    size_t n = 0;

    if (cJSON_IsArray(members)) {
        f->org = calloc((size_t)cJSON_GetArraySize(members) + 1, sizeof(*f->org));
        CU_ASSERT_FATAL(f->org != NULL);
        cJSON_ArrayForEach(it, members)
        {
            f->org[n] = (snap_org_account){fixture_str(it, "id"), fixture_str(it, "name"),
                                           fixture_str(it, "state"), fixture_str(it, "organization")};
            CU_ASSERT_FATAL(f->org[n].id && (!n || strcmp(f->org[n - 1].id, f->org[n].id) < 0));
            n++;
        }
        f->r.org_accounts = f->org;
        f->r.n_org_accounts = n;
        f->r.has_organization = 1;
    }
    n = 0;
    if (cJSON_IsArray(trusted)) {
        f->trusted = calloc((size_t)cJSON_GetArraySize(trusted) + 1, sizeof(*f->trusted));
        CU_ASSERT_FATAL(f->trusted != NULL);
        cJSON_ArrayForEach(it, trusted)
        {
            f->trusted[n] = cJSON_GetStringValue(it);
            CU_ASSERT_FATAL(f->trusted[n] && (!n || strcmp(f->trusted[n - 1], f->trusted[n]) < 0));
            n++;
        }
        f->r.trusted = f->trusted;
        f->r.n_trusted = n;
        f->r.trust_known = 1;
    }
}

/* Makes r what a snapshot without an Organization and rules without trusted accounts leave. */
static FIXTURE_UNUSED void fixture_forget_sharing_context(results *r)
{
    r->org_accounts = NULL;
    r->n_org_accounts = 0;
    r->has_organization = 0;
    r->trusted = NULL;
    r->n_trusted = 0;
    r->trust_known = 0;
}

/* Loads tests/data/reports/<rel> into f; fails the running test when the file is missing or malformed. */
static FIXTURE_UNUSED void fixture_load(report_fixture *f, const char *rel)
{
    char path[256];
    char *text;
    const cJSON *snapshot;

    memset(f, 0, sizeof(*f));
    snprintf(path, sizeof(path), "reports/%s", rel);
    text = testutil_read_file(testutil_data_path(path), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    f->doc = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->doc);
    snapshot = cJSON_GetObjectItemCaseSensitive(f->doc, "snapshot");
    CU_ASSERT_FATAL(cJSON_IsObject(snapshot));
    f->r.snapshot = snapshot;
    f->r.errors = cJSON_GetObjectItemCaseSensitive(snapshot, "errors");
    if (fixture_str(f->doc, "evaluated_at"))
        str_copy(f->r.evaluated_at, sizeof(f->r.evaluated_at), fixture_str(f->doc, "evaluated_at"));
    f->r.has_baseline = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f->doc, "has_baseline"));
    fixture_load_resources(f, snapshot);
    fixture_load_rules(f);
    fixture_load_waivers(f);
    fixture_load_items(f);
    fixture_load_resolved(f);
    fixture_load_sharing_context(f);
}

#endif
