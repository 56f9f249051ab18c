#include "aws/creds.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/http.h"
#include "aws/sts.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* Temporary credentials are renewed this long before they expire (the SDKs' advisory refresh window). */
#define REFRESH_BEFORE_S  300
#define MAX_PROFILE_CHAIN 10
/* Credentials this close to expiring are not used even when a refresh failed: a request signed with them
 * could arrive after they expired. */
#define EXPIRY_MARGIN_S 60

typedef int (*fetch_fn)(void *ctx, aws_creds *out, ia_err *err);

struct creds_provider {
    pthread_mutex_t lock;
    aws_creds cached;
    bool have;
    char *description; /* owned */
    fetch_fn fetch;
    void (*free_ctx)(void *ctx);
    void *ctx;
};

void creds_clean_up(aws_creds *c)
{
    if (!c)
        return;
    free(c->access_key_id);
    str_free_secret(c->secret_access_key);
    str_free_secret(c->session_token);
    memset(c, 0, sizeof(*c));
}

int creds_copy(aws_creds *dst, const aws_creds *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->access_key_id = str_dup(src->access_key_id);
    dst->secret_access_key = str_dup(src->secret_access_key);
    dst->session_token = str_dup(src->session_token);
    dst->expiration = src->expiration;
    if (!dst->access_key_id || !dst->secret_access_key || (src->session_token && !dst->session_token)) {
        creds_clean_up(dst);
        return -1;
    }
    return 0;
}

