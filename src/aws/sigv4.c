#include "aws/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"

#define SIGV4_ALGORITHM  "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"

/*
 * Ceiling of each text the ctx builds. Our requests carry a handful of headers
 * and short query strings; a canonical request near this size means a bug.
 */
#define SIGV4_MAX_TEXT ((size_t)1024 * 1024)

#define SHA256_LEN 32

/* Headers a signer must not sign: proxies and HTTP stacks add or rewrite them
 * after signing (botocore's SigV4Auth leaves out the same ones). */
static const char *const skipped_headers[] = {"user-agent", "expect", "x-amzn-trace-id"};

/* What the caller's request already carries among the headers the signer would add. */
typedef struct request_has {
    const char *amz_date;       /* borrowed raw value, or NULL */
    const char *content_sha256; /* borrowed raw value, or NULL */
    const char *security_token; /* borrowed raw value, or NULL */
} request_has;

/* One header on its way into the canonical request. */
typedef struct canon_header {
    char *name;        /* owned, lowercase */
    const char *value; /* borrowed, raw */
    size_t seq;        /* position in the request, so duplicates keep their order */
} canon_header;

/* One query parameter, both halves already URI-encoded. */
typedef struct query_param {
    char *key;   /* owned */
    char *value; /* owned */
} query_param;

/* ---- small helpers ---------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static bool is_header_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A header value without its surrounding whitespace: the start, and its length in *len. */
static const char *trim_value(const char *v, size_t *len)
{
    size_t n;

    while (is_header_space(*v))
        v++;
    n = strlen(v);
    while (n > 0 && is_header_space(v[n - 1]))
        n--;
    *len = n;
    return v;
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static void hex_lower(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

int sigv4_uri_encode(buf *out, const char *s, size_t n, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];

        if (is_unreserved(c) || (keep_slash && c == '/')) {
            if (buf_putc(out, (char)c) != 0)
                return -1;
            continue;
        }
        esc[0] = '%';
        esc[1] = digits[c >> 4];
        esc[2] = digits[c & 0x0f];
        if (buf_append(out, esc, sizeof(esc)) != 0)
            return -1;
    }
    return 0;
}

/* Empties a buffer and overwrites what it held, keeping its memory and ceiling. */
static void buf_wipe(buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    b->len = 0;
}

static void ctx_clear_added(sigv4_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_added && i < SIGV4_MAX_ADDED_HEADERS; i++) {
        str_free_secret(ctx->added[i]);
        ctx->added[i] = NULL;
    }
    ctx->n_added = 0;
}

/* Forgets every result, so a failed or repeated stage never leaves stale output behind. */
static void ctx_reset(sigv4_ctx *ctx)
{
    memset(ctx->amz_date, 0, sizeof(ctx->amz_date));
    memset(ctx->scope_date, 0, sizeof(ctx->scope_date));
    buf_wipe(&ctx->canonical_request);
    buf_wipe(&ctx->signed_headers);
    buf_wipe(&ctx->string_to_sign);
    OPENSSL_cleanse(ctx->signature, sizeof(ctx->signature));
    buf_wipe(&ctx->authorization);
    ctx_clear_added(ctx);
}

static int sha256_raw(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;

    if (EVP_Digest(data ? data : "", len, out, &out_len, EVP_sha256(), NULL) != 1 || out_len != SHA256_LEN)
        return -1;
    return 0;
}

static int sha256_hex_checked(const void *data, size_t len, char out[65], ia_err *err)
{
    unsigned char md[SHA256_LEN];

    if (sha256_raw(data, len, md) != 0)
        return err_set(err, IA_ERR_INTERNAL, "sigv4: OpenSSL SHA-256 failed");
    hex_lower(md, sizeof(md), out);
    return 0;
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[SHA256_LEN];

    /* The interface has no error path; an empty string cannot pass for a hash. */
    if (sha256_raw(data, len, md) != 0) {
        out[0] = '\0';
        return;
    }
    hex_lower(md, sizeof(md), out);
}

