#!/usr/bin/env python3
"""Fleet-scale collector benchmark (run it through bench/collect_fleet.sh; see bench/README.md).

For each case: generate an Organization fleet (tests/fakeaws/fleetgen.py), serve it with
tests/fakeaws in throughput mode with the case's latency (and rate limit), then collect it, on the
same endpoint one after the other, with imgaudit (`collect --org --role-name ImgAuditRole --regions
... --concurrency C`) and with the boto3 reference (bench/reference_boto3.py, the same concurrency).
Both must collect exactly the resources the fleet holds. Prints, per case and client: wall time,
requests (throttled ones included), requests/s, CPU time, peak RSS, throttles, the endpoint's own
CPU use; and the network bound with imgaudit's efficiency against it and its speed against boto3.

The bound is requests x latency / C, with requests the fewest a collector needs (every page at the
models' maximum, one AssumeRole per account); with a rate limit, the larger of that and the slowest
lane's (requests - burst) / rate, a lane being (service, account, region).

--endpoint measures tests/fakeaws alone instead (bench/endpoint_load.py): what it sustains signed,
in throughput mode, and at the cases' latency and concurrency.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKEAWS = os.path.join(ROOT, "tests", "fakeaws")
sys.path.insert(0, FAKEAWS)

import fleet as fleetmod  # noqa: E402
import ratelimit  # noqa: E402

ROLE = "ImgAuditRole"
PAGE_SIZE = 25  # the endpoint's page size: every listing pages at the client's MaxResults (<= 25)
LIST_ACCOUNTS_PAGE = 20  # ListAccounts' model maximum
REGIONS_2 = ("us-east-1", "eu-west-1")
REGIONS_4 = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")

# name: accounts, regions, concurrency, latency in ms, rate limit spec, AWS_MAX_ATTEMPTS (None: default 3)
CASES = {
    "c16": (120, REGIONS_2, 16, 50, "", None),
    "c64": (120, REGIONS_2, 64, 100, "", None),
    "rl2": (120, REGIONS_2, 32, 20, "2:2", 10),
    "rl5": (120, REGIONS_2, 32, 20, "5:10", 10),
    "k1000": (1000, REGIONS_4, 64, 100, "", None),
}
DEFAULT_CASES = ("c16", "c64", "rl2", "rl5")
THROTTLE_CODES = ("ThrottlingException", "Throttling", "TooManyRequestsException")


def pages(n, size=PAGE_SIZE):
    return max(1, math.ceil(n / size))


def fewest_requests(fl, regions):
    """The fewest requests a collector needs: (total, {lane: requests}) with lane (service, account, region)."""
    org = [a["Id"] for a in fl.org_accounts() if a["Status"] == "ACTIVE"]
    caller = fl.default_principal["account"]
    total = 1 + pages(len(org), LIST_ACCOUNTS_PAGE) + sum(1 for a in org if a != caller)  # GetCallerIdentity, ListAccounts, AssumeRole
    lanes = {}
    for a in org:
        for r in regions:
            owned = [i for i, _ in fl.ws_images(a, r, "OWNED")]
            ws = pages(len(owned)) + pages(len(fl.ws_images(a, r, "SHARED")))
            ws += sum(pages(len(fl.ws_permissions(a, r, i["ImageId"]))) for i in owned)
            private = fl.as_images(a, r, "PRIVATE")
            ap = pages(len(fl.region(a, r).builders)) + pages(len(private)) + pages(len(fl.as_images(a, r, "SHARED")))
            ap += sum(pages(len(fl.as_permissions(a, r, i["Name"]))) for i in private)
            lanes[("workspaces", a, r)] = ws
            lanes[("appstream", a, r)] = ap
    return total + sum(lanes.values()), lanes


def bound_seconds(requests, lanes, latency_ms, concurrency, rate_spec):
    network = requests * latency_ms / 1000.0 / concurrency
    limits = ratelimit.parse_spec(rate_spec)
    lane = 0.0
    for (service, _, _), n in lanes.items():
        if service in limits:
            rate, burst = limits[service]
            lane = max(lane, (n - burst) / rate)
    return max(network, lane)


def expected_resources(fl, regions):
    """(type, account, region, id, number of permissions or None) of everything the fleet holds."""
    out = []
    for a in [x["Id"] for x in fl.org_accounts() if x["Status"] == "ACTIVE"]:
        for r in regions:
            for img, kind in fl.ws_images(a, r, None):
                n = len(fl.ws_permissions(a, r, img["ImageId"])) if kind == "OWNED" else None
                out.append(["workspaces_image", a, r, img["ImageId"], n])
            out += [["appstream_image_builder", a, r, b["Name"], None] for b in fl.region(a, r).builders]
            for vis in ("PRIVATE", "SHARED"):
                for img in fl.as_images(a, r, vis):
                    n = len(fl.as_permissions(a, r, img["Name"])) if vis == "PRIVATE" else None
                    out.append(["appstream_image", a, r, img["Name"], n])
    return sorted(out)


def snapshot_resources(path):
    with open(path, encoding="utf-8") as f:
        snap = json.load(f)
    out = []
    for x in snap["resources"]:
        perms = x["data"].get("Permissions")
        out.append([x["type"], x["account"], x["region"], x["id"], len(perms) if perms is not None else None])
    return sorted(out), snap.get("errors", [])


class Server:
    """tests/fakeaws started with run.sh for one case; stopped by stop() (and with this process)."""

    def __init__(self, work, fleet_path, *options):
        self.dir = os.path.join(work, "server")
        shutil.rmtree(self.dir, ignore_errors=True)
        cmd = ["bash", os.path.join(FAKEAWS, "run.sh"), "start", self.dir, "--owner", str(os.getpid()), "--fleet", fleet_path, *options]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.dir, "url"), encoding="utf-8") as f:
            self.url = f.read().strip()
        with open(os.path.join(self.dir, "pid"), encoding="utf-8") as f:
            self.pid = int(f.read())
        # The environment a client gets from the server's env file (credentials, endpoint, isolation).
        text = subprocess.run(["bash", "-c", 'source "$1" && env -0', "-", os.path.join(self.dir, "env")], check=True, capture_output=True).stdout
        self.env = dict(item.split("=", 1) for item in text.decode().split("\0") if "=" in item)

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self):
        with open(os.path.join(self.dir, "requests.jsonl"), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def reset(self):
        urllib.request.urlopen(urllib.request.Request(self.url + "/_fake/reset", method="POST"), timeout=30).read()

    def stop(self):
        subprocess.run(["bash", os.path.join(FAKEAWS, "run.sh"), "stop", self.dir], check=False)


def run_client(cmd, env):
    """Run a client to its end: (exit status, wall s, CPU s, peak RSS MB)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0,):
        sys.stderr.write(f"collect_fleet: {cmd[0]} exited {proc.returncode}: {err[-2000:]}\n")
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def measure(name, cmd, env, server, want, read_resources):
    server.reset()
    cpu0 = server.cpu_seconds()
    rc, wall, cpu, rss = run_client(cmd, env)
    server_cpu = server.cpu_seconds() - cpu0
    log = server.log()
    got, errors = read_resources()
    throttles = sum(1 for e in log if e.get("error") in THROTTLE_CODES)
    row = {
        "client": name,
        "exit": rc,
        "wall_s": wall,
        "requests": len(log),
        "ok": sum(1 for e in log if e.get("status") == 200),
        "requests_per_s": len(log) / wall,
        "cpu_s": cpu,
        "peak_rss_mb": rss,
        "throttles": throttles,
        "endpoint_cpu_pct": 100.0 * server_cpu / wall,
        "resources": len(got),
        "same_resources": got == want,
        "errors": len(errors),
    }
    if not row["same_resources"]:
        missing = [r for r in want if r not in got][:3]
        sys.stderr.write(f"collect_fleet: {name} collected {len(got)} resources, the fleet holds {len(want)}; e.g. missing {missing}\n")
    return row


