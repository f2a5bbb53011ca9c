# JUnit XML parses (xml.etree) with the counts of the JSON report of the same
# run, also for hostile names; the Markdown summary renders the counts, the
# baseline and the top findings, and escapes what it shows.
. "$(dirname "$0")/e2e.inc"

# An exemption so that the exempt/skipped path is exercised too.
set +e
"$LZSCAN" scan --input "$FIX/contoso-drifted" --json "$TMP/d0.json" 2>/dev/null
set -e
python3 - "$TMP/d0.json" "$TMP/ex.yaml" <<'PY'
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["findings"] if x["status"] == "fail"][-1]
open(sys.argv[2], "w").write("exemptions:\n  - rules: [%s]\n    selector: {resourceId: '%s'}\n"
                             "    justification: 'a <b>reason</b> & more'\n    owner: ci\n    ticket: T-1\n    expires: 2099-12-31\n"
                             % (f["ruleId"], f["resourceId"]))
PY

# junit_counts REPORT.json JUNIT.xml [sanitized]: the XML's counts agree with
# the report (and its test case names with the resource ids, unless ids were
# sanitized: hostile control and bidi characters are shown escaped).
junit_counts() {
    python3 - "$1" "$2" "${3:-exact}" <<'PY' || fail "JUnit counts for $2"
import json, sys
import xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
assert root.tag == "testsuites"
st = [f["status"] for f in r["findings"]]
passes = [x for x in r["rules"] if x["counts"]["pass"]]
want = {"tests": len(st) + len(passes), "failures": st.count("fail"), "skipped": st.count("exempt") + st.count("unknown")}
got = {k: int(root.get(k)) for k in want}
assert got == want, (got, want)
suites = root.findall("testsuite")
assert len(suites) == len(r["rules"]), (len(suites), len(r["rules"]))
cases = root.findall("testsuite/testcase")
assert len(cases) == want["tests"]
assert len(root.findall("testsuite/testcase/failure")) == want["failures"]
assert len(root.findall("testsuite/testcase/skipped")) == want["skipped"]
for s in suites:  # each suite's attributes count its own test cases
    assert int(s.get("tests")) == len(s.findall("testcase")), s.get("name")
    assert int(s.get("failures")) == len(s.findall("testcase/failure")), s.get("name")
    assert int(s.get("skipped")) == len(s.findall("testcase/skipped")), s.get("name")
ids = {f["resourceId"] for f in r["findings"] if f["status"] == "fail"}
fail_cases = {c.get("name") for c in cases if c.find("failure") is not None}
assert len(fail_cases) == len(ids)
assert sys.argv[3] != "exact" or fail_cases == ids, sorted(ids ^ fail_cases)[:3]
for c in cases:
    fl = c.find("failure")
    if fl is not None:
        assert fl.get("message") and fl.get("type") in ("critical", "high", "medium", "low")
PY
}

for fx in contoso-drifted fabrikam-export; do
    set +e
    "$LZSCAN" scan --input "$FIX/$fx" --exemptions "$TMP/ex.yaml" --json "$TMP/$fx.json" --junit "$TMP/$fx.xml" \
        --markdown "$TMP/$fx.md" 2>/dev/null
    set -e
    junit_counts "$TMP/$fx.json" "$TMP/$fx.xml"
done
python3 -c 'import xml.etree.ElementTree as ET,sys; s=[x for x in ET.parse(sys.argv[1]).getroot().iter("skipped") if "exempt until 2099-12-31" in x.get("message")]; assert len(s)==1 and "<b>reason</b> & more" in s[0].get("message")' \
    "$TMP/contoso-drifted.xml" || fail "the exempt test case"

# Markdown: the severity table holds the report's counts.
python3 - "$TMP/contoso-drifted.json" "$TMP/contoso-drifted.md" <<'PY' || fail "Markdown counts"
import json, re, sys
r = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
assert md.startswith("## lzscan: ")
for sev in ["critical", "high", "medium", "low"]:
    fs = [f for f in r["findings"] if f["severity"] == sev]
    row = "| %s | %d | %d | %d |" % (sev.capitalize(), sum(f["status"] == "fail" for f in fs),
                                    sum(f["status"] == "exempt" for f in fs), sum(f["status"] == "unknown" for f in fs))
    assert row in md, (row, md[:800])
fails = sum(f["status"] == "fail" for f in r["findings"])
assert "| **Total** | %d |" % fails in md
assert "**%d** failing findings at or above **low**" % fails in md
top = re.findall(r"^\|  \| (critical|high|medium|low) \| ", md, re.M)
assert len(top) == min(fails, 20), len(top)
PY

# With a baseline: a New column and the baseline line.
set +e
"$LZSCAN" scan --input "$FIX/contoso-compliant" --json "$TMP/c.json" 2>/dev/null
"$LZSCAN" scan --input "$FIX/contoso-drifted" --baseline "$TMP/c.json" --json "$TMP/dc.json" --markdown "$TMP/dc.md" --fail-on-new 2>/dev/null
set -e
python3 - "$TMP/dc.json" "$TMP/dc.md" <<'PY' || fail "Markdown with a baseline"
import json, sys
r = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
c = r["baseline"]["counts"]
assert "%d new, %d unchanged, %d updated, %d resolved" % (c["new"], c["unchanged"], c["updated"], c["absent"]) in md
assert "| Severity | Failing | New | Exempt | Unknown |" in md
assert "new failing finding" in md and "`--fail-on-new`" in md
assert md.count("| **new** |") == min(c["new"], 20)
PY

# Hostile strings: the XML stays well-formed; the Markdown has no live HTML,
# link or table breakage.
python3 - "$TMP/hostile.json" <<'PY'
import json, sys
sub = "/subscriptions/11111111-1111-1111-1111-111111111111"
names = ["x<script>alert(1)</script>", "a]]>b&c\"d'e", "ctl\u0001\u001b[31m\u0007", "bidi\u202eexe", "pipe|[link](http://e.vil)", "@here"]
rows = [{"id": "%s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/%s" % (sub, n.replace("/", "_")),
         "type": "Microsoft.CognitiveServices/accounts", "name": n, "kind": "OpenAI",
         "properties": {"publicNetworkAccess": "En<abled>\u0000\u0008 & |x|"}} for n in names]
json.dump(rows, open(sys.argv[1], "w"))
PY
run 1 "$LZSCAN" scan --input "$TMP/hostile.json" --junit "$TMP/h.xml" --markdown "$TMP/h.md" --json "$TMP/h.json"
junit_counts "$TMP/h.json" "$TMP/h.xml" sanitized
python3 - "$TMP/h.xml" "$TMP/h.md" <<'PY' || fail "hostile strings in JUnit or Markdown"
import re, sys
x = open(sys.argv[1], "rb").read()
assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", x), "control character in XML"
assert "\u202e".encode() not in x
md = open(sys.argv[2]).read()
assert not re.search(r"(?<!\\)<script", md) and not re.search(r"(?<!\\)\]\(http", md.split("### Top")[1].replace("](https://learn", ""))
assert "\u202e" not in md and "\x1b" not in md
for line in md.splitlines():
    if line.startswith("|  | critical"):
        # every | inside a cell is escaped: a row has exactly its 6 separators
        assert len(re.findall(r"(?<!\\)\|", line)) == 6, line
PY
echo ok
