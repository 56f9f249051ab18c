/*
 * Credentials over HTTP from the machine the program runs on: a container's
 * credentials endpoint (ECS, EKS Pod Identity) and EC2 instance metadata
 * (IMDSv2). Both answer with a JSON credential document.
 */
#include "aws/creds_int.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "aws/client.h"
#include "aws/http.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"

typedef struct metadata_ctx {
    aws_client *client;
    char *url;        /* container: the credentials URL; IMDS: the base endpoint */
    char *auth_token; /* container: AWS_CONTAINER_AUTHORIZATION_TOKEN */
    char *auth_file;  /* container: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE */
    bool imds;
} metadata_ctx;

static int http_get(aws_client *c, const char *method, const char *url, const char *const *headers,
                    size_t n_headers, long timeout_ms, buf *out, ia_err *err)
{
    http_request req = {method, url, headers, n_headers, NULL, 0, timeout_ms, timeout_ms, false};
    http_response resp;
    int rc = -1;

    http_response_init(&resp, 64 * 1024);
    if (http_perform(aws_client_http_pool(c), &req, &resp, err) != 0)
        goto out;
    if (resp.status != 200) {
        /* Not the URL: a full URI may carry a token in its path or query. */
        err_set(err, IA_ERR_CREDS, "%s answered HTTP %ld", method, resp.status);
        err->http_status = resp.status;
        goto out;
    }
    buf_reset(out);
    if (buf_append(out, resp.body.data ? resp.body.data : "", resp.body.len) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    buf_free_secret(&resp.body);
    http_response_clean_up(&resp);
    return rc;
}

static int container_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    metadata_ctx *m = ctx;
    char header[8192];
    const char *headers[1];
    size_t n_headers = 0;
    buf token, body;
    int rc = -1;

    buf_init(&token, 16 * 1024);
    buf_init(&body, 64 * 1024);
    if (m->auth_file) {
        if (file_read_all(m->auth_file, &token, err) != 0) {
            err->kind = IA_ERR_CREDS;
            goto out;
        }
        str_trim(token.data);
    } else if (m->auth_token && buf_puts(&token, m->auth_token) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* A line break would end the header and start another one of the token's making. */
    if (strpbrk(buf_str(&token), "\r\n")) {
        err_set(err, IA_ERR_CREDS, "the container authorization token (%s) holds a line break",
                m->auth_file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
                             : "AWS_CONTAINER_AUTHORIZATION_TOKEN");
        goto out;
    }
    if (buf_str(&token)[0]) {
        snprintf(header, sizeof(header), "Authorization: %s", buf_str(&token));
        headers[n_headers++] = header;
    }
    if (http_get(m->client, "GET", m->url, headers, n_headers, 2000, &body, err) != 0)
        goto out;
    rc = creds_from_json(buf_str(&body), body.len, "the container credentials endpoint", out, err);
out:
    memset(header, 0, sizeof(header));
    buf_free_secret(&token);
    buf_free_secret(&body);
    return rc;
}

/*
 * The time-out of each instance metadata request: AWS_METADATA_SERVICE_TIMEOUT
 * seconds (1 to 60), as botocore reads it, else the SDKs' 1 s.
 */
static long imds_timeout_ms(void)
{
    const char *env = getenv("AWS_METADATA_SERVICE_TIMEOUT");
    long s;

    return env && str_to_long(env, 1, 60, &s) ? s * 1000 : 1000;
}

static int imds_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    metadata_ctx *m = ctx;
    const char *put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
    char url[2048], header[4096];
    const char *get_headers[1];
    buf token, body;
    long timeout_ms = imds_timeout_ms();
    int rc = -1;

    buf_init(&token, 4096);
    buf_init(&body, 64 * 1024);
    /* IMDSv2: a session token first, then every GET carries it. 1 s time-outs unless set, as the SDKs. */
    snprintf(url, sizeof(url), "%s/latest/api/token", m->url);
    if (http_get(m->client, "PUT", url, put_headers, 1, timeout_ms, &token, err) != 0)
        goto out;
    snprintf(header, sizeof(header), "X-aws-ec2-metadata-token: %s", str_trim(token.data));
    get_headers[0] = header;
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/", m->url);
    if (http_get(m->client, "GET", url, get_headers, 1, timeout_ms, &body, err) != 0)
        goto out;
    str_trim(body.data);
    if (!body.data[0] || strchr(body.data, '/') || strchr(body.data, '\n')) {
        err_set(err, IA_ERR_CREDS, "instance metadata lists no usable IAM role");
        goto out;
    }
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/%s", m->url, body.data);
    if (http_get(m->client, "GET", url, get_headers, 1, timeout_ms, &body, err) != 0)
        goto out;
    rc = creds_from_json(buf_str(&body), body.len, "instance metadata", out, err);
out:
    memset(header, 0, sizeof(header));
    buf_free_secret(&token);
    buf_free_secret(&body);
    return rc;
}

static void metadata_free(void *ctx)
{
    metadata_ctx *m = ctx;

    if (!m)
        return;
    free(m->url);
    str_free_secret(m->auth_token);
    free(m->auth_file);
    free(m);
}

