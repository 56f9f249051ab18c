"""Compares a snapshot with what tests/fakeaws/expected.py says a correct collector gathers.

Usage: compare_snapshot.py SNAPSHOT EXPECTED
Checks: schema fields; the resources, envelope and data, exactly and in order; the errors (account,
region, service, operation, code, http_status, message), exactly and in order; the accounts attempted; the
Organization recorded (with --org), exactly.
Prints what differs and exits 1 on any difference.
"""
import json
import sys

snap = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
problems = []

for key in ("schema", "schema_version", "tool_version", "started_at", "finished_at", "complete", "caller",
            "partition", "regions", "accounts", "resources", "errors"):
    if key not in snap:
        problems.append(f"snapshot lacks '{key}'")
if snap.get("schema") != "imgaudit.snapshot" or snap.get("schema_version") != 1:
    problems.append("wrong schema name or version")
for key in ("account", "arn"):
    if snap.get("caller", {}).get(key) != exp["caller"][key]:
        problems.append(f"caller {key}: {snap.get('caller', {}).get(key)!r} != {exp['caller'][key]!r}")
if snap.get("regions") != exp["regions"]:
    problems.append(f"regions {snap.get('regions')} != {exp['regions']}")
if sorted(a["id"] for a in snap.get("accounts", [])) != sorted(a["id"] for a in exp["accounts"]):
    problems.append("accounts attempted differ")

got = snap.get("resources", [])
want = exp["resources"]
if len(got) != len(want):
    problems.append(f"{len(got)} resources, expected {len(want)}")


def normalized(data):
    """The snapshot lists Permissions sorted by account id (docs/snapshot.md); the API's order may differ."""
    data = dict(data)
    if isinstance(data.get("Permissions"), list):
        data["Permissions"] = sorted(data["Permissions"],
                                     key=lambda p: p.get("SharedAccountId") or p.get("sharedAccountId") or "")
    return data


got_keys = {(r["account"], r["region"], r["type"], r["id"]): r for r in got}
want_keys = {(r["account"], r["region"], r["type"], r["id"]): r for r in want}
for k in sorted(set(want_keys) - set(got_keys))[:10]:
    problems.append(f"missing resource {k}")
for k in sorted(set(got_keys) - set(want_keys))[:10]:
    problems.append(f"unexpected resource {k}")
for k in sorted(set(got_keys) & set(want_keys)):
    if got_keys[k]["data"] != normalized(want_keys[k]["data"]):
        g, w = got_keys[k]["data"], normalized(want_keys[k]["data"])
        diff = [f for f in sorted(set(g) | set(w)) if g.get(f) != w.get(f)]
        problems.append(f"resource {k} differs in {diff}: got {[g.get(f) for f in diff]} want {[w.get(f) for f in diff]}")
for r in got:
    perms = r["data"].get("Permissions")
    if isinstance(perms, list) and perms != normalized(r["data"])["Permissions"]:
        problems.append(f"Permissions of {r['id']} are not sorted by account id")
        break
if [(r["account"], r["region"], r["type"], r["id"]) for r in got] != sorted(got_keys):
    problems.append("resources are not in (account, region, type, id) order")

if "organizations" in exp and snap.get("organizations") != exp["organizations"]:
    problems.append(f"organizations differ:\n  got  {snap.get('organizations')}\n  want {exp['organizations']}")
if "organizations" not in exp and "organizations" in snap:
    problems.append("the snapshot has 'organizations' though not collected with --org")

fields = ("account", "region", "service", "operation", "code", "http_status", "message")
got_errors = [tuple(e.get(f) for f in fields) for e in snap.get("errors", [])]
want_errors = [tuple(e.get(f) for f in fields) for e in exp["errors"]]
if sorted(got_errors, key=str) != sorted(want_errors, key=str):
    problems.append("errors differ:\n  got  " + "\n       ".join(map(str, got_errors)) +
                    "\n  want " + "\n       ".join(map(str, want_errors)))
if snap.get("complete") != (not want_errors):
    problems.append("'complete' is wrong")

for p in problems[:40]:
    print("  " + p)
sys.exit(1 if problems else 0)
