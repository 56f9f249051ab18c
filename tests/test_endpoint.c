/* Tests for src/aws/endpoint.c: service definitions, partitions, endpoint overrides. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/config.h"
#include "aws/endpoint.h"
#include "testutil.h"

static const char *const ENV_VARS[] = {
    "AWS_ENDPOINT_URL",     "AWS_ENDPOINT_URL_WORKSPACES",    "AWS_ENDPOINT_URL_APPSTREAM",
    "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_ORGANIZATIONS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(ENV_VARS) / sizeof(ENV_VARS[0]); i++)
        unsetenv(ENV_VARS[i]);
}

static awscfg *load_endpoint_config(void)
{
    awscfg *cfg = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(
        awscfg_load(&cfg, testutil_data_path("config/endpoint_config"), "/nonexistent/credentials", &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    return cfg;
}

/*
 * Resolves and compares with the expected URL and signing region. cfg NULL
 * means endpoint_resolve with profile as the profile's endpoint_url;
 * otherwise endpoint_resolve_profile with that profile.
 */
static bool resolves_to(const aws_service *svc, const char *region, const awscfg *cfg, const char *profile,
                        const char *want_url, const char *want_signing)
{
    char *url = NULL;
    char *signing = NULL;
    ia_err err;
    int rc;
    bool ok;

    err_clear(&err);
    if (cfg)
        rc = endpoint_resolve_profile(svc, region, cfg, profile, &url, &signing, &err);
    else
        rc = endpoint_resolve(svc, region, profile, &url, &signing, &err);
    ok = rc == 0 && url && signing && strcmp(url, want_url) == 0 && strcmp(signing, want_signing) == 0;
    if (!ok)
        fprintf(stderr, "\n    %s in %s: got rc %d, %s signed for %s (%s); want %s signed for %s\n", svc->id,
                region ? region : "(none)", rc, url ? url : "(null)", signing ? signing : "(null)", err.msg,
                want_url, want_signing);
    free(url);
    free(signing);
    return ok;
}

/* Resolves expecting IA_ERR_INPUT whose message contains msg_part; err_out gets the error. */
static bool fails_with(const aws_service *svc, const char *region, const awscfg *cfg, const char *profile,
                       const char *msg_part, ia_err *err_out)
{
    static char sentinel[] = "untouched";
    char *url = sentinel;
    char *signing = sentinel;
    int rc;
    bool ok;

    err_clear(err_out);
    if (cfg)
        rc = endpoint_resolve_profile(svc, region, cfg, profile, &url, &signing, err_out);
    else
        rc = endpoint_resolve(svc, region, profile, &url, &signing, err_out);
    ok = rc == -1 && url == NULL && signing == NULL && err_out->kind == IA_ERR_INPUT &&
         strstr(err_out->msg, msg_part) != NULL;
    if (!ok)
        fprintf(stderr, "\n    %s in %s: got rc %d, kind %s, message '%s'; want input error with '%s'\n",
                svc->id, region ? region : "(none)", rc, err_kind_name(err_out->kind), err_out->msg,
                msg_part);
    if (rc == 0) {
        free(url);
        free(signing);
    }
    return ok;
}

#define ASSERT_RESOLVES(svc, region, cfg, profile, url, signing)                                             \
    CU_ASSERT(resolves_to(svc, region, cfg, profile, url, signing))

