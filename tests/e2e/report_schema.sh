# The JSON report validates against the repository's schema, for every fixture.
. "$(dirname "$0")/e2e.inc"
for fx in contoso-compliant contoso-drifted fabrikam-export; do
    set +e
    "$LZSCAN" scan --input "$FIX/$fx" --format json --output "$TMP/$fx.json" 2>/dev/null
    set -e
    [ -s "$TMP/$fx.json" ] || fail "no report written for $fx"
done
python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP"/*.json ||
    fail "a report does not validate against output/schema/report.schema.json"
# Required finding fields (DESIGN §5).
python3 - "$TMP/contoso-drifted.json" <<'PY' || fail "findings lack required fields"
import json, sys
r = json.load(open(sys.argv[1]))
need = ["ruleId", "severity", "status", "resourceId", "resourceType", "subscriptionId", "message", "evidence", "fingerprint"]
assert r["findings"], "no findings"
for f in r["findings"]:
    missing = [k for k in need if k not in f]
    assert not missing, (f.get("ruleId"), missing)
for k in ["schemaVersion", "tool", "rulePack", "scan", "summary", "rules", "findings"]:
    assert k in r, k
PY
echo ok
