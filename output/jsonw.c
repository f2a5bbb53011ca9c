/*
 * jsonw.c - streaming JSON writer.
 *
 * Why hand-written rather than yajl_gen: yajl's generator validates UTF-8
 * (yajl_gen_validate_utf8) and on invalid input refuses the string
 * (yajl_gen_invalid_string) - or, without that option, copies the bytes
 * through and emits invalid JSON. lzscan renders resource names, tags and
 * property values from tenants it does not control, and a hostile or broken
 * name must neither abort the report nor corrupt it. So strings are repaired
 * here: each byte that does not begin a valid UTF-8 sequence becomes U+FFFD,
 * and the report is always valid JSON.
 */
#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

enum { JSONW_ARRAY = 1, JSONW_OBJECT = 2, JSONW_HAS_ITEMS = 4 };

void jsonw_init(jsonw *w, lz_buf *out, bool pretty) {
    *w = (jsonw){.out = out, .pretty = pretty};
}

void jsonw_free(jsonw *w) {
    free(w->stack);
    w->stack = NULL;
    w->depth = w->cap = 0;
}

int jsonw_finish(jsonw *w, lz_err *e) {
    const char *err = w->err;
    if (!err && (w->depth || w->want_value || !w->done)) err = "incomplete JSON document";
    jsonw_free(w);
    if (err) return lz_errf(e, "JSON writer: %s", err);
    if (w->pretty) lz_buf_putc(w->out, '\n');
    return 0;
}

static void fail(jsonw *w, const char *msg) {
    if (!w->err) w->err = msg;
}

/* A newline and two spaces per level, in one append for the usual depths:
 * every line of a pretty report starts here. */
static void newline_indent(jsonw *w, size_t depth) {
    static const char line[] = "\n                                ";
    enum { MAX_LEVELS = (sizeof line - 2) / 2 };
    if (!w->pretty) return;
    size_t n = depth < MAX_LEVELS ? depth : MAX_LEVELS;
    lz_buf_put(w->out, line, 1 + 2 * n);
    for (size_t i = n; i < depth; i++) lz_buf_put(w->out, "  ", 2);
}

/* Writes whatever must precede a value in the current context. */
static void before_value(jsonw *w) {
    if (w->depth == 0) {
        if (w->done) lz_buf_putc(w->out, '\n'); /* several top-level values: NDJSON */
        return;
    }
    unsigned char *top = &w->stack[w->depth - 1];
    if (*top & JSONW_OBJECT) {
        if (!w->want_value) fail(w, "value without a key inside an object");
        w->want_value = false;
        return;
    }
    if (*top & JSONW_HAS_ITEMS) lz_buf_putc(w->out, ',');
    *top |= JSONW_HAS_ITEMS;
    newline_indent(w, w->depth);
}

static void after_value(jsonw *w) {
    if (w->depth == 0) w->done = true;
}

static void begin(jsonw *w, unsigned char kind, char open) {
    before_value(w);
    lz_buf_putc(w->out, open);
    lz_grow(&w->stack, &w->cap, w->depth + 1, 1);
    w->stack[w->depth++] = kind;
}

static void end(jsonw *w, unsigned char kind, char close) {
    if (w->depth == 0 || !(w->stack[w->depth - 1] & kind)) {
        fail(w, "end of a container that is not open");
        return;
    }
    if (w->want_value) fail(w, "key without a value");
    w->want_value = false;
    bool items = w->stack[--w->depth] & JSONW_HAS_ITEMS;
    if (items) newline_indent(w, w->depth);
    lz_buf_putc(w->out, close);
    after_value(w);
}

void jsonw_begin_object(jsonw *w) {
    begin(w, JSONW_OBJECT, '{');
}
void jsonw_end_object(jsonw *w) {
    end(w, JSONW_OBJECT, '}');
}
void jsonw_begin_array(jsonw *w) {
    begin(w, JSONW_ARRAY, '[');
}
void jsonw_end_array(jsonw *w) {
    end(w, JSONW_ARRAY, ']');
}