static void test_endpoint__service_definitions(void)
{
    CU_ASSERT_STRING_EQUAL(AWS_WORKSPACES.id, "workspaces");
    CU_ASSERT_STRING_EQUAL(AWS_WORKSPACES.env_name, "WORKSPACES");
    CU_ASSERT_STRING_EQUAL(AWS_WORKSPACES.endpoint_prefix, "workspaces");
    CU_ASSERT_STRING_EQUAL(AWS_WORKSPACES.signing_name, "workspaces");
    CU_ASSERT_STRING_EQUAL(AWS_WORKSPACES.target_prefix, "WorkspacesService");
    CU_ASSERT_FALSE(AWS_WORKSPACES.global);

    CU_ASSERT_STRING_EQUAL(AWS_APPSTREAM.id, "appstream");
    CU_ASSERT_STRING_EQUAL(AWS_APPSTREAM.env_name, "APPSTREAM");
    CU_ASSERT_STRING_EQUAL(AWS_APPSTREAM.endpoint_prefix, "appstream2");
    CU_ASSERT_STRING_EQUAL(AWS_APPSTREAM.signing_name, "appstream");
    CU_ASSERT_STRING_EQUAL(AWS_APPSTREAM.target_prefix, "PhotonAdminProxyService");
    CU_ASSERT_FALSE(AWS_APPSTREAM.global);

    CU_ASSERT_STRING_EQUAL(AWS_STS.id, "sts");
    CU_ASSERT_STRING_EQUAL(AWS_STS.env_name, "STS");
    CU_ASSERT_STRING_EQUAL(AWS_STS.endpoint_prefix, "sts");
    CU_ASSERT_STRING_EQUAL(AWS_STS.signing_name, "sts");
    CU_ASSERT_PTR_NULL(AWS_STS.target_prefix);
    CU_ASSERT_FALSE(AWS_STS.global);

    CU_ASSERT_STRING_EQUAL(AWS_ORGANIZATIONS.id, "organizations");
    CU_ASSERT_STRING_EQUAL(AWS_ORGANIZATIONS.env_name, "ORGANIZATIONS");
    CU_ASSERT_STRING_EQUAL(AWS_ORGANIZATIONS.endpoint_prefix, "organizations");
    CU_ASSERT_STRING_EQUAL(AWS_ORGANIZATIONS.signing_name, "organizations");
    CU_ASSERT_STRING_EQUAL(AWS_ORGANIZATIONS.target_prefix, "AWSOrganizationsV20161128");
    CU_ASSERT_TRUE(AWS_ORGANIZATIONS.global);
}

static void test_endpoint__partitions(void)
{
    CU_ASSERT_STRING_EQUAL(endpoint_partition("us-east-1"), "aws");
    CU_ASSERT_STRING_EQUAL(endpoint_partition("eu-west-3"), "aws");
    CU_ASSERT_STRING_EQUAL(endpoint_partition("cn-north-1"), "aws-cn");
    CU_ASSERT_STRING_EQUAL(endpoint_partition("cn-northwest-1"), "aws-cn");
    CU_ASSERT_STRING_EQUAL(endpoint_partition("us-gov-west-1"), "aws-us-gov");
    CU_ASSERT_STRING_EQUAL(endpoint_partition("us-gov-east-1"), "aws-us-gov");
    CU_ASSERT_STRING_EQUAL(endpoint_partition(NULL), "aws");
    CU_ASSERT_STRING_EQUAL(endpoint_dns_suffix("ap-southeast-2"), "amazonaws.com");
    CU_ASSERT_STRING_EQUAL(endpoint_dns_suffix("cn-north-1"), "amazonaws.com.cn");
    CU_ASSERT_STRING_EQUAL(endpoint_dns_suffix("us-gov-west-1"), "amazonaws.com");
}

static void test_endpoint__region_validation(void)
{
    char long_region[80];
    ia_err err;

    CU_ASSERT_TRUE(endpoint_region_is_valid("us-east-1"));
    CU_ASSERT_TRUE(endpoint_region_is_valid("us-gov-west-1"));
    CU_ASSERT_FALSE(endpoint_region_is_valid(NULL));
    CU_ASSERT_FALSE(endpoint_region_is_valid(""));
    CU_ASSERT_FALSE(endpoint_region_is_valid("US-EAST-1"));
    CU_ASSERT_FALSE(endpoint_region_is_valid("us-east-1.evil.example"));
    CU_ASSERT_FALSE(endpoint_region_is_valid("us-east-1/x"));
    CU_ASSERT_FALSE(endpoint_region_is_valid("us east 1"));
    memset(long_region, 'a', 64);
    long_region[64] = '\0';
    CU_ASSERT_FALSE(endpoint_region_is_valid(long_region));
    long_region[63] = '\0';
    CU_ASSERT_TRUE(endpoint_region_is_valid(long_region));

    clear_env();
    CU_ASSERT(fails_with(&AWS_WORKSPACES, "us-east-1.evil.example", NULL, NULL, "invalid AWS region", &err));
    CU_ASSERT(fails_with(&AWS_STS, "US-EAST-1", NULL, NULL, "'US-EAST-1'", &err));
    CU_ASSERT(fails_with(&AWS_APPSTREAM, "eu-west-1\r\nHost: x", NULL, NULL, "invalid AWS region", &err));
    /* A junk region is refused even when an override would decide the host. */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
    CU_ASSERT(fails_with(&AWS_ORGANIZATIONS, "bad region", NULL, NULL, "invalid AWS region", &err));
    clear_env();
    /* A regional service needs a region; a global one does without. */
    CU_ASSERT(fails_with(&AWS_WORKSPACES, NULL, NULL, NULL, "no AWS region", &err));
    CU_ASSERT(fails_with(&AWS_STS, "", NULL, NULL, "no AWS region", &err));
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, NULL, NULL, NULL, "https://organizations.us-east-1.amazonaws.com",
                    "us-east-1");
}

