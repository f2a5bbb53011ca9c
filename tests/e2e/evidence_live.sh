# `lzscan evidence` from a live collection (the fake ARM server): the bundle
# verifies, holds the same findings as the offline bundle of the same
# fixture, and no byte of it holds the client secret.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"
export LZSCAN_NOW=2026-10-01T00:00:00Z
run 0 "$LZSCAN" evidence --input "$LIVE_FIXTURE" --out "$TMP/offline" -q
fakearm_start plain '{"client_secret": "'"$SECRET"'", "page_size": 20}'
use_secret
run 0 "$LZSCAN" evidence --management-group $TENANT --out "$TMP/live" -q
run 0 "$LZSCAN" verify "$TMP/live"
same_findings "$TMP/offline/report.json" "$TMP/live/report.json"
if grep -rqF "$SECRET" "$TMP/live"; then fail "the client secret is in the bundle"; fi
run 0 "$LZSCAN" diff "$TMP/offline" "$TMP/live"
contains "$TMP/out" "0 new, 0 resolved"
exit 0
