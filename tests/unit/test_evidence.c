/* Evidence bundle pieces: CSV cells (RFC 4180 quoting, formula
 * neutralising), safe bundle names, SHA256SUMS format and order, and the
 * diff of two small JSON reports. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "output/ev_diff.h"
#include "output/evidence.h"
#include "output/out_csv.h"
#include "output/out_html.h"

static void cell(const char *in, const char *want) {
    lz_buf b = {0};
    out_csv_cell(&b, in);
    assert_string_equal(lz_buf_cstr(&b), want);
    lz_buf_free(&b);
}

static void test_csv_cells(void **state) {
    (void)state;
    cell("plain", "plain");
    cell("", "");
    cell(NULL, "");
    cell("a,b", "\"a,b\"");
    cell("say \"hi\"", "\"say \"\"hi\"\"\"");
    cell("two\nlines", "\"two\nlines\"");
    cell("=SUM(A1)", "\"'=SUM(A1)\"");
    cell("+1", "\"'+1\"");
    cell("-2", "\"'-2\"");
    cell("@cmd", "\"'@cmd\"");
    cell("\tx", "\"'\tx\"");
    cell("a=b", "a=b");
}

static void test_names(void **state) {
    (void)state;
    assert_true(ev_name_safe("report.json"));
    assert_true(ev_name_safe("rules/AIHUB-NET-001.yaml"));
    assert_false(ev_name_safe("../etc/passwd"));
    assert_false(ev_name_safe("rules/../../x"));
    assert_false(ev_name_safe("/abs"));
    assert_false(ev_name_safe("a//b"));
    assert_false(ev_name_safe("a b"));
    assert_false(ev_name_safe("./a"));
    assert_false(ev_name_safe(""));
}

static void test_sums_sorted(void **state) {
    (void)state;
    ev_bundle b = {0};
    ev_bundle_add(&b, "z.txt", lz_strdup("z"), 1);
    ev_bundle_add(&b, "a.txt", lz_strdup(""), 0);
    ev_bundle_sort(&b);
    lz_buf out = {0};
    ev_sha256sums(&b, &out);
    assert_string_equal(lz_buf_cstr(&out),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.txt\n"
                        "594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06  z.txt\n");
    lz_buf_free(&out);
    ev_bundle_free(&b);
}

static const char old_json[] =
    "{\"schemaVersion\":\"1.1.0\",\"rules\":[{\"id\":\"R-1\",\"controls\":{\"mcsb\":[\"NS-1\"],\"cis\":[],"
    "\"landingZone\":[]}}],\"findings\":["
    "{\"ruleId\":\"R-1\",\"resourceId\":\"/"
    "a\",\"status\":\"fail\",\"severity\":\"high\",\"fingerprint\":\"1\"},"
    "{\"ruleId\":\"R-1\",\"resourceId\":\"/"
    "b\",\"status\":\"fail\",\"severity\":\"high\",\"fingerprint\":\"2\"}]}";
static const char new_json[] =
    "{\"schemaVersion\":\"1.1.0\",\"rules\":[{\"id\":\"R-1\",\"controls\":{\"mcsb\":[\"NS-1\"],\"cis\":[],"
    "\"landingZone\":[]}}],\"findings\":["
    "{\"ruleId\":\"R-1\",\"resourceId\":\"/"
    "b\",\"status\":\"exempt\",\"severity\":\"high\",\"fingerprint\":\"2\"},"
    "{\"ruleId\":\"R-1\",\"resourceId\":\"/"
    "c\",\"status\":\"fail\",\"severity\":\"high\",\"fingerprint\":\"3\"}]}";

static void test_diff(void **state) {
    (void)state;
    ev_report a, b;
    lz_err e = {{0}};
    assert_int_equal(ev_report_parse(&a, "old", old_json, &e), 0);
    assert_int_equal(ev_report_parse(&b, "new", new_json, &e), 0);
    lz_buf out = {0};
    size_t changes = 0;
    assert_int_equal(ev_diff_render(&a, &b, EV_DIFF_TEXT, &out, &changes, &e), 0);
    assert_int_equal(changes, 2);
    const char *t = lz_buf_cstr(&out);
    assert_non_null(strstr(t, "findings: 1 new, 1 resolved, 1 unchanged"));
    assert_non_null(strstr(t, "  - fail  /a\n"));
    assert_non_null(strstr(t, "  = exempt (was fail)  /b\n"));
    assert_non_null(strstr(t, "  + fail  /c\n"));
    assert_non_null(strstr(t, "mcsb:NS-1: 1 new, 1 resolved, 1 unchanged"));
    lz_buf_free(&out);
    ev_report_free(&a);
    ev_report_free(&b);
    assert_int_equal(ev_report_parse(&a, "bad", "{\"x\":1}", &e), -1);
    ev_report_free(&a);
    assert_int_equal(ev_report_parse(&a, "bad", "{", &e), -1);
    ev_report_free(&a);
}

static void test_html_escape(void **state) {
    (void)state;
    lz_buf b = {0};
    out_html_escape(&b, "</script><b a='1' c=\"2\">&\x01");
    assert_string_equal(
        lz_buf_cstr(&b),
        "&lt;/script&gt;&lt;b a=&#39;1&#39; c=&quot;2&quot;&gt;&amp;\\x01"); /* shown escaped */
    lz_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_cells),   cmocka_unit_test(test_names),
        cmocka_unit_test(test_sums_sorted), cmocka_unit_test(test_diff),
        cmocka_unit_test(test_html_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
