#!/usr/bin/env python3
"""Write a synthetic snapshot of a large Organization, for the fleet-scale report benchmark.

    bench/gen_snapshot.py --resources N -o FILE [--seed S]

The snapshot (docs/snapshot.md) is laid out as `imgaudit collect --org` writes one: the envelope
members, "accounts", "organizations" one member a line, "resources" one a line (ordered by account,
region, type, id), then "errors". It is deterministic: the same arguments give the same bytes.

The fleet: N / 50 accounts, 5 regions, 10 resources per account and region (the last account may
have fewer): 7 WorkSpaces images (6 owned, shared with Organization members and some with accounts
outside it, some BYOL with DEDICATED tenancy, some with updates available, some failed or
reporting error codes; 1 shared in, from a member or from an outside vendor), 1 AppStream image
builder and 2 AppStream images (1 private, shared with members and sometimes outsiders; 1 shared in).
One account in 400 had a call that failed (an entry in "errors"), and one member in 250 of the
Organization is SUSPENDED (listed in "organizations", not collected).

Judged by the built-in rule pack with `--today 2026-12-01` (ages count from that day), it yields
about 2.2 failures per resource: a first audit of an Organization that never looked.
"""

import argparse
import random
import sys

REGIONS = ["ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"]
PER_REGION = 10
MANAGEMENT = 200000000000
OUTSIDERS = [f"{900000000000 + 7919 * k:012d}" for k in range(24)]
ERROR_CODES = ["OfficeInstalled", "PendingReboot", "AntiVirusInstalled", "WindowsUpdatesEnabled",
               "DiskSizeExceeded", "InsufficientRearmCount", "DomainJoined", "FirewallEnabled"]
PREFIXES = ["golden", "dev", "finance", "call-center", "engineering", "byol"]
BUILDER_TYPES = ["stream.standard.medium", "stream.standard.large", "stream.graphics.g4dn.xlarge"]
PLATFORMS = ["WINDOWS_SERVER_2019", "WINDOWS_SERVER_2022"]

# Probabilities, tuned so that the built-in pack fails about 2.2 times per resource.
P_STALE = 0.9          # owned WorkSpaces image created more than 180 days before 2026-12-01
P_SHARED_OUT = 0.75    # owned image shared with someone (members, and maybe an outsider)
P_OUTSIDER = 0.9       # ... of which shared with an account outside the Organization
P_DEDICATED = 0.3      # BYOL: DEDICATED tenancy
P_UPDATE = 0.7         # Updates.UpdateAvailable true
P_ERROR_CODE = 0.25    # ErrorCode from the disallowed list
P_ERROR_STATE = 0.15   # State ERROR
P_VENDOR = 0.85        # a shared-in image (WorkSpaces or AppStream) whose owner is outside
P_INTERNET = 0.8       # image builder with default internet access
P_NO_ENDPOINT = 0.9    # image builder without AccessEndpoints
P_BUILDER_FAILED = 0.2


def account_id(i):
    return f"{MANAGEMENT + i * 13:012d}"


def iso(rng, old):
    """A creation time: before 2026-06-01 when old (stale on 2026-12-01), else in June to November 2026."""
    if old:
        y, mo = 2019 + int(rng.random() * 7), 1 + int(rng.random() * 12)
        if y == 2026:
            mo = 1 + int(rng.random() * 5)
    else:
        y, mo = 2026, 6 + int(rng.random() * 6)
    d, s = 1 + int(rng.random() * 28), int(rng.random() * 86400)
    return f"{y:04d}-{mo:02d}-{d:02d}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z"


def pick(rng, items):
    return items[int(rng.random() * len(items))]


def members(rng, n_accounts, own, k):
    """k accounts of the Organization other than own, sorted."""
    if n_accounts < 2:
        return []
    out = set()
    while len(out) < min(k, n_accounts - 1):
        a = account_id(int(rng.random() * n_accounts))
        if a != account_id(own):
            out.add(a)
    return sorted(out)


