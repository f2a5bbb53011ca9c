/*
 * fuzz_http_lines - HTTP response header splitting (scanner/live/http.h):
 * the input is the raw header bytes of one or more responses, cut into
 * lines at LF exactly as libcurl hands them to the header callback (any
 * bytes, CR, NUL and all), and fed one line at a time to
 * http_header_line (the pure parser) and http_response_header_line (what
 * the callback runs). A server, proxy or man-in-the-middle controls them.
 *
 * Oracles, beyond no crash, leak or undefined behaviour:
 *   - a line starting "HTTP/" is a status line and leaves no header behind;
 *   - a field's name is a non-empty RFC 9110 token (so no ':', blank, CR,
 *     LF or NUL), lower case, and is the line's bytes before the first ':';
 *   - its value is the rest of the line with NUL/CR/LF turned into SP and
 *     blanks trimmed, as a separate reading of the rule computes it: no
 *     leading blank, no trailing blank/CR/LF, no NUL inside (so the C
 *     string is the whole value, never cut short);
 *   - a line that is neither is SKIP unless it is a fold, and a fold extends
 *     the last field's value by one SP and its own trimmed text;
 *   - the response's headers keep those properties, and http_header_get
 *     finds the last header of each name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../scanner/live/http.h"
#include "fuzz_util.h"

static bool is_tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

/* What a field value or fold must be: line[from..len) with NUL, CR and LF
 * as SP, without blanks at either end. Caller frees. */
static char *expected_value(const char *line, size_t len, size_t from) {
    char *v = malloc(len - from + 1);
    if (!v) abort();
    size_t n = 0;
    for (size_t i = from; i < len; i++) {
        char c = line[i];
        v[n++] = c == '\0' || c == '\r' || c == '\n' ? ' ' : c;
    }
    size_t a = 0;
    while (a < n && is_blank(v[a])) a++;
    while (n > a && is_blank(v[n - 1])) n--;
    memmove(v, v + a, n - a);
    v[n - a] = '\0';
    return v;
}

static void check_value(const char *v, const char *want, const char *line, size_t len) {
    FUZZ_CHECK(v != NULL, "a field or fold without a value", line, len);
    FUZZ_CHECK(strcmp(v, want) == 0, "value is not the trimmed rest of the line", line, len);
    size_t n = strlen(v);
    FUZZ_CHECK(!n || (!is_blank(v[0]) && !is_blank(v[n - 1]) && v[n - 1] != '\r' && v[n - 1] != '\n'),
               "value starts or ends with a blank or line end", line, len);
    FUZZ_CHECK(!memchr(v, '\r', n) && !memchr(v, '\n', n), "value holds CR or LF", line, len);
}

static void check_name(const char *name, const char *line, size_t len) {
    size_t n = strlen(name);
    FUZZ_CHECK(n > 0 && n < len && line[n] == ':', "name is not the bytes before the first ':'", line, len);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        FUZZ_CHECK(is_tchar(c) && !(c >= 'A' && c <= 'Z'), "name is not a lower-case token", line, len);
        FUZZ_CHECK(c == (unsigned char)line[i] || c == (unsigned char)line[i] + 32,
                   "name differs from the line", line, len);
    }
}

/* The parser on its own; returns the kind for the response-level checks. */
static http_line_kind check_line(const char *line, size_t len, http_header *h) {
    http_line_kind k = http_header_line(line, len, h);
    bool status = len >= 5 && memcmp(line, "HTTP/", 5) == 0;
    FUZZ_CHECK(status == (k == HTTP_LINE_STATUS), "status line misclassified", line, len);
    size_t nlen = 0;
    while (nlen < len && is_tchar((unsigned char)line[nlen])) nlen++;
    bool field = !status && nlen > 0 && nlen < len && line[nlen] == ':';
    FUZZ_CHECK(field == (k == HTTP_LINE_FIELD), "field line misclassified", line, len);
    if (k == HTTP_LINE_FIELD) {
        check_name(h->name, line, len);
        char *want = expected_value(line, len, nlen + 1);
        check_value(h->value, want, line, len);
        free(want);
    } else if (k == HTTP_LINE_FOLD) {
        FUZZ_CHECK(len > 0 && is_blank(line[0]) && !h->name, "fold without a leading blank", line, len);
        char *want = expected_value(line, len, 0);
        FUZZ_CHECK(*want, "an all-blank line taken as a fold", line, len);
        check_value(h->value, want, line, len);
        free(want);
    } else {
        FUZZ_CHECK(!h->name && !h->value, "a status or skipped line with a name or value", line, len);
        if (k == HTTP_LINE_SKIP && len > 0 && is_blank(line[0])) {
            char *want = expected_value(line, len, 0);
            FUZZ_CHECK(!*want, "a fold with text was skipped", line, len);
            free(want);
        }
    }
    return k;
}

