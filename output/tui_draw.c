/*
 * tui_draw.c - see tui_draw.h.
 */
#include "tui_draw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui_text.h"
#include "utf8.h"

enum { P_CRIT = 1, P_HIGH, P_MED, P_LOW, P_UNKNOWN, P_PASS, P_TITLE, P_HL, P_ERR, P_BAR };

static void pairs(void) {
    start_color();
    use_default_colors(); /* -1: the terminal's own background */
    init_pair(P_CRIT, COLOR_RED, -1);
    init_pair(P_HIGH, COLOR_RED, -1);
    init_pair(P_MED, COLOR_YELLOW, -1);
    init_pair(P_LOW, COLOR_CYAN, -1);
    init_pair(P_UNKNOWN, COLOR_MAGENTA, -1);
    init_pair(P_PASS, COLOR_GREEN, -1);
    init_pair(P_TITLE, COLOR_WHITE, COLOR_BLUE);
    init_pair(P_HL, COLOR_BLACK, COLOR_YELLOW);
    init_pair(P_ERR, COLOR_WHITE, COLOR_RED);
    init_pair(P_BAR, COLOR_RED, -1);
}

static void colour_attrs(tui_look *l) {
    l->sev[SEV_CRITICAL] = COLOR_PAIR(P_CRIT) | A_BOLD;
    l->sev[SEV_HIGH] = COLOR_PAIR(P_HIGH);
    l->sev[SEV_MEDIUM] = COLOR_PAIR(P_MED);
    l->sev[SEV_LOW] = COLOR_PAIR(P_LOW);
    l->fail = COLOR_PAIR(P_CRIT);
    l->unknown = COLOR_PAIR(P_UNKNOWN);
    l->pass = l->ok = COLOR_PAIR(P_PASS);
    l->title = COLOR_PAIR(P_TITLE);
    l->tab_on = COLOR_PAIR(P_TITLE) | A_BOLD | A_REVERSE;
    l->hl = COLOR_PAIR(P_HL);
    l->err = COLOR_PAIR(P_ERR) | A_BOLD;
    l->bar = COLOR_PAIR(P_BAR);
}

/* Monochrome: severity by weight, the rest by reverse and underline. */
static void mono_attrs(tui_look *l) {
    l->sev[SEV_CRITICAL] = A_BOLD | A_UNDERLINE;
    l->sev[SEV_HIGH] = A_BOLD;
    l->fail = A_BOLD;
    l->title = A_REVERSE;
    l->tab_on = A_BOLD | A_UNDERLINE;
    l->hl = A_BOLD | A_UNDERLINE;
    l->err = A_BOLD | A_REVERSE;
    l->bar = A_BOLD;
}

void tui_look_init(tui_look *l, bool no_color, bool utf8) {
    memset(l, 0, sizeof *l);
    const char *nc = getenv("NO_COLOR");
    l->color = !no_color && !(nc && *nc) && has_colors();
    l->utf8 = utf8;
    if (l->color) {
        pairs();
        colour_attrs(l);
    } else {
        mono_attrs(l);
    }
    l->tab = l->title;
    l->head = A_BOLD;
    l->sel = A_REVERSE;
    l->dim = l->color ? A_DIM : A_NORMAL;
    l->field = A_UNDERLINE;
    l->exempt = l->dim;
    l->open = utf8 ? "\u25be" : "-";
    l->closed = utf8 ? "\u25b8" : "+";
    l->leaf = " ";
    l->sep = utf8 ? "\u2502" : "|";
    l->block = utf8 ? "\u2588" : "#";
    l->half = utf8 ? "\u258c" : "#";
}

int tui_put(int y, int x, const char *s, int cols, attr_t a) {
    if (cols <= 0 || !s) return 0;
    size_t used = 0, len = strlen(s), fit = tui_text_fit(s, len, (size_t)cols, &used);
    bool cut = fit < len && cols >= 4; /* say the text goes on, rather than cut it silently */
    if (cut) fit = tui_text_fit(s, len, (size_t)cols - 1, &used);
    attr_t old;
    short pair;
    attr_get(&old, &pair, NULL);
    attrset(a);
    if (!tui_text_utf8()) {
        mvaddnstr(y, x, s, (int)fit);
    } else {
        wchar_t buf[512];
        const unsigned char *p = (const unsigned char *)s, *end = p + fit;
        move(y, x);
        while (p < end) {
            int n = 0;
            while (p < end && n < 511) {
                uint32_t cp = '?';
                size_t k = out_utf8_decode(p, (size_t)(end - p), &cp);
                buf[n++] = (wchar_t)cp;
                p += k ? k : 1;
            }
            buf[n] = 0;
            addnwstr(buf, n);
        }
    }
    if (cut) {
        if (tui_text_utf8())
            mvaddwstr(y, x + (int)used, L"\u2026");
        else
            mvaddch(y, x + (int)used, '~');
        used++;
    }
    attr_set(old, pair, NULL);
    return (int)used;
}

void tui_fill(int y, int x, int cols, attr_t a) {
    if (cols <= 0) return;
    attr_t old;
    short pair;
    attr_get(&old, &pair, NULL);
    attrset(a);
    mvhline(y, x, ' ', cols);
    attr_set(old, pair, NULL);
}

void tui_put_pad(int y, int x, const char *s, int cols, attr_t a) {
    int used = tui_put(y, x, s, cols, a);
    tui_fill(y, x + used, cols - used, a);
}

void tui_put_right(int y, int x, const char *s, int cols, attr_t a) {
    int w = (int)tui_text_width(s, strlen(s));
    if (w > cols) w = cols;
    tui_put(y, x + cols - w, s, w, a);
}

void tui_panel(int y, int x, int h, int w) {
    if (h < 2 || w < 2) return;
    for (int i = 0; i < h; i++) tui_fill(y + i, x, w, A_NORMAL);
    mvaddch(y, x, ACS_ULCORNER);
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
}

void tui_bar(const tui_look *l, int y, int x, int cols, double frac, attr_t a) {
    if (cols <= 0 || frac <= 0) return;
    if (frac > 1) frac = 1;
    int halves = (int)(frac * cols * 2 + 0.5);
    if (halves == 0) halves = 1; /* something failing is never drawn as nothing */
    attr_t old;
    short pair;
    attr_get(&old, &pair, NULL);
    attrset(a);
    move(y, x);
    for (int i = 0; i < halves / 2; i++) tui_put(y, x + i, l->block, 1, a);
    if (halves % 2) tui_put(y, x + halves / 2, l->half, 1, a);
    attr_set(old, pair, NULL);
}

attr_t tui_status_attr(const tui_look *l, int status) {
    switch (status) {
    case RS_FAIL:
        return l->fail;
    case RS_UNKNOWN:
        return l->unknown;
    case RS_PASS:
        return l->pass;
    default:
        return l->dim;
    }
}

const char *tui_sev_short(int sev) {
    static const char *const names[] = {"-", "LOW", "MED", "HIGH", "CRIT"};
    return sev >= 0 && sev <= SEV_CRITICAL ? names[sev] : "?";
}
