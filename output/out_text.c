#include "out_text.h"

#include <stdlib.h>
#include <string.h>

#include "out_common.h"
#include "sanitize.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

/* Caps for untrusted text; ids are never capped (they must stay usable). */
enum { CAP_MESSAGE = 400, CAP_VALUE = 200, CAP_NAME = 120 };

typedef struct txt {
    lz_buf *out;
    bool color;
} txt;

/* ---- colour ---- */

static void ansi(txt *t, const char *code) {
    if (t->color) lz_buf_printf(t->out, "\033[%sm", code);
}

static const char *sev_color(enum rule_severity s) {
    switch (s) {
    case SEV_CRITICAL:
        return "1;31";
    case SEV_HIGH:
        return "31";
    case SEV_MEDIUM:
        return "33";
    case SEV_LOW:
        return "36";
    default:
        return "0";
    }
}

static const char *status_color(enum result_status s) {
    return s == RS_FAIL ? "1;31" : s == RS_UNKNOWN ? "35" : s == RS_PASS ? "32" : "2";
}

static const char *sev_name(enum rule_severity s) {
    const char *n = rule_severity_name(s);
    return n ? n : "none";
}

/* Untrusted text, sanitized and capped. */
static void put_safe(txt *t, const char *s, size_t cap) {
    out_sanitize_str(t->out, s ? s : "", cap, OUT_SAN_ELLIPSIS);
}

static void put_upper(txt *t, const char *s) {
    for (; *s; s++) lz_buf_putc(t->out, (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s));
}

/* ---- header ---- */

/* Exemptions and baseline, when the scan had them. */
static void ci_lines(txt *t, const report *r) {
    if (r->exemptions_path) {
        size_t expired = 0, exempt = report_total(r, RS_EXEMPT);
        for (size_t i = 0; i < r->nexemptions; i++) expired += r->exemptions[i].expired;
        lz_buf_puts(t->out, "exemptions: ");
        put_safe(t, r->exemptions_path, 0);
        lz_buf_printf(t->out, ": %zu entr%s, %zu expired; %zu finding%s exempt\n", r->nexemptions,
                      r->nexemptions == 1 ? "y" : "ies", expired, exempt, exempt == 1 ? "" : "s");
    }
    if (r->baseline_path) {
        lz_buf_puts(t->out, "baseline: ");
        put_safe(t, r->baseline_path, 0);
        lz_buf_printf(t->out, ": %zu new, %zu unchanged, %zu updated, %zu resolved\n",
                      report_baseline_count(r, BS_NEW), report_baseline_count(r, BS_UNCHANGED),
                      report_baseline_count(r, BS_UPDATED), report_baseline_count(r, BS_ABSENT));
    }
}

static void header(txt *t, const report *r) {
    ansi(t, "1");
    lz_buf_printf(t->out, "lzscan %s", LZSCAN_VERSION);
    ansi(t, "0");
    if (r->pack) {
        lz_buf_puts(t->out, "  rule pack ");
        put_safe(t, r->pack->name, CAP_NAME);
        lz_buf_putc(t->out, ' ');
        put_safe(t, r->pack->version, CAP_NAME);
        lz_buf_printf(t->out, " (%zu rules, sha256 %.12s)", r->pack->n, r->pack->sha256);
    }
    lz_buf_puts(t->out, "\ninputs:   ");
    for (size_t i = 0; i < r->ninputs; i++) {
        if (i) lz_buf_puts(t->out, ", ");
        put_safe(t, r->inputs[i], 0);
    }
    if (r->profile_path) {
        lz_buf_puts(t->out, "\nprofile:  ");
        put_safe(t, r->profile_path, 0);
    }
    char a[32], b[32];
    if (out_rfc3339(r->started, a) && out_rfc3339(r->finished, b))
        lz_buf_printf(t->out, "\nscanned:  %s .. %s", a, b);
    lz_buf_printf(t->out, "\nobjects:  %zu\nresults: ", r->inv ? inv_count(r->inv) : (size_t)0);
    for (int s = 0; s < RS__COUNT; s++) {
        lz_buf_putc(t->out, ' ');
        ansi(t, status_color((enum result_status)s));
        lz_buf_printf(t->out, "%s %zu", result_status_name((enum result_status)s),
                      report_total(r, (enum result_status)s));
        ansi(t, "0");
    }
    lz_buf_putc(t->out, '\n');
    ci_lines(t, r);
    lz_buf_putc(t->out, '\n');
}

