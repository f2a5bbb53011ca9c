/*
 * tui_views.c - drawing every view of the TUI (see tui_app.h): the tab bar,
 * the dashboard, the findings list, the hierarchy tree, the rules, the
 * detail page, the help and the status line. Only visible rows are drawn,
 * from strings computed once.
 */
#include <stdio.h>
#include <string.h>

#include "tui_app.h"
#include "tui_text.h"

enum { SUMMARY_ROWS = 10, NUMW = 5 };

static const char *const tab_names[TV__TABS] = {"Dashboard", "Findings", "Tree", "Rules"};

int tui_app_page(const tui_app *a) {
    int page = a->height - 3; /* tab bar, column header, status line */
    if (a->view == TV_DASH) page -= a->height >= 20 ? SUMMARY_ROWS : 3;
    if (a->view == TV_DETAIL) page += 1; /* no column header */
    return page < 1 ? 1 : page;
}

static void num(int y, int x, unsigned long n, attr_t a, attr_t zero) {
    char b[24];
    snprintf(b, sizeof b, "%lu", n);
    tui_put_right(y, x, b, NUMW - 1, n ? a : zero);
}

/* ---- frame ---- */

static void tabs(tui_app *a) {
    const tui_look *l = &a->look;
    tui_fill(0, 0, a->width, l->title);
    int x = tui_put(0, 1, "lzscan", 8, l->title | A_BOLD) + 3;
    enum tui_view on = a->view == TV_DETAIL ? a->back : a->view;
    for (int v = 0; v < TV__TABS && x < a->width; v++) {
        char b[32];
        snprintf(b, sizeof b, " %s ", tab_names[v]);
        x += tui_put(0, x, b, a->width - x, v == (int)on ? l->tab_on : l->title) + 1;
    }
    if (a->view == TV_DETAIL) x += tui_put(0, x, " > Detail ", a->width - x, l->tab_on);
    tui_put_right(0, x, "?:help  q:quit ", a->width - x, l->title);
}

static void status_right(tui_app *a, lz_buf *b) {
    tui_model *m = &a->m;
    switch (a->view) {
    case TV_FINDINGS: {
        char sev[5] = "CHML";
        for (int s = SEV_CRITICAL, i = 0; s >= SEV_LOW; s--, i++)
            if (!((m->sev_on >> s) & 1u)) sev[i] = '-';
        lz_buf_printf(b, "%s%zu/%zu  sort:%s  sev:%s ", m->changed_only ? "new/updated only  " : "",
                      m->nvis ? m->cur.cur + 1 : 0, m->nvis, tui_sort_name(m->sort), sev);
        break;
    }
    case TV_DETAIL:
        lz_buf_printf(b, "line %zu/%zu ", a->det.n ? a->det.top + 1 : 0, a->det.n);
        break;
    case TV_TREE:
        lz_buf_printf(b, "%zu/%zu ", a->tree.nvis ? a->tree.cur.cur + 1 : 0, a->tree.nvis);
        break;
    default:
        break;
    }
}