void jsonw_init_items(jsonw *w, lz_buf *out, const jsonw *parent, bool first) {
    *w = (jsonw){.out = out, .pretty = parent->pretty};
    if (!parent->depth || !(parent->stack[parent->depth - 1] & JSONW_ARRAY)) {
        w->err = "items outside an array";
        return;
    }
    lz_grow(&w->stack, &w->cap, parent->depth, 1);
    memcpy(w->stack, parent->stack, parent->depth);
    w->depth = parent->depth;
    w->stack[w->depth - 1] = first ? JSONW_ARRAY : JSONW_ARRAY | JSONW_HAS_ITEMS;
}

void jsonw_splice(jsonw *parent, const char *items, size_t len) {
    if (!parent->depth || !(parent->stack[parent->depth - 1] & JSONW_ARRAY)) {
        fail(parent, "items outside an array");
        return;
    }
    if (!len) return;
    lz_buf_put(parent->out, items, len);
    parent->stack[parent->depth - 1] |= JSONW_HAS_ITEMS;
}

void jsonw_keyn(jsonw *w, const char *key, size_t len) {
    if (w->depth == 0 || !(w->stack[w->depth - 1] & JSONW_OBJECT) || w->want_value) {
        fail(w, "key outside an object or after another key");
        return;
    }
    unsigned char *top = &w->stack[w->depth - 1];
    if (*top & JSONW_HAS_ITEMS) lz_buf_putc(w->out, ',');
    *top |= JSONW_HAS_ITEMS;
    newline_indent(w, w->depth);
    jsonw_escape(w->out, key, len);
    lz_buf_put(w->out, ": ", w->pretty ? 2 : 1);
    w->want_value = true;
}

void jsonw_key(jsonw *w, const char *key) {
    jsonw_keyn(w, key, strlen(key));
}

/* Raw text for a scalar that is already valid JSON. */
static void scalar(jsonw *w, const char *text, size_t len) {
    before_value(w);
    lz_buf_put(w->out, text, len);
    after_value(w);
}

void jsonw_raw(jsonw *w, const char *json, size_t len) {
    scalar(w, json, len);
}

void jsonw_stringn(jsonw *w, const char *s, size_t len) {
    if (!s) {
        jsonw_null(w);
        return;
    }
    before_value(w);
    jsonw_escape(w->out, s, len);
    after_value(w);
}

void jsonw_string(jsonw *w, const char *s) {
    jsonw_stringn(w, s, s ? strlen(s) : 0);
}

void jsonw_number(jsonw *w, const char *text, size_t len) {
    if (text && jsonw_is_number(text, len))
        scalar(w, text, len);
    else
        jsonw_stringn(w, text ? text : "", text ? len : 0);
}

void jsonw_uint(jsonw *w, uint64_t n) {
    char tmp[24];
    int len = snprintf(tmp, sizeof tmp, "%" PRIu64, n);
    scalar(w, tmp, (size_t)len);
}

void jsonw_int(jsonw *w, int64_t n) {
    char tmp[24];
    int len = snprintf(tmp, sizeof tmp, "%" PRId64, n);
    scalar(w, tmp, (size_t)len);
}

void jsonw_bool(jsonw *w, bool b) {
    scalar(w, b ? "true" : "false", b ? 4 : 5);
}
void jsonw_null(jsonw *w) {
    scalar(w, "null", 4);
}

void jsonw_kv_string(jsonw *w, const char *key, const char *s) {
    jsonw_key(w, key);
    jsonw_string(w, s);
}

void jsonw_kv_uint(jsonw *w, const char *key, uint64_t n) {
    jsonw_key(w, key);
    jsonw_uint(w, n);
}

void jsonw_kv_bool(jsonw *w, const char *key, bool b) {
    jsonw_key(w, key);
    jsonw_bool(w, b);
}

static void value_container(jsonw *w, const jv_store *s, jv_t v, bool object) {
    size_t n = jv_len(s, v);
    if (object)
        jsonw_begin_object(w);
    else
        jsonw_begin_array(w);
    for (size_t i = 0; i < n; i++) {
        if (object) {
            size_t klen = 0;
            const char *k = jv_atom_str(s, jv_key_atom(s, v, i), &klen);
            jsonw_keyn(w, k, klen);
        }
        jsonw_value(w, s, jv_at(s, v, i));
    }
    if (object)
        jsonw_end_object(w);
    else
        jsonw_end_array(w);
}

