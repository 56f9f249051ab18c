/* The JUnit writer: every report it writes here is validated against both XSDs in
 * tests/data/conformance/junit.
 */
#include <CUnit/CUnit.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/junit.h"
#include "report_fixture.h"
#include "testutil.h"

static const char *const schema_files[] = {
    "conformance/junit/jenkins-xunit-junit-10.xsd",
    "conformance/junit/windyroad-JUnit.xsd",
};

static void print_schema_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    fprintf(stderr, "  schema: line %d: %s", e->line, e->message ? e->message : "?\n");
}

/* Whether an XPath boolean expression holds. */
static int xpath_true(xmlDocPtr doc, const char *expr)
{
    char num[256];

    snprintf(num, sizeof(num), "number(%s)", expr);
    return testutil_xpath_num(doc, num) == 1;
}

/*
 * Checks that the totals on <testsuites> are the sums over the suites, then takes them off: neither schema
 * declares them all (windyroad none, Jenkins xUnit no skipped), so the schemas judge the suites.
 */
static void check_and_strip_totals(xmlDocPtr doc)
{
    static const char *const totals[] = {"tests", "failures", "errors", "skipped", "time"};
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char expr[128];

    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/@*)"), 5);
    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
        snprintf(expr, sizeof(expr), "number(/testsuites/@%s) = sum(/testsuites/testsuite/@%s)", totals[i],
                 totals[i]);
        if (!xpath_true(doc, expr))
            fprintf(stderr, "\n  <testsuites %s> is not the suites' sum\n", totals[i]);
        CU_ASSERT_TRUE(xpath_true(doc, expr));
        xmlUnsetProp(root, (const xmlChar *)totals[i]);
    }
}

/* Validates xml against both schemas; prints why when it does not. Returns the number of schemas it fails. */
static int invalid_count(const char *xml, size_t len)
{
    int bad = 0;

    for (size_t i = 0; i < sizeof(schema_files) / sizeof(schema_files[0]); i++) {
        xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(testutil_data_path(schema_files[i]));
        xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
        xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
        xmlDocPtr doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL, XML_PARSE_NONET);

        if (doc)
            check_and_strip_totals(doc);

        CU_ASSERT_PTR_NOT_NULL(vc);
        CU_ASSERT_PTR_NOT_NULL(doc);
        if (vc && doc) {
            xmlSchemaSetValidStructuredErrors(vc, print_schema_error, NULL);
            if (xmlSchemaValidateDoc(vc, doc) != 0) {
                fprintf(stderr, "  not valid against %s\n", schema_files[i]);
                bad++;
            }
        } else {
            bad++;
        }
        xmlFreeDoc(doc);
        xmlSchemaFreeValidCtxt(vc);
        xmlSchemaFree(schema);
        xmlSchemaFreeParserCtxt(pc);
    }
    return bad;
}

/* Writes the report into memory and validates it; the result is owned (free()). */
static char *write_report(const results *r, const junit_options *opt, size_t *len_out)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    char *mem;
    size_t len;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(junit_write(r, opt, fp, &err), 0);
    mem = testutil_mem_close(&m, &len);
    CU_ASSERT_EQUAL(invalid_count(mem, len), 0);
    *len_out = len;
    return mem;
}

static xmlDocPtr parse(const char *xml, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL, XML_PARSE_NONET);

    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    return doc;
}

