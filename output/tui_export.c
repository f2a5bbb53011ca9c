/*
 * tui_export.c - see tui_export.h.
 */
#include "tui_export.h"

#include "out_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/atomic.h"
#include "jsonw.h"
#include "out_common.h"

void tui_table_init(tui_table *t, const char *const *cols, size_t ncols, uint32_t numeric) {
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
    t->numeric = numeric;
}

void tui_table_add(tui_table *t, const char *const *vals) {
    lz_grow(&t->cells, &t->cap, (t->nrows + 1) * t->ncols, sizeof *t->cells);
    for (size_t c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = lz_strdup(vals[c] ? vals[c] : "");
    t->nrows++;
}

void tui_table_free(tui_table *t) {
    for (size_t i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ---- views ---- */

static const char *const finding_cols[] = {
    "severity",      "status",     "ruleId",  "title",    "resourceName", "resourceType", "subscriptionId",
    "resourceGroup", "resourceId", "message", "evidence", "fingerprint",  "baselineState"};

static char *evidence_text(const finding *f) {
    lz_buf b = {0};
    for (size_t i = 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        lz_buf_printf(&b, "%s%s: %s -> %s", i ? "; " : "", ev->path ? ev->path : "",
                      ev->actual ? ev->actual : "missing", ev->expected ? ev->expected : "");
    }
    return lz_buf_steal(&b);
}

static void finding_row(tui_table *t, const report *r, size_t fi) {
    const finding *f = &r->findings[fi];
    out_subject s;
    out_subject_get(r, f, &s);
    char *ev = evidence_text(f);
    const char *vals[] = {f->rule ? rule_severity_name(f->rule->severity) : "",
                          result_status_name(f->status),
                          f->rule ? f->rule->id : "",
                          f->rule ? f->rule->title : "",
                          s.name,
                          s.type,
                          s.subscription,
                          s.resource_group,
                          f->subject_id,
                          f->message,
                          ev,
                          f->fingerprint,
                          baseline_state_name(f->baseline)};
    tui_table_add(t, vals);
    free(ev);
    out_subject_free(&s);
}

void tui_table_findings(tui_table *t, const report *r, const uint32_t *idx, size_t n) {
    tui_table_init(t, finding_cols, sizeof finding_cols / sizeof *finding_cols, 0);
    for (size_t k = 0; k < n; k++)
        if (idx[k] < r->nfindings) finding_row(t, r, idx[k]);
}

static const char *const rule_cols[] = {"ruleId", "severity", "title",  "pass",
                                        "fail",   "unknown",  "exempt", "notApplicable"};

void tui_table_rules(tui_table *t, const report *r) {
    tui_table_init(t, rule_cols, 8, 0xF8u);
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        const rule *ru = r->pack->rules[i];
        const rule_counts *c = &r->counts[i];
        char n[5][24];
        const enum result_status order[5] = {RS_PASS, RS_FAIL, RS_UNKNOWN, RS_EXEMPT, RS_NOT_APPLICABLE};
        for (int k = 0; k < 5; k++) snprintf(n[k], sizeof n[k], "%zu", c->by_status[order[k]]);
        const char *vals[] = {ru->id, rule_severity_name(ru->severity), ru->title, n[0], n[1], n[2], n[3],
                              n[4]};
        tui_table_add(t, vals);
    }
}

static const char *const node_cols[] = {"kind", "name",    "path",   "critical",  "high", "medium",
                                        "low",  "unknown", "exempt", "resources", "id"};

static void node_path(const tui_tree *tr, uint32_t node, lz_buf *b) {
    if (node == 0 || node == TUI_NODE_NONE) return;
    node_path(tr, tr->nodes[node].parent, b);
    if (b->len) lz_buf_puts(b, " / ");
    lz_buf_puts(b, tui_tree_str(tr, tr->nodes[node].label));
}

void tui_table_nodes(tui_table *t, const tui_tree *tr, const uint32_t *nodes, size_t n) {
    static const char *const kinds[] = {"root", "managementGroup", "subscription", "resourceGroup",
                                        "resource"};
    tui_table_init(t, node_cols, 11, 0x3F8u);
    const inv *v = tr->r->inv;
    for (size_t k = 0; k < n; k++) {
        const tui_node *nd = &tr->nodes[nodes[k]];
        char num[7][24];
        const uint32_t vals_n[7] = {nd->fail[SEV_CRITICAL],
                                    nd->fail[SEV_HIGH],
                                    nd->fail[SEV_MEDIUM],
                                    nd->fail[SEV_LOW],
                                    nd->unknown,
                                    nd->exempt,
                                    nd->nres};
        for (int i = 0; i < 7; i++) snprintf(num[i], sizeof num[i], "%u", vals_n[i]);
        lz_buf path = {0};
        node_path(tr, nodes[k], &path);
        /* Names and ids exactly as read (the labels are display forms). */
        const char *name =
            nd->res != INV_NONE && v ? inv_str(v, inv_get(v, nd->res)->name) : tui_tree_str(tr, nd->label);
        const char *id = nd->res != INV_NONE && v ? inv_str(v, inv_get(v, nd->res)->id) : "";
        const char *vals[] = {kinds[nd->kind <= TN_RES ? nd->kind : 0],
                              name,
                              lz_buf_cstr(&path),
                              num[0],
                              num[1],
                              num[2],
                              num[3],
                              num[4],
                              num[5],
                              num[6],
                              id};
        tui_table_add(t, vals);
        lz_buf_free(&path);
    }
}

static const char *const evidence_cols[] = {"ruleId", "resourceId", "path", "actual", "expected"};

void tui_table_evidence(tui_table *t, const report *r, size_t fi) {
    tui_table_init(t, evidence_cols, 5, 0);
    if (fi >= r->nfindings) return;
    const finding *f = &r->findings[fi];
    for (size_t i = 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        const char *vals[] = {f->rule ? f->rule->id : "", f->subject_id, ev->path,
                              ev->actual ? ev->actual : "missing", ev->expected};
        tui_table_add(t, vals);
    }
}

/* ---- rendering ---- */

static void render_csv(const tui_table *t, lz_buf *out) {
    for (size_t c = 0; c < t->ncols; c++) {
        if (c) lz_buf_putc(out, ',');
        out_csv_cell(out, t->cols[c]);
    }
    lz_buf_puts(out, "\r\n");
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c) lz_buf_putc(out, ',');
            out_csv_cell(out, t->cells[r * t->ncols + c]);
        }
        lz_buf_puts(out, "\r\n");
    }
}

