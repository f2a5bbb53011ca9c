/*
 * test_ci_baseline.c - baselines (rules/baseline.h): reading lzscan's JSON
 * report and SARIF log (written by the real renderers, so the two stay in
 * step), refusing other documents, new / unchanged / updated / resolved,
 * and the --fail-on-new gate (report_finding_gates).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/out_json.h"
#include "output/out_sarif.h"
#include "rules/baseline.h"

#define A "/subscriptions/1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a"
#define B "/subscriptions/1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/b"
#define C "/subscriptions/1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/c"

static rule r_net = {.id = "AIHUB-NET-001", .title = "public", .severity = SEV_CRITICAL};
static rule r_log = {.id = "AIHUB-LOG-001", .title = "logs", .severity = SEV_MEDIUM};
static rule *rules[] = {&r_log, &r_net};
static rule_pack pack = {.name = "t", .version = "1", .rules = rules, .n = 2};

static void add(report *r, rule *ru, enum result_status st, const char *id, const char *actual) {
    finding f = {.rule = ru, .status = st, .resource = INV_NONE, .subject_id = lz_strdup(id)};
    f.message = lz_strdup("m");
    f.evidence = lz_calloc(1, sizeof *f.evidence);
    f.evidence[0] =
        (evidence){lz_strdup("properties.publicNetworkAccess"), lz_strdup(actual), lz_strdup("\"Disabled\"")};
    f.nevidence = 1;
    char *fp = lz_asprintf("%s|%s", ru->id, id); /* as the engine computes it */
    lz_lower(fp + strlen(ru->id) + 1, strlen(id));
    lz_sha256_hex(fp, strlen(fp), f.fingerprint);
    free(fp);
    report_add(r, &f);
    report_count(r, report_rule_index(r, ru), st);
}

/* The earlier run: A fails, B fails, C unknown. */
static void previous(report *r) {
    report_init(r, &pack, NULL);
    add(r, &r_net, RS_FAIL, A, "\"Enabled\"");
    add(r, &r_net, RS_FAIL, B, "\"Enabled\"");
    add(r, &r_log, RS_UNKNOWN, C, "missing");
    report_sort(r);
}

