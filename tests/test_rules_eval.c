/*
 * Reading snapshots back (one-line errors for bad ones) and the results
 * model that evaluation fills for the report writers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/evaluate.h"
#include "testutil.h"
#include "util/buf.h"

static void expect_snapshot_error(const char *rel, unsigned line, unsigned column, const char *needle)
{
    snapshot_doc *snap = (snapshot_doc *)(uintptr_t)1;
    char path[4096];
    ia_err err;

    snprintf(path, sizeof(path), "%s", testutil_data_path(rel));
    err_clear(&err);
    CU_ASSERT_EQUAL(snapshot_doc_read(path, &snap, &err), -1);
    CU_ASSERT_PTR_NULL(snap);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, path);
    CU_ASSERT_EQUAL(err.line, line);
    CU_ASSERT_EQUAL(err.column, column);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
    if (!strstr(err.msg, needle) || err.line != line || err.column != column)
        fprintf(stderr, "\n    %s: %u:%u: %s\n", rel, err.line, err.column, err.msg);
    /* One line, naming the file. */
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
}

static void test_rules_eval__bad_snapshots(void)
{
    expect_snapshot_error("rules/snapshots/bad_json.json", 4, 3, "invalid JSON");
    expect_snapshot_error("rules/snapshots/empty.json", 0, 0, "empty file");
    expect_snapshot_error("rules/snapshots/wrong_schema.json", 0, 0, "not an imgaudit snapshot");
    expect_snapshot_error("rules/snapshots/future_version.json", 0, 0, "schema_version");
    expect_snapshot_error("rules/snapshots/no_resources.json", 0, 0, "no \"resources\" list");
    expect_snapshot_error("rules/snapshots/missing_id.json", 0, 0, "resources[1] (111122223333/us-east-1)");
    expect_snapshot_error("rules/snapshots/missing_id.json", 0, 0, "'id'");
    expect_snapshot_error("rules/snapshots/data_not_object.json", 0, 0, "'data' (an object)");
    expect_snapshot_error("rules/snapshots/no-such-file.json", 0, 0, "No such file");
}

static void test_rules_eval__snapshot_table(void)
{
    snapshot_doc *snap = NULL;
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(testutil_data_path("rules/snapshots/mixed.json"), &snap, &err),
                          0);
    CU_ASSERT_EQUAL_FATAL(snap->n_resources, 6);
    /* Display names: Name for WorkSpaces images, DisplayName (when there is one) for AppStream. */
    CU_ASSERT_STRING_EQUAL(snap->resources[0].name, "Image A");
    CU_ASSERT_PTR_NULL(snap->resources[1].name);
    CU_ASSERT_STRING_EQUAL(snap->resources[3].name, "alpha");
    CU_ASSERT_PTR_NULL(snap->resources[4].name);
    CU_ASSERT_STRING_EQUAL(snap->resources[5].account, "444455556666");
    CU_ASSERT_STRING_EQUAL(snap->resources[4].region, "us-east-1");
    CU_ASSERT_STRING_EQUAL(snap->resources[2].type, "future_resource");
    CU_ASSERT_PTR_NOT_NULL(snap->errors);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(snap->errors), 1);
    snapshot_doc_free(snap);
}

static int eval_mixed(rules_set **set, snapshot_doc **snap, results *res)
{
    char rp[4096];
    const char *p = rp;
    rules_diags diags;
    rules_clock clock;
    ia_err err;
    int rc;

    snprintf(rp, sizeof(rp), "%s", testutil_data_path("rules/snapshots/mixed_rules.yaml"));
    rules_diags_init(&diags);
    rc = rules_load(&p, 1, NULL, 0, set, &diags, &err);
    rules_diags_free(&diags);
    if (rc == 0)
        rc = rules_clock_init(&clock, "2026-11-25", &err);
    if (rc == 0)
        rc = snapshot_doc_read(testutil_data_path("rules/snapshots/mixed.json"), snap, &err);
    if (rc == 0)
        rc = rules_evaluate(*set, NULL, *snap, &clock, res, &err);
    return rc;
}

