# report.html of an evidence bundle (docs/evidence.md): parsed with python's
# html.parser it is well-formed and self-contained, its summary numbers and
# charts equal report.json's, hostile resource names (markup, quotes,
# "</script>") stay text, and with --previous it shows the change.
. "$(dirname "$0")/e2e.inc"
export LZSCAN_NOW=2026-10-01T00:00:00Z
mkdir "$TMP/evil"
python3 - "$FIX/contoso-drifted" "$TMP/evil" <<'PY'
import json, os, sys
bad = json.dumps("x</script><img src=x onerror=alert(1)>'\"&amp;")[1:-1]
for n in os.listdir(sys.argv[1]):
    t = open(os.path.join(sys.argv[1], n), encoding="utf-8").read()
    open(os.path.join(sys.argv[2], n), "w", encoding="utf-8").write(t.replace("ais-contoso-aihub", bad))
PY
run 0 "$LZSCAN" evidence --input "$FIX/contoso-compliant" --out "$TMP/q1" -q
python3 "$E2E/html_check.py" "$TMP/q1" >/dev/null || fail "report.html of the compliant fixture"
run 0 "$LZSCAN" evidence --input "$TMP/evil" --out "$TMP/q2" --previous "$TMP/q1" -q
python3 "$E2E/html_check.py" "$TMP/q2" >/dev/null || fail "report.html with hostile names"
contains "$TMP/q2/report.html" "x&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&quot;&amp;amp;"
contains "$TMP/q2/report.html" 'id="change-new">'
python3 - "$TMP/q2" <<'PY' || fail "change section"
import json, re, sys
h = open(sys.argv[1] + "/report.html").read()
rep = json.load(open(sys.argv[1] + "/report.json"))
n = sum(1 for f in rep["findings"] if f.get("baselineState") == "new")
assert re.search(r'id="change-new">%d<' % n, h), n
assert "@media print" in h
PY
run 0 "$LZSCAN" verify "$TMP/q2"
exit 0
