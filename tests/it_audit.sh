#!/usr/bin/env bash
# imgaudit audit (collect + evaluate) and evaluate against tests/fakeaws: the reports, the exit codes that gate
# CI, the nightly diff against a baseline.
source "$(dirname "$0")/support/servers.sh"
source "$(dirname "$0")/support/junit_xsd.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5 IMGAUDIT_TODAY=2026-11-25 NO_COLOR=1

fakeaws_start test --fleet test
fakeaws_start demo --fleet demo
source "$TEST_TMP/test/env"
TEST_URL=$AWS_ENDPOINT_URL
DEMO_URL=$(cat "$TEST_TMP/demo/url")
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null
R=$TEST_TMP/r
mkdir -p "$R"

audit_of() { # audit_of ACCOUNTS_FILE ARGS...: on the test fleet, those accounts, both regions
  local accounts=$1
  shift
  "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$accounts" "$@"
}
audit() { # audit ARGS...: every account of the accounts file
  audit_of "$TEST_TMP/accounts.yaml" "$@"
}
status_of() {
  local rc=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  echo "$rc"
}

full_audit() {
  [ "$(status_of audit --junit "$R/junit.xml" --html "$R/report.html" --json "$R/results.json" \
    --snapshot-out "$R/snapshot.json")" = 1 ] &&
    grep -q 'Gate (--fail-on high): FAILED' "$TEST_TMP/out" &&
    grep -q 'Collection incomplete: 3 errors' "$TEST_TMP/out" &&
    for f in junit.xml report.html results.json snapshot.json; do [ -s "$R/$f" ] || return 1; done
}
check "audit writes JUnit, HTML, JSON and the snapshot; failures at high or above fail the gate (exit 1)" full_audit

junit_valid() {
  junit_xsd_valid "$R/junit.xml" &&
    grep -q '<testsuite name="collection"' "$R/junit.xml" &&
    grep -q '<failure message="[^"]*" type="critical"' "$R/junit.xml"
}
check "the audit's JUnit validates against both schemas and lists the collection errors" junit_valid

same_as_collect_then_evaluate() {
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" \
    --quiet -o "$R/collected.json" || true
  "$IMGAUDIT_BIN" evaluate "$R/collected.json" --json "$R/evaluated.json" --quiet || true
  python3 - "$R/results.json" "$R/evaluated.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda r: (r["rule"], r["resource_type"], r["account"], r["region"], r["resource_id"], r["status"], r.get("message"))
assert sorted(map(key, a["results"])) == sorted(map(key, b["results"])), "audit and collect+evaluate differ"
assert a["summary"] == b["summary"]
PY
}
check "audit gives the same results as collect, then evaluate" same_as_collect_then_evaluate

exit_codes() {
  [ "$(status_of audit --fail-on none)" = 3 ] || return 1                  # incomplete collection
  [ "$(status_of audit --fail-on none --allow-partial)" = 0 ] || return 1
  [ "$(status_of audit --fail-on critical --allow-partial)" = 1 ] || return 1
  [ "$(status_of bash -c "source '$TEST_TMP/demo/env'; exec '$IMGAUDIT_BIN' audit --region us-east-1 --org \
    --role-name ImgAuditRole --regions us-east-1,eu-central-1 --fail-on none")" = 0 ] || return 1
  [ "$(status_of audit --fail-on severe)" = 2 ] || return 1
  grep -q "fail-on: 'severe' is not one of" "$TEST_TMP/err" || return 1
  [ "$(status_of audit --json - --junit -)" = 2 ] || return 1
  [ "$(status_of audit --fail-on-new)" = 2 ] || return 1
  [ "$(status_of env AWS_ACCESS_KEY_ID=AKIAUNKNOWN00000000 "$IMGAUDIT_BIN" audit --region us-east-1)" = 4 ] || return 1
}
check "exit codes: 3 incomplete, 0 with --allow-partial, 1 gate, 0 clean fleet, 2 usage, 4 cannot run" exit_codes

