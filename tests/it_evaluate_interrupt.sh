#!/usr/bin/env bash
# SIGTERM during `evaluate` of a big snapshot: exit 130 at once, "interrupted" on stderr, the reports of an
# earlier run left exactly as they were (same content, same inode), no temporary file left.
source "$(dirname "$0")/support/servers.sh"

python3 "$IMGAUDIT_SOURCE_DIR/tests/support/bigsnapshot.py" 300000 "$TEST_TMP/big.json"
mkdir "$TEST_TMP/out"
for f in results.json junit.xml report.html; do
  echo "an earlier run's $f" >"$TEST_TMP/out/$f"
done
ls -i "$TEST_TMP/out" >"$TEST_TMP/inodes.before"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# interrupted WHEN: starts evaluate, sends SIGTERM when WHEN (a command) first succeeds, and checks the exit.
interrupted() {
  local pid rc=0 sent took
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/big.json" --fail-on none --quiet --json "$TEST_TMP/out/results.json" \
    --junit "$TEST_TMP/out/junit.xml" --html "$TEST_TMP/out/report.html" 2>"$TEST_TMP/err" &
  pid=$!
  until "$@"; do
    sleep 0.05
    kill -0 "$pid" 2>/dev/null || { echo "  evaluate ended before the signal" >&2; return 1; }
  done
  sent=$(now_ms)
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  took=$(($(now_ms) - sent))
  echo "  exit $rc, ${took} ms after SIGTERM" >&2
  [ "$rc" -eq 130 ] && [ "$took" -le 2000 ] && grep -q interrupted "$TEST_TMP/err" &&
    [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] &&
    ls -i "$TEST_TMP/out" | cmp -s - "$TEST_TMP/inodes.before" &&
    for f in results.json junit.xml report.html; do
      [ "$(cat "$TEST_TMP/out/$f")" = "an earlier run's $f" ] || return 1
    done
}

after_a_second() { sleep 1; }
check "SIGTERM a second in (reading, evaluating): exit 130 within 2 s, earlier reports untouched" \
  interrupted after_a_second

writing() { ls -A "$TEST_TMP/out" | grep -q '\.tmp-'; }
check "SIGTERM while the reports are written: exit 130 within 2 s, earlier reports untouched, no temporary file" \
  interrupted writing

finish
