#!/usr/bin/env python3
"""Self-test of fakeaws with the real boto3 clients (run by tests/it_fakeaws.sh).

Needs a running server: FAKEAWS_URL (base URL) and FAKEAWS_DIR (the run.sh folder,
for the log file). The server must serve the `test` fleet with the default page size
and no faults at start. Prints one line per check and "N passed, N failed" last;
exits non-zero if any check failed.
"""

import base64
import concurrent.futures
import contextlib
import datetime
import http.client
import json
import re
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.exceptions  # noqa: E402
import botocore.parsers  # noqa: E402
import botocore.retries.standard  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

import expected  # noqa: E402
import fleet as fleetmod  # noqa: E402
import ratelimit  # noqa: E402
import sigv4check  # noqa: E402

URL = os.environ.get("FAKEAWS_URL", "")
DIR = os.environ.get("FAKEAWS_DIR", "")
CONFORMANCE = os.path.join(HERE, "..", "data", "conformance")
FL = fleetmod.load("test")
BASE = FL.default_principal
MEMBER = [p for p in FL.principals.values() if p is not BASE][0]
PROD, DEV, PARTNER, LABS, MGMT = "222222222222", "333333333333", "444444444444", "555555555555", "111111111111"
ROLE = "ImgAuditRole"
EXT = "imgaudit-7f3a9c"
NO_RETRY = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
NO_VALIDATION = Config(retries={"total_max_attempts": 1}, parameter_validation=False)

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Failed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failed(msg)


def expect_eq(got, want, what):
    if got != want:
        raise Failed(f"{what}: got {got!r}, want {want!r}")


# ---- helpers -------------------------------------------------------------------------------


def creds_of(principal):
    return {"aws_access_key_id": principal["access_key_id"], "aws_secret_access_key": principal["secret_access_key"]}


def client(service, region="us-east-1", creds=None, config=None):
    creds = creds if creds is not None else creds_of(BASE)
    config = config or NO_RETRY  # read at call time: collect_fleet_with_retries swaps it
    return boto3.client(service, region_name=region, endpoint_url=URL, config=config, **creds)


