#ifndef IMGAUDIT_UTIL_TIMEFMT_H
#define IMGAUDIT_UTIL_TIMEFMT_H

/* ISO-8601 UTC timestamps, as the snapshot, reports and STS use them. */

#include <stdbool.h>
#include <stddef.h>
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
 * Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" or the same
 * with a space instead of 'T', to epoch seconds (fraction dropped). False on anything else.
 */
bool timefmt_parse(const char *s, time_t *out);

#endif