static void test_rules_eval__results_grouped_by_rule_then_snapshot_order(void)
{
    static const struct {
        const char *rule, *resource;
        result_status status;
        const char *message;
    } expected[] = {
        {"ws-error", "wsi-a", RESULT_FAIL, "wsi-a (alpha) is in ERROR"},
        {"ws-error", "wsi-b", RESULT_PASS, NULL},
        {"ws-error", "wsi-c", RESULT_FAIL, "wsi-c (gamma) is in ERROR"},
        {"as-image-failed", "img-a", RESULT_FAIL, "img-a failed"},
        {"ws-named", "wsi-a", RESULT_PASS, NULL},
        {"ws-named", "wsi-b", RESULT_FAIL, "WorkSpaces image without a name"},
        {"ws-named", "wsi-c", RESULT_PASS, NULL},
    };
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    results res;

    CU_ASSERT_EQUAL_FATAL(eval_mixed(&set, &snap, &res), 0);
    CU_ASSERT_EQUAL(res.n_rules, 3);
    /* Every resource is in the table, judged or not; the builder and the unknown type get no results. */
    CU_ASSERT_EQUAL(res.n_resources, 6);
    CU_ASSERT_EQUAL_FATAL(res.n_items, sizeof(expected) / sizeof(expected[0]));
    for (size_t i = 0; i < res.n_items; i++) {
        const result *it = &res.items[i];

        CU_ASSERT_STRING_EQUAL(res.rules[it->rule].id, expected[i].rule);
        CU_ASSERT_STRING_EQUAL(res.resources[it->resource].id, expected[i].resource);
        CU_ASSERT_EQUAL(it->status, expected[i].status);
        CU_ASSERT_EQUAL(it->waiver, -1);
        CU_ASSERT_EQUAL(it->change, CHANGE_NONE);
        CU_ASSERT_PTR_NULL(it->first_seen);
        if (expected[i].message) {
            CU_ASSERT_PTR_NOT_NULL(it->message);
            if (it->message)
                CU_ASSERT_STRING_EQUAL(it->message, expected[i].message);
        } else {
            CU_ASSERT_PTR_NULL(it->message);
        }
    }
    CU_ASSERT_EQUAL(res.rules[0].sev, SEV_HIGH);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.rules[0].file, "mixed_rules.yaml"));
    /* The snapshot is borrowed, errors included, for the writers. */
    CU_ASSERT_PTR_EQUAL(res.snapshot, snap->root);
    CU_ASSERT_PTR_EQUAL(res.errors, snap->errors);
    CU_ASSERT_EQUAL(strlen(res.evaluated_at), 20);
    CU_ASSERT_EQUAL(res.evaluated_at[10], 'T');
    CU_ASSERT_EQUAL(res.evaluated_at[19], 'Z');
    CU_ASSERT_EQUAL(res.has_baseline, 0);
    results_free(&res);
    CU_ASSERT_PTR_NULL(res.items);
    CU_ASSERT_EQUAL(res.n_items, 0);
    results_free(&res); /* twice is harmless: it was zeroed */
    results_free(NULL);
    snapshot_doc_free(snap);
    rules_set_free(set);
}

static void test_rules_eval__summary(void)
{
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    results res;
    results_summary sum;

    CU_ASSERT_EQUAL_FATAL(eval_mixed(&set, &snap, &res), 0);
    results_summarize(&res, &sum);
    CU_ASSERT_EQUAL(sum.total, 7);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_PASS], 3);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_FAIL], 4);
    CU_ASSERT_EQUAL(sum.by_status[RESULT_WAIVED], 0);
    CU_ASSERT_EQUAL(sum.by_severity[SEV_HIGH][RESULT_FAIL], 2);
    CU_ASSERT_EQUAL(sum.by_severity[SEV_HIGH][RESULT_PASS], 1);
    CU_ASSERT_EQUAL(sum.by_severity[SEV_LOW][RESULT_FAIL], 1);
    CU_ASSERT_EQUAL(sum.by_severity[SEV_INFO][RESULT_FAIL], 1);
    CU_ASSERT_EQUAL(sum.by_severity[SEV_CRITICAL][RESULT_FAIL], 0);
    results_free(&res);
    snapshot_doc_free(snap);
    rules_set_free(set);
}