/* The ECS agent's and the EKS Pod Identity agent's addresses: the only hosts besides loopback that the
 * SDKs send the container token to over plain http. */
static const char *const agent_addresses[] = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23"};

static bool address_allowed(const struct addrinfo *ai)
{
    unsigned char agent[sizeof(struct in6_addr)];
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    const void *addr;
    size_t len;

    if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(v4)) {
        memcpy(&v4, ai->ai_addr, sizeof(v4));
        if ((ntohl(v4.sin_addr.s_addr) >> 24) == 127)
            return true;
        addr = &v4.sin_addr;
        len = sizeof(v4.sin_addr);
    } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(v6)) {
        memcpy(&v6, ai->ai_addr, sizeof(v6));
        if (IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr))
            return true;
        addr = &v6.sin6_addr;
        len = sizeof(v6.sin6_addr);
    } else {
        return false;
    }
    for (size_t i = 0; i < sizeof(agent_addresses) / sizeof(agent_addresses[0]); i++) {
        if (inet_pton(ai->ai_family, agent_addresses[i], agent) == 1 && memcmp(agent, addr, len) == 0)
            return true;
    }
    return false;
}

/* Whether every address host (as libcurl gives it: IPv6 in brackets) resolves to is allowed. */
static int host_check(const char *var, const char *host, ia_err *err)
{
    struct addrinfo hints, *res = NULL;
    char name[256];
    size_t n = strlen(host);
    bool allowed = true;
    int gai;

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n >= sizeof(name))
        return err_set(err, IA_ERR_CREDS, "%s: the host name is too long", var);
    memcpy(name, host, n);
    name[n] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    gai = getaddrinfo(name, NULL, &hints, &res);
    if (gai != 0)
        return err_set(err, IA_ERR_CREDS, "%s: host '%s' cannot be resolved (%s)", var, name,
                       gai_strerror(gai));
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
        allowed = allowed && address_allowed(ai);
    freeaddrinfo(res);
    if (!allowed)
        return err_set(err, IA_ERR_CREDS,
                       "%s must be https or a loopback or ECS/EKS host: '%s' is not (the authorization token "
                       "would travel in clear)",
                       var, name);
    return 0;
}

/*
 * Whether url may be sent the container authorization token, as the SDKs
 * decide: https to any host; http only when every address of the host is
 * loopback or an ECS/EKS agent's. A user name or password in the URL is
 * refused: "http://127.0.0.1@other/" goes to other. The URL is parsed by
 * libcurl, the parser that sends the request, so both see the same host. The
 * host is resolved here, once, as the SDKs do; a name whose DNS answers change
 * before the request is not guarded against (nor is it in the SDKs). var
 * names the URL's origin in errors; the URL itself is never printed.
 */
static int container_url_check(const char *var, const char *url, ia_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL;
    int rc = -1;

    if (!u)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        err_set(err, IA_ERR_CREDS, "%s is not a URL", var);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK) {
        err_set(err, IA_ERR_CREDS, "%s must not hold a user name or password", var);
        goto out;
    }
    if (strcmp(scheme, "https") == 0)
        rc = 0;
    else if (strcmp(scheme, "http") == 0)
        rc = host_check(var, host, err);
    else
        err_set(err, IA_ERR_CREDS, "%s must be an http or https URL", var);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_url_cleanup(u);
    return rc;
}

int creds_container_new(creds_provider **out, aws_client *client, ia_err *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *token = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *token_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    metadata_ctx *m = calloc(1, sizeof(*m));
    buf url;

    if (!m)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    buf_init(&url, 4096);
    if (rel && *rel) {
        if (buf_printf(&url, "http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel) != 0)
            goto nomem;
    } else {
        if (buf_puts(&url, full) != 0)
            goto nomem;
    }
    if (container_url_check(rel && *rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
                                        : "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                            buf_str(&url), err) != 0) {
        metadata_free(m);
        buf_free(&url);
        return -1;
    }
    m->client = client;
    m->url = buf_detach(&url);
    m->auth_token = token && *token ? str_dup(token) : NULL;
    m->auth_file = token_file && *token_file ? str_dup(token_file) : NULL;
    if (!m->url)
        goto nomem;
    return creds_provider_new(out, "container credentials", container_fetch, m, metadata_free, err);
nomem:
    metadata_free(m);
    buf_free(&url);
    return err_set(err, IA_ERR_NOMEM, "out of memory");
}

int creds_imds_new(creds_provider **out, aws_client *client, ia_err *err)
{
    const char *endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    metadata_ctx *m = calloc(1, sizeof(*m));
    size_t n;

    if (!m)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    m->client = client;
    m->imds = true;
    m->url = str_dup(endpoint && *endpoint ? endpoint : "http://169.254.169.254");
    if (!m->url) {
        metadata_free(m);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    n = strlen(m->url);
    while (n > 0 && m->url[n - 1] == '/')
        m->url[--n] = '\0';
    return creds_provider_new(out, "EC2 instance metadata", imds_fetch, m, metadata_free, err);
}
