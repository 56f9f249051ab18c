/* The retry decision table and the backoff of the SDKs' standard mode. */
#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "testutil.h"

static bool decide(ia_err_kind kind, long status, const char *code, bool transport_retryable)
{
    ia_err err;

    err_clear(&err);
    err.kind = kind;
    err.http_status = status;
    err.retryable = transport_retryable;
    snprintf(err.aws_code, sizeof(err.aws_code), "%s", code);
    return retry_classify(&err);
}

static void test_retry__throttling_codes_retry(void)
{
    static const char *const codes[] = {
        "Throttling",           "ThrottlingException", "TooManyRequestsException",
        "RequestLimitExceeded", "ThrottledException",  "SlowDown"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        CU_ASSERT_TRUE(decide(IA_ERR_AWS, 400, codes[i], false));
        CU_ASSERT_TRUE(retry_is_throttle_code(codes[i]));
    }
}

static void test_retry__server_errors_retry(void)
{
    CU_ASSERT_TRUE(decide(IA_ERR_AWS, 500, "InternalFailure", false));
    CU_ASSERT_TRUE(decide(IA_ERR_AWS, 502, "HTTP502", false));
    CU_ASSERT_TRUE(decide(IA_ERR_AWS, 503, "ServiceUnavailable", false));
    CU_ASSERT_TRUE(decide(IA_ERR_AWS, 504, "HTTP504", false));
    CU_ASSERT_TRUE(decide(IA_ERR_AWS, 400, "RequestTimeout", false));
    CU_ASSERT_FALSE(decide(IA_ERR_AWS, 501, "NotImplemented", false));
}

static void test_retry__never_denied_or_invalid(void)
{
    static const char *const codes[] = {"AccessDenied",
                                        "AccessDeniedException",
                                        "ValidationException",
                                        "InvalidClientTokenId",
                                        "SignatureDoesNotMatch",
                                        "ResourceNotFoundException",
                                        "InvalidParameterValuesException",
                                        "UnrecognizedClientException",
                                        "ExpiredToken"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        CU_ASSERT_FALSE(decide(IA_ERR_AWS, 400, codes[i], false));
        CU_ASSERT_FALSE(decide(IA_ERR_AWS, 403, codes[i], false));
        CU_ASSERT_FALSE(retry_is_throttle_code(codes[i]));
    }
}

static void test_retry__transport_as_classified(void)
{
    CU_ASSERT_TRUE(decide(IA_ERR_TRANSPORT, 0, "", true));   /* refused, reset, timeout */
    CU_ASSERT_FALSE(decide(IA_ERR_TRANSPORT, 0, "", false)); /* TLS verification */
    CU_ASSERT_FALSE(decide(IA_ERR_CREDS, 0, "", true));
    CU_ASSERT_FALSE(decide(IA_ERR_INPUT, 0, "", true));
    CU_ASSERT_FALSE(decide(IA_ERR_CANCELLED, 0, "", true));
}

static void test_retry__garbled_success_retries(void)
{
    CU_ASSERT_TRUE(decide(IA_ERR_PROTOCOL, 200, "", false));
}

static void test_retry__backoff_full_jitter_capped(void)
{
    CU_ASSERT_EQUAL(retry_backoff_ms(1, 1000, 0.0), 0);
    CU_ASSERT_EQUAL(retry_backoff_ms(1, 1000, 0.5), 500);
    CU_ASSERT_EQUAL(retry_backoff_ms(2, 1000, 0.5), 1000);
    CU_ASSERT_EQUAL(retry_backoff_ms(3, 1000, 0.5), 2000);
    CU_ASSERT_EQUAL(retry_backoff_ms(10, 1000, 0.5), 10000);
    CU_ASSERT_TRUE(retry_backoff_ms(30, 1000, 0.999) <= RETRY_MAX_BACKOFF_MS);
    CU_ASSERT_TRUE(retry_backoff_ms(30, 1000, 0.999) > 19000);
    for (int i = 0; i < 1000; i++) {
        double r = retry_rand01();

        CU_ASSERT_TRUE(r >= 0.0 && r < 1.0);
    }
}

static void test_retry__max_attempts_precedence(void)
{
    ia_err err;
    int n = 0;

    err_clear(&err);
    unsetenv("AWS_MAX_ATTEMPTS");
    CU_ASSERT_EQUAL(retry_max_attempts(0, NULL, 0, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(retry_max_attempts(0, "7", 0, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 7);
    /* A batch job's own default, where nothing else says. */
    CU_ASSERT_EQUAL(retry_max_attempts(0, NULL, RETRY_BATCH_MAX_ATTEMPTS, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_EQUAL(retry_max_attempts(0, "7", RETRY_BATCH_MAX_ATTEMPTS, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 7);
    setenv("AWS_MAX_ATTEMPTS", "5", 1);
    CU_ASSERT_EQUAL(retry_max_attempts(0, "7", 0, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(retry_max_attempts(9, "7", 0, &n, &err), 0);
    CU_ASSERT_EQUAL(n, 9);
    setenv("AWS_MAX_ATTEMPTS", "zero", 1);
    CU_ASSERT_EQUAL(retry_max_attempts(0, NULL, 0, &n, &err), -1);
    CU_ASSERT_EQUAL(err.kind, IA_ERR_INPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "AWS_MAX_ATTEMPTS"));
    unsetenv("AWS_MAX_ATTEMPTS");
    CU_ASSERT_EQUAL(retry_max_attempts(0, "0", 0, &n, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "max_attempts"));
}

static CU_TestInfo tests[] = {
    {"throttling codes are retried", test_retry__throttling_codes_retry},
    {"500/502/503/504 and transient codes are retried", test_retry__server_errors_retry},
    {"denied, invalid, unknown: never retried", test_retry__never_denied_or_invalid},
    {"transport failures as classified", test_retry__transport_as_classified},
    {"a garbled 200 answer is retried", test_retry__garbled_success_retries},
    {"backoff: full jitter, exponential, capped at 20 s", test_retry__backoff_full_jitter_capped},
    {"max attempts: flag, env, profile, default", test_retry__max_attempts_precedence},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    return testutil_run("retry", tests);
}
