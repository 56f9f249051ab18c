#!/usr/bin/env python3
"""Generate the fixture fleets (fleets/test.json, fleets/demo.json) deterministically.

The generated files are committed so a reader can see the data; this script is how
they are made and changed. `fleetgen.py --check` fails if a committed file differs from
what the script makes (the self-test runs it).

test: 5 reachable accounts in an Organization (root, nested OUs) plus suspended/closing
ones and an outside vendor, two regions, 100+ WorkSpaces images (one account has 32 OWNED in one
region, so MaxResults=25 paging matters), permissions over several pages, AppStream
builders and images, one account whose AssumeRole is denied, one that needs an
ExternalId, and one region where AppStream answers AccessDenied.

demo: a small, realistic Organization of 4 accounts for the README's demo audit.

bench (not committed; `fleetgen.py --bench-accounts N --bench-regions R -o FILE`): an Organization
of N accounts, each with about 12 resources per region, for bench/collect_fleet.sh.
"""

import argparse
import hashlib
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FLEET_DIR = os.path.join(HERE, "fleets")

ROLE = "ImgAuditRole"
ERROR_DETAIL_CODES = [
    ("OfficeInstalled", "Microsoft Office is installed; uninstall it before creating a BYOL image."),
    ("PendingReboot", "A restart is pending; restart the instance and try again."),
    ("AntiVirusInstalled", "Third-party antivirus software is installed."),
    ("WindowsUpdatesEnabled", "Windows Update is enabled; disable it before importing."),
    ("DiskSizeExceeded", "The root volume exceeds 70 GB."),
    ("InsufficientRearmCount", "The Windows rearm count is 0."),
]
PUBLIC_BASES = [
    ("AppStream-WinServer2019-06-17-2024", "WINDOWS_SERVER_2019", "2024-06-17T00:00:00Z"),
    ("AppStream-WinServer2022-09-03-2024", "WINDOWS_SERVER_2022", "2024-09-03T00:00:00Z"),
    ("AppStream-AmazonLinux2-03-15-2024", "AMAZON_LINUX2", "2024-03-15T00:00:00Z"),
]


def wsi(*parts):
    return "wsi-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:9]


def iso(rng, start_year, end_year, ms=None):
    y = rng.randint(start_year, end_year)
    mo, d = rng.randint(1, 12), rng.randint(1, 28)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    text = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}"
    if ms is None:
        ms = rng.random() < 0.5
    if ms:
        text += f".{rng.randint(1, 999):03d}"
    return text + "Z"


def ws_image(rng, account, region, idx, prefix, **kw):
    """One WorkSpaces image in the full API shape; kw overrides the drawn fields."""
    os_type = kw.pop("os", rng.choice(["WINDOWS", "WINDOWS", "LINUX"]))
    state = kw.pop("state", "AVAILABLE")
    img = {
        "ImageId": wsi(account, region, prefix, str(idx)),
        "Name": f"{prefix}-{'win' if os_type == 'WINDOWS' else 'al2'}-{idx:03d}",
        "Description": f"{prefix} image {idx} built by the desktop team",
        "OperatingSystem": {"Type": os_type},
        "State": state,
        "RequiredTenancy": kw.pop("tenancy", "DEFAULT"),
        "Created": kw.pop("created", iso(rng, 2019, 2025)),
        "OwnerAccountId": account,
    }
    if rng.random() < 0.15:
        del img["Description"]  # optional in the model, and absent in real answers
    if state == "ERROR":
        code, msg = rng.choice(ERROR_DETAIL_CODES)
        img["ErrorCode"] = "InvalidImage"
        img["ErrorMessage"] = "The image failed validation."
        img["ErrorDetails"] = [{"ErrorCode": code, "ErrorMessage": msg}]
        if rng.random() < 0.5:
            code2, msg2 = rng.choice([c for c in ERROR_DETAIL_CODES if c[0] != code])
            img["ErrorDetails"].append({"ErrorCode": code2, "ErrorMessage": msg2})
    updates = kw.pop("updates", rng.choice([None, None, False, True]))
    if updates is not None:
        img["Updates"] = {"UpdateAvailable": updates}
        if updates:
            img["Updates"]["Description"] = "Updated drivers and WorkSpaces agent are available."
    img.update(kw)
    return img