def assume(role_arn, external_id=None, session="imgaudit"):
    kw = {"RoleArn": role_arn, "RoleSessionName": session}
    if external_id:
        kw["ExternalId"] = external_id
    c = client("sts").assume_role(**kw)["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}


def error_of(fn, *args, **kw):
    """Call fn, return the botocore ClientError's (code, status, message)."""
    try:
        fn(*args, **kw)
    except botocore.exceptions.ClientError as exc:
        e = exc.response["Error"]
        return e.get("Code"), exc.response["ResponseMetadata"]["HTTPStatusCode"], e.get("Message", "")
    raise Failed(f"{getattr(fn, '__name__', fn)} succeeded, expected an error")


def control(method, path, body=None):
    u = urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    if r.status != 200:
        raise Failed(f"{method} {path}: HTTP {r.status}: {text}")
    return text


def set_faults(spec):
    control("POST", "/_fake/faults", {"spec": spec})


def reset():
    control("POST", "/_fake/reset")


def log_entries():
    return [json.loads(line) for line in control("GET", "/_fake/log").splitlines() if line]


def raw(method, path="/", body=b"", headers=None, sign=None, raw_bytes=None):
    """Send one request with http.client. sign: dict(service, region, creds, date) to sign
    it with botocore's SigV4Auth. Returns (status, headers dict, body bytes)."""
    u = urlsplit(URL)
    headers = dict(headers or {})
    if sign:
        req = AWSRequest(method=method, url=URL + path, data=body, headers=headers)
        c = sign["creds"]
        signer = botocore.auth.SigV4Auth(Credentials(c["aws_access_key_id"], c["aws_secret_access_key"], c.get("aws_session_token")), sign["service"], sign["region"])
        if sign.get("date"):
            saved = botocore.auth.get_current_datetime
            botocore.auth.get_current_datetime = lambda: sign["date"]
            try:
                signer.add_auth(req)
            finally:
                botocore.auth.get_current_datetime = saved
        else:
            signer.add_auth(req)
        headers = dict(req.headers.items())
        for k, v in sign.get("after", {}).items():
            headers[k] = v
    sock = socket.create_connection((u.hostname, u.port), timeout=30)
    try:
        if raw_bytes is not None:
            sock.sendall(raw_bytes)
            sock.shutdown(socket.SHUT_WR)  # junk with no line end: let the server see the end
        else:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {u.hostname}:{u.port}"] if "host" not in {k.lower() for k in headers} else [f"{method} {path} HTTP/1.1"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if "content-length" not in {k.lower() for k in headers}:
                lines.append(f"Content-Length: {len(body)}")
            lines.append("Connection: close")
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        sock.close()


def json_request(target, payload, creds=None, region="us-east-1", service=None, **kw):
    svc = service or {"WorkspacesService": "workspaces", "PhotonAdminProxyService": "appstream", "AWSOrganizationsV20161128": "organizations"}[target.split(".")[0]]
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    headers.update(kw.pop("headers", {}))
    sign = {"service": svc, "region": region, "creds": creds or creds_of(BASE)}
    sign.update(kw.pop("sign", {}))
    return raw("POST", "/", body, headers, sign=sign, **kw)


def json_error_code(body):
    doc = json.loads(body)
    return doc["__type"].split("#")[-1], doc.get("message") or doc.get("Message") or ""


def iso(dt):
    dt = dt.astimezone(datetime.timezone.utc)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond // 1000:03d}"
    return text + "Z"


def plain(obj):
    """boto3 answer -> JSON-like data with ISO timestamps, as the fleet file writes them."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items() if k != "ResponseMetadata"}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    if isinstance(obj, datetime.datetime):
        return iso(obj)
    return obj


def model_only(shape, value):
    """Drop members the model does not know: boto3 drops them on parse, so a comparison
    through boto3 cannot see them (the raw wire check covers pass-through)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: model_only(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if shape.type_name == "list" and isinstance(value, list):
        return [model_only(shape.member, v) for v in value]
    return value


SHAPES = {
    "workspaces_image": fleetmod.output_member_shape("workspaces", "DescribeWorkspaceImages", "Images"),
    "appstream_image_builder": fleetmod.output_member_shape("appstream", "DescribeImageBuilders", "ImageBuilders"),
    "appstream_image": fleetmod.output_member_shape("appstream", "DescribeImages", "Images"),
}


def _all_pages(call, op, stats, **kw):
    """Follow NextToken by hand (these operations have no boto3 paginator); count pages."""
    pages, token = [], None
    while True:
        r = call(**(dict(kw, NextToken=token) if token else kw))
        pages.append(r)
        token = r.get("NextToken")
        if not token:
            break
    stats["most_pages"][op] = max(stats["most_pages"].get(op, 0), len(pages))
    return pages


def _paginate(c, op, stats, **kw):
    pages = list(c.get_paginator(op).paginate(PaginationConfig={"PageSize": 25}, **kw))
    name = c.meta.service_model.operation_model(c.meta.method_to_api_mapping[op]).name
    stats["most_pages"][name] = max(stats["most_pages"].get(name, 0), len(pages))
    return pages


def collect(account, region, creds, errors, stats):
    """What a collector gathers, done with boto3 (paginators at MaxResults=25)."""
    out = []
    ws = client("workspaces", region, creds)
    try:
        for image_type in ("OWNED", "SHARED"):
            for page in _paginate(ws, "describe_workspace_images", stats, ImageType=image_type):
                for img in page["Images"]:
                    data = plain(img)
                    data["ImageType"] = image_type
                    if image_type == "OWNED":
                        pages = _all_pages(ws.describe_workspace_image_permissions, "DescribeWorkspaceImagePermissions", stats, ImageId=img["ImageId"], MaxResults=25)
                        for r in pages:
                            expect_eq(r["ImageId"], img["ImageId"], "DescribeWorkspaceImagePermissions ImageId")
                        data["Permissions"] = [p for r in pages for p in r["ImagePermissions"]]
                    out.append({"type": "workspaces_image", "account": account, "region": region, "id": img["ImageId"], "data": data})
    except botocore.exceptions.ClientError as exc:
        errors.append((account, region, "workspaces", exc.operation_name, exc.response["Error"]["Code"]))
    a = client("appstream", region, creds)
    try:
        for page in _paginate(a, "describe_image_builders", stats):
            for b in page["ImageBuilders"]:
                out.append({"type": "appstream_image_builder", "account": account, "region": region, "id": b["Name"], "data": plain(b)})
    except botocore.exceptions.ClientError as exc:
        errors.append((account, region, "appstream", exc.operation_name, exc.response["Error"]["Code"]))
    try:
        for visibility in ("PRIVATE", "SHARED"):
            for page in _paginate(a, "describe_images", stats, Type=visibility):
                for img in page["Images"]:
                    data = plain(img)
                    if visibility == "PRIVATE":
                        pages = _all_pages(a.describe_image_permissions, "DescribeImagePermissions", stats, Name=img["Name"], MaxResults=500)
                        for r in pages:
                            expect_eq(r["Name"], img["Name"], "DescribeImagePermissions Name")
                        data["Permissions"] = [plain(p) for r in pages for p in r["SharedImagePermissionsList"]]
                    out.append({"type": "appstream_image", "account": account, "region": region, "id": img["Name"], "data": data})
    except botocore.exceptions.ClientError as exc:
        errors.append((account, region, "appstream", exc.operation_name, exc.response["Error"]["Code"]))
    return out


def collect_fleet(targets, regions, parallel=1):
    """Collect every target in every region (parallel threads); returns sorted resources,
    the set of (account, region, service, operation, code) errors, and page statistics."""
    errors, resources = [], []
    stats = {"most_pages": {}}
    jobs = []
    for t in targets:
        if t.get("role_arn"):
            try:
                creds = assume(t["role_arn"], t.get("external_id"))
            except botocore.exceptions.ClientError as exc:
                errors.append((t["id"], None, "sts", "AssumeRole", exc.response["Error"]["Code"]))
                continue
        else:
            creds = creds_of(BASE)
        jobs += [(t["id"], r, creds) for r in regions]
    lock = threading.Lock()

    def run(job):
        e, s = [], {"most_pages": {}}
        res = collect(job[0], job[1], job[2], e, s)
        with lock:
            resources.extend(res)
            errors.extend(e)
            for k, v in s["most_pages"].items():
                stats["most_pages"][k] = max(stats["most_pages"].get(k, 0), v)

    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        for f in [pool.submit(run, j) for j in jobs]:
            f.result()
    resources.sort(key=lambda x: (x["account"], x["region"], x["type"], x["id"]))
    return resources, sorted(set(errors), key=str), stats


def compare_with_expected(resources, errors, exp):
    want = [dict(r, data=model_only(SHAPES[r["type"]], r["data"])) for r in exp["resources"]]
    for r in want:
        # The two fields the collector adds are not in the model: keep them.
        orig = next(x for x in exp["resources"] if (x["account"], x["region"], x["type"], x["id"]) == (r["account"], r["region"], r["type"], r["id"]))
        for k in ("ImageType", "Permissions"):
            if k in orig["data"]:
                r["data"][k] = orig["data"][k]
    expect_eq(len(resources), len(want), "resource count")
    for got, w in zip(resources, want):
        if got != w:
            raise Failed(f"resource {w['account']}/{w['region']}/{w['type']}/{w['id']} differs:\n got  {json.dumps(got, sort_keys=True)[:600]}\n want {json.dumps(w, sort_keys=True)[:600]}")
    want_errors = sorted({(e["account"], e["region"], e["service"], e["operation"], e["code"]) for e in exp["errors"]}, key=str)
    expect_eq(errors, want_errors, "errors")


# ---- checks --------------------------------------------------------------------------------


@check
def fleet_files_match_generator():
    r = subprocess.run([sys.executable, os.path.join(HERE, "fleetgen.py"), "--check"], capture_output=True, text=True)
    expect(r.returncode == 0, f"fleetgen --check: {r.stderr.strip()}")


@check
def test_fleet_has_what_the_collector_tests_need():
    exp = expected.compute(FL)
    reachable = {r["account"] for r in exp["resources"]}
    expect(len(reachable) >= 4, f"only {len(reachable)} reachable accounts")
    expect_eq(sorted(FL.regions), ["eu-west-1", "us-east-1"], "regions")
    owned = sum(len(r.ws_images) for r in FL.data.values())
    expect(owned >= 100, f"{owned} WorkSpaces images, want 100+")
    expect(max(len(r.ws_images) for r in FL.data.values()) > 25, "no account has more than 25 OWNED images in a region")
    expect(max(len(p) for r in FL.data.values() for p in r.ws_perms.values()) > 2 * 7, "no image has permissions over 3 pages")
    types = {(r["type"], r["data"].get("ImageType") if r["type"] == "workspaces_image" else r["data"].get("Visibility"))
             for r in exp["resources"]}
    for t in [("workspaces_image", "OWNED"), ("workspaces_image", "SHARED"), ("appstream_image_builder", None), ("appstream_image", "PRIVATE"), ("appstream_image", "SHARED")]:
        expect(t in types, f"no {t} in the expected resources")
    roles = [role for a in FL.accounts.values() for role in a.get("roles", [])]
    expect(any(r.get("external_id") for r in roles), "no role needs an ExternalId")
    codes = {(e["service"], e["operation"], e["code"]) for e in exp["errors"]}
    expect(("sts", "AssumeRole", "AccessDenied") in codes, "no denied AssumeRole")
    expect(("appstream", "DescribeImageBuilders", "AccessDeniedException") in codes, "no AppStream AccessDenied region")
    ws = [r["data"] for r in exp["resources"] if r["type"] == "workspaces_image"]
    expect(any(d["RequiredTenancy"] == "DEDICATED" and d["ImageType"] == "OWNED" and d["Permissions"] for d in ws), "no shared BYOL DEDICATED image")
    expect(any(d.get("Updates", {}).get("UpdateAvailable") for d in ws), "no UpdateAvailable image")
    expect(any(d.get("ErrorDetails") and d["State"] == "ERROR" for d in ws), "no ERROR image with ErrorDetails")
    expect(any(d["Created"] < "2019" for d in ws), "no old image")
    b = [r["data"] for r in exp["resources"] if r["type"] == "appstream_image_builder"]
    expect(any(x["EnableDefaultInternetAccess"] for x in b), "no builder with internet access")
    expect(any(x["State"] == "FAILED" for x in b), "no FAILED builder")
    expect(any("AccessEndpoints" not in x for x in b), "no builder without AccessEndpoints")
    ai = [r["data"] for r in exp["resources"] if r["type"] == "appstream_image" and r["data"]["Visibility"] == "PRIVATE"]
    expect({d.get("ImageType") for d in ai} == {"CUSTOM", "NATIVE"}, "AppStream images lack the API's own ImageType values")
    expect(any(p["sharedAccountId"] not in FL.accounts for x in ai for p in x["Permissions"]), "no AppStream image shared to an untrusted account")
    demo = expected.compute(fleetmod.load("demo"), mode="org", role_name=ROLE)
    expect(3 <= len(fleetmod.load("demo").accounts) <= 4 and not demo["errors"] and demo["resources"], "demo fleet is not a small clean Organization")
    # What the `imgaudit fix apply` tests act on (README, "The write side"), in both fleets.
    for fl in (FL, fleetmod.load("demo")):
        members = {a for a, x in fl.accounts.items() if x.get("in_org", True)}
        owned = [(reg, i) for reg in fl.data.values() for i in reg.ws_images]
        expect(any(i["OperatingSystem"]["Type"] == "WINDOWS" and i["State"] == "AVAILABLE" and i.get("Updates", {}).get("UpdateAvailable") for _, i in owned), f"{fl.name}: no Windows image to update")
        expect(any(set(reg.ws_perms.get(i["ImageId"], [])) - members for reg, i in owned), f"{fl.name}: no WorkSpaces image shared outside the Organization")
        expect(any(p["sharedAccountId"] not in members for reg in fl.data.values() for ps in reg.as_perms.values() for p in ps), f"{fl.name}: no AppStream image shared outside the Organization")


@check
def sigv4_verifier_agrees_with_the_official_suite():
    base = os.path.join(CONFORMANCE, "sigv4", "v4")
    expect(os.path.isdir(base), f"conformance suite not found at {base}")
    checked = 0
    for case in sorted(os.listdir(base)):
        d = os.path.join(base, case)
        if not os.path.isdir(d):
            continue
        with open(os.path.join(d, "context.json"), encoding="utf-8") as f:
            ctx = json.load(f)
        if not ctx.get("normalize", True):
            continue  # S3-style unnormalized paths: not used by these services
        with open(os.path.join(d, "header-signed-request.txt"), encoding="utf-8") as f:
            head, _, body = f.read().partition("\n\n")
        lines = head.split("\n")
        method, rest = lines[0].split(" ", 1)
        target = rest[: -len(" HTTP/1.1")]
        headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t"):
                headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
            else:
                n, _, v = line.partition(":")
                headers.append((n, v))
        auth = sigv4check.parse_authorization(next(v for n, v in headers if n.lower() == "authorization"))
        date = next(v for n, v in headers if n.lower() == "x-amz-date")
        secret = ctx["credentials"]["secret_access_key"]
        sig, creq, _ = sigv4check.compute(method, target, headers, body.encode(), secret, auth["region"], auth["service"], date, auth["signed_headers"])
        with open(os.path.join(d, "header-canonical-request.txt"), encoding="utf-8") as f:
            expect_eq(creq, f.read(), f"{case} canonical request")
        expect_eq(sig, auth["signature"], f"{case} signature")
        path, sep, query = target.partition("?")
        bad, _, _ = sigv4check.compute(method, path + "x" + sep + query, headers, body.encode(), secret, auth["region"], auth["service"], date, auth["signed_headers"])
        expect(bad != auth["signature"], f"{case}: a changed path kept the signature")
        checked += 1
    expect(checked >= 30, f"only {checked} suite cases checked")


@check
def sts_get_caller_identity():
    r = client("sts").get_caller_identity()
    expect_eq((r["Account"], r["Arn"], r["UserId"]), (MGMT, "arn:aws:iam::111111111111:user/imgaudit-ci", FL.user_id(BASE)), "identity")
    expect(r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"), "no x-amzn-RequestId")


@check
def sts_xml_shapes_are_exact():
    body = urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": f"arn:aws:iam::{PROD}:role/{ROLE}", "RoleSessionName": "shape-check"}).encode()
    st, hd, data = raw("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
    expect_eq(st, 200, "AssumeRole status")
    ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
    root = ET.fromstring(data)
    expect_eq(root.tag, ns + "AssumeRoleResponse", "root element")
    c = root.find(f"{ns}AssumeRoleResult/{ns}Credentials")
    expect(c is not None, "no AssumeRoleResult/Credentials")
    for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
        expect(c.find(ns + k) is not None and c.find(ns + k).text, f"Credentials/{k} missing")
    expect(c.find(ns + "AccessKeyId").text.startswith("ASIA"), "temporary key does not start with ASIA")
    expect(datetime.datetime.strptime(c.find(ns + "Expiration").text, "%Y-%m-%dT%H:%M:%SZ"), "Expiration not ISO")
    expect_eq(root.find(f"{ns}AssumeRoleResult/{ns}AssumedRoleUser/{ns}Arn").text, f"arn:aws:sts::{PROD}:assumed-role/{ROLE}/shape-check", "AssumedRoleUser/Arn")
    expect_eq(root.find(f"{ns}ResponseMetadata/{ns}RequestId").text, hd.get("x-amzn-requestid"), "RequestId")
    body = urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": f"arn:aws:iam::{PARTNER}:role/{ROLE}", "RoleSessionName": "x1"}).encode()
    st, hd, data = raw("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
    expect_eq(st, 403, "denied status")
    root = ET.fromstring(data)
    expect_eq(root.tag, ns + "ErrorResponse", "error root")
    expect_eq([root.find(f"{ns}Error/{ns}{k}").text for k in ("Type", "Code")], ["Sender", "AccessDenied"], "Error Type/Code")
    expect(root.find(f"{ns}Error/{ns}Message").text, "no Error/Message")
    expect_eq(root.find(ns + "RequestId").text, hd.get("x-amzn-requestid"), "error RequestId")


@check
def assume_role_without_and_with_external_id():
    c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    r = client("sts", creds=c).get_caller_identity()
    expect_eq((r["Account"], r["Arn"]), (PROD, f"arn:aws:sts::{PROD}:assumed-role/{ROLE}/imgaudit"), "assumed identity")
    c = assume(f"arn:aws:iam::{DEV}:role/{ROLE}", EXT)
    expect_eq(client("sts", creds=c).get_caller_identity()["Account"], DEV, "ExternalId role account")
    sts = client("sts")
    code, status, _ = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{DEV}:role/{ROLE}", RoleSessionName="imgaudit")
    expect_eq((code, status), ("AccessDenied", 403), "missing ExternalId")
    code, status, _ = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{DEV}:role/{ROLE}", RoleSessionName="imgaudit", ExternalId="wrong-id")
    expect_eq((code, status), ("AccessDenied", 403), "wrong ExternalId")


@check
def assume_role_denied_and_unknown_and_untrusted():
    sts = client("sts")
    code, status, msg = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{PARTNER}:role/{ROLE}", RoleSessionName="imgaudit")
    expect_eq((code, status), ("AccessDenied", 403), "denied role")
    expect(f"arn:aws:iam::{PARTNER}:role/{ROLE}" in msg and "imgaudit-ci" in msg, f"message does not name caller and role: {msg}")
    code, _, _ = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{PROD}:role/NoSuchRole", RoleSessionName="imgaudit")
    expect_eq(code, "AccessDenied", "unknown role")
    member = client("sts", creds=creds_of(MEMBER))
    code, _, _ = error_of(member.assume_role, RoleArn=f"arn:aws:iam::{LABS}:role/{ROLE}", RoleSessionName="imgaudit")
    expect_eq(code, "AccessDenied", "caller outside the trust policy")


@check
def assume_role_parameters_are_validated():
    sts = client("sts", config=NO_VALIDATION)
    arn = f"arn:aws:iam::{PROD}:role/{ROLE}"
    for kw, what in [({"RoleSessionName": "x"}, "1-char session name"), ({"RoleSessionName": "bad name!"}, "bad session name"), ({"RoleSessionName": "ok", "DurationSeconds": 100}, "DurationSeconds 100"), ({"RoleSessionName": "ok", "DurationSeconds": 7200}, "DurationSeconds above the role's maximum")]:
        code, status, _ = error_of(sts.assume_role, RoleArn=arn, **kw)
        expect_eq((code, status), ("ValidationError", 400), what)
    code, _, _ = error_of(sts.assume_role, RoleArn="not-an-arn-at-all-xxxx", RoleSessionName="ok")
    expect_eq(code, "ValidationError", "malformed RoleArn")


@check
def assume_role_with_web_identity():
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=URL, config=Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}))
    arn = f"arn:aws:iam::{MGMT}:role/ImgAuditWebRole"
    r = sts.assume_role_with_web_identity(RoleArn=arn, RoleSessionName="ci", WebIdentityToken="oidc-token-for-imgaudit-ci")
    c = r["Credentials"]
    expect_eq(r["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{MGMT}:assumed-role/ImgAuditWebRole/ci", "web identity ARN")
    creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}
    expect_eq(client("sts", creds=creds).get_caller_identity()["Account"], MGMT, "web identity credentials work")
    code, _, _ = error_of(sts.assume_role_with_web_identity, RoleArn=arn, RoleSessionName="ci", WebIdentityToken="forged-token")
    expect_eq(code, "InvalidIdentityToken", "forged token")
    code, _, _ = error_of(sts.assume_role_with_web_identity, RoleArn=f"arn:aws:iam::{PROD}:role/{ROLE}", RoleSessionName="ci", WebIdentityToken="oidc-token-for-imgaudit-ci")
    expect_eq(code, "AccessDenied", "role without web identity trust")


@check
def every_listing_paginated_equals_expected():
    exp = expected.compute(FL)
    resources, errors, stats = collect_fleet(exp["accounts"], FL.regions)
    compare_with_expected(resources, errors, exp)
    # 32 OWNED images at a page of 7 take 5 pages; 20 permissions take 3.
    expect(stats["most_pages"].get("DescribeWorkspaceImages", 0) >= 5, f"paging not exercised: {stats['most_pages']}")
    expect(stats["most_pages"].get("DescribeWorkspaceImagePermissions", 0) >= 3, f"permission paging not exercised: {stats['most_pages']}")
    expect(stats["most_pages"].get("DescribeImageBuilders", 0) >= 2, f"builder paging not exercised: {stats['most_pages']}")
    expect(stats["most_pages"].get("DescribeImages", 0) >= 2, f"image paging not exercised: {stats['most_pages']}")
    expect(stats["most_pages"].get("DescribeImagePermissions", 0) >= 2, f"AppStream permission paging not exercised: {stats['most_pages']}")


@check
def org_mode_expectation_matches_listing():
    org = client("organizations")
    accounts = [a for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]]
    want = FL.org_accounts()
    expect_eq([a["Id"] for a in accounts], [a["Id"] for a in want], "ListAccounts ids")
    expect_eq(plain(accounts), want, "ListAccounts entries")
    statuses = {a["Status"] for a in accounts}
    expect({"ACTIVE", "SUSPENDED", "PENDING_CLOSURE"} <= statuses, f"statuses {statuses}")
    exp_org = expected.compute(FL, mode="org", role_name=ROLE, external_id=EXT)
    exp_targets = expected.compute(FL)
    expect_eq(exp_org["resources"], exp_targets["resources"], "org-mode resources vs accounts-file resources")
    expect_eq(exp_org["errors"], exp_targets["errors"], "org-mode errors vs accounts-file errors")


@check
def list_accounts_limits_and_permissions():
    org = client("organizations", config=NO_VALIDATION)
    code, status, _ = error_of(org.list_accounts, MaxResults=21)
    expect_eq((code, status), ("InvalidInputException", 400), "MaxResults=21")
    st, _, body = json_request("AWSOrganizationsV20161128.ListAccounts", {"MaxResults": 21})
    expect_eq(json.loads(body).get("Reason"), "MAX_VALUE_EXCEEDED", "Reason")
    code, _, _ = error_of(client("organizations", creds=creds_of(MEMBER)).list_accounts)
    expect_eq(code, "AccessDeniedException", "member account lists accounts")
    r = org.list_accounts(MaxResults=3)
    expect_eq(len(r["Accounts"]), 3, "MaxResults=3 page")
    code, _, _ = error_of(org.list_accounts, NextToken=r["NextToken"][:-4] + "AAAA")
    expect_eq(code, "InvalidInputException", "tampered NextToken")


@check
def org_tree_listings():
    org = client("organizations")
    states = {a["Id"]: (a["Status"], a["State"]) for p in org.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
    expect_eq(states["666666666666"], ("SUSPENDED", "SUSPENDED"), "Status and State of a suspended member")
    root = FL.org_root
    ous = [c for p in org.get_paginator("list_children").paginate(ParentId=root, ChildType="ORGANIZATIONAL_UNIT") for c in p["Children"]]
    expect_eq([c["Id"] for c in ous], ["ou-a1b2-wrkloads", "ou-a1b2-labsaccts", "ou-a1b2-suspendd1"], "OUs under the root")
    expect_eq({c["Type"] for c in ous}, {"ORGANIZATIONAL_UNIT"}, "child types")
    nested = org.list_children(ParentId="ou-a1b2-wrkloads", ChildType="ORGANIZATIONAL_UNIT", MaxResults=1)
    expect_eq([c["Id"] for c in nested["Children"]], ["ou-a1b2-prodacct"], "first page of one")
    expect("NextToken" in nested, "ListChildren pages")
    more = org.list_children(ParentId="ou-a1b2-wrkloads", ChildType="ORGANIZATIONAL_UNIT", MaxResults=1, NextToken=nested["NextToken"])
    expect_eq([c["Id"] for c in more["Children"]], ["ou-a1b2-devaccts"], "second page")
    code, _, _ = error_of(org.list_children, ParentId="ou-a1b2-labsaccts", ChildType="ORGANIZATIONAL_UNIT", NextToken=nested["NextToken"])
    expect_eq(code, "InvalidInputException", "a token of another parent")
    under = [a for p in org.get_paginator("list_accounts_for_parent").paginate(ParentId="ou-a1b2-prodacct") for a in p["Accounts"]]
    expect_eq([(a["Id"], a["State"]) for a in under], [("222222222222", "ACTIVE"), ("777777777777", "PENDING_CLOSURE")], "accounts under Prod")
    expect_eq(plain(under)[0], FL.org_account("222222222222"), "ListAccountsForParent entry")
    accts = org.list_children(ParentId=root, ChildType="ACCOUNT")["Children"]
    expect_eq({c["Id"] for c in accts}, {"111111111111", "444444444444"}, "accounts under the root")
    code, status, _ = error_of(org.list_accounts_for_parent, ParentId="ou-a1b2-nosuchou1")
    expect_eq((code, status), ("ParentNotFoundException", 400), "an OU that does not exist")
    code, _, _ = error_of(org.list_children, ParentId="r-zzzz", ChildType="ORGANIZATIONAL_UNIT")
    expect_eq(code, "ParentNotFoundException", "a root that does not exist")
    code, _, _ = error_of(client("organizations", config=NO_VALIDATION).list_children, ParentId="ou-bad", ChildType="ORGANIZATIONAL_UNIT")
    expect_eq(code, "InvalidInputException", "a ParentId off the model's pattern")
    code, _, _ = error_of(client("organizations", creds=creds_of(MEMBER)).list_accounts_for_parent, ParentId=root)
    expect_eq(code, "AccessDeniedException", "member account lists an OU")
    expect_eq(FL.org_accounts_under(["ou-a1b2-wrkloads"]), {"222222222222", "333333333333", "777777777777"}, "accounts under Workloads")


@check
def wrong_secret_and_unknown_key_are_rejected():
    bad = {"aws_access_key_id": BASE["access_key_id"], "aws_secret_access_key": "x" * 40}
    code, status, msg = error_of(client("workspaces", creds=bad).describe_workspace_images)
    expect_eq((code, status), ("InvalidSignatureException", 403), "wrong secret (JSON)")
    expect("Canonical String" in msg, "signature error does not show the canonical request")
    code, status, _ = error_of(client("sts", creds=bad).get_caller_identity)
    expect_eq((code, status), ("SignatureDoesNotMatch", 403), "wrong secret (STS)")
    unknown = {"aws_access_key_id": "AKIAUNKNOWNKEY000000", "aws_secret_access_key": "x" * 40}
    code, _, _ = error_of(client("appstream", creds=unknown).describe_image_builders)
    expect_eq(code, "UnrecognizedClientException", "unknown key (JSON)")
    code, _, _ = error_of(client("sts", creds=unknown).get_caller_identity)
    expect_eq(code, "InvalidClientTokenId", "unknown key (STS)")


@check
def temporary_credentials_need_their_token():
    c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    no_token = {k: v for k, v in c.items() if k != "aws_session_token"}
    code, _, _ = error_of(client("workspaces", creds=no_token).describe_workspace_images)
    expect_eq(code, "UnrecognizedClientException", "temporary key without token")
    other = dict(c, aws_session_token=assume(f"arn:aws:iam::{LABS}:role/{ROLE}")["aws_session_token"])
    code, _, _ = error_of(client("sts", creds=other).get_caller_identity)
    expect_eq(code, "InvalidClientTokenId", "temporary key with another session's token")
    base_with_token = dict(creds_of(BASE), aws_session_token=c["aws_session_token"])
    code, _, _ = error_of(client("workspaces", creds=base_with_token).describe_workspace_images)
    expect_eq(code, "UnrecognizedClientException", "long-term key with a session token")


@check
def signature_scope_and_clock_are_checked():
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, sign={"service": "appstream"})
    code, msg = json_error_code(body)
    expect_eq((st, code), (403, "InvalidSignatureException"), "scope names the wrong service")
    expect("'workspaces'" in msg, f"message does not name the right service: {msg}")
    code, status, _ = error_of(client("organizations", region="eu-west-1").list_accounts)
    expect_eq((code, status), ("InvalidSignatureException", 403), "Organizations signed for eu-west-1")
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(hours=1)
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, sign={"date": old})
    code, msg = json_error_code(body)
    expect_eq((st, code), (403, "InvalidSignatureException"), "request signed an hour ago")
    expect("Signature expired" in msg, f"skew message: {msg}")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, headers={"X-Amz-Content-SHA256": "0" * 64})
    expect_eq((st, json_error_code(body)[0]), (403, "InvalidSignatureException"), "x-amz-content-sha256 mismatch")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, sign={"after": {"X-Amz-Target": "WorkspacesService.DescribeWorkspaceImagePermissions"}})
    expect_eq((st, json_error_code(body)[0]), (403, "InvalidSignatureException"), "signed header changed after signing")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {})
    expect_eq(st, 200, "a correctly signed raw request")