static void status(tui_app *a) {
    const tui_look *l = &a->look;
    int y = a->height - 1, w = a->width;
    tui_fill(y, 0, w, A_NORMAL);
    lz_buf right = {0};
    status_right(a, &right);
    int rw = (int)tui_text_width(lz_buf_cstr(&right), right.len);
    if (rw > w / 2) rw = w / 2;
    tui_put_right(y, w - rw, lz_buf_cstr(&right), rw, l->dim);
    lz_buf_free(&right);
    int lw = w - rw - 1;
    if (a->editing) {
        lz_buf shown = {0};
        tui_text_clean(&shown, a->edit.data ? a->edit.data : "", a->edit.len, 0);
        int x = tui_put(y, 0, "/", lw, A_BOLD);
        x += tui_put(y, x, lz_buf_cstr(&shown), lw - x, A_NORMAL);
        int cx = x;
        if (a->edit_err[0]) {
            x += tui_put(y, x, "  ", lw - x, A_NORMAL);
            tui_put(y, x, a->edit_err, lw - x, l->err);
        }
        move(y, cx < w ? cx : w - 1);
        lz_buf_free(&shown);
        return;
    }
    if (a->msg[0]) {
        tui_put(y, 0, a->msg, lw, a->msg_err ? l->err : l->ok | A_BOLD);
        return;
    }
    const char *hint = a->view == TV_FINDINGS ? "Enter open  / filter  s sort  1-4 sev  e exempt  x export"
                       : a->view == TV_TREE   ? "Enter open  Space toggle  f findings  / search  x export"
                       : a->view == TV_DETAIL ? "j/k scroll  n/N next match  e exempt  x export  Esc back"
                                              : "Enter open  Tab views  / search  x export";
    int x = 0;
    if (a->m.scope_label && (a->view == TV_FINDINGS)) {
        char b[200];
        snprintf(b, sizeof b, "[%s] ", a->m.scope_label);
        x = tui_put(y, 0, b, lw, l->hl);
    }
    tui_put(y, x, hint, lw - x, l->dim);
}

/* ---- dashboard ---- */

static size_t gaps_of(const tui_app *a, const inv_gap **g) {
    return a->r->inv ? inv_gaps(a->r->inv, g) : 0;
}

static size_t notes_of(const tui_app *a, char *const **n) {
    return a->r->inv ? inv_notes(a->r->inv, n) : 0;
}

size_t tui_dash_items(const tui_app *a) {
    const inv_gap *g;
    char *const *n;
    return a->tree.ndash + gaps_of(a, &g) + notes_of(a, &n) + a->r->nresolved;
}

static void summary(tui_app *a, int *y) {
    const tui_look *l = &a->look;
    const report *r = a->r;
    lz_buf b = {0};
    lz_buf_puts(&b, "Pack ");
    tui_text_clean_str(&b, r->pack ? r->pack->name : "?", 40);
    lz_buf_putc(&b, ' ');
    tui_text_clean_str(&b, r->pack ? r->pack->version : "", 20);
    lz_buf_printf(&b, " (%zu rules)   %zu objects   inputs: ", r->pack ? r->pack->n : 0,
                  r->inv ? inv_count(r->inv) : 0);
    for (size_t i = 0; i < r->ninputs; i++) {
        if (i) lz_buf_puts(&b, ", ");
        tui_text_clean_str(&b, r->inputs[i], 80);
    }
    tui_put(*y, 1, lz_buf_cstr(&b), a->width - 2, A_NORMAL);
    lz_buf_reset(&b);
    (*y)++;
    int x = tui_put(*y, 1, "Results ", a->width - 2, A_BOLD) + 1;
    static const enum result_status order[] = {RS_FAIL, RS_UNKNOWN, RS_EXEMPT, RS_PASS, RS_NOT_APPLICABLE};
    for (int k = 0; k < 5; k++) {
        lz_buf_printf(&b, " %s %zu ", result_status_name(order[k]), report_total(r, order[k]));
        x += tui_put(*y, x, lz_buf_cstr(&b), a->width - x - 1, tui_status_attr(l, order[k]));
        lz_buf_reset(&b);
    }
    const inv_gap *g;
    size_t ng = gaps_of(a, &g);
    if (ng)
        lz_buf_printf(&b, "   Coverage: INCOMPLETE, %zu gap%s (below)", ng, ng == 1 ? "" : "s");
    else
        lz_buf_puts(&b, "   Coverage: complete");
    tui_put(*y, x, lz_buf_cstr(&b), a->width - x - 1, ng ? l->err : l->ok);
    lz_buf_reset(&b);
    (*y)++;
    if (r->baseline_path) {
        lz_buf_puts(&b, "Baseline ");
        tui_text_clean_str(&b, r->baseline_path, 60);
        lz_buf_printf(&b, ": %zu new, %zu updated, %zu unchanged, %zu resolved%s",
                      report_baseline_count(r, BS_NEW), report_baseline_count(r, BS_UPDATED),
                      report_baseline_count(r, BS_UNCHANGED), r->nresolved,
                      r->nresolved ? " (listed below)" : "");
        tui_put(*y, 1, lz_buf_cstr(&b), a->width - 2, A_BOLD);
    }
    lz_buf_free(&b);
    (*y)++;
    if (a->height < 20) return;
    /* The tree's root holds every finding's counts: no pass over 100,000 findings per frame. */
    const tui_node *root = &a->tree.nodes[0];
    unsigned long max = 1, n[SEV_CRITICAL + 1];
    for (int s = SEV_LOW; s <= SEV_CRITICAL; s++)
        if ((n[s] = root->fail[s]) > max) max = n[s];
    tui_put((*y)++, 1, "Failing by severity", a->width - 2, l->head);
    for (int s = SEV_CRITICAL; s >= SEV_LOW; s--, (*y)++) {
        tui_put(*y, 3, rule_severity_name((enum rule_severity)s), 9, l->sev[s]);
        num(*y, 12, n[s], l->sev[s], l->dim);
        tui_bar(l, *y, 18, a->width - 20, (double)n[s] / (double)max, l->sev[s]);
    }
    (*y)++;
}

