/*
 * sched.h - runs ARM and Resource Graph calls: authorisation, pacing,
 * retries and statistics, many calls in flight on one thread.
 *
 * A call is queued with live_submit and completes exactly once, through its
 * done callback, with the final response (2xx, a status that is not worth
 * retrying, or the last failure once retries are spent). Callbacks may
 * submit more calls (next pages, child lists). live_run returns when
 * nothing is queued or in flight.
 *
 * What the scheduler does for every call:
 *   - adds "Authorization: Bearer" (refreshed 5 minutes before expiry; on a
 *     401 the token is refreshed once and the call retried once);
 *   - Resource Graph: never sends while x-ms-user-quota-remaining says the
 *     quota is spent, until x-ms-user-quota-resets-after has passed; while
 *     the quota is unknown, one query at a time;
 *   - ARM: a token bucket per subscription (250, refill 25/s by default),
 *     lowered to x-ms-ratelimit-remaining-subscription-reads / -tenant-reads;
 *   - 429: waits Retry-After (else backoff) and retries, bounded;
 *   - 5xx, 408, timeouts, resets, truncated bodies (a 2xx whose body is not
 *     complete JSON): exponential backoff with jitter, bounded attempts;
 *   - Resource Graph calls are queued ahead of ARM calls (pages of a query
 *     follow each other and feed the ARM calls), ARM calls in their order;
 *   - statistics: requests, retries, bytes, when each API was busy and how
 *     much of the connections' capacity was used (live_stats).
 *
 * Ownership: the scheduler owns a call from live_submit; it frees it after
 * the done callback returns.
 */
#ifndef LIVE_SCHED_H
#define LIVE_SCHED_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../common/lz.h"
#include "auth.h"
#include "http.h"
#include "pace.h"
#include "progress.h"
#include "strmap.h"

typedef struct live_tuning {
    int max_attempts;        /* sends per call for 5xx/transport failures: 6 */
    int max_throttled;       /* 429 answers tolerated per call: 12 */
    double backoff_base_ms;  /* 500 */
    double backoff_cap_ms;   /* 30000 */
    double arm_bucket_cap;   /* 250 */
    double arm_bucket_rate;  /* 25 per second */
    double quota_margin_ms;  /* added to quota resets (clock skew): 100 */
    long timeout_ms;         /* per request: 120000 */
    long connect_timeout_ms; /* 10000 */
    long max_connections;    /* 16 */
} live_tuning;

/* Defaults, then the LZSCAN_* tuning variables documented in docs/live.md
 * (LZSCAN_HTTP_TIMEOUT_MS, LZSCAN_MAX_ATTEMPTS, LZSCAN_BACKOFF_MS,
 * LZSCAN_ARM_BUCKET=cap:rate, LZSCAN_MAX_CONNECTIONS). */
void live_tuning_init(live_tuning *t);

typedef struct live_stats {
    uint64_t token;     /* token requests (first attempts) */
    uint64_t arg;       /* Resource Graph requests (first attempts) */
    uint64_t arm;       /* ARM requests (first attempts) */
    uint64_t retries;   /* every re-send, whatever the API */
    uint64_t throttled; /* 429 answers */
    uint64_t refreshed; /* tokens refreshed after a 401 */
    uint64_t objects, pages;
    double waited_ms; /* time spent waiting on throttling with nothing else to do */
    /* Bytes of request and response bodies (responses as decoded: libcurl
     * undoes gzip), every attempt counted, by API: [LIVE_ARM], [LIVE_ARG]. */
    uint64_t sent_bytes[2], received_bytes[2];
    /* When each API's first call was sent and its last answer arrived (ms
     * since live_ctx_init; 0 = none), and the integral of calls in flight
     * over time (ms): busy_ms / (elapsed x max_connections) is how much of
     * the connections' capacity was used. */
    double first_sent_ms[2], last_done_ms[2], busy_ms;
} live_stats;

enum live_api { LIVE_ARM = 0, LIVE_ARG };

typedef struct live_ctx live_ctx;
typedef struct live_call live_call;
typedef void (*live_done_fn)(live_ctx *L, live_call *c, void *ctx);

