/*
 * out_csv.h - one CSV cell, safe for spreadsheets (RFC 4180 quoting).
 *
 * Cells hold untrusted strings (resource names, tags, justifications), so
 * each is sanitized first (control characters, bidi overrides and invalid
 * UTF-8 shown escaped, line breaks kept), then a cell starting with
 * = + - @ TAB or CR gets a leading ' so that no spreadsheet evaluates it
 * (OWASP's CSV injection advice), then it is quoted when it must be.
 * Used by the evidence bundle's CSVs and the TUI's export.
 */
#ifndef OUT_CSV_H
#define OUT_CSV_H

#include "../common/lz.h"

/* Appends the cell for s (NULL is an empty cell) to out. */
void out_csv_cell(lz_buf *out, const char *s);

#endif
