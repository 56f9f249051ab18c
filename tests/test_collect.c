/* The collector's parts that need no network: accounts files, regions, timestamps, what is kept of an
 * answer, taking an answer page apart (the scheduler: test_sched). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "collect/listings.h"
#include "collect/org.h"
#include "collect/regions.h"
#include "collect/targets.h"
#include "snapshot/read.h"
#include "testutil.h"
#include "util/log.h"
#include "util/timefmt.h"

static void test_collect__accounts_file(void)
{
    collect_targets t;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(targets_load_file(testutil_data_path("collect/accounts.yaml"), &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(t.n, 3);
    CU_ASSERT_STRING_EQUAL(t.items[0].id, "111122223333");
    CU_ASSERT_STRING_EQUAL(t.items[0].name, "desktops-prod");
    CU_ASSERT_PTR_NULL(t.items[0].role_arn);
    CU_ASSERT_STRING_EQUAL(t.items[1].id, "044455556666"); /* quoted: the leading 0 survives */
    CU_ASSERT_STRING_EQUAL(t.items[1].role_arn, "arn:aws:iam::044455556666:role/Auditor");
    CU_ASSERT_STRING_EQUAL(t.items[1].external_id, "abc-123");
    CU_ASSERT_EQUAL_FATAL(t.items[1].n_regions, 2);
    CU_ASSERT_STRING_EQUAL(t.items[1].regions[1], "us-east-1");
    CU_ASSERT_STRING_EQUAL(t.items[2].id, "777788889999"); /* a plain number is taken as written */
    targets_free(&t);
}

static void expect_bad(const char *file, unsigned line, const char *what)
{
    collect_targets t;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(targets_load_file(testutil_data_path(file), &t, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, line);
    CU_ASSERT_TRUE(err.column > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, what));
    CU_ASSERT_PTR_NULL(t.items);
}

static void test_collect__accounts_file_errors(void)
{
    log_set_level(LOG_QUIET);
    expect_bad("collect/accounts-short-id.yaml", 2, "is not 12 digits");
    expect_bad("collect/accounts-unknown-key.yaml", 4, "unknown key 'colour'");
    expect_bad("collect/accounts-twice.yaml", 4, "listed twice");
    expect_bad("collect/accounts-no-list.yaml", 1, "'accounts' must be a non-empty list");
    expect_bad("collect/accounts-bad-region.yaml", 4, "is not a region name");
    expect_bad("collect/accounts-syntax.yaml", 3, "");
    log_set_level(LOG_WARN);
}

