"""Snapshots for tests/it_outputs.sh.

small SNAP WAIVERS   two accounts, two regions, the image id wsi-0000000001 in three places, hostile names,
                     one account named only in the Organization, a waiver file, one collection error
small-reversed SNAP  the same resources in the opposite order (no waiver file)
small-empty SNAP     the same accounts without resources: its results are a baseline against which every
                     failure of small is new
big SNAP BASE        thousands of failing images over 40 accounts and 3 regions, 25 collection errors;
                     BASE holds a third of them, so that most failures are new against its results
"""
import json
import sys

A, B = "111122223333", "444455556666"
HOSTILE = [
    '=HYPERLINK("http://evil.example/","click")',
    'a,b "quoted"\r\nsecond line',
    "+1-2",
    "@SUM(A1)",
    "-minus",
    "\ttabbed",
    "| pipe | <b>bold</b> & *star* [link](http://x) # heading <script>x</script>",
]


def image(account, region, image_id, name, created="2020-01-01T00:00:00Z"):
    return {"type": "workspaces_image", "account": account, "region": region, "id": image_id,
            "data": {"ImageId": image_id, "Name": name, "Description": name, "ImageType": "OWNED",
                     "RequiredTenancy": "DEDICATED", "State": "ERROR", "ErrorMessage": name,
                     "OwnerAccountId": account, "Created": created,
                     "Updates": {"UpdateAvailable": True, "Description": name},
                     "Permissions": [{"SharedAccountId": "999988887777"}]}}


def snapshot(accounts, regions, resources, errors, org_members):
    return {"schema": "imgaudit.snapshot", "schema_version": 1, "tool_version": "0.1.0",
            "started_at": "2026-11-25T01:00:00Z", "finished_at": "2026-11-25T01:01:00Z",
            "complete": not errors,
            "caller": {"account": A, "arn": f"arn:aws:iam::{A}:user/a", "user_id": "A"},
            "partition": "aws", "regions": regions,
            "accounts": [{"id": a, "name": n, "role_arn": None, "regions": regions} for a, n in accounts],
            "organizations": [{"id": "o-a1b2c3d4e5", "management_account": A,
                               "accounts": [{"id": a, "name": n, "state": "ACTIVE"} for a, n in org_members]}],
            "resources": resources, "errors": errors}


def error(account, region, code):
    return {"account": account, "region": region, "service": "workspaces", "operation": "DescribeWorkspaceImages",
            "code": code, "message": "Rate exceeded", "http_status": 400}


def small():
    resources = [image(A, "eu-west-1", "wsi-0000000001", HOSTILE[0]),
                 image(A, "us-east-1", "wsi-0000000001", HOSTILE[1]),
                 image(B, "eu-west-1", "wsi-0000000001", HOSTILE[2])]
    for i, name in enumerate(HOSTILE[3:]):
        resources.append(image(B, "us-east-1", f"wsi-00000001{i:02d}", name))
    resources.append(image(A, "eu-west-1", "wsi-0000000002", "waived-one"))
    return snapshot([(A, "=cmd|' /C calc'!A0"), (B, None)], ["eu-west-1", "us-east-1"], resources,
                    [error(B, "us-east-1", "<b>Throttling</b> | x")],
                    [(A, "org-name-not-used"), (B, 'desktops, "dev"\nteam')])


WAIVERS = """waivers:
  - rule: workspaces-image-stale
    resource: wsi-0000000002
    account: "111122223333"
    reason: Rebuilt monthly, "gold" image
    owner: desktop-team
    expires: 2027-01-31
"""


def big(fraction):
    accounts = [f"{100000000000 + i:012d}" for i in range(40)]
    regions = ["eu-west-1", "us-east-1", "ap-southeast-2"]
    resources = []
    for a in accounts:
        for r in regions:
            for i in range(int(30 * fraction)):
                resources.append(image(a, r, f"wsi-{i:010d}", f"img-{i}"))
    errors = [error(accounts[i], "ap-southeast-2", "Throttling") for i in range(25)]
    return snapshot([(a, f"team-{a[-3:]}") for a in accounts], regions, resources, errors, [])


def main():
    mode = sys.argv[1]
    if mode == "small":
        json.dump(small(), open(sys.argv[2], "w"))
        open(sys.argv[3], "w").write(WAIVERS)
    elif mode == "small-reversed":
        snap = small()
        snap["resources"].reverse()
        json.dump(snap, open(sys.argv[2], "w"))
    elif mode == "small-empty":
        snap = small()
        snap["resources"] = []
        json.dump(snap, open(sys.argv[2], "w"))
    elif mode == "big":
        json.dump(big(1), open(sys.argv[2], "w"))
        json.dump(big(1 / 3), open(sys.argv[3], "w"))
    else:
        sys.exit(f"unknown mode {mode}")


main()
