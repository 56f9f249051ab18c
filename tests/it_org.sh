#!/usr/bin/env bash
# imgaudit collect --org against tests/fakeaws: the snapshot records the whole Organization (every member and
# its state, SUSPENDED and PENDING_CLOSURE ones too, which are not collected from); --org-unit collects only
# the accounts under the OUs given, nested ones included, and still records every member; a bad OU id is
# exit 2, an OU the Organization does not have is one clear error.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
COMPARE=$IMGAUDIT_SOURCE_DIR/tests/support/compare_snapshot.py
export IMGAUDIT_RETRY_BASE_MS=5

# One item a page: every Organizations listing is followed over NextToken.
fakeaws_start plain --fleet test --page-size 1
source "$TEST_TMP/plain/env"
collect() {
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1 --quiet --role-name ImgAuditRole --org "$@"
}

whole_org() {
  local rc=0
  python3 "$FA/expected.py" --fleet test --mode org --role-name ImgAuditRole --regions us-east-1 \
    >"$TEST_TMP/expected-org.json"
  collect -o "$TEST_TMP/org.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && python3 "$COMPARE" "$TEST_TMP/org.json" "$TEST_TMP/expected-org.json" &&
    python3 - "$TEST_TMP/org.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
keys = list(snap)
assert keys.index("organizations") == keys.index("accounts") + 1, keys
(org,) = snap["organizations"]
assert org["id"] == "o-a1b2c3d4e5" and org["management_account"] == "111111111111", org
members = {m["id"]: m for m in org["accounts"]}
assert [m["id"] for m in org["accounts"]] == sorted(members), "members not sorted"
assert members["666666666666"] == {"id": "666666666666", "name": "legacy-suspended", "state": "SUSPENDED"}
assert members["777777777777"]["state"] == "PENDING_CLOSURE"
assert "888888888888" not in members, "the outside vendor is no member"
collected = {a["id"] for a in snap["accounts"]}
assert not collected & {"666666666666", "777777777777"}, collected
assert not [r for r in snap["resources"] if r["account"] in ("666666666666", "777777777777")]
assert "org_units" not in org
PY
}
check "--org: the snapshot lists every member with its state; SUSPENDED ones are not collected from" whole_org

org_unit() {
  local rc=0
  python3 "$FA/expected.py" --fleet test --mode org --role-name ImgAuditRole --regions us-east-1 \
    --org-unit ou-a1b2-wrkloads --org-unit ou-a1b2-labsaccts >"$TEST_TMP/expected-ou.json"
  collect --org-unit ou-a1b2-wrkloads --org-unit ou-a1b2-labsaccts -o "$TEST_TMP/ou.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] && python3 "$COMPARE" "$TEST_TMP/ou.json" "$TEST_TMP/expected-ou.json" &&
    python3 - "$TEST_TMP/ou.json" "$TEST_TMP/org.json" "$TEST_TMP/plain/requests.jsonl" <<'PY'
import json, sys
ou, whole = (json.load(open(p)) for p in sys.argv[1:3])
# Workloads holds Prod and Dev (nested OUs): 222... and 333...; Labs holds 555...
assert sorted(a["id"] for a in ou["accounts"]) == ["222222222222", "333333333333", "555555555555"], ou["accounts"]
(org,) = ou["organizations"]
assert org["org_units"] == ["ou-a1b2-labsaccts", "ou-a1b2-wrkloads"], org
assert org["accounts"] == whole["organizations"][0]["accounts"], "the whole Organization is recorded"
log = [json.loads(l) for l in open(sys.argv[3])]
calls = [r for r in log if r.get("operation") in ("ListChildren", "ListAccountsForParent")]
parents = {(r["params"] or {}).get("ParentId") for r in calls}
assert {"ou-a1b2-wrkloads", "ou-a1b2-prodacct", "ou-a1b2-devaccts", "ou-a1b2-labsaccts"} <= parents, parents
assert any((r["params"] or {}).get("NextToken") for r in calls), "no listing was followed to a second page"
assert all(r.get("status") == 200 for r in calls), [r for r in calls if r.get("status") != 200]
PY
}
check "--org-unit: only the accounts under the OUs (nested ones too); organizations still lists all" org_unit