typedef struct default_case {
    const aws_service *svc;
    const char *region;
    const char *url;
    const char *signing_region;
} default_case;

static void test_endpoint__defaults_in_every_partition(void)
{
    const default_case cases[] = {
        {&AWS_WORKSPACES, "us-east-1", "https://workspaces.us-east-1.amazonaws.com", "us-east-1"},
        {&AWS_WORKSPACES, "eu-west-1", "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1"},
        {&AWS_WORKSPACES, "cn-northwest-1", "https://workspaces.cn-northwest-1.amazonaws.com.cn",
         "cn-northwest-1"},
        {&AWS_WORKSPACES, "us-gov-west-1", "https://workspaces.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
        {&AWS_APPSTREAM, "ap-northeast-1", "https://appstream2.ap-northeast-1.amazonaws.com",
         "ap-northeast-1"},
        {&AWS_APPSTREAM, "cn-north-1", "https://appstream2.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        {&AWS_APPSTREAM, "us-gov-east-1", "https://appstream2.us-gov-east-1.amazonaws.com", "us-gov-east-1"},
        {&AWS_STS, "eu-central-1", "https://sts.eu-central-1.amazonaws.com", "eu-central-1"},
        {&AWS_STS, "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        {&AWS_STS, "us-gov-east-1", "https://sts.us-gov-east-1.amazonaws.com", "us-gov-east-1"},
        /* Organizations has one endpoint per partition, signed for that partition's region. */
        {&AWS_ORGANIZATIONS, "us-east-1", "https://organizations.us-east-1.amazonaws.com", "us-east-1"},
        {&AWS_ORGANIZATIONS, "eu-west-2", "https://organizations.us-east-1.amazonaws.com", "us-east-1"},
        {&AWS_ORGANIZATIONS, "cn-north-1", "https://organizations.cn-northwest-1.amazonaws.com.cn",
         "cn-northwest-1"},
        {&AWS_ORGANIZATIONS, "us-gov-east-1", "https://organizations.us-gov-west-1.amazonaws.com",
         "us-gov-west-1"},
    };

    clear_env();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_RESOLVES(cases[i].svc, cases[i].region, NULL, NULL, cases[i].url, cases[i].signing_region);
    }
}

static void test_endpoint__override_order(void)
{
    awscfg *cfg = load_endpoint_config();

    clear_env();
    setenv("AWS_ENDPOINT_URL_WORKSPACES", "http://127.0.0.1:1001", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1002", 1);
    /* 1: the service's own variable. */
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "local", "http://127.0.0.1:1001", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, "http://127.0.0.1:9000", "http://127.0.0.1:1001",
                    "eu-west-1");
    /* Another service's variable does not apply: 2, the global variable. */
    ASSERT_RESOLVES(&AWS_APPSTREAM, "eu-west-1", cfg, "local", "http://127.0.0.1:1002", "eu-west-1");
    unsetenv("AWS_ENDPOINT_URL_WORKSPACES");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "local", "http://127.0.0.1:1002", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, "http://127.0.0.1:9000", "http://127.0.0.1:1002",
                    "eu-west-1");
    /* 3: the [services] section the profile names. */
    unsetenv("AWS_ENDPOINT_URL");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "local", "http://127.0.0.1:4566", "eu-west-1");
    /* 4: the profile's endpoint_url, for a service the [services] section does not list. */
    ASSERT_RESOLVES(&AWS_STS, "eu-west-1", cfg, "local", "http://127.0.0.1:9000", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "plain", "https://plain.example.test", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, "http://127.0.0.1:9000", "http://127.0.0.1:9000",
                    "eu-west-1");
    /* None: the default. */
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "default",
                    "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "no-such-profile",
                    "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, NULL, "https://workspaces.eu-west-1.amazonaws.com",
                    "eu-west-1");
    /* An empty variable is unset. */
    setenv("AWS_ENDPOINT_URL_WORKSPACES", "", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, NULL, "https://workspaces.eu-west-1.amazonaws.com",
                    "eu-west-1");
    clear_env();
    awscfg_free(cfg);
}

