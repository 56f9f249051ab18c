/*
 * Fix plans (src/fix): built from a results document (tests/data/fix/results.json, what `evaluate` writes for
 * tests/data/fix/snapshot.json with vars.yaml and waivers.yaml there), written, and read back and checked.
 */
#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fix/apply_int.h"
#include "fix/fix.h"
#include "testutil.h"

#define PROD      "111122223333"
#define DEV       "222233334444"
#define TRUSTED   "444455556666" /* in the fixture's trusted_accounts */
#define UNTRUSTED "999988887777"
#define CREATED   "2026-12-01T09:30:00Z"

/* The plan for the fixture through filter f, as the JSON it writes (owned: cJSON_Delete); its text too. */
static cJSON *plan_json(const fix_filter *f, char **text_out)
{
    fix_plan *p = NULL;
    ia_err err;
    char *path = testutil_write_temp("");
    char *text;
    cJSON *doc;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(fix_plan_build(testutil_data_path("fix/results.json"), f, CREATED, &p, &err), 0);
    CU_ASSERT_EQUAL_FATAL(fix_plan_write(p, path, &err), 0);
    fix_plan_free(p);
    text = testutil_read_file(path, NULL);
    unlink(path);
    free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    doc = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    if (text_out)
        *text_out = text;
    else
        free(text);
    return doc;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The action of that kind on that resource (and account shared with, for an unshare), or NULL. */
static const cJSON *find(const cJSON *doc, const char *action, const char *resource, const char *target)
{
    const cJSON *a;

    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "actions"))
    {
        const cJSON *params =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "call"), "parameters");

        if (strcmp(str_at(a, "action", NULL), action) == 0 &&
            strcmp(str_at(a, "resource_id", NULL), resource) == 0 &&
            (!target || strcmp(str_at(params, "SharedAccountId", NULL), target) == 0))
            return a;
    }
    return NULL;
}

static int n_actions(const cJSON *doc)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "actions"));
}

/* Whether the action resolves a finding of rule. */
static bool resolves(const cJSON *a, const char *rule)
{
    const cJSON *r;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(a, "resolves"))
    {
        if (strcmp(str_at(r, "rule", NULL), rule) == 0 && strlen(str_at(r, "finding_id", NULL)) == 32)
            return true;
    }
    return false;
}

static void test_fix__unshare_all_removes_every_account_untrusted_only_the_untrusted(void)
{
    fix_filter f = {0};
    cJSON *doc = plan_json(&f, NULL);
    const cJSON *a;

    /* BYOL (accounts: all): both accounts go; the untrusted one is also what the untrusted rule asks. */
    a = find(doc, "unshare-workspaces-image", "wsi-byol00001", TRUSTED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT(resolves(a, "workspaces-image-byol-shared"));
    CU_ASSERT_FALSE(resolves(a, "workspaces-image-shared-untrusted"));
    a = find(doc, "unshare-workspaces-image", "wsi-byol00001", UNTRUSTED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT(resolves(a, "workspaces-image-byol-shared"));
    CU_ASSERT(resolves(a, "workspaces-image-shared-untrusted")); /* one action for both rules */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "resolves")), 2);
    /* The call, exactly; and what apply checks first. */
    CU_ASSERT_STRING_EQUAL(str_at(a, "account", NULL), PROD);
    CU_ASSERT_STRING_EQUAL(str_at(a, "region", NULL), "eu-west-1");
    CU_ASSERT_STRING_EQUAL(str_at(a, "call", "operation"), "UpdateWorkspaceImagePermission");
    CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "call"), "parameters"),
        "AllowCopyImage")));
    CU_ASSERT_STRING_EQUAL(str_at(a, "precondition", "operation"), "DescribeWorkspaceImagePermissions");
    CU_ASSERT_STRING_EQUAL(str_at(a, "precondition", "account"), UNTRUSTED);
    /* Not BYOL (accounts: untrusted): the trusted account keeps its share. */
    CU_ASSERT_PTR_NOT_NULL(find(doc, "unshare-workspaces-image", "wsi-shared001", UNTRUSTED));
    CU_ASSERT_PTR_NULL(find(doc, "unshare-workspaces-image", "wsi-shared001", TRUSTED));
    /* AppStream: DeleteImagePermissions for the untrusted account only. */
    a = find(doc, "unshare-appstream-image", "dev-apps", UNTRUSTED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_STRING_EQUAL(str_at(a, "call", "operation"), "DeleteImagePermissions");
    CU_ASSERT_STRING_EQUAL(str_at(a, "account", NULL), DEV);
    CU_ASSERT(resolves(a, "appstream-image-shared-untrusted"));
    CU_ASSERT_PTR_NULL(find(doc, "unshare-appstream-image", "dev-apps", TRUSTED));
    CU_ASSERT_EQUAL(n_actions(doc), 6);
    cJSON_Delete(doc);
}