def builder(rng, account, region, name, **kw):
    platform = kw.pop("platform", rng.choice(["WINDOWS_SERVER_2019", "WINDOWS_SERVER_2022", "AMAZON_LINUX2"]))
    state = kw.pop("state", rng.choice(["RUNNING", "RUNNING", "STOPPED"]))
    base = {"AMAZON_LINUX2": PUBLIC_BASES[2][0], "WINDOWS_SERVER_2022": PUBLIC_BASES[1][0]}.get(platform, PUBLIC_BASES[0][0])
    b = {
        "Name": name,
        "Arn": f"arn:aws:appstream:{region}:{account}:image-builder/{name}",
        "ImageArn": f"arn:aws:appstream:{region}::image/{base}",
        "Description": f"Image builder {name}",
        "DisplayName": name.replace("-", " ").title(),
        "VpcConfig": {
            "SubnetIds": [f"subnet-{hashlib.sha256((account + name).encode()).hexdigest()[:17]}"],
            "SecurityGroupIds": [f"sg-{hashlib.sha256((name + account).encode()).hexdigest()[:17]}"],
        },
        "InstanceType": rng.choice(["stream.standard.medium", "stream.standard.large", "stream.graphics.g4dn.xlarge"]),
        "Platform": platform,
        "IamRoleArn": f"arn:aws:iam::{account}:role/AppStreamBuilderRole",
        "State": state,
        "CreatedTime": iso(rng, 2021, 2025),
        "EnableDefaultInternetAccess": kw.pop("internet", rng.random() < 0.3),
        "NetworkAccessConfiguration": {
            "EniPrivateIpAddress": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(4, 250)}",
            "EniId": f"eni-{hashlib.sha256(name.encode()).hexdigest()[:17]}",
        },
        "AppstreamAgentVersion": kw.pop("agent", rng.choice(["1.1.1220", "1.1.1300", "1.1.1412"])),
        "LatestAppstreamAgentVersion": "FALSE",
        "RootVolumeConfig": {"VolumeSizeInGb": rng.choice([200, 300])},
        "DisableIMDSV1": rng.random() < 0.5,
    }
    b["LatestAppstreamAgentVersion"] = "TRUE" if b["AppstreamAgentVersion"] == "1.1.1412" else "FALSE"
    if kw.pop("domain", rng.random() < 0.5):
        b["DomainJoinInfo"] = {"DirectoryName": "corp.example.com", "OrganizationalUnitDistinguishedName": "OU=AppStream,DC=corp,DC=example,DC=com"}
    if kw.pop("endpoints", rng.random() < 0.5):
        b["AccessEndpoints"] = [{"EndpointType": "STREAMING", "VpceId": f"vpce-{hashlib.sha256((region + name).encode()).hexdigest()[:17]}"}]
    if state == "FAILED":
        b["StateChangeReason"] = {"Code": "INTERNAL_ERROR", "Message": "The image builder could not be started."}
        b["ImageBuilderErrors"] = [
            {
                "ErrorCode": rng.choice(["IAM_SERVICE_ROLE_IS_MISSING", "SUBNET_HAS_INSUFFICIENT_IP_ADDRESSES", "DOMAIN_JOIN_ERROR_ACCESS_DENIED"]),
                "ErrorMessage": "The builder failed to provision.",
                "ErrorTimestamp": iso(rng, 2024, 2025, ms=True),
            }
        ]
    elif state == "STOPPED":
        b["StateChangeReason"] = {"Code": "IMAGE_UNAVAILABLE", "Message": "Stopped by an administrator."}
    b.update(kw)
    return b


