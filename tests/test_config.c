/* Tests for src/aws/config.c: the AWS shared config and credentials files. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/config.h"
#include "testutil.h"
#include "util/str.h"

static const char *const ENV_VARS[] = {
    "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_REGION",      "AWS_DEFAULT_REGION",
};

/* Each test starts from an environment without the variables under test. */
static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(ENV_VARS) / sizeof(ENV_VARS[0]); i++)
        unsetenv(ENV_VARS[i]);
}

/* testutil_data_path returns a static buffer; tests that need two paths keep copies. */
static char *data_path(const char *rel)
{
    char *p = str_dup(testutil_data_path(rel));

    CU_ASSERT_FATAL(p != NULL);
    return p;
}

/* Loads config/<cfg_rel> and config/<creds_rel> (either may be NULL: a file that does not exist). */
static awscfg *load_pair(const char *cfg_rel, const char *creds_rel)
{
    char *cfg_path = data_path(cfg_rel ? cfg_rel : "config/does-not-exist");
    char *creds_path = data_path(creds_rel ? creds_rel : "config/does-not-exist");
    awscfg *cfg = NULL;
    ia_err err;

    err_clear(&err);
    CU_ASSERT_EQUAL(awscfg_load(&cfg, cfg_path, creds_path, &err), 0);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_NONE);
    free(cfg_path);
    free(creds_path);
    CU_ASSERT_FATAL(cfg != NULL);
    return cfg;
}

/* True when the profile's key reads as want (NULL: not set). */
static bool get_is(const awscfg *cfg, const char *profile, const char *key, const char *want)
{
    const char *got = awscfg_get(cfg, profile, key);

    if (!want || !got)
        return got == want;
    return strcmp(got, want) == 0;
}

/* A macro, so that a failure names the line and the arguments of the check. */
#define ASSERT_GET(cfg, profile, key, want) CU_ASSERT(get_is(cfg, profile, key, want))

static void test_config__profiles_in_both_files(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "default"));
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "dev"));
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "base")); /* credentials file only */
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "shared"));
    ASSERT_GET(cfg, "default", "region", "us-west-2");
    ASSERT_GET(cfg, "default", "output", "json");
    ASSERT_GET(cfg, "default", "aws_access_key_id", "AKIDEXAMPLEDEFAULT");
    ASSERT_GET(cfg, "default", "aws_secret_access_key", "default/secret/EXAMPLEKEY");
    ASSERT_GET(cfg, "base", "aws_session_token", "base-session-token");
    /* Profile names are case-sensitive; keys are not. */
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "DEV"));
    ASSERT_GET(cfg, "dev", "REGION", "eu-west-1");
    awscfg_free(cfg);
}

static void test_config__profile_prefix_only_in_config_file(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    /* [notaprofile] and [profilex] in the config file are sections, not profiles. */
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "notaprofile"));
    ASSERT_GET(cfg, "notaprofile", "region", NULL);
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "profilex"));
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "x"));
    /* [profile odd] in the credentials file is a profile called "profile odd". */
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "profile odd"));
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "odd"));
    ASSERT_GET(cfg, "profile odd", "aws_access_key_id", "AKIDEXAMPLEODD");
    awscfg_free(cfg);
}

static void test_config__profile_default_outranks_default(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_default_both", NULL);
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "default"));
    /* [profile default] comes first in the file, yet wins over the later [default]. */
    ASSERT_GET(cfg, "default", "region", "eu-central-1");
    /* Keys only [default] sets still read through. */
    ASSERT_GET(cfg, "default", "output", "json");
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "profile default"));
    awscfg_free(cfg);
}

static void test_config__credentials_file_wins(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    ASSERT_GET(cfg, "shared", "region", "sa-east-1");
    /* Keys the credentials file lacks still come from the config file. */
    ASSERT_GET(cfg, "shared", "output", "text");
    awscfg_free(cfg);
}

