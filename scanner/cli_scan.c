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
#include "../output/tui.h"
#include "../rules/engine.h"
#include "cli.h"
#include "cli_output.h"
#include "cli_scan.h"
#include "ingest.h"
#include "live/cli_live.h"

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
    "      --allow-partial     exit 0/1 even when data is missing (coverage gaps)\n"
    "      --no-color          never colour the text report (also: NO_COLOR set)\n"
    "      --tui               open the interactive UI instead of printing a report\n"
    "      --shard K/N         evaluate only shard K of N of the objects (by a hash of\n"
    "                          their id) after loading everything; `lzscan merge`\n"
    "                          joins the N reports or SARIF logs into the whole one\n"
    "  -q, --quiet             no warnings on stderr\n"
    "  -h, --help              this help\n"
    "\n";

typedef struct scan_opts {
    char **inputs;
    size_t ninputs, capinputs;
    char **rules_dirs;
    size_t nrules, caprules;
    const char *profile;
    cli_out_opts out; /* outputs, exemptions, baseline, gate (cli_output.h) */
    int allow_partial, no_color, quiet, tui;
    unsigned shard_index, shard_count; /* --shard K/N; 0/0 when not given */
    live_opts live;                    /* live collection (no --input): scope, credential, endpoints */
} scan_opts;

enum { OPT_ALLOW_PARTIAL = 256, OPT_NO_COLOR, OPT_TUI, OPT_SHARD };

/* Shards are numbered from 1, as people count CI jobs. */
#define SHARD_MAX 4096

static int parse_shard(const char *arg, scan_opts *o) {
    char *end;
    unsigned long k = strtoul(arg, &end, 10), n = 0;
    bool ok = end != arg && *end == '/' && arg[0] >= '0' && arg[0] <= '9';
    if (ok) {
        const char *nd = end + 1;
        n = strtoul(nd, &end, 10);
        ok = end != nd && *end == '\0' && nd[0] >= '0' && nd[0] <= '9';
    }
    if (!ok || k < 1 || n < 1 || k > n || n > SHARD_MAX) {
        cli_error("scan: --shard \"%s\": expected K/N with 1 <= K <= N <= %d (e.g. 2/4)", arg, SHARD_MAX);
        return -1;
    }
    o->shard_index = (unsigned)k;
    o->shard_count = (unsigned)n;
    return 0;
}

static int parse_scan_opts(int argc, char **argv, scan_opts *o) {
    static const struct option longopts[] = {
        {"input", required_argument, NULL, 'i'},
        {"rules", required_argument, NULL, 'r'},
        {"profile", required_argument, NULL, 'p'},
        {"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
        {"no-color", no_argument, NULL, OPT_NO_COLOR},
        {"tui", no_argument, NULL, OPT_TUI},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        LIVE_LONGOPTS,
        CLI_OUT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":i:r:p:f:o:qh", longopts, NULL)) != -1) {
        if (c >= LIVE_OPT_BASE && c < LIVE_OPT_LAST) {
            if (live_opt(&o->live, c, optarg) < 0) return -1;
            continue;
        }
        if (cli_out_handles(c)) {
            if (cli_out_opt(&o->out, c, optarg) < 0) return -1;
            continue;
        }
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
        case 'q':
            o->quiet = 1;
            break;
        case OPT_ALLOW_PARTIAL:
            o->allow_partial = 1;
            break;
        case OPT_NO_COLOR:
            o->no_color = 1;
            break;
        case OPT_TUI:
            o->tui = 1;
            break;
        case OPT_SHARD:
            if (parse_shard(optarg, o) < 0) return -1;
            break;
        case 'h':
            fputs(scan_usage, stdout);
            fputs(cli_out_usage, stdout);
            fputs("\n", stdout);
            fputs(live_opts_usage, stdout);
            return 1;
        default: /* ':' or an unknown option */
            return cli_bad_option("scan", c, argv);
        }
    }
    if (optind < argc) {
        cli_error("scan: unexpected argument \"%s\" (inputs are given with --input)", argv[optind]);
        return -1;
    }
    o->out.exemptions_optional = o->tui;
    if (cli_out_check(&o->out) < 0) return -1;
    if (o->shard_count && o->tui) {
        cli_error("scan: --shard and --tui exclude each other (the UI shows a whole scan)");
        return -1;
    }
    if (o->ninputs && o->live.any) {
        cli_error("scan: --input and the live collection options exclude each other");
        return -1;
    }
    if (!o->ninputs && !live_opts_scoped(&o->live)) {
        cli_error(
            "scan: no --input, --management-group, --subscription or --tenant (see lzscan scan --help)");
        return -1;
    }
    return 0;
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

/* A projected snapshot lacks every property its pack does not read, so
 * other rules could pass on data that was never collected. */
static int check_projection(const inv *v, const rule_pack *pack, lz_err *e) {
    const char *file, *conflict, *sha = inv_projection(v, &file, &conflict);
    if (sha && conflict)
        return lz_errf(e,
                       "%s and %s were collected with the Resource Graph projection for different rule "
                       "packs: collect them with the same pack, or with --no-projection",
                       file, conflict);
    if (sha && strcmp(sha, pack->sha256) != 0)
        return lz_errf(e,
                       "%s was collected with the Resource Graph projection for rule pack sha256 %.12s..., "
                       "and holds only what those rules read; this scan's pack is %.12s...: scan it with "
                       "the pack it was collected for, or collect again with --no-projection",
                       file, sha, pack->sha256);
    return 0;
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
    if (!o->ninputs && cli_live_inventory((live_opts *)&o->live, *pack, *v, o->quiet, e) < 0) return -1;
    for (size_t i = 0; i < o->ninputs; i++)
        if (ingest_path(*v, o->inputs[i], e) < 0) return -1;
    inv_finalize(*v);
    if (check_projection(*v, *pack, e) < 0) return -1;
    if (inv_count(*v) == 0) inv_add_note(*v, "the inputs hold no ARM objects: nothing was evaluated");
    return topo_infer(t, *v, *prof, e);
}