/* ---- summary ---- */

static size_t failing(const report *r, enum rule_severity sev) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].status == RS_FAIL && r->findings[i].rule->severity == sev) n++;
    return n;
}

static void by_severity(txt *t, const report *r) {
    lz_buf_puts(t->out, "Failing by severity\n");
    for (int s = SEV_CRITICAL; s >= SEV_LOW; s--) {
        size_t n = failing(r, (enum rule_severity)s);
        lz_buf_puts(t->out, "  ");
        if (n) ansi(t, sev_color((enum rule_severity)s));
        lz_buf_printf(t->out, "%-9s %zu", sev_name((enum rule_severity)s), n);
        if (n) ansi(t, "0");
        lz_buf_putc(t->out, '\n');
    }
    lz_buf_putc(t->out, '\n');
}

typedef struct sub_count {
    char *sub; /* owned */
    size_t n;
} sub_count;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_sub(const void *a, const void *b) {
    const sub_count *x = a, *y = b;
    if (x->n != y->n) return x->n > y->n ? -1 : 1;
    return strcmp(x->sub, y->sub);
}

/* Failing findings per subscription, most first: the subscriptions of all
 * failures sorted and collapsed (n log n; tenants have 100k+ findings). */
static sub_count *failing_by_sub(const report *r, size_t *nout) {
    char **subs = lz_malloc((r->nfindings ? r->nfindings : 1) * sizeof *subs);
    size_t n = 0, k = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (r->findings[i].status != RS_FAIL) continue;
        out_subject s;
        out_subject_get(r, &r->findings[i], &s);
        subs[n++] = s.subscription ? s.subscription : lz_strdup("(no subscription)");
        s.subscription = NULL;
        out_subject_free(&s);
    }
    qsort(subs, n, sizeof *subs, cmp_str);
    sub_count *v = lz_malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        if (k && strcmp(v[k - 1].sub, subs[i]) == 0) {
            v[k - 1].n++;
            free(subs[i]);
        } else
            v[k++] = (sub_count){subs[i], 1};
    }
    free(subs);
    qsort(v, k, sizeof *v, cmp_sub);
    *nout = k;
    return v;
}

/* A subscription's display name from its container object, if the input
 * has one: ARM lists it as displayName (top level, or under properties once
 * ingest has rebuilt a flattened object); Resource Graph puts it in name. */
static const char *sub_display_name(const report *r, const char *sub) {
    if (!r->inv) return NULL;
    const jv_store *s = inv_cstore(r->inv);
    jv_atom a = jv_lookup_atom(s, sub, strlen(sub));
    inv_idx i = a ? inv_subscription(r->inv, a) : INV_NONE;
    if (i == INV_NONE) return NULL;
    const inv_res *res = inv_get(r->inv, i);
    const char *dn = jv_get_str(s, res->obj, "displayName");
    if (!dn) dn = jv_get_str(s, jv_get(s, res->obj, "properties", 10), "displayName");
    const char *name = inv_str(r->inv, res->name);
    if (dn) return dn;
    return name && !lz_strcaseeq(name, strlen(name), sub, strlen(sub)) ? name : NULL;
}

