/*
 * test_report_merge.c - `lzscan merge` of JSON reports and SARIF logs
 * (output/report_merge.h, output/sarif_merge.h, output/merge_parts.h,
 * output/lzdoc.h). The parts are written by the real renderers from
 * reports built here, so the merge and the writers stay in step: the
 * shards of a report join into the whole report's JSON and SARIF; shard
 * sets are checked; an expired exemption's counts add up; resolved
 * baseline findings are those no shard still has; overlapping parts are
 * deduplicated (whole scans) or refused (shards); documents are
 * recognised by content and errors name file:line:column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/lzdoc.h"
#include "output/merge_parts.h"
#include "output/out_json.h"
#include "output/out_sarif.h"
#include "output/report_merge.h"
#include "output/sarif_merge.h"

#define A "/subscriptions/1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a"
#define B "/subscriptions/1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/b"
#define C "/subscriptions/2/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/c"

static rule r_net = {.id = "AIHUB-NET-001", .title = "public", .severity = SEV_CRITICAL};
static rule r_log = {.id = "AIHUB-LOG-001", .title = "logs", .severity = SEV_MEDIUM};
static rule *rules[] = {&r_log, &r_net};
static rule_pack pack = {.name = "t",
                         .version = "1",
                         .sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                         .rules = rules,
                         .n = 2};

static void add(report *r, rule *ru, enum result_status st, const char *id) {
    finding f = {.rule = ru, .status = st, .resource = INV_NONE, .subject_id = lz_strdup(id)};
    f.message = lz_asprintf("%s is wrong", id);
    char *fp = lz_asprintf("%s|%s", ru->id, id);
    lz_lower(fp + strlen(ru->id) + 1, strlen(id));
    lz_sha256_hex(fp, strlen(fp), f.fingerprint);
    free(fp);
    report_add(r, &f);
    report_count(r, report_rule_index(r, ru), st);
}

/* The whole scan: A and B fail (critical), C unknown (medium); 5 passes and
 * a notApplicable. Shard 1 holds A and 3 passes; shard 2 B, C, 2 passes and
 * the notApplicable. shard 0 is the whole scan. */
static void scan(report *r, unsigned shard) {
    report_init(r, &pack, NULL);
    if (shard) {
        r->shard = (report_shard){.index = shard, .count = 2};
        strcpy(r->shard.inventory, "0123456789abcdef");
    }
    if (shard != 2) add(r, &r_net, RS_FAIL, A);
    if (shard != 1) add(r, &r_net, RS_FAIL, B);
    if (shard != 1) add(r, &r_log, RS_UNKNOWN, C);
    for (int i = 0; i < (shard == 0 ? 5 : shard == 1 ? 3 : 2); i++) report_count(r, 0, RS_PASS);
    if (shard != 1) report_count(r, 1, RS_NOT_APPLICABLE);
    report_sort(r);
}

static out_run gate_of(const report *r) {
    out_run run = {.fail_on = SEV_LOW, .category = "lzscan/t/"};
    run.gating = report_gating(r, SEV_LOW, false);
    run.gate_code = run.exit_code = run.gating ? 1 : 0;
    return run;
}

/* Renders r (JSON or SARIF) and reads it back as a part named name. */
static void part(lzdoc *d, const report *r, bool sarif, const char *name) {
    lz_buf out = {0};
    lz_err e = {{0}};
    out_run run = gate_of(r);
    assert_int_equal(sarif ? out_sarif_report(r, &run, &out, &e) : out_json_report_run(r, &run, &out, &e), 0);
    if (lzdoc_load_buffer(d, name, out.data, out.len, &e) < 0) fail_msg("%s", e.msg);
    assert_int_equal(d->kind, sarif ? LZDOC_SARIF : LZDOC_REPORT);
    lz_buf_free(&out);
}

/* Merges docs; returns the joined document (kind as the parts'). */
static void merged(lzdoc *out, const lzdoc *docs, size_t n, bool sarif, int want_exit) {
    lz_buf buf = {0};
    lz_err e = {{0}};
    merge_opts o = {0};
    int code = -1;
    int rc = sarif ? sarif_merge(docs, n, &o, &buf, &code, &e) : report_merge(docs, n, &o, &buf, &code, &e);
    if (rc < 0) fail_msg("%s", e.msg);
    assert_int_equal(code, want_exit);
    if (lzdoc_load_buffer(out, "merged", buf.data, buf.len, &e) < 0) fail_msg("%s", e.msg);
    lz_buf_free(&buf);
}

