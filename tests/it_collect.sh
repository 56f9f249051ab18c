#!/usr/bin/env bash
# imgaudit collect against tests/fakeaws: the test fleet (5 accounts through AssumeRole, one with an
# ExternalId, one denied; 2 regions; 100+ images over many small pages; AppStream denied in one region).
# The snapshot must hold exactly what expected.py derives from the fleet, faults or not.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
COMPARE=$IMGAUDIT_SOURCE_DIR/tests/support/compare_snapshot.py
export IMGAUDIT_RETRY_BASE_MS=5

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
  [ "$(stat -c %a "$TEST_TMP/snap1.json")" = "$(printf '%o' $((0666 & ~$(umask))))" ] && [ -z "$(ls -A "$TEST_TMP" | grep '\.tmp-')" ]
}
check "snapshot file is mode 0666 less the umask and no temporary file is left" file_mode

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

exclude_accounts() {
  local rc=0
  collect --org --role-name ImgAuditRole --exclude-accounts 444444444444,333333333333 -o "$TEST_TMP/excl.json" \
    2>/dev/null || rc=$?
  [ "$rc" -eq 0 ] && python3 - "$TEST_TMP/excl.json" "$TEST_TMP/org.json" <<'PY' || return 1
import json, sys
got, org = (json.load(open(p)) for p in sys.argv[1:])
left_out = {"333333333333", "444444444444"}
assert {a["id"] for a in got["accounts"]} == {a["id"] for a in org["accounts"]} - left_out
assert not got["errors"] and not any(r["account"] in left_out for r in got["resources"])
assert got["resources"] == [r for r in org["resources"] if r["account"] not in left_out]
PY
  [ "$(collect --org --exclude-accounts 12345 -o /dev/null >/dev/null 2>&1; echo $?)" = 2 ]
}
check "--exclude-accounts leaves accounts out entirely; a bad id is a usage error" exclude_accounts

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

no_secrets() {
  ! grep -q -e "$AWS_SECRET_ACCESS_KEY" -e 'SessionToken' -e 'X-Amz-Security-Token' -e 'Signature=' \
    "$TEST_TMP/snap1.json" "$TEST_TMP/org.json" "$TEST_TMP/self.json"
}
check "no secret key, token or signature in any snapshot" no_secrets

token_never_echoed() {
  # AWS's signature errors echo the canonical request, session token included: it must not reach a message.
  local creds rc=0
  creds=$(python3 - "$AWS_ENDPOINT_URL" <<'PY'
import sys, boto3
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1")
c = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/ImgAuditRole", RoleSessionName="token-test")["Credentials"]
print(c["AccessKeyId"], c["SessionToken"])
PY
  ) || return 1
  set -- $creds
  AWS_ACCESS_KEY_ID=$1 AWS_SESSION_TOKEN=$2 AWS_SECRET_ACCESS_KEY=not-the-secret "$IMGAUDIT_BIN" collect \
    --region us-east-1 -o "$TEST_TMP/never.json" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -q 'SignatureDoesNotMatch' "$TEST_TMP/err" &&
    ! grep -qF "$2" "$TEST_TMP/err" "$TEST_TMP/out" && [ ! -e "$TEST_TMP/never.json" ]
}
check "a session token echoed in a signature error never reaches the output; one line, exit 4" token_never_echoed

sts_limits_checked_first() {
  [ "$(collect --session-name 'nightly audit' -o /dev/null >/dev/null 2>&1; echo $?)" = 2 ] &&
    [ "$(collect --external-id 'a b' -o /dev/null >/dev/null 2>&1; echo $?)" = 2 ]
}
check "--session-name and --external-id outside STS's limits are usage errors, before any call" sts_limits_checked_first

web_identity() {
  local role=arn:aws:iam::111111111111:role/ImgAuditWebRole
  echo oidc-token-for-imgaudit-ci >"$TEST_TMP/oidc-token"
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_WEB_IDENTITY_TOKEN_FILE="$TEST_TMP/oidc-token" \
    AWS_ROLE_ARN=$role AWS_ROLE_SESSION_NAME=ci-run "$IMGAUDIT_BIN" whoami --region us-east-1 >"$TEST_TMP/out" &&
    grep -q 'assumed-role/ImgAuditWebRole/ci-run' "$TEST_TMP/out" &&
    ! grep -q 'oidc-token-for-imgaudit-ci' "$TEST_TMP/plain/requests.jsonl"
}
check "web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), token kept out of logs" web_identity