static void render_json(const tui_table *t, const char *view, const char *filter, lz_buf *out) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "view", view);
    jsonw_key(&w, "filter");
    jsonw_string(&w, filter && *filter ? filter : NULL);
    jsonw_kv_uint(&w, "count", t->nrows);
    jsonw_key(&w, "rows");
    jsonw_begin_array(&w);
    for (size_t r = 0; r < t->nrows; r++) {
        jsonw_begin_object(&w);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            jsonw_key(&w, t->cols[c]);
            if ((t->numeric >> c) & 1u)
                jsonw_number(&w, cell, strlen(cell));
            else
                jsonw_string(&w, cell);
        }
        jsonw_end_object(&w);
    }
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    jsonw_finish(&w, NULL);
}

void tui_export_render(const tui_table *t, enum tui_export_format f, const char *view, const char *filter,
                       lz_buf *out) {
    if (f == TUI_EXPORT_JSON)
        render_json(t, view, filter, out);
    else
        render_csv(t, out);
}

int tui_export_write(const tui_table *t, enum tui_export_format f, const char *view, const char *filter,
                     const char *path, lz_err *e) {
    lz_buf out = {0};
    tui_export_render(t, f, view, filter, &out);
    int rc = lz_write_atomic(path, out.data ? out.data : "", out.len, e);
    lz_buf_free(&out);
    return rc;
}