def run_case(name, args, work):
    accounts, regions, conc, latency, rate, attempts = CASES[name]
    fleet_path = os.path.join(work, f"fleet-{accounts}x{len(regions)}.json")
    if not os.path.exists(fleet_path):
        subprocess.run([sys.executable, os.path.join(FAKEAWS, "fleetgen.py"), "--bench-accounts", str(accounts), "--bench-regions", ",".join(regions), "-o", fleet_path], check=True)
    fl = fleetmod.load(fleet_path)
    requests, lanes = fewest_requests(fl, regions)
    want = expected_resources(fl, regions)
    bound = bound_seconds(requests, lanes, latency, conc, rate)
    options = ["--page-size", str(PAGE_SIZE), "--throughput", "--latency-ms", str(latency)]
    if rate:
        options += ["--rate-limit", rate]
    server = Server(work, fleet_path, *options)
    try:
        env = dict(server.env)
        if attempts:
            env["AWS_MAX_ATTEMPTS"] = str(attempts)
        snap = os.path.join(work, "snapshot.json")
        ref_out = os.path.join(work, "reference.json")
        region_list = ",".join(regions)
        rows = []
        imgaudit = [args.imgaudit, "collect", "--org", "--role-name", ROLE, "--region", "us-east-1", "--regions", region_list, "--concurrency", str(conc), "--quiet", "--no-progress", "-o", snap]
        rows.append(measure("imgaudit", imgaudit, env, server, want, lambda: snapshot_resources(snap)))
        if not args.no_reference:
            ref = [sys.executable, os.path.join(ROOT, "bench", "reference_boto3.py"), "--role-name", ROLE, "--regions", region_list, "--concurrency", str(conc), "-o", ref_out]

            def read_ref():
                with open(ref_out, encoding="utf-8") as f:
                    doc = json.load(f)
                return doc["resources"], doc["errors"]

            rows.append(measure("boto3", ref, env, server, want, read_ref))
    finally:
        server.stop()
    setting = f"{accounts} x {len(regions)}, C={conc}, {latency:g} ms"
    if rate:
        r, b = ratelimit.parse_spec(rate)["workspaces"]
        setting += f", {r:g}/s burst {b:g}"
    if attempts:
        setting += f", AWS_MAX_ATTEMPTS={attempts}"
    return {"case": name, "setting": setting, "requests": requests, "resources": len(want), "bound_s": bound, "rows": rows}


