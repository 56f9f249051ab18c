#!/usr/bin/env bash
# imgaudit fix plan and fix apply against moto (authentication on, so moto checks every signature and every
# permission). WorkSpaces images in three accounts are shared through the API with trusted and untrusted
# accounts; audit, plan, apply. boto3 reads the permissions back: the untrusted shares are gone, the trusted ones
# stay; a second apply finds everything already done; an apply not confirmed changes nothing. The fix writes
# through its own role, Fixer: the audit role, Auditor, is denied the fix calls, so a write through it would fail.
source "$(dirname "$0")/support/servers.sh"

FLEET=$IMGAUDIT_SOURCE_DIR/tests/support/moto_fix_fleet.py
start_moto inf
eval "$(python3 "$IMGAUDIT_SOURCE_DIR/tests/support/moto_setup.py" "$MOTO_URL")"
python3 "$FLEET" build "$MOTO_URL" "$MOTO_KEY_ID" "$MOTO_SECRET" >"$TEST_TMP/before.json"

# shares_now NAME: who each image is shared with now, read back with boto3, into $TEST_TMP/NAME.json.
shares_now() {
  python3 "$FLEET" shares "$MOTO_URL" "$MOTO_KEY_ID" "$MOTO_SECRET" >"$TEST_TMP/$1.json"
}

export AWS_ENDPOINT_URL=$MOTO_URL AWS_ACCESS_KEY_ID=$MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$MOTO_SECRET
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null IMGAUDIT_RETRY_BASE_MS=5
unset AWS_PROFILE AWS_SESSION_TOKEN

# The audited accounts trust each other and 444455556666; the fleet shares with three other accounts too.
TRUSTED='["123456789012", "222222222222", "333333333333", "444455556666"]'
printf 'vars:\n  trusted_accounts: %s\n' "$TRUSTED" >"$TEST_TMP/vars.yaml"
cat >"$TEST_TMP/accounts.yaml" <<'EOF'
accounts:
  - {id: "123456789012", name: caller}
  - {id: "222222222222", name: second}
  - {id: "333333333333", name: third}
EOF
RESULTS=$TEST_TMP/results.json
PLAN=$TEST_TMP/plan.json
LOG=$TEST_TMP/apply.jsonl

audit() {
  # moto has no AppStream: its answers are 500s, not worth retrying here (--max-attempts 1). The run is
  # incomplete (exit 3) for AppStream only; --fail-on none keeps the gate's exit 1 from hiding that.
  local rc=0
  "$IMGAUDIT_BIN" audit --region us-east-1 --accounts "$TEST_TMP/accounts.yaml" --role-name Auditor \
    --vars "$TEST_TMP/vars.yaml" --json "$RESULTS" --fail-on none --max-attempts 1 --quiet \
    2>"$TEST_TMP/audit.err" || rc=$?
  [ "$rc" -eq 3 ] && python3 - "$RESULTS" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
assert res["errors"] and all(e["service"] == "appstream" for e in res["errors"]), res["errors"]
PY
}
check "audit through the Auditor role: only AppStream (which moto lacks) is missing; exit 3" audit

plan() {
  "$IMGAUDIT_BIN" fix plan "$RESULTS" -o "$PLAN" >"$TEST_TMP/table" 2>"$TEST_TMP/plan.err" &&
    grep -q '^Plan: 5 actions in 3 accounts (5 unshare-workspaces-image)' "$TEST_TMP/table" &&
    python3 - "$PLAN" "$TEST_TMP/before.json" "$TRUSTED" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
before = json.load(open(sys.argv[2]))
trusted = set(json.loads(sys.argv[3]))
untrusted = sorted((account, image, target) for account, images in before.items()
                   for image, targets in images.items() for target in targets if target not in trusted)
assert len(untrusted) == 5, untrusted
got = sorted((a["account"], a["resource_id"], a["call"]["parameters"]["SharedAccountId"]) for a in plan["actions"])
assert got == untrusted, (got, untrusted)  # exactly one action per untrusted share, none for a trusted one
for a in plan["actions"]:
    assert a["action"] == "unshare-workspaces-image" and a["region"] == "us-east-1", a
    assert a["call"] == {"service": "workspaces", "operation": "UpdateWorkspaceImagePermission",
                         "parameters": {"ImageId": a["resource_id"], "SharedAccountId": a["precondition"]["account"],
                                        "AllowCopyImage": False}}, a["call"]
    assert [r["rule"] for r in a["resolves"]] == ["workspaces-image-shared-untrusted"], a["resolves"]
# Coverage is per service: the AppStream errors leave WorkSpaces, which the actions change, read whole.
assert plan["coverage"] == [{"account": a, "region": "us-east-1", "service": "workspaces", "complete": True,
                             "errors": 0} for a in ("123456789012", "222222222222", "333333333333")], plan["coverage"]
PY
}
check "fix plan: one unshare-workspaces-image per untrusted share, none for a trusted one" plan

# apply [OPTIONS...]: fix apply of the plan, through Fixer in the other accounts, the caller's own credentials in
# its own; sets rc.
apply() {
  rc=0
  "$IMGAUDIT_BIN" fix apply "$PLAN" --log "$LOG" --region us-east-1 --role-name Auditor --fix-role-name Fixer "$@" \
    >"$TEST_TMP/apply.out" 2>"$TEST_TMP/apply.err" || rc=$?
}

