/*
 * out_markdown.c - see out_markdown.h.
 */
#include "out_markdown.h"

#include <stdlib.h>
#include <string.h>

#include "out_common.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

enum { CAP_CELL = 300, MD_RESOLVED = 10, MD_WARNINGS = 20 };

static const enum rule_severity sevs[] = {SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW};

static const char *sev_title(enum rule_severity s) {
    return s == SEV_CRITICAL ? "Critical" : s == SEV_HIGH ? "High" : s == SEV_MEDIUM ? "Medium" : "Low";
}

/* ---- headline ---- */

static void headline(lz_buf *b, const report *r, const out_run *run) {
    char *scope = out_scan_scope(r);
    const char *verdict = run->gate_code == 3 ? "incomplete" : run->gate_code == 1 ? "failed" : "passed";
    lz_buf_puts(b, "## lzscan: ");
    out_md_text(b, scope, 120);
    lz_buf_printf(b, " %s\n\n", verdict);
    free(scope);
    const char *what = run->fail_on_new ? "new failing finding" : "failing finding";
    if (run->gate_code == 3)
        lz_buf_puts(
            b, "**Coverage gaps**: some data could not be read, so results there are unknown (see below).");
    else
        lz_buf_printf(b, "**%zu** %s%s at or above **%s** (`--fail-on %s`%s).", run->gating, what,
                      run->gating == 1 ? "" : "s", rule_severity_name(run->fail_on),
                      rule_severity_name(run->fail_on), run->fail_on_new ? " `--fail-on-new`" : "");
    lz_buf_printf(b, " Exit code %d%s.\n\n", run->exit_code,
                  run->soft_fail && run->gate_code ? " (`--soft-fail`)" : "");
    lz_buf_printf(b, "lzscan %s, rule pack ", LZSCAN_VERSION);
    out_md_text(b, r->pack && r->pack->name ? r->pack->name : "?", 80);
    lz_buf_putc(b, ' ');
    out_md_text(b, r->pack && r->pack->version ? r->pack->version : "", 40);
    lz_buf_printf(b, " (%zu rules), %zu objects scanned.\n\n", r->pack ? r->pack->n : 0,
                  r->inv ? inv_count(r->inv) : (size_t)0);
}

/* ---- counts ---- */

typedef struct sev_counts {
    size_t fail, fresh, exempt, unknown;
} sev_counts;

static sev_counts count_sev(const report *r, enum rule_severity s) {
    sev_counts c = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        const finding *f = &r->findings[i];
        if (!f->rule || f->rule->severity != s) continue;
        c.fail += f->status == RS_FAIL;
        c.fresh += f->status == RS_FAIL && f->baseline == BS_NEW;
        c.exempt += f->status == RS_EXEMPT;
        c.unknown += f->status == RS_UNKNOWN;
    }
    return c;
}

static void count_row(lz_buf *b, const char *label, sev_counts c, bool with_new) {
    lz_buf_printf(b, "| %s | %zu |", label, c.fail);
    if (with_new) lz_buf_printf(b, " %zu |", c.fresh);
    lz_buf_printf(b, " %zu | %zu |\n", c.exempt, c.unknown);
}

static void counts_table(lz_buf *b, const report *r) {
    bool with_new = r->baseline_path != NULL;
    lz_buf_printf(b, "| Severity | Failing |%s Exempt | Unknown |\n|---|---:|%s---:|---:|\n",
                  with_new ? " New |" : "", with_new ? "---:|" : "");
    sev_counts total = {0};
    for (size_t i = 0; i < 4; i++) {
        sev_counts c = count_sev(r, sevs[i]);
        count_row(b, sev_title(sevs[i]), c, with_new);
        total.fail += c.fail;
        total.fresh += c.fresh;
        total.exempt += c.exempt;
        total.unknown += c.unknown;
    }
    count_row(b, "**Total**", total, with_new);
    lz_buf_printf(b, "\n%zu results passed, %zu were not applicable.\n\n", report_total(r, RS_PASS),
                  report_total(r, RS_NOT_APPLICABLE));
}

static void baseline_line(lz_buf *b, const report *r) {
    if (!r->baseline_path) return;
    lz_buf_puts(b, "**Baseline** ");
    out_md_text(b, r->baseline_path, 200);
    lz_buf_printf(b, ": %zu new, %zu unchanged, %zu updated, %zu resolved.\n\n",
                  report_baseline_count(r, BS_NEW), report_baseline_count(r, BS_UNCHANGED),
                  report_baseline_count(r, BS_UPDATED), report_baseline_count(r, BS_ABSENT));
}

/* ---- findings ---- */

