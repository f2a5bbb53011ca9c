/*
 * tui_export.h - `x` in the TUI: the current view as CSV or JSON.
 *
 * A view is first turned into a table (column names, rows of raw cells, the
 * exact values rather than their escaped display form), then rendered:
 *   CSV  RFC 4180 (quoted where needed, CRLF line ends), and every cell that
 *        starts with = + - @ (or a tab or carriage return) gets a leading '
 *        so a spreadsheet shows it as text instead of running it as a
 *        formula: resource names and tag values come from the tenant.
 *   JSON {"view", "filter", "count", "rows": [{column: value, ...}]} through
 *        the JSON writer (valid whatever bytes the data holds); numeric
 *        columns are numbers.
 * The file is written with lz_write_atomic.
 *
 * Ownership: a table owns copies of its cells (tui_table_free).
 */
#ifndef TUI_EXPORT_H
#define TUI_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "tui_tree.h"

enum tui_export_format { TUI_EXPORT_CSV = 0, TUI_EXPORT_JSON };

typedef struct tui_table {
    const char *const *cols;
    size_t ncols;
    uint32_t numeric; /* bit i: column i holds a number */
    char **cells;     /* nrows * ncols */
    size_t nrows, cap;
} tui_table;

void tui_table_init(tui_table *t, const char *const *cols, size_t ncols, uint32_t numeric);
/* Adds a row of ncols values (NULL: empty), copied. */
void tui_table_add(tui_table *t, const char *const *vals);
void tui_table_free(tui_table *t);

/* The views as tables. */
/* Findings idx[0..n) of r, in that order (the findings list: its visible rows). */
void tui_table_findings(tui_table *t, const report *r, const uint32_t *idx, size_t n);
void tui_table_rules(tui_table *t, const report *r);
void tui_table_nodes(tui_table *t, const tui_tree *tr, const uint32_t *nodes, size_t n);
void tui_table_evidence(tui_table *t, const report *r, size_t finding);

void tui_export_render(const tui_table *t, enum tui_export_format f, const char *view, const char *filter,
                       lz_buf *out);
int tui_export_write(const tui_table *t, enum tui_export_format f, const char *view, const char *filter,
                     const char *path, lz_err *e);

#endif