progress_on_a_terminal() {
  # script(1) runs it on a terminal and records what the terminal showed: the live line (stderr) is
  # there, and the snapshot file is the same as without a terminal.
  script -qec "'$IMGAUDIT_BIN' collect --region us-east-1 --regions $REGIONS --accounts '$TEST_TMP/accounts.yaml' \
    -o '$TEST_TMP/tty.json'" "$TEST_TMP/typescript" >/dev/null || true
  grep -q 'collecting: accounts [0-9]*/5  requests [0-9]*' "$TEST_TMP/typescript" &&
    grep -q 'collected 193 resources from 5 accounts in 2 regions; 3 errors' "$TEST_TMP/typescript" &&
    cmp <(strip_times "$TEST_TMP/snap1.json") <(strip_times "$TEST_TMP/tty.json")
}
check "a live progress line on a terminal, on stderr only" progress_on_a_terminal

fakeaws_start faulty --fleet test --faults 'throttle=0.3,5xx=0.05' --seed 7
faults_lose_nothing() {
  local rc=0
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/faulty/url") collect --accounts "$TEST_TMP/accounts.yaml" \
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
check "30% throttling and 5% 5xx: the same snapshot, nothing lost (default attempts)" faults_lose_nothing

# The same storm over a fleet with nothing denied, three seeds, every setting at its default: complete, exit 0.
fakeaws_start demo --fleet demo
demo_collect() { # SERVER: the demo fleet's own caller, through that server
  (
    source "$TEST_TMP/$1/env"
    "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-central-1 --org --role-name ImgAuditRole \
      --quiet -o "$TEST_TMP/$1.json"
  )
}
demo_collect demo 2>"$TEST_TMP/err" || true
for seed in 1 2 3; do
  fakeaws_start "storm$seed" --fleet demo --faults 'throttle=0.3,5xx=0.05' --seed "$seed"
  storm_loses_nothing() {
    local rc=0
    demo_collect "storm$seed" 2>"$TEST_TMP/err" || rc=$?
    [ "$rc" -eq 0 ] && cmp <(strip_times "$TEST_TMP/demo.json") <(strip_times "$TEST_TMP/storm$seed.json") &&
      python3 - "$TEST_TMP/storm$seed/requests.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
faults = [r for r in log if r.get("fault")]
assert len(faults) > 0.2 * len(log), (len(faults), len(log))
PY
  }
  check "storm, seed $seed: 30% throttling and 5% 5xx, default settings: exit 0, the clean run's snapshot" \
    storm_loses_nothing
done

# AWS-style rate limits: a token bucket of 2 requests/s, burst 2, per service, account and region.
fakeaws_start limited --fleet demo --rate-limit 2:2
rate_limited_loses_nothing() {
  local rc=0
  demo_collect limited 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 0 ] && cmp <(strip_times "$TEST_TMP/demo.json") <(strip_times "$TEST_TMP/limited.json") &&
    python3 - "$TEST_TMP/limited/requests.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
calls = [r for r in log if r.get("service") in ("workspaces", "appstream") or
         r.get("operation", "").startswith("Describe")]
limited = [r for r in calls if r.get("rate_limited")]
assert calls, "no call logged"
share = len(limited) / len(calls)
print(f"rate-limited: {len(limited)} of {len(calls)} answers throttled ({share:.1%})")
assert share < 0.10, share
PY
}
check "rate limits of 2/s, burst 2, per lane: exit 0, the clean run's snapshot, under 10% throttled" \
  rate_limited_loses_nothing

fakeaws_start garbled --fleet test --faults 'truncate=1@DescribeImageBuilders+111111111111,nonjson=1@DescribeWorkspaceImagePermissions+222222222222'
garbled_answers() {
  local rc=0
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/garbled/url") collect --accounts "$TEST_TMP/accounts.yaml" --max-attempts 2 \
    -o "$TEST_TMP/garbled.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && python3 - "$TEST_TMP/garbled.json" "$TEST_TMP/snap1.json" <<'PY'
import json, sys
got, clean = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
codes = {(e["account"], e["region"], e["operation"], e["code"]) for e in got["errors"]}
assert ("111111111111", "us-east-1", "DescribeImageBuilders", "protocol") in codes, codes
assert ("111111111111", "eu-west-1", "DescribeImageBuilders", "protocol") in codes, codes
assert any(e[2] == "DescribeWorkspaceImagePermissions" and e[0] == "222222222222" for e in codes), codes
# Images whose permissions could not be read keep no Permissions at all (unknown, not "shared with nobody").
ws = [r for r in got["resources"] if r["account"] == "222222222222" and r["type"] == "workspaces_image"
      and r["data"]["ImageType"] == "OWNED"]
assert ws and all("Permissions" not in r["data"] for r in ws), ws[:1]
# Everything else is still there.
others = lambda s: [r for r in s["resources"] if r["account"] not in ("111111111111", "222222222222")]
assert others(got) == others(clean)
PY
}
check "truncated and non-JSON answers: recorded as errors after retries, the rest collected" garbled_answers