static void test_config__comments_and_spacing(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", NULL);
    ASSERT_GET(cfg, "dev", "region", "eu-west-1");
    /* ';' and '#' without whitespace before them are part of the value. */
    ASSERT_GET(cfg, "dev", "external_id", "ext-123;not-a-comment");
    ASSERT_GET(cfg, "dev", "color", "Blue#NotAComment");
    ASSERT_GET(cfg, "dev", "credential_process", "/usr/local/bin/get-creds --profile dev");
    /* "[   profile    spacing   ]" */
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "spacing"));
    ASSERT_GET(cfg, "spacing", "tabbed_key", "tab value");
    ASSERT_GET(cfg, "spacing", "no_spaces", "value");
    ASSERT_GET(cfg, "spacing", "indented_key", "indented value");
    ASSERT_GET(cfg, "spacing", "empty_value", "");
    ASSERT_GET(cfg, "spacing", "after_empty", "set");
    awscfg_free(cfg);
}

static void test_config__assume_role_settings(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    ASSERT_GET(cfg, "dev", "role_arn", "arn:aws:iam::123456789012:role/ImageAuditor");
    ASSERT_GET(cfg, "dev", "source_profile", "base");
    ASSERT_GET(cfg, "dev", "external_id", "ext-123;not-a-comment");
    ASSERT_GET(cfg, "dev", "role_session_name", "imgaudit-audit");
    ASSERT_GET(cfg, "dev", "duration_seconds", "3600");
    ASSERT_GET(cfg, "dev", "credential_process", "/usr/local/bin/get-creds --profile dev");
    /* The source profile resolves in the credentials file. */
    ASSERT_GET(cfg, awscfg_get(cfg, "dev", "source_profile"), "aws_access_key_id", "AKIDEXAMPLEBASE");
    awscfg_free(cfg);
}

static void test_config__nested_and_continued_values(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", NULL);
    ASSERT_GET(cfg, "nested", "s3.max_concurrent_requests", "10");
    ASSERT_GET(cfg, "nested", "s3.max_queue_size", "1000");
    ASSERT_GET(cfg, "nested", "S3.Addressing_Style", "path");
    /* The block ends at the first line not indented deeper than "s3 =". */
    ASSERT_GET(cfg, "nested", "region", "ca-central-1");
    ASSERT_GET(cfg, "nested", "max_concurrent_requests", NULL);
    /* Indented lines under a key with a value extend the value, one line each. */
    ASSERT_GET(cfg, "multi", "note", "first\nsecond\nthird");
    awscfg_free(cfg);
}

static void test_config__later_duplicates_win(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", NULL);
    ASSERT_GET(cfg, "dup", "region", "us-west-1");
    /* A repeated section adds to the first. */
    ASSERT_GET(cfg, "dup", "output", "table");
    awscfg_free(cfg);
}

static void test_config__sso_session_and_services_sections(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", NULL);
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "corp"));
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "local"));
    CU_ASSERT_TRUE(awscfg_has_section(cfg, AWSCFG_SSO_SESSION, "corp"));
    CU_ASSERT_FALSE(awscfg_has_section(cfg, AWSCFG_SERVICES, "corp"));
    CU_ASSERT_TRUE(awscfg_has_section(cfg, AWSCFG_SERVICES, "local"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(awscfg_section_get(cfg, AWSCFG_SSO_SESSION, "corp", "sso_region"));
    CU_ASSERT_STRING_EQUAL(awscfg_section_get(cfg, AWSCFG_SSO_SESSION, "corp", "sso_region"), "us-east-1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(
        awscfg_section_get(cfg, AWSCFG_SERVICES, "local", "workspaces.endpoint_url"));
    CU_ASSERT_STRING_EQUAL(awscfg_section_get(cfg, AWSCFG_SERVICES, "local", "workspaces.endpoint_url"),
                           "http://127.0.0.1:4566");
    CU_ASSERT_PTR_NULL(awscfg_section_get(cfg, AWSCFG_SERVICES, "corp", "sso_region"));
    awscfg_free(cfg);
}

static void test_config__crlf_line_ends(void)
{
    char *raw = testutil_read_file(testutil_data_path("config/config_crlf"), NULL);
    awscfg *cfg;

    clear_env();
    /* The sample must really have CR LF, or this test proves nothing. */
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_PTR_NOT_NULL(strstr(raw, "eu-north-1\r\n"));
    free(raw);
    cfg = load_pair("config/config_crlf", NULL);
    ASSERT_GET(cfg, "default", "region", "eu-north-1");
    ASSERT_GET(cfg, "crlf", "role_arn", "arn:aws:iam::111122223333:role/Audit");
    ASSERT_GET(cfg, "crlf", "s3.max_concurrent_requests", "4");
    awscfg_free(cfg);
}

static void test_config__utf8_byte_order_mark(void)
{
    char *raw = testutil_read_file(testutil_data_path("config/config_bom"), NULL);
    awscfg *cfg;

    clear_env();
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_EQUAL(memcmp(raw, "\xEF\xBB\xBF[default]", 12), 0);
    free(raw);
    cfg = load_pair("config/config_bom", NULL);
    CU_ASSERT_TRUE(awscfg_has_profile(cfg, "default"));
    ASSERT_GET(cfg, "default", "region", "eu-south-1");
    awscfg_free(cfg);
}

static void test_config__directory_is_an_error(void)
{
    char *dir = data_path("config");
    awscfg *cfg = NULL;
    ia_err err;

    clear_env();
    err_clear(&err);
    CU_ASSERT_EQUAL(awscfg_load(&cfg, dir, dir, &err), -1);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "directory"));
    free(dir);
}

