#ifndef IMGAUDIT_AWS_CREDS_SSO_H
#define IMGAUDIT_AWS_CREDS_SSO_H

/*
 * IAM Identity Center (SSO): the pieces the provider of creds_sso.c is made
 * of, apart so that the unit tests reach them. Where `aws sso login` caches
 * its token, reading and updating that token, and reading the answers of the
 * portal (GetRoleCredentials) and of SSO-OIDC (CreateToken). The provider
 * itself is made by creds_sso_new (creds_int.h).
 *
 * The access token, the refresh token, the client secret and the role
 * credentials are secrets: no error here quotes a value, and every copy is
 * wiped before it is freed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/creds.h"
#include "util/err.h"

/* "<40 hex digits>.json" and its NUL. */
#define SSO_CACHE_NAME_SIZE 46

/*
 * The name of the token's cache file for key: the sso_session name, or for
 * the legacy form (sso_start_url in the profile) the start URL. It is the
 * SHA-1 of key in lower-case hex, then ".json", as botocore's SSOTokenLoader
 * names it; the file lives in ~/.aws/sso/cache.
 */
void sso_cache_name(const char *key, char out[SSO_CACHE_NAME_SIZE]);

/* A cached token, as `aws sso login` writes it. */
typedef struct sso_token {
    char *access_token;             /* owned; secret */
    time_t expires_at;              /* expiresAt */
    char *refresh_token;            /* owned; secret; NULL when none */
    char *client_id;                /* owned; NULL when none */
    char *client_secret;            /* owned; secret; NULL when none */
    time_t registration_expires_at; /* registrationExpiresAt; 0 when absent */
} sso_token;

/* Frees and wipes what t owns; t can be reused. Accepts NULL. */
void sso_token_clean_up(sso_token *t);

/*
 * Reads the cached token document text[0..len) into out (owned by the
 * caller: sso_token_clean_up). accessToken and expiresAt (ISO-8601, or the
 * AWS CLI v1's "2019-11-14T04:05:45UTC") are required; refreshToken,
 * clientId, clientSecret and registrationExpiresAt are read when present.
 * Whether it has expired is the caller's question. A document that is not a
 * JSON object, lacks a required key or has a time that is not one is
 * IA_ERR_CREDS saying which key, never its value.
 */
int sso_token_parse(const char *text, size_t len, sso_token *out, ia_err *err);

/*
 * Whether t can be refreshed through SSO-OIDC at now: it has a refresh token,
 * a client id and secret, and its client registration (registrationExpiresAt,
 * which must be there) has not expired, as botocore's SSOTokenProvider asks.
 */
bool sso_token_can_refresh(const sso_token *t, time_t now);

/*
 * Reads GetRoleCredentials's answer body[0..len): {"roleCredentials":
 * {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}, the
 * expiration in epoch milliseconds. out is owned by the caller
 * (creds_clean_up; left empty on failure). An answer lacking any of them is
 * IA_ERR_PROTOCOL.
 */
int sso_role_credentials_parse(const char *body, size_t len, aws_creds *out, ia_err *err);

/*
 * Reads CreateToken's answer body[0..len) into t: accessToken, expiresIn
 * (seconds from now, 1 to 30 days) and, when the answer has one, a new
 * refreshToken. On failure (IA_ERR_PROTOCOL) t is left as it was.
 */
int sso_create_token_parse(const char *body, size_t len, time_t now, sso_token *t, ia_err *err);

/*
 * The cached document text[0..len) with t's accessToken, expiresAt
 * ("2026-11-25T17:37:52Z") and, when t has one, refreshToken put in, every
 * other key kept as it was: what the AWS CLI writes back after a refresh.
 * *out is owned (str_free_secret). IA_ERR_CREDS when text is not a JSON
 * object.
 */
int sso_token_update_doc(const char *text, size_t len, const sso_token *t, char **out, ia_err *err);

#endif