static void counts_header(int y, int x, const tui_look *l, bool res) {
    static const char *const h[] = {"crit", "high", "med", "low", "unk", "res"};
    for (int i = 0; i < (res ? 6 : 5); i++) tui_put_right(y, x + i * NUMW, h[i], NUMW - 1, l->head);
}

static void node_counts(const tui_app *a, int y, int x, const tui_node *nd, bool res, attr_t sel) {
    const tui_look *l = &a->look;
    for (int s = SEV_CRITICAL, i = 0; s >= SEV_LOW; s--, i++)
        num(y, x + i * NUMW, nd->fail[s], sel | l->sev[s], sel | l->dim);
    num(y, x + 4 * NUMW, nd->unknown, sel | l->unknown, sel | l->dim);
    if (res) num(y, x + 5 * NUMW, nd->nres, sel, sel | l->dim);
}

/* Label of a node with its tree indentation and kind tag. */
static void node_label(const tui_app *a, const tui_node *nd, uint32_t id, lz_buf *b, bool glyph) {
    static const char *const tag[] = {"", "mg ", "sub ", "rg ", ""};
    for (int i = 1; i < nd->depth; i++) lz_buf_puts(b, "  ");
    if (glyph) {
        lz_buf_puts(b, nd->first == TUI_NODE_NONE ? a->look.leaf : nd->open ? a->look.open : a->look.closed);
        lz_buf_putc(b, ' ');
    }
    lz_buf_puts(b, tag[nd->kind <= TN_RES ? nd->kind : 0]);
    lz_buf_puts(b, tui_tree_str(&a->tree, nd->label));
    (void)id;
}

/* The text of a dashboard row below the posture table (a coverage gap, a
 * note, a resolved finding); its kind's attribute in *kind. */