/* HMAC-SHA256 through OpenSSL 3's EVP_MAC; mac is fetched once per signature by the caller. */
static int hmac_sha256(EVP_MAC *mac, const unsigned char *key, size_t key_len, const void *data, size_t len,
                       unsigned char out[SHA256_LEN])
{
    EVP_MAC_CTX *mctx = NULL;
    OSSL_PARAM params[2];
    size_t out_len = 0;
    int rc = -1;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    mctx = EVP_MAC_CTX_new(mac);
    if (!mctx)
        goto out;
    if (EVP_MAC_init(mctx, key, key_len, params) != 1)
        goto out;
    if (EVP_MAC_update(mctx, data, len) != 1)
        goto out;
    if (EVP_MAC_final(mctx, out, &out_len, SHA256_LEN) != 1 || out_len != SHA256_LEN)
        goto out;
    rc = 0;
out:
    EVP_MAC_CTX_free(mctx);
    return rc;
}

/* Scope parts (region, service) and the key id end up between '/' and ',' in the Authorization value. */
static bool is_scope_part(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (!is_unreserved(c))
            return false;
    }
    return true;
}

static int append_scope(buf *out, const char *scope_date, const sigv4_params *params)
{
    return buf_printf(out, "%s/%s/%s/" SIGV4_TERMINATOR, scope_date, params->region, params->service);
}

/* ---- stage 1 pieces --------------------------------------------------- */

static bool valid_amz_date(const char *s, size_t n)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z')
        return false;
    for (size_t i = 0; i < 15; i++) {
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return false;
    }
    return true;
}

