/*
 * Credentials: the provider object every source shares (the cache, and the
 * refresh that one thread makes for all), the public API of creds.h, fixed
 * credentials, and the JSON credential document that credential_process,
 * container endpoints and instance metadata answer with. The sources are in
 * creds_chain.c, creds_process.c and creds_remote.c (see creds_int.h).
 */
#include "aws/creds.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/creds_int.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"

/* Temporary credentials are renewed this long before they expire (the SDKs' advisory refresh window). */
#define REFRESH_BEFORE_S 300
/* Credentials this close to expiring are not used even when a refresh failed: a request signed with them
 * could arrive after they expired. */
#define EXPIRY_MARGIN_S 60
/* Within the refresh window, usable credentials are asked for again at most this often: a source that hands
 * out short-lived ones (or fails) is not run on every request. */
#define REFRESH_RETRY_S 30

struct creds_provider {
    pthread_mutex_t lock;
    aws_creds cached;
    bool have;
    /* The source once gave credentials already expired (or about to): it is not asked again, and spent
     * says why. */
    bool is_spent;
    ia_err spent;
    time_t next_try;   /* usable credentials in the refresh window are refreshed no sooner than this */
    char *description; /* owned */
    creds_fetch_fn fetch;
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

int creds_provider_new(creds_provider **out, const char *description, creds_fetch_fn fetch, void *ctx,
                       void (*free_ctx)(void *ctx), ia_err *err)
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

/* Whether c expires within seconds of now (never, when it has no expiration). */
static bool expires_within(const aws_creds *c, time_t now, long seconds)
{
    return c->expiration && now >= c->expiration - seconds;
}

/*
 * Fetches new credentials into p's cache. Credentials that come already
 * expired, or too close to it to be used, are a failure, and the source is
 * not asked again: it would only give them again (a credential_process run
 * once more on every request).
 */
static int refresh(creds_provider *p, time_t now, ia_err *why)
{
    aws_creds fresh = {0};
    char when[TIMEFMT_ISO_SIZE];

    err_clear(why);
    if (p->is_spent) {
        *why = p->spent;
        return -1;
    }
    if (p->fetch(p->ctx, &fresh, why) != 0)
        return -1;
    if (expires_within(&fresh, now, EXPIRY_MARGIN_S)) {
        timefmt_iso(fresh.expiration, when);
        if (fresh.expiration <= now)
            err_set(&p->spent, IA_ERR_CREDS, "it gave credentials that expired at %s", when);
        else
            err_set(&p->spent, IA_ERR_CREDS, "it gave credentials that expire at %s, in less than %d s", when,
                    EXPIRY_MARGIN_S);
        creds_clean_up(&fresh);
        p->is_spent = true;
        *why = p->spent;
        return -1;
    }
    creds_clean_up(&p->cached);
    p->cached = fresh;
    p->have = true;
    return 0;
}

int creds_get(creds_provider *p, aws_creds *out, ia_err *err)
{
    time_t now = time(NULL);
    bool usable;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&p->lock);
    usable = p->have && !expires_within(&p->cached, now, EXPIRY_MARGIN_S);
    if (!usable || (expires_within(&p->cached, now, REFRESH_BEFORE_S) && now >= p->next_try)) {
        ia_err why;

        if (usable)
            p->next_try = now + REFRESH_RETRY_S;

        /* A spent source is not asked again: its current credentials serve until they expire. */
        if (!(usable && p->is_spent) && refresh(p, now, &why) != 0) {
            if (!usable) {
                *err = why;
                /* STS answers already name the role; other failures need the source named. */
                if (err->kind != IA_ERR_CANCELLED && err->kind != IA_ERR_INPUT && err->kind != IA_ERR_AWS)
                    err_prefix(err, "credentials from %s", p->description);
                goto out;
            }
            /* Still valid for a while: keep using them and try again on the next call. */
            log_warn("%s: refreshing credentials failed (%s); using the current ones until they expire",
                     p->description, why.aws_code[0] ? why.aws_code : err_kind_name(why.kind));
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
    return creds_provider_new(out, description, static_fetch, copy, static_free, err);
}

/* ---- JSON credential documents (credential_process, container, IMDS) ---- */

int creds_from_json(const char *text, size_t len, const char *source, aws_creds *out, ia_err *err)
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