void tui_dash_text(const tui_app *a, size_t item, lz_buf *b, int *kind) {
    const inv_gap *g;
    char *const *notes;
    size_t ng = gaps_of(a, &g), nn = notes_of(a, &notes), k = item - a->tree.ndash;
    if (item < a->tree.ndash) {
        const tui_node *nd = &a->tree.nodes[a->tree.dash[item]];
        node_label(a, nd, a->tree.dash[item], b, false);
        *kind = 0;
    } else if (k < ng) {
        lz_buf_puts(b, "gap: ");
        tui_text_clean_str(b, g[k].scope && *g[k].scope ? g[k].scope : "(everything)", 120);
        lz_buf_puts(b, " ");
        tui_text_clean_str(b, g[k].type && *g[k].type ? g[k].type : "(all types)", 80);
        lz_buf_puts(b, ": ");
        tui_text_clean_str(b, g[k].reason, 300);
        *kind = 1;
    } else if (k < ng + nn) {
        lz_buf_puts(b, "note: ");
        tui_text_clean_str(b, notes[k - ng], 300);
        *kind = 2;
    } else if (k - ng - nn < a->r->nresolved) { /* a finding of the baseline this run no longer has */
        const report_prior *p = &a->r->resolved[k - ng - nn];
        lz_buf_puts(b, "resolved: ");
        tui_text_clean_str(b, p->rule_id, 60);
        lz_buf_puts(b, " ");
        tui_text_clean_str(b, p->severity, 20);
        lz_buf_puts(b, "  ");
        const char *slash = p->resource_id ? strrchr(p->resource_id, '/') : NULL;
        tui_text_clean_str(b, slash ? slash + 1 : p->resource_id, 120);
        lz_buf_puts(b, "  ");
        tui_text_clean_str(b, p->resource_id, 0);
        *kind = 3;
    }
}

static void dash_row(tui_app *a, int y, size_t item, bool selected) {
    const tui_look *l = &a->look;
    attr_t sel = selected ? l->sel : 0;
    int w = a->width, cx = w - 5 * NUMW - 12, kind = 0;
    tui_fill(y, 0, w, sel);
    lz_buf b = {0};
    tui_dash_text(a, item, &b, &kind);
    if (item < a->tree.ndash) {
        const tui_node *nd = &a->tree.nodes[a->tree.dash[item]];
        tui_put(y, 1, lz_buf_cstr(&b), cx - 2, sel | (nd->kind == TN_MG ? A_BOLD : 0));
        node_counts(a, y, cx, nd, false, sel);
        unsigned long max = tui_tree_failing(&a->tree.nodes[0]);
        tui_bar(l, y, cx + 5 * NUMW + 1, 10, max ? (double)tui_tree_failing(nd) / (double)max : 0,
                sel | l->bar);
    } else {
        const attr_t at[] = {0, l->unknown, l->dim, l->ok};
        tui_put(y, 1, lz_buf_cstr(&b), w - 2, sel | at[kind]);
    }
    lz_buf_free(&b);
}

static void draw_dash(tui_app *a) {
    int y = 1;
    summary(a, &y);
    int cx = a->width - 5 * NUMW - 12;
    tui_put(y, 1, "Posture by management group and subscription (failing)", cx - 2, a->look.head);
    counts_header(y, cx, &a->look, false);
    y++;
    size_t n = tui_dash_items(a), page = (size_t)tui_app_page(a);
    tui_cursor_fix(&a->dash, n, page);
    for (size_t k = a->dash.top; k < n && k < a->dash.top + page; k++, y++)
        dash_row(a, y, k, k == a->dash.cur);
    if (!n) tui_put(y, 1, "(no subscriptions in the input)", a->width - 2, a->look.dim);
}

/* ---- findings ---- */

typedef struct cols {
    int sev, st, rule, name, sub, msg; /* x positions */
    int wst, wrule, wname, wsub, wmsg;
} cols;

/* With a baseline the status column also says new / upd. */
static cols layout(int w, bool base) {
    int shift = base ? 4 : 0;
    cols c = {.sev = 1, .st = 6, .wst = 8 + shift, .rule = 15 + shift, .wrule = 14};
    int rest = w - 30 - shift;
    if (rest < 10) rest = 10;
    c.name = 30 + shift;
    if (w >= 120) {
        c.wname = rest * 3 / 10;
        c.wsub = rest * 2 / 10;
        c.wmsg = rest - c.wname - c.wsub - 2;
    } else {
        c.wname = rest / 2;
        c.wsub = rest - c.wname - 1;
    }
    c.sub = c.name + c.wname + 1;
    c.msg = c.sub + c.wsub + 1;
    return c;
}