static void by_subscription(txt *t, const report *r) {
    size_t n;
    sub_count *v = failing_by_sub(r, &n);
    lz_buf_puts(t->out, "Failing by subscription\n");
    if (!n) lz_buf_puts(t->out, "  none\n");
    for (size_t i = 0; i < n; i++) {
        const char *dn = sub_display_name(r, v[i].sub);
        lz_buf_printf(t->out, "  %6zu  ", v[i].n);
        put_safe(t, v[i].sub, CAP_NAME);
        if (dn) {
            lz_buf_puts(t->out, "  (");
            put_safe(t, dn, CAP_NAME);
            lz_buf_putc(t->out, ')');
        }
        lz_buf_putc(t->out, '\n');
        free(v[i].sub);
    }
    free(v);
    lz_buf_putc(t->out, '\n');
}

static void coverage(txt *t, const report *r) {
    const inv_gap *gaps = NULL;
    size_t ngaps = r->inv ? inv_gaps(r->inv, &gaps) : 0;
    lz_buf_puts(t->out, "Coverage: ");
    ansi(t, ngaps ? "1;33" : "32");
    if (ngaps)
        lz_buf_printf(t->out, "INCOMPLETE, %zu gap%s (results there are unknown)", ngaps,
                      ngaps == 1 ? "" : "s");
    else
        lz_buf_puts(t->out, "complete");
    ansi(t, "0");
    lz_buf_putc(t->out, '\n');
    for (size_t i = 0; i < ngaps; i++) {
        lz_buf_puts(t->out, "  gap: ");
        put_safe(t, gaps[i].scope && *gaps[i].scope ? gaps[i].scope : "(everything)", 0);
        lz_buf_puts(t->out, "  type ");
        put_safe(t, gaps[i].type && *gaps[i].type ? gaps[i].type : "(all)", CAP_NAME);
        lz_buf_puts(t->out, ": ");
        put_safe(t, gaps[i].reason, CAP_MESSAGE);
        lz_buf_putc(t->out, '\n');
    }
    char *const *notes = NULL;
    size_t nnotes = r->inv ? inv_notes(r->inv, &notes) : 0;
    if (nnotes || r->nwarnings) lz_buf_puts(t->out, "Notes:\n");
    for (size_t i = 0; i < nnotes; i++) {
        lz_buf_puts(t->out, "  - ");
        put_safe(t, notes[i], CAP_MESSAGE);
        lz_buf_putc(t->out, '\n');
    }
    for (size_t i = 0; i < r->nwarnings; i++) {
        lz_buf_puts(t->out, "  - ");
        put_safe(t, r->warnings[i], CAP_MESSAGE);
        lz_buf_putc(t->out, '\n');
    }
    lz_buf_putc(t->out, '\n');
}

/* ---- findings ---- */

/* Word-wraps the first line of text (sanitized) at OUT_TEXT_WIDTH: the
 * first output line starts with label, the others with as many spaces. */
static void wrapped_first_line(txt *t, const char *text, const char *label) {
    const char *nl = strchr(text, '\n');
    lz_buf line = {0};
    out_sanitize(&line, text, nl ? (size_t)(nl - text) : strlen(text), 0, 0);
    size_t indent = strlen(label), width = OUT_TEXT_WIDTH - indent, col = 0;
    const char *p = lz_buf_cstr(&line);
    lz_buf_puts(t->out, label);
    while (*p) {
        while (*p == ' ') p++;
        size_t wl = strcspn(p, " ");
        if (!wl) break;
        if (col && col + 1 + wl > width) {
            lz_buf_printf(t->out, "\n%*s", (int)indent, "");
            col = 0;
        } else if (col) {
            lz_buf_putc(t->out, ' ');
            col++;
        }
        lz_buf_put(t->out, p, wl);
        col += wl;
        p += wl;
    }
    lz_buf_putc(t->out, '\n');
    lz_buf_free(&line);
}

static void rule_header(txt *t, const rule *ru) {
    lz_buf_puts(t->out, "  ");
    ansi(t, "1");
    put_safe(t, ru->id, CAP_NAME);
    ansi(t, "0");
    lz_buf_puts(t->out, "  ");
    put_safe(t, ru->title, CAP_MESSAGE);
    lz_buf_putc(t->out, '\n');
    if (ru->remediation && *ru->remediation) wrapped_first_line(t, ru->remediation, "    fix: ");
}

