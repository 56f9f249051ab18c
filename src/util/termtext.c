#include "util/termtext.h"

#include <stdarg.h>
#include <string.h>

#include "util/str.h"

#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 */

/*
 * What the character at p becomes: returns how many bytes of p it takes, and
 * leaves in esc either "" (write those bytes as they are) or their escape.
 */
static size_t unit(const unsigned char *p, char esc[12])
{
    size_t n;

    esc[0] = '\0';
    switch (p[0]) {
    case '\t': memcpy(esc, "\\t", 3); return 1;
    case '\n': memcpy(esc, "\\n", 3); return 1;
    case '\r': memcpy(esc, "\\r", 3); return 1;
    default: break;
    }
    n = str_utf8_len(p);
    if (p[0] < 0x20 || p[0] == 0x7f || n == 0) {
        snprintf(esc, 12, "\\x%02x", p[0]);
        return 1;
    }
    if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { /* U+0080..U+009F */
        snprintf(esc, 12, "\\x%02x\\x%02x", p[0], p[1]);
        return 2;
    }
    return n;
}

char *termtext_escape(char *dst, size_t size, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t used = 0, fit = 0, room = size - 1;

    while (*p) {
        char esc[12];
        size_t n = unit(p, esc);
        const char *piece = esc[0] ? esc : (const char *)p;
        size_t len = esc[0] ? strlen(esc) : n;

        if (used + len > room) {
            used = fit;
            if (room - used >= sizeof(ELLIPSIS) - 1) {
                memcpy(dst + used, ELLIPSIS, sizeof(ELLIPSIS) - 1);
                used += sizeof(ELLIPSIS) - 1;
            }
            break;
        }
        memcpy(dst + used, piece, len);
        used += len;
        /* Where a cut would go: the last place that leaves room for the ellipsis. */
        if (used + sizeof(ELLIPSIS) - 1 <= room)
            fit = used;
        p += n;
    }
    dst[used] = '\0';
    return dst;
}

int termtext_printf(FILE *fp, const char *fmt, ...)
{
    char text[TERMTEXT_LINE_MAX + 1];
    char out[4 * TERMTEXT_LINE_MAX + 1]; /* an escape is at most four bytes a byte */
    size_t len;
    int line_end;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    len = strlen(text);
    line_end = len > 0 && text[len - 1] == '\n';
    if (line_end)
        text[len - 1] = '\0';
    termtext_escape(out, sizeof(out), text);
    if (fputs(out, fp) == EOF || (line_end && fputc('\n', fp) == EOF))
        return EOF;
    return 0;
}
