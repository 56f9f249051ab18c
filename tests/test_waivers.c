/*
 * Waivers: loading with positioned errors, matching by rule/resource/
 * account/region (ids and globs, first match wins), and expiry against an
 * injected "today" (--today, IMGAUDIT_TODAY), including the last valid day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/evaluate.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/timefmt.h"

/* What one evaluation of snapshots/waivers.json produced. */
typedef struct run {
    rules_set *set;
    waivers *w;
    snapshot_doc *snap;
    results res;
} run;

static void run_free(run *r)
{
    results_free(&r->res);
    snapshot_doc_free(r->snap);
    waivers_free(r->w);
    rules_set_free(r->set);
    memset(r, 0, sizeof(*r));
}

static int run_eval(run *r, const char *today)
{
    char rules_path[4096], waivers_path[4096], snap_path[4096];
    const char *rp = rules_path, *wp = waivers_path;
    rules_diags diags;
    rules_clock clock;
    ia_err err;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    snprintf(rules_path, sizeof(rules_path), "%s", testutil_data_path("rules/waivers/rules.yaml"));
    snprintf(waivers_path, sizeof(waivers_path), "%s", testutil_data_path("rules/waivers/matching.yaml"));
    snprintf(snap_path, sizeof(snap_path), "%s", testutil_data_path("rules/snapshots/waivers.json"));
    rules_diags_init(&diags);
    if (rules_clock_init(&clock, today, &err) == 0 &&
        rules_load(&rp, 1, NULL, 0, &r->set, &diags, &err) == 0 &&
        waivers_load(&wp, 1, &r->w, &diags, &err) == 0 && snapshot_doc_read(snap_path, &r->snap, &err) == 0 &&
        rules_evaluate(r->set, r->w, r->snap, &clock, &r->res, &err) == 0)
        rc = 0;
    else
        fprintf(stderr, "\n    setup failed: %s:%u:%u: %s\n", err.file, err.line, err.column, err.msg);
    rules_diags_free(&diags);
    return rc;
}

/* The result for (rule id, resource id), or NULL. */
static const result *find(const results *res, const char *rule, const char *resource)
{
    for (size_t i = 0; i < res->n_items; i++) {
        const result *it = &res->items[i];

        if (strcmp(res->rules[it->rule].id, rule) == 0 &&
            strcmp(res->resources[it->resource].id, resource) == 0)
            return it;
    }
    return NULL;
}

/* The reason of the waiver that waived (rule, resource), or "-" when it was not waived. */
static const char *waived_by(const results *res, const char *rule, const char *resource)
{
    const result *it = find(res, rule, resource);

    if (!it)
        return "(no result)";
    if (it->status != RESULT_WAIVED || it->waiver < 0)
        return "-";
    return res->waivers[it->waiver].reason;
}

static void test_waivers__load_fields(void)
{
    const char *path = testutil_data_path("rules/waivers/matching.yaml");
    rules_diags diags;
    waivers *w = NULL;
    ia_err err;
    const waiver_info *wi;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(waivers_load(&path, 1, &w, &diags, &err), 0);
    CU_ASSERT_EQUAL(diags.n, 0);
    CU_ASSERT_EQUAL_FATAL(waivers_count(w), 7);
    wi = waivers_get(w, 0);
    CU_ASSERT_STRING_EQUAL(wi->rule, "ws-error-state");
    CU_ASSERT_STRING_EQUAL(wi->resource, "wsi-0001");
    CU_ASSERT_PTR_NULL(wi->account);
    CU_ASSERT_PTR_NULL(wi->region);
    CU_ASSERT_STRING_EQUAL(wi->owner, "desktop-team");
    CU_ASSERT_STRING_EQUAL(wi->expires, "2026-12-31");
    CU_ASSERT_EQUAL(wi->line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(wi->file, "matching.yaml"));
    wi = waivers_get(w, 1);
    CU_ASSERT_STRING_EQUAL(wi->account, "444455556666");
    CU_ASSERT_PTR_NULL(wi->owner);
    /* A quoted date reads the same as a plain one. */
    CU_ASSERT_STRING_EQUAL(waivers_get(w, 2)->expires, "2026-11-25");
    waivers_free(w);
    rules_diags_free(&diags);
}

