/* The nightly diff: marking failures new or existing against a previous run's results, and listing resolved
 * ones. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/baseline.h"
#include "report_fixture.h"
#include "testutil.h"

/* The demo fleet as the rule engine leaves it, before any baseline: no change marks, nothing resolved. */
static void load_fresh(report_fixture *f)
{
    fixture_load(f, "fleet.json");
    for (size_t i = 0; i < f->r.n_items; i++) {
        free(f->r.items[i].first_seen);
        f->r.items[i].first_seen = NULL;
        f->r.items[i].change = CHANGE_NONE;
    }
    for (size_t i = 0; i < f->r.n_resolved; i++) {
        resolved_failure *rf = &f->r.resolved[i];

        free(rf->rule);
        free(rf->resource_type);
        free(rf->resource_id);
        free(rf->account);
        free(rf->region);
        free(rf->message);
        free(rf->first_seen);
    }
    free(f->r.resolved);
    f->r.resolved = NULL;
    f->r.n_resolved = 0;
    f->r.has_baseline = 0;
}

/* The item of rule_id on resource index res. */
static const result *item(const report_fixture *f, const char *rule_id, uint32_t res)
{
    for (size_t i = 0; i < f->r.n_items; i++) {
        if (strcmp(f->r.rules[f->r.items[i].rule].id, rule_id) == 0 && f->r.items[i].resource == res)
            return &f->r.items[i];
    }
    CU_FAIL_FATAL("no such item in the fixture");
    return NULL;
}

static int apply(report_fixture *f, const char *name, ia_err *err)
{
    char rel[128];

    snprintf(rel, sizeof(rel), "reports/%s", name);
    err_clear(err);
    return baseline_apply(&f->r, testutil_data_path(rel), err);
}

static void assert_mark(const result *it, result_change change, const char *first_seen)
{
    CU_ASSERT_EQUAL(it->change, change);
    if (!first_seen) {
        CU_ASSERT_PTR_NULL(it->first_seen);
        return;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(it->first_seen);
    if (strcmp(it->first_seen, first_seen) != 0)
        fprintf(stderr, "\n  first_seen %s, want %s\n", it->first_seen, first_seen);
    CU_ASSERT_STRING_EQUAL(it->first_seen, first_seen);
}

static void test_baseline__failures_are_new_or_existing_with_first_seen_carried(void)
{
    report_fixture f;
    ia_err err;

    load_fresh(&f);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_prev.json", &err), 0);
    CU_ASSERT_EQUAL(f.r.has_baseline, 1);
    /* In the baseline as a failure, with its first_seen. */
    assert_mark(item(&f, "ws-shared-outside-org", 2), CHANGE_EXISTING, "2026-10-02T02:04:00Z");
    assert_mark(item(&f, "as-image-shared-external", 0), CHANGE_EXISTING, "2026-09-20T02:04:00.123Z");
    /* Same rule and id but another resource type in the baseline: this one's own entry counts. */
    assert_mark(item(&f, "ws-image-age", 4), CHANGE_EXISTING, "2026-02-11T02:04:00Z");
    /* A baseline failure without first_seen was first seen when the baseline ran. */
    assert_mark(item(&f, "ws-updates-pending", 4), CHANGE_EXISTING, "2026-11-24T02:04:00Z");
    /* Waived in the baseline, failing now: new, first seen now. Absent from the baseline: new. */
    assert_mark(item(&f, "ws-byol-shared", 2), CHANGE_NEW, "2026-11-25T02:04:00Z");
    assert_mark(item(&f, "as-builder-internet", 1), CHANGE_NEW, "2026-11-25T02:04:00Z");
    /* Passing and waived results are not marked. */
    assert_mark(item(&f, "ws-updates-pending", 2), CHANGE_NONE, NULL);
    assert_mark(item(&f, "ws-byol-shared", 3), CHANGE_NONE, NULL);
    fixture_free(&f);
}

static void test_baseline__gone_failures_are_resolved_once_unless_unread(void)
{
    report_fixture f;
    ia_err err;

    load_fresh(&f);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_prev.json", &err), 0);
    /*
     * Resolved: a failure gone from an account and region this run read (listed once though the
     * baseline has it twice), and the same id under another resource type. Not resolved: a failure
     * now waived, failures in an account whose role could not be assumed, in a region whose listing
     * failed, in an account no longer audited, and of a rule this run did not load (nobody looked).
     */
    CU_ASSERT_EQUAL_FATAL(f.r.n_resolved, 2);
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].rule, "ws-shared-outside-org");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].resource_id, "wsi-5f6a7b8c9");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].resource_type, "workspaces_image");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].account, "222233334444");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].region, "eu-west-1");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].message, "Image wsi-5f6a7b8c9 is shared with 777766665555");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[0].first_seen, "2026-08-30T02:04:00Z");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[1].rule, "ws-image-age");
    CU_ASSERT_STRING_EQUAL(f.r.resolved[1].resource_type, "appstream_image");
    for (size_t i = 0; i < f.r.n_resolved; i++) {
        CU_ASSERT_STRING_NOT_EQUAL(f.r.resolved[i].resource_id, "wsi-0a1b2c3d4");
        CU_ASSERT_STRING_NOT_EQUAL(f.r.resolved[i].account, "444455556666");
        CU_ASSERT_STRING_NOT_EQUAL(f.r.resolved[i].account, "555566667777");
        CU_ASSERT_STRING_NOT_EQUAL(f.r.resolved[i].resource_id, "builder-02");
        CU_ASSERT_STRING_NOT_EQUAL(f.r.resolved[i].rule, "retired-rule");
    }
    fixture_free(&f);
}

