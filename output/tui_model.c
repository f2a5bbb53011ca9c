/*
 * tui_model.c - see tui_model.h.
 */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/u32map.h"
#include "out_common.h"
#include "tui_text.h"

enum { CAP_TEXT = 300 }; /* characters kept of a message or title for the list and the filter */

/* ---- cursor ---- */

void tui_cursor_fix(tui_cursor *c, size_t n, size_t page) {
    if (page == 0) page = 1;
    if (n == 0) {
        c->cur = c->top = 0;
        return;
    }
    if (c->cur >= n) c->cur = n - 1;
    if (c->top > c->cur) c->top = c->cur;
    if (c->cur >= c->top + page) c->top = c->cur - page + 1;
    if (c->top + page > n) c->top = n > page ? n - page : 0; /* no empty space below the last row */
}

void tui_cursor_move(tui_cursor *c, long delta, size_t n, size_t page) {
    if (delta < 0 && (size_t)(-delta) > c->cur)
        c->cur = 0;
    else
        c->cur = (size_t)((long)c->cur + delta);
    tui_cursor_fix(c, n, page);
}

void tui_cursor_home(tui_cursor *c) {
    c->cur = c->top = 0;
}

void tui_cursor_end(tui_cursor *c, size_t n, size_t page) {
    c->cur = n ? n - 1 : 0;
    tui_cursor_fix(c, n, page);
}

void tui_cursor_set(tui_cursor *c, size_t i, size_t n, size_t page) {
    c->cur = i;
    tui_cursor_fix(c, n, page);
}

/* ---- rows ---- */

static const char *const sort_names[TUI_SORT__COUNT] = {"severity", "rule", "name", "subscription", "status"};

const char *tui_sort_name(enum tui_sort s) {
    return s < TUI_SORT__COUNT ? sort_names[s] : "?";
}

/* Appends the display form of s to the arena; returns its offset. */
static uint32_t put(tui_model *m, const char *s, size_t cap) {
    uint32_t off = (uint32_t)m->arena.len;
    tui_text_clean_str(&m->arena, s ? s : "", cap);
    lz_buf_putc(&m->arena, '\0');
    return off;
}

/* Strings shared by many rows are stored once. */
typedef struct build_ctx {
    const rule *last_rule;
    uint32_t rule_off, title_off;
    u32map subs; /* subscription atom -> label offset */
    tui_sub_label_fn sub_label;
    void *sub_ctx;
} build_ctx;

static void rule_strings(tui_model *m, build_ctx *b, const rule *ru, tui_row *row) {
    if (ru != b->last_rule) {
        b->last_rule = ru;
        b->rule_off = put(m, ru ? ru->id : "?", 80);
        b->title_off = put(m, ru ? ru->title : "", CAP_TEXT);
    }
    row->rule = b->rule_off;
    row->title = b->title_off;
}

static uint32_t sub_string(tui_model *m, build_ctx *b, const char *sub) {
    if (!sub) return put(m, "", 0);
    const jv_store *st = m->r->inv ? inv_cstore(m->r->inv) : NULL;
    jv_atom a = st ? jv_lookup_atom(st, sub, strlen(sub)) : 0;
    uint32_t off;
    if (a && u32map_get(&b->subs, a, &off)) return off;
    const char *label = b->sub_label ? b->sub_label(sub, b->sub_ctx) : NULL;
    off = put(m, label ? label : sub, 80);
    if (a) u32map_put(&b->subs, a, off);
    return off;
}

static void add_hay(tui_model *m, size_t i, const tui_row *row) {
    m->hay_off[i] = (uint32_t)m->hay.len;
    const uint32_t parts[] = {row->rule, row->name, row->id, row->msg};
    for (size_t k = 0; k < 4; k++) {
        if (k) lz_buf_putc(&m->hay, '\t'); /* never in a display string */
        lz_buf_puts(&m->hay, tui_model_str(m, parts[k]));
    }
    m->hay_len[i] = (uint32_t)(m->hay.len - m->hay_off[i]);
}

