/* The Markdown summary: counts from the results, bounded lists, strings from the snapshot escaped. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/markdown.h"
#include "report_fixture.h"
#include "testutil.h"

static const markdown_options gated_high = {{1, SEV_HIGH, 0}};

/* Writes the summary of r into memory; owned (free()). */
static char *write_md(const results *r, const markdown_options *opt)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(markdown_write(r, opt, fp, &err), 0);
    return testutil_mem_close(&m, NULL);
}

static size_t lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void assert_has(const char *md, const char *want)
{
    if (!strstr(md, want))
        fprintf(stderr, "\n  missing: %s\n", want);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, want));
}

static void test_markdown__verdict_and_counts_are_the_results(void)
{
    report_fixture f;
    results_summary sum;
    char want[256], *md;

    fixture_load(&f, "fleet.json");
    results_summarize(&f.r, &sum);
    md = write_md(&f.r, &gated_high);
    CU_ASSERT_EQUAL(strncmp(md, "## imgaudit: failed\n", 20), 0);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--) {
        snprintf(want, sizeof(want), "| %s | %zu | %zu |\n", severity_name((severity)s),
                 sum.by_severity[s][RESULT_FAIL], sum.by_severity[s][RESULT_WAIVED]);
        assert_has(md, want);
    }
    snprintf(want, sizeof(want), "| **total** | %zu | %zu |\n", sum.by_status[RESULT_FAIL],
             sum.by_status[RESULT_WAIVED]);
    assert_has(md, want);
    snprintf(want, sizeof(want), "%zu results: %zu failed, %zu waived, %zu passed", sum.total,
             sum.by_status[RESULT_FAIL], sum.by_status[RESULT_WAIVED], sum.by_status[RESULT_PASS]);
    assert_has(md, want);
    assert_has(md, "Gate `--fail-on high`: **failed**");
    assert_has(md, "### Top failing rules\n");
    assert_has(md, "### Collection gaps\n\n2 errors:");
    free(md);
    md = write_md(&f.r, NULL);
    CU_ASSERT_EQUAL(strncmp(md, "## imgaudit: not gated\n", 23), 0);
    free(md);
    fixture_free(&f);
}

/* 25 rules over 400 images, every result a new failure, 40 collection errors. */
static void big_fleet(results *r, cJSON **errors)
{
    static char ids[400][32], rule_ids[25][32];

    memset(r, 0, sizeof(*r));
    r->n_rules = 25;
    r->n_resources = 400;
    r->n_items = r->n_rules * r->n_resources;
    r->rules = calloc(r->n_rules, sizeof(*r->rules));
    r->resources = calloc(r->n_resources, sizeof(*r->resources));
    r->items = calloc(r->n_items, sizeof(*r->items));
    CU_ASSERT_FATAL(r->rules && r->resources && r->items);
    for (size_t i = 0; i < r->n_rules; i++) {
        snprintf(rule_ids[i], sizeof(rule_ids[i]), "rule-%02zu", i);
        r->rules[i] = (rule_info){rule_ids[i],        "A rule",          NULL, NULL,
                                  "workspaces_image", (severity)(i % 5), "x",  {NULL, NULL, NULL}};
    }
    for (size_t i = 0; i < r->n_resources; i++) {
        snprintf(ids[i], sizeof(ids[i]), "wsi-%010zu", i);
        r->resources[i] =
            (snap_resource){"workspaces_image", ids[i], NULL, "111122223333", "eu-west-1", NULL};
    }
    for (size_t i = 0; i < r->n_items; i++)
        r->items[i] = (result){(uint32_t)(i / r->n_resources),
                               (uint32_t)(i % r->n_resources),
                               -1,
                               RESULT_FAIL,
                               CHANGE_NEW,
                               NULL,
                               NULL};
    r->has_baseline = 1;
    *errors = cJSON_CreateArray();
    for (int i = 0; i < 40; i++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddStringToObject(e, "account", "444455556666");
        cJSON_AddStringToObject(e, "service", "sts");
        cJSON_AddStringToObject(e, "operation", "AssumeRole");
        cJSON_AddStringToObject(e, "code", "AccessDenied");
        cJSON_AddItemToArray(*errors, e);
    }
    r->errors = *errors;
}

