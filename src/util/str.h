#ifndef IMGAUDIT_UTIL_STR_H
#define IMGAUDIT_UTIL_STR_H

/* Small safe string helpers that libc lacks or gets wrong. */

#include <stdbool.h>
#include <stddef.h>

/* strdup that accepts NULL (returns NULL). The result is owned: free(). */
char *str_dup(const char *s);

/* Copy of the first n bytes of s, NUL-terminated. Owned: free(). */
char *str_ndup(const char *s, size_t n);

/* Copies src into dst of size bytes, always terminating. Returns false if src was cut. */
bool str_copy(char *dst, size_t size, const char *src);

/* Parses a whole string as a base-10 long in [min, max]. Returns false on any junk. */
bool str_to_long(const char *s, long min, long max, long *out);

/* Removes leading and trailing ASCII whitespace in place; returns s. */
char *str_trim(char *s);

/* True when s starts with prefix. */
bool str_starts_with(const char *s, const char *prefix);

/* Case-insensitive ASCII equality. */
bool str_ieq(const char *a, const char *b);

/*
 * Length of the well-formed UTF-8 sequence (RFC 3629) that starts at p, or 0
 * when none does. p is NUL-terminated: a NUL is never a continuation byte, so
 * the look-ahead stops at it.
 */
size_t str_utf8_len(const unsigned char *p);

/*
 * Replaces, in place, every byte of s that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF) with '?'. Returns how many bytes it replaced.
 */
size_t str_utf8_scrub(char *s);

/* Whether s[0..len) is all ASCII (no byte above 0x7F): such text is UTF-8 as it stands. */
bool str_is_ascii(const char *s, size_t len);

/*
 * Overwrites a secret's bytes before it is freed, so it does not linger in
 * freed memory or a core file. Accepts NULL. Frees s.
 */
void str_free_secret(char *s);

/*
 * The 1-based line and column of byte offset in text[0..len), counting one
 * column per UTF-8 character; offsets past len count as len. Every reader
 * (YAML, JSON) names a place in its input this way.
 */
void str_text_position(const char *text, size_t len, size_t offset, unsigned *line, unsigned *col);

#endif
