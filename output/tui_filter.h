/*
 * tui_filter.h - the TUI's `/` filter: a PCRE2 regex over a corpus of
 * display strings (one per finding: rule, name, id and message), updated on
 * every keystroke.
 *
 * Speed: each keystroke must answer within 50 ms over 100,000 findings.
 * Patterns are JIT-compiled, subjects are not re-checked for UTF-8 (display
 * strings are valid UTF-8 by construction), and the filter keeps the match
 * set of every pattern typed so far on a stack:
 *   - a pattern that only grows the previous one by a suffix that provably
 *     narrows it (tui_filter_narrows) is matched only against the previous
 *     pattern's hits;
 *   - deleting characters back to a pattern on the stack restores its hits
 *     without matching anything.
 * Matching is case-insensitive (ARM ids and names are).
 *
 * Safety: every match runs under PCRE2 match and depth limits, so a
 * catastrophic pattern costs bounded time; a subject that hits a limit
 * counts as no match and is counted (tui_filter_limited). A pattern that does
 * not compile leaves the previous pattern and hits in force and returns the
 * PCRE2 message with its offset, for the caller to show inline.
 *
 * Ownership: the filter owns its compiled patterns and hit arrays; the corpus
 * is borrowed for the duration of each call.
 */
#ifndef TUI_FILTER_H
#define TUI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"

/* Item i is text + off[i], len[i] bytes (valid UTF-8, no NUL needed). */
typedef struct tui_corpus {
    const char *text;
    const uint32_t *off, *len;
    uint32_t n;
} tui_corpus;

#define TUI_FILTER_MATCH_LIMIT 20000u /* backtracking steps per subject */
#define TUI_FILTER_DEPTH_LIMIT 2000u

typedef struct tui_filter tui_filter;

tui_filter *tui_filter_new(void);
void tui_filter_free(tui_filter *f);

/* Sets the pattern ("" = no filter) and recomputes the hits over c.
 * Returns 0, or -1 with "message at offset N" in e when the pattern does not
 * compile (the previous pattern and hits stay in force). The corpus must be
 * the same for every call on one filter. */
int tui_filter_set(tui_filter *f, const tui_corpus *c, const char *pattern, lz_err *e);

/* The pattern in force ("" when none). */
const char *tui_filter_pattern(const tui_filter *f);
/* True when a pattern is in force. */
bool tui_filter_active(const tui_filter *f);
/* Items matching the pattern in force, ascending; valid until the next set. */
const uint32_t *tui_filter_hits(const tui_filter *f, size_t *n);
/* Subjects (of the last set) that hit the match limit; counted as no match. */
size_t tui_filter_limited(const tui_filter *f);
/* Subjects the last set matched against (for tests and the benchmark). */
size_t tui_filter_scanned(const tui_filter *f);

/* Matches one string (any bytes) against the pattern in force; true when
 * there is none. */
bool tui_filter_match(const tui_filter *f, const char *s, size_t len);

/* True if every subject matching `grown` also matches `prev` (a valid
 * pattern), judged conservatively from the text alone: grown is prev plus a
 * suffix appended as a new element of the top-level sequence. */
bool tui_filter_narrows(const char *prev, const char *grown);

#endif
