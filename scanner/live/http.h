/*
 * http.h - HTTPS for the live collector: libcurl's multi interface (many
 * requests in flight on one thread) with OpenSSL.
 *
 * TLS is always verified (peer and host name); there is no option to turn
 * that off. The CA bundle is the configured file, else $SSL_CERT_FILE, else
 * libcurl's default. Proxies come from the environment as libcurl reads them
 * (HTTPS_PROXY / https_proxy, NO_PROXY / no_proxy). Plain http:// is refused
 * unless the request allows it (managed identity endpoints are http on
 * link-local or localhost addresses). Redirects are never followed, so an
 * Authorization header never leaves the host it was meant for.
 *
 * Ownership: an http_request is owned by the caller and borrowed by the
 * client from http_start until its done callback runs; the response inside
 * it stays the caller's (free with http_response_free).
 */
#ifndef LIVE_HTTP_H
#define LIVE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/lz.h"

typedef struct http_config {
    const char *ca_bundle;   /* NULL: $SSL_CERT_FILE or libcurl's default */
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* whole transfer; 0: 120 s */
    size_t max_body;         /* larger responses fail; 0: 64 MiB */
    long max_connections;    /* total in flight; 0: 16 */
    const char *user_agent;
} http_config;

typedef struct http_header {
    char *name; /* lower-cased */
    char *value;
} http_header;

typedef struct http_response {
    long status;   /* HTTP status; 0 when no response arrived */
    int curl_code; /* CURLcode: 0 ok, else the transport error */
    char error[256];
    lz_buf body;
    http_header *headers;
    size_t nheaders, capheaders;
    double elapsed_ms;
} http_response;

/* A response header's value (name case-insensitive), or NULL. */
const char *http_header_get(const http_response *r, const char *name);
void http_response_reset(http_response *r);
void http_response_free(http_response *r);

typedef struct http_request http_request;
typedef void (*http_done_fn)(http_request *req, void *ctx);

struct http_request {
    const char *method; /* "GET" or "POST" */
    char *url;          /* owned by the caller */
    char **headers;     /* "Name: value" lines, owned by the caller */
    size_t nheaders;
    const char *body; /* POST body, borrowed */
    size_t body_len;
    bool allow_http;
    http_response resp;
    http_done_fn done;
    void *ctx;
    void *priv_; /* the client's transfer state */
};

typedef struct http_client http_client;

/* Initialises libcurl (once per process) and a multi handle. */
http_client *http_client_new(const http_config *c, lz_err *e);
void http_client_free(http_client *c);

/* Starts req in the background; its done callback runs from http_poll. A
 * request that cannot even start (bad URL, http:// not allowed) completes
 * at the next http_poll with curl_code set. */
void http_start(http_client *c, http_request *req);
/* Drives transfers for at most wait_ms (0: do not block) and runs the done
 * callbacks of finished requests. Returns the number still in flight. */
size_t http_poll(http_client *c, long wait_ms);
size_t http_in_flight(const http_client *c);

/* Runs one request to completion on its own handle (for token requests,
 * which must not re-enter the caller's event loop). */
void http_perform(http_client *c, http_request *req);

/* True for transport failures worth retrying: timeouts, resets, truncated
 * bodies, refused connections. Never for TLS verification failures. */
bool http_transport_retryable(int curl_code);

/* URL-encodes s (RFC 3986 unreserved kept). The caller frees it. */
char *http_escape(const char *s);

/* The path and query of url without its scheme and host, with the values
 * of query parameters that could carry secrets dropped; for logs. Caller
 * frees. */
char *http_log_path(const char *url);

#endif
