#include "aws/endpoint.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/config.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

/* Values from the metadata of botocore's data/<service>/<version>/service-2.json and data/endpoints.json. */
const aws_service AWS_WORKSPACES = {"workspaces", "WORKSPACES",        "workspaces",
                                    "workspaces", "WorkspacesService", false};
/* AppStream's host is appstream2.* but it signs as "appstream" (credentialScope in endpoints.json). */
const aws_service AWS_APPSTREAM = {
    "appstream", "APPSTREAM", "appstream2", "appstream", "PhotonAdminProxyService", false};
/* STS speaks the Query protocol; its regional endpoints are the default since the legacy global one was
 * retired. */
const aws_service AWS_STS = {"sts", "STS", "sts", "sts", NULL, false};
const aws_service AWS_ORGANIZATIONS = {
    "organizations", "ORGANIZATIONS", "organizations", "organizations", "AWSOrganizationsV20161128", true};

/* The portal is portal.sso.<region> (botocore's endpoint rules for "sso"); SSO-OIDC is oidc.<region>, and its
 * [services] key and AWS_ENDPOINT_URL_ suffix come from its service id "SSO OIDC". Neither request is signed.
 */
const aws_service AWS_SSO = {"sso", "SSO", "portal.sso", "awsssoportal", NULL, false};
const aws_service AWS_SSO_OIDC = {"sso_oidc", "SSO_OIDC", "oidc", "sso-oauth", NULL, false};

#define ENDPOINT_MAX_URL_BYTES    ((size_t)2048)
#define ENDPOINT_MAX_REGION_BYTES ((size_t)63)
/* Overrides do not depend on the region, so a run has at most one per service and source. */
#define ENDPOINT_MAX_WARNED 8

typedef struct partition {
    const char *name;
    const char *region_prefix; /* regions that start with this belong here; "" matches all */
    const char *dns_suffix;
    const char *global_region; /* where a global service lives and is signed */
} partition;

/* Checked in order; "aws" last, as the catch-all. */
static const partition partitions[] = {
    {"aws-cn", "cn-", "amazonaws.com.cn", "cn-northwest-1"},
    {"aws-us-gov", "us-gov-", "amazonaws.com", "us-gov-west-1"},
    {"aws", "", "amazonaws.com", "us-east-1"},
};

static const partition *partition_of(const char *region)
{
    size_t n = sizeof(partitions) / sizeof(partitions[0]);

    for (size_t i = 0; region && i + 1 < n; i++) {
        if (str_starts_with(region, partitions[i].region_prefix))
            return &partitions[i];
    }
    return &partitions[n - 1];
}

const char *endpoint_partition(const char *region)
{
    return partition_of(region)->name;
}

const char *endpoint_dns_suffix(const char *region)
{
    return partition_of(region)->dns_suffix;
}