/* Sets amz_date and scope_date from the request's own X-Amz-Date, or from the injected clock. */
static int set_dates(sigv4_ctx *ctx, const request_has *has, time_t now, ia_err *err)
{
    struct tm tm;

    if (has->amz_date) {
        size_t n;
        const char *v = trim_value(has->amz_date, &n);

        if (!valid_amz_date(v, n))
            return err_set(err, IA_ERR_INTERNAL, "sigv4: the request's X-Amz-Date is not YYYYMMDDTHHMMSSZ");
        memcpy(ctx->amz_date, v, 16);
        ctx->amz_date[16] = '\0';
    } else {
        if (!gmtime_r(&now, &tm) || tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
            return err_set(err, IA_ERR_INTERNAL, "sigv4: signing time %lld is out of range", (long long)now);
        if (strftime(ctx->amz_date, sizeof(ctx->amz_date), "%Y%m%dT%H%M%SZ", &tm) != 16)
            return err_set(err, IA_ERR_INTERNAL, "sigv4: signing time %lld is out of range", (long long)now);
    }
    memcpy(ctx->scope_date, ctx->amz_date, 8);
    ctx->scope_date[8] = '\0';
    return 0;
}

static bool valid_header_name(const char *name)
{
    if (!name || !*name)
        return false;
    for (; *name; name++) {
        unsigned char c = (unsigned char)*name;

        if (c <= 0x20 || c >= 0x7f || c == ':')
            return false;
    }
    return true;
}

static bool is_skipped_header(const char *lname)
{
    for (size_t i = 0; i < sizeof(skipped_headers) / sizeof(skipped_headers[0]); i++) {
        if (strcmp(lname, skipped_headers[i]) == 0)
            return true;
    }
    return false;
}

/* Checks the caller's headers and notes the ones the signer would otherwise add. */
static int scan_request(const sigv4_request *req, request_has *has, ia_err *err)
{
    bool host = false;

    memset(has, 0, sizeof(*has));
    if (req->n_headers > 0 && !req->headers)
        return err_set(err, IA_ERR_INTERNAL, "sigv4: %zu headers but no header array", req->n_headers);
    for (size_t i = 0; i < req->n_headers; i++) {
        const sigv4_header *h = &req->headers[i];
        const char **slot = NULL;

        if (!valid_header_name(h->name))
            return err_set(err, IA_ERR_INTERNAL, "sigv4: header %zu has an empty or invalid name", i + 1);
        if (!h->value)
            return err_set(err, IA_ERR_INTERNAL, "sigv4: header %s has no value", h->name);
        if (str_ieq(h->name, "host"))
            host = true;
        else if (str_ieq(h->name, "authorization"))
            /* Signing a request that is already signed would send two Authorization headers. */
            return err_set(err, IA_ERR_INTERNAL, "sigv4: the request already carries Authorization");
        else if (str_ieq(h->name, "x-amz-date"))
            slot = &has->amz_date;
        else if (str_ieq(h->name, "x-amz-content-sha256"))
            slot = &has->content_sha256;
        else if (str_ieq(h->name, "x-amz-security-token"))
            slot = &has->security_token;
        if (slot) {
            if (*slot)
                return err_set(err, IA_ERR_INTERNAL, "sigv4: the request carries %s twice", h->name);
            *slot = h->value;
        }
    }
    if (!host)
        return err_set(err, IA_ERR_INTERNAL, "sigv4: the request has no Host header");
    return 0;
}

static bool has_token(const sigv4_params *params)
{
    return params->session_token && params->session_token[0] != '\0';
}

/* Compares a raw header value, ignoring surrounding whitespace, with s. */
static bool header_value_equals(const char *raw, const char *s)
{
    size_t n;

    raw = trim_value(raw, &n);
    return n == strlen(s) && memcmp(raw, s, n) == 0;
}

/*
 * The canonical path. The request path is what goes on the wire, so it is
 * URI-encoded once more ("double encoding", every service but S3): a wire
 * "%20" becomes "%2520". With normalisation, empty, "." and ".." segments go
 * first (RFC 3986 section 5.2.4 plus AWS's collapsing of repeated '/'); a
 * trailing '/' stays, as in botocore and aws-c-auth.
 */
static int append_canonical_path(buf *out, const char *path, bool normalize, ia_err *err)
{
    size_t len;
    size_t n_segs = 0;
    size_t *seg_start = NULL;
    size_t *seg_len = NULL;
    int rc = -1;

    if (!path || !*path) {
        rc = buf_putc(out, '/') == 0 ? 0 : err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
        goto out;
    }
    if (path[0] != '/') {
        err_set(err, IA_ERR_INTERNAL, "sigv4: the request path does not start with '/'");
        goto out;
    }
    len = strlen(path);
    if (!normalize) {
        if (sigv4_uri_encode(out, path, len, true) != 0) {
            err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
            goto out;
        }
        rc = 0;
        goto out;
    }

    /* At most one segment per byte; a stack of (start, length) pairs. */
    seg_start = calloc(len, sizeof(*seg_start));
    seg_len = calloc(len, sizeof(*seg_len));
    if (!seg_start || !seg_len) {
        err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
        goto out;
    }
    for (size_t i = 0; i < len;) {
        size_t j = i;

        while (j < len && path[j] != '/')
            j++;
        if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (n_segs > 0)
                n_segs--;
        } else if (j > i && !(j - i == 1 && path[i] == '.')) {
            seg_start[n_segs] = i;
            seg_len[n_segs] = j - i;
            n_segs++;
        }
        i = j + 1;
    }
    if (buf_putc(out, '/') != 0)
        goto nomem;
    for (size_t k = 0; k < n_segs; k++) {
        if (k > 0 && buf_putc(out, '/') != 0)
            goto nomem;
        if (sigv4_uri_encode(out, path + seg_start[k], seg_len[k], false) != 0)
            goto nomem;
    }
    if (n_segs > 0 && path[len - 1] == '/' && buf_putc(out, '/') != 0)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
out:
    free(seg_start);
    free(seg_len);
    return rc;
}

/*
 * Decodes %XX escapes of s[0..n) and URI-encodes the result, into a new
 * string. '+' is kept as a literal '+' (so it becomes %2B): AWS reads a query
 * as RFC 3986, not as an HTML form.
 */
static int reencode_query_part(const char *s, size_t n, char **out, ia_err *err)
{
    buf decoded = BUF_INIT;
    buf encoded = BUF_INIT;
    int rc = -1;

    *out = NULL;
    buf_init(&decoded, SIGV4_MAX_TEXT);
    buf_init(&encoded, SIGV4_MAX_TEXT);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            /* i + 2 < n: both hex digits are inside this part. */
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;

            if (hi < 0 || lo < 0) {
                err_set(err, IA_ERR_INTERNAL, "sigv4: the query string has a malformed %% escape");
                goto out;
            }
            c = (char)(unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (buf_putc(&decoded, c) != 0)
            goto nomem;
    }
    if (sigv4_uri_encode(&encoded, decoded.data ? decoded.data : "", decoded.len, false) != 0)
        goto nomem;
    *out = buf_detach(&encoded);
    if (!*out)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    err_set(err, IA_ERR_NOMEM, "sigv4: query string too large");
out:
    buf_free(&decoded);
    buf_free(&encoded);
    return rc;
}

