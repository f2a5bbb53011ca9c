/* Hostile input at the unit level (SECURITY.md): duplicate keys, NUL in ids,
 * limits with file:line:column, huge numbers through the evaluator, escape
 * sequences through the sanitizer, profiles from memory, and the
 * regressions found by fuzzing and memcheck. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"
#include "output/out_json.h"
#include "output/sanitize.h"
#include "rules/engine.h"
#include "scanner/armid.h"
#include "scanner/ingest.h"
#include "scanner/jpath.h"
#include "scanner/profile.h"

#define ST                                                                                                   \
    "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/"

static inv *load(const char *text, size_t len, int expect_rc, lz_err *e) {
    inv *v = inv_new();
    assert_int_equal(ingest_buffer(v, "t.json", text, len, e), expect_rc);
    inv_finalize(v);
    return v;
}

/* ---- duplicate keys: the last occurrence wins, in any case ---- */

static void test_duplicate_keys_last_wins(void **state) {
    static const char doc[] =
        "[{\"id\":\"" ST "storageAccounts/st1\",\"type\":\"Microsoft.Storage/storageAccounts\","
        "\"properties\":{\"publicNetworkAccess\":\"Disabled\",\"PUBLICNETWORKACCESS\":\"Enabled\","
        "\"x\":1,\"x\":2}}]";
    lz_err e;
    inv *v = load(doc, sizeof doc - 1, 0, &e);
    const jv_store *s = inv_cstore(v);
    jv_t props = jv_get(s, inv_get(v, 0)->obj, "properties", 10);
    assert_int_equal(jv_len(s, props), 4); /* every member is kept */
    assert_string_equal(jv_get_str(s, props, "publicNetworkAccess"), "Enabled");
    assert_string_equal(jv_str(s, jv_get(s, props, "x", 1), NULL), "2");
    inv_free(v);
}

/* ---- ids ---- */

static void test_armid_rejects_nul_keeps_the_rest(void **state) {
    armid a;
    static const char nul[] = "/subscriptions/s/resourceGroups/rg/providers/A.B/c/n\0hidden";
    assert_int_equal(armid_parse(nul, sizeof nul - 1, &a), -1);
    const char *odd =
        "/subscriptions/s/resourceGroups/rg with spaces \xC3\xA5/providers/A.B/c/\x1b[2J\xF0\x9F\xA6\x84";
    assert_int_equal(armid_parse(odd, strlen(odd), &a), 0);
    assert_int_equal(a.resource_group.len, strlen("rg with spaces \xC3\xA5"));
    assert_memory_equal(a.name.p, "\x1b[2J\xF0\x9F\xA6\x84", a.name.len);
}

static void test_nul_in_id_is_an_input_error(void **state) {
    static const char doc[] = "[{\"id\":\"" ST "storageAccounts/st\\u0000x\",\"type\":\"a.b/c\"}]";
    lz_err e;
    inv *v = load(doc, sizeof doc - 1, -1, &e);
    assert_non_null(strstr(e.msg, "t.json:1:"));
    assert_non_null(strstr(e.msg, "is not an ARM resource id"));
    inv_free(v);
}

/* ---- limits name file:line:column ---- */

static void test_depth_limit(void **state) {
    size_t depth = 10000;
    char *doc = malloc(2 * depth + 64);
    size_t n = (size_t)sprintf(doc, "[{\"id\":\"/x\",\"type\":\"a.b/c\",\n\"p\":");
    memset(doc + n, '[', depth);
    memset(doc + n + depth, ']', depth);
    n += 2 * depth;
    n += (size_t)sprintf(doc + n, "}]");
    lz_err e;
    inv *v = load(doc, n, -1, &e);
    /* The 256th open bracket is on line 2: 5 columns of "\"p\":" and then
     * 254 brackets after the two of the top level. */
    assert_string_equal(e.msg, "t.json:2:260: JSON nested deeper than 256 levels");
    inv_free(v);
    free(doc);
}

static void test_string_limit(void **state) {
    size_t big = INGEST_MAX_STRING + 1;
    char *doc = malloc(big + 64);
    size_t n = (size_t)sprintf(doc, "[{\"name\":\"");
    memset(doc + n, 'a', big);
    n += big;
    n += (size_t)sprintf(doc + n, "\"}]");
    lz_err e;
    inv *v = load(doc, n, -1, &e);
    assert_non_null(strstr(e.msg, "t.json:1:"));
    assert_non_null(strstr(e.msg, "string longer than the 16 MiB limit"));
    inv_free(v);
    free(doc);
}