@check
def request_validation_follows_the_models():
    ws = client("workspaces", "eu-west-1", config=NO_VALIDATION)
    code, status, msg = error_of(ws.describe_workspace_images, MaxResults=26)
    expect_eq((code, status), ("ValidationException", 400), "DescribeWorkspaceImages MaxResults=26")
    expect("maxResults" in msg and "25" in msg, f"message: {msg}")
    code, _, _ = error_of(ws.describe_workspace_images, MaxResults=0)
    expect_eq(code, "ValidationException", "MaxResults=0")
    code, _, msg = error_of(ws.describe_workspace_images, ImageType="PUBLIC")
    expect_eq(code, "ValidationException", "ImageType PUBLIC")
    expect("OWNED, SHARED" in msg, f"enum message: {msg}")
    code, _, _ = error_of(ws.describe_workspace_images, ImageIds=["ami-123"])
    expect_eq(code, "ValidationException", "ImageIds pattern")
    code, _, _ = error_of(ws.describe_workspace_image_permissions, ImageId="wsi-000000000", MaxResults=26)
    expect_eq(code, "ValidationException", "DescribeWorkspaceImagePermissions MaxResults=26")
    code, _, _ = error_of(ws.describe_workspace_image_permissions)
    expect_eq(code, "ValidationException", "ImageId missing")
    a = client("appstream", "us-east-1", config=NO_VALIDATION)
    code, _, _ = error_of(a.describe_images, MaxResults=26)
    expect_eq(code, "ValidationException", "DescribeImages MaxResults=26")
    code, _, _ = error_of(a.describe_images, Type="OWNED")
    expect_eq(code, "ValidationException", "DescribeImages Type OWNED")
    code, _, _ = error_of(a.describe_image_permissions, Name="mgmt-admin-apps", MaxResults=501)
    expect_eq(code, "ValidationException", "DescribeImagePermissions MaxResults=501")
    code, _, _ = error_of(a.describe_image_permissions, Name="mgmt-admin-apps", SharedAwsAccountIds=["1", "2", "3", "4", "5", "6"])
    expect_eq(code, "ValidationException", "six SharedAwsAccountIds")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {"Maxresults": 5})
    expect_eq((st, json_error_code(body)[0]), (400, "SerializationException"), "misspelt member")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {"MaxResults": "25"})
    expect_eq((st, json_error_code(body)[0]), (400, "SerializationException"), "MaxResults as a string")
    st, _, body = json_request("PhotonAdminProxyService.DescribeImages", {"Names": ["a"], "Arns": ["arn:aws:appstream:us-east-1::image/a"]})
    expect_eq((st, json_error_code(body)[0]), (400, "InvalidParameterCombinationException"), "Names with Arns")


