#ifndef IMGAUDIT_RULES_CLOCK_H
#define IMGAUDIT_RULES_CLOCK_H

/*
 * Dates and times as the rule engine needs them: "now" for older-than and
 * newer-than, "today" for waiver expiry, both injectable so that tests and
 * repeatable runs do not depend on the wall clock. Dates are parsed and
 * counted by util/timefmt.
 */

#include <stdint.h>

#include "util/err.h"

typedef struct rules_clock {
    int64_t now_s; /* epoch seconds that older-than/newer-than measure from */
    int64_t today; /* days since 1970-01-01 (UTC) that waiver expiry is checked against */
} rules_clock;

/*
 * Sets the clock for a run. The day is, in order: today_arg (the --today
 * option) when not NULL, else the IMGAUDIT_TODAY environment variable when
 * set and not empty, else the system clock. When a day is given, "now" is
 * that day at 00:00:00 UTC; otherwise it is the current time. A malformed
 * day is an IA_ERR_USAGE error naming where it came from.
 */
int rules_clock_init(rules_clock *clock, const char *today_arg, ia_err *err);

#endif
