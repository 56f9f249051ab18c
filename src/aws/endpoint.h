#ifndef IMGAUDIT_AWS_ENDPOINT_H
#define IMGAUDIT_AWS_ENDPOINT_H

/* The services imgaudit calls and where their endpoints are. */

#include <stdbool.h>

#include "util/err.h"

typedef struct aws_service {
    const char *id;       /* "workspaces", "appstream", "sts", "organizations" */
    const char *env_name; /* suffix of AWS_ENDPOINT_URL_<NAME>: WORKSPACES, APPSTREAM, STS, ORGANIZATIONS */
    const char *endpoint_prefix; /* host prefix: workspaces, appstream2, sts, organizations */
    const char *signing_name;    /* SigV4 service: workspaces, appstream, sts, organizations */
    const char *target_prefix;   /* X-Amz-Target prefix for JSON 1.1; NULL for the Query protocol */
    bool global;                 /* one endpoint per partition (Organizations) */
} aws_service;

extern const aws_service AWS_WORKSPACES;
extern const aws_service AWS_APPSTREAM;
extern const aws_service AWS_STS;
extern const aws_service AWS_ORGANIZATIONS;
/* IAM Identity Center's portal (GetRoleCredentials) and SSO-OIDC (CreateToken): called unsigned. */
extern const aws_service AWS_SSO;
extern const aws_service AWS_SSO_OIDC;

/* "aws", "aws-cn" (cn-*) or "aws-us-gov" (us-gov-*). */
const char *endpoint_partition(const char *region);

/* DNS suffix of a region's partition: "amazonaws.com" or "amazonaws.com.cn". */
const char *endpoint_dns_suffix(const char *region);

/*
 * Resolves where to send a request for svc in region, as the SDKs do:
 * AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, then the profile's
 * endpoint_url (profile_endpoint, may be NULL), then the default
 * https://<prefix>.<region>.<suffix>. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
 * skips the three overrides. A global service's default endpoint is the
 * partition's (organizations.us-east-1.amazonaws.com,
 * organizations.cn-northwest-1.amazonaws.com.cn,
 * organizations.us-gov-west-1.amazonaws.com).
 *
 * *url_out (owned: free) has no trailing '/'. *signing_region_out (owned)
 * is region, or the partition's global region for a global service:
 * signing always uses the service's signing name and this region, whatever
 * the endpoint. An override that is not an http:// or https:// URL is
 * IA_ERR_INPUT naming the variable it came from. An http:// override to a
 * host that is not loopback (localhost, 127.0.0.0/8, [::1]) is warned about
 * (log_warn), once per URL and process: requests signed with the caller's
 * credentials would cross the network unencrypted.
 */
int endpoint_resolve(const aws_service *svc, const char *region, const char *profile_endpoint, char **url_out,
                     char **signing_region_out, ia_err *err);

/*
 * True when region can stand in a host name and a SigV4 scope: one or more
 * of a-z, 0-9 and '-', at most 63 bytes (one DNS label).
 */
bool endpoint_region_is_valid(const char *region);

typedef struct awscfg awscfg;

/*
 * endpoint_resolve with every setting of the shared config file that the
 * SDKs consult, in their order: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 * the service's endpoint_url in the [services NAME] section that the
 * profile's "services" names (e.g. "workspaces =\n  endpoint_url = ..."),
 * then the profile's endpoint_url. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, or
 * when it is unset the profile's ignore_configured_endpoint_urls, set to
 * true skips all four. cfg and profile are borrowed and may be NULL (no
 * profile settings). A "services" naming a section that does not exist is
 * IA_ERR_INPUT. Outputs and ownership as endpoint_resolve.
 */
int endpoint_resolve_profile(const aws_service *svc, const char *region, const awscfg *cfg,
                             const char *profile, char **url_out, char **signing_region_out, ia_err *err);

#endif
