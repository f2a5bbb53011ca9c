# Baselines (--baseline): against the compliant fixture the drifted
# fixture's findings are all new; against itself all unchanged (from a JSON
# report or a SARIF log); a fixed finding is listed as resolved and a changed
# one as updated; files that are not lzscan's output are refused (exit 2).
# Counts come from the run's own JSON report, so new rules do not break it.
. "$(dirname "$0")/e2e.inc"
D="$FIX/contoso-drifted"
set +e
"$LZSCAN" scan --input "$FIX/contoso-compliant" --json "$TMP/c.json" --sarif "$TMP/c.sarif" 2>/dev/null
"$LZSCAN" scan --input "$D" --json "$TMP/d.json" --sarif "$TMP/d.sarif" 2>/dev/null
set -e

# states FILE.json NEW UNCHANGED UPDATED ABSENT: checks counts and that
# every finding's baselineState agrees with them.
states() {
    python3 - "$@" <<'PY' || fail "baseline states of $1"
import json, sys
r = json.load(open(sys.argv[1]))
want = dict(zip(["new", "unchanged", "updated", "absent"], map(int, sys.argv[2:6])))
assert r["baseline"]["counts"] == want, (r["baseline"]["counts"], want)
got = {}
for f in r["findings"]:
    got[f["baselineState"]] = got.get(f["baselineState"], 0) + 1
got["absent"] = len(r["resolved"])
assert {k: got.get(k, 0) for k in want} == want, got
PY
}
nd=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/d.json")
nc=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/c.json")
[ "$nd" -gt 0 ] || fail "the drifted fixture has no findings"

# Compliant baseline -> drifted: every finding new (the compliant fixture's
# own findings, if any, carry over or are resolved).
for base in c.json c.sarif; do
    run 1 "$LZSCAN" scan --input "$D" --baseline "$TMP/$base" --json "$TMP/dc.json"
    if [ "$nc" -eq 0 ]; then states "$TMP/dc.json" "$nd" 0 0 0; fi
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert all(f["baselineState"]=="new" for f in r["findings"] if f["status"]=="fail")' \
        "$TMP/dc.json" || fail "drifted against $base: a failure is not new"
done

# Against itself: all unchanged, from either format; nothing resolved.
run 1 "$LZSCAN" scan --input "$D" --baseline "$TMP/d.json" --json "$TMP/dd.json" --text "$TMP/dd.txt"
states "$TMP/dd.json" 0 "$nd" 0 0
contains "$TMP/dd.txt" "0 new, $nd unchanged, 0 updated, 0 resolved"
nds=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$TMP/d.sarif")
run 1 "$LZSCAN" scan --input "$D" --baseline "$TMP/d.sarif" --json "$TMP/dds.json" --sarif "$TMP/dds.sarif"
python3 - "$TMP/dds.json" "$TMP/dds.sarif" "$nds" <<'PY' || fail "drifted against its own SARIF"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["baseline"]["format"] == "sarif"
fails = [f for f in r["findings"] if f["status"] == "fail"]
assert len(fails) == int(sys.argv[3]) and all(f["baselineState"] == "unchanged" for f in fails)
assert not r["resolved"]
rs = json.load(open(sys.argv[2]))["runs"][0]["results"]
assert rs and all(x["baselineState"] == "unchanged" for x in rs)
PY

# Drifted baseline -> compliant: every drifted finding is resolved.
run 0 "$LZSCAN" scan --input "$FIX/contoso-compliant" --baseline "$TMP/d.json" --json "$TMP/cd.json" --markdown "$TMP/cd.md"
python3 - "$TMP/cd.json" "$TMP/d.json" <<'PY' || fail "compliant against drifted: resolved findings"
import json, sys
r, d = (json.load(open(p)) for p in sys.argv[1:])
now = {f["fingerprint"] for f in r["findings"]}
gone = {f["fingerprint"] for f in d["findings"]} - now
assert gone and {x["fingerprint"] for x in r["resolved"]} == gone
assert all(x["baselineState"] == "absent" for x in r["resolved"])
PY
contains "$TMP/cd.md" "resolved"

# One finding fixed, one changed: resolved and updated; the rest unchanged.
mkdir "$TMP/fix"
cp "$D"/* "$TMP/fix/"
rm -f "$TMP/fix/expected.json"
python3 - "$TMP/fix" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in os.listdir(d):
    if not name.startswith("resources"):
        continue
    p = os.path.join(d, name)
    doc = json.load(open(p))
    for o in doc["data"]:
        if o["name"] == "oai-contoso-aihub":      # fixed: public access off
            o["properties"]["publicNetworkAccess"] = "Disabled"
        if o["name"] == "ais-contoso-aihub":      # still failing, other evidence
            o["properties"]["publicNetworkAccess"] = "Enabled"
    json.dump(doc, open(p, "w"))
PY
# --fail-on-new: failures remain, none is new, so the gate passes.
run 0 "$LZSCAN" scan --input "$TMP/fix" --baseline "$TMP/d.json" --json "$TMP/fx.json" --fail-on-new
python3 - "$TMP/fx.json" <<'PY' || fail "a fixed finding is not resolved, or a changed one not updated"
import json, sys
r = json.load(open(sys.argv[1]))
res = [x for x in r["resolved"] if x["ruleId"] == "AIHUB-NET-001"]
assert len(res) == 1 and res[0]["resourceId"].endswith("/oai-contoso-aihub") and res[0]["status"] == "fail", r["resolved"]
upd = [f for f in r["findings"] if f["baselineState"] == "updated"]
assert [f["resourceId"].rsplit("/", 1)[1] for f in upd] == ["ais-contoso-aihub"], upd
assert all(f["baselineState"] == "unchanged" for f in r["findings"] if f not in upd)
assert r["gate"] == {"failOn": "low", "failOnNew": True, "softFail": False, "gating": 0, "exitCode": 0}, r["gate"]
PY
run 1 "$LZSCAN" scan --input "$TMP/fix" --baseline "$TMP/d.json" --format json

# Reports with a baseline still follow the report schema (1.1).
python3 "$E2E/validate_schema.py" "$LZ_SOURCE_DIR/output/schema/report.schema.json" "$TMP/fx.json" "$TMP/cd.json" \
    "$TMP/dds.json" || fail "a report with a baseline does not validate"

# Not a baseline: exit 2, no output.
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"OtherTool"}},"results":[]}]}\n' >"$TMP/other.sarif"
run 2 "$LZSCAN" scan --input "$D" --baseline "$TMP/other.sarif" --json "$TMP/never.json"
contains "$TMP/err" "OtherTool"
[ ! -e "$TMP/never.json" ] || fail "an output was written despite a bad baseline"
run 2 "$LZSCAN" scan --input "$D" --baseline "$FIX/contoso-drifted/expected.json"
contains "$TMP/err" "not an lzscan JSON report or SARIF log"
printf '{"schemaVersion": "1.0.0", "tool": {"name": "lzscan"}, "findings": [{"ruleId": "X"' >"$TMP/trunc.json"
run 2 "$LZSCAN" scan --input "$D" --baseline "$TMP/trunc.json"
contains "$TMP/err" "trunc.json:1:"
run 2 "$LZSCAN" scan --input "$D" --baseline "$TMP/missing.json"
contains "$TMP/err" "missing.json"
echo ok
