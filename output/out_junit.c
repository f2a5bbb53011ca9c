/*
 * out_junit.c - see out_junit.h.
 */
#include "out_junit.h"

#include <stdlib.h>
#include <string.h>

#include "out_common.h"
#include "sanitize.h"

enum { CAP_VALUE = 2000, CAP_TEXT = 8000 };

void out_xml_text(lz_buf *out, const char *s, size_t max, bool attr) {
    lz_buf b = {0};
    /* The sanitizer leaves no control character but \n and \t, and no
     * invalid UTF-8: what remains is valid XML 1.0 once escaped. */
    out_sanitize_str(&b, s ? s : "", max, OUT_SAN_KEEP_NL | (max ? OUT_SAN_ELLIPSIS : 0));
    for (const char *c = lz_buf_cstr(&b); *c; c++) {
        switch (*c) {
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
            lz_buf_puts(out, attr ? "&quot;" : "\"");
            break;
        case '\'':
            lz_buf_puts(out, attr ? "&apos;" : "'");
            break;
        case '\n':
            lz_buf_puts(out, attr ? "&#10;" : "\n");
            break;
        case '\t':
            lz_buf_puts(out, attr ? "&#9;" : "\t");
            break;
        default:
            lz_buf_putc(out, *c);
        }
    }
    lz_buf_free(&b);
}

/* ---- per rule ---- */

typedef struct suite {
    const finding **v;
    size_t n, fail, skipped, passes;
} suite;

static void attr(lz_buf *out, const char *name, const char *value, size_t max) {
    lz_buf_printf(out, " %s=\"", name);
    out_xml_text(out, value, max, true);
    lz_buf_putc(out, '"');
}

static void property(lz_buf *out, const char *name, const rule_strv *v) {
    if (!v->n) return;
    lz_buf_puts(out, "      <property");
    attr(out, "name", name, 0);
    lz_buf tmp = {0};
    for (size_t i = 0; i < v->n; i++) lz_buf_printf(&tmp, "%s%s", i ? ", " : "", v->v[i]);
    attr(out, "value", lz_buf_cstr(&tmp), CAP_VALUE);
    lz_buf_free(&tmp);
    lz_buf_puts(out, "/>\n");
}

static void properties(lz_buf *out, const rule *ru) {
    lz_buf_puts(out, "    <properties>\n      <property name=\"severity\"");
    attr(out, "value", rule_severity_name(ru->severity), 0);
    lz_buf_puts(out, "/>\n");
    property(out, "mcsb", &ru->mcsb);
    property(out, "cis", &ru->cis);
    property(out, "landingZone", &ru->landing_zone);
    property(out, "azurePolicy", &ru->policy);
    property(out, "references", &ru->references);
    lz_buf_puts(out, "    </properties>\n");
}

static void failure_body(lz_buf *out, const finding *f) {
    for (size_t i = 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        out_xml_text(out, ev->path, CAP_VALUE, false);
        lz_buf_puts(out, ": ");
        out_xml_text(out, ev->actual ? ev->actual : "missing", CAP_VALUE, false);
        lz_buf_puts(out, " -> expected ");
        out_xml_text(out, ev->expected, CAP_VALUE, false);
        lz_buf_putc(out, '\n');
    }
    if (f->rule->remediation && *f->rule->remediation) {
        lz_buf_puts(out, "\nRemediation:\n");
        out_xml_text(out, f->rule->remediation, CAP_TEXT, false);
        lz_buf_putc(out, '\n');
    }
}

static void skipped(lz_buf *out, const report *r, const finding *f) {
    const report_exemption *x = report_finding_exemption(r, f);
    lz_buf_puts(out, "      <skipped");
    if (x) {
        char *msg = lz_asprintf("exempt until %s by %s (owner %s, ticket %s): %s", x->expires, x->source,
                                x->owner, x->ticket, x->justification);
        attr(out, "message", msg, CAP_TEXT);
        free(msg);
    } else {
        char *msg = lz_asprintf("%s: %s", result_status_name(f->status), f->message ? f->message : "");
        attr(out, "message", msg, CAP_TEXT);
        free(msg);
    }
    lz_buf_puts(out, "/>\n");
}

