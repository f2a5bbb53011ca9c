/*
 * progress.h - the live collector's progress callback (live_opts.progress).
 *
 * Without a callback the collector draws its own progress line on stderr
 * (when stderr is a terminal, not --quiet, CI unset). With one, it never
 * writes that line: it calls the callback instead with a snapshot of its
 * counters, at most every LIVE_PROGRESS_EVERY_MS while calls run, and once
 * more with final set when collection ends (successfully or not). The
 * snapshot and its strings are valid during the call only.
 */
#ifndef LIVE_PROGRESS_H
#define LIVE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define LIVE_PROGRESS_EVERY_MS 100.0

typedef struct live_progress_info {
    const char *phase; /* "scope", "resource graph: resources", "child lists", "done" */
    uint64_t requests; /* every request sent, retries and token requests included */
    uint64_t pages, objects, retries, throttled, gaps;
    double waited_ms;               /* time spent waiting on throttling */
    uint64_t work_done, work_total; /* child-list calls; 0 total: unknown */
    bool final;                     /* the last call: collection has ended */
} live_progress_info;

typedef void (*live_progress_fn)(const live_progress_info *p, void *ctx);

#endif
