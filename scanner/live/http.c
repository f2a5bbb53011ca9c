/*
 * http.c - see http.h.
 */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct http_client {
    CURLM *multi;
    http_config cfg;
    char *ca_bundle;
    size_t running;
    http_request **failed; /* could not start: completed at the next poll */
    size_t nfailed, capfailed;
    unsigned cancel_gen; /* http_cancel_all: transfers started before it stop */
};

typedef struct xfer {
    CURL *easy;
    struct curl_slist *hdrs;
    http_client *c;
    bool body_too_large; /* on_body refused more than cfg.max_body */
    unsigned gen;        /* the client's cancel_gen when it started */
} xfer;

static bool curl_ready;

http_client *http_client_new(const http_config *cfg, lz_err *e) {
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            lz_errf(e, "libcurl could not be initialised");
            return NULL;
        }
        curl_ready = true;
    }
    http_client *c = lz_calloc(1, sizeof *c);
    c->cfg = *cfg;
    const char *ca = cfg->ca_bundle;
    if (!ca || !*ca) ca = getenv("SSL_CERT_FILE");
    c->ca_bundle = ca && *ca ? lz_strdup(ca) : NULL;
    if (!c->cfg.connect_timeout_ms) c->cfg.connect_timeout_ms = 10000;
    if (!c->cfg.timeout_ms) c->cfg.timeout_ms = 120000;
    if (!c->cfg.max_body) c->cfg.max_body = 64u << 20;
    if (!c->cfg.max_connections) c->cfg.max_connections = 16;
    c->multi = curl_multi_init();
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, c->cfg.max_connections);
    curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    return c;
}

void http_client_free(http_client *c) {
    if (!c) return;
    curl_multi_cleanup(c->multi);
    free(c->ca_bundle);
    free(c->failed);
    free(c);
}

/* ---- responses ---- */