struct live_call {
    enum live_api api;
    const char *method;
    char *url;
    char *body;
    char bucket[48]; /* lower-cased subscription GUID; "" = tenant level */
    live_done_fn done;
    void *ctx;
    /* the outcome, valid in done */
    bool ok;                /* a 2xx response with a complete JSON body */
    http_response *resp;    /* the last response */
    char error[LZ_ERR_MAX]; /* when !ok: "GET /path: HTTP 403 AuthorizationFailed: ..." */
    int attempts;
    /* private */
    int failures_, throttles_, unauthorized_;
    bool refreshed_;
    unsigned token_gen_, refresh_gen_;
    double not_before_;
    char *auth_header_;
    char *hdrs_[4];
    http_request req_;
    live_ctx *owner_;
};

struct live_ctx {
    http_client *http;
    auth *auth;
    live_tuning t;
    live_stats st;
    bool verbose;  /* one line per call on stderr */
    bool progress; /* a progress line on stderr (ignored when progress_fn is set) */
    FILE *log;     /* stderr */
    /* instead of the line: called at most every LIVE_PROGRESS_EVERY_MS (progress.h) */
    live_progress_fn progress_fn;
    void *progress_ctx;
    const char *phase; /* static string, for progress_fn */
    uint64_t gaps;     /* coverage gaps so far, kept by the collector, for progress_fn */
    /* work estimate for the progress line's ETA */
    uint64_t work_total, work_done;
    /* Set asynchronously (a signal handler: lz_interrupt_flag in
     * common/atomic.h) to end runs early: queued calls then fail as not
     * sent, calls in flight are cancelled (http_cancel_all) and nothing is
     * retried; each still completes through its done callback, so what it
     * would have read is a gap like any failure. NULL: never. */
    const volatile sig_atomic_t *stop;
    /* private */
    live_call **queue_;
    size_t nqueue_, capqueue_;
    size_t inflight_, inflight_arg_;
    double arg_not_before_, arg_reset_at_;
    double arg_remaining_; /* -1 unknown */
    live_map bucket_index_;
    struct live_bucket *buckets_;
    size_t nbuckets_, capbuckets_;
    bool fatal_;
    bool stopping_; /* *stop was seen */
    lz_err fatal_err_;
    double started_ms_, progress_ms_, busy_at_;
    int progress_len_;
};

void live_ctx_init(live_ctx *L, http_client *h, auth *a, const live_tuning *t);
void live_ctx_free(live_ctx *L);

/* A new call; method "GET" or "POST" (static string), url and body copied. */
live_call *live_call_new(enum live_api api, const char *method, const char *url, const char *body,
                         const char *bucket, live_done_fn done, void *ctx);
void live_submit(live_ctx *L, live_call *c);
/* Runs until idle. Returns -1 when a call could not be authorised (no
 * token): every queued call is then completed as failed. */
int live_run(live_ctx *L, lz_err *e);

/* Calls queued and not yet sent (for callers that feed work in windows). */
size_t live_pending(const live_ctx *L);

/* How many more ARM calls on bucket (a lower-cased subscription GUID, ""
 * for tenant-level calls) could be sent now without waiting: the tokens
 * the pacing allows less the calls already queued for it. <= 0: the next
 * one would wait (a feeder then prefers another subscription). */
double live_arm_room(live_ctx *L, const char *bucket);

/* Milliseconds since live_ctx_init (the clock of live_stats' times). */
double live_elapsed_ms(const live_ctx *L);

/* Monotonic milliseconds. */
double live_now_ms(void);

/* Logs a token request made by auth (auth_config.log). ctx is the live_ctx. */
void live_log_token_request(void *ctx, const char *method, const char *url, const http_response *r,
                            int attempt);

/* Reports progress now if due (progress_fn: LIVE_PROGRESS_EVERY_MS since
 * the last report; the stderr line: 250 ms); final reports regardless and
 * marks the snapshot final. live_run calls it itself. */
void live_progress_tick(live_ctx *L, bool final);

/* Clears the progress line (before printing anything else to stderr). */
void live_progress_clear(live_ctx *L);

#endif
