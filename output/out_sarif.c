/*
 * out_sarif.c - see out_sarif.h.
 */
#include "out_sarif.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "out_common.h"
#include "out_markdown.h"
#include "sanitize.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

/* ---- rule metadata ---- */

static const char *sev_level(enum rule_severity s) {
    return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

/* GitHub maps security-severity to its labels: > 9.0 critical, 7.0-8.9
 * high, 4.0-6.9 medium, 0.1-3.9 low. */
static const char *sev_score(enum rule_severity s) {
    switch (s) {
    case SEV_CRITICAL:
        return "9.5";
    case SEV_HIGH:
        return "8.0";
    case SEV_MEDIUM:
        return "5.5";
    default:
        return "2.0";
    }
}

/* SARIF wants `name` to be an identifier readable by people
 * ("PublicNetworkAccessDisabled"): the title in PascalCase. */
static char *pascal_name(const rule *ru) {
    lz_buf b = {0};
    bool up = true;
    for (const char *c = ru->title ? ru->title : ru->id; *c && b.len < 120; c++) {
        bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9');
        if (!alnum) {
            up = true;
            continue;
        }
        lz_buf_putc(&b, up && *c >= 'a' && *c <= 'z' ? (char)(*c - 32) : *c);
        up = false;
    }
    if (!b.len) lz_buf_puts(&b, ru->id);
    return lz_buf_steal(&b);
}

/* The control family: the folder of a built-in rule ("builtin:network/..."),
 * else the middle of the id (AIHUB-NET-001 -> net). */
static char *family(const rule *ru) {
    const char *src = ru->source ? ru->source : "";
    if (strncmp(src, "builtin:", 8) == 0 && strchr(src + 8, '/'))
        return lz_strndup(src + 8, (size_t)(strchr(src + 8, '/') - (src + 8)));
    const char *a = strchr(ru->id, '-'), *b = a ? strchr(a + 1, '-') : NULL;
    char *f = a && b && b > a + 1 ? lz_strndup(a + 1, (size_t)(b - a - 1)) : lz_strdup("general");
    lz_lower(f, strlen(f));
    return f;
}

/* tags must hold distinct strings (the schema says uniqueItems). */
static void tag(jsonw *w, char ***seen, size_t *n, size_t *cap, const char *t) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*seen)[i], t) == 0) return;
    LZ_PUSH(*seen, *n, *cap, lz_strdup(t));
    jsonw_string(w, t);
}

static void write_tags(jsonw *w, const rule *ru) {
    char **seen = NULL;
    size_t n = 0, cap = 0;
    jsonw_key(w, "tags");
    jsonw_begin_array(w);
    tag(w, &seen, &n, &cap, "security");
    char *fam = family(ru);
    tag(w, &seen, &n, &cap, fam);
    free(fam);
    for (size_t i = 0; i < ru->mcsb.n; i++) {
        char *t = lz_asprintf("mcsb/%s", ru->mcsb.v[i]);
        tag(w, &seen, &n, &cap, t);
        free(t);
    }
    for (size_t i = 0; i < ru->cis.n; i++) {
        char *t = lz_asprintf("cis/%s", ru->cis.v[i]);
        tag(w, &seen, &n, &cap, t);
        free(t);
    }
    jsonw_end_array(w);
    for (size_t i = 0; i < n; i++) free(seen[i]);
    free(seen);
}

static void strv_line(lz_buf *b, const char *label, const rule_strv *v) {
    if (!v->n) return;
    lz_buf_printf(b, "%s: ", label);
    for (size_t i = 0; i < v->n; i++) lz_buf_printf(b, "%s%s", i ? ", " : "", v->v[i]);
    lz_buf_putc(b, '\n');
}

static char *help_text(const rule *ru) {
    lz_buf b = {0};
    lz_buf_printf(&b, "%s\n\nRemediation:\n%s\n", ru->title ? ru->title : ru->id,
                  ru->remediation ? ru->remediation : "(none given)");
    if (ru->references.n) lz_buf_puts(&b, "\nReferences:\n");
    for (size_t i = 0; i < ru->references.n; i++) lz_buf_printf(&b, "- %s\n", ru->references.v[i]);
    lz_buf_putc(&b, '\n');
    strv_line(&b, "MCSB", &ru->mcsb);
    strv_line(&b, "CIS", &ru->cis);
    strv_line(&b, "Landing zone", &ru->landing_zone);
    strv_line(&b, "Azure Policy", &ru->policy);
    return lz_buf_steal(&b);
}