static void test_rules_eval__no_rules_and_no_resources(void)
{
    const char *text = "vars: {a: 1}\n";
    const char *snap_text = "{\"schema\":\"imgaudit.snapshot\",\"schema_version\":1,\"resources\":[]}";
    rules_source src = {"vars-only.yaml", text, strlen(text)};
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    rules_diags diags;
    rules_clock clock;
    results res;
    ia_err err;

    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err), 0);
    CU_ASSERT_EQUAL(rules_set_count(set), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_parse("s.json", snap_text, strlen(snap_text), &snap, &err), 0);
    CU_ASSERT_PTR_NULL(snap->errors);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL(rules_evaluate(set, NULL, snap, &clock, &res, &err), 0);
    CU_ASSERT_EQUAL(res.n_items, 0);
    CU_ASSERT_EQUAL(res.n_resources, 0);
    results_free(&res);
    snapshot_doc_free(snap);
    rules_set_free(set);
    rules_diags_free(&diags);
}

static void test_rules_eval__names(void)
{
    severity s;

    CU_ASSERT_STRING_EQUAL(severity_name(SEV_INFO), "info");
    CU_ASSERT_STRING_EQUAL(severity_name(SEV_CRITICAL), "critical");
    CU_ASSERT_STRING_EQUAL(result_status_name(RESULT_PASS), "pass");
    CU_ASSERT_STRING_EQUAL(result_status_name(RESULT_FAIL), "fail");
    CU_ASSERT_STRING_EQUAL(result_status_name(RESULT_WAIVED), "waived");
    CU_ASSERT_STRING_EQUAL(waiver_state_name(WAIVER_UNUSED), "unused");
    CU_ASSERT_EQUAL(severity_parse("high", &s), 0);
    CU_ASSERT_EQUAL(s, SEV_HIGH);
    CU_ASSERT_EQUAL(severity_parse("HIGH", &s), -1);
    CU_ASSERT_EQUAL(severity_parse(NULL, &s), -1);
}

/* A snapshot of n WorkSpaces images over three accounts: every third in ERROR, every fifth shared. */
static char *many_images(size_t n)
{
    buf b;

    buf_init(&b, 0);
    buf_puts(&b, "{\"schema\":\"imgaudit.snapshot\",\"schema_version\":1,\"resources\":[\n");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b,
                   "%s{\"type\":\"workspaces_image\",\"account\":\"%d11111111111\",\"region\":\"eu-west-1\","
                   "\"id\":\"wsi-%zu\",\"data\":{\"ImageId\":\"wsi-%zu\",\"Name\":\"n%zu\",\"State\":\"%s\","
                   "\"Permissions\":[%s]}}\n",
                   i ? "," : "", (int)(i % 3) + 1, i, i, i, i % 3 ? "AVAILABLE" : "ERROR",
                   i % 5 ? "" : "{\"SharedAccountId\":\"999999999999\"}");
    buf_puts(&b, "]}\n");
    return buf_detach(&b);
}

/*
 * Judged as the snapshot is read, resource by resource, the results are
 * those of the whole table, in the same order (grouped by rule, then
 * snapshot order) across the blocks they are kept in; they are compact:
 * 32 bytes each, resources without their data, accounts stored once.
 */