static baseline *from(const report *prev, bool sarif) {
    lz_buf out = {0};
    lz_err e = {{0}};
    out_run run = {.fail_on = SEV_LOW, .sarif_unknown = true};
    if (sarif)
        assert_int_equal(out_sarif_report(prev, &run, &out, &e), 0);
    else
        assert_int_equal(out_json_report(prev, &out, &e), 0);
    baseline *b = NULL;
    if (baseline_load_buffer(&b, sarif ? "prev.sarif" : "prev.json", out.data, out.len, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(baseline_format(b), sarif ? "sarif" : "json");
    assert_int_equal(baseline_count(b), 3);
    lz_buf_free(&out);
    return b;
}

static void states(bool sarif) {
    report prev, now;
    previous(&prev);
    baseline *b = from(&prev, sarif);
    /* Now: A unchanged, B's evidence changed, C gone, and A fails a rule it
     * did not fail before. */
    report_init(&now, &pack, NULL);
    add(&now, &r_net, RS_FAIL, A, "\"Enabled\"");
    add(&now, &r_net, RS_FAIL, B, "missing");
    add(&now, &r_log, RS_FAIL, A, "missing");
    report_sort(&now);
    baseline_apply(b, &now);
    for (size_t i = 0; i < now.nfindings; i++) {
        const finding *f = &now.findings[i];
        if (f->rule == &r_net && strcmp(f->subject_id, A) == 0) assert_int_equal(f->baseline, BS_UNCHANGED);
        if (f->rule == &r_net && strcmp(f->subject_id, B) == 0) {
            assert_int_equal(f->baseline, BS_UPDATED);
            assert_int_equal(f->prior_status, RS_FAIL);
            assert_int_equal(f->prior_severity, SEV_CRITICAL);
        }
        if (f->rule == &r_log) assert_int_equal(f->baseline, BS_NEW);
    }
    assert_int_equal(now.nresolved, 1);
    assert_string_equal(now.resolved[0].resource_id, C);
    assert_string_equal(now.resolved[0].status, "unknown");
    assert_string_equal(now.resolved[0].severity, "medium");
    assert_int_equal(report_baseline_count(&now, BS_NEW), 1);
    assert_int_equal(report_baseline_count(&now, BS_UNCHANGED), 1);
    assert_int_equal(report_baseline_count(&now, BS_UPDATED), 1);
    assert_int_equal(report_baseline_count(&now, BS_ABSENT), 1);
    /* --fail-on-new: only the new one gates; without it all three */
    assert_int_equal(report_gating(&now, SEV_LOW, true), 1);
    assert_int_equal(report_gating(&now, SEV_LOW, false), 3);
    assert_int_equal(report_gating(&now, SEV_HIGH, true), 0); /* the new one is medium */
    baseline_free(b);
    report_free(&prev);
    report_free(&now);
}

static void test_json_states(void **state) {
    (void)state;
    states(false);
}

static void test_sarif_states(void **state) {
    (void)state;
    states(true);
}

static void test_gate_rules(void **state) {
    (void)state;
    finding f = {.rule = &r_log, .status = RS_FAIL, .baseline = BS_UPDATED, .prior_status = RS_EXEMPT};
    assert_true(report_finding_gates(&f, SEV_LOW, true)); /* an exemption lapsed */
    f.prior_status = RS_FAIL;
    f.prior_severity = SEV_LOW;
    assert_true(report_finding_gates(&f, SEV_MEDIUM, true)); /* its severity rose past the threshold */
    assert_false(report_finding_gates(&f, SEV_LOW, true));   /* it gated before too */
    assert_false(report_finding_gates(&f, SEV_HIGH, false)); /* below the threshold */
    f.baseline = BS_NONE;
    assert_true(report_finding_gates(&f, SEV_LOW, true)); /* no baseline: everything is new */
    f.status = RS_EXEMPT;
    assert_false(report_finding_gates(&f, SEV_LOW, false));
}

static void expect_refused(const char *text, const char *what) {
    baseline *b = NULL;
    lz_err e = {{0}};
    assert_int_equal(baseline_load_buffer(&b, "x.json", text, strlen(text), &e), -1);
    assert_null(b);
    if (!strstr(e.msg, what)) fail_msg("got \"%s\", want %s", e.msg, what);
}

static void test_refused(void **state) {
    (void)state;
    expect_refused("[1, 2]", "top level is an array");
    expect_refused("{\"lzscan\": \"expected-findings\", \"findings\": []}", "not an lzscan JSON report");
    expect_refused("{\"schemaVersion\": \"2.0.0\", \"tool\": {\"name\": \"lzscan\"}, \"findings\": []}",
                   "schemaVersion 2.0.0");
    expect_refused("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"checkov\"}}}]}",
                   "from checkov");
    expect_refused("{\"version\": \"2.0.0\", \"runs\": []}", "version 2.0.0");
    expect_refused("{\"schemaVersion\": \"1.0.0\",\n \"tool\": {\"name\": \"lzscan\"},\n \"findings\": [{]}",
                   "x.json:3:");
    expect_refused("{\"schemaVersion\": \"1.0.0\", \"tool\": {\"name\": \"lzscan\"}, \"findings\": "
                   "[{\"ruleId\": \"X\"}]}",
                   "has no resourceId");
}

static void test_minimal_and_missing_fingerprint(void **state) {
    (void)state;
    /* a 1.0.0 report without fingerprints or evidence still works */
    const char *text =
        "{\"schemaVersion\": \"1.0.0\", \"tool\": {\"name\": \"lzscan\"}, \"findings\": "
        "[{\"ruleId\": \"AIHUB-NET-001\", \"resourceId\": \"" A "\", \"severity\": \"critical\", "
        "\"status\": \"fail\"}]}";
    baseline *b = NULL;
    lz_err e = {{0}};
    if (baseline_load_buffer(&b, "old.json", text, strlen(text), &e) != 0) fail_msg("%s", e.msg);
    report now;
    report_init(&now, &pack, NULL);
    add(&now, &r_net, RS_FAIL, A, "\"Enabled\"");
    baseline_apply(b, &now);
    assert_int_equal(now.findings[0].baseline, BS_UNCHANGED);
    assert_int_equal(now.nresolved, 0);
    baseline_free(b);
    report_free(&now);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_states),
        cmocka_unit_test(test_sarif_states),
        cmocka_unit_test(test_gate_rules),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_minimal_and_missing_fingerprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
