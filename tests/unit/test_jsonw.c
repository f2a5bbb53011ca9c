/* The JSON writer: structure, pretty-printing, escaping of every control
 * character, invalid UTF-8 repair, huge strings, numbers, jv values. Every
 * output is parsed back with yajl to prove it is valid JSON. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "output/jsonw.h"
#include "output/utf8.h"
#include "scanner/jv.h"

/* Parses text and returns the tree (caller frees); fails the test if invalid. */
static yajl_val parse_ok(const char *text) {
    char err[256] = "";
    yajl_val v = yajl_tree_parse(text, err, sizeof err);
    if (!v) fail_msg("invalid JSON (%s): %.200s", err, text);
    return v;
}

/* Escapes s[0..len) as a top-level string document. */
static char *escape(const char *s, size_t len) {
    lz_buf b = {0};
    jsonw_escape(&b, s, len);
    return lz_buf_steal(&b);
}

static bool valid_utf8(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = out_utf8_decode(p + i, len - i, &cp);
        if (!n) return false;
        i += n;
    }
    return true;
}

static void test_pretty_structure(void **state) {
    lz_buf b = {0};
    jsonw w;
    lz_err e;
    jsonw_init(&w, &b, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "a", "x");
    jsonw_key(&w, "b");
    jsonw_begin_array(&w);
    jsonw_uint(&w, 1);
    jsonw_int(&w, -2);
    jsonw_begin_object(&w);
    jsonw_end_object(&w);
    jsonw_begin_array(&w);
    jsonw_end_array(&w);
    jsonw_end_array(&w);
    jsonw_kv_bool(&w, "c", true);
    jsonw_key(&w, "d");
    jsonw_null(&w);
    jsonw_end_object(&w);
    assert_int_equal(jsonw_finish(&w, &e), 0);
    assert_string_equal(b.data, "{\n"
                                "  \"a\": \"x\",\n"
                                "  \"b\": [\n"
                                "    1,\n"
                                "    -2,\n"
                                "    {},\n"
                                "    []\n"
                                "  ],\n"
                                "  \"c\": true,\n"
                                "  \"d\": null\n"
                                "}\n");
    yajl_tree_free(parse_ok(b.data));
    lz_buf_free(&b);
}

static void test_compact(void **state) {
    lz_buf b = {0};
    jsonw w;
    jsonw_init(&w, &b, false);
    jsonw_begin_object(&w);
    jsonw_kv_uint(&w, "n", 18446744073709551615ull);
    jsonw_key(&w, "l");
    jsonw_begin_array(&w);
    jsonw_bool(&w, false);
    jsonw_string(&w, NULL);
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    assert_int_equal(jsonw_finish(&w, NULL), 0);
    assert_string_equal(b.data, "{\"n\":18446744073709551615,\"l\":[false,null]}");
    lz_buf_free(&b);
}

static void expect_misuse(void (*build)(jsonw *)) {
    lz_buf b = {0};
    jsonw w;
    lz_err e = {{0}};
    jsonw_init(&w, &b, true);
    build(&w);
    assert_int_equal(jsonw_finish(&w, &e), -1);
    assert_non_null(strstr(e.msg, "JSON writer"));
    lz_buf_free(&b);
}

static void value_without_key(jsonw *w) {
    jsonw_begin_object(w);
    jsonw_uint(w, 1);
    jsonw_end_object(w);
}
static void unclosed(jsonw *w) {
    jsonw_begin_array(w);
}
static void wrong_end(jsonw *w) {
    jsonw_begin_array(w);
    jsonw_end_object(w);
}
static void key_in_array(jsonw *w) {
    jsonw_begin_array(w);
    jsonw_key(w, "k");
    jsonw_end_array(w);
}
static void dangling_key(jsonw *w) {
    jsonw_begin_object(w);
    jsonw_key(w, "k");
    jsonw_end_object(w);
}
static void nothing(jsonw *w) {}

static void test_misuse_reported(void **state) {
    expect_misuse(value_without_key);
    expect_misuse(unclosed);
    expect_misuse(wrong_end);
    expect_misuse(key_in_array);
    expect_misuse(dangling_key);
    expect_misuse(nothing);
}

