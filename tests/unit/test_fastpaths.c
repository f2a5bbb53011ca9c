/*
 * test_fastpaths.c - the shortcuts a million-resource scan takes give what
 * the plain ways give: a streaming lz_buf hands its sink every byte in
 * order; jv's key lookups (folded hashing, member indexes of large objects,
 * deferred interning) agree with a scan; the report's sort (rule buckets,
 * prefix keys) agrees with a plain stable sort; reading files through the
 * parser thread gives the inventory and the messages of reading buffers;
 * and neither the engine's results nor the JSON report depend on how many
 * threads made them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/out_json.h"
#include "rules/engine.h"
#include "scanner/ingest.h"
#include "scanner/jv.h"

/* ---- lz_buf with a sink ---- */

typedef struct collected {
    lz_buf all;
    size_t calls;
    size_t fail_after; /* 0: never fail */
} collected;

static int collect(void *ctx, const void *data, size_t len, lz_err *e) {
    collected *c = ctx;
    if (c->fail_after && c->calls == c->fail_after) return lz_errf(e, "disk full");
    c->calls++;
    lz_buf_put(&c->all, data, len);
    return 0;
}

static void test_buf_streams_in_order(void **state) {
    (void)state;
    collected c = {{0}, 0, 0};
    lz_sink sink = {.write = collect, .ctx = &c};
    lz_buf b = {0}, plain = {0};
    lz_buf_stream(&b, &sink);
    for (int i = 0; i < 200000; i++) {
        lz_buf_printf(&b, "%d,", i);
        lz_buf_printf(&plain, "%d,", i);
        lz_buf_putc(&b, 'x');
        lz_buf_putc(&plain, 'x');
    }
    assert_true(b.cap < 2 * LZ_BUF_CHUNK + 64); /* bounded, not the whole text */
    lz_err e = {{0}};
    assert_int_equal(lz_buf_flush(&b, &e), 0);
    assert_true(c.calls > 1);
    assert_int_equal(c.all.len, plain.len);
    assert_memory_equal(c.all.data, plain.data, plain.len);
    lz_buf_free(&b);
    lz_buf_free(&plain);
    lz_buf_free(&c.all);
}

static void test_buf_sink_failure_is_kept(void **state) {
    (void)state;
    collected c = {{0}, 0, 1};
    lz_sink sink = {.write = collect, .ctx = &c};
    lz_buf b = {0};
    lz_buf_stream(&b, &sink);
    for (int i = 0; i < 100000; i++) lz_buf_puts(&b, "0123456789abcdef");
    lz_err e = {{0}};
    assert_int_equal(lz_buf_flush(&b, &e), -1);
    assert_string_equal(e.msg, "disk full");
    assert_int_equal(c.calls, 1); /* nothing after the failure */
    lz_buf_free(&b);
    lz_buf_free(&c.all);
}

/* ---- jv ---- */

