/*
 * tui_detail.c - see tui_detail.h.
 */
#include "tui_detail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../scanner/jpath.h"
#include "jsonw.h"
#include "out_common.h"
#include "tui_text.h"

enum { MAX_JSON_LINES = 50000, MAX_RELATED = 12, CAP_LONG = 4000 };

/* ---- lines ---- */

static uint32_t put_raw(tui_detail *d, const char *s, size_t len) {
    uint32_t off = (uint32_t)d->arena.len;
    lz_buf_put(&d->arena, s, len);
    lz_buf_putc(&d->arena, '\0');
    return off;
}

static void add_line(tui_detail *d, const char *label, const char *text, size_t len, enum tui_line_kind k,
                     unsigned sev) {
    tui_line ln = {.kind = (uint8_t)k, .sev = (uint8_t)sev};
    ln.label = put_raw(d, label, strlen(label));
    ln.text = put_raw(d, text, len);
    LZ_PUSH(d->lines, d->n, d->cap, ln);
}

/* A dimmed remark (literal text). */
static void note(tui_detail *d, const char *text) {
    add_line(d, "", text, strlen(text), TL_DIM, 0);
}

typedef struct wrap_ctx {
    tui_detail *d;
    const char *label;
    enum tui_line_kind kind;
    unsigned sev;
    size_t hang; /* spaces before continuation lines */
    bool first;
} wrap_ctx;

static void wrap_line(const char *s, size_t len, void *ctx) {
    wrap_ctx *w = ctx;
    if (w->first || !w->hang) {
        add_line(w->d, w->label, s, len, w->kind, w->sev);
    } else {
        lz_buf b = {0};
        lz_buf_printf(&b, "%*s", (int)w->hang, "");
        lz_buf_put(&b, s, len);
        add_line(w->d, w->label, b.data, b.len, w->kind, w->sev);
        lz_buf_free(&b);
    }
    w->first = false;
    w->label = ""; /* continuation lines leave the label column empty */
}

/* Adds display text (already clean), wrapped beside a label. */
static void add_wrapped(tui_detail *d, const char *label, const char *clean, enum tui_line_kind k,
                        unsigned sev) {
    size_t cols = d->width > TUI_DETAIL_LABEL + 10 ? d->width - TUI_DETAIL_LABEL : 10;
    wrap_ctx w = {.d = d, .label = label, .kind = k, .sev = sev};
    tui_text_wrap(clean, strlen(clean), cols, true, wrap_line, &w);
}

/* Untrusted one-line text beside a label. */
static void kv(tui_detail *d, const char *label, const char *raw, enum tui_line_kind k) {
    lz_buf b = {0};
    tui_text_clean_str(&b, raw ? raw : "", CAP_LONG);
    add_wrapped(d, label, lz_buf_cstr(&b), k, 0);
    lz_buf_free(&b);
}

/* Untrusted multi-line text (descriptions, remediation): each line wrapped. */
static void para(tui_detail *d, const char *raw) {
    for (const char *p = raw ? raw : ""; *p;) {
        size_t n = strcspn(p, "\n");
        lz_buf b = {0};
        tui_text_clean(&b, p, n, CAP_LONG);
        add_wrapped(d, "", lz_buf_cstr(&b), TL_TEXT, 0);
        lz_buf_free(&b);
        p += n + (p[n] == '\n');
    }
}

static void head(tui_detail *d, const char *title) {
    add_line(d, "", "", 0, TL_TEXT, 0);
    add_line(d, title, "", 0, TL_HEAD, 0);
}

/* ---- paths ---- */

static void walk(const char **pp, const char **ep) {
    const char *p = *pp, *e = *ep;
    while (*p && *e) {
        if (e[0] == '[' && e[1] == '*' && e[2] == ']' && p[0] == '[') {
            const char *close = strchr(p, ']');
            if (!close) break;
            p = close + 1;
            e += 3;
            continue;
        }
        if (tolower((unsigned char)*p) != tolower((unsigned char)*e)) break;
        p++, e++;
    }
    *pp = p;
    *ep = e;
}