static void test_fix__create_updated_image_for_windows_images_only(void)
{
    fix_filter f = {0};
    cJSON *doc = plan_json(&f, NULL);
    const cJSON *a = find(doc, "create-updated-workspaces-image", "wsi-shared001", NULL), *params, *tags, *s;
    bool linux_skipped = false;

    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    params = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "call"), "parameters");
    CU_ASSERT_STRING_EQUAL(str_at(params, "Name", NULL), "Golden-Win-10-upd-20261201");
    CU_ASSERT_STRING_EQUAL(str_at(params, "Description", NULL), "New drivers WorkSpaces agent 2.1 NVIDIA");
    CU_ASSERT_STRING_EQUAL(str_at(params, "SourceImageId", NULL), "wsi-shared001");
    tags = cJSON_GetObjectItemCaseSensitive(params, "Tags");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(tags), 2);
    CU_ASSERT_STRING_EQUAL(str_at(cJSON_GetArrayItem(tags, 0), "Key", NULL), "imgaudit:source-image");
    CU_ASSERT_STRING_EQUAL(str_at(cJSON_GetArrayItem(tags, 0), "Value", NULL), "wsi-shared001");
    CU_ASSERT_STRING_EQUAL(str_at(cJSON_GetArrayItem(tags, 1), "Key", NULL), "imgaudit:finding");
    CU_ASSERT_EQUAL(strlen(str_at(cJSON_GetArrayItem(tags, 1), "Value", NULL)), 32);
    CU_ASSERT(strstr(str_at(a, "note", NULL), "verify") != NULL);
    CU_ASSERT_STRING_EQUAL(str_at(a, "precondition", "holds_when"), "update-available");
    /* A long name is cut so that the whole fits in 64 characters, the suffix kept. */
    a = find(doc, "create-updated-workspaces-image", "wsi-long00001", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    params = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "call"), "parameters");
    CU_ASSERT_EQUAL(strlen(str_at(params, "Name", NULL)), FIX_NAME_MAX);
    CU_ASSERT(strstr(str_at(params, "Name", NULL), "-upd-20261201") != NULL);
    CU_ASSERT_STRING_EQUAL(str_at(params, "Description", NULL), "Updated from wsi-long00001");
    /* The Linux image is left out, and the plan says why. */
    CU_ASSERT_PTR_NULL(find(doc, "create-updated-workspaces-image", "wsi-linux0001", NULL));
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "skipped"))
    {
        linux_skipped |= strcmp(str_at(s, "resource_id", NULL), "wsi-linux0001") == 0 &&
                         strstr(str_at(s, "reason", NULL), "Windows") != NULL;
    }
    CU_ASSERT(linux_skipped);
    cJSON_Delete(doc);
}

static void test_fix__waived_and_passed_results_never_produce_actions(void)
{
    fix_filter f = {0};
    cJSON *doc = plan_json(&f, NULL);
    const cJSON *a;

    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "actions"))
    {
        CU_ASSERT_STRING_NOT_EQUAL(str_at(a, "resource_id", NULL), "wsi-waived001");
    }
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(doc, "skipped"))
    {
        CU_ASSERT_STRING_NOT_EQUAL(str_at(a, "resource_id", NULL), "wsi-waived001");
    }
    cJSON_Delete(doc);
}