static void md_list(lz_buf *b, const char *label, const rule_strv *v) {
    if (!v->n) return;
    lz_buf_printf(b, "- **%s:** ", label);
    for (size_t i = 0; i < v->n; i++) {
        if (i) lz_buf_puts(b, ", ");
        out_md_text(b, v->v[i], 200);
    }
    lz_buf_putc(b, '\n');
}

/* Rule text can come from users' --rules: every piece is inert Markdown,
 * one remediation line per list item so the lines stay apart. */
static char *help_markdown(const rule *ru) {
    lz_buf b = {0};
    lz_buf_puts(&b, "**Remediation**\n\n");
    const char *p = ru->remediation ? ru->remediation : "(none given)";
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = lz_strndup(p, n);
        if (n) {
            lz_buf_puts(&b, "- ");
            out_md_text(&b, line, 0);
            lz_buf_putc(&b, '\n');
        }
        free(line);
        p += n + (p[n] == '\n');
    }
    if (ru->references.n) lz_buf_puts(&b, "\n**References**\n\n");
    for (size_t i = 0; i < ru->references.n; i++) {
        const char *u = ru->references.v[i];
        if (out_md_url_ok(u))
            lz_buf_printf(&b, "- <%s>\n", u);
        else {
            lz_buf_puts(&b, "- ");
            out_md_text(&b, u, 300);
            lz_buf_putc(&b, '\n');
        }
    }
    lz_buf_puts(&b, "\n**Controls**\n\n");
    md_list(&b, "MCSB", &ru->mcsb);
    md_list(&b, "CIS", &ru->cis);
    md_list(&b, "Landing zone", &ru->landing_zone);
    md_list(&b, "Azure Policy", &ru->policy);
    return lz_buf_steal(&b);
}

static void text_obj(jsonw *w, const char *key, const char *text) {
    jsonw_key(w, key);
    jsonw_begin_object(w);
    jsonw_kv_string(w, "text", text && *text ? text : "-");
    jsonw_end_object(w);
}

static void write_rule(jsonw *w, const rule *ru) {
    char *name = pascal_name(ru), *ht = help_text(ru), *hm = help_markdown(ru);
    jsonw_begin_object(w);
    jsonw_kv_string(w, "id", ru->id);
    jsonw_kv_string(w, "name", name);
    text_obj(w, "shortDescription", ru->title ? ru->title : ru->id);
    text_obj(w, "fullDescription", ru->description && *ru->description ? ru->description : ru->title);
    jsonw_key(w, "help");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "text", ht);
    jsonw_kv_string(w, "markdown", hm);
    jsonw_end_object(w);
    if (ru->references.n && out_md_url_ok(ru->references.v[0]))
        jsonw_kv_string(w, "helpUri", ru->references.v[0]);
    jsonw_key(w, "defaultConfiguration");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "level", sev_level(ru->severity));
    jsonw_end_object(w);
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "security-severity", sev_score(ru->severity));
    jsonw_kv_string(w, "severity", rule_severity_name(ru->severity));
    /* Rules state exact property values, not heuristics; the pack does not
     * (yet) grade precision per rule. */
    jsonw_kv_string(w, "precision", "high");
    write_tags(w, ru);
    jsonw_end_object(w);
    jsonw_end_object(w);
    free(name);
    free(ht);
    free(hm);
}