bad_ou_id() {
  local rc=0
  for bad in ou-ab-cdefgh12 r-A1 o-a1b2c3d4e5 ou-a1b2-short; do
    rc=0
    collect --org-unit "$bad" -o "$TEST_TMP/bad.json" 2>"$TEST_TMP/err" || rc=$?
    [ "$rc" -eq 2 ] && grep -q -- "--org-unit: '$bad' is not an OU id" "$TEST_TMP/err" || return 1
  done
  rc=0
  "$IMGAUDIT_BIN" collect --region us-east-1 --org-unit ou-a1b2-wrkloads -o "$TEST_TMP/bad.json" \
    2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--org-unit needs --org" "$TEST_TMP/err" && [ ! -e "$TEST_TMP/bad.json" ]
}
check "a malformed OU id, or --org-unit without --org, is exit 2 naming it" bad_ou_id

missing_ou() {
  local rc=0
  collect --org-unit ou-a1b2-nosuchou1 -o "$TEST_TMP/missing.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 4 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] &&
    grep -q -- "--org-unit ou-a1b2-nosuchou1: no such OU or root in the Organization" "$TEST_TMP/err" &&
    grep -q "ParentNotFoundException" "$TEST_TMP/err" && [ ! -e "$TEST_TMP/missing.json" ] ||
    { cat "$TEST_TMP/err"; return 1; }
}
check "an OU the Organization does not have: one clear error, exit 4, no snapshot" missing_ou

shards() {
  local rc=0 k
  for k in 0 1; do
    rc=0
    collect --shard "$k/2" -o "$TEST_TMP/shard$k.json" 2>"$TEST_TMP/err" || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || return 1
  done
  rc=0
  "$IMGAUDIT_BIN" merge "$TEST_TMP/shard0.json" "$TEST_TMP/shard1.json" -o "$TEST_TMP/merged.json" --quiet || rc=$?
  # 3: the shards hold the fleet's errors (an AssumeRole denied, AppStream denied in a region).
  [ "$rc" -eq 3 ] || return 1
  python3 - "$TEST_TMP/shard0.json" "$TEST_TMP/shard1.json" "$TEST_TMP/merged.json" "$TEST_TMP/org.json" <<'PY'
import json, sys
s0, s1, merged, whole = (json.load(open(p)) for p in sys.argv[1:])
assert s0["organizations"] == s1["organizations"] == merged["organizations"] == whole["organizations"]
PY
}
check "every shard records the whole Organization; merging them keeps it once" shards