@check
def pages_are_small_and_tokens_bound_to_their_listing():
    ws = client("workspaces", "eu-west-1", creds=assume(f"arn:aws:iam::{PROD}:role/{ROLE}"))
    r = ws.describe_workspace_images(ImageType="OWNED", MaxResults=25)
    expect_eq(len(r["Images"]), 7, "default page size under MaxResults=25")
    expect(any(ch in r["NextToken"] for ch in "+/="), f"token {r['NextToken']} has none of + / = (real ones do)")
    r3 = ws.describe_workspace_images(ImageType="OWNED", MaxResults=3)
    expect_eq(len(r3["Images"]), 3, "MaxResults=3 page")
    expect_eq([i["ImageId"] for i in r3["Images"]], [i["ImageId"] for i in r["Images"][:3]], "first page order")
    code, _, _ = error_of(ws.describe_workspace_images, ImageType="SHARED", NextToken=r["NextToken"])
    expect_eq(code, "InvalidParameterValuesException", "OWNED token used for SHARED")
    code, _, _ = error_of(ws.describe_workspace_images, ImageType="OWNED", NextToken=base64.b64encode(b"v1|7|garbage").decode())
    expect_eq(code, "InvalidParameterValuesException", "forged token")
    other = client("workspaces", "eu-west-1", creds=assume(f"arn:aws:iam::{LABS}:role/{ROLE}"))
    code, _, _ = error_of(other.describe_workspace_images, ImageType="OWNED", NextToken=r["NextToken"])
    expect_eq(code, "InvalidParameterValuesException", "token from another account")
    us = client("workspaces", "us-east-1", creds=assume(f"arn:aws:iam::{PROD}:role/{ROLE}"))
    code, _, _ = error_of(us.describe_workspace_images, ImageType="OWNED", NextToken=r["NextToken"])
    expect_eq(code, "InvalidParameterValuesException", "token from another region")
    ids = [i["ImageId"] for i in r["Images"][:2]]
    got = ws.describe_workspace_images(ImageIds=ids)["Images"]
    expect_eq(sorted(i["ImageId"] for i in got), sorted(ids), "ImageIds filter")
    code, _, _ = error_of(ws.describe_workspace_image_permissions, ImageId="wsi-zzzzzzzzz")
    expect_eq(code, "ResourceNotFoundException", "permissions of an unknown image")


@check
def appstream_filters_and_visibility():
    a = client("appstream", "eu-west-1", creds=assume(f"arn:aws:iam::{PROD}:role/{ROLE}"))
    allimgs = [i for p in a.get_paginator("describe_images").paginate() for i in p["Images"]]
    vis = {i["Visibility"] for i in allimgs}
    expect_eq(vis, {"PUBLIC", "PRIVATE", "SHARED"}, "DescribeImages without Type")
    shared = [i for p in a.get_paginator("describe_images").paginate(Type="SHARED") for i in p["Images"]]
    expect(shared and all("ImagePermissions" in i for i in shared), "SHARED images carry the grant as ImagePermissions")
    got = a.describe_image_builders(Names=["prod-builder-01"])["ImageBuilders"]
    expect_eq([b["Name"] for b in got], ["prod-builder-01"], "builder Names filter")
    code, _, _ = error_of(a.describe_image_builders, Names=["no-such-builder"])
    expect_eq(code, "ResourceNotFoundException", "unknown builder")
    p = a.describe_image_permissions(Name="prod-apps-00", SharedAwsAccountIds=["100000000001", "100000000004"])
    expect_eq([x["sharedAccountId"] for x in p["SharedImagePermissionsList"]], ["100000000001", "100000000004"], "SharedAwsAccountIds filter")
    code, _, _ = error_of(a.describe_image_permissions, Name=shared[0]["Name"])
    expect_eq(code, "ResourceNotFoundException", "permissions of an image shared in")
    dev = client("appstream", "eu-west-1", creds=assume(f"arn:aws:iam::{DEV}:role/{ROLE}", EXT))
    code, status, msg = error_of(dev.describe_image_builders)
    expect_eq((code, status), ("AccessDeniedException", 400), "AppStream denied region")
    expect(f"assumed-role/{ROLE}/imgaudit" in msg, f"denial message: {msg}")
    expect(client("appstream", "us-east-1", creds=assume(f"arn:aws:iam::{DEV}:role/{ROLE}", EXT)).describe_image_builders()["ImageBuilders"], "AppStream in the other region")


@check
def wire_format_details():
    c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    img = next(i for i in FL.region(PROD, "eu-west-1").ws_images if "FutureField" in i)
    st, hd, body = json_request("WorkspacesService.DescribeWorkspaceImages", {"ImageIds": [img["ImageId"]]}, creds=c, region="eu-west-1")
    expect_eq(st, 200, "status")
    expect_eq(hd.get("content-type"), "application/x-amz-json-1.1", "content type")
    doc = json.loads(body)
    expect_eq(doc["Images"][0]["FutureField"], img["FutureField"], "a field unknown to the model is served")
    expect(isinstance(doc["Images"][0]["Created"], (int, float)), "Created is not an epoch number")
    expect_eq(doc["Images"][0]["Created"], float(fleetmod.epoch_text(img["Created"], "decimal")), "Created value")
    st, _, body = json_request("PhotonAdminProxyService.DescribeImageBuilders", {}, creds=c, region="eu-west-1")
    expect(b'"CreatedTime":1.' in body and b"E9" in body, "AppStream timestamps are not in Java double notation")


