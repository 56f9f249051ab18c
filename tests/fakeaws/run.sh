#!/usr/bin/env bash
# Start and stop fakeaws for a test.
#
#   port=$(tests/fakeaws/run.sh start DIR [--owner PID] [fakeaws options...])
#   tests/fakeaws/run.sh stop DIR
#
# start runs the server in the background on a free 127.0.0.1 port, waits until it
# listens, prints the port and leaves in DIR:
#   pid, port, url      the server's process id, port and base URL (https:// with --tls-cert)
#   env                 a file to `source`: base credentials of the fleet's caller, AWS_ENDPOINT_URL,
#                       and settings that keep any AWS SDK away from real configuration
#   requests.jsonl      the request log (also at $url/_fake/log)
#   server.log          the server's stderr
# --owner PID makes the server stop by itself when PID exits (pass $$ from the test
# script); in any case it stops after FAKEAWS_MAX_LIFETIME seconds (default 1800).
# stop ends the server started in DIR (by its pid file) and waits for it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

usage() {
  echo "usage: $0 start DIR [--owner PID] [fakeaws options...] | $0 stop DIR" >&2
  exit 2
}

start() {
  local dir="$1"
  shift
  local owner=0
  if [ "${1:-}" = "--owner" ]; then
    owner="${2:?--owner needs a pid}"
    shift 2
  fi
  mkdir -p "$dir"
  rm -f "$dir/port" "$dir/pid" "$dir/url" "$dir/env"
  local fleet="test" scheme="http"
  local args=("$@")
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = "--fleet" ] && [ $((i + 1)) -lt ${#args[@]} ]; then fleet="${args[$((i + 1))]}"; fi
    if [ "${args[$i]}" = "--tls-cert" ]; then scheme="https"; fi
  done
  "$python" "$here/fakeaws.py" --port 0 --port-file "$dir/port" --log "$dir/requests.jsonl" \
    --parent-pid "$owner" --max-lifetime "${FAKEAWS_MAX_LIFETIME:-1800}" "$@" \
    </dev/null >>"$dir/server.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/pid"
  local waited=0
  while [ ! -s "$dir/port" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "fakeaws: server exited before listening; its log:" >&2
      cat "$dir/server.log" >&2
      exit 1
    fi
    if [ "$waited" -ge 300 ]; then
      echo "fakeaws: server did not listen within 30 s; stopping it" >&2
      kill "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  local port
  port="$(cat "$dir/port")"
  echo "$scheme://127.0.0.1:$port" >"$dir/url"
  {
    "$python" "$here/expected.py" --fleet "$fleet" --print-env | sed 's/^/export /'
    echo "export AWS_ENDPOINT_URL=$scheme://127.0.0.1:$port"
    echo "export FAKEAWS_URL=$scheme://127.0.0.1:$port"
    echo "export FAKEAWS_PORT=$port"
    echo "export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true"
    echo "unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE"
  } >"$dir/env"
  echo "$port"
}

stop() {
  local dir="$1"
  [ -f "$dir/pid" ] || return 0
  local pid
  pid="$(cat "$dir/pid")"
  rm -f "$dir/pid"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

[ $# -ge 2 ] || usage
cmd="$1"
shift
case "$cmd" in
  start) start "$@" ;;
  stop) stop "$1" ;;
  *) usage ;;
esac
