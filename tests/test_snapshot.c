/* The snapshot module: the resource-type table, the writer, and the reader reading what the writer wrote. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "snapshot/read.h"
#include "snapshot/write.h"
#include "testutil.h"

static void test_snapshot__resource_types_one_table(void)
{
    restype t = RESTYPE_COUNT;
    cJSON *data = cJSON_Parse("{\"Name\": \"n\", \"DisplayName\": \"Display\"}");

    for (int i = 0; i < RESTYPE_COUNT; i++) {
        CU_ASSERT_EQUAL(restype_parse(restype_name((restype)i), &t), 0);
        CU_ASSERT_EQUAL(t, (restype)i);
        CU_ASSERT_PTR_NOT_NULL(strstr(restype_choices(), restype_name((restype)i)));
        CU_ASSERT_PTR_NOT_NULL(restype_get((restype)i)->listing);
        CU_ASSERT_PTR_NOT_NULL(restype_get((restype)i)->id_field);
    }
    CU_ASSERT_STRING_EQUAL(restype_choices(), "workspaces_image, appstream_image_builder, appstream_image");
    CU_ASSERT_EQUAL(restype_parse("future_resource", &t), -1);
    CU_ASSERT_EQUAL(restype_parse(NULL, &t), -1);
    /* WorkSpaces images show their Name; AppStream resources are keyed on Name and show DisplayName. */
    CU_ASSERT_STRING_EQUAL(restype_display_name("workspaces_image", data), "n");
    CU_ASSERT_STRING_EQUAL(restype_display_name("appstream_image", data), "Display");
    CU_ASSERT_PTR_NULL(restype_display_name("future_resource", data));
    cJSON_Delete(data);
}

static void test_snapshot__permission_account(void)
{
    cJSON *ws = cJSON_Parse("{\"SharedAccountId\": \"111122223333\"}");
    cJSON *as = cJSON_Parse("{\"sharedAccountId\": \"444455556666\", \"imagePermissions\": {}}");
    cJSON *none = cJSON_Parse("{\"SharedAccountId\": 5}");

    CU_ASSERT_STRING_EQUAL(snap_permission_account(ws), "111122223333");
    CU_ASSERT_STRING_EQUAL(snap_permission_account(as), "444455556666");
    CU_ASSERT_PTR_NULL(snap_permission_account(none));
    cJSON_Delete(ws);
    cJSON_Delete(as);
    cJSON_Delete(none);
}

static cJSON *image(const char *id, const char *name)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "ImageId", id);
    cJSON_AddStringToObject(o, "Name", name);
    return o;
}

