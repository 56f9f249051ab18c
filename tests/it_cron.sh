#!/usr/bin/env bash
# imgaudit as cron and CI run it, against tests/fakeaws: --quiet prints nothing when all is well, and one line
# when the gate fails or the collection is incomplete, warnings and errors always; off a terminal every log line
# starts with its time and a long collection says where it is now and then; reports and snapshots are made
# 0666 less the umask.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5 IMGAUDIT_TODAY=2026-11-25 NO_COLOR=1

fakeaws_start demo --fleet demo
fakeaws_start test --fleet test
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null
R=$TEST_TMP/r
mkdir -p "$R"

# run_to NAME CMD...: runs CMD with stdout and stderr in $TEST_TMP/NAME.out and .err; its status in .rc.
run_to() {
  local name=$1 rc=0
  shift
  "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err" || rc=$?
  echo "$rc" >"$TEST_TMP/$name.rc"
}

# ran NAME RC: the run NAME exited RC (else shows its stderr).
ran() {
  [ "$(cat "$TEST_TMP/$1.rc")" = "$2" ] && return 0
  echo "  $1: exit $(cat "$TEST_TMP/$1.rc"), expected $2; stderr:" >&2
  cat "$TEST_TMP/$1.err" >&2
  return 1
}

# silent NAME: the run NAME wrote nothing on stdout and nothing on stderr.
silent() {
  [ ! -s "$TEST_TMP/$1.out" ] && [ ! -s "$TEST_TMP/$1.err" ] || {
    echo "  $1 printed:" >&2
    cat "$TEST_TMP/$1.out" "$TEST_TMP/$1.err" >&2
    return 1
  }
}

# only_line NAME REGEX: the run NAME wrote nothing on stdout and exactly one line on stderr, matching
# ^TIME REGEX$ (extended).
only_line() {
  [ ! -s "$TEST_TMP/$1.out" ] && [ "$(wc -l <"$TEST_TMP/$1.err")" -eq 1 ] &&
    grep -Eq "^$LOG_TIME_RE$2\$" "$TEST_TMP/$1.err" || {
    echo "  $1: want one line '$2' on stderr; printed:" >&2
    cat "$TEST_TMP/$1.out" "$TEST_TMP/$1.err" >&2
    return 1
  }
}

# all_timed FILE: every line of FILE starts with its time.
all_timed() {
  [ -s "$1" ] && ! grep -Evq "^$LOG_TIME_RE" "$1"
}

demo() { # demo CMD ARGS...: imgaudit CMD over the demo fleet's Organization, both its regions
  local cmd=$1
  shift
  (
    source "$TEST_TMP/demo/env"
    exec "$IMGAUDIT_BIN" "$cmd" --region us-east-1 --org --role-name ImgAuditRole --regions us-east-1,eu-central-1 \
      "$@"
  )
}

# --- (a) all is well: nothing at all ---
run_to pass demo audit --quiet --fail-on none --json "$R/pass.json"
quiet_when_well() {
  ran pass 0 && silent pass && [ -s "$R/pass.json" ]
}
check "audit --quiet, gate passed, collection complete: exit 0, nothing on stdout or stderr" quiet_when_well

run_to collect_pass demo collect --quiet -o "$R/demo.json"
run_to evaluate_pass "$IMGAUDIT_BIN" evaluate "$R/demo.json" -q --fail-on none --junit "$R/pass.xml"
check "collect --quiet and evaluate -q when all is well: exit 0, silent" \
  eval 'ran collect_pass 0 && silent collect_pass && ran evaluate_pass 0 && silent evaluate_pass'

# --- (b) the gate fails: its verdict, one line ---
VERDICT='imgaudit: FAILED: [0-9]+ failures at or above high \(gate --fail-on high\)'
run_to gate demo audit --quiet
check "audit --quiet, gate failed: exit 1, exactly the verdict on stderr, timestamped" \
  eval 'ran gate 1 && only_line gate "$VERDICT"'
run_to evaluate_gate "$IMGAUDIT_BIN" evaluate "$R/demo.json" --quiet --html "$R/gate.html"
check "evaluate --quiet, gate failed: exit 1, exactly the verdict" \
  eval 'ran evaluate_gate 1 && only_line evaluate_gate "$VERDICT"'
same_count_as_summary() {
  local quiet summary
  quiet=$(sed -E 's/.*FAILED: ([0-9]+) failures.*/\1/' "$TEST_TMP/evaluate_gate.err")
  summary=$("$IMGAUDIT_BIN" evaluate "$R/demo.json" | sed -nE 's/^Gate \(--fail-on high\): FAILED, ([0-9]+) .*/\1/p')
  [ -n "$quiet" ] && [ "$quiet" = "$summary" ]
}
check "the verdict counts what the summary's gate line counts" same_count_as_summary