static jv_t build_object(jv_store *s, size_t members, const char *prefix) {
    jv_builder *b = jv_builder_new(s);
    jv_build_begin(b, JV_OBJECT);
    char key[64], val[64];
    for (size_t i = 0; i < members; i++) {
        int kn = snprintf(key, sizeof key, "%s%zu", prefix, i);
        int vn = snprintf(val, sizeof val, "value-%zu", i);
        jv_build_key(b, key, (size_t)kn);
        jv_build_scalar(b, JV_STRING, val, (size_t)vn);
    }
    /* a duplicate (in another case) of the first key: the last one wins */
    snprintf(key, sizeof key, "%s0", prefix);
    for (char *p = key; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p -= 32;
    jv_build_key(b, key, strlen(key));
    jv_build_scalar(b, JV_STRING, "last", 4);
    jv_t obj = jv_build_end(b);
    jv_builder_free(b);
    return obj;
}

static void check_members(jv_store *s, jv_t obj, size_t members, const char *prefix) {
    char key[64], val[64];
    for (size_t i = 1; i < members; i++) {
        int kn = snprintf(key, sizeof key, "%s%zu", prefix, i);
        snprintf(val, sizeof val, "value-%zu", i);
        key[0] = (char)(key[0] - 32); /* looked up in another case */
        const char *got = jv_str(s, jv_get(s, obj, key, (size_t)kn), NULL);
        assert_non_null(got);
        assert_string_equal(got, val);
    }
    snprintf(key, sizeof key, "%s0", prefix);
    assert_string_equal(jv_str(s, jv_get(s, obj, key, strlen(key)), NULL), "last");
    assert_int_equal(jv_get(s, obj, "absent", 6), JV_MISSING);
    assert_int_equal(jv_len(s, obj), members + 1);
}

static void test_jv_small_and_large_objects(void **state) {
    (void)state;
    jv_store *s = jv_store_new();
    jv_t small = build_object(s, 5, "key");
    jv_t large = build_object(s, 5000, "member"); /* indexed when built */
    check_members(s, small, 5, "key");
    check_members(s, large, 5000, "member");
    jv_store_free(s);
}

static void test_jv_folded_lookup(void **state) {
    (void)state;
    jv_store *s = jv_store_new();
    /* every byte value, around the ASCII letters, in every position of a word */
    char text[40];
    for (int c = 1; c < 256; c++) {
        for (size_t i = 0; i < sizeof text - 1; i++) text[i] = (char)(i % 7 == 3 ? c : 'a' + (int)(i % 26));
        text[sizeof text - 1] = '\0';
        char low[40];
        memcpy(low, text, sizeof low);
        lz_lower(low, sizeof low - 1);
        jv_atom a = jv_intern(s, text, sizeof text - 1);
        assert_int_equal(jv_lookup_fold(s, text, sizeof text - 1), jv_lookup_atom(s, low, sizeof low - 1));
        assert_int_equal(jv_lookup_fold(s, text, sizeof text - 1), jv_atom_fold(s, a));
    }
    assert_int_equal(jv_lookup_fold(s, "NOT-THERE", 9), 0);
    jv_store_free(s);
}

/* Strings of one value are interned when it closes: the atoms are the ones
 * jv_intern gives, and equal texts share one. */
static void test_jv_deferred_interning(void **state) {
    (void)state;
    jv_store *s = jv_store_new();
    jv_builder *b = jv_builder_new(s);
    char text[64];
    jv_build_begin(b, JV_ARRAY);
    for (int i = 0; i < 300; i++) {
        jv_build_begin(b, JV_OBJECT);
        snprintf(text, sizeof text, "/subscriptions/unique-%d/Resource", i);
        jv_build_key(b, "id", 2);
        jv_build_scalar(b, JV_STRING, text, strlen(text));
        jv_build_key(b, "same", 4);
        jv_build_scalar(b, JV_STRING, "Repeated Value", 14);
        jv_build_key(b, "n", 1);
        jv_build_scalar(b, JV_NUMBER, "12.5", 4);
        jv_build_end(b);
    }
    jv_t arr = jv_build_end(b);
    jv_builder_free(b);
    assert_int_equal(jv_len(s, arr), 300);
    jv_atom same = jv_intern(s, "Repeated Value", 14);
    for (int i = 0; i < 300; i++) {
        jv_t o = jv_at(s, arr, (size_t)i);
        snprintf(text, sizeof text, "/subscriptions/unique-%d/Resource", i);
        jv_t id = jv_get(s, o, "ID", 2);
        assert_string_equal(jv_str(s, id, NULL), text);
        assert_int_equal(jv_str_atom(s, id), jv_intern(s, text, strlen(text)));
        assert_int_equal(jv_str_atom(s, jv_get(s, o, "same", 4)), same);
        assert_string_equal(jv_str(s, jv_get(s, o, "n", 1), NULL), "12.5");
        assert_int_not_equal(jv_lookup_fold(s, text, strlen(text)), 0); /* the folded form too */
    }
    jv_store_free(s);
}

/* ---- the report's order ---- */

static int casecmp_ref(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return (x > y) - (x < y);
    }
}

