/*
 * The JSON results document (`evaluate --json`): its shape, its counts
 * against its own results, the snapshot's errors carried through, and the
 * atomic write.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/json.h"
#include "report_fixture.h"
#include "rules/evaluate.h"
#include "testutil.h"

static char g_dir[] = "/tmp/imgaudit-json-XXXXXX";

static int make_dir(void)
{
    return mkdtemp(g_dir) ? 0 : 1;
}

static int remove_dir(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *de;
    char path[4200];

    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", g_dir, de->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(g_dir);
    return 0;
}

static size_t files_in_dir(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *de;
    size_t n = 0;

    while (d && (de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

typedef struct pack_run {
    rules_set *set;
    waivers *w;
    snapshot_doc *snap;
    results res;
} pack_run;

static int pack_eval(pack_run *r)
{
    char pack[4096], vars[4096], wv[4096];
    const char *pp = pack, *vp = vars, *wp = wv;
    const char *src = getenv("IMGAUDIT_SOURCE_DIR");
    rules_diags diags;
    rules_clock clock;
    ia_err err;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    snprintf(pack, sizeof(pack), "%s/rules", src && *src ? src : ".");
    snprintf(vars, sizeof(vars), "%s", testutil_data_path("rules/vars/trusted.yaml"));
    snprintf(wv, sizeof(wv), "%s", testutil_data_path("rules/waivers/pack.yaml"));
    rules_diags_init(&diags);
    if (rules_load(&pp, 1, &vp, 1, &r->set, &diags, &err) == 0 &&
        waivers_load(&wp, 1, &r->w, &diags, &err) == 0 && rules_clock_init(&clock, "2026-11-25", &err) == 0 &&
        snapshot_doc_read(testutil_data_path("rules/snapshots/pack.json"), &r->snap, &err) == 0 &&
        rules_evaluate(r->set, r->w, r->snap, &clock, &r->res, &err) == 0)
        rc = 0;
    rules_diags_free(&diags);
    return rc;
}

static void pack_run_free(pack_run *r)
{
    results_free(&r->res);
    snapshot_doc_free(r->snap);
    waivers_free(r->w);
    rules_set_free(r->set);
}

static cJSON *read_json(const char *path)
{
    char *text = testutil_read_file(path, NULL);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;

    free(text);
    return doc;
}

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void test_rules_json__document_shape(void)
{
    char path[4200];
    pack_run r;
    cJSON *doc, *arr, *item;
    size_t n = 0, waived = 0;
    struct stat st;

    snprintf(path, sizeof(path), "%s/results.json", g_dir);
    CU_ASSERT_EQUAL_FATAL(pack_eval(&r), 0);
    {
        ia_err err;

        mode_t mask = umask(022);

        CU_ASSERT_EQUAL_FATAL(json_report_write(&r.res, path, &err), 0);
        umask(mask);
    }
    /* 0666 less the umask, as other tools make their outputs. */
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
    /* Written atomically: only the result is left in the folder. */
    CU_ASSERT_EQUAL(files_in_dir(), 1);
    doc = read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(str_of(doc, "schema"), "imgaudit.results");
    CU_ASSERT_EQUAL(num_of(doc, "schema_version"), 1);
    CU_ASSERT_PTR_NOT_NULL(str_of(doc, "tool_version"));
    CU_ASSERT_STRING_EQUAL(str_of(doc, "evaluated_at"), r.res.evaluated_at);
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetObjectItemCaseSensitive(doc, "snapshot"), "started_at"),
                           "2026-11-25T02:00:00Z");
    arr = cJSON_GetObjectItemCaseSensitive(doc, "results");
    CU_ASSERT_FATAL(cJSON_IsArray(arr));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(arr), (int)r.res.n_items);
    cJSON_ArrayForEach(item, arr)
    {
        const result *it = &r.res.items[n++];
        const char *status = str_of(item, "status");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(item, "message");
        const cJSON *waiver = cJSON_GetObjectItemCaseSensitive(item, "waiver");

        /* Same order as the model: by rule, then snapshot order. */
        CU_ASSERT_STRING_EQUAL(str_of(item, "rule"), r.res.rules[it->rule].id);
        CU_ASSERT_STRING_EQUAL(str_of(item, "title"), r.res.rules[it->rule].title);
        CU_ASSERT_STRING_EQUAL(str_of(item, "severity"), severity_name(r.res.rules[it->rule].sev));
        CU_ASSERT_STRING_EQUAL(status, result_status_name(it->status));
        CU_ASSERT_STRING_EQUAL(str_of(item, "resource_type"), r.res.resources[it->resource].type);
        CU_ASSERT_STRING_EQUAL(str_of(item, "resource_id"), r.res.resources[it->resource].id);
        CU_ASSERT_STRING_EQUAL(str_of(item, "account"), "111122223333");
        CU_ASSERT_PTR_NOT_NULL(str_of(item, "region"));
        if (it->status == RESULT_PASS) {
            CU_ASSERT_TRUE(cJSON_IsNull(msg));
            CU_ASSERT_PTR_NULL(waiver);
        } else {
            CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(msg), it->message);
        }
        if (it->status == RESULT_WAIVED) {
            waived++;
            CU_ASSERT_STRING_EQUAL(str_of(waiver, "reason"),
                                   "Kept for the legacy payroll desktops until they are retired");
            CU_ASSERT_STRING_EQUAL(str_of(waiver, "owner"), "desktop-team");
            CU_ASSERT_STRING_EQUAL(str_of(waiver, "expires"), "2027-01-01");
            CU_ASSERT_EQUAL(num_of(waiver, "line"), 2);
        } else {
            CU_ASSERT_PTR_NULL(waiver);
        }
        /* No baseline: no change fields. */
        CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(item, "change"));
    }
    CU_ASSERT_EQUAL(waived, 1);
    /* The display name: WorkSpaces Name, AppStream DisplayName or null. */
    CU_ASSERT_TRUE(
        cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "resource_name")));
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(arr, 1), "resource_name"), "Golden builder");
    cJSON_Delete(doc);
    pack_run_free(&r);
    unlink(path);
}

