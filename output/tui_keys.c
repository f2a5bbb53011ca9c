/*
 * tui_keys.c - what each key does in each view of the TUI (see tui_app.h):
 * moving, opening, scoping, sorting, the `/` editor and search. The `e` and
 * `x` dialogs are in tui_dialogs.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tui_app.h"
#include "tui_exempt.h"
#include "tui_text.h"

/* Keys after folding synonyms (negative so they never equal a character). */
enum { K_UP = -100, K_DOWN, K_PGUP, K_PGDN, K_HOME, K_END, K_ENTER, K_BACK, K_LEFT, K_RIGHT, K_TAB, K_BTAB };

static int fold(int ch, bool fn) {
    if (fn) switch (ch) {
        case KEY_UP:
            return K_UP;
        case KEY_DOWN:
            return K_DOWN;
        case KEY_PPAGE:
            return K_PGUP;
        case KEY_NPAGE:
            return K_PGDN;
        case KEY_HOME:
            return K_HOME;
        case KEY_END:
            return K_END;
        case KEY_ENTER:
            return K_ENTER;
        case KEY_BACKSPACE:
            return K_BACK;
        case KEY_LEFT:
            return K_LEFT;
        case KEY_RIGHT:
            return K_RIGHT;
        case KEY_BTAB:
            return K_BTAB;
        default:
            return 0;
        }
    switch (ch) {
    case 'k':
        return K_UP;
    case 'j':
        return K_DOWN;
    case 2:
        return K_PGUP; /* Ctrl-B */
    case 6:
        return K_PGDN; /* Ctrl-F */
    case 'g':
        return K_HOME;
    case 'G':
        return K_END;
    case '\n':
    case '\r':
        return K_ENTER;
    case 27:
    case 127:
    case 8:
        return K_BACK;
    case 'h':
        return K_LEFT;
    case 'l':
        return K_RIGHT;
    case '\t':
        return K_TAB;
    default:
        return ch;
    }
}

void tui_app_say(tui_app *a, bool err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    a->msg_err = err;
}

void tui_app_say_clean(tui_app *a, bool err, const char *prefix, const char *raw) {
    lz_buf b = {0};
    lz_buf_puts(&b, prefix);
    tui_text_clean_str(&b, raw, 400);
    snprintf(a->msg, sizeof a->msg, "%s", lz_buf_cstr(&b));
    a->msg_err = err;
    lz_buf_free(&b);
}

static bool move_key(tui_cursor *c, int k, size_t n, size_t page) {
    switch (k) {
    case K_UP:
        tui_cursor_move(c, -1, n, page);
        return true;
    case K_DOWN:
        tui_cursor_move(c, 1, n, page);
        return true;
    case K_PGUP:
        tui_cursor_move(c, -(long)page, n, page);
        return true;
    case K_PGDN:
        tui_cursor_move(c, (long)page, n, page);
        return true;
    case K_HOME:
        tui_cursor_home(c);
        return true;
    case K_END:
        tui_cursor_end(c, n, page);
        return true;
    default:
        return false;
    }
}

static size_t page_of(const tui_app *a) {
    return (size_t)tui_app_page(a);
}

/* ---- opening things ---- */

void tui_app_open_finding(tui_app *a, size_t fi) {
    if (fi == SIZE_MAX) return;
    tui_detail_ctx c = {a->r, &a->tree, a->m.rows[fi].exempted ? a->exemptions : NULL};
    tui_detail_finding(&a->det, &c, fi, (size_t)(a->width > 4 ? a->width - 2 : 2));
    if (a->view != TV_DETAIL) a->back = a->view;
    a->view = TV_DETAIL;
}

static void open_resource(tui_app *a, inv_idx res) {
    tui_detail_ctx c = {a->r, &a->tree, NULL};
    tui_detail_resource(&a->det, &c, res, (size_t)(a->width > 4 ? a->width - 2 : 2));
    if (a->view != TV_DETAIL) a->back = a->view;
    a->view = TV_DETAIL;
}

