/*
 * report.h - the result of a scan: what every renderer in output/ reads.
 *
 * The engine fills a report; renderers never evaluate rules. Findings are
 * the results worth listing (fail, unknown, exempt); passes and
 * not-applicable results are only counted, per rule. The report owns all
 * its strings; rules and the inventory are borrowed and must outlive it.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>
#include <time.h>

#include "../scanner/inventory.h"
#include "rule.h"

enum result_status { RS_PASS = 0, RS_FAIL, RS_UNKNOWN, RS_NOT_APPLICABLE, RS_EXEMPT, RS__COUNT };
const char *result_status_name(enum result_status s); /* pass, fail, unknown, notApplicable, exempt */

typedef struct evidence {
    char *path;     /* concrete path, e.g. properties.subnets[1].properties.routeTable.id */
    char *actual;   /* JSON text of the value, or "missing" */
    char *expected; /* e.g. equals "Disabled", in [...], count >= 1 */
} evidence;

typedef struct finding {
    const rule *rule;
    enum result_status status;
    inv_idx resource; /* the evaluated resource (the parent of a sub-element) */
    char *subject_id; /* the result's ARM id: the resource's, or {vnetId}/subnets/{name} */
    char *message;    /* one line: property is X, expected Y / why unknown */
    evidence *evidence;
    size_t nevidence;
    char fingerprint[65]; /* sha256(ruleId "|" lower(subject_id)) */
} finding;

typedef struct rule_counts {
    size_t by_status[RS__COUNT];
} rule_counts;

typedef struct report {
    const rule_pack *pack;
    inv *inv;
    rule_counts *counts; /* parallel to pack->rules */
    finding *findings;   /* sorted: severity desc, rule id, subject id */
    size_t nfindings, capfindings;
    char **inputs; /* the --input paths */
    size_t ninputs;
    char *profile_path;
    time_t started, finished;
} report;

void report_init(report *r, const rule_pack *p, inv *v);
void report_free(report *r);
/* Takes ownership of f's strings. */
void report_add(report *r, finding *f);
void report_count(report *r, size_t rule_index, enum result_status s);
void report_sort(report *r);
/* Totals over every rule for a status. */
size_t report_total(const report *r, enum result_status s);
/* Failing findings at or above a severity (the gate). */
size_t report_failing_at_least(const report *r, enum rule_severity min);

#endif
