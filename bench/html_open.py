#!/usr/bin/env python3
"""How long an imgaudit HTML report takes to open in headless Chromium, and to filter and sort.

    bench/html_open.py REPORT.html [--timeout S] [--json] [--chromium PATH]

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: commands on file
descriptor 3, answers on 4, each a JSON message ended by a NUL byte), with Python's standard library.

- first rows: from the start of the navigation (the page's performance.now(), whose origin is that
  start) until report.js has run (<body data-js="ok">) and the findings table (#findings-table) holds a
  visible row (tr[data-sev]), then the next frame is drawn. A script added before the page's own
  watches for that every few milliseconds, whenever the page lets it run.
- filter: the severity select of the findings section (#findings select[data-filter=sev]) set to
  "high" and a change event dispatched, until <body data-findings-shown> changed and the next frame
  is drawn; then the same back to every severity ("clear").
- sort: a click on a sortable header of the findings table (th[data-sort], "Resource" unless
  --sort-column says otherwise), until it carries aria-sort or the first row changed, and the next
  frame is drawn.

Each step has a timeout (default 120 s); a step that times out is reported as such, the steps after it
are not run, and Chromium is killed whatever happens. Prints one line per measure, or with --json one
JSON object: {"first_rows_ms": ..., "filter_ms": ..., "filter_clear_ms": ..., "sort_ms": ...,
"findings_total": ..., "timed_out": null or the step's name, ...}.
"""

import argparse
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--window-size=1280,1024", "--remote-debugging-pipe"]

# Runs before the page's own script, in the page: records when report.js ran and the first rows show.
WATCH = r"""
(function () {
  var rec = window.__iaBench = {};
  function check() {
    var b = document.body;
    var state = b ? b.getAttribute("data-js") : null;
    if (!rec.js && (state === "ok" || state === "error")) {
      rec.js = performance.now();
      rec.js_state = state;
    }
    var t = document.getElementById("findings-table");
    if (b && b.getAttribute("data-js") === "ok" && t && t.querySelector("tr[data-sev]:not([hidden])")) {
      rec.rows = performance.now();
      requestAnimationFrame(function () {
        setTimeout(function () { rec.painted = performance.now(); }, 0);
      });
      return;
    }
    setTimeout(check, 5);
  }
  check();
})();
"""

# Sets the severity filter to VALUE; resolves once data-findings-shown changed and a frame was drawn.
FILTER = r"""
(async function (value, limitMs) {
  var sel = document.querySelector("#findings select[data-filter=sev]");
  var b = document.body;
  if (!sel) return {error: "no #findings select[data-filter=sev]"};
  var before = b.getAttribute("data-findings-shown");
  var t0 = performance.now();
  sel.value = value;
  sel.dispatchEvent(new Event("change", {bubbles: true}));
  var handler = performance.now() - t0;
  var ok = await new Promise(function (done) {
    (function wait() {
      if (b.getAttribute("data-findings-shown") !== before) done(true);
      else if (performance.now() - t0 > limitMs) done(false);
      else setTimeout(wait, 1);
    })();
  });
  await new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); });
  return {ok: ok, handler_ms: handler, ms: performance.now() - t0, shown: b.getAttribute("data-findings-shown")};
})
"""

# Clicks the sortable header named NAME (else the first); resolves once it is sorted and a frame was drawn.
SORT = r"""
(async function (name, limitMs) {
  var heads = Array.prototype.slice.call(document.querySelectorAll("#findings-table th[data-sort]"));
  var th = heads.filter(function (h) { return h.textContent.trim() === name; })[0] || heads[0];
  if (!th) return {error: "no #findings-table th[data-sort]"};
  function firstRow() {
    var r = document.querySelector("#findings-table tr[data-sev]:not([hidden])");
    return r ? r.textContent : "";
  }
  var before = firstRow(), sortBefore = th.getAttribute("aria-sort");
  var t0 = performance.now();
  th.click();
  var handler = performance.now() - t0;
  var ok = await new Promise(function (done) {
    (function wait() {
      if (th.getAttribute("aria-sort") !== sortBefore || firstRow() !== before) done(true);
      else if (performance.now() - t0 > limitMs) done(false);
      else setTimeout(wait, 1);
    })();
  });
  await new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); });
  return {ok: ok, handler_ms: handler, ms: performance.now() - t0, column: th.textContent.trim()};
})
"""


