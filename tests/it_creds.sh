#!/usr/bin/env bash
# Each source of the credential chain, end to end: imgaudit whoami signs with what the source gave, and
# moto (authentication on) checks the signature.
source "$(dirname "$0")/support/servers.sh"

start_moto 3
eval "$(python3 "$IMGAUDIT_SOURCE_DIR/tests/support/moto_setup.py" "$MOTO_URL")"
STUB_PORT=$(free_port)
STUB_KEY_ID=$MOTO_KEY_ID STUB_SECRET=$MOTO_SECRET STUB_CONTAINER_TOKEN=let-me-in \
  start_background python3 "$IMGAUDIT_SOURCE_DIR/tests/support/metadata_stub.py" "$STUB_PORT" "$TEST_TMP/stub.log"
wait_port "$STUB_PORT"

export AWS_ENDPOINT_URL=$MOTO_URL AWS_REGION=us-east-1
export AWS_CONFIG_FILE=$TEST_TMP/config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/credentials
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_REGION
: >"$TEST_TMP/config"
: >"$TEST_TMP/credentials"

is_auditor() {
  grep -q '^arn      arn:aws:iam::123456789012:user/auditor$' "$TEST_TMP/out"
}

container_untrusted_host() {
  # The token must never be sent in clear to a host that is not loopback or the ECS/EKS agent.
  local rc=0
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.0.0.1/creds "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" ||
    rc=$?
  [ "$rc" -eq 2 ] && grep -q 'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback' "$TEST_TMP/err"
}
check "container credentials from a non-loopback http host are refused" container_untrusted_host

container_full() {
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STUB_PORT/container/creds \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=let-me-in "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    is_auditor && grep -q 'GET /container/creds 200' "$TEST_TMP/stub.log"
}
check "container credentials (full URI + authorization token)" container_full

container_token_file() {
  echo let-me-in >"$TEST_TMP/token"
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STUB_PORT/container/creds \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$TEST_TMP/token "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    is_auditor
}
check "container credentials (authorization token file)" container_token_file

imds() {
  : >"$TEST_TMP/stub.log"
  AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$STUB_PORT/ \
    "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" && is_auditor &&
    [ "$(head -1 "$TEST_TMP/stub.log")" = "PUT /latest/api/token 200" ] &&
    grep -q 'GET /latest/meta-data/iam/security-credentials/auditor-role 200' "$TEST_TMP/stub.log"
}
check "EC2 instance metadata, IMDSv2 (token PUT, then GET)" imds

process() {
  cat >"$TEST_TMP/proc.sh" <<SH
#!/bin/sh
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}' "$MOTO_KEY_ID" "$MOTO_SECRET"
SH
  chmod +x "$TEST_TMP/proc.sh"
  printf '[profile tool]\ncredential_process = %s\n' "$TEST_TMP/proc.sh" >"$TEST_TMP/config"
  "$IMGAUDIT_BIN" whoami --profile tool >"$TEST_TMP/out" 2>"$TEST_TMP/err" && is_auditor
}
check "credential_process" process

finish