static void test_fix__filters_by_rule_account_and_action(void)
{
    const char *rules[] = {"workspaces-image-shared-untrusted"};
    const char *accounts[] = {DEV};
    fix_filter by_rule = {rules, 1, NULL, 0, NULL};
    fix_filter by_account = {NULL, 0, accounts, 1, NULL};
    fix_filter by_action = {NULL, 0, NULL, 0, "create-updated-workspaces-image"};
    cJSON *doc = plan_json(&by_rule, NULL);
    const cJSON *a;

    CU_ASSERT_EQUAL(n_actions(doc), 2);
    a = find(doc, "unshare-workspaces-image", "wsi-byol00001", UNTRUSTED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_FALSE(resolves(a, "workspaces-image-byol-shared")); /* filtered out: not named */
    CU_ASSERT_STRING_EQUAL(str_at(cJSON_GetObjectItemCaseSensitive(doc, "filters"), "action", NULL), "");
    cJSON_Delete(doc);
    doc = plan_json(&by_account, NULL);
    CU_ASSERT_EQUAL(n_actions(doc), 1);
    CU_ASSERT_PTR_NOT_NULL(find(doc, "unshare-appstream-image", "dev-apps", UNTRUSTED));
    cJSON_Delete(doc);
    doc = plan_json(&by_action, NULL);
    CU_ASSERT_EQUAL(n_actions(doc), 2);
    cJSON_Delete(doc);
}

static void test_fix__coverage_says_where_the_snapshot_is_incomplete(void)
{
    fix_filter f = {0};
    cJSON *doc = plan_json(&f, NULL);
    const cJSON *c;
    int n = 0;

    CU_ASSERT_STRING_EQUAL(str_at(doc, "schema", NULL), FIX_PLAN_SCHEMA);
    CU_ASSERT_STRING_EQUAL(str_at(doc, "created_at", NULL), CREATED);
    CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "source"),
                                                             "snapshot_complete")));
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "coverage"))
    {
        bool dev = strcmp(str_at(c, "account", NULL), DEV) == 0;

        CU_ASSERT_EQUAL(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "complete")), !dev);
        n++;
    }
    CU_ASSERT_EQUAL(n, 2);
    cJSON_Delete(doc);
}

static void test_fix__the_table_counts_per_account(void)
{
    fix_filter f = {0};
    fix_plan *p = NULL;
    testutil_mem m;
    ia_err err;
    char *out;

    CU_ASSERT_EQUAL_FATAL(fix_plan_build(testutil_data_path("fix/results.json"), &f, CREATED, &p, &err), 0);
    CU_ASSERT_EQUAL(fix_plan_count(p), 6);
    fix_plan_print(p, testutil_mem_open(&m));
    out = testutil_mem_close(&m, NULL);
    CU_ASSERT(strstr(out, "account " PROD " (desktops-prod)") != NULL);
    CU_ASSERT(strstr(out, "Plan: 6 actions in 2 accounts") != NULL);
    CU_ASSERT(strstr(out, "[snapshot incomplete here]") != NULL);
    free(out);
    fix_plan_free(p);
}

static void test_fix__names_within_the_api_limits(void)
{
    char name[FIX_NAME_MAX + 1], desc[FIX_DESCRIPTION_MAX + 1], big[400];

    fix_updated_name("{Name}-upd-{date}", "golden", "wsi-abcdefghi", "20261201", name);
    CU_ASSERT_STRING_EQUAL(name, "golden-upd-20261201");
    fix_updated_name("{ImageId}.{Name}", "a b/c*d", "wsi-abcdefghi", "20261201", name);
    CU_ASSERT_STRING_EQUAL(name, "wsi-abcdefghi.a-b/c-d");
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    fix_updated_name("{Name}-upd-{date}", big, "wsi-abcdefghi", "20261201", name);
    CU_ASSERT_EQUAL(strlen(name), FIX_NAME_MAX);
    CU_ASSERT(strcmp(name + FIX_NAME_MAX - 13, "-upd-20261201") == 0);
    /* UTF-8 in a name: each byte is a character a name may not hold. */
    fix_updated_name("{Name}", "b\xc3\xa9ta", "wsi-abcdefghi", "20261201", name);
    CU_ASSERT_STRING_EQUAL(name, "b--ta");
    fix_updated_description("Fix: <drivers> & more\n", "wsi-abcdefghi", desc);
    CU_ASSERT_STRING_EQUAL(desc, "Fix drivers more");
    fix_updated_description(NULL, "wsi-abcdefghi", desc);
    CU_ASSERT_STRING_EQUAL(desc, "Updated from wsi-abcdefghi");
    fix_updated_description("!!!", "wsi-abcdefghi", desc);
    CU_ASSERT_STRING_EQUAL(desc, "Updated from wsi-abcdefghi");
    memset(big, 'y', sizeof(big) - 1);
    fix_updated_description(big, "wsi-abcdefghi", desc);
    CU_ASSERT_EQUAL(strlen(desc), FIX_DESCRIPTION_MAX);
}

