#!/bin/sh
# Issue 8 item 4, the projection pushdown: Resource Graph returns only the properties the rules can
# read (the fake server evaluates lzscan's KQL as Kusto does, tests/fakearm/kql.py), and
#  - the findings of a projected collection equal the offline scan's in every field (message,
#    evidence, fingerprint), for the contoso fixture and for objects where a key is null, missing,
#    or differs from a kept key only by case;
#  - the manifest says the projection was used and which keys it kept; its bytes are fewer than
#    with --no-projection, which reads whole objects and says so;
#  - when Resource Graph refuses the projected query, the query runs again whole (one request
#    more) and the findings are still the offline ones.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

strict() { python3 "$E2E/live_compare.py" --strict "$1" "$2" || fail "findings differ: $1 vs $2"; }
use_secret

# --- contoso: projected, then whole ---
run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
fakearm_start contoso '{"client_secret": "'"$SECRET"'", "page_size": 20}'
run 0 "$LZSCAN" collect --out "$TMP/proj.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/proj.ndjson" --format json --output "$TMP/proj.json"
strict "$TMP/offline.json" "$TMP/proj.json"
[ "$(manifest "$TMP/proj.ndjson" 'm["projection"]["used"]')" = True ] || fail "the projection was not used"
[ "$(manifest "$TMP/proj.ndjson" '[q.get("projected", False) for q in m["queries"] if q["table"] == "resources"]')" = "[True]" ] ||
    fail "the resources query is not marked projected"
manifest "$TMP/proj.ndjson" '"publicNetworkAccess" in m["projection"]["propertiesKept"]["microsoft.cognitiveservices/accounts"]' |
    grep -qx True || fail "the manifest does not list the kept keys"
[ "$(requests 'r["api"] == "arg" and "bag_remove_keys(properties, lzscanDrop)" in r.get("body", "")')" -ge 5 ] ||
    fail "the resources pages were not asked for projected"
# a key no rule reads is gone from the snapshot; one a rule reads is there
grep -q '"internalId"' "$TMP/proj.ndjson" && fail "an unread property (privateDnsZones' internalId) was collected"
grep -q '"publicNetworkAccess"' "$TMP/proj.ndjson" || fail "a property the rules read is missing"
python3 - "$TMP/proj.ndjson" <<'EOF' || fail "the manifest's bytes and timings"
import json, sys
m = json.loads(open(sys.argv[1]).readline())
b, t = m["bytes"], m["timings"]
assert b["arm"]["received"] > 0 and b["arm"]["sent"] == 0 and b["resourceGraph"]["sent"] > 0, b
assert 0 < t["connectionUtilisation"] <= 1 and t["connections"] == 16, t
assert 0 < t["resourceGraph"]["firstSent"] <= t["resourceGraph"]["lastAnswered"] <= t["seconds"], t
assert 0 < t["arm"]["firstSent"] <= t["arm"]["lastAnswered"] <= t["seconds"], t
EOF

: >"$STATE/requests.ndjson"
run 0 "$LZSCAN" collect --no-projection --out "$TMP/whole.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/whole.ndjson" --format json --output "$TMP/whole.json"
strict "$TMP/offline.json" "$TMP/whole.json"
[ "$(manifest "$TMP/whole.ndjson" 'm["projection"]')" = "{'used': False, 'reason': '--no-projection'}" ] ||
    fail "--no-projection is not in the manifest"