static void findings_header(tui_app *a, const cols *c) {
    const tui_look *l = &a->look;
    const char *mark = a->look.utf8 ? "\u25bc" : "v";
    struct {
        int x, w;
        const char *name;
        enum tui_sort key;
    } h[] = {{c->sev, 4, "SEV", TUI_SORT_SEVERITY},
             {c->st, c->wst, "STATUS", TUI_SORT_STATUS},
             {c->rule, c->wrule, "RULE", TUI_SORT_RULE},
             {c->name, c->wname, "RESOURCE", TUI_SORT_NAME},
             {c->sub, c->wsub, "SUBSCRIPTION", TUI_SORT_SUBSCRIPTION}};
    for (size_t i = 0; i < 5; i++) {
        int x = h[i].x + tui_put(1, h[i].x, h[i].name, h[i].w, l->head);
        if (h[i].key == a->m.sort) tui_put(1, x, mark, 1, l->head);
    }
    if (c->wmsg > 0) tui_put(1, c->msg, "MESSAGE", c->wmsg, l->head);
}

static void finding_row(tui_app *a, int y, const cols *c, uint32_t i, bool selected) {
    const tui_look *l = &a->look;
    const tui_model *m = &a->m;
    const tui_row *row = &m->rows[i];
    attr_t sel = selected ? l->sel : 0;
    tui_fill(y, 0, a->width, sel);
    tui_put(y, c->sev, tui_sev_short(row->sev), 4, sel | l->sev[row->sev <= SEV_CRITICAL ? row->sev : 0]);
    const char *st = row->exempted ? "exempt*" : result_status_name((enum result_status)row->status);
    int x = c->st + tui_put(y, c->st, st, c->wst,
                            sel | (row->exempted ? l->exempt : tui_status_attr(l, row->status)));
    if (row->base == BS_NEW || row->base == BS_UPDATED)
        tui_put(y, x + 1, row->base == BS_NEW ? "new" : "upd", c->st + c->wst - x - 1, sel | A_BOLD);
    tui_put(y, c->rule, tui_model_str(m, row->rule), c->wrule, sel);
    tui_put(y, c->name, tui_model_str(m, row->name), c->wname, sel | A_BOLD);
    tui_put(y, c->sub, tui_model_str(m, row->sub), c->wsub, sel);
    if (c->wmsg > 0) tui_put(y, c->msg, tui_model_str(m, row->msg), c->wmsg, sel | l->dim);
}

static void draw_findings(tui_app *a) {
    cols c = layout(a->width, a->r->baseline_path != NULL);
    findings_header(a, &c);
    tui_model *m = &a->m;
    size_t page = (size_t)tui_app_page(a);
    tui_cursor_fix(&m->cur, m->nvis, page);
    int y = 2;
    for (size_t k = m->cur.top; k < m->nvis && k < m->cur.top + page; k++, y++)
        finding_row(a, y, &c, m->vis[k], k == m->cur.cur);
    if (!m->nvis)
        tui_put(y, 1,
                m->n ? "No finding matches (Esc clears the filter and scope; 1-4 toggle severities)"
                     : "No findings.",
                a->width - 2, a->look.dim);
}

/* ---- tree ---- */

static void tree_row(tui_app *a, int y, uint32_t id, bool selected) {
    const tui_look *l = &a->look;
    const tui_node *nd = &a->tree.nodes[id];
    attr_t sel = selected ? l->sel : 0;
    int cx = a->width - 6 * NUMW - 1;
    tui_fill(y, 0, a->width, sel);
    lz_buf b = {0};
    node_label(a, nd, id, &b, true);
    int x = 1 + tui_put(y, 1, lz_buf_cstr(&b), cx - 2, sel | (nd->kind < TN_RG ? A_BOLD : 0));
    if (nd->kind == TN_RES) tui_put(y, x + 2, tui_tree_str(&a->tree, nd->type), cx - x - 3, sel | l->dim);
    node_counts(a, y, cx, nd, true, sel);
    lz_buf_free(&b);
}

