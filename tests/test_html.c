/*
 * The HTML writer: every page is parsed back with libxml2's HTML parser, which must report no error, and
 * checked for what a reader sees. With IMGAUDIT_HTML_DEMO_OUT set, the program instead writes the demo
 * page (tests/data/reports/fleet.json) to that path, for the browser test (tests/it_html_chromium.sh).
 */
#include <CUnit/CUnit.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/assets.h"
#include "report/html.h"
#include "report/xmltext.h"
#include "util/buf.h"
#include "report_fixture.h"
#include "testutil.h"

static int g_parse_errors;

static void count_parse_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    g_parse_errors++;
    fprintf(stderr, "  html parser: line %d: %s", e->line, e->message ? e->message : "?\n");
}

/* Writes the page into memory; owned (free()). */
static char *write_page(const results *r, const html_options *opt, size_t *len_out)
{
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(html_write(r, opt, fp, &err), 0);
    if (err.kind)
        fprintf(stderr, "\n  html_write: %s\n", err.msg);
    return testutil_mem_close(&m, len_out);
}

/* Parses the page back; the HTML parser must not complain about anything in it. */
static htmlDocPtr parse(const char *html, size_t len)
{
    htmlDocPtr doc;

    g_parse_errors = 0;
    xmlSetStructuredErrorFunc(NULL, count_parse_error);
    doc = htmlReadMemory(html, (int)len, "report.html", "UTF-8", HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(g_parse_errors, 0);
    return doc;
}

static void assert_num(htmlDocPtr doc, const char *expr, double want)
{
    double got = testutil_xpath_num(doc, expr);

    if (got != want)
        fprintf(stderr, "\n  %s: got %g, want %g\n", expr, got, want);
    CU_ASSERT_EQUAL(got, want);
}

/* Elements the writer uses; anything else in a page came from somewhere it should not have. */
static const char *const allowed_elements[] = {
    "html", "head", "meta", "title", "style",  "body",   "div",   "span",   "h1",
    "h2",   "h3",   "p",    "a",     "ul",     "li",     "table", "thead",  "tbody",
    "tr",   "th",   "td",   "label", "select", "option", "input", "strong", "script",
};

/* Walks the tree: counts script elements (data blocks apart), elements outside the list above, and on*
 * attributes. */
static void audit_tree(xmlNodePtr node, int *scripts, int *data, int *foreign, int *handlers)
{
    for (; node; node = node->next) {
        int known = 0;

        if (node->type != XML_ELEMENT_NODE)
            continue;
        for (size_t i = 0; i < sizeof(allowed_elements) / sizeof(allowed_elements[0]); i++)
            known |= xmlStrcasecmp(node->name, (const xmlChar *)allowed_elements[i]) == 0;
        if (!known) {
            fprintf(stderr, "\n  unexpected element <%s>\n", node->name);
            (*foreign)++;
        }
        if (xmlStrcasecmp(node->name, (const xmlChar *)"script") == 0) {
            xmlChar *type = xmlGetProp(node, (const xmlChar *)"type");

            if (type)
                (*data)++;
            else
                (*scripts)++;
            xmlFree(type);
        }
        for (xmlAttrPtr a = node->properties; a; a = a->next) {
            if (xmlStrncasecmp(a->name, (const xmlChar *)"on", 2) == 0)
                (*handlers)++;
        }
        audit_tree(node->children, scripts, data, foreign, handlers);
    }
}

/*
 * The page's only script is the compiled-in one, byte for byte; nothing else became markup. Data blocks
 * are JSON (type application/json, which no browser runs) with no "<" at all, so no string in them can
 * end their element or open one.
 */
static void assert_inert(htmlDocPtr doc)
{
    int scripts = 0, data = 0, foreign = 0, handlers = 0;
    size_t js_len = 0;
    const char *js = assets_get("report.js", &js_len);
    char *text = testutil_xpath_str(doc, "//script[not(@type)]");

    audit_tree(xmlDocGetRootElement(doc), &scripts, &data, &foreign, &handlers);
    CU_ASSERT_EQUAL(scripts, 1);
    CU_ASSERT(data >= 1);
    assert_num(doc,
               "count(//script[@type='application/json'][starts-with(@id, 'findings-data') or "
               "starts-with(@id, 'sharing-data')])",
               data);
    assert_num(doc, "count(//script[@type][contains(., '<')])", 0);
    CU_ASSERT_EQUAL(foreign, 0);
    CU_ASSERT_EQUAL(handlers, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_STRING_EQUAL(text, js);
    free(text);
    /* No address outside the page: links are fragments, nothing is loaded. */
    assert_num(doc, "count(//@href[not(starts-with(., '#'))])", 0);
    assert_num(doc, "count(//@src)", 0);
    assert_num(doc, "count(//link)", 0);
}

/* The page's data with that id, parsed, its rows (from its parts ID-0, ID-1...) added as "rows"; owned
 * (cJSON_Delete). Fails the test when a part is not JSON. */
static cJSON *page_data(htmlDocPtr doc, const char *id)
{
    char expr[96], *text;
    cJSON *data, *rows = cJSON_CreateArray(), *part, *row;
    int parts;

    snprintf(expr, sizeof(expr), "//script[@type='application/json'][@id='%s']", id);
    text = testutil_xpath_str(doc, expr);
    data = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    parts = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(data, "parts"));
    for (int k = 0; k < parts; k++) {
        snprintf(expr, sizeof(expr), "//script[@type='application/json'][@id='%s-%d']", id, k);
        text = testutil_xpath_str(doc, expr);
        part = cJSON_Parse(text);
        free(text);
        CU_ASSERT_FATAL(cJSON_IsArray(part));
        while ((row = cJSON_DetachItemFromArray(part, 0)) != NULL)
            cJSON_AddItemToArray(rows, row);
        cJSON_Delete(part);
    }
    cJSON_AddItemToObject(data, "rows", rows);
    return data;
}

static const cJSON *at(const cJSON *array, int i)
{
    return cJSON_GetArrayItem(array, i);
}

static int num_at(const cJSON *array, int i)
{
    return (int)cJSON_GetNumberValue(at(array, i));
}

static const char *str_at(const cJSON *array, int i)
{
    const char *s = cJSON_GetStringValue(at(array, i));

    return s ? s : "(none)";
}

static const cJSON *table(const cJSON *data, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(data, name);
}

/* Finding k of the data: [rule, status, resource, message, change, first seen, waiver]. */
static const cJSON *finding(const cJSON *data, int k)
{
    return at(table(data, "rows"), k);
}

static const char *finding_sev(const cJSON *data, int k)
{
    return str_at(at(table(data, "rules"), num_at(finding(data, k), 0)), 1);
}

static const char *finding_rule(const cJSON *data, int k)
{
    return str_at(at(table(data, "rules"), num_at(finding(data, k), 0)), 0);
}

/* Field i of finding k's resource: 0 id, 1 name. */
static const char *finding_resource(const cJSON *data, int k, int i)
{
    return str_at(at(table(data, "resources"), num_at(finding(data, k), 2)), i);
}

static const char *finding_account(const cJSON *data, int k)
{
    const cJSON *res = at(table(data, "resources"), num_at(finding(data, k), 2));

    return str_at(at(table(data, "accounts"), num_at(res, 3)), 0);
}

/*
 * Finding k's message with the marks the writer put for its resource's id, name, account and region
 * (U+0001 to U+0004) replaced by them. Owned (free()).
 */
static char *finding_message(const cJSON *data, int k)
{
    const cJSON *res = at(table(data, "resources"), num_at(finding(data, k), 2));
    const char *what[4] = {str_at(res, 0), str_at(res, 1),
                           str_at(at(table(data, "accounts"), num_at(res, 3)), 0),
                           str_at(table(data, "regions"), num_at(res, 4))};
    buf out;

    buf_init(&out, 0);
    for (const char *m = str_at(finding(data, k), 3); *m; m++) {
        if (*m >= 1 && *m <= 4)
            buf_puts(&out, what[*m - 1]);
        else
            buf_putc(&out, *m);
    }
    return buf_detach(&out);
}

/* The first finding with that status (0 failed, 1 waived) or rule (NULL: any); -1 when none. */
static int find_finding(const cJSON *data, int status, const char *rule)
{
    for (int k = 0; k < cJSON_GetArraySize(table(data, "rows")); k++) {
        if (num_at(finding(data, k), 1) == status && (!rule || strcmp(finding_rule(data, k), rule) == 0))
            return k;
    }
    return -1;
}

static void test_html__fleet_page_parses_and_shows_every_section(void)
{
    report_fixture f;
    html_options opt = {NULL, {1, SEV_HIGH, 0}, NULL, NULL};
    size_t len;
    char *page;
    htmlDocPtr doc;
    cJSON *data;

    fixture_load(&f, "fleet.json");
    page = write_page(&f.r, &opt, &len);
    CU_ASSERT_EQUAL(strncmp(page, "<!DOCTYPE html>", 15), 0);
    doc = parse(page, len);
    assert_inert(doc);
    testutil_assert_xpath_str(doc, "/html/@lang", "en");
    testutil_assert_xpath_str(doc, "//h1", "Image audit report");
    /* The changes since the baseline come first, before the summary. */
    testutil_assert_xpath_str(doc, "(//div[contains(@class, 'section')])[1]/@id", "changes");
    testutil_assert_xpath_str(doc, "(//div[contains(@class, 'section')])[2]/@id", "summary");
    assert_num(doc, "count(//div[contains(@class, 'section')])", 9);
    assert_num(doc, "count(//table[@id='new-failures']/tbody/tr)", 2);
    testutil_assert_xpath_str(doc, "//table[@id='new-failures']/tbody/tr[1]/td[2]", "ws-byol-shared");
    assert_num(doc, "count(//table[@id='resolved']/tbody/tr)", 1);
    testutil_assert_xpath_str(
        doc, "//div[@id='changes']//a[@data-filters='change=new&status=fail']/span[@class='n']", "2");
    testutil_assert_xpath_str(
        doc, "//div[@id='changes']//a[@data-filters='change=existing&status=fail']/span[@class='n']", "4");
    /* Summary by severity and status. */
    testutil_assert_xpath_str(
        doc, "//div[@id='summary']//a[@data-filters='sev=high&status=fail']/span[@class='n']", "2");
    testutil_assert_xpath_str(
        doc, "//div[@id='summary']//a[@data-filters='sev=critical&status=fail']/span[@class='n']", "1");
    testutil_assert_xpath_str(doc, "//div[@id='summary']//a[@data-filters='status=waived']/span[@class='n']",
                              "1");
    testutil_assert_xpath_str(doc, "//table[@id='by-severity']/tbody/tr[4]/td[2]", "1");
    testutil_assert_xpath_str(doc, "//table[@id='by-severity']/tbody/tr[3]/td[3]", "1");
    /* Header: gate, run time, coverage. */
    testutil_assert_xpath_str(doc, "//*[@id='gate']", "Gate failed: 3 failures at or above high");
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "Evaluated 2026-11-25 02:04:00 UTC"));
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "3 accounts, 2 regions"));
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "Collection incomplete: 2 errors"));
    assert_num(doc, "count(//table[@id='coverage-table']/tbody/tr)", 3);
    assert_num(doc, "count(//ul[@class='gaps']/li)", 2);
    /* Findings: failures and waived as data, most severe first, with what the filters use; in the table,
     * the row that says it needs JavaScript (report.js draws the rows). */
    assert_num(doc, "count(//table[@id='findings-table']/tbody/tr)", 1);
    assert_num(doc,
               "count(//table[@id='findings-table']/tbody/tr[@class='empty'][contains(., 'JavaScript')])", 1);
    data = page_data(doc, "findings-data");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "rows")), 7);
    CU_ASSERT_EQUAL(find_finding(data, 1, NULL), 3); /* the one waived finding */
    CU_ASSERT_STRING_EQUAL(finding_sev(data, 3), "medium");
    /* Seven findings on four resources: each resource once. */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "resources")), 4);
    CU_ASSERT_STRING_EQUAL(finding_sev(data, 0), "critical");
    CU_ASSERT_STRING_EQUAL(finding_sev(data, 6), "info");
    CU_ASSERT_EQUAL(num_at(finding(data, 1), 4), 1); /* new */
    CU_ASSERT_STRING_EQUAL(finding_account(data, 0), "111122223333");
    CU_ASSERT(cJSON_IsTrue(table(data, "baseline")));
    cJSON_Delete(data);
    assert_num(doc, "count(//select[@data-filter='rule']/option)", 7);
    assert_num(doc, "count(//select[@data-filter='account']/option)", 4);
    assert_num(doc, "count(//select[@data-filter='change']/option)", 3);
    /* Per account, sharing (BYOL highlighted), rules, waivers, errors. */
    testutil_assert_xpath_str(doc, "//table[@id='account-table']/tbody/tr[1]/td[3]", "1");
    testutil_assert_xpath_str(doc, "//table[@id='account-table']/tbody/tr[3]/td[10]", "1");
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr)", 5);
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr[@class='byol'])", 2);
    assert_num(doc, "count(//table[@id='sharing-table']//span[.='not audited'])", 4);
    assert_num(doc, "count(//table[@id='sharing-table']//span[@class='badge outside'])", 3);
    assert_num(doc, "count(//div[@class='rule'])", 6);
    assert_num(doc, "count(//div[@class='rule'][contains(., 'Remediation: Share BYOL images only')])", 1);
    assert_num(doc, "count(//div[@id='waivers']//table)", 3);
    testutil_assert_xpath_str(doc, "//div[@id='waivers']//table[1]/tbody/tr/td[1]", "as-builder-internet");
    assert_num(doc, "count(//table[@id='error-table']/tbody/tr)", 2);
    testutil_assert_xpath_str(doc, "//table[@id='error-table']/tbody/tr[2]/td[4]", "AccessDenied");
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

