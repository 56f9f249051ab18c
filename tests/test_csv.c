/* The CSV report: RFC 4180 framing, one row per failure and waived result, formula-like cells neutralised. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/csv.h"
#include "report/finding.h"
#include "report_fixture.h"
#include "testutil.h"

#define HEADER                                                                                               \
    "status,severity,rule,title,account,account_name,region,resource_type,resource_id,resource_name,"        \
    "message,first_seen,waiver,finding_id\r\n"

/* Writes the CSV of r into memory; owned (free()). */
static char *write_csv(const results *r)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    char *mem;
    size_t len;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(csv_write(r, fp, &err), 0);
    mem = testutil_mem_close(&m, &len);
    CU_ASSERT_EQUAL(strlen(mem), len);
    return mem;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;

    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void test_csv__one_row_per_failure_and_waived_result_after_the_header(void)
{
    report_fixture f;
    finding_hasher h;
    char id[FINDING_ID_SIZE], want[512];
    char *csv;

    fixture_load(&f, "same_ids.json");
    csv = write_csv(&f.r);
    CU_ASSERT_EQUAL(strncmp(csv, HEADER, strlen(HEADER)), 0);
    /* 4 failures and 1 waived result of 8 results; passes are left out. No field here breaks a line. */
    CU_ASSERT_EQUAL(count(csv, "\r\n"), 6);
    CU_ASSERT_EQUAL(count(csv, "\n"), 6);
    CU_ASSERT_EQUAL(count(csv, "\r\nfail,"), 4);
    CU_ASSERT_EQUAL(count(csv, "\r\npass,"), 0);
    /* The waived row: the account name from the Organization, the waiver quoted for its comma. */
    CU_ASSERT_EQUAL_FATAL(finding_hasher_init(&h), 0);
    CU_ASSERT_EQUAL(finding_id_of(&h, &f.r, &f.r.items[7], id), 0);
    finding_hasher_clean_up(&h);
    snprintf(
        want, sizeof(want),
        "\r\nwaived,high,ws-byol-shared,BYOL image shared with another account,444455556666,desktops-dev,"
        "us-east-1,workspaces_image,wsi-0123456789,golden,ws-byol-shared on 444455556666/us-east-1,,"
        "\"waivers.yaml:2: Licence moved with the account (desktop-team, expires 2027-01-31)\",%s\r\n",
        id);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, want));
    free(csv);
    fixture_free(&f);
}

static void test_csv__quotes_and_line_breaks_are_framed_and_formulas_inert(void)
{
    report_fixture f;
    char *csv;

    fixture_load(&f, "same_ids.json");
    f.r.resources[0].name = "=HYPERLINK(\"http://evil.example/\")";
    f.r.resources[0].account = "@SUM(A1)";
    f.r.rules[0].title = "-2+3, \"quoted\"\r\nsecond line";
    f.r.resources[0].region = "\tcmd";
    free(f.r.items[0].message);
    f.r.items[0].message = str_dup("+1 said \"hi\"\nthen left");
    f.r.resources[2].name = "bad \xff\xfe utf8";
    csv = write_csv(&f.r);
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, "\r\nfail,critical,ws-shared-outside-org,"
                                       "\"'-2+3, \"\"quoted\"\"\r\nsecond line\",'@SUM(A1),,'\tcmd,"
                                       "workspaces_image,wsi-0123456789,"
                                       "\"'=HYPERLINK(\"\"http://evil.example/\"\")\","
                                       "\"'+1 said \"\"hi\"\"\nthen left\",,,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(csv, ",bad ?? utf8,"));
    /* No cell starts with a formula character: after every separator or row start, none follows. */
    CU_ASSERT_PTR_NULL(strstr(csv, ",="));
    CU_ASSERT_PTR_NULL(strstr(csv, ",\"="));
    CU_ASSERT_PTR_NULL(strstr(csv, ",@"));
    CU_ASSERT_PTR_NULL(strstr(csv, ",+"));
    free(csv);
    fixture_free(&f);
}

static void test_csv__nothing_failed_is_the_header_alone(void)
{
    report_fixture f;
    char *csv;

    fixture_load(&f, "empty.json");
    csv = write_csv(&f.r);
    CU_ASSERT_STRING_EQUAL(csv, HEADER);
    free(csv);
    fixture_free(&f);
}

static void test_csv__write_failure_is_an_io_error(void)
{
    report_fixture f;
    FILE *fp = testutil_dev_full();
    ia_err err;

    err_clear(&err);
    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(csv_write(&f.r, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "writing the CSV report"));
    fclose(fp);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"one_row_per_failure_and_waived_result_after_the_header",
         test_csv__one_row_per_failure_and_waived_result_after_the_header},
        {"quotes_and_line_breaks_are_framed_and_formulas_inert",
         test_csv__quotes_and_line_breaks_are_framed_and_formulas_inert},
        {"nothing_failed_is_the_header_alone", test_csv__nothing_failed_is_the_header_alone},
        {"write_failure_is_an_io_error", test_csv__write_failure_is_an_io_error},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("csv", tests);
}
