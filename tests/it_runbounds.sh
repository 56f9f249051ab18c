#!/usr/bin/env bash
# Bounds on a collection run, against tests/fakeaws: a listing that pages forever stops at the page cap, an
# answer that drips in is given up by the low-speed limit, and --deadline ends the run on time with what was
# not read recorded as errors, the snapshot still written, exit 3.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5

now_ms() { echo $(($(date +%s%N) / 1000000)); }

fakeaws_start endless --fleet test --faults 'endless@DescribeImageBuilders'
page_cap() {
  local rc=0
  (source "$TEST_TMP/endless/env" && timeout 300 "$IMGAUDIT_BIN" collect --region us-east-1 --quiet \
    -o "$TEST_TMP/endless.json") 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] || { echo "  exit $rc" >&2; cat "$TEST_TMP/err" >&2; return 1; }
  python3 - "$TEST_TMP/endless.json" "$TEST_TMP/endless/requests.jsonl" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
errors = snap["errors"]
assert len(errors) == 1, errors
e = errors[0]
assert (e["account"], e["region"], e["operation"]) == ("111111111111", "us-east-1", "DescribeImageBuilders"), e
assert "more than 1000 pages" in e["message"], e
asked = [r for r in log if r.get("operation") == "DescribeImageBuilders"]
assert len(asked) == 1000, len(asked)
# Everything else was still collected.
assert any(r["type"] == "workspaces_image" for r in snap["resources"])
PY
}
check "a listing with endless fresh NextTokens stops at 1000 pages: one error naming it, account, region; exit 3" \
  page_cap

fakeaws_start drip --fleet test --faults 'drip:100@GetCallerIdentity'
low_speed() {
  local rc=0 started took
  started=$(now_ms)
  (source "$TEST_TMP/drip/env" && timeout 120 "$IMGAUDIT_BIN" whoami --region us-east-1 --max-attempts 1) \
    >/dev/null 2>"$TEST_TMP/err" || rc=$?
  took=$(($(now_ms) - started))
  echo "  exit $rc after ${took} ms" >&2
  # The answer would take about 45 s at a byte per 100 ms; the low-speed limit gives up after 10 s.
  [ "$rc" -eq 4 ] && [ "$took" -lt 30000 ] && grep -q "too slow" "$TEST_TMP/err" &&
    [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ]
}
check "an answer that drips in is given up after 10 s below 1 KiB/s: one line, exit 4" low_speed

fakeaws_start stuck --fleet test --faults 'slow=1:60000@DescribeImageBuilders'
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null
deadline() {
  local rc=0 started took
  started=$(now_ms)
  (source "$TEST_TMP/stuck/env" && timeout 120 "$IMGAUDIT_BIN" "$@" --region us-east-1 \
    --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" --quiet --deadline 4s) \
    2>"$TEST_TMP/err" || rc=$?
  took=$(($(now_ms) - started))
  echo "  exit $rc after ${took} ms" >&2
  # Requests still in flight at the deadline (answers held for 60 s) are stopped, not waited for.
  [ "$took" -lt 9000 ] && return "$rc"
  return 99
}
deadline_collect() {
  local rc=0
  deadline collect -o "$TEST_TMP/deadline.json" || rc=$?
  [ "$rc" -eq 3 ] || { cat "$TEST_TMP/err" >&2; return 1; }
  python3 - "$TEST_TMP/deadline.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
late = [e for e in snap["errors"] if "deadline reached" in e["message"]]
assert not snap["complete"]
# Every builder listing of every account that could be reached was cut off, and says where.
cut = {(e["account"], e["region"]) for e in late if e["operation"] == "DescribeImageBuilders"}
assert len(cut) >= 4, cut
assert all(e["account"] and e["service"] and e["operation"] for e in late), late
assert any(r["type"] == "workspaces_image" for r in snap["resources"])
PY
}
check "--deadline 4s: in-flight requests stopped, what is unread recorded per account/region, snapshot written, exit 3" \
  deadline_collect

deadline_audit() {
  local rc=0
  deadline audit --fail-on none --json "$TEST_TMP/deadline-results.json" || rc=$?
  [ "$rc" -eq 3 ] && grep -q "deadline reached" "$TEST_TMP/deadline-results.json"
}
check "audit --deadline: the reports are written, with the unread as collection errors; exit 3" deadline_audit

bad_deadline() {
  local rc=0
  "$IMGAUDIT_BIN" collect --deadline 10 -o /dev/null 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q "90s, 30m, 2h" "$TEST_TMP/err"
}
check "--deadline without a unit is a usage error" bad_deadline

finish
