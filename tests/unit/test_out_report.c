/* The JSON and text reports over a hand-built report: field derivation
 * (element types, subscriptions, resource groups), summary counts, coverage,
 * determinism, schema validity, and that hostile strings never reach a
 * terminal raw nor break the JSON. */
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
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/atomic.h"
#include "output/out_json.h"
#include "output/out_text.h"
#include "output/utf8.h"
#include "scanner/ingest.h"

#define SUB1 "/subscriptions/11111111-1111-1111-1111-111111111111"
#define SUB2 "/subscriptions/22222222-2222-2222-2222-222222222222"
#define VNET SUB1 "/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
#define EVIL SUB1 "/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/evil"
#define KV   SUB2 "/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv1"

static const char input[] =
    "[{\"id\":\"" SUB1 "\",\"type\":\"Microsoft.Resources/subscriptions\","
    "\"name\":\"11111111-1111-1111-1111-111111111111\",\"displayName\":\"Connectivity\\u001b[2J\","
    "\"subscriptionId\":\"11111111-1111-1111-1111-111111111111\"},"
    "{\"id\":\"" VNET "\",\"type\":\"Microsoft.Network/virtualNetworks\",\"name\":\"vnet-spoke\","
    "\"properties\":{\"subnets\":[{\"name\":\"snet-app\"}]}},"
    "{\"id\":\"" EVIL
    "\",\"type\":\"Microsoft.CognitiveServices/accounts\",\"name\":\"evil\\u001b]0;t\\u0007\","
    "\"properties\":{\"publicNetworkAccess\":\"Enabled\"}},"
    "{\"id\":\"" SUB2 "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"Spoke A\","
    "\"subscriptionId\":\"22222222-2222-2222-2222-222222222222\",\"properties\":{\"state\":\"Enabled\"}},"
    "{\"id\":\"" KV "\",\"type\":\"Microsoft.KeyVault/vaults\",\"name\":\"kv1\"}]";

static rule r_crit = {.id = "AIHUB-RT-002",
                      .title = "Spoke subnets send 0.0.0.0/0 to the hub firewall",
                      .severity = SEV_CRITICAL,
                      .remediation = "Associate a route table.\nSecond line.",
                      .mcsb = {(char *[]){"NS-3"}, 1}};
static rule r_high = {.id = "AIHUB-NET-001",
                      .title = "AI accounts disable public network access",
                      .severity = SEV_HIGH,
                      .remediation = "Set publicNetworkAccess to Disabled."};
static rule r_low = {.id = "AIHUB-TAG-001", .title = "Tags", .severity = SEV_LOW, .remediation = "Tag it."};
static rule *rules[] = {&r_high, &r_crit, &r_low}; /* sorted by id, as a pack is */
static rule_pack pack = {.name = "aihub",
                         .version = "0.1.0",
                         .rules = rules,
                         .n = 3,
                         .sha256 = "abababababababababababababababababababababababababababababababab"};

typedef struct fx {
    inv *v;
    report r;
} fx;

static void add(report *r, const rule *ru, enum result_status st, inv_idx res, const char *subject,
                const char *msg, const char *path, const char *actual, const char *expected) {
    finding f = {.rule = ru,
                 .status = st,
                 .resource = res,
                 .subject_id = lz_strdup(subject),
                 .message = lz_strdup(msg)};
    if (path) {
        f.evidence = lz_calloc(1, sizeof *f.evidence);
        f.evidence[0] = (evidence){lz_strdup(path), lz_strdup(actual), lz_strdup(expected)};
        f.nevidence = 1;
    }
    char *fp = lz_asprintf("%s|%s", ru->id, subject);
    lz_lower(fp, strlen(fp));
    lz_sha256_hex(fp, strlen(fp), f.fingerprint);
    free(fp);
    report_add(r, &f);
}

static size_t rule_index(const rule *ru) {
    for (size_t i = 0; i < pack.n; i++)
        if (pack.rules[i] == ru) return i;
    return 0;
}

