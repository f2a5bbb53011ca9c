/*
 * out_markdown.h - a Markdown summary of a scan (`--format markdown`), sized
 * for $GITHUB_STEP_SUMMARY or a pull-request comment.
 *
 * Layout: a headline (passed or failed, with the gate), a table of failing,
 * new, exempt and unknown results by severity, the baseline's counts
 * (new / unchanged / updated / resolved), the top failing findings (new
 * ones first) with a link to each rule's first reference, expired
 * exemptions and other warnings, and coverage gaps. Lists are capped so
 * that the summary stays far below GitHub's 65,536-character comment limit.
 *
 * Every string from the input, the rules or the exemptions goes through
 * out_md_text: control characters are escaped (out_sanitize), and the
 * Markdown and HTML punctuation that could change the document's structure
 * (tables, links, emphasis, raw HTML) is backslash-escaped.
 */
#ifndef OUT_MARKDOWN_H
#define OUT_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "out_run.h"

/* Findings listed in full in the summary; the rest are counted. */
#define OUT_MD_TOP 20

int out_markdown_report(const report *r, const out_run *run, lz_buf *out, lz_err *e);

/* Appends untrusted text as inert inline Markdown: one line (line breaks
 * become spaces), at most max characters (0: no cap). */
void out_md_text(lz_buf *out, const char *s, size_t max);

/* True for an http(s) URL that can be a link target as is: no spaces,
 * quotes, angle brackets, parentheses or control characters. */
bool out_md_url_ok(const char *url);

#endif
