#!/bin/sh
# Issue 6 item 5: `lzscan tui` on a live scan shows the collector's progress
# (phase, pages, requests, retries, 429s, throttling wait, coverage gaps) on
# its progress screen, never the stderr progress line, then opens the results
# on the dashboard; q gives the terminal back. The fake ARM server answers the
# first Resource Graph query 429 (Retry-After 4) and is slow on the second, so
# the progress screen stays up for a few seconds; ARM calls in one subscription
# are 403 (coverage gaps).
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"
. "$(dirname "$0")/tmux.inc"
# live.inc and tmux.inc each set an EXIT trap: stop both the servers and tmux.
trap 'for p in $FAKEARM_PIDS; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT

SUB_B=5b1e0f3c-4b00-4000-8000-00000000000b
fakearm_start slow '{"client_secret": "'"$SECRET"'", "page_size": 20,
  "forbidden_arm_subscriptions": ["'$SUB_B'"],
  "faults": [{"match": {"api": "arg", "nth": 1}, "action": "429", "retry_after": 4},
             {"match": {"api": "arg", "nth": 3}, "action": "slow", "delay": 3}]}'
use_secret

# Without a terminal it says so before collecting anything (exit 2).
run 2 "$LZSCAN" tui --management-group $TENANT --exemptions "$TMP/ex.yaml"
contains "$TMP/err" "the TUI needs a terminal"
[ ! -s "$STATE/requests.ndjson" ] || fail "collected with no terminal to show the results on"

runner
cd "$TMP"
start 100 30 "env LC_ALL=C.UTF-8 sh $TMP/run.sh tui --management-group $TENANT --exemptions $TMP/ex.yaml"

# The progress screen, with the 429 counted while its Retry-After runs out.
wait_for "lzscan  collecting" 20
shows "Phase: "
shows "requests"
shows "coverage gaps"
shows "throttling wait (s)"
shows "Ctrl-C stops; the results open when collection ends"
wait_true "one 429 on the progress screen" sh -c 'tmux -L "$1" -f /dev/null capture-pane -p -t t | grep -Eq "throttled \(429\) +1 *$"' sh "$SOCK"
wait_true "a throttling wait of 1 s" sh -c 'tmux -L "$1" -f /dev/null capture-pane -p -t t | grep -Eq "throttling wait \(s\) +[1-9]"' sh "$SOCK"
[ "$(tm display -p -t t '#{alternate_on}')" = 1 ] || fail "the progress screen is not on the alternate screen"
screen >"$TMP/progress"
lacks "lzscan: " # the stderr progress line never draws over it

# Collection ends: the dashboard, with the 403'd subscription's coverage gaps.
wait_for "Posture by management group and subscription" 30
shows "Coverage: INCOMPLETE"
shows "sub contoso-ai-hub"
lacks "lzscan  collecting"
lacks "lzscan: "

# Quit: the shell's screen and terminal modes are back.
keys q
wait_for "TUI-EXIT="
shows "TUI-EXIT=0 MODES=same"
shows "SHELL-BEFORE-TUI"
lacks "Posture by management group"
lacks "lzscan: "
[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "the alternate screen was not left"
[ "$(requests 'r.get("status") == 429')" -ge 1 ] || fail "the 429 was not served"
echo ok
