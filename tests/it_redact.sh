#!/usr/bin/env bash
# An endpoint whose signature error quotes the Authorization header, the session token (also URL-encoded) and
# the secret key (fakeaws's sigecho fault): none of them, nor the signature, may reach stderr, stdout, the
# snapshot or any report. The error itself is still recorded, redacted.
source "$(dirname "$0")/support/servers.sh"

export IMGAUDIT_RETRY_BASE_MS=5 IMGAUDIT_TODAY=2026-11-25

fakeaws_start echo --fleet test --faults 'sigecho/1@GetCallerIdentity,sigecho@DescribeImageBuilders'
source "$TEST_TMP/echo/env"
# Session credentials of a member account, so that every request carries a session token; the test keeps
# them to look for.
python3 - "$AWS_ENDPOINT_URL" "$TEST_TMP/creds" <<'PY'
import sys, boto3
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1")
c = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/ImgAuditRole", RoleSessionName="redact")["Credentials"]
open(sys.argv[2], "w").write(f"{c['AccessKeyId']}\n{c['SecretAccessKey']}\n{c['SessionToken']}\n")
PY
{ read -r AWS_ACCESS_KEY_ID; read -r AWS_SECRET_ACCESS_KEY; read -r AWS_SESSION_TOKEN; } <"$TEST_TMP/creds"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# The first GetCallerIdentity (whoami's) gets the echo, the audit's does not.
wrc=0
"$IMGAUDIT_BIN" whoami >"$TEST_TMP/whoami.out" 2>"$TEST_TMP/whoami.err" || wrc=$?
check "whoami: the STS signature error is one line, exit 4" \
  test "$wrc" -eq 4 -a "$(wc -l <"$TEST_TMP/whoami.err")" -eq 1

rc=0
"$IMGAUDIT_BIN" audit --region us-east-1 --regions us-east-1 --no-progress --snapshot-out "$TEST_TMP/snap.json" \
  --json "$TEST_TMP/r.json" --junit "$TEST_TMP/r.xml" --html "$TEST_TMP/r.html" --fail-on none \
  >"$TEST_TMP/audit.out" 2>"$TEST_TMP/audit.err" || rc=$?
check "audit: the builders listing fails (signature error), the rest is collected (exit 3)" test "$rc" -eq 3

# no_secret FILE...: none holds the secret key, the token (as it is or URL-encoded, or a long piece of it) or
# a signature (Signature=<hex>, or any run of 64 hex digits).
no_secret() {
  python3 - "$TEST_TMP/creds" "$@" <<'PY'
import re, sys
from urllib.parse import quote
_, secret, token = open(sys.argv[1]).read().split("\n")[:3]
needles = [secret, token, quote(token, safe=""), token[:32], token[-32:]]
for path in sys.argv[2:]:
    data = open(path, encoding="utf-8", errors="replace").read()
    for n in needles:
        assert n not in data, f"{path}: a secret ({n[:12]}...)"
    assert not re.search(r"Signature=(?!<redacted>|&lt;redacted&gt;)", data), f"{path}: Signature= with a value"
    assert not re.search(r"[0-9a-f]{64}", data), f"{path}: a signature-like hex run"
PY
}
check "no secret key, token or signature on stderr or stdout" \
  no_secret "$TEST_TMP/audit.err" "$TEST_TMP/audit.out" "$TEST_TMP/whoami.err" "$TEST_TMP/whoami.out"
check "no secret key, token or signature in the snapshot or any report" \
  no_secret "$TEST_TMP/snap.json" "$TEST_TMP/r.json" "$TEST_TMP/r.xml" "$TEST_TMP/r.html"

recorded_redacted() {
  python3 - "$TEST_TMP/snap.json" "$TEST_TMP/whoami.err" <<'PY'
import json, sys
errors = json.load(open(sys.argv[1]))["errors"]
mine = [e for e in errors if e["operation"] == "DescribeImageBuilders"]
assert len(mine) == 1 and mine[0]["code"] == "InvalidSignatureException", errors
msg = mine[0]["message"]
assert "Authorization: <redacted>" in msg and "X-Amz-Security-Token: <redacted>" in msg, msg
assert "the secret key in use is <redacted>" in msg and "token again <redacted>" in msg, msg
line = open(sys.argv[2]).read()
assert "SignatureDoesNotMatch" in line and "Authorization: <redacted>" in line, line
PY
}
check "the errors are kept, with every secret in them replaced by <redacted>" recorded_redacted

finish
