#ifndef IMGAUDIT_UTIL_BUF_H
#define IMGAUDIT_UTIL_BUF_H

/*
 * A growable byte buffer with a ceiling. The contents are always
 * NUL-terminated (the terminator is not counted in len), so a buffer of text
 * can be handed to string functions as it is. Appending past max fails
 * instead of growing without bound: every size that comes from outside the
 * process is bounded by whoever made the buffer.
 */

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* most bytes the buffer may hold; 0 means BUF_DEFAULT_MAX */
} buf;

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)
#define BUF_INIT                                                                                             \
    {                                                                                                        \
        NULL, 0, 0, 0                                                                                        \
    }

/* Starts an empty buffer that may grow to max bytes (0: BUF_DEFAULT_MAX). */
void buf_init(buf *b, size_t max);

/* Frees the contents; the buffer can be used again after buf_init. Accepts NULL. */
void buf_free(buf *b);

/* Like buf_free, after overwriting the contents: for buffers that held a secret. Accepts NULL. */
void buf_free_secret(buf *b);

/* Empties the buffer, keeping its memory. */
void buf_reset(buf *b);

/* Appends n bytes. Returns 0, or -1 when memory runs out or max would be passed. */
int buf_append(buf *b, const void *data, size_t n);

/* Appends a NUL-terminated string. Returns 0 or -1 as buf_append. */
int buf_puts(buf *b, const char *s);

/* Appends one byte. */
int buf_putc(buf *b, char c);

/* Appends printf-style formatted text. Returns 0 or -1. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * Hands the contents to the caller, who frees them with free(). The buffer is
 * left empty. Never returns NULL: an empty buffer yields an allocated "".
 * Returns NULL only if that allocation fails.
 */
char *buf_detach(buf *b);

/* The contents as a string, borrowed: valid until the next change. Never NULL. */
const char *buf_str(const buf *b);

#endif
