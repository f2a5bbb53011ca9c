/*
 * tui_app.h - the TUI's state and its two entry points, a key and a redraw,
 * shared by the terminal loop (tui.c) and the benchmark, which drives the
 * same code on a headless screen. Private to output/tui*.c and the bench.
 *
 * Ownership: the app borrows the report and owns every model, the form and
 * the strings it holds (tui_app_free).
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdbool.h>

#include "tui.h"
#include "tui_detail.h"
#include "tui_draw.h"
#include "tui_form.h"
#include "tui_model.h"
#include "tui_tree.h"

enum tui_view { TV_DASH = 0, TV_FINDINGS, TV_TREE, TV_RULES, TV__TABS, TV_DETAIL = TV__TABS };

enum tui_form_kind { TF_NONE = 0, TF_EXEMPT, TF_EXPORT };

typedef struct tui_app {
    report *r;
    const char *exemptions;
    tui_look look;
    tui_model m;
    tui_tree tree;
    tui_cursor dash, rules;
    tui_detail det;
    enum tui_view view, back; /* back: where Esc from the detail goes */
    enum tui_view scope_from; /* where Esc from a scoped findings list goes */
    bool help;
    /* `/` editing: the text typed, the pattern before editing, the error */
    bool editing;
    lz_buf edit;
    char *edit_saved;
    size_t search_origin;
    char edit_err[LZ_ERR_MAX];
    /* the modal form */
    tui_form form;
    enum tui_form_kind form_kind;
    size_t form_finding;
    /* one-line message in the status bar, until the next key */
    char msg[LZ_ERR_MAX];
    bool msg_err;
    bool quit;
    int width, height; /* the screen at the last draw */
} tui_app;

/* Builds every model (no terminal needed). */
void tui_app_init(tui_app *a, report *r, const tui_options *o);
/* After curses is up: colours and glyphs. */
void tui_app_screen(tui_app *a, bool no_color, bool utf8);
void tui_app_free(tui_app *a);
/* Handles one key: ch is a character, or a curses KEY_* code when fn. */
void tui_app_key(tui_app *a, int ch, bool fn);
/* Draws the whole screen into stdscr (the caller refreshes). */
void tui_app_draw(tui_app *a);

/* A one-line message in the status bar until the next key; _clean makes
 * untrusted raw text (paths, errors naming files) safe first. */
void tui_app_say(tui_app *a, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_app_say_clean(tui_app *a, bool err, const char *prefix, const char *raw);
/* Opens a finding's detail page (remembering where Esc goes back to). */
void tui_app_open_finding(tui_app *a, size_t finding);

/* The dialogs (tui_dialogs.c): `e`, `x`, and every key while one is open. */
void tui_dialog_exempt(tui_app *a);
void tui_dialog_export(tui_app *a);
void tui_dialog_key(tui_app *a, int ch, bool fn);

/* Body rows of list views at the current screen size. */
int tui_app_page(const tui_app *a);
/* Rows of the dashboard's list: posture rows, then coverage gaps and notes. */
size_t tui_dash_items(const tui_app *a);
/* A dashboard row's display text (for drawing and search); *kind: 0 posture,
 * 1 coverage gap, 2 note, 3 resolved finding. */
void tui_dash_text(const tui_app *a, size_t item, lz_buf *b, int *kind);

#endif
