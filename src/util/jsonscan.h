#ifndef IMGAUDIT_UTIL_JSONSCAN_H
#define IMGAUDIT_UTIL_JSONSCAN_H

/*
 * A scanner over JSON text too large to hold as one cJSON tree: it finds
 * where the members of an object or the elements of an array start and
 * end without building them, so that a reader can hand each piece to
 * cJSON on its own (util/jsonfile.h) and free it before the next.
 *
 * It checks what it walks: strings are closed, brackets are closed, an
 * object's members are "key": value, members and elements are separated
 * by commas. What lies inside a value it steps over (a number's digits,
 * what a nested value holds) is left for cJSON to check when that value
 * is parsed: the scanner only needs the value's end, which it finds by
 * counting brackets outside strings.
 */

#include <stdbool.h>
#include <stddef.h>

/* A walk over the members of one object or the elements of one array. */
typedef struct jsonscan {
    const char *text; /* borrowed: the whole document */
    size_t len;
    size_t at;   /* where the walk stands; where the syntax error is after a failure */
    char close;  /* '}' or ']' */
    bool first;  /* no member read yet */
    bool closed; /* the closing bracket was read (at is just past it) */
    /* When set, called with how far the walk has read, every JSONSCAN_PASSED_STEP bytes of a value it steps
     * over: a reader of a mapped text gives back the pages behind (util/jsonfile.h json_text_release). */
    void (*passed)(void *ud, size_t at);
    void *ud;
} jsonscan;

#define JSONSCAN_PASSED_STEP ((size_t)1024 * 1024)

/* One member (of an object: key and value) or element (of an array: value only, key_len 0). */
typedef struct jsonscan_item {
    size_t key, key_len;     /* the key's bytes between its quotes, as written (escapes not decoded) */
    size_t value, value_end; /* the value: text[value..value_end) */
    /* The deepest nesting of brackets in the value, counted outside strings as a parse counts it: 0 for a
     * scalar or a string, 1 for an object or array holding neither. */
    size_t depth;
} jsonscan_item;

/* The first offset from at that is not JSON whitespace (len when none). */
size_t jsonscan_blank(const char *text, size_t len, size_t at);

/*
 * Starts a walk over the object or array that starts at text[at] (after
 * whitespace): open is '{' or '['. 0, or -1 with s->at where another
 * character stands.
 */
int jsonscan_open(jsonscan *s, const char *text, size_t len, size_t at, char open);

/*
 * The next member or element into *item: 1, or 0 once the closing bracket
 * is read (s->closed), or -1 on a syntax error (s->at is its offset).
 */
int jsonscan_next(jsonscan *s, jsonscan_item *item);

/*
 * jsonscan_next in two steps, for a reader that walks a value itself (a
 * list's elements): up to where the value starts (item->value), then the
 * value stepped over, or, once the reader has walked it, jsonscan_walked
 * with its end.
 */
int jsonscan_next_key(jsonscan *s, jsonscan_item *item);
int jsonscan_next_value(jsonscan *s, jsonscan_item *item);
void jsonscan_walked(jsonscan *s, jsonscan_item *item, size_t end);

/* Whether the key of item is exactly name (as written, without escapes). */
bool jsonscan_key_is(const jsonscan *s, const jsonscan_item *item, const char *name);

#endif