/* ---- regression (memcheck): unflatten read a key length before setting it ----
 * An object with only ARM envelope keys must not get a `properties` member. */
static void test_envelope_only_object_is_not_unflattened(void **state) {
    static const char doc[] =
        "[{\"id\":\"" ST "storageAccounts/st1\",\"type\":\"Microsoft.Storage/storageAccounts\","
        "\"name\":\"st1\",\"location\":\"westeurope\",\"tags\":{},\"kind\":\"StorageV2\"}]";
    lz_err e;
    inv *v = load(doc, sizeof doc - 1, 0, &e);
    const jv_store *s = inv_cstore(v);
    assert_int_equal(jv_get(s, inv_get(v, 0)->obj, "properties", 10), JV_MISSING);
    inv_free(v);
}

/* ---- huge numbers keep their text and compare as numbers ---- */

static const char number_rules[] = "id: NUM-1\ntitle: t\nseverity: low\ndescription: d\nremediation: r\n"
                                   "applies: {type: Microsoft.Storage/storageAccounts}\n"
                                   "check: {field: properties.days, greaterOrEquals: 90}\n"
                                   "---\n"
                                   "id: NUM-2\ntitle: t\nseverity: low\ndescription: d\nremediation: r\n"
                                   "applies: {type: Microsoft.Storage/storageAccounts}\n"
                                   "check: {field: properties.neg, less: 0}\n";

static void test_huge_numbers(void **state) {
    static const char doc[] =
        "[{\"id\":\"" ST "storageAccounts/st1\",\"type\":\"Microsoft.Storage/storageAccounts\","
        "\"properties\":{\"days\":1e400,\"neg\":-1e400}},"
        "{\"id\":\"" ST "storageAccounts/st2\",\"type\":\"Microsoft.Storage/storageAccounts\","
        "\"properties\":{\"days\":"
        "1000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000,\"neg\":-1e-400}}]";
    lz_err e;
    inv *v = load(doc, sizeof doc - 1, 0, &e);
    const jv_store *s = inv_cstore(v);
    jv_t days = jv_get(s, jv_get(s, inv_get(v, 0)->obj, "properties", 10), "days", 4);
    assert_int_equal(jv_kind(s, days), JV_NUMBER);
    assert_string_equal(jv_str(s, days, NULL), "1e400"); /* source text, not inf */

    rule_pack *p = rule_pack_new("t", "0");
    assert_int_equal(rule_pack_add_buffer(p, "n.yaml", number_rules, sizeof number_rules - 1, &e), 0);
    profile *prof = profile_new();
    topo *t = NULL;
    assert_int_equal(topo_infer(&t, v, prof, &e), 0);
    report r;
    report_init(&r, p, v);
    assert_int_equal(engine_run(p, v, t, prof, &r, &e), 0);
    /* NUM-1: 1e400 and 1e99 are >= 90; NUM-2: -1e400 < 0, but -1e-400 is -0. */
    assert_int_equal(r.counts[0].by_status[RS_PASS], 2);
    assert_int_equal(r.counts[1].by_status[RS_PASS], 1);
    assert_int_equal(r.counts[1].by_status[RS_FAIL], 1);
    lz_buf out = {0};
    assert_int_equal(out_json_report(&r, &out, &e), 0);
    assert_non_null(strstr(out.data, "-1e-400")); /* evidence keeps the text */
    lz_buf_free(&out);
    report_free(&r);
    topo_free(t);
    profile_free(prof);
    rule_pack_free(p);
    inv_free(v);
}

/* ---- the sanitizer on terminal attacks ---- */

static void assert_inert(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        assert_true(*p >= 0x20 && *p != 0x7F);
        if (*p == 0xC2) assert_false(p[1] >= 0x80 && p[1] <= 0x9F);                 /* C1 */
        if (*p == 0xE2 && p[1] == 0x80) assert_false(p[2] >= 0xAA && p[2] <= 0xAE); /* bidi overrides */
    }
}