static void write_driver(jsonw *w, const report *r) {
    jsonw_key(w, "tool");
    jsonw_begin_object(w);
    jsonw_key(w, "driver");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "name", "lzscan");
    jsonw_kv_string(w, "version", LZSCAN_VERSION);
    jsonw_kv_string(w, "semanticVersion", LZSCAN_VERSION);
    jsonw_key(w, "rules");
    jsonw_begin_array(w);
    for (size_t i = 0; r->pack && i < r->pack->n; i++) write_rule(w, r->pack->rules[i]);
    jsonw_end_array(w);
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "rulePackName", r->pack && r->pack->name ? r->pack->name : "");
    jsonw_kv_string(w, "rulePackVersion", r->pack && r->pack->version ? r->pack->version : "");
    jsonw_kv_string(w, "rulePackSha256", r->pack ? r->pack->sha256 : "");
    jsonw_end_object(w);
    jsonw_end_object(w);
    jsonw_end_object(w);
}

/* ---- locations ---- */

static bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* A segment of "." or ".." would be removed by URI resolution. */
static bool dot_segment(const char *s, size_t n) {
    return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

void out_sarif_uri(lz_buf *out, const char *id) {
    const char *p = id && *id == '/' ? id + 1 : (id ? id : "");
    bool wrote = false; /* not out->len: a streaming buffer may drain meanwhile */
    while (*p) {
        size_t n = strcspn(p, "/");
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c >= 'A' && c <= 'Z') c += 32; /* ids are case-insensitive; the path must be stable */
            if (unreserved(c) && !dot_segment(p, n))
                lz_buf_putc(out, (char)c);
            else
                lz_buf_printf(out, "%%%02X", c);
            wrote = true;
        }
        p += n;
        if (*p == '/') {
            /* A slash first would make the reference absolute ("//" a host). */
            lz_buf_puts(out, wrote ? "/" : "%2F");
            wrote = true;
            p++;
        }
    }
    if (!wrote) lz_buf_puts(out, "unknown-resource");
}

static void write_location(jsonw *w, const finding *f, const out_subject *s) {
    lz_buf uri = {0};
    out_sarif_uri(&uri, f->subject_id);
    jsonw_key(w, "locations");
    jsonw_begin_array(w);
    jsonw_begin_object(w);
    jsonw_key(w, "physicalLocation");
    jsonw_begin_object(w);
    jsonw_key(w, "artifactLocation");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "uri", lz_buf_cstr(&uri));
    jsonw_end_object(w);
    jsonw_key(w, "region");
    jsonw_begin_object(w);
    jsonw_kv_uint(w, "startLine", 1);
    jsonw_kv_uint(w, "startColumn", 1);
    jsonw_end_object(w);
    jsonw_end_object(w);
    jsonw_key(w, "logicalLocations");
    jsonw_begin_array(w);
    jsonw_begin_object(w);
    if (s->name) jsonw_kv_string(w, "name", s->name);
    jsonw_kv_string(w, "fullyQualifiedName", f->subject_id ? f->subject_id : "");
    jsonw_kv_string(w, "kind", "resource");
    jsonw_end_object(w);
    jsonw_end_array(w);
    jsonw_end_object(w);
    jsonw_end_array(w);
    lz_buf_free(&uri);
}

/* ---- results ---- */

static void write_evidence(jsonw *w, const finding *f) {
    jsonw_key(w, "evidence");
    jsonw_begin_array(w);
    for (size_t i = 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "path", ev->path ? ev->path : "");
        jsonw_kv_string(w, "actual", ev->actual ? ev->actual : "missing");
        jsonw_kv_string(w, "expected", ev->expected ? ev->expected : "");
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static void write_suppression(jsonw *w, const report_exemption *x) {
    jsonw_key(w, "suppressions");
    jsonw_begin_array(w);
    jsonw_begin_object(w);
    jsonw_kv_string(w, "kind", "external");
    jsonw_kv_string(w, "status", "accepted");
    jsonw_kv_string(w, "justification", x ? x->justification : "exempt");
    if (x) {
        jsonw_key(w, "properties");
        jsonw_begin_object(w);
        jsonw_kv_string(w, "owner", x->owner);
        jsonw_kv_string(w, "ticket", x->ticket);
        jsonw_kv_string(w, "expires", x->expires);
        jsonw_kv_string(w, "source", x->source);
        jsonw_end_object(w);
    }
    jsonw_end_object(w);
    jsonw_end_array(w);
}

static void write_result_props(jsonw *w, const finding *f, const out_subject *s) {
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "severity", rule_severity_name(f->rule->severity));
    jsonw_kv_string(w, "status", result_status_name(f->status));
    jsonw_kv_string(w, "title", f->rule->title);
    jsonw_kv_string(w, "resourceId", f->subject_id ? f->subject_id : "");
    jsonw_kv_string(w, "resourceType", s->type ? s->type : "");
    if (s->subscription) jsonw_kv_string(w, "subscriptionId", s->subscription);
    if (s->resource_group) jsonw_kv_string(w, "resourceGroup", s->resource_group);
    write_evidence(w, f);
    jsonw_end_object(w);
}