static void count(report *r, const rule *ru, enum result_status st, int times) {
    for (int i = 0; i < times; i++) report_count(r, rule_index(ru), st);
}

static int setup(void **state) {
    fx *f = lz_calloc(1, sizeof *f);
    lz_err e;
    f->v = inv_new();
    if (ingest_buffer(f->v, "t.json", input, sizeof input - 1, &e) != 0) return -1;
    inv_add_gap(f->v, "/subscriptions/33333333-3333-3333-3333-333333333333", "", "403 Forbidden");
    inv_add_note(f->v, "skipped notes.txt: not JSON");
    inv_finalize(f->v);
    report_init(&f->r, &pack, f->v);
    static char *inputs[] = {"fixtures/lz.json"};
    f->r.inputs = lz_calloc(1, sizeof(char *));
    f->r.inputs[0] = lz_strdup(inputs[0]);
    f->r.ninputs = 1;
    f->r.started = 1714564800; /* 2024-05-01T12:00:00Z */
    f->r.finished = 1714564803;
    inv_idx vnet = inv_find(f->v, VNET, strlen(VNET)), evil = inv_find(f->v, EVIL, strlen(EVIL)),
            kv = inv_find(f->v, KV, strlen(KV));
    add(&f->r, &r_high, RS_FAIL, evil, EVIL, "properties.publicNetworkAccess is \"Enabled\"\x1b[2J\xff",
        "properties.publicNetworkAccess", "\"Enabled\x1b]8;;x\x07\"", "\"Disabled\"");
    add(&f->r, &r_crit, RS_FAIL, vnet, VNET "/subnets/snet-app", "properties.routeTable.id is missing",
        "properties.routeTable.id", "missing", "exists");
    add(&f->r, &r_crit, RS_FAIL, kv, KV, "no route", NULL, NULL, NULL);
    add(&f->r, &r_high, RS_UNKNOWN, kv, KV,
        "child list microsoft.insights/diagnosticsettings was not collected", NULL, NULL, NULL);
    count(&f->r, &r_high, RS_FAIL, 1);
    count(&f->r, &r_high, RS_UNKNOWN, 1);
    count(&f->r, &r_high, RS_PASS, 4);
    count(&f->r, &r_crit, RS_FAIL, 2);
    count(&f->r, &r_crit, RS_NOT_APPLICABLE, 3);
    count(&f->r, &r_low, RS_PASS, 7);
    report_sort(&f->r);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    report_free(&f->r);
    inv_free(f->v);
    free(f);
    return 0;
}

static yajl_val json_of(const report *r, char **text) {
    lz_buf b = {0};
    lz_err e;
    assert_int_equal(out_json_report(r, &b, &e), 0);
    char err[256] = "";
    yajl_val v = yajl_tree_parse(b.data, err, sizeof err);
    if (!v) fail_msg("invalid JSON: %s", err);
    *text = lz_buf_steal(&b);
    return v;
}

static yajl_val get(yajl_val v, const char *a, const char *b, const char *c) {
    const char *path[] = {a, b, c, NULL};
    yajl_val got = yajl_tree_get(v, path, yajl_t_any);
    if (!got) fail_msg("missing %s.%s.%s", a, b ? b : "", c ? c : "");
    return got;
}

static const char *str(yajl_val v, const char *a, const char *b, const char *c) {
    yajl_val s = get(v, a, b, c);
    return YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;
}

static long long num(yajl_val v, const char *a, const char *b, const char *c) {
    return YAJL_GET_INTEGER(get(v, a, b, c));
}

