#include "aws/retry.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"

/* botocore's retry handler lists these as throttling errors (botocore/retries/standard.py). */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    NULL,
};

/* Transient server-side codes, whatever the status they come with. */
static const char *const transient_codes[] = {
    "RequestTimeout",          "RequestTimeoutException",
    "PriorRequestNotComplete", "InternalError",
    "InternalFailure",         "InternalServerError",
    "ServiceUnavailable",      "ServiceUnavailableException",
    "IDPCommunicationError",   NULL,
};

static bool in_list(const char *const *list, const char *code)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], code) == 0)
            return true;
    }
    return false;
}

bool retry_is_throttle_code(const char *code)
{
    return code && in_list(throttle_codes, code);
}

bool retry_classify(ia_err *err)
{
    bool retry = false;

    switch (err->kind) {
    case IA_ERR_TRANSPORT:
        /* http_perform already decided: resets, refusals, time-outs yes; TLS failures no. */
        retry = err->retryable;
        break;
    case IA_ERR_AWS:
    case IA_ERR_PROTOCOL:
        if (retry_is_throttle_code(err->aws_code) || in_list(transient_codes, err->aws_code))
            retry = true;
        else if (err->http_status == 500 || err->http_status == 502 || err->http_status == 503 ||
                 err->http_status == 504)
            retry = true;
        /* A truncated or garbled 200 answer is a transport fault in disguise. */
        else if (err->kind == IA_ERR_PROTOCOL && err->http_status == 200)
            retry = true;
        break;
    default: retry = false;
    }
    err->retryable = retry;
    return retry;
}

long retry_backoff_ms(int attempt, long base_ms, double rand01)
{
    long cap = base_ms;

    for (int i = 1; i < attempt && cap < RETRY_MAX_BACKOFF_MS; i++)
        cap *= 2;
    if (cap > RETRY_MAX_BACKOFF_MS)
        cap = RETRY_MAX_BACKOFF_MS;
    if (rand01 < 0)
        rand01 = 0;
    if (rand01 >= 1)
        rand01 = 0.999999;
    return (long)(rand01 * (double)cap);
}

double retry_rand01(void)
{
    uint64_t r = 0;

    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        return 0.5;
    return (double)(r >> 11) / 9007199254740992.0; /* 2^53 */
}

int retry_max_attempts(int flag, const char *profile_value, int fallback, int *out, ia_err *err)
{
    const char *env = getenv("AWS_MAX_ATTEMPTS");
    long v;

    if (flag > 0) {
        *out = flag;
        return 0;
    }
    if (env && *env) {
        if (!str_to_long(env, 1, 100, &v))
            return err_set(err, IA_ERR_INPUT, "AWS_MAX_ATTEMPTS: '%s' is not a whole number from 1 to 100",
                           env);
        *out = (int)v;
        return 0;
    }
    if (profile_value && *profile_value) {
        if (!str_to_long(profile_value, 1, 100, &v))
            return err_set(err, IA_ERR_INPUT,
                           "max_attempts in the AWS config: '%s' is not a whole number from 1 to 100",
                           profile_value);
        *out = (int)v;
        return 0;
    }
    *out = fallback > 0 ? fallback : RETRY_DEFAULT_MAX_ATTEMPTS;
    return 0;
}