# Each image whose permissions could not be read is named by its own error, never folded into its
# neighbours' (one error per region would leave most of them unexplained).
image_errors_name_each_image() {
  python3 - "$TEST_TMP/garbled.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
reads_permissions = lambda r: (r["type"] == "workspaces_image" and r["data"].get("ImageType") == "OWNED") or \
    (r["type"] == "appstream_image" and r["data"].get("Visibility") == "PRIVATE")
unread = [r for r in snap["resources"] if reads_permissions(r) and "Permissions" not in r["data"]]
assert len(unread) >= 10, len(unread)
for r in unread:
    named = [e for e in snap["errors"] if e.get("resource") == r["id"]
             and (e["account"], e["region"]) == (r["account"], r["region"])]
    assert len(named) == 1, (r["id"], named)
    assert named[0]["operation"] in ("DescribeWorkspaceImagePermissions", "DescribeImagePermissions"), named
ids = {(r["account"], r["region"], r["id"]) for r in unread}
per_image = [e for e in snap["errors"] if e.get("resource")]
assert all((e["account"], e["region"], e["resource"]) in ids for e in per_image), per_image
PY
}
check "every owned image without Permissions has exactly one error naming it (resource), and no other" \
  image_errors_name_each_image

fakeaws_start shortlived --fleet test --session-ttl 301 --faults 'slow=1:150@workspaces'
refresh_before_expiry() {
  # Sessions that live 301 s are inside the 5-minute refresh window at once: every account's role is
  # assumed again while the run goes on, and nothing fails.
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/shortlived/url") collect --accounts "$TEST_TMP/accounts.yaml" \
    -o "$TEST_TMP/short.json" 2>/dev/null || true
  cmp <(strip_times "$TEST_TMP/snap1.json") <(strip_times "$TEST_TMP/short.json") &&
    python3 - "$TEST_TMP/shortlived/requests.jsonl" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
assumes = [r for r in log if r.get("operation") == "AssumeRole" and r.get("status") == 200]
per_role = {}
for r in assumes:
    per_role[r["params"]["RoleArn"]] = per_role.get(r["params"]["RoleArn"], 0) + 1
assert len(per_role) == 3 and min(per_role.values()) >= 2, per_role
PY
}
check "temporary credentials are renewed before they expire" refresh_before_expiry

fakeaws_start slow --fleet test --faults 'slow=1:400'
killed_run() {
  local pid rc=0
  AWS_ENDPOINT_URL=$(cat "$TEST_TMP/slow/url") "$IMGAUDIT_BIN" collect --region us-east-1 --regions $REGIONS \
    --accounts "$TEST_TMP/accounts.yaml" --quiet -o "$TEST_TMP/killed/killed.json" 2>"$TEST_TMP/killed.err" &
  pid=$!
  sleep 1.5
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 130 ] && [ -z "$(ls -A "$TEST_TMP/killed")" ]
}
mkdir -p "$TEST_TMP/killed"
check "SIGTERM mid-run: exit 130, no snapshot and no temporary file left" killed_run

bad_accounts() {
  local rc=0
  printf 'accounts:\n  - id: "12345"\n    colour: blue\n  - name: x\n' >"$TEST_TMP/bad.yaml"
  collect --accounts "$TEST_TMP/bad.yaml" -o "$TEST_TMP/never.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 2 ] && [ ! -e "$TEST_TMP/never.json" ] &&
    [ "$(grep -c "bad.yaml:2:[0-9]*: account id '12345' is not 12 digits" "$TEST_TMP/err")" -eq 1 ] &&
    grep -q "bad.yaml:3:[0-9]*: unknown key 'colour'" "$TEST_TMP/err" &&
    grep -q "bad.yaml:4:[0-9]*: account has no 'id'" "$TEST_TMP/err"
}
check "bad accounts file: every problem once as file:line:column, exit 2, nothing written" bad_accounts

finish