/* The number of elements matching a path in the sharing section (prefix //div[@id='sharing']). */
static void assert_sharing(htmlDocPtr doc, const char *path, double want)
{
    char expr[512];

    snprintf(expr, sizeof(expr), "count(//div[@id='sharing']%s)", path);
    assert_num(doc, expr, want);
}

/*
 * The sharing section of tests/data/reports/sharing.json: badges for what is known of each account, the
 * counts in its heading, the filters' options and the words they match. Without an Organization there is
 * no "outside the Organization" anywhere; without trusted accounts, no trusted or untrusted.
 */
static void test_html__sharing_badges_say_what_the_run_knows(void)
{
    report_fixture f;
    size_t len;
    char *page;
    htmlDocPtr doc;

    fixture_load(&f, "sharing.json");
    page = write_page(&f.r, NULL, &len);
    doc = parse(page, len);
    assert_inert(doc);
    assert_sharing(doc, "//table/tbody/tr", 8);
    /* Without JavaScript every row shows (report.js hides rows; the page hides only the filter bar). */
    assert_sharing(doc, "//tr[@hidden]", 0);
    assert_sharing(doc, "/div[@class='filters']", 1);
    assert_num(doc, "count(/html/body[@data-js='off'])", 1);
    testutil_assert_xpath_str(doc, "normalize-space(//div[@id='sharing']/h2)",
                              "Cross-account sharing 8 shares 3 outside the Organization 3 untrusted 2 BYOL");
    testutil_assert_xpath_str(doc, "//div[@id='sharing']/h2/a[contains(@class, 'outside')]/@data-filters",
                              "flags=outside");
    /* Outside the Organization: the two shares to 999988887777 and the image from 777766665555. */
    assert_sharing(doc, "//span[@class='badge outside'][.='outside the Organization']", 3);
    assert_sharing(doc, "//tr[contains(concat(' ', @data-flags, ' '), ' outside ')]", 3);
    assert_sharing(
        doc, "//tr[contains(concat(' ', @data-flags, ' '), ' outside ')]//span[@class='badge outside']", 3);
    /* Not audited is its own badge: a member that was not audited (333344445555) is not outside. */
    testutil_assert_xpath_str(
        doc, "//div[@id='sharing']//tr[@data-owner='333344445555']/td[3]//span[@class='badge external']",
        "not audited");
    assert_sharing(doc, "//tr[@data-owner='333344445555']//span[@class='badge outside']", 0);
    testutil_assert_xpath_str(doc, "//div[@id='sharing']//tr[@data-owner='333344445555']/td[3]/div[2]",
                              "partners");
    assert_sharing(doc, "//span[@class='badge untrusted']", 3);
    assert_sharing(doc, "//span[@class='badge trusted']", 11); /* 16 accounts, 2 unknown, 3 untrusted */
    assert_sharing(doc, "//tr[@data-flags='untrusted not-audited']", 1);
    /* BYOL still highlighted; the share seen from both sides is one row that says so. */
    assert_sharing(doc, "//tr[@class='byol']", 2);
    assert_sharing(doc, "//tr[@class='byol'][td[6]='both']", 1);
    assert_sharing(doc, "//tr[td[6]='both']", 2);
    /* Filters: every owner and every account shared with, and the badges this run can tell. */
    assert_sharing(doc, "//select[@data-filter='owner']/option", 4);
    testutil_assert_xpath_str(doc, "//select[@data-filter='owner']/option[2]", "111122223333 desktops-prod");
    assert_sharing(doc, "//select[@data-filter='target']/option", 3);
    testutil_assert_xpath_str(doc, "//select[@data-filter='flags']/@data-match", "word");
    assert_sharing(doc, "//select[@data-filter='flags']/option", 6);
    assert_sharing(doc, "//select[@data-filter='flags']/option[@value='outside']", 1);
    xmlFreeDoc(doc);
    free(page);
    /* No Organization, no trusted accounts: nothing claimed either way. */
    fixture_forget_sharing_context(&f.r);
    page = write_page(&f.r, NULL, &len);
    doc = parse(page, len);
    assert_sharing(doc, "//table/tbody/tr", 8);
    assert_sharing(doc, "/h2/a", 2);
    testutil_assert_xpath_str(doc, "//div[@id='sharing']/h2/a[2]", "2 BYOL");
    assert_sharing(doc, "//span[contains(@class, 'outside')]", 0);
    assert_sharing(doc, "//*[contains(., 'outside the Organization')][not(*)]", 0);
    assert_sharing(doc, "//tr[contains(@data-flags, 'outside')]", 0);
    assert_sharing(doc, "//span[contains(@class, 'trusted')]", 0);
    assert_sharing(doc, "//select[@data-filter='flags']/option", 3);
    assert_sharing(doc, "//span[@class='badge external']", 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "The snapshot records no Organization"));
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "The rules define no trusted accounts"));
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