bool tui_path_within(const char *line_path, const char *evidence_path) {
    const char *p = line_path, *e = evidence_path;
    if (!*e) return false;
    walk(&p, &e);
    return !*e && (!*p || *p == '.' || *p == '[');
}

bool tui_path_leads_to(const char *line_path, const char *evidence_path) {
    const char *p = line_path, *e = evidence_path;
    if (!*p) return false;
    walk(&p, &e);
    return !*p && (!*e || *e == '.' || *e == '[');
}

/* The part of an evidence path inside this resource: before " -> " (a ref). */
static char *local_path(const char *path) {
    const char *arrow = path ? strstr(path, " -> ") : NULL;
    return path ? lz_strndup(path, arrow ? (size_t)(arrow - path) : strlen(path)) : lz_strdup("");
}

/* ---- the resource's JSON, one line per member with its path ---- */

typedef struct json_ctx {
    tui_detail *d;
    const jv_store *s;
    lz_buf path;
    char **paths; /* per JSON line */
    size_t npaths, cappaths;
    bool truncated;
} json_ctx;

static void json_line(json_ctx *j, int depth, const char *key, size_t klen, const char *text, size_t tlen,
                      bool comma) {
    if (j->d->n - j->d->json_first >= MAX_JSON_LINES) {
        j->truncated = true;
        return;
    }
    lz_buf raw = {0}, clean = {0};
    for (int i = 0; i < depth; i++) lz_buf_puts(&raw, "  ");
    if (key) {
        jsonw_escape(&raw, key, klen);
        lz_buf_puts(&raw, ": ");
    }
    lz_buf_put(&raw, text, tlen);
    if (comma) lz_buf_putc(&raw, ',');
    tui_text_clean(&clean, raw.data, raw.len, 0);
    /* Long values (ids) break at the width; the rest of the value hangs
     * under the member, so the nesting stays readable. */
    size_t hang = (size_t)depth * 2 + 4, cols = j->d->width > 4 ? j->d->width - 2 : 2;
    if (hang + 20 > cols) hang = 0;
    wrap_ctx w = {.d = j->d, .label = "", .kind = TL_JSON, .hang = hang, .first = true};
    size_t before = j->d->n;
    tui_text_wrap_hang(lz_buf_cstr(&clean), clean.len, cols, hang, wrap_line, &w);
    for (size_t k = before; k < j->d->n; k++)
        LZ_PUSH(j->paths, j->npaths, j->cappaths, lz_strdup(lz_buf_cstr(&j->path)));
    lz_buf_free(&raw);
    lz_buf_free(&clean);
}

static void json_value(json_ctx *j, int depth, const char *key, size_t klen, jv_t v, bool comma);

static void json_members(json_ctx *j, int depth, jv_t v, bool object) {
    size_t n = jv_len(j->s, v), mark = j->path.len;
    for (size_t i = 0; i < n && !j->truncated; i++) {
        size_t klen = 0;
        const char *key = NULL;
        if (object) {
            key = jv_atom_str(j->s, jv_key_atom(j->s, v, i), &klen);
            if (j->path.len) lz_buf_putc(&j->path, '.');
            lz_buf_put(&j->path, key, klen);
        } else {
            lz_buf_printf(&j->path, "[%zu]", i);
        }
        json_value(j, depth, key, klen, jv_at(j->s, v, i), i + 1 < n);
        j->path.len = mark;
        j->path.data[mark] = '\0';
    }
}

static void json_value(json_ctx *j, int depth, const char *key, size_t klen, jv_t v, bool comma) {
    enum jv_kind k = jv_kind(j->s, v);
    if ((k == JV_OBJECT || k == JV_ARRAY) && jv_len(j->s, v)) {
        json_line(j, depth, key, klen, k == JV_OBJECT ? "{" : "[", 1, false);
        json_members(j, depth + 1, v, k == JV_OBJECT);
        json_line(j, depth, NULL, 0, k == JV_OBJECT ? "}" : "]", 1, comma);
        return;
    }
    lz_buf text = {0};
    size_t len = 0;
    const char *str = jv_str(j->s, v, &len);
    if (k == JV_OBJECT || k == JV_ARRAY)
        lz_buf_puts(&text, k == JV_OBJECT ? "{}" : "[]");
    else if (k == JV_STRING)
        jsonw_escape(&text, str, len);
    else if (k == JV_NUMBER)
        lz_buf_put(&text, str, len);
    else
        lz_buf_puts(&text, k == JV_TRUE ? "true" : k == JV_FALSE ? "false" : "null");
    json_line(j, depth, key, klen, text.data, text.len, comma);
    lz_buf_free(&text);
}

