/* The credential chain: which source wins, and the errors a user sees. Nothing here reaches a network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds.h"
#include "aws/creds_sso.h"
#include "testutil.h"
#include "util/timefmt.h"

static const char *const env_names[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT",
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

/* Resolves the chain for profile 'tool', whose credential_process is the script tests/data/creds/<script>. */
static int resolve_process(const char *script, creds_provider **out, ia_err *err)
{
    char config[4096];
    char rel[256];

    snprintf(rel, sizeof(rel), "creds/%s", script);
    snprintf(config, sizeof(config), "[profile tool]\ncredential_process = %s\n", testutil_data_path(rel));
    return resolve(config, "", "tool", out, err);
}

static char *g_runs; /* the file process-counted.sh adds a line to each time it runs */

/* The chain for process-counted.sh, whose credentials expire seconds_left from now; counts from 0. */
static creds_provider *counted_process(long seconds_left)
{
    char when[TIMEFMT_ISO_SIZE];
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    timefmt_iso(time(NULL) + seconds_left, when);
    setenv("CREDS_TEST_EXPIRATION", when, 1);
    if (g_runs)
        unlink(g_runs);
    free(g_runs);
    g_runs = testutil_write_temp("");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_runs);
    setenv("CREDS_TEST_RUNS", g_runs, 1);
    CU_ASSERT_EQUAL_FATAL(resolve_process("process-counted.sh", &p, &err), 0);
    return p;
}

/* How many times process-counted.sh ran. */
static size_t counted_runs(void)
{
    char *text = testutil_read_file(g_runs, NULL);
    size_t n = 0;

    for (const char *c = text; c && *c; c++)
        n += *c == '\n';
    free(text);
    return n;
}

/* Credentials inside the refresh window (five minutes before they expire) are fetched again. */
static void test_creds__refreshes_credentials_about_to_expire(void)
{
    creds_provider *p = counted_process(290);

    expect_key(p, "AKIDCOUNTED", "counted-token");
    CU_ASSERT_EQUAL(counted_runs(), 1);
    expect_key(p, "AKIDCOUNTED", "counted-token");
    CU_ASSERT_EQUAL(counted_runs(), 2);
    creds_provider_free(p);
}

/* Credentials outside the refresh window are served from the cache. */
static void test_creds__keeps_fresh_credentials(void)
{
    creds_provider *p = counted_process(310);

    expect_key(p, "AKIDCOUNTED", "counted-token");
    expect_key(p, "AKIDCOUNTED", "counted-token");
    expect_key(p, "AKIDCOUNTED", "counted-token");
    CU_ASSERT_EQUAL(counted_runs(), 1);
    creds_provider_free(p);
}

/* Expired credentials (or ones expiring within a minute) are an error, and the process is not run again. */
static void test_creds__expired_credentials_are_an_error_once(void)
{
    static const struct {
        long seconds_left;
        const char *says;
    } cases[] = {{-10, "gave credentials that expired at "}, {30, "in less than 60 s"}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        creds_provider *p = counted_process(cases[i].seconds_left);
        aws_creds c;
        ia_err err;

        for (int attempt = 0; attempt < 3; attempt++) {
            err_clear(&err);
            CU_ASSERT_EQUAL(creds_get(p, &c, &err), -1);
            CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].says));
            CU_ASSERT_PTR_NOT_NULL(strstr(err.context, "credential_process of profile 'tool'"));
        }
        CU_ASSERT_EQUAL(counted_runs(), 1);
        creds_provider_free(p);
    }
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_creds__credential_process_times_out(void)
{
    creds_provider *p = NULL;
    struct timespec start;
    aws_creds c;
    ia_err err;

    clean_env();
    setenv("IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT", "1", 1);
    CU_ASSERT_EQUAL_FATAL(resolve_process("process-hang.sh", &p, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &start);
    err_clear(&err);
    CU_ASSERT_EQUAL(creds_get(p, &c, &err), -1);
    CU_ASSERT(seconds_since(&start) < 3.0);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "did not finish within 1 s"));
    creds_provider_free(p);
}

static void test_creds__credential_process_timeout_setting(void)
{
    static const char *const bad[] = {"0", "-1", "3601", "1.5", "soon", NULL};
    creds_provider *p = NULL;
    ia_err err;

    for (size_t i = 0; bad[i]; i++) {
        clean_env();
        setenv("IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT", bad[i], 1);
        CU_ASSERT_EQUAL(resolve_process("process-ok.sh", &p, &err), -1);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT"));
    }
}

