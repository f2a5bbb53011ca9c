/* `rules list` / `rules show` renderers: text table, JSON metadata (parsed
 * back), Markdown, the rule's YAML source text, and sanitizing of hostile
 * rule text. Rules are built by hand; no rule loading is involved. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/atomic.h"
#include "output/out_rules.h"

#define SV(...)                                                                                              \
    { (char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *) }

static const char yaml_two_docs[] = "# leading comment\n"
                                    "id: R-1\n"
                                    "title: first\n"
                                    "---\n"
                                    "id: R-2\n"
                                    "title: second\n"
                                    "check: {field: name, equals: x}\n"
                                    "...\n";

static rule r1 = {
    .id = "R-1",
    .title = "Accounts disable public network access",
    .severity = SEV_HIGH,
    .description = "Public endpoints expose the account.\nSecond line.",
    .remediation = "Set publicNetworkAccess to Disabled.\naz cognitiveservices account update ...",
    .references = SV("https://learn.microsoft.com/x"),
    .policy = SV("0725b4dd-7e76-479c-a735-68e7ee23d5ca"),
    .mcsb = SV("NS-2"),
    .cis = {0},
    .landing_zone = SV("private endpoints only"),
    .types = SV("microsoft.cognitiveservices/accounts"),
    .needs = {0},
    .line = 2,
    .sha256 = "0000000000000000000000000000000000000000000000000000000000000000",
};

static rule r2 = {
    .id = "R-2",
    .title = "Evil \x1b]0;pwned\x07 title | pipe",
    .severity = SEV_CRITICAL,
    .description = "d\x1b[2J",
    .remediation = "r",
    .types = SV("*"),
    .needs = SV("microsoft.insights/diagnosticsettings"),
    .line = 5,
    .sha256 = "1111111111111111111111111111111111111111111111111111111111111111",
};

static rule *rules[] = {&r1, &r2};
static rule_pack pack = {.name = "test", .version = "1.2.3", .rules = rules, .n = 2};
static char yaml_path[64];

static int setup(void **state) {
    snprintf(yaml_path, sizeof yaml_path, "/tmp/lz_out_rules_%d.yaml", (int)getpid());
    r1.source = r2.source = yaml_path;
    return lz_write_atomic(yaml_path, yaml_two_docs, sizeof yaml_two_docs - 1, NULL);
}

static int teardown(void **state) {
    unlink(yaml_path);
    return 0;
}

static void assert_no_control(const char *s) {
    for (; *s; s++) assert_true((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t');
}

static void test_list_text(void **state) {
    lz_buf b = {0};
    assert_int_equal(out_rules_list(&pack, OUT_RULES_TEXT, &b, NULL), 0);
    assert_non_null(strstr(b.data, "ID   SEVERITY  TITLE\n"));
    assert_non_null(strstr(b.data, "R-1  high      Accounts disable public network access\n"));
    assert_non_null(strstr(b.data, "R-2  critical  Evil \\x1b]0;pwned\\x07 title"));
    assert_non_null(strstr(b.data, "2 rules in pack test 1.2.3"));
    assert_no_control(b.data);
    lz_buf_free(&b);
}

static void test_list_json(void **state) {
    lz_buf b = {0};
    assert_int_equal(out_rules_list(&pack, OUT_RULES_JSON, &b, NULL), 0);
    char err[128];
    yajl_val v = yajl_tree_parse(b.data, err, sizeof err);
    assert_non_null(v);
    assert_true(YAJL_IS_ARRAY(v));
    assert_int_equal(v->u.array.len, 2);
    yajl_val first = v->u.array.values[0];
    const char *id_path[] = {"id", NULL}, *sev[] = {"severity", NULL}, *mcsb[] = {"controls", "mcsb", NULL},
               *lz[] = {"controls", "landingZone", NULL}, *types[] = {"appliesTo", NULL},
               *line[] = {"line", NULL}, *yaml[] = {"yaml", NULL}, *cis[] = {"controls", "cis", NULL};
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(first, id_path, yajl_t_string)), "R-1");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(first, sev, yajl_t_string)), "high");
    yajl_val m = yajl_tree_get(first, mcsb, yajl_t_array);
    assert_string_equal(YAJL_GET_STRING(m->u.array.values[0]), "NS-2");
    assert_int_equal(yajl_tree_get(first, cis, yajl_t_array)->u.array.len, 0);
    assert_non_null(yajl_tree_get(first, lz, yajl_t_array));
    assert_non_null(yajl_tree_get(first, types, yajl_t_array));
    assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(first, line, yajl_t_number)), 2);
    assert_null(yajl_tree_get(first, yaml, yajl_t_any)); /* only `show` carries the YAML */
    yajl_tree_free(v);
    lz_buf_free(&b);
}

