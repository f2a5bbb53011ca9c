/*
 * cli_output.h - the CI half of `lzscan scan`: outputs, exemptions, the
 * baseline and the gate, kept apart from collection and evaluation.
 *
 * Options (CLI_OUT_LONGOPTS, help text in cli_out_usage):
 *   -f/--format F [-o/--output FILE]   repeatable: each --output belongs to
 *                                      the --format before it (an --output
 *                                      before any --format belongs to the
 *                                      next one, as `--output r.json
 *                                      --format json` always did); a format
 *                                      without --output goes to stdout
 *   --sarif/--json/--markdown/--junit/--text FILE   the same in one option
 *   --fail-on SEV, --fail-on-new, --soft-fail       the gate
 *   --baseline FILE, --exemptions FILE              read before the scan
 *                                                   (with --tui the exemptions
 *                                                   file may not exist yet)
 *   --category ID, --omit-suppressed, --sarif-unknown   SARIF
 *
 * Order of work (cli_out_finish): exemptions, then the baseline (so an
 * exempt status is what is compared), then the gate and the exit code,
 * then every output, each streamed into an atomic writer (lz_atomic: the
 * file appears whole at commit, or not at all) so that no report is held
 * in memory. The exit code is known before rendering so SARIF's
 * invocation and the summaries report it.
 *
 * Ownership: cli_out_opts borrows its strings from argv; a cli_out_state
 * owns what it loaded.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "../rules/report.h"

typedef struct cli_out_spec {
    const char *format; /* text, json, sarif, markdown, junit; NULL until paired */
    const char *path;   /* NULL or "-": stdout */
} cli_out_spec;

typedef struct cli_out_opts {
    cli_out_spec *specs;
    size_t nspecs, capspecs;
    enum rule_severity fail_on; /* SEV_NONE until given: any failing finding */
    bool fail_on_new, soft_fail, omit_suppressed, sarif_unknown;
    const char *baseline, *exemptions, *category;
    bool exemptions_optional; /* --tui: the file may not exist yet (`e` creates it) */
} cli_out_opts;

enum {
    CLI_OUT_OPT_BASE = 1500, /* clear of getopt's characters and the live options */
    CLI_OUT_OPT_FAIL_ON = CLI_OUT_OPT_BASE,
    CLI_OUT_OPT_FAIL_ON_NEW,
    CLI_OUT_OPT_SOFT_FAIL,
    CLI_OUT_OPT_BASELINE,
    CLI_OUT_OPT_EXEMPTIONS,
    CLI_OUT_OPT_CATEGORY,
    CLI_OUT_OPT_OMIT_SUPPRESSED,
    CLI_OUT_OPT_SARIF_UNKNOWN,
    CLI_OUT_OPT_SARIF,
    CLI_OUT_OPT_JSON,
    CLI_OUT_OPT_MARKDOWN,
    CLI_OUT_OPT_JUNIT,
    CLI_OUT_OPT_TEXT,
    CLI_OUT_OPT_LAST,
};

#define CLI_OUT_LONGOPTS                                                                                     \
    {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},                      \
        {"fail-on", required_argument, NULL, CLI_OUT_OPT_FAIL_ON},                                           \
        {"fail-on-new", no_argument, NULL, CLI_OUT_OPT_FAIL_ON_NEW},                                         \
        {"soft-fail", no_argument, NULL, CLI_OUT_OPT_SOFT_FAIL},                                             \
        {"baseline", required_argument, NULL, CLI_OUT_OPT_BASELINE},                                         \
        {"exemptions", required_argument, NULL, CLI_OUT_OPT_EXEMPTIONS},                                     \
        {"category", required_argument, NULL, CLI_OUT_OPT_CATEGORY},                                         \
        {"omit-suppressed", no_argument, NULL, CLI_OUT_OPT_OMIT_SUPPRESSED},                                 \
        {"sarif-unknown", no_argument, NULL, CLI_OUT_OPT_SARIF_UNKNOWN},                                     \
        {"sarif", required_argument, NULL, CLI_OUT_OPT_SARIF},                                               \
        {"json", required_argument, NULL, CLI_OUT_OPT_JSON},                                                 \
        {"markdown", required_argument, NULL, CLI_OUT_OPT_MARKDOWN},                                         \
        {"junit", required_argument, NULL, CLI_OUT_OPT_JUNIT}, {                                             \
        "text", required_argument, NULL, CLI_OUT_OPT_TEXT                                                    \
    }

/* The help text for these options (ends with a newline). */
extern const char cli_out_usage[];

/* True for the option codes cli_out_opt handles ('f', 'o' and the enum). */
bool cli_out_handles(int c);
/* Handles one option. Returns 0, or -1 after printing the problem. */
int cli_out_opt(cli_out_opts *o, int c, const char *arg);
/* After parsing: pairs --format/--output, checks formats and conflicts.
 * Returns 0, or -1 after printing the problem. */
int cli_out_check(cli_out_opts *o);
void cli_out_opts_free(cli_out_opts *o);

/* What is loaded before the scan, so that a bad exemptions or baseline
 * file (or LZSCAN_NOW) stops the run with exit 2 before any work. */
typedef struct cli_out_state cli_out_state;
int cli_out_load(const cli_out_opts *o, cli_out_state **out, lz_err *e);
void cli_out_state_free(cli_out_state *s);

typedef struct cli_out_env {
    bool allow_partial; /* coverage gaps do not exit 3 */
    bool quiet;         /* no warnings on stderr */
    bool no_color;      /* --no-color */
} cli_out_env;

/* Applies the exemptions, then the baseline, to r and prints their warnings
 * (unless quiet). Once per report. */
void cli_out_annotate(const cli_out_opts *o, cli_out_state *st, report *r, const cli_out_env *env);
/* The gate's exit code for an annotated report: 3 for coverage gaps (unless
 * allow_partial), 1 for gating findings, else 0; 0 with --soft-fail. */
int cli_out_exit_code(const cli_out_opts *o, const report *r, const cli_out_env *env);

/* cli_out_annotate, then the gate, then every output. Returns the process
 * exit code: cli_out_exit_code's, or 2 if an output could not be written. */
int cli_out_finish(const cli_out_opts *o, cli_out_state *st, report *r, const cli_out_env *env);

#endif
