"""Fleet fixtures for the fake AWS endpoint: load a fleet file, check it, answer
"what does account A see in region R" for every listing the endpoint serves, and make the
changes the write operations make (undone by restore()).

A fleet file (fleets/*.json) holds resources exactly in the shape the AWS APIs return
them, with timestamps written as ISO-8601 strings. The shapes are checked against
botocore's service models when the file is loaded, so a fixture mistake is reported
with its JSON path instead of surfacing as a puzzling client failure later.

Both the server (fakeaws.py) and the oracle (expected.py) read fleets through this
module, so they cannot disagree about what a fleet contains.
"""

import calendar
import copy
import datetime
import json
import os
import re
import threading

import botocore.session

HERE = os.path.dirname(os.path.abspath(__file__))
FLEET_DIR = os.path.join(HERE, "fleets")

SERVICES = ("workspaces", "appstream", "organizations", "sts")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
ORG_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
ROOT_ID_RE = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID_RE = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
# Account states: Status is the older field (ACTIVE, SUSPENDED, PENDING_CLOSURE); State the newer one, which
# AWS returns beside it, with two more values.
STATUSES = ("ACTIVE", "SUSPENDED", "PENDING_CLOSURE")
STATES = ("ACTIVE", "SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED")
ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$")

# Every operation the endpoint serves, per service: the reads a collector makes, and the writes `imgaudit fix
# apply` makes (UpdateWorkspaceImagePermission, CreateUpdatedWorkspaceImage, DeleteImagePermissions).
OPERATIONS = {
    "workspaces": (
        "DescribeWorkspaceImages", "DescribeWorkspaceImagePermissions", "DescribeTags",
        "UpdateWorkspaceImagePermission", "CreateUpdatedWorkspaceImage",
    ),
    "appstream": ("DescribeImageBuilders", "DescribeImages", "DescribeImagePermissions", "DeleteImagePermissions"),
    "organizations": ("ListAccounts", "ListChildren", "ListAccountsForParent"),
    "sts": ("GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity"),
}
# What a denial's "operations" may name: the operations served, and the permissions they need besides their own
# (CreateUpdatedWorkspaceImage with Tags needs workspaces:CreateTags too). A misspelt one would deny nothing.
DENIABLE_OPERATIONS = dict(OPERATIONS, workspaces=OPERATIONS["workspaces"] + ("CreateTags",))


class FleetError(Exception):
    """A fleet file is malformed; the message names the file and the JSON path."""


_MODELS = {}


def service_model(service):
    """botocore's service model for one of SERVICES (cached; loading takes a moment)."""
    if service not in _MODELS:
        session = botocore.session.get_session()
        _MODELS[service] = session.get_service_model(service)
    return _MODELS[service]


def output_member_shape(service, operation, member):
    """The shape of one list element in an operation's answer (e.g. Images -> WorkspaceImage)."""
    out = service_model(service).operation_model(operation).output_shape
    shape = out.members[member]
    return shape.member if shape.type_name == "list" else shape


def parse_iso(text, where):
    """ISO-8601 UTC text -> (whole epoch seconds, fraction digits as text)."""
    m = ISO_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise FleetError(f"{where}: timestamp {text!r} is not ISO-8601 UTC (YYYY-MM-DDTHH:MM:SS[.fff]Z)")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        datetime.datetime(y, mo, d, h, mi, s)
    except ValueError as exc:
        raise FleetError(f"{where}: timestamp {text!r}: {exc}") from None
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)), (m.group(7) or "")


def epoch_text(iso, style):
    """The JSON number AWS would send for an ISO timestamp.

    style "decimal" gives 1704448800.123; style "java" gives 1.704448800123E9, which is
    how services written in Java print a double (Double.toString), and which clients
    meet in real answers. Both carry the same value; a client must read either.
    """
    secs, frac = parse_iso(iso, "timestamp")
    frac = frac.rstrip("0")
    if style == "decimal":
        return f"{secs}.{frac}" if frac else str(secs)
    whole = str(secs)
    if secs < 10**7:  # Java prints small doubles without an exponent
        return f"{secs}.{frac or '0'}"
    digits = (whole + frac).rstrip("0") or "0"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{mantissa}E{len(whole) - 1}"