static int cmp_query_param(const void *a, const void *b)
{
    const query_param *pa = a;
    const query_param *pb = b;
    int c = strcmp(pa->key, pb->key);

    return c != 0 ? c : strcmp(pa->value, pb->value);
}

/* The canonical query: each parameter decoded and re-encoded, sorted by key, then by value. */
static int append_canonical_query(buf *out, const char *query, ia_err *err)
{
    query_param *params = NULL;
    size_t n_params = 0;
    size_t max_params = 1;
    size_t len;
    int rc = -1;

    if (!query || !*query)
        return 0;
    len = strlen(query);
    for (size_t i = 0; i < len; i++) {
        if (query[i] == '&')
            max_params++;
    }
    params = calloc(max_params, sizeof(*params));
    if (!params)
        return err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
    for (size_t i = 0; i < len;) {
        size_t end = i;
        size_t eq;

        while (end < len && query[end] != '&')
            end++;
        if (end > i) {
            eq = i;
            while (eq < end && query[eq] != '=')
                eq++;
            if (reencode_query_part(query + i, eq - i, &params[n_params].key, err) != 0)
                goto out;
            n_params++;
            if (reencode_query_part(query + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0,
                                    &params[n_params - 1].value, err) != 0)
                goto out;
        }
        i = end + 1;
    }
    qsort(params, n_params, sizeof(*params), cmp_query_param);
    for (size_t k = 0; k < n_params; k++) {
        if (buf_printf(out, "%s%s=%s", k ? "&" : "", params[k].key, params[k].value) != 0) {
            err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
            goto out;
        }
    }
    rc = 0;
out:
    for (size_t k = 0; k < n_params; k++) {
        free(params[k].key);
        free(params[k].value);
    }
    free(params);
    return rc;
}

static int cmp_canon_header(const void *a, const void *b)
{
    const canon_header *ha = a;
    const canon_header *hb = b;
    int c = strcmp(ha->name, hb->name);

    if (c != 0)
        return c;
    return ha->seq < hb->seq ? -1 : (ha->seq > hb->seq ? 1 : 0);
}

/* Appends a header value trimmed, with each inner run of whitespace (folded lines too) as one space. */
static int append_trimmed_value(buf *out, const char *v)
{
    bool pending_space = false;

    while (is_header_space(*v))
        v++;
    for (; *v; v++) {
        if (is_header_space(*v)) {
            pending_space = true;
            continue;
        }
        if (pending_space && buf_putc(out, ' ') != 0)
            return -1;
        pending_space = false;
        if (buf_putc(out, *v) != 0)
            return -1;
    }
    return 0;
}

static char *lower_dup(const char *s)
{
    char *p = str_dup(s);

    for (char *q = p; q && *q; q++)
        *q = lower_ascii(*q);
    return p;
}

/*
 * Canonical headers and the signed-headers list. Headers the signer adds
 * (x-amz-date, x-amz-content-sha256, x-amz-security-token) join the request's
 * own, so all are sorted together; duplicates are joined with ',' in request
 * order.
 */
