# The gate: exit codes 0/1/2/3 (README: Exit codes) under --fail-on,
# --fail-on-new and --soft-fail, their precedence (2, then 3, then 1), and
# several outputs from one scan. Expectations are derived from the run's own
# JSON report, so new rules do not break the test.
. "$(dirname "$0")/e2e.inc"
D="$FIX/contoso-drifted"
set +e
"$LZSCAN" scan --input "$D" --json "$TMP/d.json" 2>/dev/null
set -e

# --fail-on: for each threshold, 1 exactly when a failure is at or above it.
for sev in low medium high critical; do
    want=$(python3 - "$TMP/d.json" "$sev" <<'PY'
import json, sys
order = ["low", "medium", "high", "critical"]
r = json.load(open(sys.argv[1]))
at = order.index(sys.argv[2])
print(1 if any(f["status"] == "fail" and order.index(f["severity"]) >= at for f in r["findings"]) else 0)
PY
)
    run "$want" "$LZSCAN" scan --input "$D" --fail-on "$sev" --format json
    python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gate"]; assert g["failOn"]==sys.argv[2] and g["exitCode"]==int(sys.argv[3]), g' \
        "$TMP/out" "$sev" "$want" || fail "gate in the JSON report for --fail-on $sev"
done
run 2 "$LZSCAN" scan --input "$D" --fail-on severe

# The 0 path of --fail-on: exempt every critical failure (rule ids from the
# report), then --fail-on critical passes while --fail-on low still fails.
python3 - "$TMP/d.json" "$TMP/crit.yaml" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ids = sorted({f["ruleId"] for f in r["findings"] if f["status"] == "fail" and f["severity"] == "critical"})
assert ids, "the drifted fixture has no critical failure"
open(sys.argv[2], "w").write("exemptions:\n  - rules: [%s]\n    selector: {resourceId: '*'}\n"
                             "    justification: test\n    owner: ci\n    ticket: T-1\n    expires: 2099-12-31\n" % ", ".join(ids))
PY
run 0 "$LZSCAN" scan --input "$D" --exemptions "$TMP/crit.yaml" --fail-on critical
run 1 "$LZSCAN" scan --input "$D" --exemptions "$TMP/crit.yaml" --fail-on low

# --fail-on-new: against the drifted baseline nothing is new (0); against
# the compliant one everything is (1); an exemption that lapsed since the
# baseline makes its finding gate again (1), and --fail-on above its
# severity lets it pass.
run 0 "$LZSCAN" scan --input "$D" --baseline "$TMP/d.json" --fail-on-new
set +e
"$LZSCAN" scan --input "$FIX/contoso-compliant" --json "$TMP/c.json" 2>/dev/null
set -e
run 1 "$LZSCAN" scan --input "$D" --baseline "$TMP/c.json" --fail-on-new
run 2 "$LZSCAN" scan --input "$D" --fail-on-new
contains "$TMP/err" "--fail-on-new needs --baseline"
python3 - "$TMP/d.json" "$TMP/one.yaml" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["status"] == "fail" and x["severity"] != "critical"][0]
open(sys.argv[2], "w").write("exemptions:\n  - rules: [%s]\n    selector: {resourceId: '%s'}\n"
                             "    justification: test\n    owner: ci\n    ticket: T-2\n    expires: 2026-12-31\n"
                             % (f["ruleId"], f["resourceId"]))
open(sys.argv[2] + ".sev", "w").write(f["severity"] + "\n")
PY
run 1 env LZSCAN_NOW=2026-06-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/one.yaml" --json "$TMP/ex-active.json"
run 1 env LZSCAN_NOW=2027-06-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/one.yaml" --baseline "$TMP/ex-active.json" \
    --fail-on-new --json "$TMP/ex-lapsed.json"
python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["gate"]; assert g["gating"]==1, g' "$TMP/ex-lapsed.json" ||
    fail "a lapsed exemption should be the one finding that gates"
run 0 env LZSCAN_NOW=2027-06-01 "$LZSCAN" scan --input "$D" --exemptions "$TMP/one.yaml" --baseline "$TMP/ex-active.json" \
    --fail-on-new --fail-on critical

python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP/ex-lapsed.json" ||
    fail "a report with a gate, exemptions and a baseline does not validate"

