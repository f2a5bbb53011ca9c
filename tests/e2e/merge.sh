#!/bin/sh
# Issue 8 acceptance: `lzscan merge` of per-subscription shards gives the single-run report.
# A generated tenant (fixtures/synth/generate.py, 2,000 resources in 9 subscriptions) is scanned
# whole, then split into 3 snapshots by subscription, merged, and the merged snapshot scanned:
# the findings, per-rule counts and summary must be identical.
. "$(dirname "$0")/e2e.inc"

PYTHONHASHSEED=0 python3 "$FIX/synth/generate.py" --out "$TMP/tenant" --resources 2000 --subscriptions 9 \
    --page-size 500
run 1 "$LZSCAN" scan --input "$TMP/tenant" --format json --output "$TMP/whole.json"

mkdir "$TMP/shards"
python3 "$E2E/merge_shards.py" "$TMP/tenant" "$TMP/shards" 3
run 0 "$LZSCAN" merge --out "$TMP/merged.ndjson" "$TMP/shards/shard-0.ndjson" "$TMP/shards/shard-1.ndjson" \
    "$TMP/shards/shard-2.ndjson"
run 1 "$LZSCAN" scan --input "$TMP/merged.ndjson" --format json --output "$TMP/merged.json"

python3 - "$TMP/whole.json" "$TMP/merged.json" "$TMP/merged.ndjson" <<'PY' || fail "the merged scan differs from the whole one"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
key = lambda f: (f["ruleId"], f["resourceId"].lower(), f["status"])
fa, fb = sorted(a["findings"], key=key), sorted(b["findings"], key=key)
assert len(fa) == len(fb), "findings: %d whole vs %d merged" % (len(fa), len(fb))
for x, y in zip(fa, fb):
    assert x == y, "first difference:\n%s\n%s" % (json.dumps(x)[:600], json.dumps(y)[:600])
assert a["summary"] == b["summary"], (a["summary"], b["summary"])
assert a["rules"] == b["rules"], "per-rule counts differ"
# the merged manifest: scope united, counts summed, every object once
lines = open(sys.argv[3]).read().splitlines()
m = json.loads(lines[0])
assert m["lzscan"] == "snapshot-manifest" and m["complete"] is True, m
assert len(m["scope"]["subscriptions"]) == 9, m["scope"]
assert m["requests"] == {"total": 33, "token": 3, "resourceGraph": 12, "arm": 18}, m["requests"]
assert m["retries"] == 3 and m["collectedAt"].endswith("00Z") and m["finishedAt"].endswith("02Z"), m
ids = [json.loads(l)["id"].lower() for l in lines[1:]]
assert len(ids) == len(set(ids)) == m["objects"], "objects not deduplicated"
assert [p["file"][-14:] for p in m["mergedFrom"]] == ["shard-0.ndjson", "shard-1.ndjson", "shard-2.ndjson"]
PY

# A part that did not complete, or that carries gaps, makes the merged snapshot partial.
python3 - "$TMP/shards/shard-1.ndjson" "$TMP/partial.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
m = json.loads(lines[0])
m["complete"] = False
m["gaps"] = [{"scope": "/subscriptions/00000002-5a5a-4000-8000-000000000002", "type": "", "reason": "HTTP 403"}]
open(sys.argv[2], "w").write("\n".join([json.dumps(m)] + lines[1:]) + "\n")
PY
run 0 "$LZSCAN" merge --out "$TMP/m2.ndjson" "$TMP/shards/shard-0.ndjson" "$TMP/partial.ndjson"
head -1 "$TMP/m2.ndjson" | grep -q '"complete":false' || fail "an incomplete part did not make the merge incomplete"
head -1 "$TMP/m2.ndjson" | grep -q '"reason":"HTTP 403"' || fail "a part's gap was lost"
run 3 "$LZSCAN" scan --input "$TMP/m2.ndjson" --format json --output "$TMP/m2.json"

# Errors name the file: not a snapshot, not JSON, another tenant; nothing is written.
run 2 "$LZSCAN" merge --out "$TMP/bad.ndjson" "$TMP/tenant/resourcecontainers.json"
contains "$TMP/err" "resourcecontainers.json: not an lzscan snapshot"
printf '%s\n{"id": oops}\n' "$(head -1 "$TMP/shards/shard-0.ndjson")" >"$TMP/broken.ndjson"
run 2 "$LZSCAN" merge --out "$TMP/bad.ndjson" "$TMP/broken.ndjson"
contains "$TMP/err" "broken.ndjson:2: not JSON"
sed '1s/"tenant":"[^"]*"/"tenant":"other"/' "$TMP/shards/shard-2.ndjson" >"$TMP/other.ndjson"
run 2 "$LZSCAN" merge --out "$TMP/bad.ndjson" "$TMP/shards/shard-0.ndjson" "$TMP/other.ndjson"
contains "$TMP/err" "other.ndjson: tenant other differs"
[ ! -e "$TMP/bad.ndjson" ] || fail "a failed merge wrote its output"
run 2 "$LZSCAN" merge "$TMP/shards/shard-0.ndjson"
run 0 "$LZSCAN" merge --help
contains "$TMP/out" "usage: lzscan merge"
echo ok