static void assert_same(const lzdoc *a, jv_t va, const lzdoc *b, jv_t vb, const char *skip) {
    char *x = lzdoc_text(a, va, skip), *y = lzdoc_text(b, vb, skip);
    if (strcmp(x, y) != 0) fail_msg("differ:\n%s\n%s", x, y);
    free(x);
    free(y);
}

static void test_shards_join_to_whole_report(void **state) {
    (void)state;
    report r[3];
    lzdoc d[3], m;
    for (unsigned k = 0; k < 3; k++) {
        scan(&r[k], k);
        part(&d[k], &r[k], false, k == 0 ? "whole.json" : k == 1 ? "s1.json" : "s2.json");
    }
    /* given in reverse: joined by shard index */
    lzdoc parts[2] = {d[2], d[1]};
    merged(&m, parts, 2, false, 1);
    const jv_store *s = m.store;
    for (size_t i = 0; i < jv_len(s, m.root); i++) {
        const char *key = jv_atom_str(s, jv_key_atom(s, m.root, i), NULL);
        jv_t want = jv_get(d[0].store, d[0].root, key, strlen(key));
        assert_true(want != JV_MISSING);
        assert_same(&d[0], want, &m, jv_at(s, m.root, i), strcmp(key, "scan") == 0 ? "mergedFrom" : NULL);
    }
    assert_int_equal(jv_len(s, m.root), jv_len(d[0].store, d[0].root));
    jv_t from = lzdoc_arr(&m, lzdoc_obj(&m, m.root, "scan"), "mergedFrom");
    assert_int_equal(jv_len(s, from), 2);
    assert_string_equal(lzdoc_str(&m, jv_at(s, from, 0), "file"), "s1.json");
    for (unsigned k = 0; k < 3; k++) {
        report_free(&r[k]);
        lzdoc_free(&d[k]);
    }
    lzdoc_free(&m);
}

static void test_shards_join_to_whole_sarif(void **state) {
    (void)state;
    report r[3];
    lzdoc d[3], m;
    for (unsigned k = 0; k < 3; k++) {
        scan(&r[k], k);
        part(&d[k], &r[k], true, k == 0 ? "whole.sarif" : k == 1 ? "s1.sarif" : "s2.sarif");
    }
    merged(&m, &d[1], 2, true, 1);
    jv_t wr = jv_at(d[0].store, lzdoc_arr(&d[0], d[0].root, "runs"), 0);
    jv_t mr = jv_at(m.store, lzdoc_arr(&m, m.root, "runs"), 0);
    assert_int_equal(jv_len(m.store, lzdoc_arr(&m, m.root, "runs")), 1);
    static const char *const same[] = {"tool", "automationDetails", "invocations", "columnKind", "results"};
    for (size_t i = 0; i < 5; i++)
        assert_same(&d[0], jv_get(d[0].store, wr, same[i], strlen(same[i])), &m,
                    jv_get(m.store, mr, same[i], strlen(same[i])), NULL);
    assert_same(&d[0], lzdoc_obj(&d[0], wr, "properties"), &m, lzdoc_obj(&m, mr, "properties"), "mergedFrom");
    for (unsigned k = 0; k < 3; k++) {
        report_free(&r[k]);
        lzdoc_free(&d[k]);
    }
    lzdoc_free(&m);
}

static void expect_shards(const merge_shard *sh, size_t n, bool allow, const char *want_err,
                          const char *want_missing) {
    lz_err e = {{0}};
    merge_opts o = {.allow_missing = allow};
    char *missing = NULL;
    int rc = merge_check_shards(sh, n, &o, &missing, &e);
    if (want_err) {
        assert_int_equal(rc, -1);
        if (!strstr(e.msg, want_err)) fail_msg("\"%s\" lacks \"%s\"", e.msg, want_err);
    } else {
        assert_int_equal(rc, 0);
    }
    if (want_missing) {
        assert_non_null(missing);
        assert_string_equal(missing, want_missing);
    } else {
        assert_null(missing);
    }
    free(missing);
}

