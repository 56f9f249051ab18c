#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/, with clang, in build-fuzz/) and runs each for SECONDS
# (default 20), starting from its seed corpus tests/fuzz/corpus/<target>/. Fails on any finding: a crash, a
# sanitizer report, a leak, an input slower than 10 s or one taking more than 2 GiB. The input that did it is
# left in build-fuzz/findings/<target>/; once fixed it goes into the seed corpus as a regression input.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: snapshot rules config baseline answer sts sso fixplan)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(snapshot rules config baseline answer sts sso fixplan)

CC=clang cmake -S . -B build-fuzz -DIMGAUDIT_WERROR=ON -DIMGAUDIT_FUZZ=ON >/dev/null
cmake --build build-fuzz --target fuzz -j "$(nproc)" >/dev/null

# The longest input each target is given: a little above its largest seed, so that mutations stay in the
# parser's interesting range instead of in ever longer texts.
declare -A max_len=([snapshot]=16384 [rules]=16384 [config]=4096 [baseline]=16384 [answer]=8192 [sts]=4096 [sso]=2048 [fixplan]=8192)
export IMGAUDIT_SOURCE_DIR=$PWD
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
summary=()
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "fuzz: no target '$t'" >&2; exit 2; }
  work=build-fuzz/corpus/$t
  findings=build-fuzz/findings/$t
  log=build-fuzz/fuzz_$t.log
  mkdir -p "$work" "$findings"
  echo "== fuzz_$t: ${seconds} s from tests/fuzz/corpus/$t =="
  # The new inputs it finds go to build-fuzz/corpus (the first directory); the seeds are only read.
  if build-fuzz/fuzz_"$t" "$work" "tests/fuzz/corpus/$t" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
    >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$t")
    tail -n 60 "$log" >&2
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  summary+=("$(printf '%-10s %12s %10s  %s' "$t" "${execs:-?}" "${rate:-?}" "$result")")
done
printf '%-10s %12s %10s  %s\n' target executions "execs/s" result
printf '%s\n' "${summary[@]}"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}: the inputs are in build-fuzz/findings/; fix the cause, then add each" \
    "to tests/fuzz/corpus/<target>/ as a regression input" >&2
  exit 1
fi
