#!/usr/bin/env bash
# Mistakes caught up front: a bad option, region, path or input file ends the run with exit 2 and one line,
# before any AWS call (the fakeaws request log stays empty) and before any file is written.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5 IMGAUDIT_TODAY=2026-11-25 NO_COLOR=1
SNAP=$IMGAUDIT_SOURCE_DIR/tests/data/snapshot/merge/commercial-eu.json

fakeaws_start fa --fleet test
source "$TEST_TMP/fa/env"
LOG=$TEST_TMP/fa/requests.jsonl
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null
cd "$TEST_TMP"

# refused CODE PATTERN CMD...: exits CODE with one stderr line matching PATTERN, and AWS was never called.
refused() {
  local code=$1 pattern=$2 rc=0
  shift 2
  : >"$LOG"
  timeout 60 "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  if [ "$rc" -ne "$code" ]; then
    echo "  exit $rc, expected $code; stderr:" >&2
    cat "$TEST_TMP/err" >&2
    return 1
  fi
  if [ "$(wc -l <"$TEST_TMP/err")" -ne 1 ] || ! untimed "$TEST_TMP/err" | grep -Eq -- "$pattern"; then
    echo "  stderr is not one line matching '$pattern':" >&2
    cat "$TEST_TMP/err" >&2
    return 1
  fi
  if [ -s "$LOG" ]; then
    echo "  AWS was called:" >&2
    head -3 "$LOG" >&2
    return 1
  fi
}

AUDIT=("$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml")

# The fake endpoint answers: a run that gets past its checks calls it (so an empty log above means something).
reaches_aws() {
  : >"$LOG"
  "${AUDIT[@]}" --json "$TEST_TMP/ok.json" --fail-on none --allow-partial --quiet >/dev/null 2>&1 && [ -s "$LOG" ]
}
check "a good audit calls the endpoint (what the checks below rely on)" reaches_aws

# --- the files read are read before anything is collected
check "--baseline missing: exit 2 naming it, no AWS call" \
  refused 2 "^imgaudit: error: missing\.json: No such file or directory$" "${AUDIT[@]}" --baseline missing.json
echo '{"results": 3}' >"$TEST_TMP/not-results.json"
check "--baseline that is no results document: exit 2, no AWS call" \
  refused 2 "not-results\.json: not a results document" "${AUDIT[@]}" --baseline "$TEST_TMP/not-results.json"
printf 'rules:\n  - id: [\n' >"$TEST_TMP/bad-rules.yaml"
check "bad --rules: exit 2 at file:line:column, no AWS call" \
  refused 2 "bad-rules\.yaml:[0-9]+:[0-9]+: " "${AUDIT[@]}" --rules "$TEST_TMP/bad-rules.yaml"
check "missing --rules: exit 2, no AWS call" refused 2 "nothere\.yaml" "${AUDIT[@]}" --rules nothere.yaml
printf 'vars:\n  trusted_accounts: [\n' >"$TEST_TMP/bad-vars.yaml"
check "bad --vars: exit 2 at file:line:column, no AWS call" \
  refused 2 "bad-vars\.yaml:[0-9]+:[0-9]+: " "${AUDIT[@]}" --vars "$TEST_TMP/bad-vars.yaml"
printf 'waivers:\n  - rule: workspaces-image-stale\n    reason: r\n    expires: 2027-01-01\n    colour: red\n' \
  >"$TEST_TMP/bad-waivers.yaml"
check "bad --waivers: exit 2 at file:line:column, no AWS call" \
  refused 2 "bad-waivers\.yaml:[0-9]+:[0-9]+: " "${AUDIT[@]}" --waivers "$TEST_TMP/bad-waivers.yaml"
printf 'accounts:\n  - id: "111122223333"\n    regions: [eu-centrl-1]\n' >"$TEST_TMP/bad-region-accounts.yaml"
check "an accounts file naming an unknown region: exit 2 at file:line:column, no AWS call" \
  refused 2 "bad-region-accounts\.yaml:3:15: regions: unknown region 'eu-centrl-1' \(did you mean 'eu-central-1'\?\)" \
  "$IMGAUDIT_BIN" audit --region us-east-1 --accounts "$TEST_TMP/bad-region-accounts.yaml"

