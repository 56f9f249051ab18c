#!/usr/bin/env bash
# Installs what imgaudit needs to build and test, idempotently: Debian's -dev packages, the test
# servers' Python modules' Debian side, the openssl command line (the TLS test makes its certificates with
# it) and the system's CA store, headless Chromium for the HTML report test, and clang with the libFuzzer
# runtime for the fuzzers (Debian 12's clang is clang 14; libclang_rt.fuzzer is in libclang-rt-14-dev,
# which clang only recommends).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libxml2-dev libxml2-utils libcunit1-dev
  clang-format python3 groff-base
  openssl ca-certificates
  clang libclang-rt-14-dev
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The test servers: moto (an AWS-compatible server nobody here wrote) and tests/fakeaws, which uses
# botocore to recompute signatures. Both come preinstalled with the machine's Python.
python3 - <<'PY'
import importlib, sys
missing = [m for m in ("moto", "botocore", "boto3", "flask") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit("setup: python modules missing: " + ", ".join(missing) + " (expected preinstalled on this machine)")
PY