static void write_result(jsonw *w, const report *r, const finding *f) {
    out_subject s;
    out_subject_get(r, f, &s);
    size_t idx = report_rule_index(r, f->rule);
    bool fail_kind = f->status != RS_UNKNOWN;
    jsonw_begin_object(w);
    jsonw_kv_string(w, "ruleId", f->rule->id);
    if (idx != SIZE_MAX) {
        jsonw_key(w, "ruleIndex");
        jsonw_uint(w, idx);
    }
    jsonw_kv_string(w, "kind", fail_kind ? "fail" : "open");
    jsonw_kv_string(w, "level", fail_kind ? sev_level(f->rule->severity) : "none");
    jsonw_key(w, "message");
    jsonw_begin_object(w);
    char *text = lz_asprintf("%s\nResource: %s", f->message && *f->message ? f->message : f->rule->title,
                             f->subject_id ? f->subject_id : "");
    jsonw_kv_string(w, "text", text);
    free(text);
    jsonw_end_object(w);
    write_location(w, f, &s);
    jsonw_key(w, "partialFingerprints");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "primaryLocationLineHash", f->fingerprint);
    jsonw_end_object(w);
    if (f->baseline != BS_NONE) jsonw_kv_string(w, "baselineState", baseline_state_name(f->baseline));
    if (f->status == RS_EXEMPT) write_suppression(w, report_finding_exemption(r, f));
    write_result_props(w, f, &s);
    jsonw_end_object(w);
    out_subject_free(&s);
}

/* ---- selection ---- */

static bool wanted(const finding *f, const out_run *run) {
    if (!f->rule) return false;
    if (f->status == RS_EXEMPT) return !run->omit_suppressed;
    if (f->status == RS_UNKNOWN) return run->sarif_unknown;
    return f->status == RS_FAIL;
}

/* Which to keep under the cap: failures before unknown before exempt, most
 * severe first, then report order. */
static int keep_order(const void *a, const void *b) {
    const finding *x = *(const finding *const *)a, *y = *(const finding *const *)b;
    static const int rank[RS__COUNT] = {[RS_FAIL] = 0, [RS_UNKNOWN] = 1, [RS_EXEMPT] = 2};
    if (rank[x->status] != rank[y->status]) return rank[x->status] - rank[y->status];
    if (x->rule->severity != y->rule->severity) return (int)y->rule->severity - (int)x->rule->severity;
    return (x > y) - (x < y);
}

static int report_order(const void *a, const void *b) {
    const finding *x = *(const finding *const *)a, *y = *(const finding *const *)b;
    return (x > y) - (x < y);
}

/* The findings to write, in report order; *left_out counts the rest. */
static const finding **select_results(const report *r, const out_run *run, size_t *n, size_t *left_out) {
    size_t max = run->max_results ? run->max_results : OUT_SARIF_MAX_RESULTS, k = 0;
    const finding **v = lz_malloc((r->nfindings ? r->nfindings : 1) * sizeof *v);
    for (size_t i = 0; i < r->nfindings; i++)
        if (wanted(&r->findings[i], run)) v[k++] = &r->findings[i];
    *left_out = k > max ? k - max : 0;
    if (k > max) {
        qsort(v, k, sizeof *v, keep_order);
        k = max;
        qsort(v, k, sizeof *v, report_order);
    }
    *n = k;
    return v;
}

/* ---- the invocation ---- */

static void notification(jsonw *w, const char *level, const char *id, const char *text) {
    jsonw_begin_object(w);
    jsonw_kv_string(w, "level", level);
    jsonw_key(w, "descriptor");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "id", id);
    jsonw_end_object(w);
    jsonw_key(w, "message");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "text", text);
    jsonw_end_object(w);
}

