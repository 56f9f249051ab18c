#ifndef IMGAUDIT_AWS_CREDS_H
#define IMGAUDIT_AWS_CREDS_H

/*
 * Credentials and where they come from: the AWS SDKs' default chain, and
 * AssumeRole providers for the accounts an audit reaches.
 *
 * A creds_provider hands out credentials and refreshes temporary ones five
 * minutes before they expire. It is thread-safe: many workers may ask at
 * once, and one refresh serves them all. Secrets are wiped when freed and
 * never logged; a provider's description ("environment", "profile prod",
 * "assume role arn:...") is what error messages name.
 */

#include <stdbool.h>
#include <time.h>

#include "util/err.h"

typedef struct aws_client aws_client;
typedef struct awscfg awscfg;

typedef struct aws_creds {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned; wiped when freed */
    char *session_token;     /* owned; NULL when none; wiped when freed */
    time_t expiration;       /* 0 when they do not expire */
} aws_creds;

/* Frees and wipes what c owns; c can be reused. Accepts NULL. */
void creds_clean_up(aws_creds *c);

/* Deep copy into dst (which must be empty). Returns 0 or -1 (out of memory). */
int creds_copy(aws_creds *dst, const aws_creds *src);

typedef struct creds_provider creds_provider;

/*
 * Copies the current credentials into out (owned by the caller:
 * creds_clean_up), fetching or refreshing them first if needed. On failure
 * err names the provider and why (IA_ERR_CREDS, or the STS/transport error).
 */
int creds_get(creds_provider *p, aws_creds *out, ia_err *err);

/* What the provider is, for messages; borrowed. */
const char *creds_describe(const creds_provider *p);

/* Frees p (and providers it owns). Accepts NULL. */
void creds_provider_free(creds_provider *p);

/* A provider of fixed credentials (copied). Owned: creds_provider_free. */
int creds_static_new(creds_provider **out, const aws_creds *c, const char *description, ia_err *err);

/*
 * The SDKs' default chain, resolved now (the first source that has
 * credentials wins; temporary ones are refreshed later from the same source):
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *      (skipped when a profile was named on the command line, as the SDKs do)
 *   2. the profile's role_arn, with source_profile (a chain, cycles refused)
 *      or credential_source, external_id, role_session_name, duration_seconds
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME), or the profile's web_identity_token_file
 *   4. the profile's IAM Identity Center (SSO) role: sso_account_id and
 *      sso_role_name, with sso_session or the legacy sso_start_url/sso_region
 *   5. the profile's static keys (credentials file, then config file)
 *   6. the profile's credential_process
 *   7. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
 *   8. EC2 instance metadata (IMDSv2: token PUT, then GET), unless
 *      AWS_EC2_METADATA_DISABLED=true; AWS_EC2_METADATA_SERVICE_ENDPOINT.
 * A role's source_profile may name credentials in any of these ways (4 to 6,
 * or another role); one that names none is IA_ERR_INPUT naming both profiles,
 * never an unsigned AssumeRole.
 * profile_flag is the --profile value or NULL; an explicitly named profile
 * (flag, AWS_PROFILE or AWS_DEFAULT_PROFILE) that neither file has is
 * IA_ERR_INPUT. region is used
 * for STS calls the chain makes. client and cfg are borrowed and must outlive
 * the provider. Nothing found is IA_ERR_CREDS, listing what was tried.
 */
int creds_chain_new(creds_provider **out, aws_client *client, const awscfg *cfg, const char *profile_flag,
                    const char *region, ia_err *err);

typedef struct creds_role_options {
    const char *role_arn;     /* required */
    const char *external_id;  /* or NULL */
    const char *session_name; /* or NULL: "imgaudit" */
    int duration_seconds;     /* 0: 3600 */
    const char *region;       /* STS region */
} creds_role_options;

/*
 * A provider that assumes a role with STS AssumeRole, signed with source's
 * credentials, and assumes it again before the session expires. source and
 * client are borrowed. The role is first assumed on the first creds_get.
 */
int creds_assume_role_new(creds_provider **out, aws_client *client, creds_provider *source,
                          const creds_role_options *opt, ia_err *err);

#endif
