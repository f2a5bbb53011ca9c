/*
 * out_html.c - see out_html.h.
 */
#include "out_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "out_common.h"
#include "sanitize.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

void out_html_escape(lz_buf *out, const char *s) {
    /* Control characters, bidi overrides and invalid UTF-8 are shown escaped,
     * as in the text report, before the markup characters are escaped. */
    lz_buf clean = {0};
    out_sanitize_str(&clean, s ? s : "", 0, OUT_SAN_KEEP_NL);
    for (const unsigned char *p = (const unsigned char *)lz_buf_cstr(&clean); *p; p++) {
        switch (*p) {
        case '&':
            lz_buf_puts(out, "&amp;");
            break;
        case '<':
            lz_buf_puts(out, "&lt;");
            break;
        case '>':
            lz_buf_puts(out, "&gt;");
            break;
        case '"':
            lz_buf_puts(out, "&quot;");
            break;
        case '\'':
            lz_buf_puts(out, "&#39;");
            break;
        default:
            /* Control characters are not allowed in HTML text: shown as U+FFFD. */
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                lz_buf_puts(out, "&#xFFFD;");
            else
                lz_buf_putc(out, (char)*p);
        }
    }
    lz_buf_free(&clean);
}

/* ---- tallies for the charts ---- */

typedef struct bar {
    char *label;
    size_t value;
} bar;

typedef struct bars {
    bar *v;
    size_t n, cap;
} bars;

static void bars_add(bars *b, const char *label, size_t value) {
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].label, label) == 0) {
            b->v[i].value += value;
            return;
        }
    LZ_PUSH(b->v, b->n, b->cap, ((bar){lz_strdup(label), value}));
}

static void bars_free(bars *b) {
    for (size_t i = 0; i < b->n; i++) free(b->v[i].label);
    free(b->v);
}

static int cmp_bar(const void *pa, const void *pb) {
    const bar *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? 1 : -1;
    return strcmp(a->label, b->label);
}

static void by_subscription(const report *r, bars *b) {
    for (size_t i = 0; i < r->nfindings; i++) {
        if (r->findings[i].status != RS_FAIL) continue;
        out_subject s;
        out_subject_get(r, &r->findings[i], &s);
        bars_add(b, s.subscription && *s.subscription ? s.subscription : "(none)", 1);
        out_subject_free(&s);
    }
    if (b->n) qsort(b->v, b->n, sizeof *b->v, cmp_bar);
}

static void by_control(const report *r, bars *b) {
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        const rule *ru = r->pack->rules[i];
        const rule_strv *fw[3] = {&ru->mcsb, &ru->cis, &ru->landing_zone};
        static const char *const names[3] = {"mcsb", "cis", "landingZone"};
        for (int k = 0; k < 3; k++)
            for (size_t c = 0; c < fw[k]->n; c++) {
                char *label = lz_asprintf("%s %s", names[k], fw[k]->v[c]);
                bars_add(b, label, r->counts[i].by_status[RS_FAIL]);
                free(label);
            }
    }
    if (b->n) qsort(b->v, b->n, sizeof *b->v, cmp_bar);
}

static size_t fail_at(const report *r, enum rule_severity sev) {
    size_t n = 0;
    for (size_t i = 0; r->pack && i < r->pack->n; i++)
        if (r->pack->rules[i]->severity == sev) n += r->counts[i].by_status[RS_FAIL];
    return n;
}

/* ---- SVG ---- */

static void svg_bars(lz_buf *out, const char *id, const char *title, const bars *b) {
    size_t max = 1, h = 22 * (b->n ? b->n : 1) + 8;
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].value > max) max = b->v[i].value;
    lz_buf_printf(out, "<figure id=\"%s\"><figcaption>", id);
    out_html_escape(out, title);
    lz_buf_printf(out,
                  "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%zu\" "
                  "role=\"img\">",
                  h);
    if (!b->n) lz_buf_puts(out, "<text x=\"4\" y=\"18\">no failing results</text>");
    for (size_t i = 0; i < b->n; i++) {
        size_t y = 4 + 22 * i, w = b->v[i].value * 360 / max;
        lz_buf_printf(out, "<g data-value=\"%zu\"><text x=\"0\" y=\"%zu\" class=\"lbl\">", b->v[i].value,
                      y + 14);
        out_html_escape(out, b->v[i].label);
        lz_buf_printf(out,
                      "</text><rect x=\"290\" y=\"%zu\" width=\"%zu\" height=\"16\" class=\"bar\"/>"
                      "<text x=\"%zu\" y=\"%zu\">%zu</text></g>",
                      y, w, 296 + w, y + 13, b->v[i].value);
    }
    lz_buf_puts(out, "</svg></figure>\n");
}

