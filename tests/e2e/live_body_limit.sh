#!/bin/sh
# Issue 9 (limits): a response body over the 64 MiB limit fails that call with a message naming
# the call and the limit, never libcurl's generic write error, and is never taken as data: on an
# ARM list it is a named coverage gap (exit 3), the call is not retried, and a paged call's
# $skipToken value stays out of the message; on the token endpoint the run stops (exit 2).
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

use_secret
LIMIT='response body exceeds the 64 MiB limit'
KV_DIAG='kv-tenant-a-01/providers/Microsoft.Insights/diagnosticSettings'

# One child list answers 64 MiB + 1 byte of (valid) JSON: a gap naming the call and the limit.
fakearm_start list '{"client_secret": "'"$SECRET"'", "faults": [
  {"match": {"api": "arm", "path_contains": "'$KV_DIAG'"}, "action": "oversize"}]}'
run 3 "$LZSCAN" collect --out "$TMP/snap.ndjson"
contains "$TMP/err" "coverage gap: GET /subscriptions/[^ ]*/$KV_DIAG?api-version=[0-9a-z-]*: $LIMIT"
grep -q "Failure writing" "$TMP/err" && fail "libcurl's generic write error leaked through"
[ "$(manifest "$TMP/snap.ndjson" 'len(m["gaps"])')" = 1 ] || fail "expected exactly one gap"
[ "$(manifest "$TMP/snap.ndjson" '"'"$LIMIT"'" in m["gaps"][0]["reason"]')" = True ] || fail "the gap does not name the limit"
[ "$(manifest "$TMP/snap.ndjson" 'm["gaps"][0]["type"]')" = microsoft.insights/diagnosticsettings ] || fail "gap type"
[ "$(requests 'r.get("fault") == "oversize"')" = 1 ] || fail "the oversized call was retried (or never made)"

# Exactly at the limit is fine: the same list answers 64 MiB of JSON and the run is complete.
fakearm_start atlimit '{"client_secret": "'"$SECRET"'", "faults": [
  {"match": {"api": "arm", "path_contains": "'$KV_DIAG'"}, "action": "oversize", "bytes": 67108864}]}'
run 0 "$LZSCAN" collect --out "$TMP/full.ndjson" --quiet
[ "$(manifest "$TMP/full.ndjson" 'len(m["gaps"])')" = 0 ] || fail "a body at the limit was refused"

# The second page of a paged list (its nextLink carries $skiptoken): the message keeps the
# parameter's name but not its value.
fakearm_start paged '{"client_secret": "'"$SECRET"'", "child_page_size": 1, "faults": [
  {"match": {"api": "arm", "path_contains": "law-central/tables", "nth": 2}, "action": "oversize"}]}'
run 3 "$LZSCAN" collect --out "$TMP/paged.ndjson"
contains "$TMP/err" "coverage gap: GET /subscriptions/[^ ]*/law-central/tables?api-version=[0-9a-z-]*&%24skiptoken=\.\.\.: $LIMIT"
grep -q 'skiptoken=[0-9]' "$TMP/err" && fail "the \$skiptoken value is in the message"

# The token endpoint answering 64 MiB + 1: no credential, exit 2, the call and the limit named.
fakearm_start token '{"client_secret": "'"$SECRET"'", "faults": [{"match": {"api": "token"}, "action": "oversize"}]}'
run 2 "$LZSCAN" collect --out "$TMP/token.ndjson"
contains "$TMP/err" "POST /$TENANT/oauth2/v2.0/token: $LIMIT"
[ ! -e "$TMP/token.ndjson" ] || fail "a snapshot was written without a credential"
echo ok