/* The order report.h states, as one comparison. */
static int order_ref(const finding *a, const finding *b) {
    int sa = (int)a->rule->severity, sb = (int)b->rule->severity;
    if (sa != sb) return sb - sa;
    int c = strcmp(a->rule->id, b->rule->id);
    if (c) return c;
    c = casecmp_ref(a->subject_id ? a->subject_id : "", b->subject_id ? b->subject_id : "");
    return c ? c : (int)a->status - (int)b->status;
}

static void test_report_sort_matches_a_stable_sort(void **state) {
    (void)state;
    static rule rules[4];
    const char *ids[] = {"R-B", "R-A", "R-C", "R-A"}; /* two rules with one id share a bucket */
    const enum rule_severity sev[] = {SEV_HIGH, SEV_HIGH, SEV_CRITICAL, SEV_HIGH};
    for (int i = 0; i < 4; i++) {
        rules[i].id = (char *)ids[i];
        rules[i].severity = sev[i];
    }
    const char *subjects[] = {"/subscriptions/0000/rg/a",
                              "/SUBSCRIPTIONS/0000/RG/A",
                              "/subscriptions/0000/rg/",
                              "/subscriptions/0000/rg/ab",
                              "/subscriptions/0000/rg/a\xc3\xa9",
                              "/subscriptions/0001/x",
                              "/subscriptions/0000/rg/aaaaaaaaaaaaaaaaaaaaZ",
                              "/subscriptions/0000/rg/aaaaaaaaaaaaaaaaaaaaa",
                              NULL,
                              ""};
    enum { N = 3000 };
    report r;
    report_init(&r, NULL, NULL);
    srand(7);
    finding *ref = calloc(N, sizeof *ref);
    for (int i = 0; i < N; i++) {
        finding f = {0};
        f.rule = &rules[rand() % 4];
        f.status = rand() % 2 ? RS_FAIL : RS_UNKNOWN;
        const char *sub = subjects[rand() % 10];
        f.subject_id = sub ? strdup(sub) : NULL;
        f.nevidence = (size_t)i; /* the filing order, to check stability */
        report_add(&r, &f);
    }
    memcpy(ref, r.findings, N * sizeof *ref);
    /* insertion sort: stable by construction */
    for (int i = 1; i < N; i++)
        for (int j = i; j > 0 && order_ref(&ref[j - 1], &ref[j]) > 0; j--) {
            finding t = ref[j];
            ref[j] = ref[j - 1];
            ref[j - 1] = t;
        }
    report_sort(&r);
    for (int i = 0; i < N; i++) {
        assert_ptr_equal(r.findings[i].rule, ref[i].rule);
        assert_int_equal(r.findings[i].nevidence, ref[i].nevidence);
        r.findings[i].nevidence = 0; /* report_free would read evidence[] */
    }
    free(ref);
    report_free(&r);
}

/* ---- files through the parser thread ---- */

static char dir[64];

