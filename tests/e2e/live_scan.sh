#!/bin/sh
# Issue 4 acceptance: a live scan of the fake ARM server finds exactly what the offline scan of
# the same fixture finds; `collect` writes a snapshot whose scan gives the same findings; the
# manifest's request count equals the documented formula and the server's own count.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

# Offline reference.
run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"

# Pages of 20 rows: resources (90 rows) take 5 pages, so paging is exercised on every run.
fakearm_start plain '{"client_secret": "'"$SECRET"'", "page_size": 20}'
use_secret

# Live scan from the tenant root group.
run 1 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/live.json"
same_findings "$TMP/offline.json" "$TMP/live.json"
[ ! -s "$TMP/err" ] || { cat "$TMP/err" >&2; fail "a clean live scan printed warnings"; }
python3 - "$TMP/live.json" "$TMP/offline.json" "$TENANT" <<'PY' || fail "the report does not say what was scanned"
import json, sys
live, offline = (json.load(open(f))["scan"] for f in sys.argv[1:3])
assert live["source"] == "live" and live["inputs"] == [], live
assert live["scope"] == "/providers/Microsoft.Management/managementGroups/" + sys.argv[3], live
assert offline["source"] == "offline" and "scope" not in offline, offline
PY

# collect -> snapshot -> scan --input gives the same findings again.
: >"$STATE/requests.ndjson"
run 0 "$LZSCAN" collect --out "$TMP/snap.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/snap.ndjson" --format json --output "$TMP/snap.json"
same_findings "$TMP/offline.json" "$TMP/snap.json"
head -1 "$TMP/snap.ndjson" | grep -q '"lzscan":"snapshot-manifest"' || fail "the first line is not the manifest"
[ "$(manifest "$TMP/snap.ndjson" 'm["complete"]')" = True ] || fail "the snapshot is not complete"
[ "$(manifest "$TMP/snap.ndjson" 'len(m["gaps"])')" = 0 ] || fail "a clean collection has gaps"

# The request count: total = token + Resource Graph pages + ARM calls + retries, and the server
# saw exactly that many. Pages are computed from the fixture, not taken from lzscan.
total=$(manifest "$TMP/snap.ndjson" 'm["requests"]["total"]')
seen=$(requests 'True')
[ "$total" = "$seen" ] || fail "manifest says $total requests, the server saw $seen"
python3 - "$TMP/snap.ndjson" "$LIVE_FIXTURE" <<'EOF' || fail "request count formula"
import json, math, os, sys
m = json.loads(open(sys.argv[1]).readline())
fx = sys.argv[2]
# every object of the fixture, by Resource Graph table (ARM child lists are not in Resource Graph)
rows = {}
for name in os.listdir(fx):
    if name == "expected.json" or not name.endswith((".json", ".ndjson")):
        continue
    text = open(os.path.join(fx, name)).read()
    if name.endswith(".ndjson"):
        objs = [json.loads(l) for l in text.splitlines() if l.strip()]
    else:
        doc = json.loads(text)
        if "value" in doc:
            continue
        objs = doc["data"]
    for o in objs:
        t = o["type"].lower()
        table = ("resourcecontainers" if t.startswith(("microsoft.management/", "microsoft.resources/")) else
                 "authorizationresources" if t.startswith("microsoft.authorization/") else
                 "securityresources" if t.startswith("microsoft.security/") else "resources")
        rows.setdefault(table, []).append(t)
pages = lambda n: max(1, math.ceil(n / 20))
want_arg = 0
for q in m["queries"]:  # one subscription batch: 6 subscriptions < 200
    types = set(q.get("types", []))
    n = sum(1 for t in rows.get(q["table"], []) if not types or t in types)
    assert q["rows"] == n, (q, n)
    want_arg += pages(n)
req = m["requests"]
assert req["resourceGraph"] == want_arg, (req["resourceGraph"], want_arg)
# ARM: one list call per parent; diagnostic settings four more per storage account (its services)
snap = [json.loads(l) for l in open(sys.argv[1])][1:]
sa = sum(1 for o in snap if o["type"].lower() == "microsoft.storage/storageaccounts")
want_arm = 0
for c in m["childLists"]:
    assert c["gaps"] == 0, c
    extra = 4 * sa if c["type"] == "microsoft.insights/diagnosticsettings" else 0
    assert c["calls"] == c["parents"] + extra, c
    want_arm += c["calls"]
