#include "util/wbuf.h"

#include <errno.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/str.h"

int wbuf_init(wbuf *w, FILE *fp)
{
    w->fp = fp;
    w->len = 0;
    w->write_errno = 0;
    w->data = malloc(WBUF_SIZE);
    w->failed = !w->data;
    if (!w->data) {
        /* Full, so that wbuf_putc goes through wbuf_write, a no-op once failed. */
        w->len = WBUF_SIZE;
        return -1;
    }
    return 0;
}

void wbuf_free(wbuf *w)
{
    free(w->data);
    w->data = NULL;
    w->len = 0;
}

/* Empties the buffer into fp. */
static void drain(wbuf *w)
{
    if (w->failed || w->len == 0)
        return;
    errno = 0;
    if (fwrite(w->data, 1, w->len, w->fp) != w->len) {
        w->failed = 1;
        w->write_errno = errno ? errno : EIO;
    }
    w->len = 0;
}

void wbuf_write_spill(wbuf *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (n > WBUF_SIZE - w->len) {
        drain(w);
        /* Larger than the whole buffer: straight through, one copy fewer. */
        if (n >= WBUF_SIZE) {
            errno = 0;
            if (!w->failed && fwrite(p, 1, n, w->fp) != n) {
                w->failed = 1;
                w->write_errno = errno ? errno : EIO;
            }
            return;
        }
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

char *wbuf_reserve(wbuf *w, size_t n)
{
    if (n > WBUF_SIZE - w->len)
        drain(w);
    return w->failed || n > WBUF_SIZE ? NULL : w->data + w->len;
}

int wbuf_finish(wbuf *w)
{
    drain(w);
    if (!w->failed && (fflush(w->fp) != 0 || ferror(w->fp))) {
        w->failed = 1;
        w->write_errno = errno ? errno : EIO;
    }
    return w->failed ? -1 : 0;
}

void wbuf_uint(wbuf *w, uint64_t v)
{
    char digits[20];
    size_t n = 0;

    do {
        digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    wbuf_write(w, digits + sizeof(digits) - n, n);
}

/*
 * What each byte needs in a JSON string: 0 nothing, 1 an escape, 2 a look at
 * the UTF-8 sequence it starts.
 */
static const unsigned char json_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * Where the escaper writes: a wbuf for the JSON report, a buf for the fix
 * inputs. The escaper is inlined into each writer, so the call through put is
 * a direct (inlined) one: the report pays nothing for the second writer.
 */
typedef void (*json_put)(void *sink, const void *p, size_t n);
typedef void (*json_putc)(void *sink, char c);

static inline __attribute__((always_inline)) void json_escape(void *sink, json_put put, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

    switch (c) {
    case '"':
    case '\\': esc[1] = (char)c; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default: put(sink, esc, 6); return;
    }
    put(sink, esc, 2);
}

static inline __attribute__((always_inline)) void json_string(void *sink, json_put put, json_putc putc,
                                                              const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *run, *end;

    if (!s) {
        put(sink, "null", 4);
        return;
    }
    end = p + strlen(s);
    putc(sink, '"');
    for (;;) {
        size_t n;

        /* The run of bytes that go out as they are, copied at once. */
        run = p;
        p += str_plain_run(p, (size_t)(end - p), '"', '\\', '"', '"', '"');
        while (json_class[*p] == 0)
            p++;
        put(sink, run, (size_t)(p - run));
        if (!*p)
            break;
        if (json_class[*p] == 1) {
            json_escape(sink, put, *p++);
            continue;
        }
        /* Non-ASCII: runs of whole sequences as they are, a byte outside any as '?'. */
        run = p;
        while (*p >= 0x80 && (n = str_utf8_len(p)) != 0)
            p += n;
        put(sink, run, (size_t)(p - run));
        if (*p >= 0x80) {
            putc(sink, '?');
            p++;
        }
    }
    putc(sink, '"');
}

static void put_wbuf(void *sink, const void *p, size_t n)
{
    wbuf_write(sink, p, n);
}

static void putc_wbuf(void *sink, char c)
{
    wbuf_putc(sink, c);
}

void wbuf_json_string(wbuf *w, const char *s)
{
    json_string(w, put_wbuf, putc_wbuf, s);
}

/*
 * A buf, and whether an append to it failed. The pieces gather in data first: a
 * string is most often a few of them, and one buf_append costs more than their copies.
 */
typedef struct buf_sink {
    buf *b;
    int rc;
    size_t len;
    char data[256];
} buf_sink;

static void sink_flush(buf_sink *bs)
{
    if (bs->rc == 0 && buf_append(bs->b, bs->data, bs->len) != 0)
        bs->rc = -1;
    bs->len = 0;
}

static inline __attribute__((always_inline)) void put_buf(void *sink, const void *p, size_t n)
{
    buf_sink *bs = sink;

    if (n > sizeof(bs->data) - bs->len) {
        sink_flush(bs);
        /* Larger than data: straight through. */
        if (n >= sizeof(bs->data)) {
            if (bs->rc == 0 && buf_append(bs->b, p, n) != 0)
                bs->rc = -1;
            return;
        }
    }
    memcpy(bs->data + bs->len, p, n);
    bs->len += n;
}

static inline __attribute__((always_inline)) void putc_buf(void *sink, char c)
{
    put_buf(sink, &c, 1);
}

int buf_json_string(buf *b, const char *s)
{
    buf_sink bs;

    bs.b = b;
    bs.rc = 0;
    bs.len = 0;
    json_string(&bs, put_buf, putc_buf, s);
    sink_flush(&bs);
    return bs.rc;
}
