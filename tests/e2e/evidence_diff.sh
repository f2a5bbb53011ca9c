# `lzscan diff OLD NEW` (docs/evidence.md) between the compliant and the
# drifted quarter: exactly the drifted findings are new, and in reverse
# exactly they are resolved; bundles and JSON reports are both accepted;
# text, JSON and Markdown; exit 0/1 like diff(1), 2 on errors. Also
# `evidence --previous`: the new bundle's findings carry baselineState.
. "$(dirname "$0")/e2e.inc"
export LZSCAN_NOW=2026-10-01T00:00:00Z
run 0 "$LZSCAN" evidence --input "$FIX/contoso-compliant" --out "$TMP/q1" -q
run 0 "$LZSCAN" evidence --input "$FIX/contoso-drifted" --out "$TMP/q2" --previous "$TMP/q1" -q

run 1 "$LZSCAN" diff "$TMP/q1" "$TMP/q2" --format json
cp "$TMP/out" "$TMP/fwd.json"
run 1 "$LZSCAN" diff "$TMP/q2/report.json" "$TMP/q1" --format json
cp "$TMP/out" "$TMP/back.json"
python3 - "$TMP" <<'PY' || fail "diff lists exactly the drifted findings"
import json, sys
t = sys.argv[1]
old = {f["fingerprint"] for f in json.load(open(t + "/q1/report.json"))["findings"]}
new = {f["fingerprint"] for f in json.load(open(t + "/q2/report.json"))["findings"]}
def changes(path, kind):
    d = json.load(open(path))
    return {f["fingerprint"] for r in d["rules"] for f in r["findings"] if f["change"] == kind}, d
fwd, d = changes(t + "/fwd.json", "new")
assert fwd == new - old and fwd, (len(fwd), len(new - old))
assert changes(t + "/fwd.json", "resolved")[0] == old - new
assert d["summary"]["new"] == len(new - old) and d["summary"]["unchanged"] == len(new & old)
back, d = changes(t + "/back.json", "resolved")
assert back == new - old and d["summary"]["new"] == len(old - new)
# per rule counts add up; per control too (each finding counted once per control of its rule)
rules = {r["id"]: r for r in json.load(open(t + "/q2/report.json"))["rules"]}
for r in json.load(open(t + "/fwd.json"))["rules"]:
    assert r["new"] == sum(1 for f in r["findings"] if f["change"] == "new")
want = {}
for r in json.load(open(t + "/fwd.json"))["rules"]:
    for fw, cs in rules[r["ruleId"]]["controls"].items():
        for c in cs:
            want[fw + ":" + c] = want.get(fw + ":" + c, 0) + r["new"]
got = {c["control"]: c["new"] for c in json.load(open(t + "/fwd.json"))["controls"]}
assert got == want, (got, want)
# --previous: every finding of q2 is new against q1
rep = json.load(open(t + "/q2/report.json"))
assert all(f.get("baselineState") == "new" for f in rep["findings"] if f["fingerprint"] not in old)
PY
grep -q '"previous": ".*q1"' "$TMP/q2/manifest.json" || fail "manifest lacks --previous"

# Text and Markdown; the same report twice: no change, exit 0.
run 1 "$LZSCAN" diff "$TMP/q1" "$TMP/q2"
contains "$TMP/out" "new, 0 resolved"
contains "$TMP/out" "per control:"
run 1 "$LZSCAN" diff "$TMP/q1" "$TMP/q2" --format markdown
contains "$TMP/out" "| new |"
run 0 "$LZSCAN" diff "$TMP/q2" "$TMP/q2/report.json"
contains "$TMP/out" "0 new, 0 resolved"
run 1 "$LZSCAN" diff "$TMP/q1" "$TMP/q2" --format json --output "$TMP/d.json"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/d.json" || fail "--output"

# Errors: exit 2.
run 2 "$LZSCAN" diff "$TMP/q1"
run 2 "$LZSCAN" diff "$TMP/q1" "$TMP/nope"
echo '{"hello": 1}' >"$TMP/x.json"
run 2 "$LZSCAN" diff "$TMP/q1" "$TMP/x.json"
contains "$TMP/err" "not an lzscan JSON report"
run 2 "$LZSCAN" diff "$TMP/q1" "$TMP/q2" --format xml
run 2 "$LZSCAN" evidence --input "$FIX/contoso-drifted" --out "$TMP/q3" --previous "$TMP/nope"
[ ! -e "$TMP/q3" ] || fail "a bundle was written despite the error"
exit 0
