/*
 * cli_output.c - see cli_output.h.
 */
#include "cli_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/atomic.h"
#include "../common/lztime.h"
#include "../output/out_json.h"
#include "../output/out_junit.h"
#include "../output/out_markdown.h"
#include "../output/out_run.h"
#include "../output/out_sarif.h"
#include "../output/out_text.h"
#include "../rules/baseline.h"
#include "../rules/exempt.h"
#include "cli.h"

const char cli_out_usage[] =
    "outputs (repeatable; a pipeline scans once and writes them all):\n"
    "  -f, --format FORMAT     text (default), json, sarif, markdown or junit\n"
    "  -o, --output FILE       write the preceding --format to FILE (atomically)\n"
    "                          instead of stdout\n"
    "      --sarif FILE        the same as --format sarif --output FILE; likewise\n"
    "      --json FILE, --markdown FILE, --junit FILE, --text FILE\n"
    "      --category ID       SARIF runAutomationDetails.id (default lzscan/SCOPE/)\n"
    "      --omit-suppressed   leave exempt results out of SARIF\n"
    "      --sarif-unknown     write unknown results into SARIF (kind \"open\")\n"
    "\n"
    "gate:\n"
    "      --fail-on SEVERITY  lowest severity that fails the run: critical, high,\n"
    "                          medium or low (default: low, any failing finding)\n"
    "      --baseline FILE     an earlier lzscan JSON report or SARIF log: each\n"
    "                          finding becomes new, unchanged or updated, and the\n"
    "                          ones gone are listed as resolved\n"
    "      --fail-on-new       gate only on findings that are new against --baseline\n"
    "                          (or newly failing: an exemption lapsed, a severity rose)\n"
    "      --exemptions FILE   YAML exemptions (docs/exemptions.md); expiry is judged\n"
    "                          at LZSCAN_NOW when set (RFC 3339 or YYYY-MM-DD); with\n"
    "                          --tui also the file `e` appends exemptions to\n"
    "                          (default ./lzscan-exemptions.yaml)\n"
    "      --soft-fail         exit 0 whatever the gate found; outputs still say it\n"
    "\n"
    "exit status: 0 nothing failing at or above --fail-on; 1 failing findings;\n"
    "2 usage or input error (no output is written); 3 coverage gaps (unless\n"
    "--allow-partial). When several apply: 2, then 3, then 1.\n";

static const char *const formats[] = {"text", "json", "sarif", "markdown", "junit", NULL};

/* ---- options ---- */

static void push_spec(cli_out_opts *o, const char *format, const char *path) {
    LZ_PUSH(o->specs, o->nspecs, o->capspecs, ((cli_out_spec){format, path}));
}

static cli_out_spec *last_spec(cli_out_opts *o) {
    return o->nspecs ? &o->specs[o->nspecs - 1] : NULL;
}

bool cli_out_handles(int c) {
    return c == 'f' || c == 'o' || (c >= CLI_OUT_OPT_BASE && c < CLI_OUT_OPT_LAST);
}

static int set_once(const char **slot, const char *arg, const char *opt) {
    if (*slot) {
        cli_error("%s given twice", opt);
        return -1;
    }
    *slot = arg;
    return 0;
}

static int format_opt(cli_out_opts *o, const char *arg) {
    const char *f = strcmp(arg, "md") == 0 ? "markdown" : arg;
    cli_out_spec *s = last_spec(o);
    if (s && !s->format) /* `--output FILE --format F` */
        s->format = f;
    else
        push_spec(o, f, NULL);
    return 0;
}

static int output_opt(cli_out_opts *o, const char *arg) {
    cli_out_spec *s = last_spec(o);
    if (s && s->format && !s->path)
        s->path = arg;
    else
        push_spec(o, NULL, arg);
    return 0;
}

static int shorthand(cli_out_opts *o, int c, const char *arg) {
    static const char *const by_opt[] = {"sarif", "json", "markdown", "junit", "text"};
    push_spec(o, by_opt[c - CLI_OUT_OPT_SARIF], arg);
    return 0;
}

