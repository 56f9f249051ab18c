/* The console summary: its text for the demo fleet, colour rules, and hostile strings kept off the terminal.
 */
#define _GNU_SOURCE /* posix_openpt, grantpt, unlockpt, ptsname: a pseudo-terminal for the colour test */

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/console.h"
#include "util/str.h"
#include "report_fixture.h"
#include "testutil.h"

/* The summary as text; owned (free()). */
static char *summary(const results *r, const console_options *opt)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);

    console_summary(r, opt, fp);
    return testutil_mem_close(&m, NULL);
}

static const console_file written[] = {
    {"junit", "reports/demo/junit.xml"},
    {"html", "reports/demo/report.html"},
    {"json", "reports/demo/results.json"},
};

static void test_console__fleet_summary_reads_as_expected(void)
{
    report_fixture f;
    console_options opt = {0, 0, written, 3, {1, SEV_HIGH, 0}};
    char *got, *want;

    fixture_load(&f, "fleet.json");
    got = summary(&f.r, &opt);
    want = testutil_read_file(testutil_data_path("reports/console_fleet.txt"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- got ---\n%s--- want ---\n%s", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    CU_ASSERT_PTR_NULL(strchr(got, '\033'));
    free(want);
    free(got);
    fixture_free(&f);
}

static void test_console__changes_lead_when_a_baseline_was_applied(void)
{
    report_fixture f;
    char *got;

    fixture_load(&f, "fleet.json");
    got = summary(&f.r, NULL);
    CU_ASSERT_EQUAL(strncmp(got, "Changes since the baseline: 2 new, 4 still failing, 1 resolved\n", 63), 0);
    free(got);
    f.r.has_baseline = 0;
    got = summary(&f.r, NULL);
    CU_ASSERT_EQUAL(strncmp(got, "Results: 27 judged", 18), 0);
    CU_ASSERT_PTR_NULL(strstr(got, "baseline"));
    free(got);
    fixture_free(&f);
}

static void test_console__gate_line_for_each_setting(void)
{
    report_fixture f;
    console_options opt;
    char *got;

    fixture_load(&f, "fleet.json");
    memset(&opt, 0, sizeof(opt));
    got = summary(&f.r, &opt);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\nGate: not gated (--fail-on none)\n"));
    free(got);
    opt.gate = (tally_gate){1, SEV_CRITICAL, 0};
    got = summary(&f.r, &opt);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(got, "\nGate (--fail-on critical): FAILED, 1 failure at or above critical\n"));
    free(got);
    opt.gate = (tally_gate){1, SEV_CRITICAL, 1};
    got = summary(&f.r, &opt);
    CU_ASSERT_PTR_NOT_NULL(strstr(
        got, "\nGate (--fail-on critical --fail-on-new): PASSED, no new failures at or above critical\n"));
    free(got);
    opt.gate = (tally_gate){1, SEV_INFO, 1};
    got = summary(&f.r, &opt);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "FAILED, 2 new failures at or above info\n"));
    free(got);
    fixture_free(&f);
}

/* A quiet run's one line says what the summary's gate line says; nothing when the gate passes or is off. */
static void test_console__gate_verdict_is_one_line_only_when_failed(void)
{
    report_fixture f;
    tally_gate gate = {0, SEV_HIGH, 0};
    char got[256];

    fixture_load(&f, "fleet.json");
    console_gate_verdict(&gate, tally_gate_count(&f.r, &gate), got, sizeof(got));
    CU_ASSERT_STRING_EQUAL(got, "");
    gate = (tally_gate){1, SEV_CRITICAL, 0};
    console_gate_verdict(&gate, tally_gate_count(&f.r, &gate), got, sizeof(got));
    CU_ASSERT_STRING_EQUAL(got, "FAILED: 1 failure at or above critical (gate --fail-on critical)");
    gate = (tally_gate){1, SEV_CRITICAL, 1};
    console_gate_verdict(&gate, tally_gate_count(&f.r, &gate), got, sizeof(got));
    CU_ASSERT_STRING_EQUAL(got, "");
    gate = (tally_gate){1, SEV_INFO, 1};
    console_gate_verdict(&gate, tally_gate_count(&f.r, &gate), got, sizeof(got));
    CU_ASSERT_STRING_EQUAL(got,
                           "FAILED: 2 new failures at or above info (gate --fail-on info --fail-on-new)");
    fixture_free(&f);
}

