#include "aws/client.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aws/config.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/cancel.h"
#include "util/jsonfile.h"
#include "util/log.h"
#include "util/str.h"

#define MAX_REQUEST_HEADERS 12

struct aws_client {
    http_pool *pool;
    aws_client_options opt;
    char *profile; /* owned copy of opt.profile */
    struct {
        atomic_long requests;
        atomic_long retries;
        atomic_long throttles;
    } stats; /* as in aws_client_stats; updated by every thread */
};

int aws_client_new(aws_client **out, const aws_client_options *opt, ia_err *err)
{
    aws_client *c = calloc(1, sizeof(*c));

    if (!c)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    c->opt = *opt;
    if (c->opt.max_attempts < 1)
        c->opt.max_attempts = RETRY_DEFAULT_MAX_ATTEMPTS;
    if (c->opt.retry_base_ms <= 0)
        c->opt.retry_base_ms = RETRY_DEFAULT_BASE_MS;
    if (opt->profile) {
        c->profile = str_dup(opt->profile);
        if (!c->profile) {
            aws_client_free(c);
            return err_set(err, IA_ERR_NOMEM, "out of memory");
        }
    }
    c->opt.profile = c->profile;
    if (http_pool_new(&c->pool, awscfg_ca_bundle(opt->cfg, c->profile), err) != 0) {
        aws_client_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void aws_client_free(aws_client *c)
{
    if (!c)
        return;
    http_pool_free(c->pool);
    free(c->profile);
    free(c);
}

int aws_client_max_attempts(const aws_client *c)
{
    return c->opt.max_attempts;
}

long aws_client_retry_base_ms(const aws_client *c)
{
    return c->opt.retry_base_ms;
}

void aws_client_stats_get(const aws_client *c, aws_client_stats *out)
{
    out->requests = atomic_load(&c->stats.requests);
    out->retries = atomic_load(&c->stats.retries);
    out->throttles = atomic_load(&c->stats.throttles);
}

http_pool *aws_client_http_pool(aws_client *c)
{
    return c->pool;
}

static time_t client_now(const aws_client *c)
{
    return c->opt.clock ? c->opt.clock() : time(NULL);
}

static long now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (long)tv.tv_sec * 1000L + (long)(tv.tv_usec / 1000);
}

/* ---- errors ---- */

/*
 * An AWS error message as it may be shown and stored: on one line, and
 * without what signature errors append. SignatureDoesNotMatch and
 * InvalidSignatureException answers echo "The Canonical String for this
 * request should have been ..." with every signed header; that part is noise
 * to a reader and is cut off (the secrets in it were redacted before, by
 * value), and control characters become spaces.
 */
static void clean_message(char *msg)
{
    static const char *const cut_at[] = {"The Canonical String", "The String-to-Sign", "\n\n", NULL};
    char *w = msg;

    for (size_t i = 0; cut_at[i]; i++) {
        char *at = strstr(msg, cut_at[i]);

        if (at)
            *at = '\0';
    }
    for (const char *r = msg; *r; r++) {
        char c = (unsigned char)*r < 0x20 || *r == 0x7f ? ' ' : *r;

        if (c == ' ' && w > msg && w[-1] == ' ')
            continue;
        *w++ = c;
    }
    while (w > msg && w[-1] == ' ')
        w--;
    *w = '\0';
}

/* Sets err->msg to raw, redacted whole before it is cut to the field's size, then cleaned. */
static void set_message(ia_err *err, const char *raw, const redact_secrets *secrets)
{
    char *redacted = redact_text(raw, secrets);

    str_copy(err->msg, sizeof(err->msg), redacted ? redacted : REDACT_MARK);
    free(redacted);
    clean_message(err->msg);
}

/* "com.amazonaws.workspaces#ThrottlingException:http://..." -> "ThrottlingException" */
static void set_code(ia_err *err, const char *raw)
{
    const char *hash = strrchr(raw, '#');
    const char *start = hash ? hash + 1 : raw;
    size_t n = strcspn(start, ":");

    if (n >= sizeof(err->aws_code))
        n = sizeof(err->aws_code) - 1;
    memcpy(err->aws_code, start, n);
    err->aws_code[n] = '\0';
}

void aws_parse_json_error(long status, const char *body, size_t len, const char *error_type_header,
                          const char *request_id, const redact_secrets *secrets, ia_err *err)
{
    cJSON *doc = NULL;
    json_fault fault;
    const cJSON *type, *code, *msg;

    /* An error answer past the limits is one that is not JSON. */
    if (len)
        json_parse_bounded(body, len, JSON_MAX_DEPTH, &doc, &fault);
    type = doc ? cJSON_GetObjectItemCaseSensitive(doc, "__type") : NULL;
    code = doc ? cJSON_GetObjectItemCaseSensitive(doc, "code") : NULL;
    msg = doc ? cJSON_GetObjectItemCaseSensitive(doc, "message") : NULL;

    if (doc && !cJSON_IsString(msg))
        msg = cJSON_GetObjectItemCaseSensitive(doc, "Message");
    err_clear(err);
    err->kind = IA_ERR_AWS;
    err->http_status = status;
    err->aws_code[0] = '\0';
    str_copy(err->request_id, sizeof(err->request_id), request_id ? request_id : "");
    if (error_type_header && *error_type_header)
        set_code(err, error_type_header);
    else if (cJSON_IsString(type))
        set_code(err, type->valuestring);
    else if (cJSON_IsString(code))
        set_code(err, code->valuestring);
    if (cJSON_IsString(msg))
        set_message(err, msg->valuestring, secrets);
    else if (!doc && len)
        snprintf(err->msg, sizeof(err->msg), "HTTP %ld with an answer that is not JSON", status);
    else
        snprintf(err->msg, sizeof(err->msg), "HTTP %ld", status);
    if (!err->aws_code[0])
        snprintf(err->aws_code, sizeof(err->aws_code), "HTTP%ld", status);
    redact_err(err, secrets);
    cJSON_Delete(doc);
}

static xmlNode *find_element(xmlNode *node, const char *name)
{
    for (xmlNode *n = node; n; n = n->next) {
        xmlNode *found;

        if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0)
            return n;
        found = find_element(n->children, name);
        if (found)
            return found;
    }
    return NULL;
}