static void test_endpoint__every_service_variable(void)
{
    const aws_service *svcs[] = {&AWS_WORKSPACES, &AWS_APPSTREAM, &AWS_STS, &AWS_ORGANIZATIONS};
    const char *vars[] = {"AWS_ENDPOINT_URL_WORKSPACES", "AWS_ENDPOINT_URL_APPSTREAM", "AWS_ENDPOINT_URL_STS",
                          "AWS_ENDPOINT_URL_ORGANIZATIONS"};

    for (size_t i = 0; i < 4; i++) {
        clear_env();
        setenv(vars[i], "http://127.0.0.1:2000", 1);
        for (size_t j = 0; j < 4; j++) {
            char want[128];
            const char *signing = svcs[j]->global ? "us-east-1" : "ap-south-1";

            if (i == j)
                snprintf(want, sizeof(want), "http://127.0.0.1:2000");
            else if (svcs[j]->global)
                snprintf(want, sizeof(want), "https://%s.us-east-1.amazonaws.com", svcs[j]->endpoint_prefix);
            else
                snprintf(want, sizeof(want), "https://%s.ap-south-1.amazonaws.com", svcs[j]->endpoint_prefix);
            ASSERT_RESOLVES(svcs[j], "ap-south-1", NULL, NULL, want, signing);
        }
    }
    clear_env();
}

static void test_endpoint__ignore_switch(void)
{
    awscfg *cfg = load_endpoint_config();

    clear_env();
    setenv("AWS_ENDPOINT_URL_WORKSPACES", "http://127.0.0.1:1001", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1002", 1);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "local", "https://workspaces.eu-west-1.amazonaws.com",
                    "eu-west-1");
    ASSERT_RESOLVES(&AWS_STS, "eu-west-1", NULL, "http://127.0.0.1:9000",
                    "https://sts.eu-west-1.amazonaws.com", "eu-west-1");
    /* The value is read as botocore does: "true" in any case. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, NULL, "https://workspaces.eu-west-1.amazonaws.com",
                    "eu-west-1");
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", NULL, NULL, "http://127.0.0.1:1001", "eu-west-1");
    /* Even an invalid override is not looked at while ignored. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    setenv("AWS_ENDPOINT_URL_WORKSPACES", "not a url", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "bad-url",
                    "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1");
    /* The profile's switch, when the variable is unset. */
    clear_env();
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "ignoring",
                    "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1");
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1002", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "ignoring",
                    "https://workspaces.eu-west-1.amazonaws.com", "eu-west-1");
    /* The variable, when set, outranks the profile's switch. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
    ASSERT_RESOLVES(&AWS_WORKSPACES, "eu-west-1", cfg, "ignoring", "http://127.0.0.1:1002", "eu-west-1");
    clear_env();
    awscfg_free(cfg);
}

static void test_endpoint__invalid_override_names_its_source(void)
{
    awscfg *cfg = load_endpoint_config();
    ia_err err;

    clear_env();
    setenv("AWS_ENDPOINT_URL_APPSTREAM", "appstream.example.test", 1);
    CU_ASSERT(fails_with(&AWS_APPSTREAM, "eu-west-1", NULL, NULL, "AWS_ENDPOINT_URL_APPSTREAM", &err));
    clear_env();
    setenv("AWS_ENDPOINT_URL", "ftp://127.0.0.1", 1);
    CU_ASSERT(fails_with(&AWS_STS, "eu-west-1", NULL, NULL, "AWS_ENDPOINT_URL:", &err));
    clear_env();
    CU_ASSERT(
        fails_with(&AWS_WORKSPACES, "eu-west-1", cfg, "bad-url", "endpoint_url of profile 'bad-url'", &err));
    CU_ASSERT(fails_with(&AWS_WORKSPACES, "eu-west-1", NULL, "ftp://127.0.0.1", "endpoint_url", &err));
    CU_ASSERT(fails_with(&AWS_WORKSPACES, "eu-west-1", cfg, "missing-services", "'nowhere'", &err));

    /* Each kind of defect, and the password of a URL with user info never shows in the message. */
    {
        const char *bad[] = {
            "https://",
            "https:///path",
            "https://user:hunter2@127.0.0.1",
            "https://host:0",
            "https://host:65536",
            "https://host:12a",
            "https://host/path with space",
            "https://host/path?query=1",
            "https://host/#fragment",
            "https://[::1",
            "https://host\r\nX-Injected: 1",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            setenv("AWS_ENDPOINT_URL_WORKSPACES", bad[i], 1);
            CU_ASSERT(
                fails_with(&AWS_WORKSPACES, "eu-west-1", NULL, NULL, "AWS_ENDPOINT_URL_WORKSPACES", &err));
            CU_ASSERT_PTR_NULL(strstr(err.msg, "hunter2"));
        }
    }
    clear_env();
    awscfg_free(cfg);
}

