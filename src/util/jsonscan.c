#include "util/jsonscan.h"

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

/* Whether the string whose opening quote is text[at] is closed: then *end is just past it, else len. */
static bool skip_string(const char *text, size_t len, size_t at, size_t *end)
{
    /* A byte at a time: the strings of a snapshot are short, shorter than a memchr call is worth. */
    for (at++; at < len; at++) {
        if (text[at] == '\\') {
            at++; /* what it escapes, a quote included */
        } else if (text[at] == '"') {
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
        while (at < len) {
            char c = text[at];

            if (c == '"') {
                if (!skip_string(text, len, at, &at))
                    break;
                continue;
            }
            if (s->passed && at - told >= JSONSCAN_PASSED_STEP) {
                s->passed(s->ud, at);
                told = at;
            }
            if (c == '{' || c == '[') {
                if (++depth > *deepest)
                    *deepest = depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
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

int jsonscan_next(jsonscan *s, jsonscan_item *item)
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
    if (skip_value(s, s->at, &item->value_end, &item->depth) != 0) {
        s->at = item->value_end;
        return -1;
    }
    s->at = item->value_end;
    s->first = false;
    return 1;
}

bool jsonscan_key_is(const jsonscan *s, const jsonscan_item *item, const char *name)
{
    size_t n = strlen(name);

    return item->key_len == n && memcmp(s->text + item->key, name, n) == 0;
}
