/*
 * ev_diff.c - see ev_diff.h.
 */
#include "ev_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_tree.h>

#include "jsonw.h"
#include "out_markdown.h"
#include "sanitize.h"

/* ---- loading ---- */

static char *str_at(yajl_val obj, const char *key) {
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(obj, path, yajl_t_string);
    return lz_strdup(v ? YAJL_GET_STRING(v) : "");
}

static void load_finding(ev_report *r, yajl_val f) {
    ev_dfinding *d = &r->f[r->nf++];
    d->rule = str_at(f, "ruleId");
    d->resource = str_at(f, "resourceId");
    d->status = str_at(f, "status");
    d->severity = str_at(f, "severity");
    d->fingerprint = str_at(f, "fingerprint");
}

static void load_rule(ev_report *r, yajl_val ru) {
    static const char *const fws[] = {"mcsb", "cis", "landingZone"};
    ev_drule *d = &r->rules[r->nrules++];
    d->id = str_at(ru, "id");
    d->title = str_at(ru, "title");
    size_t cap = 0;
    for (int k = 0; k < 3; k++) {
        const char *path[] = {"controls", fws[k], NULL};
        yajl_val a = yajl_tree_get(ru, path, yajl_t_array);
        for (size_t i = 0; a && i < YAJL_GET_ARRAY(a)->len; i++) {
            yajl_val c = YAJL_GET_ARRAY(a)->values[i];
            if (YAJL_IS_STRING(c))
                LZ_PUSH(d->controls, d->ncontrols, cap, lz_asprintf("%s:%s", fws[k], YAJL_GET_STRING(c)));
        }
    }
}

int ev_report_parse(ev_report *r, const char *name, const char *json, lz_err *e) {
    memset(r, 0, sizeof *r);
    r->path = lz_strdup(name);
    char why[256] = "";
    yajl_val root = yajl_tree_parse(json, why, sizeof why);
    if (!root) return lz_errf(e, "%s: not JSON: %s", name, why);
    const char *fp[] = {"findings", NULL}, *rp[] = {"rules", NULL}, *sv[] = {"schemaVersion", NULL};
    yajl_val fs = yajl_tree_get(root, fp, yajl_t_array), rs = yajl_tree_get(root, rp, yajl_t_array);
    yajl_val ver = yajl_tree_get(root, sv, yajl_t_string);
    const char *vs = ver ? YAJL_GET_STRING(ver) : NULL;
    if (!fs || !rs || !vs || strncmp(vs, "1.", 2) != 0) {
        yajl_tree_free(root);
        return lz_errf(e, "%s: not an lzscan JSON report (schemaVersion 1.x with rules and findings)", name);
    }
    r->f = lz_calloc(YAJL_GET_ARRAY(fs)->len + 1, sizeof *r->f);
    for (size_t i = 0; i < YAJL_GET_ARRAY(fs)->len; i++) load_finding(r, YAJL_GET_ARRAY(fs)->values[i]);
    r->rules = lz_calloc(YAJL_GET_ARRAY(rs)->len + 1, sizeof *r->rules);
    for (size_t i = 0; i < YAJL_GET_ARRAY(rs)->len; i++) load_rule(r, YAJL_GET_ARRAY(rs)->values[i]);
    yajl_tree_free(root);
    return 0;
}

int ev_report_load(ev_report *r, const char *path, lz_err *e) {
    struct stat st;
    char *file =
        stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? lz_asprintf("%s/report.json", path) : lz_strdup(path);
    char *data;
    size_t len;
    int rc = lz_read_file(file, &data, &len, e);
    if (rc == 0) {
        rc = ev_report_parse(r, file, data, e);
        free(data);
    } else {
        memset(r, 0, sizeof *r);
    }
    free(file);
    return rc;
}