def check_shape(shape, value, where):
    """Check fixture data against a botocore shape: types, required members, structure.

    Members the model does not know are allowed (AWS adds fields; clients must pass
    them through), and enum values are not enforced for the same reason.
    """
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            raise FleetError(f"{where}: expected an object for {shape.name}")
        for req in shape.required_members:
            if req not in value:
                raise FleetError(f"{where}: {shape.name} requires {req}")
        for key, sub in value.items():
            if key in shape.members:
                check_shape(shape.members[key], sub, f"{where}.{key}")
    elif t == "list":
        if not isinstance(value, list):
            raise FleetError(f"{where}: expected a list for {shape.name}")
        for i, sub in enumerate(value):
            check_shape(shape.member, sub, f"{where}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            raise FleetError(f"{where}: expected an object for {shape.name}")
    elif t == "string":
        if not isinstance(value, str):
            raise FleetError(f"{where}: expected a string")
    elif t == "boolean":
        if not isinstance(value, bool):
            raise FleetError(f"{where}: expected true or false")
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FleetError(f"{where}: expected an integer")
    elif t == "timestamp":
        parse_iso(value, where)


def to_wire(shape, value, style):
    """Copy fixture data with every model timestamp replaced by a placeholder that
    render_json() turns into a bare JSON number (see epoch_text)."""
    if shape is None:
        return copy.deepcopy(value)
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        return {k: to_wire(shape.members.get(k), v, style) for k, v in value.items()}
    if t == "list" and isinstance(value, list):
        return [to_wire(shape.member, v, style) for v in value]
    if t == "timestamp":
        return TS_MARK + epoch_text(value, style) + TS_MARK
    return copy.deepcopy(value)


TS_MARK = "@@ts@@"
_TS_RE = re.compile('"' + TS_MARK + "([0-9.E]+)" + TS_MARK + '"')


def render_json(obj):
    """Serialize an answer, turning timestamp placeholders into bare numbers."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return _TS_RE.sub(r"\1", text)


def fleet_path(name_or_path):
    """A fleet name (test, demo) or a path -> the fleet file's path."""
    if os.sep in name_or_path or name_or_path.endswith(".json"):
        return name_or_path
    return os.path.join(FLEET_DIR, name_or_path + ".json")


class Region:
    """One account's resources in one region, as the owner holds them."""

    def __init__(self):
        self.ws_images = []  # WorkSpaces images owned here, API shape
        self.ws_perms = {}  # ImageId -> [account id]
        self.builders = []
        self.as_images = []  # AppStream images owned here (private), API shape
        self.as_perms = {}  # image Name -> [SharedImagePermissions]


class Fleet:
    """A loaded, checked fleet with precomputed per-account, per-region views."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
        except OSError as exc:
            raise FleetError(f"{path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise FleetError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
        self.raw = raw
        self._load(raw)

    # ---- loading and checking -------------------------------------------------

    def _err(self, where, msg):
        return FleetError(f"{self.path}: {where}: {msg}")

    def _load(self, raw):
        if not isinstance(raw, dict):
            raise self._err("$", "a fleet is a JSON object")
        self.name = raw.get("fleet") or os.path.splitext(os.path.basename(self.path))[0]
        self.partition = raw.get("partition", "aws")
        self.regions = list(raw.get("regions", []))
        for r in self.regions:
            if not REGION_RE.match(r):
                raise self._err("regions", f"{r!r} is not a region name")
        self.org = raw.get("organization")
        self.accounts = {}
        self.account_order = []
        acct_shape = output_member_shape("organizations", "ListAccounts", "Accounts")
        for i, a in enumerate(raw.get("accounts", [])):
            where = f"accounts[{i}]"
            aid = a.get("id")
            if not isinstance(aid, str) or not ACCOUNT_RE.match(aid):
                raise self._err(where, f"id {aid!r} is not a 12-digit account id")
            if aid in self.accounts:
                raise self._err(where, f"account {aid} listed twice")
            self.accounts[aid] = a
            self.account_order.append(aid)
            if "joined" in a:
                parse_iso(a["joined"], f"{self.path}: {where}.joined")
            if a.get("status", "ACTIVE") not in STATUSES:
                raise self._err(where, f"status {a.get('status')!r} is not one of {', '.join(STATUSES)}")
            if a.get("state", a.get("status", "ACTIVE")) not in STATES:
                raise self._err(where, f"state {a.get('state')!r} is not one of {', '.join(STATES)}")
        if self.org:
            self._load_org()
            for i, aid in enumerate(self.account_order):
                if self.accounts[aid].get("in_org", True):
                    check_shape(acct_shape, self.org_account(aid), f"{self.path}: accounts[{i}]")
        self._load_principals(raw)
        self._load_roles()
        self._load_resources()
        self._load_public(raw)
        self._derive_shared()
        # The write operations change what the owners hold (see "changes" below); this is what was loaded, for
        # restore(). Writes never change a list or dict in place, so references are enough.
        self.write_lock = threading.Lock()
        self.ws_tags = {}  # ImageId -> the Tags an image was created with (CreateUpdatedWorkspaceImage)
        self.changed = False  # whether anything was written since the load or the last restore()
        self._loaded = {key: (reg.ws_images, reg.ws_perms, reg.as_perms) for key, reg in self.data.items()}
        self.audit_targets = raw.get("audit_targets", [])
        for i, t in enumerate(self.audit_targets):
            if t.get("id") not in self.accounts:
                raise self._err(f"audit_targets[{i}]", f"{t.get('id')!r} is not one of the accounts")

    def _load_org(self):
        """The Organization's tree: its root, its OUs (each under the root or another OU) and where each
        member account sits (its "parent", the root when it names none)."""
        org = self.org
        if not ORG_ID_RE.match(org.get("id", "")):
            raise self._err("organization.id", f"{org.get('id')!r} is not o- and 10 to 32 of [a-z0-9]")
        mgmt = org.get("management_account")
        if mgmt not in self.accounts:
            raise self._err("organization.management_account", f"{mgmt!r} is not one of the accounts")
        self.org_root = org.get("root") or "r-" + org["id"][2:6]
        if not ROOT_ID_RE.match(self.org_root):
            raise self._err("organization.root", f"{self.org_root!r} is not r- and 4 to 32 of [0-9a-z]")
        self.org_units = {}  # OU id -> its entry (id, name, parent)
        for i, u in enumerate(org.get("units", [])):
            if not OU_ID_RE.match(u.get("id", "")):
                raise self._err(f"organization.units[{i}]", f"{u.get('id')!r} is not an OU id")
            if u["id"] in self.org_units:
                raise self._err(f"organization.units[{i}]", f"{u['id']} listed twice")
            if u.get("parent", self.org_root) not in self.org_units and u.get("parent", self.org_root) != self.org_root:
                raise self._err(f"organization.units[{i}]", f"parent {u.get('parent')!r} is not the root or an OU listed before it")
            self.org_units[u["id"]] = u
        for aid in self.account_order:
            parent = self.accounts[aid].get("parent", self.org_root)
            if parent != self.org_root and parent not in self.org_units:
                raise self._err(f"accounts[{aid}].parent", f"{parent!r} is not the root or an OU of the organization")

    def _load_principals(self, raw):
        self.principals = {}
        for i, p in enumerate(raw.get("principals", [])):
            where = f"principals[{i}]"
            for k in ("access_key_id", "secret_access_key", "account", "user"):
                if not isinstance(p.get(k), str) or not p[k]:
                    raise self._err(where, f"needs {k}")
            if p["account"] not in self.accounts:
                raise self._err(where, f"account {p['account']} is not one of the accounts")
            if not re.match(r"^AKIA[A-Z0-9]{16}$", p["access_key_id"]):
                raise self._err(where, "access_key_id must look like AKIA + 16 upper-case letters or digits")
            self.principals[p["access_key_id"]] = p
        if not self.principals:
            raise self._err("principals", "a fleet needs at least one principal (base credentials)")
        self.default_principal = raw["principals"][0]

    def _load_roles(self):
        self.roles = {}  # role ARN -> (account id, role dict)
        for aid in self.account_order:
            for j, role in enumerate(self.accounts[aid].get("roles", [])):
                where = f"accounts[{aid}].roles[{j}]"
                if not isinstance(role.get("name"), str):
                    raise self._err(where, "a role needs a name")
                arn = self.role_arn(aid, role["name"])
                if arn in self.roles:
                    raise self._err(where, f"role {arn} defined twice")
                self.roles[arn] = (aid, role)

    def _load_resources(self):
        ws_shape = output_member_shape("workspaces", "DescribeWorkspaceImages", "Images")
        b_shape = output_member_shape("appstream", "DescribeImageBuilders", "ImageBuilders")
        i_shape = output_member_shape("appstream", "DescribeImages", "Images")
        p_shape = output_member_shape("appstream", "DescribeImagePermissions", "SharedImagePermissionsList")
        self.data = {}  # (account, region) -> Region
        for aid in self.account_order:
            for region, rd in self.accounts[aid].get("regions", {}).items():
                where = f"accounts[{aid}].regions.{region}"
                if not REGION_RE.match(region):
                    raise self._err(where, f"{region!r} is not a region name")
                reg = Region()
                seen = set()
                for k, img in enumerate(rd.get("workspaces_images", [])):
                    w = f"{self.path}: {where}.workspaces_images[{k}]"
                    check_shape(ws_shape, img, w)
                    iid = img.get("ImageId")
                    if not isinstance(iid, str) or not re.fullmatch(r"wsi-[0-9a-z]{9,63}", iid):
                        raise FleetError(f"{w}: ImageId {iid!r} does not match wsi-[0-9a-z]{{9,63}}")
                    if iid in seen:
                        raise FleetError(f"{w}: ImageId {iid} listed twice")
                    if img.get("OwnerAccountId", aid) != aid:
                        raise FleetError(f"{w}: OwnerAccountId {img['OwnerAccountId']} is not the owning account {aid}")
                    seen.add(iid)
                    reg.ws_images.append(img)
                for iid, accts in rd.get("workspaces_image_permissions", {}).items():
                    if iid not in seen:
                        raise self._err(f"{where}.workspaces_image_permissions", f"{iid} is not an image of {aid} in {region}")
                    for s in accts:
                        if not ACCOUNT_RE.match(s):
                            raise self._err(f"{where}.workspaces_image_permissions.{iid}", f"{s!r} is not an account id")
                    reg.ws_perms[iid] = list(accts)
                names = set()
                for k, b in enumerate(rd.get("appstream_image_builders", [])):
                    w = f"{self.path}: {where}.appstream_image_builders[{k}]"
                    check_shape(b_shape, b, w)
                    if b["Name"] in names:
                        raise FleetError(f"{w}: builder {b['Name']} listed twice")
                    names.add(b["Name"])
                    reg.builders.append(b)
                names = set()
                for k, img in enumerate(rd.get("appstream_images", [])):
                    w = f"{self.path}: {where}.appstream_images[{k}]"
                    check_shape(i_shape, img, w)
                    if img["Name"] in names:
                        raise FleetError(f"{w}: image {img['Name']} listed twice")
                    names.add(img["Name"])
                    reg.as_images.append(img)
                for name, perms in rd.get("appstream_image_permissions", {}).items():
                    w = f"{self.path}: {where}.appstream_image_permissions.{name}"
                    if name not in names:
                        raise FleetError(f"{w}: {name} is not an AppStream image of {aid} in {region}")
                    for k, p in enumerate(perms):
                        check_shape(p_shape, p, f"{w}[{k}]")
                    reg.as_perms[name] = list(perms)
                self.data[(aid, region)] = reg
            for j, d in enumerate(self.accounts[aid].get("denials", [])):
                where = f"accounts[{aid}].denials[{j}]"
                if d.get("service") not in SERVICES:
                    raise self._err(where, f"service {d.get('service')!r} is not one of {', '.join(SERVICES)}")
                if "code" not in d:
                    raise self._err(where, "a denial needs a code")
                for op in d.get("operations") or ():
                    if op not in DENIABLE_OPERATIONS[d["service"]]:
                        raise self._err(where, f"operation {op!r} is not one of {', '.join(DENIABLE_OPERATIONS[d['service']])}")

    def _load_public(self, raw):
        i_shape = output_member_shape("appstream", "DescribeImages", "Images")
        self.public_images = {}
        for region, imgs in raw.get("public_appstream_images", {}).items():
            for k, img in enumerate(imgs):
                check_shape(i_shape, img, f"{self.path}: public_appstream_images.{region}[{k}]")
            self.public_images[region] = list(imgs)

    def _derive_shared(self):
        """What each account sees as shared into it: every other account's image whose
        permissions name it. Deriving (rather than listing) keeps both sides consistent. Both views are
        built aside and then swapped in, so that a listing served meanwhile reads the old or the new one."""
        ws_shared = {}
        as_shared = {}
        for (owner, region), reg in self.data.items():
            for img in reg.ws_images:
                for target in reg.ws_perms.get(img["ImageId"], []):
                    if target != owner:
                        ws_shared.setdefault((target, region), []).append((owner, img))
            for img in reg.as_images:
                for perm in reg.as_perms.get(img["Name"], []):
                    target = perm["sharedAccountId"]
                    if target != owner:
                        as_shared.setdefault((target, region), []).append((owner, img, perm))
        self.ws_shared = ws_shared
        self.as_shared = as_shared
        for (target, region), items in as_shared.items():
            own = {i["Name"] for i in self.region(target, region).as_images}
            for _, img, _ in items:
                if img["Name"] in own:
                    raise self._err(
                        f"accounts[{target}].regions.{region}",
                        f"AppStream image {img['Name']} is both owned and shared in; AppStream keys images by name",
                    )

    # ---- identities --------------------------------------------------------------

    def role_arn(self, account, name):
        return f"arn:{self.partition}:iam::{account}:role/{name}"

    def user_arn(self, principal):
        return f"arn:{self.partition}:iam::{principal['account']}:user/{principal['user']}"

    def user_id(self, principal):
        return principal.get("user_id") or ("AIDA" + principal["access_key_id"][4:])

    def role_id(self, account, role):
        if role.get("role_id"):
            return role["role_id"]
        digits = "".join(c for c in account + role["name"].upper() if c.isalnum())
        return ("AROA" + digits)[:21].ljust(21, "X")

    def management_account(self):
        if self.org:
            return self.org["management_account"]
        return self.default_principal["account"]

    def org_account(self, aid):
        """The ListAccounts entry for an account, ISO timestamps."""
        a = self.accounts[aid]
        entry = {
            "Id": aid,
            "Arn": f"arn:{self.partition}:organizations::{self.management_account()}:account/{self.org['id']}/{aid}",
            "Email": a.get("email", f"aws+{aid}@example.com"),
            "Name": a.get("name", aid),
            "Status": a.get("status", "ACTIVE"),
            "State": a.get("state", a.get("status", "ACTIVE")),
            "JoinedMethod": a.get("joined_method", "INVITED"),
            "JoinedTimestamp": a.get("joined", "2020-01-01T00:00:00Z"),
        }
        return entry

    def org_accounts(self):
        """Every account ListAccounts returns, in fleet order."""
        if not self.org:
            return []
        return [self.org_account(a) for a in self.account_order if self.accounts[a].get("in_org", True)]

    def org_parent_exists(self, parent):
        return bool(self.org) and (parent == self.org_root or parent in self.org_units)

    def org_child_units(self, parent):
        """The OUs directly under a parent (the root or an OU), in fleet order, as ListChildren's Children."""
        return [{"Id": u["id"], "Type": "ORGANIZATIONAL_UNIT"} for u in self.org_units.values()
                if u.get("parent", self.org_root) == parent]

    def org_accounts_for_parent(self, parent):
        """The ListAccounts entries of the members directly under a parent, in fleet order."""
        return [self.org_account(a) for a in self.account_order
                if self.accounts[a].get("in_org", True) and self.accounts[a].get("parent", self.org_root) == parent]

    def org_accounts_under(self, parents):
        """The ids of the members under any of parents, at any depth."""
        todo, seen, out = list(parents), set(), set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            out.update(a["Id"] for a in self.org_accounts_for_parent(p))
            todo.extend(c["Id"] for c in self.org_child_units(p))
        return out

    # ---- what an account sees -------------------------------------------------------

    _EMPTY = Region()

    def region(self, account, region):
        return self.data.get((account, region), self._EMPTY)

    def denial(self, account, region, service, operation):
        """The denial that applies to a call, or None. A denial names a service and
        optionally a region ("*" or absent for all) and operations (absent for all)."""
        for d in self.accounts.get(account, {}).get("denials", []):
            if d["service"] != service:
                continue
            if d.get("region", "*") not in ("*", region):
                continue
            ops = d.get("operations")
            if ops and operation not in ops:
                continue
            return d
        return None

    def ws_images(self, account, region, image_type):
        """WorkSpaces images visible to account, as (image, ImageType) pairs, API order:
        owned first, then shared. image_type None means both, as the API does."""
        out = []
        if image_type in (None, "OWNED"):
            out += [(img, "OWNED") for img in self.region(account, region).ws_images]
        if image_type in (None, "SHARED"):
            out += [(img, "SHARED") for _, img in self.ws_shared.get((account, region), [])]
        return out

    def ws_permissions(self, account, region, image_id):
        """Permissions of an image the account owns, or None if it owns no such image."""
        reg = self.region(account, region)
        if not any(i["ImageId"] == image_id for i in reg.ws_images):
            return None
        return reg.ws_perms.get(image_id, [])

    def as_images(self, account, region, visibility):
        """AppStream images as the account sees them: PRIVATE (owned), SHARED (shared
        in), PUBLIC (the region's base images); None means all three, as the API does.
        Each is a fresh dict with Visibility and the derived sharing fields set."""
        out = []
        if visibility in (None, "PUBLIC"):
            for img in self.public_images.get(region, []):
                v = dict(img)
                v["Visibility"] = "PUBLIC"
                out.append(v)
        if visibility in (None, "PRIVATE"):
            reg = self.region(account, region)
            for img in reg.as_images:
                v = dict(img)
                v["Visibility"] = "PRIVATE"
                v["ImageSharedWithOthers"] = "TRUE" if reg.as_perms.get(img["Name"]) else "FALSE"
                out.append(v)
        if visibility in (None, "SHARED"):
            for _, img, perm in self.as_shared.get((account, region), []):
                v = dict(img)
                v["Visibility"] = "SHARED"
                v.pop("ImageSharedWithOthers", None)
                v["ImagePermissions"] = dict(perm["imagePermissions"])
                out.append(v)
        return out

    def as_permissions(self, account, region, name):
        """SharedImagePermissionsList of an image the account owns, or None."""
        reg = self.region(account, region)
        if not any(i["Name"] == name for i in reg.as_images):
            return None
        return reg.as_perms.get(name, [])

    # ---- changes (the write operations) -------------------------------------------------
    # Callers hold write_lock from reading the state they check to the change, so that two writes never
    # interleave. A change builds new lists and dicts and swaps them in: readers take no lock and see either
    # the state before or the state after. The shared-in views are derived again after each change (the
    # whole fleet: fine for the test fleets, slow for a benchmark fleet, which nothing writes to).

    def ws_owned_image(self, account, region, image_id):
        """The WorkSpaces image account owns in region with that id, or None."""
        return next((i for i in self.region(account, region).ws_images if i["ImageId"] == image_id), None)

    def set_ws_permissions(self, account, region, image_id, accounts):
        """Replace the accounts an owned WorkSpaces image is shared with."""
        reg = self.data[(account, region)]
        reg.ws_perms = {**reg.ws_perms, image_id: list(accounts)}
        self.changed = True
        self._derive_shared()

    def add_ws_image(self, account, region, image, tags):
        """Add a WorkSpaces image account owns in region (after the others), created with tags."""
        reg = self.data[(account, region)]
        reg.ws_images = reg.ws_images + [image]
        self.ws_tags = {**self.ws_tags, image["ImageId"]: list(tags)}
        self.changed = True

    def set_as_permissions(self, account, region, name, perms):
        """Replace the SharedImagePermissionsList of an owned AppStream image."""
        reg = self.data[(account, region)]
        reg.as_perms = {**reg.as_perms, name: list(perms)}
        self.changed = True
        self._derive_shared()

    def restore(self):
        """Undo every change: back to the fleet as loaded. Nothing to do (and no work, which a benchmark's
        resets between runs would pay for) when nothing was written."""
        with self.write_lock:
            if not self.changed:
                return
            for key, (ws_images, ws_perms, as_perms) in self._loaded.items():
                reg = self.data[key]
                reg.ws_images, reg.ws_perms, reg.as_perms = ws_images, ws_perms, as_perms
            self.ws_tags = {}
            self.changed = False
            self._derive_shared()


def load(name_or_path):
    """Load and check a fleet by name or path; raises FleetError with file and JSON path."""
    return Fleet(fleet_path(name_or_path))
