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

# one_line FILE: FILE holds exactly one line (every error is one line on stderr).
one_line() {
  [ "$(wc -l <"$1")" -eq 1 ]
}

container_refused() {
  # refused URL MESSAGE: the URL is refused with exit 4 and one line saying MESSAGE, and the token is never sent.
  local rc=0
  : >"$TEST_TMP/stub.log"
  AWS_CONTAINER_CREDENTIALS_FULL_URI=$1 AWS_CONTAINER_AUTHORIZATION_TOKEN=let-me-in \
    "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && one_line "$TEST_TMP/err" && grep -q "$2" "$TEST_TMP/err" && [ ! -s "$TEST_TMP/stub.log" ]
}
check "container credentials from a non-loopback http host are refused" \
  container_refused http://10.0.0.1/creds 'AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback'
check "container credentials URL with a user name is refused (http://127.0.0.1@host/ goes to host)" \
  container_refused "http://127.0.0.1@localhost:$STUB_PORT/container/creds" 'must not hold a user name or password'
check "container credentials host must resolve, not just start with 127." \
  container_refused "http://127.anything.invalid:$STUB_PORT/container/creds" "'127.anything.invalid' cannot be resolved"

container_token_line_break() {
  # A token that would add a header of its own making is refused before anything is sent.
  local rc=0
  : >"$TEST_TMP/stub.log"
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STUB_PORT/container/creds \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=$'let-me-in\r\nX-Injected: 1' \
    "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && one_line "$TEST_TMP/err" && grep -q 'holds a line break' "$TEST_TMP/err" &&
    ! grep -q let-me-in "$TEST_TMP/err" && [ ! -s "$TEST_TMP/stub.log" ]
}
check "container authorization token with CR/LF is refused, never a header" container_token_line_break

container_full() {
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:$STUB_PORT/container/creds \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=let-me-in "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    is_auditor && grep -q 'GET /container/creds 200' "$TEST_TMP/stub.log"
}
check "container credentials (full URI on localhost + authorization token)" container_full

container_token_file() {
  echo let-me-in >"$TEST_TMP/token"
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$STUB_PORT/container/creds \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$TEST_TMP/token "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    is_auditor
}
check "container credentials (authorization token file)" container_token_file

imds() {
  : >"$TEST_TMP/stub.log"
  # The SDKs' 1 s per request is short for a stub on a loaded test machine (sanitizers, tests side by side).
  AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$STUB_PORT/ \
    AWS_METADATA_SERVICE_TIMEOUT=10 "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" && is_auditor &&
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

# A credential_process that hangs, started through a shell that starts a child of its own; both write their
# process ids to hang.pids.
cat >"$TEST_TMP/hang.sh" <<SH
#!/bin/sh
echo \$\$ >>"$TEST_TMP/hang.pids"
sleep 30 &
echo \$! >>"$TEST_TMP/hang.pids"
wait
SH
chmod +x "$TEST_TMP/hang.sh"

# all_gone PID...: every process has exited within a second (a zombie left for init to reap counts).
all_gone() {
  local pid i
  for pid in "$@"; do
    for i in $(seq 1 10); do
      if [ ! -e "/proc/$pid" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then
        break
      fi
      sleep 0.1
    done
    [ "$i" -lt 10 ] || { echo "process $pid is still running" >&2; return 1; }
  done
}

# hang_started: the shell and its child have both written their ids (up to 5 s).
hang_started() {
  local i
  for i in $(seq 1 50); do
    [ "$(wc -l <"$TEST_TMP/hang.pids" 2>/dev/null || echo 0)" -ge 2 ] && return 0
    sleep 0.1
  done
  return 1
}

# stop_hang: kills what a failed check left behind.
stop_hang() {
  kill -KILL $(cat "$TEST_TMP/hang.pids" 2>/dev/null) 2>/dev/null || true
}

process_sigterm() {
  local pid rc=0 t0 ms i
  rm -f "$TEST_TMP/hang.pids"
  printf '[profile hang]\ncredential_process = %s\n' "$TEST_TMP/hang.sh" >"$TEST_TMP/config"
  "$IMGAUDIT_BIN" whoami --profile hang >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
  pid=$!
  hang_started || { kill -KILL "$pid"; stop_hang; return 1; }
  t0=$(date +%s%N)
  kill -TERM "$pid"
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "imgaudit still runs 5 s after SIGTERM" >&2
    kill -KILL "$pid"
    wait "$pid" || true
    stop_hang
    return 1
  fi
  wait "$pid" || rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  echo "     SIGTERM to exit: $ms ms (exit $rc)"
  [ "$rc" -eq 130 ] && [ "$ms" -lt 2000 ] && all_gone $(cat "$TEST_TMP/hang.pids")
}
check "SIGTERM while credential_process hangs: exit 130 at once, the process group killed" process_sigterm

process_timeout() {
  local rc=0 t0 ms
  rm -f "$TEST_TMP/hang.pids"
  printf '[profile hang]\ncredential_process = %s\n' "$TEST_TMP/hang.sh" >"$TEST_TMP/config"
  t0=$(date +%s%N)
  IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT=1 timeout -s KILL 10 "$IMGAUDIT_BIN" whoami --profile hang \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  echo "     time-out of 1 s: exit $rc after $ms ms"
  [ "$rc" -eq 4 ] && [ "$ms" -lt 3000 ] && one_line "$TEST_TMP/err" &&
    grep -q 'credential_process did not finish within 1 s' "$TEST_TMP/err" &&
    all_gone $(cat "$TEST_TMP/hang.pids") || { stop_hang; return 1; }
}
check "credential_process that hangs is killed after IMGAUDIT_CREDENTIAL_PROCESS_TIMEOUT" process_timeout

process_expired() {
  local rc=0
  cat >"$TEST_TMP/expired.sh" <<SH
#!/bin/sh
echo run >>"$TEST_TMP/expired.runs"
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"expired-token",
 "Expiration":"2020-01-01T00:00:00Z"}' "$MOTO_KEY_ID" "$MOTO_SECRET"
SH
  chmod +x "$TEST_TMP/expired.sh"
  rm -f "$TEST_TMP/expired.runs"
  printf '[profile expired]\ncredential_process = %s\n' "$TEST_TMP/expired.sh" >"$TEST_TMP/config"
  "$IMGAUDIT_BIN" whoami --profile expired >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && one_line "$TEST_TMP/err" &&
    grep -q "credential_process of profile 'expired': it gave credentials that expired at 2020-01-01T00:00:00Z" \
      "$TEST_TMP/err" && ! grep -q -e "$MOTO_SECRET" -e expired-token "$TEST_TMP/err" &&
    [ "$(wc -l <"$TEST_TMP/expired.runs")" -eq 1 ]
}
check "credential_process that gives expired credentials: one clear error, exit 4, run once" process_expired

finish
