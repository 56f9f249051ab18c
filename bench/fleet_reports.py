#!/usr/bin/env python3
"""`imgaudit evaluate` with all three reports at fleet scale, next to Python's bare json.load.

    bench/fleet_reports.py [--sizes 10000,100000,1000000] [--quick] [--work DIR] [--reports-dir DIR]
                           [--build DIR] [--html-open-max N] [--no-phases] [--keep-reports] [--json FILE]

For each size: generates the snapshot (bench/gen_snapshot.py, cached in the work directory), times
Python's json.load of it (the reference), runs `imgaudit evaluate SNAPSHOT --today 2026-12-01 --json J
--junit X --html H` and, unless --no-phases, build/bench_phases on the same file (time and peak RSS of
each phase); up to --html-open-max resources (default 100,000), it opens the HTML report in headless
Chromium (bench/html_open.py). Prints a row per size as it goes, then the phase and browser tables,
in Markdown. Wall and CPU times and peak RSS come from wait4() on each child process.
MB: 10^6 bytes. Reports are deleted after their size was taken, unless --keep-reports. They are
written to the work directory, or to --reports-dir (a tmpfs such as /dev/shm takes the disk out of the
measure: at 1,000,000 resources the three reports are 6.5 GB).
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TODAY = "2026-12-01"
JSON_LOAD = ("import json, sys, time\n"
             "t = time.perf_counter()\n"
             "with open(sys.argv[1], 'rb') as f:\n"
             "    json.load(f)\n"
             "print(time.perf_counter() - t)\n")


def mb(n):
    return n / 1e6


def measured(cmd, capture=True):
    """Runs cmd: wall and CPU seconds, peak RSS (bytes), exit status, stdout (when capture) and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out if capture else subprocess.DEVNULL, stderr=err,
                                stdin=subprocess.DEVNULL)
        # wait4, not Popen.wait: the child's own rusage (RUSAGE_CHILDREN's peak would be every child's).
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss * 1024,
                "rc": proc.returncode, "out": out.read().decode(errors="replace"),
                "err": err.read().decode(errors="replace")}


