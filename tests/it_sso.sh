#!/usr/bin/env bash
# IAM Identity Center (SSO) credentials end to end: imgaudit whoami with the token `aws sso login` caches, the
# portal's GetRoleCredentials and SSO-OIDC's CreateToken served by tests/fakeaws, which checks the bearer token,
# the refresh token and client, and then the SigV4 signatures made with the credentials it handed out.
source "$(dirname "$0")/support/servers.sh"

TOKEN=aoa-access-token-$RANDOM$RANDOM-for-the-test
# One refresh token per run that refreshes: CreateToken spends each (and hands out a new one).
REFRESH=aor-refresh-token-$RANDOM$RANDOM-for-the-test
REFRESH2=aor-refresh-token-$RANDOM$RANDOM-second
REFRESH3=aor-refresh-token-$RANDOM$RANDOM-third
CLIENT_ID=client-id-imgaudit-test
CLIENT_SECRET=client-secret-$RANDOM$RANDOM-never-shown
START_URL=https://d-9067example.awsapps.com/start

SSO_OPTIONS=(--sso-token "$TOKEN" --sso-assignment 111111111111:AuditorAccess --sso-client "$CLIENT_ID:$CLIENT_SECRET")
fakeaws_start sso "${SSO_OPTIONS[@]}" --sso-refresh-token "$REFRESH" --sso-refresh-token "$REFRESH2" \
  --sso-refresh-token "$REFRESH3"
# The same over HTTPS, with a test CA (tests/fakeaws/mkcerts.sh).
bash "$IMGAUDIT_SOURCE_DIR/tests/fakeaws/mkcerts.sh" "$TEST_TMP/certs"
fakeaws_start tls "${SSO_OPTIONS[@]}" --tls-cert "$TEST_TMP/certs/server.pem" --tls-key "$TEST_TMP/certs/server.key"
TLS_URL=$(cat "$TEST_TMP/tls/url")
source "$TEST_TMP/sso/env"
unset AWS_CA_BUNDLE http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION \
  AWS_DEFAULT_REGION AWS_ENDPOINT_URL_SSO AWS_ENDPOINT_URL_SSO_OIDC AWS_ENDPOINT_URL_STS
export IMGAUDIT_RETRY_BASE_MS=1
export HOME=$TEST_TMP/home AWS_CONFIG_FILE=$TEST_TMP/config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/credentials
CACHE=$HOME/.aws/sso/cache
mkdir -p "$CACHE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

cat >"$AWS_CONFIG_FILE" <<EOF
[profile sso-dev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = AuditorAccess
region = us-east-1

[sso-session my-sso]
sso_start_url = $START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile sso-legacy]
sso_start_url = $START_URL
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = AuditorAccess

[profile sso-forbidden]
sso_session = my-sso
sso_account_id = 222222222222
sso_role_name = AdministratorAccess

[profile chained]
role_arn = arn:aws:iam::222222222222:role/ImgAuditRole
source_profile = sso-dev

[profile empty]
region = us-east-1

[profile chained-empty]
role_arn = arn:aws:iam::222222222222:role/ImgAuditRole
source_profile = empty

[profile no-section]
sso_session = missing
sso_account_id = 111111111111
sso_role_name = AuditorAccess

[profile contradicts]
sso_session = my-sso
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111111111111
sso_role_name = AuditorAccess

[profile incomplete]
sso_start_url = $START_URL
sso_account_id = 111111111111
EOF

sha1() { python3 -c 'import hashlib, sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())' "$1"; }
SESSION_FILE=$CACHE/$(sha1 my-sso).json
LEGACY_FILE=$CACHE/$(sha1 "$START_URL").json
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# session_token EXPIRES [extra JSON members]: the sso_session's cache file, as `aws sso login` writes it.
session_token() {
  printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"%s}\n' \
    "$START_URL" "$TOKEN" "$(at "$1")" "${2:-}" >"$SESSION_FILE"
}
# refreshable REFRESH_TOKEN: the members a cache file has after a login with a registered client.
refreshable() {
  printf ', "clientId": "%s", "clientSecret": "%s", "refreshToken": "%s", "registrationExpiresAt": "%s"' \
    "$CLIENT_ID" "$CLIENT_SECRET" "$1" "$(at '+30 days')"
}

one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }

# run PROFILE...: imgaudit whoami with these arguments; rc in RC, output in out and err.
run() {
  RC=0
  "$IMGAUDIT_BIN" whoami "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  cat "$TEST_TMP/out" "$TEST_TMP/err" >>"$TEST_TMP/all-output"
}

