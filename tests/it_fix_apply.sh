#!/usr/bin/env bash
# imgaudit fix apply against tests/fakeaws (the test fleet, four accounts, two regions): all three actions
# (unshare-workspaces-image, unshare-appstream-image, create-updated-workspaces-image), compared with what the
# endpoint did (its request log: one write with effect "changed" per action, never a second) and with the state
# boto3 reads back. Then, each from the fleet as loaded (POST /_fake/reset): throttling, 5xx and lost answers on
# the writes and reads; an account whose role cannot be assumed; SIGTERM while a slow write is in flight, and the
# re-run that completes the rest.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
CHECK=$IMGAUDIT_SOURCE_DIR/tests/support/fakeaws_fix.py
export IMGAUDIT_RETRY_BASE_MS=5 PYTHONPATH=$IMGAUDIT_SOURCE_DIR/tests/support

fakeaws_start fa --fleet test
source "$TEST_TMP/fa/env"
REQUESTS=$TEST_TMP/fa/requests.jsonl
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null
# The Organization's accounts are trusted: their shares stay, the others' go (and every share of a BYOL image).
printf 'vars:\n  trusted_accounts: [%s]\n' \
  '"111111111111", "222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777"' \
  >"$TEST_TMP/vars.yaml"
RESULTS=$TEST_TMP/results.json
PLAN=$TEST_TMP/plan.json

# control PATH [BODY]: POST to one of the endpoint's control paths (reset, faults).
control() {
  curl -sf -X POST "$FAKEAWS_URL/_fake/$1" ${2:+-d "$2"} >/dev/null
}

# mark: how many requests the endpoint has logged so far (a run's requests are those after its mark).
mark() {
  wc -l <"$REQUESTS"
}

audit_and_plan() {
  # 444444444444 refuses AssumeRole and AppStream is denied in one region: incomplete, exit 3; the plan changes
  # nothing there.
  local rc=0
  "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" \
    --vars "$TEST_TMP/vars.yaml" --json "$RESULTS" --fail-on none --quiet 2>"$TEST_TMP/audit.err" || rc=$?
  [ "$rc" -eq 3 ] && "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$PLAN" >"$TEST_TMP/table" 2>/dev/null &&
    python3 - "$PLAN" <<'PY'
import collections, json, sys
plan = json.load(open(sys.argv[1]))
per = collections.defaultdict(set)
for a in plan["actions"]:
    per[a["action"]].add(a["account"])
# Each action in at least two accounts; the 20-account shares make the permissions page.
for action in ("unshare-workspaces-image", "unshare-appstream-image", "create-updated-workspaces-image"):
    assert len(per[action]) >= 2, (action, per[action])
assert sum(a["resource_id"] == "wsi-666d3f869" for a in plan["actions"]) == 20
PY
}
check "audit and fix plan: all three actions, each in at least two accounts" audit_and_plan

# apply NAME [OPTIONS...]: fix apply of the plan, its apply log $TEST_TMP/NAME.jsonl, stdout and stderr
# NAME.out and NAME.err; sets rc.
apply() {
  local name=$1
  shift
  rc=0
  "$IMGAUDIT_BIN" fix apply "$PLAN" --log "$TEST_TMP/$name.jsonl" --region us-east-1 "$@" </dev/null \
    >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" || rc=$?
}

# explain NAME: what went wrong with run NAME, on stderr.
explain() {
  echo "  exit $rc; stderr:" >&2
  tail -n 20 "$TEST_TMP/$1.err" >&2
  return 1
}

python3 "$CHECK" state "$TEST_TMP/accounts.yaml" "$PLAN" >"$TEST_TMP/before.json"

not_confirmed() {
  local from
  from=$(mark)
  apply unconfirmed --accounts "$TEST_TMP/accounts.yaml"
  [ "$rc" -eq 2 ] && grep -q -e '--yes' "$TEST_TMP/unconfirmed.err" && [ ! -s "$TEST_TMP/unconfirmed.jsonl" ] &&
    [ "$(mark)" -eq "$from" ] || explain unconfirmed
}
check "fix apply off a terminal without --yes: exit 2, and the endpoint saw no request from it" not_confirmed