def ws_owned(rng, n_accounts, a, acct, region, k):
    os_type = "WINDOWS" if rng.random() < 0.8 else "LINUX"
    prefix = pick(rng, PREFIXES)
    iid = f"wsi-{rng.getrandbits(36):09x}"
    state = "ERROR" if rng.random() < P_ERROR_STATE else "AVAILABLE"
    tenancy = "DEDICATED" if rng.random() < P_DEDICATED else "DEFAULT"
    created = iso(rng, rng.random() < P_STALE)
    update = rng.random() < P_UPDATE
    parts = [f'"ImageId":"{iid}","Name":"{prefix}-{"win" if os_type == "WINDOWS" else "al2"}-{k:03d}"',
             f'"Description":"{prefix} image {k} built by the desktop team"',
             f'"OperatingSystem":{{"Type":"{os_type}"}}', f'"State":"{state}"', f'"RequiredTenancy":"{tenancy}"',
             f'"Created":"{created}"', f'"OwnerAccountId":"{acct}"']
    if update:
        parts.append('"Updates":{"UpdateAvailable":true,"Description":"Updated drivers and WorkSpaces agent are available."}')
    else:
        parts.append('"Updates":{"UpdateAvailable":false}')
    if rng.random() < P_ERROR_CODE or state == "ERROR":
        code = pick(rng, ERROR_CODES)
        parts.append(f'"ErrorCode":"{code}","ErrorMessage":"The image failed validation: {code}."')
        if state == "ERROR":
            parts.append(f'"ErrorDetails":[{{"ErrorCode":"{code}","ErrorMessage":"See the import requirements."}}]')
    parts.append('"ImageType":"OWNED"')
    shares = []
    if rng.random() < P_SHARED_OUT:
        shares = members(rng, n_accounts, a, 1 + int(rng.random() * 3))
        if rng.random() < P_OUTSIDER:
            shares = sorted(set(shares) | {pick(rng, OUTSIDERS)})
    parts.append('"Permissions":[' + ",".join(f'{{"SharedAccountId":"{s}"}}' for s in shares) + "]")
    return ("workspaces_image", iid, "{" + ",".join(parts) + "}")


def ws_shared_in(rng, n_accounts, a, acct, region):
    owner = pick(rng, OUTSIDERS) if rng.random() < P_VENDOR else (members(rng, n_accounts, a, 1) or [acct])[0]
    iid = f"wsi-{rng.getrandbits(36):09x}"
    data = (f'{{"ImageId":"{iid}","Name":"vendor-desktop-{iid[4:8]}","Description":"Desktop image shared by {owner}",'
            f'"OperatingSystem":{{"Type":"WINDOWS"}},"State":"AVAILABLE","RequiredTenancy":"DEFAULT",'
            f'"Created":"{iso(rng, True)}","OwnerAccountId":"{owner}","Updates":{{"UpdateAvailable":false}},'
            f'"ImageType":"SHARED"}}')
    return ("workspaces_image", iid, data)


def builder(rng, acct, region, k):
    name = f"builder-{k:02d}"
    state = "FAILED" if rng.random() < P_BUILDER_FAILED else pick(rng, ["RUNNING", "RUNNING", "STOPPED"])
    internet = "true" if rng.random() < P_INTERNET else "false"
    parts = [f'"Name":"{name}","Arn":"arn:aws:appstream:{region}:{acct}:image-builder/{name}"',
             f'"InstanceType":"{pick(rng, BUILDER_TYPES)}","Platform":"{pick(rng, PLATFORMS)}","State":"{state}"',
             f'"CreatedTime":"{iso(rng, rng.random() < 0.5)}","EnableDefaultInternetAccess":{internet}',
             '"AppstreamAgentVersion":"1.1.1412"']
    if state == "FAILED":
        parts.append('"ImageBuilderErrors":[{"ErrorCode":"SUBNET_HAS_INSUFFICIENT_IP_ADDRESSES",'
                     '"ErrorMessage":"The builder failed to provision."}]')
    if rng.random() >= P_NO_ENDPOINT:
        parts.append(f'"AccessEndpoints":[{{"EndpointType":"STREAMING","VpceId":"vpce-{rng.getrandbits(68):017x}"}}]')
    return ("appstream_image_builder", name, "{" + ",".join(parts) + "}")


def as_private(rng, n_accounts, a, acct, region, k):
    name = f"apps-{k:02d}"
    shares = members(rng, n_accounts, a, 1 + int(rng.random() * 2))
    if rng.random() < P_OUTSIDER * P_SHARED_OUT:
        shares = sorted(set(shares) | {pick(rng, OUTSIDERS)})
    perms = ",".join(f'{{"sharedAccountId":"{s}","imagePermissions":{{"allowFleet":true,"allowImageBuilder":false}}}}'
                     for s in shares)
    data = (f'{{"Name":"{name}","Arn":"arn:aws:appstream:{region}:{acct}:image/{name}",'
            f'"State":"AVAILABLE","Platform":"{pick(rng, PLATFORMS)}","Visibility":"PRIVATE","ImageType":"PRIVATE",'
            f'"CreatedTime":"{iso(rng, rng.random() < 0.5)}","OwnerAccountId":"{acct}","Permissions":[{perms}]}}')
    return ("appstream_image", name, data)