static void test_snapshot__snapshot_sorted_deduplicated(void)
{
    char path[] = "/tmp/imgaudit-snap-XXXXXX";
    snapshot s;
    ia_err err, failure;
    char *text;
    cJSON *doc;
    const cJSON *res, *errors;
    struct stat st;
    mode_t mask;
    int fd = mkstemp(path);
    const char *regions[] = {"us-east-1", "eu-west-1"};

    CU_ASSERT_TRUE_FATAL(fd >= 0);
    close(fd);
    snapshot_init(&s);
    s.started_at = 1764000000;
    s.finished_at = 1764000065;
    snprintf(s.caller_account, sizeof(s.caller_account), "111122223333");
    snprintf(s.partition, sizeof(s.partition), "aws");
    CU_ASSERT_EQUAL(snapshot_set_regions(&s, regions, 2, &err), 0);
    CU_ASSERT_EQUAL(
        snapshot_add_account(&s, "222233334444", NULL, "arn:aws:iam::222233334444:role/A", regions, 2, &err),
        0);
    CU_ASSERT_EQUAL(snapshot_add_account(&s, "111122223333", "prod", NULL, regions, 1, &err), 0);
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_WORKSPACES_IMAGE, "222233334444", "us-east-1", "wsi-b",
                                          image("wsi-b", "b"), NULL, &err),
                    0);
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_APPSTREAM_IMAGE, "111122223333", "us-east-1", "apps",
                                          cJSON_CreateObject(), NULL, &err),
                    0);
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_WORKSPACES_IMAGE, "111122223333", "us-east-1", "wsi-a",
                                          image("wsi-a", "a"), NULL, &err),
                    0);
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_WORKSPACES_IMAGE, "111122223333", "eu-west-1", "wsi-z",
                                          image("wsi-z", "z"), NULL, &err),
                    0);
    err_clear(&failure);
    err_set(&failure, IA_ERR_AWS, "not authorized");
    snprintf(failure.aws_code, sizeof(failure.aws_code), "AccessDeniedException");
    failure.http_status = 400;
    err_prefix(&failure, "appstream DescribeImages (eu-west-1)");
    CU_ASSERT_EQUAL(
        snapshot_add_error(&s, "222233334444", "eu-west-1", "appstream", "DescribeImages", NULL, &failure),
        0);
    CU_ASSERT_EQUAL(
        snapshot_add_error(&s, "222233334444", "eu-west-1", "appstream", "DescribeImages", NULL, &failure),
        0);
    CU_ASSERT_EQUAL(snapshot_add_error(&s, NULL, NULL, "organizations", "ListAccounts", NULL, &failure), 0);
    CU_ASSERT_EQUAL(snapshot_error_count(&s), 3);
    mask = umask(022);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    umask(mask);

    /* Made as other tools make their outputs: 0666 less the umask. */
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
    text = testutil_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "schema")->valuestring, "imgaudit.snapshot");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "started_at")->valuestring, "2025-11-24T16:00:00Z");
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(doc, "complete")));
    res = cJSON_GetObjectItem(doc, "resources");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(res), 4);
    /* account, region, type, id */
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "id")->valuestring, "wsi-z");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 1), "id")->valuestring, "apps");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 2), "id")->valuestring, "wsi-a");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 3), "id")->valuestring, "wsi-b");
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 3), "data"), "Name")->valuestring,
        "b");
    errors = cJSON_GetObjectItem(doc, "errors");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(errors), 2); /* the repeated failure is listed once */
    CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 0), "account")));
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 1), "message")->valuestring,
                           "not authorized");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 1), "code")->valuestring,
                           "AccessDeniedException");
    CU_ASSERT_STRING_EQUAL(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "accounts"), 0), "id")->valuestring,
        "111122223333");
    /* One resource a line, so that two snapshots diff line by line. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n    {\"type\":\"workspaces_image\",\"account\":\"111122223333\""));
    cJSON_Delete(doc);
    free(text);
    snapshot_clean_up(&s);
    unlink(path);
}

static void test_snapshot__snapshot_unwritable_leaves_nothing(void)
{
    snapshot s;
    ia_err err;

    snapshot_init(&s);
    err_clear(&err);
    CU_ASSERT_EQUAL(snapshot_write(&s, "/nonexistent-dir/snap.json", &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent-dir/snap.json"));
    snapshot_clean_up(&s);
}

static void test_snapshot__snapshot_to_a_device_writes_in_place(void)
{
    struct stat st;
    snapshot s;
    ia_err err;

    snapshot_init(&s);
    err_clear(&err);
    CU_ASSERT_EQUAL(snapshot_write(&s, "/dev/null", &err), 0);
    CU_ASSERT_EQUAL_FATAL(stat("/dev/null", &st), 0);
    CU_ASSERT_TRUE(S_ISCHR(st.st_mode));
    snapshot_clean_up(&s);
}

/* What the writer writes, the reader reads back: the same records, ids, names and errors. */
static void test_snapshot__reader_reads_what_the_writer_wrote(void)
{
    char path[] = "/tmp/imgaudit-snap-XXXXXX";
    const char *regions[] = {"eu-west-1"};
    const snap_resource *added = NULL;
    snapshot_doc *doc = NULL;
    cJSON *builder = cJSON_CreateObject();
    snapshot s;
    ia_err err, failure;
    int fd = mkstemp(path);

    CU_ASSERT_TRUE_FATAL(fd >= 0);
    close(fd);
    snapshot_init(&s);
    err_clear(&err);
    snprintf(s.partition, sizeof(s.partition), "aws");
    CU_ASSERT_EQUAL(snapshot_set_regions(&s, regions, 1, &err), 0);
    cJSON_AddStringToObject(builder, "Name", "b-1");
    cJSON_AddStringToObject(builder, "DisplayName", "Builder One");
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_APPSTREAM_IMAGE_BUILDER, "111122223333", "eu-west-1",
                                          "b-1", builder, &added, &err),
                    0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(added);
    CU_ASSERT_STRING_EQUAL(added->type, "appstream_image_builder");
    CU_ASSERT_STRING_EQUAL(added->id, "b-1");
    CU_ASSERT_EQUAL(snapshot_add_resource(&s, RESTYPE_WORKSPACES_IMAGE, "111122223333", "eu-west-1", "wsi-1",
                                          image("wsi-1", "golden"), NULL, &err),
                    0);
    err_clear(&failure);
    err_set(&failure, IA_ERR_AWS, "denied");
    CU_ASSERT_EQUAL(snapshot_add_error(&s, "222233334444", NULL, "sts", "AssumeRole", NULL, &failure), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(path, &doc, &err), 0);
    CU_ASSERT_EQUAL_FATAL(doc->n_resources, 2);
    /* Sorted by type name: appstream_image_builder before workspaces_image. */
    CU_ASSERT_STRING_EQUAL(doc->resources[0].type, "appstream_image_builder");
    CU_ASSERT_STRING_EQUAL(doc->resources[0].name, "Builder One");
    CU_ASSERT_STRING_EQUAL(doc->resources[1].type, "workspaces_image");
    CU_ASSERT_STRING_EQUAL(doc->resources[1].id, "wsi-1");
    CU_ASSERT_STRING_EQUAL(doc->resources[1].name, "golden");
    CU_ASSERT_STRING_EQUAL(doc->resources[1].account, "111122223333");
    CU_ASSERT_STRING_EQUAL(doc->resources[1].region, "eu-west-1");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(doc->errors), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(doc->errors, 0), "code")->valuestring,
                           "aws");
    snapshot_doc_free(doc);
    snapshot_clean_up(&s);
    unlink(path);
}