[ "$(requests 'r["api"] == "arg" and "lzscanKeep" in r.get("body", "")')" = 0 ] || fail "--no-projection projected"
grep -q '"internalId"' "$TMP/whole.ndjson" || fail "--no-projection did not read whole objects"
python3 - "$TMP/proj.ndjson" "$TMP/whole.ndjson" <<'EOF' || fail "the projection did not save bytes"
import json, os, sys
p, w = (json.loads(open(f).readline()) for f in sys.argv[1:])
bp, bw = p["bytes"]["resourceGraph"]["received"], w["bytes"]["resourceGraph"]["received"]
assert 0 < bp < bw, (bp, bw)
assert p["requests"] == w["requests"], (p["requests"], w["requests"])  # the same requests
assert os.path.getsize(sys.argv[1]) < os.path.getsize(sys.argv[2])
print("Resource Graph bytes received: %d projected, %d whole" % (bp, bw))
EOF
# a projected snapshot judged by other rules could pass on properties never
# collected: refused, naming the file and the way out; a whole one is not
mkdir -p "$TMP/mine"
cat >"$TMP/mine/internal-id.yaml" <<'Y'
id: CONTOSO-DNS-001
title: Private DNS zones record their internal id
severity: low
description: A rule reading a property the built-in pack does not.
remediation: none
applies: {type: Microsoft.Network/privateDnsZones}
check: {field: properties.internalId, exists: true}
Y
run 2 "$LZSCAN" scan --input "$TMP/proj.ndjson" --rules "$TMP/mine" --format json
contains "$TMP/err" "proj.ndjson was collected with the Resource Graph projection"
contains "$TMP/err" "--no-projection"
run 1 "$LZSCAN" scan --input "$TMP/whole.ndjson" --rules "$TMP/mine" --format json
# a merged snapshot keeps the record of the projection (a projected part with
# a whole one: the merge holds projected objects, so it says so)
run 0 "$LZSCAN" merge --out "$TMP/merged.ndjson" "$TMP/whole.ndjson" "$TMP/proj.ndjson"
[ "$(manifest "$TMP/merged.ndjson" 'm["projection"]["used"]')" = True ] ||
    fail "the merged snapshot lost the projection record"
[ "$(manifest "$TMP/merged.ndjson" 'm["projection"]')" = "$(manifest "$TMP/proj.ndjson" 'm["projection"]')" ] ||
    fail "the merged snapshot's projection record differs from its projected part's"
# the live scan takes the option too, and finds the same
run 1 "$LZSCAN" scan --management-group $TENANT --no-projection --format json --output "$TMP/live-whole.json"
strict "$TMP/offline.json" "$TMP/live-whole.json"

# --- Resource Graph refuses the projection: the query runs again whole ---
fakearm_start refused '{"client_secret": "'"$SECRET"'", "page_size": 20, "reject_projection": true}'
run 0 "$LZSCAN" collect --out "$TMP/refused.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/refused.ndjson" --format json --output "$TMP/refused.json"
strict "$TMP/offline.json" "$TMP/refused.json"
manifest "$TMP/refused.ndjson" 'm["projection"]["reason"]' | grep -q "refused the projected query: POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01: HTTP 400 BadRequest" ||
    fail "the manifest does not say the projection was refused"
[ "$(requests 'r["api"] == "arg" and r.get("status") == 400')" = 1 ] || fail "expected one refused query"
total=$(manifest "$TMP/refused.ndjson" 'm["requests"]["total"]')
[ "$total" = "$(requests 'True')" ] || fail "the manifest does not count the refused query"
rg_whole=$(manifest "$TMP/whole.ndjson" 'm["requests"]["resourceGraph"]')
[ "$(manifest "$TMP/refused.ndjson" 'm["requests"]["resourceGraph"]')" = $((rg_whole + 1)) ] ||
    fail "a refused projection costs more than one request"

