/* timegm is a BSD/GNU extension, present in glibc. */
#define _DEFAULT_SOURCE
#include "util/timefmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool timefmt_parse(const char *s, time_t *out)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
    long offset = 0;
    const char *p;

    memset(&tm, 0, sizeof(tm));
    if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (strlen(p) < 9 || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' ||
            !digits(p + 7, 2, &sec))
            return false;
        p += 9;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return false;
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            if (strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
                return false;
            offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
            p += 6;
        }
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm) - (time_t)offset;
    return true;
}