static void test_json_fields(void **state) {
    fx *f = *state;
    char *text;
    yajl_val v = json_of(&f->r, &text);
    assert_string_equal(str(v, "schemaVersion", NULL, NULL), OUT_JSON_SCHEMA_VERSION);
    assert_string_equal(str(v, "tool", "name", NULL), "lzscan");
    assert_string_equal(str(v, "tool", "version", NULL), LZSCAN_VERSION);
    assert_string_equal(str(v, "rulePack", "sha256", NULL), pack.sha256);
    assert_string_equal(str(v, "scan", "source", NULL), "offline");
    assert_string_equal(str(v, "scan", "startedAt", NULL), "2024-05-01T12:00:00Z");
    assert_string_equal(str(v, "scan", "finishedAt", NULL), "2024-05-01T12:00:03Z");
    assert_true(YAJL_IS_NULL(get(v, "scan", "profile", NULL)));
    assert_true(YAJL_IS_FALSE(get(v, "scan", "coverage", "complete")));
    yajl_val gaps = get(v, "scan", "coverage", "gaps");
    assert_string_equal(str(gaps->u.array.values[0], "reason", NULL, NULL), "403 Forbidden");
    assert_int_equal(get(v, "scan", "notes", NULL)->u.array.len, 1);
    assert_int_equal(num(v, "summary", "resources", NULL), 5);
    assert_int_equal(num(v, "summary", "results", NULL), 18);
    assert_int_equal(num(v, "summary", "byStatus", "fail"), 3);
    assert_int_equal(num(v, "summary", "byStatus", "notApplicable"), 3);
    assert_int_equal(num(v, "summary", "failBySeverity", "critical"), 2);
    assert_int_equal(num(v, "summary", "failBySeverity", "high"), 1);
    assert_int_equal(num(v, "summary", "unknownBySeverity", "high"), 1);
    yajl_val rl = get(v, "rules", NULL, NULL);
    assert_int_equal(rl->u.array.len, 3);
    assert_string_equal(str(rl->u.array.values[1], "id", NULL, NULL), "AIHUB-RT-002");
    assert_int_equal(num(rl->u.array.values[1], "counts", "notApplicable", NULL), 3);
    assert_string_equal(
        YAJL_GET_STRING(get(rl->u.array.values[1], "controls", "mcsb", NULL)->u.array.values[0]), "NS-3");
    yajl_tree_free(v);
    free(text);
}

static void test_json_findings(void **state) {
    fx *f = *state;
    char *text;
    yajl_val v = json_of(&f->r, &text);
    yajl_val fs = get(v, "findings", NULL, NULL);
    assert_int_equal(fs->u.array.len, 4);
    /* sorted: critical first; within a rule, by subject id */
    yajl_val sn = fs->u.array.values[0];
    assert_string_equal(str(sn, "ruleId", NULL, NULL), "AIHUB-RT-002");
    assert_string_equal(str(sn, "severity", NULL, NULL), "critical");
    assert_string_equal(str(sn, "resourceId", NULL, NULL), VNET "/subnets/snet-app");
    assert_string_equal(str(sn, "resourceType", NULL, NULL), "Microsoft.Network/virtualNetworks/subnets");
    assert_string_equal(str(sn, "resourceName", NULL, NULL), "snet-app");
    assert_string_equal(str(sn, "subscriptionId", NULL, NULL), "11111111-1111-1111-1111-111111111111");
    assert_string_equal(str(sn, "resourceGroup", NULL, NULL), "RG-Net");
    assert_string_equal(str(sn, "remediation", NULL, NULL), r_crit.remediation);
    yajl_val ev = get(sn, "evidence", NULL, NULL)->u.array.values[0];
    assert_string_equal(str(ev, "path", NULL, NULL), "properties.routeTable.id");
    assert_string_equal(str(ev, "actual", NULL, NULL), "missing");
    assert_string_equal(str(ev, "expected", NULL, NULL), "exists");
    assert_int_equal(strlen(str(sn, "fingerprint", NULL, NULL)), 64);

    yajl_val evil = NULL;
    for (size_t i = 0; i < fs->u.array.len; i++)
        if (strcmp(str(fs->u.array.values[i], "resourceId", NULL, NULL), EVIL) == 0)
            evil = fs->u.array.values[i];
    assert_non_null(evil);
    assert_string_equal(str(evil, "resourceType", NULL, NULL), "Microsoft.CognitiveServices/accounts");
    /* the raw ESC survives as a JSON escape; the invalid byte became U+FFFD */
    assert_string_equal(str(evil, "message", NULL, NULL),
                        "properties.publicNetworkAccess is \"Enabled\"\x1b[2J\xEF\xBF\xBD");
    assert_null(strchr(text, 0x1b));
    const unsigned char *p = (const unsigned char *)text;
    uint32_t cp;
    for (size_t i = 0, n = strlen(text); i < n;) {
        size_t l = out_utf8_decode(p + i, n - i, &cp);
        assert_int_not_equal(l, 0);
        i += l;
    }
    yajl_tree_free(v);
    free(text);
}

