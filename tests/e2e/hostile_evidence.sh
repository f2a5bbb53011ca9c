# Hostile data in an evidence bundle (lzscan evidence): every file of the
# bundle stays valid and escaped, as hostile.sh checks for the scan outputs.
# CSV cells must not run as spreadsheet formulas; HTML must carry no markup
# or script made from the data; no file may hold raw control characters or
# invalid UTF-8 (output_safety.py). Skipped while lzscan has no `evidence`.
. "$(dirname "$0")/e2e.inc"
SAFE="python3 $E2E/output_safety.py"

if ! "$LZSCAN" evidence --help >/dev/null 2>&1; then
    echo "skipped: this lzscan has no evidence command"
    exit 77
fi

export LZSCAN_NOW=2026-01-01
run 0 "$LZSCAN" evidence --input "$FIX/hostile" --out "$TMP/bundle"
$SAFE text "$TMP/err"
checked=0
for f in $(find "$TMP/bundle" -type f | sort); do
    case $f in
    *.json | *.sarif) fmt=json ;;
    *.csv) fmt=csv ;;
    *.html) fmt=html ;;
    *.md) fmt=markdown ;;
    *.p7s | *.der | *.pem) continue ;;
    *) fmt=text ;;
    esac
    $SAFE "$fmt" "$f"
    checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || fail "the bundle holds no files"
# The payloads reached the bundle (escaped), rather than being dropped.
grep -q "lzscan-xss" "$TMP/bundle/report.json" || fail "report.json lacks the markup payloads"
echo "ok: $checked files"
