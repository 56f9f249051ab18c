#ifndef IMGAUDIT_UTIL_TERMTEXT_H
#define IMGAUDIT_UTIL_TERMTEXT_H

/*
 * Human text on stdout and stderr, made inert in this one place. What imgaudit
 * prints carries strings from AWS (error codes, request ids, ARNs, image
 * names), from input files (account ids, rule and variable names) and from the
 * command line; a control character among them could rewrite the line, fake a
 * log line, or (ESC, CSI) drive the terminal. So every byte below 0x20 (TAB,
 * CR and LF too), DEL, the C1 controls U+0080..U+009F and every byte that is
 * not part of well-formed UTF-8 is written as a visible escape: \t, \n, \r,
 * otherwise \xNN for each byte (U+009B is \xc2\x9b). Everything else,
 * backslashes included, is written as it is: the escapes are for reading.
 *
 * Always on, whether or not the stream is a terminal: logs and redirected
 * output end up on terminals later (less, tail, a CI page). Machine outputs
 * (the snapshot, the JSON, JUnit and HTML reports, whoami --json) never pass
 * through here: their serializers escape for their own formats.
 */

#include <stddef.h>
#include <stdio.h>

/* Most bytes of formatted text termtext_printf writes; the rest is cut. */
#define TERMTEXT_LINE_MAX ((size_t)4096)

/*
 * Writes s (NULL: "") escaped into dst of size bytes (size > 0), always
 * NUL-terminated. When the whole does not fit it is cut between characters
 * and escapes, and ends with an ellipsis (U+2026) where that fits. Returns dst.
 */
char *termtext_escape(char *dst, size_t size, const char *s);

/*
 * Formats like fprintf and writes the text to fp escaped, but for one final
 * '\n', the line end, which is written as it is. Formatted text past
 * TERMTEXT_LINE_MAX bytes is cut. Returns 0, or EOF when writing failed.
 */
int termtext_printf(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
