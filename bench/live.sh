#!/bin/sh
# bench/live.sh LZSCAN WORK [RESOURCES SUBSCRIPTIONS [COLLECT-OPTION...]]: live collection of a
# generated tenant from the fake ARM server (tests/fakearm/fakearm.py) with 50 ms added to every
# request and Azure's documented quotas (Resource Graph 15 queries per 5 s; ARM 250-token bucket
# refilled at 25/s per subscription). Prints the requests made against the minimum (first
# attempts, the documented formula), the wall time against the floor the quotas and the latency
# impose, where the time went (lzscan's manifest: when each API was busy, how much of the
# connections' capacity was used; the server's log: calls in flight over time, its service time
# and CPU), and the bytes Resource Graph and ARM returned. Extra arguments go to `lzscan collect`
# (e.g. --no-projection). Called by bench/run.sh --live; see docs/benchmarks.md.
set -eu
LZSCAN=$1
WORK=$2
N=${3:-10000}
S=${4:-20}
if [ $# -ge 4 ]; then shift 4; else set --; fi # what is left goes to lzscan collect
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
# the server's CPU time (utime + stime, clock ticks) before and after the collection
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
cpu0=$(cpu)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
set +e
/usr/bin/time -f '%e %M %U %S' -o "$WORK/time.collect" "$LZSCAN" collect --management-group root \
    --out "$WORK/live.ndjson" --quiet "$@" 2>"$WORK/err.collect"
rc=$?
set -e
cpu1=$(cpu)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "collect: exit $rc; wall, peak KiB, user, sys: $(tail -1 "$WORK/time.collect")"
[ "$rc" = 0 ] || { cat "$WORK/err.collect"; exit 1; }
sleep 0.2 # the server logs a request when its handler ends

python3 - "$STATE/requests.ndjson" "$WORK/live.ndjson" "$WORK/time.collect" "$cpu0" "$cpu1" \
    "$(getconf CLK_TCK)" <<'EOF'
import collections, json, math, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
man = json.loads(open(sys.argv[2]).readline())
wall = float(open(sys.argv[3]).read().split()[-4])
server_cpu = (float(sys.argv[5]) - float(sys.argv[4])) / float(sys.argv[6])
status = collections.Counter(r.get("status") for r in reqs)
api = collections.Counter(r.get("api") for r in reqs)
print("server saw %d requests %s, statuses %s" % (len(reqs), dict(api), dict(status)))
print("manifest requests %s, retries %s, throttled %s" % (man["requests"], man["retries"], man["throttled"]))
first = man["requests"]["total"] - man["retries"]
print("requests made %d vs minimum %d (first attempts: the documented formula); extra %d = %.1f%%, "
      "every 429 recovered: %s" % (len(reqs), first, len(reqs) - first, 100.0 * (len(reqs) - first) / first,
                                   man["complete"] and not man["gaps"]))

# Where the time went: lzscan's view, then the server's.
t, b = man.get("timings"), man.get("bytes")
if t:  # manifests before the instrumentation have neither
  print("lzscan: Resource Graph busy %.2f-%.2f s, ARM %.2f-%.2f s of %.2f s; connections used %.1f%% of "
      "%d x wall" % (t["resourceGraph"]["firstSent"], t["resourceGraph"]["lastAnswered"], t["arm"]["firstSent"],
                     t["arm"]["lastAnswered"], t["seconds"], 100 * t["connectionUtilisation"], t["connections"]))
  print("bytes received: Resource Graph %d, ARM %d (sent: %d, %d); projection used: %s" % (
    b["resourceGraph"]["received"], b["arm"]["received"], b["resourceGraph"]["sent"], b["arm"]["sent"],
    man.get("projection", {}).get("used")))
service = sorted(r["t"] - r["t0"] for r in reqs if "t0" in r)
t0 = min(r["t0"] for r in reqs)
end = max(r["t"] for r in reqs)
step = 0.01  # calls in flight at the server, every 10 ms
buckets = [0] * (int((end - t0) / step) + 2)
for r in reqs:
    for k in range(int((r["t0"] - t0) / step), int((r["t"] - t0) / step)):
        buckets[k] += 1
full = sum(1 for x in buckets if x >= 16) * step
last_full = max((k for k, x in enumerate(buckets) if x >= 16), default=0) * step
print("server: service time mean %.1f ms, median %.1f, p99 %.1f; CPU %.1f s in %.1f s (%.0f%% of one core); "
      "16 calls in flight for %.1f s, last at %.1f s of %.1f s" % (
          1000 * sum(service) / len(service), 1000 * service[len(service) // 2],
          1000 * service[int(len(service) * 0.99)], server_cpu, wall, 100 * server_cpu / wall, full, last_full,
          end - t0))

# The floor: lower bounds on the wall time, the largest of which no schedule can beat.
conns, lat = (t or {}).get("connections", 16), 0.05
req = man["requests"]
q = req["resourceGraph"]
per_sub = collections.Counter()
for r in reqs:
    if r.get("api") == "arm" and r.get("status") != 429:
        p = r.get("path", "").lower().split("/")
        per_sub[p[2] if len(p) > 2 and p[1] == "subscriptions" else ""] += 1
worst, n = per_sub.most_common(1)[0] if per_sub else ("", 0)
rc_pages = next(x["pages"] for x in man["queries"] if x["table"] == "resourcecontainers")
bounds = {
    "latency over the connections (%d requests x 50 ms / %d)" % (req["total"], conns): req["total"] * lat / conns,
    "dependency chain (token, %d container page(s), a resources page, a child list: each 50 ms)" % rc_pages:
        (req["token"] + rc_pages + 2) * lat,
    "ARM bucket of the busiest subscription ((%d - 250) / 25)" % n: max(0.0, (n - 250) / 25.0),
    "Resource Graph quota ((ceil(%d / 15) - 1) x 5)" % q: max(0, math.ceil(q / 15) - 1) * 5.0,
}
floor = max(bounds.values())
for k, v in bounds.items():
    print("floor bound: %-80s %6.2f s" % (k, v))
mean = sum(service) / len(service)
print("floor %.2f s (at the server's measured mean service time %.1f ms: %.2f s)" % (
    floor, 1000 * mean, max(floor, req["total"] * mean / conns)))
# The earlier derivation (docs/benchmarks.md before the overlap): Resource Graph then ARM.
additive = (max(max(0, math.ceil(q / 15) - 1) * 5.0, (q + req["token"]) * lat) +
            max(max(0.0, (n - 250) / 25.0), req["arm"] * lat / conns))
print("wall %.1f s vs floor %.2f s: %.2fx (target <= 1.25x); vs the additive floor %.1f s: %.2fx" % (
    wall, floor, wall / floor, additive, wall / additive))
EOF

# Calibration: what this server and machine allow with no client logic at all. The same ARM calls,
# in the order lzscan sent them, replayed by curl with 16 parallel connections (no pacing, no
# parsing), after 10 s for the ARM buckets to refill. Its wall time is the latency floor as this
# server, its TLS and this machine's load deliver it.
sleep 10
TOKEN=$(curl -s --cacert "$STATE/ca.pem" --noproxy 127.0.0.1 \
    -d "grant_type=client_credentials&client_id=$CLIENT_ID&client_secret=$SECRET&scope=https://127.0.0.1:$PORT/.default" \
    "https://127.0.0.1:$PORT/$TENANT/oauth2/v2.0/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
python3 - "$STATE/requests.ndjson" "$PORT" >"$WORK/replay.cfg" <<'PY'
import json, sys, urllib.parse
for r in map(json.loads, open(sys.argv[1])):
    if r["api"] == "arm":
        url = "https://127.0.0.1:%s%s?%s" % (sys.argv[2], urllib.parse.quote(r["path"]), r["query"])
        print('url = "%s"\noutput = "/dev/null"' % url)
PY
n=$(grep -c '^url' "$WORK/replay.cfg")
: >"$STATE/requests.ndjson"
echo "load average before the replay: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
curl -s --no-progress-meter --parallel --parallel-max 16 --noproxy 127.0.0.1 --cacert "$STATE/ca.pem" \
    -H "Authorization: Bearer $TOKEN" -K "$WORK/replay.cfg"
end=$(date +%s.%N)
sleep 0.2
python3 - "$STATE/requests.ndjson" "$start" "$end" "$n" "$WORK/time.collect" <<'PY'
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
wall = float(sys.argv[3]) - float(sys.argv[2])
lz = float(open(sys.argv[5]).read().split()[-4])
st = collections.Counter(r.get("status") for r in rows)
print("curl replay of the %s ARM calls, 16 connections: %.1f s (answered: %s; 429s: %d); lzscan's whole "
      "collection took %.1f s, %.2fx the replay" % (sys.argv[4], wall, dict(st), st.get(429, 0), lz, lz / wall))
PY