static void test_markdown__thousands_of_findings_stay_short(void)
{
    results r;
    cJSON *errors;
    char *md;

    big_fleet(&r, &errors);
    md = write_md(&r, &gated_high);
    assert_has(md, "10000 results: 10000 failed, 0 waived, 0 passed");
    assert_has(md, "10000 new, 0 still failing, 0 resolved.");
    assert_has(md, "\nand 15 more failing rules.\n");
    assert_has(md, "\nand 9990 more new failures.\n");
    assert_has(md, "\nand 30 more errors.\n");
    /* The most severe are listed: rule-04 (critical) leads both lists. */
    assert_has(md, "| rule-04 | critical | 400 |");
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| New failure |") &&
                           strstr(strstr(md, "| New failure |"), "| rule-04 | critical | 111122223333 |"));
    CU_ASSERT(lines(md) <= 80);
    CU_ASSERT(strlen(md) < 8192);
    free(md);
    cJSON_Delete(errors);
    r.errors = NULL;
    results_free(&r);
}

static void test_markdown__snapshot_strings_cannot_make_markup(void)
{
    report_fixture f;
    char *md;

    fixture_load(&f, "hostile.json");
    f.r.rules[0].title = "pipe | star *x* [link](http://evil.example) `code` $math$ :smile: \\ back";
    f.r.rules[0].id = "cc @all and @org/team \xE2\x80\xAE"
                      "exe.txt";
    md = write_md(&f.r, &gated_high);
    CU_ASSERT_PTR_NULL(strchr(md, '<'));
    CU_ASSERT_PTR_NULL(strchr(md, '\x1b'));
    CU_ASSERT_PTR_NULL(strchr(md, '\r'));
    assert_has(md,
               "pipe \\| star \\*x\\* \\[link\\](http\\://evil.example) \\`code\\` \\$math\\$ \\:smile\\: "
               "\\\\ back");
    assert_has(md, "&lt;script&gt;");
    /* No one is mentioned, nothing is reversed. */
    assert_has(md, "cc @\xE2\x80\x8B"
                   "all and @\xE2\x80\x8Borg/team  exe.txt");
    CU_ASSERT_PTR_NULL(strstr(md, "\xE2\x80\xAE"));
    assert_has(md, "Weird\"&gt;&lt;img src=x onerror=alert(1)&gt;");
    /* Every table row keeps its header's cell count: no bar from the data splits a cell. */
    for (const char *line = md; *line; line = strchr(line, '\n') + 1) {
        size_t bars = 0;

        for (const char *p = line; *p && *p != '\n'; p++)
            bars += *p == '|' && (p == line || p[-1] != '\\');
        CU_ASSERT(bars == 0 || bars == 4 || bars == 5 || bars == 6);
        if (!strchr(line, '\n'))
            break;
    }
    free(md);
    fixture_free(&f);
}

static void test_markdown__write_failure_is_an_io_error(void)
{
    report_fixture f;
    FILE *fp = testutil_dev_full();
    ia_err err;

    err_clear(&err);
    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(markdown_write(&f.r, NULL, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    fclose(fp);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"verdict_and_counts_are_the_results", test_markdown__verdict_and_counts_are_the_results},
        {"thousands_of_findings_stay_short", test_markdown__thousands_of_findings_stay_short},
        {"snapshot_strings_cannot_make_markup", test_markdown__snapshot_strings_cannot_make_markup},
        {"write_failure_is_an_io_error", test_markdown__write_failure_is_an_io_error},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("markdown", tests);
}