/* Marks lines at or under each evidence path, or the deepest line leading
 * to it when the value itself is missing. */
static void highlight(tui_detail *d, char **paths, size_t first, char *const *ev, size_t nev) {
    for (size_t e = 0; e < nev; e++) {
        size_t best = SIZE_MAX, best_len = 0;
        bool exact = false;
        for (size_t k = first; k < d->n; k++) {
            const char *p = paths[k - first];
            if (tui_path_within(p, ev[e])) {
                d->lines[k].kind = TL_JSON_HL;
                exact = true;
            } else if (tui_path_leads_to(p, ev[e]) && strlen(p) > best_len) {
                best = k;
                best_len = strlen(p);
            }
        }
        /* The value is missing: mark the line of its deepest parent (and that
         * line's wrapped continuation). */
        if (!exact && best != SIZE_MAX)
            for (size_t k = best; k < d->n && strcmp(paths[k - first], paths[best - first]) == 0; k++)
                d->lines[k].kind = TL_JSON_HL;
    }
}

static void add_json(tui_detail *d, const report *r, inv_idx res, char *const *ev, size_t nev) {
    head(d, "Resource JSON");
    d->json_first = d->n;
    if (!r->inv || res == INV_NONE || res >= inv_count(r->inv)) {
        note(d, "(the resource is not in the input)");
        return;
    }
    json_ctx j = {.d = d, .s = inv_cstore(r->inv)};
    json_value(&j, 0, NULL, 0, inv_get(r->inv, res)->obj, false);
    highlight(d, j.paths, d->json_first, ev, nev);
    if (j.truncated) note(d, "... (truncated)");
    for (size_t i = 0; i < j.npaths; i++) free(j.paths[i]);
    free(j.paths);
    lz_buf_free(&j.path);
}

/* ---- related resources ---- */

typedef struct rel_ctx {
    tui_detail *d;
    report *r;
    inv_idx self;
    inv_idx *seen;
    size_t nseen, capseen, more;
} rel_ctx;

static void describe(lz_buf *b, const inv *v, inv_idx i) {
    const inv_res *x = inv_get(v, i);
    tui_text_clean_str(b, inv_str(v, x->name), 120);
    lz_buf_puts(b, " (");
    const char *ty = jv_get_str(inv_cstore(v), x->obj, "type");
    tui_text_clean_str(b, ty ? ty : inv_str(v, x->type_fold), 120);
    lz_buf_putc(b, ')');
}

static void related(rel_ctx *c, const char *label, const char *via, inv_idx target) {
    if (target == c->self) return;
    for (size_t k = 0; k < c->nseen; k++)
        if (c->seen[k] == target) return;
    if (c->nseen >= MAX_RELATED) {
        c->more++;
        return;
    }
    LZ_PUSH(c->seen, c->nseen, c->capseen, target);
    lz_buf b = {0};
    if (via) {
        tui_text_clean_str(&b, via, 200);
        lz_buf_puts(&b, " -> ");
    }
    describe(&b, c->r->inv, target);
    add_wrapped(c->d, label, lz_buf_cstr(&b), TL_TEXT, 0);
    lz_buf_free(&b);
}

