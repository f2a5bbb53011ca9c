#!/bin/sh
# README command 1: install what lzscan needs, build it, and scan the bundled
# drifted demo landing zone. The scan exits 1 because the demo has findings;
# that is the expected outcome, so this script reports it and exits 0.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
rc=0
build/lzscan scan --input fixtures/contoso-drifted "$@" || rc=$?
if [ "$rc" -eq 1 ]; then
    echo "(lzscan exited 1: the drifted demo has failing findings, as intended)" >&2
    exit 0
fi
exit "$rc"
