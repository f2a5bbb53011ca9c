# The TUI with --baseline: findings new since the baseline are marked and can
# be shown alone (b); findings the baseline had and this run does not are
# listed as resolved on the dashboard.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/tmux.inc"
runner
cd "$LZ_SOURCE_DIR"
set +e
"$LZSCAN" scan --input fixtures/contoso-compliant --format json --output "$TMP/compliant.json" 2>/dev/null
"$LZSCAN" scan --input fixtures/contoso-drifted --format json --output "$TMP/drifted.json" 2>/dev/null
set -e
[ -s "$TMP/compliant.json" ] && [ -s "$TMP/drifted.json" ] || fail "could not write the baselines"

# Against the compliant tenant the drifted tenant's failures are new.
start 100 30 "env LC_ALL=C.UTF-8 sh $TMP/run.sh tui --input fixtures/contoso-drifted --baseline $TMP/compliant.json --exemptions $TMP/ex.yaml"
wait_for "Posture by management group"
wait_for "compliant.json: "
keys Tab
wait_for "CRIT fail new     AIHUB-NET-001"
keys b
wait_for "new/updated only"
keys Enter
wait_for "Baseline   new: not in the baseline"
keys q
wait_for "TUI-EXIT=0 MODES=same"

# The compliant tenant against the drifted baseline: nothing new, the drift resolved.
tm kill-server >/dev/null 2>&1 || true
start 100 30 "env LC_ALL=C.UTF-8 sh $TMP/run.sh tui --input fixtures/contoso-compliant --baseline $TMP/drifted.json --exemptions $TMP/ex.yaml"
wait_for "drifted.json: "
keys /
text 'resolved: aihub-net-001.*oai-contoso'
keys Enter
wait_for "resolved: AIHUB-NET-001 critical  oai-contoso-aihub"
keys q
wait_for "TUI-EXIT=0 MODES=same"
echo ok