@check
def malformed_requests_get_clear_400s():
    def code_of(st, body):
        return st, json_error_code(body)[0]

    expect_eq(code_of(*json_request("WorkspacesService.DescribeWorkspaceImages", b"{not json")[:3:2]), (400, "SerializationException"), "invalid JSON")
    expect_eq(code_of(*json_request("WorkspacesService.DescribeWorkspaceImages", b"[1,2]")[:3:2]), (400, "SerializationException"), "JSON array body")
    expect_eq(code_of(*json_request("WorkspacesService.DeleteEverything", {})[:3:2]), (400, "UnknownOperationException"), "unknown operation")
    expect_eq(code_of(*json_request("NoSuchService.Op", {}, service="workspaces")[:3:2]), (400, "UnknownOperationException"), "unknown target prefix")
    st, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, headers={"Content-Type": "application/json"})
    expect_eq(code_of(st, body), (400, "SerializationException"), "wrong content type")
    st, hd, body = raw("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "WorkspacesService.DescribeWorkspaceImages"})
    expect_eq(code_of(st, body), (403, "MissingAuthenticationTokenException"), "unsigned")
    expect(hd.get("x-amzn-requestid"), "error without x-amzn-RequestId")
    st, _, body = raw("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "WorkspacesService.DescribeWorkspaceImages", "Authorization": "AWS4-HMAC-SHA256 Credential=junk", "X-Amz-Date": "20240101T000000Z"})
    expect_eq(code_of(st, body), (403, "IncompleteSignatureException"), "garbled Authorization")
    st, _, _ = raw("POST", "/", b"", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "WorkspacesService.DescribeWorkspaceImages", "Content-Length": str(50 << 20)})
    expect_eq(st, 413, "50 MiB Content-Length")
    st, _, body = raw("POST", "/", b"Action=Launch&Version=2011-06-15", {"Content-Type": "application/x-www-form-urlencoded"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
    expect_eq((st, ET.fromstring(body).find(".//{https://sts.amazonaws.com/doc/2011-06-15/}Code").text), (400, "InvalidAction"), "unknown STS action")
    st, _, body = raw("POST", "/", b"Action=GetCallerIdentity&Version=2099-01-01", {"Content-Type": "application/x-www-form-urlencoded"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
    expect_eq(st, 400, "unknown STS version")
    for junk in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40, b"GARBAGE\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n"):
        try:
            raw("POST", raw_bytes=junk)
        except (http.client.HTTPException, OSError):
            pass  # the server may just close such a connection; it must stay up
    expect(json.loads(control("GET", "/_fake/health"))["ok"], "server not healthy after junk")


@check
def odd_inputs_never_crash_the_server():
    weird = [None, True, 1, -1, 2**63, 1.5, "", "x" * 3000, [], [None], [1], ["wsi-abcdefghi"] * 30, {}, {"a": 1}]
    members = {
        "WorkspacesService.DescribeWorkspaceImages": ("ImageIds", "ImageType", "NextToken", "MaxResults"),
        "WorkspacesService.DescribeWorkspaceImagePermissions": ("ImageId", "NextToken", "MaxResults"),
        "PhotonAdminProxyService.DescribeImageBuilders": ("Names", "NextToken", "MaxResults"),
        "PhotonAdminProxyService.DescribeImages": ("Names", "Arns", "Type", "NextToken", "MaxResults"),
        "PhotonAdminProxyService.DescribeImagePermissions": ("Name", "SharedAwsAccountIds", "NextToken", "MaxResults"),
        "AWSOrganizationsV20161128.ListAccounts": ("NextToken", "MaxResults"),
    }
    statuses = {}
    for target, names in members.items():
        for name in names:
            for value in weird:
                st, hd, body = json_request(target, {name: value})
                statuses[st] = statuses.get(st, 0) + 1
                expect(st in (200, 400), f"{target} {name}={json.dumps(value)[:40]}: HTTP {st} {body[:200]!r}")
                expect(hd.get("x-amzn-requestid"), "answer without x-amzn-RequestId")
                if st == 400:
                    code, msg = json_error_code(body)
                    expect(code and msg, f"{target} {name}: error without code or message: {body[:200]!r}")
    expect(statuses.get(400, 0) > 100, f"statuses {statuses}")
    sts_cases = [
        {"Action": "AssumeRole", "Version": "2011-06-15"},
        {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/ImgAuditRole", "RoleSessionName": "ok", "DurationSeconds": "abc"},
        {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::222222222222:role/ImgAuditRole", "RoleSessionName": "ok", "Bogus": "1"},
        {"Action": "GetCallerIdentity", "Version": "2011-06-15", "Extra": "1"},
        {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15"},
    ]
    for form in sts_cases:
        st, _, body = raw("POST", "/", urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
        expect(st == 400 and b"<Code>" in body, f"STS {form}: HTTP {st} {body[:200]!r}")
    st, _, body = raw("POST", "/", b"%zz=1&&=", {"Content-Type": "application/x-www-form-urlencoded"}, sign={"service": "sts", "region": "us-east-1", "creds": creds_of(BASE)})
    expect(st == 400, f"malformed form: HTTP {st} {body[:200]!r}")


@check
def log_records_calls_without_secrets():
    reset()
    c = assume(f"arn:aws:iam::{DEV}:role/{ROLE}", EXT, session="log-check")
    client("workspaces", "eu-west-1", creds=c).describe_workspace_images(ImageType="OWNED", MaxResults=10)
    boto3.client("sts", region_name="us-east-1", endpoint_url=URL, config=Config(signature_version=botocore.UNSIGNED)).assume_role_with_web_identity(
        RoleArn=f"arn:aws:iam::{MGMT}:role/ImgAuditWebRole", RoleSessionName="ci", WebIdentityToken="oidc-token-for-imgaudit-ci"
    )
    entries = log_entries()
    expect_eq([e["operation"] for e in entries], ["AssumeRole", "DescribeWorkspaceImages", "AssumeRoleWithWebIdentity"], "logged operations")
    ar, dwi, web = entries
    expect_eq((ar["account"], ar["role"], ar["service"], ar["status"], ar["params"]["ExternalId"], ar["params"]["RoleSessionName"]), (MGMT, None, "sts", 200, EXT, "log-check"), "AssumeRole entry")
    expect_eq((dwi["account"], dwi["role"], dwi["region"], dwi["service"], dwi["params"], dwi["status"], dwi["fault"]), (DEV, ROLE, "eu-west-1", "workspaces", {"ImageType": "OWNED", "MaxResults": 10}, 200, None), "DescribeWorkspaceImages entry")
    expect_eq(web["params"]["WebIdentityToken"], "<redacted>", "web identity token in the log")
    with open(os.path.join(DIR, "requests.jsonl"), encoding="utf-8") as f:
        file_text = f.read()
    api_text = control("GET", "/_fake/log")
    expect_eq(len(file_text.splitlines()), 3, "log file lines after reset")
    for text, where in ((file_text, "log file"), (api_text, "/_fake/log")):
        for secret in (BASE["secret_access_key"], c["aws_secret_access_key"], c["aws_session_token"], "oidc-token-for-imgaudit-ci", "Signature=", "Authorization"):
            expect(secret not in text, f"{where} contains a secret ({secret[:12]}...)")
    expect_eq(len([line for line in control("GET", "/_fake/log?since=2").splitlines() if line]), 1, "log since=2")


@check
def throttle_fault_per_operation_and_service():
    reset()
    set_faults("throttle=1.0@DescribeWorkspaceImages")
    c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    code, status, _ = error_of(client("workspaces", "eu-west-1", creds=c).describe_workspace_images)
    expect_eq((code, status), ("ThrottlingException", 400), "throttled DescribeWorkspaceImages")
    expect(client("appstream", "eu-west-1", creds=c).describe_image_builders()["ImageBuilders"], "another operation is throttled too")
    set_faults("throttle@sts+organizations")
    code, _, _ = error_of(client("sts").get_caller_identity)
    expect_eq(code, "Throttling", "STS throttling code")
    code, _, _ = error_of(client("organizations").list_accounts)
    expect_eq(code, "TooManyRequestsException", "Organizations throttling code")
    expect(json.loads(control("GET", "/_fake/health"))["ok"], "control endpoint affected by faults")
    faulted = [(e["operation"], e["fault"], e["error"]) for e in log_entries() if e["fault"]]
    expect_eq(faulted, [("DescribeWorkspaceImages", "throttle", "ThrottlingException"), ("GetCallerIdentity", "throttle", "Throttling"), ("ListAccounts", "throttle", "TooManyRequestsException")], "faults in the log")
    set_faults("")


@check
def server_error_faults():
    reset()
    set_faults("5xx=1.0:503@DescribeImageBuilders,500@DescribeImages")
    a = client("appstream", "us-east-1")
    code, status, _ = error_of(a.describe_image_builders)
    expect_eq((code, status), ("ServiceUnavailable", 503), "503 fault")
    code, status, _ = error_of(a.describe_images)
    expect_eq((code, status), ("InternalFailure", 500), "500 fault")
    retrying = client("appstream", "us-east-1", config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
    set_faults("5xx=1.0/1@DescribeImageBuilders")
    expect(retrying.describe_image_builders()["ImageBuilders"], "one 5xx then success")
    set_faults("")


@check
def truncated_short_and_nonjson_bodies():
    reset()
    set_faults("truncate@GetCallerIdentity")
    try:
        client("sts").get_caller_identity()
        raise Failed("boto3 parsed a truncated STS answer")
    except botocore.parsers.ResponseParserError:
        pass
    set_faults("truncate@DescribeImageBuilders")
    st, hd, body = json_request("PhotonAdminProxyService.DescribeImageBuilders", {})
    expect_eq((st, int(hd["content-length"])), (200, len(body)), "truncated answer is a complete HTTP message")
    try:
        json.loads(body)
        raise Failed("truncated body is valid JSON")
    except ValueError:
        pass
    r = client("appstream").describe_image_builders()
    expect("ImageBuilders" not in r, "boto3 read builders out of a truncated body")
    set_faults("short@DescribeImageBuilders")
    try:
        client("appstream").describe_image_builders()
        raise Failed("boto3 accepted a body shorter than its Content-Length")
    except (botocore.exceptions.ConnectionClosedError, botocore.exceptions.ResponseStreamingError, botocore.exceptions.ReadTimeoutError, http.client.IncompleteRead):
        pass
    set_faults("nonjson:502@DescribeImageBuilders")
    st, hd, body = json_request("PhotonAdminProxyService.DescribeImageBuilders", {})
    expect_eq((st, hd.get("content-type")), (502, "text/html"), "non-JSON answer")
    code, status, _ = error_of(client("appstream").describe_image_builders)
    expect_eq(status, 502, "boto3 sees the 502")
    kinds = [e["fault"] for e in log_entries() if e["fault"]]
    expect_eq(kinds, ["truncate", "truncate", "truncate", "short", "nonjson", "nonjson"], "faults logged")
    set_faults("")


@check
def dropped_connections_and_slow_answers():
    reset()
    set_faults("drop@DescribeImages,slow=1.0:400@DescribeImageBuilders")
    a = client("appstream", "us-east-1")
    try:
        a.describe_images()
        raise Failed("a dropped connection produced an answer")
    except (botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError):
        pass
    t = time.monotonic()
    a.describe_image_builders()
    took = time.monotonic() - t
    expect(took >= 0.4, f"slow answer took {took:.3f}s, want >= 0.4s")
    entries = log_entries()
    expect_eq([(e["operation"], e["fault"], e["status"]) for e in entries], [("DescribeImages", "drop", None), ("DescribeImageBuilders", "slow", 200)], "log of drop and slow")
    expect(entries[1]["delay_ms"] == 400, "delay not logged")
    set_faults("")


@check
def fault_rates_are_deterministic_and_filtered():
    def run():
        reset()
        set_faults("throttle=0.5@eu-west-1")
        out = []
        ws_eu = client("workspaces", "eu-west-1")
        ws_us = client("workspaces", "us-east-1")
        for i in range(30):
            for c, region in ((ws_eu, "eu-west-1"), (ws_us, "us-east-1")):
                try:
                    c.describe_workspace_images(MaxResults=1 + i % 20)
                    out.append((region, i, "ok"))
                except botocore.exceptions.ClientError as exc:
                    out.append((region, i, exc.response["Error"]["Code"]))
        return out

    first, second = run(), run()
    expect_eq(first, second, "same seed, same requests, same faults")
    eu = [x[2] for x in first if x[0] == "eu-west-1"]
    us = [x[2] for x in first if x[0] == "us-east-1"]
    expect(all(x == "ok" for x in us), "a region outside the filter was throttled")
    n = eu.count("ThrottlingException")
    expect(6 <= n <= 24, f"{n} of 30 throttled at rate 0.5")
    set_faults("throttle=0.3,5xx=0.05")
    exp = expected.compute(FL)
    resources, errors, _ = collect_fleet_with_retries(exp)
    compare_with_expected(resources, errors, exp)
    faulted = [e for e in log_entries() if e["fault"]]
    expect(len(faulted) > 50, f"only {len(faulted)} faults injected under 30% throttling")
    set_faults("")


def collect_fleet_with_retries(exp):
    """The full collection with retries on, as a collector does under throttling."""
    global NO_RETRY
    saved, saved_delay = NO_RETRY, botocore.retries.standard.ExponentialBackoff.delay_amount
    NO_RETRY = Config(retries={"total_max_attempts": 12, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    # The fake needs no real backoff; botocore's (up to 20 s) would only slow the test.
    botocore.retries.standard.ExponentialBackoff.delay_amount = lambda self, context: 0.005
    try:
        return collect_fleet(exp["accounts"], FL.regions, parallel=4)
    finally:
        NO_RETRY = saved
        botocore.retries.standard.ExponentialBackoff.delay_amount = saved_delay


@check
def concurrent_clients_get_exact_results():
    reset()
    exp = expected.compute(FL)
    t = time.monotonic()
    resources, errors, stats = collect_fleet(exp["accounts"], FL.regions, parallel=8)
    took = time.monotonic() - t
    compare_with_expected(resources, errors, exp)
    n = len(log_entries())
    print(f"  info: {n} requests from 8 threads in {took:.2f}s ({n / took:.0f}/s)")


@check
def fault_control_rejects_bad_specs():
    for spec in ("explode=1", "throttle=2", "slow:abc", "5xx:404", "lost:502", "throttle@not/a/filter"):
        u = urlsplit(URL)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request("POST", "/_fake/faults", body=json.dumps({"spec": spec}), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        expect_eq(r.status, 400, f"bad spec {spec!r}")
        expect("fault rule" in json.loads(text)["error"], f"error for {spec!r}: {text}")
    control("POST", "/_fake/faults", {"rules": [{"kind": "throttle", "rate": 0.25, "operations": ["ListAccounts"], "max": 3}]})
    rules = json.loads(control("GET", "/_fake/faults"))["rules"]
    expect_eq((rules[0]["kind"], rules[0]["rate"], rules[0]["max"], rules[0]["operations"]), ("throttle", 0.25, 3, ["ListAccounts"]), "JSON rules")
    set_faults("")


@contextlib.contextmanager
def second_server(*args):
    d = tempfile.mkdtemp(prefix="fakeaws-")
    port_file = os.path.join(d, "port")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "fakeaws.py"), "--port", "0", "--port-file", port_file, "--parent-pid", str(os.getpid()), "--max-lifetime", "120", *args], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if p.poll() is not None:
                raise Failed(f"second server exited: {p.stderr.read()}")
            if time.monotonic() > deadline:
                raise Failed("second server did not start")
            time.sleep(0.05)
        with open(port_file, encoding="utf-8") as f:
            yield f"http://127.0.0.1:{f.read().strip()}"
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stderr.close()
        shutil.rmtree(d, ignore_errors=True)


# ---- the write side (`imgaudit fix apply`) -----------------------------------------------------


def ws_image_named(account, region, name):
    return next(i for i in FL.region(account, region).ws_images if i["Name"] == name)


def ws_shared_ids(creds, region):
    """The ids of the WorkSpaces images shared into the account of creds, as DescribeWorkspaceImages lists them."""
    pages = client("workspaces", region, creds=creds).get_paginator("describe_workspace_images").paginate(ImageType="SHARED")
    return {i["ImageId"] for page in pages for i in page["Images"]}


def ws_permission_ids(ws, image_id):
    """The accounts an image is shared with, every page (botocore has no paginator for this listing)."""
    out, kw = [], {}
    while True:
        page = ws.describe_workspace_image_permissions(ImageId=image_id, **kw)
        out += [p["SharedAccountId"] for p in page["ImagePermissions"]]
        if not page.get("NextToken"):
            return out
        kw["NextToken"] = page["NextToken"]


def write_entries(operation):
    return [e for e in log_entries() if e["operation"] == operation]


@check
def workspaces_image_permission_share_and_unshare():
    reset()
    prod, dev, labs = (assume(f"arn:aws:iam::{a}:role/{ROLE}", ext) for a, ext in ((PROD, None), (DEV, EXT), (LABS, None)))
    ws = client("workspaces", "eu-west-1", creds=prod)
    img = ws_image_named(PROD, "eu-west-1", "prod-win-001")["ImageId"]  # BYOL, shared with DEV and 999999999999
    expect_eq(ws_permission_ids(ws, img), [DEV, "999999999999"], "permissions before")
    expect(img in ws_shared_ids(dev, "eu-west-1"), "DEV does not see the image shared in")
    try:
        expect_eq(plain(ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=False, SharedAccountId="999999999999")), {}, "unshare answer")
        ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=False, SharedAccountId=DEV)
        expect_eq(ws_permission_ids(ws, img), [], "permissions after two unshares")
        expect(img not in ws_shared_ids(dev, "eu-west-1"), "DEV still sees the unshared image")
        ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=True, SharedAccountId=LABS)
        ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=True, SharedAccountId=LABS)
        expect_eq(ws_permission_ids(ws, img), [LABS], "permissions after sharing twice")
        expect(img in ws_shared_ids(labs, "eu-west-1"), "LABS does not see the image shared in")
        expect(img not in ws_shared_ids(labs, "us-east-1"), "a share reached another region")
        errors = [
            (error_of(ws.update_workspace_image_permission, ImageId=img, AllowCopyImage=False, SharedAccountId=DEV), "InvalidParameterValuesException", "unshare an account not shared with"),
            (error_of(ws.update_workspace_image_permission, ImageId=img, AllowCopyImage=True, SharedAccountId=PROD), "InvalidParameterValuesException", "share with the owner"),
            (error_of(ws.update_workspace_image_permission, ImageId=ws_image_named(PARTNER, "eu-west-1", "partner-win-001")["ImageId"], AllowCopyImage=False, SharedAccountId=PROD), "ResourceNotFoundException", "unshare an image shared in"),
            (error_of(ws.update_workspace_image_permission, ImageId="wsi-000000000", AllowCopyImage=True, SharedAccountId=LABS), "ResourceNotFoundException", "unknown image"),
            (error_of(ws.update_workspace_image_permission, ImageId=FL.region(PROD, "eu-west-1").ws_images[5]["ImageId"], AllowCopyImage=True, SharedAccountId=LABS), "ResourceUnavailableException", "share a PENDING image"),
            (error_of(client("workspaces", "eu-west-1", creds=prod, config=NO_VALIDATION).update_workspace_image_permission, ImageId=img, AllowCopyImage=True, SharedAccountId="12345"), "ValidationException", "a SharedAccountId of 5 digits"),
        ]
        for (code, status, _), want, what in errors:
            expect_eq((code, status), (want, 400), what)
        entries = write_entries("UpdateWorkspaceImagePermission")
        expect_eq([e.get("effect") for e in entries], ["changed", "changed", "changed", "unchanged"] + [None] * len(errors), "effects logged")
        expect_eq(entries[0]["params"], {"ImageId": img, "AllowCopyImage": False, "SharedAccountId": "999999999999"}, "params logged")
    finally:
        reset()
    expect_eq(ws_permission_ids(ws, img), [DEV, "999999999999"], "permissions after a reset")
    expect(img in ws_shared_ids(dev, "eu-west-1") and img not in ws_shared_ids(labs, "eu-west-1"), "shared-in views after a reset")


@check
def concurrent_writes_are_all_applied():
    reset()
    prod = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    img = ws_image_named(PROD, "eu-west-1", "prod-win-016")["ImageId"]  # shared with nobody
    targets = [f"20{i:010d}" for i in range(24)]

    def share(chunk):
        ws = client("workspaces", "eu-west-1", creds=prod)
        for t in chunk:
            ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=True, SharedAccountId=t)

    try:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            list(pool.map(share, [targets[i::6] for i in range(6)]))
        expect_eq(sorted(ws_permission_ids(client("workspaces", "eu-west-1", creds=prod), img)), targets, "permissions after concurrent shares")
        expect_eq([e.get("effect") for e in write_entries("UpdateWorkspaceImagePermission")], ["changed"] * len(targets), "effects")
    finally:
        reset()


@check
def create_updated_workspace_image():
    reset()
    prod = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    ws = client("workspaces", "eu-west-1", creds=prod)
    src = ws_image_named(PROD, "eu-west-1", "prod-win-001")
    tags = [{"Key": "imgaudit:source-image", "Value": src["ImageId"]}, {"Key": "imgaudit:finding", "Value": "workspaces-image-update-available"}]
    req = {"Name": "prod-win-001-upd-2026-12-03", "Description": src["Updates"]["Description"], "SourceImageId": src["ImageId"], "Tags": tags}
    try:
        new = ws.create_updated_workspace_image(**req)["ImageId"]
        expect(re.fullmatch(r"wsi-[0-9a-z]{9,63}", new), f"new image id {new}")
        got = ws.describe_workspace_images(ImageIds=[new])["Images"]
        expect_eq(len(got), 1, "the new image listed by id")
        img = got[0]
        expect_eq((img["Name"], img["Description"], img["State"], img["OwnerAccountId"], img["OperatingSystem"], img["RequiredTenancy"]),
                  (req["Name"], req["Description"], "PENDING", PROD, src["OperatingSystem"], src["RequiredTenancy"]), "the new image")
        owned = [i["ImageId"] for page in ws.get_paginator("describe_workspace_images").paginate(ImageType="OWNED") for i in page["Images"]]
        expect(owned[-1] == new and len(owned) == len(FL.region(PROD, "eu-west-1").ws_images) + 1, "the new image is not last among the OWNED")
        expect(ws.describe_workspace_images(ImageIds=[src["ImageId"]])["Images"][0]["Updates"]["UpdateAvailable"], "the source changed")
        expect_eq(ws.describe_tags(ResourceId=new)["TagList"], tags, "tags of the new image")
        expect_eq(ws.describe_tags(ResourceId=src["ImageId"])["TagList"], [], "tags of a fleet image")
        expect_eq(error_of(ws.describe_tags, ResourceId="wsi-000000000")[0], "ResourceNotFoundException", "tags of an unknown image")
        loose = client("workspaces", "eu-west-1", creds=prod, config=NO_VALIDATION)
        region_imgs = FL.region(PROD, "eu-west-1").ws_images
        linux = next(i for i in region_imgs if i["OperatingSystem"]["Type"] == "LINUX")
        errors = [
            (dict(req), "ResourceAlreadyExistsException", "the same name again"),
            (dict(req, Name="x", SourceImageId=linux["ImageId"]), "OperationNotSupportedException", "a Linux source"),
            (dict(req, Name="x", SourceImageId=region_imgs[2]["ImageId"]), "InvalidResourceStateException", "a source in ERROR"),
            (dict(req, Name="x", SourceImageId=ws_image_named(PROD, "eu-west-1", "prod-win-007")["ImageId"]), "InvalidParameterValuesException", "a source without updates"),
            (dict(req, Name="x", SourceImageId=ws_image_named(PARTNER, "eu-west-1", "partner-win-001")["ImageId"]), "ResourceNotFoundException", "a source shared in"),
            (dict(req, Name="x", SourceImageId=ws_image_named(MGMT, "eu-west-1", "mgmt-win-000")["ImageId"]), "ResourceNotFoundException", "a source of another account"),
            (dict(req, Name="x", Tags=[{"Key": "aws:owner", "Value": "x"}]), "InvalidParameterValuesException", "a reserved tag key"),
            (dict(req, Name="x", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)]), "ResourceLimitExceededException", "51 tags"),
            (dict(req, Name="bad name!"), "ValidationException", "a name off the pattern"),
            (dict(req, Name="n" * 65), "ValidationException", "a name of 65 characters"),
            (dict(req, Description="50% off"), "ValidationException", "a description off the pattern"),
        ]
        for params, want, what in errors:
            expect_eq(error_of(loose.create_updated_workspace_image, **params)[:2], (want, 400), what)
        entries = write_entries("CreateUpdatedWorkspaceImage")
        expect_eq([(e.get("effect"), e.get("image_id")) for e in entries], [("changed", new)] + [(None, None)] * len(errors), "effects logged")
    finally:
        reset()
    expect_eq(ws.describe_workspace_images(ImageIds=[new])["Images"], [], "the new image after a reset")
    expect_eq(ws.create_updated_workspace_image(**req)["ImageId"], new, "the same request after a reset: the same id")
    reset()


@check
def appstream_delete_image_permissions():
    reset()
    prod, labs = assume(f"arn:aws:iam::{PROD}:role/{ROLE}"), assume(f"arn:aws:iam::{LABS}:role/{ROLE}")
    a = client("appstream", "eu-west-1", creds=prod)

    def shared_into_labs():
        return {i["Name"] for i in client("appstream", "eu-west-1", creds=labs).describe_images(Type="SHARED")["Images"]}

    def permitted(name):
        return [p["sharedAccountId"] for p in a.describe_image_permissions(Name=name)["SharedImagePermissionsList"]]

    expect_eq(permitted("prod-apps-02"), [LABS, DEV], "permissions before")
    expect("prod-apps-02" in shared_into_labs(), "LABS does not see prod-apps-02 shared in")
    try:
        expect_eq(plain(a.delete_image_permissions(Name="prod-apps-02", SharedAccountId=LABS)), {}, "answer")
        expect_eq(permitted("prod-apps-02"), [DEV], "permissions after")
        expect("prod-apps-02" not in shared_into_labs(), "LABS still sees prod-apps-02")
        private = {i["Name"]: i for i in a.describe_images(Type="PRIVATE")["Images"]}
        expect_eq(private["prod-apps-02"]["ImageSharedWithOthers"], "TRUE", "still shared with DEV")
        a.delete_image_permissions(Name="prod-apps-02", SharedAccountId=LABS)
        a.delete_image_permissions(Name="prod-apps-01", SharedAccountId="999999999999")
        private = {i["Name"]: i for i in a.describe_images(Type="PRIVATE")["Images"]}
        expect_eq(private["prod-apps-01"]["ImageSharedWithOthers"], "FALSE", "prod-apps-01 shared with nobody")
        for name, want, what in (("no-such-image", "ResourceNotFoundException", "unknown image"), ("vendor-cad-suite", "ResourceNotFoundException", "an image shared in")):
            code, status, _ = error_of(a.delete_image_permissions, Name=name, SharedAccountId=LABS)
            expect_eq((code, status), (want, 400), what)
        entries = write_entries("DeleteImagePermissions")
        expect_eq([e.get("effect") for e in entries], ["changed", "unchanged", "changed", None, None], "effects logged")
    finally:
        reset()
    expect_eq(permitted("prod-apps-02"), [LABS, DEV], "permissions after a reset")
    expect_eq(permitted("prod-apps-01"), ["999999999999"], "prod-apps-01 after a reset")
    expect("prod-apps-02" in shared_into_labs(), "LABS after a reset")


@check
def write_faults_answer_before_the_change_except_lost():
    reset()
    prod = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
    ws = client("workspaces", "eu-west-1", creds=prod)
    img = ws_image_named(PROD, "eu-west-1", "prod-win-001")["ImageId"]
    unshare = {"ImageId": img, "AllowCopyImage": False, "SharedAccountId": "999999999999"}
    try:
        for spec, want in (("throttle@UpdateWorkspaceImagePermission", ("ThrottlingException", 400)), ("5xx:503@workspaces", ("ServiceUnavailable", 503))):
            set_faults(spec)
            expect_eq(error_of(ws.update_workspace_image_permission, **unshare)[:2], want, spec)
            set_faults("")
            expect_eq(ws_permission_ids(ws, img), [DEV, "999999999999"], f"permissions after {spec}")
        set_faults("drop@UpdateWorkspaceImagePermission")
        try:
            ws.update_workspace_image_permission(**unshare)
            raise Failed("a dropped write was answered")
        except (botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError):
            pass
        set_faults("")
        expect_eq(ws_permission_ids(ws, img), [DEV, "999999999999"], "permissions after a drop")
        set_faults("lost@UpdateWorkspaceImagePermission")
        expect_eq(error_of(ws.update_workspace_image_permission, **unshare)[:2], ("InternalFailure", 500), "lost write")
        set_faults("lost:0/1@UpdateWorkspaceImagePermission")
        try:
            ws.update_workspace_image_permission(ImageId=img, AllowCopyImage=False, SharedAccountId=DEV)
            raise Failed("a lost:0 write was answered")
        except (botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError):
            pass
        set_faults("")
        expect_eq(ws_permission_ids(ws, img), [], "permissions after two lost answers: both changes made")
        got = [(e["fault"], e["status"], e["error"], e.get("effect")) for e in write_entries("UpdateWorkspaceImagePermission")]
        expect_eq(got, [("throttle", 400, "ThrottlingException", None), ("5xx", 503, "ServiceUnavailable", None), ("drop", None, None, None),
                        ("lost", 500, "InternalFailure", "changed"), ("lost", None, None, "changed")], "write faults in the log")
        # A retrying client after a lost answer: the state is read again first, or the retry fails.
        set_faults("lost/1@DeleteImagePermissions")
        retrying = client("appstream", "eu-west-1", creds=prod, config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        retrying.delete_image_permissions(Name="prod-apps-01", SharedAccountId="999999999999")
        expect_eq([e.get("effect") for e in write_entries("DeleteImagePermissions")], ["changed", "unchanged"], "a retried DeleteImagePermissions after a lost answer")
        # A service-wide denial covers the writes: desktops-dev's AppStream in eu-west-1.
        dev = assume(f"arn:aws:iam::{DEV}:role/{ROLE}", EXT)
        code, _, _ = error_of(client("appstream", "eu-west-1", creds=dev).delete_image_permissions, Name="dev-denied-apps", SharedAccountId=PROD)
        expect_eq(code, "AccessDeniedException", "denied DeleteImagePermissions")
        expect_eq(write_entries("DeleteImagePermissions")[-1].get("effect"), None, "effect of a denied write")
    finally:
        set_faults("")
        reset()


@check
def denials_name_write_operations_and_create_tags():
    raw_fleet = json.loads(open(fleetmod.fleet_path("test"), encoding="utf-8").read())
    prod_acct = next(a for a in raw_fleet["accounts"] if a["id"] == PROD)
    prod_acct["denials"] = [{"service": "workspaces", "operations": ["CreateTags", "UpdateWorkspaceImagePermission"], "code": "AccessDeniedException"}]
    d = tempfile.mkdtemp(prefix="fakeaws-fleet-")
    try:
        path = os.path.join(d, "denied.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(raw_fleet, f)
        with second_server("--fleet", path) as url:
            prod = {"aws_access_key_id": MEMBER["access_key_id"], "aws_secret_access_key": MEMBER["secret_access_key"]}  # a user of desktops-prod
            ws = boto3.client("workspaces", region_name="eu-west-1", endpoint_url=url, config=NO_RETRY, **prod)
            src = ws_image_named(PROD, "eu-west-1", "prod-win-001")["ImageId"]
            req = {"Name": "prod-win-001-upd", "Description": "Updated", "SourceImageId": src}
            code, _, msg = error_of(ws.create_updated_workspace_image, Tags=[{"Key": "k", "Value": "v"}], **req)
            expect_eq(code, "AccessDeniedException", "tagging without workspaces:CreateTags")
            expect("workspaces:CreateTags" in msg, f"denial message: {msg}")
            expect(ws.create_updated_workspace_image(**req)["ImageId"], "no tags, no CreateTags needed")
            code, _, _ = error_of(ws.update_workspace_image_permission, ImageId=src, AllowCopyImage=False, SharedAccountId=DEV)
            expect_eq(code, "AccessDeniedException", "denied UpdateWorkspaceImagePermission")
        prod_acct["denials"] = [{"service": "workspaces", "operations": ["UpdateWorkspaceImagePermissions"], "code": "AccessDeniedException"}]
        with open(path, "w", encoding="utf-8") as f:
            json.dump(raw_fleet, f)
        try:
            fleetmod.load(path)
            raise Failed("a denial of a misspelt operation was accepted")
        except fleetmod.FleetError as exc:
            expect("UpdateWorkspaceImagePermissions" in str(exc), f"fleet error: {exc}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@check
def sso_portal_and_oidc_as_boto3_sees_them():
    """IAM Identity Center through boto3's own sso and sso-oidc clients (unsigned): GetRoleCredentials checks the
    bearer token and the assignment, its credentials sign STS calls, CreateToken spends refresh tokens."""
    global URL
    saved = URL
    unsigned = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})
    with second_server("--sso-token", "tok-1", "--sso-assignment", "111111111111:AuditorAccess", "--sso-client", "cid:csecret", "--sso-refresh-token", "ref-1") as url:
        URL = url
        try:
            sso = boto3.client("sso", region_name="eu-west-1", endpoint_url=url, config=unsigned)
            oidc = boto3.client("sso-oidc", region_name="eu-west-1", endpoint_url=url, config=unsigned)
            rc = sso.get_role_credentials(roleName="AuditorAccess", accountId="111111111111", accessToken="tok-1")["roleCredentials"]
            expect(rc["expiration"] > time.time() * 1000 + 3000 * 1000, f"expiration is not epoch ms an hour ahead: {rc['expiration']}")
            who = client("sts", creds={"aws_access_key_id": rc["accessKeyId"], "aws_secret_access_key": rc["secretAccessKey"], "aws_session_token": rc["sessionToken"]}).get_caller_identity()
            expect(re.fullmatch(r"arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AuditorAccess_[0-9a-f]{16}/imgaudit-sso-user", who["Arn"]), who["Arn"])
            expect_eq(error_of(sso.get_role_credentials, roleName="AuditorAccess", accountId="111111111111", accessToken="tok-2")[:2], ("UnauthorizedException", 401), "unknown token")
            expect_eq(error_of(sso.get_role_credentials, roleName="Admin", accountId="111111111111", accessToken="tok-1")[:2], ("ForbiddenException", 403), "permission set not assigned")
            code, status, msg = error_of(oidc.create_token, clientId="cid", clientSecret="wrong", grantType="refresh_token", refreshToken="ref-1")
            expect_eq((code, status), ("InvalidClientException", 401), "wrong client secret")
            new = oidc.create_token(clientId="cid", clientSecret="csecret", grantType="refresh_token", refreshToken="ref-1")
            expect(new["accessToken"] and new["refreshToken"] and new["expiresIn"] > 0, f"CreateToken answer: {new}")
            expect_eq(error_of(oidc.create_token, clientId="cid", clientSecret="csecret", grantType="refresh_token", refreshToken="ref-1")[:2], ("InvalidGrantException", 400), "spent refresh token")
            sso.get_role_credentials(roleName="AuditorAccess", accountId="111111111111", accessToken=new["accessToken"])
            oidc.create_token(clientId="cid", clientSecret="csecret", grantType="refresh_token", refreshToken=new["refreshToken"])
        finally:
            URL = saved


@check
def rate_limit_throttles_each_lane_like_aws():
    global URL
    saved = URL
    with second_server("--rate-limit", "2:3") as url:
        URL = url
        try:
            ws = client("workspaces", "eu-west-1")
            for i in range(3):
                ws.describe_workspace_images(ImageType="OWNED")  # the burst
            code, status, msg = error_of(ws.describe_workspace_images, ImageType="OWNED")
            expect_eq((code, status, msg), ("ThrottlingException", 400, "Rate exceeded"), "WorkSpaces past its burst (boto3)")
            status, _, body = json_request("WorkspacesService.DescribeWorkspaceImages", {}, region="eu-west-1")
            expect_eq((status, json.loads(body)), (400, {"__type": "ThrottlingException", "message": "Rate exceeded"}), "WorkSpaces throttle on the wire")
            # botocore's standard retry mode takes the answer for a throttle and waits for a token.
            retrying = Config(retries={"mode": "standard", "total_max_attempts": 10})
            r = client("workspaces", "eu-west-1", config=retrying).describe_workspace_images(ImageType="OWNED")
            expect(r["ResponseMetadata"]["RetryAttempts"] >= 1, "the retried call did not need a retry")
            # Every other lane has its own bucket: service, region, account.
            client("workspaces", "us-east-1").describe_workspace_images()
            ap = client("appstream", "eu-west-1")
            for i in range(3):
                ap.describe_image_builders()
            status, _, body = json_request("PhotonAdminProxyService.DescribeImageBuilders", {}, region="eu-west-1")
            expect_eq((status, json.loads(body)), (400, {"__type": "com.amazonaws.appstream#ThrottlingException", "Message": "Rate exceeded"}), "AppStream throttle on the wire")
            code, _, _ = error_of(ap.describe_images)
            expect_eq(code, "ThrottlingException", "AppStream past its burst (boto3)")
            prod = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
            client("workspaces", "eu-west-1", creds=prod).describe_workspace_images()
            # STS and Organizations have much higher limits of their own.
            for i in range(20):
                client("sts").get_caller_identity()
            client("organizations").list_accounts()
            # The bucket refills at the rate: after 0.6 s one token is back.
            time.sleep(0.6)
            ws.describe_workspace_images(ImageType="SHARED")
            throttled = [e for e in log_entries() if e.get("rate_limited")]
            expect(len(throttled) >= 4, f"{len(throttled)} throttled answers in the log")
            for e in throttled:
                expect_eq((e["status"], e["error"], e["fault"], e["service"] in ("workspaces", "appstream")), (400, "ThrottlingException", None, True), "a throttled log entry")
            health = json.loads(control("GET", "/_fake/health"))
            expect_eq((health["rate_limited"], health["rate_limit"]), (len(throttled), "appstream=2:3,organizations=50:100,sts=600:600,workspaces=2:3"), "health")
            reset()  # refills every bucket
            for i in range(3):
                ws.describe_workspace_images(ImageType="OWNED")
        finally:
            URL = saved
    expect_eq(ratelimit.parse_spec("5:10,sts=off,organizations=1"), {"workspaces": (5.0, 10.0), "appstream": (5.0, 10.0), "organizations": (1.0, 1.0)}, "a spec")
    expect_eq(ratelimit.parse_spec(""), {}, "no spec, no limits")
    for spec in ("0", "2:0.5", "fast", "ec2=1", "off", "nan"):
        try:
            ratelimit.parse_spec(spec)
            raise Failed(f"--rate-limit {spec!r} accepted")
        except ratelimit.RateLimitSpecError as exc:
            expect("rate limit" in str(exc), f"--rate-limit {spec!r}: {exc}")
    r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--rate-limit", "2:0"], capture_output=True, text=True, timeout=60)
    expect(r.returncode == 2 and "rate limit" in r.stderr and "Traceback" not in r.stderr, f"--rate-limit 2:0: {r.returncode} {r.stderr}")


@check
def throughput_mode_serves_unsigned_requests_and_adds_latency():
    status, _, body = raw("POST", "/", b"{}", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "WorkspacesService.DescribeWorkspaceImages"})
    expect_eq((status, json_error_code(body)[0]), (403, "MissingAuthenticationTokenException"), "unsigned request, normal mode")
    bad = {"aws_access_key_id": MEMBER["access_key_id"], "aws_secret_access_key": "x" * 40}
    code, status, _ = error_of(client("sts", creds=bad).get_caller_identity)
    expect_eq((code, status), ("SignatureDoesNotMatch", 403), "badly signed request, normal mode")
    global URL
    saved = URL
    with second_server("--throughput", "--latency-ms", "200") as url:
        URL = url
        try:
            status, _, body = raw("POST", "/", b'{"ImageType": "OWNED"}', {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "WorkspacesService.DescribeWorkspaceImages"})
            expect_eq(status, 200, "unsigned request, throughput mode")
            want = [i["ImageId"] for i in FL.region(MGMT, "us-east-1").ws_images][:7]
            expect_eq([i["ImageId"] for i in json.loads(body)["Images"]], want, "unsigned: the default caller in us-east-1")
            arn = client("sts", creds=bad).get_caller_identity()["Arn"]
            expect_eq(arn, FL.user_arn(MEMBER), "badly signed: the caller is still told by its access key")
            c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
            r = client("workspaces", "eu-west-1", creds=dict(c, aws_secret_access_key="y" * 40)).describe_workspace_images(ImageType="OWNED", MaxResults=3)
            expect_eq(r["Images"][0]["OwnerAccountId"], PROD, "a session with a wrong secret, throughput mode")
            unknown = {"aws_access_key_id": "AKIAUNKNOWNKEY000000", "aws_secret_access_key": "x" * 40}
            code, _, _ = error_of(client("appstream", creds=unknown).describe_image_builders)
            expect_eq(code, "UnrecognizedClientException", "unknown key, throughput mode")
            # --latency-ms delays each answer without holding up the others.
            t = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                took = list(pool.map(lambda _: _timed(lambda: client("workspaces", "eu-west-1").describe_workspace_images()), range(8)))
            total = time.monotonic() - t
            expect(min(took) >= 0.2, f"an answer came in {min(took):.3f} s, under --latency-ms 200")
            expect(total < 1.2, f"8 concurrent requests at 200 ms took {total:.2f} s: not served concurrently")
            health = json.loads(control("GET", "/_fake/health"))
            expect_eq((health["throughput"], health["latency_ms"]), (True, 200.0), "health")
        finally:
            URL = saved


def _timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


@check
def temporary_credentials_expire():
    global URL
    saved = URL
    with second_server("--session-ttl", "1", "--page-size", "3") as url:
        URL = url
        try:
            c = assume(f"arn:aws:iam::{PROD}:role/{ROLE}")
            r = client("workspaces", "eu-west-1", creds=c).describe_workspace_images(ImageType="OWNED")
            expect_eq(len(r["Images"]), 3, "--page-size 3")
            time.sleep(1.5)
            code, _, msg = error_of(client("workspaces", "eu-west-1", creds=c).describe_workspace_images)
            expect_eq(code, "ExpiredTokenException", "expired session")
            code, _, _ = error_of(client("sts", creds=c).get_caller_identity)
            expect_eq(code, "ExpiredToken", "expired session (STS)")
        finally:
            URL = saved


def _gone(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return True


@check
def server_stops_on_request_and_with_its_owner():
    with second_server() as url:
        u = urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.request("GET", "/_fake/health")
        pid = json.loads(conn.getresponse().read())["pid"]
        conn.request("POST", "/_fake/shutdown")
        expect_eq(conn.getresponse().status, 200, "shutdown answer")
        conn.close()
        deadline = time.monotonic() + 10
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        expect(_gone(pid), "server still running after /_fake/shutdown")
    d = tempfile.mkdtemp(prefix="fakeaws-owner-")
    port_file = os.path.join(d, "port")
    script = f'"{sys.executable}" "{os.path.join(HERE, "fakeaws.py")}" --port-file "{port_file}" --parent-pid $$ >/dev/null 2>&1 & echo $!; for i in $(seq 100); do [ -s "{port_file}" ] && break; sleep 0.1; done'
    r = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60)
    pid = int(r.stdout.split()[0])
    expect(os.path.exists(port_file), "owned server did not start")
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    shutil.rmtree(d, ignore_errors=True)
    if not _gone(pid):
        os.kill(pid, 15)
        raise Failed("server outlived its --parent-pid")


@check
def bad_startup_input_is_reported_clearly():
    r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--fleet", "/nonexistent/fleet.json"], capture_output=True, text=True, timeout=60)
    expect(r.returncode == 2 and "/nonexistent/fleet.json" in r.stderr and "Traceback" not in r.stderr, f"missing fleet: {r.returncode} {r.stderr}")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write('{\n  "fleet": "broken",\n  "accounts": [,]\n}\n')
    try:
        r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--fleet", f.name], capture_output=True, text=True, timeout=60)
        expect(r.returncode == 2 and f"{f.name}:3:" in r.stderr and "Traceback" not in r.stderr, f"broken JSON: {r.stderr}")
    finally:
        os.unlink(f.name)
    bad = json.loads(json.dumps(FL.raw))
    bad["accounts"][1]["regions"]["eu-west-1"]["workspaces_images"][2]["Created"] = "yesterday"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(bad, f)
    try:
        r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--fleet", f.name], capture_output=True, text=True, timeout=60)
        expect(r.returncode == 2 and "workspaces_images[2].Created" in r.stderr and "yesterday" in r.stderr, f"bad timestamp: {r.stderr}")
    finally:
        os.unlink(f.name)
    r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--faults", "throttle=7"], capture_output=True, text=True, timeout=60)
    expect(r.returncode == 2 and "rate" in r.stderr, f"bad --faults: {r.stderr}")
    r = subprocess.run([sys.executable, os.path.join(HERE, "fakeaws.py"), "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    expect(r.returncode == 2 and "loopback" in r.stderr, f"non-loopback host: {r.stderr}")


@check
def server_stderr_has_no_tracebacks():
    with open(os.path.join(DIR, "server.log"), encoding="utf-8") as f:
        text = f.read()
    expect("Traceback" not in text, "the server hit an internal error:\n" + text[-3000:])


def main():
    if not URL or not DIR:
        print("selftest: set FAKEAWS_URL and FAKEAWS_DIR (tests/it_fakeaws.sh does)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    only = sys.argv[1:]
    passed = failed = 0
    for fn in CHECKS:
        if only and fn.__name__ not in only:
            continue
        t = time.monotonic()
        try:
            fn()
            passed += 1
            print(f"ok   {fn.__name__} ({time.monotonic() - t:.2f}s)", flush=True)
        except Failed as exc:
            failed += 1
            print(f"FAIL {fn.__name__}: {exc}", flush=True)
        except Exception:  # a crash in a check is a failure of that check, not of the run
            failed += 1
            print(f"FAIL {fn.__name__}: unexpected exception", flush=True)
            traceback.print_exc(file=sys.stdout)
        finally:
            try:
                set_faults("")
            except Exception:
                pass
    if failed and DIR and os.path.exists(os.path.join(DIR, "server.log")):
        with open(os.path.join(DIR, "server.log"), encoding="utf-8") as f:
            tail = f.read().splitlines()[-40:]
        print("server.log (last lines):")
        for line in tail:
            print("  " + line)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
