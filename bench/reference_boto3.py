#!/usr/bin/env python3
"""The boto3 reference for bench/collect_fleet.sh: what `imgaudit collect --org --role-name R
--regions ... --concurrency C` does, written the way users write it with boto3.

Organizations ListAccounts (paginator), then a ThreadPoolExecutor(max_workers=C) over the ACTIVE
accounts: AssumeRole into each (the caller's own account with the caller's credentials), then per
region, with clients made from a boto3 Session per worker thread (boto3's advice for threads; a
Session per account, also common, costs about 0.17 s of CPU more per account) and the account's
credentials, DescribeWorkspaceImages (OWNED, SHARED; paginator) with
DescribeWorkspaceImagePermissions for each owned image, DescribeImageBuilders (paginator),
DescribeImages (PRIVATE, SHARED; paginator) with DescribeImagePermissions for each private image
(the permission calls have no paginator: NextToken by hand). botocore's standard retry mode;
AWS_MAX_ATTEMPTS, AWS_ENDPOINT_URL and the credentials come from the environment, as for any boto3
program. A call that still fails is recorded, per account, region and service, and the rest goes on.

Writes {"resources": [[type, account, region, id, permissions]], "errors": [...]} to -o, where
permissions is the number of sharing permissions (owned and private images) or null.
"""

import argparse
import concurrent.futures
import json
import sys
import threading

import boto3
import botocore.exceptions
from botocore.config import Config


def all_pages(call, **kw):
    """Follow NextToken for an operation that has no paginator."""
    while True:
        page = call(**kw)
        yield page
        if not page.get("NextToken"):
            return
        kw["NextToken"] = page["NextToken"]


_THREAD = threading.local()


def thread_session():
    """This worker thread's boto3 Session: Sessions are not thread-safe, clients are."""
    if not hasattr(_THREAD, "session"):
        _THREAD.session = boto3.session.Session()
    return _THREAD.session


def images(client, operation, type_param, types, own, key, permissions, permissions_list):
    """(name or id, number of permissions) of every image of the listings; own images' permissions
    are read, every page of them."""
    for kind in types:
        for page in client.get_paginator(operation).paginate(**{type_param: kind}):
            for img in page["Images"]:
                n = None
                if kind == own:
                    n = sum(len(p[permissions_list]) for p in all_pages(permissions, **{key: img[key]}))
                yield img[key], n


def workspaces_resources(ws):
    for image_id, n in images(ws, "describe_workspace_images", "ImageType", ("OWNED", "SHARED"), "OWNED", "ImageId", ws.describe_workspace_image_permissions, "ImagePermissions"):
        yield "workspaces_image", image_id, n


def appstream_resources(ap):
    for page in ap.get_paginator("describe_image_builders").paginate():
        for b in page["ImageBuilders"]:
            yield "appstream_image_builder", b["Name"], None
    for name, n in images(ap, "describe_images", "Type", ("PRIVATE", "SHARED"), "PRIVATE", "Name", ap.describe_image_permissions, "SharedImagePermissionsList"):
        yield "appstream_image", name, n


def collect_region(creds, account, region, config, out, errors):
    session = thread_session()
    for service, resources in (("workspaces", workspaces_resources), ("appstream", appstream_resources)):
        client = session.client(service, region_name=region, config=config, **creds)
        try:
            for rtype, rid, n in resources(client):
                out.append([rtype, account, region, rid, n])
        except botocore.exceptions.ClientError as exc:
            errors.append([account, region, service, exc.operation_name, exc.response["Error"]["Code"]])
        finally:
            client.close()


def collect_account(account, caller_account, sts, args, config):
    out, errors = [], []
    creds = {}  # the caller's own account: the caller's credentials, from the environment
    if account != caller_account:
        arn = f"arn:aws:iam::{account}:role/{args.role_name}"
        try:
            c = sts.assume_role(RoleArn=arn, RoleSessionName=args.session_name)["Credentials"]
        except botocore.exceptions.ClientError as exc:
            return out, [[account, None, "sts", "AssumeRole", exc.response["Error"]["Code"]]]
        creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}
    for region in args.regions.split(","):
        collect_region(creds, account, region, config, out, errors)
    return out, errors


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--role-name", required=True)
    ap.add_argument("--regions", required=True, help="comma-separated")
    ap.add_argument("--region", default="us-east-1", help="region of the STS client (default us-east-1)")
    ap.add_argument("--concurrency", type=int, default=16, help="ThreadPoolExecutor max_workers (default 16)")
    ap.add_argument("--session-name", default="imgaudit")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    config = Config(retries={"mode": "standard"})
    org = boto3.client("organizations", region_name="us-east-1", config=config)
    sts = boto3.client("sts", region_name=args.region, config=config)
    caller_account = sts.get_caller_identity()["Account"]
    accounts = [a["Id"] for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"] if a["Status"] == "ACTIVE"]
    resources, errors = [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(collect_account, a, caller_account, sts, args, config) for a in accounts]
        for f in concurrent.futures.as_completed(futures):
            out, errs = f.result()
            resources += out
            errors += errs
    resources.sort(key=lambda r: r[:4])
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump({"accounts": len(accounts), "resources": resources, "errors": sorted(errors, key=str)}, f)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
