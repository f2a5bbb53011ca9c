/*
 * baseline.h - comparing a scan with an earlier one (--baseline PREVIOUS).
 *
 * The earlier run is one of lzscan's own outputs: a JSON report
 * (schemaVersion 1.x) or a SARIF log whose runs lzscan wrote. Either is read
 * as a stream, keeping per finding only its identity (the fingerprint:
 * sha256 of rule id "|" lower-cased resource id), rule, resource, severity,
 * status and a digest of its evidence, so a baseline of any size costs
 * little memory.
 *
 * Applying a baseline gives every finding a baselineState:
 *   new        no finding of the baseline has its fingerprint
 *   unchanged  one has, with the same status, severity and evidence
 *   updated    one has, but the status, severity or evidence differ
 * and lists the baseline's findings that this run does not have as the
 * report's resolved findings (baselineState absent).
 *
 * A SARIF baseline holds what that run chose to write: without
 * --sarif-unknown its unknown results, with --omit-suppressed its exempt
 * ones, past 25,000 results the least severe are not in it. Findings
 * missing from the baseline for those reasons count as new; the JSON report
 * is the complete baseline.
 *
 * Ownership: a baseline owns its entries; baseline_apply copies what the
 * report shows (resolved findings) into the report.
 */
#ifndef BASELINE_H
#define BASELINE_H

#include <stddef.h>

#include "../common/lz.h"
#include "report.h"

typedef struct baseline baseline;

int baseline_load(baseline **out, const char *path, lz_err *e);
int baseline_load_buffer(baseline **out, const char *name, const char *data, size_t len, lz_err *e);
void baseline_free(baseline *b);

size_t baseline_count(const baseline *b);
const char *baseline_format(const baseline *b); /* "json" or "sarif" */
/* True when the SARIF baseline says it left results out (25,000 cap). */
bool baseline_truncated(const baseline *b);

/* Sets every finding's baseline, prior_status and prior_severity, fills
 * r->resolved, r->baseline_path and r->baseline_format. Call after the
 * exemptions are applied, so that an exempt status is compared. */
void baseline_apply(const baseline *b, report *r);

/* The digest baselines compare evidence by: sha256 over each item's path,
 * actual and expected (NULL actual as "missing", other NULLs as ""). */
void baseline_evidence_digest(const evidence *ev, size_t n, char out[65]);

#endif