# --- (c) a denied account: the warning, then the verdict on the incomplete collection ---
test_audit() {
  (
    source "$TEST_TMP/test/env"
    exec "$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1,eu-west-1 --accounts "$TEST_TMP/accounts.yaml" \
      "$@"
  )
}
run_to denied test_audit --quiet --fail-on none
denied_warned() {
  ran denied 3 && [ ! -s "$TEST_TMP/denied.out" ] && all_timed "$TEST_TMP/denied.err" &&
    grep -Eq "^${LOG_TIME_RE}imgaudit: warning: account 444444444444: .*AssumeRole.*AccessDenied" "$TEST_TMP/denied.err" &&
    [ "$(tail -n 1 "$TEST_TMP/denied.err" | sed -E "s/^$LOG_TIME_RE//")" = \
      "imgaudit: INCOMPLETE: the snapshot's collection is incomplete (3 errors; exit 3 unless --allow-partial)" ]
}
check "audit --quiet, an account denies AssumeRole: each collection error warned, then INCOMPLETE; exit 3" \
  denied_warned
run_to denied_collect bash -c "source '$TEST_TMP/test/env' && exec '$IMGAUDIT_BIN' collect --region us-east-1 \
  --regions us-east-1,eu-west-1 --accounts '$TEST_TMP/accounts.yaml' --quiet -o '$R/test.json'"
denied_collect_warned() {
  ran denied_collect 3 && all_timed "$TEST_TMP/denied_collect.err" &&
    grep -q 'imgaudit: warning: account 444444444444: ' "$TEST_TMP/denied_collect.err" &&
    [ "$(tail -n 1 "$TEST_TMP/denied_collect.err" | sed -E "s/^$LOG_TIME_RE//")" = \
      "imgaudit: INCOMPLETE: the collection is incomplete (3 errors, in the snapshot's errors)" ]
}
check "collect --quiet, an account denied: the warning and INCOMPLETE, exit 3" denied_collect_warned
run_to partial test_audit --quiet --fail-on none --allow-partial
check "audit --quiet --allow-partial, an account denied: the warnings, no verdict, exit 0" \
  eval 'ran partial 0 && grep -q "warning: account 444444444444" "$TEST_TMP/partial.err" &&
    ! grep -q INCOMPLETE "$TEST_TMP/partial.err"'

# --- waivers that expired or match nothing are warnings: shown when quiet ---
cat >"$TEST_TMP/waivers.yaml" <<'YAML'
waivers:
  - rule: appstream-builder-*
    reason: Builders kept for a post-mortem
    expires: 2026-01-01
  - rule: workspaces-image-error-state
    account: "999999999999"
    reason: No such account in the fleet
    expires: 2027-06-30
YAML
run_to waivers "$IMGAUDIT_BIN" evaluate "$R/demo.json" -q --fail-on none --waivers "$TEST_TMP/waivers.yaml"
waivers_warned() {
  ran waivers 0 && [ ! -s "$TEST_TMP/waivers.out" ] && [ "$(wc -l <"$TEST_TMP/waivers.err")" -eq 2 ] &&
    all_timed "$TEST_TMP/waivers.err" &&
    grep -q "waivers.yaml:2: waiver for 'appstream-builder-\*' expired on 2026-01-01" "$TEST_TMP/waivers.err" &&
    grep -q "waivers.yaml:5: waiver for 'workspaces-image-error-state' matched nothing" "$TEST_TMP/waivers.err"
}
check "evaluate -q: an expired and an unused waiver are warned of, nothing else" waivers_warned
run_to waivers_excluded "$IMGAUDIT_BIN" evaluate "$R/demo.json" -q --fail-on none \
  --waivers "$TEST_TMP/waivers.yaml" --exclude-rule workspaces-image-error-state
excluded_not_unused() {
  ran waivers_excluded 0 && [ "$(wc -l <"$TEST_TMP/waivers_excluded.err")" -eq 1 ] &&
    grep -q "expired on 2026-01-01" "$TEST_TMP/waivers_excluded.err"
}
check "a waiver for a rule that --exclude-rule left out is not said to match nothing" excluded_not_unused

# --- errors: timestamped, one line ---
run_to usage "$IMGAUDIT_BIN" evaluate "$R/demo.json" --quiet --fail-on severe
run_to missing "$IMGAUDIT_BIN" evaluate "$TEST_TMP/none.json" --quiet
check "usage and input errors under --quiet: one timestamped line each, exit 2" \
  eval "ran usage 2 && only_line usage \"imgaudit evaluate: error: --fail-on: 'severe' .*\" &&
    ran missing 2 && only_line missing 'imgaudit: error: .*none.json: No such file or directory'"