static void draw_tree(tui_app *a) {
    int cx = a->width - 6 * NUMW - 1;
    tui_put(1, 1, "Management group > subscription > resource group > resource", cx - 2, a->look.head);
    counts_header(1, cx, &a->look, true);
    tui_tree *t = &a->tree;
    size_t page = (size_t)tui_app_page(a);
    tui_cursor_fix(&t->cur, t->nvis, page);
    int y = 2;
    for (size_t k = t->cur.top; k < t->nvis && k < t->cur.top + page; k++, y++)
        tree_row(a, y, t->vis[k], k == t->cur.cur);
    if (!t->nvis) tui_put(y, 1, "(the input holds no resources)", a->width - 2, a->look.dim);
}

/* ---- rules ---- */

static void draw_rules(tui_app *a) {
    const tui_look *l = &a->look;
    const report *r = a->r;
    size_t n = r->pack ? r->pack->n : 0, page = (size_t)tui_app_page(a);
    static const char *const h[] = {"pass", "fail", "unk", "exem", "n/a"};
    static const enum result_status order[] = {RS_PASS, RS_FAIL, RS_UNKNOWN, RS_EXEMPT, RS_NOT_APPLICABLE};
    int cx = 25;
    tui_put(1, 1, "RULE", 14, l->head);
    tui_put(1, 16, "SEV", 8, l->head);
    for (int i = 0; i < 5; i++) tui_put_right(1, cx + i * NUMW, h[i], NUMW - 1, l->head);
    tui_put(1, cx + 5 * NUMW + 1, "TITLE", a->width - cx - 5 * NUMW - 2, l->head);
    tui_cursor_fix(&a->rules, n, page);
    int y = 2;
    for (size_t k = a->rules.top; k < n && k < a->rules.top + page; k++, y++) {
        const rule *ru = r->pack->rules[k];
        attr_t sel = k == a->rules.cur ? l->sel : 0;
        tui_fill(y, 0, a->width, sel);
        lz_buf b = {0};
        tui_text_clean_str(&b, ru->id, 40);
        tui_put(y, 1, lz_buf_cstr(&b), 14, sel | A_BOLD);
        tui_put(y, 16, rule_severity_name(ru->severity), 8, sel | l->sev[ru->severity]);
        for (int i = 0; i < 5; i++)
            num(y, cx + i * NUMW, r->counts[k].by_status[order[i]], sel | tui_status_attr(l, order[i]),
                sel | l->dim);
        lz_buf_reset(&b);
        tui_text_clean_str(&b, ru->title, 300);
        tui_put(y, cx + 5 * NUMW + 1, lz_buf_cstr(&b), a->width - cx - 5 * NUMW - 2, sel);
        lz_buf_free(&b);
    }
    if (!n) tui_put(y, 1, "(no rules)", a->width - 2, l->dim);
}

/* ---- detail ---- */

static attr_t line_attr(const tui_look *l, const tui_line *ln) {
    switch (ln->kind) {
    case TL_TITLE:
        return A_BOLD | l->sev[ln->sev <= SEV_CRITICAL ? ln->sev : 0];
    case TL_HEAD:
        return l->head | A_UNDERLINE;
    case TL_SEV:
        return l->sev[ln->sev <= SEV_CRITICAL ? ln->sev : 0];
    case TL_EVIDENCE:
        return A_BOLD;
    case TL_JSON_HL:
        return l->hl;
    case TL_DIM:
        return l->dim;
    default:
        return A_NORMAL;
    }
}

