/*
 * Merging snapshots (snapshot/merge.h) over the parts in tests/data/snapshot/merge: a commercial
 * collection in two pieces and a GovCloud one, shards of one split, and parts that must be refused.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "snapshot/merge.h"
#include "snapshot/read.h"
#include "testutil.h"
#include "version.h"

#define MAX_PARTS 4

/* Merges the named parts (files under tests/data/snapshot/merge) into s; merge's return. */
static int merge_parts(snapshot *s, ia_err *err, const char *const *names, size_t n)
{
    char *paths[MAX_PARTS] = {0};
    int rc;

    CU_ASSERT_FATAL(n <= MAX_PARTS);
    for (size_t i = 0; i < n; i++) {
        char rel[128];

        snprintf(rel, sizeof(rel), "snapshot/merge/%s", names[i]);
        paths[i] = strdup(testutil_data_path(rel));
    }
    snapshot_init(s);
    err_clear(err);
    rc = snapshot_merge((const char *const *)paths, n, s, err);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    return rc;
}

/* Writes s and reads the text back; owned (free()). */
static char *written(snapshot *s)
{
    char *path = testutil_write_temp(""), *text;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(s, path, &err), 0);
    text = testutil_read_file(path, NULL);
    unlink(path);
    free(path);
    return text;
}

/* The recorded expectation, with this imgaudit's version where it says @TOOL_VERSION@. Owned. */
static char *expected(const char *name)
{
    char rel[128], *text, *at, *out;
    const char *mark = "@TOOL_VERSION@";

    snprintf(rel, sizeof(rel), "snapshot/merge/%s", name);
    text = testutil_read_file(testutil_data_path(rel), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    at = strstr(text, mark);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    out = malloc(strlen(text) + strlen(IMGAUDIT_VERSION) + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    snprintf(out, strlen(text) + strlen(IMGAUDIT_VERSION) + 1, "%.*s%s%s", (int)(at - text), text,
             IMGAUDIT_VERSION, at + strlen(mark));
    free(text);
    return out;
}

/*
 * Commercial us-east-1, commercial eu-west-1 (one account in both, a resource type this imgaudit does not
 * know, an error) and GovCloud: one snapshot in the collector's order, the times spanning the parts,
 * regions in the order the parts list them, the first part's caller and every caller, "mixed" partitions.
 */
static void test_snapshot_merge__parts_collected_apart_make_one(void)
{
    static const char *const parts[] = {"commercial-us.json", "commercial-eu.json", "govcloud.json"};
    snapshot s;
    ia_err err;
    char *got, *want;

    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, parts, 3), 0);
    CU_ASSERT_TRUE(s.parts_incomplete);
    got = written(&s);
    want = expected("merged-commercial-govcloud.json");
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
    free(want);
    snapshot_clean_up(&s);
}

/* A merged snapshot merges again as its parts would: its callers and partitions lists stand for them. */
static void test_snapshot_merge__a_merged_snapshot_merges_again(void)
{
    static const char *const commercial[] = {"commercial-us.json", "commercial-eu.json"};
    char *path = testutil_write_temp(""), *got, *want;
    const char *again[2];
    snapshot s;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, commercial, 2), 0);
    CU_ASSERT_PTR_NULL(s.callers);    /* one caller: nothing to list */
    CU_ASSERT_PTR_NULL(s.partitions); /* one partition */
    CU_ASSERT_STRING_EQUAL(s.partition, "aws");
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    snapshot_clean_up(&s);
    again[0] = path;
    again[1] = strdup(testutil_data_path("snapshot/merge/govcloud.json"));
    snapshot_init(&s);
    CU_ASSERT_EQUAL_FATAL(snapshot_merge(again, 2, &s, &err), 0);
    got = written(&s);
    want = expected("merged-commercial-govcloud.json");
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
    free(want);
    free((char *)(uintptr_t)again[1]);
    snapshot_clean_up(&s);
    unlink(path);
    free(path);
}

/* Two parts that both collected one account in one region: refused, naming both files, the account and
 * region. */
