/*
 * tui.h - lzscan's interactive audit UI (ncursesw): `lzscan tui` and
 * `lzscan scan --tui`. See docs/tui.md for the views and keys.
 *
 * The terminal is always given back: on return (normal or error), from an
 * atexit handler, and on SIGINT / SIGTERM / SIGHUP / SIGQUIT (the handler
 * ends curses mode and re-raises the signal, so the process exits with the
 * signal's status).
 *
 * Ownership: the report is borrowed (and must outlive the call); the TUI
 * only marks findings it wrote exemptions for in its own state.
 */
#ifndef TUI_H
#define TUI_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../rules/report.h"

typedef struct tui_options {
    const char *exemptions; /* where `e` appends; NULL: ./lzscan-exemptions.yaml */
    bool no_color;          /* --no-color (NO_COLOR and monochrome terminals are honoured anyway) */
} tui_options;

/* Runs the UI on the controlling terminal (stdin/stdout must be terminals)
 * until the user quits. Returns 0, or -1 with a message (no terminal, an
 * unknown TERM, ...), the terminal restored. */
int tui_run(report *r, const tui_options *o, lz_err *e);

/*
 * Live-scan progress (for the live collector): what the TUI shows while
 * collection runs, before the results open. A collector calls
 * tui_progress_update as often as it likes (it redraws at most every 100
 * ms); tui_progress_end leaves curses mode so that tui_run can follow.
 */
typedef struct tui_progress_stats {
    const char *phase; /* e.g. "resource graph", "child lists" */
    uint64_t pages, requests, retries, throttled, objects, gaps;
    double throttle_wait_ms;
    uint64_t work_done, work_total; /* 0 total: unknown */
} tui_progress_stats;

typedef struct tui_progress tui_progress;
/* NULL with a message when there is no usable terminal. */
tui_progress *tui_progress_begin(const tui_options *o, lz_err *e);
void tui_progress_update(tui_progress *p, const tui_progress_stats *s);
void tui_progress_end(tui_progress *p);

#endif
