#ifndef IMGAUDIT_AWS_CREDS_INT_H
#define IMGAUDIT_AWS_CREDS_INT_H

/*
 * What the files of the credential providers share. Not an interface:
 * nothing outside src/aws/creds*.c includes this.
 *
 *   creds.c          the provider object: cache, refresh, the public API,
 *                    static credentials, JSON credential documents
 *   creds_chain.c    the default chain and what a profile names: env,
 *                    static keys, role_arn (AssumeRole), web identity
 *   creds_process.c  credential_process
 *   creds_remote.c   container credentials and EC2 instance metadata
 *   creds_sso.c      IAM Identity Center (the pieces: creds_sso.h)
 *
 * A new provider is one file that makes its provider with
 * creds_provider_new, declared here, plus a row in creds_chain.c's tables.
 */

#include <stddef.h>

#include "aws/creds.h"
#include "util/err.h"

/*
 * Fetches fresh credentials into out (owned by the caller, who keeps them in
 * the cache). Called under the provider's lock, so never twice at once for
 * one provider. Returns 0, or -1 with err filled.
 */
typedef int (*creds_fetch_fn)(void *ctx, aws_creds *out, ia_err *err);

/*
 * Makes a provider that caches what fetch(ctx) gives and calls it again
 * five minutes before they expire. Credentials that fetch gives already
 * expired, or expiring within a minute, are an error, and fetch is not
 * called again. description is copied. The provider
 * owns ctx and frees it with free_ctx (may be NULL), also when this fails.
 * Owned: creds_provider_free.
 */
int creds_provider_new(creds_provider **out, const char *description, creds_fetch_fn fetch, void *ctx,
                       void (*free_ctx)(void *ctx), ia_err *err);

/*
 * Reads AccessKeyId, SecretAccessKey, SessionToken (or Token) and Expiration
 * from the JSON document text[0..len), as credential_process, container
 * endpoints and instance metadata answer. source names the origin in errors.
 * out is owned by the caller (creds_clean_up); the parsed secrets are wiped.
 */
int creds_from_json(const char *text, size_t len, const char *source, aws_creds *out, ia_err *err);

/*
 * A provider that runs command (a profile's credential_process, with the
 * shell) and reads its output as a JSON credential document. The command is
 * killed, with everything it started, on a stop (IA_ERR_CANCELLED) or after
 * IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT seconds (default 60; a bad value is
 * IA_ERR_INPUT). profile names it in messages. Owned: creds_provider_free.
 */
int creds_process_new(creds_provider **out, const char *command, const char *profile, ia_err *err);

/*
 * Container credentials from AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 * _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE). The URL must be
 * https, or http to a host whose every address is loopback or an ECS/EKS
 * agent's, and hold no user name or password; else IA_ERR_CREDS. A token
 * with a line break is IA_ERR_CREDS when fetching. client is borrowed.
 * Owned: creds_provider_free.
 */
int creds_container_new(creds_provider **out, aws_client *client, ia_err *err);

/*
 * EC2 instance metadata (IMDSv2), at AWS_EC2_METADATA_SERVICE_ENDPOINT or
 * 169.254.169.254. Nothing is asked until the first creds_get. client is
 * borrowed. Owned: creds_provider_free.
 */
int creds_imds_new(creds_provider **out, aws_client *client, ia_err *err);

/*
 * IAM Identity Center (SSO) role credentials for profile, when it has
 * sso_account_id or sso_role_name (else *out NULL and 0): the sso_session
 * form (sso_start_url and sso_region from its [sso-session NAME] section) or
 * the legacy one (both in the profile). A missing setting, a missing section
 * or a value the profile and its section disagree on is IA_ERR_INPUT naming
 * the profile. Nothing is read or asked until the first creds_get: then the
 * token cached by `aws sso login` (refreshed through SSO-OIDC when it can be
 * and is within 15 minutes of expiring), then GetRoleCredentials. A missing,
 * expired or refused token is IA_ERR_CREDS telling to run
 * `aws sso login --profile PROFILE`. endpoint_profile is the profile whose
 * endpoint settings apply (the one in use). client and cfg are borrowed.
 * Owned: creds_provider_free.
 */
int creds_sso_new(creds_provider **out, aws_client *client, const awscfg *cfg, const char *profile,
                  const char *endpoint_profile, ia_err *err);

#endif