static void test_collect__accounts_file_missing(void)
{
    collect_targets t;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(targets_load_file("/nonexistent/accounts.yaml", &t, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/accounts.yaml"));
}

static void test_collect__regions(void)
{
    size_t n = 0;
    const char *const *all = regions_all("aws", &n);

    CU_ASSERT_TRUE(regions_offers(REGION_WORKSPACES, "eu-west-1"));
    CU_ASSERT_TRUE(regions_offers(REGION_APPSTREAM, "eu-west-1"));
    CU_ASSERT_TRUE(regions_offers(REGION_WORKSPACES, "af-south-1"));
    CU_ASSERT_FALSE(regions_offers(REGION_APPSTREAM, "af-south-1"));
    CU_ASSERT_FALSE(regions_offers(REGION_WORKSPACES, "eu-south-1"));
    CU_ASSERT_TRUE(regions_offers(REGION_APPSTREAM, "eu-south-1"));
    CU_ASSERT_FALSE(regions_offers(REGION_WORKSPACES, "xx-nowhere-1"));
    CU_ASSERT_TRUE(n >= 19);
    for (size_t i = 1; i < n; i++)
        CU_ASSERT_TRUE(strcmp(all[i - 1], all[i]) < 0);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_TRUE(regions_offers(REGION_WORKSPACES, all[i]) || regions_offers(REGION_APPSTREAM, all[i]));
    all = regions_all("aws-us-gov", &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(all[0], "us-gov-east-1");
    all = regions_all("aws-cn", &n);
    CU_ASSERT_EQUAL(n, 1);
}

static void test_collect__timestamps(void)
{
    char iso[TIMEFMT_ISO_SIZE];
    time_t t;

    CU_ASSERT_TRUE(timefmt_iso_epoch(1704448800.0, iso));
    CU_ASSERT_STRING_EQUAL(iso, "2024-01-05T10:00:00Z");
    CU_ASSERT_TRUE(timefmt_iso_epoch(1704448800.25, iso));
    CU_ASSERT_STRING_EQUAL(iso, "2024-01-05T10:00:00.250Z");
    CU_ASSERT_TRUE(timefmt_iso_epoch(1704448800.9996, iso));
    CU_ASSERT_STRING_EQUAL(iso, "2024-01-05T10:00:01Z");
    /* Numbers that are no dates are refused, not turned into garbage (or undefined behaviour). */
    CU_ASSERT_FALSE(timefmt_iso_epoch(1e20, iso));
    CU_ASSERT_FALSE(timefmt_iso_epoch(-1e20, iso));
    CU_ASSERT_FALSE(timefmt_iso_epoch(HUGE_VAL, iso));
    CU_ASSERT_FALSE(timefmt_iso_epoch(NAN, iso));
    CU_ASSERT_STRING_EQUAL(iso, "2024-01-05T10:00:01Z");
    CU_ASSERT_TRUE(timefmt_parse("2024-01-05T10:00:00Z", &t));
    CU_ASSERT_EQUAL(t, 1704448800);
    CU_ASSERT_TRUE(timefmt_parse("2024-01-05T11:00:00.5+01:00", &t));
    CU_ASSERT_EQUAL(t, 1704448800);
    CU_ASSERT_TRUE(timefmt_parse("2024-01-05", &t));
    CU_ASSERT_EQUAL(t, 1704412800);
    CU_ASSERT_FALSE(timefmt_parse("2024-13-05", &t));
    CU_ASSERT_FALSE(timefmt_parse("2024-01-05T10:00", &t));
    CU_ASSERT_FALSE(timefmt_parse("yesterday", &t));
}

/* An object of `levels` levels: {"ImageId": id, "Nested": [[...["xxx..."]...]]}, the string long enough that
 * depth alone decides whether it is kept. */
static cJSON *nested_item(const char *id, int levels)
{
    static char filler[16384];
    cJSON *item = cJSON_CreateObject(), *at = item;

    memset(filler, 'x', sizeof(filler) - 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    cJSON_AddStringToObject(item, "ImageId", id);
    for (int i = 1; i < levels; i++) {
        cJSON *inner = cJSON_CreateArray();

        if (at == item)
            cJSON_AddItemToObject(item, "Nested", inner);
        else
            cJSON_AddItemToArray(at, inner);
        at = inner;
    }
    cJSON_AddItemToArray(at, cJSON_CreateString(filler));
    return item;
}

/* An array of n zeros. */
static cJSON *zeros(int n)
{
    cJSON *a = cJSON_CreateArray();

    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(0));
    return a;
}

/* {"<list>": [item]}, taking item. */
static cJSON *answer_of(const char *list, cJSON *item)
{
    cJSON *answer = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(answer, list);

    cJSON_AddItemToArray(items, item);
    return answer;
}

static void keep_data(void *ud, const snap_resource *res, cJSON *data)
{
    (void)res;
    *(cJSON **)ud = data;
}

static void test_collect__kept_answers_read_back(void)
{
    cJSON *answer, *all = cJSON_CreateArray(), *data = NULL;
    snapshot_doc *doc = NULL;
    char *path = testutil_write_temp("");
    snapshot snap;
    ia_err err;

    snapshot_init(&snap);
    err_clear(&err);
    /* An image 997 levels deep (cJSON parses up to 1000) is refused whole, as a page that could not be read.
     */
    answer = answer_of("Images", nested_item("wsi-000000001", 997));
    CU_ASSERT_EQUAL(
        listing_take_page(LIST_WS_OWNED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Images[0] nests deeper than the 509 levels a snapshot keeps"));
    CU_ASSERT_EQUAL(snap.n_resources, 0);
    cJSON_Delete(answer);
    /* One level past what the snapshot's envelope leaves: refused too. */
    answer = answer_of("Images", nested_item("wsi-000000002", SNAPSHOT_DATA_MAX_DEPTH + 1));
    CU_ASSERT_EQUAL(
        listing_take_page(LIST_WS_OWNED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        -1);
    cJSON_Delete(answer);
    answer = answer_of("ImagePermissions", nested_item("999988887777", SNAPSHOT_DATA_MAX_DEPTH - 1));
    CU_ASSERT_EQUAL(listing_take_permissions(LIST_WS_OWNED, answer, all, &err), -1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(all), 0);
    cJSON_Delete(answer);
    /* Dense: small numbers parse to 40 times their size. A little is paid for out of the snapshot's credit
     * (here a hundred of them, and small items below); a page that would leave the whole past the reader's
     * budget is refused. */
    answer = answer_of("Images", cJSON_CreateObject());
    cJSON_AddStringToObject(answer->child->child, "ImageId", "wsi-000000003");
    cJSON_AddItemToObject(answer->child->child, "Zeros", zeros(100000));
    CU_ASSERT_EQUAL(
        listing_take_page(LIST_WS_OWNED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Images has more values than a snapshot keeps"));
    cJSON_Delete(answer);
    CU_ASSERT_EQUAL(snap.n_resources, 0);
    answer = answer_of("Images", cJSON_CreateObject());
    cJSON_AddStringToObject(answer->child->child, "ImageId", "wsi-000000003");
    cJSON_AddItemToObject(answer->child->child, "Zeros", zeros(100));
    CU_ASSERT_EQUAL(
        listing_take_page(LIST_WS_OWNED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        0);
    cJSON_Delete(answer);
    CU_ASSERT_EQUAL(snap.n_resources, 1);
    snapshot_clean_up(&snap);
    snapshot_init(&snap);
    data = NULL;

    /* The deepest that is kept, with the deepest grant, is written and read back. */
    answer = answer_of("Images", nested_item("wsi-000000004", SNAPSHOT_DATA_MAX_DEPTH));
    CU_ASSERT_EQUAL_FATAL(
        listing_take_page(LIST_WS_OWNED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        0);
    cJSON_Delete(answer);
    answer = answer_of("ImagePermissions", nested_item("999988887777", SNAPSHOT_DATA_MAX_DEPTH - 2));
    CU_ASSERT_EQUAL_FATAL(listing_take_permissions(LIST_WS_OWNED, answer, all, &err), 0);
    cJSON_Delete(answer);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_EQUAL_FATAL(listing_attach_permissions(data, all, &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&snap, path, &err), 0);
    CU_ASSERT_EQUAL(snapshot_doc_read(path, &doc, &err), 0);
    CU_ASSERT_EQUAL(doc ? doc->n_resources : 0, 1);
    snapshot_doc_free(doc);
    snapshot_clean_up(&snap);
    unlink(path);
    free(path);
}

static void no_image(void *ud, const snap_resource *res, cJSON *data)
{
    (void)ud;
    (void)res;
    (void)data;
    CU_FAIL("image builders have no permissions to read");
}

/*
 * One page of 200,000 image builders: each is taken off the page at the same cost however long the page
 * is. Counting the list again for each item (as the collector once did) takes minutes at this size.
 */
static void test_collect__long_page_is_taken_in_linear_time(void)
{
    enum { N = 200000 };
    cJSON *answer = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(answer, "ImageBuilders");
    snapshot snap;
    ia_err err;
    char name[32], arn[128];
    double t0, secs;

    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    for (size_t i = 0; i < N; i++) {
        cJSON *b = cJSON_CreateObject();

        snprintf(name, sizeof(name), "builder-%zu", i);
        cJSON_AddStringToObject(b, "Name", name);
        snprintf(arn, sizeof(arn), "arn:aws:appstream:eu-west-1:111122223333:image-builder/%s", name);
        cJSON_AddStringToObject(b, "Arn", arn);
        cJSON_AddItemToArray(list, b);
    }
    snapshot_init(&snap);
    err_clear(&err);
    t0 = testutil_cpu_seconds();
    CU_ASSERT_EQUAL(
        listing_take_page(LIST_AS_BUILDERS, answer, &snap, "111122223333", "eu-west-1", no_image, NULL, &err),
        0);
    secs = testutil_cpu_seconds() - t0;
    fprintf(stderr, "\n  %d builders taken in %.2f s of CPU\n", N, secs);
    CU_ASSERT(secs < 20.0);
    CU_ASSERT_EQUAL_FATAL(snap.n_resources, N);
    CU_ASSERT_STRING_EQUAL(snap.resources[0]->id, "builder-0");
    CU_ASSERT_STRING_EQUAL(snap.resources[N - 1]->id, "builder-199999");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(list), 0);
    snapshot_clean_up(&snap);
    cJSON_Delete(answer);
}

/* An Organizations account ARN names the Organization, its management account and the member. */
static void test_collect__org_account_arn(void)
{
    static const char *const bad[] = {
        "arn:aws:organizations::111111111111:account/333333333333", /* no Organization */
        "arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/33333333333",
        "arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/3333333333333",
        "arn:aws:organizations::11111111111:account/o-a1b2c3d4e5/333333333333",
        "arn:aws:organizations::111111111111:account/o-a1b2c/333333333333", /* id too short */
        "arn:aws:organizations::111111111111:account/o-A1B2C3D4E5/333333333333",
        "arn:aws:organizations::111111111111:root/o-a1b2c3d4e5/r-ab12",
        "arn:aws:iam::111111111111:account/o-a1b2c3d4e5/333333333333",
        "arn::organizations::111111111111:account/o-a1b2c3d4e5/333333333333",
        "arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/333333333333/x",
        "",
    };
    org_account_arn a;

    CU_ASSERT_TRUE_FATAL(
        org_parse_account_arn("arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/333333333333", &a));
    CU_ASSERT_STRING_EQUAL(a.organization, "o-a1b2c3d4e5");
    CU_ASSERT_STRING_EQUAL(a.management, "111111111111");
    CU_ASSERT_STRING_EQUAL(a.account, "333333333333");
    CU_ASSERT_TRUE_FATAL(org_parse_account_arn(
        "arn:aws-us-gov:organizations::444444444444:account/o-abcdefghijklmnopqrstuvwxyz012345/555555555555",
        &a));
    CU_ASSERT_STRING_EQUAL(a.organization, "o-abcdefghijklmnopqrstuvwxyz012345");
    CU_ASSERT_STRING_EQUAL(a.management, "444444444444");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (org_parse_account_arn(bad[i], &a))
            CU_FAIL(bad[i]);
    }
    CU_ASSERT_FALSE(org_parse_account_arn(NULL, &a));
    CU_ASSERT_TRUE(org_valid_parent_id("ou-ab12-cdefgh12"));
    CU_ASSERT_TRUE(org_valid_parent_id("r-ab12"));
    CU_ASSERT_FALSE(org_valid_parent_id("ou-ab1-cdefgh12"));
    CU_ASSERT_FALSE(org_valid_parent_id("ou-ab12-cdefgh1"));
    CU_ASSERT_FALSE(org_valid_parent_id("ou-AB12-cdefgh12"));
    CU_ASSERT_FALSE(org_valid_parent_id("r-ab1"));
    CU_ASSERT_FALSE(org_valid_parent_id("o-a1b2c3d4e5"));
    CU_ASSERT_FALSE(org_valid_parent_id("ou-ab12-cdefgh12 "));
}

/*
 * A ListAccounts page: every member recorded under its Organization with State, else Status; only the
 * ACTIVE ones are to be collected. An Arn that names no Organization fails the call, naming it.
 */
static void test_collect__org_accounts_page(void)
{
    char *text = testutil_read_file(testutil_data_path("collect/org/list-accounts.json"), NULL);
    cJSON *answer = cJSON_Parse(text), *orgs = cJSON_CreateArray(), *org, *accounts;
    collect_targets active = {0};
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(org_take_accounts_page(answer, orgs, &active, &err), 0);
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(orgs), 1);
    org = cJSON_GetArrayItem(orgs, 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(org, "id")->valuestring, "o-a1b2c3d4e5");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(org, "management_account")->valuestring, "111111111111");
    accounts = cJSON_GetObjectItem(org, "accounts");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(accounts), 5);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(accounts, 1), "state")->valuestring,
                           "SUSPENDED");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(accounts, 2), "state")->valuestring,
                           "PENDING_CLOSURE");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(accounts, 3), "state")->valuestring,
                           "CLOSED");
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(accounts, 4), "name")));
    CU_ASSERT_EQUAL_FATAL(active.n, 2);
    CU_ASSERT_STRING_EQUAL(active.items[0].id, "222222222222");
    CU_ASSERT_STRING_EQUAL(active.items[0].name, "acct-222");
    CU_ASSERT_STRING_EQUAL(active.items[1].id, "111111111111");
    targets_free(&active);
    cJSON_Delete(orgs);
    cJSON_Delete(answer);
    free(text);

    text = testutil_read_file(testutil_data_path("collect/org/list-accounts-bad-arn.json"), NULL);
    answer = cJSON_Parse(text);
    orgs = cJSON_CreateArray();
    CU_ASSERT_EQUAL(org_take_accounts_page(answer, orgs, &active, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_PROTOCOL);
    CU_ASSERT_STRING_EQUAL(err.msg, "organizations ListAccounts: account 333333333333 has Arn "
                                    "'arn:aws:organizations::111111111111:account/333333333333', not "
                                    "arn:PARTITION:organizations::MANAGEMENT:account/o-ID/333333333333");
    targets_free(&active);
    cJSON_Delete(orgs);
    cJSON_Delete(answer);
    free(text);

    text = testutil_read_file(testutil_data_path("collect/org/list-accounts-two-managements.json"), NULL);
    answer = cJSON_Parse(text);
    orgs = cJSON_CreateArray();
    CU_ASSERT_EQUAL(org_take_accounts_page(answer, orgs, &active, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "o-a1b2c3d4e5 has two management accounts"));
    targets_free(&active);
    cJSON_Delete(orgs);
    cJSON_Delete(answer);
    free(text);
}

