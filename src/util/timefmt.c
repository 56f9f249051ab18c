#include "util/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400

/* Years 0001 to 9999: what ISO-8601's four-digit years can say. */
#define EPOCH_MIN (-62135596800.0)
#define EPOCH_MAX 253402300799.0

void timefmt_iso(time_t t, char out[TIMEFMT_ISO_SIZE])
{
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        snprintf(out, TIMEFMT_ISO_SIZE, "%lld", (long long)t);
        return;
    }
    strftime(out, TIMEFMT_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool timefmt_iso_epoch(double epoch, char out[TIMEFMT_ISO_SIZE])
{
    double whole;
    long ms;
    time_t t;
    struct tm tm;
    char base[32];

    /* A number from outside (1e400 parses as inf) may be anything: only real dates are converted. */
    if (!isfinite(epoch) || epoch < EPOCH_MIN || epoch > EPOCH_MAX)
        return false;
    whole = floor(epoch);
    ms = lround((epoch - whole) * 1000.0);
    t = (time_t)whole;
    if (ms == 1000) {
        t += 1;
        ms = 0;
    }
    if (!gmtime_r(&t, &tm))
        return false;
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    if (ms)
        snprintf(out, TIMEFMT_ISO_SIZE, "%s.%03ldZ", base, ms);
    else
        snprintf(out, TIMEFMT_ISO_SIZE, "%sZ", base);
    return true;
}

/* Howard Hinnant's days_from_civil: exact for every Gregorian date, no tables, no time zone. */
int64_t timefmt_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (int64_t)(month > 2 ? month - 3 : month + 9);
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void timefmt_civil_from_days(int64_t z, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t era, doe, yoe, doy, mp, y;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = y + (*month <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, unsigned n, unsigned *out)
{
    unsigned v = 0;

    for (unsigned i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool date_prefix(const char *s, int64_t *days)
{
    unsigned y, m, d;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = timefmt_days_from_civil(y, m, d);
    return true;
}

bool timefmt_date_parse(const char *s, int64_t *days_out)
{
    return s && strlen(s) == 10 && date_prefix(s, days_out);
}

void timefmt_date_format(int64_t days, char *out, size_t size)
{
    int64_t y;
    unsigned m, d;

    timefmt_civil_from_days(days, &y, &m, &d);
    snprintf(out, size, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* The one grammar: *has_time says whether a time of day was given. */
static bool parse(const char *s, int64_t *epoch_out, bool *has_time)
{
    int64_t days, offset = 0;
    unsigned h = 0, mi = 0, sec = 0, oh, om;
    const char *p;

    if (!s || !date_prefix(s, &days))
        return false;
    p = s + 10;
    *has_time = *p == 'T' || *p == 't' || *p == ' ';
    if (*has_time) {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
            !digits(p + 7, 2, &sec))
            return false;
        p += 9;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
                return false;
            offset = ((int64_t)oh * 3600 + (int64_t)om * 60) * (*p == '+' ? 1 : -1);
            p += 6;
        }
    }
    if (*p != '\0' || h > 23 || mi > 59 || sec > 60)
        return false;
    *epoch_out = days * SECONDS_PER_DAY + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)sec - offset;
    return true;
}

bool timefmt_parse(const char *s, time_t *out)
{
    int64_t epoch;
    bool has_time;

    if (!parse(s, &epoch, &has_time))
        return false;
    *out = (time_t)epoch;
    return true;
}

bool timefmt_is_datetime(const char *s)
{
    int64_t epoch;
    bool has_time = false;

    return parse(s, &epoch, &has_time) && has_time;
}

bool timefmt_duration_parse(const char *s, long max_s, long *out)
{
    static const struct {
        char unit;
        long seconds;
    } units[] = {{'h', 3600}, {'m', 60}, {'s', 1}};
    size_t next_unit = 0; /* units come largest first, each at most once */
    long total = 0;

    if (!*s)
        return false;
    while (*s) {
        long n = 0;
        size_t u;

        if (*s < '0' || *s > '9')
            return false;
        for (; *s >= '0' && *s <= '9'; s++) {
            n = n * 10 + (*s - '0');
            if (n > max_s)
                return false;
        }
        for (u = next_unit; u < sizeof(units) / sizeof(units[0]) && units[u].unit != *s; u++)
            ;
        if (u == sizeof(units) / sizeof(units[0]) || n > (max_s - total) / units[u].seconds)
            return false;
        total += n * units[u].seconds;
        next_unit = u + 1;
        s++;
    }
    if (total == 0)
        return false;
    *out = total;
    return true;
}
