/* Error answers of both protocols become one ia_err: code, message, status, request id. */
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/retry.h"
#include "testutil.h"

static void parse_json_file(const char *name, long status, const char *type_header, ia_err *err)
{
    size_t len = 0;
    char *body = testutil_read_file(testutil_data_path(name), &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    err_clear(err);
    aws_parse_json_error(status, body, len, type_header, "req-1", NULL, err);
    free(body);
}

static void parse_query_file(const char *name, long status, ia_err *err)
{
    size_t len = 0;
    char *body = testutil_read_file(testutil_data_path(name), &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    err_clear(err);
    aws_parse_query_error(status, body, len, "header-id", NULL, err);
    free(body);
}

static void test_awserror__json_type_after_hash(void)
{
    ia_err err;

    parse_json_file("aws/json-throttling.json", 400, NULL, &err);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "ThrottlingException");
    CU_ASSERT_STRING_EQUAL(err.msg, "Rate exceeded");
    CU_ASSERT_EQUAL(err.http_status, 400);
    CU_ASSERT_STRING_EQUAL(err.request_id, "req-1");
    CU_ASSERT_TRUE(retry_classify(&err));
}

static void test_awserror__json_capital_message(void)
{
    ia_err err;

    parse_json_file("aws/json-access-denied.json", 400, NULL, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "AccessDeniedException");
    CU_ASSERT_STRING_EQUAL(err.msg, "User is not authorized");
    CU_ASSERT_FALSE(retry_classify(&err));
}

static void test_awserror__json_type_with_colon_suffix(void)
{
    ia_err err;

    parse_json_file("aws/json-validation-colon.json", 400, NULL, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "ValidationException");
    CU_ASSERT_FALSE(retry_classify(&err));
}

static void test_awserror__json_error_type_header_wins(void)
{
    ia_err err;

    parse_json_file("aws/json-validation-colon.json", 400, "ThrottlingException:http://x", &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "ThrottlingException");
}

static void test_awserror__json_not_json_5xx(void)
{
    ia_err err;

    parse_json_file("aws/json-not-json.html", 502, NULL, &err);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "HTTP502");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not JSON"));
    CU_ASSERT_TRUE(retry_classify(&err));
}

static void test_awserror__signature_echo_is_cut(void)
{
    ia_err err;

    /* AWS echoes the canonical request, session token and all: none of it may reach a message. */
    parse_json_file("aws/json-signature-echo.json", 403, NULL, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "InvalidSignatureException");
    CU_ASSERT_PTR_NULL(strstr(err.msg, "SECRETSESSIONTOKEN"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "Canonical"));
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
    CU_ASSERT_STRING_EQUAL(err.msg,
                           "The request signature we calculated does not match the signature you provided. "
                           "Check your AWS Secret Access Key and signing method. Consult the service "
                           "documentation for details.");
}

static void test_awserror__json_empty_body(void)
{
    ia_err err;

    err_clear(&err);
    aws_parse_json_error(403, "", 0, NULL, "", NULL, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "HTTP403");
    CU_ASSERT_FALSE(retry_classify(&err));
}

static void test_awserror__query_access_denied(void)
{
    ia_err err;

    parse_query_file("aws/query-access-denied.xml", 403, &err);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_AWS);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "AccessDenied");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not authorized to perform: sts:AssumeRole"));
    CU_ASSERT_STRING_EQUAL(err.request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
    CU_ASSERT_EQUAL(err.http_status, 403);
    CU_ASSERT_FALSE(retry_classify(&err));
}

static void test_awserror__query_throttling(void)
{
    ia_err err;

    parse_query_file("aws/query-throttling.xml", 400, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "Throttling");
    CU_ASSERT_STRING_EQUAL(err.request_id, "r-2");
    CU_ASSERT_TRUE(retry_classify(&err));
}

static void test_awserror__query_truncated(void)
{
    ia_err err;

    parse_query_file("aws/query-truncated.xml", 500, &err);
    CU_ASSERT_STRING_EQUAL(err.aws_code, "HTTP500");
    CU_ASSERT_STRING_EQUAL(err.request_id, "header-id");
    CU_ASSERT_TRUE(retry_classify(&err));
}

static CU_TestInfo tests[] = {
    {"json: code after '#'", test_awserror__json_type_after_hash},
    {"json: Message with a capital", test_awserror__json_capital_message},
    {"json: code before ':'", test_awserror__json_type_with_colon_suffix},
    {"json: x-amzn-ErrorType header wins", test_awserror__json_error_type_header_wins},
    {"json: non-JSON 502", test_awserror__json_not_json_5xx},
    {"json: empty 403", test_awserror__json_empty_body},
    {"signature errors: the echoed canonical request is cut", test_awserror__signature_echo_is_cut},
    {"query: AccessDenied", test_awserror__query_access_denied},
    {"query: Throttling", test_awserror__query_throttling},
    {"query: truncated XML", test_awserror__query_truncated},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("awserror", tests);
}
