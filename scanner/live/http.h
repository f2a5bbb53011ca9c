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
    size_t max_body;         /* larger bodies fail, naming the limit (see http_response.error); 0: 64 MiB */
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
    /* Why the transfer failed, without the method or URL (callers prefix
     * them with http_log_path): libcurl's message, or "response body exceeds
     * the 64 MiB limit" when max_body was reached. */
    char error[256];
    lz_buf body;
    http_header *headers;
    size_t nheaders, capheaders;
    double elapsed_ms;
} http_response;

/* What one raw response header line is (http_header_line). */
typedef enum http_line_kind {
    HTTP_LINE_SKIP,   /* the blank line ending a header block, or not a valid field line */
    HTTP_LINE_STATUS, /* "HTTP/...": a new response begins (after a 1xx, or a retry) */
    HTTP_LINE_FIELD,  /* "Name: value": out->name and out->value set */
    HTTP_LINE_FOLD,   /* obs-fold (starts with SP or HTAB): out->value continues the last field */
} http_line_kind;

/* Parses one response header line exactly as libcurl's header callback gets
 * it: any bytes, usually ending in CRLF, not NUL-terminated. A pure function
 * (the fuzzing entry point of header splitting); the caller frees
 * out->name and out->value, which are NULL unless the kind says otherwise.
 *
 * FIELD: the name is an RFC 9110 token (so no ':', blank, CR, LF or NUL),
 * lower-cased; the value has no leading or trailing SP, HTAB, CR or LF.
 * A line whose name is not a token ("Retry-After : 5", a NUL in the name,
 * no colon) is SKIP: RFC 9112 forbids blanks before the colon, and a name
 * that is not a token could not be the header a caller looks for.
 * NUL, CR and LF inside a value become SP (RFC 9110 section 5.5), so the
 * value, a C string, is never silently cut short at a NUL into a different
 * one ("5<NUL>000" reads "5 000", not "5"). libcurl 7.88 already refuses a
 * response with a NUL in a header ("Nul byte in header"); this is the
 * second line of defence. */
http_line_kind http_header_line(const char *line, size_t len, http_header *out);

/* Applies one raw header line to r, as the transfer's header callback does:
 * a status line drops the headers gathered so far, a field is appended, and
 * an obs-fold continues the last field's value after one SP (RFC 9112
 * section 5.2; ignored when no field precedes it). */
void http_response_header_line(http_response *r, const char *line, size_t len);

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
/* Cancels every transfer in flight: each completes at a following http_poll
 * (the next one, as libcurl reports progress on every transfer each time)
 * with curl_code CURLE_ABORTED_BY_CALLBACK, its done callback run as for any
 * failure. Transfers started afterwards are not affected. */
void http_cancel_all(http_client *c);
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
