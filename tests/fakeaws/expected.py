#!/usr/bin/env python3
"""What a correct collector must gather from a fleet served by fakeaws, and which
failures it must record, so collector tests compare against this instead of
hard-coding numbers.

Output (JSON on stdout):

  {"fleet", "caller": {account, arn, user_id}, "regions": [...],
   "accounts": [{id, name, role_arn, external_id}],          (attempted)
   "resources": [{type, account, region, id, data}],          (sorted by account, region, type, id)
   "errors": [{account, region, service, operation, code, message, http_status}],
   "organizations": [...]}                                   (--mode org only: every member, its state)

Resources follow docs/snapshot.md: workspaces_image (id ImageId; data carries ImageType
OWNED|SHARED and, for OWNED, Permissions [{SharedAccountId}]), appstream_image_builder
(id Name), appstream_image (id Name; data carries the API's Visibility PRIVATE|SHARED and, for
PRIVATE, Permissions = the SharedImagePermissionsList entries; OwnerAccountId = the account of its
Arn). Timestamps are the
ISO-8601 strings of the fleet file (UTC, "Z", milliseconds where the fixture has them).

Errors: one per (account, region, service, operation) that fails. An account whose role
cannot be assumed yields one sts/AssumeRole error with region null (or one per region
with --assume-errors region) and nothing else; a denied service yields an error for each
collector operation it denies (DescribeImageBuilders, DescribeImages for AppStream;
DescribeWorkspaceImages for WorkSpaces); the permission calls that would follow are not
made. Organizations discovery failures have account and region null.
"""

import argparse
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fleet as fleetmod  # noqa: E402


class TargetError(Exception):
    pass


def _error(account, region, service, operation, code, message, status):
    return {"account": account, "region": region, "service": service, "operation": operation, "code": code, "message": message, "http_status": status}


def organizations_of(fl, org_units=None):
    """The snapshot's "organizations" for a collection with --org (docs/snapshot.md): every member, sorted."""
    members = sorted(fl.org_accounts(), key=lambda a: a["Id"])
    org = {"id": fl.org["id"], "management_account": fl.management_account(),
           "accounts": [{"id": a["Id"], "name": a["Name"], "state": a["State"]} for a in members]}
    if org_units:
        org["org_units"] = sorted(set(org_units))
    return [org]


def targets_for(fl, mode, caller, role_name, external_id, errors, org_units=None):
    """The accounts a collector attempts, as dicts: id, name, role_arn, external_id."""
    if mode == "self":
        return [{"id": caller["account"], "name": fl.accounts[caller["account"]].get("name"), "role_arn": None, "external_id": None}]
    if mode == "targets":
        out = []
        for t in fl.audit_targets:
            out.append({"id": t["id"], "name": t.get("name"), "role_arn": t.get("role_arn"), "external_id": t.get("external_id")})
        return out
    # org: ListAccounts as the caller, ACTIVE accounts only; the caller's own account
    # is read with the caller's credentials, every other through --role-name.
    me = fl.accounts.get(caller["account"], {})
    if not fl.org or not me.get("in_org", True):
        errors.append(_error(None, None, "organizations", "ListAccounts", "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.", 400))
        return []
    allowed = [fl.management_account()] + list(fl.org.get("delegated_administrators", []))
    if caller["account"] not in allowed:
        errors.append(_error(None, None, "organizations", "ListAccounts", "AccessDeniedException", "You don't have permissions to access this resource.", 400))
        return []
    if not role_name:
        raise TargetError("--mode org needs --role-name")
    out = []
    under = fl.org_accounts_under(org_units) if org_units else None
    for a in fl.org_accounts():
        if a["State"] != "ACTIVE" or (under is not None and a["Id"] not in under):
            continue
        own = a["Id"] == caller["account"]
        out.append(
            {
                "id": a["Id"],
                "name": a["Name"],
                "role_arn": None if own else fl.role_arn(a["Id"], role_name),
                "external_id": None if own else external_id,
            }
        )
    return out