static void test_waivers__matching_by_rule_resource_account_region(void)
{
    run r;

    if (run_eval(&r, "2026-11-25") != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "ws-error-state", "wsi-0001"), "W0 exact rule and resource");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "ws-error-state", "wsi-1001"), "W1 rule glob, one account");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "ws-shared", "wsi-1001"), "W1 rule glob, one account");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "ws-shared", "wsi-0001"), "W5 resource glob and region");
    /* A pass is never waived; an expired waiver leaves a failure failing. */
    CU_ASSERT_EQUAL(find(&r.res, "ws-shared", "wsi-0002")->status, RESULT_PASS);
    CU_ASSERT_EQUAL(find(&r.res, "as-builder-internet", "builder-a")->status, RESULT_FAIL);
    CU_ASSERT_EQUAL(find(&r.res, "as-builder-internet", "builder-a")->waiver, -1);
    CU_ASSERT_EQUAL(find(&r.res, "as-builder-internet", "builder-b")->status, RESULT_PASS);
    /* A waived failure keeps its message. */
    CU_ASSERT_STRING_EQUAL(find(&r.res, "ws-shared", "wsi-1001")->message,
                           "wsi-1001 is shared with 111122223333");
    run_free(&r);
}

static void test_waivers__states_and_counts(void)
{
    static const waiver_state expected_state[7] = {WAIVER_APPLIED, WAIVER_APPLIED, WAIVER_APPLIED,
                                                   WAIVER_UNUSED,  WAIVER_EXPIRED, WAIVER_APPLIED,
                                                   WAIVER_UNUSED};
    static const size_t expected_matched[7] = {1, 2, 1, 0, 0, 1, 0};
    results_summary sum;
    run r;

    if (run_eval(&r, "2026-11-25") != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(r.res.n_waivers, 7);
    for (size_t i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL(r.res.waivers[i].state, expected_state[i]);
        CU_ASSERT_EQUAL(r.res.waivers[i].matched, expected_matched[i]);
    }
    results_summarize(&r.res, &sum);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_WAIVED], 5);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_FAIL], 1);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_PASS], 2);
    CU_ASSERT_EQUAL(sum.waivers_expired, 1);
    CU_ASSERT_EQUAL(sum.waivers_unused, 2);
    CU_ASSERT_STRING_EQUAL(waiver_state_name(WAIVER_EXPIRED), "expired");
    run_free(&r);
}

static void test_waivers__expiry_is_inclusive_of_the_last_day(void)
{
    run r;

    /* W2 expires 2026-11-25: it still applies that day... */
    if (run_eval(&r, "2026-11-25") != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "ws-error-state", "wsi-0002"),
                           "W2 expires on the day of the test");
    run_free(&r);
    /* ...and not the day after, when it is reported as expired. */
    if (run_eval(&r, "2026-11-26") != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    CU_ASSERT_EQUAL(find(&r.res, "ws-error-state", "wsi-0002")->status, RESULT_FAIL);
    CU_ASSERT_EQUAL(r.res.waivers[2].state, WAIVER_EXPIRED);
    CU_ASSERT_EQUAL(r.res.waivers[0].state, WAIVER_APPLIED);
    run_free(&r);
    /* Much later every waiver has expired and nothing is waived. */
    if (run_eval(&r, "2030-01-01") != 0) {
        CU_FAIL("evaluation failed");
        return;
    }
    for (size_t i = 0; i < r.res.n_waivers; i++)
        CU_ASSERT_EQUAL(r.res.waivers[i].state, WAIVER_EXPIRED);
    for (size_t i = 0; i < r.res.n_items; i++)
        CU_ASSERT_NOT_EQUAL(r.res.items[i].status, RESULT_WAIVED);
    run_free(&r);
}