/* Resolves the chain with AWS_CONTAINER_CREDENTIALS_FULL_URI=url and nothing else. */
static int resolve_container(const char *url, creds_provider **out, ia_err *err)
{
    clean_env();
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    return resolve("", "", NULL, out, err);
}

static void test_creds__container_url_allowed(void)
{
    static const char *const urls[] = {
        "http://127.0.0.1:8080/creds",    "http://127.0.0.2/",
        "http://localhost:1234/creds",    "http://[::1]:1234/creds",
        "http://169.254.170.2/v2/creds",  "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/creds", "https://creds.example.invalid/creds",
        "HTTPS://10.0.0.1/creds",         NULL,
    };

    for (size_t i = 0; urls[i]; i++) {
        creds_provider *p = NULL;
        ia_err err;

        if (resolve_container(urls[i], &p, &err) != 0)
            fprintf(stderr, "\n%s refused: %s\n", urls[i], err.msg);
        CU_ASSERT_PTR_NOT_NULL(p);
        if (p)
            CU_ASSERT_STRING_EQUAL(creds_describe(p), "container credentials");
        creds_provider_free(p);
    }
}

static void test_creds__container_url_refused(void)
{
    static const struct {
        const char *url, *says;
    } cases[] = {
        {"http://127.0.0.1@other.invalid:8080/creds", "must not hold a user name or password"},
        {"http://user:secret@127.0.0.1/creds", "must not hold a user name or password"},
        {"https://user@creds.example.invalid/", "must not hold a user name or password"},
        {"http://127.anything.invalid/creds", "cannot be resolved"},
        {"http://localhost.invalid/creds", "cannot be resolved"},
        {"http://10.0.0.1/creds", "must be https or a loopback or ECS/EKS host: '10.0.0.1' is not"},
        {"http://169.254.169.254/creds", "'169.254.169.254' is not"},
        {"http://169.254.170.24/creds", "'169.254.170.24' is not"},
        {"http://[fd00:ec2::24]/creds", "'fd00:ec2::24' is not"},
        {"http://[::2]/creds", "'::2' is not"},
        {"ftp://127.0.0.1/creds", "must be an http or https URL"},
        {"127.0.0.1/creds", "is not a URL"},
        {"http://127.0.0.1 /creds", "is not a URL"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        creds_provider *p = NULL;
        ia_err err;

        err_clear(&err);
        if (resolve_container(cases[i].url, &p, &err) == 0 || !strstr(err.msg, cases[i].says))
            fprintf(stderr, "\n%s: %s\n", cases[i].url, p ? "accepted" : err.msg);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].says));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        CU_ASSERT_PTR_NULL(strstr(err.msg, "secret"));
        creds_provider_free(p);
    }
}

/* Asks a container endpoint on a closed loopback port with the token set up by the caller. */
static void fetch_container(ia_err *err)
{
    creds_provider *p = NULL;
    aws_creds c;

    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds", 1);
    CU_ASSERT_EQUAL_FATAL(resolve("", "", NULL, &p, err), 0);
    err_clear(err);
    CU_ASSERT_EQUAL(creds_get(p, &c, err), -1);
    creds_provider_free(p);
}

/* fetch_container with the token in a file that holds text. */
static void fetch_container_token_file(const char *text, ia_err *err)
{
    char *file = testutil_write_temp(text);

    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    clean_env();
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file, 1);
    fetch_container(err);
    unlink(file);
    free(file);
}

static void test_creds__container_token_with_line_break(void)
{
    static const char *const tokens[] = {"let-me-in\r\nX-Injected: 1", "let-me-in\nX-Injected: 1",
                                         "let-me-in\r", NULL};
    ia_err err;

    for (size_t i = 0; tokens[i]; i++) {
        clean_env();
        setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", tokens[i], 1);
        fetch_container(&err);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN) holds a line break"));
        CU_ASSERT_PTR_NULL(strstr(err.msg, "let-me-in"));
    }
    fetch_container_token_file("let-me-in\nX-Injected: 1\n", &err);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) holds a line break"));
}