# The same with nothing listening: a check that came after the network would fail with 4, not 2.
DEAD_PORT=$(free_port)
endpoint_down() { AWS_ENDPOINT_URL=http://127.0.0.1:$DEAD_PORT refused "$@"; }
check "--baseline missing with the endpoint down: exit 2 on the baseline, not 4 on the network" \
  endpoint_down 2 "missing\.json: No such file" "${AUDIT[@]}" --baseline missing.json
check "...where a good one fails with 4 on the network" \
  endpoint_down 4 "127\.0\.0\.1:$DEAD_PORT" "${AUDIT[@]}" --baseline "$TEST_TMP/ok.json" --max-attempts 1

# --- regions
check "--regions with a typo: exit 2 naming it and the closest region" \
  refused 2 "^imgaudit audit: error: --regions: unknown region 'eu-centrl-1' \(did you mean 'eu-central-1'\?\)" \
  "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-centrl-1
check "--region with a typo: exit 2" \
  refused 2 "--region: unknown region 'us-est-1' \(did you mean 'us-east-1'\?\)" "$IMGAUDIT_BIN" whoami --region us-est-1
repeated_regions_add() {
  : >"$LOG"
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1 --regions eu-west-1 --accounts "$TEST_TMP/accounts.yaml" \
    --quiet -o "$TEST_TMP/two.json" 2>/dev/null || true
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["regions"]; assert sorted(r)==["eu-west-1","us-east-1"], r' \
    "$TEST_TMP/two.json"
}
check "--regions given twice adds: both regions are collected" repeated_regions_add
check "newer regions are known (collected as not offered, no error)" \
  bash -c "'$IMGAUDIT_BIN' collect --region us-east-1 --regions mx-central-1,ap-southeast-7,ca-west-1 --quiet -o '$TEST_TMP/new.json' 2>'$TEST_TMP/err'; [ \$? -eq 0 ]"

# --- options
check "an abbreviation is no option: exit 2 with the name meant" \
  refused 2 "unknown option '--waiver'; did you mean '--waivers'\?" "${AUDIT[@]}" --waiver x
check "--rule naming no rule: exit 2 with the closest id, no AWS call" \
  refused 2 "--rule 'workspaces-image-stael' matches no rule \(did you mean 'workspaces-image-stale'\?\)" \
  "${AUDIT[@]}" --rule workspaces-image-stael
check "--conc is not --concurrency" refused 2 "unknown option '--conc'; did you mean '--concurrency'\?" "${AUDIT[@]}" --conc 3
check "--region twice: exit 2 naming it" \
  refused 2 "^imgaudit audit: error: --region given twice: it takes one value" "${AUDIT[@]}" --region eu-west-1
check "--json twice: exit 2" refused 2 "--json given twice" "$IMGAUDIT_BIN" evaluate "$SNAP" --json a --json b
check "--fail-on twice: exit 2" \
  refused 2 "--fail-on given twice" "$IMGAUDIT_BIN" evaluate "$SNAP" --fail-on high --fail-on low
check "a flag twice is harmless" bash -c "'$IMGAUDIT_BIN' evaluate '$SNAP' -q -q --allow-partial --allow-partial --fail-on none"
version() {
  [ "$("$IMGAUDIT_BIN" -v)" = "$("$IMGAUDIT_BIN" --version)" ] && "$IMGAUDIT_BIN" -v | grep -Eq '^imgaudit [0-9]+\.[0-9]+'
}
check "-v is --version" version

# --- outputs that would overwrite an input or each other
cp "$SNAP" "$TEST_TMP/s.json"
kept() { cmp -s "$SNAP" "$TEST_TMP/s.json"; }
check "evaluate s.json --json s.json: exit 2" \
  refused 2 "--json and the snapshot name the same file 's.json'" "$IMGAUDIT_BIN" evaluate s.json --json s.json
check "...and the snapshot is as it was" kept
ln -s s.json "$TEST_TMP/link.json"
check "a symlink to the snapshot is the snapshot" \
  refused 2 "--html and the snapshot name the same file" "$IMGAUDIT_BIN" evaluate link.json --html ./s.json
check "...and the snapshot is as it was" kept
check "two reports to one new file (./x and x): exit 2" \
  refused 2 "--json and --junit name the same file" "$IMGAUDIT_BIN" evaluate s.json --json r.json --junit ./r.json
check "--csv over the snapshot: exit 2" \
  refused 2 "--csv and the snapshot name the same file" "$IMGAUDIT_BIN" evaluate s.json --csv s.json
check "--markdown over --csv: exit 2" \
  refused 2 "--csv and --markdown name the same file" "$IMGAUDIT_BIN" evaluate s.json --csv f.txt --markdown ./f.txt
check "a report over --rules: exit 2" \
  refused 2 "--json and --rules name the same file" "$IMGAUDIT_BIN" evaluate s.json --rules "$TEST_TMP/bad-rules.yaml" --json "$TEST_TMP/bad-rules.yaml"
check "audit --snapshot-out over a report: exit 2, no AWS call" \
  refused 2 "--json and --snapshot-out name the same file" "${AUDIT[@]}" --json out.json --snapshot-out out.json
check "audit --snapshot-out over --baseline: exit 2, no AWS call" \
  refused 2 "--snapshot-out and --baseline name the same file" "${AUDIT[@]}" --snapshot-out s.json --baseline s.json
check "collect -o over the accounts file: exit 2, no AWS call" \
  refused 2 "--output and --accounts name the same file" "$IMGAUDIT_BIN" collect --region us-east-1 --accounts "$TEST_TMP/accounts.yaml" -o "$TEST_TMP/accounts.yaml"
check "merge -o over a part: exit 2" \
  refused 2 "--output and a snapshot to merge name the same file" "$IMGAUDIT_BIN" merge s.json -o ./s.json
check "two reports on /dev/null are no conflict" \
  bash -c "'$IMGAUDIT_BIN' evaluate '$SNAP' --json /dev/null --junit /dev/null -q --allow-partial --fail-on none"

# --- evaluate - reads the snapshot from stdin
from_stdin() {
  "$IMGAUDIT_BIN" evaluate "$SNAP" --json "$TEST_TMP/file.json" -q --fail-on none --allow-partial &&
    "$IMGAUDIT_BIN" evaluate - --json "$TEST_TMP/stdin.json" -q --fail-on none --allow-partial <"$SNAP" &&
    python3 - "$TEST_TMP/file.json" "$TEST_TMP/stdin.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["summary"] == b["summary"] and len(a["results"]) == len(b["results"]) > 0
PY
}
check "evaluate - judges the snapshot on stdin as the file" from_stdin
check "a malformed snapshot on stdin: exit 2 at stdin:LINE:COL" \
  refused 2 "^imgaudit: error: stdin:2:8: invalid JSON: not a snapshot$" bash -c "printf '{\n  \"a\": ,\n}' | '$IMGAUDIT_BIN' evaluate -"

# --- a c7n-org accounts file reaches the same accounts as the native one
c7n_same_as_native() {
  python3 - "$TEST_TMP/accounts.yaml" "$TEST_TMP/c7n.yaml" <<'PY'
import sys, yaml
native = yaml.safe_load(open(sys.argv[1]))
out = []
for a in native["accounts"]:
    c = {"account_id": a["id"], "tags": ["env:test"], "email": "x@example.com"}
    for k, k2 in (("name", "name"), ("role_arn", "role"), ("external_id", "external_id"), ("regions", "regions")):
        if k in a:
            c[k2] = a[k]
    out.append(c)
yaml.safe_dump({"accounts": out, "vars": {"charge_code": "x"}}, open(sys.argv[2], "w"))
PY
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" \
    --quiet -o "$TEST_TMP/native.json" 2>/dev/null || true
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/c7n.yaml" \
    --quiet -o "$TEST_TMP/c7n.json" 2>/dev/null || true
  python3 - "$TEST_TMP/native.json" "$TEST_TMP/c7n.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda s: (sorted(json.dumps(r, sort_keys=True) for r in s["resources"]), s["accounts"], sorted(json.dumps(e, sort_keys=True) for e in s["errors"]))
assert len(a["resources"]) > 0
assert key(a) == key(b), "c7n-org and native accounts files collect differently"
PY
}
check "a c7n-org accounts file collects what the native one does" c7n_same_as_native

finish
