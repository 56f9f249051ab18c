/*
 * IAM Identity Center pieces (aws/creds_sso.h): the token cache's file names, the cached token, the portal's
 * and SSO-OIDC's answers, and the document written back after a refresh. The answers are files under
 * tests/data/creds/sso. Nothing here reaches a network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/creds_sso.h"
#include "testutil.h"

/* Reads tests/data/creds/sso/name; owned, NUL-terminated. */
static char *data(const char *name, size_t *len)
{
    char rel[256];
    char *text;

    snprintf(rel, sizeof(rel), "creds/sso/%s", name);
    text = testutil_read_file(testutil_data_path(rel), len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    return text;
}

/* cache-names.txt: "key<TAB>name" lines, the names computed with Python's hashlib.sha1. */
static void test_sso__cache_name_is_sha1_of_session_or_start_url(void)
{
    char *text = data("cache-names.txt", NULL);
    char name[SSO_CACHE_NAME_SIZE];
    int lines = 0;

    for (char *line = text, *next; line && *line; line = next) {
        char *tab = strchr(line, '\t');

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        CU_ASSERT_PTR_NOT_NULL_FATAL(tab);
        *tab = '\0';
        sso_cache_name(line, name);
        CU_ASSERT_STRING_EQUAL(name, tab + 1);
        lines++;
    }
    CU_ASSERT_EQUAL(lines, 3);
    sso_cache_name("my-sso", name);
    CU_ASSERT_STRING_EQUAL(name, "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    free(text);
}

static void test_sso__token_with_refresh_registration(void)
{
    size_t len;
    char *text = data("token-refreshable.json", &len);
    sso_token t;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sso_token_parse(text, len, &t, &err), 0);
    CU_ASSERT_STRING_EQUAL(t.access_token, "aoa-cached-access-token");
    CU_ASSERT_EQUAL(t.expires_at, 1795628272);
    CU_ASSERT_STRING_EQUAL(t.refresh_token, "aor-cached-refresh-token");
    CU_ASSERT_STRING_EQUAL(t.client_id, "client-id-1");
    CU_ASSERT_STRING_EQUAL(t.client_secret, "client-secret-1");
    CU_ASSERT_EQUAL(t.registration_expires_at, 1803404272);
    CU_ASSERT_TRUE(sso_token_can_refresh(&t, 1795628272));
    /* A registration that has expired cannot refresh. */
    CU_ASSERT_FALSE(sso_token_can_refresh(&t, 1803404272));
    sso_token_clean_up(&t);
    CU_ASSERT_PTR_NULL(t.access_token);
    sso_token_clean_up(NULL);
    free(text);
}

static void test_sso__token_of_the_cli_v1_expired(void)
{
    size_t len;
    char *text = data("token-cli-v1.json", &len);
    sso_token t;
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(sso_token_parse(text, len, &t, &err), 0);
    /* "2019-11-14T04:05:45UTC": read as UTC, and long past. */
    CU_ASSERT_EQUAL(t.expires_at, 1573704345);
    CU_ASSERT_TRUE(t.expires_at < time(NULL));
    CU_ASSERT_PTR_NULL(t.refresh_token);
    CU_ASSERT_FALSE(sso_token_can_refresh(&t, 0));
    sso_token_clean_up(&t);
    free(text);
}

/* A broken cache file is IA_ERR_CREDS saying what is wrong, never quoting the token. */
static void expect_bad_token(const char *file, const char *says)
{
    size_t len;
    char *text = data(file, &len);
    sso_token t;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(sso_token_parse(text, len, &t, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, says));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "aoa-"));
    CU_ASSERT_PTR_NULL(t.access_token);
    free(text);
}

static void test_sso__broken_tokens(void)
{
    expect_bad_token("token-no-expires.json", "has no expiresAt");
    expect_bad_token("token-no-access.json", "has no accessToken");
    expect_bad_token("token-bad-expires.json", "expiresAt is not an ISO-8601 time");
    expect_bad_token("token-bad-registration.json", "registrationExpiresAt is not an ISO-8601 time");
    expect_bad_token("token-not-object.json", "not a JSON object");
}

static void test_sso__role_credentials_expiration_in_milliseconds(void)
{
    size_t len;
    char *text = data("role-credentials.json", &len);
    aws_creds c;
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(sso_role_credentials_parse(text, len, &c, &err), 0);
    CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIAEXAMPLESSO000001");
    CU_ASSERT_STRING_EQUAL(c.secret_access_key, "sso-secret-access-key");
    CU_ASSERT_STRING_EQUAL(c.session_token, "sso-session-token");
    CU_ASSERT_EQUAL(c.expiration, 1764785872);
    creds_clean_up(&c);
    free(text);
}

