"""What tests/it_fix_apply.sh compares: the writes tests/fakeaws saw for each action of a plan, and the fleet's
state as boto3 reads it back.

As a command: `fakeaws_fix.py state ACCOUNTS.yaml PLAN` prints the state of what the plan changes (the endpoint
from AWS_ENDPOINT_URL, the caller from the environment, each account through its accounts-file role). As a
module, the checks that the test's Python snippets call.
"""

import json
import sys

import boto3
import yaml

WRITES = ("UpdateWorkspaceImagePermission", "CreateUpdatedWorkspaceImage", "DeleteImagePermissions")
# What a write sent a second time for a change already made is answered with (or its effect): the sign of a
# write repeated blindly instead of a re-read.
REPEAT_ERRORS = ("InvalidParameterValuesException", "ResourceAlreadyExistsException")


def jsonl(path, start=0):
    """The objects of a JSON Lines file, from line start (0-based) on."""
    with open(path) as f:
        return [json.loads(line) for line in f.readlines()[start:]]


def load(path):
    with open(path) as f:
        return json.load(f)


def _key(account, region, operation, params):
    return json.dumps([account, region, operation, params], sort_keys=True)


def writes_by_action(plan, requests):
    """{action id: [its write requests]} over the requests given (every action of the plan has an entry), and
    the writes that match no action (a write the plan never asked for)."""
    ids = {_key(a["account"], a["region"], a["call"]["operation"], a["call"]["parameters"]): a["id"]
           for a in plan["actions"]}
    by_action = {a["id"]: [] for a in plan["actions"]}
    stray = []
    for r in requests:
        if r.get("operation") not in WRITES:
            continue
        action = ids.get(_key(r.get("account"), r.get("region"), r["operation"], r.get("params")))
        (by_action[action] if action else stray).append(r)
    return by_action, stray


def changed(rows):
    return [r for r in rows if r.get("effect") == "changed"]


def assert_writes_once(plan, requests, done_ids, exact):
    """Each action of done_ids made its change with exactly one write, the others none; no write was repeated
    (no "unchanged" effect, no error a repeat draws) and none is outside the plan. exact: and no other write
    request at all (no fault answered any)."""
    by_action, stray = writes_by_action(plan, requests)
    assert not stray, f"writes no action asked for: {stray}"
    for action_id, rows in by_action.items():
        want = 1 if action_id in done_ids else 0
        assert len(changed(rows)) == want, (action_id, f"{len(changed(rows))} changed writes, want {want}", rows)
        assert not [r for r in rows if r.get("effect") == "unchanged"], (action_id, "a write repeated", rows)
        assert not [r for r in rows if r.get("error") in REPEAT_ERRORS], (action_id, "a write repeated", rows)
        if exact:
            assert len(rows) == want, (action_id, "a write beyond the one that changed", rows)


def outcomes(log_lines):
    """{action id: outcome} from apply log lines; an action logged twice is an error."""
    seen = {}
    for line in log_lines:
        assert line["action_id"] not in seen, ("logged twice", line)
        seen[line["action_id"]] = line["outcome"]
    return seen


# Reading the state back with boto3.


def _sessions(accounts_file, accounts):
    """account id -> a boto3 Session for each of accounts: the caller's own credentials, or its accounts-file
    role."""
    sts = boto3.client("sts", region_name="us-east-1")
    out = {}
    for entry in yaml.safe_load(open(accounts_file))["accounts"]:
        if entry["id"] not in accounts:
            continue
        if not entry.get("role_arn"):
            out[entry["id"]] = boto3.Session()
            continue
        extra = {"ExternalId": entry["external_id"]} if entry.get("external_id") else {}
        c = sts.assume_role(RoleArn=entry["role_arn"], RoleSessionName="it-fix-apply-check", **extra)["Credentials"]
        out[entry["id"]] = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                                         aws_session_token=c["SessionToken"])
    return out


def _pages(client, operation, key, **params):
    """Every item of a listing, page after page (botocore has no paginator for the permission listings)."""
    items, token = [], {}
    while True:
        page = getattr(client, operation)(**params, **token)
        items += page[key]
        if not page.get("NextToken"):
            return items
        token = {"NextToken": page["NextToken"]}


