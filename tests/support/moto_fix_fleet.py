"""The fleet of tests/it_fix_moto.sh in moto, built and read back with moto_fleet.py's functions.

Usage: moto_fix_fleet.py build URL KEY_ID SECRET > shares.json
       moto_fix_fleet.py shares URL KEY_ID SECRET > shares.json
build: the server must start with authentication off (moto_setup.py made the caller's key). WorkSpaces images
in the caller's account 123456789012 and in 222222222222 and 333333333333, shared with accounts that the test's
vars file trusts (the three audited ones and 444455556666) and with accounts it does not (999988887777,
888877776666, 777766665555). In the two other accounts, two roles the caller assumes: "Auditor" may do anything
but the fix calls (an explicit Deny), "Fixer" has the fix role's policy of the README and nothing more; so an
apply that wrote through the audit role would fail. Then authentication is switched on.
shares: who each image is shared with now, read through the Auditor role (moto checks every signature).
Both print {"ACCOUNT": {"IMAGE_ID": [shared account ids, sorted]}}.
"""
import json
import sys

import moto_fleet as fleet

TRUSTED, OUT1, OUT2, OUT3 = "444455556666", "999988887777", "888877776666", "777766665555"
FIX_CALLS = ["workspaces:UpdateWorkspaceImagePermission", "workspaces:CreateUpdatedWorkspaceImage",
             "appstream:DeleteImagePermissions"]
AUDITOR = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": FIX_CALLS, "Resource": "*"}]})
FIXER = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": FIX_CALLS + [
    "workspaces:CreateTags", "workspaces:DescribeWorkspaceImages", "workspaces:DescribeWorkspaceImagePermissions",
    "appstream:DescribeImagePermissions"]}]})
ROLES = {"Auditor": AUDITOR, "Fixer": FIXER}


def shares():
    out = {}
    for account in [fleet.CALLER] + fleet.OTHERS:
        images = [r["data"] for r in fleet.read(account) if r["data"]["ImageType"] == "OWNED"]
        out[account] = {i["ImageId"]: sorted(p["SharedAccountId"] for p in i["Permissions"]) for i in images}
    return out


def main():
    mode, url, key, secret = sys.argv[1:5]
    fleet.connect(url, key, secret)
    if mode == "build":
        a2, a3 = fleet.OTHERS
        # Image 0 of each account mixes trusted and untrusted shares; some images are private.
        fleet.build(fleet.CALLER, 4, [[a2, OUT1], [TRUSTED], [OUT1, OUT2], []])
        fleet.build(a2, 2, [[fleet.CALLER, OUT3], []], ROLES)
        fleet.build(a3, 2, [[OUT1, a2], [TRUSTED]], ROLES)
        fleet.authenticate()
    json.dump(shares(), sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
