#!/usr/bin/env bash
# Control characters from AWS (error codes, request ids, ARNs), from input files (account ids, variable and rule
# keys) and from snapshots (resource names, error codes) never reach a terminal raw: every byte below 0x20 but
# the line ends, DEL, C1 controls and stray bytes are shown escaped (\x1b, \r, \n, \t). Machine outputs (the
# snapshot, whoami --json) keep the strings exactly as AWS sent them.
source "$(dirname "$0")/support/servers.sh"

export IMGAUDIT_RETRY_BASE_MS=5 IMGAUDIT_TODAY=2026-11-25

# inert FILE...: no control byte but LF, no DEL, no C1 control, only well-formed UTF-8; and not empty.
inert() {
  python3 - "$@" <<'PY'
import re, sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    assert data, f"{path} is empty"
    text = data.decode("utf-8")  # raises on a stray byte
    bad = re.search("[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]", text)
    assert not bad, f"{path}: raw {bad.group()!r} at {bad.start()}: {text[max(0, bad.start() - 40):bad.start() + 20]!r}"
PY
}

# shown_escaped NAME STREAM RC NEEDLE...: the run NAME exited RC, its STREAM (out, err) is inert and holds
# every NEEDLE (fixed strings).
shown_escaped() {
  local name=$1 stream=$2 rc=$3 needle
  shift 3
  [ "$(cat "$TEST_TMP/$name.rc")" = "$rc" ] && inert "$TEST_TMP/$name.$stream" || return 1
  for needle in "$@"; do
    grep -qF -- "$needle" "$TEST_TMP/$name.$stream" || { echo "missing: $needle" >&2; return 1; }
  done
}

# run_to NAME CMD...: runs CMD with stdout and stderr in $TEST_TMP/NAME.out and .err; its status in .rc.
run_to() {
  local name=$1 rc=0
  shift
  "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" || rc=$?
  echo "$rc" >"$TEST_TMP/$name.rc"
}

fakeaws_start ctl --fleet test --faults 'ctlarn@GetCallerIdentity+111111111111,ctlerror@DescribeImageBuilders,ctlerror:1@DescribeImages'
source "$TEST_TMP/ctl/env"

# --- whoami: the ARN and user id from STS ---
run_to whoami "$IMGAUDIT_BIN" whoami
run_to whoami_json "$IMGAUDIT_BIN" whoami --json
whoami_escaped() {
  [ "$(cat "$TEST_TMP/whoami.rc")" = 0 ] && inert "$TEST_TMP/whoami.out" &&
    [ "$(wc -l <"$TEST_TMP/whoami.out")" -eq 3 ] &&
    grep -qF 'forged\t\x7f\xc2\x9b' "$TEST_TMP/whoami.out" && grep -qF '\r\nimgaudit: error: forged' "$TEST_TMP/whoami.out"
}
check "whoami: an ARN with CR/LF, TAB, DEL and CSI is printed escaped, three lines" whoami_escaped
whoami_json_raw() {
  python3 - "$TEST_TMP/whoami_json.out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["arn"].endswith("Evil\r\nimgaudit: error: forged\t\x7f\x9b"), doc["arn"]
PY
}
check "whoami --json keeps the ARN exactly as STS sent it (JSON escapes it)" whoami_json_raw

# --- errors from AWS: code, message and request id ---
run_to collect "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1 --no-progress -o "$TEST_TMP/snap.json"
collect_escaped() {
  [ "$(cat "$TEST_TMP/collect.rc")" = 3 ] && inert "$TEST_TMP/collect.err" &&
    grep -qF 'Evil\x1b[31mCode\r\nimgaudit' "$TEST_TMP/collect.err" &&
    grep -qF 'req-Evil\x1b[2JHeader\x7f' "$TEST_TMP/collect.err" &&
    grep -qF 'Evil\x1b[2JHeader\x7f, HTTP 400' "$TEST_TMP/collect.err"
}
check "collect: error codes from __type and x-amzn-ErrorType, request ids and messages are logged escaped" \
  collect_escaped
snapshot_raw() {
  python3 - "$TEST_TMP/snap.json" <<'PY'
import json, sys
codes = {e["code"] for e in json.load(open(sys.argv[1]))["errors"]}
assert "Evil\x1b[31mCode\r\nimgaudit" in codes and "Evil\x1b[2JHeader\x7f" in codes, codes
PY
}
check "the snapshot keeps the codes as AWS sent them" snapshot_raw
run_to evaluate "$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap.json" --fail-on none
check "evaluate: the console summary lists those errors escaped" \
  shown_escaped evaluate out 3 'Evil\x1b[31mCode\r\nimgaudit' 'Evil\x1b[2JHeader\x7f'

