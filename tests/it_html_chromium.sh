#!/bin/bash
# The HTML report as a person sees it: headless Chromium opens the demo page from disk, takes a
# screenshot and dumps the DOM after the page's script ran. Asserts the script ran without errors,
# the page shows the expected counts, filtered links work (findings and shares), the sharing table
# shows its "outside the Organization" badges, the screenshot has content, and the page's
# Content-Security-Policy stops a script that is not its own. Nothing leaves the machine:
# the page is a file, and Chromium's background networking is off.
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
hidden=$(grep -o '<tr data-sev="[a-z]*"[^>]*hidden' "$work/high.html" | wc -l)
[ "$hidden" -eq 5 ] || fail "expected 5 hidden rows, saw $hidden"

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
grep -q 'data-findings-shown="7" data-sharing-total="5" data-sharing-shown="3"' "$work/outside.html" ||
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

echo "it_html_chromium: 1 passed, 0 failed (screenshot $shot_bytes bytes, blank page $blank_bytes)"