/* The findings list restricted to what is under a tree node. */
static void scope_node(tui_app *a, uint32_t node) {
    if (node == TUI_NODE_NONE) return;
    uint8_t *in = lz_malloc(a->m.n ? a->m.n : 1);
    tui_tree_scope(&a->tree, node, in);
    static const char *const kind[] = {"", "management group", "subscription", "resource group", "resource"};
    const tui_node *nd = &a->tree.nodes[node];
    char label[300];
    snprintf(label, sizeof label, "%s %s", kind[nd->kind <= TN_RES ? nd->kind : 0],
             tui_tree_str(&a->tree, nd->label));
    tui_model_set_scope(&a->m, in, label);
    free(in);
    a->scope_from = a->view;
    a->view = TV_FINDINGS;
    tui_cursor_home(&a->m.cur);
}

static void scope_rule(tui_app *a, size_t k) {
    if (!a->r->pack || k >= a->r->pack->n) return;
    const rule *ru = a->r->pack->rules[k];
    uint8_t *in = lz_malloc(a->m.n ? a->m.n : 1);
    for (size_t i = 0; i < a->m.n; i++) in[i] = a->r->findings[i].rule == ru;
    lz_buf b = {0};
    lz_buf_puts(&b, "rule ");
    tui_text_clean_str(&b, ru->id, 60);
    tui_model_set_scope(&a->m, in, lz_buf_cstr(&b));
    lz_buf_free(&b);
    free(in);
    a->scope_from = TV_RULES;
    a->view = TV_FINDINGS;
    tui_cursor_home(&a->m.cur);
}

static void set_pattern(tui_app *a, const char *pattern) {
    lz_err e;
    if (tui_model_set_pattern(&a->m, pattern, &e) < 0) tui_app_say_clean(a, true, "filter: ", e.msg);
}

/* ---- search (n / N, and as `/` is typed outside the findings list) ---- */

static bool hit(const tui_app *a, const char *s) {
    return tui_filter_match(a->m.flt, s, strlen(s));
}

static bool rule_hit(const tui_app *a, size_t k) {
    const rule *ru = a->r->pack->rules[k];
    lz_buf b = {0};
    tui_text_clean_str(&b, ru->id, 80);
    lz_buf_putc(&b, '\t');
    tui_text_clean_str(&b, ru->title, 300);
    bool m = hit(a, lz_buf_cstr(&b));
    lz_buf_free(&b);
    return m;
}

static bool line_hit(const tui_app *a, size_t k) {
    const tui_line *ln = &a->det.lines[k];
    return hit(a, tui_detail_str(&a->det, ln->label)) || hit(a, tui_detail_str(&a->det, ln->text));
}

/* `from` as an index of a list of n (SIZE_MAX stands for -1: the last). */
static size_t wrap(size_t from, size_t n) {
    return from == SIZE_MAX ? n - 1 : from % n;
}

/* Index of the first item at or after `from` (before, when dir < 0),
 * wrapping around, that matches; SIZE_MAX if none. */
static size_t scan(const tui_app *a, size_t n, size_t from, int dir, bool (*is)(const tui_app *, size_t)) {
    if (!n) return SIZE_MAX;
    size_t start = wrap(from, n);
    for (size_t step = 0; step < n; step++) {
        size_t k = dir > 0 ? (start + step) % n : (start + n - step) % n;
        if (is(a, k)) return k;
    }
    return SIZE_MAX;
}

static bool dash_hit(const tui_app *a, size_t k) {
    lz_buf b = {0};
    int kind;
    tui_dash_text(a, k, &b, &kind);
    bool m = hit(a, lz_buf_cstr(&b));
    lz_buf_free(&b);
    return m;
}

static bool order_hit(const tui_app *a, size_t k) {
    return hit(a, tui_tree_str(&a->tree, a->tree.nodes[a->tree.order[k]].label));
}

/* Goes to the next match at or after (dir > 0) or before (dir < 0) the
 * position `from`; returns false when nothing matches. */