def as_image(rng, account, region, name, **kw):
    platform = kw.pop("platform", rng.choice(["WINDOWS_SERVER_2019", "WINDOWS_SERVER_2022"]))
    state = kw.pop("state", "AVAILABLE")
    base = PUBLIC_BASES[1] if platform == "WINDOWS_SERVER_2022" else PUBLIC_BASES[0]
    img = {
        "Name": name,
        "Arn": f"arn:aws:appstream:{region}:{account}:image/{name}",
        "BaseImageArn": f"arn:aws:appstream:{region}::image/{base[0]}",
        "DisplayName": name.replace("-", " ").title(),
        "State": state,
        "ImageBuilderSupported": True,
        "ImageBuilderName": f"{name}-builder",
        "Platform": platform,
        "Description": f"Application image {name}",
        "Applications": [
            {
                "Name": "Notepad",
                "DisplayName": "Notepad",
                "IconURL": "https://example.com/icons/notepad.png",
                "LaunchPath": "C:\\Windows\\System32\\notepad.exe",
                "Enabled": True,
                "Metadata": {},
                "Platforms": [platform],
                "InstanceFamilies": ["GENERAL_PURPOSE"],
            }
        ],
        "CreatedTime": kw.pop("created", iso(rng, 2021, 2025)),
        "PublicBaseImageReleasedDate": base[2],
        "AppstreamAgentVersion": rng.choice(["1.1.1220", "1.1.1412"]),
        "LatestAppstreamAgentVersion": "FALSE",
        "SupportedInstanceFamilies": ["GENERAL_PURPOSE", "GRAPHICS_G4"],
        "DynamicAppProvidersEnabled": "DISABLED",
        # The API's own image type (CUSTOM/NATIVE): a collector must pass it through untouched.
        "ImageType": kw.pop("image_type", "CUSTOM" if name.endswith("2") else "NATIVE"),
    }
    if state == "FAILED":
        img["StateChangeReason"] = {"Code": "IMAGE_BUILDER_NOT_AVAILABLE", "Message": "The image builder stopped while snapshotting."}
        img["ImageErrors"] = [{"ErrorCode": "INTERNAL_SERVICE_ERROR", "ErrorMessage": "Snapshot failed.", "ErrorTimestamp": iso(rng, 2024, 2025, ms=True)}]
    img.update(kw)
    return img


def public_images(region):
    out = []
    for name, platform, released in PUBLIC_BASES:
        out.append(
            {
                "Name": name,
                "Arn": f"arn:aws:appstream:{region}::image/{name}",
                "DisplayName": name.replace("-", " "),
                "State": "AVAILABLE",
                "ImageBuilderSupported": True,
                "Platform": platform,
                "Description": "AppStream 2.0 base image",
                "CreatedTime": released,
                "PublicBaseImageReleasedDate": released,
                "AppstreamAgentVersion": "1.1.1412",
            }
        )
    return out


def perm(account, fleet=True, builder=False):
    return {"sharedAccountId": account, "imagePermissions": {"allowFleet": fleet, "allowImageBuilder": builder}}


