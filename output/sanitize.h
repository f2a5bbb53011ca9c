/*
 * sanitize.h - terminal-safe rendering of untrusted strings for text output.
 *
 * Resource names, ids, tag values and messages come from tenants lzscan does
 * not control. Written raw to a terminal, ESC/CSI/OSC sequences in them can
 * clear the screen, retitle the window, forge hyperlinks or hide findings.
 * Sanitized output contains no control character at all:
 *
 *   C0 controls   \n \r \t as such, others as \xNN (ESC is \x1b)
 *   DEL           \x7f
 *   C1 (U+0080..U+009F, encoded as UTF-8)     \u0085 etc.
 *   bidi overrides and isolates (U+202A..U+202E, U+2066..U+2069) and the
 *   line/paragraph separators U+2028/U+2029   \u202e etc. ("Trojan Source")
 *   bytes that are not valid UTF-8 (incl. raw 8-bit C1 such as 0x9b)  \xNN
 *   valid UTF-8   kept as is
 *
 * Backslashes are not doubled: the goal is safety and readability, not a
 * reversible encoding (use the JSON report for exact values).
 *
 * A cap limits the output to max characters (code points, an escape counting
 * as its length; display width of wide characters is not considered). An
 * escape is never split. With OUT_SAN_ELLIPSIS a truncated string ends in
 * "..." within the cap.
 *
 * Ownership: out_sanitize appends to the caller's buffer; out_sanitize_dup
 * returns a string the caller frees.
 */
#ifndef OUT_SANITIZE_H
#define OUT_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"

#define OUT_SAN_ELLIPSIS 1u /* end a truncated string with "..." */
#define OUT_SAN_KEEP_NL  2u /* keep \n and \t as real line breaks/tabs (multi-line rule text) */

/* Appends the sanitized form of s[0..len) to out. max = 0: no cap.
 * Returns true if s was truncated. */
bool out_sanitize(lz_buf *out, const char *s, size_t len, size_t max, unsigned flags);
/* Same for a NUL-terminated string; NULL appends nothing. */
bool out_sanitize_str(lz_buf *out, const char *s, size_t max, unsigned flags);
/* A new sanitized copy of s (NULL gives ""); the caller frees. */
char *out_sanitize_dup(const char *s, size_t max, unsigned flags);

#endif