static void test_rules_json__summary_matches_results(void)
{
    char path[4200];
    pack_run r;
    cJSON *doc, *summary, *sev, *item;
    double counted[3] = {0, 0, 0}, by_sev[5][3];
    static const char *const st_names[] = {"pass", "fail", "waived"};
    static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

    memset(by_sev, 0, sizeof(by_sev));
    snprintf(path, sizeof(path), "%s/summary.json", g_dir);
    CU_ASSERT_EQUAL_FATAL(pack_eval(&r), 0);
    {
        ia_err err;

        CU_ASSERT_EQUAL_FATAL(json_report_write(&r.res, path, &err), 0);
    }
    doc = read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "results"))
    {
        int st = -1, sv = -1;

        for (int i = 0; i < 3; i++)
            st = strcmp(str_of(item, "status"), st_names[i]) == 0 ? i : st;
        for (int i = 0; i < 5; i++)
            sv = strcmp(str_of(item, "severity"), sev_names[i]) == 0 ? i : sv;
        CU_ASSERT_FATAL(st >= 0 && sv >= 0);
        counted[st]++;
        by_sev[sv][st]++;
    }
    summary = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    CU_ASSERT_EQUAL(num_of(summary, "total"), counted[0] + counted[1] + counted[2]);
    CU_ASSERT_EQUAL(num_of(summary, "rules"), 12);
    CU_ASSERT_EQUAL(num_of(summary, "resources"), 15);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(num_of(summary, st_names[i]), counted[i]);
    /* pack.expected: 10 failures and 1 waived. */
    CU_ASSERT_EQUAL(counted[1], 10);
    CU_ASSERT_EQUAL(counted[2], 1);
    sev = cJSON_GetObjectItemCaseSensitive(summary, "by_severity");
    for (int s = 0; s < 5; s++) {
        for (int i = 0; i < 3; i++)
            CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItemCaseSensitive(sev, sev_names[s]), st_names[i]),
                            by_sev[s][i]);
    }
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItemCaseSensitive(summary, "waivers"), "applied"), 1);
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItemCaseSensitive(summary, "waivers"), "expired"), 1);
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItemCaseSensitive(summary, "waivers"), "unused"), 1);
    CU_ASSERT_EQUAL(num_of(summary, "collection_errors"), 1);
    cJSON_Delete(doc);
    pack_run_free(&r);
    unlink(path);
}