static void rule_link(lz_buf *b, const rule *ru) {
    const char *url = ru->references.n ? ru->references.v[0] : NULL;
    if (out_md_url_ok(url)) {
        lz_buf_putc(b, '[');
        out_md_text(b, ru->id, 80);
        lz_buf_printf(b, "](%s)", url);
    } else {
        out_md_text(b, ru->id, 80);
    }
}

static void finding_row(lz_buf *b, const report *r, const finding *f) {
    out_subject s;
    out_subject_get(r, f, &s);
    lz_buf_printf(b, "| %s | %s | ", f->baseline == BS_NEW ? "**new**" : baseline_state_name(f->baseline),
                  rule_severity_name(f->rule->severity));
    rule_link(b, f->rule);
    lz_buf_puts(b, " | ");
    out_md_text(b, s.name ? s.name : f->subject_id, 120);
    if (s.resource_group) {
        lz_buf_puts(b, " (");
        out_md_text(b, s.resource_group, 90);
        lz_buf_putc(b, ')');
    }
    lz_buf_puts(b, " | ");
    out_md_text(b, f->message, CAP_CELL);
    lz_buf_puts(b, " |\n");
    out_subject_free(&s);
}

/* New failures first, then the report's order (most severe first). */
static int top_order(const void *a, const void *b) {
    const finding *x = *(const finding *const *)a, *y = *(const finding *const *)b;
    bool nx = x->baseline == BS_NEW, ny = y->baseline == BS_NEW;
    if (nx != ny) return nx ? -1 : 1;
    return (x > y) - (x < y);
}

static void top_findings(lz_buf *b, const report *r) {
    const finding **v = lz_malloc((r->nfindings ? r->nfindings : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].status == RS_FAIL && r->findings[i].rule) v[n++] = &r->findings[i];
    if (n) {
        qsort(v, n, sizeof *v, top_order);
        lz_buf_puts(
            b, "### Top findings\n\n|  | Severity | Rule | Resource | Finding |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < n && i < OUT_MD_TOP; i++) finding_row(b, r, v[i]);
        if (n > OUT_MD_TOP)
            lz_buf_printf(b, "\n... and %zu more failing findings: see the JSON or SARIF report.\n",
                          n - OUT_MD_TOP);
        lz_buf_putc(b, '\n');
    } else {
        lz_buf_puts(b, "No failing findings.\n\n");
    }
    free(v);
}

static void resolved(lz_buf *b, const report *r) {
    if (!r->nresolved) return;
    lz_buf_puts(b, "### Resolved since the baseline\n\n| Severity | Rule | Resource |\n|---|---|---|\n");
    for (size_t i = 0; i < r->nresolved && i < MD_RESOLVED; i++) {
        const report_prior *p = &r->resolved[i];
        lz_buf_puts(b, "| ");
        out_md_text(b, p->severity ? p->severity : "", 20);
        lz_buf_puts(b, " | ");
        out_md_text(b, p->rule_id, 80);
        lz_buf_puts(b, " | ");
        out_md_text(b, p->resource_id, CAP_CELL);
        lz_buf_puts(b, " |\n");
    }
    if (r->nresolved > MD_RESOLVED) lz_buf_printf(b, "\n... and %zu more.\n", r->nresolved - MD_RESOLVED);
    lz_buf_putc(b, '\n');
}

/* ---- warnings and gaps ---- */

static void warnings(lz_buf *b, const report *r) {
    const inv_gap *gaps = NULL;
    size_t ngaps = r->inv ? inv_gaps(r->inv, &gaps) : 0, shown = 0;
    if (!ngaps && !r->nwarnings) return;
    lz_buf_puts(b, "### Warnings\n\n");
    for (size_t i = 0; i < ngaps && shown < MD_WARNINGS; i++, shown++) {
        lz_buf_puts(b, "- coverage gap: ");
        out_md_text(b, gaps[i].reason, CAP_CELL);
        lz_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < r->nwarnings && shown < MD_WARNINGS; i++, shown++) {
        lz_buf_puts(b, "- ");
        out_md_text(b, r->warnings[i], CAP_CELL);
        lz_buf_putc(b, '\n');
    }
    if (ngaps + r->nwarnings > shown) lz_buf_printf(b, "- ... and %zu more\n", ngaps + r->nwarnings - shown);
    lz_buf_putc(b, '\n');
}

int out_markdown_report(const report *r, const out_run *run, lz_buf *out, lz_err *e) {
    (void)e; /* nothing can fail: every string is escaped, never rejected */
    out_run fallback = {.fail_on = SEV_LOW};
    if (!run) {
        fallback.gating = report_gating(r, SEV_LOW, false);
        fallback.gate_code = fallback.exit_code = fallback.gating ? 1 : 0;
        run = &fallback;
    }
    headline(out, r, run);
    counts_table(out, r);
    baseline_line(out, r);
    top_findings(out, r);
    resolved(out, r);
    warnings(out, r);
    return 0;
}
