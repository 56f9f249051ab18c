#ifndef IMGAUDIT_AWS_STS_H
#define IMGAUDIT_AWS_STS_H

/* The STS operations imgaudit uses, over the Query protocol (Version 2011-06-15). */

#include <stdbool.h>

#include "aws/client.h"
#include "aws/creds.h"

typedef struct sts_identity {
    char account[32];
    char arn[2048];
    char user_id[512];
} sts_identity;

/* RoleSessionName as STS accepts it: 2 to 64 of [\w+=,.@-]. */
bool sts_valid_session_name(const char *s);

/* ExternalId as STS accepts it: 2 to 1224 of [\w+=,.@:\/-]. */
bool sts_valid_external_id(const char *s);

/* GetCallerIdentity in region, as creds. */
int sts_get_caller_identity(aws_client *c, creds_provider *creds, const char *region, sts_identity *out,
                            ia_err *err);

/*
 * AssumeRole, signed with source's credentials (NULL is IA_ERR_INTERNAL:
 * AssumeRole is never sent unsigned). out receives the temporary
 * credentials (owned: creds_clean_up). session_name NULL means "imgaudit";
 * external_id may be NULL; duration_seconds 0 means 3600.
 */
int sts_assume_role(aws_client *c, creds_provider *source, const char *region, const char *role_arn,
                    const char *session_name, const char *external_id, int duration_seconds, aws_creds *out,
                    ia_err *err);

/* AssumeRoleWithWebIdentity (unsigned, as the API is). token is the OIDC token's text. */
int sts_assume_role_with_web_identity(aws_client *c, const char *region, const char *role_arn,
                                      const char *session_name, const char *token, int duration_seconds,
                                      aws_creds *out, ia_err *err);

/*
 * Decoding the answers (a parsed Query answer, aws_xml_answer), apart from
 * the calls so that the fuzzers reach them; region and action only name the
 * call in errors. sts_identity_from_answer fills out from a
 * GetCallerIdentity answer; sts_credentials_from_answer fills out (owned:
 * creds_clean_up; left empty on failure) from the <Credentials> of an
 * AssumeRole* answer. Both return 0, or -1 (IA_ERR_PROTOCOL) when the answer
 * lacks what they need. doc is only read.
 */
int sts_identity_from_answer(xmlDoc *doc, const char *region, sts_identity *out, ia_err *err);
int sts_credentials_from_answer(xmlDoc *doc, const char *action, const char *region, aws_creds *out,
                                ia_err *err);

#endif
