/*
 * report.c - see report.h. The report owns every finding's strings; rules
 * and the inventory are borrowed.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[RS__COUNT] = {"pass", "fail", "unknown", "notApplicable", "exempt"};

const char *result_status_name(enum result_status s) {
    return (s >= 0 && s < RS__COUNT) ? status_names[s] : "unknown";
}

static const char *const baseline_names[BS__COUNT] = {"", "new", "unchanged", "updated", "absent"};

const char *baseline_state_name(enum baseline_state s) {
    return (s >= 0 && s < BS__COUNT) ? baseline_names[s] : "";
}

void report_init(report *r, const rule_pack *p, inv *v) {
    memset(r, 0, sizeof *r);
    r->pack = p;
    r->inv = v;
    r->counts = lz_calloc(p && p->n ? p->n : 1, sizeof *r->counts);
}

static void finding_free(finding *f) {
    free(f->subject_id);
    free(f->message);
    for (size_t i = 0; i < f->nevidence; i++) {
        free(f->evidence[i].path);
        free(f->evidence[i].actual);
        free(f->evidence[i].expected);
    }
    free(f->evidence);
}

static void exemption_free(report_exemption *x) {
    free(x->source);
    for (size_t i = 0; i < x->nrules; i++) free(x->rules[i]);
    free(x->rules);
    free(x->justification);
    free(x->owner);
    free(x->ticket);
    free(x->expires);
}

static void prior_free(report_prior *p) {
    free(p->rule_id);
    free(p->resource_id);
    free(p->severity);
    free(p->status);
    free(p->title);
    free(p->message);
}

void report_free(report *r) {
    for (size_t i = 0; i < r->nfindings; i++) finding_free(&r->findings[i]);
    free(r->findings);
    free(r->counts);
    for (size_t i = 0; i < r->ninputs; i++) free(r->inputs[i]);
    free(r->inputs);
    free(r->profile_path);
    free(r->scope);
    for (size_t i = 0; i < r->nexemptions; i++) exemption_free(&r->exemptions[i]);
    free(r->exemptions);
    free(r->exemptions_path);
    for (size_t i = 0; i < r->nresolved; i++) prior_free(&r->resolved[i]);
    free(r->resolved);
    free(r->baseline_path);
    free(r->baseline_format);
    for (size_t i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

void report_add(report *r, finding *f) {
    LZ_PUSH(r->findings, r->nfindings, r->capfindings, *f);
    memset(f, 0, sizeof *f);
}

void report_count(report *r, size_t rule_index, enum result_status s) {
    if (!r->pack || rule_index >= r->pack->n || s >= RS__COUNT) return;
    r->counts[rule_index].by_status[s]++;
}

/* ASCII case-insensitive ordering (ARM ids compare case-insensitively). */
static int casecmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return (x > y) - (x < y);
    }
}

static int finding_order(const void *pa, const void *pb) {
    const finding *a = pa, *b = pb;
    int sa = a->rule ? (int)a->rule->severity : 0, sb = b->rule ? (int)b->rule->severity : 0;
    if (sa != sb) return sb - sa; /* most severe first */
    int c = strcmp(a->rule ? a->rule->id : "", b->rule ? b->rule->id : "");
    if (c) return c;
    c = casecmp(a->subject_id ? a->subject_id : "", b->subject_id ? b->subject_id : "");
    if (c) return c;
    return (int)a->status - (int)b->status; /* deterministic for equal subjects */
}

void report_sort(report *r) {
    if (r->nfindings > 1) qsort(r->findings, r->nfindings, sizeof *r->findings, finding_order);
}

size_t report_total(const report *r, enum result_status s) {
    size_t total = 0;
    for (size_t i = 0; r->pack && i < r->pack->n; i++) total += r->counts[i].by_status[s];
    return total;
}

size_t report_failing_at_least(const report *r, enum rule_severity min) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].status == RS_FAIL && r->findings[i].rule && r->findings[i].rule->severity >= min)
            n++;
    return n;
}

size_t report_rule_index(const report *r, const rule *ru) {
    if (!r->pack || !ru) return SIZE_MAX;
    /* The pack is sorted by id: binary search, then confirm the pointer. */
    size_t lo = 0, hi = r->pack->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->pack->rules[mid]->id, ru->id);
        if (c == 0 && r->pack->rules[mid] == ru) return mid;
        if (c == 0) break;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* A pack assembled by hand may not be sorted: look through it. */
    for (size_t i = 0; i < r->pack->n; i++)
        if (r->pack->rules[i] == ru) return i;
    return SIZE_MAX;
}

void report_set_status(report *r, finding *f, enum result_status s) {
    size_t i = report_rule_index(r, f->rule);
    if (i != SIZE_MAX && r->counts[i].by_status[f->status] > 0) {
        r->counts[i].by_status[f->status]--;
        r->counts[i].by_status[s]++;
    }
    f->status = s;
}

const report_exemption *report_finding_exemption(const report *r, const finding *f) {
    if (f->status != RS_EXEMPT || f->exemption == 0 || f->exemption > r->nexemptions) return NULL;
    return &r->exemptions[f->exemption - 1];
}

void report_warn(report *r, const char *fmt, ...) {
    lz_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    LZ_PUSH(r->warnings, r->nwarnings, r->capwarnings, lz_buf_steal(&b));
}

bool report_finding_gates(const finding *f, enum rule_severity min, bool only_new) {
    if (f->status != RS_FAIL || !f->rule || f->rule->severity < min) return false;
    if (!only_new || f->baseline == BS_NONE || f->baseline == BS_NEW) return true;
    if (f->baseline == BS_UNCHANGED) return false;
    return f->prior_status != RS_FAIL || f->prior_severity < min; /* updated */
}

size_t report_gating(const report *r, enum rule_severity min, bool only_new) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) n += report_finding_gates(&r->findings[i], min, only_new);
    return n;
}

size_t report_baseline_count(const report *r, enum baseline_state s) {
    if (s == BS_ABSENT) return r->nresolved;
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) n += r->findings[i].baseline == s;
    return n;
}
