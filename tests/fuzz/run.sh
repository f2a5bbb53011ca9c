#!/bin/sh
# Builds the libFuzzer targets with clang (ASan + UBSan) in their own build
# directory, replays every kept regression input, then fuzzes each target for
# a bounded time. Exits 1 if any target crashed, leaked or broke an oracle,
# naming the target and where its crashing input was saved.
#
#   tests/fuzz/run.sh [TARGET ...]      default: every target that was built
#
# Environment:
#   FUZZ_SECONDS     fuzzing time per target (default 20; 0 = replay only)
#   FUZZ_JOBS        targets fuzzed at once (default: number of CPUs, max 4)
#   FUZZ_BUILD_DIR   build directory (default build-fuzz)
#   FUZZ_RSS_MB      per-target memory limit (default 2048)
#
# Seeds are read from tests/fuzz/corpus/TARGET and never written; what the
# fuzzer finds goes to FUZZ_BUILD_DIR/corpus/TARGET, which persists between
# runs (delete it for a clean start). To keep a crash as a regression, copy
# it to tests/fuzz/regressions/TARGET/ with a name saying what it was.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$src/build-fuzz}
secs=${FUZZ_SECONDS:-20}
rss=${FUZZ_RSS_MB:-2048}
jobs=${FUZZ_JOBS:-$(nproc)}
[ "$jobs" -gt 4 ] && jobs=4

command -v clang >/dev/null || { echo "fuzz: clang is not installed (scripts/setup.sh)" >&2; exit 2; }

echo "fuzz: building the targets in $build (clang, libFuzzer, ASan + UBSan)"
CC=clang cmake -S "$src" -B "$build" -DLZSCAN_FUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; echo "fuzz: configure failed" >&2; exit 2; }
cmake --build "$build" -j"$(nproc)" >"$build.build.log" 2>&1 ||
    { tail -50 "$build.build.log" >&2; echo "fuzz: build failed" >&2; exit 2; }

if [ $# -gt 0 ]; then
    targets=$*
else
    targets=$(cd "$build/fuzz" && ls fuzz_* 2>/dev/null | sort)
fi
[ -n "$targets" ] || { echo "fuzz: no targets were built" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs="$build/logs"
mkdir -p "$logs"

dict_for() {
    case $1 in
    fuzz_ingest | fuzz_render | fuzz_jpath | fuzz_baseline) echo "-dict=$here/dict/json.dict" ;;
    fuzz_rules | fuzz_profile | fuzz_exempt) echo "-dict=$here/dict/yaml.dict" ;;
    fuzz_http_lines) echo "-dict=$here/dict/http.dict" ;;
    fuzz_tui_filter) echo "-dict=$here/dict/regex.dict" ;;
    *) echo "" ;;
    esac
}

# replay TARGET: runs every kept regression input once.
replay() {
    t=$1
    dir="$here/regressions/$t"
    [ -d "$dir" ] || return 0
    files=$(find "$dir" -type f ! -name '*.md' | sort)
    [ -n "$files" ] || return 0
    # shellcheck disable=SC2086
    if ! "$build/fuzz/$t" -rss_limit_mb="$rss" -timeout=30 $files >"$logs/$t.replay.log" 2>&1; then
        echo "FUZZ FAIL: $t: a regression input in tests/fuzz/regressions/$t crashes again" >&2
        grep -E "Running:|ERROR|runtime error|invariant|SUMMARY" "$logs/$t.replay.log" | tail -8 >&2
        return 1
    fi
    echo "fuzz: $t: $(echo "$files" | wc -l) regression inputs replayed, ok"
}

# fuzz TARGET: bounded fuzzing from the seeds plus what earlier runs found.
fuzz() {
    t=$1
    corpus="$build/corpus/$t"
    art="$build/artifacts/$t/"
    mkdir -p "$corpus" "$art"
    seeds="$here/corpus/$t"
    [ -d "$seeds" ] || seeds=""
    # shellcheck disable=SC2046,SC2086
    if "$build/fuzz/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb="$rss" -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$art" $(dict_for "$t") "$corpus" $seeds \
        >"$logs/$t.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log" | tail -1)
        echo "fuzz: $t: ${runs:-?} execs in ${secs}s (${rate:-?}/s), ok"
        return 0
    fi
    crash=$(ls -t "$art" 2>/dev/null | head -1)
    echo "FUZZ FAIL: $t: crash or broken invariant; input saved as $art$crash" >&2
    grep -E "ERROR|runtime error|invariant|SUMMARY" "$logs/$t.log" | head -8 >&2
    echo "  reproduce: $build/fuzz/$t $art$crash   (full log: $logs/$t.log)" >&2
    return 1
}

failed=""
for t in $targets; do
    [ -x "$build/fuzz/$t" ] || { echo "FUZZ FAIL: $t: no such target" >&2; failed="$failed $t"; continue; }
    replay "$t" || failed="$failed $t"
done

if [ "$secs" -gt 0 ]; then
    echo "fuzz: fuzzing each target for ${secs}s, $jobs at a time"
    # A simple job pool: at most $jobs targets run at once; each records its
    # verdict in a file so the pool needs no shared state.
    running=0
    for t in $targets; do
        [ -x "$build/fuzz/$t" ] || continue
        (if fuzz "$t"; then v=ok; else v=fail; fi; echo "$v" >"$logs/$t.verdict") &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait
            running=0
        fi
    done
    wait
    for t in $targets; do
        [ -f "$logs/$t.verdict" ] || continue
        [ "$(cat "$logs/$t.verdict")" = ok ] || failed="$failed $t"
        rm -f "$logs/$t.verdict"
    done
fi

if [ -n "$failed" ]; then
    echo "FUZZ FAIL: targets that failed:$failed" >&2
    exit 1
fi
echo "fuzz: all targets passed"