# --- null, missing and case-variant keys, refs and $parent across projected objects ---
FX="$TMP/fx"
cp -r "$LIVE_FIXTURE" "$FX"
SUB=5b1e0f3c-1000-4000-8000-000000000001
W="/subscriptions/$SUB/resourceGroups/rg-hub-dns/providers/Contoso.Test/widgets"
big=$(python3 -c 'print("x" * 4000)')
cat >"$FX/widgets.json" <<EOF
{"data": [
 {"id": "$W/w1", "name": "w1", "type": "contoso.test/widgets", "subscriptionId": "$SUB", "resourceGroup": "rg-hub-dns",
  "tags": {}, "properties": {"flag": null, "big": "$big", "peer": {"id": "$W/w2"}}},
 {"id": "$W/w2", "name": "w2", "type": "contoso.test/widgets", "subscriptionId": "$SUB", "resourceGroup": "rg-hub-dns",
  "tags": {}, "properties": {"big": "$big", "color": "red", "nested": {"flag": 1}}},
 {"id": "$W/w3", "name": "w3", "type": "contoso.test/widgets", "subscriptionId": "$SUB", "resourceGroup": "rg-hub-dns",
  "tags": {}, "properties": {"Flag": "on", "big": "$big", "peer": {"id": "$W/w4"}}},
 {"id": "$W/w4", "name": "w4", "type": "contoso.test/widgets", "subscriptionId": "$SUB", "resourceGroup": "rg-hub-dns",
  "tags": {}, "properties": {"Color": "blue", "big": "$big", "BIG": 1}},
 {"id": "$W/w5", "name": "w5", "type": "contoso.test/widgets", "subscriptionId": "$SUB", "resourceGroup": "rg-hub-dns",
  "tags": {}, "properties": null},
 {"id": "$W/w1/gadgets/g1", "name": "g1", "type": "contoso.test/widgets/gadgets", "subscriptionId": "$SUB",
  "resourceGroup": "rg-hub-dns", "properties": {"size": 3, "big": "$big"}}
]}
EOF
mkdir -p "$TMP/rules"
cat >"$TMP/rules/proj.yaml" <<'EOF'
id: TEST-PROJ-001
title: widgets have no flag, not even a null one
severity: low
description: exists tells null from missing.
remediation: none
applies: {type: Contoso.Test/widgets}
check: {field: properties.flag, exists: false}
---
id: TEST-PROJ-002
title: a widget's peer is red
severity: low
description: a ref reads properties of any type.
remediation: none
applies: {type: Contoso.Test/widgets}
check:
  ref: properties.peer.id
  field: properties.color
  equals: red
---
id: TEST-PROJ-003
title: a gadget's widget has no flag
severity: low
description: $parent reads the parent object.
remediation: none
applies: {type: Contoso.Test/widgets/gadgets}
check:
  allOf:
    - {field: properties.size, less: 5}
    - {field: $parent.properties.flag, exists: false}
EOF
LIVE_FIXTURE="$FX"
run 1 "$LZSCAN" scan --input "$FX" --rules "$TMP/rules" --format json --output "$TMP/fx-offline.json"
fakearm_start widgets '{"client_secret": "'"$SECRET"'", "page_size": 40}'
run 0 "$LZSCAN" collect --rules "$TMP/rules" --out "$TMP/fx.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/fx.ndjson" --rules "$TMP/rules" --format json --output "$TMP/fx-live.json"
strict "$TMP/fx-offline.json" "$TMP/fx-live.json"
python3 - "$TMP/fx.ndjson" "$TMP/fx-offline.json" <<'EOF' || fail "projected widgets"
import json, sys
objs = {o["name"]: o for o in map(json.loads, list(open(sys.argv[1]))[1:]) if o["type"].startswith("contoso.test/")}
p = {n: o["properties"] for n, o in objs.items()}
assert p["w1"] == {"flag": None, "peer": {"id": p["w1"]["peer"]["id"]}}, p["w1"]  # null kept, big dropped
assert p["w2"] == {"color": "red"}, p["w2"]                     # missing flag stays missing
assert "big" in p["w3"] and "Flag" in p["w3"], p["w3"]          # Flag is a case variant: whole
assert "big" in p["w4"] and "BIG" in p["w4"], p["w4"]           # two dropped keys equal but for case: whole
assert p["w5"] is None and list(objs["w5"])[-1] == "properties", objs["w5"]  # null stays null (moved last)
assert p["g1"] == {"size": 3}, p["g1"]
rep = json.load(open(sys.argv[2]))
st = {(f["ruleId"], f["resourceId"].rsplit("/", 1)[1]): f["status"] for f in rep["findings"]
      if f["ruleId"].startswith("TEST-PROJ")}
assert st[("TEST-PROJ-001", "w1")] == "fail" and st[("TEST-PROJ-001", "w3")] == "fail", st
assert ("TEST-PROJ-001", "w2") not in st, st  # passes
assert st[("TEST-PROJ-002", "w3")] == "fail", st
assert st[("TEST-PROJ-003", "g1")] == "fail", st
print("projected widgets as expected")
EOF
echo ok
