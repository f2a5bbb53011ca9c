/*
 * ev_diff.h - `lzscan diff OLD NEW`: what changed between two quarters.
 *
 * OLD and NEW are JSON reports (schemaVersion 1.x) or evidence bundles
 * (their report.json). Findings (fail, unknown, exempt results) are matched
 * by fingerprint, sha256(ruleId "|" lower-cased resource id):
 *   new        in NEW only
 *   resolved   in OLD only
 *   unchanged  in both (a status change, e.g. fail -> exempt, is shown)
 * grouped per rule and per framework control (NEW's mapping, else OLD's).
 * Output is deterministic: rules by id, findings by resource id.
 *
 * Ownership: an ev_report owns its strings.
 */
#ifndef EV_DIFF_H
#define EV_DIFF_H

#include <stddef.h>

#include "../common/lz.h"

typedef struct ev_dfinding {
    char *rule, *resource, *status, *severity, *fingerprint;
} ev_dfinding;

typedef struct ev_drule {
    char *id, *title;
    char **controls; /* "mcsb:AM-1", "cis:...", "landingZone:..." */
    size_t ncontrols;
} ev_drule;

typedef struct ev_report {
    char *path;
    ev_dfinding *f;
    size_t nf;
    ev_drule *rules;
    size_t nrules;
} ev_report;

enum ev_diff_format { EV_DIFF_TEXT = 0, EV_DIFF_JSON, EV_DIFF_MARKDOWN };

/* Reads a JSON report, or DIR/report.json when path is a directory. */
int ev_report_load(ev_report *r, const char *path, lz_err *e);
int ev_report_parse(ev_report *r, const char *name, const char *json, lz_err *e);
void ev_report_free(ev_report *r);

/* Renders the diff; *changes receives new + resolved. */
int ev_diff_render(const ev_report *old, const ev_report *neu, enum ev_diff_format fmt, lz_buf *out,
                   size_t *changes, lz_err *e);

#endif