const char *tui_finding_name(const report *r, const finding *f, const char *id_name) {
    if (r->inv && f->resource != INV_NONE && f->resource < inv_count(r->inv) && f->subject_id) {
        const inv_res *res = inv_get(r->inv, f->resource);
        const char *id = inv_str(r->inv, res->id), *name = inv_str(r->inv, res->name);
        if (id && name && *name && strcasecmp(id, f->subject_id) == 0) return name;
    }
    return id_name ? id_name : f->subject_id;
}

static void build_row(tui_model *m, build_ctx *b, size_t i) {
    const finding *f = &m->r->findings[i];
    tui_row *row = &m->rows[i];
    out_subject s;
    out_subject_get(m->r, f, &s);
    rule_strings(m, b, f->rule, row);
    row->sev = (uint8_t)(f->rule ? f->rule->severity : SEV_NONE);
    row->status = (uint8_t)f->status;
    row->base = (uint8_t)f->baseline;
    row->name = put(m, tui_finding_name(m->r, f, s.name), 200);
    row->type = put(m, s.type, 200);
    row->sub = sub_string(m, b, s.subscription);
    row->rg = put(m, s.resource_group, 200);
    row->id = put(m, f->subject_id, 0);
    row->msg = put(m, f->message, CAP_TEXT);
    out_subject_free(&s);
}

/* ---- sorting ---- */

static int sev_desc(const tui_row *a, const tui_row *b) {
    return (int)b->sev - (int)a->sev;
}

static int status_rank(unsigned s) {
    return s == RS_FAIL ? 0 : s == RS_UNKNOWN ? 1 : s == RS_EXEMPT ? 2 : 3;
}

static int cmp_rows(const void *pa, const void *pb, void *ctx) {
    const tui_model *m = ctx;
    uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
    const tui_row *a = &m->rows[ia], *b = &m->rows[ib];
    int c = 0;
    switch (m->sort) {
    case TUI_SORT_SEVERITY: /* worst first: a failure before an unknown of the same severity */
        c = sev_desc(a, b);
        if (!c) c = status_rank(a->status) - status_rank(b->status);
        break;
    case TUI_SORT_RULE:
        c = strcmp(tui_model_str(m, a->rule), tui_model_str(m, b->rule));
        if (!c) c = sev_desc(a, b);
        break;
    case TUI_SORT_NAME:
        c = strcasecmp(tui_model_str(m, a->name), tui_model_str(m, b->name));
        break;
    case TUI_SORT_SUBSCRIPTION:
        c = strcasecmp(tui_model_str(m, a->sub), tui_model_str(m, b->sub));
        if (!c) c = sev_desc(a, b);
        break;
    case TUI_SORT_STATUS:
        c = status_rank(a->status) - status_rank(b->status);
        if (!c) c = sev_desc(a, b);
        break;
    default:
        break;
    }
    /* The report's own order (severity, rule, subject) breaks ties, so every
     * order is total and deterministic. */
    return c ? c : (ia > ib) - (ia < ib);
}

static void build_perms(tui_model *m) {
    enum tui_sort keep = m->sort;
    for (int s = 0; s < TUI_SORT__COUNT; s++) {
        uint32_t *p = lz_malloc((m->n ? m->n : 1) * sizeof *p);
        for (size_t i = 0; i < m->n; i++) p[i] = (uint32_t)i;
        m->sort = (enum tui_sort)s;
        qsort_r(p, m->n, sizeof *p, cmp_rows, m);
        m->perm[s] = p;
    }
    m->sort = keep;
}

