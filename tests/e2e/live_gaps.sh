#!/bin/sh
# Issue 4 acceptance: what cannot be read is named, never dropped. A 403 on one subscription, a
# child list that keeps failing and a Resource Graph query that keeps failing each become a
# coverage gap naming the call and its status; the rules that needed the data report `unknown`;
# the run exits 3 (0/1 with --allow-partial); everything else is identical to the offline scan.
# A partial snapshot scans the same as the partial live run.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
use_secret
SUB_B=5b1e0f3c-4b00-4000-8000-00000000000b

# A 403 on every ARM call in the tenant-b subscription (Resource Graph still lists it): its
# diagnostic-settings lists are gaps, so every AIHUB-LOG-001 result there is unknown.
fakearm_start arm403 '{"client_secret": "'"$SECRET"'", "forbidden_arm_subscriptions": ["'$SUB_B'"]}'
run 3 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/arm403.json"
contains "$TMP/err" "coverage gap: GET /subscriptions/$SUB_B/"
contains "$TMP/err" "HTTP 403 AuthorizationFailed"
python3 - "$TMP/arm403.json" "$SUB_B" <<'PY' || fail "the 403'd subscription's results are not unknown"
import json, sys
rep, sub = json.load(open(sys.argv[1])), sys.argv[2]
log = [f for f in rep["findings"] if f["ruleId"] == "AIHUB-LOG-001"
       and f["resourceId"].lower().startswith("/subscriptions/" + sub)]
assert len(log) >= 5 and all(f["status"] == "unknown" and "403" in f["message"] for f in log), log
print("%d AIHUB-LOG-001 results in the 403'd subscription, all unknown" % len(log))
PY
python3 "$E2E/live_compare.py" "$TMP/offline.json" "$TMP/arm403.json" --except-subscription $SUB_B \
    --gap-unknown || fail "findings outside the 403'd subscription changed"
run 1 "$LZSCAN" scan --management-group $TENANT --allow-partial --quiet --format json --output "$TMP/partial.json"

# A 403 on the whole subscription (Resource Graph too): a gap over /subscriptions/<id>, nothing
# read from it is reported as compliant, everything else is unchanged.
fakearm_start forbidden '{"client_secret": "'"$SECRET"'", "forbidden_subscriptions": ["'$SUB_B'"]}'
run 3 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/forbidden.json"
contains "$TMP/err" "coverage gap: POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01: HTTP 403 AuthorizationFailed"
python3 - "$TMP/forbidden.json" "$SUB_B" <<'PY' || fail "the 403'd subscription is not a gap"
import json, sys
rep, sub = json.load(open(sys.argv[1])), sys.argv[2]
gaps = rep["scan"]["coverage"]["gaps"]
assert any(g["scope"] == "/subscriptions/" + sub and g["type"] == "" and "403" in g["reason"] for g in gaps), gaps
# only the containers Resource Graph listed (the subscription, its resource groups) were read
for f in rep["findings"]:
    if f["resourceId"].lower().startswith("/subscriptions/" + sub):
        assert f["resourceType"].startswith("microsoft.resources/subscriptions"), f
PY
# Outside it, a result may only turn `unknown` where a rule's join reaches into it (a hub VNet's DNS
# links covering the spoke VNet that could not be read, say), naming the gap.
# The tenant maps (AIHUB-GOV-002) span every subscription, so with one subscription unread they are
# unknown, never computed over part of the tenant: GOV-002 results elsewhere turn unknown, naming the gap.
python3 "$E2E/live_compare.py" "$TMP/offline.json" "$TMP/forbidden.json" --except-subscription $SUB_B \
    --gap-unknown || fail "findings outside the 403'd subscription changed"

# A child list that keeps failing (503 on every attempt): a gap on that resource's list only.
KV=/subscriptions/5b1e0f3c-4a00-4000-8000-00000000000a/resourceGroups/rg-tenant-a-data/providers/Microsoft.KeyVault/vaults/kv-tenant-a-01
fakearm_start failing '{"client_secret": "'"$SECRET"'", "faults": [
  {"match": {"api": "arm", "path_contains": "kv-tenant-a-01/providers/Microsoft.Insights"}, "action": "503", "count": 100}]}'
run 3 "$LZSCAN" collect --out "$TMP/partial.ndjson"
contains "$TMP/err" "HTTP 503"
[ "$(manifest "$TMP/partial.ndjson" 'len(m["gaps"])')" = 1 ] || fail "expected exactly one gap"
[ "$(manifest "$TMP/partial.ndjson" 'm["complete"]')" = False ] || fail "a snapshot with a gap says it is complete"
[ "$(manifest "$TMP/partial.ndjson" 'm["gaps"][0]["type"]')" = microsoft.insights/diagnosticsettings ] || fail "gap type"
[ "$(requests '"kv-tenant-a-01/providers" in r["path"]')" = "$LZSCAN_MAX_ATTEMPTS" ] || fail "attempts are not bounded"
run 3 "$LZSCAN" scan --input "$TMP/partial.ndjson" --format json --output "$TMP/partial-snap.json"
run 3 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/partial-live.json"
same_findings "$TMP/partial-live.json" "$TMP/partial-snap.json"
python3 - "$TMP/partial-live.json" "$KV" <<'PY' || fail "the failed list's rule is not unknown"
import json, sys
rep, kv = json.load(open(sys.argv[1])), sys.argv[2].lower()
f = [f for f in rep["findings"] if f["resourceId"].lower() == kv and f["ruleId"] == "AIHUB-LOG-001"]
assert f and f[0]["status"] == "unknown" and "503" in f[0]["message"], f
PY
python3 "$E2E/live_compare.py" "$TMP/offline.json" "$TMP/partial-live.json" 2>"$TMP/diff" && fail "no difference?"
[ "$(grep -c '^only in' "$TMP/diff")" = 2 ] || { cat "$TMP/diff" >&2; fail "more than the one finding changed"; }

# Resource Graph's resources table failing every time: every subscription is a gap.
fakearm_start rgdown '{"client_secret": "'"$SECRET"'", "faults": [
  {"match": {"api": "arg", "body_contains": "\"query\":\"resources |"}, "action": "500", "count": 1000}]}'
run 3 "$LZSCAN" collect --out "$TMP/rgdown.ndjson" --quiet
[ "$(manifest "$TMP/rgdown.ndjson" 'len(m["gaps"])')" = 6 ] || fail "expected one gap per subscription"
[ "$(manifest "$TMP/rgdown.ndjson" 'all("HTTP 500" in g["reason"] for g in m["gaps"])')" = True ] || fail "reasons"
echo ok
