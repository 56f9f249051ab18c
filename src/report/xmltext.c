#include "report/xmltext.h"

#include <libxml/globals.h>
#include <stdint.h>
#include <string.h>

#include "util/str.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define ELLIPSIS    "\xE2\x80\xA6" /* U+2026 */

/*
 * Decodes one UTF-8 sequence at p (RFC 3629, table 3-7 of the Unicode
 * standard). Returns the code point, or -1 for an invalid sequence; *len gets
 * the bytes to skip, which for an invalid sequence is its longest valid
 * prefix ("maximal subpart"), so that one U+FFFD stands for it.
 */
static int32_t utf8_decode(const unsigned char *p, size_t *len)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need, i;
    uint32_t cp;

    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else {
        *len = 1;
        return -1;
    }
    for (i = 1; i <= need; i++) {
        unsigned char b = p[i];
        unsigned char min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xBF;

        if (b < min || b > max) {
            *len = i;
            return -1;
        }
        cp = (cp << 6) | (b & 0x3Fu);
    }
    *len = need + 1;
    return (int32_t)cp;
}

/* Characters that are valid UTF-8 but must not reach a document or a terminal. */
static int dropped(int32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n' && cp != '\r';
    if (cp >= 0x7F && cp <= 0x9F)
        return 1;
    return cp == 0xFFFE || cp == 0xFFFF;
}

/*
 * What a byte is to the cleaner and the escapers: 0 an ASCII character that
 * stays as it is in text and attributes, 1 a C0 control to drop (or DEL),
 * 2 the first byte of a UTF-8 sequence to decode, 3 a character that markup
 * escapes (& < > " CR, and TAB LF in attributes).
 */
static const unsigned char byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* The length of s when it is clean (and not longer than max_bytes when that is non-zero), else -1. */
static ptrdiff_t clean_length(const char *s, size_t max_bytes)
{
    const unsigned char *p = (const unsigned char *)s, *end;
    size_t len = strlen(s);

    if (max_bytes && len > max_bytes)
        return -1;
    end = p + len;
    /* ASCII eight bytes at a time, then by table; only what is not ASCII is decoded. */
    for (;;) {
        p += str_plain_run(p, (size_t)(end - p), 0x7F, 0x7F, 0x7F, 0x7F, 0x7F);
        while (byte_class[*p] == 0 || byte_class[*p] == 3)
            p++;
        if (!*p)
            break;
        if (byte_class[*p] == 1)
            return -1;
        {
            int32_t cp = utf8_decode(p, &len);

            if (cp < 0 || dropped(cp))
                return -1;
        }
        p += len;
    }
    return p - (const unsigned char *)s;
}

int xmltext_is_clean(const char *s, size_t max_bytes)
{
    return !s || clean_length(s, max_bytes) >= 0;
}

const char *xmltext_clean(buf *scratch, const char *s, size_t max_bytes)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t room, fit = 0, len;

    if (!s)
        return "";
    if (xmltext_is_clean(s, max_bytes))
        return s;
    buf_reset(scratch);
    if (buf_append(scratch, "", 0) != 0)
        return NULL;
    /* Where to cut if the whole does not fit: leaves space for the ellipsis. */
    room = max_bytes > 3 ? max_bytes - 3 : 0;
    while (*p) {
        int32_t cp = utf8_decode(p, &len);
        const void *out = p;
        size_t out_len = len;

        if (cp < 0) {
            out = REPLACEMENT;
            out_len = 3;
        } else if (dropped(cp)) {
            out_len = 0;
        }
        if (max_bytes && scratch->len + out_len > max_bytes) {
            scratch->len = fit;
            scratch->data[fit] = '\0';
            if (max_bytes >= 3 && buf_append(scratch, ELLIPSIS, 3) != 0)
                return NULL;
            return buf_str(scratch);
        }
        if (out_len && buf_append(scratch, out, out_len) != 0)
            return NULL;
        if (scratch->len <= room)
            fit = scratch->len;
        p += len;
    }
    return buf_str(scratch);
}

