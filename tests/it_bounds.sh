#!/usr/bin/env bash
# Bounds on what is parsed (README "Limits"): an AWS answer nested too deep, too large or too dense is recorded
# as that call's error and the snapshot still reads back, in collect and in audit; a snapshot or baseline that
# would parse to more than 8 times its size, or cannot be JSON at all, is refused at once, without the memory.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5

# serve NAME FAULTS: a fakeaws (test fleet) with those faults, its environment sourced.
serve() {
  bash "$FA/run.sh" start "$TEST_TMP/$1" --owner $$ --fleet test --faults "$2" >/dev/null
  _server_pids+=("$(cat "$TEST_TMP/$1/pid")")
  source "$TEST_TMP/$1/env"
}

# measured NAME CMD...: runs CMD with stdout/stderr in $TEST_TMP/NAME.out/.err; its exit status in NAME.rc and
# its peak resident memory (KiB) in NAME.rss.
measured() {
  python3 - "$TEST_TMP/$1" "${@:2}" <<'PY'
import resource, subprocess, sys
base = sys.argv[1]
with open(base + ".out", "wb") as out, open(base + ".err", "wb") as err:
    rc = subprocess.run(sys.argv[2:], stdout=out, stderr=err).returncode
open(base + ".rc", "w").write(f"{rc}\n")
open(base + ".rss", "w").write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
PY
}

# has_error SNAPSHOT OPERATION TEXT: the snapshot reads as JSON and records one error of OPERATION saying TEXT.
has_error() {
  python3 - "$@" <<'PY'
import json, sys
snap, op, text = sys.argv[1:]
errors = [e for e in json.load(open(snap))["errors"] if e["operation"] == op]
assert len(errors) == 1 and text in errors[0]["message"], errors
PY
}

# under_10x NAME BYTES [BASE]: the run NAME peaked under ten times BYTES above the peak of the run BASE.
under_10x() {
  local rss base=0
  rss=$(cat "$TEST_TMP/$1.rss")
  [ -z "${3:-}" ] || base=$(cat "$TEST_TMP/$3.rss")
  [ $((rss - base)) -lt $(($2 * 10 / 1024)) ] || { echo "peak $rss KiB ($base without) for $2 bytes" >&2; return 1; }
}

collect() {
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --quiet "$@"
}

# An AppStream image 997 levels deep (cJSON parses 1000; a reader, 512) and a WorkSpaces image that the client
# parses (the answer is 512 deep) but a snapshot could not hold under its envelope.
serve deep "deep/1@DescribeImages,deep:509/1@DescribeWorkspaceImages"
deep_answers() {
  local rc=0 erc=0
  collect -o "$TEST_TMP/deep.json" 2>"$TEST_TMP/deep.err" || rc=$?
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/deep.json" --fail-on none --quiet 2>"$TEST_TMP/deep-eval.err" || erc=$?
  [ "$rc" -eq 3 ] && [ "$erc" -eq 3 ] &&
    has_error "$TEST_TMP/deep.json" DescribeImages "nesting deeper than 512 levels" &&
    has_error "$TEST_TMP/deep.json" DescribeWorkspaceImages "Images[0] nests deeper than the 509 levels"
}
check "answers nested too deep are those calls' errors (exit 3), and evaluate reads the snapshot (exit 3)" \
  deep_answers

deep_audit() {
  local rc=0 named
  mkdir -p "$TEST_TMP/audit-tmp"
  curl -s -X POST "$AWS_ENDPOINT_URL/_fake/reset" >/dev/null
  TMPDIR=$TEST_TMP/audit-tmp "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 --quiet \
    --fail-on none >/dev/null 2>"$TEST_TMP/audit.err" || rc=$?
  # Any temporary snapshot an error line names is still there.
  named=$(grep -o "$TEST_TMP/audit-tmp/[^: ]*" "$TEST_TMP/audit.err" || true)
  [ "$rc" -eq 3 ] && for f in $named; do [ -e "$f" ] || return 1; done
}
check "audit over the same answers: exit 3, no error names a temporary file that is gone" deep_audit

# Over the 8 MiB an answer may be; under it, but 40 times its size parsed.
serve big "bloat:9000000/1@DescribeImageBuilders,bloat:8000000/1@DescribeWorkspaceImages"
big_answers() {
  # The same collection without the faults, for the process's own memory (threads, libcurl; ASan's shadow).
  serve plain ""
  measured plain "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --quiet \
    -o "$TEST_TMP/plain.json"
  source "$TEST_TMP/big/env"
  measured big "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --quiet \
    -o "$TEST_TMP/big.json"
  [ "$(cat "$TEST_TMP/big.rc")" -eq 3 ] && under_10x big 8000000 plain &&
    has_error "$TEST_TMP/big.json" DescribeImageBuilders "answer larger than 8388608 bytes" &&
    has_error "$TEST_TMP/big.json" DescribeWorkspaceImages "too many values to parse"
}
check "an answer over 8 MiB, and one that would parse to 40 times its 8 MB, are errors; peak under 10x" big_answers