static void test_endpoint__override_forms(void)
{
    clear_env();
    /* Trailing slashes go; a path, a port, IPv6 and upper-case schemes stay as given. */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566///", 1);
    ASSERT_RESOLVES(&AWS_STS, "us-east-1", NULL, NULL, "http://127.0.0.1:4566", "us-east-1");
    setenv("AWS_ENDPOINT_URL", "https://proxy.example.test/aws/sts/", 1);
    ASSERT_RESOLVES(&AWS_STS, "us-east-1", NULL, NULL, "https://proxy.example.test/aws/sts", "us-east-1");
    setenv("AWS_ENDPOINT_URL", "http://[::1]:8080", 1);
    ASSERT_RESOLVES(&AWS_STS, "us-east-1", NULL, NULL, "http://[::1]:8080", "us-east-1");
    setenv("AWS_ENDPOINT_URL", "HTTPS://localhost", 1);
    ASSERT_RESOLVES(&AWS_STS, "us-east-1", NULL, NULL, "HTTPS://localhost", "us-east-1");
    clear_env();
}

static void test_endpoint__signing_region_with_override(void)
{
    awscfg *cfg = load_endpoint_config();

    clear_env();
    /* A global service signs for its partition's region whatever the endpoint. */
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, "eu-west-1", cfg, "local", "http://[::1]:4567", "us-east-1");
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, "cn-north-1", cfg, "local", "http://[::1]:4567", "cn-northwest-1");
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, "us-gov-east-1", cfg, "local", "http://[::1]:4567", "us-gov-west-1");
    setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:3000", 1);
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, "cn-northwest-1", NULL, NULL, "http://127.0.0.1:3000",
                    "cn-northwest-1");
    ASSERT_RESOLVES(&AWS_ORGANIZATIONS, NULL, NULL, NULL, "http://127.0.0.1:3000", "us-east-1");
    /* A regional service signs for the region asked for. */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:3001", 1);
    ASSERT_RESOLVES(&AWS_STS, "us-gov-west-1", NULL, NULL, "http://127.0.0.1:3001", "us-gov-west-1");
    ASSERT_RESOLVES(&AWS_APPSTREAM, "cn-north-1", NULL, NULL, "http://127.0.0.1:3001", "cn-north-1");
    ASSERT_RESOLVES(&AWS_WORKSPACES, "sa-east-1", cfg, "local", "http://127.0.0.1:3001", "sa-east-1");
    clear_env();
    awscfg_free(cfg);
}

