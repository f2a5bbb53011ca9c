/*
 * out_text.h - the plain-text report for terminals and logs.
 *
 * Layout: a header (tool, pack, inputs, counts), failing results by severity
 * and by subscription, coverage gaps and notes, then the findings grouped by
 * severity (most severe first) and rule, each with its resource id, message,
 * evidence (path: actual -> expected), and the rule's remediation once per
 * rule.
 *
 * Every string that comes from the input or from rule files goes through
 * out_sanitize, so no escape sequence from a tenant reaches the terminal.
 * ANSI colour is written only when color is true; the caller decides (isatty
 * and NO_COLOR).
 */
#ifndef OUT_TEXT_H
#define OUT_TEXT_H

#include <stdbool.h>

#include "../common/lz.h"
#include "../rules/report.h"

/* Text wrap width for remediation lines. */
#define OUT_TEXT_WIDTH 100

/* Appends the report to out (owned by the caller). Returns 0. */
int out_text_report(const report *r, lz_buf *out, bool color);

#endif