static void test_config__missing_files_are_empty(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair(NULL, NULL);
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "default"));
    ASSERT_GET(cfg, "default", "region", NULL);
    awscfg_free(cfg);
}

static void test_config__unknown_profile(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "nope"));
    ASSERT_GET(cfg, "nope", "region", NULL);
    CU_ASSERT_FALSE(awscfg_has_profile(NULL, "default"));
    CU_ASSERT_PTR_NULL(awscfg_get(NULL, "default", "region"));
    awscfg_free(cfg);
}

typedef struct bad_case {
    const char *rel;
    unsigned line, column;
    const char *msg_part;
} bad_case;

static void test_config__malformed_files_name_the_position(void)
{
    static const bad_case cases[] = {
        {"config/bad_no_equals", 3, 3, "expected 'name = value'"},
        {"config/bad_header", 4, 16, "no closing ']'"},
        {"config/bad_key_before_section", 2, 1, "outside of any [section]"},
        {"config/bad_after_header", 1, 11, "after ']'"},
        {"config/bad_nested", 4, 5, "under 's3 ='"},
        {"config/bad_empty_key", 2, 4, "missing setting name"},
        {"config/bad_profile_no_name", 4, 3, "[profile] needs a name"},
        {"config/bad_nul", 2, 13, "NUL byte"},
    };
    char *missing = data_path("config/does-not-exist");

    clear_env();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = data_path(cases[i].rel);
        awscfg *cfg = NULL;
        ia_err err;
        char line[1024];

        err_clear(&err);
        CU_ASSERT_EQUAL(awscfg_load(&cfg, path, missing, &err), -1);
        CU_ASSERT_PTR_NULL(cfg);
        CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
        CU_ASSERT_STRING_EQUAL(err.file, path);
        CU_ASSERT_EQUAL(err.line, cases[i].line);
        CU_ASSERT_EQUAL(err.column, cases[i].column);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].msg_part));
        err_format(&err, line, sizeof(line));
        CU_ASSERT_PTR_NULL(strchr(line, '\n'));
        if (err.line != cases[i].line || err.column != cases[i].column)
            fprintf(stderr, "%s: got %u:%u (%s)\n", cases[i].rel, err.line, err.column, err.msg);
        free(path);
    }
    free(missing);
}

static void test_config__malformed_credentials_file(void)
{
    char *cfg_path = data_path("config/config_basic");
    char *creds_path = data_path("config/bad_credentials");
    awscfg *cfg = NULL;
    ia_err err;

    clear_env();
    err_clear(&err);
    CU_ASSERT_EQUAL(awscfg_load(&cfg, cfg_path, creds_path, &err), -1);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_STRING_EQUAL(err.file, creds_path);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_EQUAL(err.column, 1);
    /* The message names the position, never the text of the line (it may be a secret). */
    CU_ASSERT_PTR_NULL(strstr(err.msg, "aws_secret_access_key"));
    free(cfg_path);
    free(creds_path);
}

/* Writes text to a temporary file, loads it as the config file, and returns the error kind. */
static ia_err_kind load_temp(const char *text, ia_err *err)
{
    char *missing = data_path("config/does-not-exist");
    char *path = testutil_write_temp(text);
    awscfg *cfg = NULL;
    int rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    err_clear(err);
    rc = awscfg_load(&cfg, path, missing, err);
    CU_ASSERT_EQUAL(rc == 0, cfg != NULL);
    awscfg_free(cfg);
    unlink(path);
    free(path);
    free(missing);
    return rc == 0 ? IA_ERR_NONE : err->kind;
}

