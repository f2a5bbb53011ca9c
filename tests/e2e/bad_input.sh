# Malformed JSON or YAML, an unknown operator, a bad regex: exit 2 with
# file:line:column on stderr and no report on stdout.
. "$(dirname "$0")/e2e.inc"

printf '[\n  {"id": "/subscriptions/1/resourceGroups/r/providers/A.B/c/d", "type": "a.b/c"},\n  {"id": tru}\n]\n' >"$TMP/bad.json"
run 2 "$LZSCAN" scan --input "$TMP/bad.json"
contains "$TMP/err" "bad.json:3:"
[ ! -s "$TMP/out" ] || fail "a report was printed for malformed JSON"

head -c 200 "$FIX/contoso-drifted/resourcecontainers.json" >"$TMP/trunc.json"
run 2 "$LZSCAN" scan --input "$TMP/trunc.json" --format json
contains "$TMP/err" "trunc.json:"
[ ! -s "$TMP/out" ] || fail "a report was printed for a truncated file"

run 2 "$LZSCAN" scan --input "$TMP/does-not-exist.json"
contains "$TMP/err" "does-not-exist.json"

mkdir -p "$TMP/r1" "$TMP/r2" "$TMP/r3" "$TMP/r4"
cat >"$TMP/r1/bad.yaml" <<'Y'
id: X-1
title: t
severity: high
description: d
remediation: r
applies: {type: Microsoft.Storage/storageAccounts}
check:
  field: properties.publicNetworkAccess
  equalz: Disabled
Y
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --rules "$TMP/r1"
contains "$TMP/err" "bad.yaml:9:"
contains "$TMP/err" "equalz"
[ ! -s "$TMP/out" ] || fail "a report was printed for a bad rule"

cat >"$TMP/r2/regex.yaml" <<'Y'
id: X-2
title: t
severity: high
description: d
remediation: r
applies: {type: Microsoft.Storage/storageAccounts}
check: {field: name, match: "st(["}
Y
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --rules "$TMP/r2"
contains "$TMP/err" "regex.yaml:7:"

printf 'id: X-3\ntitle: [unclosed\n' >"$TMP/r3/broken.yaml"
run 2 "$LZSCAN" rules lint "$TMP/r3"
contains "$TMP/err" "broken.yaml:"

printf 'parameters:\n  requiredTags: [a\n' >"$TMP/profile.yaml"
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --profile "$TMP/profile.yaml"
contains "$TMP/err" "profile.yaml:"

printf 'parameterz: {}\n' >"$TMP/profile2.yaml"
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --profile "$TMP/profile2.yaml"
contains "$TMP/err" "profile2.yaml:1:1"

run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --fail-on severe
run 2 "$LZSCAN" scan --input "$FIX/contoso-drifted" --format xml
run 2 "$LZSCAN" scan
run 2 "$LZSCAN" frobnicate
echo ok
