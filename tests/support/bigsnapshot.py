#!/usr/bin/env python3
"""Writes a large synthetic snapshot (imgaudit.snapshot v1) for tests that need evaluate to take seconds.

usage: bigsnapshot.py N OUT   N resources, spread over 100 accounts and two regions, a third of them
WorkSpaces images shared with an untrusted account, so that rules fail and reports are large.
"""
import json
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    accounts = [f"{100000000000 + i:012d}" for i in range(100)]
    regions = ["eu-west-1", "us-east-1"]
    with open(out, "w") as fp:
        fp.write(json.dumps({
            "schema": "imgaudit.snapshot", "schema_version": 1, "tool_version": "0.1.0",
            "started_at": "2026-11-25T02:00:00Z", "finished_at": "2026-11-25T02:03:12Z", "complete": True,
            "caller": {"account": accounts[0], "arn": f"arn:aws:iam::{accounts[0]}:user/auditor", "user_id": "AIDA"},
            "partition": "aws", "regions": regions,
            "accounts": [{"id": a, "name": f"acct-{a}", "role_arn": None, "regions": regions} for a in accounts],
        })[:-1])
        fp.write(', "resources": [\n')
        for i in range(n):
            account, region = accounts[i % len(accounts)], regions[i % 2]
            image_id = f"wsi-{i:09d}"
            data = {"ImageId": image_id, "Name": f"image {i}", "ImageType": "OWNED", "State": "AVAILABLE",
                    "RequiredTenancy": "DEDICATED" if i % 3 == 0 else "DEFAULT", "Created": "2019-01-05T10:00:00Z",
                    "Updates": {"UpdateAvailable": i % 5 == 0},
                    "Permissions": [{"SharedAccountId": "999999999999"}] if i % 3 == 0 else []}
            rec = {"type": "workspaces_image", "account": account, "region": region, "id": image_id, "data": data}
            fp.write(("," if i else "") + json.dumps(rec) + "\n")
        fp.write('], "errors": []}\n')


if __name__ == "__main__":
    main()
