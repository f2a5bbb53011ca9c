# Exemptions as code (--exemptions, docs/exemptions.md): a matching one
# exempts (SARIF suppression, `exempt` in JSON, counted apart from fail); an
# expired one does not and warns (stderr and report); expiry ends with the
# last second of the day, judged at LZSCAN_NOW; a malformed or incomplete one
# is exit 2 naming file:line:column. The exempted finding is taken from the
# run's own JSON report, so new rules do not break the test.
. "$(dirname "$0")/e2e.inc"
D="$FIX/contoso-drifted"
set +e
"$LZSCAN" scan --input "$D" --json "$TMP/d.json" 2>/dev/null
set -e
python3 - "$TMP/d.json" "$TMP/ex.yaml" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["findings"] if x["status"] == "fail"][0]
open(sys.argv[2] + ".target", "w").write("%s %s %s\n" % (f["ruleId"], f["fingerprint"], f["resourceId"]))
# The shape the TUI writes: double-quoted values, a plain date.
open(sys.argv[2], "w").write("""# accepted risk
exemptions:
  - rules: [%s]
    selector:
      resourceId: "%s"
    justification: "Vendor integration needs it until Q4; compensating WAF rule in place."
    owner: "jane.doe@contoso.com"
    ticket: "SEC-1234"
    expires: 2026-12-31
""" % (f["ruleId"], f["resourceId"].upper()))
PY
read -r RULE FP RES <"$TMP/ex.yaml.target"

# check_exempt FILE.json yes|no
check_exempt() {
    python3 - "$1" "$FP" "$2" "$TMP/d.json" <<'PY' || fail "exempt status in $1 (want $2)"
import json, sys
r, base = json.load(open(sys.argv[1])), json.load(open(sys.argv[4]))
f = [x for x in r["findings"] if x["fingerprint"] == sys.argv[2]][0]
b, s = base["summary"]["byStatus"], r["summary"]["byStatus"]
if sys.argv[3] == "yes":
    assert f["status"] == "exempt", f["status"]
    assert f["exemption"]["ticket"] == "SEC-1234" and f["exemption"]["expires"] == "2026-12-31"
    assert f["exemption"]["source"].endswith("ex.yaml:3:5"), f["exemption"]
    assert s["exempt"] == b["exempt"] + 1 and s["fail"] == b["fail"] - 1, (s, b)
    assert r["exemptions"]["entries"][0]["state"] == "active" and r["exemptions"]["entries"][0]["matched"] == 1
else:
    assert f["status"] == "fail" and "exemption" not in f, f
    assert s == b, (s, b)
    assert r["exemptions"]["entries"][0]["state"] == "expired" and r["exemptions"]["entries"][0]["matched"] == 1
    assert any("expired on 2026-12-31" in n for n in r["scan"]["notes"]), r["scan"]["notes"]
PY
}

# Active: the id matches case-insensitively; SARIF carries the suppression.
run 1 env LZSCAN_NOW=2026-06-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml" --json "$TMP/a.json" --sarif "$TMP/a.sarif"
check_exempt "$TMP/a.json" yes
[ ! -s "$TMP/err" ] || { cat "$TMP/err" >&2; fail "warnings for an active exemption"; }
python3 - "$TMP/a.sarif" "$FP" <<'PY' || fail "no suppression in SARIF"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"][0]["results"]
r = [x for x in rs if x["partialFingerprints"]["primaryLocationLineHash"] == sys.argv[2]][0]
s = r["suppressions"]
assert s == [{"kind": "external", "status": "accepted",
              "justification": "Vendor integration needs it until Q4; compensating WAF rule in place.",
              "properties": s[0]["properties"]}], s
assert s[0]["properties"]["owner"] == "jane.doe@contoso.com" and s[0]["properties"]["expires"] == "2026-12-31"
assert r["properties"]["status"] == "exempt"
assert sum(1 for x in rs if "suppressions" in x) == 1
PY
python3 "$E2E/validate_sarif.py" "$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json" "$TMP/a.sarif" || fail "SARIF with a suppression"