static void test_json_deterministic(void **state) {
    fx *f = *state;
    lz_buf a = {0}, b = {0};
    assert_int_equal(out_json_report(&f->r, &a, NULL), 0);
    assert_int_equal(out_json_report(&f->r, &b, NULL), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    lz_buf_free(&a);
    lz_buf_free(&b);
}

/* Validates against output/schema/report.schema.json with python3-jsonschema
 * (installed by scripts/setup.sh); skipped where it is missing. */
static void test_json_matches_schema(void **state) {
    if (system("python3 -c 'import jsonschema' >/dev/null 2>&1") != 0) skip();
    fx *f = *state;
    lz_buf b = {0};
    assert_int_equal(out_json_report(&f->r, &b, NULL), 0);
    char path[64];
    snprintf(path, sizeof path, "/tmp/lz_report_%d.json", (int)getpid());
    assert_int_equal(lz_write_atomic(path, b.data, b.len, NULL), 0);
    const char *src = getenv("LZ_SOURCE_DIR") ? getenv("LZ_SOURCE_DIR") : LZ_SOURCE_DIR;
    char *cmd = lz_asprintf("python3 -c 'import json,sys,jsonschema; "
                            "s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2])); "
                            "jsonschema.Draft202012Validator.check_schema(s); "
                            "jsonschema.Draft202012Validator(s, "
                            "format_checker=jsonschema.FormatChecker()).validate(d)' "
                            "'%s/output/schema/report.schema.json' '%s'",
                            src, path);
    int rc = system(cmd);
    unlink(path);
    free(cmd);
    lz_buf_free(&b);
    assert_int_equal(rc, 0);
}

static char *text_of(const report *r, bool color) {
    lz_buf b = {0};
    assert_int_equal(out_text_report(r, &b, color), 0);
    return lz_buf_steal(&b);
}

/* Removes our own SGR sequences (ESC [ digits/; m); any ESC left came from
 * input. */
static void strip_sgr(char *s) {
    char *w = s;
    for (char *p = s; *p;) {
        if (p[0] == 0x1b && p[1] == '[') {
            char *q = p + 2;
            while ((*q >= '0' && *q <= '9') || *q == ';') q++;
            if (*q == 'm') {
                p = q + 1;
                continue;
            }
        }
        *w++ = *p++;
    }
    *w = '\0';
}

static void assert_terminal_safe(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) assert_true(*p >= 0x20 || *p == '\n');
}