static void test_console__top_rules_are_limited_and_ordered_by_severity(void)
{
    report_fixture f;
    console_options opt = {0, 2, NULL, 0, {0, SEV_HIGH, 0}};
    char *got;
    const char *crit, *high;

    fixture_load(&f, "fleet.json");
    f.r.has_baseline = 0;
    got = summary(&f.r, &opt);
    crit = strstr(got, "  critical  ws-shared-outside-org");
    high = strstr(got, "  high      ws-byol-shared");
    CU_ASSERT_PTR_NOT_NULL(crit);
    CU_ASSERT_PTR_NOT_NULL(high);
    CU_ASSERT(crit < high);
    CU_ASSERT_PTR_NULL(strstr(got, "as-builder-internet  "));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ... and 4 more failing rules\n"));
    CU_ASSERT_PTR_NULL(strstr(got, "Reports written"));
    free(got);
    fixture_free(&f);
}

static void test_console__empty_run(void)
{
    report_fixture f;
    char *got;

    fixture_load(&f, "nothing.json");
    got = summary(&f.r, NULL);
    CU_ASSERT_STRING_EQUAL(
        got, "Results: 0 judged: 0 failed, 0 waived, 0 passed (0 rules, 0 resources, 0 accounts)\n"
             "Failures by severity: critical 0, high 0, medium 0, low 0, info 0\n"
             "Collection: complete\n"
             "Gate: not gated (--fail-on none)\n");
    free(got);
    fixture_free(&f);
}

/* A fleet far larger than a terminal: the summary stays a fixed number of lines, every list cut short. */
static void test_console__stays_a_few_lines_whatever_the_size(void)
{
    enum { N_RULES = 200, N_RES = 50, N_RESOLVED = 500, N_ERRORS = 300 };
    static char ids[N_RULES][16], res_ids[N_RES][16];
    static rule_info rules[N_RULES];
    static snap_resource resources[N_RES];
    static result items[N_RULES * N_RES];
    static resolved_failure resolved[N_RESOLVED];
    cJSON *snap = cJSON_CreateObject(), *errors = cJSON_AddArrayToObject(snap, "errors");
    console_options opt = {0, 0, written, 3, {1, SEV_HIGH, 0}};
    results r;
    char *got;
    size_t lines = 0;

    memset(&r, 0, sizeof(r));
    for (int i = 0; i < N_RES; i++) {
        snprintf(res_ids[i], sizeof(res_ids[i]), "wsi-%08d", i);
        resources[i] =
            (snap_resource){"workspaces_image", res_ids[i], NULL, "111122223333", "eu-west-1", NULL};
    }
    for (int i = 0; i < N_RULES; i++) {
        snprintf(ids[i], sizeof(ids[i]), "rule-%03d", i);
        rules[i] = (rule_info){ids[i],   "A title",         NULL, NULL, "workspaces_image", (severity)(i % 5),
                               "r.yaml", {NULL, NULL, NULL}};
        for (int k = 0; k < N_RES; k++)
            items[i * N_RES + k] = (result){(uint32_t)i, (uint32_t)k,           -1, RESULT_FAIL, CHANGE_NEW,
                                            "failed",    "2026-11-25T00:00:00Z"};
    }
    for (int i = 0; i < N_RESOLVED; i++)
        resolved[i] =
            (resolved_failure){ids[0],        "workspaces_image",    res_ids[0], "111122223333", "eu-west-1",
                               "was failing", "2026-11-01T00:00:00Z"};
    for (int i = 0; i < N_ERRORS; i++) {
        cJSON *e = cJSON_CreateObject();

        cJSON_AddStringToObject(e, "account", "444455556666");
        cJSON_AddStringToObject(e, "region", "us-east-1");
        cJSON_AddStringToObject(e, "service", "workspaces");
        cJSON_AddStringToObject(e, "operation", "DescribeWorkspaceImages");
        cJSON_AddStringToObject(e, "code", "Throttling");
        cJSON_AddItemToArray(errors, e);
    }
    r.rules = rules;
    r.n_rules = N_RULES;
    r.resources = resources;
    r.n_resources = N_RES;
    r.items = items;
    r.n_items = N_RULES * N_RES;
    r.resolved = resolved;
    r.n_resolved = N_RESOLVED;
    r.snapshot = snap;
    r.errors = errors;
    r.has_baseline = 1;
    got = summary(&r, &opt);
    for (const char *p = got; *p; p++)
        lines += *p == '\n';
    /* Changes 1 + 11 new + 11 resolved, results and severities 2, top rules 1 + 5 + 1, collection 1 + 11,
     * reports 1 + 3, gate 1. */
    CU_ASSERT_EQUAL(lines, 49);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ... and 9990 more new failures\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ... and 490 more resolved\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ... and 195 more failing rules\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "  ... and 290 more errors\n"));
    free(got);
    cJSON_Delete(snap);
}

