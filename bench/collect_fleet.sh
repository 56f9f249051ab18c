#!/usr/bin/env bash
# Fleet-scale collector benchmark, not a timed test: imgaudit, a boto3 reference and the network bound,
# side by side on the same generated Organization and the same tests/fakeaws endpoint (throughput mode,
# with latency and rate limits). Prints a Markdown table; bench/README.md explains it and holds results.
#
#   bench/collect_fleet.sh                 # c16 c64 rl2 rl5: 120 accounts x 2 regions (a few minutes)
#   bench/collect_fleet.sh --case c16      # one case (repeatable)
#   bench/collect_fleet.sh --all           # and k1000: 1,000 accounts x 4 regions
#   bench/collect_fleet.sh --endpoint      # tests/fakeaws alone: what it sustains
#
# Needs build/imgaudit (scripts/build.sh build) and python3 with boto3. --help lists every option.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/collect_fleet.py "$@"
