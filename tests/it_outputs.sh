#!/usr/bin/env bash
# The CSV, Markdown and JUnit reports of one evaluate run, read back and checked against its JSON results:
# finding_id recomputed from its recipe, account names, CSV quoting and formula neutralising, Markdown counts,
# escaping and length bound, JUnit totals and unique test case names.
source "$(dirname "$0")/support/servers.sh"
source "$(dirname "$0")/support/junit_xsd.sh"

export IMGAUDIT_TODAY=2026-11-25 NO_COLOR=1
S=$IMGAUDIT_SOURCE_DIR/tests/support/outputs_fleet.py

# A fleet of two accounts in two regions with the same image id in three places, hostile names, an account
# named only in the Organization, a waiver and a collection error.
python3 "$S" small "$TEST_TMP/snap.json" "$TEST_TMP/waivers.yaml"
python3 "$S" small-reversed "$TEST_TMP/snap-rev.json"
python3 "$S" small-empty "$TEST_TMP/snap-empty.json"
"$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap-empty.json" --json "$TEST_TMP/base.json" --quiet --fail-on none \
  --allow-partial --today 2026-11-20

run() {
  local rc=0
  "$IMGAUDIT_BIN" evaluate "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
  echo "$rc"
}

all_reports() {
  [ "$(run "$TEST_TMP/snap.json" --waivers "$TEST_TMP/waivers.yaml" --baseline "$TEST_TMP/base.json" \
    --json "$TEST_TMP/r.json" --csv "$TEST_TMP/r.csv" --markdown "$TEST_TMP/r.md" --junit "$TEST_TMP/r.xml")" = 1 ] &&
    grep -q '^  csv      .*r\.csv$' "$TEST_TMP/out" && grep -q '^  markdown .*r\.md$' "$TEST_TMP/out"
}
check "evaluate writes JSON, CSV, Markdown and JUnit together; the summary lists csv and markdown" all_reports

finding_ids() {
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap-rev.json" --waivers "$TEST_TMP/waivers.yaml" \
    --json "$TEST_TMP/rev.json" --quiet || true
  python3 - "$TEST_TMP/r.json" "$TEST_TMP/rev.json" <<'PY'
import hashlib, json, sys
def recipe(r):
    fields = (r["rule"], r["account"], r["region"], r["resource_type"], r["resource_id"])
    return hashlib.sha256(b"".join(f.encode() + b"\0" for f in fields)).hexdigest()[:32]
a, b = (json.load(open(p)) for p in sys.argv[1:])
ids = {}
for r in a["results"]:
    assert r["finding_id"] == recipe(r), r
    ids[(r["rule"], r["account"], r["region"], r["resource_type"], r["resource_id"])] = r["finding_id"]
assert len(set(ids.values())) == len(a["results"]) > 30, "a finding_id is shared or missing"
# The same resources in the opposite order: each keeps its id.
other = {(r["rule"], r["account"], r["region"], r["resource_type"], r["resource_id"]): r["finding_id"]
         for r in b["results"]}
assert other == ids
# wsi-0000000001 sits in three account/region places: three ids per rule.
for rule in {r["rule"] for r in a["results"] if r["resource_type"] == "workspaces_image"}:
    assert len({v for k, v in ids.items() if k[0] == rule and k[4] == "wsi-0000000001"}) == 3
PY
}
check "finding_id is the documented SHA-256 recipe, unique per result, the same whatever the snapshot order" \
  finding_ids

account_names() {
  python3 - "$TEST_TMP/r.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
names = {r["account"]: r["account_name"] for r in doc["results"]}
assert names["111122223333"] == "=cmd|' /C calc'!A0", names   # from the snapshot's accounts
assert names["444455556666"] == 'desktops, "dev"\nteam', names  # from the Organization's members
PY
}
check "account_name comes from the snapshot's accounts, else from the Organization's members" account_names

