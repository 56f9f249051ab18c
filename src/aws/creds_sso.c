/*
 * IAM Identity Center (SSO) credentials, as botocore's SSOProvider,
 * SSOCredentialFetcher and SSOTokenProvider get them: the token that
 * `aws sso login` cached in ~/.aws/sso/cache, refreshed through SSO-OIDC
 * CreateToken when it has a refresh token (the sso_session form only), then
 * the portal's GetRoleCredentials for the profile's account and role. Both
 * calls are unsigned: the portal takes the token in a header, CreateToken
 * the client's secret in its body.
 */
#include "aws/creds_sso.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/creds_int.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/redact.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/cancel.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* A token document is well under a KiB; anything far larger is not one. */
#define SSO_CACHE_MAX_BYTES ((size_t)64 * 1024)
/* The portal's and SSO-OIDC's answers are a few hundred bytes. */
#define SSO_ANSWER_MAX_BYTES ((size_t)64 * 1024)
/* A token this close to expiring is refreshed first (botocore's SSOTokenProvider._REFRESH_WINDOW). */
#define SSO_TOKEN_REFRESH_WINDOW_S (15 * 60)
/* CreateToken's expiresIn beyond this is not a token lifetime (Identity Center's sessions last days). */
#define SSO_TOKEN_MAX_LIFETIME_S (30L * 24 * 3600)

/* ---- the cache file ---- */

void sso_cache_name(const char *key, char out[SSO_CACHE_NAME_SIZE])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    static const char hex[] = "0123456789abcdef";

    /* SHA-1 names a file here, as in botocore; it guards nothing. */
    if (EVP_Digest(key, strlen(key), md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20) {
        memset(md, 0, sizeof(md));
        md_len = 20;
    }
    for (unsigned int i = 0; i < md_len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    memcpy(out + 40, ".json", 6);
}

/* Overwrites every string of node and what it holds: the token documents and answers hold secrets. */
static void wipe_json(cJSON *node)
{
    if (!node)
        return;
    if (cJSON_IsString(node) && node->valuestring)
        memset(node->valuestring, 0, strlen(node->valuestring));
    for (cJSON *c = node->child; c; c = c->next)
        wipe_json(c);
}

static void delete_secret_json(cJSON *doc)
{
    wipe_json(doc);
    cJSON_Delete(doc);
}

/* A JSON object from text[0..len) ({} when empty), or NULL. Owned: delete_secret_json. */
static cJSON *parse_object(const char *text, size_t len)
{
    cJSON *doc;
    json_fault fault;

    return aws_json_answer(text, len, &doc, &fault) == 0 ? doc : NULL;
}

/* A string member, borrowed from doc; NULL when absent, not a string or empty. */
static const char *get_string(const cJSON *doc, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* An ISO-8601 time; the AWS CLI v1 wrote "2019-11-14T04:05:45UTC", which dateutil reads as UTC. */
static bool parse_time(const char *s, time_t *out)
{
    char copy[64];
    size_t n = strlen(s);

    if (n >= 3 && n < sizeof(copy) && strcmp(s + n - 3, "UTC") == 0) {
        memcpy(copy, s, n - 3);
        memcpy(copy + n - 3, "Z", 2);
        return timefmt_parse(copy, out);
    }
    return timefmt_parse(s, out);
}

void sso_token_clean_up(sso_token *t)
{
    if (!t)
        return;
    str_free_secret(t->access_token);
    str_free_secret(t->refresh_token);
    free(t->client_id);
    str_free_secret(t->client_secret);
    memset(t, 0, sizeof(*t));
}

int sso_token_parse(const char *text, size_t len, sso_token *out, ia_err *err)
{
    cJSON *doc = parse_object(text, len);
    const char *access, *expires, *reg_expires;
    const char *refresh, *client_id, *client_secret;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!doc) {
        err_set(err, IA_ERR_CREDS, "the cached token is not a JSON object");
        goto out;
    }
    access = get_string(doc, "accessToken");
    expires = get_string(doc, "expiresAt");
    if (!access || !expires) {
        err_set(err, IA_ERR_CREDS, "the cached token has no %s", access ? "expiresAt" : "accessToken");
        goto out;
    }
    if (!parse_time(expires, &out->expires_at)) {
        err_set(err, IA_ERR_CREDS, "the cached token's expiresAt is not an ISO-8601 time");
        goto out;
    }
    reg_expires = get_string(doc, "registrationExpiresAt");
    if (cJSON_GetObjectItemCaseSensitive(doc, "registrationExpiresAt") &&
        (!reg_expires || !parse_time(reg_expires, &out->registration_expires_at))) {
        err_set(err, IA_ERR_CREDS, "the cached token's registrationExpiresAt is not an ISO-8601 time");
        goto out;
    }
    refresh = get_string(doc, "refreshToken");
    client_id = get_string(doc, "clientId");
    client_secret = get_string(doc, "clientSecret");
    out->access_token = str_dup(access);
    out->refresh_token = str_dup(refresh);
    out->client_id = str_dup(client_id);
    out->client_secret = str_dup(client_secret);
    if (!out->access_token || (refresh && !out->refresh_token) || (client_id && !out->client_id) ||
        (client_secret && !out->client_secret)) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        sso_token_clean_up(out);
    delete_secret_json(doc);
    return rc;
}

bool sso_token_can_refresh(const sso_token *t, time_t now)
{
    return t->refresh_token && t->client_id && t->client_secret && t->registration_expires_at > now;
}

/* Sets doc[key] to a string, wiping the value it replaces. Returns 0 or -1 (out of memory). */
static int set_string(cJSON *doc, const char *key, const char *value)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(doc, key);
    cJSON *v = cJSON_CreateString(value);

    if (!v)
        return -1;
    if (!old)
        return cJSON_AddItemToObject(doc, key, v) ? 0 : (cJSON_Delete(v), -1);
    wipe_json(old);
    return cJSON_ReplaceItemInObjectCaseSensitive(doc, key, v) ? 0 : (cJSON_Delete(v), -1);
}