static int append_canonical_headers(sigv4_ctx *ctx, const sigv4_request *req, const sigv4_params *params,
                                    const request_has *has, const char *payload_hash, ia_err *err)
{
    canon_header *hs = NULL;
    size_t n = 0;
    size_t cap = req->n_headers + 3;
    int rc = -1;

    if (cap < req->n_headers) {
        err_set(err, IA_ERR_NOMEM, "sigv4: too many headers");
        goto out;
    }
    hs = calloc(cap, sizeof(*hs));
    if (!hs) {
        err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
        goto out;
    }
    for (size_t i = 0; i < req->n_headers; i++) {
        char *lname = lower_dup(req->headers[i].name);

        if (!lname) {
            err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
            goto out;
        }
        /* A token the caller put in the request is still the session token: omit_session_token applies. */
        if (is_skipped_header(lname) ||
            (params->omit_session_token && strcmp(lname, "x-amz-security-token") == 0)) {
            free(lname);
            continue;
        }
        hs[n].name = lname;
        hs[n].value = req->headers[i].value;
        hs[n].seq = i;
        n++;
    }
    if (!has->amz_date) {
        hs[n].name = str_dup("x-amz-date");
        hs[n].value = ctx->amz_date;
        hs[n].seq = req->n_headers + n;
        n++;
    }
    if (params->add_content_sha256 && !has->content_sha256) {
        hs[n].name = str_dup("x-amz-content-sha256");
        hs[n].value = payload_hash;
        hs[n].seq = req->n_headers + n;
        n++;
    }
    if (has_token(params) && !has->security_token && !params->omit_session_token) {
        hs[n].name = str_dup("x-amz-security-token");
        hs[n].value = params->session_token;
        hs[n].seq = req->n_headers + n;
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        if (!hs[i].name) {
            err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
            goto out;
        }
    }
    qsort(hs, n, sizeof(*hs), cmp_canon_header);
    for (size_t i = 0; i < n; i++) {
        bool first_of_name = i == 0 || strcmp(hs[i - 1].name, hs[i].name) != 0;
        bool last_of_name = i + 1 == n || strcmp(hs[i + 1].name, hs[i].name) != 0;

        if (first_of_name) {
            if (buf_printf(&ctx->canonical_request, "%s:", hs[i].name) != 0)
                goto nomem;
            if (ctx->signed_headers.len > 0 && buf_putc(&ctx->signed_headers, ';') != 0)
                goto nomem;
            if (buf_puts(&ctx->signed_headers, hs[i].name) != 0)
                goto nomem;
        } else if (buf_putc(&ctx->canonical_request, ',') != 0) {
            goto nomem;
        }
        if (append_trimmed_value(&ctx->canonical_request, hs[i].value) != 0)
            goto nomem;
        if (last_of_name && buf_putc(&ctx->canonical_request, '\n') != 0)
            goto nomem;
    }
    rc = 0;
    goto out;
nomem:
    err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
out:
    if (hs) {
        for (size_t i = 0; i < n; i++)
            free(hs[i].name);
    }
    free(hs);
    return rc;
}

/* ---- public stages ---------------------------------------------------- */

void sigv4_ctx_init(sigv4_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    buf_init(&ctx->canonical_request, SIGV4_MAX_TEXT);
    buf_init(&ctx->signed_headers, SIGV4_MAX_TEXT);
    buf_init(&ctx->string_to_sign, SIGV4_MAX_TEXT);
    buf_init(&ctx->authorization, SIGV4_MAX_TEXT);
}

void sigv4_ctx_clean_up(sigv4_ctx *ctx)
{
    if (!ctx)
        return;
    ctx_clear_added(ctx);
    buf_free_secret(&ctx->canonical_request);
    buf_free_secret(&ctx->signed_headers);
    buf_free_secret(&ctx->string_to_sign);
    buf_free_secret(&ctx->authorization);
    OPENSSL_cleanse(ctx, sizeof(*ctx));
    /* Leaves an empty ctx, so a second clean-up or a new signing is safe. */
    sigv4_ctx_init(ctx);
}