/* Strings in the resource's JSON that are ids of other objects in the input. */
static void refs_in(rel_ctx *c, const jv_store *s, jv_t v, lz_buf *path, int depth) {
    enum jv_kind k = jv_kind(s, v);
    if (k == JV_STRING) {
        size_t len;
        const char *str = jv_str(s, v, &len);
        if (len > 15 && strncasecmp(str, "/subscriptions/", 15) == 0) {
            inv_idx t = inv_find(c->r->inv, str, len);
            if (t != INV_NONE) related(c, "refers to", lz_buf_cstr(path), t);
        }
        return;
    }
    if ((k != JV_OBJECT && k != JV_ARRAY) || depth > 64) return;
    size_t n = jv_len(s, v), mark = path->len;
    for (size_t i = 0; i < n; i++) {
        if (k == JV_OBJECT) {
            size_t kl;
            const char *key = jv_atom_str(s, jv_key_atom(s, v, i), &kl);
            if (mark) lz_buf_putc(path, '.');
            lz_buf_put(path, key, kl);
        } else {
            lz_buf_printf(path, "[%zu]", i);
        }
        refs_in(c, s, jv_at(s, v, i), path, depth + 1);
        path->len = mark;
        path->data[mark] = '\0';
    }
}

/* The resource a `ref` evidence path (A -> B) followed, read at A. */
static void ref_targets(rel_ctx *c, const finding *f) {
    const inv *v = c->r->inv;
    for (size_t i = 0; f && i < f->nevidence; i++) {
        const char *arrow = f->evidence[i].path ? strstr(f->evidence[i].path, " -> ") : NULL;
        if (!arrow) continue;
        char *a = local_path(f->evidence[i].path);
        lz_err e;
        jpath *p = jpath_compile(a, &e);
        const char *id =
            p ? jv_str(inv_cstore(v), jpath_get(inv_cstore(v), inv_get(v, c->self)->obj, p), NULL) : NULL;
        inv_idx t = id ? inv_find(v, id, strlen(id)) : INV_NONE;
        if (t != INV_NONE) related(c, "ref", a, t);
        jpath_free(p);
        free(a);
    }
}

static void add_related(tui_detail *d, report *r, inv_idx res, const finding *f) {
    head(d, "Related resources");
    size_t before = d->n;
    if (r->inv && res != INV_NONE && res < inv_count(r->inv)) {
        rel_ctx c = {.d = d, .r = r, .self = res};
        const inv_res *x = inv_get(r->inv, res);
        if (x->parent != INV_NONE) related(&c, "parent", NULL, x->parent);
        ref_targets(&c, f);
        lz_buf path = {0};
        refs_in(&c, inv_cstore(r->inv), x->obj, &path, 0);
        lz_buf_free(&path);
        static const char *const pe_paths[] = {
            "properties.privateLinkServiceConnections[*].properties.privateLinkServiceId",
            "properties.manualPrivateLinkServiceConnections[*].properties.privateLinkServiceId"};
        for (size_t k = 0; k < 2; k++) {
            size_t n;
            const inv_idx *pe =
                inv_referrers(r->inv, "microsoft.network/privateendpoints", pe_paths[k], res, &n);
            for (size_t i = 0; i < n; i++) related(&c, "private ep", NULL, pe[i]);
        }
        size_t n;
        const inv_idx *ds = inv_children(r->inv, res, "microsoft.insights/diagnosticsettings", &n);
        for (size_t i = 0; i < n; i++) related(&c, "diag. set", NULL, ds[i]);
        if (c.more) {
            char msg[64];
            int len = snprintf(msg, sizeof msg, "... and %zu more", c.more);
            add_line(d, "", msg, (size_t)len, TL_DIM, 0);
        }
        free(c.seen);
    }
    if (d->n == before) note(d, "none found in the input");
}

/* ---- pages ---- */

static void begin(tui_detail *d, size_t width) {
    tui_detail_free(d);
    d->width = width < 20 ? 20 : width;
    d->finding = SIZE_MAX;
    d->res = INV_NONE;
    d->json_first = SIZE_MAX;
}