# --omit-suppressed leaves it out of SARIF (GitHub ignores suppressions).
run 1 env LZSCAN_NOW=2026-06-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml" --format sarif --omit-suppressed
python3 -c 'import json,sys; rs=json.load(open(sys.argv[1]))["runs"][0]["results"]; assert all(r["partialFingerprints"]["primaryLocationLineHash"]!=sys.argv[2] for r in rs) and all("suppressions" not in r for r in rs)' \
    "$TMP/out" "$FP" || fail "--omit-suppressed kept the exempt result"

# The last second of the expiry day still counts (offsets applied); the
# next one does not.
for now in 2026-12-31T23:59:59Z 2027-01-01T00:30:00+01:00 2026-12-31; do
    run 1 env LZSCAN_NOW=$now "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml" --json "$TMP/b.json"
    check_exempt "$TMP/b.json" yes
done
for now in 2027-01-01T00:00:00Z 2027-01-01 2030-05-01T10:00:00.5Z; do
    run 1 env LZSCAN_NOW=$now "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml" --json "$TMP/x.json" --markdown "$TMP/x.md"
    check_exempt "$TMP/x.json" no
    contains "$TMP/err" "warning: exemption $TMP/ex.yaml:3:5 (owner jane.doe@contoso.com, ticket SEC-1234) expired on 2026-12-31"
    contains "$TMP/x.md" "expired on 2026"
done
# -q silences the warning but not the report.
run 1 env LZSCAN_NOW=2027-01-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml" --json "$TMP/x.json" -q
[ ! -s "$TMP/err" ] || fail "--quiet printed warnings"
check_exempt "$TMP/x.json" no

python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP/a.json" "$TMP/x.json" ||
    fail "a report with exemptions does not validate"

# An exemption matching every failure through a glob and a regex: exit 0.
cat >"$TMP/all.yaml" <<'Y'
exemptions:
  - rules: ["AIHUB-*", "*"]
    selector: {resourceIdRegex: "^/[a-z]", resourceId: "/*"}
    justification: demo
    owner: me
    ticket: T-1
    expires: 2099-12-31
Y
run 0 "$LZSCAN" scan --input "$D" --exemptions "$TMP/all.yaml" --format json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["summary"]["byStatus"]["fail"]==0 and r["summary"]["byStatus"]["exempt"]>0' "$TMP/out" ||
    fail "glob and regex selectors"

# Malformed or incomplete: exit 2 with file:line:column, no output written.
bad() { # bad NAME EXPECTED-MESSAGE <<YAML
    cat >"$TMP/$1.yaml"
    run 2 "$LZSCAN" scan --input "$D" --exemptions "$TMP/$1.yaml" --json "$TMP/never.json"
    contains "$TMP/err" "$2"
    [ ! -e "$TMP/never.json" ] || fail "an output was written for $1"
}
bad nojust "nojust.yaml:2:5: exemption: 'justification' is missing" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {subscription: 5b1e0f3c-3000-4000-8000-000000000003}
    owner: jane
    ticket: SEC-1
    expires: 2026-12-31
Y
bad emptyowner "emptyowner.yaml:6:12: exemption: 'owner' must not be empty" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {resourceGroup: rg-aihub-ai}
    justification: why
    ticket: SEC-1
    owner: ""
    expires: 2026-12-31
Y
bad baddate "baddate.yaml:7:14: exemption: expires '2026-02-30' is not a date" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {managementGroup: ai-hub}
    justification: why
    owner: me
    ticket: SEC-1
    expires: 2026-02-30
Y
bad badregex "badregex.yaml:3:33: selector: bad resourceIdRegex" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {resourceIdRegex: "(oai"}
    justification: why
    owner: me
    ticket: SEC-1
    expires: 2026-12-31
Y
bad badkey "badkey.yaml:4:5: unknown key 'justifcation' in exemption" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {tag: {environment: prod}}
    justifcation: typo
    owner: me
    ticket: SEC-1
    expires: 2026-12-31
Y
bad noselector "noselector.yaml:3:15: selector: give at least one of" <<'Y'
exemptions:
  - rules: [AIHUB-NET-001]
    selector: {}
    justification: why
    owner: me
    ticket: SEC-1
    expires: 2026-12-31
Y
run 2 env LZSCAN_NOW=soon "$LZSCAN" scan --input "$D" --exemptions "$TMP/ex.yaml"
contains "$TMP/err" "LZSCAN_NOW"
echo ok