static void test_html__page_allows_only_its_own_script_and_style_by_hash(void)
{
    report_fixture f;
    size_t len;
    char *page, *csp, want[128];
    htmlDocPtr doc;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    size_t js_len = 0;
    const char *js = assets_get("report.js", &js_len);

    fixture_load(&f, "fleet.json");
    page = write_page(&f.r, NULL, &len);
    doc = parse(page, len);
    csp = testutil_xpath_str(doc, "//meta[@http-equiv='Content-Security-Policy']/@content");
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_EQUAL(EVP_Digest(js, js_len, md, &md_len, EVP_sha256(), NULL), 1);
    memcpy(want, "script-src 'sha256-", 19);
    EVP_EncodeBlock((unsigned char *)want + 19, md, (int)md_len);
    CU_ASSERT_PTR_NOT_NULL(strstr(csp, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(csp, "default-src 'none'"));
    CU_ASSERT_PTR_NULL(strstr(csp, "unsafe-inline"));
    /* The policy comes before the stylesheet it governs. */
    assert_num(doc, "count(//head/meta[@http-equiv]/following-sibling::style)", 1);
    testutil_assert_xpath_str(doc, "//style", assets_get("report.css", NULL));
    testutil_assert_xpath_str(doc, "//*[@id='gate']", "Not gated");
    free(csp);
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

static void test_html__gate_counts_new_failures_only_when_asked(void)
{
    report_fixture f;
    html_options only_new = {"Nightly images", {1, SEV_HIGH, 1}, NULL, NULL};
    html_options critical_new = {NULL, {1, SEV_CRITICAL, 1}, NULL, NULL};
    size_t len;
    char *page;
    htmlDocPtr doc;

    fixture_load(&f, "fleet.json");
    page = write_page(&f.r, &only_new, &len);
    doc = parse(page, len);
    testutil_assert_xpath_str(doc, "//*[@id='gate']", "Gate failed: 2 new failures at or above high");
    testutil_assert_xpath_str(doc, "//h1", "Nightly images");
    xmlFreeDoc(doc);
    free(page);
    page = write_page(&f.r, &critical_new, &len);
    doc = parse(page, len);
    testutil_assert_xpath_str(doc, "//*[@id='gate']", "Gate passed: no new failures at or above critical");
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

static void test_html__empty_run_has_no_changes_section_and_says_so(void)
{
    report_fixture f;
    size_t len;
    char *page;
    htmlDocPtr doc;

    fixture_load(&f, "nothing.json");
    page = write_page(&f.r, NULL, &len);
    doc = parse(page, len);
    assert_inert(doc);
    assert_num(doc, "count(//div[@id='changes'])", 0);
    assert_num(doc, "count(//a[@href='#changes'])", 0);
    assert_num(doc, "count(//table[@id='findings-table']/tbody/tr[@class='empty'])", 1);
    assert_num(doc, "count(//table[@id='findings-table']/tbody/tr)", 1);
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr[@class='empty'])", 1);
    testutil_assert_xpath_str(doc, "//table[@id='error-table']/tbody/tr/td",
                              "None: every account and region was read.");
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "Collection complete"));
    /* A run time that is not ISO-8601 is shown as it is. */
    CU_ASSERT_PTR_NOT_NULL(strstr(page, "Evaluated not a time"));
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

static void test_html__hostile_strings_are_inert_and_well_formed(void)
{
    static const char bad_utf8[] = "bad\xff\xfe name \xed\xa0\x80 end\xe2\x82";
    report_fixture f;
    size_t len;
    char *page, *s;
    const char *name;
    htmlDocPtr doc;
    cJSON *data;
    int k;

    fixture_load(&f, "hostile.json");
    f.r.resources[0].name = bad_utf8;
    page = write_page(&f.r, NULL, &len);
    /* Every byte of the page is clean UTF-8 without control characters (no terminal escapes either). */
    CU_ASSERT(xmltext_is_clean(page, 0));
    doc = parse(page, len);
    assert_inert(doc);
    /* The markup in names and messages arrived in the data block as strings, whole; none ended it. */
    data = page_data(doc, "findings-data");
    k = find_finding(data, 0, "hostile-rule");
    CU_ASSERT_FATAL(k >= 0);
    s = finding_message(data, k);
    CU_ASSERT_PTR_NOT_NULL(strstr(s,
                                  "Image <script>alert(\"pwned\")</script>\"><img src=x onerror=alert(1)>' "
                                  "onmouseover='alert(2)]]><![CDATA[ <!-- -->ctl[31mred[0mtab\there"
                                  "&amp; &lt;b&gt; &#60;i&#62;</style></script></td></table>"));
    free(s);
    CU_ASSERT_STRING_EQUAL(
        finding_resource(data, k, 1),
        "bad\xEF\xBF\xBD\xEF\xBF\xBD name \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD end\xEF\xBF\xBD");
    k = find_finding(data, 1, NULL);
    CU_ASSERT_FATAL(k >= 0);
    CU_ASSERT_STRING_EQUAL(finding_sev(data, k), "critical");
    /* The long unicode name is cut on a character boundary, with an ellipsis, to the cell limit. */
    name = finding_resource(data, k, 1);
    CU_ASSERT(strlen(name) <= 1024 && strlen(name) > 1000);
    CU_ASSERT(xmltext_is_clean(name, 0));
    CU_ASSERT_EQUAL(strcmp(name + strlen(name) - 3, "\xE2\x80\xA6"), 0);
    CU_ASSERT_EQUAL(strncmp(name, "\xC3\x9Cn\xC3\xAF", 5), 0);
    cJSON_Delete(data);
    s = testutil_xpath_str(doc, "//table[@id='error-table']/tbody/tr/td[6]");
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "boom <script>alert(\"pwned\")</script>ctl[31mred[0m"));
    free(s);
    testutil_assert_xpath_str(doc, "//table[@id='error-table']/tbody/tr/td[4]",
                              "Weird\"><img src=x onerror=alert(1)>");
    /* Attributes too: the resource id (an AppStream name) went into data- attributes and option values. */
    assert_num(doc, "count(//select[@data-filter='account']/option[contains(., '<script>')])", 1);
    assert_num(doc, "count(//table[@id='sharing-table']//td/div[1][contains(., '<script>')])", 1);
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr[contains(@data-target, '<script>')])", 1);
    assert_num(doc, "count(//select[@data-filter='target']/option[contains(@value, '<script>')])", 1);
    assert_num(doc, "count(//table[@id='resolved']//div[.='wsi-<script>alert(\"pwned\")</script>'])", 1);
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

