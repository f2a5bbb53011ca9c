#!/bin/sh
# bench/run.sh - lzscan's scale benchmarks (issue 8). Not a ctest test: the figures depend on the
# machine and its load, so this prints them (and a Markdown table) instead of asserting times.
# The one thing it enforces is the memory target: the 1M-resource scan must stay within 2 GiB
# peak RSS (exit 1 otherwise).
#
# usage: bench/run.sh [--sizes "100000 1000000"] [--work DIR] [--build DIR] [--live] [--wide] [--no-jq]
#
#   --sizes   resource counts to scan (subscriptions = resources / 500); default 100000 1000000
#   --work    where generated tenants and outputs go (default /tmp/lzscan-bench; 1M needs 1.1 GB)
#   --build   a Release build directory (configured and built here if it has no lzscan)
#   --live    also collect a 10,000-resource tenant from the fake ARM server with 50 ms latency and
#             Azure's quotas (Resource Graph 15 per 5 s, ARM 250 + 25/s per subscription)
#   --wide    also scan 1,000,000 resources in 10,000 subscriptions (1.1 GB more under --work):
#             the number of subscriptions must not make the scan superlinear
#   --no-jq   skip the jq baseline
#
# Needs python3, jq (Debian's 1.6), GNU time (/usr/bin/time), cmake. See docs/benchmarks.md.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
SIZES="100000 1000000"
WORK=/tmp/lzscan-bench
BUILD="$SRC/build-bench"
LIVE=0
WIDE=0
JQ=1
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --live) LIVE=1; shift ;;
    --wide) WIDE=1; shift ;;
    --no-jq) JQ=0; shift ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$WORK"
LZSCAN="$BUILD/lzscan"
if [ ! -x "$LZSCAN" ]; then
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target lzscan >/dev/null
fi
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
: >"$WORK/counts.tsv"
# Python randomises str hashes per process; the generator must give the same bytes every run.
export PYTHONHASHSEED=0

# gen N [SUBS]: a tenant of N resources in $WORK/tenant-N, or with SUBS subscriptions
# (default N/500, at least 20) in $WORK/tenant-N-SUBS (kept between runs: 1M takes ~45 s).
gen() {
    dir="$WORK/tenant-$1${2:+-$2}"
    subs=${2:-$(($1 / 500))}
    [ "$subs" -ge 20 ] || subs=20
    if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/.done")" != "$1 $subs" ]; then
        rm -rf "$dir"
        python3 "$SRC/fixtures/synth/generate.py" --out "$dir" --resources "$1" --subscriptions "$subs"
        echo "$1 $subs" >"$dir/.done"
    fi
    echo "$dir"
}

