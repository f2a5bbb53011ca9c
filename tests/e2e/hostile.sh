# Hostile data (fixtures/hostile, SECURITY.md): ANSI/OSC/CSI sequences, NUL,
# invalid UTF-8, lone surrogates, bidi controls, 1 MB strings, 10,000-deep
# nesting, duplicate keys, huge numbers, ids with spaces and Unicode. Every
# output format lzscan has stays valid and escaped (output_safety.py), the
# limits give clear errors naming file:line:column with exit 2, and
# diagnostics on stderr are escaped too.
. "$(dirname "$0")/e2e.inc"
H="$FIX/hostile"
SAFE="python3 $E2E/output_safety.py"

# The committed fixtures are what the generator writes.
python3 "$H/generate.py" "$TMP/gen"
for f in "$TMP"/gen/*; do
    cmp -s "$f" "$H/$(basename "$f")" || fail "fixtures/hostile/$(basename "$f") is stale: run fixtures/hostile/generate.py"
done

# Every format this lzscan can write (others are added as they land).
formats=""
help=$("$LZSCAN" scan --help)
for fmt in text json sarif markdown junit csv html; do
    echo "$help" | grep -- "--format" | grep -qw "$fmt" && formats="$formats $fmt"
done
echo "formats:$formats"

for fmt in $formats; do
    run 1 "$LZSCAN" scan --input "$H" --format "$fmt" --no-color
    case $fmt in
    text) $SAFE text "$TMP/out" --expect '\x1b[2J' --expect '\x1b]0;owned' --expect '\u202e' --expect '\u009b' \
        --expect '\xff' --expect 'rg with spaces' ;;
    json | sarif) $SAFE "$fmt" "$TMP/out" --expect '\u001b[2J' ;;
    *) $SAFE "$fmt" "$TMP/out" ;;
    esac
    $SAFE text "$TMP/err"
    # Through --output (the atomic writer) the bytes are the same kind.
    run 1 "$LZSCAN" scan --input "$H" --format "$fmt" --output "$TMP/report.$fmt"
    $SAFE "$fmt" "$TMP/report.$fmt"
done

# The JSON report keeps hostile values exactly (escaped, not dropped), and
# duplicate keys resolve to the last occurrence.
run 1 "$LZSCAN" scan --input "$H" --format json
python3 - "$TMP/out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
by = {}
for f in r["findings"]:
    by.setdefault((f["ruleId"], f["resourceName"]), f)
f = by.get(("AIHUB-NET-001", "oai-\x1b[2Jx"))
assert f and f["status"] == "fail", "NET-001 on the account with an escape sequence in its name"
assert f["evidence"][0]["actual"].startswith('"Enabled\\u001b[2J'), f["evidence"][0]["actual"][:40]
assert len(f["evidence"][0]["actual"]) <= 1100, "evidence values are cut at 1 KiB"
d = by.get(("AIHUB-NET-001", "oai-dupkeys"))
assert d and d["status"] == "fail" and d["evidence"][0]["actual"] == '"Enabled"', "the last duplicate key wins"
g = by.get(("AIHUB-GOV-001", "oai-dupkeys"))
assert g and "owner" in g["evidence"][0]["expected"], "Owner: '' (last) overrides owner: first"
assert ("AIHUB-NET-001", "oai-numbers") not in by, "huge numbers do not disturb other properties"
assert not any(k[1] == "oai-numbers" and k[0] == "AIHUB-GOV-001" for k in by), "numeric tag values count as set"
uni = [f for f in r["findings"] if "rg with spaces \u00e5\u00df\u2603" in f["resourceId"]]
assert uni and uni[0]["resourceName"].endswith("\U0001f984"), "ids with spaces, Unicode and emoji survive"
PY

# Large values and the limits (generated here: megabytes, not committed).
python3 "$H/generate.py" --large "$TMP/large"
run 1 "$LZSCAN" scan --input "$TMP/large/big-strings.json"
$SAFE text "$TMP/out" --expect '\x1b'
run 1 "$LZSCAN" scan --input "$TMP/large/big-strings.json" --format json
$SAFE json "$TMP/out"

for deep in deep-arrays deep-objects; do
    run 2 "$LZSCAN" scan --input "$TMP/large/$deep.json"
    grep -Eq "$deep\.json:1:[0-9]+: JSON nested deeper than 256 levels" "$TMP/err" ||
        fail "no depth error naming $deep.json:line:column: $(cat "$TMP/err")"
    [ ! -s "$TMP/out" ] || fail "a report was printed for $deep.json"
done
run 2 "$LZSCAN" scan --input "$TMP/large/huge-string.json" --format json
grep -Eq "huge-string\.json:1:[0-9]+: string longer than the 16 MiB limit" "$TMP/err" ||
    fail "no string-limit error: $(cat "$TMP/err")"
[ ! -s "$TMP/out" ] || fail "a report was printed for huge-string.json"

# Diagnostics quote hostile text: escaped on stderr as well.
printf '[{"id": "\\u001b]0;t\\u0007\\u001b[2J/not/an/id", "type": "a.b/c"}]' >"$TMP/bad-id.json"
run 2 "$LZSCAN" scan --input "$TMP/bad-id.json"
contains "$TMP/err" "is not an ARM resource id"
$SAFE text "$TMP/err" --expect '\x1b[2J'
printf '[{"id": "/subscriptions/s/resourceGroups/r/providers/A.B/c/raw\033[2J", "type": "a.b/c"}]' >"$TMP/raw-esc.json"
run 2 "$LZSCAN" scan --input "$TMP/raw-esc.json"
$SAFE text "$TMP/err"
contains "$TMP/err" "raw-esc.json:1:"
printf '[{"id": "/subscriptions/s/resourceGroups/r/providers/A.B/c/n\\u0000hidden", "type": "a.b/c"}]' \
    >"$TMP/nul-id.json"
run 2 "$LZSCAN" scan --input "$TMP/nul-id.json"
contains "$TMP/err" "is not an ARM resource id"
$SAFE text "$TMP/err"

# Rule text is trusted, but still rendered safely everywhere.
mkdir -p "$TMP/rules"
printf 'id: HOSTILE-1\ntitle: "title \\e[2J \\e]8;;http://x\\e\\\\link \\u202e"\nseverity: low\n'\
'description: "desc \\x9b31m \\0"\nremediation: "fix \\e]0;t\\a"\n'\
'applies: {type: Microsoft.Storage/storageAccounts}\ncheck: {field: name, equals: "\\e[2J"}\n' \
    >"$TMP/rules/hostile.yaml"
run 0 "$LZSCAN" rules lint "$TMP/rules"
for fmt in text markdown; do
    run 0 "$LZSCAN" rules list --rules "$TMP/rules" --format "$fmt"
    $SAFE "$fmt" "$TMP/out" --expect HOSTILE-1
    run 0 "$LZSCAN" rules show HOSTILE-1 --rules "$TMP/rules" --format "$fmt"
    $SAFE "$fmt" "$TMP/out" --expect HOSTILE-1
done
run 0 "$LZSCAN" rules list --rules "$TMP/rules" --format json
$SAFE json "$TMP/out" --expect HOSTILE-1
run 1 "$LZSCAN" scan --input "$H" --rules "$TMP/rules"
$SAFE text "$TMP/out" --expect HOSTILE-1
echo ok
