/*
 * `rules test` saying why an example went wrong: the condition that decided
 * it, the value found and the value wanted, with their types, for several
 * ops, the combinators and a number where a string was meant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "testutil.h"

/*
 * Loads one rule "t" with vars, `when` and one example that must fail
 * (must_fail) or pass, runs its tests and returns the report (owned).
 */
static char *report_of(const char *vars, const char *when, const char *example, bool must_fail)
{
    char text[4096], *out = NULL;
    size_t len = 0;
    rules_source src;
    rules_set *set = NULL;
    rules_diags diags;
    rules_test_summary sum;
    rules_clock clock;
    ia_err err;
    FILE *fp;

    snprintf(text, sizeof(text),
             "vars:\n%s\nrules:\n- id: t\n  title: Test rule\n  severity: low\n  resource: workspaces_image\n"
             "  when: %s\n  tests:\n    %s:\n      - %s\n",
             vars, when, must_fail ? "fail" : "pass", example);
    src.name = "r.yaml";
    src.text = text;
    src.len = strlen(text);
    rules_diags_init(&diags);
    CU_ASSERT_EQUAL_FATAL(rules_clock_init(&clock, "2026-11-25", &err), 0);
    CU_ASSERT_EQUAL(rules_load_sources(&src, 1, NULL, 0, &set, &diags, &err), 0);
    rules_diags_free(&diags);
    if (!set)
        return strdup("(not loaded)");
    fp = open_memstream(&out, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    rules_run_tests(set, &clock, fp, &sum);
    fclose(fp);
    rules_set_free(set);
    return out;
}

/* The report must hold want; shows both when it does not. */
#define HOLDS(report, want)                                                                                  \
    do {                                                                                                     \
        CU_ASSERT_PTR_NOT_NULL(strstr(report, want));                                                        \
        if (!strstr(report, want))                                                                           \
            fprintf(stderr, "\n    report: %s\n    wanted: %s\n", report, want);                             \
    } while (0)

static void test_rules_explain__not_in_a_variable(void)
{
    char *r =
        report_of("  trusted: [\"111111111111\"]",
                  "{key: \"Permissions[].SharedAccountId\", op: not-in, value: {var: trusted}}",
                  "{name: shared with outsider, Permissions: [{SharedAccountId: \"111111111111\"}]}", true);

    HOLDS(
        r,
        "r.yaml:11:9: rule t: example 1 'shared with outsider': expected fail, got pass: condition 1 "
        "(Permissions[].SharedAccountId not-in {var: trusted}) was false: found [\"111111111111\"] (list of "
        "string), wanted not in [\"111111111111\"] (list of string)\n");
    free(r);
}

static void test_rules_explain__number_against_a_string(void)
{
    char *r = report_of("  x: 1", "{key: Count, op: eq, value: \"5\"}", "{Count: 5}", true);

    HOLDS(
        r,
        "condition 1 (Count eq \"5\") was false: found 5 (number), wanted equal to \"5\" (string); the types "
        "differ");
    free(r);
    /* The other way round: an account id written as a number in the rule. */
    r = report_of("  ids: [111122223333]", "{key: OwnerAccountId, op: in, value: {var: ids}}",
                  "{OwnerAccountId: \"111122223333\"}", true);
    HOLDS(r, "found \"111122223333\" (string), wanted in [111122223333] (list of number); the types differ");
    free(r);
}

static void test_rules_explain__same_types_have_no_note(void)
{
    char *r = report_of("  x: 1", "{key: Count, op: gt, value: 10}", "{Count: 5}", true);

    HOLDS(r, "condition 1 (Count gt 10) was false: found 5 (number), wanted greater than 10 (number)\n");
    free(r);
}

static void test_rules_explain__and_names_the_first_that_failed_it(void)
{
    char *r = report_of("  x: 1", "{and: [{State: AVAILABLE}, {key: Tags, op: contains, value: prod}]}",
                        "{State: AVAILABLE, Tags: [dev, test]}", true);

    HOLDS(r,
          "condition 2 (Tags contains \"prod\") was false: found [\"dev\",\"test\"] (list of string), wanted "
          "containing \"prod\" (string)\n");
    free(r);
    /* Every branch held (the example must pass): the last one is named. */
    r = report_of("  x: 1", "{and: [{State: AVAILABLE}, {key: Name, op: regex, value: \"^gold\"}]}",
                  "{State: AVAILABLE, Name: golden}", false);
    HOLDS(r,
          "expected pass, got fail: condition 2 (Name regex \"^gold\") was true: found \"golden\" (string), "
          "wanted matching \"^gold\" (string)\n");
    free(r);
}

static void test_rules_explain__or_and_not(void)
{
    char *r = report_of("  x: 1", "{or: [{State: ERROR}, {not: {key: Updates, op: present}}]}",
                        "{State: AVAILABLE, Updates: {}}", true);

    /* No branch held: the first is named; numbering runs through the whole condition. */
    HOLDS(r, "condition 1 (State eq \"ERROR\") was false: found \"AVAILABLE\" (string)");
    free(r);
    r = report_of("  x: 1", "{or: [{State: ERROR}, {not: {key: Updates, op: present}}]}",
                  "{State: AVAILABLE}", false);
    HOLDS(
        r,
        "condition 2 (Updates present) was false: found nothing (the key yields no value), wanted present\n");
    free(r);
}

static void test_rules_explain__missing_key_and_durations(void)
{
    char *r = report_of("  x: 1", "{key: Created, op: older-than, value: 90d}", "{Name: x}", true);

    HOLDS(
        r,
        "condition 1 (Created older-than \"90d\") was false: found nothing (the key yields no value), wanted "
        "older than 90 days\n");
    free(r);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"not_in_a_variable", test_rules_explain__not_in_a_variable},
        {"number_against_a_string", test_rules_explain__number_against_a_string},
        {"same_types_have_no_note", test_rules_explain__same_types_have_no_note},
        {"and_names_the_first_that_failed_it", test_rules_explain__and_names_the_first_that_failed_it},
        {"or_and_not", test_rules_explain__or_and_not},
        {"missing_key_and_durations", test_rules_explain__missing_key_and_durations},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("rules_explain", tests);
}