# Exit 3, exactly, from each command that judges a collection that is incomplete, and for each kind of gap.
account_entry() { # account_entry ID [EXTERNAL_ID]: one account of the test fleet, reached through ImgAuditRole
  printf '  - id: "%s"\n    role_arn: arn:aws:iam::%s:role/ImgAuditRole\n' "$1" "$1"
  [ -z "${2:-}" ] || printf '    external_id: "%s"\n' "$2"
}
exit_3_incomplete() {
  # 444444444444's role cannot be assumed; 333333333333 is denied AppStream in eu-west-1.
  { echo accounts:; account_entry 222222222222; account_entry 444444444444; } >"$R/denied.yaml"
  { echo accounts:; account_entry 333333333333 imgaudit-7f3a9c; } >"$R/region-denied.yaml"
  [ "$(status_of audit_of "$R/denied.yaml" --fail-on none --snapshot-out "$R/denied-snap.json")" = 3 ] &&
    [ "$(status_of audit_of "$R/region-denied.yaml" --fail-on none --snapshot-out "$R/region-snap.json")" = 3 ] ||
    return 1
  python3 - "$R/denied-snap.json" "$R/region-snap.json" <<'PY' || return 1
import json, sys
denied, region = (json.load(open(p))["errors"] for p in sys.argv[1:])
assert denied and all(e["account"] == "444444444444" and e["operation"] == "AssumeRole" for e in denied), denied
assert region and all((e["account"], e["region"], e["service"]) == ("333333333333", "eu-west-1", "appstream")
                      for e in region), region
PY
  # evaluate gates on the snapshot's errors as audit does; --allow-partial lets them pass, a gate failure wins.
  [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/denied-snap.json" --fail-on none)" = 3 ] &&
    [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/region-snap.json" --fail-on none)" = 3 ] &&
    [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/region-snap.json" --fail-on none --allow-partial)" = 0 ] &&
    [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/region-snap.json" --fail-on low)" = 1 ] || return 1
  # The same snapshot without its errors and marked complete: 0. Marked incomplete (a merge of a part that
  # was), with no errors: still 3, as merge itself says.
  python3 - "$R/region-snap.json" "$R" <<'PY' || return 1
import json, sys
d = json.load(open(sys.argv[1]))
d["errors"] = []
for name, complete in (("region-complete.json", True), ("region-marked.json", False)):
    d["complete"] = complete
    json.dump(d, open(f"{sys.argv[2]}/{name}", "w"))
PY
  [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/region-complete.json" --fail-on none)" = 0 ] &&
    [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/region-marked.json" --fail-on none)" = 3 ]
}
check "exit 3 exactly: audit with a denied account, audit with a denied region, evaluate of either snapshot" \
  exit_3_incomplete

