# Scans every fixture with an expected.json and compares the findings.
. "$(dirname "$0")/e2e.inc"

run 0 "$LZSCAN" scan --input "$FIX/contoso-compliant" --format json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); f=[x for x in r["findings"] if x["status"]=="fail"]; sys.exit(1 if f else 0)' "$TMP/out" ||
    fail "contoso-compliant has failing findings"
python3 "$E2E/compare_expected.py" "$TMP/out" "$FIX/contoso-compliant/expected.json" || fail "contoso-compliant differs from expected.json"

run 1 "$LZSCAN" scan --input "$FIX/contoso-drifted" --format json
python3 "$E2E/compare_expected.py" "$TMP/out" "$FIX/contoso-drifted/expected.json" || fail "contoso-drifted differs from expected.json"

# An export written by someone else: az graph query output, lower-case types,
# mixed-case values, ARM-cased diagnostic settings from the az CLI.
run 1 "$LZSCAN" scan --input "$FIX/fabrikam-export" --format json
python3 "$E2E/compare_expected.py" "$TMP/out" "$FIX/fabrikam-export/expected.json" || fail "fabrikam-export differs from expected.json"

# A second independent export, written for the full pack from the catalog alone (with the operator's
# profile naming the central workspace).
run 1 "$LZSCAN" scan --input "$FIX/northwind-export" --profile "$FIX/northwind-export/northwind.profile.yaml" \
    --format json
python3 "$E2E/compare_expected.py" "$TMP/out" "$FIX/northwind-export/expected.json" || fail "northwind-export differs from expected.json"

# Input order must not change the result (files given one by one, reversed).
files=$(find "$FIX/contoso-drifted" \( -name '*.json' -o -name '*.ndjson' \) ! -name expected.json | sort -r)
args=""
for f in $files; do args="$args --input $f"; done
# shellcheck disable=SC2086
"$LZSCAN" scan $args --format json >"$TMP/reversed.json" 2>/dev/null || true
python3 "$E2E/compare_expected.py" "$TMP/reversed.json" "$FIX/contoso-drifted/expected.json" || fail "reversed input order changed the findings"
echo ok
