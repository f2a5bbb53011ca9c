/*
 * test_ci_exempt.c - exemptions (rules/exempt.h): globs, every selector,
 * expiry at the end of the day, the first active entry winning, counts
 * moving from fail to exempt, unknown results never exempted, warnings, and
 * every malformed file rejected with file:line:column. Also the dates of
 * common/lztime.h that expiry relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/lztime.h"
#include "rules/exempt.h"
#include "scanner/ingest.h"

#define SUB  "/subscriptions/11111111-1111-1111-1111-111111111111"
#define SUB2 "/subscriptions/22222222-2222-2222-2222-222222222222"
#define AI   SUB "/resourceGroups/RG-Sandbox/providers/Microsoft.CognitiveServices/accounts/oai-legacy"
#define KV   SUB2 "/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv1"
#define VNET SUB "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1"

static const char input[] =
    "[{\"id\":\"/providers/Microsoft.Management/managementGroups/sandbox\","
    "\"type\":\"microsoft.management/managementgroups\",\"name\":\"sandbox\"},"
    "{\"id\":\"" SUB "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"s1\","
    "\"subscriptionId\":\"11111111-1111-1111-1111-111111111111\","
    "\"properties\":{\"managementGroupAncestorsChain\":[{\"name\":\"sandbox\"},{\"name\":\"root\"}]}},"
    "{\"id\":\"" SUB2 "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"s2\","
    "\"subscriptionId\":\"22222222-2222-2222-2222-222222222222\","
    "\"properties\":{\"managementGroupAncestorsChain\":[{\"name\":\"prod\"},{\"name\":\"root\"}]}},"
    "{\"id\":\"" AI "\",\"type\":\"Microsoft.CognitiveServices/accounts\",\"name\":\"oai-legacy\","
    "\"tags\":{\"Environment\":\"Sandbox\",\"team\":\"ai\"}},"
    "{\"id\":\"" KV
    "\",\"type\":\"Microsoft.KeyVault/vaults\",\"name\":\"kv1\",\"tags\":{\"environment\":\"prod\"}},"
    "{\"id\":\"" VNET "\",\"type\":\"Microsoft.Network/virtualNetworks\",\"name\":\"vnet1\"}]";

static rule r_net = {.id = "AIHUB-NET-001", .title = "public access", .severity = SEV_CRITICAL};
static rule r_log = {.id = "AIHUB-LOG-001", .title = "logs", .severity = SEV_HIGH};
static rule r_rt = {.id = "AIHUB-RT-002", .title = "routes", .severity = SEV_CRITICAL};
static rule *rules[] = {&r_log, &r_net, &r_rt}; /* sorted by id */
static rule_pack pack = {.name = "t", .version = "1", .rules = rules, .n = 3};

typedef struct fx {
    inv *v;
    report r;
} fx;

static void add(fx *f, const rule *ru, enum result_status st, const char *res, const char *subject) {
    finding x = {.rule = ru, .status = st, .subject_id = lz_strdup(subject), .message = lz_strdup("m")};
    x.resource = inv_find(f->v, res, strlen(res));
    report_add(&f->r, &x);
    report_count(&f->r, report_rule_index(&f->r, ru), st);
}