/*
 * A message that tries to end the data block, open a comment or break a line inside a JavaScript string:
 * in the page, none of its "<" are there (escaped as \u003c), U+2028 and U+2029 are escaped, and the
 * parsed JSON gives the message back exactly.
 */
static void test_html__data_block_cannot_be_ended_by_a_string(void)
{
    static char message[] = "</script><script>alert(1)</script><!-- \xE2\x80\xA8 \xE2\x80\xA9 \"q\" \\ & >";
    report_fixture f;
    size_t len;
    char *page, *s;
    const char *block, *end;
    htmlDocPtr doc;
    cJSON *data;
    int k;

    fixture_load(&f, "fleet.json");
    for (size_t i = 0; i < f.r.n_items; i++) {
        if (f.r.items[i].status == RESULT_FAIL) {
            free(f.r.items[i].message);
            f.r.items[i].message = strdup(message);
            CU_ASSERT_PTR_NOT_NULL_FATAL(f.r.items[i].message);
        }
    }
    page = write_page(&f.r, NULL, &len);
    block = strstr(page, "<script type=\"application/json\" id=\"findings-data-0\">");
    CU_ASSERT_PTR_NOT_NULL_FATAL(block);
    CU_ASSERT_PTR_NOT_NULL(strstr(block, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(block, "\\u003c!-- \\u2028 \\u2029 \\\"q\\\" \\\\ \\u0026 \\u003e"));
    end = strstr(block, "</script>");
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    CU_ASSERT_PTR_NULL(memchr(block + 1, '<', (size_t)(end - block - 1)));
    CU_ASSERT_PTR_NULL(memchr(block, 0xE2, (size_t)(end - block))); /* no raw U+2028, U+2029 */
    doc = parse(page, len);
    assert_inert(doc);
    data = page_data(doc, "findings-data");
    k = find_finding(data, 0, NULL);
    CU_ASSERT_FATAL(k >= 0);
    s = finding_message(data, k);
    CU_ASSERT_STRING_EQUAL(s, message);
    free(s);
    cJSON_Delete(data);
    xmlFreeDoc(doc);
    free(page);
    fixture_free(&f);
}

static void test_html__compiled_in_assets_cannot_end_their_element(void)
{
    size_t js_len = 0, css_len = 0;
    const char *js = assets_get("report.js", &js_len), *css = assets_get("report.css", &css_len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_PTR_NOT_NULL_FATAL(css);
    CU_ASSERT(js_len > 1000 && strlen(js) == js_len);
    CU_ASSERT(css_len > 1000 && strlen(css) == css_len);
    /* Script and style text is raw in HTML: "</" would end the element early. */
    CU_ASSERT_PTR_NULL(strstr(js, "</"));
    CU_ASSERT_PTR_NULL(strstr(css, "</"));
    CU_ASSERT_PTR_NULL(strstr(js, "innerHTML"));
    CU_ASSERT_PTR_NULL(assets_get("no-such-asset.css", NULL));
}

/* One rule failing on n resources: a model far larger than the fixtures, built in memory, its 60,000
 * findings in two parts. */
static void test_html__large_model_streams_every_finding(void)
{
    enum { N = 80000 };
    static char failed[] = "failed", named[] = "wsi-00000002 failed in 222233334444";
    rule_info rule = {"big-rule",       "Big rule",        "d", "r", "workspaces_image", SEV_MEDIUM,
                      "rules/big.yaml", {NULL, NULL, NULL}};
    snap_resource *res = calloc(N, sizeof(*res));
    result *items = calloc(N, sizeof(*items));
    char(*ids)[24] = calloc(N, sizeof(*ids));
    results r;
    size_t len;
    char *page, *s;
    htmlDocPtr doc;
    cJSON *data;

    CU_ASSERT_FATAL(res && items && ids);
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof(ids[i]), "wsi-%08zu", i);
        res[i] = (snap_resource){"workspaces_image", ids[i], NULL, i % 2 ? "111122223333" : "222233334444",
                                 "eu-west-1",        NULL};
        items[i] = (result){0,           (uint32_t)i,           -1,  i % 4 ? RESULT_FAIL : RESULT_PASS,
                            CHANGE_NONE, i % 4 ? failed : NULL, NULL};
    }
    items[2].message = named;
    r.rules = &rule;
    r.n_rules = 1;
    r.resources = res;
    r.n_resources = N;
    r.items = items;
    r.n_items = N;
    str_copy(r.evaluated_at, sizeof(r.evaluated_at), "2026-11-25T02:04:00Z");
    page = write_page(&r, NULL, &len);
    doc = parse(page, len);
    data = page_data(doc, "findings-data");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "rows")), N / 4 * 3);
    CU_ASSERT_STRING_EQUAL(finding_resource(data, N / 4 * 3 - 1, 0), "wsi-00079999");
    CU_ASSERT_EQUAL(cJSON_GetNumberValue(table(data, "parts")), 2);
    CU_ASSERT_STRING_EQUAL(finding_resource(data, 50000, 0), "wsi-00066667");
    CU_ASSERT_STRING_EQUAL(str_at(finding(data, 0), 3), "failed");
    /* A message that names its resource holds a mark for it; the page puts the id back. */
    CU_ASSERT_STRING_EQUAL(str_at(finding(data, 1), 3), "\x01 failed in \x03");
    s = finding_message(data, 1);
    CU_ASSERT_STRING_EQUAL(s, "wsi-00000002 failed in 222233334444");
    free(s);
    /* Each repeated string once: one rule, two accounts, one region, one type. */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "rules")), 1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "accounts")), 2);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "regions")), 1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "types")), 1);
    assert_num(doc, "count(//table[@id='findings-table']/tbody/tr)", 1);
    cJSON_Delete(data);
    testutil_assert_xpath_str(doc, "//table[@id='account-table']/tbody/tr[1]/td[5]", "40000");
    xmlFreeDoc(doc);
    free(page);
    free(ids);
    free(items);
    free(res);
}

