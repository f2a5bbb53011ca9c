# report.html in a real browser (docs/evidence.md): headless Chromium
# (Debian's `chromium`, scripts/setup.sh) loads it with networking off and
# logs no console error or CSP violation; the rendered DOM holds the summary
# numbers of report.json; the inline script ran (the "N of M shown" line)
# and its filter works (#filter=RULE shows exactly that rule's findings); a
# screenshot is taken. Skipped (77) when chromium is not installed.
. "$(dirname "$0")/e2e.inc"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { echo "SKIP: chromium is not installed (scripts/setup.sh)"; exit 77; }
export LZSCAN_NOW=2026-10-01T00:00:00Z
run 0 "$LZSCAN" evidence --input "$FIX/contoso-drifted" --out "$TMP/b" -q
RULE=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['findings'][0]['ruleId'])" "$TMP/b/report.json")

chrome() { # chrome OUT ERR ARGS...: headless, no network, a throw-away profile
    out=$1 err=$2
    shift 2
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --disable-sync --user-data-dir="$(mktemp -d -p "$TMP")" \
        --enable-logging=stderr --v=0 "$@" >"$out" 2>"$err" || { cat "$err" >&2; fail "chromium $*"; }
}
chrome "$TMP/dom.html" "$TMP/log" --dump-dom "file://$TMP/b/report.html"
chrome "$TMP/dom2.html" "$TMP/log2" --dump-dom "file://$TMP/b/report.html#filter=$RULE"
chrome "$TMP/shot.out" "$TMP/log3" --window-size=1280,2400 --screenshot="$TMP/shot.png" "file://$TMP/b/report.html"
[ -s "$TMP/shot.png" ] || fail "no screenshot"
head -c 8 "$TMP/shot.png" | od -An -c | grep -q "P   N   G" || fail "the screenshot is not a PNG"
for l in "$TMP/log" "$TMP/log2" "$TMP/log3"; do
    if grep -E "CONSOLE|Uncaught|Refused to|SyntaxError|TypeError" "$l" >&2; then
        fail "console error or CSP violation in $l"
    fi
done
python3 - "$TMP/b/report.json" "$TMP/dom.html" "$TMP/dom2.html" "$RULE" <<'PY' || fail "rendered DOM"
import json, re, sys
rep = json.load(open(sys.argv[1]))
dom, dom2, rule = open(sys.argv[2]).read(), open(sys.argv[3]).read(), sys.argv[4]
for k, v in rep["summary"]["byStatus"].items():
    assert re.search(r'id="count-%s">%d<' % (k, v), dom), k
n = len(rep["findings"])
assert re.search(r'id="shown">%d of %d shown<' % (n, n), dom), "the script did not run"
want = sum(1 for f in rep["findings"] if rule in (f["ruleId"], f.get("title", "")) or rule in f["message"])
assert re.search(r'id="shown">%d of %d shown<' % (want, n), dom2), (want, re.findall(r'id="shown">[^<]*', dom2))
assert dom2.count('style="display: none;"') == n - want
PY
exit 0
