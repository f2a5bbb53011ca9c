# Per-rule fixtures (tests/rules/ID/SCENARIO/): every rule of the built-in
# pack has scenarios with compliant, violating and (where the catalog lists
# one) false-positive-trap cases. Each scenario is scanned with the whole
# pack; only its rule's results are compared with its expected.json
# (findings and per-status counts). Also: the fixtures are what
# tests/rules/make.py writes, and every rule has at least one passing and
# one failing case.
. "$(dirname "$0")/e2e.inc"
R="$LZ_SOURCE_DIR/tests/rules"

python3 "$R/make.py" --check || fail "tests/rules is stale: run python3 tests/rules/make.py"

"$LZSCAN" rules list --format json >"$TMP/rules.json"
python3 - "$TMP/rules.json" "$R" <<'PY' || fail "a rule lacks fixtures"
import json, os, sys
rules = [r["id"] for r in json.load(open(sys.argv[1]))]
bad = False
for rid in rules:
    d = os.path.join(sys.argv[2], rid)
    statuses = set()
    for root, _dirs, files in os.walk(d):
        if "expected.json" in files:
            e = json.load(open(os.path.join(root, "expected.json")))
            statuses |= {c["status"] for c in e["cases"]}
    for need in ("pass", "fail"):
        if need not in statuses:
            print("%s: no %s case under tests/rules/%s" % (rid, need, rid))
            bad = True
# The false-positive traps the pack must survive (issue 3): each set by at least one case, and that case
# is compliant (pass / notApplicable) -- except a metrics-only diagnostic setting, which is a violation.
traps = {}
for root, _dirs, files in os.walk(sys.argv[2]):
    if "expected.json" in files:
        for c in json.load(open(os.path.join(root, "expected.json")))["cases"]:
            for t in c.get("trap", "").split("; "):
                if t:
                    traps.setdefault(t, set()).add(c["status"])
for trap, want in [("private endpoint present with public access disabled", {"pass"}),
                   ("allLogs category group", {"pass"}), ("audit category group", {"pass"}),
                   ("lower-case disabled on AI Search", {"pass"}),
                   ("Microsoft.Keyvault vs Microsoft.KeyVault", {"pass"}),
                   ("GatewaySubnet without route table", {"notApplicable"}),
                   ("AzureFirewallSubnet without route table", {"notApplicable"}),
                   ("hub-to-spoke peerings", {"notApplicable"}), ("tag keys in other casing", {"pass"}),
                   ("diagnostic setting that only sends metrics", {"fail"})]:
    if traps.get(trap) != want:
        print("trap %r: cases %s, expected only %s" % (trap, sorted(traps.get(trap, [])), sorted(want)))
        bad = True
sys.exit(1 if bad else 0)
PY

n=0
for exp in $(find "$R" -name expected.json | sort); do
    dir=$(dirname "$exp")
    set --
    for f in "$dir"/*.json "$dir"/*.ndjson; do
        [ -f "$f" ] && [ "$(basename "$f")" != expected.json ] && set -- "$@" --input "$f"
    done
    [ -f "$dir/profile.yaml" ] && set -- "$@" --profile "$dir/profile.yaml"
    set +e
    "$LZSCAN" scan "$@" --format json --allow-partial >"$TMP/out" 2>"$TMP/err"
    rc=$?
    set -e
    [ "$rc" -le 1 ] || { cat "$TMP/err" >&2; fail "scan of ${dir#$R/} exited $rc"; }
    python3 "$E2E/compare_rule.py" "$TMP/out" "$exp" || fail "${dir#$R/} differs from its expected.json"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no rule fixtures found"
echo "ok: $n scenarios"
