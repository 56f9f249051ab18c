#!/usr/bin/env bash
# Collector benchmark: one account whose region holds N WorkSpaces images (each with a permissions page),
# served by tests/fakeaws on 127.0.0.1 with its default page size of 7, collected with imgaudit collect.
# Prints a table: images, requests, wall seconds, peak RSS, and RSS per image above the empty run, which
# shows that memory grows with what the snapshot keeps, not with the number of pages.
# Usage: bench/collect.sh [N ...]   (default 0 2000 10000 30000); needs build/imgaudit.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(0 2000 10000 30000)
work=$(mktemp -d /tmp/imgaudit-bench.XXXXXX)
trap 'bash tests/fakeaws/run.sh stop "$work/server" 2>/dev/null || true; rm -rf "$work"' EXIT

make_fleet() { # N FILE
  python3 - "$1" "$2" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
fleet = json.load(open("tests/fakeaws/fleets/demo.json"))
acct = fleet["accounts"][0]
images = [{"ImageId": f"wsi-{i:09x}", "Name": f"bench-image-{i}", "Description": "benchmark image " + "x" * 60,
           "OperatingSystem": {"Type": "WINDOWS"}, "State": "AVAILABLE", "RequiredTenancy": "DEFAULT",
           "Created": "2024-01-05T10:00:00Z", "OwnerAccountId": acct["id"],
           "Updates": {"UpdateAvailable": i % 3 == 0, "Description": "Updated drivers are available."}}
          for i in range(n)]
acct["regions"] = {"us-east-1": {"workspaces_images": images,
                                 "workspaces_image_permissions": {im["ImageId"]: ["210987654323"] for im in images[::2]},
                                 "appstream_image_builders": [], "appstream_images": [],
                                 "appstream_image_permissions": {}}}
for other in fleet["accounts"][1:]:
    other["regions"] = {}
json.dump(fleet, open(path, "w"))
PY
}

printf '%-8s %-9s %-9s %-12s %-14s\n' images requests seconds peak_rss_mb kb_per_image
base_kb=
for n in "${sizes[@]}"; do
  make_fleet "$n" "$work/fleet.json"
  bash tests/fakeaws/run.sh stop "$work/server" 2>/dev/null || true
  bash tests/fakeaws/run.sh start "$work/server" --owner $$ --fleet "$work/fleet.json" --page-size 25 >/dev/null
  (
    source "$work/server/env"
    /usr/bin/time -f '%e %M' -o "$work/time" build/imgaudit collect --region us-east-1 --concurrency 16 --quiet \
      -o "$work/snap.json" 2>/dev/null || true
  )
  read -r secs kb <"$work/time"
  requests=$(wc -l <"$work/server/requests.jsonl")
  [ -n "$base_kb" ] || base_kb=$kb
  per=$(awk -v k="$kb" -v b="$base_kb" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", (k - b) / n; else print "-" }')
  printf '%-8s %-9s %-9s %-12s %-14s\n' "$n" "$requests" "$secs" "$(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}')" "$per"
done