static void test_list_markdown(void **state) {
    lz_buf b = {0};
    assert_int_equal(out_rules_list(&pack, OUT_RULES_MARKDOWN, &b, NULL), 0);
    assert_non_null(strstr(b.data, "| ID | Severity | Title |\n|---|---|---|\n"));
    assert_non_null(strstr(b.data, "| [R-1](#r-1) | high | Accounts disable public network access |\n"));
    assert_non_null(strstr(b.data, "title \\| pipe |")); /* a pipe cannot break the table */
    assert_non_null(strstr(b.data, "<a id=\"r-2\"></a>\n## R-2: "));
    assert_non_null(strstr(b.data, "- **Needs:** `microsoft.insights/diagnosticsettings`\n"));
    assert_non_null(strstr(b.data, "**References**\n\n- https://learn.microsoft.com/x\n"));
    assert_no_control(b.data);
    lz_buf_free(&b);
}

static void test_source_text(void **state) {
    char *t = out_rule_source_text(&r1);
    assert_string_equal(t, "# leading comment\nid: R-1\ntitle: first\n");
    free(t);
    t = out_rule_source_text(&r2);
    assert_string_equal(t, "id: R-2\ntitle: second\ncheck: {field: name, equals: x}\n");
    free(t);
    rule missing = r1;
    missing.source = "/nonexistent/rule.yaml";
    assert_null(out_rule_source_text(&missing));
    missing.source = "builtin:no/such/rule.yaml";
    assert_null(out_rule_source_text(&missing));
}

static void test_show_text(void **state) {
    lz_buf b = {0};
    assert_int_equal(out_rules_show(&pack, &r2, OUT_RULES_TEXT, &b, NULL), 0);
    assert_non_null(strstr(b.data, "severity:     critical\n"));
    assert_non_null(strstr(b.data, "applies to:   *\n"));
    assert_non_null(strstr(b.data, "cis:          -\n"));
    char *src = lz_asprintf("source:       %s:5\n", yaml_path);
    assert_non_null(strstr(b.data, src));
    free(src);
    assert_non_null(strstr(b.data, "\nDescription\n  d\\x1b[2J\n"));
    assert_non_null(strstr(b.data, "\nSource\n  id: R-2\n  title: second\n"));
    assert_no_control(b.data);
    lz_buf_free(&b);
}

static void test_show_json_and_markdown(void **state) {
    lz_buf b = {0};
    assert_int_equal(out_rules_show(&pack, &r1, OUT_RULES_JSON, &b, NULL), 0);
    yajl_val v = yajl_tree_parse(b.data, NULL, 0);
    const char *yaml[] = {"yaml", NULL}, *desc[] = {"description", NULL};
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v, yaml, yajl_t_string)),
                        "# leading comment\nid: R-1\ntitle: first\n");
    assert_string_equal(YAJL_GET_STRING(yajl_tree_get(v, desc, yajl_t_string)), r1.description);
    yajl_tree_free(v);
    lz_buf_reset(&b);
    assert_int_equal(out_rules_show(&pack, &r1, OUT_RULES_MARKDOWN, &b, NULL), 0);
    assert_non_null(strstr(b.data, "```yaml\n# leading comment\nid: R-1\ntitle: first\n```\n"));
    lz_buf_free(&b);
}

static void test_format_parse(void **state) {
    enum out_rules_format f;
    lz_err e;
    assert_int_equal(out_rules_format_parse("md", &f, &e), 0);
    assert_int_equal(f, OUT_RULES_MARKDOWN);
    assert_int_equal(out_rules_format_parse("sarif", &f, &e), -1);
    assert_non_null(strstr(e.msg, "sarif"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_text),     cmocka_unit_test(test_list_json),
        cmocka_unit_test(test_list_markdown), cmocka_unit_test(test_source_text),
        cmocka_unit_test(test_show_text),     cmocka_unit_test(test_show_json_and_markdown),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