void jsonw_value(jsonw *w, const jv_store *s, jv_t v) {
    size_t len = 0;
    const char *text;
    switch (jv_kind(s, v)) {
    case JV_FALSE:
        jsonw_bool(w, false);
        break;
    case JV_TRUE:
        jsonw_bool(w, true);
        break;
    case JV_NUMBER:
        text = jv_str(s, v, &len);
        jsonw_number(w, text, len);
        break;
    case JV_STRING:
        text = jv_str(s, v, &len);
        jsonw_stringn(w, text ? text : "", len);
        break;
    case JV_ARRAY:
        value_container(w, s, v, false);
        break;
    case JV_OBJECT:
        value_container(w, s, v, true);
        break;
    case JV_KIND_MISSING:
    case JV_NULL:
    default:
        jsonw_null(w);
        break;
    }
}

/* ---- string escaping ---- */

/* The escape for an ASCII byte, or NULL if it is written as is. DEL is
 * legal in JSON but escaped so a report viewed with cat stays inert. */
static const char *ascii_escape(unsigned char c, char tmp[8]) {
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c >= 0x20 && c != 0x7F) return NULL;
    snprintf(tmp, 8, "\\u%04x", c);
    return tmp;
}

/* Code points written as \uXXXX although JSON allows them raw: U+2028 and
 * U+2029 end lines in JavaScript (consumers embed reports in scripts); C1
 * controls and bidi overrides/isolates would act on a terminal or reorder
 * what a reader sees ("Trojan Source") when the report is shown with cat or
 * less. The parsed value is the same either way. */
static bool escape_cp(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

/* Handles the non-ASCII sequence at p; returns the bytes consumed. */
static size_t put_non_ascii(lz_buf *out, const unsigned char *p, size_t n) {
    uint32_t cp;
    size_t len = out_utf8_decode(p, n, &cp);
    if (len == 0) {
        lz_buf_put(out, "\xEF\xBF\xBD", 3); /* U+FFFD for this one byte */
        return 1;
    }
    if (escape_cp(cp))
        lz_buf_printf(out, "\\u%04x", (unsigned)cp);
    else
        lz_buf_put(out, p, len);
    return len;
}

/* The bytes written as they are: printable ASCII but '"' (0x22) and '\\'
 * (0x5C); DEL and controls are escaped (ascii_escape), the rest is UTF-8
 * (put_non_ascii). A table, because every byte of the report passes here. */
static const bool plain[256] = {
    [0x20 ... 0x21] = true,
    [0x23 ... 0x5B] = true,
    [0x5D ... 0x7E] = true,
};

void jsonw_escape(lz_buf *out, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    char tmp[8];
    lz_buf_putc(out, '"');
    while (p < end) {
        const unsigned char *run = p; /* copy runs of plain ASCII in one call */
        while (p < end && plain[*p]) p++;
        if (p > run) lz_buf_put(out, run, (size_t)(p - run));
        if (p == end) break;
        if (*p < 0x80)
            lz_buf_puts(out, ascii_escape(*p++, tmp));
        else
            p += put_non_ascii(out, p, (size_t)(end - p));
    }
    lz_buf_putc(out, '"');
}

/* ---- number validation (RFC 8259 section 6) ---- */

static size_t digits(const char *t, size_t i, size_t len) {
    while (i < len && t[i] >= '0' && t[i] <= '9') i++;
    return i;
}

bool jsonw_is_number(const char *t, size_t len) {
    size_t i = 0, j;
    if (i < len && t[i] == '-') i++;
    if (i < len && t[i] == '0')
        i++;
    else if ((j = digits(t, i, len)) > i)
        i = j;
    else
        return false;
    if (i < len && t[i] == '.') {
        if ((j = digits(t, i + 1, len)) == i + 1) return false;
        i = j;
    }
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < len && (t[i] == '+' || t[i] == '-')) i++;
        if ((j = digits(t, i, len)) == i) return false;
        i = j;
    }
    return i == len;
}