# timed NAME CMD...: runs CMD under GNU time; records "NAME seconds peak-KiB exit".
timed() {
    name=$1
    shift
    set +e
    /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.$name" "$@" >"$WORK/out.$name" 2>"$WORK/err.$name"
    rc=$?
    set -e
    printf '%s\t%s\t%s\n' "$name" "$(tail -1 "$WORK/time.$name" | tr ' ' '\t')" "$rc" >>"$RESULTS"
    printf '%-16s wall %7ss  peak %8s KiB  user %7ss  sys %6ss  exit %s\n' "$name" $(tail -1 "$WORK/time.$name") \
        "$rc" >&2
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for n in $SIZES; do
    dir=$(gen "$n")
    # exit 1 = failing findings, the expected outcome on a tenant with drift
    timed "scan-$n" "$LZSCAN" scan --input "$dir" --format json --output "$WORK/report-$n.json" --quiet
    # The representative rule in lzscan's own report, to check jq's answer against.
    python3 - "$WORK/report-$n.json" "$n" >>"$WORK/counts.tsv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
fails = sum(1 for f in r["findings"] if f["ruleId"] == "AIHUB-NET-001" and f["status"] == "fail")
print("%s\t%d\t%d" % (sys.argv[2], len(r["findings"]), fails))
EOF
    if [ "$JQ" = 1 ]; then
        # One rule (AIHUB-NET-001's check) over the same Resource Graph pages, one jq process.
        timed "jq-$n" jq -c '.data[] | select(.type=="microsoft.cognitiveservices/accounts" and
            ((.properties.publicNetworkAccess // "") | ascii_downcase) != "disabled") | .id' \
            "$dir"/resources/page-*.json
        echo "jq-$n: $(wc -l <"$WORK/out.jq-$n") AI accounts not Disabled;" \
            "lzscan AIHUB-NET-001 fails: $(tail -1 "$WORK/counts.tsv" | cut -f3)" >&2
    fi
done

if [ "$WIDE" = 1 ]; then
    # The same million resources over 10,000 subscriptions (5x as many as the default).
    dir=$(gen 1000000 10000)
    timed "scan-wide" "$LZSCAN" scan --input "$dir" --format json --output "$WORK/report-wide.json" --quiet
fi

if [ "$LIVE" = 1 ]; then
    sh "$SRC/bench/live.sh" "$LZSCAN" "$WORK" >&2
fi

# The table, ratios and the memory target.
python3 - "$RESULTS" "$SIZES" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, secs, kib, usr, sys_, rc = line.rstrip("\n").split("\t")
    rows[name] = (float(secs), int(kib), int(rc), float(usr) + float(sys_))
sizes = [int(s) for s in sys.argv[2].split()]
# CPU = user + sys: on a shared machine the wall time includes waiting for a core.
print("| run | wall s | CPU s | peak RSS MiB | resources/s (wall) | resources/s (CPU) |")
print("|---|---:|---:|---:|---:|---:|")
for n in sizes:
    for kind in ("scan", "jq"):
        k = "%s-%d" % (kind, n)
        if k in rows:
            s, kib, _, cpu = rows[k]
            print("| %s | %.2f | %.2f | %.0f | %.0f | %.0f |" % (k, s, cpu, kib / 1024, n / s if s else 0,
                                                              n / cpu if cpu else 0))
if "scan-wide" in rows:
    s, kib, _, cpu = rows["scan-wide"]
    print("| scan-1000000, 10,000 subscriptions | %.2f | %.2f | %.0f | %.0f | %.0f |" % (
        s, cpu, kib / 1024, 1e6 / s if s else 0, 1e6 / cpu if cpu else 0))
bad = 0
for n in sizes:
    if "scan-%d" % n in rows and "jq-%d" % n in rows:
        a, b = rows["scan-%d" % n], rows["jq-%d" % n]
        print("ratio lzscan-full-pack / jq-one-rule at %d: wall %.2f, CPU %.2f" % (n, a[0] / b[0], a[3] / b[3]))
if 100000 in sizes and 1000000 in sizes:
    a, b = rows["scan-100000"], rows["scan-1000000"]
    print("growth 1M/100k: wall %.2fx, CPU %.2fx, memory %.2fx" % (b[0] / a[0], b[3] / a[3], b[1] / a[1]))
if "scan-wide" in rows:
    s, kib, rc, cpu = rows["scan-wide"]
    if "scan-1000000" in rows:
        a = rows["scan-1000000"]
        print("10,000 / 2,000 subscriptions at 1M: wall %.2fx, CPU %.2fx, memory %.2fx" % (
            s / a[0], cpu / a[3], kib / a[1]))
    if rc not in (0, 1):
        print("scan-wide exited %d" % rc); bad = 1
if "scan-1000000" in rows:
    s, kib, rc, _ = rows["scan-1000000"]
    if rc not in (0, 1):
        print("scan-1000000 exited %d" % rc); bad = 1
    if kib > 2 * 1024 * 1024:
        print("MEMORY TARGET MISSED: %.0f MiB > 2048 MiB" % (kib / 1024)); bad = 1
    print("1M targets: time %s (%.1f s vs 30 s), memory %s (%.0f MiB vs 2048 MiB)" % (
        "met" if s <= 30 else "MISSED", s, "met" if kib <= 2 << 20 else "MISSED", kib / 1024))
sys.exit(bad)
EOF