def print_case_table(results, out):
    out.write("| case | client | wall s | requests | req/s | CPU s | peak RSS MB | throttles | endpoint CPU | efficiency | vs boto3 |\n")
    out.write("| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |\n")
    for res in results:
        rows = {r["client"]: r for r in res["rows"]}
        im = rows.get("imgaudit")
        bo = rows.get("boto3")
        label = f"**{res['case']}** {res['setting']}"
        for r in res["rows"]:
            eff = f"{100.0 * res['bound_s'] / r['wall_s']:.0f}%" if r["client"] == "imgaudit" else ""
            ratio = f"{bo['wall_s'] / im['wall_s']:.2f}x" if r["client"] == "imgaudit" and bo else ""
            flags = "" if r["same_resources"] and r["exit"] == 0 else f" (exit {r['exit']}, {r['resources']} resources, {r['errors']} errors)"
            out.write(
                f"| {label} | {r['client']}{flags} | {r['wall_s']:.1f} | {r['requests']} | {r['requests_per_s']:.0f} | {r['cpu_s']:.1f} | "
                f"{r['peak_rss_mb']:.0f} | {r['throttles']} | {r['endpoint_cpu_pct']:.0f}% | {eff} | {ratio} |\n"
            )
            label = ""
        out.write(f"| | bound | {res['bound_s']:.1f} | {res['requests']} | {res['requests'] / res['bound_s']:.0f} | | | | | | |\n")
    out.flush()


