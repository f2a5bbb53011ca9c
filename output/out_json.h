/*
 * out_json.h - the JSON report (DESIGN §5), documented by
 * output/schema/report.schema.json. Field names never change without a
 * schemaVersion bump.
 *
 * The output is deterministic: the same report gives the same bytes (rules
 * in pack order, findings in report order, no hash-ordered maps).
 */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include "../common/lz.h"
#include "../rules/report.h"
#include "jsonw.h"
#include "out_run.h"

/* 1.1.0: baseline, resolved, exemptions, gate; findings' baselineState
 * and exemption; scan.scope; notes include exemption and baseline warnings.
 * 1.2.0: scan.shard (scan --shard K/N), scan.mergedFrom (lzscan merge). */
#define OUT_JSON_SCHEMA_VERSION "1.2.0"

/* Appends the pretty-printed report to out (owned by the caller). Returns 0,
 * or -1 with a message if the writer was misused (a bug). */
int out_json_report(const report *r, lz_buf *out, lz_err *e);
/* The same with the run's gate (threshold, exit code); run may be NULL. */
int out_json_report_run(const report *r, const out_run *run, lz_buf *out, lz_err *e);

/* The report's "tool" and "rulePack" members, for other documents that name
 * the program and pack that produced them (the evidence manifest). */
void out_json_tool(jsonw *w, const report *r);

/* The report's "coverage" member ({complete, gaps[]}), for other documents
 * that state the same coverage (the evidence manifest). */
void out_json_coverage(jsonw *w, const report *r);

#endif
