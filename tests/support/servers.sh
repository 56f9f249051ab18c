# Sourced by the integration tests: starts servers on 127.0.0.1 and stops them when the test exits,
# however it exits.
set -euo pipefail

IMGAUDIT_SOURCE_DIR=${IMGAUDIT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
IMGAUDIT_BIN=${IMGAUDIT_BIN:-$IMGAUDIT_SOURCE_DIR/build/imgaudit}
# Never reach for the EC2 instance metadata service from a test.
export AWS_EC2_METADATA_DISABLED=true
TEST_TMP=$(mktemp -d /tmp/imgaudit-it.XXXXXX)
_server_pids=()
_passed=0
_failed=0

_stop_servers() {
  local pid
  for pid in "${_server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${_server_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TEST_TMP"
}
trap _stop_servers EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: waits up to 30 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  local i
  for i in $(seq 1 300); do
    if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# start_moto NO_AUTH_COUNT: starts moto's server with authentication after NO_AUTH_COUNT requests;
# sets MOTO_PORT and MOTO_URL.
start_moto() {
  MOTO_PORT=$(free_port)
  INITIAL_NO_AUTH_ACTION_COUNT=$1 python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" \
    >"$TEST_TMP/moto.log" 2>&1 &
  _server_pids+=($!)
  wait_port "$MOTO_PORT"
  MOTO_URL=http://127.0.0.1:$MOTO_PORT
}

# fakeaws_start NAME [fakeaws options]: starts tests/fakeaws in $TEST_TMP/NAME (its env, url, port and request
# log there), stopped when the test exits.
fakeaws_start() {
  local dir=$TEST_TMP/$1
  shift
  bash "$IMGAUDIT_SOURCE_DIR/tests/fakeaws/run.sh" start "$dir" --owner $$ "$@" >/dev/null
  _server_pids+=("$(cat "$dir/pid")")
}

# start_background CMD...: starts a helper process that the test stops at exit.
start_background() {
  "$@" &
  _server_pids+=($!)
}

# check NAME CMD...: runs a check, counts it, prints ok/FAIL.
check() {
  local name=$1
  shift
  if "$@"; then
    _passed=$((_passed + 1))
    echo "ok   $name"
  else
    _failed=$((_failed + 1))
    echo "FAIL $name"
  fi
}

# Off a terminal (as here) every line imgaudit logs on stderr starts with its time, ISO-8601 UTC, and a space.
LOG_TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z '

# untimed FILE: FILE's lines without that time, for checks that match whole lines.
untimed() {
  sed -E "s/^$LOG_TIME_RE//" "$1"
}

# finish: prints the closing count line and sets the exit status.
finish() {
  echo "$_passed passed, $_failed failed"
  [ "$_failed" -eq 0 ]
}