static void simple_notification(jsonw *w, const char *level, const char *id, const char *text) {
    notification(w, level, id, text);
    jsonw_end_object(w);
}

char *out_sarif_unknown_text(const char *rule_id, size_t n, const char *example) {
    return lz_asprintf("%s: %zu result%s could not be decided (unknown)%s%s. They are listed in the "
                       "JSON report; --sarif-unknown writes them here as results of kind \"open\".",
                       rule_id, n, n == 1 ? "" : "s", example ? ", e.g. " : "", example ? example : "");
}

char *out_sarif_truncated_text(size_t left_out, size_t written) {
    return lz_asprintf("%zu results were left out of this SARIF log (GitHub accepts at most %zu per "
                       "run); the %zu written are the most severe. The JSON report has every finding.",
                       left_out, written, written);
}

/* One per rule with unknown results, when they are not written as results. */
static void unknown_notifications(jsonw *w, const report *r) {
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        size_t n = r->counts[i].by_status[RS_UNKNOWN];
        if (!n) continue;
        const finding *eg = NULL;
        for (size_t k = 0; k < r->nfindings && !eg; k++)
            if (r->findings[k].status == RS_UNKNOWN && r->findings[k].rule == r->pack->rules[i])
                eg = &r->findings[k];
        char *text = out_sarif_unknown_text(r->pack->rules[i]->id, n, eg ? eg->message : NULL);
        notification(w, "warning", "lzscan/unknown-results", text);
        jsonw_key(w, "associatedRule");
        jsonw_begin_object(w);
        jsonw_kv_string(w, "id", r->pack->rules[i]->id);
        jsonw_key(w, "index");
        jsonw_uint(w, i);
        jsonw_end_object(w);
        /* what `lzscan merge` sums across shards (and the example it keeps) */
        jsonw_key(w, "properties");
        jsonw_begin_object(w);
        jsonw_kv_uint(w, "count", n);
        if (eg) jsonw_kv_string(w, "resourceId", eg->subject_id ? eg->subject_id : "");
        jsonw_end_object(w);
        jsonw_end_object(w);
        free(text);
    }
}

static void notifications(jsonw *w, const report *r, const out_run *run, size_t written, size_t left_out) {
    jsonw_key(w, "toolExecutionNotifications");
    jsonw_begin_array(w);
    if (left_out) {
        char *text = out_sarif_truncated_text(left_out, written);
        notification(w, "warning", "lzscan/results-truncated", text);
        jsonw_key(w, "properties");
        jsonw_begin_object(w);
        jsonw_kv_uint(w, "leftOut", left_out); /* what `lzscan merge` adds up */
        jsonw_end_object(w);
        jsonw_end_object(w);
        free(text);
    }
    const inv_gap *gaps = NULL;
    size_t ngaps = r->inv ? inv_gaps(r->inv, &gaps) : 0;
    for (size_t i = 0; i < ngaps; i++) {
        char *text = lz_asprintf("coverage gap%s%s: %s", gaps[i].scope && *gaps[i].scope ? " at " : "",
                                 gaps[i].scope ? gaps[i].scope : "", gaps[i].reason ? gaps[i].reason : "");
        simple_notification(w, "error", "lzscan/coverage-gap", text);
        free(text);
    }
    if (!run->sarif_unknown) unknown_notifications(w, r);
    for (size_t i = 0; i < r->nwarnings; i++)
        simple_notification(w, "warning", "lzscan/warning", r->warnings[i]);
    char *const *notes = NULL;
    size_t nnotes = r->inv ? inv_notes(r->inv, &notes) : 0;
    for (size_t i = 0; i < nnotes; i++) simple_notification(w, "note", "lzscan/input-note", notes[i]);
    jsonw_end_array(w);
}

char *out_sarif_exit_description(const out_run *run) {
    const char *sev = rule_severity_name(run->fail_on);
    const char *what = run->fail_on_new ? "new failing finding" : "failing finding";
    switch (run->gate_code) {
    case 3:
        return lz_strdup("coverage gaps: some data could not be read (--allow-partial turns this into 0/1)");
    case 1:
        return lz_asprintf("%zu %s%s at or above %s%s", run->gating, what, run->gating == 1 ? "" : "s", sev,
                           run->soft_fail ? "; --soft-fail exits 0" : "");
    default:
        return lz_asprintf("no %s at or above %s", what, sev);
    }
}