/* Every C0 control character, and DEL, is escaped and parses back to itself. */
static void test_every_control_char(void **state) {
    static const char *const short_forms[32] = {
        ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t"};
    for (int c = 0; c <= 0x7F; c++) {
        if (c >= 0x20 && c != 0x7F) continue;
        char in[3] = {'a', (char)c, 'b'}, want[16];
        if (c < 32 && short_forms[c])
            snprintf(want, sizeof want, "\"a%sb\"", short_forms[c]);
        else
            snprintf(want, sizeof want, "\"a\\u%04xb\"", c);
        char *got = escape(in, 3);
        assert_string_equal(got, want);
        yajl_val v = parse_ok(got);
        assert_true(YAJL_IS_STRING(v));
        if (c) assert_memory_equal(YAJL_GET_STRING(v), in, 3); /* yajl strings are NUL-terminated */
        yajl_tree_free(v);
        free(got);
    }
}

static void test_quotes_and_backslash(void **state) {
    const char in[] = "say \"hi\" \\ / done";
    char *got = escape(in, strlen(in));
    assert_string_equal(got, "\"say \\\"hi\\\" \\\\ / done\"");
    yajl_val v = parse_ok(got);
    assert_string_equal(YAJL_GET_STRING(v), in);
    yajl_tree_free(v);
    free(got);
}

#define FFFD "\xEF\xBF\xBD"

static void expect_escape(const char *in, size_t len, const char *want) {
    char *got = escape(in, len);
    assert_string_equal(got, want);
    yajl_tree_free(parse_ok(got));
    free(got);
}

static void test_invalid_utf8_repaired(void **state) {
    expect_escape("\xFF", 1, "\"" FFFD "\"");
    expect_escape("a\x80z", 3, "\"a" FFFD "z\"");                        /* lone continuation */
    expect_escape("\xC0\xAF", 2, "\"" FFFD FFFD "\"");                   /* overlong '/' */
    expect_escape("\xE0\x80\xAF", 3, "\"" FFFD FFFD FFFD "\"");          /* overlong 3-byte */
    expect_escape("\xED\xA0\x80", 3, "\"" FFFD FFFD FFFD "\"");          /* UTF-16 surrogate */
    expect_escape("\xF4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\""); /* above U+10FFFF */
    expect_escape("\xF5\x80", 2, "\"" FFFD FFFD "\"");
    expect_escape("x\xE2\x82", 3, "\"x" FFFD FFFD "\""); /* truncated at the end */
    expect_escape("\xE2\x82"
                  "A",
                  3, "\"" FFFD FFFD "A\""); /* truncated before ASCII */
    expect_escape("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9,
                  "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");    /* é € 😀 */
    expect_escape("\xF4\x8F\xBF\xBF", 4, "\"\xF4\x8F\xBF\xBF\""); /* U+10FFFF is valid */
    expect_escape("\xE2\x80\xA8|\xE2\x80\xA9", 7, "\"\\u2028|\\u2029\"");
    /* Legal raw in JSON, but escaped so that a terminal showing the report
     * does not act on a C1 CSI or reorder text around a bidi override. */
    expect_escape("\xC2\x9B", 2, "\"\\u009b\"");
    expect_escape("a\xE2\x80\xAE"
                  "b\xE2\x81\xA6"
                  "c",
                  9, "\"a\\u202eb\\u2066c\"");
    expect_escape("\xE2\x80\x8F", 3, "\"\xE2\x80\x8F\""); /* a bidi mark (RLM) is only a mark */
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned char next_byte(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned char)rng;
}

/* 1 MB of random bytes: valid JSON, valid UTF-8, and every ASCII byte
 * survives the round trip in place. */
static void test_megabyte_random(void **state) {
    size_t n = 1u << 20;
    char *in = lz_malloc(n);
    for (size_t i = 0; i < n; i++) in[i] = (char)next_byte();
    char *got = escape(in, n);
    assert_true(valid_utf8(got, strlen(got)));
    yajl_val v = parse_ok(got);
    assert_true(YAJL_IS_STRING(v));
    yajl_tree_free(v);
    free(got);
    free(in);
}

static void test_megabyte_ascii_roundtrip(void **state) {
    size_t n = 1u << 20;
    char *in = lz_malloc(n + 1);
    for (size_t i = 0; i < n; i++) in[i] = (char)(0x20 + i % 95);
    in[n] = '\0';
    lz_buf b = {0};
    jsonw w;
    jsonw_init(&w, &b, true);
    jsonw_begin_array(&w);
    jsonw_string(&w, in);
    jsonw_end_array(&w);
    assert_int_equal(jsonw_finish(&w, NULL), 0);
    yajl_val v = parse_ok(b.data);
    assert_true(YAJL_IS_ARRAY(v));
    assert_string_equal(YAJL_GET_STRING(v->u.array.values[0]), in);
    yajl_tree_free(v);
    lz_buf_free(&b);
    free(in);
}

static void test_numbers(void **state) {
    static const char *const good[] = {"0",   "-0",   "12",     "-3.25",
                                       "1e9", "1E+9", "2.5e-3", "123456789012345678901234567890"};
    static const char *const bad[] = {"",     "-",   "01",       ".5", "1.", "1e",
                                      "0x1F", "NaN", "Infinity", "+1", "1 ", "--1"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(jsonw_is_number(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(jsonw_is_number(bad[i], strlen(bad[i])));
    lz_buf b = {0};
    jsonw w;
    jsonw_init(&w, &b, false);
    jsonw_begin_array(&w);
    jsonw_number(&w, "1.50", 4);
    jsonw_number(&w, "0x1F", 4);
    jsonw_end_array(&w);
    assert_int_equal(jsonw_finish(&w, NULL), 0);
    assert_string_equal(b.data, "[1.50,\"0x1F\"]"); /* text kept; a non-number stays valid as a string */
    lz_buf_free(&b);
}

static void test_jv_value(void **state) {
    jv_store *s = jv_store_new();
    jv_builder *bld = jv_builder_new(s);
    jv_build_begin(bld, JV_OBJECT);
    jv_build_key(bld, "Name", 4);
    jv_build_scalar(bld, JV_STRING, "bad\xFF\x1b[2J", 8);
    jv_build_key(bld, "n", 1);
    jv_build_scalar(bld, JV_NUMBER, "1.0e5", 5);
    jv_build_key(bld, "list", 4);
    jv_build_begin(bld, JV_ARRAY);
    jv_build_scalar(bld, JV_TRUE, NULL, 0);
    jv_build_scalar(bld, JV_FALSE, NULL, 0);
    jv_build_scalar(bld, JV_NULL, NULL, 0);
    jv_build_begin(bld, JV_OBJECT);
    jv_build_end(bld);
    jv_build_end(bld);
    jv_t v = jv_build_end(bld);
    assert_int_not_equal(v, JV_MISSING);

    lz_buf b = {0};
    jsonw w;
    jsonw_init(&w, &b, false);
    jsonw_value(&w, s, v);
    assert_int_equal(jsonw_finish(&w, NULL), 0);
    assert_string_equal(b.data,
                        "{\"Name\":\"bad" FFFD "\\u001b[2J\",\"n\":1.0e5,\"list\":[true,false,null,{}]}");
    yajl_tree_free(parse_ok(b.data));

    lz_buf_reset(&b);
    jsonw_init(&w, &b, false);
    jsonw_value(&w, s, JV_MISSING);
    assert_int_equal(jsonw_finish(&w, NULL), 0);
    assert_string_equal(b.data, "null");
    lz_buf_free(&b);
    jv_builder_free(bld);
    jv_store_free(s);
}

/* Same calls, same bytes. */
static void test_deterministic(void **state) {
    char *outs[2];
    for (int k = 0; k < 2; k++) {
        lz_buf b = {0};
        jsonw w;
        jsonw_init(&w, &b, true);
        jsonw_begin_object(&w);
        for (int i = 0; i < 50; i++) {
            char key[16];
            snprintf(key, sizeof key, "k%d", i);
            jsonw_kv_uint(&w, key, (uint64_t)i * 7);
        }
        jsonw_end_object(&w);
        assert_int_equal(jsonw_finish(&w, NULL), 0);
        outs[k] = lz_buf_steal(&b);
    }
    assert_string_equal(outs[0], outs[1]);
    free(outs[0]);
    free(outs[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pretty_structure),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_misuse_reported),
        cmocka_unit_test(test_every_control_char),
        cmocka_unit_test(test_quotes_and_backslash),
        cmocka_unit_test(test_invalid_utf8_repaired),
        cmocka_unit_test(test_megabyte_random),
        cmocka_unit_test(test_megabyte_ascii_roundtrip),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_jv_value),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