static void test_rules_json__waivers_rules_and_errors(void)
{
    char path[4200];
    pack_run r;
    cJSON *doc, *waivers_arr, *rules_arr;

    snprintf(path, sizeof(path), "%s/waivers.json", g_dir);
    CU_ASSERT_EQUAL_FATAL(pack_eval(&r), 0);
    {
        ia_err err;

        CU_ASSERT_EQUAL_FATAL(json_report_write(&r.res, path, &err), 0);
    }
    doc = read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    /* The snapshot's collection errors, carried through unchanged. */
    CU_ASSERT_TRUE(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(doc, "errors"), r.snap->errors, 1));
    waivers_arr = cJSON_GetObjectItemCaseSensitive(doc, "waivers");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(waivers_arr), 3);
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(waivers_arr, 0), "state"), "applied");
    CU_ASSERT_EQUAL(num_of(cJSON_GetArrayItem(waivers_arr, 0), "matched"), 1);
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(waivers_arr, 1), "state"), "expired");
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(waivers_arr, 1), "rule"), "appstream-builder-*");
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(waivers_arr, 2), "state"), "unused");
    CU_ASSERT_STRING_EQUAL(str_of(cJSON_GetArrayItem(waivers_arr, 2), "account"), "999999999999");
    rules_arr = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(rules_arr), 12);
    CU_ASSERT_PTR_NOT_NULL(str_of(cJSON_GetArrayItem(rules_arr, 0), "remediation"));
    CU_ASSERT_PTR_NOT_NULL(str_of(cJSON_GetArrayItem(rules_arr, 0), "description"));
    cJSON_Delete(doc);
    pack_run_free(&r);
    unlink(path);
}

/* A results model built by hand, as a baseline step would leave it. */
static void test_rules_json__hand_built_results_with_baseline(void)
{
    rule_info rules[1] = {
        {"r-1", "Title \"quoted\"", NULL, NULL, "workspaces_image", SEV_HIGH, "r.yaml", {NULL, NULL, NULL}}};
    snap_resource resources[2] = {{"workspaces_image", "wsi-1", "name\twith tab", "1", "eu-west-1", NULL},
                                  {"workspaces_image", "wsi-2", NULL, "1", "eu-west-1", NULL}};
    result items[2] = {
        {0, 0, -1, RESULT_FAIL, CHANGE_NEW, "line one\nline two \xc3\xa9", "2026-11-01T00:00:00Z"},
        {0, 1, -1, RESULT_PASS, CHANGE_NONE, NULL, NULL}};
    results r;
    char path[4200];
    FILE *fp;
    cJSON *doc, *first, *second;
    ia_err err;

    memset(&r, 0, sizeof(r));
    r.rules = rules;
    r.n_rules = 1;
    r.resources = resources;
    r.n_resources = 2;
    r.items = items;
    r.n_items = 2;
    r.has_baseline = 1;
    snprintf(r.evaluated_at, sizeof(r.evaluated_at), "2026-11-25T00:00:00Z");
    snprintf(path, sizeof(path), "%s/hand.json", g_dir);
    fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(json_report_fwrite(&r, fp, &err), 0);
    fclose(fp);
    doc = read_json(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "results"), 0);
    second = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "results"), 1);
    /* Text survives escaping exactly. */
    CU_ASSERT_STRING_EQUAL(str_of(first, "message"), "line one\nline two \xc3\xa9");
    CU_ASSERT_STRING_EQUAL(str_of(first, "title"), "Title \"quoted\"");
    CU_ASSERT_STRING_EQUAL(str_of(first, "resource_name"), "name\twith tab");
    CU_ASSERT_STRING_EQUAL(str_of(first, "change"), "new");
    CU_ASSERT_STRING_EQUAL(str_of(first, "first_seen"), "2026-11-01T00:00:00Z");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(second, "resource_name")));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(second, "change"));
    /* No snapshot: empty errors, no metadata but the count. */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "errors")), 0);
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItemCaseSensitive(doc, "snapshot"), "resources"), 2);
    cJSON_Delete(doc);
    /* An item pointing past the tables is refused, not read out of bounds. */
    items[1].resource = 7;
    fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(json_report_fwrite(&r, fp, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INTERNAL);
    fclose(fp);
    unlink(path);
}