static void test_snapshot_merge__overlap_refused_naming_both_files(void)
{
    static const char *const parts[] = {"commercial-eu.json", "overlaps-commercial-eu.json"};
    snapshot s;
    ia_err err;

    CU_ASSERT_EQUAL(merge_parts(&s, &err, parts, 2), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.file, "overlaps-commercial-eu.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "account 555566667777, region eu-west-1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/commercial-eu.json too"));
    snapshot_clean_up(&s);
}

/* Every shard of a split: the snapshot one unsharded run writes, with no "shard" member. */
static void test_snapshot_merge__every_shard_makes_an_unsharded_snapshot(void)
{
    static const char *const parts[] = {"shard-2-of-3.json", "shard-0-of-3.json", "shard-1-of-3.json"};
    snapshot s;
    ia_err err;
    char *text;
    cJSON *doc;

    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, parts, 3), 0);
    CU_ASSERT_EQUAL(s.shard_count, 0);
    CU_ASSERT_EQUAL(s.n_errors, 0);
    text = written(&s);
    doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(doc, "shard"));
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(doc, "complete")));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "accounts")), 3);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "started_at")->valuestring, "2026-11-25T02:00:00Z");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "finished_at")->valuestring, "2026-11-25T02:02:30Z");
    cJSON_Delete(doc);
    free(text);
    snapshot_clean_up(&s);
}

/* A lost shard job: the merge goes on, and the snapshot is incomplete with an error that says which shard. */
static void test_snapshot_merge__missing_shard_is_an_error_of_the_snapshot(void)
{
    static const char *const parts[] = {"shard-0-of-3.json", "shard-2-of-3.json", "shard-3-of-4-empty.json"};
    snapshot s;
    ia_err err;
    char *text;
    cJSON *doc;
    const cJSON *errors;

    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, parts, 3), 0);
    text = written(&s);
    doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(doc, "complete")));
    errors = cJSON_GetObjectItem(doc, "errors");
    /* Two splits (N = 3 and N = 4 by the same caller), each missing shards. */
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(errors), 2);
    for (int i = 0; i < 2; i++) {
        const cJSON *e = cJSON_GetArrayItem(errors, i);

        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(e, "code")->valuestring, "ShardMissing");
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(e, "service")->valuestring, "imgaudit");
        CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(e, "account")));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "shard 1 of 3 is missing from the split "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "shards 0-2 of 4 are missing from the split "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "(caller 111111111111, partition aws)"));
    /* Each error names its split, so that the writer keeps both. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"resource\":\"shard 1/3 (caller 111111111111, partition aws)\""));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(text, "\"resource\":\"shards 0-2/4 (caller 111111111111, partition aws)\""));
    cJSON_Delete(doc);
    free(text);
    snapshot_clean_up(&s);
}

/* Each malformed part is refused as bad input naming its file (and line:column for JSON syntax). */
static void test_snapshot_merge__malformed_parts_refused_by_file(void)
{
    static const struct {
        const char *part, *says;
        unsigned line;
    } cases[] = {
        {"syntax-error.json", "invalid JSON", 4},
        {"bad-time.json", "\"started_at\" is not an ISO-8601 time", 0},
        {"resource-outside.json", "resources[0] (333333333333/eu-west-1) lies outside", 0},
        {"shard-1-of-3-wrong-account.json", "account 111111111111 is not in shard 1/3", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *parts[] = {"shard-2-of-3.json", cases[i].part};
        snapshot s;
        ia_err err;

        CU_ASSERT_EQUAL(merge_parts(&s, &err, parts, 2), -1);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.file, cases[i].part));
        CU_ASSERT_EQUAL(err.line, cases[i].line);
        if (!strstr(err.msg, cases[i].says)) {
            fprintf(stderr, "%s: '%s' does not say '%s'\n", cases[i].part, err.msg, cases[i].says);
            CU_FAIL("the refusal does not say what is wrong");
        }
        snapshot_clean_up(&s);
    }
}

/* organizations[i].key, or "(none)" when it is not a string. */
static const char *org_str(const cJSON *orgs, int i, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(orgs, i), key);

    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

/* organizations[i].accounts[j].key, or "(none)". */
static const char *member_str(const cJSON *orgs, int i, int j, const char *key)
{
    const cJSON *accounts = cJSON_GetObjectItem(cJSON_GetArrayItem(orgs, i), "accounts");
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetArrayItem(accounts, j), key);

    return cJSON_IsString(v) ? v->valuestring : "(none)";
}

/*
 * Organizations are unioned by id, their members by account id (the first part's name and state kept),
 * their org_units unioned; a part without "organizations" adds none; the merged snapshot reads back with
 * every member once.
 */