def state(accounts_file, plan):
    """{"shares": {"ACCOUNT REGION SERVICE RESOURCE": [accounts shared with]} for each image the plan unshares,
    "images": {"ACCOUNT REGION": [{ImageId, Name, Description, State, Tags}]} the OWNED WorkSpaces images of each
    account and region where the plan creates one (tags of those whose name a plan action names)."""
    sessions = _sessions(accounts_file, {a["account"] for a in plan["actions"]})
    shares, images = {}, {}
    for a in plan["actions"]:
        session = sessions[a["account"]]
        where = f"{a['account']} {a['region']}"
        if a["action"] == "unshare-workspaces-image":
            ws = session.client("workspaces", region_name=a["region"])
            perms = _pages(ws, "describe_workspace_image_permissions", "ImagePermissions", ImageId=a["resource_id"])
            shares[f"{where} workspaces {a['resource_id']}"] = sorted(p["SharedAccountId"] for p in perms)
        elif a["action"] == "unshare-appstream-image":
            asm = session.client("appstream", region_name=a["region"])
            perms = _pages(asm, "describe_image_permissions", "SharedImagePermissionsList", Name=a["resource_id"])
            shares[f"{where} appstream {a['resource_id']}"] = sorted(p["sharedAccountId"] for p in perms)
        elif where not in images:
            ws = session.client("workspaces", region_name=a["region"])
            names = {b["call"]["parameters"]["Name"] for b in plan["actions"]
                     if f"{b['account']} {b['region']}" == where and b["action"] == "create-updated-workspaces-image"}
            owned = _pages(ws, "describe_workspace_images", "Images", ImageType="OWNED")
            images[where] = [{"ImageId": i["ImageId"], "Name": i["Name"], "Description": i.get("Description"),
                              "State": i["State"],
                              "Tags": ws.describe_tags(ResourceId=i["ImageId"])["TagList"] if i["Name"] in names
                              else None} for i in owned]
    return {"shares": shares, "images": images}


def assert_fixed(before, after, plan, log_lines):
    """after is before with what the plan does and nothing else: each planned share gone (it was there), every
    other share kept; one new image per create action, with the plan's name, description and tags and the id the
    log names; every image there before still there."""
    new_ids = {l["action_id"]: l.get("new_image_id") for l in log_lines}
    gone = {}
    for a in plan["actions"]:
        if a["action"].startswith("unshare-"):
            service = "workspaces" if a["action"] == "unshare-workspaces-image" else "appstream"
            key = f"{a['account']} {a['region']} {service} {a['resource_id']}"
            target = a["call"]["parameters"]["SharedAccountId"]
            assert target in before["shares"][key], (key, target, "not shared before the apply")
            gone.setdefault(key, set()).add(target)
    for key, targets in before["shares"].items():
        assert after["shares"][key] == [t for t in targets if t not in gone[key]], (key, targets, after["shares"][key])
    kept = sum(len(t) for t in after["shares"].values())
    assert kept > 0, "no share left: the trusted ones must stay"
    for where, imgs in before["images"].items():
        now = {i["ImageId"]: i for i in after["images"][where]}
        assert all(i["ImageId"] in now for i in imgs), (where, "an image disappeared")
        created = [i for i in after["images"][where] if i["ImageId"] not in {j["ImageId"] for j in imgs}]
        planned = [a for a in plan["actions"]
                   if a["action"] == "create-updated-workspaces-image" and f"{a['account']} {a['region']}" == where]
        assert len(created) == len(planned), (where, created, planned)
        for a in planned:
            p = a["call"]["parameters"]
            match = [i for i in created if i["Name"] == p["Name"]]
            assert len(match) == 1, (where, p["Name"], created)
            assert match[0]["ImageId"] == new_ids[a["id"]], (a["id"], match[0], new_ids[a["id"]])
            assert match[0]["Description"] == p["Description"], (match[0], p)
            assert sorted(map(json.dumps, match[0]["Tags"])) == sorted(map(json.dumps, p["Tags"])), (match[0], p)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "state":
        sys.exit("usage: fakeaws_fix.py state ACCOUNTS.yaml PLAN")
    json.dump(state(sys.argv[2], load(sys.argv[3])), sys.stdout, indent=1, sort_keys=True)