static int setup(void **state) {
    fx *f = lz_calloc(1, sizeof *f);
    lz_err e;
    f->v = inv_new();
    if (ingest_buffer(f->v, "in.json", input, sizeof input - 1, &e) != 0) return -1;
    inv_finalize(f->v);
    report_init(&f->r, &pack, f->v);
    add(f, &r_net, RS_FAIL, AI, AI);                          /* 0 */
    add(f, &r_log, RS_FAIL, AI, AI);                          /* 1 */
    add(f, &r_log, RS_FAIL, KV, KV);                          /* 2 */
    add(f, &r_log, RS_UNKNOWN, KV, KV);                       /* 3: never exempted */
    add(f, &r_rt, RS_FAIL, VNET, VNET "/subnets/snet-app");   /* 4: an element */
    add(f, &r_rt, RS_FAIL, VNET, VNET "/subnets/snet-other"); /* 5 */
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

static const time_t NOW = 1780000000; /* 2026-05-28 */

static exempt_set *load(const char *yaml) {
    exempt_set *s = NULL;
    lz_err e = {{0}};
    if (exempt_load_buffer(&s, "ex.yaml", yaml, strlen(yaml), &e) != 0) fail_msg("%s", e.msg);
    return s;
}

static void apply(fx *f, const char *yaml) {
    exempt_set *s = load(yaml);
    exempt_apply(s, &f->r, NOW);
    exempt_free(s);
}

#define ENTRY(rules, selector, expires)                                                                      \
    "  - rules: " rules "\n    selector: " selector "\n    justification: because\n    owner: me\n"          \
    "    ticket: T-1\n    expires: " expires "\n"

static enum result_status st(fx *f, size_t i) {
    return f->r.findings[i].status;
}

static void test_glob(void **state) {
    (void)state;
    assert_true(exempt_glob_match("AIHUB-NET-*", "aihub-net-001"));
    assert_true(exempt_glob_match("*", ""));
    assert_true(exempt_glob_match("/subscriptions/*/resourceGroups/rg-sandbox/*", AI));
    assert_false(exempt_glob_match("/subscriptions/*/resourceGroups/rg-prod/*", AI));
    assert_true(exempt_glob_match("AIHUB-[LN]?[TG]-00[0-9]", "AIHUB-NET-001"));
    assert_false(exempt_glob_match("AIHUB-[!N]*", "AIHUB-NET-001"));
    assert_true(exempt_glob_match("a\\*b", "a*b"));
    assert_false(exempt_glob_match("a\\*b", "axb"));
    assert_true(exempt_glob_match("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
    assert_false(exempt_glob_match("*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    const char *why;
    assert_false(exempt_glob_valid("abc[def", &why));
    assert_false(exempt_glob_valid("abc\\", &why));
    assert_true(exempt_glob_valid("a[]]b", &why));
}

static void test_exact_id_case_insensitive(void **state) {
    fx *f = *state;
    apply(f, "exemptions:\n" ENTRY("[aihub-net-001]",
                                   "{resourceId: '" SUB "/resourcegroups/rg-sandbox/providers/microsoft."
                                   "cognitiveservices/accounts/OAI-LEGACY'}",
                                   "2026-12-31"));
    assert_int_equal(st(f, 0), RS_EXEMPT);
    assert_int_equal(st(f, 1), RS_FAIL);
    const report_exemption *x = report_finding_exemption(&f->r, &f->r.findings[0]);
    assert_non_null(x);
    assert_string_equal(x->source, "ex.yaml:2:5");
    assert_string_equal(x->ticket, "T-1");
    assert_int_equal(x->matched, 1);
    assert_false(x->expired);
    /* counts moved from fail to exempt */
    size_t i = report_rule_index(&f->r, &r_net);
    assert_int_equal(f->r.counts[i].by_status[RS_FAIL], 0);
    assert_int_equal(f->r.counts[i].by_status[RS_EXEMPT], 1);
    assert_int_equal(f->r.nwarnings, 0);
    assert_string_equal(f->r.exemptions_path, "ex.yaml");
}

static void test_selectors(void **state) {
    fx *f = *state;
    apply(f, "exemptions:\n" ENTRY("[AIHUB-LOG-*]",
                                   "{managementGroup: /providers/Microsoft.Management/"
                                   "managementGroups/SANDBOX}",
                                   "2026-12-31"));
    assert_int_equal(st(f, 1), RS_EXEMPT);
    assert_int_equal(st(f, 2), RS_FAIL);
    assert_int_equal(st(f, 3), RS_UNKNOWN);
}

static void test_subscription_rg_tag(void **state) {
    fx *f = *state;
    apply(f,
          "exemptions:\n" ENTRY(
              "['*']", "{subscription: 22222222-2222-2222-2222-222222222222, resourceGroup: RG-PROD}",
              "2026-12-31") ENTRY("[AIHUB-NET-001]", "{tag: {environment: sandbox, TEAM: AI}}", "2026-12-31")
              ENTRY("[AIHUB-LOG-001]", "{tag: {team: other}}", "2026-12-31"));
    assert_int_equal(st(f, 0), RS_EXEMPT); /* tags: keys and values case-insensitive */
    assert_int_equal(st(f, 1), RS_FAIL);   /* tag value differs */
    assert_int_equal(st(f, 2), RS_EXEMPT); /* subscription and resource group */
    assert_int_equal(st(f, 3), RS_UNKNOWN);
    assert_int_equal(f->r.exemptions[2].matched, 0);
}

static void test_elements_and_regex(void **state) {
    fx *f = *state;
    /* the parent's id covers its elements; a regex picks one element */
    apply(f, "exemptions:\n" ENTRY("[AIHUB-RT-002]", "{resourceIdRegex: 'snet-app$'}", "2026-12-31"));
    assert_int_equal(st(f, 4), RS_EXEMPT);
    assert_int_equal(st(f, 5), RS_FAIL);
}

static void test_parent_id_covers_elements(void **state) {
    fx *f = *state;
    apply(f, "exemptions:\n" ENTRY("[AIHUB-RT-002]", "{resourceId: '" VNET "'}", "2026-12-31"));
    assert_int_equal(st(f, 4), RS_EXEMPT);
    assert_int_equal(st(f, 5), RS_EXEMPT);
}

static void test_expired_and_first_wins(void **state) {
    fx *f = *state;
    /* expires 2026-05-27 ended at 2026-05-28T00:00:00Z, before NOW */
    apply(f, "exemptions:\n" ENTRY("[AIHUB-NET-001]", "{resourceGroup: rg-sandbox}", "2026-05-27")
                 ENTRY("[AIHUB-NET-001]", "{resourceGroup: rg-sandbox}", "2026-06-30")
                     ENTRY("[AIHUB-NET-001]", "{resourceGroup: rg-sandbox}", "2026-07-30")
                         ENTRY("[NOPE-1]", "{resourceGroup: rg-sandbox}", "2026-07-30"));
    assert_int_equal(st(f, 0), RS_EXEMPT);
    assert_int_equal(f->r.findings[0].exemption, 2); /* the second entry: the first active one */
    assert_true(f->r.exemptions[0].expired);
    assert_int_equal(f->r.exemptions[0].matched, 1); /* would have matched */
    assert_int_equal(f->r.exemptions[2].matched, 0);
    assert_int_equal(f->r.nwarnings, 2);
    assert_non_null(strstr(f->r.warnings[0], "ex.yaml:2:5"));
    assert_non_null(strstr(f->r.warnings[0], "expired on 2026-05-27"));
    assert_non_null(strstr(f->r.warnings[1], "NOPE-1"));
}

static void test_expiry_boundary(void **state) {
    fx *f = *state;
    exempt_set *s = load("exemptions:\n" ENTRY("[AIHUB-NET-001]", "{resourceId: '" AI "'}", "2026-05-28"));
    time_t day;
    assert_true(lz_parse_date("2026-05-28", 10, &day));
    exempt_apply(s, &f->r, day + 86399); /* the last second of the day */
    assert_int_equal(st(f, 0), RS_EXEMPT);
    exempt_free(s);
}

static void test_expiry_boundary_next_day(void **state) {
    fx *f = *state;
    exempt_set *s = load("exemptions:\n" ENTRY("[AIHUB-NET-001]", "{resourceId: '" AI "'}", "2026-05-28"));
    time_t day;
    assert_true(lz_parse_date("2026-05-28", 10, &day));
    exempt_apply(s, &f->r, day + 86400);
    assert_int_equal(st(f, 0), RS_FAIL);
    assert_true(f->r.exemptions[0].expired);
    exempt_free(s);
}

static void expect_error(const char *yaml, const char *where, const char *what) {
    exempt_set *s = NULL;
    lz_err e = {{0}};
    assert_int_equal(exempt_load_buffer(&s, "ex.yaml", yaml, strlen(yaml), &e), -1);
    assert_null(s);
    if (!strstr(e.msg, where) || !strstr(e.msg, what))
        fail_msg("got \"%s\", want %s ... %s", e.msg, where, what);
}

static void test_malformed(void **state) {
    (void)state;
    expect_error("exemptions:\n  - rules: [A]\n    selector: {resourceId: x}\n    owner: o\n    ticket: t\n"
                 "    expires: 2026-01-01\n",
                 "ex.yaml:2:5:", "'justification' is missing");
    expect_error("exemptions:\n  - rules: []\n", "ex.yaml:2:12:", "non-empty list");
    expect_error("exemptions:\n" ENTRY("[A]", "{resourceId: x}", "2026-13-01"),
                 "ex.yaml:7:14:", "not a date");
    expect_error("exemptions:\n" ENTRY("[A]", "{resourceId: x}", "26-01-01"), "ex.yaml:7:14:", "not a date");
    expect_error("exemptions:\n" ENTRY("[A]", "{resourceIdRegex: '(?<'}", "2026-01-01"),
                 "ex.yaml:3:33:", "bad resourceIdRegex");
    expect_error("exemptions:\n" ENTRY("['A[']", "{resourceId: x}", "2026-01-01"),
                 "ex.yaml:2:13:", "without its ']'");
    expect_error("exemptions:\n" ENTRY("[A]", "{resourceGroup: ''}", "2026-01-01"),
                 "ex.yaml:3:31:", "non-empty text");
    expect_error("exemptions:\n" ENTRY("[A]", "{tag: {env: }}", "2026-01-01"), "ex.yaml:3:", "needs a value");
    expect_error("exemptions:\n" ENTRY("[A]", "{tag: [a]}", "2026-01-01"),
                 "ex.yaml:3:21:", "mapping of tag names");
    expect_error("exemptions:\n" ENTRY("[A]", "{resourceId: x}", "2026-01-01") "    extra: 1\n",
                 "ex.yaml:8:5:", "unknown key 'extra'");
    expect_error("exemption:\n  - rules: [A]\n", "ex.yaml:1:1:", "unknown key 'exemption'");
    expect_error("exemptions: {a: 1}\n", "ex.yaml:1:13:", "must be a list");
    expect_error("exemptions:\n  - 42\n", "ex.yaml:2:5:", "must be a mapping");
    expect_error("exemptions: []\n---\nexemptions: []\n", "ex.yaml", "several YAML documents");
    expect_error("exemptions:\n  - rules: [A]\n    selector: {resourceId: x}\n    justification: |\n      \n"
                 "    owner: o\n    ticket: t\n    expires: 2026-01-01\n",
                 "ex.yaml:4:", "must not be empty");
}

static void test_empty_files(void **state) {
    (void)state;
    const char *ok[] = {"", "# nothing yet\n", "exemptions:\n", "exemptions: []\n"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        exempt_set *s = load(ok[i]);
        assert_int_equal(exempt_count(s), 0);
        exempt_free(s);
    }
}

static void test_dates(void **state) {
    (void)state;
    time_t t;
    assert_true(lz_parse_date("2024-02-29", 10, &t));
    assert_int_equal(t, 1709164800);
    assert_false(lz_parse_date("2023-02-29", 10, &t));
    assert_false(lz_parse_date("2024-04-31", 10, &t));
    assert_false(lz_parse_date("2024-1-01", 9, &t));
    assert_true(lz_parse_time("2024-05-01T12:00:00Z", &t));
    assert_int_equal(t, 1714564800);
    assert_true(lz_parse_time("2024-05-01T14:00:00.123+02:00", &t));
    assert_int_equal(t, 1714564800);
    assert_true(lz_parse_time("2024-05-01t07:30:00-04:30", &t));
    assert_int_equal(t, 1714564800);
    assert_false(lz_parse_time("2024-05-01T12:00:00", &t)); /* no zone */
    assert_false(lz_parse_time("2024-05-01T25:00:00Z", &t));
    assert_false(lz_parse_time("yesterday", &t));
    lz_err e;
    setenv("LZSCAN_NOW", "2024-05-01", 1);
    assert_int_equal(lz_now(&t, &e), 0);
    assert_int_equal(t, 1714521600);
    setenv("LZSCAN_NOW", "soon", 1);
    assert_int_equal(lz_now(&t, &e), -1);
    assert_non_null(strstr(e.msg, "LZSCAN_NOW"));
    unsetenv("LZSCAN_NOW");
    assert_int_equal(lz_now(&t, &e), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob),
        cmocka_unit_test_setup_teardown(test_exact_id_case_insensitive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscription_rg_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elements_and_regex, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_id_covers_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_and_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_boundary_next_day, setup, teardown),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
