# A user's rule directory is evaluated without recompiling; it can add rules
# and replace a built-in rule by id; a duplicate id within it is an error.
. "$(dirname "$0")/e2e.inc"
mkdir -p "$TMP/mine" "$TMP/dup"
cat >"$TMP/mine/storage-https.yaml" <<'Y'
id: CONTOSO-ST-001
title: Storage accounts allow HTTPS traffic only
severity: medium
description: Plain HTTP exposes data in transit.
remediation: az storage account update --https-only true
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: properties.supportsHttpsTrafficOnly, equals: true}
---
id: AIHUB-NET-001
title: Overridden by the user
severity: low
description: The user's own version of the rule.
remediation: none
applies: {type: microsoft.cognitiveservices/accounts}
check: {field: name, like: "*"}
Y
run 0 "$LZSCAN" rules list --format json --rules "$TMP/mine"
contains "$TMP/out" "CONTOSO-ST-001"
run 0 "$LZSCAN" rules show AIHUB-NET-001 --rules "$TMP/mine"
contains "$TMP/out" "Overridden by the user"

set +e
"$LZSCAN" scan --input "$FIX/contoso-drifted" --rules "$TMP/mine" --format json >"$TMP/r.json" 2>"$TMP/err"
set -e
python3 - "$TMP/r.json" <<'PY' || fail "user rules were not evaluated as written"
import json, sys
r = json.load(open(sys.argv[1]))
ids = {x["id"]: x for x in r["rules"]}
assert "CONTOSO-ST-001" in ids, "user rule missing"
c = ids["CONTOSO-ST-001"]["counts"]
assert c["pass"] + c["fail"] > 0, c
assert ids["AIHUB-NET-001"]["severity"] == "low", ids["AIHUB-NET-001"]
assert not [f for f in r["findings"] if f["ruleId"] == "AIHUB-NET-001"], "override still fails"
PY

cp "$TMP/mine/storage-https.yaml" "$TMP/dup/a.yaml"
cp "$TMP/mine/storage-https.yaml" "$TMP/dup/b.yaml"
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --rules "$TMP/dup"
contains "$TMP/err" "CONTOSO-ST-001"
echo ok
