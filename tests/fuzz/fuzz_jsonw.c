/*
 * fuzz_jsonw - the JSON writer's escaping and the terminal sanitizer, on
 * arbitrary bytes.
 *
 * Oracles:
 *   jsonw_escape  the output parses as one JSON string (yajl, UTF-8
 *                 validation on), has no raw control byte, and decodes to
 *                 the input with each byte that does not start a valid
 *                 UTF-8 sequence replaced by U+FFFD;
 *   jsonw_number  text it accepts is a JSON number to yajl; any text gives
 *                 valid JSON (non-numbers become strings);
 *   documents     a pretty and a compact document using the input as key,
 *                 string and number are valid JSON;
 *   out_sanitize  no control character, bidi control or invalid UTF-8 in
 *                 the output, and no more than `max` characters.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../output/jsonw.h"
#include "../../output/sanitize.h"
#include "fuzz_util.h"

typedef struct capture {
    lz_buf s;
    int strings, numbers, others;
} capture;

static int cap_string(void *ctx, const unsigned char *s, size_t n) {
    capture *c = ctx;
    lz_buf_put(&c->s, s, n);
    c->strings++;
    return 1;
}
static int cap_number(void *ctx, const char *s, size_t n) {
    ((capture *)ctx)->numbers++;
    return 1;
}
static int cap_other(void *ctx) {
    ((capture *)ctx)->others++;
    return 1;
}
static int cap_bool(void *ctx, int b) {
    return cap_other(ctx);
}
static int cap_key(void *ctx, const unsigned char *s, size_t n) {
    return cap_other(ctx);
}

static const yajl_callbacks cap_callbacks = {
    cap_other, cap_bool, NULL,      NULL,      cap_number, cap_string,
    cap_other, cap_key,  cap_other, cap_other, cap_other,
};

/* Parses text as JSON with the capturing callbacks; false on a parse error. */
static bool parse(const char *text, size_t len, capture *c) {
    yajl_handle h = yajl_alloc(&cap_callbacks, NULL, c);
    bool ok = yajl_parse(h, (const unsigned char *)text, len) == yajl_status_ok &&
              yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

/* The input with every byte that does not start a valid sequence replaced. */
static void repaired(const uint8_t *data, size_t size, lz_buf *out) {
    uint32_t cp;
    for (size_t i = 0; i < size;) {
        size_t n = fuzz_utf8_next(data + i, size - i, &cp);
        if (n) {
            lz_buf_put(out, data + i, n);
            i += n;
        } else {
            lz_buf_put(out, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
}

static void check_escape(const uint8_t *data, size_t size) {
    lz_buf out = {0}, want = {0};
    jsonw_escape(&out, (const char *)data, size);
    fuzz_check_json_output(out.data, out.len);
    capture c = {{0}, 0, 0, 0};
    FUZZ_CHECK(parse(out.data, out.len, &c) && c.strings == 1 && !c.numbers && !c.others,
               "escaped text is not one JSON string", out.data, out.len);
    repaired(data, size, &want);
    FUZZ_CHECK(c.s.len == want.len &&
                   memcmp(c.s.data ? c.s.data : "", want.data ? want.data : "", want.len) == 0,
               "escaped string does not decode to the (repaired) input", out.data, out.len);
    lz_buf_free(&c.s);
    lz_buf_free(&want);
    lz_buf_free(&out);
}

static void check_number(const uint8_t *data, size_t size) {
    const char *t = (const char *)data;
    if (jsonw_is_number(t, size)) {
        capture c = {{0}, 0, 0, 0};
        FUZZ_CHECK(parse(t, size, &c) && c.numbers == 1 && !c.strings && !c.others,
                   "jsonw_is_number accepted what yajl does not read as a number", t, size);
        lz_buf_free(&c.s);
    }
}

static void check_document(const uint8_t *data, size_t size, bool pretty) {
    const char *t = (const char *)data;
    lz_buf out = {0};
    jsonw w;
    jsonw_init(&w, &out, pretty);
    jsonw_begin_object(&w);
    jsonw_keyn(&w, t, size);
    jsonw_stringn(&w, t, size);
    jsonw_key(&w, "n");
    jsonw_begin_array(&w);
    jsonw_number(&w, t, size);
    jsonw_int(&w, (int64_t)size - 3);
    jsonw_null(&w);
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    lz_err e;
    FUZZ_CHECK(jsonw_finish(&w, &e) == 0, "jsonw_finish failed on a well-formed document", e.msg,
               strlen(e.msg));
    fuzz_check_json_output(out.data, out.len);
    lz_buf_free(&out);
}

static size_t count_chars(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

static void check_sanitize(const uint8_t *data, size_t size) {
    if (size < 2) return;
    size_t max = data[0] % 64; /* 0 = no cap */
    unsigned flags = data[1] & (OUT_SAN_ELLIPSIS | OUT_SAN_KEEP_NL);
    lz_buf out = {0};
    out_sanitize(&out, (const char *)data + 2, size - 2, max, flags);
    fuzz_check_text_output(out.data, out.len, flags & OUT_SAN_KEEP_NL);
    if (max)
        FUZZ_CHECK(count_chars(out.data, out.len) <= max, "sanitized text exceeds its cap", out.data,
                   out.len);
    lz_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_escape(data, size);
    check_number(data, size);
    check_document(data, size, true);
    check_document(data, size, false);
    check_sanitize(data, size);
    return 0;
}