/* The response after one more line, given what it held before. */
static void check_response(const http_response *r, size_t before, const char *last_before, http_line_kind k,
                           const http_header *h, const char *line, size_t len) {
    switch (k) {
    case HTTP_LINE_STATUS:
        FUZZ_CHECK(r->nheaders == 0, "a status line left headers behind", line, len);
        break;
    case HTTP_LINE_FIELD:
        FUZZ_CHECK(r->nheaders == before + 1, "a field was not appended", line, len);
        FUZZ_CHECK(strcmp(r->headers[before].name, h->name) == 0 &&
                       strcmp(r->headers[before].value, h->value) == 0,
                   "the appended field differs from the parsed one", line, len);
        break;
    case HTTP_LINE_FOLD:
        FUZZ_CHECK(r->nheaders == before, "a fold changed the number of headers", line, len);
        if (before) {
            const char *v = r->headers[before - 1].value;
            size_t n = strlen(last_before);
            FUZZ_CHECK(strncmp(v, last_before, n) == 0 && strcmp(v + n + (n ? 1 : 0), h->value) == 0 &&
                           (!n || v[n] == ' '),
                       "a fold did not extend the last value by one SP and its text", line, len);
        }
        break;
    case HTTP_LINE_SKIP:
        FUZZ_CHECK(r->nheaders == before, "a skipped line changed the headers", line, len);
        break;
    }
}

/* Every header still valid, and lookups find the last of each name. */
static void check_all(const http_response *r, const uint8_t *data, size_t size) {
    for (size_t i = 0; i < r->nheaders; i++) {
        const http_header *h = &r->headers[i];
        for (const char *c = h->name; *c; c++)
            FUZZ_CHECK(is_tchar((unsigned char)*c) && !(*c >= 'A' && *c <= 'Z'),
                       "a stored name is not a token", (const char *)data, size);
        size_t n = strlen(h->value);
        FUZZ_CHECK(!n || (!is_blank(h->value[0]) && !is_blank(h->value[n - 1])),
                   "a stored value is not trimmed", (const char *)data, size);
        FUZZ_CHECK(!strpbrk(h->value, "\r\n"), "a stored value holds CR or LF", (const char *)data, size);
        if (i + 64 < r->nheaders) continue; /* lookups: the last 64 (each costs a scan) */
        size_t last = i;
        for (size_t j = i + 1; j < r->nheaders; j++)
            if (strcmp(r->headers[j].name, h->name) == 0) last = j;
        FUZZ_CHECK(http_header_get(r, h->name) == r->headers[last].value,
                   "lookup did not find the last header", (const char *)data, size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    http_response r = {0};
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        size_t len = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);
        http_header h;
        http_line_kind k = check_line(p, len, &h);
        size_t before = r.nheaders;
        /* only folds change an existing value; copied just then (a copy per
         * line would make long inputs quadratic) */
        char *last_before = k == HTTP_LINE_FOLD && before ? strdup(r.headers[before - 1].value) : NULL;
        http_response_header_line(&r, p, len);
        check_response(&r, before, last_before ? last_before : "", k, &h, p, len);
        free(last_before);
        free(h.name);
        free(h.value);
        p += len;
    }
    check_all(&r, data, size);
    http_response_free(&r);
    return 0;
}
