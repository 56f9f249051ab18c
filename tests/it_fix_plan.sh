#!/usr/bin/env bash
# `imgaudit fix plan` end to end: evaluate a small snapshot (tests/data/fix), plan, and check the plan file with
# python3: one action per change, the exact calls, nothing for waived or passed results, filters, the plan
# written whole or not at all, and bad input refused with exit 2.
source "$(dirname "$0")/support/servers.sh"

DATA=$IMGAUDIT_SOURCE_DIR/tests/data/fix
RESULTS=$TEST_TMP/results.json
PLAN=$TEST_TMP/plan.json

evaluate() {
  local rc=0
  "$IMGAUDIT_BIN" evaluate "$DATA/snapshot.json" --vars "$DATA/vars.yaml" --waivers "$DATA/waivers.yaml" \
    --today 2026-12-01 --json "$RESULTS" -q || rc=$?
  [ "$rc" -eq 1 ] # the gate fails: there are high failures
}
check "evaluate writes the results a plan is made from" evaluate

plan() {
  "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$PLAN" >"$TEST_TMP/table" 2>"$TEST_TMP/err"
}
check "fix plan exits 0 and writes the plan" plan

table_says() {
  grep -q '^account 111122223333 (desktops-prod)$' "$TEST_TMP/table" &&
    grep -q '^account 222233334444 (desktops-dev)$' "$TEST_TMP/table" &&
    grep -q '^Plan: 6 actions in 2 accounts (3 unshare-workspaces-image, 1 unshare-appstream-image, 2 create-updated-workspaces-image); 1 failure left out' "$TEST_TMP/table" &&
    grep -q "^Nothing was changed: review the plan" "$TEST_TMP/table" &&
    grep -q "wrote the plan to $PLAN" "$TEST_TMP/err"
}
check "the table lists the changes per account, and a count" table_says

plan_is_right() {
  python3 - "$PLAN" "$RESULTS" <<'PY'
import json, re, sys
plan = json.load(open(sys.argv[1]))
results = json.load(open(sys.argv[2]))
assert plan["schema"] == "imgaudit.fix-plan" and plan["schema_version"] == 1, plan["schema"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", plan["created_at"])
assert plan["source"]["snapshot_complete"] is False
acts = plan["actions"]
def find(action, res, target=None):
    got = [a for a in acts if a["action"] == action and a["resource_id"] == res and
           (target is None or a["call"]["parameters"].get("SharedAccountId") == target)]
    assert len(got) <= 1, got
    return got[0] if got else None
# Each action is self-contained: where, what call, which finding, what must still hold.
for a in acts:
    for k in ("id", "action", "account", "region", "resource_type", "resource_id", "call", "precondition", "resolves"):
        assert k in a, (k, a)
    assert re.fullmatch(r"\d{12}", a["account"]) and a["resolves"], a
    for r in a["resolves"]:
        assert re.fullmatch(r"[0-9a-f]{32}", r["finding_id"]), r
byol_t = find("unshare-workspaces-image", "wsi-byol00001", "444455556666")
byol_u = find("unshare-workspaces-image", "wsi-byol00001", "999988887777")
assert byol_t and byol_u
assert byol_u["call"] == {"service": "workspaces", "operation": "UpdateWorkspaceImagePermission",
                          "parameters": {"ImageId": "wsi-byol00001", "SharedAccountId": "999988887777",
                                         "AllowCopyImage": False}}, byol_u["call"]
assert byol_u["precondition"]["operation"] == "DescribeWorkspaceImagePermissions"
assert {r["rule"] for r in byol_u["resolves"]} == {"workspaces-image-byol-shared", "workspaces-image-shared-untrusted"}
assert {r["rule"] for r in byol_t["resolves"]} == {"workspaces-image-byol-shared"}
# The finding ids are those of the results.
fails = {(r["rule"], r["resource_id"]): r["finding_id"] for r in results["results"] if r["status"] == "fail"}
for r in byol_u["resolves"]:
    assert fails[(r["rule"], "wsi-byol00001")] == r["finding_id"]
assert find("unshare-workspaces-image", "wsi-shared001", "999988887777")
assert not find("unshare-workspaces-image", "wsi-shared001", "444455556666")  # trusted: kept
apps = find("unshare-appstream-image", "dev-apps", "999988887777")
assert apps["call"]["operation"] == "DeleteImagePermissions"
assert apps["call"]["parameters"] == {"Name": "dev-apps", "SharedAccountId": "999988887777"}
assert not find("unshare-appstream-image", "dev-apps", "444455556666")
upd = find("create-updated-workspaces-image", "wsi-shared001")
p = upd["call"]["parameters"]
assert re.fullmatch(r"Golden-Win-10-upd-\d{8}", p["Name"]), p
assert p["Description"] == "New drivers WorkSpaces agent 2.1 NVIDIA" and p["SourceImageId"] == "wsi-shared001"
assert [t["Key"] for t in p["Tags"]] == ["imgaudit:source-image", "imgaudit:finding"]
long = find("create-updated-workspaces-image", "wsi-long00001")["call"]["parameters"]["Name"]
assert len(long) == 64 and re.fullmatch(r"[a-zA-Z0-9_./()\-]+", long), long
assert not find("create-updated-workspaces-image", "wsi-linux0001")  # Linux: left out, and said
assert [s["resource_id"] for s in plan["skipped"]] == ["wsi-linux0001"]
assert all(a["resource_id"] != "wsi-waived001" for a in acts)  # waived: never
assert len(acts) == 6 and plan["summary"]["actions"] == 6
cov = {(c["account"], c["region"]): c["complete"] for c in plan["coverage"]}
assert cov == {("111122223333", "eu-west-1"): True, ("222233334444", "us-east-1"): False}, cov
PY
}
check "the plan: one action per change, exact calls, waived and Linux left out, coverage" plan_is_right

count_actions() {
  python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["actions"]))' "$1"
}
filters() {
  "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$TEST_TMP/r.json" --rule workspaces-image-shared-untrusted >/dev/null 2>&1 &&
    [ "$(count_actions "$TEST_TMP/r.json")" -eq 2 ] &&
    "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$TEST_TMP/a.json" --account 222233334444 >/dev/null 2>&1 &&
    [ "$(count_actions "$TEST_TMP/a.json")" -eq 1 ] &&
    "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$TEST_TMP/x.json" --action create-updated-workspaces-image \
      --account 111122223333 >/dev/null 2>&1 &&
    [ "$(count_actions "$TEST_TMP/x.json")" -eq 2 ]
}
check "--rule, --account and --action narrow the plan" filters

