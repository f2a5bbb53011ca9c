/*
 * tui.c - tui_run: the terminal's setup and restoration, signals, and the
 * key loop around tui_app (tui_app.h); the live-scan progress screen.
 */
#include "tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../common/atomic.h"
#include "tui_app.h"
#include "tui_text.h"

/* ---- the terminal, given back on every path ---- */

static volatile sig_atomic_t g_curses; /* curses mode is on */
static bool g_hooks;

static void restore(void) {
    if (g_curses) {
        g_curses = 0;
        endwin();
    }
}

/* Ends curses mode and dies of the same signal, so the shell sees it
 * (130 for Ctrl-C). endwin is not async-signal-safe, but the process is
 * about to end and a terminal left in raw mode is the worse outcome. */
static void on_signal(int sig) {
    lz_temp_remove_all(); /* a live scan's snapshot in TMPDIR, a half-written export */
    restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_hooks(void) {
    if (g_hooks) return;
    g_hooks = true;
    atexit(restore);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, NULL);
}

/* The locale's codeset decides UTF-8 glyphs or the ASCII fallback. Numbers
 * stay in the C locale for everything else the process writes. */
static bool utf8_locale(void) {
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* The terminal and its locale: checked (and the display mode set) before
 * any display string is computed. */
static int term_check(bool *utf8, lz_err *e) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return lz_errf(e, "the TUI needs a terminal on stdin and stdout");
    *utf8 = utf8_locale();
    tui_text_set_utf8(*utf8);
    return 0;
}

static int term_begin(SCREEN **scr, lz_err *e) {
    install_hooks();
    const char *term = getenv("TERM");
    *scr = newterm(NULL, stdout, stdin);
    if (!*scr) return lz_errf(e, "cannot drive the terminal (TERM=%s)", term && *term ? term : "unset");
    g_curses = 1;
    cbreak(); /* Ctrl-C still raises SIGINT */
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25); /* Esc is a key here, not the start of a sequence to wait for */
    curs_set(0);
    return 0;
}

static void term_end(SCREEN *scr) {
    restore();
    if (scr) delscreen(scr);
}

/* ---- the loop ---- */

int tui_run(report *r, const tui_options *o, lz_err *e) {
    SCREEN *scr = NULL;
    bool utf8 = false;
    if (term_check(&utf8, e) < 0) return -1;
    tui_app a;
    tui_app_init(&a, r, o); /* the models first: the screen opens ready */
    if (term_begin(&scr, e) < 0) {
        tui_app_free(&a);
        term_end(scr);
        return -1;
    }
    tui_app_screen(&a, o && o->no_color, utf8);
    int errors = 0, rc = 0;
    while (!a.quit) {
        tui_app_draw(&a);
        refresh();
        wint_t ch;
        int got = get_wch(&ch);
        if (got == ERR) {
            if (++errors > 100) { /* input is gone (EOF): do not spin */
                rc = lz_errf(e, "the terminal's input was closed");
                break;
            }
            continue;
        }
        errors = 0;
        tui_app_key(&a, (int)ch, got == KEY_CODE_YES);
    }
    tui_app_free(&a);
    term_end(scr);
    return rc;
}

/* ---- live-scan progress ---- */

struct tui_progress {
    SCREEN *scr;
    tui_look look;
    double last_ms;
};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

tui_progress *tui_progress_begin(const tui_options *o, lz_err *e) {
    tui_progress *p = lz_calloc(1, sizeof *p);
    bool utf8 = false;
    if (term_check(&utf8, e) < 0 || term_begin(&p->scr, e) < 0) {
        term_end(p->scr);
        free(p);
        return NULL;
    }
    tui_look_init(&p->look, o && o->no_color, utf8);
    return p;
}

static void stat_line(int y, const char *label, unsigned long long v) {
    char b[64];
    snprintf(b, sizeof b, "%llu", v);
    tui_put(y, 4, label, 24, A_NORMAL);
    tui_put(y, 28, b, 20, A_BOLD);
}

void tui_progress_update(tui_progress *p, const tui_progress_stats *s) {
    double t = now_ms();
    if (!p || (t - p->last_ms < 100 && s->work_total != s->work_done)) return;
    p->last_ms = t;
    erase();
    tui_fill(0, 0, COLS, p->look.title);
    tui_put(0, 1, "lzscan  collecting", COLS - 2, p->look.title | A_BOLD);
    lz_buf b = {0};
    lz_buf_puts(&b, "Phase: ");
    tui_text_clean_str(&b, s->phase ? s->phase : "", 60);
    tui_put(2, 2, lz_buf_cstr(&b), COLS - 4, A_BOLD);
    lz_buf_free(&b);
    stat_line(4, "pages", s->pages);
    stat_line(5, "requests", s->requests);
    stat_line(6, "retries", s->retries);
    stat_line(7, "throttled (429)", s->throttled);
    stat_line(8, "throttling wait (s)", (unsigned long long)(s->throttle_wait_ms / 1000));
    stat_line(9, "objects", s->objects);
    stat_line(10, "coverage gaps", s->gaps);
    if (s->work_total) {
        double frac = (double)s->work_done / (double)s->work_total;
        tui_bar(&p->look, 12, 4, COLS - 8, frac, p->look.ok);
    }
    tui_put(LINES - 1, 1, "Ctrl-C stops; the results open when collection ends", COLS - 2, p->look.dim);
    refresh();
}

void tui_progress_end(tui_progress *p) {
    if (!p) return;
    term_end(p->scr);
    free(p);
}