const char *http_header_get(const http_response *r, const char *name) {
    for (size_t i = r->nheaders; i-- > 0;)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

static void clear_headers(http_response *r) {
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
}

void http_response_reset(http_response *r) {
    clear_headers(r);
    lz_buf_reset(&r->body);
    r->status = 0;
    r->curl_code = 0;
    r->error[0] = '\0';
    r->elapsed_ms = 0;
}

void http_response_free(http_response *r) {
    clear_headers(r);
    free(r->headers);
    lz_buf_free(&r->body);
    memset(r, 0, sizeof *r);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    http_request *req = ud;
    xfer *x = req->priv_;
    size_t len = size * n;
    if (req->resp.body.len + len > x->c->cfg.max_body) {
        x->body_too_large = true; /* named in finish_xfer: libcurl only knows "write error" */
        return 0;                 /* CURLE_WRITE_ERROR: the transfer stops here */
    }
    lz_buf_put(&req->resp.body, p, len);
    return len;
}

/* RFC 9110 tchar: what a field name may hold. */
static bool tchar(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool blank(char ch) {
    return ch == ' ' || ch == '\t';
}

/* The value in [v, end) with NUL, CR and LF turned into SP, then trimmed of
 * blanks at both ends (so a NUL or CR next to the ends is trimmed too). */
static char *field_value(const char *v, const char *end) {
    size_t n = (size_t)(end - v), start = 0;
    char *out = lz_strndup(v, n);
    for (size_t i = 0; i < n; i++)
        if (out[i] == '\0' || out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    while (n > 0 && blank(out[n - 1])) n--;
    while (start < n && blank(out[start])) start++;
    memmove(out, out + start, n - start);
    out[n - start] = '\0';
    return out;
}

http_line_kind http_header_line(const char *p, size_t len, http_header *out) {
    out->name = out->value = NULL;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) return HTTP_LINE_STATUS;
    if (len && blank(p[0])) {
        out->value = field_value(p, p + len);
        if (*out->value) return HTTP_LINE_FOLD;
        free(out->value);
        out->value = NULL;
        return HTTP_LINE_SKIP;
    }
    size_t nlen = 0;
    while (nlen < len && tchar((unsigned char)p[nlen])) nlen++;
    if (nlen == 0 || nlen == len || p[nlen] != ':') return HTTP_LINE_SKIP;
    out->name = lz_strndup(p, nlen);
    lz_lower(out->name, nlen);
    out->value = field_value(p + nlen + 1, p + len);
    return HTTP_LINE_FIELD;
}

/* Grows the value with realloc (in place where the allocator can) rather
 * than rebuilding it for every continuation line. */
static void append_fold(http_header *last, const char *more) {
    size_t n = strlen(last->value), m = strlen(more), sep = n ? 1 : 0;
    char *v = lz_realloc(last->value, n + sep + m + 1);
    if (sep) v[n] = ' ';
    memcpy(v + n + sep, more, m + 1);
    last->value = v;
}

void http_response_header_line(http_response *r, const char *line, size_t len) {
    http_header h;
    switch (http_header_line(line, len, &h)) {
    case HTTP_LINE_STATUS:
        clear_headers(r);
        break;
    case HTTP_LINE_FIELD:
        LZ_PUSH(r->headers, r->nheaders, r->capheaders, h);
        break;
    case HTTP_LINE_FOLD:
        if (r->nheaders) append_fold(&r->headers[r->nheaders - 1], h.value);
        free(h.value);
        break;
    case HTTP_LINE_SKIP:
        break;
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
    http_response_header_line(ud, p, size * n);
    return size * n;
}

/* ---- transfers ---- */

static bool scheme_allowed(const http_request *req) {
    if (strncasecmp(req->url, "https://", 8) == 0) return true;
    return req->allow_http && strncasecmp(req->url, "http://", 7) == 0;
}

/* libcurl calls this while a transfer runs (on every http_poll, also while
 * it waits for an answer); non-zero aborts it with CURLE_ABORTED_BY_CALLBACK. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    const xfer *x = ud;
    return x->gen != x->c->cancel_gen;
}

void http_cancel_all(http_client *c) {
    c->cancel_gen++;
}

static CURL *make_easy(http_client *c, http_request *req, xfer *x) {
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, req->allow_http ? "https,http" : "https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_bundle) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    if (c->cfg.user_agent) curl_easy_setopt(h, CURLOPT_USERAGENT, c->cfg.user_agent);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &req->resp);
    curl_easy_setopt(h, CURLOPT_PRIVATE, req);
    x->gen = c->cancel_gen;
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    x->hdrs = NULL;
    for (size_t i = 0; i < req->nheaders; i++) x->hdrs = curl_slist_append(x->hdrs, req->headers[i]);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
    if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
    return h;
}

/* "response body exceeds the 64 MiB limit": what failed and which setting,
 * instead of libcurl's "Failure writing output to destination". */
static void body_limit_error(char *out, size_t n, size_t limit) {
    if (limit % (1u << 20) == 0)
        snprintf(out, n, "response body exceeds the %zu MiB limit", limit >> 20);
    else if (limit % 1024 == 0)
        snprintf(out, n, "response body exceeds the %zu KiB limit", limit >> 10);
    else
        snprintf(out, n, "response body exceeds the %zu-byte limit", limit);
}

static void finish_xfer(http_request *req, CURLcode rc) {
    xfer *x = req->priv_;
    long status = 0;
    double secs = 0;
    if (x->easy) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &secs);
    }
    req->resp.curl_code = (int)rc;
    req->resp.status = rc == CURLE_OK ? status : 0;
    req->resp.elapsed_ms = secs * 1000.0;
    if (x->body_too_large)
        body_limit_error(req->resp.error, sizeof req->resp.error, x->c->cfg.max_body);
    else if (rc != CURLE_OK && !req->resp.error[0])
        snprintf(req->resp.error, sizeof req->resp.error, "%s", curl_easy_strerror(rc));
    if (x->easy) curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    free(x);
    req->priv_ = NULL;
}

void http_start(http_client *c, http_request *req) {
    http_response_reset(&req->resp);
    xfer *x = lz_calloc(1, sizeof *x);
    x->c = c;
    req->priv_ = x;
    if (!scheme_allowed(req)) {
        snprintf(req->resp.error, sizeof req->resp.error, "only https:// URLs are allowed here");
        LZ_PUSH(c->failed, c->nfailed, c->capfailed, req);
        return;
    }
    x->easy = make_easy(c, req, x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, req->resp.error);
    if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK) {
        snprintf(req->resp.error, sizeof req->resp.error, "libcurl refused the transfer");
        LZ_PUSH(c->failed, c->nfailed, c->capfailed, req);
        return;
    }
    c->running++;
}