static void test_baseline__run_time_fallbacks_for_first_seen(void)
{
    report_fixture f;
    ia_err err;

    load_fresh(&f);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_run_time.json", &err), 0);
    assert_mark(item(&f, "ws-updates-pending", 4), CHANGE_EXISTING, "2026-11-20T05:06:07Z");
    /* Everything else failing is new now. */
    assert_mark(item(&f, "ws-image-age", 4), CHANGE_NEW, "2026-11-25T02:04:00Z");
    CU_ASSERT_EQUAL(f.r.n_resolved, 0);
    /* No time anywhere in the baseline: first seen now, which is this run's time. */
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_no_time.json", &err), 0);
    assert_mark(item(&f, "ws-updates-pending", 4), CHANGE_EXISTING, "2026-11-25T02:04:00Z");
    fixture_free(&f);
}

static void test_baseline__applying_again_replaces_the_marks(void)
{
    report_fixture f;
    ia_err err;

    load_fresh(&f);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_prev.json", &err), 0);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_run_time.json", &err), 0);
    assert_mark(item(&f, "ws-shared-outside-org", 2), CHANGE_NEW, "2026-11-25T02:04:00Z");
    CU_ASSERT_EQUAL(f.r.n_resolved, 0);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_prev.json", &err), 0);
    CU_ASSERT_EQUAL(f.r.n_resolved, 2);
    fixture_free(&f);
}

/* Applies a bad file; the error names the file (and place), and the results are left as they were. */
static void expect_refused(const char *name, ia_err_kind kind, const char *msg_part, unsigned line,
                           unsigned col)
{
    report_fixture f;
    ia_err err;
    char shown[1024];

    load_fresh(&f);
    CU_ASSERT_EQUAL_FATAL(apply(&f, "baseline_prev.json", &err), 0);
    CU_ASSERT_EQUAL(apply(&f, name, &err), -1);
    CU_ASSERT_EQUAL(err.kind, kind);
    err_format(&err, shown, sizeof(shown));
    if (!strstr(shown, msg_part))
        fprintf(stderr, "\n  %s: error '%s' lacks '%s'\n", name, shown, msg_part);
    CU_ASSERT_PTR_NOT_NULL(strstr(shown, msg_part));
    CU_ASSERT_PTR_NOT_NULL(strstr(shown, name));
    CU_ASSERT_EQUAL(err.line, line);
    CU_ASSERT_EQUAL(err.column, col);
    /* Unchanged: still marked against the good baseline. */
    CU_ASSERT_EQUAL(f.r.n_resolved, 2);
    assert_mark(item(&f, "ws-shared-outside-org", 2), CHANGE_EXISTING, "2026-10-02T02:04:00Z");
    assert_mark(item(&f, "as-builder-internet", 1), CHANGE_NEW, "2026-11-25T02:04:00Z");
    fixture_free(&f);
}

static void test_baseline__bad_files_are_refused_with_where_and_why(void)
{
    expect_refused("baseline_bad_syntax.json", IA_ERR_INPUT,
                   "baseline_bad_syntax.json:3:30: invalid JSON: not a results document", 3, 30);
    expect_refused("baseline_is_snapshot.json", IA_ERR_INPUT, "is an imgaudit.snapshot document", 0, 0);
    expect_refused("baseline_no_results.json", IA_ERR_INPUT, "no \"results\" array", 0, 0);
    expect_refused("baseline_bad_field.json", IA_ERR_INPUT, "results[1].rule must be a string", 0, 0);
    expect_refused("baseline_bad_time.json", IA_ERR_INPUT, "results[0].first_seen is not an ISO-8601 time", 0,
                   0);
    expect_refused("baseline_bad_status.json", IA_ERR_INPUT, "results[0].status is \"broken\"", 0, 0);
    /* A baseline that cannot be read is bad input, as a missing snapshot is (exit 2). */
    expect_refused("no_such_baseline.json", IA_ERR_INPUT, "no_such_baseline.json", 0, 0);
}

