/*
 * auth.c - see auth.h.
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jwt.h"
#include "pace.h"
#include "page.h"
#include "redact.h"

extern char **environ;

#define REFRESH_MARGIN_S   300 /* refresh 5 minutes before expiry */
#define ASSERTION_REREAD_S 600 /* re-read a federated token file at most every 10 minutes */
#define CLI_TIMEOUT_MS     60000
#define AZURE_VM_ASSET_TAG "7783-7084-3265-9085-8269-3286-77"

struct auth {
    auth_config cfg;
    http_client *http;
    enum auth_kind kind;
    char *describe;
    /* configuration, read once from the environment */
    char *tenant, *client_id, *client_secret;
    char *cert_path, *cert_password;
    live_cert *cert;
    enum jwt_alg alg;
    char *federated_file, *assertion;
    int64_t assertion_read;
    char *gh_url, *gh_token;
    char *identity_endpoint, *identity_header, *imds;
    char *authority, *arm, *scope, *resource;
    /* the token */
    char *token;
    int64_t expires;
    unsigned generation;
    bool static_used;
    int64_t (*now)(void);
};

static const char *const kind_names[] = {
    "chain",    "token", "secret", "certificate", "workload-identity", "github-oidc", "managed-identity",
    "azure-cli"};

const char *auth_kind_name(enum auth_kind k) {
    return k <= AUTH_CLI ? kind_names[k] : "?";
}

int auth_kind_parse(const char *s, enum auth_kind *out) {
    for (int k = AUTH_CHAIN; k <= AUTH_CLI; k++)
        if (strcmp(s, kind_names[k]) == 0) {
            *out = (enum auth_kind)k;
            return 0;
        }
    return -1;
}

static int64_t wall_now(void) {
    return (int64_t)time(NULL);
}

static char *env_dup(const char *name) {
    const char *v = getenv(name);
    return v && *v ? lz_strdup(v) : NULL;
}

static char *env_secret(const char *name) {
    char *v = env_dup(name);
    if (v) live_secret_add(v);
    return v;
}

/* "login.microsoftonline.com/" -> "https://login.microsoftonline.com" */
static char *norm_host(const char *h) {
    char *r = strstr(h, "://") ? lz_strdup(h) : lz_asprintf("https://%s", h);
    size_t n = strlen(r);
    while (n > 8 && r[n - 1] == '/') r[--n] = '\0';
    return r;
}

static bool on_azure_vm(void) {
    char tag[64] = "";
    FILE *f = fopen("/sys/class/dmi/id/chassis_asset_tag", "r");
    if (!f) return false;
    if (!fgets(tag, sizeof tag, f)) tag[0] = '\0';
    fclose(f);
    return strncmp(tag, AZURE_VM_ASSET_TAG, strlen(AZURE_VM_ASSET_TAG)) == 0;
}

static bool az_on_path(void) {
    const char *path = getenv("PATH");
    if (!path) return false;
    char *copy = lz_strdup(path), *save = NULL;
    bool found = false;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *f = lz_asprintf("%s/az", *d ? d : ".");
        found = access(f, X_OK) == 0;
        free(f);
    }
    free(copy);
    return found;
}

