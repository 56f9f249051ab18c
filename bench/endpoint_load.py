#!/usr/bin/env python3
"""Load generator for tests/fakeaws alone: how many requests a second the endpoint sustains.

N keep-alive connections, each with one request in flight at a time, driven by one
non-blocking event loop (so the client spends little CPU of its own). The requests are a
fixed mix of what a collector sends (DescribeWorkspaceImages, DescribeWorkspaceImagePermissions,
DescribeImageBuilders, DescribeImages, DescribeImagePermissions) for the fleet's default caller,
signed once with botocore's SigV4 (valid for 15 minutes; the server checks each one again).

    python3 bench/endpoint_load.py --url http://127.0.0.1:PORT --connections 16 --seconds 10

Prints one JSON object: requests, seconds, requests_per_s, statuses, p50/p99 latency in ms.
"""

import argparse
import json
import os
import selectors
import socket
import sys
import time
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fakeaws"))

import botocore.auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

import fleet as fleetmod  # noqa: E402

TARGETS = {"workspaces": "WorkspacesService", "appstream": "PhotonAdminProxyService"}


def mix(fl, region):
    """(service, operation, params) of one collector pass over the caller's account."""
    principal = fl.default_principal
    account = principal["account"]
    reg = fl.region(account, region)
    calls = [("workspaces", "DescribeWorkspaceImages", {"ImageType": t, "MaxResults": 25}) for t in ("OWNED", "SHARED")]
    calls += [("workspaces", "DescribeWorkspaceImagePermissions", {"ImageId": i["ImageId"], "MaxResults": 25}) for i in reg.ws_images[:6]]
    calls.append(("appstream", "DescribeImageBuilders", {"MaxResults": 25}))
    calls += [("appstream", "DescribeImages", {"Type": t, "MaxResults": 25}) for t in ("PRIVATE", "SHARED")]
    calls += [("appstream", "DescribeImagePermissions", {"Name": i["Name"], "MaxResults": 500}) for i in reg.as_images[:2]]
    return principal, calls


def wire_request(url, principal, region, service, operation, params, sign):
    """One HTTP/1.1 request as bytes, signed with the principal's keys unless sign is False."""
    u = urlsplit(url)
    body = json.dumps(params).encode()
    headers = {
        "Host": f"{u.hostname}:{u.port}",
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"{TARGETS[service]}.{operation}",
    }
    if sign:
        req = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
        creds = Credentials(principal["access_key_id"], principal["secret_access_key"])
        botocore.auth.SigV4Auth(creds, service, region).add_auth(req)
        headers = dict(req.headers.items())
    lines = ["POST / HTTP/1.1"] + [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


class Conn:
    def __init__(self, addr, requests, index):
        self.sock = socket.create_connection(addr)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.requests = requests
        self.next = index
        self.buf = b""
        self.sent_at = 0.0

    def send(self):
        data = self.requests[self.next % len(self.requests)]
        self.next += 1
        self.buf = b""
        self.sent_at = time.monotonic()
        self.sock.sendall(data)  # small: fits the socket buffer

    def answer(self):
        """The status once a whole answer is in the buffer, else None."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buf[:end].decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buf) < end + 4 + length:
            return None
        return int(head[0].split()[1])


def run(url, requests, connections, seconds):
    u = urlsplit(url)
    sel = selectors.DefaultSelector()
    conns = [Conn((u.hostname, u.port), requests, i) for i in range(connections)]
    statuses, latencies = {}, []
    started = time.monotonic()
    deadline = started + seconds
    for c in conns:
        sel.register(c.sock, selectors.EVENT_READ, c)
        c.send()
    open_conns = len(conns)
    while open_conns:
        for key, _ in sel.select(timeout=1.0):
            c = key.data
            chunk = c.sock.recv(65536)
            if not chunk:
                raise SystemExit("endpoint_load: the server closed a connection")
            c.buf += chunk
            status = c.answer()
            if status is None:
                continue
            now = time.monotonic()
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(now - c.sent_at)
            if now < deadline:
                c.send()
            else:
                sel.unregister(c.sock)
                c.sock.close()
                open_conns -= 1
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    return {
        "connections": connections,
        "requests": n,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(n / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(latencies[n // 2] * 1000, 1) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 1) if n else None,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the endpoint's base URL")
    ap.add_argument("--fleet", default="test", help="the fleet the endpoint serves (default test)")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--unsigned", action="store_true", help="send requests without a signature (throughput mode serves them)")
    args = ap.parse_args(argv)
    fl = fleetmod.load(args.fleet)
    principal, calls = mix(fl, args.region)
    requests = [wire_request(args.url, principal, args.region, s, o, p, not args.unsigned) for s, o, p in calls]
    print(json.dumps(run(args.url, requests, args.connections, args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
