#!/usr/bin/env bash
# Does all set-up and runs every test. scripts/setup.sh names the Debian packages it is missing, then
# installs them with apt-get without a question (root or passwordless sudo; without either it stops with
# one line naming them). Then the normal build, then the same tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer (the integration tests then drive the sanitized binary),
# then each libFuzzer harness for 20 s (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
scripts/build.sh build-asan -DIMGAUDIT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug

if command -v clang-format >/dev/null; then
  files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 2>/dev/null || true)
  if [ -n "$files" ] && ! clang-format --dry-run --Werror $files; then
    echo "test: clang-format finds unformatted code (run: clang-format -i \$(git ls-files '*.c' '*.h'))" >&2
    exit 1
  fi
fi

echo "== tests (build/) =="
ctest --test-dir build --output-on-failure -j 2
echo "== tests with ASan+UBSan (build-asan/): the unit suites, and the integration tests on the sanitized binary =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j 2
echo "== fuzzers (build-fuzz/): each for 20 s from its corpus in tests/fuzz/corpus/ =="
scripts/fuzz.sh 20