/* ---- page ---- */

static const char style[] = "<style>\n"
                            "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
                            "table{border-collapse:collapse;width:100%;font-size:13px}\n"
                            "th,td{border:1px solid #ccc;padding:4px;text-align:left;vertical-align:top}\n"
                            "th{background:#eee;cursor:pointer}\n"
                            "td.id{word-break:break-all}\n"
                            ".bar{fill:#c0392b}.lbl{font-size:12px}\n"
                            "figure{display:inline-block;margin:0 2em 1em 0}\n"
                            ".sev-critical{color:#8e0000;font-weight:bold}.sev-high{color:#c0392b}\n"
                            "@media print{#filter,.noprint{display:none}th{cursor:auto}body{margin:0}"
                            "tr{page-break-inside:avoid}section{page-break-before:auto}}\n"
                            "</style>\n";

static void head(lz_buf *out, const report *r) {
    lz_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
                     "<title>lzscan compliance evidence</title>\n");
    lz_buf_puts(out, style);
    lz_buf_puts(out, "</head>\n<body>\n<h1>Compliance evidence</h1>\n<p>");
    char *scope = out_scan_scope(r), at[32];
    lz_buf_puts(out, "Scope <b id=\"scope\">");
    out_html_escape(out, scope);
    free(scope);
    lz_buf_puts(out, "</b>, collected ");
    out_rfc3339(r->finished, at);
    out_html_escape(out, at);
    lz_buf_puts(out, " by lzscan " LZSCAN_VERSION ", rule pack ");
    out_html_escape(out, r->pack && r->pack->name ? r->pack->name : "");
    lz_buf_puts(out, " ");
    out_html_escape(out, r->pack && r->pack->version ? r->pack->version : "");
    lz_buf_puts(out, " (sha256 ");
    out_html_escape(out, r->pack ? r->pack->sha256 : "");
    lz_buf_puts(out, ").</p>\n");
}

static void summary(lz_buf *out, const report *r) {
    static const enum result_status order[] = {RS_PASS, RS_FAIL, RS_UNKNOWN, RS_EXEMPT, RS_NOT_APPLICABLE};
    lz_buf_puts(out, "<section id=\"summary\"><h2>Executive summary</h2>\n<table class=\"counts\"><tr>");
    for (int i = 0; i < 5; i++) lz_buf_printf(out, "<th>%s</th>", result_status_name(order[i]));
    lz_buf_puts(out, "</tr><tr>");
    for (int i = 0; i < 5; i++)
        lz_buf_printf(out, "<td id=\"count-%s\">%zu</td>", result_status_name(order[i]),
                      report_total(r, order[i]));
    lz_buf_puts(out, "</tr></table>\n");
    static const enum rule_severity sev[] = {SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW};
    bars b = {0};
    for (int i = 0; i < 4; i++) {
        LZ_PUSH(b.v, b.n, b.cap, ((bar){lz_strdup(rule_severity_name(sev[i])), fail_at(r, sev[i])}));
    }
    svg_bars(out, "chart-severity", "Failing results by severity", &b);
    bars_free(&b);
    b = (bars){0};
    by_subscription(r, &b);
    svg_bars(out, "chart-subscription", "Failing findings by subscription", &b);
    bars_free(&b);
    b = (bars){0};
    by_control(r, &b);
    svg_bars(out, "chart-control", "Failing results by framework control", &b);
    bars_free(&b);
    lz_buf_puts(out, "</section>\n");
}

