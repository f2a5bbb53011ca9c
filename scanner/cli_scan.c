/*
 * cli_scan.c - `lzscan scan`: read inputs, evaluate the pack, render, gate.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/atomic.h"
#include "../output/out_json.h"
#include "../output/out_text.h"
#include "../rules/engine.h"
#include "cli.h"
#include "ingest.h"

static const char scan_usage[] =
    "usage: lzscan scan --input PATH [--input PATH ...] [options]\n"
    "\n"
    "Reads a landing zone's configuration from files or directories, evaluates the\n"
    "rule pack and reports drift. Inputs may be `az graph query -o json` output,\n"
    "Resource Graph REST responses, ARM list responses ({\"value\": [...]}), bare\n"
    "JSON arrays or NDJSON, in any mix; directories are read recursively.\n"
    "\n"
    "options:\n"
    "  -i, --input PATH        file or directory to read (repeatable, required)\n"
    "  -r, --rules DIR         add rules, or replace built-in ones by id (repeatable)\n"
    "  -p, --profile FILE      YAML profile: rule parameters and topology facts\n"
    "  -f, --format FORMAT     text (default) or json\n"
    "  -o, --output FILE       write the report to FILE (atomically) instead of stdout\n"
    "      --fail-on SEVERITY  lowest severity that fails the run: critical, high,\n"
    "                          medium or low (default: low, any failing finding)\n"
    "      --allow-partial     exit 0/1 even when data is missing (coverage gaps)\n"
    "      --no-color          never colour the text report (also: NO_COLOR set)\n"
    "  -q, --quiet             no warnings on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "exit status: 0 nothing failing at or above --fail-on; 1 failing findings;\n"
    "2 usage or input error; 3 coverage gaps (unless --allow-partial).\n";

typedef struct scan_opts {
    char **inputs;
    size_t ninputs, capinputs;
    char **rules_dirs;
    size_t nrules, caprules;
    const char *profile, *format, *output;
    enum rule_severity fail_on;
    int allow_partial, no_color, quiet;
} scan_opts;

enum { OPT_FAIL_ON = 256, OPT_ALLOW_PARTIAL, OPT_NO_COLOR };

static int parse_scan_opts(int argc, char **argv, scan_opts *o) {
    static const struct option longopts[] = {
        {"input", required_argument, NULL, 'i'},
        {"rules", required_argument, NULL, 'r'},
        {"profile", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->format = "text";
    o->fail_on = SEV_LOW;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":i:r:p:f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            LZ_PUSH(o->inputs, o->ninputs, o->capinputs, optarg);
            break;
        case 'r':
            LZ_PUSH(o->rules_dirs, o->nrules, o->caprules, optarg);
            break;
        case 'p':
            o->profile = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case OPT_ALLOW_PARTIAL:
            o->allow_partial = 1;
            break;
        case OPT_NO_COLOR:
            o->no_color = 1;
            break;
        case OPT_FAIL_ON:
            o->fail_on = rule_severity_parse(optarg);
            if (o->fail_on == SEV_NONE) {
                cli_error("--fail-on: \"%s\" is not a severity (critical, high, medium, low)", optarg);
                return -1;
            }
            break;
        case 'h':
            fputs(scan_usage, stdout);
            return 1;
        case ':':
            cli_error("scan: option %s needs a value (see lzscan scan --help)", argv[optind - 1]);
            return -1;
        default:
            cli_error("scan: unknown option %s (see lzscan scan --help)", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        cli_error("scan: unexpected argument \"%s\" (inputs are given with --input)", argv[optind]);
        return -1;
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0) {
        cli_error("--format: \"%s\" is not a format (text, json)", o->format);
        return -1;
    }
    if (!o->ninputs) {
        cli_error("scan: no --input given (see lzscan scan --help)");
        return -1;
    }
    return 0;
}

static bool use_color(const scan_opts *o) {
    if (o->no_color || o->output || strcmp(o->format, "text") != 0) return false;
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    if (nc && *nc) return false; /* https://no-color.org */
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(STDOUT_FILENO);
}

static void print_diagnostics(const inv *v, bool quiet) {
    if (quiet) return;
    char *const *notes;
    size_t n = inv_notes(v, &notes);
    for (size_t i = 0; i < n; i++) cli_warn("%s", notes[i]);
    const inv_gap *gaps;
    n = inv_gaps(v, &gaps);
    for (size_t i = 0; i < n; i++) cli_warn("coverage gap: %s", gaps[i].reason);
}

/* Everything that can fail before a report exists: exit 2 on any of it. */
static int load_everything(const scan_opts *o, rule_pack **pack, profile **prof, inv **v, topo **t,
                           lz_err *e) {
    if (rule_pack_builtin(pack, e) < 0) return -1;
    for (size_t i = 0; i < o->nrules; i++)
        if (rule_pack_add_dir(*pack, o->rules_dirs[i], e) < 0) return -1;
    if (!o->profile)
        *prof = profile_new();
    else if (profile_load(prof, o->profile, e) < 0)
        return -1;
    if (engine_check_params(*pack, *prof, e) < 0) return -1;
    *v = inv_new();
    for (size_t i = 0; i < o->ninputs; i++)
        if (ingest_path(*v, o->inputs[i], e) < 0) return -1;
    inv_finalize(*v);
    if (inv_count(*v) == 0) inv_add_note(*v, "the inputs hold no ARM objects: nothing was evaluated");
    return topo_infer(t, *v, *prof, e);
}

static int render(const scan_opts *o, const report *r, lz_err *e) {
    lz_buf out = {0};
    int rc =
        strcmp(o->format, "json") == 0 ? out_json_report(r, &out, e) : out_text_report(r, &out, use_color(o));
    if (rc == 0) rc = lz_write_atomic(o->output ? o->output : "-", out.data, out.len, e);
    lz_buf_free(&out);
    return rc;
}

static int scan_exit_code(const scan_opts *o, const report *r) {
    const inv_gap *gaps;
    if (inv_gaps(r->inv, &gaps) && !o->allow_partial) return EXIT_PARTIAL;
    return report_failing_at_least(r, o->fail_on) ? EXIT_FINDINGS : EXIT_OK;
}

int cli_scan(int argc, char **argv) {
    scan_opts o = {0};
    int prc = parse_scan_opts(argc, argv, &o);
    if (prc != 0) {
        free(o.inputs);
        free(o.rules_dirs);
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    rule_pack *pack = NULL;
    profile *prof = NULL;
    inv *v = NULL;
    topo *t = NULL;
    lz_err e = {{0}};
    report r;
    int code = EXIT_USAGE;
    time_t started = time(NULL);
    if (load_everything(&o, &pack, &prof, &v, &t, &e) < 0) {
        cli_error("%s", e.msg);
        goto done;
    }
    report_init(&r, pack, v);
    r.started = started;
    r.inputs = o.inputs;
    r.ninputs = o.ninputs;
    r.profile_path = (char *)o.profile;
    if (engine_run(pack, v, t, prof, &r, &e) < 0) {
        cli_error("%s", e.msg);
    } else {
        r.finished = time(NULL);
        report_sort(&r);
        print_diagnostics(v, o.quiet);
        if (render(&o, &r, &e) < 0)
            cli_error("%s", e.msg);
        else
            code = scan_exit_code(&o, &r);
    }
    r.inputs = NULL; /* borrowed from argv */
    r.ninputs = 0;
    r.profile_path = NULL;
    report_free(&r);
done:
    topo_free(t);
    inv_free(v);
    profile_free(prof);
    rule_pack_free(pack);
    free(o.inputs);
    free(o.rules_dirs);
    return code;
}