static void test_shard_sets(void **state) {
    (void)state;
    const char *digest = "0123456789abcdef";
    merge_shard s1 = {"a", 1, 4, digest}, s2 = {"b", 2, 4, digest}, s3 = {"c", 3, 4, digest},
                s4 = {"d", 4, 4, digest};
    merge_shard all[] = {s3, s1, s4, s2};
    expect_shards(all, 4, false, NULL, NULL);
    size_t order[4];
    merge_part_order(all, 4, order);
    assert_true(order[0] == 1 && order[1] == 3 && order[2] == 0 && order[3] == 2);
    merge_shard two[] = {s1, s3};
    expect_shards(two, 2, false, "shards 2/4, 4/4 are missing", NULL);
    expect_shards(two, 2, true, NULL,
                  "shards 2/4, 4/4 were not merged: the objects they own were not evaluated");
    merge_shard three[] = {s1, s2, s3};
    expect_shards(three, 3, true, NULL, "shard 4/4 was not merged: the objects it owns were not evaluated");
    merge_shard twice[] = {s1, s2, s3, s4, {"e", 2, 4, digest}};
    expect_shards(twice, 5, true, "shard 2/4 is given twice: b and e", NULL);
    merge_shard other_n[] = {s1, {"x", 2, 3, digest}};
    expect_shards(other_n, 2, true, "the shards of one scan share N", NULL);
    merge_shard other_inv[] = {s1, {"x", 2, 4, "fedcba9876543210"}};
    expect_shards(other_inv, 2, true, "shards of scans of different inputs", NULL);
    merge_shard mixed[] = {s1, {"whole", 0, 0, NULL}};
    expect_shards(mixed, 2, true, "whole is a whole scan", NULL);
    merge_shard wholes[] = {{"p", 0, 0, NULL}, {"q", 0, 0, NULL}};
    expect_shards(wholes, 2, false, NULL, NULL);
}

static void test_notes(void **state) {
    (void)state;
    merge_notes *m = merge_notes_new(true);
    const char *x = "exemption ex.yaml:3:5 (owner o, ticket T) expired on 2026-01-31";
    char *a = lz_asprintf("%s: 2 findings it covered fail again", x),
         *b = lz_asprintf("%s: 1 finding it covered fails again", x);
    char *c = lz_asprintf("%s and no longer applies", x);
    merge_notes_add(m, "input note");
    merge_notes_add(m, c);
    merge_notes_add(m, a);
    merge_notes_add(m, "input note");
    merge_notes_add(m, b);
    merge_notes_add(m,
                    "exemption ex.yaml:9:5 (owner o, ticket U) expired on 2026-02-01 and no longer applies");
    assert_int_equal(merge_notes_count(m), 3);
    assert_string_equal(merge_notes_get(m, 0), "input note");
    char *want = lz_asprintf("%s: 3 findings it covered fail again", x);
    assert_string_equal(merge_notes_get(m, 1), want);
    assert_string_equal(
        merge_notes_get(m, 2),
        "exemption ex.yaml:9:5 (owner o, ticket U) expired on 2026-02-01 and no longer applies");
    merge_notes_free(m);
    /* one finding over the shards: the singular wording */
    m = merge_notes_new(true);
    merge_notes_add(m, c);
    merge_notes_add(m, b);
    char *one = lz_asprintf("%s: 1 finding it covered fails again", x);
    assert_string_equal(merge_notes_get(m, 0), one);
    merge_notes_free(m);
    /* a plain set leaves such text alone */
    m = merge_notes_new(false);
    merge_notes_add(m, c);
    merge_notes_add(m, b);
    assert_int_equal(merge_notes_count(m), 2);
    assert_string_equal(merge_notes_get(m, 0), c);
    merge_notes_free(m);
    free(a);
    free(b);
    free(c);
    free(want);
    free(one);
}

static void test_order_and_exit(void **state) {
    (void)state;
    assert_int_equal(merge_exit_join(0, 1), 1);
    assert_int_equal(merge_exit_join(3, 1), 3);
    assert_int_equal(merge_exit_join(1, 3), 3);
    assert_int_equal(merge_exit_join(0, 0), 0);
    assert_true(merge_finding_order("critical", "Z", "a", "fail", "low", "A", "a", "fail") < 0);
    assert_true(merge_finding_order("high", "A", "/B", "fail", "high", "A", "/a", "fail") > 0);
    assert_true(merge_finding_order("high", "A", "/a", "fail", "high", "A", "/A", "exempt") < 0);
    assert_string_equal(merge_time_pick("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", false),
                        "2026-01-01T00:00:00Z");
    assert_string_equal(merge_time_pick(NULL, "2026-01-01T00:00:00Z", true), "2026-01-01T00:00:00Z");
}

