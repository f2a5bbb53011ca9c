/*
 * out_sarif.h - SARIF 2.1.0 (`--format sarif`) for GitHub code scanning and
 * Azure DevOps, valid against the OASIS schema (tests/schemas/).
 *
 * One run per file. What GitHub needs, and how lzscan provides it:
 *   location     the subject's ARM id, lower-cased (ids are case-insensitive;
 *                GitHub tracks alerts by path), without its leading slash,
 *                percent-encoded, as a relative artifactLocation.uri with
 *                region 1:1; the id as read is the logical location's
 *                fullyQualifiedName
 *   identity     partialFingerprints.primaryLocationLineHash = the finding's
 *                fingerprint, sha256(ruleId "|" lower-cased subject id):
 *                stable across runs and input order
 *   rules        every rule of the pack (ruleIndex into driver.rules) with
 *                shortDescription, fullDescription, help text + Markdown,
 *                defaultConfiguration.level (critical/high error, medium
 *                warning, low note), security-severity (9.5 / 8.0 / 5.5 /
 *                2.0), tags and precision
 *   category     runs[0].automationDetails.id (out_run.category, default
 *                "lzscan/<scope>/", see out_scan_scope)
 *   invocation   exitCode (the real one), executionSuccessful (false when
 *                coverage gaps left data unread), notifications (the
 *                unknown-results and results-truncated ones carry their
 *                counts in properties, for `lzscan merge`)
 *   shard        run.properties.shard {index, count, inventory} for
 *                `scan --shard K/N`; properties.softFail
 *   size         at most out_run.max_results results; past it the most
 *                severe are kept and a notification says how many are not
 *
 * Statuses: fail is a result of kind "fail" at the rule's level. exempt is
 * the same with an external, accepted suppression carrying the
 * justification (left out with omit_suppressed: GitHub ignores
 * suppressions). unknown is not a result unless sarif_unknown is set
 * (then kind "open", level "none", as SARIF requires for a kind other than
 * fail): GitHub ignores `kind` and would show each one as an alert at the
 * rule's security severity, so by default a notification per rule gives
 * the count instead.
 *
 * The output is deterministic apart from the invocation's times.
 */
#ifndef OUT_SARIF_H
#define OUT_SARIF_H

#include "../common/lz.h"
#include "../rules/report.h"
#include "out_run.h"

/* Appends the SARIF log to out (owned by the caller). Returns 0, or -1 with
 * a message if the writer was misused (a bug). */
int out_sarif_report(const report *r, const out_run *run, lz_buf *out, lz_err *e);

/* "lzscan/<scope>/" with the scope reduced to [A-Za-z0-9._-]. Caller frees. */
char *out_sarif_default_category(const report *r);

/* The relative URI for an ARM id (appended to out). */
void out_sarif_uri(lz_buf *out, const char *id);

/* Texts of the invocation, shared with `lzscan merge` (output/sarif_merge.h)
 * so that a joined run says what a single one would. Caller frees each. */
char *out_sarif_exit_description(const out_run *run); /* exitCodeDescription */
char *out_sarif_unknown_text(const char *rule_id, size_t n, const char *example);
char *out_sarif_truncated_text(size_t left_out, size_t written);

#endif