/* Removes the colour codes the summary itself uses; what is left must hold no escape at all. */
static void strip_own_codes(char *s)
{
    static const char *const codes[] = {"\033[0m",  "\033[1m",  "\033[2m", "\033[31m",
                                        "\033[32m", "\033[33m", "\033[34m"};
    char *w = s;

    while (*s) {
        size_t skip = 0;

        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]) && !skip; i++) {
            if (strncmp(s, codes[i], strlen(codes[i])) == 0)
                skip = strlen(codes[i]);
        }
        if (skip) {
            s += skip;
            continue;
        }
        *w++ = *s++;
    }
    *w = '\0';
}

/* True when text holds no control character but line ends, and only well-formed UTF-8. */
static int terminal_safe(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = str_utf8_len(p);

        if (n == 0 || (*p < 0x20 && *p != '\n') || *p == 0x7f || (p[0] == 0xC2 && p[1] < 0xA0))
            return 0;
        p += n;
    }
    return 1;
}

static void test_console__hostile_strings_cannot_reach_the_terminal(void)
{
    report_fixture f;
    console_options opt = {1, 0, written, 1, {1, SEV_LOW, 0}};
    char *got;

    fixture_load(&f, "hostile.json");
    got = summary(&f.r, &opt);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "\033[1m\033[31mFAILED\033[0m"));
    strip_own_codes(got);
    /* Whatever is left is clean text: no ESC from the image names, messages or errors. */
    CU_ASSERT_PTR_NULL(strchr(got, '\033'));
    CU_ASSERT(terminal_safe(got));
    /* ... and what they held is shown, escaped. */
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "ctl\\x01\\x08\\x0b\\x0c\\x1b[31mred\\x1b[0m\\x7f\\xc2\\x85"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(got, "hostile-rule  111122223333 eu-west-1  wsi-0badc0ffee (<script>alert("));
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "Weird\"><img src=x onerror=alert(1)>\n"));
    /* Long strings are cut to one line's worth. */
    for (const char *line = got; *line;) {
        const char *nl = strchr(line, '\n');

        CU_ASSERT_FATAL(nl != NULL);
        CU_ASSERT(nl - line < 400);
        line = nl + 1;
    }
    free(got);
    fixture_free(&f);
}

static void test_console__colour_only_on_a_terminal_without_no_color(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    FILE *tty = NULL, *pipe_end = NULL;
    int fds[2];

    CU_ASSERT_FATAL(master >= 0);
    CU_ASSERT_FATAL(grantpt(master) == 0 && unlockpt(master) == 0);
    tty = fopen(ptsname(master), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tty);
    CU_ASSERT_FATAL(pipe(fds) == 0);
    pipe_end = fdopen(fds[1], "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pipe_end);

    unsetenv("NO_COLOR");
    setenv("TERM", "xterm-256color", 1);
    CU_ASSERT_EQUAL(console_color_wanted(tty), 1);
    CU_ASSERT_EQUAL(console_color_wanted(pipe_end), 0);
    setenv("NO_COLOR", "1", 1);
    CU_ASSERT_EQUAL(console_color_wanted(tty), 0);
    /* no-color.org: an empty NO_COLOR does not count. */
    setenv("NO_COLOR", "", 1);
    CU_ASSERT_EQUAL(console_color_wanted(tty), 1);
    setenv("TERM", "dumb", 1);
    CU_ASSERT_EQUAL(console_color_wanted(tty), 0);
    unsetenv("NO_COLOR");
    fclose(pipe_end);
    close(fds[0]);
    fclose(tty);
    close(master);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"fleet_summary_reads_as_expected", test_console__fleet_summary_reads_as_expected},
        {"changes_lead_when_a_baseline_was_applied", test_console__changes_lead_when_a_baseline_was_applied},
        {"gate_line_for_each_setting", test_console__gate_line_for_each_setting},
        {"gate_verdict_is_one_line_only_when_failed",
         test_console__gate_verdict_is_one_line_only_when_failed},
        {"top_rules_are_limited_and_ordered_by_severity",
         test_console__top_rules_are_limited_and_ordered_by_severity},
        {"empty_run", test_console__empty_run},
        {"stays_a_few_lines_whatever_the_size", test_console__stays_a_few_lines_whatever_the_size},
        {"hostile_strings_cannot_reach_the_terminal",
         test_console__hostile_strings_cannot_reach_the_terminal},
        {"colour_only_on_a_terminal_without_no_color",
         test_console__colour_only_on_a_terminal_without_no_color},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("console", tests);
}
