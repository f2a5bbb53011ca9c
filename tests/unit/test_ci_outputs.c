/*
 * test_ci_outputs.c - the CI renderers over a hand-built report: SARIF's
 * relative URIs for any id, the result cap keeping the most severe, levels
 * and suppressions; JUnit's escaping; Markdown's inert text.
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

#include "output/out_junit.h"
#include "output/out_markdown.h"
#include "output/out_sarif.h"

static rule r_crit = {
    .id = "AIHUB-RT-002", .title = "routes", .severity = SEV_CRITICAL, .source = "builtin:routing/x.yaml"};
static rule r_med = {.id = "AIHUB-GOV-001", .title = "tags", .severity = SEV_MEDIUM};
static rule r_low = {.id = "AIHUB-LOW-001", .title = "low", .severity = SEV_LOW};
static rule *rules[] = {&r_med, &r_low, &r_crit};
static rule_pack pack = {.name = "t", .version = "1", .rules = rules, .n = 3};

static char *uri(const char *id) {
    lz_buf b = {0};
    out_sarif_uri(&b, id);
    return lz_buf_steal(&b);
}

static void test_uri(void **state) {
    (void)state;
    char *u = uri("/subscriptions/AB/resourceGroups/rg x/providers/A.B/c/n%1");
    assert_string_equal(u, "subscriptions/ab/resourcegroups/rg%20x/providers/a.b/c/n%251");
    free(u);
    u = uri("//host/../a:b/./\xc3\xa9\x1b");
    assert_string_equal(u, "%2Fhost/%2E%2E/a%3Ab/%2E/%C3%A9%1B");
    free(u);
    u = uri("");
    assert_string_equal(u, "unknown-resource");
    free(u);
}

static void add(report *r, rule *ru, enum result_status st, const char *id) {
    finding f = {.rule = ru, .status = st, .resource = INV_NONE, .subject_id = lz_strdup(id)};
    f.message = lz_strdup("m <x> & \"q\"\x1b[2J");
    lz_sha256_hex(id, strlen(id), f.fingerprint);
    report_add(r, &f);
    report_count(r, report_rule_index(r, ru), st);
}

static yajl_val sarif(const report *r, const out_run *run) {
    lz_buf b = {0};
    lz_err e;
    assert_int_equal(out_sarif_report(r, run, &b, &e), 0);
    char err[256];
    yajl_val v = yajl_tree_parse(lz_buf_cstr(&b), err, sizeof err);
    if (!v) fail_msg("SARIF is not JSON: %s", err);
    lz_buf_free(&b);
    return v;
}

static yajl_val at(yajl_val v, const char **path) {
    return yajl_tree_get(v, path, yajl_t_any);
}

static void test_cap_keeps_most_severe(void **state) {
    (void)state;
    report r;
    report_init(&r, &pack, NULL);
    add(&r, &r_low, RS_FAIL, "/l1");
    add(&r, &r_med, RS_FAIL, "/m1");
    add(&r, &r_crit, RS_FAIL, "/c1");
    add(&r, &r_low, RS_FAIL, "/l2");
    add(&r, &r_crit, RS_UNKNOWN, "/u1");
    report_sort(&r);
    out_run run = {.fail_on = SEV_LOW, .max_results = 2, .category = "lzscan/test/"};
    yajl_val v = sarif(&r, &run);
    const char *rp[] = {"runs", NULL};
    yajl_val run0 = YAJL_GET_ARRAY(at(v, rp))->values[0];
    const char *resp[] = {"results", NULL};
    yajl_val res = at(run0, resp);
    assert_int_equal(YAJL_GET_ARRAY(res)->len, 2);
    const char *idp[] = {"ruleId", NULL}, *lvp[] = {"level", NULL};
    assert_string_equal(YAJL_GET_STRING(at(YAJL_GET_ARRAY(res)->values[0], idp)), "AIHUB-RT-002");
    assert_string_equal(YAJL_GET_STRING(at(YAJL_GET_ARRAY(res)->values[0], lvp)), "error");
    assert_string_equal(YAJL_GET_STRING(at(YAJL_GET_ARRAY(res)->values[1], idp)), "AIHUB-GOV-001");
    assert_string_equal(YAJL_GET_STRING(at(YAJL_GET_ARRAY(res)->values[1], lvp)), "warning");
    const char *np[] = {"invocations", NULL};
    yajl_val invocation = YAJL_GET_ARRAY(at(run0, np))->values[0];
    const char *tp[] = {"toolExecutionNotifications", NULL};
    yajl_val notes = at(invocation, tp);
    const char *mp[] = {"message", "text", NULL};
    const char *text = YAJL_GET_STRING(at(YAJL_GET_ARRAY(notes)->values[0], mp));
    assert_non_null(text);
    assert_non_null(strstr(text, "2 results were left out"));
    const char *cp[] = {"automationDetails", "id", NULL};
    assert_string_equal(YAJL_GET_STRING(at(run0, cp)), "lzscan/test/");
    yajl_tree_free(v);
    report_free(&r);
}

static void test_levels_and_tags(void **state) {
    (void)state;
    report r;
    report_init(&r, &pack, NULL);
    out_run run = {.fail_on = SEV_LOW};
    yajl_val v = sarif(&r, &run);
    const char *rp[] = {"runs", NULL};
    yajl_val run0 = YAJL_GET_ARRAY(at(v, rp))->values[0];
    const char *rules_p[] = {"tool", "driver", "rules", NULL};
    yajl_val rs = at(run0, rules_p);
    assert_int_equal(YAJL_GET_ARRAY(rs)->len, 3);
    const char *lv[] = {"defaultConfiguration", "level", NULL},
               *ss[] = {"properties", "security-severity", NULL}, *tg[] = {"properties", "tags", NULL},
               *nm[] = {"name", NULL};
    const char *want_level[] = {"warning", "note", "error"}, *want_score[] = {"5.5", "2.0", "9.5"};
    for (size_t i = 0; i < 3; i++) {
        yajl_val x = YAJL_GET_ARRAY(rs)->values[i];
        assert_string_equal(YAJL_GET_STRING(at(x, lv)), want_level[i]);
        assert_string_equal(YAJL_GET_STRING(at(x, ss)), want_score[i]);
    }
    yajl_val tags = at(YAJL_GET_ARRAY(rs)->values[2], tg);
    assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(tags)->values[0]), "security");
    assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(tags)->values[1]), "routing");
    tags = at(YAJL_GET_ARRAY(rs)->values[0], tg);
    assert_string_equal(YAJL_GET_STRING(YAJL_GET_ARRAY(tags)->values[1]), "gov");
    assert_string_equal(YAJL_GET_STRING(at(YAJL_GET_ARRAY(rs)->values[2], nm)), "Routes");
    yajl_tree_free(v);
    report_free(&r);
}

static void test_junit_escaping(void **state) {
    (void)state;
    report r;
    report_init(&r, &pack, NULL);
    add(&r, &r_crit, RS_FAIL, "/a\"b'<c>&d\x01\xff");
    add(&r, &r_med, RS_UNKNOWN, "/u");
    report_sort(&r);
    lz_buf b = {0};
    lz_err e;
    assert_int_equal(out_junit_report(&r, NULL, &b, &e), 0);
    const char *x = lz_buf_cstr(&b);
    assert_non_null(strstr(x, "name=\"/a&quot;b&apos;&lt;c&gt;&amp;d\\x01\\xff\""));
    assert_non_null(strstr(x, "message=\"m &lt;x&gt; &amp; &quot;q&quot;\\x1b[2J\""));
    assert_non_null(strstr(x, "<skipped message=\"unknown: m"));
    assert_non_null(
        strstr(x, "<testsuites name=\"lzscan\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""));
    for (const unsigned char *c = (const unsigned char *)x; *c; c++)
        if (*c < 0x20 && *c != '\n') fail_msg("control character %02x in the XML", *c);
    lz_buf_free(&b);
    report_free(&r);
}

static void test_md_text(void **state) {
    (void)state;
    lz_buf b = {0};
    out_md_text(&b, "a|b [x](http://e) <img src=x> *y* `z` @team\nnext\x1b", 0);
    assert_string_equal(lz_buf_cstr(&b),
                        "a\\|b \\[x\\](http://e) \\<img src=x\\> \\*y\\* \\`z\\` \\@team next\\\\x1b");
    lz_buf_free(&b);
    assert_true(out_md_url_ok("https://learn.microsoft.com/azure/x#y"));
    assert_false(out_md_url_ok("javascript:alert(1)"));
    assert_false(out_md_url_ok("https://e/x)(y"));
    assert_false(out_md_url_ok("https://e/%zz"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_cap_keeps_most_severe),
        cmocka_unit_test(test_levels_and_tags),
        cmocka_unit_test(test_junit_escaping),
        cmocka_unit_test(test_md_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