# Reports replace the file they are written to (a new inode, by rename), never rewrite it in place: a run
# that fails or is stopped leaves the old file as it was, and no temporary file.
old_outputs() { # old_outputs DIR NAME...: files with old contents; prints nothing
  local d=$1 f
  shift
  rm -rf "$d" && mkdir -p "$d" || return 1
  for f in "$@"; do echo "old $f" >"$d/$f"; done
}
unchanged() { # unchanged DIR NAME...: each still holds its old contents, and nothing else is in DIR
  local d=$1 f
  shift
  for f in "$@"; do [ "$(cat "$d/$f")" = "old $f" ] || { echo "$f was changed" >&2; return 1; }; done
  [ "$(ls -A "$d" | wc -l)" = $# ] || { ls -A "$d" >&2; return 1; }
}
reports_replace_old_files() {
  local d=$R/replace f
  local -A inode
  old_outputs "$d" results.json junit.xml report.html || return 1
  for f in results.json junit.xml report.html; do inode[$f]=$(stat -c %i "$d/$f"); done
  [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/snapshot.json" --fail-on none --allow-partial \
    --json "$d/results.json" --junit "$d/junit.xml" --html "$d/report.html")" = 0 ] || return 1
  for f in results.json junit.xml report.html; do
    [ "$(stat -c %i "$d/$f")" != "${inode[$f]}" ] && ! grep -q '^old ' "$d/$f" || { echo "$f in place" >&2; return 1; }
  done
  [ "$(ls -A "$d" | wc -l)" = 3 ]
}
check "reports replace an existing file (new inode), no temporary file left" reports_replace_old_files

failed_write_keeps_old_file() {
  # The results document stops at 4 KiB (RLIMIT_FSIZE, SIGXFSZ ignored: writes fail with EFBIG): exit 4.
  local d=$R/failed
  old_outputs "$d" results.json || return 1
  [ "$(status_of bash -c "trap '' XFSZ; ulimit -f 4; exec '$IMGAUDIT_BIN' evaluate '$R/snapshot.json' \
    --fail-on none --allow-partial --json '$d/results.json'")" = 4 ] &&
    grep -q "$d/results.json: .*File too large" "$TEST_TMP/err" &&
    unchanged "$d" results.json
}
check "a report that fails midway (write error): exit 4, the old file intact, no temporary file" \
  failed_write_keeps_old_file

fakeaws_start slow --fleet test --faults 'slow=1:400'
stopped_run_keeps_old_files() {
  local d=$R/stopped pid rc=0
  old_outputs "$d" results.json junit.xml report.html snapshot.json || return 1
  # The program itself in the background (not a shell function, which would be a subshell to signal).
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/slow/url") "$IMGAUDIT_BIN" audit --region us-east-1 \
    --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" --quiet --json "$d/results.json" \
    --junit "$d/junit.xml" --html "$d/report.html" --snapshot-out "$d/snapshot.json" 2>/dev/null &
  pid=$!
  sleep 1.5
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" = 130 ] && unchanged "$d" results.json junit.xml report.html snapshot.json
}
check "SIGTERM during an audit: exit 130, every old report and snapshot intact, no temporary file" \
  stopped_run_keeps_old_files

regions_all() {
  # Every region of the partition that offers WorkSpaces or AppStream; a service is only asked where it is offered.
  bash -c "source '$TEST_TMP/demo/env'; exec '$IMGAUDIT_BIN' collect --region us-east-1 --regions all --org \
    --role-name ImgAuditRole --quiet -o '$R/all-regions.json'" &&
    python3 - "$R/all-regions.json" "$TEST_TMP/demo/requests.jsonl" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
log = [json.loads(l) for l in open(sys.argv[2])]
assert len(snap["regions"]) >= 19 and "af-south-1" in snap["regions"] and "eu-south-2" in snap["regions"]
assert not snap["errors"]
assert {r["service"] for r in log if r.get("region") == "af-south-1"} == {"workspaces"}   # no AppStream there
assert {r["service"] for r in log if r.get("region") == "eu-south-2"} == {"appstream"}    # no WorkSpaces there
PY
}
check "--regions all: the partition's regions, each service only where it is offered" regions_all

bad_rules_fail_fast() {
  local before after
  printf 'rules:\n  - id: Bad_Id\n    severity: urgent\n' >"$TEST_TMP/bad-rules.yaml"
  before=$(wc -l <"$TEST_TMP/test/requests.jsonl")
  [ "$(status_of audit --rules "$TEST_TMP/bad-rules.yaml")" = 2 ] || return 1
  after=$(wc -l <"$TEST_TMP/test/requests.jsonl")
  # Every problem, with its position, and not one request made.
  grep -q 'bad-rules.yaml:2:[0-9]*: ' "$TEST_TMP/err" && grep -q 'bad-rules.yaml:3:[0-9]*: ' "$TEST_TMP/err" &&
    [ "$before" = "$after" ]
}
check "bad rules: every problem as file:line:column, exit 2, before any AWS call" bad_rules_fail_fast

json_on_stdout() {
  [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/snapshot.json" --json - --fail-on none --allow-partial)" = 0 ] &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="imgaudit.results"' \
      "$TEST_TMP/out" &&
    grep -q '^Results: ' "$TEST_TMP/err" &&
    "$IMGAUDIT_BIN" evaluate "$R/snapshot.json" --json /dev/stdout --fail-on none --allow-partial 2>/dev/null |
    python3 -c 'import json,sys; json.load(sys.stdin)'
}
check "--json - (or /dev/stdout) puts only JSON on stdout; the summary moves to stderr" json_on_stdout

baseline_diff() {
  # Tonight's fleet: one failing image is gone (resolved), one new failing image appeared (new).
  python3 - "$R/snapshot.json" "$R/tonight.json" <<'PY'
import copy, json, sys
snap = json.load(open(sys.argv[1]))
ws = [r for r in snap["resources"] if r["type"] == "workspaces_image" and r["data"].get("RequiredTenancy") == "DEDICATED"
      and r["data"].get("Permissions")]
gone = ws[0]
snap["resources"].remove(gone)
new = copy.deepcopy(gone)
new["id"] = new["data"]["ImageId"] = "wsi-0new0new0"
new["data"]["Name"] = "new-byol-share"
snap["resources"].append(new)
snap["resources"].sort(key=lambda r: (r["account"], r["region"], r["type"], r["id"]))
json.dump(snap, open(sys.argv[2], "w"))
PY
  local rc
  rc=$(status_of "$IMGAUDIT_BIN" evaluate "$R/tonight.json" --baseline "$R/results.json" --json "$R/tonight-results.json" \
    --html "$R/tonight.html" --fail-on-new --allow-partial)
  [ "$rc" = 1 ] && python3 - "$R/results.json" "$R/tonight-results.json" <<'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:])
fails = [r for r in after["results"] if r["status"] == "fail"]
new = [r for r in fails if r.get("change") == "new"]
assert new and all(r["resource_id"] == "wsi-0new0new0" for r in new), new
existing = [r for r in fails if r.get("change") == "existing"]
assert existing and all(r.get("first_seen") for r in existing)
resolved = after["baseline"]["resolved"]
assert resolved and all(r["resource_id"] != "wsi-0new0new0" and r["first_seen"] for r in resolved), resolved
assert after["baseline"]["new"] == len(new) and after["baseline"]["resolved_count"] == len(resolved)
PY
  [ $? -eq 0 ] && grep -qi 'new' "$TEST_TMP/out" && grep -qi 'resolved' "$TEST_TMP/out" && grep -qi 'resolved' "$R/tonight.html"
}
check "--baseline: failures marked new or existing with first_seen, gone ones resolved; --fail-on-new gates new" baseline_diff

unchecked_is_not_resolved() {
  # Tonight only us-east-1 was collected, and only the AppStream rules ran: nothing else may be called resolved.
  python3 - "$R/snapshot.json" "$R/us-only.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
snap["regions"] = ["us-east-1"]
for a in snap["accounts"]:
    a["regions"] = ["us-east-1"]
snap["resources"] = [r for r in snap["resources"] if r["region"] == "us-east-1"]
snap["errors"] = [e for e in snap["errors"] if e["region"] in (None, "us-east-1")]
json.dump(snap, open(sys.argv[2], "w"))
PY
  "$IMGAUDIT_BIN" evaluate "$R/us-only.json" --baseline "$R/results.json" --json "$R/us-only-results.json" \
    --fail-on none --allow-partial --quiet &&
    "$IMGAUDIT_BIN" evaluate "$R/snapshot.json" --rules "$IMGAUDIT_SOURCE_DIR/rules/00-vars.yaml" \
      --rules "$IMGAUDIT_SOURCE_DIR/rules/appstream.yaml" --baseline "$R/results.json" \
      --json "$R/as-only-results.json" --fail-on none --allow-partial --quiet &&
    python3 - "$R/us-only-results.json" "$R/as-only-results.json" <<'PY'
import json, sys
us, asr = (json.load(open(p))["baseline"]["resolved"] for p in sys.argv[1:])
assert not [r for r in us if r["region"] != "us-east-1"], "a region that was not collected was called resolved"
assert not [r for r in asr if not r["rule"].startswith("appstream-")], "a rule that did not run was called resolved"
PY
}
check "--baseline: failures in regions not collected, or of rules not run, are not called resolved" unchecked_is_not_resolved

no_new_failures() {
  [ "$(status_of "$IMGAUDIT_BIN" evaluate "$R/snapshot.json" --baseline "$R/results.json" --fail-on-new \
    --allow-partial)" = 0 ]
}
check "--fail-on-new passes when every failure already existed (a team adopts the tool on a backlog)" no_new_failures

colour() {
  script -qec "'$IMGAUDIT_BIN' evaluate '$R/snapshot.json' --fail-on none --allow-partial" "$TEST_TMP/tty-colour" \
    >/dev/null
  env -u NO_COLOR script -qec "'$IMGAUDIT_BIN' evaluate '$R/snapshot.json' --fail-on none --allow-partial" \
    "$TEST_TMP/tty-plain" >/dev/null
  ! grep -q $'\033\\[' "$TEST_TMP/tty-colour" && grep -q $'\033\\[' "$TEST_TMP/tty-plain" &&
    ! grep -q $'\033\\[' "$TEST_TMP/out"
}
check "colour only on a terminal, never with NO_COLOR" colour

finish
