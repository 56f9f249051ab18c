#ifndef IMGAUDIT_AWS_SIGV4_H
#define IMGAUDIT_AWS_SIGV4_H

/*
 * AWS Signature Version 4 (header signing), on OpenSSL EVP.
 *
 * Modelled on aws-c-auth: a state struct with one buffer per intermediate
 * result, filled by three public stages that tests call one by one against
 * the official suite (tests/data/conformance/sigv4):
 *
 *   sigv4_canonical_request -> ctx.canonical_request, ctx.signed_headers
 *   sigv4_string_to_sign    -> ctx.string_to_sign
 *   sigv4_signature         -> ctx.signature, ctx.authorization
 *
 * sigv4_sign runs all three and lists the headers the caller must add to the
 * request. The clock is injected through params.now, never read here.
 *
 * Beyond what the suites show:
 *  - a request's own X-Amz-Date, x-amz-content-sha256 or X-Amz-Security-Token
 *    is used and signed (the token not under omit_session_token), not added
 *    again; one already carrying Authorization is refused;
 *  - the payload hash is SHA-256 of the body, or the value of the request's
 *    own x-amz-content-sha256 (e.g. UNSIGNED-PAYLOAD);
 *  - User-Agent, Expect and X-Amzn-Trace-Id are left unsigned: HTTP stacks
 *    and proxies add or rewrite them after signing;
 *  - query parameters are percent-decoded ('+' stays a '+') and re-encoded.
 * A malformed request is IA_ERR_INTERNAL (a bug in the caller), empty keys
 * IA_ERR_CREDS, texts past 1 MiB IA_ERR_NOMEM. Error messages name headers,
 * never their values, so no secret reaches a log.
 *
 * The ctx holds the canonical request and the Authorization value: both are
 * derived from the secret only through an HMAC, but the session token is in
 * the canonical request, so a ctx is never logged.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct sigv4_header {
    const char *name;  /* any case; duplicates allowed (joined with ',' in order) */
    const char *value; /* raw; trimmed and inner runs of spaces collapsed when canonicalised */
} sigv4_header;

typedef struct sigv4_request {
    const char *method;          /* "GET", "POST" */
    const char *path;            /* as on the wire, e.g. "/" or "/example space/" */
    const char *query;           /* raw query string without '?', or NULL */
    const sigv4_header *headers; /* must include Host; may include X-Amz-Date (then it is used) */
    size_t n_headers;
    const void *body; /* may be NULL when body_len is 0 */
    size_t body_len;
} sigv4_request;

typedef struct sigv4_params {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or "" when none */
    const char *region;        /* scope region, e.g. "us-east-1" */
    const char *service;       /* signing name, e.g. "workspaces", "appstream", "sts" */
    time_t now;                /* signing time (UTC epoch seconds) */
    bool normalize_path;       /* remove dot segments and repeated '/' (true for all but S3) */
    bool add_content_sha256;   /* add and sign x-amz-content-sha256: <hash of body> */
    bool omit_session_token;   /* add X-Amz-Security-Token after signing, unsigned */
} sigv4_params;

#define SIGV4_MAX_ADDED_HEADERS 4

typedef struct sigv4_ctx {
    char amz_date[17];     /* YYYYMMDDTHHMMSSZ */
    char scope_date[9];    /* YYYYMMDD */
    buf canonical_request; /* owned */
    buf signed_headers;    /* owned; "host;x-amz-date" */
    buf string_to_sign;    /* owned */
    char signature[65];    /* lowercase hex */
    buf authorization;     /* owned; the full Authorization header value */
    /* Headers the caller adds to the request, as "Name: value" strings owned by the ctx:
     * X-Amz-Date (unless the request had one), x-amz-content-sha256 (if asked),
     * X-Amz-Security-Token (if a token), Authorization. */
    char *added[SIGV4_MAX_ADDED_HEADERS];
    size_t n_added;
} sigv4_ctx;

/* Prepares an empty ctx. */
void sigv4_ctx_init(sigv4_ctx *ctx);

/* Frees everything the ctx owns and wipes the buffers. Accepts NULL. */
void sigv4_ctx_clean_up(sigv4_ctx *ctx);

/* Stage 1: the canonical request and the signed-headers list. Returns 0 or -1 (err filled). */
int sigv4_canonical_request(sigv4_ctx *ctx, const sigv4_request *req, const sigv4_params *params,
                            ia_err *err);

/* Stage 2: the string to sign, from the canonical request. */
int sigv4_string_to_sign(sigv4_ctx *ctx, const sigv4_params *params, ia_err *err);

/* Stage 3: the signature (signing key derived from the secret) and the Authorization value. */
int sigv4_signature(sigv4_ctx *ctx, const sigv4_params *params, ia_err *err);

/* All three stages, then fills ctx->added. */
int sigv4_sign(sigv4_ctx *ctx, const sigv4_request *req, const sigv4_params *params, ia_err *err);

/* Lowercase hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/*
 * Appends the n bytes of s to out, URI-encoded as SigV4 encodes paths and
 * query strings (RFC 3986): A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash) as
 * they are, every other byte as %XX in upper-case hex. The same encoding
 * serves form bodies (the Query protocol): it is what the SDKs send. Returns
 * 0, or -1 when out reaches its maximum (out then holds part of the text).
 */
int sigv4_uri_encode(buf *out, const char *s, size_t n, bool keep_slash);

#endif
