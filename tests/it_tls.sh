#!/usr/bin/env bash
# TLS end to end, as real AWS is HTTPS only: tests/fakeaws serves HTTPS with certificates made now
# (tests/fakeaws/mkcerts.sh). whoami and a whole collection run over it with AWS_CA_BUNDLE (or the profile's
# ca_bundle); an unknown CA, an expired certificate and a hostname mismatch are each refused with one line,
# exit 4, after one connection and before anything signed is sent; without AWS_CA_BUNDLE the system's CA
# store is used (and does not know the test CA). A plain-http endpoint that is not loopback is warned about,
# once per run.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
COMPARE=$IMGAUDIT_SOURCE_DIR/tests/support/compare_snapshot.py
CERTS=$TEST_TMP/certs
bash "$FA/mkcerts.sh" "$CERTS"
# Nothing of the machine's own TLS or proxy settings; retries allowed and quick, so that one would show.
unset AWS_CA_BUNDLE http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export AWS_MAX_ATTEMPTS=5 IMGAUDIT_RETRY_BASE_MS=5

# fakeaws_start NAME [fakeaws options]: starts a server in $TEST_TMP/NAME, stopped when the test exits.
fakeaws_start() {
  local dir=$TEST_TMP/$1
  shift
  bash "$FA/run.sh" start "$dir" --owner $$ --fleet test "$@" >/dev/null
  _server_pids+=("$(cat "$dir/pid")")
}
# https_start NAME CERT: the same over HTTPS with $CERTS/CERT.pem.
https_start() {
  fakeaws_start "$1" --tls-cert "$CERTS/$2.pem" --tls-key "$CERTS/server.key"
}
https_start good server
https_start unknown unknown-ca
https_start expired expired
https_start wrongname wrongname
fakeaws_start plain
source "$TEST_TMP/good/env"
export AWS_REGION=us-east-1
url() { cat "$TEST_TMP/$1/url"; }
port() { cat "$TEST_TMP/$1/port"; }