def make_test():
    rng = random.Random(20240611)
    mgmt, prod, dev, partner, labs = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
    suspended, closing, vendor = "666666666666", "777777777777", "888888888888"
    untrusted, outsider = "999999999999", "123456789012"
    regions = ["us-east-1", "eu-west-1"]
    many = [f"10{i:010d}" for i in range(1, 21)]  # 20 accounts: 3 pages at the default page size

    def acct(aid, name, joined, **kw):
        a = {"id": aid, "name": name, "email": f"aws+{name}@example.com", "status": "ACTIVE", "joined_method": "CREATED", "joined": joined}
        a.update(kw)
        a.setdefault("roles", [])
        a.setdefault("regions", {})
        return a

    # The Organization's tree: root r-a1b2 holds the management account and the partner; Workloads holds Prod
    # and Dev (nested OUs); Labs and Suspended hang off the root.
    root, workloads, prod_ou, dev_ou = "r-a1b2", "ou-a1b2-wrkloads", "ou-a1b2-prodacct", "ou-a1b2-devaccts"
    labs_ou, suspended_ou = "ou-a1b2-labsaccts", "ou-a1b2-suspendd1"
    units = [
        {"id": workloads, "name": "Workloads", "parent": root},
        {"id": prod_ou, "name": "Prod", "parent": workloads},
        {"id": dev_ou, "name": "Dev", "parent": workloads},
        {"id": labs_ou, "name": "Labs", "parent": root},
        {"id": suspended_ou, "name": "Suspended", "parent": root},
    ]
    accounts = {
        mgmt: acct(mgmt, "imgaudit-mgmt", "2018-02-01T09:00:00Z", joined_method="CREATED",
                   roles=[{"name": "ImgAuditWebRole", "trusted_accounts": [mgmt], "web_identity_tokens": ["oidc-token-for-imgaudit-ci"]}]),
        prod: acct(prod, "desktops-prod", "2019-05-14T12:30:00.250Z", roles=[{"name": ROLE}], parent=prod_ou),
        dev: acct(dev, "desktops-dev", "2020-01-20T08:15:00Z", roles=[{"name": ROLE, "external_id": "imgaudit-7f3a9c"}], parent=dev_ou,
                  denials=[{"service": "appstream", "region": "eu-west-1", "code": "AccessDeniedException"}]),
        partner: acct(partner, "partner-sandbox", "2021-07-07T07:07:07Z", joined_method="INVITED", roles=[{"name": ROLE, "deny": True}]),
        labs: acct(labs, "streaming-labs", "2022-03-03T03:03:03.003Z", roles=[{"name": ROLE}], parent=labs_ou),
        suspended: acct(suspended, "legacy-suspended", "2018-11-11T11:11:11Z", status="SUSPENDED", roles=[{"name": ROLE}], parent=suspended_ou),
        closing: acct(closing, "retiring-closing", "2019-09-09T09:09:09Z", status="PENDING_CLOSURE", roles=[{"name": ROLE}], parent=prod_ou),
        vendor: acct(vendor, "vendor-golden-images", "2020-06-06T06:06:06Z", in_org=False),
    }

    def region(aid, r):
        return accounts[aid]["regions"].setdefault(r, {})

    def add_ws(aid, r, images, perms=None):
        rd = region(aid, r)
        rd.setdefault("workspaces_images", []).extend(images)
        if perms:
            rd.setdefault("workspaces_image_permissions", {}).update(perms)

    # Management account: a few images of its own (collected without a role).
    imgs = [ws_image(rng, mgmt, "us-east-1", i, "mgmt") for i in range(8)]
    add_ws(mgmt, "us-east-1", imgs, {imgs[0]["ImageId"]: [prod, dev]})
    add_ws(mgmt, "eu-west-1", [ws_image(rng, mgmt, "eu-west-1", i, "mgmt") for i in range(5)])

    # desktops-prod: 32 OWNED in eu-west-1 (more than MaxResults=25), with every rule-relevant state.
    imgs = []
    for i in range(32):
        kw = {}
        if i == 1:
            kw = {"tenancy": "DEDICATED", "os": "WINDOWS", "updates": True}  # BYOL, shared, outdated
        elif i in (2, 3):
            kw = {"state": "ERROR", "os": "WINDOWS"}
        elif i == 4:
            kw = {"created": "2018-03-01T10:00:00Z", "updates": True}  # very old
        elif i == 5:
            kw = {"state": "PENDING"}
        elif i == 6:
            kw = {"FutureField": {"Kind": "passthrough-check", "Values": [1, 2, 3]}}  # not in any model
        elif i in (7, 8):
            kw = {"tenancy": "DEDICATED", "os": "WINDOWS"}
        imgs.append(ws_image(rng, prod, "eu-west-1", i, "prod", **kw))
    perms = {
        imgs[0]["ImageId"]: many,  # permissions over several pages
        imgs[1]["ImageId"]: [dev, untrusted],  # BYOL DEDICATED shared to a fleet account and an outsider
        imgs[7]["ImageId"]: [dev, labs, mgmt],
        imgs[10]["ImageId"]: [outsider, suspended],  # a member that is SUSPENDED is still a member
        imgs[11]["ImageId"]: [partner],
    }
    add_ws(prod, "eu-west-1", imgs, perms)
    imgs = [ws_image(rng, prod, "us-east-1", i, "prod") for i in range(14)]
    add_ws(prod, "us-east-1", imgs, {imgs[0]["ImageId"]: [mgmt], imgs[2]["ImageId"]: many[:8]})

    # desktops-dev (ExternalId): images both sides, one shared back to prod.
    imgs = [ws_image(rng, dev, "eu-west-1", i, "dev", **({"state": "ERROR"} if i == 3 else {})) for i in range(12)]
    add_ws(dev, "eu-west-1", imgs, {imgs[0]["ImageId"]: [prod]})
    imgs = [ws_image(rng, dev, "us-east-1", i, "dev", **({"tenancy": "DEDICATED", "os": "WINDOWS"} if i == 1 else {})) for i in range(18)]
    add_ws(dev, "us-east-1", imgs, {imgs[1]["ImageId"]: [labs, untrusted]})

    # partner-sandbox (AssumeRole denied): its images still show up as SHARED in prod.
    imgs = [ws_image(rng, partner, "eu-west-1", i, "partner") for i in range(6)]
    add_ws(partner, "eu-west-1", imgs, {imgs[0]["ImageId"]: [prod], imgs[1]["ImageId"]: [prod, dev]})

    # streaming-labs.
    imgs = [ws_image(rng, labs, "us-east-1", i, "labs") for i in range(10)]
    add_ws(labs, "us-east-1", imgs, {imgs[4]["ImageId"]: [prod, dev]})
    add_ws(labs, "eu-west-1", [ws_image(rng, labs, "eu-west-1", i, "labs") for i in range(4)])

    # An outside vendor sharing golden images into the fleet (BYOL among them).
    for r in regions:
        imgs = [ws_image(rng, vendor, r, i, "vendor", **({"tenancy": "DEDICATED", "os": "WINDOWS"} if i == 0 else {})) for i in range(3)]
        add_ws(vendor, r, imgs, {imgs[0]["ImageId"]: [prod, dev, labs], imgs[1]["ImageId"]: [mgmt, prod]})

    # AppStream: builders.
    def add_builders(aid, r, names, special=None):
        rd = region(aid, r)
        special = special or {}
        rd["appstream_image_builders"] = [builder(rng, aid, r, n, **special.get(n, {})) for n in names]

    add_builders(mgmt, "us-east-1", ["mgmt-tools-builder", "mgmt-ops-builder"])
    add_builders(prod, "eu-west-1", [f"prod-builder-{i:02d}" for i in range(9)],
                 {"prod-builder-00": {"state": "RUNNING", "internet": True, "endpoints": False},
                  "prod-builder-01": {"state": "FAILED", "internet": False},
                  "prod-builder-02": {"state": "RUNNING", "internet": False, "endpoints": True, "domain": True}})
    add_builders(prod, "us-east-1", [f"prod-us-builder-{i}" for i in range(3)])
    add_builders(dev, "eu-west-1", ["dev-denied-builder"])  # AppStream is denied here: never served
    add_builders(dev, "us-east-1", [f"dev-builder-{i}" for i in range(4)], {"dev-builder-0": {"state": "FAILED"}, "dev-builder-1": {"internet": True, "endpoints": False}})
    add_builders(labs, "us-east-1", [f"labs-builder-{i:02d}" for i in range(12)], {"labs-builder-00": {"state": "FAILED"}, "labs-builder-03": {"internet": True}})

    # AppStream: images and their permissions.
    def add_images(aid, r, names, perms=None, special=None):
        rd = region(aid, r)
        special = special or {}
        rd["appstream_images"] = [as_image(rng, aid, r, n, **special.get(n, {})) for n in names]
        if perms:
            rd["appstream_image_permissions"] = perms

    add_images(mgmt, "us-east-1", ["mgmt-admin-apps", "mgmt-reporting"])
    add_images(prod, "eu-west-1", [f"prod-apps-{i:02d}" for i in range(10)],
               {"prod-apps-00": [perm(a, fleet=(i % 2 == 0), builder=(i % 3 == 0)) for i, a in enumerate(many[:10])],
                "prod-apps-01": [perm(untrusted, fleet=True, builder=True)],
                "prod-apps-02": [perm(labs), perm(dev, fleet=True, builder=True)]},
               {"prod-apps-05": {"state": "FAILED"}, "prod-apps-06": {"state": "PENDING"}})
    add_images(prod, "us-east-1", [f"prod-us-apps-{i}" for i in range(4)], {"prod-us-apps-0": [perm(labs)]})
    add_images(dev, "eu-west-1", ["dev-denied-apps"], {"dev-denied-apps": [perm(prod)]})
    add_images(dev, "us-east-1", [f"dev-apps-{i}" for i in range(3)])
    add_images(labs, "us-east-1", [f"labs-apps-{i}" for i in range(9)], {"labs-apps-0": [perm(prod), perm(dev)], "labs-apps-1": [perm(outsider, builder=True)]})
    add_images(vendor, "eu-west-1", ["vendor-cad-suite"], {"vendor-cad-suite": [perm(prod), perm(dev)]})
    add_images(vendor, "us-east-1", ["vendor-office-suite"], {"vendor-office-suite": [perm(labs, builder=True), perm(prod)]})

    order = [mgmt, prod, dev, partner, labs, suspended, closing, vendor]
    return {
        "fleet": "test",
        "description": "Collector test fleet: 5 reachable accounts, 2 regions, paging everywhere, every failure kind.",
        "partition": "aws",
        "regions": regions,
        "organization": {"id": "o-a1b2c3d4e5", "management_account": mgmt, "root": root, "units": units},
        "principals": [
            {"access_key_id": "AKIAFAKEIMGAUDITCI01", "secret_access_key": "fakeSecretKeyForImgauditCI/0000000000000", "account": mgmt, "user": "imgaudit-ci"},
            {"access_key_id": "AKIAFAKEMEMBERUSER02", "secret_access_key": "fakeSecretKeyForMemberUser/0000000000000", "account": prod, "user": "member-auditor"},
        ],
        "audit_targets": [
            {"id": mgmt, "name": "imgaudit-mgmt"},
            {"id": prod, "name": "desktops-prod", "role_arn": f"arn:aws:iam::{prod}:role/{ROLE}"},
            {"id": dev, "name": "desktops-dev", "role_arn": f"arn:aws:iam::{dev}:role/{ROLE}", "external_id": "imgaudit-7f3a9c"},
            {"id": partner, "name": "partner-sandbox", "role_arn": f"arn:aws:iam::{partner}:role/{ROLE}"},
            {"id": labs, "name": "streaming-labs", "role_arn": f"arn:aws:iam::{labs}:role/{ROLE}"},
        ],
        "accounts": [accounts[a] for a in order],
        "public_appstream_images": {r: public_images(r) for r in regions},
    }


