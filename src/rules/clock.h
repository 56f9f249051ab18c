#ifndef IMGAUDIT_RULES_CLOCK_H
#define IMGAUDIT_RULES_CLOCK_H

/*
 * Dates and times as the rule engine needs them: "now" for older-than and
 * newer-than, "today" for waiver expiry, both injectable so that tests and
 * repeatable runs do not depend on the wall clock. Calendar arithmetic is
 * done here in UTC (no timegm, no TZ), so results never depend on the
 * machine's time zone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct rules_clock {
    int64_t now_s; /* epoch seconds that older-than/newer-than measure from */
    int64_t today; /* days since 1970-01-01 (UTC) that waiver expiry is checked against */
} rules_clock;

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31). */
int64_t rules_days_from_civil(int64_t year, unsigned month, unsigned day);

/* Parses exactly "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01. */
bool rules_date_parse(const char *s, int64_t *days_out);

/* Writes days since 1970-01-01 as "YYYY-MM-DD" into out (at least 11 bytes; 16 is safe). */
void rules_date_format(int64_t days, char *out, size_t size);

/*
 * Parses an ISO-8601 timestamp: "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS" with
 * optional fraction and a zone of Z or +HH:MM/-HH:MM (no zone means UTC).
 * Writes epoch seconds (fraction dropped). False on anything else.
 */
bool rules_timestamp_parse(const char *s, int64_t *epoch_out);

/*
 * Sets the clock for a run. The day is, in order: today_arg (the --today
 * option) when not NULL, else the IMGAUDIT_TODAY environment variable when
 * set and not empty, else the system clock. When a day is given, "now" is
 * that day at 00:00:00 UTC; otherwise it is the current time. A malformed
 * day is an IA_ERR_USAGE error naming where it came from.
 */
int rules_clock_init(rules_clock *clock, const char *today_arg, ia_err *err);

#endif
