#ifndef IMGAUDIT_UTIL_STR_H
#define IMGAUDIT_UTIL_STR_H

/* Small safe string helpers that libc lacks or gets wrong. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* Bytes of v (eight at a time) equal to c: the high bit of each such byte is set, and of no other byte when
 * none is (the test says whether any is). */
static inline uint64_t str_swar_eq(uint64_t v, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101u, x = v ^ (ones * c);

    return (x - ones) & ~x & (ones << 7);
}

/*
 * Length of the longest prefix of p[0..n), in whole blocks of eight bytes,
 * of printable ASCII (0x20 to 0x7E) without any of a, b, c, d and e: the bytes
 * that escapers copy as they are, found eight at a time rather than one (the
 * reports are mostly such runs). The caller goes on byte by byte from there.
 */
static inline size_t str_plain_run(const unsigned char *p, size_t n, unsigned char a, unsigned char b,
                                   unsigned char c, unsigned char d, unsigned char e)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
    size_t i = 0;

    for (; n - i >= 8; i += 8) {
        uint64_t v;

        memcpy(&v, p + i, 8);
        /* Below 0x20, or 0x7F and up: (v - 0x20 each) & ~v flags a byte under 0x20 when no byte is 0x80 up.
         */
        if ((v & highs) | ((v - ones * 0x20) & ~v & highs) | str_swar_eq(v, 0x7F) | str_swar_eq(v, a) |
            str_swar_eq(v, b) | str_swar_eq(v, c) | str_swar_eq(v, d) | str_swar_eq(v, e))
            break;
    }
    return i;
}

/*
 * Replaces, in place, every byte of s that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF) with '?'. Returns how many bytes it replaced.
 */
size_t str_utf8_scrub(char *s);

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
