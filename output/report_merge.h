/*
 * report_merge.h - `lzscan merge` of JSON reports (output/out_json.h): the
 * reports of the shards of one scan (`lzscan scan --shard K/N`, N CI jobs
 * over one snapshot) joined into the report the single scan writes, or
 * reports of disjoint scopes (one per subscription) joined into one.
 *
 * The parts must agree on what makes results comparable, or the merge is
 * refused: lzscan version, rule pack (name, version, sha256) and its rules,
 * scan source, profile, exemptions file, baseline and gate settings; shards
 * must be 1..N of one N over one inventory (merge_parts.h).
 *
 * The joined report:
 *   findings   the union, deduplicated by fingerprint across parts (the
 *              first part holding one keeps it), in report order
 *   rules      each rule's fail, unknown and exempt counts from those
 *              findings; pass and notApplicable summed (they cannot be
 *              deduplicated: shards never overlap, disjoint scopes should not)
 *   summary    recomputed from the rules; resources: the shards' common
 *              inventory, or the sum over whole scans
 *   scan       inputs united, times earliest and latest, coverage complete
 *              only if every part's was and no shard is missing, gaps and
 *              notes united (an expired exemption's count summed), scope kept
 *              if the parts agree, and mergedFrom: one entry per part
 *   baseline   counts from the findings; resolved: what no part still has
 *   exemptions each entry's matched count summed
 *   gate       gating summed; exitCode joined (3, then 1, then 0), 3 when a
 *              shard is missing
 * Shards' joined report equals the single run's but for its times and
 * scan.mergedFrom (tests/e2e/merge_reports.sh).
 */
#ifndef REPORT_MERGE_H
#define REPORT_MERGE_H

#include <stddef.h>

#include "../common/lz.h"
#include "lzdoc.h"
#include "merge_parts.h"

/* Joins docs[0..n) (all LZDOC_REPORT) and appends the pretty-printed report
 * to out (the caller's). *exit_code receives what a single run would have
 * exited with: the joined gate.exitCode, or without gates 3 when coverage
 * is incomplete, else 0. Returns 0, or -1 with a message naming the part
 * (file:line:column where a record is at fault). */
int report_merge(const lzdoc *docs, size_t n, const merge_opts *o, lz_buf *out, int *exit_code, lz_err *e);

#endif