static int provider_new(creds_provider **out, const char *description, fetch_fn fetch, void *ctx,
                        void (*free_ctx)(void *), ia_err *err)
{
    creds_provider *p = calloc(1, sizeof(*p));

    if (!p || !(p->description = str_dup(description))) {
        free(p);
        if (free_ctx)
            free_ctx(ctx);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    p->fetch = fetch;
    p->ctx = ctx;
    p->free_ctx = free_ctx;
    *out = p;
    return 0;
}

void creds_provider_free(creds_provider *p)
{
    if (!p)
        return;
    if (p->free_ctx)
        p->free_ctx(p->ctx);
    creds_clean_up(&p->cached);
    pthread_mutex_destroy(&p->lock);
    free(p->description);
    free(p);
}

const char *creds_describe(const creds_provider *p)
{
    return p->description;
}

int creds_get(creds_provider *p, aws_creds *out, ia_err *err)
{
    time_t now = time(NULL);
    int rc = -1;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&p->lock);
    if (!p->have || (p->cached.expiration && now >= p->cached.expiration - REFRESH_BEFORE_S)) {
        aws_creds fresh = {0};
        ia_err why;

        err_clear(&why);
        if (p->fetch(p->ctx, &fresh, &why) == 0) {
            creds_clean_up(&p->cached);
            p->cached = fresh;
            p->have = true;
        } else if (p->have && p->cached.expiration > now + EXPIRY_MARGIN_S) {
            /* Still valid for a while: keep using them and try again on the next call. */
            log_warn("%s: refreshing credentials failed (%s); using the current ones until they expire",
                     p->description, why.aws_code[0] ? why.aws_code : err_kind_name(why.kind));
        } else {
            *err = why;
            /* STS answers already name the role; other failures need the source named. */
            if (err->kind != IA_ERR_CANCELLED && err->kind != IA_ERR_INPUT && err->kind != IA_ERR_AWS)
                err_prefix(err, "credentials from %s", p->description);
            goto out;
        }
    }
    if (creds_copy(out, &p->cached) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* ---- static ---- */

static int static_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    if (creds_copy(out, ctx) != 0)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    return 0;
}

static void static_free(void *ctx)
{
    creds_clean_up(ctx);
    free(ctx);
}

int creds_static_new(creds_provider **out, const aws_creds *c, const char *description, ia_err *err)
{
    aws_creds *copy = calloc(1, sizeof(*copy));

    if (!copy || creds_copy(copy, c) != 0) {
        free(copy);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    return provider_new(out, description, static_fetch, copy, static_free, err);
}

/* ---- AssumeRole ---- */

typedef struct role_ctx {
    aws_client *client;
    creds_provider *source;
    bool owns_source;
    char *role_arn, *external_id, *session_name, *region;
    int duration_seconds;
} role_ctx;

static int role_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    role_ctx *r = ctx;

    return sts_assume_role(r->client, r->source, r->region, r->role_arn, r->session_name, r->external_id,
                           r->duration_seconds, out, err);
}

static void role_free(void *ctx)
{
    role_ctx *r = ctx;

    if (!r)
        return;
    if (r->owns_source)
        creds_provider_free(r->source);
    free(r->role_arn);
    free(r->external_id);
    free(r->session_name);
    free(r->region);
    free(r);
}

static int role_new(creds_provider **out, aws_client *client, creds_provider *source, bool owns_source,
                    const creds_role_options *opt, ia_err *err)
{
    role_ctx *r = calloc(1, sizeof(*r));
    char desc[2200];

    if (!r) {
        if (owns_source)
            creds_provider_free(source);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    r->client = client;
    r->source = source;
    r->owns_source = owns_source;
    r->role_arn = str_dup(opt->role_arn);
    r->external_id = str_dup(opt->external_id);
    r->session_name = str_dup(opt->session_name ? opt->session_name : "imgaudit");
    r->region = str_dup(opt->region ? opt->region : "us-east-1");
    r->duration_seconds = opt->duration_seconds > 0 ? opt->duration_seconds : 3600;
    if (!r->role_arn || !r->session_name || !r->region || (opt->external_id && !r->external_id)) {
        role_free(r);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    snprintf(desc, sizeof(desc), "assume role %s", opt->role_arn);
    return provider_new(out, desc, role_fetch, r, role_free, err);
}

int creds_assume_role_new(creds_provider **out, aws_client *client, creds_provider *source,
                          const creds_role_options *opt, ia_err *err)
{
    return role_new(out, client, source, false, opt, err);
}

/* ---- web identity ---- */

typedef struct web_ctx {
    aws_client *client;
    char *token_file, *role_arn, *session_name, *region;
} web_ctx;

static int web_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    web_ctx *w = ctx;
    buf token;
    int rc;

    /* Read the token each time: the platform rotates it. */
    buf_init(&token, 64 * 1024);
    if (file_read_all(w->token_file, &token, err) != 0) {
        buf_free(&token);
        err->kind = IA_ERR_CREDS;
        return err_prefix(err, "web identity token file");
    }
    rc = sts_assume_role_with_web_identity(w->client, w->region, w->role_arn, w->session_name,
                                           str_trim(token.data), 0, out, err);
    buf_free_secret(&token);
    return rc;
}

static void web_free(void *ctx)
{
    web_ctx *w = ctx;

    if (!w)
        return;
    free(w->token_file);
    free(w->role_arn);
    free(w->session_name);
    free(w->region);
    free(w);
}

static int web_new(creds_provider **out, aws_client *client, const char *token_file, const char *role_arn,
                   const char *session_name, const char *region, ia_err *err)
{
    web_ctx *w = calloc(1, sizeof(*w));
    char desc[2200];

    if (!w)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    w->client = client;
    w->token_file = str_dup(token_file);
    w->role_arn = str_dup(role_arn);
    w->session_name = str_dup(session_name && *session_name ? session_name : "imgaudit");
    w->region = str_dup(region ? region : "us-east-1");
    if (!w->token_file || !w->role_arn || !w->session_name || !w->region) {
        web_free(w);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    snprintf(desc, sizeof(desc), "web identity for %s", role_arn);
    return provider_new(out, desc, web_fetch, w, web_free, err);
}

/* ---- JSON credential documents (credential_process, container, IMDS) ---- */

/* Reads AccessKeyId/SecretAccessKey/(SessionToken|Token)/Expiration from a JSON document. */
static int creds_from_json(const char *text, size_t len, const char *source, aws_creds *out, ia_err *err)
{
    cJSON *doc = cJSON_ParseWithLength(text, len);
    const cJSON *akid, *secret, *token, *exp;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(doc)) {
        err_set(err, IA_ERR_CREDS, "%s did not give a JSON object", source);
        goto out;
    }
    akid = cJSON_GetObjectItemCaseSensitive(doc, "AccessKeyId");
    secret = cJSON_GetObjectItemCaseSensitive(doc, "SecretAccessKey");
    token = cJSON_GetObjectItemCaseSensitive(doc, "SessionToken");
    if (!cJSON_IsString(token))
        token = cJSON_GetObjectItemCaseSensitive(doc, "Token");
    exp = cJSON_GetObjectItemCaseSensitive(doc, "Expiration");
    if (!cJSON_IsString(akid) || !cJSON_IsString(secret)) {
        err_set(err, IA_ERR_CREDS, "%s did not give AccessKeyId and SecretAccessKey", source);
        goto out;
    }
    if (cJSON_IsString(exp) && !timefmt_parse(exp->valuestring, &out->expiration)) {
        err_set(err, IA_ERR_CREDS, "%s gave an Expiration that is not an ISO-8601 time", source);
        goto out;
    }
    out->access_key_id = str_dup(akid->valuestring);
    out->secret_access_key = str_dup(secret->valuestring);
    out->session_token = cJSON_IsString(token) ? str_dup(token->valuestring) : NULL;
    if (!out->access_key_id || !out->secret_access_key) {
        creds_clean_up(out);
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    /* The parsed tree holds the secrets too. */
    if (cJSON_IsObject(doc)) {
        static const char *const secret_keys[] = {"SecretAccessKey", "SessionToken", "Token", NULL};

        for (size_t i = 0; secret_keys[i]; i++) {
            cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, secret_keys[i]);

            if (cJSON_IsString(s))
                memset(s->valuestring, 0, strlen(s->valuestring));
        }
    }
    cJSON_Delete(doc);
    return rc;
}

/* ---- credential_process ---- */

static int process_fetch(void *ctx, aws_creds *out, ia_err *err)
{
    const char *command = ctx;
    char chunk[4096];
    buf output;
    FILE *fp;
    size_t n;
    int status, rc = -1;

    buf_init(&output, 64 * 1024);
    fflush(NULL);
    fp = popen(command, "r");
    if (!fp)
        return err_set(err, IA_ERR_CREDS, "credential_process could not be started");
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (buf_append(&output, chunk, n) != 0)
            break;
    }
    memset(chunk, 0, sizeof(chunk));
    status = pclose(fp);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(err, IA_ERR_CREDS, "credential_process exited with status %d",
                status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        goto out;
    }
    if (output.len >= output.max) {
        err_set(err, IA_ERR_CREDS, "credential_process wrote more than %zu bytes", output.max);
        goto out;
    }
    rc = creds_from_json(buf_str(&output), output.len, "credential_process", out, err);
out:
    buf_free_secret(&output);
    return rc;
}

/* ---- container and instance metadata (HTTP GET of a JSON document) ---- */

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

static int container_new(creds_provider **out, aws_client *client, ia_err *err)
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
    return provider_new(out, "container credentials", container_fetch, m, metadata_free, err);
nomem:
    metadata_free(m);
    buf_free(&url);
    return err_set(err, IA_ERR_NOMEM, "out of memory");
}