bool endpoint_region_is_valid(const char *region)
{
    size_t n;

    if (!region || !*region)
        return false;
    n = strlen(region);
    if (n > ENDPOINT_MAX_REGION_BYTES)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = region[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* True when s has only printable ASCII, so it can be quoted in a message. */
static bool printable(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

static bool is_host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/*
 * Checks an endpoint override and returns its normalised copy (owned), or
 * NULL with err set. Accepted: http:// or https://, a host name, IPv4 or
 * [IPv6] address, an optional :port, an optional path; no user info (it
 * would put a password in logs), query or fragment. Trailing '/' is dropped
 * because the request path is appended to it. The value itself is never
 * quoted in the message: it may carry a password.
 */
static char *check_url(const char *url, const char *source, ia_err *err)
{
    const char *p;
    const char *host;
    size_t n = strlen(url);
    size_t scheme_n;
    char *out;

    if (n > ENDPOINT_MAX_URL_BYTES) {
        err_set(err, IA_ERR_INPUT, "%s: URL is longer than %zu bytes", source, ENDPOINT_MAX_URL_BYTES);
        return NULL;
    }
    if (strncasecmp(url, "https://", 8) == 0)
        scheme_n = 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        scheme_n = 7;
    else {
        err_set(err, IA_ERR_INPUT, "%s: not an http:// or https:// URL", source);
        return NULL;
    }
    host = url + scheme_n;
    p = host;
    if (*p == '[') {
        p++;
        while (isxdigit((unsigned char)*p) || *p == ':' || *p == '.')
            p++;
        if (*p != ']' || p == host + 1) {
            err_set(err, IA_ERR_INPUT, "%s: invalid IPv6 address in the URL", source);
            return NULL;
        }
        p++;
    } else {
        while (is_host_char(*p))
            p++;
        if (p == host) {
            err_set(err, IA_ERR_INPUT, "%s: URL has no host", source);
            return NULL;
        }
    }
    if (*p == ':') {
        const char *port = ++p;
        long v = 0;

        while (isdigit((unsigned char)*p) && p - port < 6)
            v = v * 10 + (*p++ - '0');
        if (p == port || p - port > 5 || v < 1 || v > 65535) {
            err_set(err, IA_ERR_INPUT, "%s: URL has an invalid port", source);
            return NULL;
        }
    }
    if (*p != '\0' && *p != '/') {
        err_set(err, IA_ERR_INPUT, "%s: not an http:// or https:// URL (unexpected character after the host)",
                source);
        return NULL;
    }
    for (const char *q = p; *q; q++) {
        unsigned char ch = (unsigned char)*q;

        if (ch <= 0x20 || ch >= 0x7f || ch == '?' || ch == '#') {
            err_set(err, IA_ERR_INPUT, "%s: URL path has a space, control character, query or fragment",
                    source);
            return NULL;
        }
    }
    while (n > scheme_n && url[n - 1] == '/')
        n--;
    out = str_ndup(url, n);
    if (!out)
        err_set(err, IA_ERR_NOMEM, "out of memory");
    return out;
}

/* True for a host that never leaves the machine: localhost, 127.0.0.0/8 (also as 127.1), [::1]. */
static bool host_is_loopback(const char *host, size_t n)
{
    if ((n == 9 && strncasecmp(host, "localhost", 9) == 0) || (n == 5 && memcmp(host, "[::1]", 5) == 0))
        return true;
    if (n <= 4 || memcmp(host, "127.", 4) != 0)
        return false;
    for (size_t i = 4; i < n; i++) {
        if (!isdigit((unsigned char)host[i]) && host[i] != '.')
            return false;
    }
    return true;
}

/*
 * Warns, once per URL and process, that an endpoint override is plain http
 * to a host that is not loopback: every request to it, signed with the
 * caller's credentials, crosses the network unencrypted (AssumeRole answers
 * carry session credentials too). url is check_url's output.
 */
static void warn_if_plain_http(const char *url, const char *source)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char warned[ENDPOINT_MAX_WARNED][ENDPOINT_MAX_URL_BYTES + 1];
    static size_t n_warned;
    const char *host;
    size_t host_n, name_n;
    bool seen = false;

    if (strncasecmp(url, "http://", 7) != 0)
        return;
    host = url + 7;
    host_n = strcspn(host, "/");
    name_n = host_n;
    /* The port goes; an IPv6 address keeps its brackets. */
    if (host[0] == '[')
        name_n = strcspn(host, "]") + 1;
    else if (memchr(host, ':', host_n))
        name_n = (size_t)((const char *)memchr(host, ':', host_n) - host);
    if (host_is_loopback(host, name_n))
        return;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_warned && !seen; i++)
        seen = strcmp(warned[i], url) == 0;
    /* A full table (more endpoints than a run can have) warns every time rather than never. */
    if (!seen && n_warned < ENDPOINT_MAX_WARNED)
        str_copy(warned[n_warned++], sizeof(warned[0]), url);
    pthread_mutex_unlock(&lock);
    if (!seen)
        log_warn("%s is plain http to %.*s, not a loopback address: requests signed with your credentials "
                 "cross the network unencrypted; use https",
                 source, (int)host_n, host);
}

/* Where the overrides come from, in the SDKs' order; a NULL value is skipped. */
typedef struct override_source {
    const awscfg *cfg;
    const char *profile;
    const char *profile_endpoint; /* endpoint_resolve's argument, when there is no cfg */
    bool profile_ignore;          /* the profile's ignore_configured_endpoint_urls */
} override_source;

/*
 * The first configured endpoint, or NULL (no error) when none is. *source_out
 * names where it came from, for messages (static or in name_buf).
 */
static int find_override(const aws_service *svc, const override_source *src, const char **url_out,
                         const char **source_out, char *name_buf, size_t name_size, ia_err *err)
{
    const char *v;
    const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    const char *services;

    *url_out = NULL;
    /* As botocore's ensure_boolean: only "true", in any case, is true; the variable outranks the profile. */
    if (ignore && *ignore ? str_ieq(ignore, "true") : src->profile_ignore)
        return 0;

    snprintf(name_buf, name_size, "AWS_ENDPOINT_URL_%s", svc->env_name);
    v = getenv(name_buf);
    if (v && *v) {
        *url_out = v;
        *source_out = name_buf;
        return 0;
    }
    v = getenv("AWS_ENDPOINT_URL");
    if (v && *v) {
        *url_out = v;
        *source_out = "AWS_ENDPOINT_URL";
        return 0;
    }
    services = src->cfg ? awscfg_get(src->cfg, src->profile, "services") : NULL;
    if (services && *services) {
        char key[128];

        if (!awscfg_has_section(src->cfg, AWSCFG_SERVICES, services))
            return err_set(err, IA_ERR_INPUT,
                           "profile '%s' names services section '%s', which does not exist", src->profile,
                           services);
        snprintf(key, sizeof(key), "%s.endpoint_url", svc->id);
        v = awscfg_section_get(src->cfg, AWSCFG_SERVICES, services, key);
        if (v && *v) {
            *url_out = v;
            snprintf(name_buf, name_size, "%s in [services %s]", key, services);
            *source_out = name_buf;
            return 0;
        }
    }
    v = src->cfg ? awscfg_get(src->cfg, src->profile, "endpoint_url") : src->profile_endpoint;
    if (v && *v) {
        *url_out = v;
        *source_out = "endpoint_url of the profile";
        if (src->profile) {
            snprintf(name_buf, name_size, "endpoint_url of profile '%s'", src->profile);
            *source_out = name_buf;
        }
    }
    return 0;
}

static int resolve(const aws_service *svc, const char *region, const override_source *src, char **url_out,
                   char **signing_region_out, ia_err *err)
{
    const partition *part;
    const char *override = NULL;
    const char *source = NULL;
    const char *host_region;
    char name_buf[512];
    char *url = NULL;
    char *signing = NULL;
    buf b;
    int rc = -1;

    *url_out = NULL;
    *signing_region_out = NULL;
    buf_init(&b, ENDPOINT_MAX_URL_BYTES);
    if (!svc) {
        err_set(err, IA_ERR_INTERNAL, "endpoint_resolve: no service");
        goto out;
    }
    /* A global service has one endpoint per partition, so it can do without a region (meaning "aws"). */
    if (!region || !*region) {
        if (!svc->global) {
            err_set(err, IA_ERR_INPUT,
                    "no AWS region for %s: use --region, AWS_REGION or the profile's region", svc->id);
            goto out;
        }
        region = NULL;
    } else if (!endpoint_region_is_valid(region)) {
        if (printable(region) && strlen(region) <= 64)
            err_set(err, IA_ERR_INPUT, "invalid AWS region '%s': expected lower-case letters, digits and '-'",
                    region);
        else
            err_set(err, IA_ERR_INPUT, "invalid AWS region: expected lower-case letters, digits and '-'");
        goto out;
    }
    part = partition_of(region);
    host_region = svc->global ? part->global_region : region;

    if (find_override(svc, src, &override, &source, name_buf, sizeof(name_buf), err) != 0)
        goto out;
    if (override) {
        url = check_url(override, source, err);
        if (!url)
            goto out;
        log_debug("%s endpoint from %s", svc->id, source);
        warn_if_plain_http(url, source);
    } else {
        if (buf_printf(&b, "https://%s.%s.%s", svc->endpoint_prefix, host_region, part->dns_suffix) != 0) {
            err_set(err, IA_ERR_NOMEM, "out of memory");
            goto out;
        }
        url = buf_detach(&b);
        if (!url) {
            err_set(err, IA_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    /* Signing uses the service's own region whatever the endpoint, as the SDKs do for a custom endpoint. */
    signing = str_dup(host_region);
    if (!signing) {
        err_set(err, IA_ERR_NOMEM, "out of memory");
        goto out;
    }
    *url_out = url;
    *signing_region_out = signing;
    url = NULL;
    signing = NULL;
    rc = 0;
out:
    buf_free(&b);
    free(url);
    free(signing);
    return rc;
}

int endpoint_resolve(const aws_service *svc, const char *region, const char *profile_endpoint, char **url_out,
                     char **signing_region_out, ia_err *err)
{
    override_source src = {NULL, NULL, profile_endpoint, false};

    return resolve(svc, region, &src, url_out, signing_region_out, err);
}

int endpoint_resolve_profile(const aws_service *svc, const char *region, const awscfg *cfg,
                             const char *profile, char **url_out, char **signing_region_out, ia_err *err)
{
    override_source src = {NULL, NULL, NULL, false};

    if (cfg && profile) {
        const char *ignore = awscfg_get(cfg, profile, "ignore_configured_endpoint_urls");

        src.cfg = cfg;
        src.profile = profile;
        src.profile_ignore = ignore && str_ieq(ignore, "true");
    }
    return resolve(svc, region, &src, url_out, signing_region_out, err);
}
