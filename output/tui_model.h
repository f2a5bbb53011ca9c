/*
 * tui_model.h - the findings list of the TUI without drawing: one display
 * row per finding computed once, sort orders, the severity toggles, a scope
 * (findings of one management group, subscription, resource or rule), the
 * regex filter, and the list of visible rows with a cursor.
 *
 * Speed (100,000 findings, 50 ms per key): every string shown or matched is
 * precomputed by tui_model_build; each sort order is a permutation computed
 * once on first use; changing the filter, a toggle or the sort rebuilds the
 * visible list in one pass over a permutation; moving and scrolling only
 * change two numbers.
 *
 * Ownership: the model borrows the report (which must outlive it) and owns
 * every other array and string, released by tui_model_free.
 */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "tui_filter.h"

/* A cursor over a list of n rows shown in `page` lines. */
typedef struct tui_cursor {
    size_t cur, top;
} tui_cursor;

/* Moves by delta rows (clamped) and scrolls so the cursor stays visible. */
void tui_cursor_move(tui_cursor *c, long delta, size_t n, size_t page);
void tui_cursor_home(tui_cursor *c);
void tui_cursor_end(tui_cursor *c, size_t n, size_t page);
/* Puts the cursor on row i, scrolling as little as possible. */
void tui_cursor_set(tui_cursor *c, size_t i, size_t n, size_t page);
/* Clamps after the list or the page changed size. */
void tui_cursor_fix(tui_cursor *c, size_t n, size_t page);

enum tui_sort {
    TUI_SORT_SEVERITY = 0,
    TUI_SORT_RULE,
    TUI_SORT_NAME,
    TUI_SORT_SUBSCRIPTION,
    TUI_SORT_STATUS,
    TUI_SORT__COUNT
};
const char *tui_sort_name(enum tui_sort s); /* "severity", "rule", ... */

/* A finding's display strings are offsets into the model's arena. */
typedef struct tui_row {
    uint32_t rule, title, name, type, sub, rg, id, msg;
    uint8_t sev;    /* enum rule_severity */
    uint8_t status; /* enum result_status */
    uint8_t base;   /* enum baseline_state (BS_NONE without --baseline) */
    bool exempted;  /* an exemption was written for it in this session */
} tui_row;

/* Resolves a subscription (lower-cased GUID) to the label shown for it;
 * returns NULL to show the GUID. */
typedef const char *(*tui_sub_label_fn)(const char *sub, void *ctx);

typedef struct tui_model {
    report *r;
    size_t n;
    tui_row *rows;
    lz_buf arena; /* NUL-terminated display strings */
    lz_buf hay;   /* the filter's corpus: "rule name id message" per row */
    uint32_t *hay_off, *hay_len;
    tui_filter *flt;
    enum tui_sort sort;
    uint32_t *perm[TUI_SORT__COUNT]; /* row order per sort key; NULL until first used */
    unsigned sev_on;                 /* bit (1 << severity) set: shown */
    bool changed_only;               /* only findings new or updated against the baseline */
    uint8_t *scope;                  /* per row: in scope; NULL: every row */
    char *scope_label;               /* display text of the scope, or NULL */
    uint8_t *match;                  /* scratch: per row, matches the filter */
    uint32_t *vis;                   /* visible rows, in sort order */
    size_t nvis;
    tui_cursor cur;
} tui_model;

/* The name shown for a finding's subject: the object's own `name` when the
 * subject is the evaluated object itself (as the portal shows it), else the
 * last segment of the subject id (a subnet of a VNet, ...). Raw text. */
const char *tui_finding_name(const report *r, const finding *f, const char *id_name);

/* Computes every row's display strings. sub_label may be NULL. */
void tui_model_build(tui_model *m, report *r, tui_sub_label_fn sub_label, void *ctx);
void tui_model_free(tui_model *m);

static inline const char *tui_model_str(const tui_model *m, uint32_t off) {
    return m->arena.data + off;
}

/* Each returns after rebuilding the visible list (the cursor stays on the
 * same finding when it is still visible, else moves to the nearest row). */
void tui_model_set_sort(tui_model *m, enum tui_sort s);
void tui_model_toggle_severity(tui_model *m, enum rule_severity s);
void tui_model_toggle_changed(tui_model *m);
/* Sets the regex; -1 with the message (the previous filter stays). */
int tui_model_set_pattern(tui_model *m, const char *pattern, lz_err *e);
/* in_scope[i] for each row (copied), or NULL to clear; label is shown. */
void tui_model_set_scope(tui_model *m, const uint8_t *in_scope, const char *label);

/* The finding under the cursor, or SIZE_MAX when the list is empty. */
size_t tui_model_selected(const tui_model *m);

#endif
