/* The credential chain: which source wins, and the errors a user sees. Nothing here reaches a network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "testutil.h"

static const char *const env_names[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    NULL,
};

static char *g_config;
static char *g_credentials;
static aws_client *g_client;
static awscfg *g_cfg; /* the chain borrows it: freed with the provider, in done() */

static void clean_env(void)
{
    for (size_t i = 0; env_names[i]; i++)
        unsetenv(env_names[i]);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* Writes the two shared files, loads them, and resolves the chain for profile_flag. */
static int resolve(const char *config, const char *credentials, const char *profile_flag,
                   creds_provider **out, ia_err *err)
{
    int rc;

    free(g_config);
    free(g_credentials);
    g_config = testutil_write_temp(config);
    g_credentials = testutil_write_temp(credentials);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_config);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_credentials);
    err_clear(err);
    awscfg_free(g_cfg);
    g_cfg = NULL;
    rc = awscfg_load(&g_cfg, g_config, g_credentials, err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = creds_chain_new(out, g_client, g_cfg, profile_flag, "us-east-1", err);
    unlink(g_config);
    unlink(g_credentials);
    return rc;
}

static void expect_key(creds_provider *p, const char *akid, const char *token)
{
    aws_creds c;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(creds_get(p, &c, &err), 0);
    CU_ASSERT_STRING_EQUAL(c.access_key_id, akid);
    if (token) {
        CU_ASSERT_STRING_EQUAL(c.session_token ? c.session_token : "(none)", token);
    } else {
        CU_ASSERT_PTR_NULL(c.session_token);
    }
    creds_clean_up(&c);
}

static void test_creds__environment_first(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    setenv("AWS_SESSION_TOKEN", "env-token", 1);
    CU_ASSERT_EQUAL_FATAL(
        resolve("", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n", NULL, &p, &err),
        0);
    CU_ASSERT_STRING_EQUAL(creds_describe(p), "environment variables");
    expect_key(p, "AKIDENV", "env-token");
    creds_provider_free(p);
}

static void test_creds__explicit_profile_outranks_environment(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    CU_ASSERT_EQUAL_FATAL(resolve("[profile prod]\nregion = eu-west-1\n",
                                  "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n", "prod",
                                  &p, &err),
                          0);
    expect_key(p, "AKIDPROD", NULL);
    creds_provider_free(p);
}

static void test_creds__aws_profile_env_keeps_environment_keys(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    setenv("AWS_PROFILE", "prod", 1);
    CU_ASSERT_EQUAL_FATAL(
        resolve("", "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\n", NULL, &p, &err), 0);
    expect_key(p, "AKIDENV", NULL);
    creds_provider_free(p);
}

static void test_creds__static_keys_from_config_file(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    CU_ASSERT_EQUAL_FATAL(resolve("[default]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n"
                                  "aws_session_token = conf-token\n",
                                  "", NULL, &p, &err),
                          0);
    expect_key(p, "AKIDCONF", "conf-token");
    creds_provider_free(p);
}

static void test_creds__credential_process(void)
{
    char config[4096];
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    snprintf(config, sizeof(config), "[profile tool]\ncredential_process = %s\n",
             testutil_data_path("creds/process-ok.sh"));
    CU_ASSERT_EQUAL_FATAL(resolve(config, "", "tool", &p, &err), 0);
    expect_key(p, "AKIDPROCESS", "process-token");
    creds_provider_free(p);
}

static void test_creds__credential_process_failure(void)
{
    char config[4096];
    creds_provider *p = NULL;
    aws_creds c;
    ia_err err;

    clean_env();
    snprintf(config, sizeof(config), "[profile tool]\ncredential_process = %s\n",
             testutil_data_path("creds/process-fail.sh"));
    CU_ASSERT_EQUAL_FATAL(resolve(config, "", "tool", &p, &err), 0);
    err_clear(&err);
    CU_ASSERT_EQUAL(creds_get(p, &c, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "exited with status 3"));
    creds_provider_free(p);
}

static void test_creds__unknown_profile(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    CU_ASSERT_EQUAL(resolve("[profile a]\nregion = us-east-1\n", "", "nope", &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "profile 'nope' not found"));
}

static void test_creds__nothing_found(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    CU_ASSERT_EQUAL(resolve("", "", NULL, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no AWS credentials found"));
    CU_ASSERT_PTR_NULL(p);
}

static void test_creds__half_set_environment(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    CU_ASSERT_EQUAL(resolve("", "", NULL, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
}

static void test_creds__role_chain_errors(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    CU_ASSERT_EQUAL(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n"
                            "[profile b]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = a\n",
                            "", "a", &p, &err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "loops"));
    CU_ASSERT_EQUAL(
        resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ghost\n", "", "a", &p, &err),
        -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'ghost' does not exist"));
    CU_ASSERT_EQUAL(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/x\n", "", "a", &p, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "neither source_profile nor credential_source"));
    CU_ASSERT_EQUAL(resolve("[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n"
                            "duration_seconds = 12\n",
                            "", "a", &p, &err),
                    -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "duration_seconds"));
}

static void test_creds__role_profile_resolves_without_calling(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    CU_ASSERT_EQUAL_FATAL(resolve("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/Auditor\n"
                                  "source_profile = base\nexternal_id = x\n",
                                  "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n", "a",
                                  &p, &err),
                          0);
    CU_ASSERT_STRING_EQUAL(creds_describe(p), "assume role arn:aws:iam::222222222222:role/Auditor");
    creds_provider_free(p);
}

static void test_creds__copy_and_clean_up(void)
{
    aws_creds a = {"AKID", "secret", "token", 42}, b;

    CU_ASSERT_EQUAL(creds_copy(&b, &a), 0);
    CU_ASSERT_STRING_EQUAL(b.secret_access_key, "secret");
    CU_ASSERT_EQUAL(b.expiration, 42);
    creds_clean_up(&b);
    CU_ASSERT_PTR_NULL(b.access_key_id);
    creds_clean_up(NULL);
    creds_provider_free(NULL);
}

static int setup(void)
{
    aws_client_options opt = {0};
    ia_err err;

    opt.max_attempts = 1;
    return aws_client_new(&g_client, &opt, &err);
}

static CU_TestInfo tests[] = {
    {"environment keys come first", test_creds__environment_first},
    {"--profile outranks environment keys", test_creds__explicit_profile_outranks_environment},
    {"AWS_PROFILE keeps environment keys first", test_creds__aws_profile_env_keeps_environment_keys},
    {"static keys from the config file", test_creds__static_keys_from_config_file},
    {"credential_process", test_creds__credential_process},
    {"credential_process that fails", test_creds__credential_process_failure},
    {"unknown profile", test_creds__unknown_profile},
    {"no credentials anywhere", test_creds__nothing_found},
    {"key id without secret", test_creds__half_set_environment},
    {"role chain errors: loop, missing source, no source, bad duration", test_creds__role_chain_errors},
    {"role profile resolves without calling STS", test_creds__role_profile_resolves_without_calling},
    {"copy and clean up", test_creds__copy_and_clean_up},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    int rc;

    if (setup() != 0)
        return 1;
    rc = testutil_run("creds", tests);
    aws_client_free(g_client);
    awscfg_free(g_cfg);
    free(g_config);
    free(g_credentials);
    return rc;
}