/* "Tenant Root Group > Contoso > AI Hub > contoso-ai-hub > rg-aihub-ai" */
static void hierarchy(tui_detail *d, const tui_tree *t, uint32_t node) {
    if (!t || node == 0 || node == TUI_NODE_NONE) return;
    uint32_t chain[32];
    size_t n = 0;
    for (uint32_t k = node; k != 0 && k != TUI_NODE_NONE && n < 32; k = t->nodes[k].parent) chain[n++] = k;
    lz_buf b = {0};
    while (n-- > 0) {
        lz_buf_puts(&b, tui_tree_str(t, t->nodes[chain[n]].label));
        if (n) lz_buf_puts(&b, " > ");
    }
    add_wrapped(d, "Hierarchy", lz_buf_cstr(&b), TL_TEXT, 0);
    lz_buf_free(&b);
}

static void strv_lines(tui_detail *d, const char *label, const rule_strv *v) {
    for (size_t i = 0; i < v->n; i++) kv(d, i ? "" : label, v->v[i], TL_TEXT);
}

static void baseline_lines(tui_detail *d, const finding *f) {
    char b[200];
    switch (f->baseline) {
    case BS_NEW:
        kv(d, "Baseline", "new: not in the baseline", TL_EVIDENCE);
        break;
    case BS_UPDATED:
        snprintf(b, sizeof b, "updated: was %s, %s", result_status_name(f->prior_status),
                 rule_severity_name(f->prior_severity) ? rule_severity_name(f->prior_severity) : "?");
        kv(d, "Baseline", b, TL_EVIDENCE);
        break;
    case BS_UNCHANGED:
        kv(d, "Baseline", "unchanged since the baseline", TL_TEXT);
        break;
    default:
        break;
    }
}

/* Who accepted the risk, why, and until when (an exempt finding). */
static void exemption_lines(tui_detail *d, const report_exemption *x) {
    if (!x) return;
    lz_buf b = {0};
    lz_buf_printf(&b, "until %s, owner %s, ticket %s, %s", x->expires ? x->expires : "?",
                  x->owner ? x->owner : "?", x->ticket ? x->ticket : "?", x->source ? x->source : "");
    kv(d, "Exempted", lz_buf_cstr(&b), TL_EVIDENCE);
    kv(d, "", x->justification, TL_TEXT);
    lz_buf_free(&b);
}

static void finding_header(tui_detail *d, const tui_detail_ctx *c, const finding *f) {
    const rule *ru = f->rule;
    unsigned sev = ru ? (unsigned)ru->severity : 0;
    lz_buf b = {0};
    tui_text_clean_str(&b, ru ? ru->id : "?", 80);
    lz_buf_printf(&b, "  %s  %s", ru ? rule_severity_name(ru->severity) : "", result_status_name(f->status));
    add_wrapped(d, "", lz_buf_cstr(&b), TL_TITLE, sev);
    lz_buf_free(&b);
    kv(d, "", ru ? ru->title : "", TL_SEV);
    d->lines[d->n - 1].sev = (uint8_t)sev;
    out_subject s;
    out_subject_get(c->r, f, &s);
    add_line(d, "", "", 0, TL_TEXT, 0);
    kv(d, "Resource", tui_finding_name(c->r, f, s.name), TL_TEXT);
    kv(d, "Type", s.type ? s.type : "", TL_TEXT);
    kv(d, "Id", f->subject_id, TL_TEXT);
    kv(d, "Subscr.", s.subscription ? s.subscription : "", TL_TEXT);
    if (s.resource_group) kv(d, "Group", s.resource_group, TL_TEXT);
    out_subject_free(&s);
    if (c->tree) hierarchy(d, c->tree, c->tree->of_finding[f - c->r->findings]);
    kv(d, "Message", f->message, TL_TEXT);
    baseline_lines(d, f);
    exemption_lines(d, report_finding_exemption(c->r, f));
    if (c->exempted_into) {
        lz_buf m = {0};
        lz_buf_puts(&m, "written to ");
        tui_text_clean_str(&m, c->exempted_into, 0);
        lz_buf_puts(&m, " (applies from the next scan)");
        add_wrapped(d, "Exemption", lz_buf_cstr(&m), TL_EVIDENCE, 0);
        lz_buf_free(&m);
    }
}