static void read_env(auth *a) {
    a->tenant = a->cfg.tenant && *a->cfg.tenant ? lz_strdup(a->cfg.tenant) : env_dup("AZURE_TENANT_ID");
    a->client_id = env_dup("AZURE_CLIENT_ID");
    a->client_secret = env_secret("AZURE_CLIENT_SECRET");
    a->cert_path = env_dup("AZURE_CLIENT_CERTIFICATE_PATH");
    a->cert_password = env_secret("AZURE_CLIENT_CERTIFICATE_PASSWORD");
    a->federated_file = env_dup("AZURE_FEDERATED_TOKEN_FILE");
    a->gh_url = env_dup("ACTIONS_ID_TOKEN_REQUEST_URL");
    a->gh_token = env_secret("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    a->identity_endpoint = env_dup("IDENTITY_ENDPOINT");
    a->identity_header = env_secret("IDENTITY_HEADER");
    char *static_token = env_secret("LZSCAN_ACCESS_TOKEN");
    free(static_token); /* read again when used; registered for redaction now */
}

/* Which credential the environment configures, in the documented order. */
static enum auth_kind from_chain(const auth *a) {
    if (getenv("LZSCAN_ACCESS_TOKEN") && *getenv("LZSCAN_ACCESS_TOKEN")) return AUTH_TOKEN;
    bool app = a->tenant && a->client_id;
    if (app && a->client_secret) return AUTH_SECRET;
    if (app && a->cert_path) return AUTH_CERT;
    if (app && a->federated_file) return AUTH_WORKLOAD;
    if (app && a->gh_url && a->gh_token) return AUTH_GITHUB;
    if ((a->identity_endpoint && a->identity_header) || a->cfg.imds_endpoint || on_azure_vm())
        return AUTH_MANAGED;
    if (az_on_path()) return AUTH_CLI;
    return AUTH_CHAIN;
}

static int need(const char *v, const char *what, enum auth_kind k, lz_err *e) {
    if (v) return 0;
    return live_errf(e, "--auth %s needs %s", auth_kind_name(k), what);
}

static int check_config(auth *a, lz_err *e) {
    enum auth_kind k = a->kind;
    bool app = k == AUTH_SECRET || k == AUTH_CERT || k == AUTH_WORKLOAD || k == AUTH_GITHUB;
    if (app && (need(a->tenant, "a tenant (AZURE_TENANT_ID or --tenant)", k, e) < 0 ||
                need(a->client_id, "AZURE_CLIENT_ID", k, e) < 0))
        return -1;
    switch (k) {
    case AUTH_TOKEN:
        return need(getenv("LZSCAN_ACCESS_TOKEN"), "LZSCAN_ACCESS_TOKEN", k, e);
    case AUTH_SECRET:
        return need(a->client_secret, "AZURE_CLIENT_SECRET", k, e);
    case AUTH_CERT:
        if (need(a->cert_path, "AZURE_CLIENT_CERTIFICATE_PATH", k, e) < 0) return -1;
        return live_cert_load(a->cert_path, a->cert_password, &a->cert, e);
    case AUTH_WORKLOAD:
        return need(a->federated_file, "AZURE_FEDERATED_TOKEN_FILE", k, e);
    case AUTH_GITHUB:
        if (need(a->gh_url, "ACTIONS_ID_TOKEN_REQUEST_URL", k, e) < 0) return -1;
        return need(a->gh_token, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", k, e);
    default:
        return 0;
    }
}

static void describe(auth *a) {
    switch (a->kind) {
    case AUTH_TOKEN:
        a->describe = lz_strdup("token (LZSCAN_ACCESS_TOKEN)");
        break;
    case AUTH_SECRET:
    case AUTH_CERT:
    case AUTH_WORKLOAD:
    case AUTH_GITHUB:
        a->describe =
            lz_asprintf("%s (client %s, tenant %s)", auth_kind_name(a->kind), a->client_id, a->tenant);
        break;
    case AUTH_MANAGED:
        a->describe = lz_asprintf("managed-identity (%s%s%s)",
                                  a->identity_endpoint && a->identity_header ? "App Service" : "IMDS",
                                  a->client_id ? ", client " : "", a->client_id ? a->client_id : "");
        break;
    default:
        a->describe = lz_strdup(auth_kind_name(a->kind));
    }
}

int auth_new(auth **out, const auth_config *c, http_client *h, lz_err *e) {
    auth *a = lz_calloc(1, sizeof *a);
    a->cfg = *c;
    a->http = h;
    a->now = wall_now;
    if (!a->cfg.max_attempts) a->cfg.max_attempts = 4;
    if (!a->cfg.backoff_base_ms) a->cfg.backoff_base_ms = 500;
    read_env(a);
    a->authority = norm_host(c->authority_host);
    a->arm = lz_strdup(c->arm_endpoint);
    size_t n = strlen(a->arm);
    while (n && a->arm[n - 1] == '/') a->arm[--n] = '\0';
    a->scope = lz_asprintf("%s/.default", a->arm);
    a->resource = lz_asprintf("%s/", a->arm);
    a->imds = norm_host(c->imds_endpoint ? c->imds_endpoint : "http://169.254.169.254");
    a->kind = c->want != AUTH_CHAIN ? c->want : from_chain(a);
    if (a->kind == AUTH_CHAIN) {
        auth_free(a);
        return live_errf(
            e, "no Azure credential found: set LZSCAN_ACCESS_TOKEN, AZURE_TENANT_ID + AZURE_CLIENT_ID "
               "with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or "
               "AZURE_FEDERATED_TOKEN_FILE, run in GitHub Actions with id-token permission, on "
               "a managed identity, or log in with `az login` (see docs/live.md)");
    }
    if (check_config(a, e) < 0) {
        auth_free(a);
        return -1;
    }
    describe(a);
    *out = a;
    return 0;
}

void auth_free(auth *a) {
    if (!a) return;
    char **strs[] = {
        &a->tenant,          &a->client_id, &a->client_secret, &a->cert_path, &a->cert_password,
        &a->federated_file,  &a->assertion, &a->gh_url,        &a->gh_token,  &a->identity_endpoint,
        &a->identity_header, &a->imds,      &a->authority,     &a->arm,       &a->scope,
        &a->resource,        &a->token,     &a->describe};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        if (*strs[i]) OPENSSL_cleanse(*strs[i], strlen(*strs[i]));
        free(*strs[i]);
    }
    live_cert_free(a->cert);
    free(a);
}

enum auth_kind auth_selected(const auth *a) {
    return a->kind;
}

const char *auth_describe(const auth *a) {
    return a->describe;
}

void auth_set_clock(auth *a, int64_t (*now)(void)) {
    a->now = now ? now : wall_now;
}

/* ---- HTTP with retries ---- */

static void sleep_ms(double ms) {
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static bool retryable_status(long s, bool imds) {
    return s == 429 || s == 408 || s >= 500 || (imds && (s == 404 || s == 410));
}

static double rnd01(void) {
    unsigned int r = 0;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (unsigned int)rand();
    return (double)r / 4294967296.0;
}

/* Sends req, retrying transport errors, 429 and 5xx with backoff. */
static void send_retrying(auth *a, http_request *req, bool imds) {
    for (int attempt = 1;; attempt++) {
        http_perform(a->http, req);
        if (a->cfg.log) a->cfg.log(a->cfg.log_ctx, req->method, req->url, &req->resp, attempt);
        bool again = req->resp.status ? retryable_status(req->resp.status, imds)
                                      : http_transport_retryable(req->resp.curl_code);
        if (!again || attempt >= a->cfg.max_attempts) return;
        double wait = pace_retry_after_ms(http_header_get(&req->resp, "retry-after"), a->now());
        if (wait < 0) wait = pace_backoff_ms(attempt, a->cfg.backoff_base_ms, 30000, rnd01());
        sleep_ms(wait);
    }
}

/* "POST /tenant/oauth2/v2.0/token: 401 invalid_client: AADSTS..." */
static int request_error(const http_request *req, lz_err *e) {
    char *path = http_log_path(req->url);
    if (!req->resp.status) {
        live_errf(e, "%s %s: %s", req->method, path, req->resp.error);
        free(path);
        return -1;
    }
    yajl_val t = live_json_parse(lz_buf_cstr((lz_buf *)&req->resp.body));
    const char *code = live_json_str(t, "error", (char *)NULL);
    const char *desc = live_json_str(t, "error_description", (char *)NULL);
    if (!code) code = live_json_str(t, "error", "code", (char *)NULL);
    if (!desc) desc = live_json_str(t, "error", "message", (char *)NULL);
    live_errf(e, "%s %s: HTTP %ld%s%s%s%.300s", req->method, path, req->resp.status, code ? " " : "",
              code ? code : "", desc ? ": " : "", desc ? desc : "");
    yajl_tree_free(t);
    free(path);
    return -1;
}

/* Reads access_token and its expiry from a token response body. */
static int take_token(auth *a, const http_request *req, const char *tok_key, lz_err *e) {
    yajl_val t = live_json_parse(lz_buf_cstr((lz_buf *)&req->resp.body));
    const char *tok = live_json_str(t, tok_key, (char *)NULL);
    if (!tok || !*tok) {
        yajl_tree_free(t);
        char *path = http_log_path(req->url);
        live_errf(e, "%s %s: HTTP %ld but the response holds no %s", req->method, path, req->resp.status,
                  tok_key);
        free(path);
        return -1;
    }
    int64_t now = a->now();
    double on = live_json_num(t, -1, "expires_on", (char *)NULL);
    double in = live_json_num(t, -1, "expires_in", (char *)NULL);
    free(a->token);
    a->token = lz_strdup(tok);
    live_secret_add(a->token);
    a->expires = on > 0 ? (int64_t)on : in >= 0 ? now + (int64_t)in : now + 3600;
    a->generation++;
    yajl_tree_free(t);
    return 0;
}

static void form_add(lz_buf *b, const char *k, const char *v) {
    char *ev = http_escape(v);
    lz_buf_printf(b, "%s%s=%s", b->len ? "&" : "", k, ev);
    OPENSSL_cleanse(ev, strlen(ev));
    free(ev);
}

/* POSTs the client-credentials grant with the given secret or assertion. */
static int post_grant(auth *a, const char *secret, const char *assertion, http_response *keep, lz_err *e) {
    char *url = lz_asprintf("%s/%s/oauth2/v2.0/token", a->authority, a->tenant);
    lz_buf form = {0};
    form_add(&form, "client_id", a->client_id);
    form_add(&form, "grant_type", "client_credentials");
    form_add(&form, "scope", a->scope);
    if (secret) form_add(&form, "client_secret", secret);
    if (assertion) {
        form_add(&form, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form_add(&form, "client_assertion", assertion);
    }
    char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    http_request req = {.method = "POST",
                        .url = url,
                        .headers = hdrs,
                        .nheaders = 2,
                        .body = form.data,
                        .body_len = form.len};
    send_retrying(a, &req, false);
    int rc = req.resp.status == 200 ? take_token(a, &req, "access_token", e) : request_error(&req, e);
    if (keep)
        *keep = req.resp;
    else
        http_response_free(&req.resp);
    OPENSSL_cleanse(form.data, form.len);
    lz_buf_free(&form);
    free(url);
    return rc;
}

/* ---- credentials ---- */

static int cert_token(auth *a, lz_err *e) {
    char *aud = lz_asprintf("%s/%s/oauth2/v2.0/token", a->authority, a->tenant);
    int rc = -1;
    for (int tries = 0; tries < 2; tries++) {
        unsigned char jti[16];
        if (RAND_bytes(jti, sizeof jti) != 1) break;
        char *jwt = NULL;
        if (live_jwt_assertion(a->cert, a->alg, a->client_id, aud, a->now(), jti, &jwt, e) < 0) break;
        live_secret_add(jwt);
        http_response resp = {0};
        rc = post_grant(a, NULL, jwt, &resp, e);
        free(jwt);
        /* PS256 refused (400/401 invalid_client): the older RS256 + x5t form. */
        bool refused = rc < 0 && (resp.status == 400 || resp.status == 401) && a->alg == JWT_PS256;
        http_response_free(&resp);
        if (!refused) break;
        a->alg = JWT_RS256;
    }
    free(aud);
    return rc;
}

static int read_assertion(auth *a, lz_err *e) {
    int64_t now = a->now();
    if (a->assertion && now - a->assertion_read < ASSERTION_REREAD_S) return 0;
    char *text;
    size_t len;
    if (lz_read_file(a->federated_file, &text, &len, e) < 0)
        return lz_err_prefix(e, "AZURE_FEDERATED_TOKEN_FILE");
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (!len) {
        free(text);
        return live_errf(e, "%s: the federated token file is empty", a->federated_file);
    }
    free(a->assertion);
    a->assertion = text;
    a->assertion_read = now;
    live_secret_add(text);
    return 0;
}

static int github_assertion(auth *a, lz_err *e) {
    char *url = lz_asprintf("%s%caudience=api%%3A%%2F%%2FAzureADTokenExchange", a->gh_url,
                            strchr(a->gh_url, '?') ? '&' : '?');
    char *auth_h = lz_asprintf("Authorization: Bearer %s", a->gh_token);
    char *hdrs[] = {auth_h, "Accept: application/json"};
    http_request req = {.method = "GET", .url = url, .headers = hdrs, .nheaders = 2};
    send_retrying(a, &req, false);
    int rc = 0;
    if (req.resp.status != 200) {
        rc = request_error(&req, e);
    } else {
        yajl_val t = live_json_parse(lz_buf_cstr(&req.resp.body));
        const char *v = live_json_str(t, "value", (char *)NULL);
        if (v && *v) {
            free(a->assertion);
            a->assertion = lz_strdup(v);
            live_secret_add(a->assertion);
        } else {
            rc = live_errf(e, "GET %s: the GitHub OIDC response holds no value",
                           "ACTIONS_ID_TOKEN_REQUEST_URL");
        }
        yajl_tree_free(t);
    }
    http_response_free(&req.resp);
    OPENSSL_cleanse(auth_h, strlen(auth_h));
    free(auth_h);
    free(url);
    return rc;
}

static int managed_token(auth *a, lz_err *e) {
    bool app_service = a->identity_endpoint && a->identity_header;
    char *res = http_escape(a->resource);
    char *cid = a->client_id ? http_escape(a->client_id) : NULL;
    char *url = app_service
                    ? lz_asprintf("%s%capi-version=2019-08-01&resource=%s%s%s", a->identity_endpoint,
                                  strchr(a->identity_endpoint, '?') ? '&' : '?', res,
                                  cid ? "&client_id=" : "", cid ? cid : "")
                    : lz_asprintf("%s/metadata/identity/oauth2/token?api-version=2018-02-01&resource=%s%s%s",
                                  a->imds, res, cid ? "&client_id=" : "", cid ? cid : "");
    char *hdr =
        app_service ? lz_asprintf("X-IDENTITY-HEADER: %s", a->identity_header) : lz_strdup("Metadata: true");
    char *hdrs[] = {hdr, "Accept: application/json"};
    http_request req = {.method = "GET", .url = url, .headers = hdrs, .nheaders = 2, .allow_http = true};
    send_retrying(a, &req, !app_service);
    int rc = req.resp.status == 200 ? take_token(a, &req, "access_token", e) : request_error(&req, e);
    if (rc < 0 && req.resp.status == 400 && !app_service)
        lz_err_prefix(e, "no managed identity is assigned to this machine (IMDS answered 400)");
    http_response_free(&req.resp);
    free(hdr);
    free(url);
    free(res);
    free(cid);
    return rc;
}

/* ---- Azure CLI ---- */

static int read_all(int fd, lz_buf *out, int timeout_ms) {
    char buf[4096];
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, timeout_ms);
        if (r == 0) return -1; /* timed out */
        if (r < 0 && errno == EINTR) continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        lz_buf_put(out, buf, (size_t)n);
    }
}

/* Runs argv with stdout captured and stderr discarded (it may echo account
 * names, never needed here). Returns the exit status, or -1. */
static int run_capture(char *const argv[], lz_buf *out) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return -1;
    }
    bool timed_out = read_all(pfd[0], out, CLI_TIMEOUT_MS) < 0;
    close(pfd[0]);
    if (timed_out) kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* expiresOn is local time without a zone ("2024-05-01 12:00:00.000000"). */
