/*
 * report.c - see report.h. The report owns every finding's strings; rules
 * and the inventory are borrowed.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[RS__COUNT] = {"pass", "fail", "unknown", "notApplicable", "exempt"};

const char *result_status_name(enum result_status s) {
    return (s >= 0 && s < RS__COUNT) ? status_names[s] : "unknown";
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

void report_free(report *r) {
    for (size_t i = 0; i < r->nfindings; i++) finding_free(&r->findings[i]);
    free(r->findings);
    free(r->counts);
    for (size_t i = 0; i < r->ninputs; i++) free(r->inputs[i]);
    free(r->inputs);
    free(r->profile_path);
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