/* The newline an editor leaves at the end of a token file is not part of the token. */
static void test_creds__container_token_file_trailing_newline(void)
{
    ia_err err;

    fetch_container_token_file("let-me-in\n", &err);
    /* It got as far as the (closed) port. */
    CU_ASSERT_EQUAL(err.kind, IA_ERR_TRANSPORT);
    CU_ASSERT_PTR_NULL(strstr(err.msg, "line break"));
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

/* IAM Identity Center profiles: the two forms, and what the chain makes of them without a network. */
static const char sso_config[] =
    "[profile dev]\nsso_session = my-sso\nsso_account_id = 111111111111\n"
    "sso_role_name = Auditor\n"
    "[sso-session my-sso]\nsso_start_url = https://d-1.awsapps.com/start\n"
    "sso_region = eu-west-1\n"
    "[profile legacy]\nsso_start_url = https://d-1.awsapps.com/start\n"
    "sso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Auditor\n"
    "[profile chained]\nrole_arn = arn:aws:iam::222222222222:role/Auditor\n"
    "source_profile = dev\n"
    "[profile empty]\nregion = us-east-1\n"
    "[profile chained-empty]\nrole_arn = arn:aws:iam::222222222222:role/Auditor\n"
    "source_profile = empty\n"
    "[profile no-section]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = r\n"
    "[profile contradicts]\nsso_session = my-sso\nsso_region = us-east-1\n"
    "sso_account_id = 1\nsso_role_name = r\n"
    "[profile incomplete]\nsso_session = my-sso\nsso_role_name = r\n";

/* A HOME of the test's own, with ~/.aws/sso/cache; the old HOME goes back in sso_home_done. */
static char g_home[64];
static char *g_saved_home;

static void sso_home(void)
{
    char path[256];

    g_saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    snprintf(g_home, sizeof(g_home), "/tmp/imgaudit-sso-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(g_home));
    snprintf(path, sizeof(path), "mkdir -p %s/.aws/sso/cache", g_home);
    CU_ASSERT_EQUAL_FATAL(system(path), 0);
    setenv("HOME", g_home, 1);
}

/* Writes the cached token of key (session name or start URL). */
static void sso_cache_write(const char *key, const char *text)
{
    char name[SSO_CACHE_NAME_SIZE], path[256];
    FILE *f;

    sso_cache_name(key, name);
    snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s", g_home, name);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void sso_home_done(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", g_home);
    CU_ASSERT_EQUAL(system(cmd), 0);
    if (g_saved_home)
        setenv("HOME", g_saved_home, 1);
    else
        unsetenv("HOME");
    free(g_saved_home);
}

/* creds_get fails with IA_ERR_CREDS saying says and asking for a login with profile. */
static void expect_login(creds_provider *p, const char *profile, const char *says)
{
    char want[128];
    aws_creds c;
    ia_err err;

    err_clear(&err);
    snprintf(want, sizeof(want), "run 'aws sso login --profile %s'", profile);
    CU_ASSERT_EQUAL(creds_get(p, &c, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_CREDS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, says));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "aoa-"));
}

static void test_creds__sso_profiles(void)
{
    creds_provider *p = NULL;
    ia_err err;

    clean_env();
    sso_home();
    /* sso_session form, not logged in. */
    CU_ASSERT_EQUAL_FATAL(resolve(sso_config, "", "dev", &p, &err), 0);
    CU_ASSERT_STRING_EQUAL(creds_describe(p), "IAM Identity Center profile 'dev'");
    expect_login(p, "dev", "no IAM Identity Center login cached for sso-session 'my-sso'");
    creds_provider_free(p);
    /* Legacy form: the token is cached under the start URL's name; this one has expired. */
    sso_cache_write("https://d-1.awsapps.com/start",
                    "{\"accessToken\": \"aoa-old\", \"expiresAt\": \"2020-01-02T03:04:05Z\"}");
    CU_ASSERT_EQUAL_FATAL(resolve(sso_config, "", "legacy", &p, &err), 0);
    expect_login(p, "legacy", "expired at 2020-01-02T03:04:05Z");
    creds_provider_free(p);
    /* The session's token is under the session's name: a broken one asks for a login too. */
    sso_cache_write("my-sso", "{\"accessToken\": \"aoa-x\"}");
    CU_ASSERT_EQUAL_FATAL(resolve(sso_config, "", "dev", &p, &err), 0);
    expect_login(p, "dev", "has no expiresAt");
    creds_provider_free(p);
    /* A role whose source is the SSO profile: the login asked for is the source's. */
    CU_ASSERT_EQUAL_FATAL(resolve(sso_config, "", "chained", &p, &err), 0);
    CU_ASSERT_STRING_EQUAL(creds_describe(p), "assume role arn:aws:iam::222222222222:role/Auditor");
    creds_provider_free(p);
    sso_home_done();
}