static void write_invocation(jsonw *w, const report *r, const out_run *run, size_t written, size_t left_out) {
    const inv_gap *gaps = NULL;
    size_t ngaps = r->inv ? inv_gaps(r->inv, &gaps) : 0;
    char a[32], *desc = out_sarif_exit_description(run);
    jsonw_key(w, "invocations");
    jsonw_begin_array(w);
    jsonw_begin_object(w);
    /* Findings are a normal outcome; unread data is not. */
    jsonw_kv_bool(w, "executionSuccessful", ngaps == 0);
    jsonw_key(w, "exitCode");
    jsonw_int(w, run->exit_code);
    jsonw_kv_string(w, "exitCodeDescription", desc);
    if (out_rfc3339(r->started, a)) jsonw_kv_string(w, "startTimeUtc", a);
    if (out_rfc3339(r->finished, a)) jsonw_kv_string(w, "endTimeUtc", a);
    notifications(w, r, run, written, left_out);
    jsonw_end_object(w);
    jsonw_end_array(w);
    free(desc);
}

/* ---- the run ---- */

char *out_sarif_default_category(const report *r) {
    char *scope = out_scan_scope(r);
    for (char *c = scope; *c; c++)
        if (!unreserved((unsigned char)*c) || *c == '~') *c = '-';
    char *cat = lz_asprintf("lzscan/%s/", scope);
    free(scope);
    return cat;
}

static void write_run_props(jsonw *w, const report *r, const out_run *run) {
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "failOn", rule_severity_name(run->fail_on));
    jsonw_kv_bool(w, "failOnNew", run->fail_on_new);
    jsonw_kv_uint(w, "gating", run->gating);
    jsonw_kv_bool(w, "softFail", run->soft_fail);
    if (r->shard.count) { /* `lzscan merge` joins the shards */
        jsonw_key(w, "shard");
        jsonw_begin_object(w);
        jsonw_kv_uint(w, "index", r->shard.index);
        jsonw_kv_uint(w, "count", r->shard.count);
        jsonw_kv_string(w, "inventory", r->shard.inventory);
        jsonw_end_object(w);
    }
    if (r->baseline_path) {
        jsonw_kv_string(w, "baseline", r->baseline_path);
        jsonw_key(w, "baselineCounts");
        jsonw_begin_object(w);
        for (int s = BS_NEW; s < BS__COUNT; s++)
            jsonw_kv_uint(w, baseline_state_name((enum baseline_state)s),
                          report_baseline_count(r, (enum baseline_state)s));
        jsonw_end_object(w);
    }
    if (r->exemptions_path) jsonw_kv_string(w, "exemptions", r->exemptions_path);
    jsonw_end_object(w);
}

int out_sarif_report(const report *r, const out_run *run, lz_buf *out, lz_err *e) {
    size_t n, left_out;
    const finding **sel = select_results(r, run, &n, &left_out);
    char *category = run->category ? lz_strdup(run->category) : out_sarif_default_category(r);
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    jsonw_kv_string(&w, "version", "2.1.0");
    jsonw_key(&w, "runs");
    jsonw_begin_array(&w);
    jsonw_begin_object(&w);
    write_driver(&w, r);
    jsonw_key(&w, "automationDetails");
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "id", category);
    jsonw_end_object(&w);
    write_invocation(&w, r, run, n, left_out);
    jsonw_kv_string(&w, "columnKind", "unicodeCodePoints");
    jsonw_key(&w, "results");
    jsonw_begin_array(&w);
    for (size_t i = 0; i < n; i++) write_result(&w, r, sel[i]);
    jsonw_end_array(&w);
    write_run_props(&w, r, run);
    jsonw_end_object(&w);
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    free(sel);
    free(category);
    return jsonw_finish(&w, e) == 0 ? 0 : lz_err_prefix(e, "SARIF log");
}