static void change(lz_buf *out, const report *r) {
    if (!r->baseline_path) return;
    lz_buf_puts(out, "<section id=\"change\"><h2>Change since the previous quarter</h2><p>Against ");
    out_html_escape(out, r->baseline_path);
    lz_buf_printf(out,
                  ":</p><table><tr><th>new</th><th>updated</th><th>unchanged</th><th>resolved</th></tr>"
                  "<tr><td id=\"change-new\">%zu</td><td id=\"change-updated\">%zu</td>"
                  "<td id=\"change-unchanged\">%zu</td><td id=\"change-resolved\">%zu</td></tr></table>\n",
                  report_baseline_count(r, BS_NEW), report_baseline_count(r, BS_UPDATED),
                  report_baseline_count(r, BS_UNCHANGED), r->nresolved);
    if (r->nresolved) lz_buf_puts(out, "<h3>Resolved</h3><ul>");
    for (size_t i = 0; i < r->nresolved; i++) {
        lz_buf_puts(out, "<li>");
        out_html_escape(out, r->resolved[i].rule_id);
        lz_buf_puts(out, " ");
        out_html_escape(out, r->resolved[i].resource_id);
        lz_buf_puts(out, "</li>");
    }
    if (r->nresolved) lz_buf_puts(out, "</ul>");
    lz_buf_puts(out, "</section>\n");
}

static void td(lz_buf *out, const char *cls, const char *s) {
    lz_buf_printf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    out_html_escape(out, s);
    lz_buf_puts(out, "</td>");
}

static void finding_row(lz_buf *out, const report *r, const finding *f) {
    const report_exemption *x = report_finding_exemption(r, f);
    char *sevcls = lz_asprintf("sev-%s", rule_severity_name(f->rule->severity));
    lz_buf_puts(out, "<tr>");
    td(out, sevcls, rule_severity_name(f->rule->severity));
    td(out, NULL, result_status_name(f->status));
    td(out, NULL, f->rule->id);
    td(out, NULL, f->rule->title);
    td(out, "id", f->subject_id);
    td(out, NULL, f->message);
    td(out, NULL, x ? x->justification : "");
    td(out, NULL, baseline_state_name(f->baseline));
    lz_buf_puts(out, "</tr>\n");
    free(sevcls);
}

static void findings(lz_buf *out, const report *r) {
    lz_buf_printf(
        out,
        "<section id=\"findings-section\"><h2>Findings (<span id=\"count-findings\">%zu</span>)</h2>\n"
        "<p class=\"noprint\"><input id=\"filter\" type=\"search\" placeholder=\"filter\" "
        "aria-label=\"filter findings\"> <span id=\"shown\"></span></p>\n"
        "<table id=\"findings\"><thead><tr><th>severity</th><th>status</th><th>rule</th>"
        "<th>title</th><th>resource</th><th>message</th><th>exemption</th><th>change</th></tr>"
        "</thead><tbody>\n",
        r->nfindings);
    for (size_t i = 0; i < r->nfindings; i++) finding_row(out, r, &r->findings[i]);
    lz_buf_puts(out, "</tbody></table></section>\n");
}

static void exemptions(lz_buf *out, const report *r) {
    lz_buf_printf(out, "<section id=\"exemptions\"><h2>Exemptions (%zu)</h2>\n", r->nexemptions);
    if (!r->nexemptions) {
        lz_buf_puts(out, "<p>None.</p></section>\n");
        return;
    }
    lz_buf_puts(out,
                "<table><tr><th>source</th><th>rules</th><th>justification</th><th>owner</th><th>ticket</th>"
                "<th>expires</th><th>state</th><th>matched</th></tr>\n");
    for (size_t i = 0; i < r->nexemptions; i++) {
        const report_exemption *x = &r->exemptions[i];
        lz_buf rules = {0};
        for (size_t k = 0; k < x->nrules; k++) lz_buf_printf(&rules, "%s%s", k ? ", " : "", x->rules[k]);
        char matched[24];
        snprintf(matched, sizeof matched, "%zu", x->matched);
        lz_buf_puts(out, "<tr>");
        td(out, NULL, x->source);
        td(out, NULL, lz_buf_cstr(&rules));
        td(out, NULL, x->justification);
        td(out, NULL, x->owner);
        td(out, NULL, x->ticket);
        td(out, NULL, x->expires);
        td(out, NULL, x->expired ? "expired" : "active");
        td(out, NULL, matched);
        lz_buf_puts(out, "</tr>\n");
        lz_buf_free(&rules);
    }
    lz_buf_puts(out, "</table></section>\n");
}