/* The scope a live scan was given, as ARM ids ("/providers/Microsoft.
 * Management/managementGroups/NAME", "/subscriptions/ID"), space-separated:
 * what the report's scan.scope names. */
static char *live_scope_text(const live_opts *o) {
    lz_buf b = {0};
    for (size_t i = 0; i < o->mgs.n; i++)
        lz_buf_printf(&b, "%s/providers/Microsoft.Management/managementGroups/%s", b.len ? " " : "",
                      o->mgs.v[i]);
    for (size_t i = 0; i < o->subs.n; i++)
        lz_buf_printf(&b, "%s/subscriptions/%s", b.len ? " " : "", o->subs.v[i]);
    if (!b.len && o->tenant)
        lz_buf_printf(&b, "/providers/Microsoft.Management/managementGroups/%s", o->tenant);
    return lz_buf_steal(&b);
}

int scan_evaluate(const scan_source *src, scan_result *s, lz_err *e) {
    scan_opts o = {.inputs = src->inputs,
                   .ninputs = src->ninputs,
                   .rules_dirs = src->rules_dirs,
                   .nrules = src->nrules,
                   .profile = src->profile};
    if (src->live) o.live = *src->live;
    memset(s, 0, sizeof *s);
    time_t started = time(NULL);
    if (load_everything(&o, &s->pack, &s->prof, &s->v, &s->t, e) < 0) return -1;
    report_init(&s->r, s->pack, s->v);
    s->have_report = true;
    if (src->shard_count) report_set_shard(&s->r, src->shard_index, src->shard_count);
    s->r.started = started;
    s->r.inputs = src->inputs;
    s->r.ninputs = src->ninputs;
    s->r.profile_path = (char *)src->profile;
    if (!src->ninputs) s->r.scope = live_scope_text(&o.live);
    if (engine_run(s->pack, s->v, s->t, s->prof, &s->r, e) < 0) return -1;
    s->r.finished = time(NULL);
    report_sort(&s->r);
    return 0;
}

void scan_result_free(scan_result *s) {
    if (s->have_report) {
        s->r.inputs = NULL; /* borrowed from the source */
        s->r.ninputs = 0;
        s->r.profile_path = NULL;
        report_free(&s->r);
    }
    topo_free(s->t);
    inv_free(s->v);
    profile_free(s->prof);
    rule_pack_free(s->pack);
    memset(s, 0, sizeof *s);
}

/* A live scan into the TUI: the collector's progress on the TUI's progress
 * screen (never the stderr line, which would draw over it). */
static void tui_live_progress(const live_progress_info *p, void *ctx) {
    uint64_t total = p->work_total, done = p->work_done > total || p->final ? total : p->work_done;
    tui_progress_stats ts = {.phase = p->final ? "collected; evaluating the rules" : p->phase,
                             .pages = p->pages,
                             .requests = p->requests,
                             .retries = p->retries,
                             .throttled = p->throttled,
                             .objects = p->objects,
                             .gaps = p->gaps,
                             .throttle_wait_ms = p->waited_ms,
                             .work_done = done,
                             .work_total = total};
    tui_progress_update(ctx, &ts);
}

int cli_scan(int argc, char **argv) {
    scan_opts o = {0};
    int prc = parse_scan_opts(argc, argv, &o);
    if (prc != 0) {
        free(o.inputs);
        free(o.rules_dirs);
        live_opts_free(&o.live);
        cli_out_opts_free(&o.out);
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    scan_source src = {.inputs = o.inputs,
                       .ninputs = o.ninputs,
                       .rules_dirs = o.rules_dirs,
                       .nrules = o.nrules,
                       .profile = o.profile,
                       .live = &o.live,
                       .shard_index = o.shard_index,
                       .shard_count = o.shard_count};
    o.live.quiet = o.quiet;
    scan_result s;
    lz_err e = {{0}};
    int code = EXIT_USAGE;
    cli_out_env env = {o.allow_partial, o.quiet, o.no_color};
    cli_out_state *st = NULL;
    memset(&s, 0, sizeof s);
    tui_options to = {o.out.exemptions, o.no_color};
    tui_progress *prog = NULL;
    int loaded = cli_out_load(&o.out, &st, &e);
    /* Live into the TUI: the progress screen while collecting (with --verbose
     * the call log goes to stderr instead, with the progress line). */
    if (loaded == 0 && o.tui && !o.ninputs && !o.live.verbose) {
        prog = tui_progress_begin(&to, &e);
        if (!prog) loaded = -1;
        o.live.progress = tui_live_progress;
        o.live.progress_ctx = prog;
    }
    if (loaded < 0 || scan_evaluate(&src, &s, &e) < 0) {
        tui_progress_end(prog);
        cli_error("%s", e.msg);
    } else if (o.tui) {
        tui_progress_end(prog);
        cli_out_annotate(&o.out, st, &s.r, &env);
        if (tui_run(&s.r, &to, &e) < 0)
            cli_error("%s", e.msg);
        else
            code = cli_out_exit_code(&o.out, &s.r, &env);
    } else {
        print_diagnostics(s.v, o.quiet);
        code = cli_out_finish(&o.out, st, &s.r, &env);
    }
    cli_out_state_free(st);
    scan_result_free(&s);
    cli_out_opts_free(&o.out);
    free(o.inputs);
    free(o.rules_dirs);
    live_opts_free(&o.live);
    return code;
}
