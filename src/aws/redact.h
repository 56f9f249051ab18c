#ifndef IMGAUDIT_AWS_REDACT_H
#define IMGAUDIT_AWS_REDACT_H

/*
 * Keeping secrets out of what AWS says. An error message may quote the
 * request it answers: SignatureDoesNotMatch and InvalidSignatureException
 * echo the canonical request, the session token among its headers, and a
 * proxy or a verbose endpoint may quote the Authorization header or the
 * secret key itself. So redaction is by value, with the credentials the
 * request was signed with (each as it is and URI-encoded), and by name for
 * whatever follows "Signature=", "X-Amz-Security-Token:" or "=",
 * "x-amz-sso_bearer_token:" or "=", and "Authorization:" (the rest of that
 * line), whoever's it is. The access key
 * id is not a secret and stays, so that a message still says which key failed.
 */

#include <stddef.h>

#include "util/err.h"

/* What stands where a secret was. */
#define REDACT_MARK "<redacted>"

/* Text longer than this is cut before it is redacted (a message is shown cut far shorter anyway). */
#define REDACT_TEXT_MAX ((size_t)64 * 1024)

/* The secret values of one signed request; each borrowed, NULL or "" when there is none. */
typedef struct redact_secrets {
    const char *secret_access_key;
    const char *session_token;
    const char *signature; /* hex, as sent in the Authorization header */
} redact_secrets;

/*
 * Returns a copy of text (its first REDACT_TEXT_MAX bytes) with every secret
 * value of s (NULL: none) and every named field's value replaced by
 * REDACT_MARK. Owned (free()); NULL when out of memory.
 */
char *redact_text(const char *text, const redact_secrets *s);

/*
 * Redacts, in place, each string field of err that may hold what AWS sent
 * (msg, aws_code, request_id, context). A field that cannot be redacted (out
 * of memory) becomes REDACT_MARK whole.
 */
void redact_err(ia_err *err, const redact_secrets *s);

#endif
