/* Secrets kept out of what AWS says: by value (the signing credentials) and by name (signatures, tokens). */
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/redact.h"
#include "testutil.h"

/* The values tests/data/aws/json-signature-quoted.json quotes. */
#define TOKEN_HEAD "IQoJb3JpZ2luX2VjEXAMPLE+/=FwoGZXIvYXdzEBYaDH"
#define SECRET     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define SIGNATURE  "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

static void expect_redacted(const char *text, const redact_secrets *s, const char *want)
{
    char *got = redact_text(text, s);

    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n got: %s\nwant: %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_redact__values_wherever_they_stand(void)
{
    redact_secrets s = {"sEcReT/kEy+1", "tok+en/=abc", "00ff"};

    expect_redacted("a tok+en/=abc b tok+en/=abcdef", &s, "a <redacted> b <redacted>def");
    expect_redacted("key sEcReT/kEy+1.", &s, "key <redacted>.");
    /* URI-encoded, as in a query string or a form body. */
    expect_redacted("q=tok%2Ben%2F%3Dabc&k=sEcReT%2FkEy%2B1", &s, "q=<redacted>&k=<redacted>");
    expect_redacted("sig 00ff!", &s, "sig <redacted>!");
    /* Nothing to find, and no values at all. */
    expect_redacted("Rate exceeded", &s, "Rate exceeded");
    expect_redacted("tok+en/=abc", NULL, "tok+en/=abc");
    expect_redacted(NULL, &s, "");
}

static void test_redact__named_fields_whatever_their_value(void)
{
    expect_redacted("..., SignedHeaders=host;x-amz-date, Signature=abc123 and more", NULL,
                    "..., SignedHeaders=host;x-amz-date, Signature=<redacted> and more");
    expect_redacted(
        "GET /?X-Amz-Credential=AKID%2Fx&X-Amz-Signature=ff00&X-Amz-Security-Token=T%2B1&a=b", NULL,
        "GET /?X-Amz-Credential=AKID%2Fx&X-Amz-Signature=<redacted>&X-Amz-Security-Token=<redacted>&a=b");
    expect_redacted("x-amz-security-token:IQo+/=\nx-amz-target:X", NULL,
                    "x-amz-security-token:<redacted>\nx-amz-target:X");
    expect_redacted("x-amz-sso_bearer_token: aoa+/=token\nhost: h", NULL,
                    "x-amz-sso_bearer_token: <redacted>\nhost: h");
    expect_redacted("authorization: AWS4-HMAC-SHA256 Credential=AKID/1, Signature=ab\r\nhost: h", NULL,
                    "authorization: <redacted>\r\nhost: h");
    /* Words that only start like a field are left alone. */
    expect_redacted("SignatureDoesNotMatch: not authorized; Authorization header missing; bad signature: x",
                    NULL,
                    "SignatureDoesNotMatch: not authorized; Authorization header missing; bad signature: x");
}

static void test_redact__error_fields_in_place(void)
{
    redact_secrets s = {NULL, "TOKEN123", NULL};
    ia_err err;

    err_clear(&err);
    err_set(&err, IA_ERR_AWS, "bad token TOKEN123");
    snprintf(err.aws_code, sizeof(err.aws_code), "Code-TOKEN123");
    snprintf(err.request_id, sizeof(err.request_id), "rid Signature=ab");
    redact_err(&err, &s);
    CU_ASSERT_STRING_EQUAL(err.msg, "bad token <redacted>");
    /* Again, on one line now: what was redacted stays, and what follows an Authorization value too. */
    err_set(&err, IA_ERR_AWS, "Authorization: <redacted> (seen twice)");
    redact_err(&err, &s);
    CU_ASSERT_STRING_EQUAL(err.msg, "Authorization: <redacted> (seen twice)");
    CU_ASSERT_STRING_EQUAL(err.aws_code, "Code-<redacted>");
    CU_ASSERT_STRING_EQUAL(err.request_id, "rid Signature=<redacted>");
}

/* A message that quotes the Authorization header, a long session token (cut by the message's size if it were
 * not redacted first), its URL-encoded form, the secret key and the signature alone. */
static void test_redact__quoted_signature_error_keeps_no_secret(void)
{
    size_t len = 0;
    char *body = testutil_read_file(testutil_data_path("aws/json-signature-quoted.json"), &len);
    char *token = NULL;
    const char *at, *end;
    ia_err err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    at = strstr(body, "Token ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at += strlen("Token ");
    end = strchr(at, ' ');
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    token = strndup(at, (size_t)(end - at));
    CU_ASSERT_FATAL(token && strncmp(token, TOKEN_HEAD, strlen(TOKEN_HEAD)) == 0 && strlen(token) > 800);
    {
        redact_secrets s = {SECRET, token, SIGNATURE};

        err_clear(&err);
        aws_parse_json_error(403, body, len, NULL, "req-1", &s, &err);
    }
    CU_ASSERT_STRING_EQUAL(err.aws_code, "InvalidSignatureException");
    CU_ASSERT_PTR_NULL(strstr(err.msg, TOKEN_HEAD));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "IQoJb3JpZ2lu"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "IQoJb3JpZ2luX2VjEXAMPLE%2B%2F%3D"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, SECRET));
    CU_ASSERT_PTR_NULL(strstr(err.msg, SIGNATURE));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "5d672d79"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg,
                                  "Authorization: <redacted> Token <redacted> seen; in a URL <redacted>; "
                                  "the secret key <redacted>; signature alone <redacted>."));
    free(token);
    free(body);
}

static CU_TestInfo tests[] = {
    {"secret values, as they are and URI-encoded, wherever they stand",
     test_redact__values_wherever_they_stand},
    {"Signature=, X-Amz-Security-Token, Authorization: whatever their value",
     test_redact__named_fields_whatever_their_value},
    {"an error's message, code and request id, in place", test_redact__error_fields_in_place},
    {"a signature error quoting header, token, key and signature keeps none of them",
     test_redact__quoted_signature_error_keeps_no_secret},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("redact", tests);
}