/*
 * 3,000 images shared with one account outside the run, a third of them BYOL: past 2,000 shares the
 * sharing table is data (drawn by report.js), its heading's counts still HTML.
 */
static void test_html__large_sharing_table_is_data(void)
{
    enum { N = 3000 };
    snap_resource *res = calloc(N, sizeof(*res));
    char(*ids)[24] = calloc(N, sizeof(*ids));
    cJSON *datas = cJSON_CreateArray();
    results r;
    size_t len;
    char *page;
    htmlDocPtr doc;
    cJSON *data;
    int byol = 0;

    CU_ASSERT_FATAL(res && ids && datas);
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; i < N; i++) {
        const char *account = i % 2 ? "111122223333" : "222233334444";
        cJSON *d = cJSON_CreateObject(), *perms = cJSON_AddArrayToObject(d, "Permissions"),
              *p = cJSON_CreateObject();

        snprintf(ids[i], sizeof(ids[i]), "wsi-%08zu", i);
        cJSON_AddStringToObject(d, "OwnerAccountId", account);
        cJSON_AddStringToObject(d, "RequiredTenancy", i % 3 ? "DEFAULT" : "DEDICATED");
        cJSON_AddStringToObject(p, "SharedAccountId", "999988887777");
        cJSON_AddItemToArray(perms, p);
        cJSON_AddItemToArray(datas, d);
        res[i] = (snap_resource){"workspaces_image", ids[i], NULL, account, "eu-west-1", d};
    }
    /* As evaluation keeps them: copied, with each image's sharing facts read from its record. */
    for (size_t i = 0; i < N; i++)
        CU_ASSERT_EQUAL_FATAL(results_add_resource(&r, &res[i]), 0);
    str_copy(r.evaluated_at, sizeof(r.evaluated_at), "2026-11-25T02:04:00Z");
    page = write_page(&r, NULL, &len);
    doc = parse(page, len);
    assert_inert(doc);
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr)", 1);
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr[@class='empty'][contains(., 'JavaScript')])",
               1);
    testutil_assert_xpath_str(doc, "//div[@id='sharing']/h2/a[contains(@class, 'byol')]", "1000 BYOL");
    data = page_data(doc, "sharing-data");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "rows")), N);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(table(data, "parties")), 3);
    for (int k = 0; k < N; k++)
        byol += num_at(at(table(data, "rows"), k), 8) & 1;
    CU_ASSERT_EQUAL(byol, 1000);
    /* The account shared with was not audited: its party says so, and so does every share. */
    CU_ASSERT_STRING_EQUAL(str_at(at(table(data, "parties"), num_at(at(table(data, "rows"), 0), 5)), 0),
                           "999988887777");
    CU_ASSERT_EQUAL(num_at(at(table(data, "parties"), num_at(at(table(data, "rows"), 0), 5)), 2) & 1, 1);
    CU_ASSERT_EQUAL(num_at(at(table(data, "rows"), 0), 8) & 16, 16);
    cJSON_Delete(data);
    xmlFreeDoc(doc);
    free(page);
    results_free(&r);
    cJSON_Delete(datas);
    free(ids);
    free(res);
}