static void test_config__size_limits(void)
{
    size_t long_n = 20 * 1024;
    size_t big_n = 1024 * 1024 + 64;
    char *text = malloc(big_n + 1);
    ia_err err;

    clear_env();
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* One 20 KiB line is over the 16 KiB line limit. */
    memcpy(text, "[default]\nk = ", 14);
    memset(text + 14, 'v', long_n);
    text[14 + long_n] = '\0';
    CU_ASSERT_EQUAL(load_temp(text, &err), IA_ERR_INPUT);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 16 * 1024 + 1);
    /* Just under the line limit is fine. */
    text[16 * 1024] = '\0';
    CU_ASSERT_EQUAL(load_temp(text, &err), IA_ERR_NONE);
    /* A value continued over most of a megabyte loads whole (and in linear time). */
    {
        size_t lines = 250 * 1000;
        char *pos = text;
        awscfg *cfg;
        char *path;
        char *missing = data_path("config/does-not-exist");
        const char *v;
        ia_err load_err;

        memcpy(pos, "[default]\nk = a\n", 16);
        pos += 16;
        for (size_t i = 0; i < lines; i++, pos += 4)
            memcpy(pos, "  b\n", 4);
        *pos = '\0';
        path = testutil_write_temp(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(path);
        err_clear(&load_err);
        CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, path, missing, &load_err), 0);
        v = awscfg_get(cfg, "default", "k");
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        CU_ASSERT_EQUAL(strlen(v), 1 + 2 * lines);
        CU_ASSERT_EQUAL(strncmp(v, "a\nb\nb", 5), 0);
        awscfg_free(cfg);
        unlink(path);
        free(path);
        free(missing);
    }
    /* Over 1 MiB of comment lines is refused before parsing, as a bad input file (exit 2), not as out of
     * memory (exit 4). */
    for (size_t i = 0; i < big_n; i++)
        text[i] = (i % 64 == 63) ? '\n' : '#';
    text[big_n] = '\0';
    CU_ASSERT_EQUAL(load_temp(text, &err), IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "larger than 1048576 bytes"));
    free(text);
}

static void test_config__paths_from_environment(void)
{
    char *cfg_path = data_path("config/config_basic");
    char *creds_path = data_path("config/credentials_basic");
    char *other = data_path("config/config_default_both");
    awscfg *cfg = NULL;
    ia_err err;

    clear_env();
    setenv("AWS_CONFIG_FILE", cfg_path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", creds_path, 1);
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, NULL, NULL, &err), 0);
    ASSERT_GET(cfg, "dev", "role_session_name", "imgaudit-audit");
    ASSERT_GET(cfg, "base", "aws_access_key_id", "AKIDEXAMPLEBASE");
    awscfg_free(cfg);
    /* A path given by the caller wins over the variable. */
    CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, other, NULL, &err), 0);
    ASSERT_GET(cfg, "default", "region", "eu-central-1");
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "dev"));
    ASSERT_GET(cfg, "base", "aws_access_key_id", "AKIDEXAMPLEBASE");
    awscfg_free(cfg);
    clear_env();
    free(cfg_path);
    free(creds_path);
    free(other);
}

