/*
 * out_run.h - how a scan ends, for the renderers that report it (SARIF
 * invocations, the Markdown summary, the JSON report's gate): the gate's
 * settings, what it found, and the process exit code, which is computed
 * before anything is rendered so that every output tells the same story.
 *
 * A plain struct of values; strings are borrowed from the caller.
 */
#ifndef OUT_RUN_H
#define OUT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "../rules/rule.h"

/* GitHub code scanning accepts at most this many results per run. */
#define OUT_SARIF_MAX_RESULTS 25000

typedef struct out_run {
    int exit_code;              /* what lzscan exits with (after --soft-fail) */
    int gate_code;              /* what it would exit with without --soft-fail */
    enum rule_severity fail_on; /* --fail-on (SEV_LOW: any failing finding) */
    bool fail_on_new;           /* --fail-on-new */
    bool soft_fail;             /* --soft-fail */
    size_t gating;              /* failing findings that gate */

    /* SARIF */
    const char *category; /* runAutomationDetails.id; NULL: "lzscan/<scope>/" */
    bool omit_suppressed; /* leave exempt results out */
    bool sarif_unknown;   /* write unknown results (kind "open", level "none") */
    size_t max_results;   /* 0: OUT_SARIF_MAX_RESULTS */
} out_run;

#endif