# control METHOD PATH [JSON]: a request to fakeaws's control endpoints; the answer on stdout.
control() {
  python3 - "$FAKEAWS_URL$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1:]
req = urllib.request.Request(url, data=body.encode() if body else None, method=method)
sys.stdout.write(urllib.request.urlopen(req, timeout=30).read().decode())
PY
}
requests() { control GET /_fake/log >"$TEST_TMP/log"; }
logged() { grep -c "$1" "$TEST_TMP/log" || true; }
reset_log() { control POST /_fake/reset >/dev/null; }

sso_arn='^arn      arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AuditorAccess_[0-9a-f]*/imgaudit-sso-user$'

session_form() {
  session_token '+2 hours'
  reset_log
  run --profile sso-dev
  requests
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out" &&
    [ "$(logged '"operation": "GetRoleCredentials".*"status": 200')" -eq 1 ] &&
    [ "$(logged '"operation": "GetCallerIdentity".*"status": 200')" -eq 1 ]
}
check "sso_session profile: token from the cache, GetRoleCredentials, signed STS call" session_form

legacy_form() {
  rm -f "$SESSION_FILE"
  printf '{"startUrl": "%s", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"}\n' \
    "$START_URL" "$TOKEN" "$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SUTC)" >"$LEGACY_FILE"
  run --profile sso-legacy
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out"
}
check "legacy profile (sso_start_url in the profile; cache named by the URL, CLI v1's UTC time)" legacy_form

chained_role() {
  session_token '+2 hours'
  reset_log
  run --profile chained
  requests
  # fakeaws checked AssumeRole's signature: it was made with the session GetRoleCredentials handed out.
  [ "$RC" -eq 0 ] &&
    grep -q '^arn      arn:aws:sts::222222222222:assumed-role/ImgAuditRole/imgaudit$' "$TEST_TMP/out" &&
    [ "$(logged '"operation": "AssumeRole".*"role": "AWSReservedSSO_AuditorAccess_[0-9a-f]*".*"status": 200')" -eq 1 ]
}
check "role chained from an SSO profile: AssumeRole signed with the SSO credentials" chained_role

default_profile_env() {
  session_token '+2 hours'
  RC=0
  AWS_DEFAULT_PROFILE=sso-dev "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out" || return 1
  # AWS_PROFILE outranks it.
  RC=0
  AWS_PROFILE=chained AWS_DEFAULT_PROFILE=sso-dev "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  [ "$RC" -eq 0 ] && grep -q 'assumed-role/ImgAuditRole/' "$TEST_TMP/out" || return 1
  RC=0
  AWS_DEFAULT_PROFILE=nonesuch "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  [ "$RC" -eq 2 ] && grep -q "profile 'nonesuch' not found" "$TEST_TMP/err"
}
check "AWS_DEFAULT_PROFILE names the profile; AWS_PROFILE outranks it" default_profile_env

# login_asked PROFILE: exit 4 and one line telling to log in with that profile.
login_asked() {
  [ "$RC" -eq 4 ] && one_line "$TEST_TMP/err" && grep -q "run 'aws sso login --profile $1'" "$TEST_TMP/err"
}

expired_token() {
  session_token '-5 minutes'
  reset_log
  run --profile sso-dev
  requests
  login_asked sso-dev && grep -q 'token expired at' "$TEST_TMP/err" && [ "$(logged GetRoleCredentials)" -eq 0 ]
}
check "expired token without a refresh token: exit 4, one line asking for 'aws sso login --profile sso-dev'" expired_token

expired_chained() {
  session_token '-5 minutes'
  reset_log
  run --profile chained
  requests
  login_asked sso-dev && [ "$(logged AssumeRole)" -eq 0 ]
}
check "expired token behind a chained role: the login asked for is the SSO profile's; no AssumeRole sent" expired_chained

no_login() {
  rm -f "$SESSION_FILE"
  run --profile sso-dev
  login_asked sso-dev && grep -q "no IAM Identity Center login cached for sso-session 'my-sso'" "$TEST_TMP/err"
}
check "no cached token: exit 4, login asked for" no_login

refused_token() {
  printf '{"accessToken": "aoa-revoked", "expiresAt": "%s"}\n' "$(at '+2 hours')" >"$SESSION_FILE"
  run --profile sso-dev
  login_asked sso-dev && grep -q 'refused the cached token: run .* (UnauthorizedException, HTTP 401' "$TEST_TMP/err"
}
check "token the portal refuses (401 UnauthorizedException): exit 4, login asked for" refused_token