static void test_config__paths_from_home(void)
{
    char *saved_home = str_dup(getenv("HOME"));
    char *home = data_path("config/home");
    awscfg *cfg = NULL;
    ia_err err;

    clear_env();
    setenv("HOME", home, 1);
    /* No variables: $HOME/.aws/config and $HOME/.aws/credentials. */
    err_clear(&err);
    CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, NULL, NULL, &err), 0);
    ASSERT_GET(cfg, "default", "region", "us-east-1");
    ASSERT_GET(cfg, "default", "aws_access_key_id", "AKIDEXAMPLEHOME");
    awscfg_free(cfg);
    /* A leading "~/" in the variables is $HOME. */
    setenv("AWS_CONFIG_FILE", "~/custom_config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "~/custom_credentials", 1);
    CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, NULL, NULL, &err), 0);
    ASSERT_GET(cfg, "tilde", "region", "me-south-1");
    ASSERT_GET(cfg, "home-creds", "aws_access_key_id", "AKIDEXAMPLETILDE");
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "default"));
    awscfg_free(cfg);
    /* Without HOME, "~/" cannot be expanded: an error naming the variable. */
    unsetenv("HOME");
    CU_ASSERT_EQUAL(awscfg_load(&cfg, NULL, NULL, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_CONFIG_FILE"));
    /* Without HOME or variables there are no files: no profiles, no error. */
    clear_env();
    CU_ASSERT_EQUAL_FATAL(awscfg_load(&cfg, NULL, NULL, &err), 0);
    CU_ASSERT_FALSE(awscfg_has_profile(cfg, "default"));
    awscfg_free(cfg);
    if (saved_home)
        setenv("HOME", saved_home, 1);
    free(saved_home);
    free(home);
}

static void test_config__profile_name_precedence(void)
{
    clear_env();
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name(NULL), "default");
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name(""), "default");
    setenv("AWS_PROFILE", "", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name(NULL), "default");
    setenv("AWS_DEFAULT_PROFILE", "older", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name(NULL), "older");
    setenv("AWS_PROFILE", "dev", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name(NULL), "dev");
    unsetenv("AWS_DEFAULT_PROFILE");
    CU_ASSERT_STRING_EQUAL(awscfg_profile_name("flagged"), "flagged");
    clear_env();
}

static void test_config__region_precedence(void)
{
    awscfg *cfg;

    clear_env();
    cfg = load_pair("config/config_basic", "config/credentials_basic");
    /* Profile's region last. */
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", NULL), "eu-west-1");
    /* A NULL profile means the one awscfg_profile_name picks. */
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, NULL, NULL), "us-west-2");
    setenv("AWS_PROFILE", "shared", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, NULL, NULL), "sa-east-1");
    /* A profile without a region: none. */
    CU_ASSERT_PTR_NULL(awscfg_region(cfg, "base", NULL));
    CU_ASSERT_PTR_NULL(awscfg_region(NULL, "dev", NULL));
    /* An empty variable counts as unset. */
    setenv("AWS_DEFAULT_REGION", "", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", NULL), "eu-west-1");
    setenv("AWS_DEFAULT_REGION", "ap-northeast-1", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", NULL), "ap-northeast-1");
    setenv("AWS_REGION", "ap-southeast-2", 1);
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", NULL), "ap-southeast-2");
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", "af-south-1"), "af-south-1");
    /* An empty flag is no flag. */
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", ""), "ap-southeast-2");
    unsetenv("AWS_REGION");
    CU_ASSERT_STRING_EQUAL(awscfg_region(cfg, "dev", NULL), "ap-northeast-1");
    clear_env();
    awscfg_free(cfg);
}

int main(void)
{
    CU_TestInfo tests[] = {
        {"profiles_in_both_files", test_config__profiles_in_both_files},
        {"profile_prefix_only_in_config_file", test_config__profile_prefix_only_in_config_file},
        {"profile_default_outranks_default", test_config__profile_default_outranks_default},
        {"credentials_file_wins", test_config__credentials_file_wins},
        {"comments_and_spacing", test_config__comments_and_spacing},
        {"assume_role_settings", test_config__assume_role_settings},
        {"nested_and_continued_values", test_config__nested_and_continued_values},
        {"later_duplicates_win", test_config__later_duplicates_win},
        {"sso_session_and_services_sections", test_config__sso_session_and_services_sections},
        {"crlf_line_ends", test_config__crlf_line_ends},
        {"utf8_byte_order_mark", test_config__utf8_byte_order_mark},
        {"directory_is_an_error", test_config__directory_is_an_error},
        {"missing_files_are_empty", test_config__missing_files_are_empty},
        {"unknown_profile", test_config__unknown_profile},
        {"malformed_files_name_the_position", test_config__malformed_files_name_the_position},
        {"malformed_credentials_file", test_config__malformed_credentials_file},
        {"size_limits", test_config__size_limits},
        {"paths_from_environment", test_config__paths_from_environment},
        {"paths_from_home", test_config__paths_from_home},
        {"profile_name_precedence", test_config__profile_name_precedence},
        {"region_precedence", test_config__region_precedence},
        CU_TEST_INFO_NULL,
    };

    return testutil_run("config", tests);
}