static void complete_failed(http_client *c) {
    while (c->nfailed) {
        http_request *req = c->failed[--c->nfailed];
        finish_xfer(req, CURLE_UNSUPPORTED_PROTOCOL);
        req->done(req, req->ctx);
    }
}

size_t http_poll(http_client *c, long wait_ms) {
    complete_failed(c);
    int still = 0;
    curl_multi_perform(c->multi, &still);
    if (wait_ms > 0 && still) {
        curl_multi_poll(c->multi, NULL, 0, (int)wait_ms, NULL);
        curl_multi_perform(c->multi, &still);
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        http_request *req = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&req);
        CURLcode rc = m->data.result;
        curl_multi_remove_handle(c->multi, m->easy_handle);
        c->running--;
        finish_xfer(req, rc);
        req->done(req, req->ctx);
    }
    return c->running;
}

size_t http_in_flight(const http_client *c) {
    return c->running + c->nfailed;
}

void http_perform(http_client *c, http_request *req) {
    http_response_reset(&req->resp);
    xfer *x = lz_calloc(1, sizeof *x);
    x->c = c;
    req->priv_ = x;
    if (!scheme_allowed(req)) {
        snprintf(req->resp.error, sizeof req->resp.error, "only https:// URLs are allowed here");
        finish_xfer(req, CURLE_UNSUPPORTED_PROTOCOL);
        return;
    }
    x->easy = make_easy(c, req, x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, req->resp.error);
    CURLcode rc = curl_easy_perform(x->easy);
    finish_xfer(req, rc);
}

bool http_transport_retryable(int code) {
    switch ((CURLcode)code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SSL_CONNECT_ERROR: /* a reset during the handshake, not a bad certificate */
        return true;
    default:
        return false;
    }
}

static bool unreserved(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '.' || ch == '_' || ch == '~';
}

char *http_escape(const char *s) {
    lz_buf b = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p))
            lz_buf_putc(&b, (char)*p);
        else
            lz_buf_printf(&b, "%%%02X", *p);
    }
    return lz_buf_steal(&b);
}

/* Query parameters whose values are safe and useful in a log line. */
static bool loggable_param(const char *name, size_t n) {
    static const char *const ok[] = {"api-version", "resource", "audience", "$top", "format"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strlen(ok[i]) == n && strncasecmp(name, ok[i], n) == 0) return true;
    return false;
}

char *http_log_path(const char *url) {
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    if (!p) return lz_strdup("/");
    const char *q = strchr(p, '?');
    lz_buf b = {0};
    lz_buf_put(&b, p, q ? (size_t)(q - p) : strlen(p));
    char sep = '?';
    while (q && *q) {
        const char *start = q + 1, *amp = strchr(start, '&'), *end = amp ? amp : start + strlen(start);
        const char *eq = memchr(start, '=', (size_t)(end - start));
        size_t nlen = eq ? (size_t)(eq - start) : (size_t)(end - start);
        if (nlen) {
            lz_buf_putc(&b, sep);
            sep = '&';
            if (eq && loggable_param(start, nlen))
                lz_buf_put(&b, start, (size_t)(end - start));
            else
                lz_buf_printf(&b, "%.*s=...", (int)nlen, start);
        }
        q = amp;
    }
    return lz_buf_steal(&b);
}
