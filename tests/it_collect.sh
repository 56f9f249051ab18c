#!/usr/bin/env bash
# imgaudit collect against tests/fakeaws: the test fleet (5 accounts through AssumeRole, one with an
# ExternalId, one denied; 2 regions; 100+ images over many small pages; AppStream denied in one region).
# The snapshot must hold exactly what expected.py derives from the fleet, faults or not.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
COMPARE=$IMGAUDIT_SOURCE_DIR/tests/support/compare_snapshot.py
export IMGAUDIT_RETRY_BASE_MS=5

# fakeaws_start NAME [fakeaws options]: starts a server in $TEST_TMP/NAME, stopped when the test exits.
fakeaws_start() {
  local dir=$TEST_TMP/$1
  shift
  bash "$FA/run.sh" start "$dir" --owner $$ "$@" >/dev/null
  _server_pids+=("$(cat "$dir/pid")")
}

fakeaws_start plain --fleet test
source "$TEST_TMP/plain/env"
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" \
  >"$TEST_TMP/expected-targets.json"
REGIONS=us-east-1,eu-west-1
collect() {
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions $REGIONS --quiet "$@"
}

accounts_file() {
  local rc=0
  collect --accounts "$TEST_TMP/accounts.yaml" -o "$TEST_TMP/snap1.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && python3 "$COMPARE" "$TEST_TMP/snap1.json" "$TEST_TMP/expected-targets.json"
}
check "accounts file: the snapshot holds exactly the fleet; errors name exactly the failures; exit 3" accounts_file

file_mode() {
  [ "$(stat -c %a "$TEST_TMP/snap1.json")" = 600 ] && [ -z "$(ls -A "$TEST_TMP" | grep '\.tmp-')" ]
}
check "snapshot file is mode 0600 and no temporary file is left" file_mode

paging_followed() {
  python3 - "$TEST_TMP/plain/requests.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
ops = [r for r in log if r.get("operation") in ("DescribeWorkspaceImages", "DescribeWorkspaceImagePermissions",
                                                "DescribeImages", "DescribeImageBuilders", "DescribeImagePermissions")]
with_token = [r for r in ops if (r.get("params") or {}).get("NextToken")]
assert len(with_token) >= 10, f"only {len(with_token)} follow-up pages"
assert any(r["operation"] == "DescribeWorkspaceImagePermissions" for r in with_token), "permissions never paged"
for r in ops:
    p = r.get("params") or {}
    assert r.get("status") == 200 or r.get("status") in (400, 403), r
    mr = p.get("MaxResults")
    if r["operation"] in ("DescribeWorkspaceImages", "DescribeWorkspaceImagePermissions", "DescribeImages"):
        assert mr == 25, (r["operation"], mr)
ws = [r for r in ops if r["operation"] == "DescribeWorkspaceImages"]
assert {(r.get("params") or {}).get("ImageType") for r in ws} == {"OWNED", "SHARED"}
PY
}
check "every page followed (NextToken), MaxResults at the model's maximum, OWNED and SHARED listed" paging_followed

org_mode() {
  local rc=0
  python3 "$FA/expected.py" --fleet test --mode org --role-name ImgAuditRole >"$TEST_TMP/expected-org.json"
  collect --org --role-name ImgAuditRole -o "$TEST_TMP/org.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && python3 "$COMPARE" "$TEST_TMP/org.json" "$TEST_TMP/expected-org.json"
}
check "--org --role-name: ACTIVE accounts discovered and collected" org_mode

self_mode() {
  python3 "$FA/expected.py" --fleet test --mode self >"$TEST_TMP/expected-self.json"
  collect -o - >"$TEST_TMP/self.json" 2>"$TEST_TMP/err" &&
    python3 "$COMPARE" "$TEST_TMP/self.json" "$TEST_TMP/expected-self.json"
}
check "default: the caller's own account; --output - writes clean JSON to stdout; exit 0" self_mode

strip_times() {
  grep -v -E '^  "(started_at|finished_at)": ' "$1"
}

repeatable() {
  collect --accounts "$TEST_TMP/accounts.yaml" -o "$TEST_TMP/snap2.json" 2>/dev/null || true
  cmp <(strip_times "$TEST_TMP/snap1.json") <(strip_times "$TEST_TMP/snap2.json")
}
check "two runs give byte-identical snapshots apart from the times" repeatable

fakeaws_start faulty --fleet test --faults 'throttle=0.3,5xx=0.05' --seed 7
faults_lose_nothing() {
  local rc=0
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/faulty/url") collect --accounts "$TEST_TMP/accounts.yaml" --max-attempts 15 \
    -o "$TEST_TMP/faulty.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && cmp <(strip_times "$TEST_TMP/snap1.json") <(strip_times "$TEST_TMP/faulty.json") &&
    python3 - "$TEST_TMP/faulty/requests.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
faults = [r.get("fault") for r in log if r.get("fault")]
throttles = sum(1 for f in faults if "throttle" in str(f))
errors5 = sum(1 for f in faults if "5xx" in str(f) or "50" in str(f))
assert throttles > 50 and errors5 > 5, (throttles, errors5, len(log))
PY
}
check "30% throttling and 5% 5xx: the same snapshot, nothing lost" faults_lose_nothing

fakeaws_start slow --fleet test --faults 'slow=1:400'
killed_run() {
  local pid rc=0
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/slow/url") "$IMGAUDIT_BIN" collect --region us-east-1 --regions $REGIONS \
    --accounts "$TEST_TMP/accounts.yaml" --quiet -o "$TEST_TMP/out/killed.json" 2>"$TEST_TMP/killed.err" &
  pid=$!
  sleep 1.5
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 130 ] && [ -z "$(ls -A "$TEST_TMP/out")" ]
}
mkdir -p "$TEST_TMP/out"
check "SIGTERM mid-run: exit 130, no snapshot and no temporary file left" killed_run

bad_accounts() {
  local rc=0
  printf 'accounts:\n  - id: "12345"\n    colour: blue\n  - name: x\n' >"$TEST_TMP/bad.yaml"
  collect --accounts "$TEST_TMP/bad.yaml" -o "$TEST_TMP/never.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 2 ] && [ ! -e "$TEST_TMP/never.json" ] &&
    grep -q "bad.yaml:2:[0-9]*: account id '12345' is not 12 digits" "$TEST_TMP/err" &&
    grep -q "bad.yaml:3:[0-9]*: unknown key 'colour'" "$TEST_TMP/err" &&
    grep -q "bad.yaml:4:[0-9]*: account has no 'id'" "$TEST_TMP/err"
}
check "bad accounts file: every problem as file:line:column, exit 2, nothing written" bad_accounts

finish
