# docs/rules.md is what `lzscan rules list --format markdown` prints for the
# built-in pack (rules, coverage table, parameters): regenerate and compare.
. "$(dirname "$0")/e2e.inc"

run 0 "$LZSCAN" rules list --format markdown
diff -u "$LZ_SOURCE_DIR/docs/rules.md" "$TMP/out" >"$TMP/diff" ||
    { head -40 "$TMP/diff" >&2; fail "docs/rules.md is stale: build/lzscan rules list --format markdown > docs/rules.md"; }

# The acceptance list: every rule has severity, description, remediation and a control mapping,
# `rules lint` is clean on the pack, and `rules show` prints what a reviewer needs.
run 0 "$LZSCAN" rules list --format json
python3 - "$TMP/out" <<'PY' || fail "a rule lacks metadata"
import json, sys
rules = json.load(open(sys.argv[1]))
bad = False
for r in rules:
    for k in ("severity", "description", "remediation", "title", "beyondPolicy"):
        if not r.get(k):
            print("%s: no %s" % (r["id"], k)); bad = True
    c = r["controls"]
    if not (c["mcsb"] or c["cis"] or c["landingZone"]):
        print("%s: no control mapping" % r["id"]); bad = True
    if not c["landingZone"]:
        print("%s: no landing-zone control" % r["id"]); bad = True
    if not r["references"] or not all(u.startswith("https://learn.microsoft.com/") for u in r["references"]):
        print("%s: references must be learn.microsoft.com pages" % r["id"]); bad = True
print("%d rules" % len(rules))
sys.exit(1 if bad else 0)
PY
run 0 "$LZSCAN" rules lint "$LZ_SOURCE_DIR/rules/builtin"
contains "$TMP/out" "no errors"
run 0 "$LZSCAN" rules show AIHUB-DNS-002
for want in "severity:" "applies to:" "needs:" "policy:" "mcsb:" "landing zone:" "facts:" "requiredPrivateDnsZones = " \
    "Description" "Beyond the closest Azure Policy built-in" "Remediation" "Source"; do
    contains "$TMP/out" "$want"
done
echo ok
