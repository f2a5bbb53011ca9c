#!/bin/sh
# bench/live.sh LZSCAN WORK [RESOURCES SUBSCRIPTIONS]: live collection of a generated tenant from
# the fake ARM server (tests/fakearm/fakearm.py) with 50 ms added to every request and Azure's
# documented quotas (Resource Graph 15 queries per 5 s; ARM 250-token bucket refilled at 25/s per
# subscription). Prints the requests made against the minimum (first attempts, the documented
# formula) and the wall time against the floor the quotas and the latency impose. Called by
# bench/run.sh --live; see docs/benchmarks.md.
set -eu
LZSCAN=$1
WORK=$2
N=${3:-10000}
S=${4:-20}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TENANT=7a1b0c2d-0000-4000-8000-0000000000ff # generate.py's
CLIENT_ID=11111111-2222-4333-8444-555555555555
SECRET='bench-secret-not-a-real-one'
DIR="$WORK/live-tenant-$N-$S"
STATE="$WORK/live-state"
[ -f "$DIR/.done" ] || {
    PYTHONHASHSEED=0 python3 "$SRC/fixtures/synth/generate.py" --out "$DIR" --resources "$N" --subscriptions "$S"
    touch "$DIR/.done"
}
rm -rf "$STATE"
mkdir -p "$STATE"
cat >"$STATE/config.json" <<EOF
{"tenant": "$TENANT", "client_id": "$CLIENT_ID", "client_secret": "$SECRET",
 "arg_quota": [15, 5.0], "arm_bucket": [250, 25.0],
 "faults": [{"action": "slow", "delay": 0.05, "count": 1000000000}]}
EOF
python3 -S "$SRC/tests/fakearm/fakearm.py" --fixture "$DIR" --state "$STATE" --config "$STATE/config.json" \
    2>"$STATE/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
i=0
while [ ! -f "$STATE/ports.json" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { cat "$STATE/server.err" >&2; echo "fake ARM server did not start" >&2; exit 1; }
    sleep 0.05
done
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$STATE/ports.json")
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy LZSCAN_ACCESS_TOKEN CI
export NO_PROXY=127.0.0.1,localhost LZSCAN_ARM_ENDPOINT="https://127.0.0.1:$PORT" \
    AZURE_AUTHORITY_HOST="https://127.0.0.1:$PORT" SSL_CERT_FILE="$STATE/ca.pem" \
    AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_SECRET="$SECRET"
set +e
/usr/bin/time -f '%e %M %U %S' -o "$WORK/time.collect" "$LZSCAN" collect --management-group root \
    --out "$WORK/live.ndjson" --quiet 2>"$WORK/err.collect"
rc=$?
set -e
echo "collect: exit $rc; wall, peak KiB, user, sys: $(tail -1 "$WORK/time.collect")"
[ "$rc" = 0 ] || { cat "$WORK/err.collect"; exit 1; }

python3 - "$STATE/requests.ndjson" "$WORK/live.ndjson" "$WORK/time.collect" <<'EOF'
import collections, json, math, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
man = json.loads(open(sys.argv[2]).readline())
wall = float(open(sys.argv[3]).read().split()[-4])
status = collections.Counter(r.get("status") for r in reqs)
api = collections.Counter(r.get("api") for r in reqs)
throttled = sum(1 for r in reqs if r.get("status") == 429)
print("server saw %d requests %s, statuses %s" % (len(reqs), dict(api), dict(status)))
print("manifest requests %s, retries %s, throttled %s" % (man["requests"], man["retries"], man["throttled"]))
first = man["requests"]["total"] - man["retries"]
print("requests made %d vs minimum %d (first attempts: the documented formula); extra %d = %.1f%%, "
      "every 429 recovered: %s" % (len(reqs), first, len(reqs) - first, 100.0 * (len(reqs) - first) / first,
                                   man["complete"] and not man["gaps"]))
# The floor. ARG: the first 15 queries are free, then 15 per 5 s. ARM: per subscription, 250 free
# then 25/s; subscriptions drain in parallel, so the slowest one bounds the phase. Latency: every
# request takes >= 50 ms and at most 16 are in flight (LZSCAN_MAX_CONNECTIONS).
q = man["requests"]["resourceGraph"]
arg_floor = max(0, math.ceil(q / 15) - 1) * 5.0
per_sub = collections.Counter()
for r in reqs:
    if r.get("api") == "arm" and r.get("status") != 429:
        p = r.get("path", "").lower().split("/")
        per_sub[p[2] if len(p) > 2 and p[1] == "subscriptions" else ""] += 1
worst, n = per_sub.most_common(1)[0] if per_sub else ("", 0)
arm_quota = max(0.0, (n - 250) / 25.0)
arm_lat = man["requests"]["arm"] * 0.05 / 16
arg_lat = (q + man["requests"]["token"]) * 0.05
floor = max(arg_floor, arg_lat) + max(arm_quota, arm_lat)
print("floor: Resource Graph max(quota (ceil(%d/15)-1)*5 = %.1f s, latency %d*0.05 = %.2f s) + ARM max("
      "bucket (%d-250)/25 = %.1f s for the busiest of %d subscriptions, latency %d*0.05/16 = %.1f s) = %.1f s"
      % (q, arg_floor, q + man["requests"]["token"], arg_lat, n, arm_quota, len(per_sub), man["requests"]["arm"],
         arm_lat, floor))
print("wall %.1f s vs floor %.1f s: %.2fx (target <= 1.25x)" % (wall, floor, wall / floor if floor else 0))
EOF
