/*
 * cli_scan.h - loading and evaluating a scan, shared by `lzscan scan` and
 * `lzscan tui` (both take the same source options).
 *
 * Ownership: scan_evaluate fills a scan_result that owns the pack, profile,
 * inventory, topology and report (scan_result_free releases them, also
 * after a failure). The source's strings are borrowed and must outlive the
 * result (the report points at the input paths).
 */
#ifndef CLI_SCAN_H
#define CLI_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "../rules/report.h"
#include "profile.h"
#include "topology.h"

typedef struct scan_source {
    char **inputs;
    size_t ninputs;
    char **rules_dirs;
    size_t nrules;
    const char *profile;
    struct live_opts *live;            /* no inputs: collect live from Azure (live/opts.h); may be NULL */
    unsigned shard_index, shard_count; /* --shard K/N (report_set_shard); 0/0: everything */
} scan_source;

typedef struct scan_result {
    rule_pack *pack;
    profile *prof;
    inv *v;
    topo *t;
    report r;
    bool have_report;
} scan_result;

/* Reads the pack, profile and inputs and evaluates: -1 (exit 2) on any
 * error, with the message naming file:line:column. */
int scan_evaluate(const scan_source *src, scan_result *s, lz_err *e);
void scan_result_free(scan_result *s);

#endif
