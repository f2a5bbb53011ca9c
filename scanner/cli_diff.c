/*
 * cli_diff.c - `lzscan diff OLD NEW [--format text|json|markdown]
 * [--output FILE]`: new, resolved and unchanged findings between two
 * evidence bundles or JSON reports (output/ev_diff.h). Exit status as
 * diff(1): 0 no finding appeared or disappeared, 1 some did, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../common/atomic.h"
#include "../output/ev_diff.h"
#include "cli.h"
#include "cli_evidence.h"

static const char diff_usage[] = "usage: lzscan diff OLD NEW [--format text|json|markdown] [--output FILE]\n"
                                 "\n"
                                 "Compares two evidence bundles (directories) or JSON reports: the findings\n"
                                 "that are new in NEW, resolved since OLD and unchanged, per rule and per\n"
                                 "framework control. Findings are matched by fingerprint (rule + resource).\n"
                                 "\n"
                                 "exit status: 0 no finding appeared or disappeared; 1 some did; 2 error.\n";

static int parse_format(const char *s, enum ev_diff_format *f) {
    if (strcmp(s, "text") == 0)
        *f = EV_DIFF_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = EV_DIFF_JSON;
    else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
        *f = EV_DIFF_MARKDOWN;
    else
        return -1;
    return 0;
}

static int parse_args(int argc, char **argv, enum ev_diff_format *f, const char **output) {
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
        if (c == 'f' && parse_format(optarg, f) == 0) continue;
        if (c == 'o') {
            *output = optarg;
            continue;
        }
        if (c == 'h') return fputs(diff_usage, stdout), 1;
        if (c == 'f')
            cli_error("diff: --format \"%s\" is not text, json or markdown", optarg);
        else
            cli_error("diff: bad option %s (see lzscan diff --help)", argv[optind - 1]);
        return -1;
    }
    if (optind + 2 != argc) return cli_error("diff: give OLD and NEW (see lzscan diff --help)"), -1;
    return 0;
}

int cli_diff(int argc, char **argv) {
    enum ev_diff_format f = EV_DIFF_TEXT;
    const char *output = "-";
    int prc = parse_args(argc, argv, &f, &output);
    if (prc) return prc > 0 ? EXIT_OK : EXIT_USAGE;
    ev_report old = {0}, neu = {0};
    lz_err e = {{0}};
    lz_buf out = {0};
    size_t changes = 0;
    int code = EXIT_USAGE;
    if (ev_report_load(&old, argv[optind], &e) == 0 && ev_report_load(&neu, argv[optind + 1], &e) == 0 &&
        ev_diff_render(&old, &neu, f, &out, &changes, &e) == 0 &&
        lz_write_atomic(output, out.data, out.len, &e) == 0)
        code = changes ? EXIT_FINDINGS : EXIT_OK;
    else
        cli_error("%s", e.msg);
    lz_buf_free(&out);
    ev_report_free(&old);
    ev_report_free(&neu);
    return code;
}
