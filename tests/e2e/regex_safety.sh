# Catastrophic regexes never hang a scan (docs/rule-language.md, Regexes):
# a rule's match/notMatch and an exemption's resourceIdRegex run with PCRE2's
# match and depth limits, so exponential backtracking on a hostile value ends
# as `unknown` (rules) or a warning (exemptions), quickly. Every run is under
# `timeout 20`, so a hang fails this test instead of hanging CI.
. "$(dirname "$0")/e2e.inc"

# Values an attacker controls: long runs that make the patterns below
# backtrack exponentially, including a 1 MiB one, and a resource name built
# for the exemption's pattern.
python3 - "$TMP/in.json" <<'PY'
import json, sys
rg = "/subscriptions/00000000-0000-4000-8000-0000000000aa/resourceGroups/rg-regex"
def st(name, note):
    return {"id": f"{rg}/providers/Microsoft.Storage/storageAccounts/{name}",
            "type": "Microsoft.Storage/storageAccounts", "name": name,
            "properties": {"note": note, "publicNetworkAccess": "Enabled"}}
objs = [st("st-a", "a" * 64 + "!"),            # ^(a+)+$
        st("st-x", "x" * 64 + "zy"),           # (x+x+)+y
        st("st-big", "a" * (1 << 20) + "!"),   # a 1 MiB subject
        st("x" * 64 + "zy", "plain")]          # the id itself, for resourceIdRegex
json.dump(objs, open(sys.argv[1], "w"))
PY

mkdir -p "$TMP/rules"
cat >"$TMP/rules/regex.yaml" <<'Y'
id: RX-001
title: nested quantifier, anchored
severity: high
description: d
remediation: r
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: properties.note, match: "^(a+)+$"}
---
id: RX-002
title: nested quantifier under notMatch
severity: high
description: d
remediation: r
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: properties.note, notMatch: "(x+x+)+y"}
---
id: RX-003
title: the same on the name
severity: high
description: d
remediation: r
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: name, notMatch: "(x+x+)+y"}
Y

# Rules: each catastrophic comparison is unknown with PCRE2's reason.
run 1 timeout 20 "$LZSCAN" scan --input "$TMP/in.json" --rules "$TMP/rules" --format json --allow-partial
python3 - "$TMP/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
got = {(f["ruleId"], f["resourceName"][:8]): f for f in r["findings"] if f["ruleId"].startswith("RX-")}
want = [("RX-001", "st-a"), ("RX-002", "st-x"), ("RX-001", "st-big"), ("RX-003", "x" * 8)]
for key in want:
    f = got.get(key)
    if not f or f["status"] != "unknown" or "limit" not in f["message"]:
        sys.exit(f"FAIL: {key}: expected unknown with a match-limit reason, got {f and (f['status'], f['message'])}")
PY

# Text output of the same run finishes too, and says why.
run 1 timeout 20 "$LZSCAN" scan --input "$TMP/in.json" --rules "$TMP/rules" --allow-partial
contains "$TMP/out" "match limit"

# Exemptions: a catastrophic resourceIdRegex is a warning, never a hang, and
# never exempts what it could not decide.
if "$LZSCAN" scan --help | grep -q -- "--exemptions"; then
    cat >"$TMP/exemptions.yaml" <<'Y'
exemptions:
  - rules: [AIHUB-NET-009, RX-*]
    selector:
      resourceIdRegex: "(x+x+)+y"
    justification: a pattern that backtracks without bound on this id
    owner: sec@example.com
    ticket: SEC-1
    expires: 2099-12-31
Y
    run 1 timeout 20 "$LZSCAN" scan --input "$TMP/in.json" --rules "$TMP/rules" --format json \
        --allow-partial --exemptions "$TMP/exemptions.yaml"
    python3 - "$TMP/out" "$TMP/err" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
for f in r["findings"]:
    if f["resourceName"].startswith("xxxx") and f["status"] == "exempt":
        sys.exit(f"FAIL: {f['ruleId']} was exempted by a regex that hit its limit")
text = json.dumps(r) + open(sys.argv[2], encoding="utf-8").read()
if "limit" not in text:
    sys.exit("FAIL: no warning says the exemption's regex hit its limit")
PY
else
    echo "note: this lzscan has no --exemptions yet; resourceIdRegex not tested"
fi
echo ok