static void exemption_line(txt *t, const report *r, const finding *f, const char *pad) {
    const report_exemption *x = report_finding_exemption(r, f);
    if (!x) return;
    lz_buf_printf(t->out, "%sexempt until %s by ", pad, x->expires);
    put_safe(t, x->source, 0);
    lz_buf_puts(t->out, " (owner ");
    put_safe(t, x->owner, CAP_NAME);
    lz_buf_puts(t->out, ", ticket ");
    put_safe(t, x->ticket, CAP_NAME);
    lz_buf_puts(t->out, "): ");
    put_safe(t, x->justification, CAP_MESSAGE);
    lz_buf_putc(t->out, '\n');
}

static void finding_lines(txt *t, const report *r, const finding *f) {
    static const char pad[] = "             ";
    lz_buf_puts(t->out, "    ");
    ansi(t, status_color(f->status));
    lz_buf_printf(t->out, "%-8s", result_status_name(f->status));
    ansi(t, "0");
    lz_buf_putc(t->out, ' ');
    put_safe(t, f->subject_id, 0);
    if (f->baseline == BS_NEW || f->baseline == BS_UPDATED)
        lz_buf_printf(t->out, "  [%s]", baseline_state_name(f->baseline));
    lz_buf_printf(t->out, "\n%s", pad);
    put_safe(t, f->message, CAP_MESSAGE);
    lz_buf_putc(t->out, '\n');
    exemption_line(t, r, f, pad);
    /* A fail's message is its first piece of evidence in words: list the rest. */
    for (size_t i = f->status != RS_UNKNOWN ? 1 : 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        lz_buf_puts(t->out, pad);
        ansi(t, "2");
        put_safe(t, ev->path, CAP_MESSAGE);
        lz_buf_puts(t->out, ": ");
        put_safe(t, ev->actual ? ev->actual : "missing", CAP_VALUE);
        lz_buf_puts(t->out, " -> ");
        put_safe(t, ev->expected, CAP_VALUE);
        ansi(t, "0");
        lz_buf_putc(t->out, '\n');
    }
}

/* Findings ordered by severity (desc), rule id, then report order, so that
 * each rule's findings sit together whatever order the report holds.
 * Pointers into one array compare in index order, which keeps it stable. */
static int cmp_finding(const void *a, const void *b) {
    const finding *x = *(const finding *const *)a, *y = *(const finding *const *)b;
    if (x->rule->severity != y->rule->severity) return x->rule->severity > y->rule->severity ? -1 : 1;
    int c = strcmp(x->rule->id, y->rule->id);
    if (c) return c;
    return x < y ? -1 : x > y;
}

static void findings(txt *t, const report *r) {
    if (!r->nfindings) {
        lz_buf_puts(t->out, "No findings.\n");
        return;
    }
    const finding **order = lz_malloc(r->nfindings * sizeof *order);
    for (size_t i = 0; i < r->nfindings; i++) order[i] = &r->findings[i];
    qsort(order, r->nfindings, sizeof *order, cmp_finding);
    const finding *prev = NULL;
    for (size_t k = 0; k < r->nfindings; k++) {
        const finding *f = order[k];
        if (!prev || prev->rule->severity != f->rule->severity) {
            if (prev) lz_buf_putc(t->out, '\n');
            ansi(t, sev_color(f->rule->severity));
            put_upper(t, sev_name(f->rule->severity));
            ansi(t, "0");
            lz_buf_putc(t->out, '\n');
        }
        if (!prev || prev->rule != f->rule) rule_header(t, f->rule);
        finding_lines(t, r, f);
        prev = f;
    }
    free(order);
}

int out_text_report(const report *r, lz_buf *out, bool color) {
    txt t = {out, color};
    header(&t, r);
    by_severity(&t, r);
    by_subscription(&t, r);
    coverage(&t, r);
    findings(&t, r);
    return 0;
}
