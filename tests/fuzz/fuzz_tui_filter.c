/*
 * fuzz_tui_filter - the TUI's `/` filter (output/tui_filter.h) as the TUI
 * drives it. The input's first line is the pattern; every further line is
 * one finding: rule, name, id and message separated by TABs, as hostile as
 * the data can make them. Each part goes through the TUI's display cleaning
 * (tui_text_clean, with the findings list's caps) and the parts are joined
 * with TABs, as tui_model.c builds the filter's corpus. The pattern is then
 * typed one character at a time and deleted back to nothing, each step a
 * tui_filter_set, as the `/` prompt does.
 *
 * Oracles, beyond no crash, leak or undefined behaviour, and no hang
 * (run.sh gives each input 10 s; the match and depth limits keep a
 * catastrophic pattern to a bounded cost per subject, so an input here takes
 * milliseconds):
 *   - every corpus entry is valid UTF-8 (the filter matches with
 *     PCRE2_NO_UTF_CHECK on that promise);
 *   - a pattern that does not compile is an error value with PCRE2's
 *     message and offset, and the previous pattern stays in force;
 *   - a pattern that compiles is in force; hits are ascending, inside the
 *     corpus, and no more than the subjects matched (limited ones counted
 *     apart);
 *   - where no subject hit a limit, the incremental hits (narrowed from the
 *     previous pattern's, or restored on deletion) are exactly what a fresh
 *     filter gives, and tui_filter_match agrees with them;
 *   - tui_filter_match takes any bytes (the raw, uncleaned lines).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/lz.h"
#include "../../output/tui_filter.h"
#include "../../output/tui_text.h"
#include "fuzz_util.h"

#define MAX_PATTERN  64 /* bytes typed */
#define MAX_FINDINGS 16
#define MAX_LINE     2048

typedef struct corpus {
    lz_buf text;
    uint32_t off[MAX_FINDINGS], len[MAX_FINDINGS];
    const char *raw[MAX_FINDINGS];
    size_t rawlen[MAX_FINDINGS];
    tui_corpus c;
} corpus;

/* One finding line as tui_model.c's add_hay builds it: rule, name, id,
 * message, each cleaned with the list's caps (80, 200, none, 300). */
static void add_finding(corpus *k, const char *line, size_t len) {
    static const size_t caps[4] = {80, 200, 0, 300};
    uint32_t i = k->c.n++;
    k->raw[i] = line;
    k->rawlen[i] = len;
    k->off[i] = (uint32_t)k->text.len;
    const char *p = line, *end = line + len;
    for (size_t part = 0; part < 4 && p <= end; part++) {
        const char *tab = part < 3 ? memchr(p, '\t', (size_t)(end - p)) : NULL;
        const char *stop = tab ? tab : end;
        if (part) lz_buf_putc(&k->text, '\t');
        tui_text_clean(&k->text, p, (size_t)(stop - p), caps[part]);
        p = stop + 1;
    }
    k->len[i] = (uint32_t)(k->text.len - k->off[i]);
}

static void build(corpus *k, const char *p, const char *end) {
    while (p < end && k->c.n < MAX_FINDINGS) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        size_t len = lf ? (size_t)(lf - p) : (size_t)(end - p);
        add_finding(k, p, len < MAX_LINE ? len : MAX_LINE);
        p += len + 1;
    }
    k->c.text = k->text.data ? k->text.data : "";
    k->c.off = k->off;
    k->c.len = k->len;
    for (uint32_t i = 0; i < k->c.n; i++)
        FUZZ_CHECK(fuzz_valid_utf8(k->c.text + k->off[i], k->len[i]), "a corpus entry is not valid UTF-8",
                   k->c.text + k->off[i], k->len[i]);
}

/* The hits in force, checked for shape; copied to out (MAX_FINDINGS). */
static size_t hits_of(const tui_filter *f, const corpus *k, uint32_t *out) {
    size_t n;
    const uint32_t *h = tui_filter_hits(f, &n);
    const char *pat = tui_filter_pattern(f);
    FUZZ_CHECK(n <= k->c.n, "more hits than findings", pat, strlen(pat));
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(h[i] < k->c.n && (i == 0 || h[i - 1] < h[i]), "hits not ascending inside the corpus", pat,
                   strlen(pat));
        out[i] = h[i];
    }
    size_t scanned = tui_filter_scanned(f), limited = tui_filter_limited(f);
    FUZZ_CHECK(scanned <= k->c.n && limited <= scanned, "scanned or limited out of range", pat, strlen(pat));
    if (scanned) FUZZ_CHECK(n + limited <= scanned, "more hits than subjects matched", pat, strlen(pat));
    return n;
}