/* A shard's snapshot says which it is; any other has no "shard" member. */
static void test_snapshot__shard_written_only_for_a_shard(void)
{
    char *path = testutil_write_temp("");
    snapshot s;
    ia_err err;
    char *text;
    cJSON *doc, *shard;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    for (unsigned count = 0; count <= 3; count += 3) {
        snapshot_init(&s);
        err_clear(&err);
        s.shard_index = count ? 1 : 0;
        s.shard_count = count;
        CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
        text = testutil_read_file(path, NULL);
        doc = cJSON_Parse(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        shard = cJSON_GetObjectItem(doc, "shard");
        if (count) {
            CU_ASSERT_EQUAL(cJSON_GetObjectItem(shard, "index")->valueint, 1);
            CU_ASSERT_EQUAL(cJSON_GetObjectItem(shard, "count")->valueint, 3);
            /* An empty shard is a complete snapshot of nothing. */
            CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(doc, "complete")));
        } else {
            CU_ASSERT_PTR_NULL(shard);
        }
        cJSON_Delete(doc);
        free(text);
        snapshot_clean_up(&s);
    }
    unlink(path);
    free(path);
}

/* The documented hash (docs/sharding.md): FNV-1a 64 of the id's bytes, modulo N. */
static void test_snapshot__shard_of_is_fnv1a_64_mod_n(void)
{
    /* FNV-1a 64 of "" is cbf29ce484222325, of "foobar" 85944171f73967e8 (the FNV page's test vectors). */
    CU_ASSERT_EQUAL(snapshot_shard_of("", 1000), 0xcbf29ce484222325u % 1000);
    CU_ASSERT_EQUAL(snapshot_shard_of("foobar", 1000), 0x85944171f73967e8u % 1000);
    CU_ASSERT_EQUAL(snapshot_shard_of("111111111111", 3), 0);
    CU_ASSERT_EQUAL(snapshot_shard_of("333333333333", 3), 1);
    CU_ASSERT_EQUAL(snapshot_shard_of("444444444444", 3), 2);
    CU_ASSERT_EQUAL(snapshot_shard_of("444444444444", 1), 0);
}

/*
 * Every member of every Organization, sorted by id, each once: an account two Organizations list is the
 * one the file lists first (o-zzzzzzzzzz's "moved", though o-aaaaaaaaaa sorts first).
 */
static void test_snapshot__reader_lists_organization_members(void)
{
    static const char *const ids[] = {"111111111111", "222222222222", "333333333333", "999999999999"};
    snapshot_doc *doc = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(
        snapshot_doc_read(testutil_data_path("snapshot/org/two-organizations.json"), &doc, &err), 0);
    CU_ASSERT_TRUE(doc->has_organization);
    CU_ASSERT_EQUAL_FATAL(doc->n_org_accounts, 4);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_STRING_EQUAL(doc->org_accounts[i].id, ids[i]);
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[0].name, "mgmt");
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[0].organization, "o-aaaaaaaaaa");
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[1].name, "moved");
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[1].organization, "o-zzzzzzzzzz");
    CU_ASSERT_PTR_NULL(doc->org_accounts[2].name);
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[2].state, "PENDING_CLOSURE");
    snapshot_doc_free(doc);
}

