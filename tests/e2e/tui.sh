# The TUI on the drifted demo, driven in tmux as a user would: read the
# dashboard, open the findings list, filter by a regex, open a detail and see
# its evidence, write an exemption (appended to an existing file), export the
# view as CSV and JSON, resize the terminal, quit with the terminal restored.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/tmux.inc"
runner
cat >"$TMP/ex.yaml" <<'YAML'
# accepted risks, reviewed quarterly
exemptions:
  - rules: [AIHUB-GOV-001]
    selector:
      resourceGroup: rg-sandbox
    justification: Sandbox resources are not tagged.
    owner: platform@contoso.com
    ticket: SEC-1
    expires: 2099-01-31
YAML
cd "$LZ_SOURCE_DIR"
start 100 30 "env LC_ALL=C.UTF-8 sh $TMP/run.sh tui --input fixtures/contoso-drifted --exemptions $TMP/ex.yaml"

# Dashboard: posture per management group and subscription.
wait_for "Posture by management group and subscription"
wait_for "sub contoso-ai-hub"
shows "Failing by severity"
shows "mg Contoso"
shows "Coverage: complete"
[ "$(tm display -p -t t '#{alternate_on}')" = 1 ] || fail "the TUI is not on the alternate screen"

# Findings list, worst first.
keys Tab
wait_for "SUBSCRIPTION"
screen | sed -n 3p | grep -q "^ CRIT fail " || { screen >&2; fail "the worst finding is not first"; }

# A regex filter, live as it is typed.
keys /
text 'net-001.*oai-contoso'
wait_for "1/1  sort:severity"
keys Enter
shows "CRIT fail     AIHUB-NET-001  oai-contoso-aihub"
lacks "ais-contoso-aihub"

# A bad regex is shown inline and the list stays.
keys /
text '(('
wait_for "missing closing parenthesis"
shows "oai-contoso-aihub"
keys BSpace BSpace Enter
wait_gone "missing closing parenthesis"

# The detail: rule, evidence as path / actual / expected, remediation, JSON.
keys Enter
wait_for "Evidence"
shows "AIHUB-NET-001  critical  fail"
shows "path       properties.publicNetworkAccess"
shows 'actual     "Enabled"'
shows 'expected   "Disabled"'
keys J
wait_for '"publicNetworkAccess": "Enabled"'

# An exemption: the form, then the entry appended to the existing file.
keys e
wait_for "Exempt this finding"
text 'Vendor integration needs "public" access until Q3'
keys Tab
text 'jane.doe@contoso.com'
keys Tab
text 'SEC-1234'
keys Tab C-u
text '2099-12-31'
keys Enter
wait_for "exemption for AIHUB-NET-001 on oai-contoso-aihub appended"
ex="$TMP/ex.yaml"
contains "$ex" "^# accepted risks, reviewed quarterly"
contains "$ex" "^  - rules: \[AIHUB-GOV-001\]"
contains "$ex" "^  - rules: \[AIHUB-NET-001\]"
contains "$ex" '^      resourceId: "/subscriptions/5b1e0f3c-3000-4000-8000-000000000003/resourceGroups/rg-aihub-ai/providers/Microsoft.CognitiveServices/accounts/oai-contoso-aihub"$'
contains "$ex" '^    justification: "Vendor integration needs \\"public\\" access until Q3"$'
contains "$ex" '^    owner: "jane.doe@contoso.com"$'
contains "$ex" '^    ticket: "SEC-1234"$'
contains "$ex" '^    expires: 2099-12-31$'
[ "$(grep -c -- '- rules:' "$ex")" -eq 2 ] || { cat "$ex" >&2; fail "expected two exemptions"; }
if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$ex" <<'PY' || fail "the exemptions file is not the documented YAML"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
x = d["exemptions"][1]
assert x["rules"] == ["AIHUB-NET-001"], x
assert x["selector"]["resourceId"].endswith("/accounts/oai-contoso-aihub"), x
assert x["justification"] == 'Vendor integration needs "public" access until Q3', x
assert str(x["expires"]) == "2099-12-31", x
PY
fi
[ "$(find "$TMP" -name '.*tmp*' | wc -l)" -eq 0 ] || fail "temporary file left behind"
keys Home
wait_for "Exemption  written to"

# Export the list as CSV, then as JSON.
keys Escape
wait_for "exempt*  AIHUB-NET-001"
keys x
wait_for "Export this view"
keys Tab C-u
text "$TMP/findings.csv"
keys Enter
wait_for "exported 1 row"
contains "$TMP/findings.csv" "^severity,status,ruleId,"
contains "$TMP/findings.csv" "oai-contoso-aihub"
keys x
wait_for "Export this view"
keys C-u
text json
keys Tab C-u
text "$TMP/findings.json"
keys Enter
wait_for "exported 1 row"
python3 - "$TMP/findings.json" <<'PY' || fail "the JSON export is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["view"] == "findings" and d["count"] == 1, d
assert d["rows"][0]["ruleId"] == "AIHUB-NET-001", d["rows"][0]
assert d["rows"][0]["resourceName"] == "oai-contoso-aihub", d["rows"][0]
PY

# Resize: the screen is redrawn for the new size (the tab bar ends at the
# new right edge, the status line is the new last line).
tm resize-window -t t -x 80 -y 24
redrawn_80() { screen | head -1 | grep -q "q:quit$" && screen | sed -n 24p | grep -q "sort:severity"; }
wait_true "a redraw at 80x24" redrawn_80
[ "$(screen | wc -l)" -eq 24 ] || fail "not 24 lines after the resize"
screen | python3 -c 'import sys; sys.stdin.reconfigure(encoding="utf-8"); sys.exit(any(len(l.rstrip("\n")) > 80 for l in sys.stdin))' ||
    fail "lines wider than 80 columns after the resize"
shows "SUBSCRIPTION"
tm resize-window -t t -x 130 -y 35
wait_for "MESSAGE"
keys Escape
wait_for "filter cleared"
wait_for "ais-contoso-aihub"

# Quit: the shell's screen is back, the modes restored, exit status 0.
keys q
wait_for "TUI-EXIT="
shows "TUI-EXIT=0 MODES=same"
shows "SHELL-BEFORE-TUI"
lacks "Posture by management group"
[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "the alternate screen was not left"

# The file written is one lzscan reads: the next session shows the finding
# exempt, with who accepted the risk and until when.
tm kill-server >/dev/null 2>&1 || true
start 100 30 "env LC_ALL=C.UTF-8 sh $TMP/run.sh tui --input fixtures/contoso-drifted --exemptions $TMP/ex.yaml"
wait_for "Posture by management group"
keys Tab /
text 'net-001.*oai-contoso'
keys Enter
wait_for "CRIT exempt   AIHUB-NET-001"
keys Enter
wait_for "Exempted   until 2099-12-31, owner jane.doe@contoso.com, ticket SEC-1234"
shows 'Vendor integration needs "public" access until Q3'
keys q
wait_for "TUI-EXIT=0 MODES=same"
echo ok