csv_matches_json() {
  python3 - "$TEST_TMP/r.json" "$TEST_TMP/r.csv" <<'PY'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read()
raw.decode("utf-8")
assert raw.endswith(b"\r\n")
rows = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
header = ["status", "severity", "rule", "title", "account", "account_name", "region", "resource_type",
          "resource_id", "resource_name", "message", "first_seen", "waiver", "finding_id"]
assert rows[0] == header, rows[0]
# Every row ends with CRLF: outside quotes, no line break is a bare LF.
assert raw.count(b"\r\n") >= len(rows)
def inert(v):
    v = "" if v is None else str(v)
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
def waiver(r):
    w = r.get("waiver")
    if not w:
        return ""
    owner = w["owner"] + ", " if w.get("owner") else ""
    return inert(f'{w["file"]}:{w["line"]}: {w["reason"]} ({owner}expires {w["expires"]})')
want = [[inert(r["status"]), inert(r["severity"]), inert(r["rule"]), inert(r["title"]), inert(r["account"]),
         inert(r["account_name"]), inert(r["region"]), inert(r["resource_type"]), inert(r["resource_id"]),
         inert(r["resource_name"]), inert(r["message"]), inert(r.get("first_seen")), waiver(r),
         inert(r["finding_id"])] for r in doc["results"] if r["status"] != "pass"]
assert len(rows) - 1 == doc["summary"]["fail"] + doc["summary"]["waived"] == len(want)
for got, exp in zip(rows[1:], want):
    assert got == exp, (got, exp)
# The hostile strings are there, neutralised: a spreadsheet runs none of them.
cells = [c for row in rows[1:] for c in row]
assert "'=HYPERLINK(\"http://evil.example/\",\"click\")" in cells
assert "'=cmd|' /C calc'!A0" in cells and "'+1-2" in cells and "'@SUM(A1)" in cells and "'\ttabbed" in cells
assert 'a,b "quoted"\r\nsecond line' in cells
assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
assert sum(r[0] == "waived" for r in rows[1:]) == doc["summary"]["waived"] > 0
PY
}
check "CSV: RFC 4180 (CRLF, quoting), one row per failure and waived result, equal to the JSON's, formulas inert" \
  csv_matches_json

markdown_counts() {
  python3 - "$TEST_TMP/r.json" "$TEST_TMP/r.md" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
md = open(sys.argv[2], encoding="utf-8").read()
assert md.startswith("## imgaudit: failed\n"), md[:80]
assert "Gate `--fail-on high`: **failed**" in md
for sev, c in doc["summary"]["by_severity"].items():
    assert f"| {sev} | {c['fail']} | {c['waived']} |" in md, sev
s = doc["summary"]
assert f"| **total** | {s['fail']} | {s['waived']} |" in md
assert f"{s['total']} results: {s['fail']} failed, {s['waived']} waived, {s['pass']} passed" in md
# Top failing rules: the JSON's failure count of each rule listed.
fails = {}
for r in doc["results"]:
    if r["status"] == "fail":
        fails[r["rule"]] = fails.get(r["rule"], 0) + 1
top = md.split("### Top failing rules")[1].split("###")[0]
listed = re.findall(r"^\| ([^|]+) \| \w+ \| (\d+) \| ", top, re.M)
assert len(listed) == len(fails) and all(fails[rule] == int(n) for rule, n in listed), listed
b = doc["baseline"]
assert f"{b['new']} new, {b['existing']} still failing, {b['resolved_count']} resolved." in md
new_rows = md.split("| New failure |")[1].split("\n\n")[0].splitlines()[2:]
assert len(new_rows) == min(10, b["new"]) and b["new"] == s["fail"], new_rows
assert f"and {b['new'] - 10} more new failures." in md
assert "### Collection gaps" in md and "1 error:" in md
PY
}
check "Markdown: the gate's verdict and every count equal the JSON's" markdown_counts

markdown_escapes() {
  python3 - "$TEST_TMP/r.md" <<'PY'
import re, sys
md = open(sys.argv[1], encoding="utf-8").read()
assert "<" not in md and "\r" not in md, "raw markup or CR from data"
assert "&lt;script&gt;" in md or "&lt;b&gt;" in md
# The hostile image names are listed among the new failures, escaped.
assert "| pipe \\| &lt;b&gt;bold&lt;/b&gt; &amp; \\*star\\* \\[link\\](http\\://x) \\# heading" in md, md
assert '=HYPERLINK("http\\://evil.example/","click")' in md and "a,b \"quoted\"  second line" in md
assert "@\u200bSUM(A1)" in md
for line in md.splitlines():
    if line.startswith("|"):
        # Cells split only at unescaped pipes: every row of a table has its header's cell count.
        cells = re.split(r"(?<!\\)\|", line)
        assert len(cells) in (5, 6, 7), line
PY
}
check "Markdown: strings from the snapshot cannot open HTML, links, emphasis, headings or table cells" \
  markdown_escapes

