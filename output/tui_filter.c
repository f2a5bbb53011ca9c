/*
 * tui_filter.c - see tui_filter.h.
 */
#include "tui_filter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEVELS 64

/* One pattern typed so far and what it matched. */
typedef struct level {
    char *pat;
    pcre2_code *code;
    pcre2_match_data *md;
    uint32_t *hits;
    size_t nhits;
    bool jit; /* compiled to machine code: pcre2_jit_match skips the interpreter's checks */
} level;

struct tui_filter {
    level lv[MAX_LEVELS];
    size_t depth;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
    size_t limited, scanned;
};

tui_filter *tui_filter_new(void) {
    tui_filter *f = lz_calloc(1, sizeof *f);
    f->mctx = pcre2_match_context_create(NULL);
    if (!f->mctx) abort(); /* out of memory, as lz_malloc would */
    pcre2_set_match_limit(f->mctx, TUI_FILTER_MATCH_LIMIT);
    pcre2_set_depth_limit(f->mctx, TUI_FILTER_DEPTH_LIMIT);
    f->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    if (f->jit) pcre2_jit_stack_assign(f->mctx, NULL, f->jit);
    return f;
}

static void level_free(level *l) {
    free(l->pat);
    pcre2_match_data_free(l->md);
    pcre2_code_free(l->code);
    free(l->hits);
    memset(l, 0, sizeof *l);
}

static void pop_all(tui_filter *f) {
    while (f->depth) level_free(&f->lv[--f->depth]);
}

void tui_filter_free(tui_filter *f) {
    if (!f) return;
    pop_all(f);
    pcre2_jit_stack_free(f->jit);
    pcre2_match_context_free(f->mctx);
    free(f);
}

/* True if suffix may start with text PCRE2 skips between an atom and its
 * quantifier, so that "a" + "(?#c)*" is "a*": a (?#...) comment, \E or an
 * empty \Q\E, and, once (?x) may be on, white space (Unicode's too, hence
 * any non-ASCII byte) and # comments. */
static bool may_skip_to_quantifier(const char *prev, const char *suffix) {
    if (strncmp(suffix, "(?#", 3) == 0 || strncmp(suffix, "\\E", 2) == 0 || strncmp(suffix, "\\Q", 2) == 0)
        return true;
    unsigned char c = (unsigned char)suffix[0];
    return strstr(prev, "(?") && (c >= 0x80 || strchr(" \t\n\v\f\r#", c));
}

bool tui_filter_narrows(const char *prev, const char *grown) {
    size_t n = strlen(prev);
    if (strncmp(prev, grown, n) != 0 || grown[n] == '\0') return false;
    /* Where appending could re-tokenise the end of prev (\x4 + 1, a{ + 2},
     * \1 + 0) or prev is an alternation, the suffix may widen the match. */
    if (strpbrk(prev, "|\\{")) return false;
    const char *suffix = grown + n;
    if (strchr("*+?{", suffix[0])) return false;            /* would quantify prev's last atom */
    if (may_skip_to_quantifier(prev, suffix)) return false; /* might, too */
    return strchr(suffix, '|') == NULL;
}

/* 1 match, 0 no match, -1 match limit or other error. */
static int match_one(tui_filter *f, level *l, const char *s, size_t len) {
    int rc = l->jit ? pcre2_jit_match(l->code, (PCRE2_SPTR)s, len, 0, 0, l->md, f->mctx)
                    : pcre2_match(l->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, l->md, f->mctx);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static void tally(tui_filter *f, level *l, const tui_corpus *c, uint32_t i, size_t *cap) {
    int m = match_one(f, l, c->text + c->off[i], c->len[i]);
    f->scanned++;
    if (m < 0) f->limited++;
    if (m > 0) LZ_PUSH(l->hits, l->nhits, *cap, i);
}

static void compute(tui_filter *f, level *l, const level *base, const tui_corpus *c) {
    size_t cap = 0;
    f->limited = f->scanned = 0;
    if (base)
        for (size_t k = 0; k < base->nhits; k++) tally(f, l, c, base->hits[k], &cap);
    else
        for (uint32_t i = 0; i < c->n; i++) tally(f, l, c, i, &cap);
}

static pcre2_code *compile(const char *pattern, bool *jit, lz_err *e) {
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        lz_errf(e, "%s at offset %zu", (const char *)msg, (size_t)off);
        return NULL;
    }
    *jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0; /* else the interpreter */
    return code;
}

int tui_filter_set(tui_filter *f, const tui_corpus *c, const char *pattern, lz_err *e) {
    if (!*pattern) {
        pop_all(f);
        f->limited = f->scanned = 0;
        return 0;
    }
    bool jit = false;
    pcre2_code *code = compile(pattern, &jit, e);
    if (!code) return -1;
    while (f->depth) {
        level *top = &f->lv[f->depth - 1];
        if (strcmp(top->pat, pattern) == 0) { /* back to a pattern typed before */
            pcre2_code_free(code);
            f->limited = f->scanned = 0;
            return 0;
        }
        if (tui_filter_narrows(top->pat, pattern)) break;
        level_free(&f->lv[--f->depth]);
    }
    if (f->depth == MAX_LEVELS) { /* forget the oldest */
        level_free(&f->lv[0]);
        memmove(&f->lv[0], &f->lv[1], (MAX_LEVELS - 1) * sizeof f->lv[0]);
        memset(&f->lv[MAX_LEVELS - 1], 0, sizeof f->lv[0]);
        f->depth--;
    }
    level *l = &f->lv[f->depth];
    *l = (level){.pat = lz_strdup(pattern), .code = code, .jit = jit};
    l->md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!l->md) abort();
    compute(f, l, f->depth ? &f->lv[f->depth - 1] : NULL, c);
    f->depth++;
    return 0;
}

const char *tui_filter_pattern(const tui_filter *f) {
    return f->depth ? f->lv[f->depth - 1].pat : "";
}

bool tui_filter_active(const tui_filter *f) {
    return f->depth > 0;
}

const uint32_t *tui_filter_hits(const tui_filter *f, size_t *n) {
    if (!f->depth) {
        *n = 0;
        return NULL;
    }
    *n = f->lv[f->depth - 1].nhits;
    return f->lv[f->depth - 1].hits;
}

size_t tui_filter_limited(const tui_filter *f) {
    return f->limited;
}

size_t tui_filter_scanned(const tui_filter *f) {
    return f->scanned;
}

bool tui_filter_match(const tui_filter *f, const char *s, size_t len) {
    if (!f->depth) return true;
    /* The match data is scratch space: matching does not change the filter. */
    tui_filter *mf = (tui_filter *)f;
    return match_one(mf, &mf->lv[mf->depth - 1], s, len) > 0;
}
