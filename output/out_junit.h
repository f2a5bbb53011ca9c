/*
 * out_junit.h - JUnit XML (`--format junit`) for test-result viewers such as
 * Azure DevOps' Tests tab (PublishTestResults@2, testResultsFormat JUnit).
 *
 * One <testsuite> per rule (name "ID: title", with severity and controls
 * as properties) and one <testcase> per rule and resource (classname the
 * rule id, name the subject's ARM id):
 *   fail     <failure> with the message, evidence (path: actual ->
 *            expected) and the remediation
 *   exempt   <skipped> naming the exemption (until, owner, ticket, why)
 *   unknown  <skipped> with the reason (never a pass)
 * Passing results are counted, not itemised (the report keeps no ids for
 * them): one <testcase> "N passing results" per rule that has any, so the
 * viewer's pass rate reflects them. tests/failures/skipped attributes
 * count exactly the <testcase> elements they summarise.
 *
 * Every string is sanitized (no control or bidi characters) and
 * XML-escaped, so the document is well-formed whatever the input holds.
 */
#ifndef OUT_JUNIT_H
#define OUT_JUNIT_H

#include "../common/lz.h"
#include "../rules/report.h"
#include "out_run.h"

int out_junit_report(const report *r, const out_run *run, lz_buf *out, lz_err *e);

/* Appends s as XML character data (attr: also escapes quotes and line
 * breaks for an attribute value), at most max characters (0: no cap). */
void out_xml_text(lz_buf *out, const char *s, size_t max, bool attr);

#endif