static void expect_load_error(const char *text, const char *want) {
    lzdoc d;
    lz_err e = {{0}};
    assert_int_equal(lzdoc_load_buffer(&d, "x.json", text, strlen(text), &e), -1);
    if (!strstr(e.msg, want)) fail_msg("\"%s\" lacks \"%s\"", e.msg, want);
}

static void test_documents(void **state) {
    (void)state;
    lzdoc d;
    lz_err e = {{0}};
    const char *snap = "{\"lzscan\":\"snapshot-manifest\",\"gaps\":[]}\n{\"id\":\"/x\"}\n{not json";
    assert_int_equal(lzdoc_load_buffer(&d, "s.ndjson", snap, strlen(snap), &e), 0);
    assert_int_equal(d.kind, LZDOC_SNAPSHOT); /* the objects are the snapshot merge's to read */
    assert_null(d.store);
    lzdoc_free(&d);
    expect_load_error(
        "{\"schemaVersion\": \"1.2.0\",\n  \"tool\": {\"name\": \"lzscan\"},\n  \"findings\": [}",
        "x.json:3:17: not valid JSON");
    expect_load_error("[{\"id\": \"/subscriptions/1\"}]",
                      "x.json: not an lzscan snapshot, JSON report or SARIF log");
    expect_load_error("{\"id\": \"/a\"}\n{\"id\": \"/b\"}", "not an lzscan snapshot");
    expect_load_error("", "x.json: empty");
    /* a record's problem names where the record starts */
    const char *rep = "{\"schemaVersion\": \"1.2.0\", \"tool\": {\"name\": \"lzscan\"},\n"
                      "\"findings\": [\n  {\"ruleId\": \"A\"},\n    {\"ruleId\": \"B\"}]}";
    assert_int_equal(lzdoc_load_buffer(&d, "r.json", rep, strlen(rep), &e), 0);
    assert_int_equal(d.kind, LZDOC_REPORT);
    char *w = lzdoc_where(&d, "findings[1]");
    assert_string_equal(w, "r.json:4:5");
    free(w);
    w = lzdoc_where(&d, "findings[1].evidence[0]"); /* not recorded: its nearest ancestor */
    assert_string_equal(w, "r.json:4:5");
    free(w);
    assert_int_equal(lzdoc_err(&d, "findings[0]", &e, "no %s", "fingerprint"), -1);
    assert_string_equal(e.msg, "r.json:3:3: findings[0]: no fingerprint");
    lzdoc_free(&d);
}

static void add_prior(report *r, const char *fp_of, const char *msg) {
    r->resolved = lz_realloc(r->resolved, (r->nresolved + 1) * sizeof *r->resolved);
    report_prior *p = &r->resolved[r->nresolved++];
    *p = (report_prior){0};
    p->rule_id = lz_strdup("AIHUB-NET-001");
    p->resource_id = lz_strdup(fp_of);
    p->message = lz_strdup(msg);
    char *fp = lz_asprintf("AIHUB-NET-001|%s", fp_of);
    lz_lower(fp, strlen(fp));
    lz_sha256_hex(fp, strlen(fp), p->fingerprint);
    free(fp);
}

/*
 * The baseline held F1, F2 twice and F3 (as its 4 entries). Shard 1 still
 * has F2 (matching its first copy), shard 2 has F3. Resolved in the single
 * run: F1 and F2's second copy.
 */