def as_shared_in(rng, n_accounts, a, acct, region, k):
    owner = pick(rng, OUTSIDERS) if rng.random() < P_VENDOR else (members(rng, n_accounts, a, 1) or [acct])[0]
    name = f"partner-apps-{k:02d}"
    data = (f'{{"Name":"{name}","Arn":"arn:aws:appstream:{region}:{owner}:image/{name}",'
            f'"State":"AVAILABLE","Platform":"WINDOWS_SERVER_2022","Visibility":"SHARED","ImageType":"SHARED",'
            f'"CreatedTime":"{iso(rng, True)}","OwnerAccountId":"{owner}"}}')
    return ("appstream_image", name, data)


def group(rng, n_accounts, a, region, n):
    """The first n of an account's resources in one region, in the snapshot's order (type, id)."""
    acct = account_id(a)
    items = [ws_owned(rng, n_accounts, a, acct, region, k) for k in range(6)]
    items.append(ws_shared_in(rng, n_accounts, a, acct, region))
    items.append(builder(rng, acct, region, 1))
    items.append(as_private(rng, n_accounts, a, acct, region, 1))
    items.append(as_shared_in(rng, n_accounts, a, acct, region, 1))
    items = items[:n]
    items.sort(key=lambda t: (t[0], t[1]))
    return [f'{{"type":"{t}","account":"{acct}","region":"{region}","id":"{i}","data":{d}}}' for t, i, d in items]


def write(fp, n_resources, seed):
    rng = random.Random(seed)
    per_account = PER_REGION * len(REGIONS)
    n_accounts = max(1, -(-n_resources // per_account))
    regions = "[" + ",".join(f'"{r}"' for r in REGIONS) + "]"
    mgmt = account_id(0)
    w = fp.write
    w("{\n")
    w('  "schema": "imgaudit.snapshot",\n  "schema_version": 1,\n  "tool_version": "0.1.0",\n')
    w('  "started_at": "2026-11-30T02:00:00Z",\n  "finished_at": "2026-11-30T02:41:07Z",\n')
    errors = [a for a in range(n_accounts) if a % 400 == 17]
    w(f'  "complete": {"false" if errors else "true"},\n')
    w(f'  "caller": {{"account":"{mgmt}","arn":"arn:aws:iam::{mgmt}:user/imgaudit-ci","user_id":"AIDABENCHCALLER"}},\n')
    w(f'  "partition": "aws",\n  "regions": {regions},\n')
    w('  "accounts": [')
    w(",".join(f'{{"id":"{account_id(a)}","name":"workload-{a:05d}",'
               f'"role_arn":"arn:aws:iam::{account_id(a)}:role/ImgAuditRole","regions":{regions}}}'
               for a in range(n_accounts)))
    w("],\n")
    # Members: the collected accounts, and one SUSPENDED member in 250 (ids between theirs, never collected).
    w(f'  "organizations": [\n    {{"id":"o-bench00001","management_account":"{mgmt}","accounts":[\n')
    lines = []
    for a in range(n_accounts):
        lines.append(f'      {{"id":"{account_id(a)}","name":"workload-{a:05d}","state":"ACTIVE"}}')
        if a % 250 == 249:
            lines.append(f'      {{"id":"{MANAGEMENT + a * 13 + 1:012d}","name":"retired-{a:05d}","state":"SUSPENDED"}}')
    w(",\n".join(lines) + "\n    ]}\n  ],\n")
    w('  "resources": [\n')
    left, first = n_resources, True
    for a in range(n_accounts):
        for region in REGIONS:
            if left <= 0:
                break
            n = min(PER_REGION, left)
            left -= n
            chunk = ",\n    ".join(group(rng, n_accounts, a, region, n))
            w(("    " if first else ",\n    ") + chunk)
            first = False
    w("\n  ],\n" if not first else "  ],\n")
    w('  "errors": [\n')
    w(",\n".join(f'    {{"account":"{account_id(a)}","region":"eu-west-1","service":"appstream",'
                 f'"operation":"DescribeImagePermissions","resource":"apps-01","code":"ThrottlingException",'
                 f'"message":"Rate exceeded","http_status":400}}' for a in errors))
    w("\n  ]\n}\n" if errors else "  ]\n}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, required=True, help="number of resources (1 to 50,000,000)")
    ap.add_argument("--seed", type=int, default=13, help="seed of the draws (default 13)")
    ap.add_argument("-o", "--output", required=True, help="the snapshot to write ('-': stdout)")
    args = ap.parse_args()
    if not 1 <= args.resources <= 50_000_000:
        ap.error("--resources must be 1 to 50,000,000")
    if args.output == "-":
        write(sys.stdout, args.resources, args.seed)
        return
    with open(args.output, "w", encoding="ascii", newline="\n", buffering=1 << 20) as fp:
        write(fp, args.resources, args.seed)


if __name__ == "__main__":
    main()
