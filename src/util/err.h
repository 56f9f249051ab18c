#ifndef IMGAUDIT_UTIL_ERR_H
#define IMGAUDIT_UTIL_ERR_H

/*
 * One error shape for the whole program. Functions that can fail return 0 on
 * success and -1 on failure, and fill the ia_err that the caller passed in.
 * Library errors (libcurl, OpenSSL, libyaml, libxml2, cJSON) are translated
 * into it once, at the boundary where they happen. The CLI layer alone maps an
 * ia_err to an exit code.
 */

#include <stdbool.h>
#include <stddef.h>

typedef enum ia_err_kind {
    IA_ERR_NONE = 0,
    IA_ERR_USAGE,     /* bad command line */
    IA_ERR_INPUT,     /* bad input file: rules, waivers, config, snapshot */
    IA_ERR_IO,        /* a file could not be read or written */
    IA_ERR_NOMEM,     /* allocation failed or a size limit was hit */
    IA_ERR_CREDS,     /* no usable credentials */
    IA_ERR_TRANSPORT, /* connection refused, reset, timed out, TLS */
    IA_ERR_AWS,       /* AWS answered with an error */
    IA_ERR_PROTOCOL,  /* AWS answered something we cannot parse */
    IA_ERR_CANCELLED, /* SIGINT/SIGTERM */
    IA_ERR_INTERNAL
} ia_err_kind;

typedef struct ia_err {
    ia_err_kind kind;
    long http_status;      /* 0 when no HTTP answer was had */
    bool retryable;        /* the retry policy's verdict on this error */
    char aws_code[96];     /* ThrottlingException, AccessDenied, ... */
    char request_id[96];   /* x-amzn-RequestId, or <RequestId> */
    char file[256];        /* input file, for IA_ERR_INPUT */
    unsigned line, column; /* 1-based, 0 when unknown */
    char
        context[384]; /* where it happened, outermost first ("cannot assume X: sts AssumeRole (us-east-1)") */
    char msg[768];    /* what happened, as the source said it (AWS's own message, say) */
} ia_err;

/* Clears every field. */
void err_clear(ia_err *err);

/* Sets kind and message (printf-style) and clears the context; other fields are left as they are. Returns -1.
 */
int err_set(ia_err *err, ia_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Like err_set, and records a position in an input file. Always returns -1. */
int err_set_at(ia_err *err, const char *file, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds context in front of what is there ("outer: inner"), for errors passed up through layers. Returns -1.
 */
int err_prefix(ia_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Short name of a kind, for logs and snapshots ("transport", "aws", ...). */
const char *err_kind_name(ia_err_kind kind);

/*
 * Writes the one-line form a user sees into buf:
 * "file:line:column: msg" for input errors with a position, otherwise
 * "context: msg" followed by " (AWS code, HTTP status, request id)" where known.
 */
void err_format(const ia_err *err, char *buf, size_t size);

#endif
