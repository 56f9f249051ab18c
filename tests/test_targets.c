/*
 * The accounts file in both its forms, imgaudit's own and Cloud Custodian's
 * c7n-org one (src/collect/targets.c), and the region names they and the
 * command line may give (src/collect/regions.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/regions.h"
#include "collect/targets.h"
#include "testutil.h"
#include "util/log.h"

/* Loads a test data file with stderr (where every problem is printed) captured into *printed (owned). */
static int load(const char *rel, collect_targets *t, ia_err *err, char **printed)
{
    char path[] = "/tmp/imgaudit-test-targets-XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO), rc;

    CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    err_clear(err);
    rc = targets_load_file(testutil_data_path(rel), t, err);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    *printed = testutil_read_file(path, NULL);
    unlink(path);
    return rc;
}

static void test_targets__c7n_org_form_makes_the_same_targets(void)
{
    collect_targets t;
    ia_err err;
    char *printed;

    CU_ASSERT_EQUAL_FATAL(load("collect/accounts-c7n.yaml", &t, &err, &printed), 0);
    CU_ASSERT_STRING_EQUAL(printed, "");
    CU_ASSERT_EQUAL_FATAL(t.n, 2);
    CU_ASSERT_STRING_EQUAL(t.items[0].id, "111122223333");
    CU_ASSERT_STRING_EQUAL(t.items[0].name, "desktops-prod");
    CU_ASSERT_STRING_EQUAL(t.items[0].role_arn, "arn:aws:iam::111122223333:role/CloudCustodian");
    CU_ASSERT_PTR_NULL(t.items[0].external_id);
    CU_ASSERT_EQUAL_FATAL(t.items[0].n_regions, 2);
    CU_ASSERT_STRING_EQUAL(t.items[0].regions[0], "us-east-1");
    CU_ASSERT_STRING_EQUAL(t.items[0].regions[1], "eu-west-1");
    CU_ASSERT_STRING_EQUAL(t.items[1].id, "044455556666");
    CU_ASSERT_STRING_EQUAL(t.items[1].external_id, "abc-123");
    CU_ASSERT_EQUAL_FATAL(t.items[1].n_regions, 1);
    CU_ASSERT_STRING_EQUAL(t.items[1].regions[0], "us-gov-west-1");
    targets_free(&t);
    free(printed);
}

static void test_targets__native_form_is_unchanged(void)
{
    collect_targets t;
    ia_err err;
    char *printed;

    CU_ASSERT_EQUAL_FATAL(load("collect/accounts.yaml", &t, &err, &printed), 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 3);
    CU_ASSERT_STRING_EQUAL(t.items[1].role_arn, "arn:aws:iam::044455556666:role/Auditor");
    targets_free(&t);
    free(printed);
}

/* Every problem of a c7n-org file is printed, each once, at its line and column; err holds the first. */
static void test_targets__c7n_org_problems_all_at_once(void)
{
    static const char *const want[] = {
        "accounts-c7n-errors.yaml:4:7: 'role' must be one role ARN (a chain of roles is not supported)",
        "accounts-c7n-errors.yaml:7:5: unknown key 'id' (expected account_id, name, role, external_id, "
        "regions, tags, email, vars)",
        "accounts-c7n-errors.yaml:9:15: regions: unknown region 'eu-centrl-1' (did you mean 'eu-central-1'?)",
        "accounts-c7n-errors.yaml:10:12: tag 'prod' is not \"key:value\"",
        "accounts-c7n-errors.yaml:12:11: role 'not-an-arn' is not an ARN",
        "accounts-c7n-errors.yaml:11:5: account has no 'account_id'",
    };
    collect_targets t;
    ia_err err;
    char *printed;
    const char *at;

    CU_ASSERT_EQUAL(load("collect/accounts-c7n-errors.yaml", &t, &err, &printed), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 4);
    CU_ASSERT_PTR_NULL(t.items);
    at = printed;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const char *found = strstr(at, want[i]);

        if (!found)
            fprintf(stderr, "\nmissing in order: %s\nprinted:\n%s", want[i], printed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(found);
        at = found + strlen(want[i]);
    }
    free(printed);
}