int sso_token_update_doc(const char *text, size_t len, const sso_token *t, char **out, ia_err *err)
{
    cJSON *doc = parse_object(text, len);
    char expires[TIMEFMT_ISO_SIZE];
    int rc = -1;

    *out = NULL;
    if (!doc)
        return err_set(err, IA_ERR_CREDS, "the cached token is not a JSON object");
    timefmt_iso(t->expires_at, expires);
    if (set_string(doc, "accessToken", t->access_token) != 0 || set_string(doc, "expiresAt", expires) != 0 ||
        (t->refresh_token && set_string(doc, "refreshToken", t->refresh_token) != 0)) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = cJSON_PrintUnformatted(doc);
    if (!*out) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    delete_secret_json(doc);
    return rc;
}

/* ---- the answers ---- */

int sso_role_credentials_parse(const char *body, size_t len, aws_creds *out, ia_err *err)
{
    cJSON *doc = parse_object(body, len);
    const cJSON *rc_obj = doc ? cJSON_GetObjectItemCaseSensitive(doc, "roleCredentials") : NULL;
    const cJSON *exp = cJSON_IsObject(rc_obj) ? cJSON_GetObjectItemCaseSensitive(rc_obj, "expiration") : NULL;
    const char *akid = cJSON_IsObject(rc_obj) ? get_string(rc_obj, "accessKeyId") : NULL;
    const char *secret = cJSON_IsObject(rc_obj) ? get_string(rc_obj, "secretAccessKey") : NULL;
    const char *token = cJSON_IsObject(rc_obj) ? get_string(rc_obj, "sessionToken") : NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    /* Milliseconds since the epoch (botocore's SSOCredentialFetcher divides by 1000). */
    if (!akid || !secret || !token || !cJSON_IsNumber(exp) || !isfinite(exp->valuedouble) ||
        exp->valuedouble < 1000.0 || exp->valuedouble > 253402300799000.0) {
        err_set(err, IA_ERR_PROTOCOL,
                "sso GetRoleCredentials: answer lacks roleCredentials (accessKeyId, secretAccessKey, "
                "sessionToken, expiration)");
        goto out;
    }
    out->access_key_id = str_dup(akid);
    out->secret_access_key = str_dup(secret);
    out->session_token = str_dup(token);
    out->expiration = (time_t)(exp->valuedouble / 1000.0);
    if (!out->access_key_id || !out->secret_access_key || !out->session_token) {
        creds_clean_up(out);
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    delete_secret_json(doc);
    return rc;
}

int sso_create_token_parse(const char *body, size_t len, time_t now, sso_token *t, ia_err *err)
{
    cJSON *doc = parse_object(body, len);
    const char *access = doc ? get_string(doc, "accessToken") : NULL;
    const char *refresh = doc ? get_string(doc, "refreshToken") : NULL;
    const cJSON *expires_in = doc ? cJSON_GetObjectItemCaseSensitive(doc, "expiresIn") : NULL;
    char *new_access = NULL, *new_refresh = NULL;
    int rc = -1;

    if (!access || !cJSON_IsNumber(expires_in) || !isfinite(expires_in->valuedouble) ||
        expires_in->valuedouble < 1 || expires_in->valuedouble > (double)SSO_TOKEN_MAX_LIFETIME_S) {
        err_set(err, IA_ERR_PROTOCOL, "sso-oidc CreateToken: answer lacks accessToken or expiresIn");
        goto out;
    }
    new_access = str_dup(access);
    new_refresh = str_dup(refresh);
    if (!new_access || (refresh && !new_refresh)) {
        str_free_secret(new_access);
        str_free_secret(new_refresh);
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    str_free_secret(t->access_token);
    t->access_token = new_access;
    t->expires_at = now + (time_t)expires_in->valuedouble;
    /* Without a new one, the refresh token read stays usable (the CLI keeps it too). */
    if (new_refresh) {
        str_free_secret(t->refresh_token);
        t->refresh_token = new_refresh;
    }
    rc = 0;
out:
    delete_secret_json(doc);
    return rc;
}

/* ---- the calls ---- */

/*
 * One unsigned call with the client's retries (standard mode: throttling,
 * 5xx and transient transport failures again, with backoff). The answer's
 * body goes into *body on a 2xx; any other answer is an AWS error (JSON:
 * the code from x-amzn-ErrorType or __type). What AWS says is redacted with
 * secrets, the values the request carried.
 */
static int sso_call(aws_client *c, const char *operation, const char *region, const http_request *req,
                    const redact_secrets *secrets, buf *body, ia_err *err)
{
    int max_attempts = aws_client_max_attempts(c);
    int rc = -1;

    for (int n = 1;; n++) {
        struct timespec t0, t1;
        http_response resp;

        err_clear(err);
        if (cancel_requested()) {
            err_set(err, IA_ERR_CANCELLED, "interrupted");
            break;
        }
        http_response_init(&resp, SSO_ANSWER_MAX_BYTES);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = http_perform(aws_client_http_pool(c), req, &resp, err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (rc == 0 && (resp.status < 200 || resp.status >= 300)) {
            aws_parse_json_error(resp.status, buf_str(&resp.body), resp.body.len, resp.error_type,
                                 resp.request_id, secrets, err);
            rc = -1;
        }
        /* As the client logs its calls; never the URL's query or a header. */
        log_debug("%s region=%s attempt=%d status=%ld%s%s latency=%ldms", operation, region, n,
                  rc == 0 ? resp.status : err->http_status, rc == 0 ? "" : " error=",
                  rc == 0 ? "" : (err->aws_code[0] ? err->aws_code : err_kind_name(err->kind)),
                  (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
        if (rc == 0) {
            buf_reset(body);
            if (buf_append(body, buf_str(&resp.body), resp.body.len) != 0) {
                err_set(err, IA_ERR_NOMEM, "out of memory");
                rc = -1;
            }
        }
        buf_free_secret(&resp.body);
        http_response_clean_up(&resp);
        if (rc == 0 || err->kind == IA_ERR_CANCELLED || err->kind == IA_ERR_NOMEM)
            break;
        if (!retry_classify(err) || n >= max_attempts)
            break;
        if (!cancel_sleep_ms(retry_backoff_ms(n, aws_client_retry_base_ms(c), retry_rand01()))) {
            err_set(err, IA_ERR_CANCELLED, "interrupted");
            break;
        }
    }
    if (rc != 0)
        redact_err(err, secrets);
    return rc;
}

/* What a profile's IAM Identity Center settings resolve to; all owned. */
typedef struct sso_ctx {
    aws_client *client;
    char *profile;    /* the profile that has the settings */
    char *session;    /* sso_session; NULL for the legacy form */
    char *region;     /* sso_region */
    char *account_id; /* sso_account_id */
    char *role_name;  /* sso_role_name */
    char *cache_path; /* ~/.aws/sso/cache/<sha1>.json */
    char *portal_url; /* no trailing '/' */
    char *oidc_url;   /* NULL for the legacy form, which is never refreshed */
} sso_ctx;

static void sso_ctx_free(void *vctx)
{
    sso_ctx *s = vctx;

    if (!s)
        return;
    free(s->profile);
    free(s->session);
    free(s->region);
    free(s->account_id);
    free(s->role_name);
    free(s->cache_path);
    free(s->portal_url);
    free(s->oidc_url);
    free(s);
}

/* The error that asks for a login: why[...], then what to run. Always -1. */
static int login_error(const sso_ctx *s, ia_err *err, const char *why)
{
    return err_set(err, IA_ERR_CREDS, "%s: run 'aws sso login --profile %s'", why, s->profile);
}

/* Reads the cached token into *text (the document, kept for a write-back) and *tok. */
static int read_token(const sso_ctx *s, buf *text, sso_token *tok, ia_err *err)
{
    char why[1200];

    if (access(s->cache_path, F_OK) != 0 && errno == ENOENT) {
        if (s->session)
            snprintf(why, sizeof(why), "no IAM Identity Center login cached for sso-session '%s'",
                     s->session);
        else
            snprintf(why, sizeof(why), "no IAM Identity Center login cached for its sso_start_url");
        return login_error(s, err, why);
    }
    if (file_read_all(s->cache_path, text, err) != 0) {
        err->kind = IA_ERR_CREDS;
        return err_prefix(err, "the IAM Identity Center token cache");
    }
    if (sso_token_parse(buf_str(text), text->len, tok, err) != 0) {
        if (err->kind != IA_ERR_CREDS)
            return -1;
        snprintf(why, sizeof(why), "%s (%s)", err->msg, s->cache_path);
        return login_error(s, err, why);
    }
    return 0;
}

/* Writes the refreshed token back where it was read, as the CLI does: the whole file at once, mode 0600. */
static int write_token(const sso_ctx *s, const buf *text, const sso_token *tok, ia_err *err)
{
    file_out f;
    char *doc = NULL;
    int rc = -1;

    if (sso_token_update_doc(buf_str(text), text->len, tok, &doc, err) != 0)
        return -1;
    /* 0600, whatever the umask allows: the cache holds the access and refresh tokens. */
    if (file_out_open_mode(&f, s->cache_path, 0600, err) != 0)
        goto out;
    if (fputs(doc, f.fp) == EOF) {
        file_out_abort(&f);
        err_set(err, IA_ERR_IO, "%s: cannot write", s->cache_path);
        goto out;
    }
    rc = file_out_commit(&f, err);
out:
    str_free_secret(doc);
    return rc;
}

/*
 * SSO-OIDC CreateToken with the refresh token: tok gets the new access token
 * (and refresh token), then the cache file. A failed call leaves tok as it
 * was and says why in err; a failed write-back is only warned about, since
 * the new token serves this run all the same.
 */
static int refresh_token(const sso_ctx *s, const buf *text, sso_token *tok, time_t now, ia_err *err)
{
    const char *headers[] = {"Content-Type: application/json"};
    redact_secrets secrets = {tok->client_secret, tok->refresh_token, tok->access_token};
    cJSON *in = cJSON_CreateObject();
    char *body = NULL;
    buf url, answer;
    http_request req;
    ia_err werr;
    int rc = -1;

    buf_init(&url, 4096);
    buf_init(&answer, SSO_ANSWER_MAX_BYTES);
    if (!in || !cJSON_AddStringToObject(in, "clientId", tok->client_id) ||
        !cJSON_AddStringToObject(in, "clientSecret", tok->client_secret) ||
        !cJSON_AddStringToObject(in, "grantType", "refresh_token") ||
        !cJSON_AddStringToObject(in, "refreshToken", tok->refresh_token) ||
        !(body = cJSON_PrintUnformatted(in)) || buf_printf(&url, "%s/token", s->oidc_url) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    req = (http_request){"POST", buf_str(&url), headers, 1, body, strlen(body), 0, 0, false};
    if (sso_call(s->client, "sso-oidc.CreateToken", s->region, &req, &secrets, &answer, err) != 0 ||
        sso_create_token_parse(buf_str(&answer), answer.len, now, tok, err) != 0)
        goto out;
    log_debug("profile '%s': IAM Identity Center token refreshed", s->profile);
    err_clear(&werr);
    if (write_token(s, text, tok, &werr) != 0)
        log_warn("profile '%s': the refreshed IAM Identity Center token was not saved (%s)", s->profile,
                 werr.msg);
    rc = 0;
out:
    delete_secret_json(in);
    str_free_secret(body);
    buf_free(&url);
    buf_free_secret(&answer);
    return rc;
}

/* GetRoleCredentials: GET /federation/credentials?account_id=&role_name=, the token in a header. */
static int get_role_credentials(const sso_ctx *s, const char *token, aws_creds *out, ia_err *err)
{
    redact_secrets secrets = {NULL, token, NULL};
    const char *headers[1];
    buf url, header, answer;
    http_request req;
    int rc = -1;

    buf_init(&url, 4096);
    buf_init(&header, SSO_CACHE_MAX_BYTES);
    buf_init(&answer, SSO_ANSWER_MAX_BYTES);
    /* A line break would end the header and start another one of the cache file's making. */
    if (strpbrk(token, "\r\n")) {
        login_error(s, err, "the cached IAM Identity Center token holds a line break");
        goto out;
    }
    if (buf_printf(&url, "%s/federation/credentials?account_id=", s->portal_url) != 0 ||
        sigv4_uri_encode(&url, s->account_id, strlen(s->account_id), false) != 0 ||
        buf_puts(&url, "&role_name=") != 0 ||
        sigv4_uri_encode(&url, s->role_name, strlen(s->role_name), false) != 0 ||
        buf_printf(&header, "x-amz-sso_bearer_token: %s", token) != 0) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    headers[0] = buf_str(&header);
    req = (http_request){"GET", buf_str(&url), headers, 1, NULL, 0, 0, 0, false};
    if (sso_call(s->client, "sso.GetRoleCredentials", s->region, &req, &secrets, &answer, err) != 0) {
        /* The token was refused (expired early, or the session was ended): only a new login helps. */
        if (err->kind == IA_ERR_AWS &&
            (err->http_status == 401 || strcmp(err->aws_code, "UnauthorizedException") == 0)) {
            /* The code, status and request id stay: err_format shows them after the message. */
            login_error(s, err, "IAM Identity Center refused the cached token");
        } else if (err->kind != IA_ERR_CANCELLED) {
            err_prefix(err, "sso GetRoleCredentials (%s, account %s, role %s)", s->region, s->account_id,
                       s->role_name);
            /* creds_get names the provider in front of any failure but AWS's answers: those are named here.
             */
            if (err->kind == IA_ERR_AWS)
                err_prefix(err, "IAM Identity Center profile '%s'", s->profile);
        }
        goto out;
    }
    rc = sso_role_credentials_parse(buf_str(&answer), answer.len, out, err);
out:
    buf_free(&url);
    buf_free_secret(&header);
    buf_free_secret(&answer);
    return rc;
}

static int sso_fetch(void *vctx, aws_creds *out, ia_err *err)
{
    const sso_ctx *s = vctx;
    time_t now = time(NULL);
    sso_token tok = {0};
    char when[TIMEFMT_ISO_SIZE], why[1200];
    ia_err refresh_err;
    bool refresh_failed = false;
    buf text;
    int rc = -1;

    buf_init(&text, SSO_CACHE_MAX_BYTES);
    err_clear(&refresh_err);
    if (read_token(s, &text, &tok, err) != 0)
        goto out;
    /* As botocore's SSOTokenProvider: within 15 minutes of expiring, a token that can be refreshed is. */
    if (s->oidc_url && now >= tok.expires_at - SSO_TOKEN_REFRESH_WINDOW_S &&
        sso_token_can_refresh(&tok, now) && refresh_token(s, &text, &tok, now, &refresh_err) != 0) {
        if (refresh_err.kind == IA_ERR_CANCELLED) {
            *err = refresh_err;
            goto out;
        }
        refresh_failed = true;
        if (now < tok.expires_at)
            log_warn(
                "profile '%s': refreshing the IAM Identity Center token failed (%s); using the cached one",
                s->profile, refresh_err.aws_code[0] ? refresh_err.aws_code : err_kind_name(refresh_err.kind));
    }
    if (now >= tok.expires_at) {
        timefmt_iso(tok.expires_at, when);
        if (refresh_failed)
            snprintf(why, sizeof(why),
                     "the IAM Identity Center token expired at %s and refreshing it failed (%s)", when,
                     refresh_err.aws_code[0] ? refresh_err.aws_code : refresh_err.msg);
        else
            snprintf(why, sizeof(why), "the IAM Identity Center token expired at %s", when);
        login_error(s, err, why);
        goto out;
    }
    rc = get_role_credentials(s, tok.access_token, out, err);
out:
    sso_token_clean_up(&tok);
    buf_free_secret(&text);
    return rc;
}

/* ---- the profile's settings ---- */

/* A profile setting, or NULL when absent or empty. */
static const char *setting(const awscfg *cfg, const char *profile, const char *key)
{
    const char *v = awscfg_get(cfg, profile, key);

    return v && *v ? v : NULL;
}

/* The settings an sso_session shares with its profile: a value in both must be the same (botocore). */
static const char *const session_keys[] = {"sso_start_url", "sso_region", "sso_registration_scopes"};

/*
 * The profile's sso_start_url and sso_region, from its [sso-session NAME]
 * when it names one. Config errors are IA_ERR_INPUT naming the profile.
 */
static int resolve_session(const awscfg *cfg, const char *profile, const char *session,
                           const char **start_url, const char **region, ia_err *err)
{
    *start_url = setting(cfg, profile, "sso_start_url");
    *region = setting(cfg, profile, "sso_region");
    if (!session)
        return 0;
    if (!awscfg_has_section(cfg, AWSCFG_SSO_SESSION, session))
        return err_set(err, IA_ERR_INPUT, "profile '%s': sso_session '%s' has no [sso-session %s] section",
                       profile, session, session);
    for (size_t i = 0; i < sizeof(session_keys) / sizeof(session_keys[0]); i++) {
        const char *in_profile = setting(cfg, profile, session_keys[i]);
        const char *in_session = awscfg_section_get(cfg, AWSCFG_SSO_SESSION, session, session_keys[i]);

        if (in_session && !*in_session)
            in_session = NULL;
        if (in_profile && in_session && strcmp(in_profile, in_session) != 0)
            return err_set(err, IA_ERR_INPUT,
                           "profile '%s': %s '%s' differs from the one of [sso-session %s] ('%s')", profile,
                           session_keys[i], in_profile, session, in_session);
        if (i == 0 && in_session)
            *start_url = in_session;
        if (i == 1 && in_session)
            *region = in_session;
    }
    return 0;
}

/* Fails naming the settings of the profile that are missing, in botocore's order. */
static int check_required(const char *profile, const char *const values[4], ia_err *err)
{
    static const char *const names[4] = {"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"};
    buf missing;
    int rc = 0;

    buf_init(&missing, 256);
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        if (!values[i] && buf_printf(&missing, "%s%s", missing.len ? ", " : "", names[i]) != 0)
            rc = err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && missing.len)
        rc = err_set(err, IA_ERR_INPUT, "profile '%s' is set up for IAM Identity Center but has no %s",
                     profile, buf_str(&missing));
    buf_free(&missing);
    return rc;
}

/* ~/.aws/sso/cache/<name>, HOME from the environment (as the CLI expands "~"). Owned or NULL with err. */
static char *cache_path(const char *key, ia_err *err)
{
    const char *home = getenv("HOME");
    char name[SSO_CACHE_NAME_SIZE];
    buf path;

    if (!home || !*home) {
        err_set(err, IA_ERR_CREDS,
                "HOME is not set: the IAM Identity Center token cache is under ~/.aws/sso/cache");
        return NULL;
    }
    sso_cache_name(key, name);
    buf_init(&path, 4096);
    if (buf_printf(&path, "%s/.aws/sso/cache/%s", home, name) != 0) {
        buf_free(&path);
        err_set(err, IA_ERR_CREDS, "HOME is longer than 4 KiB");
        return NULL;
    }
    return buf_detach(&path);
}

/* Where svc answers for the SSO region: the same overrides as every service (endpoint.h). Owned. */
static int sso_endpoint(const aws_service *svc, const char *region, const awscfg *cfg,
                        const char *endpoint_profile, char **url, ia_err *err)
{
    char *signing_region = NULL;
    int rc = endpoint_resolve_profile(svc, region, cfg, endpoint_profile, url, &signing_region, err);

    free(signing_region);
    return rc;
}

int creds_sso_new(creds_provider **out, aws_client *client, const awscfg *cfg, const char *profile,
                  const char *endpoint_profile, ia_err *err)
{
    const char *account = setting(cfg, profile, "sso_account_id");
    const char *role = setting(cfg, profile, "sso_role_name");
    const char *session = awscfg_get(cfg, profile, "sso_session");
    const char *start_url = NULL, *region = NULL;
    const char *required[4];
    char desc[300];
    sso_ctx *s = NULL;

    *out = NULL;
    /* As botocore's SSOProvider: sso_account_id or sso_role_name says the profile is one. */
    if (!account && !role)
        return 0;
    if (session && !*session)
        return err_set(err, IA_ERR_INPUT, "profile '%s': sso_session is empty", profile);
    if (resolve_session(cfg, profile, session, &start_url, &region, err) != 0)
        return -1;
    required[0] = role;
    required[1] = account;
    required[2] = start_url;
    required[3] = region;
    if (check_required(profile, required, err) != 0)
        return -1;
    if (!endpoint_region_is_valid(region))
        return err_set(err, IA_ERR_INPUT, "profile '%s': sso_region is not a region name", profile);
    s = calloc(1, sizeof(*s));
    if (!s)
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    s->client = client;
    s->profile = str_dup(profile);
    s->session = str_dup(session);
    s->region = str_dup(region);
    s->account_id = str_dup(account);
    s->role_name = str_dup(role);
    if (!s->profile || (session && !s->session) || !s->region || !s->account_id || !s->role_name) {
        sso_ctx_free(s);
        return err_set(err, IA_ERR_NOMEM, "out of memory");
    }
    /* The token of an sso-session is cached under the session's name, a legacy one under its start URL. */
    s->cache_path = cache_path(session ? session : start_url, err);
    if (!s->cache_path || sso_endpoint(&AWS_SSO, region, cfg, endpoint_profile, &s->portal_url, err) != 0 ||
        (session && sso_endpoint(&AWS_SSO_OIDC, region, cfg, endpoint_profile, &s->oidc_url, err) != 0)) {
        sso_ctx_free(s);
        return -1;
    }
    snprintf(desc, sizeof(desc), "IAM Identity Center profile '%s'", profile);
    return creds_provider_new(out, desc, sso_fetch, s, sso_ctx_free, err);
}