# connections NAME: the connections server NAME has accepted, this question's own included. Asked without
# checking the certificate: the test's own server, some of whose certificates are bad on purpose.
connections() {
  python3 - "$(url "$1")" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
print(json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/health", context=ctx, timeout=10))["connections"])
PY
}

# requests NAME: the API requests server NAME has answered (its request log's lines).
requests() {
  cat "$TEST_TMP/$1/requests.jsonl" 2>/dev/null | wc -l
}

# show FILE: on a failed check, what imgaudit said.
show() {
  sed 's/^/    | /' "$1" >&2
  return 1
}

whoami_https() {
  AWS_CA_BUNDLE=$CERTS/ca.pem "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" || show "$TEST_TMP/err" || return 1
  grep -qx 'account  111111111111' "$TEST_TMP/out" && [ ! -s "$TEST_TMP/err" ] &&
    grep -q '"operation": "GetCallerIdentity"' "$TEST_TMP/good/requests.jsonl"
}
check "whoami over HTTPS, the server's CA from AWS_CA_BUNDLE" whoami_https

whoami_by_name() {
  AWS_CA_BUNDLE=$CERTS/ca.pem AWS_ENDPOINT_URL=https://localhost:$(port good) "$IMGAUDIT_BIN" whoami \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" || show "$TEST_TMP/err" || return 1
  grep -qx 'account  111111111111' "$TEST_TMP/out"
}
check "whoami over HTTPS to a host name (https://localhost:PORT) the certificate names" whoami_by_name

collect_https() {
  local rc=0
  python3 "$FA/expected.py" --fleet test --mode org --role-name ImgAuditRole >"$TEST_TMP/expected-org.json"
  AWS_CA_BUNDLE=$CERTS/ca.pem "$IMGAUDIT_BIN" collect --regions us-east-1,eu-west-1 --org --role-name ImgAuditRole \
    --quiet -o "$TEST_TMP/org.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] || show "$TEST_TMP/err" || return 1
  python3 "$COMPARE" "$TEST_TMP/org.json" "$TEST_TMP/expected-org.json"
}
check "collect --org over HTTPS: the snapshot holds exactly the fleet (exit 3 for its planted failures)" collect_https

profile_ca_bundle() {
  printf '[default]\nca_bundle = %s\n' "$CERTS/ca.pem" >"$TEST_TMP/config"
  AWS_CONFIG_FILE=$TEST_TMP/config "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" ||
    show "$TEST_TMP/err" || return 1
  grep -qx 'account  111111111111' "$TEST_TMP/out" || return 1
  # AWS_CA_BUNDLE comes first, as in the SDKs: the other CA does not vouch for this server.
  ! AWS_CONFIG_FILE=$TEST_TMP/config AWS_CA_BUNDLE=$CERTS/other-ca.pem "$IMGAUDIT_BIN" whoami >/dev/null \
    2>"$TEST_TMP/err" && grep -q "its CA is not in the CA bundle $CERTS/other-ca.pem\$" "$TEST_TMP/err"
}
check "the profile's ca_bundle is trusted; AWS_CA_BUNDLE outranks it" profile_ca_bundle

# refused NAME LINE [imgaudit arguments]: against server NAME, imgaudit (whoami by default) exits 4 with
# exactly LINE on stderr and nothing on stdout, has made one connection although 5 attempts were allowed, and
# sent no request (nothing signed reached the server).
refused() {
  local name=$1 want=$2 rc=0 before after sent
  shift 2
  [ $# -gt 0 ] || set -- whoami
  before=$(connections "$name")
  sent=$(requests "$name")
  AWS_ENDPOINT_URL=$(url "$name") "$IMGAUDIT_BIN" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  after=$(connections "$name")
  [ "$rc" -eq 4 ] && [ "$(untimed "$TEST_TMP/err")" = "$want" ] && [ ! -s "$TEST_TMP/out" ] ||
    { echo "    exit $rc" >&2 && show "$TEST_TMP/err"; } || return 1
  # after - before: imgaudit's connection and the second question's own.
  [ $((after - before)) -eq 2 ] || { echo "    $((after - before - 1)) connections" >&2 && return 1; }
  [ "$(requests "$name")" -eq "$sent" ]
}
STS='imgaudit: error: sts GetCallerIdentity (us-east-1)'
# collect asks the same first, and says why it asked.
COLLECT_STS='imgaudit: error: cannot tell who the caller is: sts GetCallerIdentity (us-east-1)'

unknown_ca() {
  AWS_CA_BUNDLE=$CERTS/ca.pem refused unknown "$STS: TLS: certificate of 127.0.0.1:$(port unknown) not trusted \
(unable to get local issuer certificate): its CA is not in the CA bundle $CERTS/ca.pem"
}
check "a certificate from an unknown CA: one line, exit 4, one connection, nothing sent" unknown_ca

unknown_ca_collect() {
  AWS_CA_BUNDLE=$CERTS/ca.pem refused unknown "$COLLECT_STS: TLS: \
certificate of 127.0.0.1:$(port unknown) not trusted (unable to get local issuer certificate): its CA is not in \
the CA bundle $CERTS/ca.pem" collect --org --role-name ImgAuditRole --quiet -o "$TEST_TMP/refused.json" &&
    [ ! -e "$TEST_TMP/refused.json" ]
}
check "collect against an unknown CA: one line, exit 4, one connection, no snapshot" unknown_ca_collect

expired() {
  AWS_CA_BUNDLE=$CERTS/ca.pem refused expired \
    "$STS: TLS: certificate of 127.0.0.1:$(port expired) refused: certificate has expired"
}
check "an expired certificate: one line, exit 4, one connection, nothing sent" expired

hostname_mismatch() {
  AWS_CA_BUNDLE=$CERTS/ca.pem refused wrongname \
    "$STS: TLS: certificate of 127.0.0.1:$(port wrongname) refused: hostname mismatch (it is for other names)"
}
check "a certificate for another host name: one line, exit 4, one connection, nothing sent" hostname_mismatch

system_store() {
  # The good server's certificate, trusted above through AWS_CA_BUNDLE, is refused without it: the store
  # consulted is libcurl's default, the system's (curl-config names it), which does not hold the test CA.
  local store rc=0
  store=$(curl-config --ca)
  [ -n "$store" ] || return 1
  refused good "$STS: TLS: certificate of 127.0.0.1:$(port good) not trusted (unable to get local issuer \
certificate): its CA is not in the system's CA store $store" || return 1
  # An empty AWS_CA_BUNDLE is unset, as in the SDKs.
  AWS_CA_BUNDLE= "$IMGAUDIT_BIN" whoami >/dev/null 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && grep -q "its CA is not in the system's CA store $store\$" "$TEST_TMP/err"
}
check "without AWS_CA_BUNDLE the system's CA store is used" system_store

unreadable_bundle() {
  AWS_CA_BUNDLE=$TEST_TMP/no-such-ca.pem refused good "$STS: TLS: cannot read the CA bundle $TEST_TMP/no-such-ca.pem"
}
check "an AWS_CA_BUNDLE that cannot be read: one line, exit 4, nothing sent" unreadable_bundle

plain_http_warned_once() {
  # The plain server stands, through http_proxy, for an endpoint elsewhere: nothing leaves the machine.
  local rc=0 warning
  warning="imgaudit: warning: AWS_ENDPOINT_URL is plain http to aws.example.invalid:8080, not a loopback \
address: requests signed with your credentials cross the network unencrypted; use https"
  http_proxy=$(url plain) AWS_ENDPOINT_URL=http://aws.example.invalid:8080 "$IMGAUDIT_BIN" collect \
    --regions us-east-1,eu-west-1 --org --role-name ImgAuditRole --no-progress -o "$TEST_TMP/plain.json" \
    2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] || show "$TEST_TMP/err" || return 1
  [ "$(untimed "$TEST_TMP/err" | grep -cxF "$warning")" -eq 1 ] && [ "$(grep -c 'plain http' "$TEST_TMP/err")" -eq 1 ] &&
    [ "$(wc -l <"$TEST_TMP/plain/requests.jsonl")" -gt 100 ]
}
check "a plain-http endpoint that is not loopback: one warning for a run of 100+ requests" plain_http_warned_once

plain_http_loopback_quiet() {
  AWS_ENDPOINT_URL=$(url plain) "$IMGAUDIT_BIN" whoami >"$TEST_TMP/out" 2>"$TEST_TMP/err" &&
    grep -qx 'account  111111111111' "$TEST_TMP/out" && [ ! -s "$TEST_TMP/err" ]
}
check "plain http to 127.0.0.1: no warning" plain_http_loopback_quiet

finish