void tui_model_build(tui_model *m, report *r, tui_sub_label_fn sub_label, void *ctx) {
    memset(m, 0, sizeof *m);
    m->r = r;
    m->n = r->nfindings;
    size_t n1 = m->n ? m->n : 1;
    m->rows = lz_calloc(n1, sizeof *m->rows);
    m->hay_off = lz_malloc(n1 * sizeof *m->hay_off);
    m->hay_len = lz_malloc(n1 * sizeof *m->hay_len);
    m->match = lz_calloc(n1, 1);
    m->vis = lz_malloc(n1 * sizeof *m->vis);
    build_ctx b = {.sub_label = sub_label, .sub_ctx = ctx};
    for (size_t i = 0; i < m->n; i++) {
        build_row(m, &b, i);
        add_hay(m, i, &m->rows[i]);
    }
    u32map_free(&b.subs);
    m->flt = tui_filter_new();
    m->sev_on = ~0u;
    build_perms(m);
    tui_model_set_sort(m, TUI_SORT_SEVERITY);
}

void tui_model_free(tui_model *m) {
    lz_buf_free(&m->arena);
    lz_buf_free(&m->hay);
    free(m->rows);
    free(m->hay_off);
    free(m->hay_len);
    tui_filter_free(m->flt);
    for (int s = 0; s < TUI_SORT__COUNT; s++) free(m->perm[s]);
    free(m->scope);
    free(m->scope_label);
    free(m->match);
    free(m->vis);
    memset(m, 0, sizeof *m);
}

/* ---- the visible list ---- */

static void rebuild(tui_model *m) {
    size_t keep = tui_model_selected(m), keep_pos = m->cur.cur;
    bool filtered = tui_filter_active(m->flt);
    if (filtered) {
        size_t nh;
        const uint32_t *hits = tui_filter_hits(m->flt, &nh);
        memset(m->match, 0, m->n);
        for (size_t k = 0; k < nh; k++) m->match[hits[k]] = 1;
    }
    const uint32_t *perm = m->perm[m->sort];
    m->nvis = 0;
    size_t found = SIZE_MAX;
    for (size_t k = 0; k < m->n; k++) {
        uint32_t i = perm[k];
        if (!((m->sev_on >> m->rows[i].sev) & 1u)) continue;
        if (m->scope && !m->scope[i]) continue;
        if (m->changed_only && m->rows[i].base != BS_NEW && m->rows[i].base != BS_UPDATED) continue;
        if (filtered && !m->match[i]) continue;
        if (i == keep) found = m->nvis;
        m->vis[m->nvis++] = i;
    }
    m->cur.cur = found != SIZE_MAX ? found : keep_pos;
    if (m->cur.cur >= m->nvis) m->cur.cur = m->nvis ? m->nvis - 1 : 0;
    if (m->cur.top > m->cur.cur) m->cur.top = m->cur.cur; /* the view fixes the rest: it knows the page */
}

void tui_model_set_sort(tui_model *m, enum tui_sort s) {
    m->sort = s < TUI_SORT__COUNT ? s : TUI_SORT_SEVERITY;
    rebuild(m);
}

void tui_model_toggle_severity(tui_model *m, enum rule_severity s) {
    m->sev_on ^= 1u << s;
    rebuild(m);
}

void tui_model_toggle_changed(tui_model *m) {
    m->changed_only = !m->changed_only;
    rebuild(m);
}

int tui_model_set_pattern(tui_model *m, const char *pattern, lz_err *e) {
    tui_corpus c = {m->hay.data ? m->hay.data : "", m->hay_off, m->hay_len, (uint32_t)m->n};
    if (tui_filter_set(m->flt, &c, pattern, e) < 0) return -1;
    rebuild(m);
    return 0;
}

void tui_model_set_scope(tui_model *m, const uint8_t *in_scope, const char *label) {
    free(m->scope);
    free(m->scope_label);
    m->scope = NULL;
    m->scope_label = NULL;
    if (in_scope) {
        m->scope = lz_malloc(m->n ? m->n : 1);
        memcpy(m->scope, in_scope, m->n);
        m->scope_label = lz_strdup(label ? label : "");
    }
    rebuild(m);
}

size_t tui_model_selected(const tui_model *m) {
    return m->nvis && m->cur.cur < m->nvis ? m->vis[m->cur.cur] : SIZE_MAX;
}