fakeaws_start ctlsts --fleet test --faults 'ctlerror@sts'
run_to whoami_err env AWS_ENDPOINT_URL="$(cat "$TEST_TMP/ctlsts/url")" "$IMGAUDIT_BIN" whoami
whoami_err_escaped() {
  [ "$(cat "$TEST_TMP/whoami_err.rc")" = 4 ] && inert "$TEST_TMP/whoami_err.err" &&
    [ "$(wc -l <"$TEST_TMP/whoami_err.err")" -eq 1 ] &&
    grep -qF '(CodeEvil\r\nimgaudit, HTTP 400, request id req-Evil\r\nimgaudit: error: forged\t\x7f\xc2\x9b)' \
      "$TEST_TMP/whoami_err.err"
}
check "whoami: an STS error code and request id with CR/LF are one escaped line, exit 4" whoami_err_escaped

# --- input files ---
# YAML refuses raw control characters, but its double-quoted escapes (\e, \r, \x9b) make them.
cat >"$TEST_TMP/accounts.yaml" <<'YAML'
accounts:
  - id: "1111\e[31m11111111"
YAML
run_to accounts "$IMGAUDIT_BIN" collect --region us-east-1 --accounts "$TEST_TMP/accounts.yaml" -o /dev/null
check "an account id with ESC in the accounts file is named escaped, exit 2" \
  shown_escaped accounts err 2 '1111\x1b[31m'
cat >"$TEST_TMP/vars.yaml" <<'YAML'
vars:
  "trusted\e[31m\r": ["1"]
YAML
run_to vars "$IMGAUDIT_BIN" evaluate --vars "$TEST_TMP/vars.yaml" "$TEST_TMP/snap.json"
check "a variable name with ESC and CR is named escaped, exit 2" shown_escaped vars err 2 'trusted\x1b[31m\r'
cat >"$TEST_TMP/rules.yaml" <<'YAML'
rules:
  - id: x
    "sev\e[2J\x9berity": high
YAML
run_to lint "$IMGAUDIT_BIN" rules lint --rules "$TEST_TMP/rules.yaml"
check "rules lint: a rule key with ESC and CSI is named escaped" \
  shown_escaped lint out 2 'sev\x1b[2J\xc2\x9berity'

# --- snapshot strings in the console summary ---
python3 - "$TEST_TMP/hostile.json" "$TEST_TMP/clean.json" <<'PY'
import json, sys
def snapshot(resources, errors):
    return {"schema": "imgaudit.snapshot", "schema_version": 1, "tool_version": "0.1.0",
            "started_at": "2026-11-25T01:00:00Z", "finished_at": "2026-11-25T01:01:00Z", "complete": not errors,
            "caller": {"account": "111122223333", "arn": "arn:aws:iam::111122223333:user/a", "user_id": "A"},
            "partition": "aws", "regions": ["eu-west-1"],
            "accounts": [{"id": "111122223333", "name": "prod", "role_arn": None, "regions": ["eu-west-1"]}],
            "resources": resources, "errors": errors}
evil = "golden\r\nimgaudit: PASSED\x1b[2K\x1b]0;title\x07\x9b"
image = {"type": "workspaces_image", "account": "111122223333", "region": "eu-west-1", "id": "wsi-0123456789",
         "data": {"ImageId": "wsi-0123456789", "Name": evil, "State": "ERROR", "ImageType": "OWNED",
                  "OwnerAccountId": "111122223333", "Created": "2026-01-01T00:00:00Z", "Permissions": []}}
error = {"account": "111122223333", "region": "eu-west-1\r\n", "service": "appstream", "operation": "DescribeImages",
         "code": evil, "message": "m", "http_status": 400}
json.dump(snapshot([image], [error]), open(sys.argv[1], "w"))
json.dump(snapshot([], []), open(sys.argv[2], "w"))
PY
"$IMGAUDIT_BIN" evaluate "$TEST_TMP/clean.json" --json "$TEST_TMP/base.json" >/dev/null
run_to summary "$IMGAUDIT_BIN" evaluate "$TEST_TMP/hostile.json" --baseline "$TEST_TMP/base.json" --fail-on none
check "console summary: a resource name and an error with CR/LF, ESC, BEL and CSI are shown escaped" \
  shown_escaped summary out 3 'wsi-0123456789 (golden\r\nimgaudit: PASSED\x1b[2K\x1b]0;title\x07\xc2\x9b)' \
  'eu-west-1\r\n: appstream DescribeImages golden\r\nimgaudit: PASSED'

# --- the time of a log line: none on a terminal, where a person watches; at the start of each line off one ---
log_times() {
  script -qec "'$IMGAUDIT_BIN' evaluate '$TEST_TMP/none.json' --quiet" "$TEST_TMP/tty-log" >/dev/null || true
  run_to notty "$IMGAUDIT_BIN" evaluate "$TEST_TMP/none.json" --quiet
  grep -q '^imgaudit: error: .*none.json: No such file or directory' "$TEST_TMP/tty-log" &&
    ! grep -Eq "${LOG_TIME_RE}imgaudit" "$TEST_TMP/tty-log" &&
    grep -Eq "^${LOG_TIME_RE}imgaudit: error: .*none.json: No such file or directory\$" "$TEST_TMP/notty.err"
}
check "log lines: no time on a terminal; off a terminal each starts with its time, ISO-8601 UTC" log_times

finish