static void gaps(lz_buf *out, const report *r) {
    const inv_gap *g = NULL;
    size_t n = r->inv ? inv_gaps(r->inv, &g) : 0;
    lz_buf_printf(out, "<section id=\"gaps\"><h2>Coverage gaps (<span id=\"count-gaps\">%zu</span>)</h2>\n",
                  n);
    lz_buf_puts(out, n ? "<ul>" : "<p>None: every scope and type was read.</p>");
    for (size_t i = 0; i < n; i++) {
        lz_buf_puts(out, "<li>");
        out_html_escape(out, g[i].reason);
        lz_buf_puts(out, "</li>");
    }
    lz_buf_puts(out, n ? "</ul></section>\n" : "</section>\n");
}

/* JSON inside <script>: < > & as \u escapes, which JSON.parse reads back. */
static void embed_json(lz_buf *out, const report *r, lz_err *e, int *rc) {
    lz_buf j = {0};
    jsonw w;
    jsonw_init(&w, &j, false);
    jsonw_begin_object(&w);
    jsonw_key(&w, "byStatus");
    jsonw_begin_object(&w);
    for (int s = 0; s < RS__COUNT; s++)
        jsonw_kv_uint(&w, result_status_name((enum result_status)s), report_total(r, (enum result_status)s));
    jsonw_end_object(&w);
    char *scope = out_scan_scope(r);
    jsonw_kv_string(&w, "scope", scope);
    free(scope);
    jsonw_end_object(&w);
    *rc = jsonw_finish(&w, e);
    lz_buf_puts(out, "<script type=\"application/json\" id=\"lzscan-data\">");
    for (size_t i = 0; i < j.len; i++) {
        char c = j.data[i];
        if (c == '<' || c == '>' || c == '&')
            lz_buf_printf(out, "\\u%04x", (unsigned)c);
        else
            lz_buf_putc(out, c);
    }
    lz_buf_puts(out, "</script>\n");
    lz_buf_free(&j);
}

static const char script[] =
    "<script>\n"
    "(function(){\n"
    "var t=document.getElementById('findings'),f=document.getElementById('filter'),"
    "s=document.getElementById('shown');\n"
    "var rows=Array.prototype.slice.call(t.tBodies[0].rows);\n"
    "function apply(){var q=f.value.toLowerCase(),n=0;rows.forEach(function(r){"
    "var m=r.textContent.toLowerCase().indexOf(q)>=0;r.style.display=m?'':'none';if(m)n++;});"
    "s.textContent=n+' of '+rows.length+' shown';}\n"
    "f.addEventListener('input',apply);\n"
    "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function()"
    "{"
    "var d=th.getAttribute('data-dir')==='asc'?-1:1;th.setAttribute('data-dir',d>0?'asc':'desc');"
    "rows.sort(function(a,b){return d*a.cells[i].textContent.localeCompare(b.cells[i].textContent);});"
    "rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});\n"
    /* #filter=TEXT in the URL pre-fills the filter: shareable views, and a test hook. */
    "if(location.hash.indexOf('#filter=')===0)f.value=decodeURIComponent(location.hash.slice(8));\n"
    "apply();\n"
    "})();\n"
    "</script>\n";

int out_html_report(const report *r, lz_buf *out, lz_err *e) {
    int rc = 0;
    head(out, r);
    summary(out, r);
    change(out, r);
    findings(out, r);
    exemptions(out, r);
    gaps(out, r);
    embed_json(out, r, e, &rc);
    lz_buf_puts(out, script);
    lz_buf_puts(out, "</body>\n</html>\n");
    return rc;
}