static void evidence_lines(tui_detail *d, const finding *f) {
    head(d, "Evidence");
    if (!f->nevidence) note(d, "(none recorded)");
    for (size_t i = 0; i < f->nevidence; i++) {
        if (i) add_line(d, "", "", 0, TL_TEXT, 0);
        kv(d, "path", f->evidence[i].path, TL_EVIDENCE);
        kv(d, "actual", f->evidence[i].actual ? f->evidence[i].actual : "missing", TL_EVIDENCE);
        kv(d, "expected", f->evidence[i].expected, TL_EVIDENCE);
    }
}

void tui_detail_finding(tui_detail *d, const tui_detail_ctx *c, size_t fi, size_t width) {
    begin(d, width);
    if (fi >= c->r->nfindings) return;
    const finding *f = &c->r->findings[fi];
    d->finding = fi;
    d->res = f->resource;
    finding_header(d, c, f);
    evidence_lines(d, f);
    const rule *ru = f->rule;
    if (ru) {
        head(d, "Why it matters");
        para(d, ru->description);
        head(d, "Remediation");
        para(d, ru->remediation);
        if (ru->references.n) {
            head(d, "References");
            strv_lines(d, "", &ru->references);
        }
        if (ru->mcsb.n || ru->policy.n) head(d, "Controls");
        strv_lines(d, "MCSB", &ru->mcsb);
        strv_lines(d, "Policy", &ru->policy);
    }
    add_related(d, c->r, f->resource, f);
    char **ev = lz_calloc(f->nevidence ? f->nevidence : 1, sizeof *ev);
    for (size_t i = 0; i < f->nevidence; i++) ev[i] = local_path(f->evidence[i].path);
    add_json(d, c->r, f->resource, ev, f->nevidence);
    for (size_t i = 0; i < f->nevidence; i++) free(ev[i]);
    free(ev);
}

static void resource_findings(tui_detail *d, const report *r, inv_idx res, char ***ev, size_t *nev) {
    head(d, "Findings");
    size_t cap = 0, before = d->n;
    for (size_t i = 0; i < r->nfindings; i++) {
        const finding *f = &r->findings[i];
        if (f->resource != res) continue;
        lz_buf b = {0};
        lz_buf_printf(&b, "%-8s %-8s ", f->rule ? rule_severity_name(f->rule->severity) : "",
                      result_status_name(f->status));
        tui_text_clean_str(&b, f->rule ? f->rule->id : "?", 80);
        lz_buf_puts(&b, "  ");
        tui_text_clean_str(&b, f->message, 300);
        add_wrapped(d, "", lz_buf_cstr(&b), TL_SEV, f->rule ? (unsigned)f->rule->severity : 0);
        lz_buf_free(&b);
        for (size_t k = 0; k < f->nevidence; k++) LZ_PUSH(*ev, *nev, cap, local_path(f->evidence[k].path));
    }
    if (d->n == before) note(d, "none");
}

void tui_detail_resource(tui_detail *d, const tui_detail_ctx *c, inv_idx res, size_t width) {
    begin(d, width);
    const inv *v = c->r->inv;
    if (!v || res == INV_NONE || res >= inv_count(v)) return;
    d->res = res;
    const inv_res *x = inv_get(v, res);
    lz_buf b = {0};
    tui_text_clean_str(&b, inv_str(v, x->name), 200);
    add_wrapped(d, "", lz_buf_cstr(&b), TL_TITLE, 0);
    lz_buf_free(&b);
    const char *ty = jv_get_str(inv_cstore(v), x->obj, "type");
    kv(d, "Type", ty ? ty : inv_str(v, x->type_fold), TL_TEXT);
    kv(d, "Id", inv_str(v, x->id), TL_TEXT);
    kv(d, "Source", inv_source_name(v, x->source), TL_DIM);
    char **ev = NULL;
    size_t nev = 0;
    resource_findings(d, c->r, res, &ev, &nev);
    add_related(d, c->r, res, NULL);
    add_json(d, c->r, res, ev, nev);
    for (size_t i = 0; i < nev; i++) free(ev[i]);
    free(ev);
}

void tui_detail_free(tui_detail *d) {
    free(d->lines);
    lz_buf_free(&d->arena);
    memset(d, 0, sizeof *d);
}