static void expect_config_error(const char *config, const char *profile, const char *says)
{
    creds_provider *p = NULL;
    ia_err err;

    CU_ASSERT_EQUAL(resolve(config, "", profile, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, says));
    CU_ASSERT_PTR_NULL(p);
}

static void test_creds__sso_config_errors(void)
{
    clean_env();
    expect_config_error(sso_config, "no-section",
                        "profile 'no-section': sso_session 'gone' has no [sso-session gone]");
    expect_config_error(sso_config, "contradicts",
                        "profile 'contradicts': sso_region 'us-east-1' differs from the one of [sso-session "
                        "my-sso] ('eu-west-1')");
    expect_config_error(sso_config, "incomplete",
                        "profile 'incomplete' is set up for IAM Identity Center but has no sso_account_id");
    expect_config_error("[profile x]\nsso_start_url = u\nsso_region = Not A Region\nsso_account_id = 1\n"
                        "sso_role_name = r\n",
                        "x", "profile 'x': sso_region is not a region name");
}

/* botocore: "The source profile ... must have credentials". Never an AssumeRole sent unsigned. */
static void test_creds__source_profile_without_credentials(void)
{
    clean_env();
    expect_config_error(sso_config, "chained-empty",
                        "the source profile 'empty' of profile 'chained-empty' has no credentials");
}

static void test_creds__aws_default_profile(void)
{
    creds_provider *p = NULL;
    ia_err err;
    const char *files = "[a]\naws_access_key_id = AKIDA\naws_secret_access_key = s\n"
                        "[b]\naws_access_key_id = AKIDB\naws_secret_access_key = s\n";

    clean_env();
    setenv("AWS_DEFAULT_PROFILE", "a", 1);
    CU_ASSERT_EQUAL_FATAL(resolve("", files, NULL, &p, &err), 0);
    expect_key(p, "AKIDA", NULL);
    creds_provider_free(p);
    /* AWS_PROFILE, then --profile, outrank it. */
    setenv("AWS_PROFILE", "b", 1);
    CU_ASSERT_EQUAL_FATAL(resolve("", files, NULL, &p, &err), 0);
    expect_key(p, "AKIDB", NULL);
    creds_provider_free(p);
    CU_ASSERT_EQUAL_FATAL(resolve("", files, "a", &p, &err), 0);
    expect_key(p, "AKIDA", NULL);
    creds_provider_free(p);
    /* Named there, a profile that does not exist is an error, as when AWS_PROFILE names it. */
    unsetenv("AWS_PROFILE");
    setenv("AWS_DEFAULT_PROFILE", "ghost", 1);
    CU_ASSERT_EQUAL(resolve("", files, NULL, &p, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "profile 'ghost' not found"));
    unsetenv("AWS_DEFAULT_PROFILE");
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
    {"credentials about to expire are refreshed", test_creds__refreshes_credentials_about_to_expire},
    {"fresh credentials are not fetched again", test_creds__keeps_fresh_credentials},
    {"expired credentials are an error, asked once", test_creds__expired_credentials_are_an_error_once},
    {"credential_process that hangs times out", test_creds__credential_process_times_out},
    {"credential_process time-out setting", test_creds__credential_process_timeout_setting},
    {"container URLs allowed: https, loopback, ECS/EKS", test_creds__container_url_allowed},
    {"container URLs refused: userinfo, other hosts", test_creds__container_url_refused},
    {"container token with a line break", test_creds__container_token_with_line_break},
    {"container token file's trailing newline", test_creds__container_token_file_trailing_newline},
    {"unknown profile", test_creds__unknown_profile},
    {"no credentials anywhere", test_creds__nothing_found},
    {"key id without secret", test_creds__half_set_environment},
    {"role chain errors: loop, missing source, no source, bad duration", test_creds__role_chain_errors},
    {"role profile resolves without calling STS", test_creds__role_profile_resolves_without_calling},
    {"IAM Identity Center profiles: both forms, login asked for", test_creds__sso_profiles},
    {"IAM Identity Center config errors name the profile", test_creds__sso_config_errors},
    {"source profile without credentials is an error", test_creds__source_profile_without_credentials},
    {"AWS_DEFAULT_PROFILE after AWS_PROFILE and --profile", test_creds__aws_default_profile},
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
    if (g_runs)
        unlink(g_runs);
    free(g_runs);
    return rc;
}
