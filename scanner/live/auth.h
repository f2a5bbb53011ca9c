/*
 * auth.h - access tokens for Azure Resource Manager.
 *
 * Credentials, in the order they are tried when --auth does not pick one
 * (the first whose configuration is present is used; see docs/live.md):
 *   token              LZSCAN_ACCESS_TOKEN (a bearer token; never refreshed)
 *   secret             AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
 *   certificate        AZURE_CLIENT_CERTIFICATE_PATH (PEM: certificate + key),
 *                      AZURE_CLIENT_CERTIFICATE_PASSWORD; JWT client assertion
 *                      signed PS256 (x5t#S256), RS256 (x5t) if PS256 is refused
 *   workload-identity  AZURE_FEDERATED_TOKEN_FILE (+ tenant and client id)
 *   github-oidc        ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN (+ tenant, client id)
 *   managed-identity   IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service), else
 *                      IMDS when --imds-endpoint / LZSCAN_IMDS_ENDPOINT is set
 *                      or the machine is an Azure VM; AZURE_CLIENT_ID selects a
 *                      user-assigned identity
 *   azure-cli          `az account get-access-token` when az is on PATH
 *
 * A token is refreshed 5 minutes before it expires, and on demand after a
 * 401 (auth_token with force). Every secret read or received is registered
 * with redact.h; no message of this module contains one.
 *
 * Ownership: auth owns the token string returned by auth_token, valid until
 * the next auth_token call or auth_free.
 */
#ifndef LIVE_AUTH_H
#define LIVE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "../../common/lz.h"
#include "http.h"

enum auth_kind {
    AUTH_CHAIN = 0, /* not chosen: try the chain */
    AUTH_TOKEN,
    AUTH_SECRET,
    AUTH_CERT,
    AUTH_WORKLOAD,
    AUTH_GITHUB,
    AUTH_MANAGED,
    AUTH_CLI,
};

/* "token", "secret", "certificate", ... as accepted by --auth. */
const char *auth_kind_name(enum auth_kind k);
int auth_kind_parse(const char *s, enum auth_kind *out);

/* Called for every HTTP request a credential makes (attempt 1 = first). */
typedef void (*auth_log_fn)(void *ctx, const char *method, const char *url, const http_response *r,
                            int attempt);

typedef struct auth_config {
    enum auth_kind want;
    const char *authority_host; /* https://login.microsoftonline.com */
    const char *arm_endpoint;   /* https://management.azure.com/ */
    const char *imds_endpoint;  /* NULL: http://169.254.169.254 (used only on Azure VMs) */
    const char *tenant;         /* --tenant; else AZURE_TENANT_ID */
    int max_attempts;           /* per token request; 0: 4 */
    double backoff_base_ms;     /* 0: 500 */
    auth_log_fn log;
    void *log_ctx;
} auth_config;

typedef struct auth auth;

/* Picks the credential from the configuration and environment (no network).
 * Fails with a message saying what is missing. */
int auth_new(auth **out, const auth_config *c, http_client *h, lz_err *e);
void auth_free(auth *a);

enum auth_kind auth_selected(const auth *a);
/* Where the credential came from, for the manifest and logs (no secrets). */
const char *auth_describe(const auth *a);

/* A valid token: the cached one unless it expires within 5 minutes or force
 * is set. *generation changes whenever a new token is obtained. */
int auth_token(auth *a, bool force, const char **token, unsigned *generation, lz_err *e);

/* The tenant: configured, or read from the Azure CLI or the token's tid. */
const char *auth_tenant(auth *a);

/* Test hook: the clock (epoch seconds); NULL restores time(). */
void auth_set_clock(auth *a, int64_t (*now)(void));

#endif