static void test_junit__by_rule_one_suite_per_rule_and_one_case_per_result(void)
{
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_RULE, "ci-runner-7", 0};
    size_t len;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    xml = write_report(&f.r, &opt, &len);
    doc = parse(xml, len);
    /* Six rules and the collection suite; the wrapper carries the totals. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/testsuite)"), 7);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testcase)"), (double)(f.r.n_items + 2));
    testutil_assert_xpath_str(doc, "/testsuites/@tests", "29");
    testutil_assert_xpath_str(doc, "/testsuites/@failures", "6");
    testutil_assert_xpath_str(doc, "/testsuites/@errors", "2");
    testutil_assert_xpath_str(doc, "/testsuites/@skipped", "1");
    testutil_assert_xpath_str(doc, "/testsuites/@time", "0");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@name", "ws-shared-outside-org");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@id", "0");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[7]/@id", "6");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@package", "imgaudit.workspaces_image");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@timestamp", "2026-11-25T02:04:00");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@hostname", "ci-runner-7");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/@tests", "6");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/@failures", "1");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/@skipped", "0");
    testutil_assert_xpath_str(
        doc, "//testsuite[@name='ws-byol-shared']/properties/property[@name='severity']/@value", "high");
    /* A failure: type is the severity, the message the result's, the body adds description and remediation.
     */
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/testcase[failure]/@name",
                              "wsi-0a1b2c3d4 golden-win11 (111122223333 eu-west-1)");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/testcase[failure]/@classname",
                              "111122223333.eu-west-1.workspaces_image");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']//failure/@type", "high");
    testutil_assert_xpath_str(
        doc, "//testsuite[@name='ws-byol-shared']//failure/@message",
        "BYOL image wsi-0a1b2c3d4 is shared with 2 accounts: 222233334444, 999988887777");
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testsuite[@name='ws-byol-shared']//failure"
                                            "[contains(., 'Remediation: Share BYOL images only') and "
                                            "contains(., 'carry your own Windows licences') and "
                                            "contains(., 'New since the baseline')])"),
                    1);
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-image-age']//failure/@type", "info");
    /* Passing cases are empty. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testsuite[@name='ws-byol-shared']/testcase[not(*)])"),
                    5);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__waived_result_is_skipped_with_reason_owner_and_expiry(void)
{
    report_fixture f;
    size_t len;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    xml = write_report(&f.r, NULL, &len);
    doc = parse(xml, len);
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-updates-pending']/@skipped", "1");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-updates-pending']/@failures", "1");
    testutil_assert_xpath_str(
        doc, "//testsuite[@name='ws-updates-pending']//skipped/@message",
        "waived: Golden image is rebuilt on the first of each month (desktop-team@example.com, "
        "expires 2027-01-31)");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-updates-pending']//skipped",
                              "Updates are available: Graphics driver");
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//skipped)"), 1);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//failure)"), 6);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__collection_errors_are_error_cases_in_a_collection_suite(void)
{
    report_fixture f;
    size_t len;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    xml = write_report(&f.r, NULL, &len);
    doc = parse(xml, len);
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/@errors", "2");
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/@tests", "2");
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/testcase[2]/@name",
                              "sts AssumeRole (444455556666 global)");
    /* An error not tied to a region (the role could not be assumed) is classed under "global". */
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/testcase[2]/@classname",
                              "444455556666.global.sts");
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/testcase[2]/error/@type", "AccessDenied");
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testsuite[@name='collection']/testcase[1]/error"
                                            "[contains(., 'HTTP 400') and contains(., 'Rate exceeded')])"),
                    1);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__by_account_groups_every_result_under_its_account(void)
{
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_ACCOUNT, NULL, 0};
    size_t len;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    xml = write_report(&f.r, &opt, &len);
    doc = parse(xml, len);
    /* Three accounts (one only known from the snapshot and its error) and the collection suite. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/testsuite)"), 4);
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@name", "111122223333");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@package", "imgaudit.accounts");
    testutil_assert_xpath_str(
        doc, "/testsuites/testsuite[1]/properties/property[@name='account_name']/@value", "desktops-prod");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@tests", "14");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@failures", "6");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@skipped", "1");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[2]/@tests", "13");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[3]/@name", "444455556666");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[3]/@tests", "0");
    CU_ASSERT_EQUAL(
        testutil_xpath_num(doc, "sum(/testsuites/testsuite[@package='imgaudit.accounts']/@tests)"),
        (double)f.r.n_items);
    /* Inside an account the rule leads the case name, and rule order is kept. */
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/testcase[1]/@name",
                              "ws-shared-outside-org wsi-0a1b2c3d4 golden-win11 (eu-west-1)");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/testcase[failure/@type='critical']/@classname",
                              "111122223333.eu-west-1.workspaces_image");
    CU_ASSERT_EQUAL(
        testutil_xpath_num(doc, "count(//testcase[starts-with(@classname, '222233334444.')]/failure)"), 0);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__rules_without_resources_give_empty_valid_suites(void)
{
    report_fixture f;
    size_t len;
    char *xml;
    xmlDocPtr doc;
    junit_options by_account = {JUNIT_GROUP_ACCOUNT, NULL, 0};

    fixture_load(&f, "empty.json");
    xml = write_report(&f.r, NULL, &len);
    doc = parse(xml, len);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/testsuite)"), 2);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testcase)"), 0);
    CU_ASSERT_EQUAL(
        testutil_xpath_num(doc, "count(//testsuite[@tests='0' and @failures='0' and @errors='0'])"), 2);
    xmlFreeDoc(doc);
    free(xml);
    xml = write_report(&f.r, &by_account, &len);
    doc = parse(xml, len);
    CU_ASSERT_EQUAL(
        testutil_xpath_num(doc, "count(/testsuites/testsuite[@name='111122223333' and @tests='0'])"), 1);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__no_rules_at_all_is_an_empty_valid_report(void)
{
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_ACCOUNT, "   ", 0};
    size_t len;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "nothing.json");
    xml = write_report(&f.r, NULL, &len);
    doc = parse(xml, len);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites)"), 1);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/*)"), 0);
    xmlFreeDoc(doc);
    free(xml);
    xml = write_report(&f.r, &opt, &len);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(xml, "<testsuites tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\"/>"));
    free(xml);
    fixture_free(&f);
}

