#!/bin/sh
# Issue 4 acceptance: for every credential type, a live scan of the fake ARM server finds exactly
# what the offline scan of the same fixture finds. The server checks each credential for real:
# the client secret, the certificate's JWT assertion (PS256 + x5t#S256; RS256 + x5t when PS256 is
# refused; signature verified with the certificate's public key), the federated token, the GitHub
# OIDC token it issued, the IMDS Metadata header, the App Service X-IDENTITY-HEADER, and the
# token a fake `az` on PATH prints.
. "$(dirname "$0")/e2e.inc"
. "$(dirname "$0")/live.inc"

FED='eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bHpzY2FuIn0.known-federated'
ACTIONS='actions-runtime-token-0123456789'
IDHEADER='app-service-identity-header-42'
STATIC='opaque-static-bearer-token-9876543210'
CLITOKEN='azure-cli-bearer-token-1357924680'

run 1 "$LZSCAN" scan --input "$LIVE_FIXTURE" --format json --output "$TMP/offline.json"
fakearm_start creds '{"client_secret": "'"$SECRET"'", "federated_token": "'"$FED"'",
  "actions_token": "'"$ACTIONS"'", "identity_header": "'"$IDHEADER"'",
  "static_tokens": ["'"$STATIC"'", "'"$CLITOKEN"'"]}'

# live NAME [scan options...]: a live scan from the root group that must match the offline one.
live() {
    name=$1
    shift
    run 1 "$LZSCAN" scan --management-group $TENANT --format json --output "$TMP/$name.json" "$@"
    same_findings "$TMP/offline.json" "$TMP/$name.json"
}
# issued KIND: the server issued a token to that credential kind.
issued() {
    [ "$(requests "r.get('credential') == '$1' and r.get('status') == 200")" -ge 1 ] ||
        fail "no token was issued to the $1 credential"
}

# client secret (chosen by the chain from the environment)
(
    use_secret
    live secret
)
issued secret

# client certificate, PS256 + x5t#S256; then with an encrypted key and its password
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_CERTIFICATE_PATH="$STATE/client.pem"
    live cert
    export AZURE_CLIENT_CERTIFICATE_PATH="$STATE/client-pw.pem" AZURE_CLIENT_CERTIFICATE_PASSWORD=test-cert-password
    live cert-pw --auth certificate
)
issued certificate

# a wrong certificate password is an error naming the file, never the password
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_CERTIFICATE_PATH="$STATE/client-pw.pem"
    export AZURE_CLIENT_CERTIFICATE_PASSWORD=wrong-password-123
    run 2 "$LZSCAN" scan --management-group $TENANT --auth certificate
    contains "$TMP/err" "client-pw.pem"
    ! grep -q wrong-password-123 "$TMP/err" || fail "the password was printed"
)

# workload identity: AZURE_FEDERATED_TOKEN_FILE
printf '%s\n' "$FED" >"$TMP/federated.jwt"
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_FEDERATED_TOKEN_FILE="$TMP/federated.jwt"
    live workload
)
issued federated

# GitHub Actions OIDC: id token from ACTIONS_ID_TOKEN_REQUEST_URL, exchanged at the token endpoint
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID
    export ACTIONS_ID_TOKEN_REQUEST_URL="$ARM/_apis/oidc/token?api-version=2.0" ACTIONS_ID_TOKEN_REQUEST_TOKEN="$ACTIONS"
    live github
)
issued github
[ "$(requests "r['api'] == 'oidc' and 'audience=api%3A%2F%2FAzureADTokenExchange' in r['query']")" -ge 1 ] ||
    fail "the GitHub OIDC request lacks the audience"

# managed identity: IMDS (chosen by the chain because LZSCAN_IMDS_ENDPOINT is set) ...
(export LZSCAN_IMDS_ENDPOINT="http://127.0.0.1:$HTTP_PORT" && live imds)
issued imds
# ... and App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER)
(
    export IDENTITY_ENDPOINT="http://127.0.0.1:$HTTP_PORT/msi/token" IDENTITY_HEADER="$IDHEADER"
    live appservice --auth managed-identity
)
issued appservice

# Azure CLI: a fake az on PATH
mkdir -p "$TMP/bin"
cp "$LZ_SOURCE_DIR/tests/fakearm/az" "$TMP/bin/az"
chmod +x "$TMP/bin/az"
(
    export PATH="$TMP/bin:$PATH" FAKE_AZ_TOKEN="$CLITOKEN" FAKE_AZ_LOG="$TMP/az.log"
    live cli --auth azure-cli
    contains "$TMP/az.log" "account get-access-token --output json --resource $ARM/"
)

# a static token (LZSCAN_ACCESS_TOKEN)
(export LZSCAN_ACCESS_TOKEN="$STATIC" && live static)

# no credential at all: exit 2 with a message that says what to set
(
    export PATH=/usr/bin:/bin
    run 2 "$LZSCAN" scan --management-group $TENANT
    contains "$TMP/err" "no Azure credential found"
)
# a wrong secret: exit 2, the token endpoint's error named, the secret never printed
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_SECRET=not-the-secret-000
    run 2 "$LZSCAN" scan --management-group $TENANT
    contains "$TMP/err" "oauth2/v2.0/token: HTTP 401 invalid_client"
    ! grep -q not-the-secret-000 "$TMP/err" || fail "the secret was printed"
)

# RS256 + x5t when the token endpoint refuses PS256
fakearm_start rs256 '{"reject_ps256": true}'
(
    export AZURE_TENANT_ID=$TENANT AZURE_CLIENT_ID=$CLIENT_ID AZURE_CLIENT_CERTIFICATE_PATH="$STATE/client.pem"
    live cert-rs256
)
[ "$(requests "r.get('alg') == 'PS256' and r.get('status') == 401")" = 1 ] || fail "PS256 was not tried first"
[ "$(requests "r.get('alg') == 'RS256' and r.get('status') == 200")" = 1 ] || fail "no RS256 fallback"
echo ok