static void write_file(const char *name, const char *text, size_t len) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void make_dir(void) {
    snprintf(dir, sizeof dir, "/tmp/lzfast-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void remove_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

#define OBJ_FMT                                                                                              \
    "{\"id\":\"/subscriptions/00000000-0000-0000-0000-%012d/resourceGroups/RG/providers/"                    \
    "Microsoft.Storage/storageAccounts/sa%d\",\"type\":\"Microsoft.Storage/storageAccounts\","               \
    "\"location\":\"swedencentral\",\"tags\":{\"env\":\"prod\",\"n\":%d},\"properties\":{\"x\":\"%s\"}}"

/* An array of n storage accounts, the i-th with a string of `pad` bytes. */
static char *objects(int first, int n, size_t pad) {
    lz_buf b = {0};
    char *p = malloc(pad + 1);
    memset(p, 'p', pad);
    p[pad] = '\0';
    lz_buf_putc(&b, '[');
    for (int i = first; i < first + n; i++)
        lz_buf_printf(&b, "%s" OBJ_FMT, i > first ? ",\n" : "", i, i, i, p);
    lz_buf_putc(&b, ']');
    free(p);
    return lz_buf_steal(&b);
}

static void same_inventories(const inv *a, const inv *b) {
    assert_int_equal(inv_count(a), inv_count(b));
    for (size_t i = 0; i < inv_count(a); i++) {
        assert_string_equal(inv_str(a, inv_get(a, (inv_idx)i)->id), inv_str(b, inv_get(b, (inv_idx)i)->id));
        assert_string_equal(inv_str(a, inv_get(a, (inv_idx)i)->name),
                            inv_str(b, inv_get(b, (inv_idx)i)->name));
    }
}

static void test_ingest_threaded_equals_buffers(void **state) {
    (void)state;
    make_dir();
    /* enough tokens for many queue chunks, a string longer than a chunk,
     * and texts that recur (the dictionary) */
    char *a = objects(0, 40000, 8), *b = objects(40000, 3, (size_t)3 << 20), *c = objects(50000, 2000, 0);
    write_file("a.json", a, strlen(a));
    write_file("b.json", b, strlen(b));
    write_file("c.ndjson", "", 0); /* holds no value: a note */
    write_file("d.jsonl", c, strlen(c));
    lz_err e = {{0}};
    inv *files = inv_new(), *bufs = inv_new();
    assert_int_equal(ingest_path(files, dir, &e), 0);
    assert_int_equal(ingest_buffer(bufs, "a", a, strlen(a), &e), 0);
    assert_int_equal(ingest_buffer(bufs, "b", b, strlen(b), &e), 0);
    assert_int_equal(ingest_buffer(bufs, "d", c, strlen(c), &e), 0);
    same_inventories(files, bufs);
    char *const *notes;
    assert_int_equal(inv_notes(files, &notes), 1);
    assert_non_null(strstr(notes[0], "c.ndjson holds no JSON value"));
    inv_free(files);
    inv_free(bufs);
    free(a);
    free(b);
    free(c);
    remove_dir();
}

/* An error stops the walk with the message a buffer gives, even when the
 * parser is far ahead of the builder. */
static void test_ingest_threaded_errors(void **state) {
    (void)state;
    make_dir();
    char *big = objects(0, 30000, 8);
    write_file("1.json", "[{\"id\": 1}]", 11); /* not a string id: the builder fails */
    write_file("2.json", big, strlen(big));
    write_file("3.json", big, strlen(big));
    lz_err e = {{0}}, eb = {{0}};
    inv *v = inv_new();
    assert_int_equal(ingest_path(v, dir, &e), -1);
    inv_free(v);
    v = inv_new();
    assert_int_equal(ingest_buffer(v, "1.json", "[{\"id\": 1}]", 11, &eb), -1);
    inv_free(v);
    assert_non_null(strstr(e.msg, "1.json:1:2: object has no \"id\" string"));
    assert_non_null(strstr(eb.msg, "1.json:1:2: object has no \"id\" string"));

    /* malformed JSON in the second file, and a truncated third */
    remove_dir();
    make_dir();
    write_file("1.json", big, strlen(big));
    write_file("2.json", "[{\"id\": \"/subscriptions/s\",\n  \"type\": x}]", 41);
    v = inv_new();
    assert_int_equal(ingest_path(v, dir, &e), -1);
    assert_non_null(strstr(e.msg, "2.json:2:12: malformed JSON: lexical error: invalid char"));
    inv_free(v);
    remove_dir();
    make_dir();
    write_file("3.json", "[{\"id\": \"/subscriptions/s\"", 26);
    v = inv_new();
    assert_int_equal(ingest_path(v, dir, &e), -1);
    assert_non_null(strstr(e.msg, "3.json:1:27: malformed JSON: the text ends inside a value"));
    inv_free(v);
    free(big);
    remove_dir();
}

/* ---- the JSON report on one thread and on two ---- */

static void pin_to_one_cpu(cpu_set_t *saved) {
    sched_getaffinity(0, sizeof *saved, saved);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, saved)) {
            CPU_SET(c, &one);
            break;
        }
    sched_setaffinity(0, sizeof one, &one);
}