# Before any apply (so that there is something to change): stdin is no terminal, there is no --yes.
not_confirmed() {
  apply </dev/null
  shares_now now
  [ "$rc" -eq 2 ] && grep -q -e '--yes' "$TEST_TMP/apply.err" && [ ! -s "$LOG" ] &&
    cmp -s "$TEST_TMP/before.json" "$TEST_TMP/now.json" || {
    echo "  exit $rc; stderr:" >&2
    cat "$TEST_TMP/apply.err" >&2
    return 1
  }
}
check "fix apply off a terminal without --yes: exit 2, says --yes, logs and changes nothing" not_confirmed

# The audit role may not write: with it as the fix role, a plan for the two accounts reached through a role fails
# whole (moto answers 403), exit 1, each failure logged and named on stderr, nothing changed.
audit_role_denied() {
  rc=0
  "$IMGAUDIT_BIN" fix plan "$RESULTS" --account 222222222222 --account 333333333333 -o "$TEST_TMP/others.json" \
    >/dev/null 2>&1 &&
    "$IMGAUDIT_BIN" fix apply "$TEST_TMP/others.json" --yes --log "$TEST_TMP/denied.jsonl" --region us-east-1 \
      --role-name Auditor </dev/null >"$TEST_TMP/denied.out" 2>"$TEST_TMP/denied.err" || rc=$?
  shares_now now
  [ "$rc" -eq 1 ] && cmp -s "$TEST_TMP/before.json" "$TEST_TMP/now.json" &&
    python3 - "$TEST_TMP/denied.jsonl" "$TEST_TMP/denied.err" <<'PY' || {
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
stderr = open(sys.argv[2]).read()
assert len(lines) == 2, lines
for l in lines:
    assert l["outcome"] == "failed" and l["error"]["http_status"] == 403, l
    assert l["action_id"] in stderr, stderr  # each failure named
    assert l["role_arn"] == f"arn:aws:iam::{l['account']}:role/Auditor", l
PY
    echo "  exit $rc; stderr:" >&2
    cat "$TEST_TMP/denied.err" >&2
    return 1
  }
}
check "the audit role as the fix role: denied (403), exit 1, each failure logged, nothing changed" audit_role_denied

# log_says FROM OUTCOME: the log's lines from line FROM are one per action of the plan, each with OUTCOME and
# the action's fields; the role is Fixer's in the other accounts, none (the caller's own credentials) in its own.
log_says() {
  python3 - "$LOG" "$PLAN" "$1" "$2" <<'PY'
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[3]) - 1:]
plan = json.load(open(sys.argv[2]))
outcome = sys.argv[4]
by_id = {a["id"]: a for a in plan["actions"]}
assert sorted(l["action_id"] for l in lines) == sorted(by_id), [l["action_id"] for l in lines]
for l in lines:
    a = by_id[l["action_id"]]
    assert l["outcome"] == outcome and "error" not in l, l
    assert l.get("verified") is (True if outcome == "done" else None), l  # a write is read back
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", l["time"]), l["time"]
    assert l["caller_arn"] == "arn:aws:iam::123456789012:user/auditor", l["caller_arn"]
    role = None if a["account"] == "123456789012" else f"arn:aws:iam::{a['account']}:role/Fixer"
    assert l["role_arn"] == role, (l["role_arn"], role)
    assert l["plan_created_at"] == plan["created_at"], l
    for k in ("action", "account", "region", "resource_id", "call"):
        assert l[k] == a[k], (k, l[k], a[k])
    assert isinstance(l["request_id"], str) and l["request_id"], l
PY
}

# gone: the permissions read back are those before, less the untrusted shares.
gone() {
  python3 - "$TEST_TMP/before.json" "$TEST_TMP/$1.json" "$TRUSTED" <<'PY'
import json, sys
before = json.load(open(sys.argv[1]))
now = json.load(open(sys.argv[2]))
trusted = set(json.loads(sys.argv[3]))
want = {acc: {img: [t for t in targets if t in trusted] for img, targets in images.items()}
        for acc, images in before.items()}
assert now == want, (now, want)
assert sum(len(t) for images in now.values() for t in images.values()) == 5  # the trusted shares stay
PY
}

first_apply() {
  apply --yes </dev/null
  shares_now after
  [ "$rc" -eq 0 ] && gone after && [ "$(wc -l <"$LOG")" -eq 5 ] && log_says 1 "done" &&
    grep -q 'imgaudit: applied 5 actions: 5 done, 0 already done, 0 failed' "$TEST_TMP/apply.err" || {
    echo "  exit $rc; stderr:" >&2
    cat "$TEST_TMP/apply.err" >&2
    return 1
  }
}
check "fix apply --yes: exit 0, the untrusted shares gone, the trusted ones kept, one done line each" \
  first_apply

second_apply() {
  apply --yes </dev/null
  shares_now again
  [ "$rc" -eq 0 ] && cmp -s "$TEST_TMP/after.json" "$TEST_TMP/again.json" && [ "$(wc -l <"$LOG")" -eq 10 ] &&
    log_says 6 already-done &&
    grep -q 'imgaudit: applied 5 actions: 0 done, 5 already done, 0 failed' "$TEST_TMP/apply.err" || {
    echo "  exit $rc; stderr:" >&2
    cat "$TEST_TMP/apply.err" >&2
    return 1
  }
}
check "the same plan again: exit 0, every action already done, nothing changed" second_apply

finish
