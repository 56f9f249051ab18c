#ifndef IMGAUDIT_AWS_RETRY_H
#define IMGAUDIT_AWS_RETRY_H

/*
 * The retry policy of the AWS SDKs' "standard" mode: up to max_attempts
 * attempts (3 unless configured), exponential backoff with full jitter,
 * capped at 20 s. What is retried: throttling codes, transient codes, HTTP
 * 500, 502, 503 and 504, and transient transport failures. What never is: access
 * denied, validation, unknown resources, bad credentials: asking again
 * cannot change the answer.
 */

#include <stdbool.h>

#include "util/err.h"

#define RETRY_DEFAULT_MAX_ATTEMPTS 3
/*
 * A batch job's default: a nightly collection shares its API quotas with
 * every other tool of the Organization, and a throttle storm must not cost
 * it a listing (3 attempts at 35% failures lose 4% of calls; 10 lose none
 * that matter). The collector's own rate limit slows a throttled lane, so
 * more attempts do not make a storm worse.
 */
#define RETRY_BATCH_MAX_ATTEMPTS 10
#define RETRY_MAX_BACKOFF_MS     20000L
#define RETRY_DEFAULT_BASE_MS    1000L

/* True when code is one of the SDKs' throttling error codes. */
bool retry_is_throttle_code(const char *code);

/*
 * The decision table: is this failed attempt worth another? Decides from
 * kind, AWS code and HTTP status; sets and returns err->retryable.
 */
bool retry_classify(ia_err *err);

/*
 * Delay before attempt number attempt+1 (attempt counts from 1), given a
 * uniform random number in [0, 1): rand01 * min(base_ms * 2^(attempt-1), 20 s).
 */
long retry_backoff_ms(int attempt, long base_ms, double rand01);

/* A uniform random number in [0, 1), thread-safe. */
double retry_rand01(void);

/*
 * The max attempts to use: flag (> 0), then AWS_MAX_ATTEMPTS, then the
 * profile's max_attempts (profile_value, may be NULL), then fallback (> 0;
 * else RETRY_DEFAULT_MAX_ATTEMPTS). A value that is not a whole number from
 * 1 to 100 is IA_ERR_INPUT naming where it came from.
 */
int retry_max_attempts(int flag, const char *profile_value, int fallback, int *out, ia_err *err);

#endif
