#!/bin/sh
# Issue 8: `lzscan scan --shard K/N` over one input, then `lzscan merge` of the N JSON reports (and
# of the N SARIF logs), gives what the single scan writes: every field of the report but its times
# and the record of the parts, and the SARIF run's results, notifications and gate.
#
# Two scenarios on a generated tenant (2,000 resources in 9 subscriptions):
#   1. the plain tenant, 3 shards (exit 1: failing findings);
#   2. with coverage gaps (a subscription Resource Graph refused, a child list that failed),
#      exemptions (one active, one expired: its warning counts findings over every shard), a
#      baseline (new, unchanged, updated and resolved findings, a fingerprint twice) and
#      --fail-on-new --fail-on high, 4 shards (exit 3: gaps).
# The merged report validates against output/schema/report.schema.json and the merged SARIF against
# the OASIS schema and GitHub's needs.
. "$(dirname "$0")/e2e.inc"

PYTHONHASHSEED=0 python3 "$FIX/synth/generate.py" --out "$TMP/tenant" --resources 2000 --subscriptions 9 \
    --page-size 500 >/dev/null

# scan_shards WANT N INPUT PREFIX [OPTIONS...]: the whole scan and N shard scans
scan_shards() {
    want=$1 n=$2 input=$3 prefix=$4
    shift 4
    run "$want" "$LZSCAN" scan --input "$input" "$@" --json "$prefix-whole.json" --sarif "$prefix-whole.sarif"
    k=1
    while [ "$k" -le "$n" ]; do
        run "$want" "$LZSCAN" scan --input "$input" --shard "$k/$n" "$@" \
            --json "$prefix-$k.json" --sarif "$prefix-$k.sarif"
        k=$((k + 1))
    done
}

# check_merge WANT PREFIX SHARD-FILES...: merges the reports and the logs (in the order given)
# and compares them with the whole scan's
check_merge() {
    want=$1 prefix=$2
    shift 2
    reports="" logs=""
    for k in "$@"; do
        reports="$reports $prefix-$k.json"
        logs="$logs $prefix-$k.sarif"
    done
    # shellcheck disable=SC2086
    run "$want" "$LZSCAN" merge --out "$prefix-merged.json" $reports
    python3 "$E2E/merge_compare.py" report "$prefix-whole.json" "$prefix-merged.json" ||
        fail "$prefix: the merged JSON report differs from the single run's"
    # shellcheck disable=SC2086
    run "$want" "$LZSCAN" merge --out "$prefix-merged.sarif" $logs
    python3 "$E2E/merge_compare.py" sarif "$prefix-whole.sarif" "$prefix-merged.sarif" ||
        fail "$prefix: the merged SARIF log differs from the single run's"
    python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" \
        "$prefix-merged.json" "$prefix-1.json" || fail "$prefix: a report does not validate"
    python3 "$E2E/validate_sarif.py" "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" \
        "$prefix-merged.sarif" "$prefix-1.sarif" || fail "$prefix: a SARIF log does not validate"
}

# The shards split the results: none empty, none shared, adding up to the whole.
check_split() {
    python3 - "$@" <<'PY' || fail "the shards do not split the whole scan"
import json, sys
whole, parts = json.load(open(sys.argv[1])), [json.load(open(p)) for p in sys.argv[2:]]
n = len(parts)
fps = [set(f["fingerprint"] for f in p["findings"]) for p in parts]
assert all(fps), "a shard has no finding"
assert sum(map(len, fps)) == len(set().union(*fps)) == len(set(f["fingerprint"] for f in whole["findings"]))
assert sum(p["summary"]["results"] for p in parts) == whole["summary"]["results"]
for i, p in enumerate(parts):
    assert p["scan"]["shard"]["index"] == i + 1 and p["scan"]["shard"]["count"] == n, p["scan"]["shard"]
    assert p["scan"]["shard"]["inventory"] == parts[0]["scan"]["shard"]["inventory"]
    assert p["summary"]["resources"] == whole["summary"]["resources"]
    assert "shard" not in whole["scan"]
PY
}

# 1. The plain tenant, merged in another order than scanned.
scan_shards 1 3 "$TMP/tenant" "$TMP/a"
check_split "$TMP/a-whole.json" "$TMP/a-1.json" "$TMP/a-2.json" "$TMP/a-3.json"
check_merge 1 "$TMP/a" 3 1 2

# 2. Gaps, exemptions, a baseline, --fail-on-new.
cp -r "$TMP/tenant" "$TMP/tenant2"
cat >"$TMP/tenant2/gaps.ndjson" <<'EOF'
{"lzscan":"snapshot-manifest","formatVersion":1,"gaps":[{"scope":"/subscriptions/00000003-5a5a-4000-8000-000000000003","type":"","reason":"HTTP 403 on resources"},{"scope":"/subscriptions/00000004-5a5a-4000-8000-000000000004","type":"microsoft.insights/diagnosticsettings","reason":"HTTP 429 gave up"}],"complete":false}
EOF
cat >"$TMP/ex.yaml" <<'EOF'
exemptions:
  - rules: ["AIHUB-*"]
    selector:
      subscription: 00000001-5a5a-4000-8000-000000000001
    justification: Sandbox subscription, accepted until the migration.
    owner: jane.doe@contoso.com
    ticket: SEC-1
    expires: 2027-01-31
  - rules: ["AIHUB-*"]
    selector:
      subscription: 00000002-5a5a-4000-8000-000000000002
    justification: Was accepted for the pilot.
    owner: joe.bloggs@contoso.com
    ticket: SEC-2
    expires: 2026-01-31
EOF
python3 - "$TMP/a-whole.json" "$TMP/base.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = r["findings"]
# 30 findings the baseline lacks (new), 10 whose evidence changed (updated), 5 it has that are
# gone (resolved), and one finding twice (the second copy stays resolved)
kept = f[30:]
for x in kept[:10]:
    x["evidence"] = [{"path": "properties.x", "actual": "1", "expected": "2"}]
gone = [dict(f[0], resourceId=f[0]["resourceId"] + "/gone%d" % i, fingerprint="%064x" % i) for i in range(5)]
r["findings"] = kept + gone + [dict(kept[20])]
json.dump(r, open(sys.argv[2], "w"))
PY
export LZSCAN_NOW=2026-06-01T00:00:00Z
scan_shards 3 4 "$TMP/tenant2" "$TMP/b" --exemptions "$TMP/ex.yaml" --baseline "$TMP/base.json" \
    --fail-on-new --fail-on high
python3 - "$TMP/b-whole.json" <<'PY' || fail "scenario 2 does not exercise what it should"
import json, sys
r = json.load(open(sys.argv[1]))
st = [f["status"] for f in r["findings"]]
assert "exempt" in st and any("coverage gap" in f["message"] for f in r["findings"]), "no exempt or gap finding"
assert r["exemptions"]["entries"][1]["state"] == "expired" and r["exemptions"]["entries"][1]["matched"] > 1
assert any("expired on 2026-01-31:" in n for n in r["scan"]["notes"]), r["scan"]["notes"]
c = r["baseline"]["counts"]
assert c["new"] >= 30 and c["updated"] >= 10 and c["unchanged"] > 0 and c["absent"] == 6, c
assert not r["scan"]["coverage"]["complete"] and r["gate"]["exitCode"] == 3
PY
check_split "$TMP/b-whole.json" "$TMP/b-1.json" "$TMP/b-2.json" "$TMP/b-3.json" "$TMP/b-4.json"
check_merge 3 "$TMP/b" 4 2 1 3
echo ok