static bool search_from(tui_app *a, size_t from, int dir) {
    size_t k, page = page_of(a);
    switch (a->view) {
    case TV_DASH:
        if ((k = scan(a, tui_dash_items(a), from, dir, dash_hit)) == SIZE_MAX) return false;
        tui_cursor_set(&a->dash, k, tui_dash_items(a), page);
        return true;
    case TV_TREE:
        if ((k = scan(a, a->tree.n - 1, from, dir, order_hit)) == SIZE_MAX) return false;
        tui_tree_reveal(&a->tree, a->tree.order[k], page);
        return true;
    case TV_RULES:
        if (!a->r->pack || (k = scan(a, a->r->pack->n, from, dir, rule_hit)) == SIZE_MAX) return false;
        tui_cursor_set(&a->rules, k, a->r->pack->n, page);
        return true;
    case TV_DETAIL:
        if ((k = scan(a, a->det.n, from, dir, line_hit)) == SIZE_MAX) return false;
        a->det.top = k;
        return true;
    default: /* the findings list is filtered: every row matches */
        if (!a->m.nvis) return false;
        tui_cursor_set(&a->m.cur, wrap(from, a->m.nvis), a->m.nvis, page);
        return true;
    }
}

static size_t position(const tui_app *a) {
    switch (a->view) {
    case TV_DASH:
        return a->dash.cur;
    case TV_TREE: {
        uint32_t sel = tui_tree_selected(&a->tree);
        return sel == TUI_NODE_NONE ? 0 : a->tree.pos_in_order[sel];
    }
    case TV_RULES:
        return a->rules.cur;
    case TV_DETAIL:
        return a->det.top;
    default:
        return a->m.cur.cur;
    }
}

static void search_next(tui_app *a, int dir) {
    if (!tui_filter_active(a->m.flt)) {
        tui_app_say(a, false, "no pattern: press / to type one");
        return;
    }
    size_t pos = position(a);
    size_t from = dir > 0 ? pos + 1 : pos ? pos - 1 : SIZE_MAX;
    if (!search_from(a, from, dir)) tui_app_say(a, true, "no match");
}

/* ---- `/` ---- */

static void edit_apply(tui_app *a) {
    lz_err e;
    const char *pat = a->edit.data ? a->edit.data : "";
    if (tui_model_set_pattern(&a->m, pat, &e) < 0) {
        lz_buf b = {0};
        tui_text_clean_str(&b, e.msg, 200);
        snprintf(a->edit_err, sizeof a->edit_err, "%s", lz_buf_cstr(&b));
        lz_buf_free(&b);
        return;
    }
    a->edit_err[0] = '\0';
    size_t lim = tui_filter_limited(a->m.flt);
    if (lim) snprintf(a->edit_err, sizeof a->edit_err, "%zu rows hit the match limit (not shown)", lim);
    if (*pat && a->view != TV_FINDINGS && !search_from(a, a->search_origin, 1))
        snprintf(a->edit_err, sizeof a->edit_err, "no match");
}

static void edit_begin(tui_app *a) {
    a->editing = true;
    free(a->edit_saved);
    a->edit_saved = lz_strdup(tui_filter_pattern(a->m.flt));
    lz_buf_reset(&a->edit);
    lz_buf_puts(&a->edit, a->edit_saved);
    a->edit_err[0] = '\0';
    a->search_origin = position(a);
}

static void edit_backspace(tui_app *a) {
    lz_buf *b = &a->edit;
    if (!b->len) {
        a->editing = false; /* backspace on an empty pattern leaves the prompt */
        return;
    }
    while (b->len > 0 && (((unsigned char)b->data[--b->len]) & 0xC0) == 0x80) {
    }
    b->data[b->len] = '\0';
    edit_apply(a);
}

static void view_key(tui_app *a, int k);

/* While typing a pattern, letters are text (j, k, g... do not move); only
 * function keys navigate. */