static void test_waivers__today_from_environment(void)
{
    rules_clock clock;
    ia_err err;
    int64_t day;
    run r;

    CU_ASSERT_EQUAL_FATAL(setenv("IMGAUDIT_TODAY", "2026-11-26", 1), 0);
    CU_ASSERT_EQUAL(rules_clock_init(&clock, NULL, &err), 0);
    CU_ASSERT_TRUE(timefmt_date_parse("2026-11-26", &day));
    CU_ASSERT_EQUAL(clock.today, day);
    CU_ASSERT_EQUAL(clock.now_s, day * 86400);
    /* The environment decides expiry when no --today is given... */
    if (run_eval(&r, NULL) == 0) {
        CU_ASSERT_EQUAL(r.res.waivers[2].state, WAIVER_EXPIRED);
        run_free(&r);
    } else {
        CU_FAIL("evaluation failed");
    }
    /* ...and --today wins over it. */
    if (run_eval(&r, "2026-11-25") == 0) {
        CU_ASSERT_EQUAL(r.res.waivers[2].state, WAIVER_APPLIED);
        run_free(&r);
    } else {
        CU_FAIL("evaluation failed");
    }
    CU_ASSERT_EQUAL_FATAL(setenv("IMGAUDIT_TODAY", "26/11/2026", 1), 0);
    CU_ASSERT_EQUAL(rules_clock_init(&clock, NULL, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "IMGAUDIT_TODAY"));
    CU_ASSERT_EQUAL(rules_clock_init(&clock, "2026-13-01", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--today"));
    unsetenv("IMGAUDIT_TODAY");
    /* Without either, the system clock: some day after this code was written. */
    CU_ASSERT_EQUAL(rules_clock_init(&clock, NULL, &err), 0);
    CU_ASSERT_TRUE(timefmt_date_parse("2025-01-01", &day));
    CU_ASSERT_TRUE(clock.today > day);
}

static void test_waivers__match_functions(void)
{
    const char *text = "waivers:\n"
                       "  - {rule: 'workspaces-*', resource: 'wsi-[0-9]*', region: 'eu-*', reason: r, "
                       "expires: 2026-01-01}\n";
    rules_source src = {"w.yaml", text, strlen(text)};
    snap_resource res = {"workspaces_image", "wsi-123", NULL, "111122223333", "eu-west-1", NULL};
    rules_diags diags;
    waivers *w = NULL;
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(waivers_load_sources(&src, 1, &w, &diags, &err), 0);
    CU_ASSERT_TRUE(waivers_match_rule(w, 0, "workspaces-image-stale"));
    CU_ASSERT_FALSE(waivers_match_rule(w, 0, "appstream-image-shared-untrusted"));
    CU_ASSERT_TRUE(waivers_match_resource(w, 0, &res));
    res.region = "us-east-1";
    CU_ASSERT_FALSE(waivers_match_resource(w, 0, &res));
    res.region = "eu-central-1";
    res.id = "wsi-abc";
    CU_ASSERT_FALSE(waivers_match_resource(w, 0, &res));
    CU_ASSERT_FALSE(waivers_expired(w, 0, timefmt_days_from_civil(2026, 1, 1)));
    CU_ASSERT_TRUE(waivers_expired(w, 0, timefmt_days_from_civil(2026, 1, 2)));
    waivers_free(w);
    rules_diags_free(&diags);
}

static void test_waivers__errors_with_positions_all_at_once(void)
{
    char path[4096], exp_path[4096];
    const char *p = path;
    char *expected, *line, *next;
    rules_diags diags;
    waivers *w = NULL;
    ia_err err;
    size_t i = 0;

    snprintf(path, sizeof(path), "%s", testutil_data_path("rules/waivers/bad.yaml"));
    snprintf(exp_path, sizeof(exp_path), "%s", testutil_data_path("rules/waivers/bad.expected"));
    expected = testutil_read_file(exp_path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(waivers_load(&p, 1, &w, &diags, &err), -1);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 2);
    for (line = expected; line && *line; line = next) {
        char got[1024];

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (i >= diags.n) {
            fprintf(stderr, "\n    missing: %s\n", line);
            CU_FAIL("a problem was not reported");
            continue;
        }
        CU_ASSERT_STRING_EQUAL(diags.items[i].file, path);
        snprintf(got, sizeof(got), "%u:%u: %s", diags.items[i].line, diags.items[i].column,
                 diags.items[i].msg);
        if (strcmp(got, line) != 0) {
            fprintf(stderr, "\n    got      %s\n    expected %s\n", got, line);
            CU_FAIL("problem differs from bad.expected");
        }
        i++;
    }
    CU_ASSERT_EQUAL(diags.n, i);
    rules_diags_free(&diags);
    free(expected);
}

static void test_waivers__structure_and_syntax_errors(void)
{
    char a[4096], b[4096], c[4096];
    const char *paths[3] = {a, b, c};
    rules_diags diags;
    waivers *w = NULL;
    ia_err err;

    snprintf(a, sizeof(a), "%s", testutil_data_path("rules/waivers/not_a_list.yaml"));
    snprintf(b, sizeof(b), "%s", testutil_data_path("rules/waivers/syntax.yaml"));
    snprintf(c, sizeof(c), "%s", testutil_data_path("rules/waivers/missing.yaml"));
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(waivers_load(paths, 3, &w, &diags, &err), -1);
    CU_ASSERT_EQUAL_FATAL(diags.n, 3);
    CU_ASSERT_STRING_EQUAL(diags.items[0].file, a);
    CU_ASSERT_EQUAL(diags.items[0].line, 2);
    CU_ASSERT_EQUAL(diags.items[0].column, 3);
    CU_ASSERT_STRING_EQUAL(diags.items[0].msg, "'waivers' must be a list, not a mapping");
    CU_ASSERT_STRING_EQUAL(diags.items[1].file, b);
    CU_ASSERT_EQUAL(diags.items[1].line, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(diags.items[1].msg, "YAML syntax error"));
    CU_ASSERT_STRING_EQUAL(diags.items[2].file, c);
    CU_ASSERT_EQUAL(diags.items[2].line, 0);
    rules_diags_free(&diags);
}

static void test_waivers__empty_file_waives_nothing(void)
{
    rules_source srcs[2] = {{"empty.yaml", "", 0}, {"none.yaml", "waivers: []\n", 12}};
    rules_diags diags;
    waivers *w = NULL;
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL(waivers_load_sources(srcs, 2, &w, &diags, &err), 0);
    CU_ASSERT_EQUAL(waivers_count(w), 0);
    waivers_free(w);
    rules_diags_free(&diags);
}

/*
 * 50,000 failing images and a waiver for each, named by id (in another order), between two globs: each
 * result finds its waiver by binary search. Trying every waiver for every result, as before, takes minutes.
 */
static void test_waivers__many_waivers_by_id_are_not_tried_in_turn(void)
{
    enum { N = 50000, FILES = 2 };
    static const char rule[] =
        "rules:\n- id: t\n  title: Test rule\n  severity: low\n  resource: workspaces_image\n"
        "  when: {State: ERROR}\n";
    rules_source rsrc = {"rule.yaml", rule, sizeof(rule) - 1}, wsrc[FILES];
    buf text[FILES];
    cJSON *doc = cJSON_CreateObject(), *list;
    char *json;
    run r;
    rules_diags diags;
    rules_clock clock;
    ia_err err;
    char id[32];
    bool written = true;
    size_t waived = 0;
    double t0, secs;

    memset(&r, 0, sizeof(r));
    cJSON_AddStringToObject(doc, "schema", "imgaudit.snapshot");
    cJSON_AddNumberToObject(doc, "schema_version", 1);
    list = cJSON_AddArrayToObject(doc, "resources");
    for (size_t f = 0; f < FILES; f++) {
        buf_init(&text[f], 0);
        written = written && buf_puts(&text[f], "waivers:\n") == 0;
    }
    written =
        written &&
        buf_puts(&text[0], "- {rule: t, resource: wsi-4?, reason: early glob, expires: 2099-01-01}\n") == 0;
    for (size_t i = 0; i < N; i++) {
        cJSON *res = cJSON_CreateObject(), *data = cJSON_AddObjectToObject(res, "data");
        size_t k = i * 7919 % N;

        snprintf(id, sizeof(id), "wsi-%zu", i);
        cJSON_AddStringToObject(res, "type", "workspaces_image");
        cJSON_AddStringToObject(res, "account", "111122223333");
        cJSON_AddStringToObject(res, "region", "eu-west-1");
        cJSON_AddStringToObject(res, "id", id);
        cJSON_AddStringToObject(data, "ImageId", id);
        cJSON_AddStringToObject(data, "State", "ERROR");
        cJSON_AddItemToArray(list, res);
        if (k != 7)
            written = written &&
                      buf_printf(&text[i % FILES],
                                 "- {rule: t, resource: wsi-%zu, reason: exact %zu, expires: 2099-01-01}\n",
                                 k, k) == 0;
    }
    written = written &&
              buf_puts(&text[FILES - 1],
                       "- {rule: t, resource: \"wsi-*\", reason: late glob, expires: 2099-01-01}\n") == 0;
    CU_ASSERT_FATAL(written);
    for (size_t f = 0; f < FILES; f++)
        wsrc[f] = (rules_source){f ? "b.yaml" : "a.yaml", buf_str(&text[f]), text[f].len};
    json = cJSON_PrintUnformatted(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_load_sources(&rsrc, 1, NULL, 0, &r.set, &diags, &err), 0);
    CU_ASSERT_EQUAL_FATAL(waivers_load_sources(wsrc, FILES, &r.w, &diags, &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_parse("snap.json", json, strlen(json), &r.snap, &err), 0);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(r.set, r.w, r.snap, &clock, &r.res, &err), 0);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d failures against %d waivers in %.2f s of CPU\n", N, N, secs);
    CU_ASSERT(secs < 10.0);
    CU_ASSERT_EQUAL_FATAL(r.res.n_items, N);
    for (size_t i = 0; i < N; i++)
        waived += r.res.items[i].status == RESULT_WAIVED;
    CU_ASSERT_EQUAL(waived, N);
    /* The first waiver in file order wins: a glob before the id's own waiver, the id's before a later glob.
     */
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "t", "wsi-45"), "early glob");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "t", "wsi-4"), "exact 4");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "t", "wsi-12345"), "exact 12345");
    CU_ASSERT_STRING_EQUAL(waived_by(&r.res, "t", "wsi-7"), "late glob");
    run_free(&r);
    rules_diags_free(&diags);
    for (size_t f = 0; f < FILES; f++)
        buf_free(&text[f]);
    free(json);
    cJSON_Delete(doc);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"load_fields", test_waivers__load_fields},
        {"matching_by_rule_resource_account_region", test_waivers__matching_by_rule_resource_account_region},
        {"states_and_counts", test_waivers__states_and_counts},
        {"expiry_is_inclusive_of_the_last_day", test_waivers__expiry_is_inclusive_of_the_last_day},
        {"today_from_environment", test_waivers__today_from_environment},
        {"match_functions", test_waivers__match_functions},
        {"errors_with_positions_all_at_once", test_waivers__errors_with_positions_all_at_once},
        {"structure_and_syntax_errors", test_waivers__structure_and_syntax_errors},
        {"empty_file_waives_nothing", test_waivers__empty_file_waives_nothing},
        {"many_waivers_by_id_are_not_tried_in_turn", test_waivers__many_waivers_by_id_are_not_tried_in_turn},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("waivers", tests);
}