def assume(fl, caller, target, session_name):
    """The identity a collector gets in target, or an error dict (as the server decides)."""
    arn = target["role_arn"]
    found = fl.roles.get(arn)
    denied = {"code": "AccessDenied", "message": f"User: {caller['arn']} is not authorized to perform: sts:AssumeRole on resource: {arn}", "http_status": 403}
    if found is None:
        return None, denied
    account, role = found
    trusted = role.get("trusted_accounts") or [fl.management_account()]
    if role.get("deny") or caller["account"] not in trusted:
        return None, denied
    if role.get("external_id") and target.get("external_id") != role["external_id"]:
        return None, denied
    return {"account": account, "arn": f"arn:{fl.partition}:sts::{account}:assumed-role/{role['name']}/{session_name}"}, None


def gather(fl, account, region, identity, errors):
    """Resources one account yields in one region, and the errors it must record."""
    out = []

    def denied(service, operation):
        d = fl.denial(account, region, service, operation)
        if d is None:
            return False
        msg = d.get("message") or f"User: {identity['arn']} is not authorized to perform: {service}:{operation} on resource: *"
        key = (account, region, service, operation)
        if not any((e["account"], e["region"], e["service"], e["operation"]) == key for e in errors):
            errors.append(_error(account, region, service, operation, d["code"], msg, d.get("status", 400)))
        return True

    if not denied("workspaces", "DescribeWorkspaceImages"):
        perms_ok = None
        for img, image_type in fl.ws_images(account, region, None):
            data = copy.deepcopy(img)
            data["ImageType"] = image_type
            if image_type == "OWNED":
                if perms_ok is None:
                    perms_ok = not denied("workspaces", "DescribeWorkspaceImagePermissions")
                if perms_ok:
                    data["Permissions"] = [{"SharedAccountId": a} for a in fl.ws_permissions(account, region, img["ImageId"])]
            out.append({"type": "workspaces_image", "account": account, "region": region, "id": img["ImageId"], "data": data})
    if not denied("appstream", "DescribeImageBuilders"):
        for b in fl.region(account, region).builders:
            out.append({"type": "appstream_image_builder", "account": account, "region": region, "id": b["Name"], "data": copy.deepcopy(b)})
    if not denied("appstream", "DescribeImages"):
        perms_ok = None
        for visibility in ("PRIVATE", "SHARED"):
            for img in fl.as_images(account, region, visibility):
                # The API's Visibility (PRIVATE/SHARED) says which listing it came from; ImageType is the
                # API's own field (CUSTOM/NATIVE) and passes through untouched.
                data = copy.deepcopy(img)
                # The collector adds the owner named in the Arn (arn:aws:appstream:REGION:ACCOUNT:image/NAME).
                owner = img["Arn"].split(":")[4]
                if owner:
                    data["OwnerAccountId"] = owner
                if visibility == "PRIVATE":
                    if perms_ok is None:
                        perms_ok = not denied("appstream", "DescribeImagePermissions")
                    if perms_ok:
                        data["Permissions"] = copy.deepcopy(fl.as_permissions(account, region, img["Name"]))
                out.append({"type": "appstream_image", "account": account, "region": region, "id": img["Name"], "data": data})
    return out


def compute(fl, mode="targets", caller_key=None, role_name=None, external_id=None, session_name="imgaudit", regions=None, assume_errors="account", org_units=None):
    """The full expectation as a dict (see the module comment)."""
    principal = fl.principals.get(caller_key) if caller_key else fl.default_principal
    if principal is None:
        raise TargetError(f"no principal with access key {caller_key} in fleet {fl.name}")
    caller = {"account": principal["account"], "arn": fl.user_arn(principal), "user_id": fl.user_id(principal)}
    regions = list(regions or fl.regions)
    errors = []
    targets = targets_for(fl, mode, caller, role_name, external_id, errors, org_units)
    resources = []
    for t in targets:
        if t["role_arn"]:
            identity, err = assume(fl, caller, t, session_name)
            if err:
                for r in regions if assume_errors == "region" else [None]:
                    errors.append(_error(t["id"], r, "sts", "AssumeRole", err["code"], err["message"], err["http_status"]))
                continue
        elif t["id"] == caller["account"]:
            identity = caller
        else:
            raise TargetError(f"target {t['id']} has no role_arn and is not the caller's account {caller['account']}")
        for r in regions:
            resources += gather(fl, t["id"], r, identity, errors)
    resources.sort(key=lambda x: (x["account"], x["region"], x["type"], x["id"]))
    errors.sort(key=lambda e: (e["account"] or "", e["region"] or "", e["service"], e["operation"]))
    out = {"fleet": fl.name, "caller": caller, "regions": regions, "accounts": targets, "resources": resources, "errors": errors}
    if mode == "org" and targets:
        out["organizations"] = organizations_of(fl, org_units)
    return out