/* A markup character's reference at o (TAB and LF in text: the character itself); returns the end. */
static char *put_reference(char *o, unsigned char c, int attribute)
{
    const char *ref;

    if (c == '&')
        ref = "&amp;";
    else if (c == '<')
        ref = "&lt;";
    else if (c == '>')
        ref = "&gt;";
    else if (c == '"')
        ref = "&quot;";
    else if (c == '\r')
        ref = "&#13;";
    else if (attribute)
        ref = c == '\n' ? "&#10;" : "&#9;";
    else {
        *o = (char)c;
        return o + 1;
    }
    while (*ref)
        *o++ = *ref++;
    return o;
}

/*
 * Writes clean text escaped: & < > always, '"' and CR always (libxml2 does,
 * in text too), and in an attribute TAB and LF as well, as character
 * references, so that attribute-value normalisation keeps them. Everything
 * else, UTF-8 included, goes out as it is (the document says UTF-8).
 */
static void escape(wbuf *w, const char *s, int attribute)
{
    const unsigned char *p = (const unsigned char *)s, *run;
    char ref[8];

    for (;;) {
        run = p;
        while (byte_class[*p] != 3 && *p)
            p++;
        wbuf_write(w, run, (size_t)(p - run));
        if (!*p)
            return;
        wbuf_write(w, ref, (size_t)(put_reference(ref, *p++, attribute) - ref));
    }
}

/*
 * Escapes s straight into the writer's buffer, checking as it goes that it is
 * clean: one pass over the string in the usual case. Returns 0 when it wrote
 * s, 1 when s needs cleaning first (nothing written then), -1 when the writer
 * has failed.
 */
static int escape_if_clean(wbuf *w, const char *s, size_t len, int attribute)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    /* Six output bytes at most for one input byte (&quot;). */
    char *start = wbuf_reserve(w, len * 6), *o = start;
    size_t n;

    if (!start)
        return -1;
    for (;;) {
        size_t run = str_plain_run(p, (size_t)(end - p), '"', '&', '<', '>', '>');

        memcpy(o, p, run);
        o += run;
        p += run;
        while (byte_class[*p] == 0)
            *o++ = (char)*p++;
        if (!*p)
            break;
        switch (byte_class[*p]) {
        case 3: o = put_reference(o, *p++, attribute); break;
        case 2: {
            int32_t cp = utf8_decode(p, &n);

            if (cp < 0 || dropped(cp))
                return 1;
            memcpy(o, p, n);
            o += n;
            p += n;
            break;
        }
        default: return 1;
        }
    }
    wbuf_commit(w, (size_t)(o - start));
    return 0;
}

static int put_escaped(wbuf *w, buf *scratch, const char *s, size_t max_bytes, int attribute)
{
    size_t len;

    if (!s)
        return 0;
    len = strlen(s);
    if ((!max_bytes || len <= max_bytes) && len <= WBUF_SIZE / 6) {
        int rc = escape_if_clean(w, s, len, attribute);

        if (rc <= 0)
            return 0; /* written, or the writer has failed: its error is in w */
    }
    if (!(s = xmltext_clean(scratch, s, max_bytes)))
        return -1;
    escape(w, s, attribute);
    return 0;
}

int xmltext_put_attr(wbuf *w, buf *scratch, const char *s, size_t max_bytes)
{
    return put_escaped(w, scratch, s, max_bytes, 1);
}

int xmltext_put_text(wbuf *w, buf *scratch, const char *s, size_t max_bytes)
{
    return put_escaped(w, scratch, s, max_bytes, 0);
}

static void keep_first_error(void *ctx, xmlErrorPtr e)
{
    xmltext_errors *cap = ctx;
    size_t n;

    if (cap->msg[0] || !e || !e->message)
        return;
    str_copy(cap->msg, sizeof(cap->msg), e->message);
    n = strlen(cap->msg);
    while (n && (cap->msg[n - 1] == '\n' || cap->msg[n - 1] == ' '))
        cap->msg[--n] = '\0';
}

void xmltext_errors_begin(xmltext_errors *cap)
{
    cap->msg[0] = '\0';
    cap->prev = xmlStructuredError;
    cap->prev_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(cap, keep_first_error);
}

void xmltext_errors_end(xmltext_errors *cap)
{
    xmlSetStructuredErrorFunc(cap->prev_ctx, cap->prev);
}