forbidden() {
  session_token '+2 hours'
  run --profile sso-forbidden
  [ "$RC" -eq 4 ] && one_line "$TEST_TMP/err" && grep -q "IAM Identity Center profile 'sso-forbidden': sso GetRoleCredentials (us-east-1, account 222222222222, role AdministratorAccess): No access (ForbiddenException, HTTP 403" "$TEST_TMP/err" &&
    grep -q 'ForbiddenException' "$TEST_TMP/err"
}
check "role not assigned (403 ForbiddenException): exit 4, one line" forbidden

throttled() {
  session_token '+2 hours'
  reset_log
  control POST /_fake/faults '{"spec": "throttle/2@GetRoleCredentials"}' >/dev/null
  run --profile sso-dev
  requests
  control POST /_fake/faults '{"spec": ""}' >/dev/null
  [ "$RC" -eq 0 ] && [ "$(logged '"operation": "GetRoleCredentials".*"status": 429')" -eq 2 ] &&
    [ "$(logged '"operation": "GetRoleCredentials".*"status": 200')" -eq 1 ]
}
check "portal throttling (429 TooManyRequestsException) is retried" throttled

refresh() {
  local mask
  session_token '-5 minutes' "$(refreshable "$REFRESH")"
  reset_log
  # Under umask 022 reports and snapshots are made 0644; the token cache stays 0600 all the same.
  mask=$(umask)
  umask 022
  run --profile sso-dev
  umask "$mask"
  requests
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out" &&
    [ "$(logged '"operation": "CreateToken".*"status": 200')" -eq 1 ] || return 1
  # The cache was written back whole: mode 0600, a new access and refresh token, a later expiry, the rest kept.
  [ "$(stat -c %a "$SESSION_FILE")" = 600 ] || return 1
  python3 - "$SESSION_FILE" "$TOKEN" "$REFRESH" "$CLIENT_SECRET" "$START_URL" <<'PY'
import datetime, json, sys
path, old_token, old_refresh, secret, start_url = sys.argv[1:]
doc = json.load(open(path))
assert doc["accessToken"] and doc["accessToken"] != old_token, "accessToken not renewed"
assert doc["refreshToken"] and doc["refreshToken"] != old_refresh, "refreshToken not renewed"
assert doc["clientSecret"] == secret and doc["startUrl"] == start_url and doc["region"] == "us-east-1", "keys lost"
assert "registrationExpiresAt" in doc and doc["clientId"], "keys lost"
exp = datetime.datetime.strptime(doc["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
assert exp > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7), doc["expiresAt"]
PY
  [ -z "$(find "$CACHE" -name '.*tmp*')" ] || return 1
  # The new token serves the next run without another refresh.
  reset_log
  run --profile sso-dev
  requests
  [ "$RC" -eq 0 ] && [ "$(logged CreateToken)" -eq 0 ]
}
check "expired token with a refresh token: CreateToken, cache rewritten (0600, new tokens, keys kept), run succeeds" refresh

refresh_fails_token_valid() {
  # Within the 15-minute window, a refresh token CreateToken refuses: a warning, and the cached token serves.
  session_token '+10 minutes' "$(refreshable "$REFRESH")"
  cp "$SESSION_FILE" "$TEST_TMP/before"
  reset_log
  run --profile sso-dev
  requests
  [ "$RC" -eq 0 ] && grep -q 'refreshing the IAM Identity Center token failed (InvalidGrantException)' "$TEST_TMP/err" &&
    [ "$(logged '"operation": "CreateToken".*"status": 400')" -eq 1 ] && cmp -s "$SESSION_FILE" "$TEST_TMP/before"
}
check "refresh refused while the token is still valid: warning, cached token used, cache untouched" refresh_fails_token_valid

refresh_fails_expired() {
  session_token '-1 minute' "$(refreshable "$REFRESH")"
  run --profile sso-dev
  login_asked sso-dev && grep -q 'refreshing it failed (InvalidGrantException)' "$TEST_TMP/err"
}
check "refresh refused and the token expired: exit 4, login asked for" refresh_fails_expired

endpoint_overrides() {
  # AWS_ENDPOINT_URL_SSO and _SSO_OIDC outrank AWS_ENDPOINT_URL, which here leads nowhere.
  session_token '-5 minutes' "$(refreshable "$REFRESH2")"
  RC=0
  AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ENDPOINT_URL_STS=$FAKEAWS_URL AWS_ENDPOINT_URL_SSO=$FAKEAWS_URL \
    AWS_ENDPOINT_URL_SSO_OIDC=$FAKEAWS_URL "$IMGAUDIT_BIN" whoami --profile sso-dev >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  cat "$TEST_TMP/out" "$TEST_TMP/err" >>"$TEST_TMP/all-output"
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out"
}
check "AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC outrank AWS_ENDPOINT_URL" endpoint_overrides

over_https() {
  session_token '+2 hours'
  RC=0
  AWS_ENDPOINT_URL=$TLS_URL AWS_CA_BUNDLE=$TEST_TMP/certs/ca.pem "$IMGAUDIT_BIN" whoami --profile sso-dev \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out" || return 1
  # Without the test CA the portal's certificate is refused, before the token is sent.
  local before
  before=$(wc -l <"$TEST_TMP/tls/requests.jsonl")
  RC=0
  AWS_ENDPOINT_URL=$TLS_URL "$IMGAUDIT_BIN" whoami --profile sso-dev >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  cat "$TEST_TMP/out" "$TEST_TMP/err" >>"$TEST_TMP/all-output"
  [ "$RC" -eq 4 ] && one_line "$TEST_TMP/err" && grep -q 'sso GetRoleCredentials (us-east-1' "$TEST_TMP/err" &&
    grep -q 'TLS: certificate of 127.0.0.1:[0-9]* not trusted' "$TEST_TMP/err" &&
    [ "$(wc -l <"$TEST_TMP/tls/requests.jsonl")" -eq "$before" ]
}
check "over HTTPS: AWS_CA_BUNDLE is used for the portal; an untrusted certificate is refused, one line, exit 4" over_https

plain_http_warned() {
  # fakeaws stands, through http_proxy, for a portal elsewhere: nothing leaves the machine.
  session_token '+2 hours'
  RC=0
  http_proxy=$FAKEAWS_URL AWS_ENDPOINT_URL_SSO=http://sso.example.invalid:8080 "$IMGAUDIT_BIN" whoami \
    --profile sso-dev >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
  [ "$RC" -eq 0 ] && grep -q "$sso_arn" "$TEST_TMP/out" && one_line "$TEST_TMP/err" &&
    untimed "$TEST_TMP/err" | grep -q '^imgaudit: warning: AWS_ENDPOINT_URL_SSO is plain http to sso.example.invalid:8080'
}
check "a plain-http portal that is not loopback is warned about" plain_http_warned

# config_error PROFILE MESSAGE: exit 2, one line naming the profile and saying MESSAGE; nothing sent.
config_error() {
  reset_log
  run --profile "$1"
  requests
  [ "$RC" -eq 2 ] && one_line "$TEST_TMP/err" && grep -q "$2" "$TEST_TMP/err" && [ ! -s "$TEST_TMP/log" ]
}
check "source profile without credentials: exit 2 naming both, no AssumeRole (signed or not) sent" \
  config_error chained-empty "the source profile 'empty' of profile 'chained-empty' has no credentials"
check "sso_session naming no section: exit 2" \
  config_error no-section "profile 'no-section': sso_session 'missing' has no \[sso-session missing\] section"
check "sso_start_url contradicting the sso-session's: exit 2" \
  config_error contradicts "profile 'contradicts': sso_start_url 'https://other.awsapps.com/start' differs from the one of \[sso-session my-sso\]"
check "missing settings are named: exit 2" \
  config_error incomplete "profile 'incomplete' is set up for IAM Identity Center but has no sso_role_name, sso_region"

debug_run() {
  session_token '-5 minutes' "$(refreshable "$REFRESH3")"
  run --profile chained --debug
  [ "$RC" -eq 0 ] && grep -q 'assumed-role/ImgAuditRole/' "$TEST_TMP/out" && grep -q 'sts.AssumeRole' "$TEST_TMP/err"
}
check "--debug run through a refresh and a chained role" debug_run

no_secrets() {
  # Neither the tokens, the client secret, nor any credentials fakeaws handed out appear in any output.
  local s
  for s in "$TOKEN" "$REFRESH" "$CLIENT_SECRET" aoa aor FwoGZXIvYXdzE; do
    if grep -q -- "$s" "$TEST_TMP/all-output"; then
      echo "secret '$s' in the output" >&2
      return 1
    fi
  done
}
check "no token, refresh token, client secret or session credentials in stdout or stderr" no_secrets

finish
