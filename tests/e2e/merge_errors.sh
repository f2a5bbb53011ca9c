#!/bin/sh
# `lzscan merge` of JSON reports and SARIF logs refuses what cannot be one scan's result, with a
# message naming the part (file:line:column for a malformed one), exit 2 and nothing written:
# a missing or duplicate shard, shards of different N or inputs, shards mixed with whole scans,
# different rule packs, gates or lzscan versions, parts of different kinds, corrupt or foreign
# documents, members or schema versions it does not know. --allow-missing joins the shards there
# are, and says so: coverage incomplete, a gap naming the missing shards, exit 3.
. "$(dirname "$0")/e2e.inc"
D="$FIX/contoso-drifted"
for k in 1 2 3; do
    run 1 "$LZSCAN" scan --input "$D" --shard "$k/3" --json "$TMP/s$k.json" --sarif "$TMP/s$k.sarif"
done

# refused WHAT FILE... : merge exits 2, says WHAT, writes nothing
refused() {
    what=$1
    shift
    run 2 "$LZSCAN" merge --out "$TMP/bad.out" "$@"
    contains "$TMP/err" "$what"
    [ ! -e "$TMP/bad.out" ] || fail "a refused merge wrote its output"
}

# Shard sets: missing, twice, of another N or input, mixed with a whole scan.
refused "shard 2/3 is missing" "$TMP/s1.json" "$TMP/s3.json"
refused "shards 1/3, 3/3 are missing" "$TMP/s2.sarif"
refused "shard 1/3 is given twice" "$TMP/s1.json" "$TMP/s2.json" "$TMP/s1.json" "$TMP/s3.json"
run 1 "$LZSCAN" scan --input "$D" --shard 1/2 --json "$TMP/h1.json" --sarif "$TMP/h1.sarif"
refused "the shards of one scan share N" "$TMP/h1.json" "$TMP/s2.json" "$TMP/s3.json"
refused "the shards of one scan share N" "$TMP/s2.sarif" "$TMP/h1.sarif" "$TMP/s3.sarif"
# (the same category, or its run would stay apart from the others')
cat=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["runs"][0]["automationDetails"]["id"])' "$TMP/s1.sarif")
run 1 "$LZSCAN" scan --input "$FIX/fabrikam-export" --shard 2/3 --category "$cat" --json "$TMP/o2.json" \
    --sarif "$TMP/o2.sarif"
refused "shards of scans of different inputs" "$TMP/s1.json" "$TMP/o2.json" "$TMP/s3.json"
refused "shards of scans of different inputs" "$TMP/s1.sarif" "$TMP/o2.sarif" "$TMP/s3.sarif"
run 1 "$LZSCAN" scan --input "$D" --json "$TMP/whole.json"
refused "whole.json is a whole scan" "$TMP/s1.json" "$TMP/whole.json"

# Another rule pack, another gate.
mkdir "$TMP/rules"
cat >"$TMP/rules/extra.yaml" <<'Y'
id: CONTOSO-ST-001
title: Storage accounts allow HTTPS traffic only
severity: medium
description: Plain HTTP exposes data in transit.
remediation: az storage account update --https-only true
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: properties.supportsHttpsTrafficOnly, equals: true}
Y
run 1 "$LZSCAN" scan --input "$D" --shard 2/3 --rules "$TMP/rules" --json "$TMP/p2.json" --sarif "$TMP/p2.sarif"
refused "were scanned with different rule packs" "$TMP/s1.json" "$TMP/p2.json" "$TMP/s3.json"
refused "were scanned with different rule packs" "$TMP/s1.sarif" "$TMP/p2.sarif" "$TMP/s3.sarif"
run 1 "$LZSCAN" scan --input "$D" --shard 2/3 --fail-on critical --json "$TMP/g2.json" --sarif "$TMP/g2.sarif"
refused "differ in their gate" "$TMP/s1.json" "$TMP/g2.json" "$TMP/s3.json"
refused "differ in properties.failOn" "$TMP/s1.sarif" "$TMP/g2.sarif" "$TMP/s3.sarif"
sed 's/"version": "[0-9.]*"/"version": "9.9.9"/' "$TMP/s2.json" >"$TMP/v2.json"
refused "by lzscan 9.9.9: join the outputs of one version" "$TMP/s1.json" "$TMP/v2.json" "$TMP/s3.json"

# Kinds: a report with a SARIF log, a report with a snapshot, a foreign file or SARIF log.
refused "s1.json is a JSON report but" "$TMP/s1.json" "$TMP/s2.sarif" "$TMP/s3.json"
printf '{"lzscan":"snapshot-manifest","formatVersion":1,"gaps":[],"complete":true}\n' >"$TMP/snap.ndjson"
refused "is a JSON report but" "$TMP/s1.json" "$TMP/snap.ndjson"
refused "resources-page1.json: not an lzscan snapshot, JSON report or SARIF log" "$D/resources-page1.json"
refused "authorizationresources.ndjson: not an lzscan snapshot" "$D/authorizationresources.ndjson"
python3 - "$TMP/s1.sarif" "$TMP/other.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
log["runs"][0]["tool"]["driver"]["name"] = "checkov"
json.dump(log, open(sys.argv[2], "w"), indent=1)
PY
refused "a run of checkov, not lzscan" "$TMP/other.sarif" "$TMP/s2.sarif" "$TMP/s3.sarif"

