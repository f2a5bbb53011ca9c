/*
 * tui_draw.h - drawing primitives of the TUI over ncursesw: attributes for
 * colour, NO_COLOR and monochrome terminals, glyphs for UTF-8 and ASCII
 * locales, and clipped text output.
 *
 * Only display strings (tui_text_clean output, or literals) are drawn:
 * nothing here escapes, so nothing from data reaches the terminal raw.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>

#include "../rules/report.h"

typedef struct tui_look {
    bool color, utf8;
    attr_t sev[SEV_CRITICAL + 1]; /* by severity */
    attr_t fail, unknown, exempt, pass;
    attr_t bar, title, tab, tab_on, head, sel, dim, hl, err, ok, field;
    const char *open, *closed, *leaf, *sep, *block, *half; /* glyphs */
} tui_look;

/* After initscr: colours unless no_color, NO_COLOR is set or the terminal
 * has none; glyphs by utf8. */
void tui_look_init(tui_look *l, bool no_color, bool utf8);

/* Draws display text s at (y, x) in at most cols columns; returns the
 * columns used. */
int tui_put(int y, int x, const char *s, int cols, attr_t a);
/* Like tui_put, then fills up to cols with spaces in the same attribute. */
void tui_put_pad(int y, int x, const char *s, int cols, attr_t a);
/* Right-aligns s in cols columns. */
void tui_put_right(int y, int x, const char *s, int cols, attr_t a);
void tui_fill(int y, int x, int cols, attr_t a);
/* A blank panel of h x w with a frame (line-drawing characters, which
 * curses maps to ASCII where the terminal has none). */
void tui_panel(int y, int x, int h, int w);
/* A bar of frac (0..1) of cols columns. */
void tui_bar(const tui_look *l, int y, int x, int cols, double frac, attr_t a);

attr_t tui_status_attr(const tui_look *l, int status);
const char *tui_sev_short(int sev); /* CRIT HIGH MED LOW */

#endif