static int64_t parse_local_time(const char *s) {
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) return -1;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static int cli_token(auth *a, lz_err *e) {
    char *argv[10] = {"az",   "account",    "get-access-token", "--output",
                      "json", "--resource", a->resource,        NULL};
    if (a->tenant) {
        argv[7] = "--tenant";
        argv[8] = a->tenant;
    }
    lz_buf out = {0};
    int st = run_capture(argv, &out);
    if (st != 0) {
        lz_buf_free(&out);
        return live_errf(
            e, "az account get-access-token %s (run `az login`, or pick another credential with --auth)",
            st < 0 ? "could not be run or timed out" : "failed");
    }
    live_secret_add(lz_buf_cstr(&out));
    yajl_val t = live_json_parse(lz_buf_cstr(&out));
    const char *tok = live_json_str(t, "accessToken", (char *)NULL);
    int rc = 0;
    if (!tok || !*tok) {
        rc = live_errf(e, "az account get-access-token: the output holds no accessToken");
    } else {
        free(a->token);
        a->token = lz_strdup(tok);
        live_secret_add(a->token);
        double on = live_json_num(t, -1, "expires_on", (char *)NULL);
        a->expires = on > 0 ? (int64_t)on : parse_local_time(live_json_str(t, "expiresOn", (char *)NULL));
        if (a->expires <= 0) a->expires = a->now() + 600;
        a->generation++;
        const char *ten = live_json_str(t, "tenant", (char *)NULL);
        if (ten && !a->tenant) a->tenant = lz_strdup(ten);
    }
    yajl_tree_free(t);
    OPENSSL_cleanse(out.data, out.len);
    lz_buf_free(&out);
    return rc;
}

