#!/bin/sh
# Issue 4 and 9 acceptance: a scan with a known client secret, and the access tokens the server
# issued for it, leaves neither in stdout, stderr, the --verbose log, the snapshot, the report or
# an evidence bundle, also when calls fail and tokens are refreshed. Same for a static token, a
# certificate password, a federated token and the GitHub runtime token. A collection killed
# mid-run by SIGABRT or SIGSEGV with `ulimit -c unlimited` dumps no core, and what it leaves
# behind holds no secret either (live_secrets_core.py).
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

STATIC='opaque-static-bearer-token-1122334455'
FED='federated-assertion-known-0987654321'
ACTIONS='actions-runtime-token-known-5566778899'
fakearm_start secrets '{"client_secret": "'"$SECRET"'", "static_tokens": ["'"$STATIC"'"],
  "federated_token": "'"$FED"'", "actions_token": "'"$ACTIONS"'", "expire_after_requests": 12,
  "faults": [{"match": {"api": "arm", "nth": 3}, "action": "503"},
             {"match": {"api": "arm", "path_contains": "kv-tenant-a-01/providers"}, "action": "500", "count": 100}]}'
OUT="$TMP/outputs"
mkdir -p "$OUT"

# Every output of a scan and a collection, --verbose, with retries, a refresh and a gap.
(
    use_secret
    run 3 "$LZSCAN" scan --management-group $TENANT --verbose --format json --output "$OUT/report.json"
    cp "$TMP/out" "$OUT/scan.stdout" && cp "$TMP/err" "$OUT/scan.stderr"
    run 3 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/out" "$OUT/text.stdout" && cp "$TMP/err" "$OUT/text.stderr"
    run 3 "$LZSCAN" collect --out "$OUT/snapshot.ndjson" --verbose
    cp "$TMP/out" "$OUT/collect.stdout" && cp "$TMP/err" "$OUT/collect.stderr"
    run 0 "$LZSCAN" evidence --management-group $TENANT --out "$TMP/bundle" --verbose
    cp "$TMP/out" "$OUT/evidence.stdout" && cp "$TMP/err" "$OUT/evidence.stderr"
)
find "$TMP/bundle" -type f | while read -r f; do cp "$f" "$OUT/bundle-$(echo "${f#"$TMP"/bundle/}" | tr / _)"; done
contains "$OUT/scan.stderr" "POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01 -> 200"
contains "$OUT/scan.stderr" "-> 401"
[ -s "$STATE/issued-tokens.txt" ] || fail "the server issued no token"
[ "$(wc -l <"$STATE/issued-tokens.txt")" -ge 2 ] || fail "no token was refreshed"

# A refused static token, a wrong certificate password, the workload and GitHub credentials.
(
    export LZSCAN_ACCESS_TOKEN=opaque-static-token-the-server-refuses-42
    run 2 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/err" "$OUT/static-refused.stderr"
    export LZSCAN_ACCESS_TOKEN="$STATIC"
    run 3 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/err" "$OUT/static.stderr" && cp "$TMP/out" "$OUT/static.stdout"
)
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID
    export AZURE_CLIENT_CERTIFICATE_PATH="$STATE/client-pw.pem" AZURE_CLIENT_CERTIFICATE_PASSWORD=cert-password-wrong-777
    run 2 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/err" "$OUT/cert.stderr"
    unset AZURE_CLIENT_CERTIFICATE_PATH AZURE_CLIENT_CERTIFICATE_PASSWORD
    printf '%s\n' "$FED" >"$TMP/fed"
    AZURE_FEDERATED_TOKEN_FILE="$TMP/fed" run 3 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/err" "$OUT/workload.stderr"
    ACTIONS_ID_TOKEN_REQUEST_URL="$ARM/_apis/oidc/token?api-version=2.0" ACTIONS_ID_TOKEN_REQUEST_TOKEN="$ACTIONS" \
        run 3 "$LZSCAN" scan --management-group $TENANT --verbose
    cp "$TMP/err" "$OUT/github.stderr"
)

# Killed mid-run (a slow Resource Graph keeps it busy): no core, no secret in what is left.
cat "$STATE/issued-tokens.txt" >"$TMP/issued.txt"
fakearm_start core '{"client_secret": "'"$SECRET"'", "faults": [{"match": {"api": "arg"}, "action": "slow", "delay": 5, "count": 1000}]}'
(
    use_secret
    mkdir "$TMP/core-runs"
    python3 "$E2E/live_secrets_core.py" "$LZSCAN" "$TMP/core-runs" "$STATE/requests.ndjson" "$OUT"
) || fail "a killed collection dumped a core (or could not be killed mid-run)"
cat "$STATE/issued-tokens.txt" >>"$TMP/issued.txt"

python3 - "$OUT" "$TMP/issued.txt" "$SECRET" "$STATIC" opaque-static-token-the-server-refuses-42 \
    cert-password-wrong-777 "$FED" "$ACTIONS" <<'EOF' || fail "a secret leaked"
import os, sys
out, issued = sys.argv[1], [t.strip() for t in open(sys.argv[2]) if t.strip()]
secrets = issued + sys.argv[3:]
leaks = []
for name in sorted(os.listdir(out)):
    data = open(os.path.join(out, name), encoding="utf-8", errors="replace").read()
    for s in secrets:
        if s in data:
            leaks.append("%s holds %s..." % (name, s[:12]))
        # nor any long part of it (a token cut by a log line)
        elif len(s) > 40 and any(s[i:i + 24] in data for i in range(0, len(s) - 24, 8)):
            leaks.append("%s holds part of %s..." % (name, s[:12]))
print("checked %d files for %d secrets (%d issued tokens)" % (len(os.listdir(out)), len(secrets), len(issued)))
for l in leaks:
    print("LEAK:", l, file=sys.stderr)
sys.exit(1 if leaks else 0)
EOF
contains "$OUT/static-refused.stderr" "HTTP 401"
contains "$OUT/cert.stderr" "client-pw.pem"
echo ok