static void test_junit__bad_run_time_and_blank_hostname_still_validate(void)
{
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_RULE, " \t ", 0};
    size_t len;
    char *xml, *ts;
    xmlDocPtr doc;

    fixture_load(&f, "empty.json");
    str_copy(f.r.evaluated_at, sizeof(f.r.evaluated_at), "yesterday-ish");
    xml = write_report(&f.r, &opt, &len);
    doc = parse(xml, len);
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@hostname", "localhost");
    ts = testutil_xpath_str(doc, "/testsuites/testsuite[1]/@timestamp");
    CU_ASSERT_EQUAL(strlen(ts), 19);
    CU_ASSERT_PTR_NULL(strchr(ts, 'Z'));
    free(ts);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

/* Names every element in the tree; sets *found when one is called name. */
static void find_element(xmlNodePtr node, const char *name, int *found)
{
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && xmlStrcasecmp(node->name, (const xmlChar *)name) == 0)
            *found = 1;
        find_element(node->children, name, found);
    }
}

static void test_junit__hostile_strings_are_inert_and_well_formed(void)
{
    static const char bad_utf8[] = "bad\xff\xfe utf8 \xc3( \xed\xa0\x80 \xf4\x90\x80\x80 end\xe2\x82";
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_RULE, NULL, 0};
    size_t len;
    char *xml, *name, *failure;
    xmlDocPtr doc;
    int found = 0;

    fixture_load(&f, "hostile.json");
    f.r.resources[0].name = bad_utf8;
    xml = write_report(&f.r, &opt, &len);
    doc = parse(xml, len);
    /* Nothing from the data became markup. */
    find_element(xmlDocGetRootElement(doc), "script", &found);
    find_element(xmlDocGetRootElement(doc), "img", &found);
    CU_ASSERT_EQUAL(found, 0);
    CU_ASSERT_PTR_NULL(strstr(xml, "<script"));
    CU_ASSERT_PTR_NULL(strstr(xml, "<![CDATA["));
    /* Invalid UTF-8 became U+FFFD, one per bad sequence. */
    name = testutil_xpath_str(doc, "//testsuite[@name='hostile-rule']/testcase/@name");
    CU_ASSERT_STRING_EQUAL(name, "wsi-0badc0ffee bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD( "
                                 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                 "\xEF\xBF\xBD end\xEF\xBF\xBD (111122223333 eu-west-1)");
    free(name);
    /* The message came through as text: markup characters kept, control characters gone. */
    failure = testutil_xpath_str(doc, "//testsuite[@name='hostile-rule']//failure/@message");
    CU_ASSERT_PTR_NOT_NULL(
        strstr(failure, "<script>alert(\"pwned\")</script>\"><img src=x onerror=alert(1)>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(failure, "]]><![CDATA[ <!-- -->"));
    CU_ASSERT_PTR_NOT_NULL(strstr(failure, "&amp; &lt;b&gt; &#60;i&#62;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(failure, "ctl[31mred[0mtab\there"));
    CU_ASSERT_PTR_NULL(strchr(failure, '\x1b'));
    free(failure);
    /* The long unicode name is kept whole (it is under the field limit). */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "string-length(//testsuite[@name='hostile-as']//skipped)"),
                    6 + 300 * 12);
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']//error/@type",
                              "Weird\"><img src=x onerror=alert(1)>");
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

/* Every case name in the document once per suite. */
static int names_unique_per_suite(xmlDocPtr doc)
{
    return xpath_true(doc, "not(//testcase[@name = preceding-sibling::testcase/@name])");
}

static void test_junit__same_id_in_two_accounts_and_regions_has_unique_names_and_totals(void)
{
    report_fixture f;
    junit_options by_account = {JUNIT_GROUP_ACCOUNT, NULL, 0};
    size_t len;
    char *xml;
    xmlDocPtr doc;

    /* wsi-0123456789 in two accounts, two regions each; the rule files have absolute paths. */
    fixture_load(&f, "same_ids.json");
    xml = write_report(&f.r, NULL, &len);
    doc = parse(xml, len);
    CU_ASSERT_TRUE(names_unique_per_suite(doc));
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/testcase[3]/@name",
                              "wsi-0123456789 golden (444455556666 eu-west-1)");
    testutil_assert_xpath_str(doc, "/testsuites/@tests", "10");
    testutil_assert_xpath_str(doc, "/testsuites/@failures", "4");
    testutil_assert_xpath_str(doc, "/testsuites/@errors", "2");
    testutil_assert_xpath_str(doc, "/testsuites/@skipped", "1");
    /* Two collection errors of the same call, in two accounts. */
    testutil_assert_xpath_str(doc, "//testsuite[@name='collection']/testcase[2]/@name",
                              "workspaces DescribeWorkspaceImages (444455556666 us-east-1)");
    /* No build path: the file property is the rule file's name. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//property[@name='file' and @value='sharing.yaml'])"), 2);
    CU_ASSERT_PTR_NULL(strstr(xml, "/home/builder"));
    xmlFreeDoc(doc);
    free(xml);
    xml = write_report(&f.r, &by_account, &len);
    doc = parse(xml, len);
    CU_ASSERT_TRUE(names_unique_per_suite(doc));
    testutil_assert_xpath_str(doc, "//testsuite[@name='444455556666']/testcase[4]/@name",
                              "ws-byol-shared wsi-0123456789 golden (us-east-1)");
    testutil_assert_xpath_str(doc, "/testsuites/@tests", "10");
    testutil_assert_xpath_str(doc, "/testsuites/@skipped", "1");
    /* An account named only among the Organization's members. */
    testutil_assert_xpath_str(
        doc, "//testsuite[@name='444455556666']/properties/property[@name='account_name']/@value",
        "desktops-dev");
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
}

static void test_junit__without_passes_the_counts_stay_and_passed_is_a_property(void)
{
    report_fixture f;
    junit_options without = {JUNIT_GROUP_RULE, NULL, 1}, by_account = {JUNIT_GROUP_ACCOUNT, NULL, 1};
    size_t len, passes = 0;
    char *xml;
    xmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    for (size_t i = 0; i < f.r.n_items; i++)
        passes += f.r.items[i].status == RESULT_PASS;
    CU_ASSERT_EQUAL_FATAL(passes, 20);
    xml = write_report(&f.r, &without, &len);
    doc = parse(xml, len);
    /* Only failures, the waived result and the collection errors are cases; the totals still count all. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testcase)"), (double)(f.r.n_items - passes + 2));
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testcase[not(*)])"), 0);
    testutil_assert_xpath_str(doc, "/testsuites/@tests", "29");
    testutil_assert_xpath_str(doc, "/testsuites/@failures", "6");
    testutil_assert_xpath_str(doc, "/testsuites/@skipped", "1");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/@tests", "6");
    testutil_assert_xpath_str(doc, "//testsuite[@name='ws-byol-shared']/@failures", "1");
    testutil_assert_xpath_str(
        doc, "//testsuite[@name='ws-byol-shared']/properties/property[@name='passed']/@value", "5");
    /* Each rule suite: tests = failures + errors + skipped + passed. */
    CU_ASSERT_TRUE(xpath_true(doc, "count(//testsuite[@package != 'imgaudit.collection' and "
                                   "@tests != @failures + @errors + @skipped + "
                                   "properties/property[@name='passed']/@value]) = 0"));
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "sum(//property[@name='passed']/@value)"), (double)passes);
    /* The collection suite has no passes to leave out. */
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(//testsuite[@name='collection']//property)"), 0);
    xmlFreeDoc(doc);
    free(xml);
    xml = write_report(&f.r, &by_account, &len);
    doc = parse(xml, len);
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/@tests", "14");
    testutil_assert_xpath_str(doc, "/testsuites/testsuite[1]/properties/property[@name='passed']/@value",
                              "7");
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "count(/testsuites/testsuite[1]/testcase)"), 7);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc, "sum(//property[@name='passed']/@value)"), (double)passes);
    xmlFreeDoc(doc);
    free(xml);
    /* With passes (the default) there is no such property. */
    xml = write_report(&f.r, NULL, &len);
    CU_ASSERT_PTR_NULL(strstr(xml, "name=\"passed\""));
    free(xml);
    fixture_free(&f);
}

