/*
 * tui_text.h - display strings for the TUI, without curses.
 *
 * Everything the TUI shows from data or rule files goes through
 * tui_text_clean: out_sanitize makes it free of control characters and
 * escape sequences (ESC is shown as \x1b, C1 and bidi controls as \uNNNN),
 * and then, on a terminal whose locale is not UTF-8, every non-ASCII
 * character is shown as \uNNNN too, so that what reaches the terminal is
 * plain ASCII. In UTF-8 mode a character the C library cannot measure
 * (wcwidth < 0) is escaped the same way, so the column count of every
 * display string is known before it is drawn.
 *
 * The mode is process-wide (one terminal per process); it defaults to ASCII
 * and tui_run switches it to UTF-8 when the locale's codeset is UTF-8.
 *
 * Ownership: functions append to the caller's lz_buf or call back with
 * slices of the caller's string; nothing is allocated for the caller.
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"

void tui_text_set_utf8(bool utf8);
bool tui_text_utf8(void);

/* Appends the one-line display form of s[0..len) (a newline shows as \n).
 * cap: at most that many characters, the last three "..." (0: no cap). */
void tui_text_clean(lz_buf *out, const char *s, size_t len, size_t cap);
void tui_text_clean_str(lz_buf *out, const char *s, size_t cap); /* NULL appends nothing */

/* Appends code point cp as UTF-8 (typed input: the filter, form fields). */
void tui_text_put_utf8(lz_buf *out, uint32_t cp);

/* Columns a display string (output of tui_text_clean) takes. */
size_t tui_text_width(const char *s, size_t len);
/* Bytes of the longest prefix of s that fits in cols columns; *used (may be
 * NULL) receives its width. Never splits a UTF-8 sequence. */
size_t tui_text_fit(const char *s, size_t len, size_t cols, size_t *used);

/* Cuts a display string into lines of at most cols columns; at_spaces: at
 * the last space that fits where there is one (the space is dropped), else
 * exactly at the width. Calls fn for each line; an empty string gives one
 * empty line. */
typedef void (*tui_text_line_fn)(const char *s, size_t len, void *ctx);
void tui_text_wrap(const char *s, size_t len, size_t cols, bool at_spaces, tui_text_line_fn fn, void *ctx);
/* Cuts exactly at the width, the first line at cols and the others at
 * cols - hang (the caller indents them by hang). */
void tui_text_wrap_hang(const char *s, size_t len, size_t cols, size_t hang, tui_text_line_fn fn, void *ctx);

#endif