static void test_json_report_threads_do_not_matter(void **state) {
    (void)state;
    static rule rules[3];
    const char *ids[] = {"R-1", "R-2", "R-3"};
    for (int i = 0; i < 3; i++) {
        rules[i].id = (char *)ids[i];
        rules[i].title = i == 1 ? NULL : (char *)"a \"title\"\n";
        rules[i].remediation = (char *)"fix \u00e9 it";
        rules[i].severity = SEV_HIGH;
    }
    report r;
    report_init(&r, NULL, NULL);
    for (int i = 0; i < 9000; i++) { /* several blocks of findings, the last one short */
        finding f = {0};
        f.rule = &rules[i / 3000];
        f.status = RS_FAIL;
        f.subject_id = lz_asprintf("/subscriptions/s/resourceGroups/rg/providers/a/b/n%05d", i);
        f.message = lz_asprintf("message %d \x01", i);
        f.resource = INV_NONE;
        report_add(&r, &f);
    }
    lz_buf one = {0}, two = {0};
    lz_err e = {{0}};
    cpu_set_t saved;
    pin_to_one_cpu(&saved);
    assert_int_equal(out_json_report(&r, &one, &e), 0);
    sched_setaffinity(0, sizeof saved, &saved);
    assert_int_equal(out_json_report(&r, &two, &e), 0);
    assert_int_equal(one.len, two.len);
    assert_memory_equal(one.data, two.data, one.len);
    assert_non_null(strstr(one.data, "n08999"));
    lz_buf_free(&one);
    lz_buf_free(&two);
    report_free(&r);
}

/* ---- the engine on one thread and on several ---- */

static void scan_fixture(int one_cpu, report *r, rule_pack **p, inv **v, topo **t) {
    lz_err e = {{0}};
    char path[512];
    snprintf(path, sizeof path, "%s/fixtures/contoso-drifted", getenv("LZ_SOURCE_DIR"));
    cpu_set_t saved;
    sched_getaffinity(0, sizeof saved, &saved);
    if (one_cpu) pin_to_one_cpu(&saved);
    if (rule_pack_builtin(p, &e) != 0) fail_msg("%s", e.msg);
    *v = inv_new();
    if (ingest_path(*v, path, &e) != 0) fail_msg("%s", e.msg);
    inv_finalize(*v);
    if (topo_infer(t, *v, NULL, &e) != 0) fail_msg("%s", e.msg);
    report_init(r, *p, *v);
    if (engine_run(*p, *v, *t, NULL, r, &e) != 0) fail_msg("%s", e.msg);
    report_sort(r);
    sched_setaffinity(0, sizeof saved, &saved);
}

static void test_engine_threads_do_not_matter(void **state) {
    (void)state;
    report a, b;
    rule_pack *pa, *pb;
    inv *va, *vb;
    topo *ta, *tb;
    scan_fixture(1, &a, &pa, &va, &ta);
    scan_fixture(0, &b, &pb, &vb, &tb);
    assert_true(a.nfindings > 10);
    assert_int_equal(a.nfindings, b.nfindings);
    for (size_t i = 0; i < a.nfindings; i++) {
        assert_string_equal(a.findings[i].rule->id, b.findings[i].rule->id);
        assert_string_equal(a.findings[i].subject_id, b.findings[i].subject_id);
        assert_string_equal(a.findings[i].message, b.findings[i].message);
        assert_string_equal(a.findings[i].fingerprint, b.findings[i].fingerprint);
        assert_int_equal(a.findings[i].nevidence, b.findings[i].nevidence);
    }
    assert_memory_equal(a.counts, b.counts, pa->n * sizeof *a.counts);
    report_free(&a);
    report_free(&b);
    topo_free(ta);
    topo_free(tb);
    inv_free(va);
    inv_free(vb);
    rule_pack_free(pa);
    rule_pack_free(pb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_streams_in_order),
        cmocka_unit_test(test_buf_sink_failure_is_kept),
        cmocka_unit_test(test_jv_small_and_large_objects),
        cmocka_unit_test(test_jv_folded_lookup),
        cmocka_unit_test(test_jv_deferred_interning),
        cmocka_unit_test(test_report_sort_matches_a_stable_sort),
        cmocka_unit_test(test_ingest_threaded_equals_buffers),
        cmocka_unit_test(test_ingest_threaded_errors),
        cmocka_unit_test(test_json_report_threads_do_not_matter),
        cmocka_unit_test(test_engine_threads_do_not_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