/* The 1-based line of offset in text. */
static unsigned line_of(const char *text, size_t offset)
{
    unsigned line = 1;

    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

/* Where a refusal is to be named: the edited value, the id of the action it is in (a digest no longer
 * matching), or a place elsewhere. */
typedef enum where { AT_EDIT, AT_ID, ELSEWHERE } where;

/*
 * The plan's text with the first `from` after `after` replaced by `to` must be refused with a message holding
 * want, on the line w names.
 */
static void check_refused_at(const char *text, const char *after, const char *from, const char *to,
                             const char *want, where w)
{
    const char *start = strstr(text, after), *hit = start ? strstr(start, from) : NULL;
    size_t at, len = strlen(text);
    char *bad;
    fix_plan *p = NULL;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    at = (size_t)(hit - text);
    if (w == AT_ID) {
        while (at > 0 && strncmp(text + at, "\"id\":", 5) != 0)
            at--;
    }
    bad = malloc(len + strlen(to) + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    snprintf(bad, len + strlen(to) + 1, "%.*s%s%s", (int)(hit - text), text, to, hit + strlen(from));
    err_clear(&err);
    CU_ASSERT_EQUAL(fix_plan_read_text("plan.json", bad, strlen(bad), &p, &err), -1);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, "plan.json");
    CU_ASSERT(w == ELSEWHERE || err.line == line_of(bad, at));
    CU_ASSERT(err.line > 0 && err.column > 0);
    if (!strstr(err.msg, want) || (w != ELSEWHERE && err.line != line_of(bad, at)))
        fprintf(stderr, "\n      got %u:%u: %s\n      want line %u: ...%s...\n", err.line, err.column,
                err.msg, line_of(bad, at), want);
    CU_ASSERT(strstr(err.msg, want) != NULL);
    free(bad);
}

static void check_refused(const char *text, const char *after, const char *from, const char *to,
                          const char *want)
{
    check_refused_at(text, after, from, to, want, AT_EDIT);
}

static void test_fix__plan_files_read_back_and_checked(void)
{
    fix_filter f = {0};
    char *text = NULL;
    cJSON *doc = plan_json(&f, &text);
    fix_plan *p = NULL;
    ia_err err;

    cJSON_Delete(doc);
    CU_ASSERT_EQUAL(fix_plan_read_text("plan.json", text, strlen(text), &p, &err), 0);
    CU_ASSERT_EQUAL(fix_plan_count(p), 6);
    fix_plan_free(p);
    /* Not JSON: where the text breaks. */
    CU_ASSERT_EQUAL(fix_plan_read_text("plan.json", text, strlen(text) / 2, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT(err.line > 1);
    /* Wrong schema and version. */
    check_refused(text, "", "imgaudit.fix-plan", "imgaudit.results", "not a fix plan");
    check_refused(text, "", "\"schema_version\":\t1", "\"schema_version\":\t2", "schema_version 2");
    /* An action this imgaudit does not know. */
    check_refused(text, "\"actions\":\t[", "\"unshare-appstream-image\"", "\"delete-image\"",
                  "action 6: unknown action 'delete-image'");
    /* An unshare turned into a share. */
    check_refused(text, "\"UpdateWorkspaceImagePermission\"", "\"AllowCopyImage\":\tfalse",
                  "\"AllowCopyImage\":\ttrue", "AllowCopyImage must be false");
    /* Another account than the precondition's. */
    check_refused(text, "\"UpdateWorkspaceImagePermission\"", "\"SharedAccountId\":\t\"" TRUSTED "\"",
                  "\"SharedAccountId\":\t\"123456789012\"", "not the account the precondition names");
    /* Another image than the action's. */
    check_refused(text, "\"DeleteImagePermissions\"", "\"Name\":\t\"dev-apps\"", "\"Name\":\t\"prod-apps\"",
                  "the action's resource_id");
    /* A plausible edit is still caught: the new image's description, within the API's limits. */
    check_refused_at(text, "\"CreateUpdatedWorkspaceImage\"", "agent 2.1 NVIDIA", "agent 2.2 NVIDIA",
                     "changed after the plan was made", AT_ID);
    /* The name apply looks for, to know an update made, is the one the call gives. */
    check_refused_at(
        text, "\"CreateUpdatedWorkspaceImage\"", "\"Name\":\t\"Golden-Win-10-upd-20261201\"",
        "\"Name\":\t\"Golden-Win-10-upd-20261202\"",
        "name is 'Golden-Win-10-upd-20261201', not 'Golden-Win-10-upd-20261202' (what parameters.Name "
        "creates)",
        ELSEWHERE);
    check_refused(text, "\"done_when\"", "\"name\":\t\"Golden-Win-10-upd-20261201\"",
                  "\"name\":\t\"Golden-Win-10-upd-2026120\"", "(what parameters.Name creates)");
    /* A name the API refuses. */
    check_refused(text, "\"CreateUpdatedWorkspaceImage\"", "\"Name\":\t\"Golden-Win-10-upd-20261201\"",
                  "\"Name\":\t\"Golden Win 10\"", "parameters.Name must be");
    /* An account that is not one. */
    check_refused(text, "\"actions\":\t[", "\"account\":\t\"" DEV "\"", "\"account\":\t\"2222\"",
                  "is not a 12-digit account id");
    /* The coverage of an account and region must be there. */
    check_refused_at(text, "\"coverage\"", "\"region\":\t\"us-east-1\"", "\"region\":\t\"us-west-2\"",
                     "does not say whether", ELSEWHERE);
    free(text);
}

static void test_fix__not_a_results_document(void)
{
    fix_filter f = {0};
    fix_plan *p = NULL;
    ia_err err;
    char *path = testutil_write_temp("{\n  \"schema\": \"imgaudit.snapshot\",\n  \"results\": []\n}\n");

    CU_ASSERT_EQUAL(fix_plan_build(path, &f, CREATED, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 13);
    CU_ASSERT(strstr(err.msg, "not a results document") != NULL);
    unlink(path);
    free(path);
    path =
        testutil_write_temp("{\n  \"schema\": \"imgaudit.results\",\n  \"results\": [{\"fix\": tru}]\n}\n");
    CU_ASSERT_EQUAL(fix_plan_build(path, &f, CREATED, &p, &err), -1);
    CU_ASSERT_EQUAL(err.line, 3);
    unlink(path);
    free(path);
}

/* What apply's reads say, for an action of each kind of the fixture's plan. */
static fix_state read_says(fix_job *j, const char *answer_json)
{
    cJSON *answer = cJSON_Parse(answer_json);
    fix_state st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(answer);
    st = fix_job_read_answer(j, answer);
    cJSON_Delete(answer);
    return st;
}

static void test_fix__apply_reads_say_whether_the_change_is_still_wanted(void)
{
    fix_filter f = {0};
    cJSON *doc = plan_json(&f, NULL);
    const cJSON *ws = find(doc, "unshare-workspaces-image", "wsi-shared001", UNTRUSTED);
    const cJSON *as = find(doc, "unshare-appstream-image", "dev-apps", UNTRUSTED);
    const cJSON *upd = find(doc, "create-updated-workspaces-image", "wsi-shared001", NULL);
    fix_job j;
    cJSON *req;
    char *text;

    CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
    CU_ASSERT_PTR_NOT_NULL_FATAL(as);
    CU_ASSERT_PTR_NOT_NULL_FATAL(upd);

    memset(&j, 0, sizeof(j));
    CU_ASSERT_EQUAL_FATAL(fix_job_init(&j, ws), 0);
    CU_ASSERT_STRING_EQUAL(fix_job_read_operation(&j), "DescribeWorkspaceImagePermissions");
    req = fix_job_read_request(&j);
    text = cJSON_PrintUnformatted(req);
    CU_ASSERT_STRING_EQUAL(text, "{\"ImageId\":\"wsi-shared001\",\"MaxResults\":25}");
    cJSON_free(text);
    cJSON_Delete(req);
    CU_ASSERT_EQUAL(read_says(&j, "{\"ImagePermissions\":[{\"SharedAccountId\":\"" UNTRUSTED "\"}]}"),
                    FIX_STATE_HOLDS);
    CU_ASSERT_EQUAL(read_says(&j, "{\"ImagePermissions\":[{\"SharedAccountId\":\"" TRUSTED "\"}]}"),
                    FIX_STATE_CLEAR);
    CU_ASSERT_EQUAL(read_says(&j, "{\"ImagePermissions\":[]}"), FIX_STATE_CLEAR);

    memset(&j, 0, sizeof(j));
    CU_ASSERT_EQUAL_FATAL(fix_job_init(&j, as), 0);
    CU_ASSERT_PTR_EQUAL(fix_job_service(&j), &AWS_APPSTREAM);
    req = fix_job_read_request(&j);
    text = cJSON_PrintUnformatted(req);
    /* Only the one account is asked about: one page, whatever the image's sharing. */
    CU_ASSERT_STRING_EQUAL(text, "{\"Name\":\"dev-apps\",\"SharedAwsAccountIds\":[\"" UNTRUSTED "\"]}");
    cJSON_free(text);
    cJSON_Delete(req);
    CU_ASSERT_EQUAL(read_says(&j, "{\"SharedImagePermissionsList\":[{\"sharedAccountId\":\"" UNTRUSTED
                                  "\",\"imagePermissions\":{\"allowFleet\":true}}]}"),
                    FIX_STATE_HOLDS);
    CU_ASSERT_EQUAL(read_says(&j, "{\"SharedImagePermissionsList\":[]}"), FIX_STATE_CLEAR);

    memset(&j, 0, sizeof(j));
    CU_ASSERT_EQUAL_FATAL(fix_job_init(&j, upd), 0);
    CU_ASSERT_EQUAL(read_says(&j,
                              "{\"Images\":[{\"ImageId\":\"wsi-shared001\",\"Updates\":{\"UpdateAvailable\":"
                              "true}}]}"),
                    FIX_STATE_HOLDS);
    CU_ASSERT_EQUAL(read_says(&j,
                              "{\"Images\":[{\"ImageId\":\"wsi-shared001\",\"Updates\":{\"UpdateAvailable\":"
                              "false}}]}"),
                    FIX_STATE_CLEAR);
    CU_ASSERT_EQUAL(read_says(&j, "{\"Images\":[]}"), FIX_STATE_GONE);
    /* Then the owned images are searched for the plan's name: found, it was done (and by which image). */
    j.stage = FIX_STAGE_FIND_NAMED;
    CU_ASSERT_EQUAL(read_says(&j, "{\"Images\":[{\"ImageId\":\"wsi-other0001\",\"Name\":\"other\"}]}"),
                    FIX_STATE_HOLDS);
    CU_ASSERT_STRING_EQUAL(j.new_image_id, "");
    text = str_dup(j.name);
    {
        char answer[256];

        snprintf(answer, sizeof(answer), "{\"Images\":[{\"ImageId\":\"wsi-new000001\",\"Name\":\"%s\"}]}",
                 text);
        CU_ASSERT_EQUAL(read_says(&j, answer), FIX_STATE_CLEAR);
    }
    free(text);
    CU_ASSERT_STRING_EQUAL(j.new_image_id, "wsi-new000001");
    cJSON_Delete(doc);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"unshare_all_removes_every_account_untrusted_only_the_untrusted",
         test_fix__unshare_all_removes_every_account_untrusted_only_the_untrusted},
        {"create_updated_image_for_windows_images_only",
         test_fix__create_updated_image_for_windows_images_only},
        {"waived_and_passed_results_never_produce_actions",
         test_fix__waived_and_passed_results_never_produce_actions},
        {"filters_by_rule_account_and_action", test_fix__filters_by_rule_account_and_action},
        {"coverage_says_where_the_snapshot_is_incomplete",
         test_fix__coverage_says_where_the_snapshot_is_incomplete},
        {"the_table_counts_per_account", test_fix__the_table_counts_per_account},
        {"names_within_the_api_limits", test_fix__names_within_the_api_limits},
        {"plan_files_read_back_and_checked", test_fix__plan_files_read_back_and_checked},
        {"not_a_results_document", test_fix__not_a_results_document},
        {"apply_reads_say_whether_the_change_is_still_wanted",
         test_fix__apply_reads_say_whether_the_change_is_still_wanted},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("fix", tests);
}