static int static_token(auth *a, bool force, lz_err *e) {
    if (force && a->static_used)
        return live_errf(e,
                         "the token in LZSCAN_ACCESS_TOKEN was refused (HTTP 401) and cannot be refreshed");
    const char *t = getenv("LZSCAN_ACCESS_TOKEN");
    if (!t || !*t) return live_errf(e, "LZSCAN_ACCESS_TOKEN is not set");
    if (!a->token) {
        a->token = lz_strdup(t);
        live_secret_add(a->token);
        char *exp = live_jwt_claim(t, "exp");
        a->expires = exp ? strtoll(exp, NULL, 10) : INT64_MAX;
        free(exp);
        a->generation++;
    }
    if (a->expires <= a->now()) return live_errf(e, "the token in LZSCAN_ACCESS_TOKEN has expired");
    a->static_used = true;
    return 0;
}

static int fetch(auth *a, lz_err *e) {
    switch (a->kind) {
    case AUTH_SECRET:
        return post_grant(a, a->client_secret, NULL, NULL, e);
    case AUTH_CERT:
        return cert_token(a, e);
    case AUTH_WORKLOAD:
        if (read_assertion(a, e) < 0) return -1;
        return post_grant(a, NULL, a->assertion, NULL, e);
    case AUTH_GITHUB:
        if (github_assertion(a, e) < 0) return -1;
        return post_grant(a, NULL, a->assertion, NULL, e);
    case AUTH_MANAGED:
        return managed_token(a, e);
    case AUTH_CLI:
        return cli_token(a, e);
    default:
        return live_errf(e, "no credential selected");
    }
}

int auth_token(auth *a, bool force, const char **token, unsigned *generation, lz_err *e) {
    int rc = 0;
    if (a->kind == AUTH_TOKEN) {
        rc = static_token(a, force, e);
    } else if (force || !a->token || a->now() >= a->expires - REFRESH_MARGIN_S) {
        rc = fetch(a, e);
        if (rc < 0) lz_err_prefix(e, "%s credential", auth_kind_name(a->kind));
    }
    live_redact_err(e);
    if (rc < 0) return -1;
    *token = a->token;
    if (generation) *generation = a->generation;
    return 0;
}

const char *auth_tenant(auth *a) {
    if (a->tenant) return a->tenant;
    char *tid = a->token ? live_jwt_claim(a->token, "tid") : NULL;
    if (tid) a->tenant = tid;
    return a->tenant;
}
