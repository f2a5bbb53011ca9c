# Hostile data in the TUI: a resource whose name holds a clear-screen
# sequence (ESC[2J) and an OSC window-title sequence (and a tag an OSC 8
# hyperlink) is shown escaped, the screen is not corrupted and the title not
# changed. Also: the ASCII fallback
# on a non-UTF-8 locale (a non-ASCII name shown as \u00e9), NO_COLOR (no
# colour attributes reach the terminal), and Ctrl-C restoring the terminal.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/tmux.inc"
runner
SUB=/subscriptions/11111111-1111-1111-1111-111111111111
cat >"$TMP/hostile.json" <<JSON
[
 {"id": "$SUB/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/evil",
  "name": "evil\u001b[2J\u001b]0;pwned\u0007x", "type": "Microsoft.CognitiveServices/accounts", "kind": "OpenAI",
  "location": "swedencentral", "tags": {"owner": "\u001b]8;;http://x\u0007click\u001b]8;;\u0007"},
  "properties": {"publicNetworkAccess": "Enabled"}},
 {"id": "$SUB/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/caf\u00e9-oai",
  "name": "caf\u00e9-oai", "type": "Microsoft.CognitiveServices/accounts", "kind": "OpenAI",
  "location": "swedencentral", "tags": {}, "properties": {"publicNetworkAccess": "Enabled"}}
]
JSON
start 100 30 "env LC_ALL=C NO_COLOR=1 sh $TMP/run.sh tui --input $TMP/hostile.json --exemptions $TMP/ex.yaml"
wait_for "Posture by management group"
title_before=$(tm display -p -t t '#{pane_title}')
keys Tab
wait_for "AIHUB-NET-001"
shows 'evil\x1b[2J\x1b]0;pwned\x07x'
shows 'caf\u00e9-oai'
shows "SEVv STATUS"                       # the ASCII sort mark
screen | head -1 | grep -q "^ lzscan   Dashboard   Findings" || { screen >&2; fail "the tab bar was overwritten"; }
shows "SUBSCRIPTION"
[ "$(tm display -p -t t '#{pane_title}')" = "$title_before" ] || fail "the window title was changed"
[ "$(tm display -p -t t '#{pane_title}')" != "pwned" ] || fail "the OSC sequence reached the terminal"
# NO_COLOR: attributes (bold, reverse) but no colour.
if tm capture-pane -p -e -t t | grep -q "$(printf '\033')\[[34][0-7]m"; then fail "colour drawn with NO_COLOR set"; fi
# The detail shows the name escaped too, and the JSON with JSON escapes.
keys /
text evil
keys Enter Enter
wait_for "Evidence"
shows 'Resource   evil\x1b[2J\x1b]0;pwned\x07x'
keys J
wait_for '"name": "evil\u001b[2J\u001b]0;pwned\u0007x"'
screen | head -1 | grep -q "^ lzscan   Dashboard" || { screen >&2; fail "the tab bar was overwritten"; }
[ "$(tm display -p -t t '#{pane_title}')" = "$title_before" ] || fail "the window title was changed"
# The hierarchy tree: n finds the resource and opens its resource group.
keys Tab
wait_for "Management group > subscription"
keys n
wait_for 'evil\x1b[2J\x1b]0;pwned\x07x  accounts'
screen | head -1 | grep -q "^ lzscan   Dashboard" || { screen >&2; fail "the tab bar was overwritten"; }
# Ctrl-C: the terminal is restored and the process ends by SIGINT (130).
keys C-c
wait_for "TUI-EXIT="
shows "TUI-EXIT=130 MODES=same"
shows "SHELL-BEFORE-TUI"
[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "the alternate screen was not left"
echo ok
