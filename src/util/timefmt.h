#ifndef IMGAUDIT_UTIL_TIMEFMT_H
#define IMGAUDIT_UTIL_TIMEFMT_H

/*
 * Dates and ISO-8601 UTC timestamps, as the snapshot, rules, reports and
 * STS use them: the one parser and the one set of formatters. Calendar
 * arithmetic is done here in UTC (no timegm, no TZ), so nothing depends on
 * the machine's time zone.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TIMEFMT_ISO_SIZE 40

/* "2026-11-25T17:37:52Z" into out. */
void timefmt_iso(time_t t, char out[TIMEFMT_ISO_SIZE]);

/*
 * Epoch seconds with a fraction (as AWS JSON answers carry timestamps) to
 * ISO-8601 UTC: whole seconds as "...:52Z", otherwise milliseconds "...:52.250Z".
 * False, out untouched, for a number that is no date of years 1 to 9999 (inf, NaN, 1e20).
 */
bool timefmt_iso_epoch(double epoch, char out[TIMEFMT_ISO_SIZE]);

/*
 * Parses an ISO-8601 timestamp: "YYYY-MM-DD" (a real calendar date), or
 * that with "THH:MM:SS" (a 't' or a space also separates), an optional
 * fraction, and a zone of Z or +HH:MM/-HH:MM (no zone means UTC). Writes
 * epoch seconds, fraction dropped. False, out untouched, on anything else.
 */
bool timefmt_parse(const char *s, time_t *out);

/* True when s is a timestamp timefmt_parse accepts that has a time of day, not a date alone. */
bool timefmt_is_datetime(const char *s);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31). */
int64_t timefmt_days_from_civil(int64_t year, unsigned month, unsigned day);

/*
 * The proleptic Gregorian date of days since 1970-01-01 (H. Hinnant's
 * civil_from_days). Pure arithmetic, so async-signal-safe.
 */
void timefmt_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

/* Parses exactly "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01. */
bool timefmt_date_parse(const char *s, int64_t *days_out);

/*
 * Parses a duration: whole numbers each followed by a unit, h, m or s, the
 * units largest first and each at most once ("90s", "30m", "2h", "1h30m").
 * Writes the seconds; false, out untouched, on anything else, on zero, or
 * on more than max_s seconds.
 */
bool timefmt_duration_parse(const char *s, long max_s, long *out);

/* Writes days since 1970-01-01 as "YYYY-MM-DD" into out (at least 11 bytes; 16 is safe). */
void timefmt_date_format(int64_t days, char *out, size_t size);

#endif
