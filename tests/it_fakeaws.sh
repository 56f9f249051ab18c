#!/usr/bin/env bash
# Self-test of the fake AWS endpoint (tests/fakeaws): starts it on a free 127.0.0.1 port,
# drives every operation through the real boto3 clients and checks the answers against
# the fleet (tests/fakeaws/selftest.py), then stops it whatever happened. selftest.py starts second servers
# of its own for the rate-limit mode (burst, then ThrottlingException) and the throughput mode (unsigned
# requests served only there).
set -euo pipefail

src="${IMGAUDIT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
run="$src/tests/fakeaws/run.sh"
dir="$(mktemp -d "${TMPDIR:-/tmp}/it_fakeaws.XXXXXX")"

cleanup() {
  "$run" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$("$run" start "$dir" --owner $$ --fleet test --seed 7)"
FAKEAWS_URL="http://127.0.0.1:$port" FAKEAWS_DIR="$dir" \
  python3 "$src/tests/fakeaws/selftest.py"