static void edit_key(tui_app *a, int ch, bool fn) {
    if (fn) {
        int k = fold(ch, fn);
        if (k == K_ENTER)
            edit_key(a, '\n', false);
        else if (k == K_BACK)
            edit_backspace(a);
        else if (k == K_UP || k == K_DOWN || k == K_PGUP || k == K_PGDN)
            view_key(a, k);
        return;
    }
    if (ch == 27) { /* Esc: back to the pattern before editing */
        lz_buf_reset(&a->edit);
        lz_buf_puts(&a->edit, a->edit_saved ? a->edit_saved : "");
        edit_apply(a);
        a->editing = false;
    } else if (ch == '\n' || ch == '\r') {
        a->editing = false;
        if (a->edit_err[0] && strcmp(tui_filter_pattern(a->m.flt), a->edit.data ? a->edit.data : "") != 0)
            tui_app_say_clean(a, true, "the regex has an error; kept /", tui_filter_pattern(a->m.flt));
    } else if (ch == 127 || ch == 8) {
        edit_backspace(a);
    } else if (ch == 21) { /* Ctrl-U */
        lz_buf_reset(&a->edit);
        edit_apply(a);
    } else if (ch >= 0x20 && !(ch >= 0x7F && ch < 0xA0) && ch <= 0x10FFFF) {
        if (a->edit.len < 1000) tui_text_put_utf8(&a->edit, (unsigned)ch);
        edit_apply(a);
    }
}

/* ---- views ---- */

static void findings_key(tui_app *a, int k) {
    size_t page = page_of(a);
    if (move_key(&a->m.cur, k, a->m.nvis, page)) return;
    if (k == K_ENTER || k == K_RIGHT) {
        tui_app_open_finding(a, tui_model_selected(&a->m));
    } else if (k == K_BACK) {
        if (a->m.scope) {
            tui_model_set_scope(&a->m, NULL, NULL);
            a->view = a->scope_from;
        } else if (tui_filter_active(a->m.flt)) {
            set_pattern(a, "");
            tui_app_say(a, false, "filter cleared");
        }
    } else if (k == 's') {
        tui_model_set_sort(&a->m, (enum tui_sort)((a->m.sort + 1) % TUI_SORT__COUNT));
        tui_app_say(a, false, "sorted by %s", tui_sort_name(a->m.sort));
    } else if (k == 'b') {
        if (!a->r->baseline_path) {
            tui_app_say(a, true, "no baseline: start with --baseline PREVIOUS-REPORT");
            return;
        }
        tui_model_toggle_changed(&a->m);
        tui_app_say(a, false,
                    a->m.changed_only ? "only findings new or updated since the baseline" : "every finding");
    }
}

static void tree_key(tui_app *a, int k) {
    tui_tree *t = &a->tree;
    size_t page = page_of(a);
    if (move_key(&t->cur, k, t->nvis, page)) return;
    uint32_t sel = tui_tree_selected(t);
    if (sel == TUI_NODE_NONE) return;
    tui_node *nd = &t->nodes[sel];
    bool leaf = nd->first == TUI_NODE_NONE;
    if (k == K_ENTER && nd->kind == TN_RES) {
        open_resource(a, nd->res);
    } else if (k == K_ENTER || k == ' ') {
        if (!leaf) tui_tree_set_open(t, sel, !nd->open);
    } else if (k == K_RIGHT || k == '+') {
        if (!leaf && !nd->open)
            tui_tree_set_open(t, sel, true);
        else
            tui_cursor_move(&t->cur, 1, t->nvis, page);
    } else if (k == K_LEFT || k == '-') {
        if (!leaf && nd->open)
            tui_tree_set_open(t, sel, false);
        else if (nd->parent != 0)
            tui_tree_reveal(t, nd->parent, page);
    } else if (k == 'f') {
        scope_node(a, sel);
    }
}

static void detail_key(tui_app *a, int k) {
    tui_detail *d = &a->det;
    size_t page = page_of(a), max = d->n > page ? d->n - page : 0;
    switch (k) {
    case K_UP:
        d->top = d->top ? d->top - 1 : 0;
        break;
    case K_DOWN:
        d->top = d->top < max ? d->top + 1 : max;
        break;
    case K_PGUP:
        d->top = d->top > page ? d->top - page : 0;
        break;
    case K_PGDN:
        d->top = d->top + page < max ? d->top + page : max;
        break;
    case K_HOME:
        d->top = 0;
        break;
    case K_END:
        d->top = max;
        break;
    case 'J': { /* to the highlighted JSON (the offending path), else the JSON's start */
        size_t at = d->json_first;
        while (at < d->n && d->lines[at].kind != TL_JSON_HL) at++;
        if (at >= d->n) at = d->json_first;
        if (at != SIZE_MAX) d->top = at > 3 ? at - 3 : 0;
        d->top = d->top < max ? d->top : max;
        break;
    }
    case K_BACK:
    case K_LEFT:
        a->view = a->back;
        break;
    default:
        break;
    }
}

