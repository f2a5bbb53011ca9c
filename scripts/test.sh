#!/bin/sh
# README command 2: install what lzscan needs, then build and run the whole
# test suite twice: a -Werror build (with valgrind memcheck), and an
# AddressSanitizer + UndefinedBehaviorSanitizer build; then replay the fuzz
# regressions and fuzz every target for a bounded time (tests/fuzz/run.sh;
# FUZZ_SECONDS=0 only replays, the default is 20 s per target).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)

echo "== build (-Werror) and test"
BUILD_DIR=build ./scripts/build.sh -DLZSCAN_WERROR=ON -DLZSCAN_SANITIZE=OFF
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build with ASan + UBSan and test"
BUILD_DIR=build-asan ./scripts/build.sh -DLZSCAN_WERROR=ON -DLZSCAN_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")

echo "== fuzz (libFuzzer with ASan + UBSan, bounded)"
./tests/fuzz/run.sh
