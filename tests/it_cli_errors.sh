#!/usr/bin/env bash
# Bad input gets one clear line on stderr and a documented exit code, never a crash or a hang.
source "$(dirname "$0")/support/servers.sh"

export AWS_CONFIG_FILE=$TEST_TMP/config AWS_SHARED_CREDENTIALS_FILE=$TEST_TMP/credentials
export IMGAUDIT_RETRY_BASE_MS=10
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
: >"$TEST_TMP/config"
: >"$TEST_TMP/credentials"

# expect CODE PATTERN CMD...: the command exits CODE, prints one stderr line matching PATTERN, and no
# sanitizer or crash report.
expect() {
  local code=$1 pattern=$2 rc=0
  shift 2
  timeout 60 "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "  exit $rc, expected $code; stderr:" >&2
    cat "$TEST_TMP/err" >&2
    return 1
  fi
  [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -Eq "$pattern" "$TEST_TMP/err" || {
    echo "  stderr does not match '$pattern':" >&2
    cat "$TEST_TMP/err" >&2
    return 1
  }
}

check "a regex that would take gigabytes to compile: exit 2 at the variable's file:line:column, before the snapshot" \
  expect 2 "^${LOG_TIME_RE}imgaudit: error: .*/rules/vars/costly_regex.yaml:3:18: .*nested counted repetitions are refused" \
  "$IMGAUDIT_BIN" evaluate --no-builtin-rules --rules "$IMGAUDIT_SOURCE_DIR/tests/data/rules/lint/regex_cost_uses_var.yaml" \
  --vars "$IMGAUDIT_SOURCE_DIR/tests/data/rules/vars/costly_regex.yaml" /dev/null

KEYS=(env AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY)

check "no credentials anywhere: exit 4" \
  expect 4 "^${LOG_TIME_RE}imgaudit: error: no AWS credentials found" "$IMGAUDIT_BIN" whoami --region us-east-1

check "unknown profile: exit 2" \
  expect 2 "profile 'ghost' not found" "$IMGAUDIT_BIN" whoami --profile ghost

printf '[profile ok]\nregion = us-east-1\n\n[profile broken\nregion = x\n' >"$TEST_TMP/config"
check "malformed config file: exit 2 with file:line:column" \
  expect 2 "$TEST_TMP/config:4:[0-9]+: " "$IMGAUDIT_BIN" whoami --profile ok
: >"$TEST_TMP/config"

check "bad --max-attempts: exit 2" \
  expect 2 "max-attempts" "$IMGAUDIT_BIN" whoami --max-attempts lots

check "unknown option: exit 2" expect 2 "unknown option '--frobnicate'" "$IMGAUDIT_BIN" whoami --frobnicate
check "unknown command: exit 2" expect 2 "unknown command 'frobnicate'" "$IMGAUDIT_BIN" frobnicate

DEAD_PORT=$(free_port)
check "endpoint refusing connections: exit 4 after retries, names the host" \
  expect 4 "127.0.0.1:$DEAD_PORT" "${KEYS[@]}" AWS_ENDPOINT_URL=http://127.0.0.1:$DEAD_PORT \
  "$IMGAUDIT_BIN" whoami --region us-east-1

check "endpoint that is not a URL: exit 2" \
  expect 2 "AWS_ENDPOINT_URL" "${KEYS[@]}" AWS_ENDPOINT_URL=ftp:/nowhere "$IMGAUDIT_BIN" whoami --region us-east-1

for mode in html truncated empty500; do
  port=$(free_port)
  start_background python3 "$IMGAUDIT_SOURCE_DIR/tests/support/junk_server.py" "$port" "$mode"
  wait_port "$port"
  check "answer that is $mode: exit 4, one line" \
    expect 4 "sts GetCallerIdentity" "${KEYS[@]}" AWS_ENDPOINT_URL=http://127.0.0.1:$port \
    "$IMGAUDIT_BIN" whoami --region us-east-1 --max-attempts 2
done

printf 'accounts:\n  - id: "12345"\n' >"$TEST_TMP/bad-accounts.yaml"
check "bad accounts file: exit 2 before any AWS call (the endpoint is dead), its problem printed once" \
  expect 2 "bad-accounts.yaml:2:[0-9]+: account id '12345'" "${KEYS[@]}" \
  AWS_ENDPOINT_URL=http://127.0.0.1:$DEAD_PORT "$IMGAUDIT_BIN" collect --region us-east-1 \
  --accounts "$TEST_TMP/bad-accounts.yaml" -o "$TEST_TMP/never.json"

head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$TEST_TMP/big-config"
check "config file over 1 MiB: exit 2 (a bad input file), one line" \
  expect 2 "big-config: larger than 1048576 bytes" env AWS_CONFIG_FILE="$TEST_TMP/big-config" \
  "$IMGAUDIT_BIN" whoami --region us-east-1

secret_never_printed() {
  ! grep -q 'wJalrXUtnFEMI' "$TEST_TMP/err" "$TEST_TMP/out"
}
check "no secret in any of those outputs" secret_never_printed

finish