/* A malformed "organizations" is an input error naming the file and the place. */
static void test_snapshot__reader_refuses_malformed_organizations(void)
{
    static const struct {
        const char *file, *says;
    } cases[] = {
        {"bad-member-id.json", "organizations[1].accounts[2] (o-aaaaaaaaaa): missing or malformed 'id'"},
        {"bad-member-state.json",
         "organizations[1].accounts[0] (o-aaaaaaaaaa): missing or malformed 'state'"},
        {"bad-organization-id.json", "organizations[0]: missing or malformed 'id'"},
        {"not-a-list.json", "\"organizations\" is not a list"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rel[128];
        snapshot_doc *doc = NULL;
        ia_err err;

        snprintf(rel, sizeof(rel), "snapshot/org/%s", cases[i].file);
        err_clear(&err);
        CU_ASSERT_EQUAL(snapshot_doc_read(testutil_data_path(rel), &doc, &err), -1);
        CU_ASSERT_PTR_NULL(doc);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.file, cases[i].file));
        if (!strstr(err.msg, cases[i].says))
            fprintf(stderr, "\n%s: got '%s'\n", cases[i].file, err.msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].says));
    }
}

/* The writer puts "organizations" after "accounts", sorted, each member once; without one, none. */
static void test_snapshot__organizations_round_trip(void)
{
    char *path = testutil_write_temp(""), *text;
    snapshot_doc *doc = NULL;
    cJSON *org, *accounts, *m = NULL;
    snapshot s;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    snapshot_init(&s);
    err_clear(&err);
    s.organizations = cJSON_CreateArray();
    org = cJSON_CreateObject();
    cJSON_AddItemToArray(s.organizations, org);
    cJSON_AddStringToObject(org, "id", "o-a1b2c3d4e5");
    cJSON_AddStringToObject(org, "management_account", "111111111111");
    accounts = cJSON_AddArrayToObject(org, "accounts");
    for (int i = 3; i >= 1; i--) {
        char id[13];

        snprintf(id, sizeof(id), "%d%d%d%d%d%d%d%d%d%d%d%d", i, i, i, i, i, i, i, i, i, i, i, i);
        m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "id", id);
        cJSON_AddNullToObject(m, "name");
        cJSON_AddStringToObject(m, "state", i == 2 ? "SUSPENDED" : "ACTIVE");
        cJSON_AddItemToArray(accounts, m);
    }
    cJSON_AddItemToArray(accounts, cJSON_Duplicate(m, true)); /* 111111111111 again */
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    text = testutil_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* One member a line, as resources are. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text,
                                  "  \"accounts\": [],\n"
                                  "  \"organizations\": [\n"
                                  "    {\"id\":\"o-a1b2c3d4e5\",\"management_account\":\"111111111111\","
                                  "\"accounts\":[\n"
                                  "      {\"id\":\"111111111111\",\"name\":null,\"state\":\"ACTIVE\"},\n"
                                  "      {\"id\":\"222222222222\",\"name\":null,\"state\":\"SUSPENDED\"},\n"
                                  "      {\"id\":\"333333333333\",\"name\":null,\"state\":\"ACTIVE\"}\n"
                                  "    ]}\n"
                                  "  ],\n"
                                  "  \"resources\": [\n"));
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(path, &doc, &err), 0);
    CU_ASSERT_EQUAL_FATAL(doc->n_org_accounts, 3);
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[1].id, "222222222222");
    CU_ASSERT_STRING_EQUAL(doc->org_accounts[1].state, "SUSPENDED");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(
                        cJSON_GetArrayItem(cJSON_GetObjectItem(doc->root, "organizations"), 0), "accounts")),
                    3);
    snapshot_doc_free(doc);
    free(text);
    snapshot_clean_up(&s);
    /* Without --org: no "organizations", nothing read. */
    snapshot_init(&s);
    CU_ASSERT_EQUAL_FATAL(snapshot_write(&s, path, &err), 0);
    text = testutil_read_file(path, NULL);
    CU_ASSERT_PTR_NULL(strstr(text, "organizations"));
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_read(path, &doc, &err), 0);
    CU_ASSERT_FALSE(doc->has_organization);
    CU_ASSERT_EQUAL(doc->n_org_accounts, 0);
    snapshot_doc_free(doc);
    free(text);
    snapshot_clean_up(&s);
    unlink(path);
    free(path);
}