/*
 * Coverage for 100,000 accounts, each with its own regions (every tenth without, so the run's regions
 * show): a scan of every account for each account takes minutes of CPU here; the linear page, seconds.
 */
static void test_html__coverage_of_many_accounts_is_not_quadratic(void)
{
    enum { N = 100000 };
    cJSON *snap = cJSON_CreateObject(), *accounts = cJSON_AddArrayToObject(snap, "accounts");
    const char *run_regions[] = {"us-east-1", "eu-west-1"};
    results r;
    size_t len;
    char *page, id[16], region[24];
    htmlDocPtr doc;
    double t0, secs;

    cJSON_AddItemToObject(snap, "regions", cJSON_CreateStringArray(run_regions, 2));
    for (size_t i = 0; i < N; i++) {
        cJSON *a = cJSON_CreateObject();
        const char *own[] = {region};

        snprintf(id, sizeof(id), "%012zu", 100000000000 + i * 7919 % N);
        snprintf(region, sizeof(region), "region-%zu", i * 7919 % N);
        cJSON_AddStringToObject(a, "id", id);
        if (i % 10)
            cJSON_AddItemToObject(a, "regions", cJSON_CreateStringArray(own, 1));
        cJSON_AddItemToArray(accounts, a);
    }
    memset(&r, 0, sizeof(r));
    r.snapshot = snap;
    str_copy(r.evaluated_at, sizeof(r.evaluated_at), "2026-11-25T02:04:00Z");
    t0 = testutil_cpu_seconds();
    page = write_page(&r, NULL, &len);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d accounts written in %.2f s of CPU\n", N, secs);
    /* Linear: about 8 s of CPU, 25 s under AddressSanitizer; the scan of every account per account: 320 s. */
    CU_ASSERT(secs < 90.0);
    doc = parse(page, len);
    assert_num(doc, "count(//table[@id='coverage-table']/tbody/tr)", N);
    /* Rows are sorted by account id: row k is account 100000000000 + k. */
    testutil_assert_xpath_str(doc, "//table[@id='coverage-table']/tbody/tr[12346]/td[1]/div[1]",
                              "100000012345");
    testutil_assert_xpath_str(doc, "//table[@id='coverage-table']/tbody/tr[12346]/td[2]", "region-12345");
    testutil_assert_xpath_str(doc, "//table[@id='coverage-table']/tbody/tr[1]/td[2]", "us-east-1, eu-west-1");
    xmlFreeDoc(doc);
    free(page);
    cJSON_Delete(snap);
}

