/* The counts the report writers share, and the CI gate. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "report/tally.h"
#include "report_fixture.h"
#include "testutil.h"

static void test_tally__counts_by_status_severity_rule_and_account(void)
{
    report_fixture f;
    tally t;
    ia_err err;

    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_EQUAL(t.status[RESULT_PASS], 20);
    CU_ASSERT_EQUAL(t.status[RESULT_FAIL], 6);
    CU_ASSERT_EQUAL(t.status[RESULT_WAIVED], 1);
    CU_ASSERT_EQUAL(t.by_sev[SEV_HIGH][RESULT_FAIL], 2);
    CU_ASSERT_EQUAL(t.by_sev[SEV_MEDIUM][RESULT_WAIVED], 1);
    CU_ASSERT_EQUAL(t.by_sev[SEV_CRITICAL][RESULT_PASS], 5);
    CU_ASSERT_EQUAL(t.n_new, 2);
    CU_ASSERT_EQUAL(t.n_existing, 4);
    /* Rule 2 (ws-updates-pending) starts at item 12 and has 6 results. */
    CU_ASSERT_EQUAL(t.rule_first[2], 12);
    CU_ASSERT_EQUAL(t.rule_status[2 * TALLY_N_STATUS + RESULT_PASS], 4);
    CU_ASSERT_EQUAL(t.rule_status[2 * TALLY_N_STATUS + RESULT_WAIVED], 1);
    /* Accounts: sorted, named from the snapshot, including one known only from its error. */
    CU_ASSERT_EQUAL_FATAL(t.n_accounts, 3);
    CU_ASSERT_STRING_EQUAL(t.accounts[0].id, "111122223333");
    CU_ASSERT_STRING_EQUAL(t.accounts[0].name, "desktops-prod");
    CU_ASSERT_EQUAL(t.accounts[0].resources, 5);
    CU_ASSERT_EQUAL(t.accounts[0].status[RESULT_FAIL], 6);
    CU_ASSERT_EQUAL(t.accounts[0].fail_by_sev[SEV_HIGH], 2);
    CU_ASSERT_EQUAL(t.accounts[1].status[RESULT_PASS], 13);
    CU_ASSERT_EQUAL(t.accounts[1].errors, 1);
    CU_ASSERT_STRING_EQUAL(t.accounts[2].id, "444455556666");
    CU_ASSERT_EQUAL(t.accounts[2].resources, 0);
    CU_ASSERT_EQUAL(t.accounts[2].errors, 1);
    CU_ASSERT_EQUAL(tally_account_index(&t, "222233334444"), 1);
    CU_ASSERT_EQUAL(tally_account_index(&t, "999988887777"), -1);
    CU_ASSERT_EQUAL(tally_account_index(&t, NULL), -1);
    CU_ASSERT_EQUAL(t.resource_account[5], 1);
    tally_free(&t);
    tally_free(&t);
    tally_free(NULL);
    fixture_free(&f);
}

static void test_tally__gate_counts_unwaived_failures_at_or_above_the_threshold(void)
{
    report_fixture f;
    tally_gate off = {0, SEV_INFO, 0}, high = {1, SEV_HIGH, 0}, info = {1, SEV_INFO, 0};
    tally_gate high_new = {1, SEV_HIGH, 1}, crit_new = {1, SEV_CRITICAL, 1};

    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, NULL), 0);
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &off), 0);
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &high), 3);
    /* The waived medium result does not count. */
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &info), 6);
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &high_new), 2);
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &crit_new), 0);
    /* Without a baseline every failure is new. */
    f.r.has_baseline = 0;
    CU_ASSERT_EQUAL(tally_gate_count(&f.r, &crit_new), 1);
    fixture_free(&f);
}

static void test_tally__inconsistent_results_are_an_internal_error(void)
{
    report_fixture f;
    tally t;
    ia_err err;
    uint32_t saved;

    fixture_load(&f, "fleet.json");
    saved = f.r.items[3].rule;
    f.r.items[3].rule = 5; /* splits rule 0 in two */
    err_clear(&err);
    CU_ASSERT_EQUAL(tally_compute(&f.r, &t, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "ws-shared-outside-org"));
    CU_ASSERT_PTR_NULL(t.accounts);
    f.r.items[3].rule = (uint32_t)f.r.n_rules;
    CU_ASSERT_EQUAL(tally_compute(&f.r, &t, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "result 3 points outside"));
    f.r.items[3].rule = saved;
    fixture_free(&f);
}

static void test_tally__failing_rules_and_new_failures_most_severe_first(void)
{
    report_fixture f;
    size_t *order = NULL, n = 0, picked[4];
    tally t;
    ia_err err;

    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(tally_failing_rules(&f.r, &t, &order, &n, &err), 0);
    /* Critical, then the two high rules in rule order (one failure each), medium, low, info. */
    CU_ASSERT_EQUAL_FATAL(n, 6);
    CU_ASSERT_STRING_EQUAL(f.r.rules[order[0]].id, "ws-shared-outside-org");
    CU_ASSERT_STRING_EQUAL(f.r.rules[order[1]].id, "ws-byol-shared");
    CU_ASSERT_STRING_EQUAL(f.r.rules[order[2]].id, "as-builder-internet");
    CU_ASSERT_STRING_EQUAL(f.r.rules[order[5]].id, "ws-image-age");
    free(order);
    /* Two new failures, both high: in results order, and no more than asked for. */
    CU_ASSERT_EQUAL(tally_new_failures(&f.r, picked, 4), 2);
    CU_ASSERT_EQUAL(picked[0], 6);
    CU_ASSERT_EQUAL(picked[1], 18);
    CU_ASSERT_EQUAL(tally_new_failures(&f.r, picked, 1), 1);
    CU_ASSERT_EQUAL(picked[0], 6);
    /* A more severe new failure goes first wherever it is. */
    f.r.items[23].change = CHANGE_NEW;
    f.r.items[0].change = CHANGE_NEW;
    CU_ASSERT_EQUAL(tally_new_failures(&f.r, picked, 4), 4);
    CU_ASSERT_EQUAL(picked[0], 0);
    CU_ASSERT_EQUAL(picked[3], 23);
    tally_free(&t);
    fixture_free(&f);
}

/* The account names every writer shows. */
static void test_tally__account_name_from_the_snapshot_else_the_organization(void)
{
    report_fixture f;
    tally t;
    ia_err err;

    fixture_load(&f, "same_ids.json");
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_STRING_EQUAL(t.accounts[tally_account_index(&t, "111122223333")].name, "desktops-prod");
    /* Its accounts[] entry has no name: the Organization's member list has one. */
    CU_ASSERT_STRING_EQUAL(t.accounts[tally_account_index(&t, "444455556666")].name, "desktops-dev");
    CU_ASSERT_EQUAL(tally_account_index(&t, "999988887777"), -1);
    CU_ASSERT_EQUAL(tally_account_index(&t, NULL), -1);
    tally_free(&t);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"counts_by_status_severity_rule_and_account",
         test_tally__counts_by_status_severity_rule_and_account},
        {"gate_counts_unwaived_failures_at_or_above_the_threshold",
         test_tally__gate_counts_unwaived_failures_at_or_above_the_threshold},
        {"inconsistent_results_are_an_internal_error",
         test_tally__inconsistent_results_are_an_internal_error},
        {"failing_rules_and_new_failures_most_severe_first",
         test_tally__failing_rules_and_new_failures_most_severe_first},
        {"account_name_from_the_snapshot_else_the_organization",
         test_tally__account_name_from_the_snapshot_else_the_organization},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("tally", tests);
}
