/*
 * tui_form.c - see tui_form.h.
 */
#include "tui_form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui_text.h"

void tui_form_init(tui_form *f, const char *title) {
    memset(f, 0, sizeof *f);
    f->title = lz_strdup(title);
    f->hint = "Tab/Enter: next field   Enter on the last: save   Esc: cancel";
}

void tui_form_info(tui_form *f, const char *clean_line) {
    if (f->ninfo < TUI_FORM_INFO) f->info[f->ninfo++] = lz_strdup(clean_line);
}

void tui_form_field(tui_form *f, const char *label, const char *initial, size_t max) {
    if (f->n >= TUI_FORM_FIELDS) return;
    tui_field *fd = &f->f[f->n++];
    fd->label = label;
    fd->max = max;
    lz_buf_puts(&fd->value, initial ? initial : "");
}

const char *tui_form_value(const tui_form *f, size_t i) {
    return i < f->n ? (f->f[i].value.data ? f->f[i].value.data : "") : "";
}

void tui_form_free(tui_form *f) {
    free(f->title);
    for (size_t i = 0; i < f->ninfo; i++) free(f->info[i]);
    for (size_t i = 0; i < f->n; i++) lz_buf_free(&f->f[i].value);
    memset(f, 0, sizeof *f);
}

/* Removes the last UTF-8 character. */
static void backspace(lz_buf *b) {
    while (b->len > 0) {
        unsigned char c = (unsigned char)b->data[--b->len];
        if ((c & 0xC0) != 0x80) break;
    }
    if (b->data) b->data[b->len] = '\0';
}

/* Printable: no C0/C1 control, DEL, surrogate or bidi control. */
static bool printable(int ch) {
    return ch >= 0x20 && ch != 0x7F && !(ch >= 0x80 && ch <= 0x9F) && !(ch >= 0xD800 && ch <= 0xDFFF) &&
           !(ch >= 0x202A && ch <= 0x202E) && !(ch >= 0x2066 && ch <= 0x2069) && ch <= 0x10FFFF;
}

static enum tui_form_result next(tui_form *f, bool submit_at_end) {
    if (f->focus + 1 < f->n) {
        f->focus++;
        return TUI_FORM_CONTINUE;
    }
    if (submit_at_end) return TUI_FORM_SUBMIT;
    f->focus = 0;
    return TUI_FORM_CONTINUE;
}

enum tui_form_result tui_form_key(tui_form *f, int ch, bool fn) {
    tui_field *fd = f->n ? &f->f[f->focus] : NULL;
    if (!fd) return TUI_FORM_CANCEL;
    if (fn) {
        switch (ch) {
        case KEY_ENTER:
            return next(f, true);
        case KEY_DOWN:
            return next(f, false);
        case KEY_UP:
        case KEY_BTAB:
            f->focus = f->focus ? f->focus - 1 : f->n - 1;
            return TUI_FORM_CONTINUE;
        case KEY_BACKSPACE:
            backspace(&fd->value);
            return TUI_FORM_CONTINUE;
        default:
            return TUI_FORM_CONTINUE;
        }
    }
    switch (ch) {
    case 27: /* Esc */
        return TUI_FORM_CANCEL;
    case '\n':
    case '\r':
        return next(f, true);
    case '\t':
        return next(f, false);
    case 8:
    case 127:
        backspace(&fd->value);
        return TUI_FORM_CONTINUE;
    case 21: /* Ctrl-U: clear the field */
        lz_buf_reset(&fd->value);
        return TUI_FORM_CONTINUE;
    default:
        if (printable(ch)) {
            size_t n = ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : 4;
            if (fd->value.len + n <= fd->max) tui_text_put_utf8(&fd->value, (uint32_t)ch);
        }
        return TUI_FORM_CONTINUE;
    }
}

void tui_form_draw(const tui_form *f, const tui_look *l) {
    int w = COLS - 4 > 100 ? 100 : COLS - 4, h = (int)(f->ninfo + f->n) + 8;
    if (w < 20 || h > LINES) return;
    int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2, labw = 15;
    tui_panel(y0, x0, h, w);
    lz_buf t = {0};
    lz_buf_printf(&t, " %s ", f->title);
    tui_put(y0, x0 + 2, t.data, w - 4, A_BOLD);
    lz_buf_free(&t);
    int y = y0 + 2;
    for (size_t i = 0; i < f->ninfo; i++) tui_put(y++, x0 + 2, f->info[i], w - 4, l->dim);
    y++;
    for (size_t i = 0; i < f->n; i++, y++) {
        tui_put(y, x0 + 2, f->f[i].label, labw, i == f->focus ? A_BOLD : A_NORMAL);
        lz_buf shown = {0};
        tui_text_clean_str(&shown, tui_form_value(f, i), 0);
        int fw = w - labw - 5;
        const char *s = lz_buf_cstr(&shown);
        size_t width = tui_text_width(s, shown.len);
        /* Long values scroll so that the end (where typing happens) shows. */
        while (width + 1 > (size_t)fw && *s) {
            s++;
            while ((*s & 0xC0) == 0x80) s++;
            width = tui_text_width(s, strlen(s));
        }
        tui_put_pad(y, x0 + 2 + labw, s, fw, l->field | (i == f->focus ? A_BOLD : 0));
        if (i == f->focus) move(y, x0 + 2 + labw + (int)width);
        lz_buf_free(&shown);
    }
    if (f->err[0]) tui_put(y + 1, x0 + 2, f->err, w - 4, l->err);
    tui_put(y0 + h - 2, x0 + 2, f->hint, w - 4, l->dim);
}