void ev_report_free(ev_report *r) {
    for (size_t i = 0; i < r->nf; i++) {
        ev_dfinding *d = &r->f[i];
        free(d->rule), free(d->resource), free(d->status), free(d->severity), free(d->fingerprint);
    }
    for (size_t i = 0; i < r->nrules; i++) {
        for (size_t k = 0; k < r->rules[i].ncontrols; k++) free(r->rules[i].controls[k]);
        free(r->rules[i].controls), free(r->rules[i].id), free(r->rules[i].title);
    }
    free(r->f), free(r->rules), free(r->path);
    memset(r, 0, sizeof *r);
}

/* ---- matching ---- */

enum { D_NEW, D_RESOLVED, D_UNCHANGED, D__COUNT };
static const char *const kind_names[D__COUNT] = {"new", "resolved", "unchanged"};

typedef struct dentry {
    const ev_dfinding *old, *neu; /* either may be NULL */
    int kind;
} dentry;

static const ev_dfinding *any_of(const dentry *d) {
    return d->neu ? d->neu : d->old;
}

static int cmp_fp(const void *a, const void *b) {
    return strcmp((*(const ev_dfinding *const *)a)->fingerprint,
                  (*(const ev_dfinding *const *)b)->fingerprint);
}

static int cmp_entry(const void *a, const void *b) {
    const ev_dfinding *x = any_of(a), *y = any_of(b);
    int c = strcmp(x->rule, y->rule);
    return c ? c : strcmp(x->resource, y->resource);
}

static const ev_dfinding **sorted(const ev_report *r) {
    const ev_dfinding **v = lz_calloc(r->nf + 1, sizeof *v);
    for (size_t i = 0; i < r->nf; i++) v[i] = &r->f[i];
    if (r->nf) qsort(v, r->nf, sizeof *v, cmp_fp);
    return v;
}

/* A merge of the two reports' findings sorted by fingerprint. */
static dentry *match(const ev_report *old, const ev_report *neu, size_t *n) {
    const ev_dfinding **a = sorted(old), **b = sorted(neu);
    dentry *d = lz_calloc(old->nf + neu->nf + 1, sizeof *d);
    size_t i = 0, j = 0;
    *n = 0;
    while (i < old->nf || j < neu->nf) {
        int c = i == old->nf ? 1 : j == neu->nf ? -1 : strcmp(a[i]->fingerprint, b[j]->fingerprint);
        if (c < 0)
            d[(*n)++] = (dentry){a[i++], NULL, D_RESOLVED};
        else if (c > 0)
            d[(*n)++] = (dentry){NULL, b[j++], D_NEW};
        else
            d[(*n)++] = (dentry){a[i++], b[j++], D_UNCHANGED};
    }
    free(a);
    free(b);
    if (*n) qsort(d, *n, sizeof *d, cmp_entry);
    return d;
}

static const ev_drule *find_rule(const ev_report *r, const char *id) {
    for (size_t i = 0; i < r->nrules; i++)
        if (strcmp(r->rules[i].id, id) == 0) return &r->rules[i];
    return NULL;
}

/* ---- per-control tallies ---- */

typedef struct ctl_tally {
    const char *control;
    size_t by_kind[D__COUNT];
} ctl_tally;

typedef struct diff {
    dentry *d;
    size_t n;
    size_t total[D__COUNT];
    ctl_tally *ctl;
    size_t nctl, capctl;
} diff;

static int cmp_ctl(const void *a, const void *b) {
    return strcmp(((const ctl_tally *)a)->control, ((const ctl_tally *)b)->control);
}

static void tally_control(diff *df, const char *control, int kind) {
    for (size_t i = 0; i < df->nctl; i++)
        if (strcmp(df->ctl[i].control, control) == 0) {
            df->ctl[i].by_kind[kind]++;
            return;
        }
    LZ_PUSH(df->ctl, df->nctl, df->capctl, ((ctl_tally){control, {0}}));
    df->ctl[df->nctl - 1].by_kind[kind]++;
}

static void tally(diff *df, const ev_report *old, const ev_report *neu) {
    for (size_t i = 0; i < df->n; i++) {
        const dentry *d = &df->d[i];
        df->total[d->kind]++;
        const ev_drule *ru = find_rule(neu, any_of(d)->rule);
        if (!ru) ru = find_rule(old, any_of(d)->rule);
        for (size_t k = 0; ru && k < ru->ncontrols; k++) tally_control(df, ru->controls[k], d->kind);
    }
    if (df->nctl) qsort(df->ctl, df->nctl, sizeof *df->ctl, cmp_ctl);
}