clean_apply() {
  local from
  from=$(mark)
  apply clean --yes --accounts "$TEST_TMP/accounts.yaml"
  [ "$rc" -eq 0 ] || explain clean || return 1
  python3 "$CHECK" state "$TEST_TMP/accounts.yaml" "$PLAN" >"$TEST_TMP/after.json"
  python3 - "$PLAN" "$REQUESTS" "$from" "$TEST_TMP/clean.jsonl" "$TEST_TMP/before.json" "$TEST_TMP/after.json" <<'PY'
import sys
from fakeaws_fix import *
plan, requests, log = load(sys.argv[1]), jsonl(sys.argv[2], int(sys.argv[3])), jsonl(sys.argv[4])
got = outcomes(log)
assert got == {a["id"]: "done" for a in plan["actions"]}, {i: o for i, o in got.items() if o != "done"}
assert all(l["verified"] is True for l in log)
assert_writes_once(plan, requests, set(got), exact=True)
by_action, _ = writes_by_action(plan, requests)
for l in log:  # the log names the request that changed, and the image the endpoint made
    w = by_action[l["action_id"]][0]
    assert l["request_id"] == w["request_id"], (l, w)
    assert l.get("new_image_id") == w.get("image_id"), (l, w)
assert_fixed(load(sys.argv[5]), load(sys.argv[6]), plan, log)
PY
}
check "fix apply --yes: all done, one changed write per action and no other, the state as planned" clean_apply

second_apply() {
  local from
  from=$(mark)
  apply second --yes --accounts "$TEST_TMP/accounts.yaml"
  [ "$rc" -eq 0 ] || explain second || return 1
  python3 - "$PLAN" "$REQUESTS" "$from" "$TEST_TMP/second.jsonl" <<'PY'
import sys
from fakeaws_fix import *
plan, requests, log = load(sys.argv[1]), jsonl(sys.argv[2], int(sys.argv[3])), jsonl(sys.argv[4])
got = outcomes(log)
assert got == {a["id"]: "already-done" for a in plan["actions"]}, {i: o for i, o in got.items() if o != "already-done"}
assert not [r for r in requests if r["operation"] in WRITES], "a write in the second run"
PY
}
check "the same plan again: exit 0, every action already done, no write at all" second_apply

# The faults: the first writes of each kind have their answers lost after the change (the connection closed, a
# 500, a 503); throttling and 5xx on the writes, the reads and STS, capped so that the adaptive pacing (which
# slows a throttled lane down to a request every 2 s) keeps the run short.
W=UpdateWorkspaceImagePermission+CreateUpdatedWorkspaceImage+DeleteImagePermissions
R=DescribeWorkspaceImagePermissions+DescribeImagePermissions+DescribeWorkspaceImages
FAULTS='lost:0/2@UpdateWorkspaceImagePermission,lost/1@UpdateWorkspaceImagePermission'
FAULTS+=',lost:0/1@CreateUpdatedWorkspaceImage,lost:503/1@CreateUpdatedWorkspaceImage'
FAULTS+=',lost:0/1@DeleteImagePermissions,lost/1@DeleteImagePermissions'
FAULTS+=",throttle=0.3/3@$W,5xx=0.3/3@$W,503=0.3/2@$W,throttle=0.2/3@$R,5xx=0.2/4@$R,throttle/1@sts,5xx/1@sts"

faulted_apply() {
  control reset && control faults "{\"spec\": \"$FAULTS\"}" || return 1
  apply faults --yes --accounts "$TEST_TMP/accounts.yaml"
  curl -sf "$FAKEAWS_URL/_fake/faults" >"$TEST_TMP/fired.json"
  [ "$rc" -eq 0 ] || explain faults || return 1
  python3 - "$PLAN" "$REQUESTS" "$TEST_TMP/faults.jsonl" "$TEST_TMP/fired.json" <<'PY'
import sys
from fakeaws_fix import *
plan, requests, log, fired = load(sys.argv[1]), jsonl(sys.argv[2]), jsonl(sys.argv[3]), load(sys.argv[4])
for rule in fired["rules"]:  # every rule was met: each write's answer lost, reads and writes throttled and failed
    assert rule["fired"] > 0, rule
for kind in ("throttle", "5xx"):
    for ops in (WRITES, ("DescribeWorkspaceImagePermissions", "DescribeImagePermissions", "DescribeWorkspaceImages")):
        assert [r for r in requests if r.get("fault") == kind and r["operation"] in ops], (kind, ops)
got = outcomes(log)
assert got == {a["id"]: "done" for a in plan["actions"]}, {i: o for i, o in got.items() if o != "done"}
assert_writes_once(plan, requests, set(got), exact=False)
PY
}
check "throttling, 5xx and lost answers: all done, still one changed write per action, none repeated" faulted_apply

