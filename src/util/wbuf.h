#ifndef IMGAUDIT_UTIL_WBUF_H
#define IMGAUDIT_UTIL_WBUF_H

/*
 * A buffered writer for reports of millions of lines: bytes gather in a
 * fixed buffer that is handed to fwrite when full, so that writing a field
 * costs a memcpy rather than a stdio call, and memory does not grow with the
 * document. Errors are sticky: after a failed write every call is a no-op,
 * and the writer checks `failed` once, at the end (wbuf_finish).
 *
 * Also the JSON string escaper of the JSON report (wbuf_json_string), and
 * of the fix inputs, written into a buf (buf_json_string).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct wbuf {
    FILE *fp;   /* borrowed */
    char *data; /* owned: WBUF_SIZE bytes */
    size_t len;
    int failed;      /* a write failed, or the buffer could not be made */
    int write_errno; /* errno of the failed fwrite, 0 when none */
} wbuf;

#define WBUF_SIZE ((size_t)128 * 1024)

/* Starts a writer on fp (borrowed, left open). Returns 0, or -1 when memory runs out (w is then failed). */
int wbuf_init(wbuf *w, FILE *fp);

/*
 * Hands what is buffered to fp and fflushes it. Returns 0, or -1 when this or
 * any earlier write failed. Frees nothing: wbuf_free does.
 */
int wbuf_finish(wbuf *w);

/* Frees the buffer without writing it. Accepts a writer that failed to start. */
void wbuf_free(wbuf *w);

/* wbuf_write when the bytes do not fit in what is left of the buffer. */
void wbuf_write_spill(wbuf *w, const void *p, size_t n);

/* Writes n bytes. Inline: most are a few bytes that fit, and a call per field showed in the profile. */
static inline void wbuf_write(wbuf *w, const void *p, size_t n)
{
    if (n < WBUF_SIZE - w->len) {
        memcpy(w->data + w->len, p, n);
        w->len += n;
    } else {
        wbuf_write_spill(w, p, n);
    }
}

static inline void wbuf_puts(wbuf *w, const char *s)
{
    wbuf_write(w, s, strlen(s));
}

static inline void wbuf_putc(wbuf *w, char c)
{
    if (w->len < WBUF_SIZE)
        w->data[w->len++] = c;
    else
        wbuf_write(w, &c, 1);
}

/*
 * Room for n bytes (at most WBUF_SIZE) written in place: returns where they
 * go, and wbuf_commit(w, used) then counts the ones used. For an encoder that
 * works out its output as it goes and may give up before committing any.
 * Returns NULL when the writer has failed (nothing is to be written then).
 */
char *wbuf_reserve(wbuf *w, size_t n);

static inline void wbuf_commit(wbuf *w, size_t used)
{
    w->len += used;
}

/* Writes v in decimal. */
void wbuf_uint(wbuf *w, uint64_t v);

/*
 * Writes s as a JSON string (RFC 8259), quotes included; NULL writes null.
 * Byte for byte what cJSON prints for well-formed UTF-8: '"', '\\' and the
 * control characters below U+0020 escaped (\b \f \n \r \t, the others as
 * \u00XX in lowercase hex), everything else as it is (DEL, U+2028 and U+2029
 * too: RFC 8259 allows them raw). A byte that is not part of a well-formed
 * UTF-8 sequence becomes '?', as str_utf8_scrub makes it, so the document is
 * always valid UTF-8.
 */
void wbuf_json_string(wbuf *w, const char *s);

struct buf;

/* wbuf_json_string appended to b. Returns 0, or -1 as buf_append (b then holds what fitted). */
int buf_json_string(struct buf *b, const char *s);

#endif
