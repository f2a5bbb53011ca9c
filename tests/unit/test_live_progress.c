/* The live collector's progress callback (scanner/live/progress.h): at most
 * one report per LIVE_PROGRESS_EVERY_MS however often the scheduler ticks,
 * the final report always delivered and marked, the counters passed through,
 * and the stderr progress line never written while a callback is set. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/live/sched.h"

typedef struct seen {
    int calls, finals;
    live_progress_info last;
    char phase[64];
} seen;

static void on_progress(const live_progress_info *p, void *ctx) {
    seen *s = ctx;
    s->calls++;
    if (p->final) s->finals++;
    s->last = *p;
    snprintf(s->phase, sizeof s->phase, "%s", p->phase);
}

static void ctx_with(live_ctx *L, seen *s, FILE *log) {
    live_tuning t;
    live_tuning_init(&t);
    live_ctx_init(L, NULL, NULL, &t);
    L->log = log;
    L->progress = true; /* a terminal on stderr: the callback still wins */
    L->progress_fn = on_progress;
    L->progress_ctx = s;
}

static void callback_is_throttled(void **state) {
    (void)state;
    char *out = NULL;
    size_t outlen = 0;
    FILE *log = open_memstream(&out, &outlen);
    assert_non_null(log);
    live_ctx L;
    seen s = {0};
    ctx_with(&L, &s, log);
    double t0 = live_now_ms(), t;
    long ticks = 0;
    while ((t = live_now_ms()) - t0 < 350) {
        live_progress_tick(&L, false);
        ticks++;
    }
    double elapsed = live_now_ms() - t0;
    assert_true(ticks > 100);
    assert_true(s.calls >= 1); /* the first tick reports */
    assert_true(s.calls <= (int)(elapsed / LIVE_PROGRESS_EVERY_MS) + 1);
    assert_int_equal(s.finals, 0);
    /* the final report is not throttled, and says so */
    int before = s.calls;
    live_progress_tick(&L, true);
    assert_int_equal(s.calls, before + 1);
    assert_int_equal(s.finals, 1);
    assert_true(s.last.final);
    fclose(log);
    assert_int_equal(outlen, 0); /* never the stderr line */
    free(out);
    live_ctx_free(&L);
}

static void counters_pass_through(void **state) {
    (void)state;
    live_ctx L;
    seen s = {0};
    ctx_with(&L, &s, stderr);
    L.phase = "child lists";
    L.st.token = 1;
    L.st.arg = 2;
    L.st.arm = 30;
    L.st.retries = 4;
    L.st.throttled = 3;
    L.st.pages = 7;
    L.st.objects = 90;
    L.st.waited_ms = 2500;
    L.gaps = 5;
    L.work_done = 12;
    L.work_total = 40;
    live_progress_tick(&L, true);
    assert_int_equal(s.calls, 1);
    assert_string_equal(s.phase, "child lists");
    assert_int_equal(s.last.requests, 37);
    assert_int_equal(s.last.retries, 4);
    assert_int_equal(s.last.throttled, 3);
    assert_int_equal(s.last.pages, 7);
    assert_int_equal(s.last.objects, 90);
    assert_int_equal(s.last.gaps, 5);
    assert_int_equal(s.last.work_done, 12);
    assert_int_equal(s.last.work_total, 40);
    assert_true(s.last.waited_ms == 2500);
    live_ctx_free(&L);
}

/* Without a callback: the stderr line as before, only when enabled. */
static void line_without_callback(void **state) {
    (void)state;
    char *out = NULL;
    size_t outlen = 0;
    FILE *log = open_memstream(&out, &outlen);
    assert_non_null(log);
    live_tuning t;
    live_tuning_init(&t);
    live_ctx L;
    live_ctx_init(&L, NULL, NULL, &t);
    L.log = log;
    live_progress_tick(&L, true); /* not a terminal: nothing */
    fflush(log);
    assert_int_equal(outlen, 0);
    L.progress = true;
    L.st.objects = 42;
    live_progress_tick(&L, true);
    fflush(log);
    assert_non_null(strstr(out, "42 objects"));
    live_progress_clear(&L);
    fclose(log);
    free(out);
    live_ctx_free(&L);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(callback_is_throttled),
        cmocka_unit_test(counters_pass_through),
        cmocka_unit_test(line_without_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
