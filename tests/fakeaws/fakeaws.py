#!/usr/bin/env python3
"""fakeaws: a local AWS-compatible endpoint for imgaudit's tests (test tooling only).

One HTTP server on 127.0.0.1 serves WorkSpaces, AppStream 2.0 and Organizations (JSON 1.1)
and STS (Query/XML) for a fixture fleet, checks the SigV4 signature of every request,
paginates with a small page, injects faults on demand and keeps a request log. The write
calls of `imgaudit fix apply` change the fleet until a reset.
See README.md in this folder.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import faults  # noqa: E402
import fleet as fleetmod  # noqa: E402
import ratelimit  # noqa: E402
import sigv4check  # noqa: E402

MAX_BODY = 1 << 20
SKEW_SECONDS = 15 * 60
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
STS_VERSION = "2011-06-15"

TARGETS = {
    "WorkspacesService": "workspaces",
    "PhotonAdminProxyService": "appstream",
    "AWSOrganizationsV20161128": "organizations",
}
JSON_OPERATIONS = {s: fleetmod.OPERATIONS[s] for s in TARGETS.values()}
STS_OPERATIONS = fleetmod.OPERATIONS["sts"]
# AWS's limit on the tags of one WorkSpaces resource (CreateTags).
WS_MAX_TAGS = 50
# IAM Identity Center: the portal's GetRoleCredentials and SSO-OIDC's CreateToken, both REST-JSON and unsigned.
SSO_PORTAL_PATH = "/federation/credentials"
SSO_OIDC_PATH = "/token"
SSO_USER = "imgaudit-sso-user"
# How the two spell their errors: the portal {"message"}, SSO-OIDC OAuth's {"error", "error_description"};
# both name the code in x-amzn-ErrorType.
SSO_ERROR_NAMESPACE = {
    "sso": "com.amazonaws.switchboard.portal",
    "sso-oidc": "com.amazonaws.awsssooidc",
}
# How each service spells its errors on the wire, following its model: the key of the
# message member, and whether __type carries a namespace. Real answers mix both forms,
# so clients must strip anything up to '#' and accept "message" or "Message".
ERROR_STYLE = {
    "workspaces": ("message", ""),
    "appstream": ("Message", "com.amazonaws.appstream#"),
    "organizations": ("Message", ""),
    None: ("message", ""),
}
NONJSON_BODY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n"
REDACTED_PARAMS = ("WebIdentityToken", "SAMLAssertion", "TokenCode", "SecretAccessKey", "SessionToken")


class ApiError(Exception):
    """An error answer. status is the HTTP status; extra holds additional members
    (Reason, Type, ResourceId) for JSON answers; typename overrides __type."""

    def __init__(self, code, message, status=400, extra=None, typename=None, sender=True, headers=None):
        super().__init__(message)
        self.headers = headers or {}  # answer headers; an x-amzn-RequestId here replaces the real one
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}
        self.typename = typename
        self.sender = sender


def iso_now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def lower_first(name):
    return name[:1].lower() + name[1:]


class State:
    """Everything the handlers share. The fleet changes only by the write operations, under its own
    write_lock; the rest is locked here."""

    def __init__(self, args, fleet):
        self.fleet = fleet
        self.page_size = args.page_size
        self.endless_tokens = itertools.count(1)  # the `endless` fault's tokens, never the same twice
        self.epoch_style = args.epoch_style
        self.session_ttl = args.session_ttl
        self.verbose = args.verbose
        self.faults = faults.FaultEngine(faults.parse_spec(args.faults), args.seed)
        self.limiter = ratelimit.RateLimiter(ratelimit.parse_spec(args.rate_limit))
        self.latency_s = args.latency_ms / 1000.0
        self.throughput = args.throughput
        self.token_key = hashlib.sha256(f"fakeaws-token|{args.seed}|{fleet.name}".encode()).digest()
        self.lock = threading.Lock()
        self.temp_creds = {}
        # IAM Identity Center: access tokens the portal accepts, refresh tokens CreateToken accepts (each used
        # once: a refresh hands out a new one), the registered client, and the permission sets assigned.
        self.sso_tokens = set(args.sso_token or [])
        self.sso_refresh_tokens = set(args.sso_refresh_token or [])
        self.sso_client = tuple(args.sso_client.split(":", 1)) if args.sso_client else None
        self.sso_assignments = set(tuple(a.split(":", 1)) for a in (args.sso_assignment or []))
        self.sso_token_ttl = args.sso_token_ttl
        self.log_entries = []
        self.seq = 0
        self.log_path = args.log
        self.log_file = open(args.log, "a", encoding="utf-8") if args.log else None
        self.wire_cache = {}
        self.shapes = {
            "ws_image": fleetmod.output_member_shape("workspaces", "DescribeWorkspaceImages", "Images"),
            "builder": fleetmod.output_member_shape("appstream", "DescribeImageBuilders", "ImageBuilders"),
            "as_image": fleetmod.output_member_shape("appstream", "DescribeImages", "Images"),
            "account": fleetmod.output_member_shape("organizations", "ListAccounts", "Accounts"),
        }

    def style(self, service):
        if self.epoch_style != "auto":
            return self.epoch_style
        return "java" if service == "appstream" else "decimal"

    def wire(self, shape_key, service, obj, cache=True):
        """Fixture object -> answer object (timestamps as numbers), cached for static data."""
        if not cache:
            return fleetmod.to_wire(self.shapes[shape_key], obj, self.style(service))
        k = id(obj)
        hit = self.wire_cache.get(k)
        if hit is None or hit[0] is not obj:
            hit = (obj, fleetmod.to_wire(self.shapes[shape_key], obj, self.style(service)))
            self.wire_cache[k] = hit
        return hit[1]

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log_entries.append(entry)
            if self.log_file:
                self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
                self.log_file.flush()

    def reset(self):
        self.faults.reset()
        self.limiter.reset()
        self.fleet.restore()
        with self.lock:
            self.log_entries = []
            self.seq = 0
            if self.log_file:
                self.log_file.close()
                self.log_file = open(self.log_path, "w", encoding="utf-8")


# ---- request validation from the botocore model ---------------------------------------


def validate_input(service, operation, params):
    """Check a JSON request against the operation's input shape as the service does:
    wrong types and unknown members are SerializationException, constraint violations
    (required, range, length, pattern, enum) are one ValidationException listing all."""
    shape = fleetmod.service_model(service).operation_model(operation).input_shape
    problems = []
    _check(shape, params, "", problems)
    if problems:
        n = len(problems)
        msg = f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(p[1] for p in problems)
        if service == "organizations":
            raise ApiError("InvalidInputException", msg, extra={"Reason": problems[0][0]})
        raise ApiError("ValidationException", msg, typename="com.amazon.coral.validate#ValidationException")


def _serialization(msg):
    return ApiError("SerializationException", msg, typename="com.amazon.coral.service#SerializationException")


def _check(shape, value, path, problems):
    t = shape.type_name
    where = path or "request"
    if t == "structure":
        if not isinstance(value, dict):
            raise _serialization(f"Expected an object at '{where}'")
        for key in value:
            if key not in shape.members:
                raise _serialization(f"Unrecognized field '{key}' at '{where}' (not in the {shape.name} model)")
        for req in shape.required_members:
            if value.get(req) is None:
                problems.append(("INPUT_REQUIRED", f"Value null at '{_member_path(path, req)}' failed to satisfy constraint: Member must not be null"))
        for key, sub in value.items():
            if sub is not None:
                _check(shape.members[key], sub, _member_path(path, key), problems)
        return
    meta = shape.metadata
    shown = json.dumps(value) if not isinstance(value, str) else value
    if t == "list":
        if not isinstance(value, list):
            raise _serialization(f"Expected a list at '{where}'")
        if "min" in meta and len(value) < meta["min"]:
            problems.append(("MIN_LENGTH_EXCEEDED", f"Value '{shown}' at '{where}' failed to satisfy constraint: Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and len(value) > meta["max"]:
            problems.append(("MAX_LENGTH_EXCEEDED", f"Value '{shown}' at '{where}' failed to satisfy constraint: Member must have length less than or equal to {meta['max']}"))
        for i, sub in enumerate(value):
            _check(shape.member, sub, f"{where}.{i + 1}.member", problems)
        return
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _serialization(f"Expected an integer at '{where}', got {shown}")
        if "min" in meta and value < meta["min"]:
            problems.append(("MIN_VALUE_EXCEEDED", f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have value greater than or equal to {meta['min']}"))
        if "max" in meta and value > meta["max"]:
            problems.append(("MAX_VALUE_EXCEEDED", f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have value less than or equal to {meta['max']}"))
        return
    if t == "boolean":
        if not isinstance(value, bool):
            raise _serialization(f"Expected true or false at '{where}', got {shown}")
        return
    if t == "string":
        if not isinstance(value, str):
            raise _serialization(f"Expected a string at '{where}', got {shown}")
        if "min" in meta and len(value) < meta["min"]:
            problems.append(("MIN_LENGTH_EXCEEDED", f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have length greater than or equal to {meta['min']}"))
        if "max" in meta and len(value) > meta["max"]:
            problems.append(("MAX_LENGTH_EXCEEDED", f"Value at '{where}' failed to satisfy constraint: Member must have length less than or equal to {meta['max']}"))
        if shape.enum and value not in shape.enum:
            problems.append(("INVALID_ENUM", f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(shape.enum)}]"))
        pattern = meta.get("pattern")
        if pattern:
            try:
                ok = re.fullmatch(pattern.lstrip("^"), value) is not None
            except re.error:
                ok = True  # a Java-only construct Python cannot compile: leave it to the real service
            if not ok:
                problems.append(("INVALID_PATTERN", f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"))
        return


def _member_path(path, key):
    name = lower_first(key)
    return f"{path}.{name}" if path else name


# ---- pagination -------------------------------------------------------------------------


def _token_parts(state, offset, ctx_digest):
    mac = hmac.new(state.token_key, f"{offset}|".encode() + ctx_digest, hashlib.sha256).digest()[:12]
    return f"v1|{offset}|".encode() + ctx_digest + mac


def paginate(state, ctx, items, max_results, token, bad_token):
    """One page of items. ctx identifies the listing (who, where, which filters): a
    token is only accepted for the listing that issued it. Returns (page, next token).
    Tokens are opaque base64 carrying binary bytes, so, like real ones, they contain
    '+', '/' and '=' that a client must pass back unchanged."""
    ctx_digest = hashlib.sha256(json.dumps(ctx, sort_keys=True).encode()).digest()[:8]
    offset = 0
    if token is not None:
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
            version, off, _ = raw.split(b"|", 2)
            if version != b"v1" or not off.isdigit():
                raise ValueError("not a token")
            offset = int(off)
            if not hmac.compare_digest(raw, _token_parts(state, offset, ctx_digest)):
                raise ValueError("token not issued for this request")
        except (ValueError, UnicodeError):
            raise bad_token from None
    size = state.page_size
    if max_results:
        size = min(size, max_results)
    page = items[offset : offset + size]
    nxt = None
    if offset + size < len(items):
        nxt = base64.b64encode(_token_parts(state, offset + size, ctx_digest)).decode("ascii")
    return page, nxt


# ---- the services ---------------------------------------------------------------------


class Call:
    """One authenticated API call: who (identity), where (region), what."""

    def __init__(self, state, identity, region, service, operation, params):
        self.state = state
        self.fleet = state.fleet
        self.identity = identity
        self.account = identity["account"] if identity else None
        self.region = region
        self.service = service
        self.operation = operation
        self.params = params
        self.logged = {}  # what a write did, for its request log entry: "effect", and "image_id" when it made one

    def ctx(self, **extra):
        c = {"a": self.account, "r": self.region, "op": self.operation}
        c.update(extra)
        return c

    def bad_token(self):
        if self.service == "organizations":
            return ApiError("InvalidInputException", "The NextToken is not valid for this request.", extra={"Reason": "INVALID_NEXT_TOKEN"})
        if self.service == "workspaces":
            return ApiError("InvalidParameterValuesException", "The pagination token is not valid for this request.")
        return ApiError("ValidationException", "The NextToken is not valid for this request.", typename="com.amazon.coral.validate#ValidationException")

    def page(self, items, ctx, max_results=None):
        return paginate(self.state, ctx, items, max_results, self.params.get("NextToken"), self.bad_token())


def op_describe_workspace_images(call):
    p = call.params
    pairs = call.fleet.ws_images(call.account, call.region, p.get("ImageType"))
    if p.get("ImageIds"):
        wanted = set(p["ImageIds"])
        pairs = [x for x in pairs if x[0]["ImageId"] in wanted]
    ctx = call.ctx(t=p.get("ImageType"), ids=p.get("ImageIds"))
    page, nxt = call.page(pairs, ctx, p.get("MaxResults"))
    out = {"Images": [call.state.wire("ws_image", "workspaces", img) for img, _ in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_describe_workspace_image_permissions(call):
    iid = call.params["ImageId"]
    perms = call.fleet.ws_permissions(call.account, call.region, iid)
    if perms is None:
        raise ApiError("ResourceNotFoundException", f"The image {iid} could not be found.", extra={"ResourceId": iid})
    page, nxt = call.page(perms, call.ctx(id=iid), call.params.get("MaxResults"))
    out = {"ImageId": iid, "ImagePermissions": [{"SharedAccountId": a} for a in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def ws_image_not_found(iid):
    return ApiError("ResourceNotFoundException", f"The image {iid} could not be found.", extra={"ResourceId": iid})


def op_update_workspace_image_permission(call):
    """Share (AllowCopyImage true) or unshare (false) an image the caller owns with one account. Sharing an
    account already there changes nothing; revoking is refused for an account the image is not shared with:
    the model says the permission "can be revoked only after an image has been shared"."""
    p = call.params
    iid, target, allow = p["ImageId"], p["SharedAccountId"], p["AllowCopyImage"]
    f = call.fleet
    with f.write_lock:
        img = f.ws_owned_image(call.account, call.region, iid)
        if img is None:
            raise ws_image_not_found(iid)
        if target == call.account:
            raise ApiError("InvalidParameterValuesException", f"The image {iid} cannot be shared with its owner account {target}.")
        perms = f.ws_permissions(call.account, call.region, iid)
        if allow and target in perms:
            call.logged["effect"] = "unchanged"
            return {}
        if allow:
            if img.get("State") != "AVAILABLE":
                raise ApiError("ResourceUnavailableException", f"The image {iid} is {img.get('State')}: only an AVAILABLE image can be shared.", extra={"ResourceId": iid})
            f.set_ws_permissions(call.account, call.region, iid, perms + [target])
        else:
            if target not in perms:
                raise ApiError("InvalidParameterValuesException", f"The image {iid} is not shared with account {target}: there is no copy permission to revoke.")
            f.set_ws_permissions(call.account, call.region, iid, [a for a in perms if a != target])
    call.logged["effect"] = "changed"
    return {}


def new_ws_image_id(f, account, region, name):
    """A new image id: deterministic (the same request after a reset makes the same id), as fleetgen.py makes
    them, never one the fleet holds."""
    taken = {i["ImageId"] for reg in f.data.values() for i in reg.ws_images}
    for n in itertools.count():
        iid = "wsi-" + hashlib.sha256(f"{account}|{region}|updated|{name}|{n}".encode()).hexdigest()[:9]
        if iid not in taken:
            return iid


def check_new_tags(call, tags):
    """AWS's rules for tags beyond the model's lengths, and the CreateTags permission they need."""
    keys = [t["Key"] for t in tags]
    if len(tags) > WS_MAX_TAGS:
        raise ApiError("ResourceLimitExceededException", f"A WorkSpaces resource can have at most {WS_MAX_TAGS} tags, not {len(tags)}.")
    if len(set(keys)) != len(keys):
        raise ApiError("InvalidParameterValuesException", "The tag keys must be unique.")
    if any(k.lower().startswith("aws:") for k in keys):
        raise ApiError("InvalidParameterValuesException", "Tag keys beginning with aws: are reserved for AWS use.")
    # "To add tags at the same time when you're creating the updated image, you must create an IAM policy that
    # grants your IAM user permissions to use workspaces:CreateTags" (the operation's documentation).
    denial = call.fleet.denial(call.account, call.region, "workspaces", "CreateTags")
    if tags and denial:
        raise ApiError(
            denial["code"],
            denial.get("message") or f"User: {call.identity['arn']} is not authorized to perform: workspaces:CreateTags on resource: *",
            status=denial.get("status", 400),
        )


def op_create_updated_workspace_image(call):
    """A new image with the latest WorkSpaces components, from a Windows source image the caller owns that has
    updates available. The new image is PENDING (and stays so: deterministic); the source is unchanged."""
    p = call.params
    src_id, name, tags = p["SourceImageId"], p["Name"], p.get("Tags", [])
    check_new_tags(call, tags)
    f = call.fleet
    with f.write_lock:
        src = f.ws_owned_image(call.account, call.region, src_id)
        if src is None:
            raise ws_image_not_found(src_id)
        if src.get("OperatingSystem", {}).get("Type") != "WINDOWS":
            raise ApiError("OperationNotSupportedException", f"The image {src_id} is not a Windows image: only Windows images can be updated programmatically.")
        if src.get("State") != "AVAILABLE":
            raise ApiError("InvalidResourceStateException", f"The image {src_id} is {src.get('State')}, not AVAILABLE.")
        if not src.get("Updates", {}).get("UpdateAvailable"):
            raise ApiError("InvalidParameterValuesException", f"The image {src_id} has no updates available.")
        if any(i["Name"] == name for i in f.region(call.account, call.region).ws_images):
            raise ApiError("ResourceAlreadyExistsException", f"An image named {name} already exists.")
        iid = new_ws_image_id(f, call.account, call.region, name)
        img = {
            "ImageId": iid,
            "Name": name,
            "Description": p["Description"],
            "OperatingSystem": dict(src["OperatingSystem"]),
            "State": "PENDING",
            "RequiredTenancy": src.get("RequiredTenancy", "DEFAULT"),
            "Created": iso_now(),
            "OwnerAccountId": call.account,
            "Updates": {"UpdateAvailable": False},
        }
        f.add_ws_image(call.account, call.region, img, tags)
    call.logged.update(effect="changed", image_id=iid)
    return {"ImageId": iid}


def op_describe_tags(call):
    """The tags of a WorkSpaces image the caller owns (images are the only WorkSpaces resources served)."""
    rid = call.params["ResourceId"]
    if call.fleet.ws_owned_image(call.account, call.region, rid) is None:
        raise ApiError("ResourceNotFoundException", f"The resource {rid} could not be found.", extra={"ResourceId": rid})
    return {"TagList": [dict(t) for t in call.fleet.ws_tags.get(rid, [])]}


def op_describe_image_builders(call):
    p = call.params
    builders = call.fleet.region(call.account, call.region).builders
    if p.get("Names"):
        by = {b["Name"]: b for b in builders}
        missing = [n for n in p["Names"] if n not in by]
        if missing:
            raise ApiError("ResourceNotFoundException", f"The image builder {missing[0]} could not be found.")
        builders = [b for b in builders if b["Name"] in set(p["Names"])]
    mr = p.get("MaxResults")
    page, nxt = call.page(builders, call.ctx(n=p.get("Names")), mr if mr and mr > 0 else None)
    out = {"ImageBuilders": [call.state.wire("builder", "appstream", b) for b in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_describe_images(call):
    p = call.params
    if p.get("Names") and p.get("Arns"):
        raise ApiError("InvalidParameterCombinationException", "Names and Arns cannot be specified together.", typename="com.amazonaws.appstream#InvalidParameterCombinationException")
    images = call.fleet.as_images(call.account, call.region, p.get("Type"))
    for key, field in (("Names", "Name"), ("Arns", "Arn")):
        if p.get(key):
            by = {i.get(field) for i in images}
            missing = [n for n in p[key] if n not in by]
            if missing:
                raise ApiError("ResourceNotFoundException", f"The image {missing[0]} could not be found.")
            images = [i for i in images if i.get(field) in set(p[key])]
    ctx = call.ctx(t=p.get("Type"), n=p.get("Names"), arns=p.get("Arns"))
    page, nxt = call.page(images, ctx, p.get("MaxResults") or None)
    out = {"Images": [call.state.wire("as_image", "appstream", i, cache=False) for i in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_describe_image_permissions(call):
    p = call.params
    name = p["Name"]
    perms = call.fleet.as_permissions(call.account, call.region, name)
    if perms is None:
        raise ApiError("ResourceNotFoundException", f"The image {name} could not be found.")
    if p.get("SharedAwsAccountIds"):
        wanted = set(p["SharedAwsAccountIds"])
        perms = [x for x in perms if x["sharedAccountId"] in wanted]
    page, nxt = call.page(perms, call.ctx(n=name, ids=p.get("SharedAwsAccountIds")), p.get("MaxResults") or None)
    out = {"Name": name, "SharedImagePermissionsList": [dict(x) for x in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_delete_image_permissions(call):
    """Stop sharing an AppStream image the caller owns with one account. An account the image is not shared
    with changes nothing: the model names no error for it."""
    name, target = call.params["Name"], call.params["SharedAccountId"]
    f = call.fleet
    with f.write_lock:
        perms = f.as_permissions(call.account, call.region, name)
        if perms is None:
            raise ApiError("ResourceNotFoundException", f"The image {name} could not be found.")
        kept = [x for x in perms if x["sharedAccountId"] != target]
        if len(kept) == len(perms):
            call.logged["effect"] = "unchanged"
            return {}
        f.set_as_permissions(call.account, call.region, name, kept)
    call.logged["effect"] = "changed"
    return {}


def org_caller_allowed(call):
    """Organizations answers its listings to the management account and delegated administrators only."""
    f = call.fleet
    me = f.accounts.get(call.account, {})
    if not f.org or not me.get("in_org", True):
        raise ApiError("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
    allowed = [f.management_account()] + list(f.org.get("delegated_administrators", []))
    if call.account not in allowed:
        raise ApiError("AccessDeniedException", "You don't have permissions to access this resource.")


def org_parent(call):
    """The request's ParentId, which must be the root or an OU of the organization."""
    parent = call.params["ParentId"]
    if not call.fleet.org_parent_exists(parent):
        raise ApiError("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
    return parent


def op_list_children(call):
    org_caller_allowed(call)
    parent = org_parent(call)
    kind = call.params["ChildType"]
    if kind == "ORGANIZATIONAL_UNIT":
        children = call.fleet.org_child_units(parent)
    else:
        children = [{"Id": a["Id"], "Type": "ACCOUNT"} for a in call.fleet.org_accounts_for_parent(parent)]
    page, nxt = call.page(children, call.ctx(p=parent, t=kind), call.params.get("MaxResults"))
    out = {"Children": page}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_list_accounts_for_parent(call):
    org_caller_allowed(call)
    parent = org_parent(call)
    accounts = call.fleet.org_accounts_for_parent(parent)
    page, nxt = call.page(accounts, call.ctx(p=parent), call.params.get("MaxResults"))
    out = {"Accounts": [call.state.wire("account", "organizations", a, cache=False) for a in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


def op_list_accounts(call):
    org_caller_allowed(call)
    f = call.fleet
    accounts = f.org_accounts()
    page, nxt = call.page(accounts, call.ctx(), call.params.get("MaxResults"))
    out = {"Accounts": [call.state.wire("account", "organizations", a, cache=False) for a in page]}
    if nxt:
        out["NextToken"] = nxt
    return out


JSON_HANDLERS = {
    "DescribeWorkspaceImages": op_describe_workspace_images,
    "DescribeWorkspaceImagePermissions": op_describe_workspace_image_permissions,
    "DescribeTags": op_describe_tags,
    "UpdateWorkspaceImagePermission": op_update_workspace_image_permission,
    "CreateUpdatedWorkspaceImage": op_create_updated_workspace_image,
    "DeleteImagePermissions": op_delete_image_permissions,
    "DescribeImageBuilders": op_describe_image_builders,
    "DescribeImages": op_describe_images,
    "DescribeImagePermissions": op_describe_image_permissions,
    "ListAccounts": op_list_accounts,
    "ListChildren": op_list_children,
    "ListAccountsForParent": op_list_accounts_for_parent,
}


# ---- STS ------------------------------------------------------------------------------------

_ROLE_ARN_RE = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
_STS_PARAMS = {
    "GetCallerIdentity": set(),
    "AssumeRole": {"RoleArn", "RoleSessionName", "PolicyArns", "Policy", "DurationSeconds", "Tags", "TransitiveTagKeys", "ExternalId", "SerialNumber", "TokenCode", "SourceIdentity", "ProvidedContexts"},
    "AssumeRoleWithWebIdentity": {"RoleArn", "RoleSessionName", "WebIdentityToken", "ProviderId", "PolicyArns", "Policy", "DurationSeconds"},
}


def sts_validation(problems):
    n = len(problems)
    return ApiError("ValidationError", f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems))


def _sts_check_common(params, op):
    unknown = sorted({k.split(".", 1)[0] for k in params} - _STS_PARAMS[op])
    if unknown:
        raise ApiError("InvalidParameterValue", f"The parameter {unknown[0]} is not recognized by {op}.")
    problems = []
    for req in ("RoleArn", "RoleSessionName") + (("WebIdentityToken",) if op == "AssumeRoleWithWebIdentity" else ()):
        if not params.get(req):
            problems.append(f"Value null at '{lower_first(req)}' failed to satisfy constraint: Member must not be null")
    name = params.get("RoleSessionName")
    if name is not None and not re.fullmatch(r"[\w+=,.@-]{2,64}", name, re.ASCII):
        problems.append(f"Value '{name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64")
    ext = params.get("ExternalId")
    if ext is not None and not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", ext, re.ASCII):
        problems.append("Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224")
    arn = params.get("RoleArn")
    if arn is not None and len(arn) < 20:
        problems.append(f"Value '{arn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
    duration = None
    if params.get("DurationSeconds") is not None:
        try:
            duration = int(params["DurationSeconds"])
        except ValueError:
            raise ApiError("MalformedInput", f"DurationSeconds '{params['DurationSeconds']}' is not an integer.") from None
        if not 900 <= duration <= 43200:
            problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200")
    if problems:
        raise sts_validation(problems)
    return duration


def _issue(state, account, role, session, duration):
    ttl = duration or 3600
    if state.session_ttl:
        ttl = min(ttl, state.session_ttl)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    key_id = "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))
    secret = base64.b64encode(secrets.token_bytes(30)).decode()
    token = "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(300)).decode()
    expires = time.time() + ttl
    f = state.fleet
    creds = {
        "kind": "temporary",
        "access_key": key_id,
        "secret": secret,
        "token": token,
        "expires": expires,
        "account": account,
        "role": role["name"],
        "arn": f"arn:{f.partition}:sts::{account}:assumed-role/{role['name']}/{session}",
        "user_id": f"{f.role_id(account, role)}:{session}",
    }
    with state.lock:
        # Drop long-expired sessions so a long run does not grow without bound.
        now = time.time()
        for k in [k for k, v in state.temp_creds.items() if v["expires"] < now - 3600]:
            del state.temp_creds[k]
        state.temp_creds[key_id] = creds
    exp = datetime.datetime.fromtimestamp(expires, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return creds, exp


def _role_for(state, arn):
    m = _ROLE_ARN_RE.match(arn)
    if not m:
        raise sts_validation([f"Value '{arn}' at 'roleArn' failed to satisfy constraint: Member must be a valid IAM role ARN"])
    return state.fleet.roles.get(state.fleet.role_arn(m.group(2), m.group(3)))


def sts_assume_role(state, identity, params):
    duration = _sts_check_common(params, "AssumeRole")
    arn = params["RoleArn"]
    found = _role_for(state, arn)
    denied = ApiError("AccessDenied", f"User: {identity['arn']} is not authorized to perform: sts:AssumeRole on resource: {arn}", status=403)
    if found is None:
        raise denied
    account, role = found
    trusted = role.get("trusted_accounts") or [state.fleet.management_account()]
    if role.get("deny") or identity["account"] not in trusted:
        raise denied
    if role.get("external_id") and params.get("ExternalId") != role["external_id"]:
        raise denied
    if duration and duration > role.get("max_session_seconds", 3600):
        raise ApiError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if identity["kind"] == "temporary" and duration and duration > 3600:
        raise ApiError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
    creds, exp = _issue(state, account, role, params["RoleSessionName"], duration)
    return "AssumeRole", _sts_credentials_xml(creds, exp, "<PackedPolicySize>0</PackedPolicySize>" if params.get("Policy") else "")


def sts_assume_role_with_web_identity(state, params):
    duration = _sts_check_common(params, "AssumeRoleWithWebIdentity")
    arn = params["RoleArn"]
    found = _role_for(state, arn)
    if found is None or not found[1].get("web_identity_tokens"):
        raise ApiError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status=403)
    account, role = found
    if params["WebIdentityToken"] not in role["web_identity_tokens"]:
        raise ApiError("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
    creds, exp = _issue(state, account, role, params["RoleSessionName"], duration)
    extra = (
        f"<SubjectFromWebIdentityToken>{escape(role.get('web_identity_subject', 'system:serviceaccount:imgaudit:collector'))}</SubjectFromWebIdentityToken>"
        f"<Audience>sts.amazonaws.com</Audience><Provider>{escape(role.get('web_identity_provider', 'oidc.example.com'))}</Provider>"
    )
    return "AssumeRoleWithWebIdentity", _sts_credentials_xml(creds, exp, extra)


def _sts_credentials_xml(creds, exp, extra):
    return (
        f"<Credentials><AccessKeyId>{creds['access_key']}</AccessKeyId>"
        f"<SecretAccessKey>{escape(creds['secret'])}</SecretAccessKey>"
        f"<SessionToken>{escape(creds['token'])}</SessionToken>"
        f"<Expiration>{exp}</Expiration></Credentials>"
        f"<AssumedRoleUser><AssumedRoleId>{escape(creds['user_id'])}</AssumedRoleId>"
        f"<Arn>{escape(creds['arn'])}</Arn></AssumedRoleUser>{extra}"
    )


def sts_document(operation, inner, request_id):
    return (
        f'<{operation}Response xmlns="{STS_NS}">\n'
        f"  <{operation}Result>{inner}</{operation}Result>\n"
        f"  <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\n"
        f"</{operation}Response>\n"
    ).encode()


# ---- authentication ------------------------------------------------------------------------


_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/[^/,\s]*/([^/,\s]+)/")


def identify(state, key, token):
    """The identity behind an access key (base credentials or an issued session), and its
    secret; raises sigv4check.AuthError for an unknown key, a wrong token or an expired session."""
    principal = state.fleet.principals.get(key)
    if principal is not None:
        if token is not None:
            raise sigv4check.AuthError("bad_token", "The security token included in the request is invalid.")
        identity = {
            "kind": "base",
            "access_key": key,
            "account": principal["account"],
            "role": None,
            "arn": state.fleet.user_arn(principal),
            "user_id": state.fleet.user_id(principal),
        }
        return identity, principal["secret_access_key"]
    with state.lock:
        creds = state.temp_creds.get(key)
    if creds is None:
        raise sigv4check.AuthError("unknown_key", "The security token included in the request is invalid.")
    if token is None or not hmac.compare_digest(token.encode(), creds["token"].encode()):
        raise sigv4check.AuthError("bad_token", "The security token included in the request is invalid.")
    if creds["expires"] < time.time():
        raise sigv4check.AuthError("expired", "The security token included in the request is expired")
    return {k: creds[k] for k in ("kind", "access_key", "account", "role", "arn", "user_id")}, creds["secret"]


def identify_unchecked(state, headers):
    """Throughput mode: who is calling, without checking the signature. The access key and
    region come from the Authorization header's credential scope when it has one; a request
    without one is the fleet's default caller in us-east-1. Keys and session tokens are still
    matched, so that each caller sees its own account."""
    m = _CREDENTIAL_RE.search(headers.get("Authorization") or "")
    if m is None:
        principal = state.fleet.default_principal
        return identify(state, principal["access_key_id"], None)[0], "us-east-1"
    return identify(state, m.group(1), headers.get("X-Amz-Security-Token"))[0], m.group(2)


def authenticate(state, method, target, headers, body, service):
    """Check the request's SigV4 signature. Returns (identity, region) or raises
    sigv4check.AuthError. identity: kind, access_key, account, role, arn, user_id.
    In throughput mode (--throughput) the signature is not checked: see identify_unchecked."""
    if state.throughput:
        return identify_unchecked(state, headers)
    auth = sigv4check.parse_authorization(headers.get("Authorization"))
    amz_date = headers.get("X-Amz-Date")
    if not amz_date or not sigv4check.AMZ_DATE_RE.match(amz_date):
        raise sigv4check.AuthError("incomplete", "Authorization header requires existence of a valid 'X-Amz-Date' header (YYYYMMDDTHHMMSSZ).")
    for need in ("host", "x-amz-date"):
        if need not in auth["signed_headers"]:
            raise sigv4check.AuthError("incomplete", f"'{need}' must be a 'SignedHeader' in the AWS Authorization.")
    if auth["date"] != amz_date[:8]:
        raise sigv4check.AuthError("bad_signature", f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{auth['date']}' != '{amz_date[:8]}', from '{amz_date}'.")
    if auth["service"] != service:
        raise sigv4check.AuthError("bad_signature", f"Credential should be scoped to correct service: '{service}'. ")
    region = auth["region"]
    if not fleetmod.REGION_RE.match(region) or (service == "organizations" and region != "us-east-1"):
        want = "us-east-1" if service == "organizations" else "a valid region"
        raise sigv4check.AuthError("bad_signature", f"Credential should be scoped to a valid region, not '{region}'. Expected {want}.")
    identity, secret = identify(state, auth["access_key"], headers.get("X-Amz-Security-Token"))
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    if abs((now - when).total_seconds()) > SKEW_SECONDS:
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        raise sigv4check.AuthError("bad_signature", f"Signature expired: {amz_date} is now earlier than {stamp} (15 min. skew allowed); or the request is from the future.")
    declared = headers.get("X-Amz-Content-SHA256")
    if declared is not None and declared != sigv4check.body_sha256(body):
        raise sigv4check.AuthError("bad_signature", "The provided 'x-amz-content-sha256' header does not match what was computed.")
    sig, creq, sts = sigv4check.compute(method, target, list(headers.items()), body, secret, region, service, amz_date, auth["signed_headers"])
    if not sigv4check.signatures_equal(sig, auth["signature"]):
        # As AWS does, the canonical request is echoed whole, session token included: clients must not
        # pass this message on as it is.
        raise sigv4check.AuthError(
            "bad_signature",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
            f"The Canonical String for this request should have been\n'{creq}'\n\n"
            f"The String-to-Sign should have been\n'{sts}'\n",
        )
    return identity, region


_JSON_AUTH_CODES = {
    "missing": ("MissingAuthenticationTokenException", 403),
    "incomplete": ("IncompleteSignatureException", 403),
    "unknown_key": ("UnrecognizedClientException", 403),
    "bad_token": ("UnrecognizedClientException", 403),
    "expired": ("ExpiredTokenException", 403),
    "bad_signature": ("InvalidSignatureException", 403),
}
_STS_AUTH_CODES = {
    "missing": ("MissingAuthenticationToken", 403),
    "incomplete": ("IncompleteSignature", 400),
    "unknown_key": ("InvalidClientTokenId", 403),
    "bad_token": ("InvalidClientTokenId", 403),
    "expired": ("ExpiredToken", 400),
    "bad_signature": ("SignatureDoesNotMatch", 403),
}


# ---- HTTP ---------------------------------------------------------------------------------


class Answer:
    def __init__(self, status, body, content_type, code=None, headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.code = code
        self.headers = headers or {}


def json_error(err, service):
    key, ns = ERROR_STYLE.get(service, ERROR_STYLE[None])
    doc = {"__type": err.typename or (ns + err.code), key: err.message}
    doc.update(err.extra)
    return Answer(err.status, json.dumps(doc).encode(), "application/x-amz-json-1.1", err.code, err.headers)


def sso_error(err, service):
    """An IAM Identity Center error: the code in x-amzn-ErrorType (with the service's namespace, as AWS sends
    it), the portal's {"message"}, SSO-OIDC's OAuth {"error", "error_description"}."""
    ns = SSO_ERROR_NAMESPACE.get(service, SSO_ERROR_NAMESPACE["sso"])
    if service == "sso-oidc":
        doc = {"error": err.extra.get("error", "invalid_request"), "error_description": err.message}
    else:
        doc = {"message": err.message}
    headers = dict(err.headers)
    headers["x-amzn-ErrorType"] = f"{err.code}:http://internal.amazon.com/coral/{ns}/"
    return Answer(err.status, json.dumps(doc).encode(), "application/json", err.code, headers)


def xml_text(s):
    """Text for an XML element; a CR is a character reference, or the parser would read it as LF."""
    return escape(s, {"\r": "&#13;"})


def sts_error(err, request_id):
    kind = "Sender" if err.sender and err.status < 500 else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{STS_NS}">\n'
        f"  <Error>\n    <Type>{kind}</Type>\n    <Code>{xml_text(err.code)}</Code>\n"
        f"    <Message>{xml_text(err.message)}</Message>\n  </Error>\n"
        f"  <RequestId>{xml_text(err.headers.get('x-amzn-RequestId', request_id))}</RequestId>\n</ErrorResponse>\n"
    ).encode()
    return Answer(err.status, body, "text/xml", err.code)


# What a hostile or broken endpoint may put where a client prints it (the ctlerror and ctlarn faults): ESC
# sequences, line breaks that forge a line of output, TAB, DEL and C1's CSI (U+009B). XML 1.0 has no ESC.
CTL_JSON = "Evil\x1b[31mCode\r\nimgaudit: error: forged\t\x7f\x9b"
CTL_HEADER = "Evil\x1b[2JHeader\x7f"
CTL_XML = "Evil\r\nimgaudit: error: forged\t\x7f\x9b"


def ctl_error(service, in_headers):
    """The ctlerror fault: an error whose code, message and request id hold control characters."""
    if service == "sts":
        return ApiError("Code" + CTL_XML, "Message " + CTL_XML, headers={"x-amzn-RequestId": "req-" + CTL_XML})
    if in_headers:
        return ApiError("Plain", "Message " + CTL_JSON, headers={"x-amzn-ErrorType": CTL_HEADER, "x-amzn-RequestId": "req-" + CTL_HEADER})
    return ApiError("Plain", "Message " + CTL_JSON, typename=CTL_JSON, headers={"x-amzn-RequestId": "req-" + CTL_HEADER})


def signature_echo(state, identity, headers, service):
    """The sigecho fault: a signature error that quotes what the request was signed with, as a broken proxy
    or a verbose endpoint might: the Authorization header, the session token (also URL-encoded) and the
    secret key. A client must never pass any of it on."""
    token = headers.get("X-Amz-Security-Token") or ""
    secret = identify(state, identity["access_key"], token or None)[1]
    message = (
        f"The request signature we calculated does not match the signature you provided. "
        f"Authorization: {headers.get('Authorization')}\nX-Amz-Security-Token: {token} "
        f"(in the query: X-Amz-Security-Token={quote(token, safe='')}&X-Amz-Signature=0123abcd); "
        f"token again {token}; the secret key in use is {secret}."
    )
    if service == "sts":
        return ApiError("SignatureDoesNotMatch", message, status=403)
    return ApiError("InvalidSignatureException", message, status=403)


def fault_error(kind, status, service):
    """The error a throttle or 5xx fault answers with, in the service's own words."""
    if kind == "throttle" and service in SSO_ERROR_NAMESPACE:
        return ApiError("TooManyRequestsException", "Too many requests", status=429)
    if kind == "throttle":
        if service == "organizations":
            return ApiError("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.", extra={"Type": "ThrottlingException"})
        if service == "sts":
            return ApiError("Throttling", "Rate exceeded")
        return ApiError("ThrottlingException", "Rate exceeded")
    if status == 503:
        return ApiError("ServiceUnavailable", "Service is unavailable. Try again later.", status=503, sender=False)
    return ApiError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", status=500, sender=False)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeaws/1"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus the
    # client's delayed ACK adds about 40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    state = None  # the shared State, set by main() before serving

    def version_string(self):
        return self.server_version

    def parse_request(self):
        ok = super().parse_request()
        # A target in absolute form ("POST http://host:port/ HTTP/1.1", RFC 9112 3.2.2), as a client whose
        # http_proxy names this server sends it, is served as its origin form: a test can then point a client
        # at a host that exists nowhere but in the URL without anything leaving the machine.
        if ok and self.path.lower().startswith(("http://", "https://")):
            split = urlsplit(self.path)
            self.path = (split.path or "/") + (f"?{split.query}" if split.query else "")
        return ok

    def log_message(self, fmt, *args):
        if self.state.verbose:
            sys.stderr.write("fakeaws: " + (fmt % args) + "\n")

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- plumbing --

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    n = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise ApiError("SerializationException", "Malformed chunked request body.") from None
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += n
                if total > MAX_BODY:
                    raise ApiError("RequestEntityTooLarge", f"Request body exceeds {MAX_BODY} bytes.", status=413)
                chunks.append(self.rfile.read(n))
                self.rfile.readline(1024)
            return b"".join(chunks)
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        try:
            n = int(cl)
        except ValueError:
            raise ApiError("BadRequest", f"Content-Length {cl!r} is not a number.") from None
        if n < 0 or n > MAX_BODY:
            raise ApiError("RequestEntityTooLarge", f"Request body of {n} bytes exceeds {MAX_BODY} bytes.", status=413)
        body = self.rfile.read(n)
        if len(body) != n:
            raise ApiError("BadRequest", "Request body shorter than Content-Length.")
        return body

    def _send(self, answer, request_id, fault=None):
        body = answer.body
        declared = len(body)
        if fault and fault["kind"] == "truncate":
            body = body[: int(len(body) * fault["param"])]
            declared = len(body)
        elif fault and fault["kind"] == "short":
            body = body[: int(len(body) * fault["param"])]
            self.close_connection = True
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(declared))
        self.send_header("x-amzn-RequestId", answer.headers.get("x-amzn-RequestId", request_id))
        for name, value in answer.headers.items():
            if name != "x-amzn-RequestId":
                self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        if fault and fault["kind"] == "drip":
            # The answer trickles in a byte at a time: only a client's low-speed limit cuts it short.
            self._end_headers_and_write(b"")
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(fault["param"] / 1000.0)
            return
        self._end_headers_and_write(body)
        self.wfile.flush()

    def _end_headers_and_write(self, body):
        """end_headers() and the body in one write: one segment per answer instead of two, which
        halves the system calls and the client's wake-ups (http.server buffers the headers in
        _headers_buffer until flush_headers())."""
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def _dispatch(self):
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        entry = {
            "time": iso_now(),
            "request_id": request_id,
            "method": self.command,
            "path": self.path.split("?", 1)[0],
            "account": None,
            "role": None,
            "principal": None,
            "access_key_id": None,
            "region": None,
            "service": None,
            "operation": None,
            "params": None,
            "status": None,
            "error": None,
            "fault": None,
        }
        protocol = "json"
        service = None
        answer = None
        self._fault = None
        try:
            try:
                body = self._read_body()
            except ApiError:
                self.close_connection = True
                raise
            if self.path.startswith("/_fake/"):
                self._control(body, request_id)
                return
            target = self.headers.get("X-Amz-Target")
            path = urlsplit(self.path).path
            if target is None and path in (SSO_PORTAL_PATH, SSO_OIDC_PATH):
                protocol = "sso"
                answer = self._sso_call(path, body, request_id, entry)
            elif target is not None:
                answer = self._json_call(target, body, request_id, entry)
            else:
                protocol = "sts"
                answer = self._sts_call(body, request_id, entry)
        except ApiError as err:
            answer = self._error_answer(protocol, err, entry, request_id)
        except Exception:  # the server must answer, whatever went wrong in it
            traceback.print_exc(file=sys.stderr)
            err = ApiError("InternalFailure", "fakeaws hit an internal error; see its stderr.", status=500, sender=False)
            answer = self._error_answer(protocol, err, entry, request_id)
        fault = self._fault
        if fault and fault["kind"] == "nonjson":
            # What a proxy or load balancer in the path answers: not the service's format.
            answer = Answer(fault["param"], NONJSON_BODY, "text/html")
        # `lost`: the call was carried out (a write made its change), then its answer is lost: a 5xx, or with
        # PARAM 0 the connection closed, as when the service fails after acting or the network drops the answer.
        dropped = bool(fault) and (fault["kind"] == "drop" or (fault["kind"] == "lost" and fault["param"] == 0))
        if fault and fault["kind"] == "lost" and fault["param"] and answer and answer.status < 300:
            answer = self._error_answer(protocol, fault_error("5xx", fault["param"], entry["service"]), entry, request_id)
        entry["status"] = answer.status if answer else None
        entry["error"] = answer.code if answer else None
        if fault:
            entry["fault"] = fault["kind"]
            if dropped:
                entry["status"] = None
                entry["error"] = None
        elif entry.get("delay_ms"):
            entry["fault"] = "slow"
        if self.state.latency_s:
            # The network's round trip (--latency-ms), counted from the request's arrival so that the
            # endpoint's own work hides in it: this thread waits, the others serve on.
            wait = started + self.state.latency_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.state.record(entry)
        if dropped:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            self._send(answer, request_id, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def _error_answer(protocol, err, entry, request_id):
        if protocol == "json":
            return json_error(err, entry["service"])
        if protocol == "sso":
            return sso_error(err, entry["service"])
        return sts_error(err, request_id)

    def _rate_limit(self, entry, service, account, region):
        """--rate-limit: throttle the request, as AWS does, when its lane's bucket is empty.
        Comes after authentication (AWS throttles callers it knows) and before faults."""
        if not self.state.limiter.take(service, account, region):
            entry["rate_limited"] = True
            raise fault_error("throttle", None, service)

    def _apply_faults(self, entry, request_id):
        delay, fault = self.state.faults.decide(entry)
        if delay:
            entry["delay_ms"] = delay
            time.sleep(delay / 1000.0)
        self._fault = fault
        return fault

    # -- JSON 1.1 --

    def _json_call(self, target, body, request_id, entry):
        prefix, _, operation = target.partition(".")
        service = TARGETS.get(prefix)
        if service is None:
            raise ApiError("UnknownOperationException", f"Unknown X-Amz-Target prefix {prefix!r}; this endpoint serves {', '.join(TARGETS)}.")
        entry["service"] = service
        if operation not in JSON_OPERATIONS[service]:
            raise ApiError("UnknownOperationException", f"{operation!r} is not an operation this endpoint serves for {prefix} ({', '.join(JSON_OPERATIONS[service])}).")
        entry["operation"] = operation
        if self.command != "POST" or urlsplit(self.path).path != "/":
            raise ApiError("UnknownOperationException", f"JSON 1.1 calls are POST /, not {self.command} {self.path}.")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-amz-json-1.1":
            raise _serialization(f"Content-Type must be application/x-amz-json-1.1 for {prefix}, got {ctype or 'none'!r}.")
        try:
            params = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _serialization(f"Request body is not valid JSON: {exc}") from None
        if not isinstance(params, dict):
            raise _serialization("Request body must be a JSON object.")
        entry["params"] = params
        try:
            identity, region = authenticate(self.state, self.command, self.path, self.headers, body, service)
        except sigv4check.AuthError as err:
            code, status = _JSON_AUTH_CODES[err.kind]
            raise ApiError(code, err.message, status=status) from None
        self._who(entry, identity, region)
        self._rate_limit(entry, service, identity["account"], region)
        fault = self._apply_faults(entry, request_id)
        if fault and fault["kind"] in ("throttle", "5xx"):
            raise fault_error(fault["kind"], fault["param"], service)
        if fault and fault["kind"] == "ctlerror":
            raise ctl_error(service, fault["param"] == 1)
        if fault and fault["kind"] == "sigecho":
            raise signature_echo(self.state, identity, self.headers, service)
        if fault and fault["kind"] == "drop":
            return None
        validate_input(service, operation, params)
        denial = self.state.fleet.denial(identity["account"], region, service, operation)
        if denial:
            raise ApiError(
                denial["code"],
                denial.get("message") or f"User: {identity['arn']} is not authorized to perform: {service}:{operation} on resource: *",
                status=denial.get("status", 400),
            )
        endless = bool(fault and fault["kind"] == "endless")
        call = Call(self.state, identity, region, service, operation, params)
        if endless:
            call.params = {k: v for k, v in params.items() if k != "NextToken"}
        out = JSON_HANDLERS[operation](call)
        entry.update(call.logged)
        if endless:
            # A service that pages forever: the first page, then empty pages, each with a NextToken never
            # seen before, so that only a client's page cap ends the listing.
            if "NextToken" in params:
                out = {k: ([] if isinstance(v, list) else v) for k, v in out.items()}
            out["NextToken"] = base64.b64encode(f"endless|{next(self.state.endless_tokens)}".encode()).decode()
        if fault and fault["kind"] in ("deep", "bloat"):
            return Answer(200, faults.reshape(out, fault, fleetmod.render_json).encode("utf-8"), "application/x-amz-json-1.1")
        return Answer(200, fleetmod.render_json(out).encode("utf-8"), "application/x-amz-json-1.1")

    # -- IAM Identity Center (REST-JSON, unsigned) --

    def _sso_call(self, path, body, request_id, entry):
        if path == SSO_PORTAL_PATH:
            entry["service"], entry["operation"] = "sso", "GetRoleCredentials"
            if self.command != "GET":
                raise ApiError("InvalidRequestException", f"{self.command} is not supported on {path}.")
            return self._sso_get_role_credentials(request_id, entry)
        entry["service"], entry["operation"] = "sso-oidc", "CreateToken"
        if self.command != "POST":
            raise ApiError("InvalidRequestException", f"{self.command} is not supported on {path}.", extra={"error": "invalid_request"})
        return self._sso_create_token(body, entry)

    def _sso_get_role_credentials(self, request_id, entry):
        """GetRoleCredentials: the bearer token in x-amz-sso_bearer_token, account_id and role_name in the query.
        Credentials for an assigned permission set are a session of the role Identity Center made for it."""
        st = self.state
        query = {}
        for k, v in parse_qsl(urlsplit(self.path).query, keep_blank_values=True):
            if k in query:
                raise ApiError("InvalidRequestException", f"Parameter {k} appears more than once.")
            query[k] = v
        entry["params"] = {k: query.get(k) for k in ("account_id", "role_name")}
        token = self.headers.get("x-amz-sso_bearer_token")
        if not token:
            raise ApiError("UnauthorizedException", "Session token not found or invalid", status=401)
        with st.lock:
            known = any(hmac.compare_digest(token.encode(), t.encode()) for t in st.sso_tokens)
        if not known:
            raise ApiError("UnauthorizedException", "Session token not found or invalid", status=401)
        for name in ("role_name", "account_id"):
            if not query.get(name):
                raise ApiError("InvalidRequestException", f"1 validation error detected: Value null at '{lower_first(name.title().replace('_', ''))}' failed to satisfy constraint: Member must not be null")
        account, permission_set = query["account_id"], query["role_name"]
        entry["account"] = account
        fault = self._apply_faults(entry, request_id)
        if fault and fault["kind"] in ("throttle", "5xx"):
            raise fault_error(fault["kind"], fault["param"], "sso")
        if (account, permission_set) not in st.sso_assignments:
            raise ApiError("ForbiddenException", "No access", status=403)
        digest = hashlib.sha256(f"{account}|{permission_set}".encode()).hexdigest()[:16]
        role = {"name": f"AWSReservedSSO_{permission_set}_{digest}"}
        creds, _ = _issue(st, account, role, SSO_USER, 3600)
        entry["role"] = role["name"]
        doc = {
            "roleCredentials": {
                "accessKeyId": creds["access_key"],
                "secretAccessKey": creds["secret"],
                "sessionToken": creds["token"],
                "expiration": int(creds["expires"] * 1000),
            }
        }
        return Answer(200, json.dumps(doc).encode(), "application/json")

    def _sso_create_token(self, body, entry):
        """CreateToken with grantType refresh_token (the only grant a client refreshing a cached token uses):
        the registered client, and a refresh token not used before. Hands out a new access token and a new
        refresh token; the one used is spent."""
        st = self.state
        try:
            req = json.loads(body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            raise ApiError("InvalidRequestException", "The request body is not JSON.", extra={"error": "invalid_request"}) from None
        if not isinstance(req, dict):
            raise ApiError("InvalidRequestException", "The request body is not a JSON object.", extra={"error": "invalid_request"})
        entry["params"] = {k: req.get(k) for k in ("grantType", "clientId")}
        for name in ("clientId", "clientSecret", "grantType"):
            if not isinstance(req.get(name), str) or not req[name]:
                raise ApiError("InvalidRequestException", f"{name} is required", extra={"error": "invalid_request"})
        if st.sso_client is None or req["clientId"] != st.sso_client[0] or not hmac.compare_digest(req["clientSecret"].encode(), st.sso_client[1].encode()):
            raise ApiError("InvalidClientException", "Invalid client provided", status=401, extra={"error": "invalid_client"})
        if req["grantType"] != "refresh_token":
            raise ApiError("UnsupportedGrantTypeException", "Unsupported grant type", extra={"error": "unsupported_grant_type"})
        refresh = req.get("refreshToken")
        with st.lock:
            if not isinstance(refresh, str) or refresh not in st.sso_refresh_tokens:
                raise ApiError("InvalidGrantException", "Invalid refresh token provided", extra={"error": "invalid_grant"})
            st.sso_refresh_tokens.discard(refresh)
            access = "aoa" + secrets.token_urlsafe(48)
            new_refresh = "aor" + secrets.token_urlsafe(48)
            st.sso_tokens.add(access)
            st.sso_refresh_tokens.add(new_refresh)
        doc = {"accessToken": access, "tokenType": "Bearer", "expiresIn": st.sso_token_ttl, "refreshToken": new_refresh}
        return Answer(200, json.dumps(doc).encode(), "application/json")

    # -- STS Query --

    def _sts_call(self, body, request_id, entry):
        entry["service"] = "sts"
        split = urlsplit(self.path)
        if self.command == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if body and ctype != "application/x-www-form-urlencoded":
                raise ApiError("InvalidAction", f"Neither X-Amz-Target nor a form-encoded Action: Content-Type is {ctype or 'missing'}.")
            text = body.decode("utf-8", errors="strict") if body else ""
        elif self.command == "GET":
            text = split.query
        else:
            raise ApiError("InvalidAction", f"{self.command} is not supported.")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError("MalformedQueryString", f"The query string is malformed: {exc}") from None
        params = {}
        for k, v in pairs:
            if k in params:
                raise ApiError("MalformedQueryString", f"Parameter {k} appears more than once.")
            params[k] = v
        action = params.pop("Action", None)
        version = params.pop("Version", None)
        if not action:
            raise ApiError("MissingAction", "Missing Action")
        entry["operation"] = action
        entry["params"] = {k: ("<redacted>" if k in REDACTED_PARAMS else v) for k, v in params.items()}
        if action not in STS_OPERATIONS:
            raise ApiError("InvalidAction", f"Could not find operation {action} for version {version or 'NO_VERSION_SPECIFIED'}")
        if version != STS_VERSION:
            raise ApiError("InvalidAction", f"Could not find operation {action} for version {version or 'NO_VERSION_SPECIFIED'}")
        identity = None
        if action == "AssumeRoleWithWebIdentity":
            region = "us-east-1"
            entry["region"] = region
        else:
            try:
                identity, region = authenticate(self.state, self.command, self.path, self.headers, body, "sts")
            except sigv4check.AuthError as err:
                code, status = _STS_AUTH_CODES[err.kind]
                raise ApiError(code, err.message, status=status) from None
            self._who(entry, identity, region)
        self._rate_limit(entry, "sts", identity["account"] if identity else None, region)
        fault = self._apply_faults(entry, request_id)
        if fault and fault["kind"] in ("throttle", "5xx"):
            raise fault_error(fault["kind"], fault["param"], "sts")
        if fault and fault["kind"] == "ctlerror":
            raise ctl_error("sts", False)
        if fault and fault["kind"] == "sigecho" and identity:
            raise signature_echo(self.state, identity, self.headers, "sts")
        if fault and fault["kind"] == "drop":
            return None
        if identity:
            denial = self.state.fleet.denial(identity["account"], region, "sts", action)
            if denial:
                raise ApiError(denial["code"], denial.get("message") or f"STS is not activated in {region} for this account.", status=denial.get("status", 403))
        if action == "GetCallerIdentity":
            unknown = sorted(params)
            if unknown:
                raise ApiError("InvalidParameterValue", f"The parameter {unknown[0]} is not recognized by GetCallerIdentity.")
            arn, user_id = identity["arn"], identity["user_id"]
            if fault and fault["kind"] == "ctlarn":
                arn, user_id = arn + CTL_XML, user_id + CTL_XML
            inner = f"<Arn>{xml_text(arn)}</Arn><UserId>{xml_text(user_id)}</UserId><Account>{identity['account']}</Account>"
            doc = sts_document("GetCallerIdentity", inner, request_id)
        elif action == "AssumeRole":
            doc = sts_document(*sts_assume_role(self.state, identity, params), request_id)
        else:
            doc = sts_document(*sts_assume_role_with_web_identity(self.state, params), request_id)
        return Answer(200, doc, "text/xml")

    def _who(self, entry, identity, region):
        entry["account"] = identity["account"]
        entry["role"] = identity["role"]
        entry["principal"] = identity["arn"]
        entry["access_key_id"] = identity["access_key"]
        entry["region"] = region

    # -- control endpoints (never faulted, never logged) --

    def _control(self, body, request_id):
        st = self.state
        path = urlsplit(self.path).path
        query = dict(parse_qsl(urlsplit(self.path).query))
        status, doc, ctype = 200, None, "application/json"
        stop = False
        try:
            if path == "/_fake/health" and self.command == "GET":
                doc = {
                    "ok": True,
                    "fleet": st.fleet.name,
                    "requests": st.seq,
                    "pid": os.getpid(),
                    "rate_limit": ratelimit.describe(st.limiter.limits),
                    "rate_limited": st.limiter.throttled,
                    "latency_ms": st.latency_s * 1000.0,
                    "throughput": st.throughput,
                    "tls": self.server.tls_context is not None,
                    "connections": self.server.connections,
                }
            elif path == "/_fake/log" and self.command == "GET":
                since = int(query.get("since", "0"))
                with st.lock:
                    lines = [json.dumps(e, sort_keys=True) for e in st.log_entries if e["seq"] > since]
                self._raw(200, ("\n".join(lines) + ("\n" if lines else "")).encode(), "application/x-ndjson")
                return
            elif path == "/_fake/reset" and self.command == "POST":
                st.reset()
                doc = {"ok": True}
            elif path == "/_fake/faults" and self.command == "GET":
                doc = {"rules": st.faults.rules()}
            elif path == "/_fake/faults" and self.command == "POST":
                req = json.loads(body.decode("utf-8") or "{}")
                if not isinstance(req, dict):
                    raise faults.FaultSpecError("body must be a JSON object with 'spec' or 'rules'")
                if "spec" in req:
                    rules = faults.parse_spec(req["spec"])
                else:
                    rules = faults.parse_rules(req.get("rules", []))
                st.faults.set_rules(rules)
                doc = {"rules": st.faults.rules()}
            elif path == "/_fake/shutdown" and self.command == "POST":
                doc = {"ok": True}
                stop = True
            else:
                status, doc = 404, {"error": f"no control endpoint {self.command} {path}"}
        except (ValueError, faults.FaultSpecError) as exc:
            status, doc = 400, {"error": str(exc)}
        self._raw(status, (json.dumps(doc) + "\n").encode(), ctype)
        if stop:
            # Only once the answer is out: stopping first could end the process before it is sent.
            self.wfile.flush()
            threading.Thread(target=self.server.shutdown, daemon=True).start()

    def _raw(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self._end_headers_and_write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True
    tls_context = None  # an ssl.SSLContext in HTTPS mode (--tls-cert/--tls-key)
    handshake_timeout = 30

    def __init__(self, *args, **kwargs):
        self.connections = 0  # accepted so far; only the accept loop counts, so it is in arrival order
        super().__init__(*args, **kwargs)

    def get_request(self):
        sock, addr = super().get_request()
        self.connections += 1
        if self.tls_context:
            # The handshake happens in the connection's own thread (finish_request), never in the accept loop.
            sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if self.tls_context:
            request.settimeout(self.handshake_timeout)
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                # A client that refuses the certificate ends here, with the alert it sent.
                sys.stderr.write(f"fakeaws: TLS handshake with {client_address[0]}:{client_address[1]} failed: {exc}\n")
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # A client that vanishes mid-request is normal under drop/short faults.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def _watchdog(server, parent_pid, max_lifetime):
    """Stop the server when its parent is gone or its lifetime is over, so a test that
    dies without cleaning up does not leave a server running."""
    started = time.monotonic()
    while True:
        time.sleep(0.5)
        if max_lifetime and time.monotonic() - started > max_lifetime:
            sys.stderr.write(f"fakeaws: lifetime of {max_lifetime}s reached, stopping\n")
            break
        if parent_pid:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                sys.stderr.write(f"fakeaws: parent {parent_pid} is gone, stopping\n")
                break
            except PermissionError:
                pass
    server.shutdown()


def main(argv=None):
    ap = argparse.ArgumentParser(description="Local AWS-compatible endpoint serving a fixture fleet (test tooling).")
    ap.add_argument("--fleet", default="test", help="fleet name (in fleets/) or path to a fleet JSON file (default: test)")
    ap.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--page-size", type=int, default=7, help="items per page, never above the request's MaxResults (default 7)")
    ap.add_argument("--faults", default="", help="fault spec, e.g. 'throttle=0.3,5xx=0.05:503@DescribeImages' (see README)")
    ap.add_argument("--seed", default="0", help="seed for fault decisions and tokens (default 0)")
    ap.add_argument("--log", help="append the request log here, one JSON object per line")
    ap.add_argument("--epoch-style", choices=("auto", "decimal", "java"), default="auto", help="how timestamps are written: decimal 1704448800.5, java 1.7044488005E9, auto = java for AppStream, decimal elsewhere")
    ap.add_argument("--rate-limit", default="", metavar="SPEC", help="token bucket per service, account and region: '2:2' is 2 requests/s, burst 2, for WorkSpaces and AppStream (STS and Organizations get higher limits of their own); '5:10,sts=100:100' (see README)")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay every API answer by this many ms, as a network round trip would (other requests are served meanwhile)")
    ap.add_argument("--throughput", action="store_true", help="benchmarks only: do not check signatures (the caller is still told apart by its access key), so the endpoint is never the bottleneck")
    ap.add_argument("--session-ttl", type=int, default=0, help="cap the lifetime of issued temporary credentials, seconds (0: as requested)")
    ap.add_argument("--sso-token", action="append", metavar="TOKEN", help="an IAM Identity Center access token the portal accepts (repeatable)")
    ap.add_argument("--sso-assignment", action="append", metavar="ACCOUNT:PERMISSION_SET", help="a permission set the token's user may get credentials for with GetRoleCredentials (repeatable)")
    ap.add_argument("--sso-client", metavar="ID:SECRET", help="the client registered with SSO-OIDC, for CreateToken")
    ap.add_argument("--sso-refresh-token", action="append", metavar="TOKEN", help="a refresh token CreateToken accepts once (repeatable)")
    ap.add_argument("--sso-token-ttl", type=int, default=28800, help="expiresIn of the access tokens CreateToken hands out, seconds (default 28800)")
    ap.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file; needs --tls-key")
    ap.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    ap.add_argument("--parent-pid", type=int, default=0, help="stop when this process is gone")
    ap.add_argument("--max-lifetime", type=int, default=0, help="stop after this many seconds (0: never)")
    ap.add_argument("--verbose", action="store_true", help="print every request on stderr")
    args = ap.parse_args(argv)
    if not args.host.startswith("127.") and args.host != "localhost":
        ap.error("--host must be a loopback address: this is a test endpoint")
    if args.page_size < 1:
        ap.error("--page-size must be at least 1")
    if not 0 <= args.latency_ms <= 600000:
        ap.error("--latency-ms must be between 0 and 600000")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    try:
        fl = fleetmod.load(args.fleet)
        state = State(args, fl)
    except (fleetmod.FleetError, faults.FaultSpecError, ratelimit.RateLimitSpecError) as exc:
        sys.stderr.write(f"fakeaws: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"fakeaws: {exc}\n")
        return 2
    Handler.state = state
    try:
        server = Server((args.host, args.port), Handler)
    except OSError as exc:
        sys.stderr.write(f"fakeaws: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
        return 2
    scheme = "http"
    if args.tls_cert:
        try:
            server.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            server.tls_context.load_cert_chain(args.tls_cert, args.tls_key)
        except (ssl.SSLError, OSError) as exc:
            sys.stderr.write(f"fakeaws: cannot load --tls-cert/--tls-key: {exc}\n")
            server.server_close()
            return 2
        scheme = "https"
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    if args.parent_pid or args.max_lifetime:
        threading.Thread(target=_watchdog, args=(server, args.parent_pid, args.max_lifetime), daemon=True).start()
    sys.stderr.write(f"fakeaws: fleet {fl.name} on {scheme}://{args.host}:{port} (pid {os.getpid()})\n")
    if state.throughput:
        sys.stderr.write("fakeaws: throughput mode: signatures are NOT checked (benchmarks only)\n")
    if state.limiter.enabled:
        sys.stderr.write(f"fakeaws: rate limits {ratelimit.describe(state.limiter.limits)}\n")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