def endpoint_table(args, work, out):
    """tests/fakeaws alone under bench/endpoint_load.py, on the 120-account fleet."""
    fleet_path = os.path.join(work, "fleet-120x2.json")
    subprocess.run([sys.executable, os.path.join(FAKEAWS, "fleetgen.py"), "--bench-accounts", "120", "-o", fleet_path], check=True)
    runs = [  # mode options, connections, latency ms
        ([], 16, 0),
        (["--throughput"], 16, 0),
        (["--throughput"], 64, 0),
        (["--throughput"], 16, 50),
        (["--throughput"], 32, 20),
        (["--throughput"], 64, 100),
        (["--throughput", "--rate-limit", "100000:100000"], 16, 0),
    ]
    out.write("| mode | connections | latency ms | req/s | of the ideal | p50 ms | p99 ms | endpoint CPU per request |\n")
    out.write("| --- | --: | --: | --: | --: | --: | --: | --: |\n")
    for opts, conns, latency in runs:
        server = Server(work, fleet_path, "--page-size", str(PAGE_SIZE), "--latency-ms", str(latency), *opts)
        try:
            load = [sys.executable, os.path.join(ROOT, "bench", "endpoint_load.py"), "--url", server.url, "--fleet", fleet_path]
            subprocess.run(load + ["--connections", "2", "--seconds", "1"], check=True, stdout=subprocess.DEVNULL)  # warm up
            cpu0 = server.cpu_seconds()
            res = json.loads(subprocess.run(load + ["--connections", str(conns), "--seconds", str(args.endpoint_seconds)], check=True, capture_output=True, text=True).stdout)
            cpu = server.cpu_seconds() - cpu0
        finally:
            server.stop()
        ideal = f"{100.0 * res['requests_per_s'] / (conns * 1000.0 / latency):.0f}%" if latency else ""
        mode = " ".join(opts) or "signed (default)"
        out.write(f"| {mode} | {conns} | {latency} | {res['requests_per_s']:.0f} | {ideal} | {res['p50_ms']} | {res['p99_ms']} | {1000.0 * cpu / res['requests']:.2f} ms |\n")
        out.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fleet-scale collector benchmark: imgaudit, the boto3 reference and the network bound (see bench/README.md).")
    ap.add_argument("--case", action="append", choices=sorted(CASES), help=f"run this case (repeatable; default {' '.join(DEFAULT_CASES)})")
    ap.add_argument("--all", action="store_true", help="every case, k1000 (1,000 accounts x 4 regions, several minutes) included")
    ap.add_argument("--no-reference", action="store_true", help="imgaudit and the bound only, without the boto3 reference")
    ap.add_argument("--endpoint", action="store_true", help="measure tests/fakeaws alone instead")
    ap.add_argument("--endpoint-seconds", type=float, default=8.0, help="length of each --endpoint run (default 8)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--imgaudit", default=os.path.join(ROOT, "build", "imgaudit"), help="the binary (default build/imgaudit)")
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="imgaudit-bench-fleet.")
    try:
        if args.endpoint:
            endpoint_table(args, work, sys.stdout)
            return 0
        if not os.access(args.imgaudit, os.X_OK):
            sys.stderr.write(f"collect_fleet: {args.imgaudit} is missing; build it first (scripts/build.sh build)\n")
            return 2
        names = sorted(CASES) if args.all else (args.case or list(DEFAULT_CASES))
        names = [n for n in CASES if n in names]  # table order
        results = []
        for name in names:
            sys.stderr.write(f"collect_fleet: case {name}...\n")
            results.append(run_case(name, args, work))
        print_case_table(results, sys.stdout)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=1)
        bad = [r for res in results for r in res["rows"] if not r["same_resources"] or r["exit"] != 0]
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