junit_totals_and_names() {
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap.json" --waivers "$TEST_TMP/waivers.yaml" --junit "$TEST_TMP/acc.xml" \
    --junit-group-by account --quiet || true
  for f in "$TEST_TMP/r.xml" "$TEST_TMP/acc.xml"; do
    junit_xsd_valid "$f" || return 1
    python3 - "$f" "$TEST_TMP/r.json" <<'PY' || return 1
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
suite_kind = "account" if sys.argv[1].endswith("acc.xml") else "rule"
assert int(root.get("tests")) == len(doc["results"]) + len(doc["errors"])
assert int(root.get("failures")) == doc["summary"]["fail"] and int(root.get("skipped")) == doc["summary"]["waived"]
assert int(root.get("errors")) == len(doc["errors"])
for suite in root.findall("testsuite"):
    names = [c.get("name") for c in suite.findall("testcase")]
    assert len(names) == len(set(names)), (suite.get("name"), names)
# No build path: the rule file is named without its folders.
files = {p.get("value") for p in root.iter("property") if p.get("name") == "file"}
assert files == ({"workspaces.yaml", "appstream.yaml"} if suite_kind == "rule" else set()), files
PY
  done
}
check "JUnit: root totals are the suites' sums; names unique per suite in both groupings; no build path" \
  junit_totals_and_names

junit_without_passes() {
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap.json" --waivers "$TEST_TMP/waivers.yaml" --junit "$TEST_TMP/np.xml" \
    --no-junit-passes --quiet || true
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/snap.json" --waivers "$TEST_TMP/waivers.yaml" --junit "$TEST_TMP/np-acc.xml" \
    --junit-group-by account --no-junit-passes --quiet || true
  for f in "$TEST_TMP/np.xml" "$TEST_TMP/np-acc.xml"; do
    junit_xsd_valid "$f" || return 1
  done
  python3 - "$TEST_TMP/r.xml" "$TEST_TMP/np.xml" "$TEST_TMP/acc.xml" "$TEST_TMP/np-acc.xml" "$TEST_TMP/r.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
doc = json.load(open(sys.argv[5]))
passes = doc["summary"]["pass"]
assert passes > 0, doc["summary"]
for full_path, lean_path in ((sys.argv[1], sys.argv[2]), (sys.argv[3], sys.argv[4])):
    full, lean = ET.parse(full_path).getroot(), ET.parse(lean_path).getroot()
    # The same totals and suites, with the same counts: the passes are counted, not listed.
    assert full.attrib == lean.attrib, (full.attrib, lean.attrib)
    counts = lambda s: [s.get(k) for k in ("name", "tests", "failures", "errors", "skipped")]
    assert [counts(s) for s in full.findall("testsuite")] == [counts(s) for s in lean.findall("testsuite")]
    listed = sum(1 for _ in full.iter("testcase")) - sum(1 for _ in lean.iter("testcase"))
    assert listed == passes, (listed, passes)
    assert all(len(c) > 0 for c in lean.iter("testcase")), "a passed test case was written"
    total = 0
    for s in lean.findall("testsuite"):
        passed = [p.get("value") for p in s.iter("property") if p.get("name") == "passed"]
        if s.get("name") == "collection":
            assert passed == [], passed
            continue
        n = int(passed[0])
        assert int(s.get("tests")) == int(s.get("failures")) + int(s.get("errors")) + int(s.get("skipped")) + n
        total += n
    assert total == passes, (total, passes)
PY
}
check "JUnit --no-junit-passes: schema-valid, the same counts, passed checks counted in a property, not listed" \
  junit_without_passes

