"""Builds WorkSpaces images in several moto accounts through the API, then reads them back with boto3.

Usage: moto_fleet.py URL KEY_ID SECRET OUT_ACCOUNTS_YAML > expected.json
The server must start with authentication off (moto_setup.py made the caller's key). Account
123456789012 is the caller's; 222222222222 and 333333333333 get an "Auditor" role that the caller
assumes. Images are made the only way the API allows (directory -> WorkSpace -> CreateWorkspaceImage),
some are shared with UpdateWorkspaceImagePermission. Then authentication is switched on (moto's
reset-auth), and what boto3 reads back is printed as snapshot-shaped resources:
{account, region, type, id, data} with ImageType and Permissions.
moto_fix_fleet.py builds its own fleet with these functions (after connect()).
"""
import json
import sys
import urllib.request

import boto3

URL = KEY = SECRET = None  # set by connect()
REGION = "us-east-1"
CALLER = "123456789012"
OTHERS = ["222222222222", "333333333333"]


def connect(url, key, secret):
    global URL, KEY, SECRET
    URL, KEY, SECRET = url, key, secret


def session_for(account, role="Auditor"):
    base = boto3.Session(aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION)
    if account == CALLER:
        return base
    creds = base.client("sts", endpoint_url=URL).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="fixture")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=REGION)


ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CALLER}:root"}, "Action": "sts:AssumeRole"}]})


def build(account, n_images, share_with, roles=None):
    """Builds n_images images in account, image i shared with the accounts share_with[i]; in an account other
    than the caller's, creates roles (name -> policy document; default an allow-all Auditor) that the caller
    may assume. Returns the image ids."""
    s = session_for(account)  # authentication is still off: any role name is assumed
    if account != CALLER:
        # With authentication on, moto authorizes an assumed role by the role's own policies.
        iam = s.client("iam", endpoint_url=URL)
        for name, policy in (roles or {"Auditor": ALLOW_ALL}).items():
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=policy)
    ec2 = s.client("ec2", endpoint_url=URL)
    ds = s.client("ds", endpoint_url=URL)
    ws = s.client("workspaces", endpoint_url=URL)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    directory = ds.create_directory(Name=f"corp{account}.example.com", Password="Passw0rd!Passw0rd", Size="Small",
                                    VpcSettings={"VpcId": vpc, "SubnetIds": subnets})["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory, SubnetIds=subnets)
    images = []
    for i in range(n_images):
        wsid = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": f"user{i}",
                                                 "BundleId": "wsb-12345678"}])["PendingRequests"][0]["WorkspaceId"]
        image = ws.create_workspace_image(Name=f"golden-{account[-4:]}-{i:02d}", Description=f"image {i}",
                                          WorkspaceId=wsid)["ImageId"]
        images.append(image)
    for image, targets in zip(images, share_with):
        for target in targets:
            ws.update_workspace_image_permission(ImageId=image, AllowCopyImage=True, SharedAccountId=target)
    return images


def authenticate():
    """From here on moto checks every signature and every permission."""
    urllib.request.urlopen(urllib.request.Request(URL + "/moto-api/reset-auth", data=b"0", method="POST",
                                                  headers={"Content-Type": "text/plain"})).read()


def iso(dt):
    # The snapshot writes epoch seconds as ISO-8601 UTC, with milliseconds when there is a fraction.
    ms = round(dt.microsecond / 1000)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{ms:03d}Z" if ms else f"{base}Z"


def read(account):
    ws = session_for(account).client("workspaces", endpoint_url=URL)
    out = []
    for image_type in ("OWNED", "SHARED"):
        for page in ws.get_paginator("describe_workspace_images").paginate(ImageType=image_type):
            for image in page["Images"]:
                data = dict(image)
                if "Created" in data:
                    data["Created"] = iso(data["Created"])
                data["ImageType"] = image_type
                if image_type == "OWNED":
                    perms = ws.describe_workspace_image_permissions(ImageId=image["ImageId"])["ImagePermissions"]
                    data["Permissions"] = sorted(perms, key=lambda p: p["SharedAccountId"])
                out.append({"account": account, "region": REGION, "type": "workspaces_image",
                            "id": image["ImageId"], "data": data})
    return out


def main():
    url, key, secret, accounts_yaml = sys.argv[1:5]
    connect(url, key, secret)
    build(CALLER, 4, [["222222222222"], ["222222222222", "333333333333"], [], []])
    build("222222222222", 3, [["123456789012"], [], []])
    build("333333333333", 2, [[], []])
    authenticate()

    with open(accounts_yaml, "w") as f:
        f.write("accounts:\n")
        f.write(f'  - id: "{CALLER}"\n    name: caller\n')
        for a in OTHERS:
            f.write(f'  - id: "{a}"\n    role_arn: arn:aws:iam::{a}:role/Auditor\n')

    resources = []
    for a in [CALLER] + OTHERS:
        resources += read(a)
    resources.sort(key=lambda r: (r["account"], r["region"], r["type"], r["id"]))
    json.dump({"resources": resources}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