def make_demo():
    rng = random.Random(42)
    mgmt, prod, dev, sandbox = "210987654321", "210987654322", "210987654323", "210987654324"
    contractor = "987654321098"
    regions = ["us-east-1", "eu-central-1"]

    def acct(aid, name, joined, **kw):
        a = {"id": aid, "name": name, "email": f"aws+{name}@acme.example", "status": "ACTIVE", "joined_method": "CREATED", "joined": joined, "roles": [{"name": ROLE}], "regions": {}}
        a.update(kw)
        return a

    accts = [
        acct(mgmt, "acme-management", "2019-01-15T10:00:00Z", roles=[]),
        acct(prod, "acme-desktops-prod", "2019-02-01T10:00:00Z"),
        acct(dev, "acme-desktops-dev", "2019-02-01T10:05:00Z"),
        acct(sandbox, "acme-sandbox", "2023-08-21T14:30:00Z", joined_method="INVITED"),
    ]
    by = {a["id"]: a for a in accts}
    p = by[prod]["regions"]
    golden = ws_image(rng, prod, "us-east-1", 1, "acme-golden", os="WINDOWS", tenancy="DEDICATED", updates=True, created="2021-04-12T09:30:00Z")
    golden["Name"] = "win10-byol-golden"
    golden["Description"] = "Windows 10 BYOL golden image"
    old = ws_image(rng, prod, "us-east-1", 2, "acme-callcenter", os="WINDOWS", updates=False, created="2019-06-03T16:45:00Z")
    old["Name"] = "callcenter-2019"
    old["Description"] = "Call center desktop (2019 build)"
    fresh = ws_image(rng, prod, "us-east-1", 3, "acme-eng", os="LINUX", updates=False, created="2025-02-10T11:20:00.500Z")
    fresh["Name"] = "engineering-al2-2025"
    fresh["Description"] = "Engineering Amazon Linux 2 desktop"
    p["us-east-1"] = {
        "workspaces_images": [golden, old, fresh],
        "workspaces_image_permissions": {golden["ImageId"]: [contractor, dev], fresh["ImageId"]: [dev]},
        "appstream_image_builders": [
            builder(rng, prod, "us-east-1", "finance-apps-builder", state="RUNNING", internet=True, endpoints=False, domain=False, platform="WINDOWS_SERVER_2019", agent="1.1.1220"),
            builder(rng, prod, "us-east-1", "hr-apps-builder", state="STOPPED", internet=False, endpoints=True, domain=True, platform="WINDOWS_SERVER_2022", agent="1.1.1412"),
        ],
        "appstream_images": [
            as_image(rng, prod, "us-east-1", "finance-apps-2024", platform="WINDOWS_SERVER_2019", created="2024-05-02T08:00:00Z",
                     image_type="CUSTOM"),
            as_image(rng, prod, "us-east-1", "hr-apps-2025", platform="WINDOWS_SERVER_2022", created="2025-01-20T08:00:00Z"),
        ],
        "appstream_image_permissions": {"finance-apps-2024": [perm(contractor, fleet=True, builder=True)], "hr-apps-2025": [perm(dev)]},
    }
    eu = ws_image(rng, prod, "eu-central-1", 4, "acme-eu", os="WINDOWS", updates=False, created="2024-11-05T13:00:00Z")
    eu["Name"] = "win11-eu-standard"
    eu["Description"] = "Windows 11 standard desktop for EU staff"
    p["eu-central-1"] = {"workspaces_images": [eu]}
    d = by[dev]["regions"]
    broken = ws_image(rng, dev, "us-east-1", 1, "acme-dev", os="WINDOWS", state="ERROR", created="2025-03-01T09:00:00Z")
    broken["Name"] = "win11-byol-import"
    broken["RequiredTenancy"] = "DEDICATED"
    broken["Description"] = "Windows 11 BYOL import attempt"
    test = ws_image(rng, dev, "us-east-1", 2, "acme-dev", os="LINUX", updates=True, created="2023-10-10T10:10:10Z")
    test["Name"] = "dev-al2-testbed"
    test["Description"] = "Developer test desktop"
    d["us-east-1"] = {
        "workspaces_images": [broken, test],
        "appstream_image_builders": [builder(rng, dev, "us-east-1", "dev-sandbox-builder", state="FAILED", internet=True, endpoints=False, domain=False, platform="WINDOWS_SERVER_2019")],
    }
    return {
        "fleet": "demo",
        "description": "A small Organization (ACME) for the README's demo audit.",
        "partition": "aws",
        "regions": regions,
        "organization": {"id": "o-acme123456", "management_account": mgmt},
        "principals": [{"access_key_id": "AKIAFAKEACMEAUDITOR1", "secret_access_key": "fakeSecretKeyForAcmeAuditor/000000000000", "account": mgmt, "user": "auditor"}],
        "audit_targets": [{"id": mgmt, "name": "acme-management"}]
        + [{"id": a, "name": by[a]["name"], "role_arn": f"arn:aws:iam::{a}:role/{ROLE}"} for a in (prod, dev, sandbox)],
        "accounts": accts,
    }