# --- progress off a terminal: a line every IMGAUDIT_PROGRESS_INTERVAL seconds ---
fakeaws_start slow --fleet demo --latency-ms 400
slow() { # slow ARGS...: collect the demo fleet through the slow server, one second between progress lines
  (
    source "$TEST_TMP/demo/env"
    AWS_ENDPOINT_URL=$(cat "$TEST_TMP/slow/url") IMGAUDIT_PROGRESS_INTERVAL=1 exec "$IMGAUDIT_BIN" collect \
      --region us-east-1 --org --role-name ImgAuditRole --regions us-east-1,eu-central-1 --concurrency 4 "$@"
  )
}
run_to progress slow -o "$R/slow.json"
PROGRESS="imgaudit: collecting: accounts [0-4]/4  requests [0-9]+  retries [0-9]+  throttled [0-9]+ \([0-9]+/s\)  errors [0-9]+(  left ~[0-9ms]+)?"
progress_lines() {
  ran progress 0 && all_timed "$TEST_TMP/progress.err" &&
    [ "$(grep -Ec "^$LOG_TIME_RE$PROGRESS\$" "$TEST_TMP/progress.err")" -ge 2 ] &&
    ! grep -q $'[\r\033]' "$TEST_TMP/progress.err" &&
    tail -n 1 "$TEST_TMP/progress.err" | grep -q 'imgaudit: collected .* from 4 accounts in 2 regions; 0 errors'
}
check "off a terminal, a slow collection logs a plain progress line every interval, with its counters" \
  progress_lines
run_to progress_quiet slow --quiet -o "$R/slow-quiet.json"
check "no progress lines under --quiet: silent" eval 'ran progress_quiet 0 && silent progress_quiet'
interval_soon() { IMGAUDIT_PROGRESS_INTERVAL=soon demo collect --quiet -o "$R/interval.json"; }
run_to progress_bad interval_soon
check "an IMGAUDIT_PROGRESS_INTERVAL that is no number of seconds is warned of, even under --quiet" \
  only_line progress_bad "imgaudit: warning: IMGAUDIT_PROGRESS_INTERVAL: 'soon' is not a number of seconds from 1 to \
86400; using 30"

# --- outputs: 0666 less the umask; every report and snapshot ---
# The report options evaluate offers (new formats join the list as they come).
REPORTS=()
for opt in json junit html csv markdown; do
  if "$IMGAUDIT_BIN" evaluate --help | grep -q -- "--$opt FILE"; then REPORTS+=("$opt"); fi
done
modes_under() { # modes_under UMASK WANT: every output written under UMASK has mode WANT
  local mask=$1 want=$2 d=$R/mask$1 args=() f bad=0
  mkdir -p "$d"
  for f in "${REPORTS[@]}"; do args+=("--$f" "$d/report.$f"); done
  (
    umask "$mask"
    "$IMGAUDIT_BIN" evaluate "$R/demo.json" --quiet --fail-on none "${args[@]}" &&
      demo collect --quiet -o "$d/collected.json" &&
      demo audit --quiet --fail-on none --snapshot-out "$d/audit-snapshot.json" --json "$d/audit.json" &&
      "$IMGAUDIT_BIN" merge --quiet "$d/collected.json" -o "$d/merged.json"
  ) || return 1
  for f in "${REPORTS[@]/#/report.}" collected.json audit-snapshot.json audit.json merged.json; do
    [ "$(stat -c %a "$d/$f")" = "$want" ] || { echo "  $f: mode $(stat -c %a "$d/$f"), want $want" >&2; bad=1; }
  done
  [ "$bad" = 0 ] && [ -z "$(ls -A "$d" | grep '\.tmp-')" ]
}
check "umask 022: reports ($(echo "${REPORTS[@]}")) and snapshots (collect, audit, merge) are 0644" modes_under 022 644
check "umask 077: the same are 0600" modes_under 077 600
# The audit's own temporary snapshot (no --snapshot-out) stays private whatever the umask: kept after a failed
# evaluation, it is found where the warning says.
kept_private() {
  local kept
  mkdir -p "$TEST_TMP/audit-tmp"
  run_to kept env TMPDIR="$TEST_TMP/audit-tmp" bash -c "umask 022; source '$TEST_TMP/demo/env'; exec '$IMGAUDIT_BIN' \
    audit --region us-east-1 --org --role-name ImgAuditRole --regions us-east-1 --quiet \
    --json '$TEST_TMP/no-such-dir/r.json'"
  kept=$(untimed "$TEST_TMP/kept.err" | sed -n 's/^imgaudit: warning: the collected snapshot is kept at //p')
  ran kept 4 && [ -n "$kept" ] && [ "$(stat -c %a "$kept")" = 600 ]
}
check "the audit's temporary snapshot stays 0600 under umask 022" kept_private

finish