int sigv4_canonical_request(sigv4_ctx *ctx, const sigv4_request *req, const sigv4_params *params, ia_err *err)
{
    request_has has;
    char payload_hash[65];
    const char *hash = payload_hash;
    buf given_hash = BUF_INIT;
    int rc = -1;

    buf_init(&given_hash, SIGV4_MAX_TEXT);
    ctx_reset(ctx);
    if (!req || !params || !req->method || !*req->method) {
        err_set(err, IA_ERR_INTERNAL, "sigv4: no request or no method to sign");
        goto out;
    }
    if (req->body_len > 0 && !req->body) {
        err_set(err, IA_ERR_INTERNAL, "sigv4: body_len is %zu but the body is NULL", req->body_len);
        goto out;
    }
    if (scan_request(req, &has, err) != 0)
        goto out;
    if (has.security_token && has_token(params) &&
        !header_value_equals(has.security_token, params->session_token)) {
        /* Names only: the values are secrets. */
        err_set(err, IA_ERR_INTERNAL,
                "sigv4: the request's X-Amz-Security-Token differs from the session token");
        goto out;
    }
    if (set_dates(ctx, &has, params->now, err) != 0)
        goto out;
    if (has.content_sha256) {
        /* A caller-set x-amz-content-sha256 (e.g. UNSIGNED-PAYLOAD) is the payload hash it wants signed. */
        if (append_trimmed_value(&given_hash, has.content_sha256) != 0) {
            err_set(err, IA_ERR_NOMEM, "sigv4: x-amz-content-sha256 too large");
            goto out;
        }
        hash = buf_str(&given_hash);
    } else if (sha256_hex_checked(req->body, req->body_len, payload_hash, err) != 0) {
        goto out;
    }

    if (buf_printf(&ctx->canonical_request, "%s\n", req->method) != 0)
        goto nomem;
    if (append_canonical_path(&ctx->canonical_request, req->path, params->normalize_path, err) != 0)
        goto out;
    if (buf_putc(&ctx->canonical_request, '\n') != 0)
        goto nomem;
    if (append_canonical_query(&ctx->canonical_request, req->query, err) != 0)
        goto out;
    if (buf_putc(&ctx->canonical_request, '\n') != 0)
        goto nomem;
    if (append_canonical_headers(ctx, req, params, &has, hash, err) != 0)
        goto out;
    if (buf_printf(&ctx->canonical_request, "\n%s\n%s", buf_str(&ctx->signed_headers), hash) != 0)
        goto nomem;
    rc = 0;
    goto out;
nomem:
    err_set(err, IA_ERR_NOMEM, "sigv4: canonical request too large");
out:
    buf_free(&given_hash);
    if (rc != 0)
        ctx_reset(ctx);
    return rc;
}

int sigv4_string_to_sign(sigv4_ctx *ctx, const sigv4_params *params, ia_err *err)
{
    char creq_hash[65];

    buf_wipe(&ctx->string_to_sign);
    if (ctx->canonical_request.len == 0 || ctx->amz_date[0] == '\0')
        return err_set(err, IA_ERR_INTERNAL, "sigv4: string to sign asked for before the canonical request");
    if (!params || !is_scope_part(params->region) || !is_scope_part(params->service))
        return err_set(err, IA_ERR_INTERNAL, "sigv4: the region or service name is empty or invalid");
    if (sha256_hex_checked(ctx->canonical_request.data, ctx->canonical_request.len, creq_hash, err) != 0)
        return -1;
    if (buf_printf(&ctx->string_to_sign, SIGV4_ALGORITHM "\n%s\n", ctx->amz_date) != 0 ||
        append_scope(&ctx->string_to_sign, ctx->scope_date, params) != 0 ||
        buf_printf(&ctx->string_to_sign, "\n%s", creq_hash) != 0) {
        buf_wipe(&ctx->string_to_sign);
        return err_set(err, IA_ERR_NOMEM, "sigv4: string to sign too large");
    }
    return 0;
}