def make_bench(n_accounts, regions):
    """An Organization of n_accounts accounts (the first is the management account and the caller,
    every other has ImgAuditRole), each with, per region, about 12 resources: 3 to 7 owned WorkSpaces
    images (two shared with the next accounts, so each account also sees two shared in), 2 image
    builders, 1 to 3 private AppStream images (the first shared with the next account). Sizes vary
    with the account's index, so that some lanes are longer than others."""
    rng = random.Random(f"bench|{n_accounts}|{','.join(regions)}")
    ids = [f"{300000000000 + i:012d}" for i in range(n_accounts)]
    mgmt = ids[0]
    accounts = []
    for i, aid in enumerate(ids):
        name = "bench-mgmt" if i == 0 else f"bench-{i:04d}"
        a = {"id": aid, "name": name, "email": f"aws+{name}@example.com", "status": "ACTIVE", "joined_method": "CREATED",
             "joined": "2021-01-01T00:00:00Z", "roles": [] if i == 0 else [{"name": ROLE}], "regions": {}}
        for r in regions:
            nxt, after = ids[(i + 1) % n_accounts], ids[(i + 2) % n_accounts]
            imgs = [ws_image(rng, aid, r, k, f"bench{i}") for k in range(3 + i % 5)]
            perms = {imgs[0]["ImageId"]: [nxt], imgs[1]["ImageId"]: [after]} if n_accounts > 2 else {}
            as_names = [f"bench-{i}-apps-{k}" for k in range(1 + i % 3)]
            a["regions"][r] = {
                "workspaces_images": imgs,
                "workspaces_image_permissions": perms,
                "appstream_image_builders": [builder(rng, aid, r, f"bench-{i}-builder-{k}") for k in range(2)],
                "appstream_images": [as_image(rng, aid, r, n) for n in as_names],
                "appstream_image_permissions": {as_names[0]: [perm(nxt)]} if n_accounts > 1 else {},
            }
        accounts.append(a)
    return {
        "fleet": f"bench-{n_accounts}x{len(regions)}",
        "description": f"Benchmark fleet: {n_accounts} accounts x {len(regions)} regions, about 12 resources each.",
        "partition": "aws",
        "regions": list(regions),
        "organization": {"id": "o-bench00000", "management_account": mgmt},
        "principals": [{"access_key_id": "AKIAFAKEBENCHCALLER1", "secret_access_key": "fakeSecretKeyForBenchCaller/000000000000", "account": mgmt, "user": "bench"}],
        "accounts": accounts,
    }