static void draw_detail(tui_app *a) {
    tui_detail *d = &a->det;
    size_t page = (size_t)tui_app_page(a);
    if (d->top + page > d->n) d->top = d->n > page ? d->n - page : 0;
    int y = 1;
    for (size_t k = d->top; k < d->n && k < d->top + page; k++, y++) {
        const tui_line *ln = &d->lines[k];
        const char *label = tui_detail_str(d, ln->label), *text = tui_detail_str(d, ln->text);
        attr_t at = line_attr(&a->look, ln);
        bool wide = ln->kind == TL_TITLE || ln->kind == TL_HEAD || ln->kind == TL_JSON ||
                    ln->kind == TL_JSON_HL || (ln->kind == TL_SEV && !*label);
        if (ln->kind == TL_HEAD) {
            tui_put(y, 1, label, a->width - 2, at);
            continue;
        }
        if (*label) tui_put(y, 1, label, TUI_DETAIL_LABEL - 1, a->look.dim | A_BOLD);
        int x = wide ? 1 : 1 + TUI_DETAIL_LABEL;
        if (ln->kind == TL_JSON_HL) { /* mark the text, not its indentation */
            int ind = (int)strspn(text, " ");
            text += ind;
            x += ind;
        }
        tui_put(y, x, text, a->width - x - 1, at);
    }
}

/* ---- help ---- */

static const char *const help_lines[] = {
    "Views     Tab / Shift-Tab   dashboard, findings, tree, rules",
    "Move      Up/Down j/k  PgUp/PgDn  Home/End g/G",
    "Open      Enter             detail of a finding or resource; scope the",
    "                            findings to a management group, subscription",
    "                            or rule from the dashboard, tree (f) or rules",
    "Back      Esc / Backspace   back; clears the scope, then the filter",
    "Filter    /                 PCRE2 regex over rule, name, id and message",
    "                            (any case, as you type; Enter keeps, Esc undoes)",
    "Match     n / N             next / previous match",
    "Sort      s                 severity, rule, name, subscription, status",
    "Severity  1 2 3 4           show/hide critical, high, medium, low",
    "Tree      Right/l Left/h    expand / collapse; Space toggles",
    "Exempt    e                 justification, owner, ticket, expiry: appended",
    "                            to the exemptions file",
    "Export    x                 the current view as CSV or JSON",
    "Quit      q                 (Ctrl-C too)",
};

static void draw_help(tui_app *a) {
    const tui_look *l = &a->look;
    int n = (int)(sizeof help_lines / sizeof *help_lines), w = 82 < a->width - 2 ? 82 : a->width - 2;
    int h = n + 5 < a->height - 2 ? n + 5 : a->height - 2, y0 = (a->height - h) / 2, x0 = (a->width - w) / 2;
    tui_panel(y0, x0, h, w);
    tui_put(y0, x0 + 2, " Keys (any key closes) ", w - 4, A_BOLD);
    for (int i = 0; i < n && i < h - 4; i++) tui_put(y0 + 2 + i, x0 + 2, help_lines[i], w - 4, A_NORMAL);
    char b[LZ_ERR_MAX + 32];
    lz_buf p = {0};
    tui_text_clean_str(&p, a->exemptions, 200);
    snprintf(b, sizeof b, "Exemptions file: %s", lz_buf_cstr(&p));
    lz_buf_free(&p);
    if (h >= n + 5) tui_put(y0 + h - 2, x0 + 2, b, w - 4, l->dim);
}

/* ---- everything ---- */

void tui_app_draw(tui_app *a) {
    a->width = COLS;
    a->height = LINES;
    erase();
    if (a->width < 40 || a->height < 10) {
        mvaddnstr(0, 0, "lzscan: the terminal is too small (at least 40x10; 80x24 is best)", a->width);
        return;
    }
    tabs(a);
    switch (a->view) {
    case TV_DASH:
        draw_dash(a);
        break;
    case TV_FINDINGS:
        draw_findings(a);
        break;
    case TV_TREE:
        draw_tree(a);
        break;
    case TV_RULES:
        draw_rules(a);
        break;
    default:
        draw_detail(a);
        break;
    }
    if (a->help) draw_help(a);
    if (a->form_kind != TF_NONE) tui_form_draw(&a->form, &a->look);
    if (a->form_kind == TF_NONE) status(a);
    curs_set(a->editing || a->form_kind != TF_NONE ? 1 : 0);
}