/* Accounts, baseline failures and collection errors in the run at scale: quadratic matching takes minutes. */
#define SCALE_N 100000

/*
 * A run of SCALE_N accounts, each read in eu-west-1 with nothing failing now, against a baseline with
 * one failure in each: every one is resolved, but for the accounts a collection error covers. Every
 * account also has an error in another region, so that each failure is checked against a long list.
 */
static void test_baseline__matching_is_not_quadratic(void)
{
    cJSON *snap = cJSON_CreateObject(), *accounts = cJSON_AddArrayToObject(snap, "accounts");
    cJSON *errors = cJSON_AddArrayToObject(snap, "errors"), *doc = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(doc, "results");
    rule_info rule = {.id = "ws-stale", .resource_type = "workspaces_image", .sev = SEV_HIGH};
    results r;
    ia_err err;
    char *text, *path, id[16], res[32];
    size_t unread = 0;
    double t0, secs;

    memset(&r, 0, sizeof(r));
    cJSON_AddStringToObject(doc, "schema", "imgaudit.results");
    cJSON_AddStringToObject(doc, "evaluated_at", "2026-11-24T02:04:00Z");
    for (size_t i = 0; i < SCALE_N; i++) {
        cJSON *a = cJSON_CreateObject(), *e = cJSON_CreateObject(), *f = cJSON_CreateObject();
        const char *regions[] = {"eu-west-1"};

        snprintf(id, sizeof(id), "%012zu", 100000000000 + i * 7919 % SCALE_N);
        snprintf(res, sizeof(res), "wsi-%zu", i);
        cJSON_AddStringToObject(a, "id", id);
        cJSON_AddItemToObject(a, "regions", cJSON_CreateStringArray(regions, 1));
        cJSON_AddItemToArray(accounts, a);
        cJSON_AddStringToObject(e, "account", id);
        /* One account in ten could not be read at all; the others lost only another region. */
        if (i % 10 == 0)
            unread++;
        else
            cJSON_AddStringToObject(e, "region", "us-east-1");
        cJSON_AddItemToArray(errors, e);
        cJSON_AddStringToObject(f, "rule", rule.id);
        cJSON_AddStringToObject(f, "resource_type", rule.resource_type);
        cJSON_AddStringToObject(f, "resource_id", res);
        cJSON_AddStringToObject(f, "account", id);
        cJSON_AddStringToObject(f, "region", "eu-west-1");
        cJSON_AddStringToObject(f, "status", "fail");
        cJSON_AddItemToArray(list, f);
    }
    text = cJSON_PrintUnformatted(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    path = testutil_write_temp(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    r.snapshot = snap;
    r.errors = errors;
    r.rules = &rule;
    r.n_rules = 1;
    str_copy(r.evaluated_at, sizeof(r.evaluated_at), "2026-11-25T02:04:00Z");
    err_clear(&err);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL(baseline_apply(&r, path, &err), 0);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d baseline failures matched in %.2f s of CPU\n", SCALE_N, secs);
    /* Linear or n log n: well under a second unloaded; quadratic: minutes. */
    CU_ASSERT(secs < 20.0);
    CU_ASSERT_EQUAL(r.n_resolved, SCALE_N - unread);
    CU_ASSERT_EQUAL(r.has_baseline, 1);
    unlink(path);
    free(path);
    free(text);
    r.rules = NULL; /* borrowed from this frame */
    results_free(&r);
    cJSON_Delete(doc);
    cJSON_Delete(snap);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"failures_are_new_or_existing_with_first_seen_carried",
         test_baseline__failures_are_new_or_existing_with_first_seen_carried},
        {"gone_failures_are_resolved_once_unless_unread",
         test_baseline__gone_failures_are_resolved_once_unless_unread},
        {"run_time_fallbacks_for_first_seen", test_baseline__run_time_fallbacks_for_first_seen},
        {"applying_again_replaces_the_marks", test_baseline__applying_again_replaces_the_marks},
        {"bad_files_are_refused_with_where_and_why", test_baseline__bad_files_are_refused_with_where_and_why},
        {"matching_is_not_quadratic", test_baseline__matching_is_not_quadratic},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("baseline", tests);
}
