/*
 * opts.c - see opts.h.
 */
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

const char live_opts_usage[] =
    "live collection (Azure Resource Graph and ARM):\n"
    "      --management-group ID   scope: a management group (default: the tenant root group)\n"
    "      --subscription ID       scope: a subscription (repeatable)\n"
    "      --exclude-management-group ID, --exclude-subscription ID   leave out (repeatable)\n"
    "      --tenant ID             the Entra ID tenant (else AZURE_TENANT_ID or the token's)\n"
    "      --auth KIND             token, secret, certificate, workload-identity, github-oidc,\n"
    "                              managed-identity or azure-cli (default: the first configured)\n"
    "      --cloud NAME            AzureCloud (default), AzureUSGovernment, AzureChinaCloud\n"
    "      --arm-endpoint URL      ARM endpoint (also LZSCAN_ARM_ENDPOINT)\n"
    "      --imds-endpoint URL     managed identity endpoint (also LZSCAN_IMDS_ENDPOINT)\n"
    "      --ca-bundle FILE        CA certificates to trust (also SSL_CERT_FILE)\n"
    "      --verbose               log every call (method, path, status, time, attempt) to stderr\n"
    "      --no-projection         read whole objects from Resource Graph, not only the\n"
    "                              properties the rules read (a snapshot for any rule pack)\n";

static void push(live_strs *s, const char *v) {
    LZ_PUSH(s->v, s->n, s->cap, v);
}

static bool known_cloud(const char *c) {
    return strcasecmp(c, "AzureCloud") == 0 || strcasecmp(c, "AzureUSGovernment") == 0 ||
           strcasecmp(c, "AzureChinaCloud") == 0;
}

static int bad(const char *fmt, const char *arg) {
    fputs("lzscan: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return -1;
}

int live_opt(live_opts *o, int c, const char *arg) {
    o->any = true;
    switch (c) {
    case LIVE_OPT_MG:
        push(&o->mgs, arg);
        return 0;
    case LIVE_OPT_SUB:
        push(&o->subs, arg);
        return 0;
    case LIVE_OPT_EXCL_MG:
        push(&o->exclude_mgs, arg);
        return 0;
    case LIVE_OPT_EXCL_SUB:
        push(&o->exclude_subs, arg);
        return 0;
    case LIVE_OPT_TENANT:
        o->tenant = arg;
        return 0;
    case LIVE_OPT_AUTH:
        if (auth_kind_parse(arg, &o->auth) < 0 || o->auth == AUTH_CHAIN)
            return bad(
                "--auth: \"%s\" is not a credential kind (token, secret, certificate, workload-identity, "
                "github-oidc, managed-identity, azure-cli)",
                arg);
        return 0;
    case LIVE_OPT_CLOUD:
        if (!known_cloud(arg))
            return bad("--cloud: \"%s\" is not a cloud (AzureCloud, AzureUSGovernment, AzureChinaCloud)",
                       arg);
        o->cloud = arg;
        return 0;
    case LIVE_OPT_ARM:
        o->arm_endpoint = arg;
        return 0;
    case LIVE_OPT_IMDS:
        o->imds_endpoint = arg;
        return 0;
    case LIVE_OPT_CA:
        o->ca_bundle = arg;
        return 0;
    case LIVE_OPT_VERBOSE:
        o->verbose = true;
        return 0;
    case LIVE_OPT_NO_PROJECTION:
        o->no_projection = true;
        return 0;
    default:
        return bad("%s: unknown live option", "?");
    }
}

bool live_opts_scoped(const live_opts *o) {
    return o->mgs.n || o->subs.n || o->tenant;
}

void live_opts_free(live_opts *o) {
    free(o->mgs.v);
    free(o->subs.v);
    free(o->exclude_mgs.v);
    free(o->exclude_subs.v);
}

static char *trim_slash(const char *u) {
    char *r = lz_strdup(u);
    size_t n = strlen(r);
    while (n > 8 && r[n - 1] == '/') r[--n] = '\0';
    return r;
}

static char *with_scheme(const char *h) {
    char *full = strstr(h, "://") ? lz_strdup(h) : lz_asprintf("https://%s", h);
    char *r = trim_slash(full);
    free(full);
    return r;
}

int live_endpoints_resolve(const live_opts *o, live_endpoints *out, lz_err *e) {
    memset(out, 0, sizeof *out);
    const char *cloud = o->cloud ? o->cloud : "AzureCloud";
    const char *arm = "https://management.azure.com", *login = "https://login.microsoftonline.com";
    if (strcasecmp(cloud, "AzureUSGovernment") == 0) {
        arm = "https://management.usgovcloudapi.net";
        login = "https://login.microsoftonline.us";
    } else if (strcasecmp(cloud, "AzureChinaCloud") == 0) {
        arm = "https://management.chinacloudapi.cn";
        login = "https://login.chinacloudapi.cn";
    }
    const char *env_arm = getenv("LZSCAN_ARM_ENDPOINT"), *env_login = getenv("AZURE_AUTHORITY_HOST");
    out->arm = trim_slash(o->arm_endpoint ? o->arm_endpoint : env_arm && *env_arm ? env_arm : arm);
    out->authority = with_scheme(env_login && *env_login ? env_login : login);
    const char *imds = o->imds_endpoint ? o->imds_endpoint : getenv("LZSCAN_IMDS_ENDPOINT");
    out->imds = imds && *imds ? trim_slash(imds) : NULL;
    if (strncasecmp(out->arm, "https://", 8) != 0)
        return live_errf(e, "the ARM endpoint must be an https:// URL, not \"%s\"", out->arm);
    if (strncasecmp(out->authority, "https://", 8) != 0)
        return live_errf(e, "AZURE_AUTHORITY_HOST must be an https:// URL, not \"%s\"", out->authority);
    return 0;
}

void live_endpoints_free(live_endpoints *ep) {
    free(ep->arm);
    free(ep->authority);
    free(ep->imds);
    memset(ep, 0, sizeof *ep);
}