# Account 333333333333's role in the accounts file does not exist: AssumeRole is refused (AccessDenied).
denied_apply() {
  control reset || return 1
  sed 's#333333333333:role/ImgAuditRole#333333333333:role/NoSuchFixRole#' "$TEST_TMP/accounts.yaml" \
    >"$TEST_TMP/denied.yaml"
  apply denied --yes --accounts "$TEST_TMP/denied.yaml"
  [ "$rc" -eq 1 ] || explain denied || return 1
  python3 - "$PLAN" "$REQUESTS" "$TEST_TMP/denied.jsonl" "$TEST_TMP/denied.err" <<'PY'
import sys
from fakeaws_fix import *
plan, requests, log, stderr = load(sys.argv[1]), jsonl(sys.argv[2]), jsonl(sys.argv[3]), open(sys.argv[4]).read()
denied = {a["id"] for a in plan["actions"] if a["account"] == "333333333333"}
assert denied, "the plan changes nothing in 333333333333"
got = outcomes(log)
assert got == {a["id"]: "failed" if a["id"] in denied else "done" for a in plan["actions"]}, got
for l in log:
    if l["outcome"] == "failed":
        assert l["error"]["code"] == "AccessDenied" and l["error"]["http_status"] == 403, l
        assert l["role_arn"] == "arn:aws:iam::333333333333:role/NoSuchFixRole", l
        assert f"action {l['action_id']} failed" in stderr, (l["action_id"], stderr)
assert stderr.count(" failed (") == len(denied), stderr
assert_writes_once(plan, requests, set(got) - denied, exact=True)
PY
}
check "AccessDenied in one account: its actions failed (named, logged with the code), the others done, exit 1" \
  denied_apply

# SIGTERM while writes are slow (each waits 700 ms, then makes its change even if the client has gone): once the
# first action is logged, and a moment later (the next write is then likely in flight), the apply is stopped.
interrupted_apply() {
  local pid i
  control reset &&
    control faults '{"spec": "slow=1:700@UpdateWorkspaceImagePermission+CreateUpdatedWorkspaceImage+DeleteImagePermissions"}' ||
    return 1
  rc=0
  "$IMGAUDIT_BIN" fix apply "$PLAN" --log "$TEST_TMP/stopped.jsonl" --region us-east-1 --yes --concurrency 1 \
    --accounts "$TEST_TMP/accounts.yaml" </dev/null >"$TEST_TMP/stopped.out" 2>"$TEST_TMP/stopped.err" &
  pid=$!
  for i in $(seq 1 300); do
    [ -s "$TEST_TMP/stopped.jsonl" ] && break
    sleep 0.05
  done
  sleep 0.3
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 130 ] || explain stopped || return 1
  control faults '{"rules": []}' && python3 - "$PLAN" "$REQUESTS" "$TEST_TMP/stopped.jsonl" <<'PY'
import sys
from fakeaws_fix import *
plan, requests, log = load(sys.argv[1]), jsonl(sys.argv[2]), jsonl(sys.argv[3])
got = outcomes(log)
assert set(got.values()) == {"done"}, got  # a write in flight was waited for: none is "unknown"
assert len(got) < len(plan["actions"]), "nothing was left to do"
assert_writes_once(plan, requests, set(got), exact=True)  # the done actions are exactly the writes made
PY
}
check "SIGTERM mid-apply: exit 130, the log's done actions exactly the writes the endpoint made" interrupted_apply

rerun_apply() {
  apply rerun --yes --accounts "$TEST_TMP/accounts.yaml"
  [ "$rc" -eq 0 ] || explain rerun || return 1
  python3 - "$PLAN" "$REQUESTS" "$TEST_TMP/stopped.jsonl" "$TEST_TMP/rerun.jsonl" <<'PY'
import sys
from fakeaws_fix import *
plan, requests = load(sys.argv[1]), jsonl(sys.argv[2])
first, second = outcomes(jsonl(sys.argv[3])), outcomes(jsonl(sys.argv[4]))
want = {a["id"]: "already-done" if a["id"] in first else "done" for a in plan["actions"]}
assert second == want, {i: (o, want[i]) for i, o in second.items() if o != want[i]}
assert_writes_once(plan, requests, {a["id"] for a in plan["actions"]}, exact=True)  # over both runs
PY
}
check "the re-run: exit 0, the stopped run's actions already done, the rest done, each write made once" rerun_apply

finish
