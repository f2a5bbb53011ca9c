/* The TUI's incremental regex filter: which pattern edits may narrow the
 * previous matches, that narrowing and restoring give exactly what a fresh
 * match gives, bad patterns leave the filter as it was, and catastrophic
 * patterns are stopped by the match limit. */
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

#include "output/tui_filter.h"

typedef struct corpus {
    lz_buf text;
    uint32_t off[2000], len[2000];
    tui_corpus c;
} corpus;

static void add(corpus *k, const char *s) {
    uint32_t i = k->c.n++;
    k->off[i] = (uint32_t)k->text.len;
    lz_buf_puts(&k->text, s);
    k->len[i] = (uint32_t)strlen(s);
}

/* Synthetic rows shaped like the findings list's haystacks. */
static corpus *make(void) {
    corpus *k = lz_calloc(1, sizeof *k);
    static const char *const rules[] = {"AIHUB-NET-001", "AIHUB-RT-002", "AIHUB-LOG-001", "AIHUB-GOV-001"};
    static const char *const kinds[] = {"oai", "kv", "st", "snet", "aks"};
    char row[300];
    for (int i = 0; i < 1500; i++) {
        snprintf(row, sizeof row,
                 "%s\t%s-tenant-%c-%03d\t/subscriptions/%04d/resourceGroups/rg-%c/providers/x/%s-%d\t"
                 "properties.publicNetworkAccess is \"Enabled\", expected \"Disabled\"",
                 rules[i % 4], kinds[i % 5], 'a' + i % 3, i, i % 7, 'a' + i % 3, kinds[i % 5], i);
        add(k, row);
    }
    add(k, "caf\xc3\xa9 \xe2\x80\xae bidi");
    k->c.text = k->text.data;
    k->c.off = k->off;
    k->c.len = k->len;
    return k;
}

static void drop(corpus *k) {
    lz_buf_free(&k->text);
    free(k);
}

/* What a brand-new filter matches: the reference for incremental results. */
static size_t fresh(const corpus *k, const char *pattern, uint32_t *out) {
    tui_filter *f = tui_filter_new();
    lz_err e;
    assert_int_equal(tui_filter_set(f, &k->c, pattern, &e), 0);
    size_t n;
    const uint32_t *hits = tui_filter_hits(f, &n);
    if (n) memcpy(out, hits, n * sizeof *out);
    tui_filter_free(f);
    return n;
}

static void same_as_fresh(const tui_filter *f, const corpus *k) {
    static uint32_t want[2000];
    const char *pat = tui_filter_pattern(f);
    if (!*pat) return;
    size_t n, m = fresh(k, pat, want);
    const uint32_t *got = tui_filter_hits(f, &n);
    if (n != m) fail_msg("/%s/: %zu hits incrementally, %zu fresh", pat, n, m);
    for (size_t i = 0; i < n; i++) assert_int_equal(got[i], want[i]);
}

static void test_narrows(void **state) {
    (void)state;
    assert_true(tui_filter_narrows("oai", "oai-"));
    assert_true(tui_filter_narrows("", "a"));
    assert_true(tui_filter_narrows("net-001", "net-001.*tenant"));
    assert_true(tui_filter_narrows("ab", "ab(cd)"));
    assert_true(tui_filter_narrows("ab", "ab\\d"));
    assert_true(tui_filter_narrows("ab", "ab$"));
    assert_false(tui_filter_narrows("ab", "ab"));  /* not grown */
    assert_false(tui_filter_narrows("ab", "a"));   /* shrunk */
    assert_false(tui_filter_narrows("ab", "xab")); /* not a suffix */
    assert_false(tui_filter_narrows("a", "a*"));   /* quantifies the last atom */
    assert_false(tui_filter_narrows("a", "a?"));
    assert_false(tui_filter_narrows("a", "a+"));
    assert_false(tui_filter_narrows("a", "a{0,3}"));
    assert_false(tui_filter_narrows("a", "a|b")); /* an alternative widens */
    assert_false(tui_filter_narrows("a|b", "a|bc"));
    assert_false(tui_filter_narrows("ab", "ab(c|d)"));
    assert_false(tui_filter_narrows("a\\x4", "a\\x41")); /* re-tokenises an escape */
    assert_false(tui_filter_narrows("a{", "a{2}"));
    assert_false(tui_filter_narrows("\\1", "\\10"));
    /* text PCRE2 skips before a quantifier: "a(?#c)*" is "a*" (fuzz_tui_filter's oracle) */
    assert_false(tui_filter_narrows("a", "a(?#c)*"));
    assert_false(tui_filter_narrows("a", "a\\E*"));
    assert_false(tui_filter_narrows("(?x)a", "(?x)a *"));
    assert_false(tui_filter_narrows("(?x)a", "(?x)a#c\n*"));
    assert_false(tui_filter_narrows("(?x)a", "(?x)a\xc2\x85*")); /* NEL is white space too */
    assert_true(tui_filter_narrows("a", "a b"));                 /* without (?x) a blank is a literal */
}

