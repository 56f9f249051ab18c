/*
 * The SDKs' default credential chain (creds.h lists its order) and what a
 * profile can name: static keys, role_arn with source_profile or
 * credential_source (AssumeRole, also for the accounts an audit reaches),
 * web identity, IAM Identity Center (creds_sso.c), credential_process; and the
 * environment's keys.
 *
 * Each source is a row of chain_steps or profile_sources, tried in order; the
 * first that makes a provider wins. A row that does not apply leaves *out NULL
 * and returns 0; a source that applies but is wrong is an error, never a
 * reason to try the next one (as in the SDKs).
 */
#include "aws/creds_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"
#include "aws/sts.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/str.h"

#define MAX_PROFILE_CHAIN 10

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
    role_ctx *r = NULL;
    char desc[2200];

    /* An AssumeRole without credentials would go out unsigned: never. */
    if (!source)
        return err_set(err, IA_ERR_INTERNAL, "assume role %s: no source of credentials", opt->role_arn);
    r = calloc(1, sizeof(*r));
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
    return creds_provider_new(out, desc, role_fetch, r, role_free, err);
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
    return creds_provider_new(out, desc, web_fetch, w, web_free, err);
}

/* ---- the environment ---- */

static bool env_set(const char *name)
{
    const char *v = getenv(name);

    return v && *v;
}

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

/* ---- what a profile names ---- */

/* What the chain is resolved for; all borrowed. */
typedef struct chain_req {
    aws_client *client;
    const awscfg *cfg;
    const char *region;       /* for the STS calls the chain's providers make */
    const char *profile;      /* the profile in use */
    const char *profile_flag; /* --profile, or NULL */
} chain_req;

/* One way a profile can name credentials. depth counts the source_profile links followed so far. */
typedef int (*profile_source_fn)(const chain_req *q, const char *profile, int depth, creds_provider **out,
                                 ia_err *err);

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
        return creds_imds_new(out, q->client, err);
    if (strcmp(source, "EcsContainer") == 0)
        return creds_container_new(out, q->client, err);
    return err_set(err, IA_ERR_INPUT, "profile '%s': unknown credential_source '%s'", profile, source);
}

/* role_arn with web_identity_token_file: AssumeRoleWithWebIdentity. */
static int web_identity_from_profile(const chain_req *q, const char *profile, int depth, creds_provider **out,
                                     ia_err *err)
{
    const char *role_arn = awscfg_get(q->cfg, profile, "role_arn");
    const char *token_file = awscfg_get(q->cfg, profile, "web_identity_token_file");

    (void)depth;
    *out = NULL;
    if (!role_arn || !token_file)
        return 0;
    return web_new(out, q->client, token_file, role_arn, awscfg_get(q->cfg, profile, "role_session_name"),
                   q->region, err);
}

static int static_from_profile(const chain_req *q, const char *profile, int depth, creds_provider **out,
                               ia_err *err)
{
    const char *akid = awscfg_get(q->cfg, profile, "aws_access_key_id");
    const char *secret = awscfg_get(q->cfg, profile, "aws_secret_access_key");
    const char *token = awscfg_get(q->cfg, profile, "aws_session_token");
    char desc[300];
    aws_creds c = {0};

    (void)depth;
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

/* role_arn with source_profile or credential_source: AssumeRole, signed with what the source gives. */
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
    if (!role_arn)
        return 0;
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
            if (static_from_profile(q, profile, depth, &src, err) != 0)
                return -1;
            if (!src)
                return err_set(err, IA_ERR_INPUT, "profile '%s' is its own source_profile but has no keys",
                               profile);
        } else if (profile_provider(q, source_profile, depth + 1, &src, err) != 0) {
            return -1;
        }
        /* botocore: "The source profile ... must have credentials". */
        if (!src)
            return err_set(err, IA_ERR_INPUT, "the source profile '%s' of profile '%s' has no credentials",
                           source_profile, profile);
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

static int sso_from_profile(const chain_req *q, const char *profile, int depth, creds_provider **out,
                            ia_err *err)
{
    (void)depth;
    return creds_sso_new(out, q->client, q->cfg, profile, q->profile, err);
}

static int process_from_profile(const chain_req *q, const char *profile, int depth, creds_provider **out,
                                ia_err *err)
{
    const char *process = awscfg_get(q->cfg, profile, "credential_process");

    (void)depth;
    *out = NULL;
    if (!process || !*process)
        return 0;
    return creds_process_new(out, process, profile, err);
}

