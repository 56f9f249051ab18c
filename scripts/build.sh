#!/usr/bin/env bash
# Builds build/imgaudit (warnings are errors). Usage: scripts/build.sh [build-dir] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DIMGAUDIT_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
