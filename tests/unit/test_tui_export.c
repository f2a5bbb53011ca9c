/* Exports of TUI views and the TUI's display strings: CSV cells that a
 * spreadsheet would run as formulas are neutralised, quoting follows RFC
 * 4180, the JSON is valid whatever the data holds, and untrusted text is
 * made terminal-safe (escape sequences shown, ASCII fallback, widths). */
/* cmocka needs these first; its own block keeps clang-format from reordering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "output/out_csv.h"
#include "output/tui_detail.h"
#include "output/tui_export.h"
#include "output/tui_text.h"

static char *cell(const char *s) {
    lz_buf b = {0};
    out_csv_cell(&b, s);
    return lz_buf_steal(&b);
}

static void cell_is(const char *in, const char *want) {
    char *got = cell(in);
    if (strcmp(got, want) != 0) fail_msg("cell [%s] gave [%s], expected [%s]", in, got, want);
    free(got);
}

static void test_csv_neutralised(void **state) {
    (void)state;
    cell_is("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
    cell_is("+1+1", "\"'+1+1\"");
    cell_is("-2+3", "\"'-2+3\"");
    cell_is("@SUM(A1)", "\"'@SUM(A1)\"");
    cell_is("\tcmd", "\"'\tcmd\"");
    cell_is("\rcmd", "\\rcmd"); /* a CR is shown as \r: the cell starts with a backslash, not a formula */
    cell_is("a=b", "a=b");      /* only a leading formula character counts */
    cell_is("kv-01", "kv-01");
    cell_is("", "");
}

static void test_csv_quoting(void **state) {
    (void)state;
    cell_is("a,b", "\"a,b\"");
    cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
    cell_is("two\nlines", "\"two\nlines\"");
    cell_is("caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_render(void **state) {
    (void)state;
    static const char *const cols[] = {"name", "fail"};
    tui_table t;
    tui_table_init(&t, cols, 2, 0x2u);
    const char *r1[] = {"=evil()", "3"}, *r2[] = {"kv,\"1\"\x1b[2J", "0"};
    tui_table_add(&t, r1);
    tui_table_add(&t, r2);
    lz_buf b = {0};
    tui_export_render(&t, TUI_EXPORT_CSV, "tree", NULL, &b);
    assert_string_equal(
        b.data,
        "name,fail\r\n\"'=evil()\",3\r\n\"kv,\"\"1\"\"\\x1b[2J\",0\r\n"); /* the escape shown, not sent */
    lz_buf_reset(&b);
    tui_export_render(&t, TUI_EXPORT_JSON, "tree", "kv", &b);
    char err[200];
    yajl_val v = yajl_tree_parse(b.data, err, sizeof err);
    if (!v) fail_msg("invalid JSON: %s\n%s", err, b.data);
    const char *pv[] = {"view", NULL}, *pf[] = {"filter", NULL}, *pc[] = {"count", NULL},
               *pr[] = {"rows", NULL};
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v, pv, yajl_t_string)), "tree");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v, pf, yajl_t_string)), "kv");
    assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(v, pc, yajl_t_number)), 2);
    yajl_val rows = yajl_tree_get(v, pr, yajl_t_array);
    const char *pn[] = {"name", NULL}, *pfail[] = {"fail", NULL};
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(rows->u.array.values[1], pn, yajl_t_string)),
                        "kv,\"1\"\x1b[2J"); /* exact value, escaped by JSON */
    assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(rows->u.array.values[0], pfail, yajl_t_number)), 3);
    assert_null(strchr(b.data, '\x1b'));
    yajl_tree_free(v);
    lz_buf_free(&b);
    tui_table_free(&t);
}

static char *clean(const char *s, size_t cap) {
    lz_buf b = {0};
    tui_text_clean_str(&b, s, cap);
    return lz_buf_steal(&b);
}

static void test_display_strings(void **state) {
    (void)state;
    tui_text_set_utf8(false);
    char *s = clean("evil\x1b[2J\x1b]0;pwned\x07x caf\xc3\xa9 \xe2\x80\xae\n\xff", 0);
    assert_string_equal(s, "evil\\x1b[2J\\x1b]0;pwned\\x07x caf\\u00e9 \\u202e\\n\\xff");
    for (const char *p = s; *p; p++) assert_true(*p >= 0x20 && *p < 0x7f); /* plain printable ASCII */
    free(s);
    s = clean("abcdefghij", 6);
    assert_string_equal(s, "abc...");
    free(s);
    assert_int_equal(tui_text_width("abc", 3), 3);
    size_t used;
    assert_int_equal(tui_text_fit("abcdef", 6, 4, &used), 4);
    assert_int_equal(used, 4);
}

typedef struct lines {
    char got[10][64];
    int n;
} lines;

static void collect(const char *s, size_t len, void *ctx) {
    lines *l = ctx;
    if (l->n < 10) snprintf(l->got[l->n++], 64, "%.*s", (int)len, s);
}

static void test_wrap(void **state) {
    (void)state;
    lines l = {0};
    tui_text_wrap("the quick brown fox", 19, 10, true, collect, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.got[0], "the quick");
    assert_string_equal(l.got[1], "brown fox");
    memset(&l, 0, sizeof l);
    tui_text_wrap("/subscriptions/0000/x", 21, 8, true, collect, &l); /* no space: cut at the width */
    assert_string_equal(l.got[0], "/subscri");
    memset(&l, 0, sizeof l);
    tui_text_wrap_hang("0123456789abcdef", 16, 10, 4, collect, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.got[1], "abcdef");
    memset(&l, 0, sizeof l);
    tui_text_wrap("", 0, 10, true, collect, &l);
    assert_int_equal(l.n, 1);
}

static void test_paths(void **state) {
    (void)state;
    const char *ev = "properties.subnets[*].properties.routeTable.id";
    assert_true(tui_path_within("properties.subnets[2].properties.routeTable.id", ev));
    assert_true(
        tui_path_within("Properties.Subnets[2].properties.routeTable.id", ev)); /* aliases ignore case */
    assert_false(tui_path_within("properties.subnets[2].properties.routeTable", ev));
    assert_true(tui_path_leads_to("properties.subnets[2].properties.routeTable", ev));
    assert_true(tui_path_leads_to("properties", ev));
    assert_false(tui_path_leads_to("properties.subnet", ev));
    assert_true(tui_path_within("properties.publicNetworkAccess", "properties.publicNetworkAccess"));
    assert_true(tui_path_within("properties.routes[0].name", "properties.routes"));
    assert_false(tui_path_within("properties.routesX", "properties.routes"));
    assert_false(tui_path_within("properties.subnets[20].id", "properties.subnets[2].id"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_neutralised),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_display_strings),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