static void test_snapshot_merge__organizations_unioned(void)
{
    static const char *const parts[] = {"org-part-a.json", "org-part-none.json", "org-part-b.json"};
    const cJSON *orgs, *units;
    char *path = testutil_write_temp("");
    snapshot_doc *doc = NULL;
    snapshot s;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, parts, 3), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    orgs = s.organizations;
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(orgs), 2);
    CU_ASSERT_STRING_EQUAL(org_str(orgs, 0, "id"), "o-aaaaaaaaaa");
    CU_ASSERT_STRING_EQUAL(org_str(orgs, 0, "management_account"), "111111111111");
    CU_ASSERT_STRING_EQUAL(org_str(orgs, 1, "id"), "o-bbbbbbbbbb");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(orgs, 0), "accounts")),
                          3);
    CU_ASSERT_STRING_EQUAL(member_str(orgs, 0, 0, "id"), "111111111111");
    CU_ASSERT_STRING_EQUAL(member_str(orgs, 0, 1, "id"), "222222222222");
    CU_ASSERT_STRING_EQUAL(member_str(orgs, 0, 1, "name"), "legacy");
    CU_ASSERT_STRING_EQUAL(member_str(orgs, 0, 1, "state"), "SUSPENDED");
    CU_ASSERT_STRING_EQUAL(member_str(orgs, 0, 2, "id"), "333333333333");
    units = cJSON_GetObjectItem(cJSON_GetArrayItem(orgs, 0), "org_units");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(units), 2);
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(units, 0)->valuestring, "ou-ab12-aaaaaaa9");
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(units, 1)->valuestring, "ou-ab12-cdefgh12");
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(path, &doc, &err), 0);
    CU_ASSERT_TRUE(doc->has_organization);
    CU_ASSERT_EQUAL(doc->n_org_accounts, 4);
    snapshot_doc_free(doc);
    snapshot_clean_up(&s);
    unlink(path);
    free(path);
}

/* A part that collected the whole Organization (no org_units) makes the merged one whole; none: none. */
static void test_snapshot_merge__whole_organization_wins_none_stays_none(void)
{
    static const char *const whole[] = {"org-part-b.json", "org-part-none.json"};
    static const char *const none[] = {"shard-0-of-3.json", "shard-1-of-3.json"};
    cJSON *b = NULL;
    char *text = testutil_read_file(testutil_data_path("snapshot/merge/org-part-a.json"), NULL), *path,
         *printed;
    const char *paths[2];
    snapshot s;
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, none, 2), 0);
    CU_ASSERT_PTR_NULL(s.organizations);
    snapshot_clean_up(&s);
    CU_ASSERT_EQUAL_FATAL(merge_parts(&s, &err, whole, 2), 0);
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(cJSON_GetArrayItem(s.organizations, 0), "org_units"));
    snapshot_clean_up(&s);
    /* Part a without its org_units: merged with b, o-aaaaaaaaaa has none. */
    b = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    cJSON_DeleteItemFromObject(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "organizations"), 0), "org_units");
    printed = cJSON_Print(b);
    path = testutil_write_temp(printed);
    cJSON_free(printed);
    paths[0] = path;
    paths[1] = strdup(testutil_data_path("snapshot/merge/org-part-b.json"));
    snapshot_init(&s);
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(snapshot_merge(paths, 2, &s, &err), 0);
    CU_ASSERT_STRING_EQUAL(org_str(s.organizations, 0, "id"), "o-aaaaaaaaaa");
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetArrayItem(s.organizations, 0), "org_units"));
    snapshot_clean_up(&s);
    unlink(path);
    free(path);
    free((char *)paths[1]);
    free(text);
    cJSON_Delete(b);
}

static CU_TestInfo tests[] = {
    {"parts collected apart make one snapshot", test_snapshot_merge__parts_collected_apart_make_one},
    {"a merged snapshot merges again", test_snapshot_merge__a_merged_snapshot_merges_again},
    {"overlapping parts refused, naming both files", test_snapshot_merge__overlap_refused_naming_both_files},
    {"every shard of a split: an unsharded snapshot",
     test_snapshot_merge__every_shard_makes_an_unsharded_snapshot},
    {"a missing shard is an error of the snapshot",
     test_snapshot_merge__missing_shard_is_an_error_of_the_snapshot},
    {"organizations unioned by id, members by account id", test_snapshot_merge__organizations_unioned},
    {"a whole Organization wins over OUs; none stays none",
     test_snapshot_merge__whole_organization_wins_none_stays_none},
    {"malformed parts refused, by file", test_snapshot_merge__malformed_parts_refused_by_file},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("snapshot_merge", tests);
}
