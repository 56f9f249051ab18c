#!/bin/bash
# The HTML report as a person sees it: headless Chromium opens the demo page from disk, takes a
# screenshot and dumps the DOM after the page's script ran. Asserts the script ran without errors,
# the page shows the expected counts, filtered links work (findings and shares), the sharing table
# shows its "outside the Organization" badges, the screenshot has content, and the page's
# Content-Security-Policy stops a script that is not its own; and that a large fleet's page (about
# 100,000 findings) opens with a screenful of rows drawn from its data and filters over all of them.
# Nothing leaves the machine: the page is a file, and Chromium's background networking is off.
set -u

fail() {
    echo "it_html_chromium: FAIL: $*" >&2
    exit 1
}

: "${IMGAUDIT_BIN:?set by ctest}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
TEST_HTML="$(dirname "$IMGAUDIT_BIN")/test_html"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (Debian package chromium)"
[ -x "$TEST_HTML" ] || fail "$TEST_HTML not built"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each run gets a fresh profile, so nothing carries over between runs.
chrome() {
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --no-default-browser-check \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

IMGAUDIT_HTML_DEMO_OUT="$work/report.html" "$TEST_HTML" >"$work/demo.log" 2>&1 ||
    { cat "$work/demo.log"; fail "could not write the demo report"; }
[ -s "$work/report.html" ] || fail "demo report is empty"
url="file://$work/report.html"

# 1. The DOM after the script ran, and the browser's console.
chrome --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.log" || fail "chromium --dump-dom failed"
grep -q '<body data-js="ok" data-findings-total="7" data-findings-shown="7"' "$work/dom.html" ||
    { grep -o '<body[^>]*>' "$work/dom.html"; fail "the page's script did not run cleanly over 7 findings"; }
grep -E 'CONSOLE|Uncaught|Refused to' "$work/dom.log" && fail "the page logged console errors"
grep -q 'id="gate">Gate failed: 3 failures at or above high<' "$work/dom.html" || fail "gate verdict missing"
grep -q 'Collection incomplete: 2 errors' "$work/dom.html" || fail "collection verdict missing"
rows=$(grep -o '<tr data-sev=' "$work/dom.html" | wc -l)
[ "$rows" -eq 7 ] || fail "expected 7 finding rows, saw $rows"
grep -q '<tr class="byol"' "$work/dom.html" || fail "no BYOL share highlighted"
grep -q 'data-sharing-total="5" data-sharing-shown="5"' "$work/dom.html" ||
    { grep -o '<body[^>]*>' "$work/dom.html"; fail "the sharing table's script did not run over 5 shares"; }
outside=$(grep -o '<span class="badge outside">outside the Organization</span>' "$work/dom.html" | wc -l)
[ "$outside" -eq 3 ] || fail "expected 3 \"outside the Organization\" badges, saw $outside"

# 2. A link to a filtered view: only the two high findings show.
chrome --dump-dom "$url#findings:sev=high" >"$work/high.html" 2>"$work/high.log" || fail "chromium failed"
grep -q 'data-js="ok" data-findings-total="7" data-findings-shown="2"' "$work/high.html" ||
    { grep -o '<body[^>]*>' "$work/high.html"; fail "filtering by severity did not leave 2 rows"; }
# Rows are drawn from the data for what matches: the two high findings, nothing else.
[ "$(grep -o '<tr data-sev="[a-z]*"' "$work/high.html" | sort | uniq -c | tr -s ' ')" = ' 2 <tr data-sev="high"' ] ||
    fail "expected exactly the 2 high rows drawn, saw: $(grep -o '<tr data-sev="[a-z]*"' "$work/high.html" | sort | uniq -c)"

# Two filters at once, and a malformed link that must not break the page.
chrome --dump-dom "$url#findings:status=fail&change=existing" >"$work/two.html" 2>/dev/null || fail "chromium failed"
grep -q 'data-js="ok" data-findings-total="7" data-findings-shown="4"' "$work/two.html" ||
    fail "filtering by status and change did not leave the 4 existing failures"
chrome --dump-dom "$url#findings:sev=%E0%A4%A&rule" >"$work/bad.html" 2>"$work/bad.log" || fail "chromium failed"
grep -q 'data-js="ok" data-findings-total="7" data-findings-shown="7"' "$work/bad.html" ||
    fail "a malformed filter link broke the page"

# The sharing table's filters: by badge (a word of the row's badges), by owner, and both at once; the
# findings table is left alone.
chrome --dump-dom "$url#sharing:flags=outside" >"$work/outside.html" 2>"$work/outside.log" || fail "chromium failed"
grep -q 'data-findings-shown="7" data-findings-ms="[0-9]*" data-sharing-total="5" data-sharing-shown="3"' "$work/outside.html" ||
    { grep -o '<body[^>]*>' "$work/outside.html"; fail "filtering shares outside the Organization did not leave 3"; }
grep -E 'CONSOLE|Uncaught|Refused to' "$work/outside.log" && fail "the filtered page logged console errors"
shown=$(grep -o '<tr [^>]*data-flags="[^"]*outside[^"]*"[^>]*>' "$work/outside.html" | grep -vc hidden)
[ "$shown" -eq 3 ] || fail "expected the 3 shares outside the Organization to show, saw $shown"
grep -o '<tr [^>]*data-flags="[^"]*"[^>]*>' "$work/outside.html" | grep -v 'outside' | grep -vq hidden &&
    fail "a share inside the Organization still shows"
chrome --dump-dom "$url#sharing:owner=111122223333&flags=byol" >"$work/owner.html" 2>/dev/null || fail "chromium failed"
grep -q 'data-sharing-total="5" data-sharing-shown="2"' "$work/owner.html" ||
    fail "filtering shares by owner and badge did not leave the 2 BYOL shares of 111122223333"
chrome --dump-dom "$url#sharing:target=999988887777&flags=trusted" >"$work/none.html" 2>/dev/null ||
    fail "chromium failed"
grep -q 'data-sharing-total="5" data-sharing-shown="0"' "$work/none.html" || fail "an empty share filter showed rows"
grep -q '<p class="note no-match">No share matches these filters.</p>' "$work/none.html" ||
    fail "no note when no share matches"

# 3. The screenshot: the right size and far more detailed than a blank page of the same size.
chrome --window-size=1280,2400 --screenshot="$work/shot.png" "$url" >/dev/null 2>"$work/shot.log" ||
    fail "chromium --screenshot failed"
printf '<!DOCTYPE html><title>blank</title>' >"$work/blank.html"
chrome --window-size=1280,2400 --screenshot="$work/blank.png" "file://$work/blank.html" >/dev/null 2>&1 ||
    fail "chromium --screenshot of a blank page failed"
[ "$(head -c 8 "$work/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screenshot is not a PNG"
[ "$(png_size "$work/shot.png")" = "1280 2400" ] || fail "screenshot is $(png_size "$work/shot.png"), not 1280x2400"
shot_bytes=$(stat -c %s "$work/shot.png")
blank_bytes=$(stat -c %s "$work/blank.png")
[ "$shot_bytes" -gt $((blank_bytes * 10)) ] && [ "$shot_bytes" -gt 100000 ] ||
    fail "screenshot looks empty ($shot_bytes bytes; a blank page is $blank_bytes)"
cp "$work/shot.png" "$PWD/it_html_chromium.png" 2>/dev/null || true

# 4. The page's policy lets only its own script run: one added to the file is refused.
sed 's|</body>|<script>document.body.setAttribute("data-injected", "ran")</script></body>|' \
    "$work/report.html" >"$work/injected.html"
chrome --dump-dom "file://$work/injected.html" >"$work/injected.dom" 2>"$work/injected.log" || fail "chromium failed"
grep -o '<body[^>]*>' "$work/injected.dom" | grep -q 'data-injected' && fail "an inline script that is not the page's own ran"
grep -q 'data-js="ok"' "$work/injected.dom" || fail "the page's own script did not run next to a refused one"
grep -q 'Content Security Policy' "$work/injected.log" || fail "chromium did not report refusing the script"

# 5. A large fleet: about 100,000 findings and 15,000 shares. The page opens with both tables drawn from
# their data blocks, a screenful of rows each, and filters over all of them. Image names carry markup that
# tries to end the data block and run a script: it must show as text and never run.
python3 - "$work/large.json" <<'PY'
import json, sys
n = 30000
accounts = [f"{100000000000 + a:012d}" for a in range(50)]
regions = ["us-east-1", "eu-west-1", "ap-southeast-2"]
evil = '</script><script>document.body.setAttribute("data-pwned", "1")</script><!--'
resources = []
for i in range(n):
    account = accounts[i % len(accounts)]
    resources.append({"type": "workspaces_image", "account": account, "region": regions[i % 3],
                      "id": f"wsi-{i:09d}", "data": {
                          "ImageId": f"wsi-{i:09d}", "Name": f"image {i} {evil}", "Description": "d",
                          "ImageType": "OWNED", "RequiredTenancy": "DEDICATED" if i % 3 == 0 else "DEFAULT",
                          "State": "ERROR" if i % 2 == 0 else "AVAILABLE", "OwnerAccountId": account,
                          "Created": "2020-01-01T00:00:00Z", "Updates": {"UpdateAvailable": i % 7 != 0},
                          "Permissions": [{"SharedAccountId": accounts[(i + 1) % len(accounts)]}] if i % 2 else []}})
snap = {"schema": "imgaudit.snapshot", "schema_version": 1, "tool_version": "0.1.0",
        "started_at": "2026-11-25T01:00:00Z", "finished_at": "2026-11-25T01:01:00Z", "complete": True,
        "caller": {"account": accounts[0], "arn": f"arn:aws:iam::{accounts[0]}:user/a", "user_id": "A"},
        "partition": "aws", "regions": regions,
        "accounts": [{"id": a, "name": f"team-{a[-2:]}", "role_arn": None, "regions": regions} for a in accounts],
        "resources": resources, "errors": []}
json.dump(snap, open(sys.argv[1], "w"))
PY
"$IMGAUDIT_BIN" evaluate "$work/large.json" --html "$work/large.html" >"$work/large.out" 2>&1
[ -s "$work/large.html" ] || { cat "$work/large.out"; fail "no report for the large fleet"; }
# The expected counts, from the console summary: "N judged: F failed, W waived, ..." and "critical C".
failed=$(grep -o '[0-9]* failed' "$work/large.out" | head -1 | grep -o '[0-9]*')
waived=$(grep -o '[0-9]* waived' "$work/large.out" | head -1 | grep -o '[0-9]*')
critical=$(grep -o 'Failures by severity: critical [0-9]*' "$work/large.out" | grep -o '[0-9]*$')
total=$((${failed:-0} + ${waived:-0}))
[ "${waived:-x}" = 0 ] && [ -n "$critical" ] || { cat "$work/large.out"; fail "cannot read the large fleet's counts"; }
[ "$total" -gt 90000 ] || fail "the large fleet has $total findings, expected about 100,000"
byol=$(grep -o '<a class="hcount byol" href="#sharing" data-filters="flags=byol">[0-9]* BYOL' "$work/large.html" |
    grep -o '>[0-9]*' | tr -d '>')
[ "${byol:-0}" -gt 2000 ] || fail "the large fleet has ${byol:-no} BYOL shares, expected thousands"
chrome --dump-dom "file://$work/large.html" >"$work/large.dom" 2>"$work/large.log" || fail "chromium failed on the large page"
grep -q "<body data-js=\"ok\" data-findings-total=\"$total\" data-findings-shown=\"$total\"" "$work/large.dom" ||
    { grep -o '<body[^>]*>' "$work/large.dom"; fail "the large page did not show its $total findings"; }
grep -E 'CONSOLE|Uncaught|Refused to' "$work/large.log" && fail "the large page logged console errors"
grep -o '<body[^>]*>' "$work/large.dom" | grep -q 'data-pwned' && fail "markup in an image name ran as a script"
drawn=$(grep -o '<tr data-sev=' "$work/large.dom" | wc -l)
all_rows=$(grep -o '<tr[ >]' "$work/large.dom" | wc -l)
[ "$drawn" -ge 5 ] || fail "the large page drew $drawn finding rows"
[ "$all_rows" -lt 500 ] || fail "the large page holds $all_rows rows for $total findings: not virtual"
grep -q '&lt;/script&gt;&lt;script&gt;document.body.setAttribute' "$work/large.dom" ||
    fail "the image names' markup is not shown as text"
chrome --dump-dom "file://$work/large.html#findings:sev=critical" >"$work/large-critical.dom" 2>/dev/null ||
    fail "chromium failed"
grep -q "data-findings-total=\"$total\" data-findings-shown=\"$critical\"" "$work/large-critical.dom" ||
    { grep -o '<body[^>]*>' "$work/large-critical.dom"; fail "filtering the large page by severity did not leave its $critical critical findings"; }
[ "$(grep -o '<tr data-sev="[a-z]*"' "$work/large-critical.dom" | sort -u)" = '<tr data-sev="critical"' ] ||
    fail "the severity filter drew other rows"
chrome --dump-dom "file://$work/large.html#sharing:flags=byol" >"$work/large-byol.dom" 2>/dev/null || fail "chromium failed"
grep -q "data-sharing-shown=\"$byol\"" "$work/large-byol.dom" ||
    { grep -o '<body[^>]*>' "$work/large-byol.dom"; fail "filtering the large sharing table by BYOL did not leave $byol shares"; }
grep -q '<tr class="byol[ "]' "$work/large-byol.dom" || fail "no BYOL share drawn from the sharing data"
ms=$(grep -o 'data-findings-ms="[0-9]*"' "$work/large.dom" | grep -o '[0-9]*')

echo "it_html_chromium: 1 passed, 0 failed (screenshot $shot_bytes bytes, blank page $blank_bytes; $total findings drawn in ${ms} ms)"
