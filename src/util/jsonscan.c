#include "util/jsonscan.h"

#include <stdint.h>
#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t jsonscan_blank(const char *text, size_t len, size_t at)
{
    while (at < len && is_blank(text[at]))
        at++;
    return at;
}

/*
 * The scanner looks at every byte of a snapshot, twice: it steps over what
 * strings hold eight bytes at a time, as one word, stopping only at a quote
 * or a backslash.
 */
#define ONES  0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* text[0..8) as a word whose lowest byte is the first, whatever the machine's byte order (one load). */
static uint64_t word_at(const char *text)
{
    const unsigned char *b = (const unsigned char *)text;

    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
           (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

/* The bytes of w equal to c, each as its high bit: exact up to the first (a borrow may flag later ones). */
static uint64_t bytes_equal(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (ONES * c);

    return (x - ONES) & ~x & HIGHS;
}

/* Which byte of a word the lowest flag of a nonzero bytes_equal mask stands for. */
static size_t first_flagged(uint64_t flags)
{
    /* The bytes below that flag, each counted as a 1 that the multiplication sums into the top byte. */
    return (size_t)((((((flags & (~flags + 1)) >> 7) - 1) & ONES) * ONES) >> 56);
}

/* The first offset from at holding a quote or a backslash, or len. */
static size_t to_quote_or_escape(const char *text, size_t len, size_t at)
{
    for (; at + 8 <= len; at += 8) {
        uint64_t w = word_at(text + at), flags = bytes_equal(w, '"') | bytes_equal(w, '\\');

        if (flags)
            return at + first_flagged(flags);
    }
    while (at < len && text[at] != '"' && text[at] != '\\')
        at++;
    return at;
}

static bool is_structure(char c)
{
    return c == '"' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* The first offset from at holding a quote or a bracket, or len. A byte at a time: outside strings, the next
 * one is a few bytes away (": ", ", "), closer than a word's worth. */
static size_t to_structure(const char *text, size_t len, size_t at)
{
    while (at < len && !is_structure(text[at]))
        at++;
    return at;
}

/* Whether the string whose opening quote is text[at] is closed: then *end is just past it, else len. */
static bool skip_string(const char *text, size_t len, size_t at, size_t *end)
{
    for (at = to_quote_or_escape(text, len, at + 1); at < len; at = to_quote_or_escape(text, len, at + 2)) {
        /* Else a backslash: what it escapes, a quote included, is stepped over with it. */
        if (text[at] == '"') {
            *end = at + 1;
            return true;
        }
    }
    *end = len;
    return false;
}

/*
 * Just past the value at text[at]: a string, an object or array (brackets
 * counted outside strings), or a scalar (up to the next delimiter). 0 with
 * *end and *deepest (its nesting), or -1 with *end where the value cannot be.
 */
static int skip_value(const jsonscan *s, size_t at, size_t *end, size_t *deepest)
{
    const char *text = s->text;
    size_t len = s->len, depth = 0, told = at;

    *end = at;
    if (at >= len)
        return -1;
    if (text[at] == '"')
        return skip_string(text, len, at, end) ? 0 : -1;
    if (text[at] == '{' || text[at] == '[') {
        while ((at = to_structure(text, len, at)) < len) {
            char c = text[at];

            if (s->passed && at - told >= JSONSCAN_PASSED_STEP) {
                s->passed(s->ud, at);
                told = at;
            }
            if (c == '"') {
                if (!skip_string(text, len, at, &at))
                    break;
                continue;
            }
            if (c == '{' || c == '[') {
                if (++depth > *deepest)
                    *deepest = depth;
            } else if (--depth == 0) {
                *end = at + 1;
                return 0;
            }
            at++;
        }
        *end = len;
        return -1;
    }
    while (*end < len && !is_blank(text[*end]) && !strchr(",]}:[{\"", text[*end]))
        (*end)++;
    return *end > at ? 0 : -1;
}

int jsonscan_open(jsonscan *s, const char *text, size_t len, size_t at, char open)
{
    memset(s, 0, sizeof(*s));
    s->text = text;
    s->len = len;
    s->at = jsonscan_blank(text, len, at);
    s->close = open == '{' ? '}' : ']';
    s->first = true;
    if (s->at >= len || text[s->at] != open)
        return -1;
    s->at++;
    return 0;
}

int jsonscan_next_key(jsonscan *s, jsonscan_item *item)
{
    const char *t = s->text;

    memset(item, 0, sizeof(*item));
    if (s->closed)
        return 0;
    s->at = jsonscan_blank(t, s->len, s->at);
    if (s->at < s->len && t[s->at] == s->close && s->first) {
        s->at++;
        s->closed = true;
        return 0;
    }
    if (!s->first) {
        if (s->at < s->len && t[s->at] == s->close) {
            s->at++;
            s->closed = true;
            return 0;
        }
        if (s->at >= s->len || t[s->at] != ',')
            return -1;
        s->at = jsonscan_blank(t, s->len, s->at + 1);
    }
    if (s->close == '}') {
        size_t key_end;

        if (s->at >= s->len || t[s->at] != '"')
            return -1;
        if (!skip_string(t, s->len, s->at, &key_end)) {
            s->at = key_end;
            return -1;
        }
        item->key = s->at + 1;
        item->key_len = key_end - 1 - item->key;
        s->at = jsonscan_blank(t, s->len, key_end);
        if (s->at >= s->len || t[s->at] != ':')
            return -1;
        s->at = jsonscan_blank(t, s->len, s->at + 1);
    }
    item->value = s->at;
    return 1;
}

int jsonscan_next_value(jsonscan *s, jsonscan_item *item)
{
    if (skip_value(s, item->value, &item->value_end, &item->depth) != 0) {
        s->at = item->value_end;
        return -1;
    }
    jsonscan_walked(s, item, item->value_end);
    return 1;
}

void jsonscan_walked(jsonscan *s, jsonscan_item *item, size_t end)
{
    item->value_end = end;
    s->at = end;
    s->first = false;
}

int jsonscan_next(jsonscan *s, jsonscan_item *item)
{
    int rc = jsonscan_next_key(s, item);

    return rc == 1 ? jsonscan_next_value(s, item) : rc;
}

bool jsonscan_key_is(const jsonscan *s, const jsonscan_item *item, const char *name)
{
    size_t n = strlen(name);

    return item->key_len == n && memcmp(s->text + item->key, name, n) == 0;
}