static void test_junit__escaping_and_layout_byte_for_byte(void)
{
    static const char name[] = "a\tb\nc\rd\"e&f<g>h'i \xc3\xa9 \xe2\x80\xa8 \x01\x7f\xc2\x85.";
    report_fixture f;
    junit_options opt = {JUNIT_GROUP_RULE, "host", 0};
    char *msg = malloc(70001), *big = malloc(20001);
    size_t len, res = 0;
    char *xml, *body;
    xmlDocPtr doc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    fixture_load(&f, "fleet.json");
    while (res < f.r.n_resources && strcmp(f.r.resources[res].id, "wsi-0a1b2c3d4") != 0)
        res++;
    CU_ASSERT_FATAL(res < f.r.n_resources);
    f.r.resources[res].name = name;
    xml = write_report(&f.r, &opt, &len);
    /* As libxml2's xmlTextWriter escaped: TAB, LF and CR as references in attributes, only CR in text;
     * controls dropped; UTF-8 (U+2028 too) as it is. */
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, " name=\"wsi-0a1b2c3d4 a&#9;b&#10;c&#13;d&quot;e&amp;f&lt;g&gt;h'i "
                                       "\xc3\xa9 \xe2\x80\xa8 . (111122223333 eu-west-1)\" "));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "Resource: workspaces_image wsi-0a1b2c3d4 (a\tb\nc&#13;d&quot;e&amp;f"
                                       "&lt;g&gt;h'i \xc3\xa9 \xe2\x80\xa8 .) in account"));
    /* The layout: two-space indent, empty elements closed with "/>", text against its tags. */
    CU_ASSERT_EQUAL(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"29\" ", 62),
                    0);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "\">\n    <properties>\n      <property name=\"severity\" value=\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "\" time=\"0\"/>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "</failure>\n    </testcase>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "    <system-out/>\n    <system-err/>\n  </testsuite>\n"));
    CU_ASSERT_STRING_EQUAL(xml + len - 29, "  </testsuite>\n</testsuites>\n");
    free(xml);
    /* Past the limits an attribute (16 KiB) and a body (64 KiB) are cut, with an ellipsis. */
    memset(msg, 'm', 70000);
    msg[70000] = '\0';
    memset(big, 'n', 20000);
    big[20000] = '\0';
    f.r.resources[res].name = big;
    for (size_t i = 0; i < f.r.n_items; i++) {
        if (f.r.items[i].status == RESULT_FAIL && f.r.items[i].resource == res) {
            free(f.r.items[i].message);
            f.r.items[i].message = strdup(msg);
        }
    }
    xml = write_report(&f.r, &opt, &len);
    doc = parse(xml, len);
    CU_ASSERT_EQUAL(testutil_xpath_num(doc,
                                       "string-length((//testcase[starts-with(@name, 'wsi-0a1b2c3d4 n')])"
                                       "[1]/@name)"),
                    16 * 1024 - 2);
    body = testutil_xpath_str(doc, "(//failure[starts-with(@message, 'mmm')])[1]");
    CU_ASSERT_EQUAL(strlen(body), 64 * 1024);
    CU_ASSERT_STRING_EQUAL(body + strlen(body) - 3, "\xe2\x80\xa6");
    free(body);
    xmlFreeDoc(doc);
    free(xml);
    fixture_free(&f);
    free(msg);
    free(big);
}