/* AppStream images carry OwnerAccountId from their Arn; AWS's base images (no account there) get none. */
static void test_collect__appstream_owner_from_arn(void)
{
    cJSON *answer =
        cJSON_Parse("{\"Images\": ["
                    "{\"Name\": \"mine\", \"Arn\": \"arn:aws:appstream:eu-west-1:222222222222:image/mine\"},"
                    "{\"Name\": \"base\", \"Arn\": \"arn:aws:appstream:eu-west-1::image/base\"},"
                    "{\"Name\": \"odd\", \"Arn\": \"arn:aws:appstream:eu-west-1:2222:image/odd\"}]}");
    cJSON *data = NULL;
    snapshot snap;
    ia_err err;

    snapshot_init(&snap);
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(
        listing_take_page(LIST_AS_SHARED, answer, &snap, "111122223333", "eu-west-1", keep_data, &data, &err),
        0);
    CU_ASSERT_EQUAL_FATAL(snap.n_resources, 3);
    for (size_t i = 0; i < 3; i++) {
        const snap_resource *r = snap.resources[i];
        const cJSON *owner = cJSON_GetObjectItem(r->data, "OwnerAccountId");

        if (strcmp(r->id, "mine") == 0) {
            CU_ASSERT_TRUE(cJSON_IsString(owner) && strcmp(owner->valuestring, "222222222222") == 0);
        } else {
            CU_ASSERT_PTR_NULL(owner);
        }
    }
    snapshot_clean_up(&snap);
    cJSON_Delete(answer);
}

static CU_TestInfo tests[] = {
    {"accounts file", test_collect__accounts_file},
    {"accounts file errors with positions", test_collect__accounts_file_errors},
    {"accounts file missing", test_collect__accounts_file_missing},
    {"regions offered", test_collect__regions},
    {"timestamps: epoch to ISO-8601 and back", test_collect__timestamps},
    {"what is kept of an answer, a snapshot reader reads back", test_collect__kept_answers_read_back},
    {"Organizations account ARN: Organization, management account, member", test_collect__org_account_arn},
    {"ListAccounts page: every member recorded, ACTIVE ones collected", test_collect__org_accounts_page},
    {"AppStream images: OwnerAccountId from the Arn", test_collect__appstream_owner_from_arn},
    {"a long page is taken in linear time", test_collect__long_page_is_taken_in_linear_time},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("collect", tests);
}