/* What the streaming reader handed over, and what was known when it did. */
typedef struct seen {
    size_t n;
    char ids[4][16], names[4][64];
    bool org_known; /* the Organization's members were read before the first resource */
    const snapshot_doc *doc;
} seen;

static int see(void *ud, const snap_resource *res, ia_err *err)
{
    seen *s = ud;

    (void)err;
    if (s->n == 0)
        s->org_known = s->doc->has_organization && s->doc->n_org_accounts == 2;
    if (s->n < 4) {
        snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", res->id);
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", res->name ? res->name : "");
    }
    s->n++;
    return 0;
}

/* The envelope is whole before the first resource, whatever the members' order; strings keep their brackets.
 */
static void test_snapshot__stream_reads_the_envelope_first(void)
{
    snapshot_doc *doc = NULL;
    seen s;
    ia_err err;

    memset(&s, 0, sizeof(s));
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(
        snapshot_doc_open(testutil_data_path("snapshot/stream/resources-first.json"), &doc, &err), 0);
    /* The envelope only: "resources" is an empty list there, the Organization is read. */
    CU_ASSERT_EQUAL(doc->n_resources, 0);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc->root, "resources")), 0);
    CU_ASSERT_PTR_NOT_NULL(doc->errors);
    s.doc = doc;
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_each(doc, see, &s, &err), 0);
    CU_ASSERT_EQUAL_FATAL(s.n, 2);
    CU_ASSERT_TRUE(s.org_known);
    CU_ASSERT_STRING_EQUAL(s.ids[0], "wsi-1");
    CU_ASSERT_STRING_EQUAL(s.names[0], "a ]}, {\"type\": [ name");
    CU_ASSERT_STRING_EQUAL(s.ids[1], "apps");
    /* Once: a second walk reads nothing. */
    CU_ASSERT_EQUAL(snapshot_doc_each(doc, see, &s, &err), 0);
    CU_ASSERT_EQUAL(s.n, 2);
    snapshot_doc_free(doc);
    /* The whole table reads the same file the same way. */
    CU_ASSERT_EQUAL_FATAL(
        snapshot_doc_read(testutil_data_path("snapshot/stream/resources-first.json"), &doc, &err), 0);
    CU_ASSERT_EQUAL_FATAL(doc->n_resources, 2);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc->resources[0].data, "Description")->valuestring,
                           "back\\slash \u00e9 \\\"");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc->root, "resources")), 2);
    snapshot_doc_free(doc);
}

static int stop_at_second(void *ud, const snap_resource *res, ia_err *err)
{
    size_t *n = ud;

    if (++*n == 2)
        return err_set(err, IA_ERR_IO, "stopped at %s", res->id);
    return 0;
}

/* Errors in a streamed snapshot name the same places as a whole parse: line:column in the file. */
static void test_snapshot__stream_errors_name_their_place(void)
{
    static const struct {
        const char *file;
        unsigned line, col; /* 0: no place */
        const char *says;
        size_t handed; /* resources handed over before the error */
    } cases[] = {
        {"bad-resource-syntax.json", 6, 106, "invalid JSON: not a snapshot", 1},
        {"bad-after-resources.json", 7, 16, "invalid JSON: not a snapshot", 0},
        {"bad-resource.json", 0, 0, "resources[1] (333333333333/eu-west-1): missing or malformed 'id'", 1},
        /* Cut short: found before any resource is judged, without parsing the list whole. */
        {"cut-short.json", 3, 65, "invalid JSON: not a snapshot", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rel[128];
        snapshot_doc *doc = NULL;
        size_t n = 0;
        ia_err err;
        int rc;

        snprintf(rel, sizeof(rel), "snapshot/stream/%s", cases[i].file);
        err_clear(&err);
        rc = snapshot_doc_open(testutil_data_path(rel), &doc, &err);
        if (rc == 0)
            rc = snapshot_doc_each(doc, stop_at_second, &n, &err);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(n, cases[i].handed);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.file, cases[i].file));
        CU_ASSERT_EQUAL(err.line, cases[i].line);
        CU_ASSERT_EQUAL(err.column, cases[i].col);
        if (!strstr(err.msg, cases[i].says))
            fprintf(stderr, "\n%s: got %u:%u '%s'\n", cases[i].file, err.line, err.column, err.msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].says));
        snapshot_doc_free(doc);
    }
}

