#ifndef IMGAUDIT_AWS_HTTP_H
#define IMGAUDIT_AWS_HTTP_H

/*
 * HTTP over libcurl. One http_pool per process: each thread reuses one easy
 * handle of its own, so its connections stay alive between requests, and all
 * threads share DNS answers and TLS sessions. TLS verification is
 * always on, against the system's CA store or one CA file. Transfers stop
 * early when cancel_requested() turns true or the pool is stopped (but changes,
 * which run to their end), and are
 * given up (a retryable time-out) when slower than 1 KiB/s for 10 s.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct http_pool http_pool;

typedef struct http_request {
    const char *method;         /* "GET", "PUT", "POST" */
    const char *url;            /* full URL */
    const char *const *headers; /* "Name: value" lines; borrowed */
    size_t n_headers;
    const void *body; /* may be NULL */
    size_t body_len;
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole transfer; 0: 60 s */
    /*
     * A change (fix apply's writes): sent on a fresh connection, never on one
     * kept alive, since libcurl resends a request by itself when a reused
     * connection dies before any answer, and a change must not be sent twice
     * blindly; and once started, the transfer runs to its end (or its
     * time-out) even after a stop, so that whether the change was made is
     * known.
     */
    bool change;
} http_request;

typedef struct http_response {
    long status;
    buf body;            /* owned: http_response_clean_up */
    char request_id[96]; /* x-amzn-RequestId or x-amz-request-id, if sent */
    char error_type[96]; /* x-amzn-ErrorType, if sent */
} http_response;

/*
 * Makes the shared pool (owned: http_pool_free). Call once, before threads
 * start. ca_bundle (borrowed, copied; NULL or "": the system's CA store)
 * names the only file of CAs that servers' certificates may chain to.
 */
int http_pool_new(http_pool **out, const char *ca_bundle, ia_err *err);

/* Frees the pool, after every thread that used it (but the caller) has ended. Accepts NULL. */
void http_pool_free(http_pool *pool);

/*
 * Stops the pool for good: transfers in flight end at once and every later
 * http_perform fails at once, each with IA_ERR_CANCELLED (a run's deadline).
 * Thread-safe.
 */
void http_pool_stop(http_pool *pool);

/* Prepares resp for http_perform; body bounded to max_body bytes (> 0). */
void http_response_init(http_response *resp, size_t max_body);

/* Frees what resp owns. */
void http_response_clean_up(http_response *resp);

/*
 * Performs one request, no retries. On any HTTP answer returns 0 with
 * resp->status set, whatever the status. On transport failure returns -1
 * with IA_ERR_TRANSPORT (retryable set for resets, refusals, time-outs and
 * DNS failures, not for TLS verification errors), or IA_ERR_CANCELLED.
 * The error names the host, never headers; a refused certificate says why
 * ("TLS: certificate of HOST not trusted ...", "... refused: certificate has
 * expired", "... refused: hostname mismatch").
 */
int http_perform(http_pool *pool, const http_request *req, http_response *resp, ia_err *err);

#endif