assert req["arm"] == want_arm, (req["arm"], want_arm)
assert req["token"] == 1 and m["retries"] == 0
assert req["total"] == req["token"] + req["resourceGraph"] + req["arm"] + m["retries"]
print("requests: token %d + Resource Graph %d + ARM %d + retries %d = %d" % (
    req["token"], req["resourceGraph"], req["arm"], m["retries"], req["total"]))
EOF

# The built-in pack applies a rule to "*": no type filter on resources, read in 5+ pages.
[ "$(requests 'r["api"] == "arg" and "\"query\":\"resources |" in r.get("body", "")')" -ge 5 ] ||
    fail "the resources table was not read in 5+ pages"
# The pushdown: with the "*" rule replaced by one about key vaults, Resource Graph is asked for
# the pack's types only (plus topology's and the parents of child lists), then for the types the
# collected objects point at (so `ref:` resolves), and the findings still match the offline scan.
mkdir -p "$TMP/rules"
cat >"$TMP/rules/gov.yaml" <<'RULE'
id: AIHUB-GOV-001
title: Key vaults carry the mandatory tags
severity: medium
description: Narrows the built-in rule that applies to every type.
remediation: Add the tags.
applies: {type: Microsoft.KeyVault/vaults}
check: {field: tags, hasKeys: {param: requiredTags}}
RULE
run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --rules "$TMP/rules" --format json --output "$TMP/pd-off.json"
: >"$STATE/requests.ndjson"
run 0 "$LZSCAN" collect --rules "$TMP/rules" --out "$TMP/pd.ndjson" --quiet
run 1 "$LZSCAN" scan --input "$TMP/pd.ndjson" --rules "$TMP/rules" --format json --output "$TMP/pd-live.json"
same_findings "$TMP/pd-off.json" "$TMP/pd-live.json"
[ "$(requests 'r["api"] == "arg" and "\"query\":\"resources | where type in~ (" in r.get("body", "") and "$skipToken" not in r.get("body", "")')" = 2 ] ||
    fail "expected a filtered resources query and one for the referenced types"
n=$(manifest "$TMP/pd.ndjson" 'm["objects"]')
all=$(manifest "$TMP/snap.ndjson" 'm["objects"]')
[ "$n" -lt "$all" ] || fail "the pushdown read every object ($n of $all)"

# Subscription batches (2 per request here; 200 by default): the same findings, one query chain
# per batch.
: >"$STATE/requests.ndjson"
LZSCAN_ARG_BATCH=2 run 1 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/batched.json"
same_findings "$TMP/offline.json" "$TMP/batched.json"
[ "$(requests 'r["api"] == "arg" and "\"query\":\"resources |" in r.get("body", "") and "$skipToken" not in r.get("body", "")')" = 3 ] ||
    fail "6 subscriptions in batches of 2 are not 3 queries"

# TLS is always verified: without the test CA the scan stops at the handshake (exit 2), and
# --ca-bundle is the way to trust it. An http:// ARM endpoint is refused outright.
(
    export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
    run 2 "$LZSCAN" scan --management-group $TENANT
    contains "$TMP/err" "SSL certificate"
    unset SSL_CERT_FILE
    run 1 "$LZSCAN" scan --management-group $TENANT --ca-bundle "$STATE/ca.pem" --quiet
    run 2 "$LZSCAN" scan --management-group $TENANT --arm-endpoint "http://127.0.0.1:$PORT"
    contains "$TMP/err" "must be an https:// URL"
)

# The progress line: on a terminal only, never with --quiet or in CI.
if command -v script >/dev/null 2>&1; then
    script -qec "'$LZSCAN' collect --out '$TMP/p.ndjson'" /dev/null >"$TMP/tty.out" 2>&1 || true
    grep -q "requests, [0-9]* objects, [0-9]* pages" "$TMP/tty.out" || fail "no progress line on a terminal"
    script -qec "'$LZSCAN' collect --out '$TMP/p.ndjson' --quiet" /dev/null >"$TMP/tty.out" 2>&1 || true
    ! grep -q "requests, " "$TMP/tty.out" || fail "a progress line despite --quiet"
    CI=true script -qec "'$LZSCAN' collect --out '$TMP/p.ndjson'" /dev/null >"$TMP/tty.out" 2>&1 || true
    ! grep -q "objects, [0-9]* pages" "$TMP/tty.out" || fail "a progress line in CI"
fi
run 0 "$LZSCAN" collect --out "$TMP/p.ndjson"
! grep -q "objects, [0-9]* pages" "$TMP/err" || fail "a progress line on a pipe"
echo "ok"