static void test_targets__c7n_org_top_level_keys(void)
{
    collect_targets t;
    ia_err err;
    char *printed;

    CU_ASSERT_EQUAL(load("collect/accounts-c7n-top.yaml", &t, &err, &printed), -1);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_STRING_EQUAL(err.msg, "unknown top-level key 'policies' (expected accounts, vars)");
    free(printed);
}

static void test_targets__an_unknown_region_in_the_file(void)
{
    collect_targets t;
    ia_err err;
    char *printed;

    CU_ASSERT_EQUAL(load("collect/accounts-unknown-region.yaml", &t, &err, &printed), -1);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_EQUAL(err.column, 56);
    CU_ASSERT_STRING_EQUAL(err.msg, "regions: unknown region 'eu-centrl-1' (did you mean 'eu-central-1'?)");
    /* The newer regions are known: only the typo is a problem. */
    CU_ASSERT_PTR_NULL(strstr(printed, "ap-southeast-7'"));
    CU_ASSERT_PTR_NULL(strstr(printed, "mx-central-1'"));
    free(printed);
}

static void test_targets__every_partitions_regions_are_known(void)
{
    static const char *const known[] = {"us-east-1",  "ap-southeast-5", "ap-southeast-7", "mx-central-1",
                                        "ca-west-1",  "il-central-1",   "ap-east-2",      "eu-central-2",
                                        "cn-north-1", "cn-northwest-1", "us-gov-east-1",  "us-gov-west-1"};
    static const char *const unknown[] = {"eu-centrl-1", "us-east-1a", "us-east", "",
                                          "EU-WEST-1",   "aws-global"};

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        CU_ASSERT(regions_known(known[i], strlen(known[i])));
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        CU_ASSERT_FALSE(regions_known(unknown[i], strlen(unknown[i])));
    /* Every region listed for a service is a known one. */
    for (const char *const *p = (const char *const[]){"aws", "aws-cn", "aws-us-gov", NULL}; *p; p++) {
        size_t n;
        const char *const *all = regions_all(*p, &n);

        for (size_t i = 0; i < n; i++)
            CU_ASSERT(regions_known(all[i], strlen(all[i])));
    }
}

static void test_targets__an_unknown_region_names_the_closest(void)
{
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(regions_check("--regions", "us-east-1", 9, &err), 0);
    CU_ASSERT_EQUAL(regions_check("--regions", "eu-centrl-1,x", 11, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_USAGE);
    CU_ASSERT_STRING_EQUAL(err.msg, "--regions: unknown region 'eu-centrl-1' (did you mean 'eu-central-1'?)");
    CU_ASSERT_EQUAL(regions_check("--region", "us-gov-wst-1", 12, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "--region: unknown region 'us-gov-wst-1' (did you mean 'us-gov-west-1'?)");
    CU_ASSERT_EQUAL(regions_check("--region", "mars-north-9", 12, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.msg, "--region: unknown region 'mars-north-9'");
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"c7n_org_form_makes_the_same_targets", test_targets__c7n_org_form_makes_the_same_targets},
        {"native_form_is_unchanged", test_targets__native_form_is_unchanged},
        {"c7n_org_problems_all_at_once", test_targets__c7n_org_problems_all_at_once},
        {"c7n_org_top_level_keys", test_targets__c7n_org_top_level_keys},
        {"an_unknown_region_in_the_file", test_targets__an_unknown_region_in_the_file},
        {"every_partitions_regions_are_known", test_targets__every_partitions_regions_are_known},
        {"an_unknown_region_names_the_closest", test_targets__an_unknown_region_names_the_closest},
        CU_TEST_INFO_NULL,
    };

    log_set_level(LOG_WARN);
    return testutil_run("targets", tests);
}
