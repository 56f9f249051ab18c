#ifndef IMGAUDIT_RULES_REGEX_CHECK_H
#define IMGAUDIT_RULES_REGEX_CHECK_H

/*
 * Bounds on the regular expressions of rule and variable files, checked
 * before regcomp sees them. glibc compiles a counted repetition by copying
 * what it repeats, so a short pattern can cost gigabytes and minutes:
 * ((a{1,100}){1,100}){1,100} took 7 s and 1.2 GB, one level deeper 18 GB;
 * a{1,10000} alone 4 s and 770 MB. Within the bounds below the costliest
 * pattern measured, (.*){1,255} four times over, compiles in 0.2 s and 30 MB.
 * Everything the bounds let through is compiled by regcomp as POSIX ERE.
 */

#include <stddef.h>

/* The longest pattern, in bytes. */
#define REGEX_CHECK_MAX_BYTES 1024
/* The largest count of a repetition {m,n}: POSIX's RE_DUP_MAX minimum, so portable too. */
#define REGEX_CHECK_MAX_COUNT 255
/*
 * The largest size a pattern may expand to: each character, '.', bracket
 * expression or anchor is 1, each '|', '*', '+' and '?' adds 1, and {m,n}
 * multiplies what it repeats by n (by m + 1 for {m,}).
 */
#define REGEX_CHECK_MAX_SIZE 2048

/*
 * Checks pattern (len bytes, no NUL among them) against the bounds above and
 * refuses:
 *   - a pattern longer than REGEX_CHECK_MAX_BYTES;
 *   - a counted repetition {m,n} of something that holds a counted
 *     repetition already ((a{2}){3}, and a{2}{3});
 *   - a count above REGEX_CHECK_MAX_COUNT;
 *   - a pattern whose size (as above) exceeds REGEX_CHECK_MAX_SIZE;
 *   - a back-reference (\1 to \9): a GNU extension to ERE whose matching
 *     can take exponential time.
 * Syntax errors are left to regcomp, which reports them. Returns 0 when the
 * pattern may be compiled; otherwise -1 with a one-line reason, which names
 * the byte offset (from 1) where the problem starts, in msg (msg_size bytes,
 * always terminated when msg_size > 0).
 */
int regex_check(const char *pattern, size_t len, char *msg, size_t msg_size);

#endif