static void test_junit__write_failure_is_an_io_error(void)
{
    report_fixture f;
    FILE *fp = testutil_dev_full();
    ia_err err;

    err_clear(&err);
    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(junit_write(&f.r, NULL, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    /* The system's reason is carried in the error, not printed. */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write the JUnit report: No space left on device"));
    fclose(fp);
    fixture_free(&f);
}

static void test_junit__results_not_grouped_by_rule_are_refused(void)
{
    report_fixture f;
    result orig0, orig6;
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    ia_err err;

    err_clear(&err);
    fixture_load(&f, "fleet.json");
    /* Swap the first result of rule 0 with the first of rule 1: rule 0 is now split in two. */
    orig0 = f.r.items[0];
    orig6 = f.r.items[6];
    f.r.items[0] = orig6;
    f.r.items[6] = orig0;
    CU_ASSERT_EQUAL(junit_write(&f.r, NULL, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INTERNAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not grouped"));
    f.r.items[0].resource = 1000;
    CU_ASSERT_EQUAL(junit_write(&f.r, NULL, fp, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "outside"));
    free(testutil_mem_close(&m, NULL));
    f.r.items[0] = orig0;
    f.r.items[6] = orig6;
    fixture_free(&f);
}

static void test_junit__group_by_flag_values(void)
{
    junit_group g = JUNIT_GROUP_RULE;

    CU_ASSERT_EQUAL(junit_parse_group("account", &g), 0);
    CU_ASSERT_EQUAL(g, JUNIT_GROUP_ACCOUNT);
    CU_ASSERT_EQUAL(junit_parse_group("rule", &g), 0);
    CU_ASSERT_EQUAL(g, JUNIT_GROUP_RULE);
    CU_ASSERT_EQUAL(junit_parse_group("Rule", &g), -1);
    CU_ASSERT_EQUAL(junit_parse_group("", &g), -1);
    CU_ASSERT_EQUAL(junit_parse_group(NULL, &g), -1);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"by_rule_one_suite_per_rule_and_one_case_per_result",
         test_junit__by_rule_one_suite_per_rule_and_one_case_per_result},
        {"waived_result_is_skipped_with_reason_owner_and_expiry",
         test_junit__waived_result_is_skipped_with_reason_owner_and_expiry},
        {"collection_errors_are_error_cases_in_a_collection_suite",
         test_junit__collection_errors_are_error_cases_in_a_collection_suite},
        {"by_account_groups_every_result_under_its_account",
         test_junit__by_account_groups_every_result_under_its_account},
        {"rules_without_resources_give_empty_valid_suites",
         test_junit__rules_without_resources_give_empty_valid_suites},
        {"no_rules_at_all_is_an_empty_valid_report", test_junit__no_rules_at_all_is_an_empty_valid_report},
        {"bad_run_time_and_blank_hostname_still_validate",
         test_junit__bad_run_time_and_blank_hostname_still_validate},
        {"hostile_strings_are_inert_and_well_formed", test_junit__hostile_strings_are_inert_and_well_formed},
        {"same_id_in_two_accounts_and_regions_has_unique_names_and_totals",
         test_junit__same_id_in_two_accounts_and_regions_has_unique_names_and_totals},
        {"without_passes_the_counts_stay_and_passed_is_a_property",
         test_junit__without_passes_the_counts_stay_and_passed_is_a_property},
        {"escaping_and_layout_byte_for_byte", test_junit__escaping_and_layout_byte_for_byte},
        {"write_failure_is_an_io_error", test_junit__write_failure_is_an_io_error},
        {"results_not_grouped_by_rule_are_refused", test_junit__results_not_grouped_by_rule_are_refused},
        {"group_by_flag_values", test_junit__group_by_flag_values},
        CU_TEST_INFO_NULL,
    };
    int rc = testutil_run("junit", tests);

    xmlCleanupParser();
    return rc;
}