int cli_out_opt(cli_out_opts *o, int c, const char *arg) {
    switch (c) {
    case 'f':
        return format_opt(o, arg);
    case 'o':
        return output_opt(o, arg);
    case CLI_OUT_OPT_FAIL_ON:
        o->fail_on = rule_severity_parse(arg);
        if (o->fail_on != SEV_NONE) return 0;
        cli_error("--fail-on: \"%s\" is not a severity (critical, high, medium, low)", arg);
        return -1;
    case CLI_OUT_OPT_FAIL_ON_NEW:
        o->fail_on_new = true;
        return 0;
    case CLI_OUT_OPT_SOFT_FAIL:
        o->soft_fail = true;
        return 0;
    case CLI_OUT_OPT_BASELINE:
        return set_once(&o->baseline, arg, "--baseline");
    case CLI_OUT_OPT_EXEMPTIONS:
        return set_once(&o->exemptions, arg, "--exemptions");
    case CLI_OUT_OPT_CATEGORY:
        return set_once(&o->category, arg, "--category");
    case CLI_OUT_OPT_OMIT_SUPPRESSED:
        o->omit_suppressed = true;
        return 0;
    case CLI_OUT_OPT_SARIF_UNKNOWN:
        o->sarif_unknown = true;
        return 0;
    default:
        return shorthand(o, c, arg);
    }
}

static bool known_format(const char *f) {
    for (int i = 0; formats[i]; i++)
        if (strcmp(formats[i], f) == 0) return true;
    return false;
}

static bool to_stdout(const cli_out_spec *s) {
    return !s->path || strcmp(s->path, "-") == 0;
}

static int check_spec(const cli_out_opts *o, size_t i) {
    const cli_out_spec *s = &o->specs[i];
    if (!known_format(s->format)) {
        cli_error("--format: \"%s\" is not a format (text, json, sarif, markdown, junit)", s->format);
        return -1;
    }
    for (size_t k = 0; k < i; k++) {
        const cli_out_spec *t = &o->specs[k];
        if (to_stdout(s) && to_stdout(t)) {
            cli_error("--format %s and --format %s both go to stdout: give one of them --output FILE",
                      t->format, s->format);
            return -1;
        }
        if (!to_stdout(s) && !to_stdout(t) && strcmp(s->path, t->path) == 0) {
            cli_error("--output %s is given for two formats (%s and %s)", s->path, t->format, s->format);
            return -1;
        }
    }
    return 0;
}

int cli_out_check(cli_out_opts *o) {
    if (!o->nspecs) push_spec(o, "text", NULL);
    /* A lone --output without --format is the text report, as it always was. */
    if (o->nspecs == 1 && !o->specs[0].format) o->specs[0].format = "text";
    for (size_t i = 0; i < o->nspecs; i++) {
        if (!o->specs[i].format) {
            cli_error("--output %s has no --format (each --output belongs to the --format before it)",
                      o->specs[i].path);
            return -1;
        }
        if (check_spec(o, i) < 0) return -1;
    }
    if (o->fail_on == SEV_NONE) o->fail_on = SEV_LOW;
    if (o->fail_on_new && !o->baseline) {
        cli_error("--fail-on-new needs --baseline FILE (the earlier report that \"new\" is relative to)");
        return -1;
    }
    return 0;
}

void cli_out_opts_free(cli_out_opts *o) {
    free(o->specs);
    o->specs = NULL;
    o->nspecs = o->capspecs = 0;
}

/* ---- loading ---- */

struct cli_out_state {
    exempt_set *ex;
    baseline *base;
    time_t now;
};

int cli_out_load(const cli_out_opts *o, cli_out_state **out, lz_err *e) {
    cli_out_state *st = lz_calloc(1, sizeof *st);
    *out = st;
    if (lz_now(&st->now, e) < 0) return -1;
    bool skip = o->exemptions_optional && o->exemptions && access(o->exemptions, F_OK) != 0;
    if (o->exemptions && !skip && exempt_load(&st->ex, o->exemptions, e) < 0) return -1;
    if (o->baseline && baseline_load(&st->base, o->baseline, e) < 0) return lz_err_prefix(e, "--baseline");
    return 0;
}

void cli_out_state_free(cli_out_state *s) {
    if (!s) return;
    exempt_free(s->ex);
    baseline_free(s->base);
    free(s);
}

/* ---- finishing ---- */

