/*
 * merge_parts.h - what the JSON report merge (report_merge.h) and the SARIF
 * merge (sarif_merge.h) share: checking that the parts are the shards of
 * one scan, joining their notes, ordering their findings as a single run
 * orders them, and joining their exit codes.
 *
 * Shards (`lzscan scan --shard K/N`) evaluate disjoint sets of objects of
 * one inventory, so their results add up to the single run's exactly. A
 * set of parts is either all shards of one scan (same N, same inventory
 * digest, each index once) or all whole scans of disjoint scopes (per
 * subscription, say), whose pass and notApplicable counts add up only as
 * far as the scopes really are disjoint.
 *
 * Ownership: strings passed in are borrowed; what a function returns is
 * the caller's to free, as each says.
 */
#ifndef MERGE_PARTS_H
#define MERGE_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"

/* Options of `lzscan merge` for reports and SARIF logs. */
typedef struct merge_opts {
    /* Join the shards there are when some are missing: coverage is then
     * incomplete, with a gap naming the missing ones (never silently). */
    bool allow_missing;
} merge_opts;

typedef struct merge_shard {
    const char *part;      /* the part's name for messages, e.g. "s1.json" */
    unsigned index, count; /* K of N; 0 of 0 for a whole scan */
    const char *inventory; /* the shard's inventory digest; NULL for a whole scan */
} merge_shard;

/*
 * Checks that parts[0..n) are all whole scans, or all shards of one scan
 * (same count and inventory, no index twice). Missing shards are an error
 * unless o->allow_missing; then *missing receives the coverage gap's reason
 * ("shards 2/4, 4/4 were not merged: ..."; caller frees), else NULL.
 */
int merge_check_shards(const merge_shard *parts, size_t n, const merge_opts *o, char **missing, lz_err *e);

/* The order parts are joined in: shards by index, whole scans as given.
 * Fills order[0..n) with indices into parts. */
void merge_part_order(const merge_shard *parts, size_t n, size_t *order);

/*
 * Strings of the parts united in order of first appearance. With notes
 * true they are notes and warnings: an expired exemption's warning states
 * how many findings it would have covered; each shard counts its own, so
 * those are added up into the single run's wording.
 */
typedef struct merge_notes merge_notes;
merge_notes *merge_notes_new(bool notes);
void merge_notes_add(merge_notes *m, const char *text);
size_t merge_notes_count(const merge_notes *m);
/* The i-th united note (owned by m, valid until merge_notes_free). */
const char *merge_notes_get(merge_notes *m, size_t i);
void merge_notes_free(merge_notes *m);

/*
 * A finding's place in a report (rules/report.c): severity (critical
 * first), rule id, subject id case-insensitively, status. Strings may be
 * NULL. Severity and status are lzscan's names.
 */
int merge_finding_order(const char *sev_a, const char *rule_a, const char *id_a, const char *status_a,
                        const char *sev_b, const char *rule_b, const char *id_b, const char *status_b);
/* Severity rank: critical 4 ... low 1, else 0. */
int merge_severity_rank(const char *sev);

/* The exit code of the joined run from its parts': 3 (coverage) beats 1
 * (gating findings) beats 0. */
int merge_exit_join(int a, int b);

/* The earlier (want_later false) or later of two RFC 3339 UTC timestamps of
 * lzscan's format (they order as strings); either may be NULL. Borrowed. */
const char *merge_time_pick(const char *a, const char *b, bool want_later);

/* True for a 64-digit lower-case hex string (a fingerprint or sha256). */
bool merge_is_hex64(const char *s);

#endif
