/*
 * tui_form.h - a small modal form of one-line text fields (the exemption
 * and export dialogs): typing edits the focused field, Tab / Down / Enter go
 * to the next field, Enter on the last submits, Esc cancels.
 *
 * Keys arrive as (ch, fn): a character, or a curses function key when fn.
 * Control characters are never accepted into a field. Values are UTF-8.
 *
 * Ownership: the form owns its values, info lines and title (tui_form_free).
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "tui_draw.h"

#define TUI_FORM_FIELDS 6
#define TUI_FORM_INFO   4

typedef struct tui_field {
    const char *label;
    lz_buf value;
    size_t max; /* bytes */
} tui_field;

typedef struct tui_form {
    char *title;
    char *info[TUI_FORM_INFO]; /* display lines above the fields (already clean) */
    size_t ninfo;
    tui_field f[TUI_FORM_FIELDS];
    size_t n, focus;
    char err[LZ_ERR_MAX]; /* shown under the fields */
    const char *hint;
} tui_form;

enum tui_form_result { TUI_FORM_CONTINUE = 0, TUI_FORM_SUBMIT, TUI_FORM_CANCEL };

void tui_form_init(tui_form *f, const char *title);
void tui_form_info(tui_form *f, const char *clean_line);
void tui_form_field(tui_form *f, const char *label, const char *initial, size_t max);
const char *tui_form_value(const tui_form *f, size_t i);
enum tui_form_result tui_form_key(tui_form *f, int ch, bool fn);
void tui_form_draw(const tui_form *f, const tui_look *l);
void tui_form_free(tui_form *f);

#endif