/* In the order the SDKs look: a profile with role_arn is used for that, whatever else it holds; IAM Identity
 * Center comes before static keys (botocore's ProfileProviderBuilder). */
static const profile_source_fn profile_sources[] = {
    web_identity_from_profile, role_from_profile, sso_from_profile, static_from_profile, process_from_profile,
};

/* The credentials a profile names, or *out NULL if it names none. */
static int profile_provider(const chain_req *q, const char *profile, int depth, creds_provider **out,
                            ia_err *err)
{
    *out = NULL;
    if (depth > MAX_PROFILE_CHAIN)
        return err_set(err, IA_ERR_INPUT, "profile '%s': source_profile chain is longer than %d or loops",
                       profile, MAX_PROFILE_CHAIN);
    for (size_t i = 0; i < sizeof(profile_sources) / sizeof(profile_sources[0]); i++) {
        if (profile_sources[i](q, profile, depth, out, err) != 0)
            return -1;
        if (*out)
            return 0;
    }
    return 0;
}

/* ---- the chain ---- */

/* One step of the default chain. */
typedef int (*chain_step_fn)(const chain_req *q, creds_provider **out, ia_err *err);

/* The environment's keys, unless a profile was named on the command line: that outranks them, as in the
 * SDKs. */
static int step_environment(const chain_req *q, creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (q->profile_flag && *q->profile_flag)
        return 0;
    return env_provider(out, err);
}

/* The profile's role_arn comes before web identity from the environment. */
static int step_profile_role(const chain_req *q, creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (!awscfg_has_profile(q->cfg, q->profile) || !awscfg_get(q->cfg, q->profile, "role_arn"))
        return 0;
    return profile_provider(q, q->profile, 0, out, err);
}

/* AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, as CI systems with OIDC log in. */
static int step_web_identity(const chain_req *q, creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (!env_set("AWS_WEB_IDENTITY_TOKEN_FILE") || !env_set("AWS_ROLE_ARN"))
        return 0;
    return web_new(out, q->client, getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), getenv("AWS_ROLE_ARN"),
                   getenv("AWS_ROLE_SESSION_NAME"), q->region, err);
}

/* Whatever else the profile names (profile_sources). */
static int step_profile(const chain_req *q, creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (!awscfg_has_profile(q->cfg, q->profile))
        return 0;
    return profile_provider(q, q->profile, 0, out, err);
}

static int step_container(const chain_req *q, creds_provider **out, ia_err *err)
{
    *out = NULL;
    if (!env_set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") && !env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        return 0;
    return creds_container_new(out, q->client, err);
}

/* The order of creds.h. Instance metadata, the last resort, follows in creds_chain_new: whether it has
 * credentials is only known by asking, and its answer is part of the chain's "nothing found". */
static const chain_step_fn chain_steps[] = {
    step_environment, step_profile_role, step_web_identity, step_profile, step_container,
};

int creds_chain_new(creds_provider **out, aws_client *client, const awscfg *cfg, const char *profile_flag,
                    const char *region, ia_err *err)
{
    chain_req q = {client, cfg, region ? region : "us-east-1", awscfg_profile_name(profile_flag),
                   profile_flag};
    bool explicit_profile =
        (profile_flag && *profile_flag) || env_set("AWS_PROFILE") || env_set("AWS_DEFAULT_PROFILE");
    ia_err imds_err;
    aws_creds probe = {0};

    *out = NULL;
    if (explicit_profile && !awscfg_has_profile(cfg, q.profile))
        return err_set(err, IA_ERR_INPUT, "profile '%s' not found in the AWS config or credentials file",
                       q.profile);
    for (size_t i = 0; i < sizeof(chain_steps) / sizeof(chain_steps[0]); i++) {
        if (chain_steps[i](&q, out, err) != 0)
            return -1;
        if (*out)
            return 0;
    }
    if (env_true("AWS_EC2_METADATA_DISABLED"))
        return err_set(
            err, IA_ERR_CREDS,
            "no AWS credentials found: tried the environment, profile '%s', web identity and container "
            "credentials (instance metadata is disabled)",
            q.profile);
    err_clear(&imds_err);
    if (creds_imds_new(out, client, err) != 0)
        return -1;
    if (creds_get(*out, &probe, &imds_err) == 0) {
        creds_clean_up(&probe);
        return 0;
    }
    creds_provider_free(*out);
    *out = NULL;
    return err_set(err, IA_ERR_CREDS,
                   "no AWS credentials found: tried the environment, profile '%s', web identity, container "
                   "credentials and instance metadata (%s)",
                   q.profile, imds_err.msg);
}