int sigv4_signature(sigv4_ctx *ctx, const sigv4_params *params, ia_err *err)
{
    EVP_MAC *mac = NULL;
    buf secret_key = BUF_INIT;
    unsigned char key[SHA256_LEN];
    unsigned char next[SHA256_LEN];
    unsigned char sig[SHA256_LEN];
    const char *steps[4];
    int rc = -1;

    OPENSSL_cleanse(ctx->signature, sizeof(ctx->signature));
    buf_wipe(&ctx->authorization);
    buf_init(&secret_key, SIGV4_MAX_TEXT);
    if (ctx->string_to_sign.len == 0) {
        err_set(err, IA_ERR_INTERNAL, "sigv4: signature asked for before the string to sign");
        goto out;
    }
    if (!params || !is_scope_part(params->region) || !is_scope_part(params->service)) {
        err_set(err, IA_ERR_INTERNAL, "sigv4: the region or service name is empty or invalid");
        goto out;
    }
    if (!is_scope_part(params->access_key_id)) {
        err_set(err, IA_ERR_CREDS, "sigv4: the access key id is empty or invalid");
        goto out;
    }
    if (!params->secret_access_key || !*params->secret_access_key) {
        err_set(err, IA_ERR_CREDS, "sigv4: the secret access key is empty");
        goto out;
    }
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac) {
        err_set(err, IA_ERR_INTERNAL, "sigv4: OpenSSL has no HMAC");
        goto out;
    }

    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
    if (buf_puts(&secret_key, "AWS4") != 0 || buf_puts(&secret_key, params->secret_access_key) != 0) {
        err_set(err, IA_ERR_NOMEM, "sigv4: secret access key too large");
        goto out;
    }
    steps[0] = ctx->scope_date;
    steps[1] = params->region;
    steps[2] = params->service;
    steps[3] = SIGV4_TERMINATOR;
    if (hmac_sha256(mac, (const unsigned char *)secret_key.data, secret_key.len, steps[0], strlen(steps[0]),
                    key) != 0)
        goto crypto;
    for (size_t i = 1; i < 4; i++) {
        if (hmac_sha256(mac, key, sizeof(key), steps[i], strlen(steps[i]), next) != 0)
            goto crypto;
        memcpy(key, next, sizeof(key));
    }
    if (hmac_sha256(mac, key, sizeof(key), ctx->string_to_sign.data, ctx->string_to_sign.len, sig) != 0)
        goto crypto;
    hex_lower(sig, sizeof(sig), ctx->signature);

    if (buf_printf(&ctx->authorization, SIGV4_ALGORITHM " Credential=%s/", params->access_key_id) != 0 ||
        append_scope(&ctx->authorization, ctx->scope_date, params) != 0 ||
        buf_printf(&ctx->authorization, ", SignedHeaders=%s, Signature=%s", buf_str(&ctx->signed_headers),
                   ctx->signature) != 0) {
        err_set(err, IA_ERR_NOMEM, "sigv4: Authorization value too large");
        goto out;
    }
    rc = 0;
    goto out;
crypto:
    err_set(err, IA_ERR_INTERNAL, "sigv4: OpenSSL HMAC-SHA256 failed");
out:
    if (rc != 0) {
        OPENSSL_cleanse(ctx->signature, sizeof(ctx->signature));
        buf_wipe(&ctx->authorization);
    }
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(next, sizeof(next));
    OPENSSL_cleanse(sig, sizeof(sig));
    buf_free_secret(&secret_key);
    EVP_MAC_free(mac);
    return rc;
}

static int add_header(sigv4_ctx *ctx, const char *name, const char *value)
{
    buf line = BUF_INIT;

    if (ctx->n_added >= SIGV4_MAX_ADDED_HEADERS)
        return -1;
    buf_init(&line, SIGV4_MAX_TEXT);
    if (buf_printf(&line, "%s: %s", name, value) != 0) {
        buf_free_secret(&line);
        return -1;
    }
    ctx->added[ctx->n_added] = buf_detach(&line);
    if (!ctx->added[ctx->n_added])
        return -1;
    ctx->n_added++;
    return 0;
}

int sigv4_sign(sigv4_ctx *ctx, const sigv4_request *req, const sigv4_params *params, ia_err *err)
{
    request_has has;
    const char *creq;
    const char *payload_hash;

    if (sigv4_canonical_request(ctx, req, params, err) != 0)
        return -1;
    if (sigv4_string_to_sign(ctx, params, err) != 0 || sigv4_signature(ctx, params, err) != 0) {
        ctx_reset(ctx);
        return -1;
    }
    /* Stage 1 already accepted the request, so this scan cannot fail. */
    if (scan_request(req, &has, err) != 0) {
        ctx_reset(ctx);
        return -1;
    }
    /* The payload hash is, by definition, the canonical request's last line. */
    creq = buf_str(&ctx->canonical_request);
    payload_hash = strrchr(creq, '\n');
    payload_hash = payload_hash ? payload_hash + 1 : creq;

    if ((!has.amz_date && add_header(ctx, "X-Amz-Date", ctx->amz_date) != 0) ||
        (params->add_content_sha256 && !has.content_sha256 &&
         add_header(ctx, "x-amz-content-sha256", payload_hash) != 0) ||
        (has_token(params) && !has.security_token &&
         add_header(ctx, "X-Amz-Security-Token", params->session_token) != 0) ||
        add_header(ctx, "Authorization", buf_str(&ctx->authorization)) != 0) {
        ctx_reset(ctx);
        return err_set(err, IA_ERR_NOMEM, "sigv4: out of memory");
    }
    return 0;
}
