/*
 * test_yamldoc.c - common/yamldoc: positions, multi-document streams, the
 * core schema's typing of plain scalars, key checks, errors with
 * file:line:column, refusal of aliases and excessive nesting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/yamldoc.h"

static ydoc *load_ok(const char *text) {
    ydoc *d;
    lz_err e;
    if (ydoc_load_buffer(&d, "t.yaml", text, strlen(text), &e) != 0) fail_msg("%s", e.msg);
    return d;
}

static void test_positions_and_lookup(void **state) {
    (void)state;
    ydoc *d = load_ok("# comment\na: 1\nlist:\n  - x\n  - {k: v}\n");
    assert_int_equal(ydoc_count(d), 1);
    ynode root = ydoc_root(d, 0);
    assert_true(yn_is_map(root));
    assert_int_equal(yn_line(root), 2);
    ynode list = yn_get(root, "LIST"); /* keys case-insensitively */
    assert_true(yn_is_seq(list));
    assert_int_equal(yn_len(list), 2);
    ynode m = yn_item(list, 1);
    assert_int_equal(yn_line(m), 5);
    assert_int_equal(yn_col(m), 5);
    assert_string_equal(yn_str(yn_get(m, "k")), "v");
    assert_false(yn_ok(yn_get(m, "absent")));
    lz_err e;
    yn_errf(&e, m, "bad %s", "thing");
    assert_string_equal(e.msg, "t.yaml:5:5: bad thing");
    ydoc_free(d);
}

static void test_multi_document(void **state) {
    (void)state;
    ydoc *d = load_ok("a: 1\n---\nb: 2\n---\n# empty\n");
    assert_int_equal(ydoc_count(d), 3);
    size_t len;
    const char *t = ydoc_text(d, 1, &len);
    assert_non_null(strstr(t, "b: 2"));
    assert_int_equal(yn_line(ydoc_root(d, 1)), 3);
    ydoc_free(d);
    d = load_ok("");
    assert_int_equal(ydoc_count(d), 0);
    ydoc_free(d);
}

static void test_core_schema(void **state) {
    (void)state;
    struct {
        const char *in;
        enum jv_kind kind;
        const char *num;
    } cases[] = {
        {"null", JV_NULL, NULL},       {"~", JV_NULL, NULL},       {"", JV_NULL, NULL},
        {"True", JV_TRUE, NULL},       {"FALSE", JV_FALSE, NULL},  {"tRUE", JV_STRING, NULL},
        {"yes", JV_STRING, NULL},      {"42", JV_NUMBER, "42"},    {"+7", JV_NUMBER, "7"},
        {"-007", JV_NUMBER, "-7"},     {"0x1F", JV_NUMBER, "31"},  {"0o17", JV_NUMBER, "15"},
        {"1.5e3", JV_NUMBER, "1.5e3"}, {".5", JV_NUMBER, "0.5"},   {"1.", JV_NUMBER, "1"},
        {".inf", JV_STRING, NULL},     {"0.1.0", JV_STRING, NULL}, {"10.0.0.4", JV_STRING, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *num = NULL;
        enum jv_kind k = ydoc_plain_kind(cases[i].in, strlen(cases[i].in), &num);
        if (k != cases[i].kind) fail_msg("%s: kind %d, want %d", cases[i].in, k, cases[i].kind);
        if (cases[i].num) assert_string_equal(num, cases[i].num);
        free(num);
    }
}

static void test_to_jv(void **state) {
    (void)state;
    ydoc *d = load_ok(
        "v:\n  a: 1\n  b: '1'\n  c: true\n  d: \"true\"\n  e: null\n  f: [x, 2.50]\n  g: |\n    text\n");
    jv_store *s = jv_store_new();
    jv_t v;
    lz_err e;
    assert_int_equal(yn_to_jv(yn_get(ydoc_root(d, 0), "v"), s, &v, &e), 0);
    assert_int_equal(jv_kind(s, jv_get(s, v, "a", 1)), JV_NUMBER);
    assert_int_equal(jv_kind(s, jv_get(s, v, "b", 1)), JV_STRING); /* quoted: a string */
    assert_int_equal(jv_kind(s, jv_get(s, v, "c", 1)), JV_TRUE);
    assert_int_equal(jv_kind(s, jv_get(s, v, "d", 1)), JV_STRING);
    assert_int_equal(jv_kind(s, jv_get(s, v, "e", 1)), JV_NULL);
    jv_t f = jv_get(s, v, "f", 1);
    assert_int_equal(jv_len(s, f), 2);
    assert_string_equal(jv_str(s, jv_at(s, f, 1), NULL), "2.50");
    assert_string_equal(jv_get_str(s, v, "g"), "text\n");
    /* a bare scalar converts too */
    assert_int_equal(yn_to_jv(yn_get(yn_get(ydoc_root(d, 0), "v"), "a"), s, &v, &e), 0);
    assert_string_equal(jv_str(s, v, NULL), "1");
    jv_store_free(s);
    ydoc_free(d);
}

static void test_check_keys(void **state) {
    (void)state;
    static const char *const allowed[] = {"id", "title", NULL};
    ydoc *d = load_ok("id: 1\nTitle: x\nid: 2\n");
    lz_err e;
    assert_int_equal(yn_check_keys(ydoc_root(d, 0), allowed, "rule", &e), -1);
    assert_string_equal(e.msg, "t.yaml:3:1: duplicate key 'id' in rule (first at line 1)");
    ydoc_free(d);
    d = load_ok("id: 1\nbogus: 2\n");
    assert_int_equal(yn_check_keys(ydoc_root(d, 0), allowed, "rule", &e), -1);
    assert_string_equal(e.msg, "t.yaml:2:1: unknown key 'bogus' in rule");
    ydoc_free(d);
}

static void test_errors(void **state) {
    (void)state;
    ydoc *d;
    lz_err e;
    const char *bad = "a: [1, 2\nb: 3\n";
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", bad, strlen(bad), &e), -1);
    assert_null(d);
    assert_non_null(strstr(e.msg, "x.yaml:"));
    const char *tab = "a:\n\tb: 1\n";
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", tab, strlen(tab), &e), -1);
    assert_non_null(strstr(e.msg, "x.yaml:2:"));
    const char *alias = "a: &x 1\nb: *x\n";
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", alias, strlen(alias), &e), -1);
    assert_string_equal(e.msg, "x.yaml:2:4: YAML aliases (*x) are not supported");
    /* recursive alias: refused before libyaml could build a cycle */
    const char *cyc = "&a [*a]\n";
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", cyc, strlen(cyc), &e), -1);
    lz_buf deep = {0};
    for (int i = 0; i < YDOC_MAX_DEPTH + 1; i++) lz_buf_putc(&deep, '[');
    for (int i = 0; i < YDOC_MAX_DEPTH + 1; i++) lz_buf_putc(&deep, ']');
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", deep.data, deep.len, &e), -1);
    assert_non_null(strstr(e.msg, "nested deeper than"));
    lz_buf_free(&deep);
    const char *badutf = "a: \"\xff\xfe\"\n";
    assert_int_equal(ydoc_load_buffer(&d, "x.yaml", badutf, strlen(badutf), &e), -1);
    assert_non_null(strstr(e.msg, "x.yaml:1:"));
    assert_int_equal(ydoc_load_file(&d, "/nonexistent.yaml", &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent.yaml"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_and_lookup), cmocka_unit_test(test_multi_document),
        cmocka_unit_test(test_core_schema),          cmocka_unit_test(test_to_jv),
        cmocka_unit_test(test_check_keys),           cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