static void test_rules_eval__streamed_results_compact_and_the_same(void)
{
    const size_t n = 70000; /* more than two blocks of results per rule */
    char *text = many_images(n), *path = testutil_write_temp(text);
    char rp[4096];
    const char *p = rp;
    rules_set *set = NULL;
    snapshot_doc *whole = NULL, *env = NULL;
    rules_run *run = NULL;
    rules_diags diags;
    rules_clock clock;
    results a, b;
    ia_err err;

    CU_ASSERT_EQUAL(sizeof(result), 32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    snprintf(rp, sizeof(rp), "%s", testutil_data_path("rules/snapshots/mixed_rules.yaml"));
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_load(&p, 1, NULL, 0, &set, &diags, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(path, &whole, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(set, NULL, whole, &clock, &a, &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_open(path, &env, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_run_start(set, NULL, env, &clock, &run, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_run_snapshot(run, env, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_run_finish(run, &b, &err), 0);
    /* Two rules of the type: each judges every image. */
    CU_ASSERT_EQUAL_FATAL(b.n_items, 2 * n);
    CU_ASSERT_EQUAL_FATAL(a.n_items, b.n_items);
    CU_ASSERT_EQUAL(b.n_resources, n);
    for (size_t i = 0; i < b.n_items; i++) {
        const result *x = &a.items[i], *y = &b.items[i];
        size_t want_rule = i < n ? 0 : 2, want_res = i % n; /* ws-error, then ws-named */

        if (x->rule != y->rule || x->resource != y->resource || x->status != y->status ||
            y->rule != want_rule || y->resource != want_res ||
            (x->message && (!y->message || strcmp(x->message, y->message) != 0))) {
            CU_FAIL("streamed results differ from the whole table's");
            break;
        }
    }
    CU_ASSERT_EQUAL(b.items[3].status, RESULT_FAIL);
    CU_ASSERT_STRING_EQUAL(b.items[3].message, "wsi-3 (n3) is in ERROR");
    CU_ASSERT_EQUAL(b.items[4].status, RESULT_PASS);
    /* Resources are kept without their data; an account is stored once however many name it. */
    CU_ASSERT_PTR_NULL(b.resources[0].data);
    CU_ASSERT_PTR_NULL(a.resources[0].data);
    CU_ASSERT_STRING_EQUAL(b.resources[n - 1].id, "wsi-69999");
    CU_ASSERT_PTR_EQUAL(b.resources[0].account, b.resources[3].account);
    CU_ASSERT_PTR_EQUAL(b.resources[0].type, b.resources[1].type);
    /* Every image's sharing facts, its grants among them. */
    CU_ASSERT_EQUAL(b.n_images, n);
    CU_ASSERT_EQUAL(b.n_grants, n / 5);
    CU_ASSERT_EQUAL(b.images[5].n_grants, 1);
    CU_ASSERT_STRING_EQUAL(b.grants[b.images[5].first_grant].account, "999999999999");
    CU_ASSERT_STRING_EQUAL(b.images[5].owner, "");
    results_free(&a);
    results_free(&b);
    snapshot_doc_free(whole);
    snapshot_doc_free(env);
    rules_set_free(set);
    rules_diags_free(&diags);
    unlink(path);
    free(path);
    free(text);
}

/*
 * The messages evaluation fills in its one buffer are rules_rule_message's,
 * one after the other: {matched} (repeated values once), walks, values that
 * are not strings, and a message past the cap, cut, before a short one.
 */
static void test_rules_eval__messages_as_rules_rule_message_fills_them(void)
{
    static const char rules_text[] =
        "rules:\n"
        "- id: m\n  title: Matched\n  severity: low\n  resource: workspaces_image\n"
        "  message: \"{ImageId}: {matched} / {P[].A} / {U} {O} {B}\"\n"
        "  when: {or: [{key: \"P[].A\", op: not-in, value: [\"1\"]}, {key: N, op: present}]}\n"
        "- id: long\n  title: Long\n  severity: low\n  resource: workspaces_image\n"
        "  message: \"{N} {N} {N} {N} {ImageId}\"\n"
        "  when: {key: N, op: present}\n";
    rules_source src = {"rules.yaml", rules_text, sizeof(rules_text) - 1};
    rules_set *set = NULL;
    snapshot_doc *snap = NULL;
    rules_diags diags;
    rules_clock clock;
    results res;
    ia_err err;
    buf text;
    char *name = malloc(5001);

    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    memset(name, 'n', 5000);
    name[5000] = '\0';
    buf_init(&text, 0);
    buf_puts(&text, "{\"schema\":\"imgaudit.snapshot\",\"schema_version\":1,\"resources\":[");
    buf_printf(&text,
               "{\"type\":\"workspaces_image\",\"account\":\"111111111111\",\"region\":\"eu-west-1\","
               "\"id\":\"a\",\"data\":{\"ImageId\":\"a\",\"N\":\"%s\",\"P\":[{\"A\":\"2\"},{\"A\":\"1\"},"
               "{\"A\":\"2\"},{\"A\":3}],\"U\":1.5,\"O\":{\"k\":[true,null]},\"B\":false}},",
               name);
    buf_puts(&text, "{\"type\":\"workspaces_image\",\"account\":\"111111111111\",\"region\":\"eu-west-1\","
                    "\"id\":\"b\",\"data\":{\"ImageId\":\"b\",\"N\":\"short\",\"P\":[]}},"
                    "{\"type\":\"workspaces_image\",\"account\":\"111111111111\",\"region\":\"eu-west-1\","
                    "\"id\":\"c\",\"data\":{\"ImageId\":\"c\",\"P\":[{\"A\":\"1\"}]}}]}");
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_parse("s.json", text.data, text.len, &snap, &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL_FATAL(rules_evaluate(set, NULL, snap, &clock, &res, &err), 0);
    CU_ASSERT_EQUAL_FATAL(res.n_items, 6);
    for (size_t i = 0; i < res.n_items; i++) {
        const result *it = &res.items[i];
        char *want = rules_rule_message(set, it->rule, &snap->resources[it->resource], &clock);

        CU_ASSERT_EQUAL(it->status, it->resource == 2 ? RESULT_PASS : RESULT_FAIL);
        if (it->status == RESULT_FAIL) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(it->message);
            CU_ASSERT_STRING_EQUAL(it->message, want);
        }
        free(want);
    }
    fprintf(stderr, "[%s] [%zu]\n", res.items[0].message, strlen(res.items[3].message));
    /* The long one lost its fourth name to the cap (what follows it fits); the short one after it is whole.
     */
    CU_ASSERT_EQUAL(strlen(res.items[3].message), 3 * 5000 + 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.items[3].message, "nn  a"));
    CU_ASSERT_STRING_EQUAL(res.items[4].message, "short short short short b");
    CU_ASSERT_PTR_NOT_NULL(strstr(res.items[0].message, "a: 2, 3, nnn"));
    CU_ASSERT_PTR_NOT_NULL(strstr(res.items[0].message, "n / 2, 1, 2, 3 / 1.5 {\"k\":[true,null]} false"));
    CU_ASSERT_STRING_EQUAL(res.items[1].message, "b: short / (none) / (none) (none) (none)");
    results_free(&res);
    snapshot_doc_free(snap);
    rules_set_free(set);
    rules_diags_free(&diags);
    buf_free(&text);
    free(name);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"bad_snapshots", test_rules_eval__bad_snapshots},
        {"snapshot_table", test_rules_eval__snapshot_table},
        {"results_grouped_by_rule_then_snapshot_order",
         test_rules_eval__results_grouped_by_rule_then_snapshot_order},
        {"summary", test_rules_eval__summary},
        {"no_rules_and_no_resources", test_rules_eval__no_rules_and_no_resources},
        {"names", test_rules_eval__names},
        {"streamed_results_compact_and_the_same", test_rules_eval__streamed_results_compact_and_the_same},
        {"messages_as_rules_rule_message_fills_them",
         test_rules_eval__messages_as_rules_rule_message_fills_them},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_eval", tests);
}