/* A fresh filter's hits for pattern (which compiles); returns false when a
 * subject hit a limit, so there is no exact reference. */
static bool fresh_hits(const corpus *k, const char *pattern, uint32_t *out, size_t *n) {
    tui_filter *g = tui_filter_new();
    lz_err e = {{0}};
    FUZZ_CHECK(tui_filter_set(g, &k->c, pattern, &e) == 0, "a pattern compiled once and not again", pattern,
               strlen(pattern));
    *n = hits_of(g, k, out);
    bool exact = tui_filter_limited(g) == 0;
    /* tui_filter_match (the TUI's n/N search) agrees with the hits */
    for (uint32_t i = 0, j = 0; exact && i < k->c.n; i++) {
        bool hit = j < *n && out[j] == i;
        if (hit) j++;
        FUZZ_CHECK(tui_filter_match(g, k->c.text + k->off[i], k->len[i]) == hit,
                   "tui_filter_match disagrees with the hits", pattern, strlen(pattern));
    }
    tui_filter_free(g);
    return exact;
}

/* One edit of the prompt: sets pattern and checks the outcome. */
static void step(tui_filter *f, const corpus *k, const char *pattern, bool *limited_ever) {
    char before[MAX_PATTERN + 1];
    snprintf(before, sizeof before, "%s", tui_filter_pattern(f));
    lz_err e = {{0}};
    if (tui_filter_set(f, &k->c, pattern, &e) < 0) {
        FUZZ_CHECK(e.msg[0] && strstr(e.msg, " at offset "), "a compile error without a message and offset",
                   pattern, strlen(pattern));
        FUZZ_CHECK(strcmp(tui_filter_pattern(f), before) == 0, "a bad pattern replaced the one in force",
                   pattern, strlen(pattern));
        return;
    }
    FUZZ_CHECK(strcmp(tui_filter_pattern(f), pattern) == 0, "the pattern set is not in force", pattern,
               strlen(pattern));
    FUZZ_CHECK(tui_filter_active(f) == (*pattern != '\0'), "active does not follow the pattern", pattern,
               strlen(pattern));
    uint32_t got[MAX_FINDINGS], want[MAX_FINDINGS];
    size_t n = hits_of(f, k, got), m;
    if (tui_filter_limited(f)) *limited_ever = true;
    if (!*pattern || *limited_ever) return; /* a limited subject makes narrowing inexact by design */
    if (!fresh_hits(k, pattern, want, &m)) return;
    FUZZ_CHECK(n == m && memcmp(got, want, n * sizeof *got) == 0,
               "incremental hits differ from a fresh filter's", pattern, strlen(pattern));
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    tui_text_set_utf8(true); /* a UTF-8 terminal: the display strings keep non-ASCII text */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *in = (const char *)data, *end = in + size;
    const char *lf = memchr(in, '\n', size);
    size_t plen = lf ? (size_t)(lf - in) : size;
    char pattern[MAX_PATTERN + 1];
    if (plen > MAX_PATTERN) plen = MAX_PATTERN;
    memcpy(pattern, in, plen);
    pattern[plen] = '\0';
    plen = strlen(pattern); /* the prompt's buffer is a C string */

    corpus *k = calloc(1, sizeof *k);
    if (!k) abort();
    if (lf) build(k, lf + 1, end);
    tui_filter *f = tui_filter_new();
    bool limited_ever = false;
    char typed[MAX_PATTERN + 1];
    /* Typed a character (a whole UTF-8 sequence) at a time, then deleted. */
    for (size_t i = 1; i <= plen; i++) {
        if (i < plen && ((unsigned char)pattern[i] & 0xC0) == 0x80) continue;
        memcpy(typed, pattern, i);
        typed[i] = '\0';
        step(f, k, typed, &limited_ever);
    }
    for (uint32_t i = 0; i < k->c.n; i++) (void)tui_filter_match(f, k->raw[i], k->rawlen[i]);
    for (size_t i = plen; i-- > 0;) {
        if (i && ((unsigned char)pattern[i] & 0xC0) == 0x80) continue;
        memcpy(typed, pattern, i);
        typed[i] = '\0';
        step(f, k, typed, &limited_ever);
    }
    FUZZ_CHECK(!tui_filter_active(f), "the filter is active with an empty pattern", pattern, plen);
    tui_filter_free(f);
    lz_buf_free(&k->text);
    free(k);
    return 0;
}