/* Resolves svc in region (AWS_ENDPOINT_URL* as set) and returns what that wrote on stderr (owned: free()). */
static char *stderr_of_resolving(const aws_service *svc, const char *region)
{
    char path[] = "/tmp/imgaudit-test-endpoint-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(STDERR_FILENO);
    char *url = NULL;
    char *signing = NULL;
    char *out;
    ia_err err;

    CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, STDERR_FILENO);
    err_clear(&err);
    CU_ASSERT_EQUAL(endpoint_resolve(svc, region, NULL, &url, &signing, &err), 0);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    out = testutil_read_file(path, NULL);
    unlink(path);
    free(url);
    free(signing);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    return out;
}

/* True when resolving svc in region wrote exactly want on stderr (a log line, its time aside). */
static bool resolving_writes(const aws_service *svc, const char *region, const char *want)
{
    char *got = stderr_of_resolving(svc, region);
    bool ok = strcmp(testutil_untimed(got), want) == 0;

    if (!ok)
        fprintf(stderr, "\n    %s in %s wrote '%s', want '%s'\n", svc->id, region, got, want);
    free(got);
    return ok;
}

static void test_endpoint__plain_http_off_loopback_warned_once(void)
{
    clear_env();
    setenv("AWS_ENDPOINT_URL", "http://10.9.8.7:8080/aws/", 1);
    CU_ASSERT(
        resolving_writes(&AWS_STS, "us-east-1",
                         "imgaudit: warning: AWS_ENDPOINT_URL is plain http to 10.9.8.7:8080, not a loopback "
                         "address: requests signed with your credentials cross the network unencrypted; "
                         "use https\n"));
    /* The same endpoint again, for other calls, regions and services: once is enough. */
    CU_ASSERT(resolving_writes(&AWS_STS, "us-east-1", ""));
    CU_ASSERT(resolving_writes(&AWS_WORKSPACES, "eu-west-1", ""));
    CU_ASSERT(resolving_writes(&AWS_ORGANIZATIONS, NULL, ""));
    /* Another endpoint has its own warning, naming where it came from. */
    setenv("AWS_ENDPOINT_URL_APPSTREAM", "http://appstream.internal.example", 1);
    CU_ASSERT(
        resolving_writes(&AWS_APPSTREAM, "eu-west-1",
                         "imgaudit: warning: AWS_ENDPOINT_URL_APPSTREAM is plain http to "
                         "appstream.internal.example, not a loopback address: requests signed with your "
                         "credentials cross the network unencrypted; use https\n"));
    CU_ASSERT(resolving_writes(&AWS_APPSTREAM, "us-east-1", ""));
    clear_env();
}

static void test_endpoint__https_or_loopback_not_warned(void)
{
    static const char *const quiet[] = {
        "https://10.9.8.6:8443", "http://127.0.0.1:4566", "http://127.1",
        "http://localhost:80",   "HTTP://LOCALHOST",      "http://[::1]:8080",
    };
    /* Names that only look like loopback, and other IPv6 addresses, are not. */
    static const char *const loud[] = {"http://127.example.com", "http://[::2]:80",
                                       "http://localhost.example.com"};

    clear_env();
    for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
        setenv("AWS_ENDPOINT_URL", quiet[i], 1);
        CU_ASSERT(resolving_writes(&AWS_STS, "us-east-1", ""));
    }
    for (size_t i = 0; i < sizeof(loud) / sizeof(loud[0]); i++) {
        char *got;

        setenv("AWS_ENDPOINT_URL", loud[i], 1);
        got = stderr_of_resolving(&AWS_STS, "us-east-1");
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "is plain http to"));
        free(got);
    }
    clear_env();
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"service_definitions", test_endpoint__service_definitions},
        {"partitions", test_endpoint__partitions},
        {"region_validation", test_endpoint__region_validation},
        {"defaults_in_every_partition", test_endpoint__defaults_in_every_partition},
        {"override_order", test_endpoint__override_order},
        {"every_service_variable", test_endpoint__every_service_variable},
        {"ignore_switch", test_endpoint__ignore_switch},
        {"invalid_override_names_its_source", test_endpoint__invalid_override_names_its_source},
        {"override_forms", test_endpoint__override_forms},
        {"signing_region_with_override", test_endpoint__signing_region_with_override},
        {"plain_http_off_loopback_warned_once", test_endpoint__plain_http_off_loopback_warned_once},
        {"https_or_loopback_not_warned", test_endpoint__https_or_loopback_not_warned},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("endpoint", tests);
}