static void expect_bad_role_credentials(const char *file)
{
    size_t len;
    char *text = data(file, &len);
    aws_creds c;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(sso_role_credentials_parse(text, len, &c, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_PROTOCOL);
    CU_ASSERT_PTR_NULL(c.access_key_id);
    CU_ASSERT_PTR_NULL(strstr(err.msg, "sso-secret"));
    free(text);
}

static void test_sso__role_credentials_incomplete(void)
{
    expect_bad_role_credentials("role-credentials-no-token.json");
    expect_bad_role_credentials("role-credentials-seconds-string.json");
    expect_bad_role_credentials("token-not-object.json");
}

static sso_token cached_token(void)
{
    size_t len;
    char *text = data("token-refreshable.json", &len);
    sso_token t;
    ia_err err;

    CU_ASSERT_EQUAL(sso_token_parse(text, len, &t, &err), 0);
    free(text);
    return t;
}

static void test_sso__create_token_answer(void)
{
    size_t len;
    char *text = data("create-token.json", &len);
    sso_token t = cached_token();
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(sso_create_token_parse(text, len, 1000, &t, &err), 0);
    CU_ASSERT_STRING_EQUAL(t.access_token, "aoa-new-access-token");
    CU_ASSERT_EQUAL(t.expires_at, 1000 + 28800);
    CU_ASSERT_STRING_EQUAL(t.refresh_token, "aor-new-refresh-token");
    CU_ASSERT_STRING_EQUAL(t.client_secret, "client-secret-1");
    sso_token_clean_up(&t);
    free(text);

    /* Without a new refresh token, the one read stays. */
    text = data("create-token-no-refresh.json", &len);
    t = cached_token();
    CU_ASSERT_EQUAL_FATAL(sso_create_token_parse(text, len, 1000, &t, &err), 0);
    CU_ASSERT_EQUAL(t.expires_at, 1000 + 3600);
    CU_ASSERT_STRING_EQUAL(t.refresh_token, "aor-cached-refresh-token");
    sso_token_clean_up(&t);
    free(text);

    /* A bad answer leaves the token as it was. */
    text = data("create-token-bad-expires-in.json", &len);
    t = cached_token();
    CU_ASSERT_EQUAL(sso_create_token_parse(text, len, 1000, &t, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_PROTOCOL);
    CU_ASSERT_STRING_EQUAL(t.access_token, "aoa-cached-access-token");
    CU_ASSERT_EQUAL(t.expires_at, 1795628272);
    sso_token_clean_up(&t);
    free(text);
}

/* What is written back: the new token and expiry, every other key as it was. */
static void test_sso__written_back_keeps_other_keys(void)
{
    size_t len;
    char *text = data("token-refreshable.json", &len);
    char *answer = data("create-token.json", NULL);
    sso_token t = cached_token();
    cJSON *doc;
    char *out = NULL;
    ia_err err;

    CU_ASSERT_EQUAL_FATAL(sso_create_token_parse(answer, strlen(answer), 1795628272, &t, &err), 0);
    CU_ASSERT_EQUAL_FATAL(sso_token_update_doc(text, len, &t, &out, &err), 0);
    doc = cJSON_Parse(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "accessToken")->valuestring, "aoa-new-access-token");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "refreshToken")->valuestring, "aor-new-refresh-token");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "expiresAt")->valuestring, "2026-11-26T01:37:52Z");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "clientSecret")->valuestring, "client-secret-1");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "startUrl")->valuestring,
                           "https://d-9067example.awsapps.com/start");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(doc, "registrationExpiresAt")->valuestring,
                           "2027-02-23T17:37:52Z");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(doc), 8);
    cJSON_Delete(doc);
    free(out);
    sso_token_clean_up(&t);
    free(answer);
    free(text);
}

static CU_TestInfo tests[] = {
    {"cache file name is the SHA-1 of the session or start URL",
     test_sso__cache_name_is_sha1_of_session_or_start_url},
    {"cached token with a refresh registration", test_sso__token_with_refresh_registration},
    {"cached token of the CLI v1, expired", test_sso__token_of_the_cli_v1_expired},
    {"broken cached tokens", test_sso__broken_tokens},
    {"role credentials, expiration in milliseconds", test_sso__role_credentials_expiration_in_milliseconds},
    {"role credentials incomplete", test_sso__role_credentials_incomplete},
    {"CreateToken answers", test_sso__create_token_answer},
    {"written-back token keeps the other keys", test_sso__written_back_keeps_other_keys},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("sso", tests);
}
