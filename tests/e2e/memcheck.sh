# valgrind memcheck over end-to-end scans: no memory errors and no
# definitely-lost bytes (exit 99 from valgrind otherwise).
#
# Runs against the normal build only: an ASan-instrumented lzscan cannot run
# under valgrind (the ASan suite checks the same things its own way), so the
# test skips itself there (ctest shows it as skipped, exit 77).
#
# TODO(live): add `lzscan collect` and a live `lzscan scan` against the fake
# ARM server (tests/fakearm) here once the live engineer's e2e harness can
# start it from a test script; the same valgrind options apply.
. "$(dirname "$0")/e2e.inc"

if ldd "$LZSCAN" 2>/dev/null | grep -q 'libasan' || nm "$LZSCAN" 2>/dev/null | grep -q '__asan_init'; then
    echo "skipped: $LZSCAN is built with AddressSanitizer; valgrind cannot run it (the ASan run covers it)"
    exit 77
fi
if ! command -v valgrind >/dev/null; then
    echo "skipped: valgrind is not installed (scripts/setup.sh installs it)"
    exit 77
fi

# vg EXPECTED_EXIT ARGS...: lzscan under memcheck; 99 means memcheck found errors.
vg() {
    want=$1
    shift
    set +e
    valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --num-callers=30 "$LZSCAN" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    if [ "$got" -eq 99 ]; then
        cat "$TMP/err" >&2
        fail "memcheck found errors or leaks in: lzscan $*"
    fi
    [ "$got" -eq "$want" ] || { tail -20 "$TMP/err" >&2; fail "lzscan $* exited $got under valgrind, expected $want"; }
    echo "memcheck clean: lzscan $*"
}

vg 1 scan --input "$FIX/contoso-drifted" --format json
vg 1 scan --input "$FIX/contoso-drifted" --format text
vg 1 scan --input "$FIX/contoso-drifted" --format json --output "$TMP/report.json"
vg 1 scan --input "$FIX/fabrikam-export"
vg 1 scan --input "$FIX/fabrikam-export" --format json
# Hostile data and the error paths free what they allocated too.
vg 1 scan --input "$FIX/hostile" --format json
vg 2 scan --input "$FIX/contoso-drifted" --profile "$TMP/missing-profile.yaml"
printf '[{"id": "/subscriptions/s", "type": tru}]' >"$TMP/bad.json"
vg 2 scan --input "$TMP/bad.json"
vg 0 rules list --format json
vg 0 rules lint "$LZ_SOURCE_DIR/rules/builtin"
# Renderers and options that other modules add, when this lzscan has them.
help=$("$LZSCAN" scan --help)
if echo "$help" | grep -q -- "--format" && echo "$help" | grep -- "--format" | grep -qw sarif; then
    vg 1 scan --input "$FIX/contoso-drifted" --format sarif
fi
if echo "$help" | grep -q -- "--exemptions"; then
    cat >"$TMP/exemptions.yaml" <<'Y'
exemptions:
  - rules: [AIHUB-NET-*]
    selector: {resourceIdRegex: "(x+x+)+y", resourceGroup: "*"}
    justification: memcheck
    owner: o@example.com
    ticket: T-1
    expires: 2099-12-31
  - rules: [AIHUB-GOV-001]
    selector: {resourceId: "/subscriptions/*"}
    justification: expired
    owner: o@example.com
    ticket: T-2
    expires: 2020-01-01
Y
    vg 1 scan --input "$FIX/contoso-drifted" --exemptions "$TMP/exemptions.yaml" --format json
fi
if echo "$help" | grep -q -- "--baseline"; then
    vg 1 scan --input "$FIX/contoso-drifted" --format json --output "$TMP/base.json"
    vg 1 scan --input "$FIX/contoso-drifted" --baseline "$TMP/base.json" --format json
fi
if "$LZSCAN" evidence --help >/dev/null 2>&1; then
    export LZSCAN_NOW=2026-01-01
    vg 0 evidence --input "$FIX/contoso-drifted" --out "$TMP/bundle"
fi
echo ok
