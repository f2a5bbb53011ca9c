#!/bin/sh
# Issue 4 acceptance: with each transient fault injected by the fake ARM server, the live scan's
# findings are identical to the offline scan of the same fixture: 429 with Retry-After (Resource
# Graph and ARM), Resource Graph quota headers, the ARM token bucket, 500/503, connection resets,
# truncated bodies (with and without Content-Length), a response slower than the timeout,
# ResponsePayloadTooLarge, a token that expires mid-scan (401, refreshed once) and one refreshed
# 5 minutes before it expires.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
use_secret
export LZSCAN_HTTP_TIMEOUT_MS=1000

# fault NAME CONFIG_JSON: one scenario; the scan must match the offline one and exit 1.
fault() {
    [ -z "${LIVE_TIMING:-}" ] || echo "$(date +%s.%N | cut -c1-14) $1" >&2
    fakearm_start "$1" '{"client_secret": "'"$SECRET"'", "page_size": 30, '"$2"'}'
    run 1 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/$1.json" --quiet
    same_findings "$TMP/offline.json" "$TMP/$1.json"
    retried_after_wait >/dev/null
}
# count FILTER: requests in the last scenario matching a python expression over r.
count() { requests "$1"; }

diag='/providers/Microsoft.Insights/diagnosticSettings'
fault throttled '"faults": [
  {"match": {"api": "arg", "nth": 2}, "action": "429", "retry_after": 1},
  {"match": {"api": "arm", "path_contains": "kv-tenant-a-01'$diag'"}, "action": "429", "retry_after": 1}]'
[ "$(count 'r.get("status") == 429')" = 2 ] || fail "the 429s were not served"

fault errors '"faults": [
  {"match": {"api": "arg", "nth": 1}, "action": "500"},
  {"match": {"api": "arg", "nth": 3}, "action": "503", "count": 2},
  {"match": {"api": "arm", "path_contains": "oai-contoso-aihub'$diag'"}, "action": "503", "count": 2},
  {"match": {"api": "token"}, "action": "503"}]'
[ "$(count 'r.get("status") in (500, 503)')" = 6 ] || fail "the 5xx faults were not served"

fault resets '"faults": [
  {"match": {"api": "arm", "path_contains": "srch-tenant-a'$diag'"}, "action": "reset"},
  {"match": {"api": "arg", "nth": 2}, "action": "reset"}]'

fault truncated '"faults": [
  {"match": {"api": "arg", "nth": 2}, "action": "truncate"},
  {"match": {"api": "arg", "nth": 4}, "action": "truncate_nolen"},
  {"match": {"api": "arm", "path_contains": "cosmos-tenant-c'$diag'"}, "action": "truncate_nolen"}]'
[ "$(count 'r.get("fault_effect") == "truncated"')" = 3 ] || fail "the truncations were not served"

fault slow '"faults": [{"match": {"api": "arm", "path_contains": "aks-tenant-c'$diag'"}, "action": "slow", "delay": 1.6}]'
sleep 0.8 # the server logs the slow request when its handler ends, after lzscan gave up on it
[ "$(count '"aks-tenant-c" in r["path"]')" -ge 2 ] || fail "the slow call was not retried"

fault toolarge '"faults": [{"match": {"api": "arg", "body_contains": "\"query\":\"resources |"}, "action": "too_large", "below_parts": 4, "count": 1000}]'
[ "$(count 'r["api"] == "arg" and "% 4) ==" in r.get("body", "")')" -ge 4 ] || fail "the query was not split in 4"

# The Resource Graph quota (2 queries per second) and the ARM bucket (5 reads, 20 per second):
# lzscan paces itself by the headers and its bucket, so the server never has to refuse.
LZSCAN_ARM_BUCKET=5:20 fault quota '"arg_quota": [2, 1.0], "arm_bucket": [5, 20.0]'
[ "$(count 'r.get("over_quota")')" = 0 ] || fail "requests were sent beyond the advertised quota"

# A token that dies after 10 requests (mid-scan): 401, refreshed once, the scan completes.
fault expiring '"expire_after_requests": 10'
[ "$(count 'r["api"] == "token" and r.get("status") == 200')" -ge 2 ] || fail "the token was not refreshed"
[ "$(count 'r.get("status") == 401')" -ge 1 ] || fail "no 401 was served"

# Tokens the server honours for 1 s only (revoked early, say; two slow pages make the scan last
# longer): each expiry costs one refresh. The slow pages are the resources query's second and
# third, which follow each other (the other tables' queries run alongside).
slow_pages='"faults": [{"match": {"api": "arg", "body_contains": "$skipToken"}, "action": "slow", "delay": 0.7,
                         "count": 2}]'
fault revoked '"token_lifetime": 1, '"$slow_pages"
[ "$(count 'r["api"] == "token" and r.get("status") == 200')" -ge 2 ] || fail "the token was not refreshed"

# A token valid for 301 s is refreshed 5 minutes before it expires (after 1 s here), before the
# server would refuse it.
fault refresh '"token_expires_in": 301, '"$slow_pages"
[ "$(count 'r["api"] == "token" and r.get("status") == 200')" -ge 2 ] || fail "the token was not refreshed early"
[ "$(count 'r.get("status") == 401')" = 0 ] || fail "a 401 was needed"
echo ok