to_stdout() {
  "$IMGAUDIT_BIN" fix plan "$RESULTS" -o - >"$TEST_TMP/stdout.json" 2>"$TEST_TMP/table2" &&
    [ "$(count_actions "$TEST_TMP/stdout.json")" -eq 6 ] && grep -q '^Plan: 6 actions' "$TEST_TMP/table2"
}
check "-o -: the plan on stdout, the table on stderr" to_stdout

nothing_to_fix() {
  "$IMGAUDIT_BIN" fix plan "$RESULTS" --rule workspaces-image-stale -o "$TEST_TMP/none.json" >"$TEST_TMP/table3" 2>/dev/null &&
    [ "$(count_actions "$TEST_TMP/none.json")" -eq 0 ] && grep -q '^Plan: 0 actions in 0 accounts\.$' "$TEST_TMP/table3" &&
    grep -q '^No failure asks for a fix' "$TEST_TMP/table3"
}
check "a rule without a fix: an empty plan, exit 0, and the table says why" nothing_to_fix

# expect CODE PATTERN CMD...: exit CODE, one stderr line matching PATTERN, and the plan file untouched.
expect() {
  local code=$1 pattern=$2 rc=0
  shift 2
  cp "$PLAN" "$TEST_TMP/before.json"
  "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq "$code" ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -Eq -e "$pattern" "$TEST_TMP/err" &&
    cmp -s "$PLAN" "$TEST_TMP/before.json" || {
    echo "  exit $rc, expected $code; stderr:" >&2
    cat "$TEST_TMP/err" >&2
    return 1
  }
}
check "a snapshot is not a results document: exit 2 at file:line:col" \
  expect 2 "snapshot.json:2:13: not a results document" "$IMGAUDIT_BIN" fix plan "$DATA/snapshot.json" -o "$PLAN"
printf '{"schema": "imgaudit.results", "results": [\n{"status": "fail", "fix": {]\n' >"$TEST_TMP/broken.json"
check "broken JSON: exit 2 at its line" \
  expect 2 "broken.json:2:[0-9]+: invalid JSON" "$IMGAUDIT_BIN" fix plan "$TEST_TMP/broken.json" -o "$PLAN"
check "an unknown --action: exit 2 with the closest name" \
  expect 2 "did you mean 'unshare-workspaces-image'" "$IMGAUDIT_BIN" fix plan "$RESULTS" --action unshare-workspace-image
check "an --account that is no account id: exit 2" \
  expect 2 "--account: '1234' is not a 12-digit account id" "$IMGAUDIT_BIN" fix plan "$RESULTS" --account 1234
check "the plan over its results: exit 2, nothing written" \
  expect 2 "same file" "$IMGAUDIT_BIN" fix plan "$PLAN" -o "$PLAN"
# fix apply refuses before it asks anything of AWS (no endpoint or credentials are set here).
check "fix apply of a plan made where the snapshot was incomplete: exit 2, unless --force" \
  expect 2 "1 action is where the snapshot was not read whole \\(first: 222233334444 us-east-1 \\(appstream\\)\\)" \
  "$IMGAUDIT_BIN" fix apply "$PLAN" --yes
check "fix apply without --yes and without a terminal: exit 2, nothing done" \
  expect 2 "stdin is not a terminal" "$IMGAUDIT_BIN" fix apply "$PLAN" --force
python3 - "$PLAN" "$TEST_TMP/old.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
plan["created_at"] = "2026-01-01T00:00:00Z"
json.dump(plan, open(sys.argv[2], "w"))
PY
check "fix apply of a plan older than --max-plan-age: exit 2" \
  expect 2 "longer ago than --max-plan-age allows \\(24h00m\\)" "$IMGAUDIT_BIN" fix apply "$TEST_TMP/old.json" --yes

unwritable() {
  local rc=0
  "$IMGAUDIT_BIN" fix plan "$RESULTS" -o /nonexistent-dir/plan.json >/dev/null 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ]
}
check "a plan that cannot be written: exit 4" unwritable

finish
