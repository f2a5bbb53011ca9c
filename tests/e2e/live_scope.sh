#!/bin/sh
# Live scope: --management-group walks a subtree (Resource Graph resourcecontainers), with the
# management-group descendants API (nextLink) as fallback; the tenant root group is found from
# the token, or from the management group list (@nextLink) when nothing names the tenant;
# --subscription, --exclude-management-group and --exclude-subscription narrow it.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
STATIC='opaque-static-bearer-token-2468013579'
fakearm_start scope '{"client_secret": "'"$SECRET"'", "static_tokens": ["'"$STATIC"'"]}'
use_secret
HUB=5b1e0f3c-1000-4000-8000-000000000001
MGMT=5b1e0f3c-2000-4000-8000-000000000002
AIHUB=5b1e0f3c-3000-4000-8000-000000000003
SPOKE_A=5b1e0f3c-4a00-4000-8000-00000000000a
SPOKE_B=5b1e0f3c-4b00-4000-8000-00000000000b
SPOKE_C=5b1e0f3c-4c00-4000-8000-00000000000c

# subs FILE: the snapshot's subscriptions in scope, space-separated.
subs() { manifest "$1" '" ".join(m["scope"]["subscriptions"])'; }
# object_subs FILE: the subscriptions the snapshot's objects lie in.
object_subs() {
    python3 - "$1" <<'EOF'
import json, sys
subs = set()
for line in list(open(sys.argv[1]))[1:]:
    i = json.loads(line)["id"].lower()
    if i.startswith("/subscriptions/"):
        subs.add(i.split("/")[2])
print(" ".join(sorted(subs)))
EOF
}

# A management group below the root: only its subscriptions, only their objects.
run 0 "$LZSCAN" collect --out "$TMP/spokes.ndjson" --management-group ai-spokes --quiet
[ "$(subs "$TMP/spokes.ndjson")" = "$SPOKE_A $SPOKE_B $SPOKE_C" ] || fail "ai-spokes scope: $(subs "$TMP/spokes.ndjson")"
[ "$(object_subs "$TMP/spokes.ndjson")" = "$SPOKE_A $SPOKE_B $SPOKE_C" ] || fail "objects outside ai-spokes"

# Exclusions: a management group subtree and a subscription.
run 0 "$LZSCAN" collect --out "$TMP/excl.ndjson" --exclude-management-group platform \
    --exclude-subscription $SPOKE_C --quiet
[ "$(subs "$TMP/excl.ndjson")" = "$AIHUB $SPOKE_A $SPOKE_B" ] || fail "exclusions: $(subs "$TMP/excl.ndjson")"
[ "$(object_subs "$TMP/excl.ndjson")" = "$AIHUB $SPOKE_A $SPOKE_B" ] || fail "objects of excluded subscriptions"
grep -qi 'managementGroups/connectivity"' "$TMP/excl.ndjson" && fail "an excluded management group was kept"

# Explicit subscriptions, one of which does not exist: a gap, exit 3.
run 3 "$LZSCAN" collect --out "$TMP/subs.ndjson" --subscription $HUB --subscription $SPOKE_A \
    --subscription 00000000-0000-4000-8000-0000000000ff
[ "$(subs "$TMP/subs.ndjson")" = "$HUB $SPOKE_A" ] || fail "--subscription scope: $(subs "$TMP/subs.ndjson")"
contains "$TMP/err" "coverage gap: Resource Graph returns no subscription row for it"
run 1 "$LZSCAN" scan --subscription $HUB --subscription $SPOKE_A --format json --output "$TMP/two.json" --quiet

# Resource Graph cannot walk the management group: the descendants API (nextLink) takes over,
# and the live scan still matches the offline one. Same when Resource Graph flags the tenant's
# subscription limit.
for cfg in '"rc_fail": true' '"limit_hit": true'; do
    fakearm_start fallback '{"client_secret": "'"$SECRET"'", '"$cfg"'}'
    run 0 "$LZSCAN" collect --out "$TMP/fallback.ndjson" --quiet
    [ "$(manifest "$TMP/fallback.ndjson" 'm["scope"]["hierarchySource"]')" = managementGroupDescendants ] ||
        fail "$cfg: the descendants API was not used"
    [ "$(requests '"/descendants" in r["path"] and "skiptoken" in r["query"]')" -ge 2 ] ||
        fail "$cfg: the descendants nextLink was not followed"
    run 1 "$LZSCAN" scan --input "$TMP/fallback.ndjson" --format json --output "$TMP/fallback.json"
    same_findings "$TMP/offline.json" "$TMP/fallback.json"
    rm -f "$STATE/ports.json"
done

# No tenant anywhere (an opaque static token, no AZURE_TENANT_ID): the root group is found in
# the management group list, followed through @nextLink.
fakearm_start root '{"static_tokens": ["'"$STATIC"'"]}'
(
    unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
    export LZSCAN_ACCESS_TOKEN="$STATIC"
    run 0 "$LZSCAN" collect --out "$TMP/root.ndjson" --quiet
)
[ "$(manifest "$TMP/root.ndjson" 'm["scope"]["managementGroups"]')" = "['$TENANT']" ] || fail "root not found"
[ "$(requests 'r["path"].lower() == "/providers/microsoft.management/managementgroups"')" -ge 3 ] ||
    fail "the management group list's @nextLink was not followed"
echo ok
