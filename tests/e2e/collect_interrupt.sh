#!/bin/sh
# Issue 9 item 6 for `lzscan collect`: SIGINT or SIGTERM mid-run stops collection promptly (calls in
# flight are cancelled), writes what was read as a snapshot marked "complete": false with
# "interrupted", atomically, and dies of the signal (130 / 143 in a shell); a scan of that snapshot
# exits 3 with coverage INCOMPLETE; a second signal kills at once and keeps the previous file; no
# temporary file is ever left. The cases are in collect_interrupt.py.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
use_secret
export LZSCAN_HTTP_TIMEOUT_MS=60000 # the scripted slow calls must hang, not time out

# Every ARM call (the child lists) takes 20 s; Resource Graph answers at once.
fakearm_start slowarm '{"client_secret": "'"$SECRET"'", "page_size": 20,
  "faults": [{"match": {"api": "arm"}, "action": "slow", "delay": 20, "count": 1000000}]}'
python3 "$E2E/collect_interrupt.py" after-scope "$STATE" "$TMP/offline.json"

# The scope query (the first Resource Graph call) takes 20 s.
fakearm_start slowscope '{"client_secret": "'"$SECRET"'",
  "faults": [{"match": {"api": "arg", "nth": 1}, "action": "slow", "delay": 20}]}'
python3 "$E2E/collect_interrupt.py" before-scope "$STATE"
echo ok