/* A "resources" key written with escapes is the same member: its resources are handed over all the same. */
static void test_snapshot__stream_reads_an_escaped_key(void)
{
    snapshot_doc *doc = NULL;
    seen s;
    ia_err err;

    memset(&s, 0, sizeof(s));
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(
        snapshot_doc_open(testutil_data_path("snapshot/stream/escaped-key.json"), &doc, &err), 0);
    s.doc = doc;
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_each(doc, see, &s, &err), 0);
    CU_ASSERT_EQUAL(s.n, 2);
    CU_ASSERT_STRING_EQUAL(s.ids[1], "wsi-2");
    CU_ASSERT_EQUAL(snapshot_doc_each(doc, see, &s, &err), 0);
    CU_ASSERT_EQUAL(s.n, 2);
    snapshot_doc_free(doc);
}

/* What the callback says stops the walk, and is what the caller gets. */
static void test_snapshot__stream_stops_at_the_callers_error(void)
{
    snapshot_doc *doc = NULL;
    size_t n = 0;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(
        snapshot_doc_open(testutil_data_path("snapshot/stream/resources-first.json"), &doc, &err), 0);
    CU_ASSERT_EQUAL(snapshot_doc_each(doc, stop_at_second, &n, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_STRING_EQUAL(err.msg, "stopped at apps");
    snapshot_doc_free(doc);
}

/* In a resource, bytes that are not UTF-8 become '?'; \u escapes (ASCII as written) decode to UTF-8 that
 * stays. */
static void test_snapshot__resource_strings_are_utf8(void)
{
    static const char text[] = "{\"schema\":\"imgaudit.snapshot\",\"schema_version\":1,\"resources\":["
                               "{\"type\":\"workspaces_image\",\"account\":\"111111111111\",\"region\":\"eu-"
                               "west-1\",\"id\":\"wsi-1\","
                               "\"data\":{\"Name\":\"bad \xff\xc0\xaf \xc3\xa9\"}},"
                               "{\"type\":\"workspaces_image\",\"account\":\"111111111111\",\"region\":\"eu-"
                               "west-1\",\"id\":\"wsi-2\","
                               "\"data\":{\"Name\":\"esc \\u00e9 \\ud83d\\ude00 \\u0041\"}}]}";
    snapshot_doc *doc = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(snapshot_doc_parse("mem", text, sizeof(text) - 1, &doc, &err), 0);
    CU_ASSERT_EQUAL_FATAL(doc->n_resources, 2);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc->resources[0].data, "Name")->valuestring,
                           "bad ??? \xc3\xa9");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc->resources[1].data, "Name")->valuestring,
                           "esc \xc3\xa9 \xf0\x9f\x98\x80 A");
    snapshot_doc_free(doc);
}

static CU_TestInfo tests[] = {
    {"resource types: one table, names round-trip", test_snapshot__resource_types_one_table},
    {"permissions: the account each entry names", test_snapshot__permission_account},
    {"writer: sorted, repeated errors once, mode 0666 less the umask",
     test_snapshot__snapshot_sorted_deduplicated},
    {"writer: unwritable folder leaves nothing", test_snapshot__snapshot_unwritable_leaves_nothing},
    {"writer: a device is written in place, not renamed over",
     test_snapshot__snapshot_to_a_device_writes_in_place},
    {"reader reads what the writer wrote", test_snapshot__reader_reads_what_the_writer_wrote},
    {"writer: a shard says which it is, nothing else does", test_snapshot__shard_written_only_for_a_shard},
    {"reader: every Organization member, sorted, once", test_snapshot__reader_lists_organization_members},
    {"reader: malformed organizations named by place", test_snapshot__reader_refuses_malformed_organizations},
    {"writer: organizations after accounts, sorted, round trip", test_snapshot__organizations_round_trip},
    {"shards: FNV-1a 64 of the account id, modulo N", test_snapshot__shard_of_is_fnv1a_64_mod_n},
    {"stream: the envelope is read first, whatever the order",
     test_snapshot__stream_reads_the_envelope_first},
    {"stream: errors name line:column or the resource", test_snapshot__stream_errors_name_their_place},
    {"stream: the callback's error stops the walk", test_snapshot__stream_stops_at_the_callers_error},
    {"stream: a key written with escapes", test_snapshot__stream_reads_an_escaped_key},
    {"reader: resource strings are UTF-8, escapes decoded", test_snapshot__resource_strings_are_utf8},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("snapshot", tests);
}
