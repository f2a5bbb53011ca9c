#!/bin/sh
# bench/pushdown.sh LZSCAN WORK: the bytes the projection pushdown saves. Collects the contoso
# fixture and a generated 10,000-resource tenant (20 subscriptions) from the fake ARM server
# (tests/fakearm/fakearm.py, which evaluates lzscan's KQL projection as Kusto does: kql.py), once
# projected and once with --no-projection, and prints the bytes of the Resource Graph and ARM
# response bodies (the manifest's `bytes`), the snapshot sizes and the request counts, which must
# be equal. No added latency: only bytes are measured here (bench/live.sh times a collection).
# See docs/benchmarks.md, "Pushdown".
set -eu
LZSCAN=$1
WORK=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
CLIENT_ID=11111111-2222-4333-8444-555555555555
SECRET='bench-secret-not-a-real-one'
mkdir -p "$WORK"
SYNTH="$WORK/live-tenant-10000-20" # shared with bench/live.sh
[ -f "$SYNTH/.done" ] || {
    PYTHONHASHSEED=0 python3 "$SRC/fixtures/synth/generate.py" --out "$SYNTH" --resources 10000 --subscriptions 20
    touch "$SYNTH/.done"
}
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy LZSCAN_ACCESS_TOKEN CI

# measure NAME FIXTURE TENANT MG
measure() {
    STATE="$WORK/pushdown-$1"
    rm -rf "$STATE"
    mkdir -p "$STATE"
    printf '{"tenant": "%s", "client_id": "%s", "client_secret": "%s"}\n' "$3" "$CLIENT_ID" "$SECRET" \
        >"$STATE/config.json"
    python3 -S "$SRC/tests/fakearm/fakearm.py" --fixture "$2" --state "$STATE" --config "$STATE/config.json" \
        2>"$STATE/server.err" &
    server=$!
    i=0
    while [ ! -f "$STATE/ports.json" ]; do
        i=$((i + 1))
        [ $i -lt 1200 ] || { cat "$STATE/server.err" >&2; kill $server; exit 1; }
        sleep 0.05
    done
    port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["https"])' "$STATE/ports.json")
    for mode in projected whole; do
        opt=""
        [ $mode = projected ] || opt=--no-projection
        NO_PROXY=127.0.0.1 LZSCAN_ARM_ENDPOINT="https://127.0.0.1:$port" AZURE_AUTHORITY_HOST="https://127.0.0.1:$port" \
            SSL_CERT_FILE="$STATE/ca.pem" AZURE_TENANT_ID="$3" AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_SECRET="$SECRET" \
            "$LZSCAN" collect --management-group "$4" --out "$STATE/$mode.ndjson" --quiet $opt ||
            { kill $server; exit 1; }
    done
    kill $server
    python3 - "$1" "$STATE/projected.ndjson" "$STATE/whole.ndjson" <<'EOF'
import json, os, sys
name, p, w = sys.argv[1], sys.argv[2], sys.argv[3]
mp, mw = (json.loads(open(f).readline()) for f in (p, w))
assert mp["projection"]["used"] and not mw["projection"]["used"]
assert mp["requests"] == mw["requests"], (mp["requests"], mw["requests"])
rp, rw = mp["bytes"]["resourceGraph"]["received"], mw["bytes"]["resourceGraph"]["received"]
ap, aw = mp["bytes"]["arm"]["received"], mw["bytes"]["arm"]["received"]
sp, sw = os.path.getsize(p), os.path.getsize(w)
qp = mp["bytes"]["resourceGraph"]["sent"] - mw["bytes"]["resourceGraph"]["sent"]
print("| %s | %d | %d | %s | %d | %d | %s | %d | %d |" % (
    name, mp["objects"], mp["requests"]["total"], "{:,} / {:,} ({:.0%})".format(rp, rw, rp / rw),
    ap, aw, "{:,} / {:,} ({:.0%})".format(rp + ap, rw + aw, (rp + ap) / (rw + aw)), qp,
    sp * 100 // sw))
EOF
}
echo "| tenant | objects | requests | Resource Graph bytes received, projected / whole | ARM bytes, projected | ARM bytes, whole | all bytes received | extra query bytes sent | snapshot size, % of whole |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
measure contoso "$SRC/fixtures/contoso-drifted" 7a1b0c2d-0000-4000-8000-000000000001 7a1b0c2d-0000-4000-8000-000000000001
measure synth-10000 "$SYNTH" 7a1b0c2d-0000-4000-8000-0000000000ff root

# The generated tenant's objects are lean (little beyond what the rules read). Real ARM objects
# carry more: apply the same projection (from the contoso manifest: same rule pack) to the example
# GET responses of azure-rest-api-specs in /work/shared/reference/arm-examples, one object per type.
EXAMPLES=${LZSCAN_ARM_EXAMPLES:-/work/shared/reference/arm-examples/specification}
[ -d "$EXAMPLES" ] && python3 - "$WORK/pushdown-contoso/projected.ndjson" "$EXAMPLES" <<'EOF2'
import glob, json, os, sys
proj = json.loads(open(sys.argv[1]).readline())["projection"]
keep, whole, drop = proj["propertiesKept"], set(proj["propertiesWhole"]), set(proj["columnsLeftOut"])
size = lambda o: len(json.dumps(o, separators=(",", ":")))
tw = tp = n = 0
for f in sorted(glob.glob(os.path.join(sys.argv[2], "**", "examples", "**", "*.json"), recursive=True)):
    body = json.load(open(f)).get("responses", {}).get("200", {}).get("body")
    t = (body or {}).get("type", "").lower()
    if not isinstance(body, dict) or t.count("/") != 1 or not isinstance(body.get("properties"), dict):
        continue  # one top-level resource per example (not lists, children or containers)
    p = dict(body)
    if t not in whole:
        k = set(keep["*"]) | set(keep.get(t, []))
        p["properties"] = {a: v for a, v in body["properties"].items() if a in k}
    for c in drop:
        p.pop(c, None)
    tw, tp, n = tw + size(body), tp + size(p), n + 1
print("| REST API spec examples (%d types, one GET body each) | %d | | %s | | | | | |" % (
    n, n, "{:,} / {:,} ({:.0%})".format(tp, tw, tp / tw)))
EOF2