big_fleet_bounded() {
  python3 "$S" big "$TEST_TMP/big.json" "$TEST_TMP/big-base.json"
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/big-base.json" --json "$TEST_TMP/big-base-r.json" --quiet || true
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/big.json" --baseline "$TEST_TMP/big-base-r.json" --json "$TEST_TMP/big-r.json" \
    --markdown "$TEST_TMP/big.md" --csv "$TEST_TMP/big.csv" --quiet || true
  python3 - "$TEST_TMP/big-r.json" "$TEST_TMP/big.md" "$TEST_TMP/big.csv" <<'PY'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
md = open(sys.argv[2], encoding="utf-8").read()
lines = md.splitlines()
assert doc["summary"]["fail"] > 3000 and len(doc["errors"]) > 10, doc["summary"]
assert len(lines) <= 80 and len(md) < 16000, (len(lines), len(md))
b = doc["baseline"]
assert f"{b['new']} new, {b['existing']} still failing, {b['resolved_count']} resolved." in md
assert f"and {b['new'] - 10} more new failures." in md
assert f"and {len(doc['errors']) - 10} more errors." in md
rows = list(csv.reader(open(sys.argv[3], newline="", encoding="utf-8")))
assert len(rows) - 1 == doc["summary"]["fail"] + doc["summary"]["waived"]
new = {r["finding_id"]: r["first_seen"] for r in doc["results"] if r["status"] == "fail"}
assert all(row[11] == (new[row[13]] or "") for row in rows[1:])
PY
}
check "Markdown stays under 80 lines for thousands of failures, new failures and errors; CSV has them all" \
  big_fleet_bounded

console_bounded() {
  NO_COLOR=1 "$IMGAUDIT_BIN" evaluate "$TEST_TMP/big.json" --baseline "$TEST_TMP/big-base-r.json" \
    --json "$TEST_TMP/big-r.json" >"$TEST_TMP/console" 2>/dev/null || true
  local lines
  lines=$(wc -l <"$TEST_TMP/console")
  [ "$lines" -le 40 ] && grep -q '^  \.\.\. and [0-9]* more new failures$' "$TEST_TMP/console" &&
    grep -q '^  \.\.\. and [0-9]* more errors$' "$TEST_TMP/console" || {
    echo "console summary of $lines lines:" >&2
    head -60 "$TEST_TMP/console" >&2
    return 1
  }
}
check "the console summary stays under 40 lines for thousands of failures, new failures and errors" console_bounded

one_fifo_in_turn() {
  local reader
  rm -f "$TEST_TMP/fifo" && mkfifo "$TEST_TMP/fifo" || return 1
  timeout 120 cat "$TEST_TMP/fifo" >"$TEST_TMP/piped" &
  reader=$!
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/big.json" --json "$TEST_TMP/fifo" --junit "$TEST_TMP/fifo" --quiet \
    --fail-on none --allow-partial 2>"$TEST_TMP/err" || return 1
  wait "$reader" || return 1
  python3 - "$TEST_TMP/piped" <<'PY'
import json, sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
at = text.index("<?xml")
# Each far larger than one buffered write (128 KiB): written at once, they would interleave.
assert at > 512 * 1024 and len(text) - at > 512 * 1024, (at, len(text))
doc = json.loads(text[:at])
suites = ET.fromstring(text[at:].encode())
assert suites.tag == "testsuites" and int(suites.get("tests")) == len(doc["results"]) + len(doc["errors"])
PY
}
check "two reports into one FIFO come out one after the other, each whole" one_fifo_in_turn

one_on_stdout() {
  [ "$(run "$TEST_TMP/snap.json" --csv - --markdown -)" = 2 ] &&
    grep -q "only one report can go to stdout ('-'): --csv and --markdown both do" "$TEST_TMP/err" &&
    [ "$(run "$TEST_TMP/snap.json" --markdown - --fail-on none --allow-partial)" = 0 ] &&
    head -1 "$TEST_TMP/out" | grep -q '^## imgaudit: not gated$'
}
check "--csv and --markdown take '-' for stdout, only one report there" one_on_stdout

all_or_nothing() {
  rm -f "$TEST_TMP/n.json" "$TEST_TMP/n.csv"
  [ "$(run "$TEST_TMP/snap.json" --json "$TEST_TMP/n.json" --csv "$TEST_TMP/n.csv" \
    --markdown "$TEST_TMP/no-such-dir/n.md")" = 4 ] &&
    [ ! -e "$TEST_TMP/n.json" ] && [ ! -e "$TEST_TMP/n.csv" ]
}
check "a Markdown file that cannot be written leaves no JSON or CSV behind (all reports or none)" all_or_nothing

finish