/* The index past the last entry of the rule that d[i] belongs to. */
static size_t rule_end(const diff *df, size_t i) {
    size_t j = i;
    while (j < df->n && strcmp(any_of(&df->d[j])->rule, any_of(&df->d[i])->rule) == 0) j++;
    return j;
}

static void count_kinds(const diff *df, size_t i, size_t j, size_t k[D__COUNT]) {
    memset(k, 0, D__COUNT * sizeof *k);
    for (; i < j; i++) k[df->d[i].kind]++;
}

/* ---- text and Markdown ---- */

static const char *entry_status(const dentry *d, char buf[64]) {
    if (d->kind != D_UNCHANGED || strcmp(d->old->status, d->neu->status) == 0) return any_of(d)->status;
    snprintf(buf, 64, "%.20s (was %.20s)", d->neu->status, d->old->status);
    return buf;
}

static void text_rule(const diff *df, size_t i, size_t j, lz_buf *out) {
    size_t k[D__COUNT];
    count_kinds(df, i, j, k);
    out_sanitize_str(out, any_of(&df->d[i])->rule, 0, 0);
    lz_buf_printf(out, " (%s): %zu new, %zu resolved, %zu unchanged\n", any_of(&df->d[i])->severity, k[D_NEW],
                  k[D_RESOLVED], k[D_UNCHANGED]);
    for (; i < j; i++) {
        const dentry *d = &df->d[i];
        char buf[64];
        if (d->kind == D_UNCHANGED && strcmp(d->old->status, d->neu->status) == 0) continue;
        lz_buf_printf(out, "  %c %s  ", "+-="[d->kind], entry_status(d, buf));
        out_sanitize_str(out, any_of(d)->resource, 0, 0);
        lz_buf_putc(out, '\n');
    }
}

static void render_text(const diff *df, const ev_report *old, const ev_report *neu, lz_buf *out) {
    lz_buf_puts(out, "lzscan diff ");
    out_sanitize_str(out, old->path, 0, 0);
    lz_buf_puts(out, " -> ");
    out_sanitize_str(out, neu->path, 0, 0);
    lz_buf_printf(out, "\nfindings: %zu new, %zu resolved, %zu unchanged\n", df->total[D_NEW],
                  df->total[D_RESOLVED], df->total[D_UNCHANGED]);
    if (df->n) lz_buf_puts(out, "\nper rule (+ new, - resolved, = unchanged with a new status):\n");
    for (size_t i = 0; i < df->n; i = rule_end(df, i)) text_rule(df, i, rule_end(df, i), out);
    if (df->nctl) lz_buf_puts(out, "\nper control:\n");
    for (size_t i = 0; i < df->nctl; i++) {
        lz_buf_puts(out, "  ");
        out_sanitize_str(out, df->ctl[i].control, 0, 0);
        lz_buf_printf(out, ": %zu new, %zu resolved, %zu unchanged\n", df->ctl[i].by_kind[D_NEW],
                      df->ctl[i].by_kind[D_RESOLVED], df->ctl[i].by_kind[D_UNCHANGED]);
    }
}

static void md_rule(const diff *df, size_t i, size_t j, lz_buf *out) {
    size_t k[D__COUNT];
    count_kinds(df, i, j, k);
    lz_buf_puts(out, "\n### ");
    out_md_text(out, any_of(&df->d[i])->rule, 0);
    lz_buf_printf(
        out, "\n\n%zu new, %zu resolved, %zu unchanged\n\n| change | status | resource |\n|---|---|---|\n",
        k[D_NEW], k[D_RESOLVED], k[D_UNCHANGED]);
    for (; i < j; i++) {
        const dentry *d = &df->d[i];
        char buf[64];
        lz_buf_printf(out, "| %s | ", kind_names[d->kind]);
        out_md_text(out, entry_status(d, buf), 0);
        lz_buf_puts(out, " | ");
        out_md_text(out, any_of(d)->resource, 0);
        lz_buf_puts(out, " |\n");
    }
}