static int imds_new(creds_provider **out, aws_client *client, ia_err *err)
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
    return provider_new(out, "EC2 instance metadata", imds_fetch, m, metadata_free, err);
}

/* ---- the chain ---- */

static bool env_true(const char *name)
{
    const char *v = getenv(name);

    return v && str_ieq(v, "true");
}

static int env_provider(creds_provider **out, ia_err *err)
{
    const char *akid = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    aws_creds c = {0};

    *out = NULL;
    if (!akid || !*akid)
        return 0;
    if (!secret || !*secret)
        return err_set(err, IA_ERR_CREDS, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    c.access_key_id = (char *)akid;
    c.secret_access_key = (char *)secret;
    c.session_token = token && *token ? (char *)token : NULL;
    return creds_static_new(out, &c, "environment variables", err);
}

typedef struct chain_req {
    aws_client *client;
    const awscfg *cfg;
    const char *region;
} chain_req;

static int profile_provider(const chain_req *q, const char *profile, int depth, creds_provider **out,
                            ia_err *err);

/* credential_source = Environment | Ec2InstanceMetadata | EcsContainer */
static int credential_source(const chain_req *q, const char *profile, const char *source,
                             creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (strcmp(source, "Environment") == 0) {
        if (env_provider(out, err) != 0)
            return -1;
        if (!*out)
            return err_set(err, IA_ERR_CREDS,
                           "profile '%s': credential_source Environment, but AWS_ACCESS_KEY_ID is not set",
                           profile);
        return 0;
    }
    if (strcmp(source, "Ec2InstanceMetadata") == 0)
        return imds_new(out, q->client, err);
    if (strcmp(source, "EcsContainer") == 0)
        return container_new(out, q->client, err);
    return err_set(err, IA_ERR_INPUT, "profile '%s': unknown credential_source '%s'", profile, source);
}

static int static_from_profile(const chain_req *q, const char *profile, creds_provider **out, ia_err *err)
{
    const char *akid = awscfg_get(q->cfg, profile, "aws_access_key_id");
    const char *secret = awscfg_get(q->cfg, profile, "aws_secret_access_key");
    const char *token = awscfg_get(q->cfg, profile, "aws_session_token");
    char desc[300];
    aws_creds c = {0};

    *out = NULL;
    if (!akid || !*akid)
        return 0;
    if (!secret || !*secret)
        return err_set(err, IA_ERR_INPUT, "profile '%s' has aws_access_key_id but no aws_secret_access_key",
                       profile);
    c.access_key_id = (char *)akid;
    c.secret_access_key = (char *)secret;
    c.session_token = token && *token ? (char *)token : NULL;
    snprintf(desc, sizeof(desc), "profile '%s'", profile);
    return creds_static_new(out, &c, desc, err);
}

static int role_from_profile(const chain_req *q, const char *profile, int depth, creds_provider **out,
                             ia_err *err)
{
    const char *role_arn = awscfg_get(q->cfg, profile, "role_arn");
    const char *source_profile = awscfg_get(q->cfg, profile, "source_profile");
    const char *source = awscfg_get(q->cfg, profile, "credential_source");
    const char *duration = awscfg_get(q->cfg, profile, "duration_seconds");
    creds_role_options opt = {0};
    creds_provider *src = NULL;
    long seconds = 0;

    *out = NULL;
    if (duration && !str_to_long(duration, 900, 43200, &seconds))
        return err_set(err, IA_ERR_INPUT,
                       "profile '%s': duration_seconds '%s' is not a number from 900 to 43200", profile,
                       duration);
    if (source_profile && source)
        return err_set(err, IA_ERR_INPUT, "profile '%s' has both source_profile and credential_source",
                       profile);
    if (source_profile) {
        if (!awscfg_has_profile(q->cfg, source_profile))
            return err_set(err, IA_ERR_INPUT, "profile '%s': source_profile '%s' does not exist", profile,
                           source_profile);
        if (strcmp(source_profile, profile) == 0) {
            /* A profile may name itself as the source of its own static keys. */
            if (static_from_profile(q, profile, &src, err) != 0)
                return -1;
            if (!src)
                return err_set(err, IA_ERR_INPUT, "profile '%s' is its own source_profile but has no keys",
                               profile);
        } else if (profile_provider(q, source_profile, depth + 1, &src, err) != 0) {
            return -1;
        }
    } else if (source) {
        if (credential_source(q, profile, source, &src, err) != 0)
            return -1;
    } else {
        return err_set(err, IA_ERR_INPUT,
                       "profile '%s' has role_arn but neither source_profile nor credential_source", profile);
    }
    opt.role_arn = role_arn;
    opt.external_id = awscfg_get(q->cfg, profile, "external_id");
    opt.session_name = awscfg_get(q->cfg, profile, "role_session_name");
    if (opt.session_name && !sts_valid_session_name(opt.session_name)) {
        creds_provider_free(src);
        return err_set(err, IA_ERR_INPUT,
                       "profile '%s': role_session_name must be 2 to 64 of letters, digits and "
                       "+=,.@_-",
                       profile);
    }
    opt.duration_seconds = (int)seconds;
    opt.region = q->region;
    return role_new(out, q->client, src, true, &opt, err);
}

/* The credentials a profile names, or *out NULL if it names none. */
static int profile_provider(const chain_req *q, const char *profile, int depth, creds_provider **out,
                            ia_err *err)
{
    const char *process;
    const char *token_file;

    *out = NULL;
    if (depth > MAX_PROFILE_CHAIN)
        return err_set(err, IA_ERR_INPUT, "profile '%s': source_profile chain is longer than %d or loops",
                       profile, MAX_PROFILE_CHAIN);
    token_file = awscfg_get(q->cfg, profile, "web_identity_token_file");
    if (awscfg_get(q->cfg, profile, "role_arn")) {
        if (token_file)
            return web_new(out, q->client, token_file, awscfg_get(q->cfg, profile, "role_arn"),
                           awscfg_get(q->cfg, profile, "role_session_name"), q->region, err);
        return role_from_profile(q, profile, depth, out, err);
    }
    if (static_from_profile(q, profile, out, err) != 0 || *out)
        return *out ? 0 : -1;
    process = awscfg_get(q->cfg, profile, "credential_process");
    if (process && *process) {
        char *command = str_dup(process);
        char desc[300];

        if (!command)
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        snprintf(desc, sizeof(desc), "credential_process of profile '%s'", profile);
        return provider_new(out, desc, process_fetch, command, free, err);
    }
    return 0;
}

int creds_chain_new(creds_provider **out, aws_client *client, const awscfg *cfg, const char *profile_flag,
                    const char *region, ia_err *err)
{
    const char *profile = awscfg_profile_name(profile_flag);
    bool explicit_profile =
        (profile_flag && *profile_flag) || (getenv("AWS_PROFILE") && *getenv("AWS_PROFILE"));
    const char *web_token = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *web_role = getenv("AWS_ROLE_ARN");
    chain_req q = {client, cfg, region ? region : "us-east-1"};
    ia_err imds_err;

    *out = NULL;
    if (explicit_profile && !awscfg_has_profile(cfg, profile))
        return err_set(err, IA_ERR_INPUT, "profile '%s' not found in the AWS config or credentials file",
                       profile);
    /* An explicit --profile outranks the environment's keys, as in the SDKs. */
    if (!(profile_flag && *profile_flag)) {
        if (env_provider(out, err) != 0 || *out)
            return *out ? 0 : -1;
    }
    if (awscfg_has_profile(cfg, profile) && awscfg_get(cfg, profile, "role_arn"))
        return profile_provider(&q, profile, 0, out, err);
    if (web_token && *web_token && web_role && *web_role)
        return web_new(out, client, web_token, web_role, getenv("AWS_ROLE_SESSION_NAME"), q.region, err);
    if (awscfg_has_profile(cfg, profile)) {
        if (profile_provider(&q, profile, 0, out, err) != 0 || *out)
            return *out ? 0 : -1;
    }
    if ((getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") &&
         *getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) ||
        (getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") && *getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")))
        return container_new(out, client, err);
    if (!env_true("AWS_EC2_METADATA_DISABLED")) {
        aws_creds probe = {0};

        err_clear(&imds_err);
        if (imds_new(out, client, err) != 0)
            return -1;
        if (creds_get(*out, &probe, &imds_err) == 0) {
            creds_clean_up(&probe);
            return 0;
        }
        creds_provider_free(*out);
        *out = NULL;
        return err_set(
            err, IA_ERR_CREDS,
            "no AWS credentials found: tried the environment, profile '%s', web identity, container "
            "credentials and instance metadata (%s)",
            profile, imds_err.msg);
    }
    return err_set(
        err, IA_ERR_CREDS,
        "no AWS credentials found: tried the environment, profile '%s', web identity and container "
        "credentials (instance metadata is disabled)",
        profile);
}