/* Writes r with json_report_fwrite and reads the document back; owned (cJSON_Delete). */
static cJSON *write_and_read(const results *r, const char *name)
{
    char path[4200];
    FILE *fp;
    ia_err err;
    cJSON *doc;

    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(json_report_fwrite(r, fp, &err), 0);
    fclose(fp);
    doc = read_json(path);
    unlink(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    return doc;
}

/* The shares of tests/data/reports/sharing.json, exactly as sharing.expected.json lists them. */
static void test_rules_json__sharing_lists_each_share_once_with_what_is_known(void)
{
    report_fixture f;
    cJSON *doc, *want, *sharing, *item;
    char *text = testutil_read_file(testutil_data_path("reports/sharing.expected.json"), NULL);
    int found_sharing = 0;

    fixture_load(&f, "sharing.json");
    doc = write_and_read(&f.r, "sharing.json");
    want = text ? cJSON_Parse(text) : NULL;
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    sharing = cJSON_GetObjectItemCaseSensitive(doc, "sharing");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(sharing), 8);
    if (!cJSON_Compare(sharing, want, 1)) {
        char *got = cJSON_Print(sharing);

        fprintf(stderr, "\n  sharing differs from sharing.expected.json:\n%s\n", got);
        cJSON_free(got);
        CU_FAIL("sharing differs from tests/data/reports/sharing.expected.json");
    }
    /* Before the results, which stay last. */
    for (item = doc->child; item; item = item->next) {
        found_sharing |= strcmp(item->string, "sharing") == 0;
        if (strcmp(item->string, "results") == 0)
            CU_ASSERT_TRUE(found_sharing && !item->next);
    }
    cJSON_Delete(doc);
    cJSON_Delete(want);
    /* Without an Organization and trusted accounts, membership and trust are null, never false. */
    fixture_forget_sharing_context(&f.r);
    doc = write_and_read(&f.r, "sharing-unknown.json");
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "sharing"))
    {
        const cJSON *owner = cJSON_GetObjectItemCaseSensitive(item, "owner");
        const cJSON *with = cJSON_GetObjectItemCaseSensitive(item, "shared_with");

        CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(owner, "in_organization")));
        CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(owner, "trusted")));
        CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(with, "in_organization")));
        CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(with, "trusted")));
        CU_ASSERT_TRUE(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(with, "audited")));
    }
    /* The partner's name came from the Organization's members only. */
    item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "sharing"), 6);
    CU_ASSERT_TRUE(cJSON_IsNull(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "owner"), "name")));
    cJSON_Delete(doc);
    /* Nothing shared: an empty list, still there. */
    fixture_free(&f);
    fixture_load(&f, "empty.json");
    doc = write_and_read(&f.r, "sharing-empty.json");
    sharing = cJSON_GetObjectItemCaseSensitive(doc, "sharing");
    CU_ASSERT_TRUE(cJSON_IsArray(sharing) && cJSON_GetArraySize(sharing) == 0);
    cJSON_Delete(doc);
    fixture_free(&f);
}

