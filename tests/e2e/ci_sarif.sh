# SARIF for GitHub code scanning and Azure DevOps: the official schema (with
# format checking) and GitHub's rules for every fixture and a hostile input;
# fingerprints stable across runs and input order; the category; the
# 25,000-result cap keeping the most severe; suppressions and unknowns.
. "$(dirname "$0")/e2e.inc"
SCHEMA="$LZ_SOURCE_DIR/tests/schemas/sarif-schema-2.1.0.json"

for fx in contoso-compliant contoso-drifted fabrikam-export; do
    set +e
    "$LZSCAN" scan --input "$FIX/$fx" --sarif "$TMP/$fx.sarif" --json "$TMP/$fx.json" 2>/dev/null
    set -e
    [ -s "$TMP/$fx.sarif" ] || fail "no SARIF written for $fx"
done
python3 "$E2E/validate_sarif.py" "$SCHEMA" "$TMP"/*.sarif || fail "SARIF does not validate"

# Same results as the JSON report: every fail, keyed by fingerprint.
for fx in contoso-drifted fabrikam-export; do
    python3 - "$TMP/$fx.json" "$TMP/$fx.sarif" <<'PY' || fail "$fx: SARIF results differ from the JSON report"
import json, sys
rep = json.load(open(sys.argv[1]))
run = json.load(open(sys.argv[2]))["runs"][0]
want = {(f["ruleId"], f["fingerprint"]) for f in rep["findings"] if f["status"] == "fail"}
got = {(r["ruleId"], r["partialFingerprints"]["primaryLocationLineHash"]) for r in run["results"]}
assert want and want == got, (len(want), len(got), sorted(want ^ got)[:3])
# fail results carry the resource id and the evidence; unknowns are counted in notifications
ids = {f["fingerprint"]: f["resourceId"] for f in rep["findings"]}
for r in run["results"]:
    fp = r["partialFingerprints"]["primaryLocationLineHash"]
    assert r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == ids[fp]
    assert r["kind"] == "fail" and r["properties"]["evidence"], r["ruleId"]
unknown = sum(1 for f in rep["findings"] if f["status"] == "unknown")
notes = run["invocations"][0]["toolExecutionNotifications"]
told = sum(int(n["message"]["text"].split(": ")[1].split(" ")[0]) for n in notes if n["descriptor"]["id"] == "lzscan/unknown-results")
assert told == unknown, (told, unknown)
assert run["invocations"][0]["exitCode"] == (1 if want else 0)
PY
done

# The default category names the management group that holds every
# subscription; --category replaces it.
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; assert r["automationDetails"]["id"] == "lzscan/contoso/", r["automationDetails"]' \
    "$TMP/contoso-drifted.sarif" || fail "default category"
run 1 "$LZSCAN" scan --input "$FIX/contoso-drifted" --format sarif --category "lzscan/prod/"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; assert r["automationDetails"]["id"] == "lzscan/prod/"' "$TMP/out" ||
    fail "--category not used"

# Fingerprints: identical for a second run, and for the same objects in
# another order (objects shuffled within every file, files given reversed).
python3 - "$FIX/contoso-drifted" "$TMP/shuffled" <<'PY'
import json, os, random, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
rnd = random.Random(7)
for name in sorted(os.listdir(src)):
    if name == "expected.json":
        continue
    text = open(os.path.join(src, name)).read()
    if name.endswith(".ndjson"):
        lines = [l for l in text.splitlines() if l.strip()]
        rnd.shuffle(lines)
        open(os.path.join(dst, name), "w").write("\n".join(lines) + "\n")
        continue
    doc = json.loads(text)
    rows = doc if isinstance(doc, list) else doc.get("data", doc.get("value"))
    rnd.shuffle(rows)
    json.dump(doc, open(os.path.join(dst, name), "w"))
PY
args=""
for f in $(ls "$TMP/shuffled" | sort -r); do args="$args --input $TMP/shuffled/$f"; done
# shellcheck disable=SC2086
"$LZSCAN" scan $args --sarif "$TMP/shuffled.sarif" 2>/dev/null || true
"$LZSCAN" scan --input "$FIX/contoso-drifted" --sarif "$TMP/again.sarif" 2>/dev/null || true
python3 - "$TMP/contoso-drifted.sarif" "$TMP/again.sarif" "$TMP/shuffled.sarif" <<'PY' || fail "fingerprints changed"
import json, sys
def fps(p):
    rs = json.load(open(p))["runs"][0]["results"]
    return [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["partialFingerprints"]["primaryLocationLineHash"]) for r in rs]
a, b, c = (fps(p) for p in sys.argv[1:])
assert a and a == b, "second run differs"
assert a == c, "another input order differs: %s" % sorted(set(a) ^ set(c))[:3]
PY

# Hostile names and ids: still valid SARIF (URIs percent-encoded).
python3 - "$TMP/hostile.json" <<'PY'
import json, sys
sub = "/subscriptions/11111111-1111-1111-1111-111111111111"
evil = ['oai<script>alert(1)</script>', 'a b|c"d\'e', '..', 'x\u001b]0;pwn\u0007', 'rtl\u202eexe.fdp',
        '%zz#frag?q', 'ünï©ødé', '[glob]*']
rows = [{"id": sub, "type": "Microsoft.Resources/subscriptions", "name": "s", "subscriptionId": sub[15:]}]
for i, n in enumerate(evil):
    rows.append({"id": "%s/resourceGroups/rg %d/providers/Microsoft.CognitiveServices/accounts/%s" % (sub, i, n),
                 "type": "Microsoft.CognitiveServices/accounts", "name": n, "kind": "OpenAI",
                 "tags": {"env": "<b>&amp;</b>"}, "properties": {"publicNetworkAccess": "Enabled\u001b[2J"}})
json.dump(rows, open(sys.argv[1], "w"))
PY
run 1 "$LZSCAN" scan --input "$TMP/hostile.json" --sarif "$TMP/hostile.sarif" --sarif-unknown
python3 "$E2E/validate_sarif.py" "$SCHEMA" "$TMP/hostile.sarif" || fail "hostile input breaks the SARIF"

# --sarif-unknown: unknown results as kind open, level none.
python3 - "$TMP/hostile.sarif" <<'PY' || fail "--sarif-unknown"
import json, sys
rs = json.load(open(sys.argv[1]))["runs"][0]["results"]
op = [r for r in rs if r["kind"] == "open"]
assert op and all(r["level"] == "none" and r["properties"]["status"] == "unknown" for r in op)
PY

# The cap: 26,001 failures, 25,000 written, the critical one kept, a
# notification saying how many were left out.
python3 "$E2E/gen_large.py" "$TMP/big" 26000 --untagged-every 1
printf '{"id":"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai1","type":"Microsoft.CognitiveServices/accounts","name":"oai1","kind":"OpenAI","tags":{"tenantId":"t","costCenter":"c","application":"a","environment":"e","owner":"o"},"properties":{"publicNetworkAccess":"Enabled"}}\n' \
    >"$TMP/big/ai.ndjson"
run 1 "$LZSCAN" scan --input "$TMP/big" --sarif "$TMP/big.sarif" --json "$TMP/big.json"
python3 - "$TMP/big.json" "$TMP/big.sarif" <<'PY' || fail "the 25,000-result cap"
import json, sys
rep = json.load(open(sys.argv[1]))
run = json.load(open(sys.argv[2]))["runs"][0]
fails = [f for f in rep["findings"] if f["status"] == "fail"]
assert len(fails) > 25000, len(fails)
rs = run["results"]
assert len(rs) == 25000, len(rs)
crit = {f["fingerprint"] for f in fails if f["severity"] == "critical"}
kept = {r["partialFingerprints"]["primaryLocationLineHash"] for r in rs}
assert crit and crit <= kept, "a critical finding was dropped"
sev = {"critical": 4, "high": 3, "medium": 2, "low": 1}
worst_dropped = max(sev[f["severity"]] for f in fails if f["fingerprint"] not in kept)
assert all(sev[r["properties"]["severity"]] >= worst_dropped for r in rs), "a less severe result was kept"
notes = [n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "lzscan/results-truncated"]
assert len(notes) == 1 and notes[0]["message"]["text"].startswith("%d results were left out" % (len(fails) - 25000)), notes
PY
echo ok
