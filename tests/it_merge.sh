#!/usr/bin/env bash
# imgaudit collect --shard K/N and imgaudit merge against tests/fakeaws: the test fleet collected whole and as
# 3 shards gives, once merged, the same snapshot (times aside) and the same evaluation; overlaps are refused,
# lost shards reported, auto/N reads the Kubernetes and AWS Batch index variables.
source "$(dirname "$0")/support/servers.sh"

FA=$IMGAUDIT_SOURCE_DIR/tests/fakeaws
export IMGAUDIT_RETRY_BASE_MS=5
unset JOB_COMPLETION_INDEX AWS_BATCH_JOB_ARRAY_INDEX

bash "$FA/run.sh" start "$TEST_TMP/fa" --owner $$ --fleet test >/dev/null
_server_pids+=("$(cat "$TEST_TMP/fa/pid")")
source "$TEST_TMP/fa/env"
python3 "$FA/expected.py" --fleet test --mode targets --write-accounts-yaml "$TEST_TMP/accounts.yaml" >/dev/null

collect() {
  "$IMGAUDIT_BIN" collect --region us-east-1 --regions us-east-1,eu-west-1 --quiet "$@"
}
strip_times() {
  grep -v -E '^  "(started_at|finished_at)": ' "$1"
}
# exits CODE CMD...: the command exits with CODE.
exits() {
  local code=$1 rc=0
  shift
  "$@" || rc=$?
  [ "$rc" -eq "$code" ] || { echo "  exit $rc, expected $code" >&2; return 1; }
}
# The shard of each account as docs/sharding.md defines it: FNV-1a 64 of the id, modulo N.
shard_of() { # ID N
  python3 -c '
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) % 2**64
print(h % int(sys.argv[2]))' "$1" "$2"
}

# The accounts file (5 accounts: an ExternalId, a denied role, a region where AppStream is denied), whole and
# in 3 shards: 0/3 written plainly, 1/3 as a Kubernetes Indexed Job gives it, 2/3 as an AWS Batch array job.
collect --accounts "$TEST_TMP/accounts.yaml" -o "$TEST_TMP/whole.json" 2>/dev/null || true
collect --accounts "$TEST_TMP/accounts.yaml" --shard 0/3 -o "$TEST_TMP/shard0.json" 2>/dev/null || true
JOB_COMPLETION_INDEX=1 collect --accounts "$TEST_TMP/accounts.yaml" --shard auto/3 -o "$TEST_TMP/shard1.json" \
  2>/dev/null || true
AWS_BATCH_JOB_ARRAY_INDEX=2 collect --accounts "$TEST_TMP/accounts.yaml" --shard auto/3 \
  -o "$TEST_TMP/shard2.json" 2>/dev/null || true

shards_split_the_accounts() {
  python3 - "$TEST_TMP"/whole.json "$TEST_TMP"/shard{0,1,2}.json <<'PY'
import json, sys
whole, *shards = (json.load(open(p)) for p in sys.argv[1:])
def fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h
seen = []
for k, s in enumerate(shards):
    assert s["shard"] == {"index": k, "count": 3}, s.get("shard")
    ids = [a["id"] for a in s["accounts"]]
    assert ids and all(fnv(i) % 3 == k for i in ids), (k, ids)
    assert all(r["account"] in ids for r in s["resources"])
    seen += ids
assert sorted(seen) == sorted(a["id"] for a in whole["accounts"]), seen
assert "shard" not in whole
PY
}
check "--shard K/3, auto/3 from JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX: FNV-1a mod 3 splits the accounts" \
  shards_split_the_accounts

merged_is_whole() {
  exits 3 "$IMGAUDIT_BIN" merge --quiet "$TEST_TMP"/shard{2,0,1}.json -o "$TEST_TMP/merged.json" &&
    cmp <(strip_times "$TEST_TMP/whole.json") <(strip_times "$TEST_TMP/merged.json") &&
    [ "$(stat -c %a "$TEST_TMP/merged.json")" = "$(printf '%o' $((0666 & ~$(umask))))" ]
}
check "the 3 shards merged (in any order) are the unsharded snapshot, times aside; exit 3 (incomplete); mode 0666 less the umask" \
  merged_is_whole

merged_times_span_the_shards() {
  python3 - "$TEST_TMP"/merged.json "$TEST_TMP"/shard{0,1,2}.json <<'PY'
import json, sys
merged, *shards = (json.load(open(p)) for p in sys.argv[1:])
assert merged["started_at"] == min(s["started_at"] for s in shards)
assert merged["finished_at"] == max(s["finished_at"] for s in shards)
PY
}
check "the merged times: the earliest start and the latest finish" merged_times_span_the_shards

same_evaluation() {
  local rc_whole=0 rc_merged=0
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/whole.json" --quiet --json "$TEST_TMP/whole-results.json" || rc_whole=$?
  "$IMGAUDIT_BIN" evaluate "$TEST_TMP/merged.json" --quiet --json "$TEST_TMP/merged-results.json" ||
    rc_merged=$?
  [ "$rc_whole" -eq "$rc_merged" ] && python3 - "$TEST_TMP/whole-results.json" "$TEST_TMP/merged-results.json" <<'PY'
import json, sys
def untimed(doc):
    for key in ("evaluated_at",):
        doc.pop(key)
    for key in ("started_at", "finished_at"):
        doc["snapshot"].pop(key)
    return doc
whole, merged = (untimed(json.load(open(p))) for p in sys.argv[1:])
assert whole["summary"]["fail"] > 0 and whole["results"], "nothing judged"
assert whole == merged, "the results differ"
PY
}
check "evaluate gives the same results JSON for the merged and the unsharded snapshots, times aside" same_evaluation

