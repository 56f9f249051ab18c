#include "aws/http.h"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cancel.h"
#include "util/str.h"
#include "version.h"

/*
 * A transfer slower than this for this long is given up (and retried, as a
 * time-out is): an answer that drips in would otherwise hold a worker for the
 * whole time-out. An AWS answer page is a few KB to a few hundred, sent at once.
 */
#define HTTP_LOW_SPEED_BYTES_PER_S 1024L
#define HTTP_LOW_SPEED_S           10L

/*
 * libcurl does not support sharing connections between threads that run at
 * once (CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT), so each thread keeps one
 * easy handle of its own, reused for every request it makes: that handle's
 * connection cache keeps its connections alive. DNS answers and TLS sessions,
 * which libcurl can share, are shared by all threads through the CURLSH.
 */
struct http_pool {
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    pthread_key_t handle_key; /* this thread's CURL easy handle */
    char *ca_bundle;          /* owned; NULL: the system's CA store */
    atomic_bool stopped;      /* http_pool_stop */
};

static void handle_free(void *handle)
{
    curl_easy_cleanup(handle);
}

/* This thread's easy handle, made on first use, reset to defaults (its connections stay open). */
static CURL *thread_handle(http_pool *pool)
{
    CURL *curl = pthread_getspecific(pool->handle_key);

    if (curl) {
        curl_easy_reset(curl);
        return curl;
    }
    curl = curl_easy_init();
    if (curl && pthread_setspecific(pool->handle_key, curl) != 0) {
        curl_easy_cleanup(curl);
        return NULL;
    }
    return curl;
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userp)
{
    http_pool *pool = userp;

    (void)handle;
    (void)access;
    pthread_mutex_lock(&pool->locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userp)
{
    http_pool *pool = userp;

    (void)handle;
    pthread_mutex_unlock(&pool->locks[data]);
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int http_pool_new(http_pool **out, const char *ca_bundle, ia_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    http_pool *pool;

    /* curl_global_init is not thread-safe; do it once, before any worker starts. */
    pthread_once(&once, global_init);
    pool = calloc(1, sizeof(*pool));
    if (!pool)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&pool->locks[i], NULL);
    if (pthread_key_create(&pool->handle_key, handle_free) != 0) {
        free(pool);
        return err_set(err, IA_ERR_NOMEM, "cannot create the connection pool");
    }
    pool->share = curl_share_init();
    if (!pool->share) {
        http_pool_free(pool);
        return err_set(err, IA_ERR_NOMEM, "cannot create the connection pool");
    }
    curl_share_setopt(pool->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(pool->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(pool->share, CURLSHOPT_USERDATA, pool);
    curl_share_setopt(pool->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(pool->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (ca_bundle && *ca_bundle) {
        pool->ca_bundle = str_dup(ca_bundle);
        if (!pool->ca_bundle) {
            http_pool_free(pool);
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        }
    }
    *out = pool;
    return 0;
}

void http_pool_free(http_pool *pool)
{
    CURL *mine;

    if (!pool)
        return;
    /* Worker threads' handles went with their threads; the calling thread's goes now, before the share. */
    mine = pthread_getspecific(pool->handle_key);
    if (mine) {
        pthread_setspecific(pool->handle_key, NULL);
        curl_easy_cleanup(mine);
    }
    pthread_key_delete(pool->handle_key);
    if (pool->share)
        curl_share_cleanup(pool->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&pool->locks[i]);
    free(pool->ca_bundle);
    free(pool);
}

void http_response_init(http_response *resp, size_t max_body)
{
    memset(resp, 0, sizeof(*resp));
    buf_init(&resp->body, max_body);
}

void http_response_clean_up(http_response *resp)
{
    /* Wiped: an answer may hold credentials (AssumeRole, instance metadata). */
    if (resp)
        buf_free_secret(&resp->body);
}

struct transfer {
    http_response *resp;
    int too_large;
    http_pool *pool;
    bool finish; /* a change: runs to its end */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;
    size_t n = size * nmemb;

    if (buf_append(&t->resp->body, data, n) != 0) {
        t->too_large = 1;
        return 0;
    }
    return n;
}

/* Copies the value of header line "Name: value\r\n" into dst if its name is name. */
static void take_header(const char *line, size_t len, const char *name, char *dst, size_t size)
{
    size_t nlen = strlen(name);
    size_t start, end;

    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return;
    start = nlen + 1;
    while (start < len && (line[start] == ' ' || line[start] == '\t'))
        start++;
    end = len;
    while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' '))
        end--;
    if (end - start >= size)
        end = start + size - 1;
    memcpy(dst, line + start, end - start);
    dst[end - start] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;
    size_t n = size * nmemb;

    take_header(data, n, "x-amzn-RequestId", t->resp->request_id, sizeof(t->resp->request_id));
    if (!t->resp->request_id[0])
        take_header(data, n, "x-amz-request-id", t->resp->request_id, sizeof(t->resp->request_id));
    take_header(data, n, "x-amzn-ErrorType", t->resp->error_type, sizeof(t->resp->error_type));
    return n;
}

static bool pool_stopped(http_pool *pool)
{
    return cancel_requested() || atomic_load(&pool->stopped);
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const struct transfer *t = userp;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return !t->finish && pool_stopped(t->pool) ? 1 : 0;
}

void http_pool_stop(http_pool *pool)
{
    atomic_store(&pool->stopped, true);
}

/* Transient transport failures: worth another attempt (the SDKs retry these too). */
static int transport_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return 1;
    default: return 0;
    }
}

/*
 * A certificate libcurl refused, said so that the user knows what to fix: the
 * host, why (its CA is not trusted, it has expired, it is for another host),
 * and for an unknown CA which CAs were trusted. Never retried: another
 * attempt meets the same certificate.
 */
static void tls_refused(CURL *curl, CURLcode rc, const char *ca_bundle, const char *host, ia_err *err)
{
    const char *system_store = NULL;
    char store[300];
    long verify = X509_V_OK;

    if (!ca_bundle)
        curl_easy_getinfo(curl, CURLINFO_CAINFO, &system_store);
    snprintf(store, sizeof(store), "%s %s", ca_bundle ? "the CA bundle" : "the system's CA store",
             ca_bundle ? ca_bundle : (system_store ? system_store : "(libcurl's default)"));
    if (rc == CURLE_SSL_CACERT_BADFILE) {
        err_set(err, IA_ERR_TRANSPORT, "TLS: cannot read %s", store);
        return;
    }
    curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &verify);
    switch (verify) {
    /*
     * OpenSSL accepted the chain, and libcurl's own name check, which runs
     * after it, refused the certificate: that check leaves no code of its own
     * (the result stays 0, or is 1 as libcurl 7.88 sets it).
     */
    case X509_V_OK:
    case X509_V_ERR_UNSPECIFIED:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        err_set(err, IA_ERR_TRANSPORT,
                "TLS: certificate of %s refused: hostname mismatch (it is for other names)", host);
        break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        err_set(err, IA_ERR_TRANSPORT, "TLS: certificate of %s not trusted (%s): its CA is not in %s", host,
                X509_verify_cert_error_string(verify), store);
        break;
    default:
        err_set(err, IA_ERR_TRANSPORT, "TLS: certificate of %s refused: %s", host,
                X509_verify_cert_error_string(verify));
    }
}