static void test_sanitizer_on_terminal_attacks(void **state) {
    const char *attacks[] = {
        "\x1b[2J\x1b[H",                                          /* clear screen, home */
        "\x1b]0;owned\x07",                                       /* window title */
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", /* OSC 8 hyperlink */
        "\x1b[99999999999999999999;99999999999999999999H",        /* CSI with huge parameters */
        "\xC2\x9B"
        "31m", /* C1 CSI, UTF-8 encoded */
        "\x9b"
        "31m", /* raw 8-bit CSI (invalid UTF-8) */
        "\xE2\x80\xAE"
        "gnp.exe\xE2\x80\xAC", /* bidi override */
        "line\xE2\x80\xA8"
        "sep\r\nforged line", /* line separators, CR */
    };
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
        char *s = out_sanitize_dup(attacks[i], 0, 0);
        assert_inert(s);
        free(s);
        s = out_sanitize_dup(attacks[i], 12, OUT_SAN_ELLIPSIS);
        assert_inert(s);
        free(s);
    }
    char *s = out_sanitize_dup("\x1b[2J", 0, 0);
    assert_string_equal(s, "\\x1b[2J"); /* visible, not dropped */
    free(s);
}

/* ---- regression (fuzz_jpath): evidence paths compile back to their value ---- */

static void concrete_of(jv_t value, const char *concrete, void *ctx) {
    snprintf(ctx, 128, "%s", concrete);
}

static void test_concrete_paths_round_trip(void **state) {
    static const char doc[] =
        "[{\"id\":\"" ST "storageAccounts/st1\",\"type\":\"Microsoft.Storage/storageAccounts\","
        "\"tags\":{\"a.b\":{\"it's\":[1,{\"q\\\"k\":2}]},\"\":3}}]";
    lz_err e;
    inv *v = load(doc, sizeof doc - 1, 0, &e);
    const jv_store *s = inv_cstore(v);
    const char *cases[][2] = {
        {"TAGS['a.b'][\"it's\"][1]['q\"k']", "tags['a.b'][\"it's\"][1]['q\"k']"},
        {"tags['']", "tags['']"},
    };
    for (size_t i = 0; i < 2; i++) {
        jpath *p = jpath_compile(cases[i][0], &e);
        assert_non_null(p);
        char got[128] = "";
        assert_int_equal(jpath_walk(s, inv_get(v, 0)->obj, p, concrete_of, got), 1);
        assert_string_equal(got, cases[i][1]); /* the data's spelling, quoted as paths are written */
        jpath *back = jpath_compile(got, &e);
        assert_non_null(back);
        assert_int_equal(jpath_get(s, inv_get(v, 0)->obj, back), jpath_get(s, inv_get(v, 0)->obj, p));
        jpath_free(back);
        jpath_free(p);
    }
    inv_free(v);
}

/* ---- profiles from memory ---- */

static void test_profile_from_buffer(void **state) {
    static const char good[] =
        "parameters:\n  minRetentionDays: 30\nfacts:\n  hubFirewallPrivateIps: [10.0.1.4]\n";
    profile *p = NULL;
    lz_err e;
    assert_int_equal(profile_load_buffer(&p, "mem.yaml", good, sizeof good - 1, &e), 0);
    assert_string_equal(profile_path(p), "mem.yaml");
    assert_string_equal(profile_where(p, "parameters", "minRetentionDays"), "mem.yaml:2:3");
    profile_free(p);
    static const char bad[] = "parameters:\n  a: 1\n  a: 2\n";
    assert_int_equal(profile_load_buffer(&p, "mem.yaml", bad, sizeof bad - 1, &e), -1);
    assert_null(p);
    assert_non_null(strstr(e.msg, "mem.yaml:3:3"));
    static const char alias[] = "parameters: &a\n  x: *a\n";
    assert_int_equal(profile_load_buffer(&p, "mem.yaml", alias, sizeof alias - 1, &e), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_keys_last_wins),
        cmocka_unit_test(test_armid_rejects_nul_keeps_the_rest),
        cmocka_unit_test(test_nul_in_id_is_an_input_error),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_string_limit),
        cmocka_unit_test(test_envelope_only_object_is_not_unflattened),
        cmocka_unit_test(test_huge_numbers),
        cmocka_unit_test(test_sanitizer_on_terminal_attacks),
        cmocka_unit_test(test_concrete_paths_round_trip),
        cmocka_unit_test(test_profile_from_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
