#!/usr/bin/env bash
# imgaudit whoami and AssumeRole against moto's server, which recomputes and checks every signature.
source "$(dirname "$0")/support/servers.sh"

start_moto 3
eval "$(python3 "$IMGAUDIT_SOURCE_DIR/tests/support/moto_setup.py" "$MOTO_URL")"

export AWS_ENDPOINT_URL=$MOTO_URL
export AWS_CONFIG_FILE=$TEST_TMP/config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/credentials
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION

cat >"$TEST_TMP/credentials" <<CREDS
[auditor]
aws_access_key_id = $MOTO_KEY_ID
aws_secret_access_key = $MOTO_SECRET

[wrong]
aws_access_key_id = $MOTO_KEY_ID
aws_secret_access_key = not-the-secret
CREDS
cat >"$TEST_TMP/config" <<CONF
[profile auditor]
region = eu-west-1

[profile second]
role_arn = arn:aws:iam::222222222222:role/Auditor
source_profile = auditor
external_id = ext-123
role_session_name = imgaudit-it
region = eu-west-1
CONF

whoami_env() {
  AWS_ACCESS_KEY_ID=$MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$MOTO_SECRET "$IMGAUDIT_BIN" whoami --region us-east-1 \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    grep -q '^account  123456789012$' "$TEST_TMP/out" &&
    grep -q '^arn      arn:aws:iam::123456789012:user/auditor$' "$TEST_TMP/out"
}
check "whoami with keys from the environment" whoami_env

whoami_profile() {
  "$IMGAUDIT_BIN" whoami --profile auditor --json >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["account"]=="123456789012", d' "$TEST_TMP/out"
}
check "whoami --profile with the shared credentials file, JSON output" whoami_profile

assume_second() {
  "$IMGAUDIT_BIN" whoami --profile second >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    grep -q '^account  222222222222$' "$TEST_TMP/out" &&
    grep -q 'assumed-role/Auditor/imgaudit-it' "$TEST_TMP/out"
}
check "AssumeRole into a second account through role_arn + source_profile" assume_second

wrong_secret() {
  local rc=0
  "$IMGAUDIT_BIN" whoami --profile wrong >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && grep -q 'SignatureDoesNotMatch' "$TEST_TMP/err" && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] &&
    ! grep -q 'not-the-secret' "$TEST_TMP/err"
}
check "a wrong secret key is rejected by moto: exit 4, one line, no secret" wrong_secret

debug_redacted() {
  AWS_ACCESS_KEY_ID=$MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$MOTO_SECRET "$IMGAUDIT_BIN" whoami --debug \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    grep -q 'sts.GetCallerIdentity region=us-east-1 endpoint=127.0.0.1' "$TEST_TMP/err" &&
    ! grep -q "$MOTO_SECRET" "$TEST_TMP/err" && ! grep -qi 'authorization' "$TEST_TMP/err"
}
check "--debug shows the request and no secret" debug_redacted

finish