FLEETS = {"test": make_test, "demo": make_demo}


def render(doc):
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if a committed fleet differs from the generated one")
    ap.add_argument("--bench-accounts", type=int, metavar="N", help="write a benchmark fleet of N accounts to -o instead")
    ap.add_argument("--bench-regions", default="us-east-1,eu-west-1", help="the benchmark fleet's regions (comma-separated)")
    ap.add_argument("-o", "--output", help="where the benchmark fleet goes")
    ap.add_argument("names", nargs="*", default=sorted(FLEETS), help="fleets to generate (default: all)")
    args = ap.parse_args(argv)
    if args.bench_accounts is not None:
        if args.bench_accounts < 1 or not args.output:
            ap.error("--bench-accounts needs N >= 1 and -o FILE")
        with open(args.output + ".tmp", "w", encoding="utf-8") as f:
            json.dump(make_bench(args.bench_accounts, [r for r in args.bench_regions.split(",") if r]), f, separators=(",", ":"))
        os.replace(args.output + ".tmp", args.output)
        return 0
    status = 0
    for name in args.names:
        if name not in FLEETS:
            sys.stderr.write(f"fleetgen: no fleet named {name!r} (have {', '.join(sorted(FLEETS))})\n")
            return 2
        text = render(FLEETS[name]())
        path = os.path.join(FLEET_DIR, name + ".json")
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                sys.stderr.write(f"fleetgen: {path} differs from what fleetgen.py generates (run tests/fakeaws/fleetgen.py)\n")
                status = 1
        else:
            os.makedirs(FLEET_DIR, exist_ok=True)
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(path + ".tmp", path)
            print(f"fleetgen: wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