static void test_rules_json__unwritable_path_leaves_nothing(void)
{
    char path[4200];
    results r;
    ia_err err;

    memset(&r, 0, sizeof(r));
    snprintf(path, sizeof(path), "%s/no-such-dir/out.json", g_dir);
    CU_ASSERT_EQUAL(json_report_write(&r, path, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_EQUAL(files_in_dir(), 0);
}

static void test_rules_json__device_is_written_in_place(void)
{
    results r;
    ia_err err;
    struct stat st;

    /* A temporary file renamed over /dev/null would replace the device (as root). */
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(json_report_write(&r, "/dev/null", &err), 0);
    CU_ASSERT_EQUAL_FATAL(stat("/dev/null", &st), 0);
    CU_ASSERT_TRUE(S_ISCHR(st.st_mode));
}

/* Strings in results, shares and resolved failures: escaped as cJSON escapes, a byte that is not UTF-8 as
 * '?'. */
static void test_rules_json__hostile_strings_are_escaped_and_the_document_is_valid_utf8(void)
{
    static const char name[] = "q\"b\\c\x01\x1f\x7f t\tn\nU+2028 \xe2\x80\xa8 bad \xff\xc0\xaf end";
    report_fixture f;
    testutil_mem m;
    FILE *fp = testutil_mem_open(&m);
    char *text;
    cJSON *doc;
    const cJSON *it;
    size_t len, named = 0;
    ia_err err;

    fixture_load(&f, "fleet.json");
    f.r.resources[0].name = name;
    CU_ASSERT_EQUAL(json_report_fwrite(&f.r, fp, &err), 0);
    text = testutil_mem_close(&m, &len);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"resource_name\":\"q\\\"b\\\\c\\u0001\\u001f\x7f t\\tn\\nU+2028 "
                                        "\xe2\x80\xa8 bad ??? end\""));
    /* One result per line, in the top-level object's layout. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\t\"results\": [\n\t\t{\"rule\":"));
    CU_ASSERT_PTR_NULL(strchr(text, '\xff'));
    CU_ASSERT_PTR_NULL(strchr(text, '\xc0'));
    doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "results"))
    {
        const char *rn = str_of(it, "resource_name");

        named += rn && strcmp(rn, "q\"b\\c\x01\x1f\x7f t\tn\nU+2028 \xe2\x80\xa8 bad ??? end") == 0;
    }
    CU_ASSERT_TRUE(named > 0);
    for (size_t i = 0; i < len; i++) {
        /* No raw control byte but the layout's newlines and tabs (a JSON string holds none raw). */
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t')
            CU_FAIL("raw control byte in the document");
    }
    cJSON_Delete(doc);
    free(text);
    fixture_free(&f);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"document_shape", test_rules_json__document_shape},
        {"summary_matches_results", test_rules_json__summary_matches_results},
        {"waivers_rules_and_errors", test_rules_json__waivers_rules_and_errors},
        {"hand_built_results_with_baseline", test_rules_json__hand_built_results_with_baseline},
        {"sharing_lists_each_share_once_with_what_is_known",
         test_rules_json__sharing_lists_each_share_once_with_what_is_known},
        {"unwritable_path_leaves_nothing", test_rules_json__unwritable_path_leaves_nothing},
        {"device_is_written_in_place", test_rules_json__device_is_written_in_place},
        {"hostile_strings_are_escaped_and_the_document_is_valid_utf8",
         test_rules_json__hostile_strings_are_escaped_and_the_document_is_valid_utf8},
        CU_TEST_INFO_NULL,
    };
    int rc;

    if (make_dir() != 0)
        return 1;
    rc = testutil_run("rules_json", tests);
    remove_dir();
    return rc;
}