# The Organization split the same way, every job given its index by a Kubernetes Indexed Job.
org_split() {
  local k
  collect --org --role-name ImgAuditRole -o "$TEST_TMP/org.json" 2>/dev/null || true
  for k in 0 1 2; do
    JOB_COMPLETION_INDEX=$k collect --org --role-name ImgAuditRole --shard auto/3 -o "$TEST_TMP/org$k.json" \
      2>/dev/null || true
  done
  "$IMGAUDIT_BIN" merge --quiet "$TEST_TMP"/org{0,1,2}.json -o - >"$TEST_TMP/org-merged.json" 2>/dev/null || true
  cmp <(strip_times "$TEST_TMP/org.json") <(strip_times "$TEST_TMP/org-merged.json")
}
check "--org split by JOB_COMPLETION_INDEX, merged to stdout: the unsharded Organization snapshot" org_split

empty_shard() {
  # Every test account hashes to shard 1 of 4: shard 0 holds none, and that is no failure.
  local before after
  [ "$(shard_of 111111111111 4)$(shard_of 222222222222 4)$(shard_of 555555555555 4)" = 111 ] || return 1
  before=$(wc -l <"$TEST_TMP/fa/requests.jsonl")
  exits 0 collect --accounts "$TEST_TMP/accounts.yaml" --shard 0/4 -o "$TEST_TMP/empty.json" || return 1
  after=$(wc -l <"$TEST_TMP/fa/requests.jsonl")
  python3 - "$TEST_TMP/empty.json" <<'PY' || return 1
import json, sys
s = json.load(open(sys.argv[1]))
assert s["complete"] is True and s["accounts"] == [] and s["resources"] == [] and s["errors"] == []
assert s["shard"] == {"index": 0, "count": 4} and s["regions"] == ["us-east-1", "eu-west-1"]
PY
  # Only the caller's identity was asked for: nothing of any account.
  [ $((after - before)) -eq 1 ]
}
check "a shard that holds no account: an empty, complete snapshot, exit 0, no call to any account" empty_shard

overlap_refused() {
  exits 2 "$IMGAUDIT_BIN" merge --quiet "$TEST_TMP/shard0.json" "$TEST_TMP/whole.json" -o "$TEST_TMP/never.json" \
    2>"$TEST_TMP/err" || return 1
  [ ! -e "$TEST_TMP/never.json" ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] &&
    grep -Eq "^${LOG_TIME_RE}imgaudit: error: $TEST_TMP/whole.json: account 111111111111, region (us-east-1|eu-west-1) is in $TEST_TMP/shard0.json too" \
      "$TEST_TMP/err"
}
check "overlapping snapshots: refused naming the account, the region and both files; exit 2, nothing written" \
  overlap_refused

missing_shard() {
  exits 3 "$IMGAUDIT_BIN" merge --quiet "$TEST_TMP/shard0.json" "$TEST_TMP/shard2.json" \
    -o "$TEST_TMP/lost.json" 2>"$TEST_TMP/err" || return 1
  grep -q "warning: shard 1 of 3 is missing from the split $TEST_TMP/shard0.json belongs to" "$TEST_TMP/err" &&
    python3 - "$TEST_TMP/lost.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
lost = [e for e in s["errors"] if e["code"] == "ShardMissing"]
assert s["complete"] is False and len(lost) == 1 and lost[0]["service"] == "imgaudit", s["errors"]
assert "shard" not in s
PY
}
check "a lost shard job: a warning on stderr, a ShardMissing error in the merged snapshot, exit 3" missing_shard

shard_usage_errors() {
  local spec
  for spec in 3/3 0/0 1/1001 x/3 1 -1/3 1/3x; do
    exits 2 collect --shard "$spec" -o /dev/null 2>"$TEST_TMP/err" || return 1
    grep -q -- "--shard" "$TEST_TMP/err" || return 1
  done
  exits 2 collect --shard auto/3 -o /dev/null 2>"$TEST_TMP/err" &&
    grep -q 'neither JOB_COMPLETION_INDEX .* nor AWS_BATCH_JOB_ARRAY_INDEX .* is set' "$TEST_TMP/err" &&
    exits 2 env JOB_COMPLETION_INDEX=3 "$IMGAUDIT_BIN" collect --shard auto/3 -o /dev/null 2>"$TEST_TMP/err" &&
    grep -q "JOB_COMPLETION_INDEX is '3', not a shard index from 0 to 2" "$TEST_TMP/err" &&
    exits 2 env AWS_BATCH_JOB_ARRAY_INDEX=one "$IMGAUDIT_BIN" collect --shard auto/3 -o /dev/null \
      2>"$TEST_TMP/err" &&
    grep -q "AWS_BATCH_JOB_ARRAY_INDEX is 'one'" "$TEST_TMP/err"
}
check "--shard out of range, malformed, or auto/N without a valid index variable: usage errors (exit 2)" \
  shard_usage_errors

bad_part() {
  printf '{"schema": "imgaudit.snapshot",\n "schema_version": 1,\n "resources": [}\n' >"$TEST_TMP/bad.json"
  exits 2 "$IMGAUDIT_BIN" merge "$TEST_TMP/shard0.json" "$TEST_TMP/bad.json" -o "$TEST_TMP/never.json" \
    2>"$TEST_TMP/err" &&
    untimed "$TEST_TMP/err" | grep -q "^imgaudit: error: $TEST_TMP/bad.json:3:[0-9]*: invalid JSON" &&
    exits 2 "$IMGAUDIT_BIN" merge -o "$TEST_TMP/never.json" 2>/dev/null && [ ! -e "$TEST_TMP/never.json" ]
}
check "a part that is not JSON: file:line:column, exit 2; no part at all: exit 2" bad_part

finish