# Corrupt parts: cut short, a finding without its fingerprint, a member or version it does not know.
head -c 3000 "$TMP/s2.json" >"$TMP/cut.json"
run 2 "$LZSCAN" merge --out "$TMP/bad.out" "$TMP/s1.json" "$TMP/cut.json" "$TMP/s3.json"
grep -Eq 'cut\.json:[0-9]+:[0-9]+: not valid JSON' "$TMP/err" || fail "no file:line:column for a cut report"
python3 - "$TMP/s2.json" "$TMP/nofp.json" "$TMP/newer.json" "$TMP/extra.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
del r["findings"][1]["fingerprint"]
json.dump(r, open(sys.argv[2], "w"), indent=2)
r = json.load(open(sys.argv[1]))
r["schemaVersion"] = "1.99.0"
json.dump(r, open(sys.argv[3], "w"), indent=2)
r = json.load(open(sys.argv[1]))
r["scan"]["futureField"] = 1
json.dump(r, open(sys.argv[4], "w"), indent=2)
PY
run 2 "$LZSCAN" merge --out "$TMP/bad.out" "$TMP/s1.json" "$TMP/nofp.json" "$TMP/s3.json"
grep -Eq 'nofp\.json:[0-9]+:[0-9]+: findings\[1\]: fingerprint is not 64 hex digits' "$TMP/err" ||
    fail "no file:line:column for a finding without fingerprint: $(cat "$TMP/err")"
refused "schemaVersion 1.99.0 is newer than this lzscan reads" "$TMP/s1.json" "$TMP/newer.json" "$TMP/s3.json"
refused 'member "futureField" is not one lzscan writes' "$TMP/s1.json" "$TMP/extra.json" "$TMP/s3.json"
printf '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lzscan"}}' >"$TMP/cut.sarif"
run 2 "$LZSCAN" merge --out "$TMP/bad.out" "$TMP/cut.sarif"
grep -Eq 'cut\.sarif:1:[0-9]+: not valid JSON' "$TMP/err" || fail "no file:line:column for a cut SARIF log"

# Usage.
for bad in 0/3 4/3 1/0 x/3 1/3x 3 -1/3 " 1/3" 1/99999; do
    run 2 "$LZSCAN" scan --input "$D" --shard "$bad"
    contains "$TMP/err" "expected K/N with 1 <= K <= N"
done
run 2 "$LZSCAN" scan --input "$D" --shard 1/2 --tui
contains "$TMP/err" "--shard and --tui exclude each other"
run 2 "$LZSCAN" merge "$TMP/s1.json"
run 2 "$LZSCAN" merge --out "$TMP/bad.out"
run 2 "$LZSCAN" merge --allow-missing --out "$TMP/bad.ndjson" "$TMP/snap.ndjson"
contains "$TMP/err" "--allow-missing is for"

# --allow-missing: what there is, marked incomplete (exit 3), never silently.
run 3 "$LZSCAN" merge --allow-missing --out "$TMP/part.json" "$TMP/s3.json" "$TMP/s1.json"
run 3 "$LZSCAN" merge --allow-missing --out "$TMP/part.sarif" "$TMP/s1.sarif" "$TMP/s3.sarif"
python3 - "$TMP/part.json" "$TMP/part.sarif" <<'PY' || fail "--allow-missing did not mark the merge incomplete"
import json, sys
r, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
cov = r["scan"]["coverage"]
assert cov["complete"] is False, cov
assert {"scope": "", "type": "", "reason": "shard 2/3 was not merged: the objects it owns were not evaluated"} in cov["gaps"], cov
assert r["gate"]["exitCode"] == 3, r["gate"]
assert [p["shard"]["index"] for p in r["scan"]["mergedFrom"]] == [1, 3]
inv = s["runs"][0]["invocations"][0]
assert inv["executionSuccessful"] is False and inv["exitCode"] == 3, inv
assert any(n["descriptor"]["id"] == "lzscan/coverage-gap" and "shard 2/3 was not merged" in n["message"]["text"]
           for n in inv["toolExecutionNotifications"]), inv["toolExecutionNotifications"]
PY
python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP/part.json" ||
    fail "the partial merge does not validate"
python3 "$E2E/validate_sarif.py" "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" "$TMP/part.sarif" ||
    fail "the partial SARIF merge does not validate"

# --out may be one of the parts; - is stdout.
cp "$TMP/s1.json" "$TMP/in-place.json"
run 1 "$LZSCAN" merge --out "$TMP/in-place.json" "$TMP/in-place.json" "$TMP/s2.json" "$TMP/s3.json"
grep -q '"mergedFrom"' "$TMP/in-place.json" || fail "merging into a part did not replace it"
run 1 "$LZSCAN" merge --out - "$TMP/s1.sarif" "$TMP/s2.sarif" "$TMP/s3.sarif"
grep -q '"mergedFrom"' "$TMP/out" || fail "--out - did not write to stdout"
run 0 "$LZSCAN" merge --help
contains "$TMP/out" "--allow-missing"
echo ok