dense_inputs() {
  python3 - "$TEST_TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
zeros = "[" + "0," * 10_000_000 + "0]"  # 20 MB that cJSON would take 800 MB for
data = {"ImageId": "wsi-000000001", "Name": "n", "State": "AVAILABLE", "Zeros": "@"}
snap = {"schema": "imgaudit.snapshot", "schema_version": 1, "complete": True, "accounts": [], "errors": [],
        "resources": [{"type": "workspaces_image", "account": "111122223333", "region": "eu-west-1",
                       "id": "wsi-000000001", "data": data}]}
open(f"{tmp}/dense-snapshot.json", "w").write(json.dumps(snap).replace('"@"', zeros))
data.pop("Zeros")
json.dump(snap, open(f"{tmp}/small.json", "w"))
open(f"{tmp}/dense-baseline.json", "w").write('{"schema": "imgaudit.results", "results": [], "pad": %s}' % zeros)
PY
  measured dense-snap "$IMGAUDIT_BIN" evaluate "$TEST_TMP/dense-snapshot.json" --quiet
  measured dense-base "$IMGAUDIT_BIN" evaluate "$TEST_TMP/small.json" --baseline "$TEST_TMP/dense-baseline.json" \
    --quiet
  [ "$(cat "$TEST_TMP/dense-snap.rc")" -eq 2 ] && [ "$(cat "$TEST_TMP/dense-base.rc")" -eq 2 ] &&
    grep -q "dense-snapshot.json: too many values to parse (limit " "$TEST_TMP/dense-snap.err" &&
    grep -q "dense-baseline.json: too many values to parse (limit " "$TEST_TMP/dense-base.err" &&
    under_10x dense-snap 20000000 && under_10x dense-base 20000000
}
check "a snapshot and a baseline that would parse to 40 times their size: exit 2, peak under 10x" dense_inputs

# An evaluation that fails after the collection keeps what was collected, where it says. (A bad baseline is
# refused before the collection: a report that cannot be written fails after it.)
kept_snapshot() {
  local rc=0 kept
  TMPDIR=$TEST_TMP/audit-tmp "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 \
    --no-progress --json "$TEST_TMP/no-such-dir/results.json" >/dev/null 2>"$TEST_TMP/kept.err" || rc=$?
  kept=$(untimed "$TEST_TMP/kept.err" | sed -n 's/^imgaudit: warning: the collected snapshot is kept at //p')
  [ "$rc" -eq 4 ] && [ -n "$kept" ] && "$IMGAUDIT_BIN" evaluate "$kept" --quiet --fail-on none
}
check "audit whose evaluation fails (a report it cannot write: exit 4) keeps the collected snapshot and says where" \
  kept_snapshot

endless_zeros() {
  local rc=0 started=$SECONDS
  timeout 60 "$IMGAUDIT_BIN" evaluate /dev/zero --quiet 2>"$TEST_TMP/zero.err" || rc=$?
  [ "$rc" -eq 2 ] && [ $((SECONDS - started)) -lt 10 ] &&
    untimed "$TEST_TMP/zero.err" | grep -qx "imgaudit: error: /dev/zero:1:1: invalid JSON (a NUL byte): not a snapshot"
}
check "evaluate /dev/zero is refused at its first byte (exit 2), not read to the 4 GiB limit" endless_zeros

# A file is refused as stdin is: a NUL byte anywhere (cJSON would read it as a blank), a first character other
# than '{'; each at its line:column.
refused_as_stdin() {
  local f rc
  printf '{"schema":"imgaudit.snapshot","schema_version":1,"resources":[\n%s,\n%b]}\n' \
    '{"type":"workspaces_image","account":"111111111111","region":"eu-west-1","id":"wsi-1","data":{}}' \
    '{"type":"workspaces_image","account":"111111111111","region":"eu-west-1","id":"wsi-\x002","data":{}}' \
    >"$TEST_TMP/nul.json"
  printf '\xef\xbb\xbf \n [1]' >"$TEST_TMP/list.json"
  for f in nul list; do
    rc=0
    "$IMGAUDIT_BIN" evaluate "$TEST_TMP/$f.json" --quiet 2>"$TEST_TMP/$f.file.err" || rc=$?
    [ "$rc" -eq 2 ] || return 1
    rc=0
    "$IMGAUDIT_BIN" evaluate - --quiet <"$TEST_TMP/$f.json" 2>"$TEST_TMP/$f.stdin.err" || rc=$?
    [ "$rc" -eq 2 ] || return 1
  done
  untimed "$TEST_TMP/nul.file.err" |
    grep -qxF "imgaudit: error: $TEST_TMP/nul.json:3:84: invalid JSON (a NUL byte): not a snapshot" &&
    untimed "$TEST_TMP/nul.stdin.err" | grep -qxF "imgaudit: error: stdin:3:84: invalid JSON (a NUL byte): not a snapshot" &&
    untimed "$TEST_TMP/list.file.err" |
    grep -qxF "imgaudit: error: $TEST_TMP/list.json:2:2: invalid JSON (it does not start with '{'): not a snapshot" &&
    untimed "$TEST_TMP/list.stdin.err" |
    grep -qxF "imgaudit: error: stdin:2:2: invalid JSON (it does not start with '{'): not a snapshot"
}
check "a snapshot file with a NUL byte in a resource, or not starting with '{': exit 2 at line:column, as from stdin" \
  refused_as_stdin

finish