org_trust() {
  local rc=0
  collect --regions us-east-1,eu-west-1 -o "$TEST_TMP/trust.json" 2>"$TEST_TMP/err" || rc=$?
  [ "$rc" -eq 3 ] || return 1
  printf 'vars:\n  trust_organization: false\n' >"$TEST_TMP/no-org-trust.yaml"
  python3 - "$TEST_TMP/trust.json" "$TEST_TMP/no-org.json" <<'PY' || return 1
import json, sys
snap = json.load(open(sys.argv[1]))
del snap["organizations"]
json.dump(snap, open(sys.argv[2], "w"))
PY
  for run in org no-trust no-org; do
    local snap=$TEST_TMP/trust.json extra=()
    [ "$run" = no-trust ] && extra=(--vars "$TEST_TMP/no-org-trust.yaml")
    [ "$run" = no-org ] && snap=$TEST_TMP/no-org.json
    rc=0
    "$IMGAUDIT_BIN" evaluate "$snap" --allow-partial --quiet --json "$TEST_TMP/res-$run.json" \
      "${extra[@]}" || rc=$?
    [ "$rc" -eq 1 ] || return 1
  done
  python3 - "$TEST_TMP/trust.json" "$TEST_TMP"/res-{org,no-trust,no-org}.json <<'PY'
import json, sys
snap, org, no_trust, no_org = (json.load(open(p)) for p in sys.argv[1:])
members = {m["id"] for o in snap["organizations"] for m in o["accounts"]}
assert "666666666666" in members and "444444444444" in members

def shared_untrusted(res):
    # The images below are desktops-prod's: a shared-in copy of one is listed in the receiving account too.
    return {r["resource_id"]: r for r in res["results"] if r["account"] == "222222222222"
            if r["rule"] in ("workspaces-image-shared-untrusted", "appstream-image-shared-untrusted")}

# wsi-efc63a464 is shared with an outside account and with a SUSPENDED member: only the outsider is named.
# wsi-47d98b386 (to three members), wsi-2d9940177 (to a member) and prod-apps-02 (AppStream, to members) pass.
got = shared_untrusted(org)
assert got["wsi-efc63a464"]["status"] == "fail", got["wsi-efc63a464"]
assert got["wsi-efc63a464"]["message"].endswith("is shared with untrusted 123456789012"), got["wsi-efc63a464"]
for rid in ("wsi-47d98b386", "wsi-2d9940177", "prod-apps-02"):
    assert got[rid]["status"] == "pass", got[rid]
assert got["prod-apps-01"]["message"].endswith("is shared with untrusted 999999999999"), got["prod-apps-01"]

# trust_organization: false, or a snapshot without the Organization: member shares fail, members named.
for res in (no_trust, no_org):
    got = shared_untrusted(res)
    assert got["wsi-47d98b386"]["status"] == "fail", got["wsi-47d98b386"]
    assert got["wsi-47d98b386"]["message"].endswith("111111111111, 333333333333, 555555555555"), got["wsi-47d98b386"]
    assert got["wsi-efc63a464"]["message"].endswith("123456789012, 666666666666"), got["wsi-efc63a464"]
    assert got["prod-apps-02"]["status"] == "fail", got["prod-apps-02"]

# sharing: exactly one entry per share, from the owners' grants and from images seen shared in.
want = set()
for r in snap["resources"]:
    if r["type"] not in ("workspaces_image", "appstream_image"):
        continue
    d = r["data"]
    for p in d.get("Permissions") or []:
        want.add((r["type"], r["region"], r["id"], r["account"], p.get("SharedAccountId") or p.get("sharedAccountId")))
    if d.get("ImageType") == "SHARED" or d.get("Visibility") == "SHARED":
        if d.get("OwnerAccountId"):
            want.add((r["type"], r["region"], r["id"], d["OwnerAccountId"], r["account"]))
entries = [(e["resource_type"], e["region"], e["resource_id"], e["owner"]["account"], e["shared_with"]["account"])
           for e in org["sharing"]]
assert len(entries) == len(set(entries)), "a share is listed twice"
assert set(entries) == want, (set(entries) ^ want)

def entry(res, rid, target):
    (e,) = [e for e in res["sharing"] if e["resource_id"] == rid and e["shared_with"]["account"] == target]
    return e["shared_with"]

assert entry(org, "wsi-efc63a464", "666666666666") == {"account": "666666666666", "name": "legacy-suspended",
    "audited": False, "in_organization": True, "trusted": True}, entry(org, "wsi-efc63a464", "666666666666")
assert entry(org, "wsi-efc63a464", "123456789012")["in_organization"] is False
assert entry(org, "wsi-efc63a464", "123456789012")["trusted"] is False
assert entry(no_trust, "wsi-efc63a464", "666666666666")["trusted"] is False
assert entry(no_org, "wsi-efc63a464", "666666666666")["in_organization"] is None
PY
}
check "org trust: member shares pass (a SUSPENDED member too), an outside share fails naming only that account; trust_organization false and a snapshot without the Organization fail member shares; sharing has one entry per share" org_trust

finish
