/*
 * report.h - the result of a scan: what every renderer in output/ reads.
 *
 * The engine fills a report; renderers never evaluate rules. Findings are
 * the results worth listing (fail, unknown, exempt); passes and
 * not-applicable results are only counted, per rule. The report owns all
 * its strings; rules and the inventory are borrowed and must outlive it.
 *
 * After the engine, two optional stages annotate the report (rules/exempt.h,
 * rules/baseline.h): exemptions turn matching failures into `exempt`
 * findings that point at their exemption, and a baseline gives every
 * finding a baselineState and lists the previous findings that are gone
 * (resolved). Both are recorded here so that every renderer sees them.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../scanner/inventory.h"
#include "rule.h"

enum result_status { RS_PASS = 0, RS_FAIL, RS_UNKNOWN, RS_NOT_APPLICABLE, RS_EXEMPT, RS__COUNT };
const char *result_status_name(enum result_status s); /* pass, fail, unknown, notApplicable, exempt */

/* A finding relative to the baseline (SARIF's result.baselineState).
 * BS_NONE: no baseline was given. */
enum baseline_state { BS_NONE = 0, BS_NEW, BS_UNCHANGED, BS_UPDATED, BS_ABSENT, BS__COUNT };
const char *baseline_state_name(enum baseline_state s); /* "", new, unchanged, updated, absent */

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
    /* Set by the exemption and baseline stages; zero when they did not run. */
    uint32_t exemption;              /* status exempt: 1 + index into report.exemptions; else 0 */
    enum baseline_state baseline;    /* BS_NONE without a baseline */
    enum result_status prior_status; /* BS_UNCHANGED/BS_UPDATED: the status in the baseline */
    enum rule_severity prior_severity;
} finding;

/* One entry of the exemptions file, as the report shows it. */
typedef struct report_exemption {
    char *source; /* file:line:column of the entry */
    char **rules; /* rule ids or globs, as written */
    size_t nrules;
    char *justification, *owner, *ticket;
    char *expires;  /* YYYY-MM-DD as written; the exemption ends at the end of that day, UTC */
    bool expired;   /* at report.now */
    size_t matched; /* failing findings it exempts (expired: would have exempted) */
} report_exemption;

/* A finding of the baseline that this run no longer has (baselineState
 * absent): fixed, deleted, or no longer evaluated. Strings as the baseline
 * held them. */
typedef struct report_prior {
    char *rule_id, *resource_id, *severity, *status, *title, *message;
    char fingerprint[65];
} report_prior;

typedef struct rule_counts {
    size_t by_status[RS__COUNT];
} rule_counts;

/* `lzscan scan --shard K/N`: the run loads the whole input (so topology and
 * references see everything) but evaluates only the objects it owns. */
typedef struct report_shard {
    unsigned index, count; /* K (1-based) of N; 0 of 0 when the scan is not sharded */
    char inventory[17];    /* digest of the inventory's ids: shards of one input agree */
} report_shard;

typedef struct report {
    const rule_pack *pack;
    inv *inv;
    rule_counts *counts; /* parallel to pack->rules */
    finding *findings;   /* sorted: severity desc, rule id, subject id */
    size_t nfindings, capfindings;
    char **inputs; /* the --input paths */
    size_t ninputs;
    char *profile_path;
    char *scope; /* live scans: the management group or subscription scanned; NULL offline */
    time_t started, finished;
    report_shard shard;

    /* --exemptions */
    char *exemptions_path; /* NULL: no exemptions file */
    report_exemption *exemptions;
    size_t nexemptions;
    time_t now; /* the time expiry was judged at (LZSCAN_NOW or the clock) */

    /* --baseline */
    char *baseline_path;   /* NULL: no baseline */
    char *baseline_format; /* "json" or "sarif" */
    report_prior *resolved;
    size_t nresolved;

    /* Warnings that did not stop the scan (an expired exemption, ...):
     * rendered with the inventory's notes. */
    char **warnings;
    size_t nwarnings, capwarnings;
} report;

void report_init(report *r, const rule_pack *p, inv *v);
void report_free(report *r);
/* Takes ownership of f's strings. */
void report_add(report *r, finding *f);
void report_count(report *r, size_t rule_index, enum result_status s);
/* Sorts the findings into report order (see findings); findings equal in
 * severity, rule id, subject id and status keep their relative order. */
void report_sort(report *r);
/* Totals over every rule for a status. */
size_t report_total(const report *r, enum result_status s);
/* Failing findings at or above a severity (the gate). */
size_t report_failing_at_least(const report *r, enum rule_severity min);

/* Index of ru in r->pack->rules, or SIZE_MAX. */
size_t report_rule_index(const report *r, const rule *ru);
/* Changes a finding's status, moving its rule's count along. */
void report_set_status(report *r, finding *f, enum result_status s);
/* The exemption of an exempt finding, or NULL. */
const report_exemption *report_finding_exemption(const report *r, const finding *f);
void report_warn(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Sharding. An object belongs to shard 1 + H(lower-cased id) mod N (H: FNV-1a
 * with MurmurHash3's finaliser), so
 * every object, and every result about it (its elements' too), is in
 * exactly one shard, whatever machine computes it. A coverage gap's
 * `unknown` results belong to the shard of the gap's scope.
 */
unsigned report_shard_of(const char *id, size_t len, unsigned count);
/* True when the run evaluates id: always unless it is sharded. */
bool report_owns(const report *r, const char *id, size_t len);
/* Makes r shard index of count (1 <= index <= count) and records the digest
 * of r->inv's ids (call after inv_finalize). */
void report_set_shard(report *r, unsigned index, unsigned count);

/*
 * The gate: does f fail the run at threshold min? A failing finding at or
 * above min gates. With only_new (--fail-on-new) it gates only if it would
 * not have gated against the baseline: it is new, or it was not failing at
 * or above min there (an exemption lapsed, an unknown became a failure, the
 * severity rose). Without a baseline every finding counts as new.
 */
bool report_finding_gates(const finding *f, enum rule_severity min, bool only_new);
size_t report_gating(const report *r, enum rule_severity min, bool only_new);
/* Findings with a baseline state (BS_ABSENT: the resolved ones). */
size_t report_baseline_count(const report *r, enum baseline_state s);

#endif