static void test_resolved_is_what_no_shard_has(void **state) {
    (void)state;
    report r[2];
    lzdoc d[2], m;
    for (unsigned k = 0; k < 2; k++) {
        scan(&r[k], k + 1);
        r[k].baseline_path = lz_strdup("base.json");
        r[k].baseline_format = lz_strdup("json");
        add_prior(&r[k], "/f1", "F1");
        if (k == 1) add_prior(&r[k], "/f2", "F2 first");
        add_prior(&r[k], "/f2", "F2 second");
        if (k == 0) add_prior(&r[k], "/f3", "F3");
        /* what each shard matched: its finding of F2 or F3 (unchanged) */
        r[k].findings[0].baseline = BS_UNCHANGED;
        r[k].findings[0].prior_status = r[k].findings[0].status;
        r[k].findings[0].prior_severity = r[k].findings[0].rule->severity;
        for (size_t i = 1; i < r[k].nfindings; i++) r[k].findings[i].baseline = BS_NEW;
        part(&d[k], &r[k], false, k ? "s2.json" : "s1.json");
    }
    merged(&m, d, 2, false, 1);
    jv_t res = lzdoc_arr(&m, m.root, "resolved");
    assert_int_equal(jv_len(m.store, res), 2);
    assert_string_equal(lzdoc_str(&m, jv_at(m.store, res, 0), "message"), "F1");
    assert_string_equal(lzdoc_str(&m, jv_at(m.store, res, 1), "message"), "F2 second");
    jv_t counts = lzdoc_obj(&m, lzdoc_obj(&m, m.root, "baseline"), "counts");
    uint64_t absent = 0, unchanged = 0, fresh = 0;
    assert_true(lzdoc_uint(&m, counts, "absent", &absent) &&
                lzdoc_uint(&m, counts, "unchanged", &unchanged) && lzdoc_uint(&m, counts, "new", &fresh));
    assert_int_equal(absent, 2);
    assert_int_equal(unchanged, 2);
    assert_int_equal(fresh, 1);
    for (unsigned k = 0; k < 2; k++) {
        report_free(&r[k]);
        lzdoc_free(&d[k]);
    }
    lzdoc_free(&m);
}

/* Whole scans that overlap: each finding once, counts from the findings, a
 * note. Shards that overlap are not shards: refused. */
static void test_overlap(void **state) {
    (void)state;
    report r[2];
    lzdoc d[2], m;
    lz_err e = {{0}};
    for (unsigned k = 0; k < 2; k++) {
        scan(&r[k], 0);
        part(&d[k], &r[k], false, k ? "q.json" : "p.json");
    }
    merged(&m, d, 2, false, 1);
    assert_int_equal(jv_len(m.store, lzdoc_arr(&m, m.root, "findings")), 3);
    jv_t rules_v = lzdoc_arr(&m, m.root, "rules");
    uint64_t fail = 0, pass = 0;
    lzdoc_uint(&m, lzdoc_obj(&m, jv_at(m.store, rules_v, 1), "counts"), "fail", &fail);
    lzdoc_uint(&m, lzdoc_obj(&m, jv_at(m.store, rules_v, 0), "counts"), "pass", &pass);
    assert_int_equal(fail, 2);  /* A and B once */
    assert_int_equal(pass, 10); /* summed: passes cannot be told apart */
    char *notes = lzdoc_text(&m, lzdoc_arr(&m, lzdoc_obj(&m, m.root, "scan"), "notes"), NULL);
    assert_non_null(strstr(notes, "joined from 2 reports scanned separately"));
    assert_non_null(strstr(notes, "3 findings were in more than one joined report"));
    free(notes);
    lzdoc_free(&m);
    for (unsigned k = 0; k < 2; k++) {
        report_free(&r[k]);
        lzdoc_free(&d[k]);
    }
    /* shard 1 and shard 2 both claiming A */
    scan(&r[0], 1);
    scan(&r[1], 2);
    add(&r[1], &r_net, RS_FAIL, A);
    report_sort(&r[1]);
    part(&d[0], &r[0], false, "s1.json");
    part(&d[1], &r[1], false, "s2.json");
    lz_buf buf = {0};
    int code;
    assert_int_equal(report_merge(d, 2, &(merge_opts){0}, &buf, &code, &e), -1);
    assert_non_null(strstr(e.msg, "s1.json and s2.json both hold finding AIHUB-NET-001"));
    lz_buf_free(&buf);
    for (unsigned k = 0; k < 2; k++) {
        report_free(&r[k]);
        lzdoc_free(&d[k]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_join_to_whole_report),
        cmocka_unit_test(test_shards_join_to_whole_sarif),
        cmocka_unit_test(test_shard_sets),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_order_and_exit),
        cmocka_unit_test(test_documents),
        cmocka_unit_test(test_resolved_is_what_no_shard_has),
        cmocka_unit_test(test_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