def snapshot_for(n, work):
    """The cached snapshot of n resources, made when missing (its name carries the generator's hash)."""
    gen = os.path.join(HERE, "gen_snapshot.py")
    with open(gen, "rb") as f:
        tag = hashlib.sha256(f.read()).hexdigest()[:8]
    path = os.path.join(work, f"snapshot-{n}-{tag}.json")
    if not os.path.exists(path):
        log(f"generating {path}")
        t = time.monotonic()
        subprocess.run([sys.executable, gen, "--resources", str(n), "-o", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
        log(f"  {mb(os.path.getsize(path)):.0f} MB in {time.monotonic() - t:.1f} s")
    return path


def failures_in(json_report):
    """summary.fail of a JSON report: its "summary" object found by a scan in chunks (the report may be
    gigabytes, on few lines), then parsed alone."""
    key = re.compile(rb'"summary"\s*:\s*\{')
    tail = b""
    with open(json_report, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return None
            text = tail + chunk
            m = key.search(text)
            if m:
                break
            tail = text[-64:]
        # The summary is a few hundred bytes of counts (no braces in strings): 1 MB more holds it whole.
        text = text[m.end() - 1:] + f.read(1 << 20)
    depth = 0
    for i, c in enumerate(text):
        depth += 1 if c == ord("{") else -1 if c == ord("}") else 0
        if depth == 0:
            return json.loads(text[:i + 1]).get("fail")
    return None


def phases_of(text):
    """bench_phases' rows (phase, wall s, CPU s, peak MiB, RSS MiB at the end, bytes or "-"), whatever the phases."""
    rows = []
    for line in text.splitlines():
        f = line.split()
        if len(f) == 6 and all(re.fullmatch(r"[0-9.]+", x) for x in f[1:5]):
            rows.append({"phase": f[0], "wall": float(f[1]), "cpu": float(f[2]), "peak": float(f[3]) * 1048576,
                         "rss_end": float(f[4]) * 1048576, "bytes": None if f[5] == "-" else int(f[5])})
    return rows


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_size(s):
    m = re.fullmatch(r"(\d+)([kKmM]?)", s.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {s}")
    return int(m.group(1)) * {"": 1, "k": 1000, "m": 1000000}[m.group(2).lower()]


def one_size(n, args, imgaudit, phases_bin):
    row = {"resources": n, "load_average": os.getloadavg()[0]}
    snap = snapshot_for(n, args.work)
    row["snapshot_bytes"] = os.path.getsize(snap)
    log(f"{n} resources: json.load")
    ref = measured([sys.executable, "-c", JSON_LOAD, snap])
    if ref["rc"] != 0:
        sys.exit(f"fleet_reports: json.load of {snap} failed: {ref['err'].strip()}")
    row["json_load_s"] = float(ref["out"].strip())
    row["json_load_rss"] = ref["rss"]
    reports = {k: os.path.join(args.reports_dir or args.work, f"report-{n}.{ext}") for k, ext in
               (("json", "json"), ("junit", "xml"), ("html", "html"))}
    log(f"{n} resources: imgaudit evaluate")
    ev = measured([imgaudit, "evaluate", snap, "--today", TODAY, "--json", reports["json"], "--junit",
                   reports["junit"], "--html", reports["html"]], capture=False)
    # 1: the gate failed (the fleet has high findings); 3: the collection is incomplete. 2 and up: a failure.
    if ev["rc"] not in (0, 1, 3):
        sys.exit(f"fleet_reports: imgaudit evaluate exited {ev['rc']}: {ev['err'].strip()}")
    row.update(evaluate_s=ev["wall"], evaluate_cpu_s=ev["cpu"], evaluate_rss=ev["rss"], evaluate_rc=ev["rc"])
    row["failures"] = failures_in(reports["json"])
    for k, path in reports.items():
        row[k + "_bytes"] = os.path.getsize(path)
    if n <= args.html_open_max:
        log(f"{n} resources: opening the HTML in Chromium")
        op = measured([sys.executable, os.path.join(HERE, "html_open.py"), "--json", "--timeout",
                       str(args.timeout), reports["html"]])
        row["html_open"] = json.loads(op["out"]) if op["rc"] == 0 else {"error": op["err"].strip()}
    if not args.keep_reports:
        for path in reports.values():
            os.remove(path)
    if not args.no_phases:
        log(f"{n} resources: bench_phases")
        ph = measured([phases_bin, snap, "--today", TODAY])
        if ph["rc"] != 0:
            sys.exit(f"fleet_reports: bench_phases failed: {ph['err'].strip()}")
        row["phases"] = phases_of(ph["out"])
        row["phases_rss"] = ph["rss"]
    return row


def count(n):
    return "?" if n is None else f"{n:,}"


def fleet_row(r):
    return (f"| {r['resources']:,} | {mb(r['snapshot_bytes']):,.0f} | {r['json_load_s']:.2f} | "
            f"{mb(r['json_load_rss']):,.0f} | {r['evaluate_s']:.2f} | {r['evaluate_cpu_s']:.2f} | "
            f"{mb(r['evaluate_rss']):,.0f} | {r['evaluate_s'] / r['json_load_s']:.2f}x | "
            f"{r['evaluate_rss'] / r['snapshot_bytes']:.1f}x | {count(r['failures'])} | {mb(r['json_bytes']):,.0f} | "
            f"{mb(r['junit_bytes']):,.0f} | {mb(r['html_bytes']):,.0f} |")


def html_row(r, timeout):
    o = r["html_open"]
    size = f"{mb(r['html_bytes']):,.0f}"
    if "error" in o:
        return f"| {r['resources']:,} | {count(r['failures'])} | {size} | error: {o['error']} | | | |"

    def cell(key, scale, fmt):
        return fmt.format(o[key] / scale) if o.get(key) is not None else ""

    if o["timed_out"] == "first_rows":
        first = f"did not open within {timeout:g} s"
    elif o["timed_out"]:
        first = cell("first_rows_ms", 1000, "{:.2f}") + f" ({o['timed_out']} did not end within {timeout:g} s)"
    else:
        first = cell("first_rows_ms", 1000, "{:.2f}")
    return (f"| {r['resources']:,} | {count(r['failures'])} | {size} | {first} | {cell('filter_ms', 1, '{:,.0f}')} | "
            f"{cell('filter_clear_ms', 1, '{:,.0f}')} | {cell('sort_ms', 1, '{:,.0f}')} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=lambda s: [parse_size(x) for x in s.split(",")],
                    default=[10000, 100000, 1000000], help="resources, comma-separated (10k, 1M accepted)")
    ap.add_argument("--quick", action="store_true", help="10,000 and 100,000 resources only")
    ap.add_argument("--work", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "imgaudit-fleet-bench"),
                    help="where snapshots are cached and reports written")
    ap.add_argument("--reports-dir", metavar="DIR", help="where the reports are written (default: --work)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="the build directory (default build)")
    ap.add_argument("--html-open-max", type=int, default=100000,
                    help="open the HTML report in Chromium up to this many resources (0: never)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds each browser step may take")
    ap.add_argument("--no-phases", action="store_true", help="skip bench_phases")
    ap.add_argument("--keep-reports", action="store_true", help="keep the reports in the work directory")
    ap.add_argument("--json", metavar="FILE", help="also write every measure as JSON")
    args = ap.parse_args()
    if args.quick:
        args.sizes = [10000, 100000]
    imgaudit = os.path.join(args.build, "imgaudit")
    phases_bin = os.path.join(args.build, "bench_phases")
    for exe in [imgaudit] + ([] if args.no_phases else [phases_bin]):
        if not os.access(exe, os.X_OK):
            sys.exit(f"fleet_reports: {exe} not built (scripts/build.sh build)")
    os.makedirs(args.work, exist_ok=True)
    commit = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    print(f"commit {commit or 'unknown'}, {os.cpu_count()} CPUs, snapshots in {args.work}, reports in "
          f"{args.reports_dir or args.work}\n")
    print("| resources | snapshot MB | json.load s | json.load peak RSS MB | evaluate s | CPU s | peak RSS MB "
          "| vs json.load | RSS / snapshot | failures | JSON MB | JUnit MB | HTML MB |")
    print("| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |", flush=True)
    rows = []
    for n in args.sizes:
        r = one_size(n, args, imgaudit, phases_bin)
        rows.append(r)
        print(fleet_row(r), flush=True)
    if not args.no_phases:
        print("\n| resources | phase | wall s | CPU s | peak RSS MB | RSS after MB | written MB |")
        print("| --: | --- | --: | --: | --: | --: | --: |")
        for r in rows:
            for p in r["phases"]:
                written = f"{mb(p['bytes']):,.0f}" if p["bytes"] is not None else ""
                print(f"| {r['resources']:,} | {p['phase']} | {p['wall']:.2f} | {p['cpu']:.2f} | "
                      f"{mb(p['peak']):,.0f} | {mb(p['rss_end']):,.0f} | {written} |")
    opened = [r for r in rows if "html_open" in r]
    if opened:
        print("\n| resources | failures | HTML MB | first rows s | filter ms | clear filter ms | sort ms |")
        print("| --: | --: | --: | --- | --: | --: | --: |")
        for r in opened:
            print(html_row(r, args.timeout))
    print("\nload average (1 min) at the start of each size: " +
          ", ".join(f"{r['resources']:,}: {r['load_average']:.1f}" for r in rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"commit": commit, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
