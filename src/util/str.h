#ifndef IMGAUDIT_UTIL_STR_H
#define IMGAUDIT_UTIL_STR_H

/* Small safe string helpers that libc lacks or gets wrong. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 * Length of a prefix of p[0..n) of printable ASCII (0x20 to 0x7E) without
 * any of a, b, c, d and e: the bytes that escapers copy as they are, found
 * sixteen (or eight) at a time rather than one, as the reports are mostly
 * such runs. It may stop short of the end of the run, never past it (the
 * last block of fewer than sixteen bytes is left): the caller goes on byte
 * by byte from there.
 */
#ifdef __SSE2__
static inline size_t str_plain_run(const unsigned char *p, size_t n, unsigned char a, unsigned char b,
                                   unsigned char c, unsigned char d, unsigned char e)
{
    size_t i = 0;

    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* Signed: bytes from 0x80 up are negative, below 0x20 with the controls. */
        __m128i stop =
            _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
        unsigned mask;

        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)a)));
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)b)));
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c)));
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)d)));
        stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)e)));
        mask = (unsigned)_mm_movemask_epi8(stop);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
    }
    return i;
}
#else
/* Bytes of v equal to c: the high bit of each such byte is set, and of no other byte when none is. */
static inline uint64_t str_swar_eq(uint64_t v, unsigned char c)
{
    const uint64_t ones = 0x0101010101010101u, x = v ^ (ones * c);

    return (x - ones) & ~x & (ones << 7);
}

/* Without SSE2, eight bytes at a time in a 64-bit word; it stops at the start of the word with a stop. */
static inline size_t str_plain_run(const unsigned char *p, size_t n, unsigned char a, unsigned char b,
                                   unsigned char c, unsigned char d, unsigned char e)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
    size_t i = 0;

    for (; n - i >= 8; i += 8) {
        uint64_t v;

        memcpy(&v, p + i, 8);
        /* 0x80 up, or below 0x20: (v - 0x20 each) & ~v flags a byte under 0x20 when no byte is 0x80 up. */
        if ((v & highs) | ((v - ones * 0x20) & ~v & highs) | str_swar_eq(v, 0x7F) | str_swar_eq(v, a) |
            str_swar_eq(v, b) | str_swar_eq(v, c) | str_swar_eq(v, d) | str_swar_eq(v, e))
            break;
    }
    return i;
}
#endif

/*
 * Replaces, in place, every byte of s that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF) with '?'. Returns how many bytes it replaced.
 */
size_t str_utf8_scrub(char *s);

/* Whether s[0..len) is all ASCII (no byte above 0x7F): such text is UTF-8 as it stands. */
bool str_is_ascii(const char *s, size_t len);

/*
 * FNV-1a (64 bits) of s's bytes, for hash tables and for what must hash the
 * same in every run and build (snapshot shards): the offset basis and prime
 * of http://www.isthe.com/chongo/tech/comp/fnv/.
 */
uint64_t str_hash(const char *s);

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