class Timeout(Exception):
    pass


class Browser:
    """Chromium with the DevTools protocol on a pipe; close() kills it and removes its profile."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="imgaudit-html-open.")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # in the child: the protocol's pipes as descriptors 3 and 4, wherever they were
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen([chromium, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False,
                                     start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def _message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            ready, _, _ = select.select([self.from_child], [], [], left)
            if ready:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe (exit status %s)" % self.proc.poll())
                self.buf += chunk
        text, self.buf = self.buf.split(b"\0", 1)
        return json.loads(text)

    def call(self, method, params=None, session=None, timeout=30.0):
        """Sends a command and waits for its answer (events in between are dropped)."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})

    def evaluate(self, session, expression, timeout, await_promise=False):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise}, session, timeout)
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: " + json.dumps(result["exceptionDetails"])[:300])
        return result.get("result", {}).get("value")


def measure(path, chromium, timeout, sort_column):
    out = {"file": path, "bytes": os.path.getsize(path), "first_rows_ms": None, "filter_ms": None,
           "filter_clear_ms": None, "sort_ms": None, "timed_out": None}
    browser = Browser(chromium)
    step = "start"
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=session)
        browser.call("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH}, session)
        step = "first_rows"
        start = time.monotonic()
        browser.call("Page.navigate", {"url": "file://" + os.path.abspath(path)}, session, timeout)
        rec = None
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise Timeout()
            rec = browser.evaluate(session, "JSON.stringify(window.__iaBench || null)", left)
            rec = json.loads(rec) if rec else None
            if rec and rec.get("js_state") == "error":
                raise RuntimeError(f"report.js failed (data-js=\"{rec['js_state']}\")")
            if rec and "painted" in rec:
                break
            time.sleep(0.05)
        out["first_rows_ms"] = round(rec["painted"], 1)
        out["js_ran_ms"] = round(rec["js"], 1)
        nav = browser.evaluate(session, "JSON.stringify(performance.getEntriesByType('navigation')[0] || {})",
                               timeout)
        nav = json.loads(nav)
        out["dom_content_loaded_ms"] = round(nav.get("domContentLoadedEventEnd", 0), 1)
        out["findings_total"] = browser.evaluate(session, "document.body.getAttribute('data-findings-total')",
                                                 timeout)
        limit_ms = timeout * 1000
        for step, key, expr in (("filter", "filter_ms", f"({FILTER})('high', {limit_ms})"),
                                ("filter_clear", "filter_clear_ms", f"({FILTER})('', {limit_ms})"),
                                ("sort", "sort_ms", f"({SORT})({json.dumps(sort_column)}, {limit_ms})")):
            res = browser.evaluate(session, expr, timeout + 5, await_promise=True)
            if not res or res.get("error"):
                raise RuntimeError(f"{step}: {res.get('error') if res else 'no answer'}")
            if not res["ok"]:
                raise Timeout()
            out[key] = round(res["ms"], 1)
            out[step + "_detail"] = res
        step = None
    except Timeout:
        out["timed_out"] = step
    finally:
        browser.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report", help="the HTML report to open")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds each step may take (default 120)")
    ap.add_argument("--sort-column", default="Resource", help="the findings table's header to sort by")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if not os.path.isfile(args.report):
        ap.error(f"{args.report}: no such file")
    if not os.access(args.chromium, os.X_OK):
        ap.error(f"{args.chromium}: not an executable (set --chromium or CHROMIUM)")
    try:
        out = measure(args.report, args.chromium, args.timeout, args.sort_column)
    except (RuntimeError, OSError, ValueError) as e:
        print(f"html_open: {args.report}: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(out))
        return 0
    if out["timed_out"]:
        print(f"{args.report}: {out['timed_out']} did not finish within {args.timeout:g} s")
    for key in ("first_rows_ms", "filter_ms", "filter_clear_ms", "sort_ms"):
        if out[key] is not None:
            print(f"{key[:-3]:<14} {out[key]:>10.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
