/*
 * tui_detail.h - the TUI's detail page, built as lines without drawing: a
 * finding (rule, description, evidence as path / actual / expected,
 * remediation, references, related resources, and the resource's JSON with
 * the offending path highlighted) or a resource (its findings, related
 * resources and JSON).
 *
 * Lines are wrapped to the width given; every string from data or rule
 * files goes through tui_text_clean. Related resources are found from the
 * evidence's `ref` paths, from ARM ids the resource's JSON mentions that are
 * in the inventory, from private endpoints pointing at it, and from its
 * diagnostic settings.
 *
 * Ownership: the page owns its lines and strings (tui_detail_free); the
 * report and tree are borrowed while building.
 */
#ifndef TUI_DETAIL_H
#define TUI_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "tui_tree.h"

enum tui_line_kind {
    TL_TEXT = 0,
    TL_TITLE, /* the page's first line */
    TL_HEAD,  /* a section heading */
    TL_SEV,   /* text coloured by the line's severity */
    TL_EVIDENCE,
    TL_JSON,
    TL_JSON_HL, /* a JSON line at or under an evidence path */
    TL_DIM,
};

typedef struct tui_line {
    uint32_t label, text; /* offsets in the page's arena ("" for none) */
    uint8_t kind, sev;
} tui_line;

enum { TUI_DETAIL_LABEL = 11 }; /* columns of the label column */

typedef struct tui_detail {
    tui_line *lines;
    size_t n, cap;
    lz_buf arena;
    size_t top;        /* first line shown */
    size_t json_first; /* first line of the JSON (SIZE_MAX if none) */
    size_t finding;    /* the finding shown, or SIZE_MAX for a resource page */
    inv_idx res;
    size_t width;
} tui_detail;

typedef struct tui_detail_ctx {
    report *r;
    const tui_tree *tree;      /* for the hierarchy line; may be NULL */
    const char *exempted_into; /* the exemptions file, when one was written for this finding */
} tui_detail_ctx;

void tui_detail_finding(tui_detail *d, const tui_detail_ctx *c, size_t finding, size_t width);
void tui_detail_resource(tui_detail *d, const tui_detail_ctx *c, inv_idx res, size_t width);
void tui_detail_free(tui_detail *d);

static inline const char *tui_detail_str(const tui_detail *d, uint32_t off) {
    return d->arena.data + off;
}

/* Whether a JSON line's path is at or under an evidence path (both in the
 * rule language's syntax; [*] in the evidence matches any index). */
bool tui_path_within(const char *line_path, const char *evidence_path);
/* Whether line_path is a proper ancestor-or-self of the evidence path. */
bool tui_path_leads_to(const char *line_path, const char *evidence_path);

#endif
