#!/usr/bin/env bash
# Image names and descriptions are set by whoever owns an image, including accounts that share into yours:
# hostile strings go through evaluate into all three reports and must come out inert and well-formed.
source "$(dirname "$0")/support/servers.sh"
source "$(dirname "$0")/support/junit_xsd.sh"

export IMGAUDIT_TODAY=2026-11-25

python3 - "$TEST_TMP/snapshot.json" <<'PY'
import json, sys
HOSTILE = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(2)>',
    "' onmouseover='alert(3)",
    ']]><!-- -->&amp;&lt;',
    'bell\x07 nul-free \x1b[31mred\x1b[0m tab\tnewline\n',
    '\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d \U0001F600 ' * 40,
]
resources = []
for i, name in enumerate(HOSTILE):
    resources.append({"type": "workspaces_image", "account": "111122223333", "region": "eu-west-1",
                      "id": f"wsi-{i:09d}", "data": {
                          "ImageId": f"wsi-{i:09d}", "Name": name, "Description": name, "ImageType": "OWNED",
                          "RequiredTenancy": "DEDICATED", "State": "ERROR", "ErrorMessage": name,
                          "OwnerAccountId": "111122223333", "Created": "2020-01-01T00:00:00Z",
                          "Updates": {"UpdateAvailable": True, "Description": name},
                          "Permissions": [{"SharedAccountId": "999988887777"}]}})
snap = {"schema": "imgaudit.snapshot", "schema_version": 1, "tool_version": "0.1.0",
        "started_at": "2026-11-25T01:00:00Z", "finished_at": "2026-11-25T01:01:00Z", "complete": False,
        "caller": {"account": "111122223333", "arn": "arn:aws:iam::111122223333:user/a", "user_id": "A"},
        "partition": "aws", "regions": ["eu-west-1"],
        "accounts": [{"id": "111122223333", "name": HOSTILE[0], "role_arn": None, "regions": ["eu-west-1"]}],
        "resources": resources,
        "errors": [{"account": "111122223333", "region": "eu-west-1", "service": "appstream",
                    "operation": "DescribeImages", "code": HOSTILE[1], "message": HOSTILE[3] + HOSTILE[4],
                    "http_status": 400}]}
raw = json.dumps(snap, ensure_ascii=False).encode("utf-8")
# Bytes that are not UTF-8 at all, which a JSON parser may pass through: reports must still be valid UTF-8.
raw = raw.replace(b"nul-free", b"bad-\xff\xfe-\xc0\xaf-bytes", 1)
open(sys.argv[1], "wb").write(raw)
json.dump(HOSTILE, open(sys.argv[1] + ".strings", "w"))
PY

rc=0
"$IMGAUDIT_BIN" evaluate "$TEST_TMP/snapshot.json" --json "$TEST_TMP/r.json" --junit "$TEST_TMP/r.xml" \
  --html "$TEST_TMP/r.html" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?

check "evaluate over hostile strings finishes with the gate's verdict (exit 1)" test "$rc" -eq 1

utf8_everywhere() {
  python3 - "$TEST_TMP"/r.json "$TEST_TMP"/r.xml "$TEST_TMP"/r.html <<'PY'
import sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    data.decode("utf-8")  # raises on any byte that is not UTF-8
    assert b"bad-??-??-bytes" in data, path
PY
}
check "bytes that are not UTF-8 become '?' in every report; each file is valid UTF-8" utf8_everywhere

json_inert() {
  python3 - "$TEST_TMP/r.json" "$TEST_TMP/snapshot.json.strings" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")                       # valid UTF-8
doc = json.loads(raw)                     # well-formed
hostile = json.load(open(sys.argv[2]))
msgs = [r.get("message") or "" for r in doc["results"]]
# Every hostile name arrives in a message exactly as it was (JSON escapes, it does not drop).
for h in hostile[:4] + hostile[5:]:  # [4] had its bytes replaced
    assert any(h in m for m in msgs), h[:40]
assert b"\x1b" not in raw and b"\x07" not in raw, "raw control bytes in JSON"
PY
}
check "JSON: valid UTF-8, parses, strings round-trip exactly, control bytes escaped" json_inert

junit_inert() {
  junit_xsd_valid "$TEST_TMP/r.xml" &&
    python3 - "$TEST_TMP/r.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
tags = {e.tag for e in root.iter()}
assert tags <= {"testsuites", "testsuite", "testcase", "failure", "error", "skipped", "properties", "property",
                "system-out", "system-err"}, tags
text = " ".join((e.get("message") or "") + (e.text or "") for e in root.iter())
assert "<script>alert(1)</script>" in text and "]]>" in text
PY
}
check "JUnit: valid against both schemas; hostile markup stays text, no element came from data" junit_inert

html_inert() {
  python3 - "$TEST_TMP/r.html" "$TEST_TMP/snapshot.json.strings" <<'PY' &&
import json, sys
from html.parser import HTMLParser
raw = open(sys.argv[1], "rb").read().decode("utf-8")
hostile = json.load(open(sys.argv[2]))
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.data, self.bad, self.text, self.in_data = 0, {}, [], [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/json":
            self.in_data = a.get("id")
            self.data[self.in_data] = ""
        elif tag == "script":
            self.scripts += 1
        if tag == "img":
            self.bad.append(tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append(k)
    def handle_endtag(self, tag):
        if tag == "script":
            self.in_data = None
    def handle_data(self, d):
        if self.in_data:
            self.data[self.in_data] += d
        else:
            self.text.append(d)
p = P()
p.feed(raw)
assert p.scripts == 1, p.scripts          # ours only: the findings are a data block, never run
assert list(p.data) == ["findings-data-0", "findings-data"], list(p.data)
for block in p.data.values():
    assert "<" not in block                # no string can end a block or open a comment in it
rows = json.loads(p.data["findings-data-0"])  # whole: nothing cut it short
data = json.loads(p.data["findings-data"])
assert data["parts"] == 1
names = [r[1] for r in data["resources"]]
def message(f):                            # the marks for the resource's id, name, account, region put back
    r = data["resources"][f[2]]
    what = [r[0], r[1], data["accounts"][r[3]][0] if r[3] >= 0 else "", data["regions"][r[4]]]
    return "".join(what[ord(c) - 1] if "\x01" <= c <= "\x04" else c for c in f[3])
msgs = [message(f) for f in rows]
for h in hostile[:4]:                      # each markup string arrives as data, exactly ([4] had its bytes
    assert any(h in m for m in msgs), h    # replaced, [5] is cut to the cell limit)
    assert h in names, h
assert not p.bad, p.bad
text = "".join(p.text)
assert "<script>alert(1)</script>" in text  # shown as text (the account's name)
assert "\x1b" not in raw and "\x07" not in raw
PY
  xmllint --html --noout "$TEST_TMP/r.html" 2>"$TEST_TMP/xmllint.err" && [ ! -s "$TEST_TMP/xmllint.err" ]
}
check "HTML: one script (ours), findings as inert data, no element or handler from data, hostile markup shown as text" html_inert

console_inert() {
  ! grep -q $'\033' "$TEST_TMP/out" && ! grep -q $'\007' "$TEST_TMP/out"
}
check "console summary: no escape sequence or bell from data reaches the terminal" console_inert

finish