static void test_incremental_equals_fresh(void **state) {
    (void)state;
    corpus *k = make();
    tui_filter *f = tui_filter_new();
    lz_err e;
    /* Typed one character at a time, with edits back and forth. */
    const char *steps[] = {"t",
                           "te",
                           "ten",
                           "tena",
                           "tenant",
                           "tenant-",
                           "tenant-a",
                           "tenant-a.",
                           "tenant-a.*",
                           "tenant-a.*k",
                           "tenant-a.*kv",
                           "tenant-a.*k",
                           "tenant-a.*",
                           "tenant-a.*s",
                           "tenant-a.*s|",
                           "tenant-a.*s|oai",
                           "tenant-a.*s|oa",
                           "AIHUB",
                           "aihub-rt",
                           "aihub-rt*",
                           "aihub-rt*x",
                           "caf\xc3\xa9",
                           ""};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        assert_int_equal(tui_filter_set(f, &k->c, steps[i], &e), 0);
        assert_string_equal(tui_filter_pattern(f), steps[i]);
        same_as_fresh(f, k);
    }
    assert_false(tui_filter_active(f));
    tui_filter_free(f);
    drop(k);
}

static void test_work_done(void **state) {
    (void)state;
    corpus *k = make();
    tui_filter *f = tui_filter_new();
    lz_err e;
    size_t n_oai, n;
    assert_int_equal(tui_filter_set(f, &k->c, "oai", &e), 0);
    assert_int_equal(tui_filter_scanned(f), k->c.n); /* the first pattern scans everything */
    tui_filter_hits(f, &n_oai);
    assert_true(n_oai > 0 && n_oai < k->c.n);
    assert_int_equal(tui_filter_set(f, &k->c, "oai-", &e), 0);
    assert_int_equal(tui_filter_scanned(f), n_oai); /* narrowed: only the previous hits */
    assert_int_equal(tui_filter_set(f, &k->c, "oai-t", &e), 0);
    assert_int_equal(tui_filter_set(f, &k->c, "oai-", &e), 0); /* backspace: restored */
    assert_int_equal(tui_filter_scanned(f), 0);
    tui_filter_hits(f, &n);
    assert_true(n <= n_oai);
    same_as_fresh(f, k);
    assert_int_equal(tui_filter_set(f, &k->c, "oai|kv", &e), 0); /* widened: a full scan */
    assert_int_equal(tui_filter_scanned(f), k->c.n);
    same_as_fresh(f, k);
    tui_filter_free(f);
    drop(k);
}

static void test_bad_pattern_keeps_previous(void **state) {
    (void)state;
    corpus *k = make();
    tui_filter *f = tui_filter_new();
    lz_err e = {{0}};
    size_t before, after;
    assert_int_equal(tui_filter_set(f, &k->c, "kv", &e), 0);
    tui_filter_hits(f, &before);
    assert_int_equal(tui_filter_set(f, &k->c, "kv(", &e), -1);
    assert_non_null(strstr(e.msg, "missing closing parenthesis"));
    assert_non_null(strstr(e.msg, "offset 3"));
    assert_string_equal(tui_filter_pattern(f), "kv");
    tui_filter_hits(f, &after);
    assert_int_equal(before, after);
    assert_int_equal(tui_filter_set(f, &k->c, "[", &e), -1);
    assert_int_equal(tui_filter_set(f, &k->c, "kv(x)", &e), 0); /* the edit goes on from the last good one */
    same_as_fresh(f, k);
    tui_filter_free(f);
    drop(k);
}

static void test_case_and_single_match(void **state) {
    (void)state;
    corpus *k = make();
    tui_filter *f = tui_filter_new();
    lz_err e;
    assert_true(tui_filter_match(f, "anything", 8)); /* no pattern: everything */
    assert_int_equal(tui_filter_set(f, &k->c, "TENANT-B", &e), 0);
    assert_true(tui_filter_match(f, "kv-tenant-b-001", 15));
    assert_false(tui_filter_match(f, "kv-tenant-c-001", 15));
    assert_false(tui_filter_match(f, "\xff\xfe tenant", 9)); /* invalid UTF-8 is safe */
    tui_filter_free(f);
    drop(k);
}

static void test_match_limit(void **state) {
    (void)state;
    corpus *k = lz_calloc(1, sizeof *k);
    char evil[80];
    memset(evil, 'a', 60);
    strcpy(evil + 60, "!");
    for (int i = 0; i < 20; i++) add(k, evil);
    add(k, "aaaa");
    k->c.text = k->text.data;
    k->c.off = k->off;
    k->c.len = k->len;
    tui_filter *f = tui_filter_new();
    lz_err e;
    assert_int_equal(tui_filter_set(f, &k->c, "(a+)+$", &e), 0);
    size_t n;
    tui_filter_hits(f, &n);
    assert_int_equal(n, 1);                      /* "aaaa" */
    assert_int_equal(tui_filter_limited(f), 20); /* the rest stopped by the limit, not hung */
    tui_filter_free(f);
    drop(k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_narrows),
        cmocka_unit_test(test_incremental_equals_fresh),
        cmocka_unit_test(test_work_done),
        cmocka_unit_test(test_bad_pattern_keeps_previous),
        cmocka_unit_test(test_case_and_single_match),
        cmocka_unit_test(test_match_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