char *aws_xml_text(xmlNode *node, const char *name)
{
    xmlNode *el = find_element(node, name);
    xmlChar *content;
    char *out;

    if (!el)
        return NULL;
    content = xmlNodeGetContent(el);
    if (!content)
        return NULL;
    out = str_dup((const char *)content);
    /* The copy may be a secret (SecretAccessKey, SessionToken): wipe it before it is freed. */
    memset(content, 0, strlen((const char *)content));
    xmlFree(content);
    return out;
}

xmlDoc *aws_xml_answer(const char *body, size_t len)
{
    if (len == 0 || len > (size_t)INT32_MAX)
        return NULL;
    /* No network, no entities, no DTD: the answer is data, never instructions. */
    return xmlReadMemory(body, (int)len, "answer.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

void aws_parse_query_error(long status, const char *body, size_t len, const char *request_id,
                           const redact_secrets *secrets, ia_err *err)
{
    xmlDoc *doc = aws_xml_answer(body, len);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    char *code = root ? aws_xml_text(root, "Code") : NULL;
    char *msg = root ? aws_xml_text(root, "Message") : NULL;
    char *rid = root ? aws_xml_text(root, "RequestId") : NULL;

    err_clear(err);
    err->kind = IA_ERR_AWS;
    err->http_status = status;
    if (code)
        set_code(err, code);
    else
        snprintf(err->aws_code, sizeof(err->aws_code), "HTTP%ld", status);
    if (msg)
        set_message(err, msg, secrets);
    else if (!doc && len)
        snprintf(err->msg, sizeof(err->msg), "HTTP %ld with an answer that is not XML", status);
    else
        snprintf(err->msg, sizeof(err->msg), "HTTP %ld", status);
    str_copy(err->request_id, sizeof(err->request_id), rid ? rid : (request_id ? request_id : ""));
    redact_err(err, secrets);
    free(code);
    free(msg);
    free(rid);
    xmlFreeDoc(doc);
}

/* ---- one signed attempt ---- */

typedef enum proto { PROTO_JSON, PROTO_QUERY } proto;

typedef struct request_plan {
    const aws_call *call;
    const char *operation;
    proto protocol;
    const char *body;
    size_t body_len;
    char *url;            /* owned */
    char *signing_region; /* owned */
    char host[512];
    char path[1024];
    char query[1024];
} request_plan;

/* Splits "scheme://host[:port]/path?query" into the Host header value, path and query. */
static int split_url(request_plan *plan, ia_err *err)
{
    const char *p = strstr(plan->url, "://");
    size_t n;
    const char *q;

    if (!p)
        return err_set(err, IA_ERR_INPUT, "endpoint '%s' is not a URL", plan->url);
    p += 3;
    n = strcspn(p, "/?");
    if (n == 0 || n >= sizeof(plan->host))
        return err_set(err, IA_ERR_INPUT, "endpoint '%s' has no usable host", plan->url);
    memcpy(plan->host, p, n);
    plan->host[n] = '\0';
    p += n;
    q = strchr(p, '?');
    n = q ? (size_t)(q - p) : strlen(p);
    if (n >= sizeof(plan->path) || (q && strlen(q + 1) >= sizeof(plan->query)))
        return err_set(err, IA_ERR_INPUT, "endpoint '%s' is too long", plan->url);
    if (n == 0) {
        str_copy(plan->path, sizeof(plan->path), "/");
    } else {
        memcpy(plan->path, p, n);
        plan->path[n] = '\0';
    }
    str_copy(plan->query, sizeof(plan->query), q ? q + 1 : "");
    return 0;
}

static int read_answer(request_plan *plan, http_response *resp, const redact_secrets *secrets,
                       cJSON **json_out, xmlDoc **xml_out, ia_err *err);

/*
 * One signed attempt and its answer (as read_answer). Whatever err says on a
 * failure is redacted with the secrets the request was signed with, before it
 * leaves: they are known here only.
 */
static int attempt(aws_client *c, request_plan *plan, http_response *resp, cJSON **json_out, xmlDoc **xml_out,
                   ia_err *err)
{
    const aws_service *svc = plan->call->svc;
    char target[256], target_header[300], host_header[600];
    const char *headers[MAX_REQUEST_HEADERS];
    sigv4_header sig_headers[3];
    size_t n_headers = 0;
    aws_creds creds = {0};
    sigv4_ctx sig;
    http_request req;
    redact_secrets secrets;
    int rc = -1;

    sigv4_ctx_init(&sig);
    snprintf(host_header, sizeof(host_header), "Host: %s", plan->host);
    headers[n_headers++] = host_header;
    sig_headers[0] = (sigv4_header){"Host", plan->host};
    if (plan->protocol == PROTO_JSON) {
        snprintf(target, sizeof(target), "%s.%s", svc->target_prefix, plan->operation);
        headers[n_headers++] = "Content-Type: application/x-amz-json-1.1";
        sig_headers[1] = (sigv4_header){"Content-Type", "application/x-amz-json-1.1"};
        sig_headers[2] = (sigv4_header){"X-Amz-Target", target};
        snprintf(target_header, sizeof(target_header), "X-Amz-Target: %s", target);
        headers[n_headers++] = target_header;
    } else {
        headers[n_headers++] = "Content-Type: application/x-www-form-urlencoded; charset=utf-8";
        sig_headers[1] = (sigv4_header){"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
    }

    if (plan->call->creds) {
        sigv4_request sreq = {"POST",
                              plan->path,
                              plan->query[0] ? plan->query : NULL,
                              sig_headers,
                              plan->protocol == PROTO_JSON ? 3u : 2u,
                              plan->body,
                              plan->body_len};
        sigv4_params params = {0};

        /* A failure to get credentials is not this call's: it had its own retries (STS), and it must not
         * count against this service's rate or be retried here. */
        if (creds_get(plan->call->creds, &creds, err) != 0) {
            if (err->kind != IA_ERR_CANCELLED && err->kind != IA_ERR_INPUT)
                err->kind = IA_ERR_CREDS;
            goto out;
        }
        params.access_key_id = creds.access_key_id;
        params.secret_access_key = creds.secret_access_key;
        params.session_token = creds.session_token;
        params.region = plan->signing_region;
        params.service = svc->signing_name;
        params.now = client_now(c);
        params.normalize_path = true;
        if (sigv4_sign(&sig, &sreq, &params, err) != 0)
            goto out;
        for (size_t i = 0; i < sig.n_added && n_headers < MAX_REQUEST_HEADERS; i++)
            headers[n_headers++] = sig.added[i];
    }

    req = (http_request){"POST",
                         plan->url,
                         headers,
                         n_headers,
                         plan->body,
                         plan->body_len,
                         c->opt.connect_timeout_ms,
                         c->opt.timeout_ms,
                         plan->call->change};
    rc = http_perform(c->pool, &req, resp, err);
out:
    secrets = (redact_secrets){creds.secret_access_key, creds.session_token, sig.signature};
    if (rc == 0)
        rc = read_answer(plan, resp, &secrets, json_out, xml_out, err);
    if (rc != 0)
        redact_err(err, &secrets);
    sigv4_ctx_clean_up(&sig);
    creds_clean_up(&creds);
    return rc;
}

int aws_json_answer(const char *body, size_t len, cJSON **out, json_fault *fault)
{
    if (!len) {
        *out = cJSON_CreateObject();
    } else if (json_parse_bounded(body, len, JSON_MAX_DEPTH, out, fault) != 0) {
        return -1;
    } else if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    if (!*out) {
        fault->status = JSON_INVALID;
        str_copy(fault->msg, sizeof(fault->msg), "not a JSON object");
        fault->offset = 0;
        return -1;
    }
    return 0;
}

/* Reads one answer: 0 with *json_out or *xml_out set, or -1 with err filled (AWS or protocol error). */
static int read_answer(request_plan *plan, http_response *resp, const redact_secrets *secrets,
                       cJSON **json_out, xmlDoc **xml_out, ia_err *err)
{
    const char *body = buf_str(&resp->body);
    size_t len = resp->body.len;

    if (resp->status < 200 || resp->status >= 300) {
        if (plan->protocol == PROTO_JSON)
            aws_parse_json_error(resp->status, body, len, resp->error_type, resp->request_id, secrets, err);
        else
            aws_parse_query_error(resp->status, body, len, resp->request_id, secrets, err);
        return -1;
    }
    if (plan->protocol == PROTO_JSON) {
        json_fault fault;

        if (aws_json_answer(body, len, json_out, &fault) != 0 && fault.status != JSON_INVALID) {
            /* Whole, but past what is parsed: asking again brings the same answer, so it goes without the
             * status that would have it retried as a garbled one (retry.c). */
            err_set(err, IA_ERR_PROTOCOL, "%s answered %s with %zu bytes: %s", plan->call->svc->id,
                    plan->operation, len, fault.msg);
            str_copy(err->request_id, sizeof(err->request_id), resp->request_id);
            return -1;
        }
        if (!*json_out) {
            err_set(err, IA_ERR_PROTOCOL, "%s answered %s with %zu bytes that are not a JSON object",
                    plan->call->svc->id, plan->operation, len);
            goto bad;
        }
        return 0;
    }
    *xml_out = aws_xml_answer(body, len);
    if (!*xml_out || !xmlDocGetRootElement(*xml_out)) {
        xmlFreeDoc(*xml_out);
        *xml_out = NULL;
        err_set(err, IA_ERR_PROTOCOL, "%s answered %s with %zu bytes that are not XML", plan->call->svc->id,
                plan->operation, len);
        goto bad;
    }
    return 0;
bad:
    err->http_status = resp->status;
    str_copy(err->request_id, sizeof(err->request_id), resp->request_id);
    return -1;
}

static int perform(aws_client *c, request_plan *plan, cJSON **json_out, xmlDoc **xml_out, ia_err *err)
{
    const aws_service *svc = plan->call->svc;
    http_response resp;
    int rc = -1;

    if (endpoint_resolve_profile(svc, plan->call->region, c->opt.cfg,
                                 c->opt.profile ? c->opt.profile : "default", &plan->url,
                                 &plan->signing_region, err) != 0)
        return -1;
    if (split_url(plan, err) != 0)
        return -1;
    http_response_init(&resp, AWS_ANSWER_MAX_BYTES);
    for (int n = plan->call->attempt > 0 ? plan->call->attempt : 1;; n++) {
        long started = now_ms();

        err_clear(err);
        if (cancel_requested()) {
            err_set(err, IA_ERR_CANCELLED, "interrupted");
            break;
        }
        atomic_fetch_add(&c->stats.requests, 1);
        if (n > 1)
            atomic_fetch_add(&c->stats.retries, 1);
        rc = attempt(c, plan, &resp, json_out, xml_out, err);
        if (rc != 0 && err->kind != IA_ERR_CREDS && retry_is_throttle_code(err->aws_code))
            atomic_fetch_add(&c->stats.throttles, 1);
        log_debug("%s.%s region=%s endpoint=%s attempt=%d status=%ld%s%s latency=%ldms", svc->id,
                  plan->operation, plan->call->region, plan->host, n,
                  rc == 0 ? resp.status : err->http_status, rc == 0 ? "" : " error=",
                  rc == 0 ? "" : (err->aws_code[0] ? err->aws_code : err_kind_name(err->kind)),
                  now_ms() - started);
        if (rc == 0 && plan->call->request_id)
            str_copy(plan->call->request_id, AWS_REQUEST_ID_SIZE, resp.request_id);
        if (rc == 0 || err->kind == IA_ERR_CREDS || err->kind == IA_ERR_CANCELLED ||
            err->kind == IA_ERR_INPUT)
            break;
        /* Credentials that failed to refresh carry their own retries; everything else follows the table. */
        if (!retry_classify(err) || n >= c->opt.max_attempts || plan->call->attempt > 0)
            break;
        if (!cancel_sleep_ms(retry_backoff_ms(n, c->opt.retry_base_ms, retry_rand01()))) {
            err_set(err, IA_ERR_CANCELLED, "interrupted");
            break;
        }
    }
    if (rc != 0 && err->kind != IA_ERR_CANCELLED)
        err_prefix(err, "%s %s (%s)", svc->id, plan->operation, plan->call->region);
    http_response_clean_up(&resp);
    return rc;
}

int aws_json_call(aws_client *c, const aws_call *call, const char *operation, const cJSON *input, cJSON **out,
                  ia_err *err)
{
    request_plan plan = {0};
    char *body = NULL;
    int rc = -1;

    *out = NULL;
    body = input ? cJSON_PrintUnformatted(input) : str_dup("{}");
    if (!body)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    plan.call = call;
    plan.operation = operation;
    plan.protocol = PROTO_JSON;
    plan.body = body;
    plan.body_len = strlen(body);
    rc = perform(c, &plan, out, NULL, err);
    free(plan.url);
    free(plan.signing_region);
    free(body);
    return rc;
}

/* A form value, encoded as SigV4 encodes URIs (sigv4.h): what the SDKs send. */
static int form_append(buf *b, const char *s)
{
    return sigv4_uri_encode(b, s, strlen(s), false);
}

int aws_query_call(aws_client *c, const aws_call *call, const char *action, const char *version,
                   const aws_param *params, size_t n_params, xmlDoc **out, ia_err *err)
{
    request_plan plan = {0};
    buf body;
    int rc = -1;

    *out = NULL;
    buf_init(&body, 1024 * 1024);
    if (buf_puts(&body, "Action=") != 0 || form_append(&body, action) != 0 ||
        buf_puts(&body, "&Version=") != 0 || form_append(&body, version) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_params; i++) {
        if (!params[i].value)
            continue;
        if (buf_putc(&body, '&') != 0 || form_append(&body, params[i].name) != 0 ||
            buf_putc(&body, '=') != 0 || form_append(&body, params[i].value) != 0) {
            err_set(err, IA_ERR_NOMEM, "request too large");
            goto out;
        }
    }
    plan.call = call;
    plan.operation = action;
    plan.protocol = PROTO_QUERY;
    plan.body = buf_str(&body);
    plan.body_len = body.len;
    rc = perform(c, &plan, NULL, out, err);
out:
    free(plan.url);
    free(plan.signing_region);
    /* The body of AssumeRoleWithWebIdentity carries the web identity token. */
    buf_free_secret(&body);
    return rc;
}
