/*
 * out_html.h - report.html of an evidence bundle: one self-contained file
 * (no network: no external script, style, font or image; a CSP forbids
 * them) with an executive summary as inline SVG bar charts (by severity,
 * by subscription, by framework control), the change since the previous
 * bundle (when the report has a baseline), a findings table that filters
 * and sorts with a small inline script, the exemptions with justification
 * and expiry, the coverage gaps, and a print stylesheet.
 *
 * Every string from the report is HTML-escaped (& < > " ' and control
 * characters); the summary JSON embedded in <script type="application/json">
 * has < > & escaped as \u003c \u003e \u0026 so that "</script>" cannot end
 * the element. The summary numbers carry ids (count-pass, count-fail, ...,
 * sev-critical, ...) so tests and scripts can read them.
 *
 * Deterministic: the same report gives the same bytes.
 */
#ifndef OUT_HTML_H
#define OUT_HTML_H

#include "../common/lz.h"
#include "../rules/report.h"

/* Appends the page to out. Returns 0, or -1 with a message (a bug). */
int out_html_report(const report *r, lz_buf *out, lz_err *e);

/* Appends s HTML-escaped (text and attribute values alike). */
void out_html_escape(lz_buf *out, const char *s);

#endif
