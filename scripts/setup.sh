#!/usr/bin/env bash
# Installs the Debian packages imgaudit needs, idempotently and without a question: it names the missing
# ones, then installs them with apt-get as root (directly, or with sudo when that needs no password).
# Without root it stops with one line naming what is missing.
#
#   scripts/setup.sh        everything the tests need (scripts/test.sh)
#   scripts/setup.sh demo   only building and running (scripts/demo.sh)
#
# Building: the compiler, CMake (with cpack), pkg-config and the -dev packages; python3 runs the test
# endpoint. Packaging: dpkg-dev (dpkg-shlibdeps, which writes the .deb's Depends) and file (CPack's DEB
# generator finds the programs with it); dpkg-deb comes with dpkg. The tests besides: bash-completion (the
# installed completion is loaded as it loads it), clang-format, groff (the man page is rendered),
# the openssl command line (the TLS test makes its certificates with it) and the system's CA store,
# headless Chromium for the HTML report test, and clang with the libFuzzer runtime for the fuzzers (Debian
# 12's clang is clang 14; libclang_rt.fuzzer is in libclang-rt-14-dev, which clang only recommends).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libxml2-dev libcunit1-dev
  python3
)
case ${1:-test} in
demo) ;;
test)
  packages+=(
    dpkg-dev file bash-completion
    libxml2-utils clang-format groff-base
    openssl ca-certificates
    clang libclang-rt-14-dev
    chromium
  )
  ;;
*)
  echo "usage: scripts/setup.sh [test|demo]" >&2
  exit 2
  ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "setup: missing Debian packages: ${missing[*]}; installing them needs root (run as root, with" \
      "passwordless sudo, or install them first: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing Debian packages with apt-get${as_root:+ (sudo)}: ${missing[*]}" >&2
  apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  "${apt[@]}" update
  "${apt[@]}" install "${missing[@]}" >/dev/null
fi

# The test servers: moto (an AWS-compatible server nobody here wrote) and tests/fakeaws, which uses
# botocore to recompute signatures. Both come preinstalled with the machine's Python.
python3 - <<'PY'
import importlib, sys
missing = [m for m in ("moto", "botocore", "boto3", "flask") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit("setup: python modules missing: " + ", ".join(missing) + " (expected preinstalled on this machine)")
PY
