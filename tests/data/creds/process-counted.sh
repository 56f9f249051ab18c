#!/bin/sh
# A credential_process that counts its runs (one line each in $CREDS_TEST_RUNS) and gives temporary
# credentials that expire at $CREDS_TEST_EXPIRATION.
echo run >>"$CREDS_TEST_RUNS"
printf '{"Version": 1, "AccessKeyId": "AKIDCOUNTED", "SecretAccessKey": "counted-secret",
 "SessionToken": "counted-token", "Expiration": "%s"}\n' "$CREDS_TEST_EXPIRATION"