static void view_key(tui_app *a, int k) {
    size_t page = page_of(a);
    switch (a->view) {
    case TV_DASH:
        if (move_key(&a->dash, k, tui_dash_items(a), page)) return;
        if ((k == K_ENTER || k == 'f') && a->dash.cur < a->tree.ndash)
            scope_node(a, a->tree.dash[a->dash.cur]);
        break;
    case TV_FINDINGS:
        findings_key(a, k);
        break;
    case TV_TREE:
        tree_key(a, k);
        break;
    case TV_RULES:
        if (move_key(&a->rules, k, a->r->pack ? a->r->pack->n : 0, page)) return;
        if (k == K_ENTER || k == 'f') scope_rule(a, a->rules.cur);
        break;
    default:
        detail_key(a, k);
        break;
    }
}

static void switch_tab(tui_app *a, int dir) {
    enum tui_view from = a->view == TV_DETAIL ? a->back : a->view;
    a->view = (enum tui_view)((from + TV__TABS + dir) % TV__TABS);
}

static bool global_key(tui_app *a, int ch, int k) {
    switch (k) {
    case 'q':
        a->quit = true;
        return true;
    case '?':
        a->help = true;
        return true;
    case K_TAB:
        switch_tab(a, 1);
        return true;
    case K_BTAB:
        switch_tab(a, -1);
        return true;
    case '/':
        edit_begin(a);
        return true;
    case 'n':
        search_next(a, 1);
        return true;
    case 'N':
        search_next(a, -1);
        return true;
    case 'e':
        tui_dialog_exempt(a);
        return true;
    case 'x':
        tui_dialog_export(a);
        return true;
    case '1':
    case '2':
    case '3':
    case '4': {
        enum rule_severity s = (enum rule_severity)(SEV_CRITICAL - (ch - '1'));
        tui_model_toggle_severity(&a->m, s);
        tui_app_say(a, false, "%s findings %s", rule_severity_name(s),
                    (a->m.sev_on >> s) & 1u ? "shown" : "hidden");
        return true;
    }
    default:
        return false;
    }
}

void tui_app_key(tui_app *a, int ch, bool fn) {
    if (fn && ch == KEY_RESIZE) return; /* the next draw uses the new size */
    a->msg[0] = '\0';
    if (a->form_kind != TF_NONE) {
        tui_dialog_key(a, ch, fn);
        return;
    }
    if (a->help) { /* any key closes the help */
        a->help = false;
        return;
    }
    if (a->editing) {
        edit_key(a, ch, fn);
        return;
    }
    int k = fold(ch, fn);
    if (!global_key(a, ch, k)) view_key(a, k);
}

/* ---- life cycle ---- */

void tui_app_init(tui_app *a, report *r, const tui_options *o) {
    memset(a, 0, sizeof *a);
    a->r = r;
    a->exemptions = o && o->exemptions ? o->exemptions : TUI_EXEMPTIONS_DEFAULT;
    tui_tree_build(&a->tree, r);
    tui_model_build(&a->m, r, tui_tree_sub_label, &a->tree);
    a->view = TV_DASH;
    a->back = TV_FINDINGS;
    a->width = 80;
    a->height = 24;
}

void tui_app_screen(tui_app *a, bool no_color, bool utf8) {
    tui_look_init(&a->look, no_color, utf8);
}

void tui_app_free(tui_app *a) {
    tui_model_free(&a->m);
    tui_tree_free(&a->tree);
    tui_detail_free(&a->det);
    tui_form_free(&a->form);
    lz_buf_free(&a->edit);
    free(a->edit_saved);
    memset(a, 0, sizeof *a);
}