# --soft-fail: exit 0, every output still written and saying what the gate found.
run 0 "$LZSCAN" scan --input "$D" --soft-fail --sarif "$TMP/s.sarif" --json "$TMP/s.json" --markdown "$TMP/s.md" \
    --junit "$TMP/s.xml"
for f in s.sarif s.json s.md s.xml; do [ -s "$TMP/$f" ] || fail "--soft-fail did not write $f"; done
python3 - "$TMP/s.sarif" "$TMP/s.json" <<'PY' || fail "--soft-fail outputs"
import json, sys
inv = json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]
assert inv["exitCode"] == 0 and "--soft-fail" in inv["exitCodeDescription"], inv
g = json.load(open(sys.argv[2]))["gate"]
assert g["softFail"] and g["exitCode"] == 0 and g["gating"] > 0, g
PY
contains "$TMP/s.md" "failed"
contains "$TMP/s.md" "soft-fail"
# ... but not for a usage or input error.
run 2 "$LZSCAN" scan --input "$TMP/none.json" --soft-fail

# Coverage gaps: 3 beats 1; --allow-partial gives 1; --soft-fail 0; SARIF
# says the execution was not complete.
printf '{"count":1,"data":[{"id":"/subscriptions/1/resourceGroups/r/providers/Microsoft.CognitiveServices/accounts/a","type":"microsoft.cognitiveservices/accounts","kind":"OpenAI","properties":{"publicNetworkAccess":"Enabled"}}],"skip_token":"abc","total_records":500}\n' >"$TMP/page.json"
run 3 "$LZSCAN" scan --input "$TMP/page.json" --sarif "$TMP/p.sarif"
python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["runs"][0]["invocations"][0]; assert i["exitCode"]==3 and i["executionSuccessful"] is False and any(n["descriptor"]["id"]=="lzscan/coverage-gap" for n in i["toolExecutionNotifications"]), i' \
    "$TMP/p.sarif" || fail "SARIF invocation for a coverage gap"
run 1 "$LZSCAN" scan --input "$TMP/page.json" --allow-partial
run 0 "$LZSCAN" scan --input "$TMP/page.json" --soft-fail
# 2 beats 3: a bad exemptions file with a partial input.
printf 'exemptions: [oops]\n' >"$TMP/bad.yaml"
run 2 "$LZSCAN" scan --input "$TMP/page.json" --exemptions "$TMP/bad.yaml"

# Several outputs from one scan, paired --format/--output, shorthands, and
# the forms that worked before (--format alone on stdout, --output first).
run 1 "$LZSCAN" scan --input "$D" --format sarif --output "$TMP/m.sarif" --format json --output "$TMP/m.json" \
    --markdown "$TMP/m.md" --junit "$TMP/m.xml" --text "$TMP/m.txt" --format text
for f in m.sarif m.json m.md m.xml m.txt; do [ -s "$TMP/$f" ] || fail "$f not written"; done
contains "$TMP/out" "Failing by severity"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))["runs"]; json.load(open(sys.argv[2]))["findings"]' "$TMP/m.sarif" "$TMP/m.json" ||
    fail "paired outputs hold the wrong formats"
cmp -s "$TMP/m.txt" "$TMP/out" || fail "--text FILE differs from the text report on stdout"
run 1 "$LZSCAN" scan --input "$D" --output "$TMP/legacy.json" --format json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))["findings"]' "$TMP/legacy.json" || fail "--output before --format"
run 1 "$LZSCAN" scan --input "$D" --format json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))["findings"]' "$TMP/out" || fail "--format json on stdout"
run 2 "$LZSCAN" scan --input "$D" --format json --format sarif
run 2 "$LZSCAN" scan --input "$D" --json "$TMP/same" --sarif "$TMP/same"
run 2 "$LZSCAN" scan --input "$D" --format json --output "$TMP/a" --output "$TMP/b"
run 2 "$LZSCAN" scan --input "$D" --format html
# An output that cannot be written: exit 2, the others are still written.
run 2 "$LZSCAN" scan --input "$D" --json "$TMP/no/such/dir/r.json" --sarif "$TMP/still.sarif"
[ -s "$TMP/still.sarif" ] || fail "the other outputs were not written"
echo ok
