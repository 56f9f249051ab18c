#!/usr/bin/env bash
# Does all set-up and runs the main job on a fresh machine: installs what building needs (scripts/setup.sh
# demo: the compiler, CMake, pkg-config, the -dev packages of libcurl, OpenSSL, cJSON, libyaml, libxml2 and
# CUnit, python3; it names the missing Debian packages before installing them with apt-get, which needs
# root or passwordless sudo, and asks nothing), builds imgaudit, starts the local AWS-compatible endpoint
# (tests/fakeaws) with a demo Organization of four accounts in two regions, and audits it the way a
# nightly job audits a real fleet, then plans the fixes (a plan to review; nothing is changed). Reports
# and the plan land in reports/demo/.
#
# With real AWS credentials, the same command line works without the endpoint:
#   build/imgaudit audit --org --role-name ImgAuditRole --regions all \
#     --junit junit.xml --html report.html --json results.json --snapshot-out snapshot.json
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh demo
scripts/build.sh build >/dev/null

out=reports/demo
mkdir -p "$out"
server=$(mktemp -d /tmp/imgaudit-demo.XXXXXX)
trap 'bash tests/fakeaws/run.sh stop "$server"; rm -rf "$server"' EXIT
bash tests/fakeaws/run.sh start "$server" --owner $$ --fleet demo >/dev/null
# The endpoint's demo credentials and AWS_ENDPOINT_URL; nothing from ~/.aws is read.
source "$server/env"
export AWS_REGION=us-east-1

echo "== imgaudit whoami"
build/imgaudit whoami
echo
echo "== imgaudit audit --org --role-name ImgAuditRole --regions us-east-1,eu-central-1 ..."
rc=0
build/imgaudit audit --org --role-name ImgAuditRole --regions us-east-1,eu-central-1 \
  --vars tests/fakeaws/demo-vars.yaml \
  --junit "$out/junit.xml" --html "$out/report.html" --json "$out/results.json" \
  --snapshot-out "$out/snapshot.json" || rc=$?
echo
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then
  # What would resolve the findings whose rules declare a fix: a plan to review; nothing is changed.
  echo "== imgaudit fix plan $out/results.json -o $out/fix-plan.json"
  build/imgaudit fix plan "$out/results.json" -o "$out/fix-plan.json"
  echo
fi
echo "Open $out/report.html in a browser; $out/fix-plan.json is the plan to review. Exit status $rc (0"
echo "passed, 1 the --fail-on high gate failed: the demo fleet is built to have findings)."
exit $(( rc == 0 || rc == 1 ? 0 : rc ))