def accounts_yaml(targets):
    """The --accounts file for these targets (the collector issue's YAML layout)."""
    lines = ["accounts:"]
    for t in targets:
        lines.append(f'  - id: "{t["id"]}"')
        if t.get("name"):
            lines.append(f"    name: {json.dumps(t['name'])}")
        if t.get("role_arn"):
            lines.append(f"    role_arn: {t['role_arn']}")
        if t.get("external_id"):
            lines.append(f"    external_id: {json.dumps(t['external_id'])}")
    return "\n".join(lines) + "\n"


def summary(exp):
    counts = {}
    for r in exp["resources"]:
        key = (r["account"], r["region"])
        c = counts.setdefault(key, {})
        kind = r["data"].get("ImageType") if r["type"] == "workspaces_image" else r["data"].get("Visibility")
        t = r["type"] + ("/" + kind if kind else "")
        c[t] = c.get(t, 0) + 1
    lines = [f"fleet {exp['fleet']}: caller {exp['caller']['arn']}, {len(exp['resources'])} resources, {len(exp['errors'])} errors"]
    for (a, r), c in sorted(counts.items()):
        lines.append(f"  {a} {r}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    for e in exp["errors"]:
        lines.append(f"  error {e['account']} {e['region']} {e['service']} {e['operation']}: {e['code']}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Print what a correct collector gathers from a fakeaws fleet.")
    ap.add_argument("--fleet", default="test", help="fleet name or path (default test)")
    ap.add_argument("--mode", choices=("targets", "org", "self"), default="targets", help="targets: the fleet's audit_targets (what --write-accounts-yaml writes); org: Organizations discovery with --role-name; self: the caller's account only")
    ap.add_argument("--caller", help="access key id of the base credentials (default: the fleet's first principal)")
    ap.add_argument("--role-name", help="role assumed in each account (--mode org)")
    ap.add_argument("--external-id", help="ExternalId sent with every AssumeRole (--mode org)")
    ap.add_argument("--org-unit", action="append", help="only the accounts under this OU or root, at any depth (--mode org; repeatable)")
    ap.add_argument("--session-name", default="imgaudit", help="RoleSessionName the collector uses (appears in denial messages)")
    ap.add_argument("--regions", help="comma-separated regions (default: the fleet's regions)")
    ap.add_argument("--assume-errors", choices=("account", "region"), default="account", help="one AssumeRole error per account (region null) or per account and region")
    ap.add_argument("--write-accounts-yaml", metavar="FILE", help="also write the --accounts YAML for the targets")
    ap.add_argument("--print-env", action="store_true", help="print shell assignments of the caller's base credentials and exit")
    ap.add_argument("--summary", action="store_true", help="print counts per account and region instead of JSON")
    args = ap.parse_args(argv)
    try:
        fl = fleetmod.load(args.fleet)
        if args.print_env:
            p = fl.principals.get(args.caller) if args.caller else fl.default_principal
            if p is None:
                raise TargetError(f"no principal with access key {args.caller}")
            print(f"AWS_ACCESS_KEY_ID={p['access_key_id']}")
            print(f"AWS_SECRET_ACCESS_KEY={p['secret_access_key']}")
            print(f"FAKEAWS_ACCOUNT={p['account']}")
            print(f"FAKEAWS_REGIONS={','.join(fl.regions)}")
            return 0
        regions = [r for r in args.regions.split(",") if r] if args.regions else None
        exp = compute(fl, args.mode, args.caller, args.role_name, args.external_id, args.session_name, regions, args.assume_errors, args.org_unit)
    except (fleetmod.FleetError, TargetError) as exc:
        sys.stderr.write(f"expected: {exc}\n")
        return 2
    if args.write_accounts_yaml:
        with open(args.write_accounts_yaml, "w", encoding="utf-8") as f:
            f.write(accounts_yaml(exp["accounts"]))
    if args.summary:
        sys.stdout.write(summary(exp))
    else:
        json.dump(exp, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