/* "https://host:port/path" -> "host:port", for error messages that must not carry more. */
static void url_host(const char *url, char *dst, size_t size)
{
    const char *p = strstr(url, "://");
    size_t n;

    p = p ? p + 3 : url;
    n = strcspn(p, "/?#");
    if (n >= size)
        n = size - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

int http_perform(http_pool *pool, const http_request *req, http_response *resp, ia_err *err)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct transfer t = {resp, 0, pool, req->change};
    struct curl_slist *headers = NULL;
    char host[256];
    CURL *curl = NULL;
    CURLcode rc;
    int ret = -1;

    buf_reset(&resp->body);
    resp->status = 0;
    resp->request_id[0] = '\0';
    resp->error_type[0] = '\0';
    url_host(req->url, host, sizeof(host));
    if (pool_stopped(pool))
        return err_set(err, IA_ERR_CANCELLED, "interrupted");
    curl = thread_handle(pool);
    if (!curl)
        return err_set(err, IA_ERR_NOMEM, "cannot create an HTTP handle");
    for (size_t i = 0; i < req->n_headers; i++) {
        struct curl_slist *next = curl_slist_append(headers, req->headers[i]);

        if (!next) {
            err_set(err, IA_ERR_NOMEM, "out of memory");
            goto out;
        }
        headers = next;
    }
    /* curl adds "Expect: 100-continue" to larger POSTs; it is not signed and costs a round trip. */
    headers = curl_slist_append(headers, "Expect:");
    if (!headers) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    curl_easy_setopt(curl, CURLOPT_SHARE, pool->share);
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "imgaudit/" IMGAUDIT_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    /* Set for every transfer: the handle is the thread's, and keeps what the last one set. */
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, req->change ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (pool->ca_bundle) {
        /* That file alone, as the SDKs trust it: not also the system's hashed certificate directory. */
        curl_easy_setopt(curl, CURLOPT_CAINFO, pool->ca_bundle);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms ? req->connect_timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : 60000L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES_PER_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_S);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);

    rc = curl_easy_perform(curl);
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        err_set(err, IA_ERR_CANCELLED, "interrupted");
        goto out;
    }
    if (rc == CURLE_WRITE_ERROR && t.too_large) {
        err_set(err, IA_ERR_PROTOCOL, "%s: answer larger than %zu bytes", host, resp->body.max);
        goto out;
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
        tls_refused(curl, rc, pool->ca_bundle, host, err);
        err->retryable = false;
        goto out;
    }
    if (rc != CURLE_OK) {
        err_set(err, IA_ERR_TRANSPORT, "%s: %s", host, curl_err[0] ? curl_err : curl_easy_strerror(rc));
        err->retryable = transport_retryable(rc);
        goto out;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    ret = 0;
out:
    /* The list carries the signature and the session token. */
    for (struct curl_slist *h = headers; h; h = h->next)
        memset(h->data, 0, strlen(h->data));
    curl_slist_free_all(headers);
    return ret;
}
