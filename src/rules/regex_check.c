/*
 * A scan of an ERE that knows just enough of the grammar to weigh it: groups
 * and alternation, bracket expressions (where '{', '*' and the rest are
 * literal), escapes and the repetition operators. Recursive descent over the
 * groups; the pattern's length bounds the depth.
 */
#include "rules/regex_check.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* A count is only ever compared with REGEX_CHECK_MAX_COUNT: a larger one reads as this, so nothing overflows.
 */
#define COUNT_CAP 100000

typedef struct scan {
    const char *s;
    size_t len, pos;
    char *msg;
    size_t msg_size;
} scan;

/* What a part of the pattern weighs, and whether it holds a counted repetition. */
typedef struct weight {
    size_t size;
    bool counted;
} weight;

static int refuse(scan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(scan *p, const char *fmt, ...)
{
    va_list ap;

    if (p->msg_size) {
        va_start(ap, fmt);
        vsnprintf(p->msg, p->msg_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int add_size(scan *p, weight *w, size_t n, size_t at)
{
    w->size += n;
    if (w->size > REGEX_CHECK_MAX_SIZE)
        return refuse(
            p, "expands to more than %d at offset %zu (a counted repetition multiplies what it repeats)",
            REGEX_CHECK_MAX_SIZE, at + 1);
    return 0;
}

/* The digits at *i as a number (at most COUNT_CAP) in *n, *i moved past them; whether there were any. */
static bool read_count(scan *p, size_t *i, unsigned long *n)
{
    bool any = false;

    *n = 0;
    for (; *i < p->len && p->s[*i] >= '0' && p->s[*i] <= '9'; (*i)++) {
        *n = *n * 10 + (unsigned long)(p->s[*i] - '0');
        if (*n > COUNT_CAP)
            *n = COUNT_CAP;
        any = true;
    }
    return any;
}

/*
 * At a '{': when an interval {m}, {m,}, {m,n} or {,n} follows, its bound (n,
 * m for {m}, m + 1 for {m,}) and its largest count, and p->pos past it. false
 * when the brace starts no interval (regcomp refuses it or takes it literally).
 */
static bool read_interval(scan *p, unsigned long *bound, unsigned long *largest)
{
    size_t i = p->pos + 1;
    unsigned long m = 0, n = 0;
    bool has_m = read_count(p, &i, &m), comma = false, has_n = false;

    if (i < p->len && p->s[i] == ',') {
        comma = true;
        i++;
        has_n = read_count(p, &i, &n);
    }
    if (i >= p->len || p->s[i] != '}' || (!has_m && !comma))
        return false;
    *largest = m > n ? m : n;
    *bound = has_n ? *largest : comma ? m + 1 : m;
    p->pos = i + 1;
    return true;
}

/* Past a bracket expression, from its '['; its ']' may be its first member, and [:x:] [=x=] [.x.] nest. */
static void skip_bracket(scan *p)
{
    p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '^')
        p->pos++;
    if (p->pos < p->len && p->s[p->pos] == ']')
        p->pos++;
    while (p->pos < p->len && p->s[p->pos] != ']') {
        char c = p->s[p->pos];

        if (c == '[' && p->pos + 1 < p->len &&
            (p->s[p->pos + 1] == ':' || p->s[p->pos + 1] == '=' || p->s[p->pos + 1] == '.')) {
            char kind = p->s[p->pos + 1];

            for (p->pos += 2; p->pos + 1 < p->len && !(p->s[p->pos] == kind && p->s[p->pos + 1] == ']');)
                p->pos++;
            p->pos += 2;
            continue;
        }
        p->pos++;
    }
    p->pos++; /* the closing ']'; past the end when there is none, which regcomp reports */
}

static int scan_alternation(scan *p, unsigned depth, weight *out);

/* One atom: a group, a bracket expression, an escape or one character. */
static int scan_atom(scan *p, unsigned depth, weight *out)
{
    char c = p->s[p->pos];

    out->size = 1;
    out->counted = false;
    if (c == '(') {
        p->pos++;
        if (scan_alternation(p, depth + 1, out) != 0)
            return -1;
        if (p->pos < p->len) /* the ')' */
            p->pos++;
        if (!out->size)
            out->size = 1;
    } else if (c == '[') {
        skip_bracket(p);
    } else if (c == '\\') {
        if (p->pos + 1 < p->len && p->s[p->pos + 1] >= '1' && p->s[p->pos + 1] <= '9')
            return refuse(p, "has a back-reference at offset %zu: not a POSIX extended regular expression",
                          p->pos + 1);
        p->pos += p->pos + 1 < p->len ? 2 : 1;
    } else {
        p->pos++;
    }
    return 0;
}

/* An atom and the repetitions that follow it. */
static int scan_piece(scan *p, unsigned depth, weight *out)
{
    if (scan_atom(p, depth, out) != 0)
        return -1;
    while (p->pos < p->len) {
        size_t at = p->pos;
        char c = p->s[at];
        unsigned long bound, largest;

        if (c == '*' || c == '+' || c == '?') {
            p->pos++;
            if (add_size(p, out, 1, at) != 0)
                return -1;
            continue;
        }
        if (c != '{' || !read_interval(p, &bound, &largest))
            break;
        if (out->counted)
            return refuse(p,
                          "repeats a counted repetition with another at offset %zu: nested counted "
                          "repetitions are refused",
                          at + 1);
        if (largest > REGEX_CHECK_MAX_COUNT)
            return refuse(p, "repeats %s%lu times at offset %zu; at most %d",
                          largest >= COUNT_CAP ? "at least " : "", largest, at + 1, REGEX_CHECK_MAX_COUNT);
        out->counted = true;
        if (bound > 1 && add_size(p, out, out->size * (bound - 1), at) != 0)
            return -1;
    }
    return 0;
}

/* Branches separated by '|', up to the ')' that closes the group (at depth > 0) or the end. */
static int scan_alternation(scan *p, unsigned depth, weight *out)
{
    out->size = 0;
    out->counted = false;
    while (p->pos < p->len) {
        size_t at = p->pos;
        char c = p->s[at];
        weight w;

        if (c == ')' && depth > 0)
            break;
        if (c == '|') {
            p->pos++;
            if (add_size(p, out, 1, at) != 0)
                return -1;
            continue;
        }
        if (scan_piece(p, depth, &w) != 0 || add_size(p, out, w.size, at) != 0)
            return -1;
        out->counted = out->counted || w.counted;
    }
    return 0;
}

int regex_check(const char *pattern, size_t len, char *msg, size_t msg_size)
{
    scan p = {pattern, len, 0, msg, msg_size};
    weight w;

    if (msg_size)
        msg[0] = '\0';
    if (len > REGEX_CHECK_MAX_BYTES)
        return refuse(&p, "is %zu bytes long; at most %d", len, REGEX_CHECK_MAX_BYTES);
    return scan_alternation(&p, 0, &w);
}
