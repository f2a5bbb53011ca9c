/*
 * cli_collect.c - `lzscan collect --out FILE`: read a landing zone from
 * Azure into a snapshot; and the live hook of `lzscan scan`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/atomic.h"
#include "../cli.h"
#include "cli_live.h"
#include "collect.h"

static const char collect_usage[] =
    "usage: lzscan collect --out FILE [--management-group ID | --subscription ID ...] [options]\n"
    "\n"
    "Reads the landing zone from Azure Resource Graph and ARM (what the rule pack\n"
    "needs, nothing more) and writes a snapshot: NDJSON, a manifest line (scope,\n"
    "time, endpoints, api-versions, request counts, coverage gaps) then one ARM\n"
    "object per line, written atomically. `lzscan scan --input FILE` evaluates it.\n"
    "\n"
    "options:\n"
    "  -o, --out FILE          the snapshot to write (required)\n"
    "  -r, --rules DIR         rules whose data to collect too (repeatable)\n"
    "      --allow-partial     exit 0 even when data is missing (coverage gaps)\n"
    "  -q, --quiet             no progress line, summary or warnings on stderr\n"
    "  -h, --help              this help\n"
    "\n";

static const char collect_exit[] = "\nexit status: 0 complete; 2 usage, credential or collection error;\n"
                                   "3 coverage gaps (unless --allow-partial); 130/143 interrupted by\n"
                                   "SIGINT/SIGTERM: what was read is written, marked \"complete\": false.\n"
                                   "See docs/live.md.\n";

typedef struct collect_opts {
    const char *out;
    char **rules_dirs;
    size_t nrules, caprules;
    int allow_partial, quiet;
    live_opts live;
} collect_opts;

enum { OPT_ALLOW_PARTIAL = 256 };

static int parse(int argc, char **argv, collect_opts *o) {
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"rules", required_argument, NULL, 'r'},
        {"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        LIVE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:r:qh", longopts, NULL)) != -1) {
        if (c >= LIVE_OPT_BASE && c < LIVE_OPT_LAST) {
            if (live_opt(&o->live, c, optarg) < 0) return -1;
            continue;
        }
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 'r':
            LZ_PUSH(o->rules_dirs, o->nrules, o->caprules, optarg);
            break;
        case 'q':
            o->quiet = 1;
            break;
        case OPT_ALLOW_PARTIAL:
            o->allow_partial = 1;
            break;
        case 'h':
            fputs(collect_usage, stdout);
            fputs(live_opts_usage, stdout);
            fputs(collect_exit, stdout);
            return 1;
        default: /* ':' or an unknown option */
            return cli_bad_option("collect", c, argv);
        }
    }
    if (optind < argc) {
        cli_error("collect: unexpected argument \"%s\"", argv[optind]);
        return -1;
    }
    if (!o->out) {
        cli_error("collect: no --out FILE given (see lzscan collect --help)");
        return -1;
    }
    if (strcmp(o->out, "-") == 0) {
        cli_error("collect: --out must name a file (the snapshot is written atomically, manifest first)");
        return -1;
    }
    o->live.quiet = o->quiet;
    return 0;
}

static void summary(const collect_opts *o, const live_result *r) {
    if (o->quiet) return;
    for (size_t i = 0; i < r->ngaps; i++) cli_warn("coverage gap: %s", r->gaps[i]);
    const live_stats *s = &r->stats;
    fprintf(stderr,
            "lzscan: wrote %s: %zu objects; %llu requests (%llu token, %llu Resource Graph, %llu ARM, %llu "
            "retries); %zu coverage gaps\n",
            o->out, r->objects, (unsigned long long)(s->token + s->arg + s->arm + s->retries),
            (unsigned long long)s->token, (unsigned long long)s->arg, (unsigned long long)s->arm,
            (unsigned long long)s->retries, r->ngaps);
}

/* One line, even with --quiet: the user (or the CI job that timed out) must
 * learn where the partial snapshot went. */
static void report_interrupted(const collect_opts *o, const live_result *r) {
    const char *sig = lz_signal_name(r->interrupted);
    if (r->written)
        cli_warn("interrupted by %s: wrote the partial snapshot %s (%zu objects; its manifest says "
                 "\"complete\": false and a scan of it reports coverage INCOMPLETE)",
                 sig, o->out, r->objects);
    else
        cli_warn("interrupted by %s before the scope was read: nothing collected, %s left as it was", sig,
                 o->out);
}

int cli_collect(int argc, char **argv) {
    collect_opts o = {0};
    int prc = parse(argc, argv, &o);
    int code = prc > 0 ? EXIT_OK : EXIT_USAGE;
    rule_pack *pack = NULL;
    lz_err e = {{0}};
    live_result res = {0};
    if (prc != 0) goto done;
    if (rule_pack_builtin(&pack, &e) < 0) {
        cli_error("%s", e.msg);
        goto done;
    }
    for (size_t i = 0; i < o.nrules; i++)
        if (rule_pack_add_dir(pack, o.rules_dirs[i], &e) < 0) {
            cli_error("%s", e.msg);
            goto done;
        }
    /* The first SIGINT/SIGTERM stops collection and keeps what was read;
     * a second one kills (common/atomic.h). */
    lz_interrupt_catch();
    if (live_collect(&o.live, pack, o.out, &res, &e) < 0) {
        cli_error("%s", e.msg);
        goto done;
    }
    if (res.interrupted) {
        report_interrupted(&o, &res);
        goto done;
    }
    summary(&o, &res);
    code = res.ngaps && !o.allow_partial ? EXIT_PARTIAL : EXIT_OK;
done:
    live_result_free(&res);
    rule_pack_free(pack);
    free(o.rules_dirs);
    live_opts_free(&o.live);
    lz_interrupt_reraise(); /* interrupted: dies of the signal (130, 143), so a calling script stops too */
    return code;
}

int cli_live_inventory(live_opts *o, const rule_pack *pack, inv *v, bool quiet, lz_err *e) {
    o->quiet = o->quiet || quiet;
    live_result res = {0};
    int rc = live_collect_inventory(o, pack, v, &res, e);
    if (rc == 0 && o->verbose) {
        const live_stats *s = &res.stats;
        fprintf(
            stderr,
            "lzscan: collected %zu objects with %llu requests (%llu token, %llu Resource Graph, %llu ARM, "
            "%llu retries)\n",
            res.objects, (unsigned long long)(s->token + s->arg + s->arm + s->retries),
            (unsigned long long)s->token, (unsigned long long)s->arg, (unsigned long long)s->arm,
            (unsigned long long)s->retries);
    }
    live_result_free(&res);
    return rc;
}
