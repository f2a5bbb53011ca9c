/*
 * sarif_merge.h - `lzscan merge` of SARIF logs (output/out_sarif.h) into
 * one log, valid against the OASIS schema as lzscan's own logs are.
 *
 * Runs are grouped by category (runAutomationDetails.id): runs of one
 * category become one run, as GitHub code scanning keeps one analysis per
 * category; different categories stay separate runs of the joined log.
 * Runs joined into one must come from the same lzscan and rule pack (the
 * driver and its rules are the same) and gate (failOn, failOnNew,
 * softFail), else the merge is refused; shards must be 1..N of one N over
 * one inventory (merge_parts.h).
 *
 * The joined run:
 *   results        united, deduplicated across runs by
 *                  partialFingerprints.primaryLocationLineHash, in report
 *                  order; past OUT_SARIF_MAX_RESULTS the most severe are
 *                  kept as the scanner keeps them (failures, then unknown,
 *                  then exempt; critical first), with the scanner's
 *                  lzscan/results-truncated notification counting what
 *                  the parts and the join left out. Shards' joined results
 *                  are the single run's: each shard keeps its own most
 *                  severe, and the most severe of the whole are among them.
 *   invocation     executionSuccessful only if every part's was (and no
 *                  shard is missing); exitCode joined (3, 1, 0; 0 with
 *                  --soft-fail); start earliest, end latest; notifications
 *                  united: coverage gaps, per-rule unknown counts summed,
 *                  warnings (an expired exemption's count summed), notes
 *   properties     gating summed, baselineCounts summed (absent: the
 *                  baseline findings no part matched), mergedFrom
 */
#ifndef SARIF_MERGE_H
#define SARIF_MERGE_H

#include <stddef.h>

#include "../common/lz.h"
#include "lzdoc.h"
#include "merge_parts.h"

/* Joins docs[0..n) (all LZDOC_SARIF) and appends the log to out (the
 * caller's). *exit_code receives the joined runs' exit code (3, then 1,
 * then 0). Returns 0, or -1 with a message naming the part. */
int sarif_merge(const lzdoc *docs, size_t n, const merge_opts *o, lz_buf *out, int *exit_code, lz_err *e);

#endif