static void render_md(const diff *df, lz_buf *out) {
    lz_buf_printf(out,
                  "## lzscan diff\n\n| | findings |\n|---|---|\n| new | %zu |\n| resolved | %zu |\n"
                  "| unchanged | %zu |\n",
                  df->total[D_NEW], df->total[D_RESOLVED], df->total[D_UNCHANGED]);
    if (df->nctl)
        lz_buf_puts(out,
                    "\n### Per control\n\n| control | new | resolved | unchanged |\n|---|---|---|---|\n");
    for (size_t i = 0; i < df->nctl; i++) {
        lz_buf_puts(out, "| ");
        out_md_text(out, df->ctl[i].control, 0);
        lz_buf_printf(out, " | %zu | %zu | %zu |\n", df->ctl[i].by_kind[D_NEW],
                      df->ctl[i].by_kind[D_RESOLVED], df->ctl[i].by_kind[D_UNCHANGED]);
    }
    for (size_t i = 0; i < df->n; i = rule_end(df, i)) md_rule(df, i, rule_end(df, i), out);
}

/* ---- JSON ---- */

static void json_kinds(jsonw *w, const size_t k[D__COUNT]) {
    for (int i = 0; i < D__COUNT; i++) jsonw_kv_uint(w, kind_names[i], k[i]);
}

static void json_rule(jsonw *w, const diff *df, size_t i, size_t j) {
    size_t k[D__COUNT];
    count_kinds(df, i, j, k);
    jsonw_begin_object(w);
    jsonw_kv_string(w, "ruleId", any_of(&df->d[i])->rule);
    jsonw_kv_string(w, "severity", any_of(&df->d[i])->severity);
    json_kinds(w, k);
    jsonw_key(w, "findings");
    jsonw_begin_array(w);
    for (; i < j; i++) {
        const dentry *d = &df->d[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "change", kind_names[d->kind]);
        jsonw_kv_string(w, "resourceId", any_of(d)->resource);
        jsonw_kv_string(w, "fingerprint", any_of(d)->fingerprint);
        jsonw_kv_string(w, "oldStatus", d->old ? d->old->status : NULL);
        jsonw_kv_string(w, "newStatus", d->neu ? d->neu->status : NULL);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static int render_json(const diff *df, const ev_report *old, const ev_report *neu, lz_buf *out, lz_err *e) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "old", old->path);
    jsonw_kv_string(&w, "new", neu->path);
    jsonw_key(&w, "summary");
    jsonw_begin_object(&w);
    json_kinds(&w, df->total);
    jsonw_end_object(&w);
    jsonw_key(&w, "rules");
    jsonw_begin_array(&w);
    for (size_t i = 0; i < df->n; i = rule_end(df, i)) json_rule(&w, df, i, rule_end(df, i));
    jsonw_end_array(&w);
    jsonw_key(&w, "controls");
    jsonw_begin_array(&w);
    for (size_t i = 0; i < df->nctl; i++) {
        jsonw_begin_object(&w);
        jsonw_kv_string(&w, "control", df->ctl[i].control);
        json_kinds(&w, df->ctl[i].by_kind);
        jsonw_end_object(&w);
    }
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    return jsonw_finish(&w, e);
}

int ev_diff_render(const ev_report *old, const ev_report *neu, enum ev_diff_format fmt, lz_buf *out,
                   size_t *changes, lz_err *e) {
    diff df = {0};
    df.d = match(old, neu, &df.n);
    tally(&df, old, neu);
    int rc = 0;
    if (fmt == EV_DIFF_JSON)
        rc = render_json(&df, old, neu, out, e);
    else if (fmt == EV_DIFF_MARKDOWN)
        render_md(&df, out);
    else
        render_text(&df, old, neu, out);
    *changes = df.total[D_NEW] + df.total[D_RESOLVED];
    free(df.d);
    free(df.ctl);
    return rc;
}