static void testcase(lz_buf *out, const report *r, const finding *f) {
    lz_buf_puts(out, "    <testcase");
    attr(out, "classname", f->rule->id, 0);
    attr(out, "name", f->subject_id, 0);
    lz_buf_puts(out, " time=\"0\"");
    if (f->status != RS_FAIL) {
        lz_buf_puts(out, ">\n");
        skipped(out, r, f);
        lz_buf_puts(out, "    </testcase>\n");
        return;
    }
    lz_buf_puts(out, ">\n      <failure");
    attr(out, "message", f->message, CAP_TEXT);
    attr(out, "type", rule_severity_name(f->rule->severity), 0);
    lz_buf_puts(out, ">");
    failure_body(out, f);
    lz_buf_puts(out, "</failure>\n    </testcase>\n");
}

static void write_suite(lz_buf *out, const report *r, const rule *ru, const suite *s, const char *stamp) {
    size_t tests = s->n + (s->passes ? 1 : 0);
    char *name = lz_asprintf("%s: %s", ru->id, ru->title ? ru->title : "");
    lz_buf_puts(out, "  <testsuite");
    attr(out, "name", name, 0);
    lz_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"", tests,
                  s->fail, s->skipped);
    if (*stamp) lz_buf_printf(out, " timestamp=\"%s\"", stamp);
    lz_buf_puts(out, ">\n");
    free(name);
    properties(out, ru);
    for (size_t i = 0; i < s->n; i++) testcase(out, r, s->v[i]);
    if (s->passes) {
        lz_buf_puts(out, "    <testcase");
        attr(out, "classname", ru->id, 0);
        lz_buf_printf(out, " name=\"%zu passing result%s\" time=\"0\"/>\n", s->passes,
                      s->passes == 1 ? "" : "s");
    }
    lz_buf_puts(out, "  </testsuite>\n");
}

/* Findings bucketed by rule index (two passes: count, then fill). */
static suite *build_suites(const report *r, size_t nrules) {
    suite *su = lz_calloc(nrules ? nrules : 1, sizeof *su);
    size_t *idx = lz_malloc((r->nfindings ? r->nfindings : 1) * sizeof *idx);
    for (size_t i = 0; i < r->nfindings; i++) {
        idx[i] = report_rule_index(r, r->findings[i].rule);
        if (idx[i] < nrules) su[idx[i]].n++;
    }
    for (size_t k = 0; k < nrules; k++) {
        su[k].v = lz_malloc((su[k].n ? su[k].n : 1) * sizeof *su[k].v);
        su[k].passes = r->counts[k].by_status[RS_PASS];
        su[k].n = 0;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        if (idx[i] >= nrules) continue;
        suite *s = &su[idx[i]];
        const finding *f = &r->findings[i];
        s->v[s->n++] = f;
        s->fail += f->status == RS_FAIL;
        s->skipped += f->status != RS_FAIL;
    }
    free(idx);
    return su;
}

int out_junit_report(const report *r, const out_run *run, lz_buf *out, lz_err *e) {
    (void)run;
    (void)e; /* nothing can fail: every string is escaped, never rejected */
    size_t nrules = r->pack ? r->pack->n : 0, tests = 0, fails = 0, skips = 0;
    suite *su = build_suites(r, nrules);
    for (size_t k = 0; k < nrules; k++) {
        tests += su[k].n + (su[k].passes ? 1 : 0);
        fails += su[k].fail;
        skips += su[k].skipped;
    }
    char stamp[32] = "";
    if (out_rfc3339(r->started, stamp)) stamp[19] = '\0'; /* JUnit's timestamp has no zone: UTC implied */
    lz_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    lz_buf_printf(out,
                  "<testsuites name=\"lzscan\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
                  "time=\"0\">\n",
                  tests, fails, skips);
    for (size_t k = 0; k < nrules; k++) write_suite(out, r, r->pack->rules[k], &su[k], stamp);
    lz_buf_puts(out, "</testsuites>\n");
    for (size_t k = 0; k < nrules; k++) free(su[k].v);
    free(su);
    return 0;
}
