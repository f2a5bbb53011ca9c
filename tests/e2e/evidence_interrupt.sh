#!/bin/sh
# Issue 9 item 6 for `lzscan evidence`: SIGINT, SIGTERM or SIGHUP while the bundle is being written
# leave DIR absent or whole (it appears by one rename), no DIR.tmp-* directory, and the --previous
# bundle untouched; an existing DIR is refused before the scan. The cases are in
# evidence_interrupt.py; the input is a generated tenant big enough for the bundle to take a
# while to write.
. "$(dirname "$0")/e2e.inc"

python3 "$FIX/synth/generate.py" --out "$TMP/tenant" --resources "${LZ_INTERRUPT_RESOURCES:-20000}" >/dev/null
LZSCAN_NOW=2026-07-01T00:00:00Z run 0 "$LZSCAN" evidence --input "$FIX/contoso-drifted" --out "$TMP/prev" --quiet
python3 "$E2E/evidence_interrupt.py" "$TMP/tenant" "$TMP/prev"
echo ok