static void test_text_layout(void **state) {
    fx *f = *state;
    char *t = text_of(&f->r, false);
    assert_terminal_safe(t);
    assert_non_null(strstr(t, "rule pack aihub 0.1.0 (3 rules, sha256 abababababab)"));
    assert_non_null(strstr(t, "inputs:   fixtures/lz.json\n"));
    assert_non_null(strstr(t, "scanned:  2024-05-01T12:00:00Z .. 2024-05-01T12:00:03Z\n"));
    assert_non_null(strstr(t, "results:  pass 11 fail 3 unknown 1 notApplicable 3 exempt 0\n"));
    assert_non_null(strstr(t, "  critical  2\n  high      1\n  medium    0\n  low       0\n"));
    /* by subscription: most failures first; display name sanitized */
    char *s1 = strstr(t, "       2  11111111-1111-1111-1111-111111111111  "
                         "(Connectivity\\x1b[2J)\n");
    char *s2 = strstr(t, "       1  22222222-2222-2222-2222-222222222222  (Spoke A)\n");
    assert_non_null(s1);
    assert_non_null(s2);
    assert_true(s1 < s2);
    assert_non_null(strstr(t, "Coverage: INCOMPLETE, 1 gap"));
    assert_non_null(strstr(t, "  gap: /subscriptions/33333333-3333-3333-3333-333333333333  "
                              "type (all): 403 Forbidden\n"));
    assert_non_null(strstr(t, "  - skipped notes.txt: not JSON\n"));
    char *crit = strstr(t, "\nCRITICAL\n"), *high = strstr(t, "\nHIGH\n");
    assert_non_null(crit);
    assert_non_null(high);
    assert_true(crit < high);
    assert_non_null(strstr(t, "  AIHUB-RT-002  Spoke subnets send 0.0.0.0/0 to the hub firewall\n"
                              "    fix: Associate a route table.\n"));
    /* the message states the first evidence; it is not repeated below it */
    assert_non_null(strstr(t, "    fail     " VNET "/subnets/snet-app\n"
                              "             properties.routeTable.id is missing\n"));
    assert_null(strstr(t, "properties.routeTable.id: missing -> exists\n"));
    assert_non_null(strstr(t, "    unknown  " KV "\n"));
    /* hostile content is shown escaped */
    assert_non_null(strstr(t, "is \"Enabled\"\\x1b[2J\\xff\n"));
    assert_null(strchr(t, '\x1b')); /* no raw escape byte anywhere */
    assert_null(strstr(t, "Second line"));
    free(t);
}

static void test_text_color_only_ours(void **state) {
    fx *f = *state;
    char *plain = text_of(&f->r, false), *color = text_of(&f->r, true);
    assert_non_null(strchr(color, 0x1b));
    strip_sgr(color);
    assert_null(strchr(color, 0x1b));
    assert_string_equal(color, plain); /* colour adds nothing but SGR codes */
    free(plain);
    free(color);
}

static void test_text_wraps_remediation(void **state) {
    fx *f = *state;
    char *saved = r_low.remediation;
    lz_buf longer = {0};
    for (int i = 0; i < 40; i++) lz_buf_puts(&longer, "word ");
    r_low.remediation = longer.data;
    finding fl = {.rule = &r_low,
                  .status = RS_FAIL,
                  .resource = INV_NONE,
                  .subject_id = lz_strdup(KV),
                  .message = lz_strdup("m")};
    report_add(&f->r, &fl);
    char *t = text_of(&f->r, false);
    char *fix = strstr(t, "    fix: word");
    assert_non_null(fix);
    char *eol = strchr(fix, '\n');
    assert_true(eol - fix <= OUT_TEXT_WIDTH);
    assert_non_null(strstr(eol, "\n         word word"));
    r_low.remediation = saved;
    lz_buf_free(&longer);
    free(t);
}

static void test_empty_report(void **state) {
    inv *v = inv_new();
    inv_finalize(v);
    report r;
    report_init(&r, &pack, v);
    char *t = text_of(&r, false);
    assert_non_null(strstr(t, "Coverage: complete\n"));
    assert_non_null(strstr(t, "No findings.\n"));
    free(t);
    char *text;
    yajl_val j = json_of(&r, &text);
    assert_true(YAJL_IS_TRUE(get(j, "scan", "coverage", "complete")));
    assert_true(YAJL_IS_NULL(get(j, "scan", "startedAt", NULL)));
    assert_int_equal(get(j, "findings", NULL, NULL)->u.array.len, 0);
    yajl_tree_free(j);
    free(text);
    report_free(&r);
    inv_free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_findings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_matches_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_color_only_ours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_wraps_remediation, setup, teardown),
        cmocka_unit_test(test_empty_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