static void test_html__write_failure_is_an_io_error(void)
{
    report_fixture f;
    FILE *fp = testutil_dev_full();
    ia_err err;

    err_clear(&err);
    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(html_write(&f.r, NULL, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write the HTML report"));
    fclose(fp);
    fixture_free(&f);
}

/* A tally and shares lent by the caller are the page's: the writer does not compute its own. */
static void test_html__lent_tally_and_shares_are_used(void)
{
    report_fixture f;
    tally t;
    sharing sh, none;
    html_options opt = {NULL, {1, SEV_HIGH, 0}, &t, &none};
    size_t len;
    char *page;
    htmlDocPtr doc;
    ia_err err;

    fixture_load(&f, "fleet.json");
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(tally_compute(&f.r, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sharing_compute(&f.r, &t, &sh, &err), 0);
    CU_ASSERT_TRUE_FATAL(sh.n_edges > 0);
    memset(&none, 0, sizeof(none));
    t.status[RESULT_PASS] = 4242;
    page = write_page(&f.r, &opt, &len);
    doc = parse(page, len);
    testutil_assert_xpath_str(
        doc, "//div[@id='summary']//div[contains(@class, 'card passed')]/span[@class='n']", "4242");
    assert_num(doc, "count(//table[@id='sharing-table']/tbody/tr[not(contains(@class, 'empty'))])", 0);
    xmlFreeDoc(doc);
    free(page);
    sharing_free(&sh);
    tally_free(&t);
    fixture_free(&f);
}

/* Driver mode for the browser test: the demo page, gated at high, written to path. */
static void write_demo(void)
{
    report_fixture f;
    html_options opt = {NULL, {1, SEV_HIGH, 0}, NULL, NULL};
    const char *path = getenv("IMGAUDIT_HTML_DEMO_OUT");
    FILE *fp = fopen(path, "w");
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    err_clear(&err);
    fixture_load(&f, "fleet.json");
    CU_ASSERT_EQUAL(html_write(&f.r, &opt, fp, &err), 0);
    CU_ASSERT_EQUAL(fclose(fp), 0);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo demo[] = {{"write_demo", write_demo}, CU_TEST_INFO_NULL};
    CU_TestInfo tests[] = {
        {"fleet_page_parses_and_shows_every_section", test_html__fleet_page_parses_and_shows_every_section},
        {"sharing_badges_say_what_the_run_knows", test_html__sharing_badges_say_what_the_run_knows},
        {"page_allows_only_its_own_script_and_style_by_hash",
         test_html__page_allows_only_its_own_script_and_style_by_hash},
        {"gate_counts_new_failures_only_when_asked", test_html__gate_counts_new_failures_only_when_asked},
        {"empty_run_has_no_changes_section_and_says_so",
         test_html__empty_run_has_no_changes_section_and_says_so},
        {"hostile_strings_are_inert_and_well_formed", test_html__hostile_strings_are_inert_and_well_formed},
        {"compiled_in_assets_cannot_end_their_element",
         test_html__compiled_in_assets_cannot_end_their_element},
        {"data_block_cannot_be_ended_by_a_string", test_html__data_block_cannot_be_ended_by_a_string},
        {"large_model_streams_every_finding", test_html__large_model_streams_every_finding},
        {"large_sharing_table_is_data", test_html__large_sharing_table_is_data},
        {"coverage_of_many_accounts_is_not_quadratic", test_html__coverage_of_many_accounts_is_not_quadratic},
        {"write_failure_is_an_io_error", test_html__write_failure_is_an_io_error},
        {"lent_tally_and_shares_are_used", test_html__lent_tally_and_shares_are_used},
        CU_TEST_INFO_NULL,
    };
    const char *demo_out = getenv("IMGAUDIT_HTML_DEMO_OUT");
    int rc = testutil_run(demo_out && *demo_out ? "html_demo" : "html", demo_out && *demo_out ? demo : tests);

    xmlCleanupParser();
    return rc;
}
