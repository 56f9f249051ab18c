#!/usr/bin/env bash
# imgaudit collect against moto (authentication on, so moto checks every signature): several accounts
# through AssumeRole, WorkSpaces images and permissions created through the API. The WorkSpaces part of the
# snapshot must match what boto3 reads from the same server.
source "$(dirname "$0")/support/servers.sh"

start_moto inf
eval "$(python3 "$IMGAUDIT_SOURCE_DIR/tests/support/moto_setup.py" "$MOTO_URL")"
python3 "$IMGAUDIT_SOURCE_DIR/tests/support/moto_fleet.py" "$MOTO_URL" "$MOTO_KEY_ID" "$MOTO_SECRET" \
  "$TEST_TMP/accounts.yaml" >"$TEST_TMP/boto3.json"

export AWS_ENDPOINT_URL=$MOTO_URL AWS_ACCESS_KEY_ID=$MOTO_KEY_ID AWS_SECRET_ACCESS_KEY=$MOTO_SECRET
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null IMGAUDIT_RETRY_BASE_MS=5
unset AWS_PROFILE AWS_SESSION_TOKEN

rc=0
"$IMGAUDIT_BIN" collect --region us-east-1 --accounts "$TEST_TMP/accounts.yaml" --quiet \
  -o "$TEST_TMP/snap.json" 2>"$TEST_TMP/err" || rc=$?

same_as_boto3() {
  python3 - "$TEST_TMP/snap.json" "$TEST_TMP/boto3.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["resources"]
got = [r for r in snap["resources"] if r["type"] == "workspaces_image"]
assert len(want) == 9, f"fixture built {len(want)} images"
if got != want:
    for g, w in zip(got, want):
        if g != w:
            print("got ", json.dumps(g, sort_keys=True)); print("want", json.dumps(w, sort_keys=True)); break
    print(len(got), "vs", len(want))
    sys.exit(1)
shared = [r for r in got if r["data"]["ImageType"] == "OWNED" and r["data"]["Permissions"]]
assert len(shared) == 3, shared
PY
}
check "WorkSpaces images and permissions of 3 accounts match what boto3 reads" same_as_boto3

only_appstream_missing() {
  # moto has no AppStream: the run is incomplete (exit 3) and says so per account, nothing else failed.
  [ "$rc" -eq 3 ] && python3 - "$TEST_TMP/snap.json" <<'PY'
import json, sys
snap = json.load(open(sys.argv[1]))
assert snap["errors"], "expected AppStream errors"
assert all(e["service"] == "appstream" for e in snap["errors"]), snap["errors"]
assert sorted({e["account"] for e in snap["errors"]}) == ["123456789012", "222222222222", "333333333333"]
assert snap["caller"]["arn"] == "arn:aws:iam::123456789012:user/auditor"
PY
}
check "only AppStream (which moto lacks) is reported missing; exit 3" only_appstream_missing

finish
