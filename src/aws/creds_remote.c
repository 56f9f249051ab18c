/*
 * Credentials over HTTP from the machine the program runs on: a container's
 * credentials endpoint (ECS, EKS Pod Identity) and EC2 instance metadata
 * (IMDSv2). Both answer with a JSON credential document.
 */
#include "aws/creds_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    http_request req = {method, url, headers, n_headers, NULL, 0, timeout_ms, timeout_ms};
    http_response resp;
    int rc = -1;

    http_response_init(&resp, 64 * 1024);
    if (http_perform(aws_client_http_pool(c), &req, &resp, err) != 0)
        goto out;
    if (resp.status != 200) {
        err_set(err, IA_ERR_CREDS, "%s %s answered HTTP %ld", method, url, resp.status);
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
    if (token.len) {
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

static int imds_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    metadata_ctx *m = ctx;
    const char *put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
    char url[2048], header[4096];
    const char *get_headers[1];
    buf token, body;
    int rc = -1;

    buf_init(&token, 4096);
    buf_init(&body, 64 * 1024);
    /* IMDSv2: a session token first, then every GET carries it. 1 s time-outs, as the SDKs use. */
    snprintf(url, sizeof(url), "%s/latest/api/token", m->url);
    if (http_get(m->client, "PUT", url, put_headers, 1, 1000, &token, err) != 0)
        goto out;
    snprintf(header, sizeof(header), "X-aws-ec2-metadata-token: %s", str_trim(token.data));
    get_headers[0] = header;
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/", m->url);
    if (http_get(m->client, "GET", url, get_headers, 1, 1000, &body, err) != 0)
        goto out;
    str_trim(body.data);
    if (!body.data[0] || strchr(body.data, '/') || strchr(body.data, '\n')) {
        err_set(err, IA_ERR_CREDS, "instance metadata lists no usable IAM role");
        goto out;
    }
    snprintf(url, sizeof(url), "%s/latest/meta-data/iam/security-credentials/%s", m->url, body.data);
    if (http_get(m->client, "GET", url, get_headers, 1, 1000, &body, err) != 0)
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

/* The SDKs only send the container token to loopback hosts, the ECS/EKS link-local hosts, or over HTTPS. */
static bool container_host_allowed(const char *url)
{
    static const char *const allowed[] = {"http://127.",
                                          "http://localhost",
                                          "http://[::1]",
                                          "http://169.254.170.2",
                                          "http://169.254.170.23",
                                          "http://[fd00:ec2::23]",
                                          NULL};

    if (str_starts_with(url, "https://"))
        return true;
    for (size_t i = 0; allowed[i]; i++) {
        if (str_starts_with(url, allowed[i]))
            return true;
    }
    return false;
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
        if (!container_host_allowed(full)) {
            metadata_free(m);
            buf_free(&url);
            return err_set(err, IA_ERR_INPUT,
                           "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback or ECS/EKS host");
        }
        if (buf_puts(&url, full) != 0)
            goto nomem;
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