static bool use_color(const cli_out_spec *s, const cli_out_env *env) {
    if (env->no_color || !to_stdout(s) || strcmp(s->format, "text") != 0) return false;
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    if (nc && *nc) return false; /* https://no-color.org */
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(STDOUT_FILENO);
}

static int render(const cli_out_spec *s, const report *r, const out_run *run, const cli_out_env *env,
                  lz_buf *out, lz_err *e) {
    if (strcmp(s->format, "json") == 0) return out_json_report_run(r, run, out, e);
    if (strcmp(s->format, "sarif") == 0) return out_sarif_report(r, run, out, e);
    if (strcmp(s->format, "markdown") == 0) return out_markdown_report(r, run, out, e);
    if (strcmp(s->format, "junit") == 0) return out_junit_report(r, run, out, e);
    return out_text_report(r, out, use_color(s, env));
}

static void gate(const cli_out_opts *o, const report *r, const cli_out_env *env, out_run *run) {
    const inv_gap *gaps;
    bool partial = r->inv && inv_gaps(r->inv, &gaps) && !env->allow_partial;
    *run = (out_run){.fail_on = o->fail_on ? o->fail_on : SEV_LOW,
                     .fail_on_new = o->fail_on_new,
                     .soft_fail = o->soft_fail,
                     .category = o->category,
                     .omit_suppressed = o->omit_suppressed,
                     .sarif_unknown = o->sarif_unknown};
    run->gating = report_gating(r, run->fail_on, o->fail_on_new);
    run->gate_code = partial ? EXIT_PARTIAL : run->gating ? EXIT_FINDINGS : EXIT_OK;
    run->exit_code = o->soft_fail ? EXIT_OK : run->gate_code;
}

int cli_out_exit_code(const cli_out_opts *o, const report *r, const cli_out_env *env) {
    out_run run;
    gate(o, r, env, &run);
    return run.exit_code;
}

void cli_out_annotate(const cli_out_opts *o, cli_out_state *st, report *r, const cli_out_env *env) {
    if (st && st->ex) exempt_apply(st->ex, r, st->now);
    if (st && st->base) baseline_apply(st->base, r);
    if (env->quiet) return;
    if (st && st->base && baseline_truncated(st->base))
        cli_warn(
            "--baseline %s is a SARIF log that left results out (25,000 cap): findings it lacks count as new",
            o->baseline);
    for (size_t i = 0; i < r->nwarnings; i++) cli_warn("%s", r->warnings[i]);
}

static int sink_write(void *ctx, const void *data, size_t len, lz_err *e) {
    return lz_atomic_write(ctx, data, len, e);
}

/*
 * Renders one output straight into its atomic writer, a chunk at a time:
 * the JSON report of a million resources is hundreds of megabytes, and
 * holding it whole would double the scan's peak memory. Nothing appears at
 * the path until the commit; on a render or write error the previous file
 * stays (stdout has already received what was rendered).
 */
static int write_output(const cli_out_spec *s, const report *r, const out_run *run, const cli_out_env *env,
                        lz_err *e) {
    lz_atomic *f;
    if (lz_atomic_open(&f, to_stdout(s) ? "-" : s->path, e) < 0) return -1;
    lz_sink sink = {.write = sink_write, .ctx = f};
    lz_buf out = {0};
    lz_buf_stream(&out, &sink);
    int rc = render(s, r, run, env, &out, e);
    if (rc == 0) rc = lz_buf_flush(&out, e);
    lz_buf_free(&out);
    if (rc < 0) {
        lz_atomic_abort(f);
        return -1;
    }
    return lz_atomic_commit(f, e);
}

int cli_out_finish(const cli_out_opts *o, cli_out_state *st, report *r, const cli_out_env *env) {
    cli_out_annotate(o, st, r, env);
    out_run run;
    gate(o, r, env, &run);
    int code = run.exit_code;
    for (size_t i = 0; i < o->nspecs; i++) {
        lz_err e = {{0}};
        if (write_output(&o->specs[i], r, &run, env, &e) < 0) {
            cli_error("%s", e.msg);
            code = EXIT_USAGE; /* keep writing the others: a pipeline gets what can be had */
        }
    }
    return code;
}
