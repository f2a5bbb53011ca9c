/*
 * sched.c - see sched.h.
 */
#include "sched.h"

#include <math.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "page.h"
#include "redact.h"

typedef struct live_bucket {
    pace_bucket b;
    size_t inflight;
    double not_before; /* a 429's Retry-After for the whole subscription */
    bool answered;     /* a response arrived: the server's bucket is known to be running */
    size_t queued;     /* calls in the queue, not yet sent (live_arm_room) */
} live_bucket;

#define DISPATCH_SCAN 512 /* queue entries examined per loop: blocked buckets must not stall the rest */

double live_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double env_num(const char *name, double def) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    double d = strtod(v, &end);
    return *end || d < 0 ? def : d;
}

void live_tuning_init(live_tuning *t) {
    t->max_attempts = (int)env_num("LZSCAN_MAX_ATTEMPTS", 6);
    if (t->max_attempts < 1) t->max_attempts = 1;
    t->max_throttled = 12;
    t->backoff_base_ms = env_num("LZSCAN_BACKOFF_MS", 500);
    t->backoff_cap_ms = 30000;
    t->arm_bucket_cap = 250;
    t->arm_bucket_rate = 25;
    double cap, rate;
    if (pace_parse_bucket_spec(getenv("LZSCAN_ARM_BUCKET"), &cap, &rate)) {
        t->arm_bucket_cap = cap;
        t->arm_bucket_rate = rate;
    }
    t->quota_margin_ms = 100;
    t->timeout_ms = (long)env_num("LZSCAN_HTTP_TIMEOUT_MS", 120000);
    t->connect_timeout_ms = 10000;
    t->max_connections = (long)env_num("LZSCAN_MAX_CONNECTIONS", 16);
    if (t->max_connections < 1) t->max_connections = 1;
}

void live_ctx_init(live_ctx *L, http_client *h, auth *a, const live_tuning *t) {
    memset(L, 0, sizeof *L);
    L->http = h;
    L->auth = a;
    L->t = *t;
    L->log = stderr;
    L->arg_remaining_ = -1;
    L->started_ms_ = live_now_ms();
}

static void call_free(live_call *c) {
    free(c->url);
    free(c->body);
    if (c->auth_header_) {
        memset(c->auth_header_, 0, strlen(c->auth_header_));
        free(c->auth_header_);
    }
    http_response_free(&c->req_.resp);
    free(c);
}

void live_ctx_free(live_ctx *L) {
    for (size_t i = 0; i < L->nqueue_; i++) call_free(L->queue_[i]);
    free(L->queue_);
    live_map_free(&L->bucket_index_);
    free(L->buckets_);
}

live_call *live_call_new(enum live_api api, const char *method, const char *url, const char *body,
                         const char *bucket, live_done_fn done, void *ctx) {
    live_call *c = lz_calloc(1, sizeof *c);
    c->api = api;
    c->method = method;
    c->url = lz_strdup(url);
    c->body = body ? lz_strdup(body) : NULL;
    snprintf(c->bucket, sizeof c->bucket, "%s", bucket ? bucket : "");
    lz_lower(c->bucket, strlen(c->bucket));
    c->done = done;
    c->ctx = ctx;
    return c;
}

size_t live_pending(const live_ctx *L) {
    return L->nqueue_;
}

static live_bucket *bucket_for(live_ctx *L, const char *key);

void live_submit(live_ctx *L, live_call *c) {
    if (c->api == LIVE_ARM) {
        LZ_PUSH(L->queue_, L->nqueue_, L->capqueue_, c);
        bucket_for(L, c->bucket)->queued++;
        return;
    }
    /* Resource Graph pages go first (after the ones already waiting): they
     * are few, sequential per query, and feed the ARM calls. */
    size_t at = 0;
    while (at < L->nqueue_ && L->queue_[at]->api == LIVE_ARG) at++;
    lz_grow(&L->queue_, &L->capqueue_, L->nqueue_ + 1, sizeof *L->queue_);
    memmove(L->queue_ + at + 1, L->queue_ + at, (L->nqueue_ - at) * sizeof *L->queue_);
    L->queue_[at] = c;
    L->nqueue_++;
}

/* Removes queue entry i (to send it or to fail it). */
static live_call *dequeue(live_ctx *L, size_t i) {
    live_call *c = L->queue_[i];
    memmove(L->queue_ + i, L->queue_ + i + 1, (L->nqueue_ - i - 1) * sizeof *L->queue_);
    L->nqueue_--;
    if (c->api == LIVE_ARM) bucket_for(L, c->bucket)->queued--;
    return c;
}

double live_elapsed_ms(const live_ctx *L) {
    return live_now_ms() - L->started_ms_;
}

/* Accumulates calls-in-flight x time up to now, before inflight_ changes. */
static void note_busy(live_ctx *L, double now) {
    if (L->busy_at_ > 0) L->st.busy_ms += (double)L->inflight_ * (now - L->busy_at_);
    L->busy_at_ = now;
}

static live_bucket *bucket_for(live_ctx *L, const char *key) {
    size_t i;
    if (!live_map_get(&L->bucket_index_, key, &i)) {
        live_bucket nb = {0};
        pace_bucket_init(&nb.b, L->t.arm_bucket_cap, L->t.arm_bucket_rate, live_now_ms());
        LZ_PUSH(L->buckets_, L->nbuckets_, L->capbuckets_, nb);
        i = L->nbuckets_ - 1;
        live_map_put(&L->bucket_index_, key, i);
    }
    return &L->buckets_[i];
}

static double rnd01(void) {
    unsigned int r = 0;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (unsigned int)rand();
    return (double)r / 4294967296.0;
}

/* ---- progress and logging ---- */

void live_progress_clear(live_ctx *L) {
    if (L->progress_len_) {
        fprintf(L->log, "\r%*s\r", L->progress_len_, "");
        fflush(L->log);
        L->progress_len_ = 0;
    }
}

static void report_progress(live_ctx *L, bool final) {
    const live_stats *s = &L->st;
    live_progress_info p = {L->phase ? L->phase : "",
                            s->token + s->arg + s->arm + s->retries,
                            s->pages,
                            s->objects,
                            s->retries,
                            s->throttled,
                            L->gaps,
                            s->waited_ms,
                            L->work_done,
                            L->work_total,
                            final};
    L->progress_fn(&p, L->progress_ctx);
}

void live_progress_tick(live_ctx *L, bool final) {
    if (!L->progress && !L->progress_fn) return;
    double now = live_now_ms();
    if (!final && now - L->progress_ms_ < (L->progress_fn ? LIVE_PROGRESS_EVERY_MS : 250)) return;
    L->progress_ms_ = now;
    if (L->progress_fn) {
        report_progress(L, final);
        return;
    }
    const live_stats *s = &L->st;
    char eta[32] = "";
    if (L->work_total > L->work_done && L->work_done > 0) {
        double left = (now - L->started_ms_) / (double)L->work_done * (double)(L->work_total - L->work_done);
        snprintf(eta, sizeof eta, ", ETA %ds", (int)(left / 1000) + 1);
    }
    char line[200];
    int n =
        snprintf(line, sizeof line, "lzscan: %llu requests, %llu objects, %llu pages, %.1f s throttled%s",
                 (unsigned long long)(s->token + s->arg + s->arm + s->retries),
                 (unsigned long long)s->objects, (unsigned long long)s->pages, s->waited_ms / 1000.0, eta);
    fprintf(L->log, "\r%s%*s", line, L->progress_len_ > n ? L->progress_len_ - n : 0, "");
    fflush(L->log);
    L->progress_len_ = n;
}

static void log_line(live_ctx *L, const char *method, const char *url, const http_response *r, int attempt) {
    if (!L->verbose) return;
    char *path = http_log_path(url);
    char what[300];
    if (r->status)
        snprintf(what, sizeof what, "%ld", r->status);
    else
        snprintf(what, sizeof what, "failed: %s", r->error);
    char *line = lz_asprintf("lzscan: %s %s -> %s in %.0f ms (attempt %d)", method, path, what, r->elapsed_ms,
                             attempt);
    char *safe = live_redact(line);
    live_progress_clear(L);
    fprintf(L->log, "%s\n", safe);
    free(safe);
    free(line);
    free(path);
}

void live_log_token_request(void *ctx, const char *method, const char *url, const http_response *r,
                            int attempt) {
    live_ctx *L = ctx;
    if (attempt == 1)
        L->st.token++;
    else
        L->st.retries++;
    log_line(L, method, url, r, attempt);
}

/* ---- outcomes ---- */

static bool complete_json(const lz_buf *b) {
    if (!b->len) return false;
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_config(h, yajl_dont_validate_strings, 1);
    bool ok = yajl_parse(h, (const unsigned char *)b->data, b->len) == yajl_status_ok &&
              yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

static void describe_failure(live_call *c, const char *why) {
    char *path = http_log_path(c->url);
    const http_response *r = &c->req_.resp;
    if (why) {
        snprintf(c->error, sizeof c->error, "%s %s: %s", c->method, path, why);
    } else if (!r->status) {
        snprintf(c->error, sizeof c->error, "%s %s: %s (after %d attempt%s)", c->method, path, r->error,
                 c->attempts, c->attempts == 1 ? "" : "s");
    } else {
        yajl_val t = live_json_parse(lz_buf_cstr((lz_buf *)&r->body));
        const char *code = live_json_str(t, "error", "code", (char *)NULL);
        const char *msg = live_json_str(t, "error", "message", (char *)NULL);
        snprintf(c->error, sizeof c->error, "%s %s: HTTP %ld%s%s%s%.300s", c->method, path, r->status,
                 code ? " " : "", code ? code : "", msg ? ": " : "", msg ? msg : "");
        yajl_tree_free(t);
    }
    free(path);
    char *safe = live_redact(c->error);
    snprintf(c->error, sizeof c->error, "%s", safe);
    free(safe);
}

static void finish(live_ctx *L, live_call *c, bool ok, const char *why) {
    c->ok = ok;
    c->resp = &c->req_.resp;
    if (!ok) describe_failure(c, why);
    L->work_done++;
    c->done(L, c, c->ctx);
    call_free(c);
}

static void requeue(live_ctx *L, live_call *c, double delay_ms) {
    c->not_before_ = live_now_ms() + delay_ms;
    L->st.retries++;
    live_submit(L, c);
}

/* Quota and rate-limit headers: remember what the server says is left. */
static void read_limits(live_ctx *L, live_call *c, double now) {
    const http_response *r = &c->req_.resp;
    if (c->api == LIVE_ARG) {
        const char *rem = http_header_get(r, "x-ms-user-quota-remaining");
        double resets = pace_resets_after_ms(http_header_get(r, "x-ms-user-quota-resets-after"));
        if (rem) L->arg_remaining_ = strtod(rem, NULL);
        if (resets >= 0) L->arg_reset_at_ = now + resets + L->t.quota_margin_ms;
        if (rem && L->arg_remaining_ <= 0 && resets >= 0 && L->arg_not_before_ < L->arg_reset_at_)
            L->arg_not_before_ = L->arg_reset_at_;
        return;
    }
    live_bucket *b = bucket_for(L, c->bucket);
    if (!b->answered) {
        b->answered = true;
        b->b.last_ms = now; /* refill counts from the server's first answer, not from our first send */
    }
    const char *rem = http_header_get(r, c->bucket[0] ? "x-ms-ratelimit-remaining-subscription-reads"
                                                      : "x-ms-ratelimit-remaining-tenant-reads");
    if (rem) pace_bucket_sync(&b->b, strtod(rem, NULL), (double)b->inflight, now);
}

static void on_throttled(live_ctx *L, live_call *c, double now) {
    L->st.throttled++;
    const http_response *r = &c->req_.resp;
    double wait = pace_retry_after_ms(http_header_get(r, "retry-after"), (int64_t)time(NULL));
    if (wait < 0)
        wait = pace_backoff_ms(++c->throttles_, L->t.backoff_base_ms, L->t.backoff_cap_ms, rnd01());
    else
        c->throttles_++;
    if (c->throttles_ > L->t.max_throttled) {
        finish(L, c, false, NULL);
        return;
    }
    /* The server refuses anything sent before Retry-After: hold the whole
     * quota (Resource Graph) or subscription (ARM), not just this call. */
    if (c->api == LIVE_ARG) {
        if (L->arg_not_before_ < now + wait) L->arg_not_before_ = now + wait;
    } else {
        live_bucket *b = bucket_for(L, c->bucket);
        if (b->not_before < now + wait) b->not_before = now + wait;
    }
    requeue(L, c, wait);
}

/* A 401: the token expired or was revoked. The call is retried with a new
 * token; it fails only when the token it was refused with is one it just
 * obtained itself (the credential is no good), or after a few rounds. */
static void on_unauthorized(live_ctx *L, live_call *c) {
    if (c->unauthorized_++ >= 4 || (c->refreshed_ && c->token_gen_ == c->refresh_gen_)) {
        finish(L, c, false, NULL);
        return;
    }
    const char *tok;
    unsigned gen = 0;
    lz_err e = {{0}};
    /* Several calls may hold the same rejected token: refresh it once. */
    bool same = auth_token(L->auth, false, &tok, &gen, &e) == 0 && gen == c->token_gen_;
    if (same) {
        L->st.refreshed++;
        if (auth_token(L->auth, true, &tok, &gen, &e) < 0) {
            L->fatal_ = true;
            L->fatal_err_ = e;
            finish(L, c, false, e.msg);
            return;
        }
        c->refreshed_ = true;
        c->refresh_gen_ = gen;
    }
    requeue(L, c, 0);
}

static bool retryable_status(long s) {
    return s == 408 || s == 500 || s == 502 || s == 503 || s == 504;
}

static void handle_response(live_ctx *L, live_call *c) {
    double now = live_now_ms();
    note_busy(L, now);
    L->inflight_--;
    L->st.received_bytes[c->api] += c->req_.resp.body.len;
    L->st.last_done_ms[c->api] = now - L->started_ms_;
    if (c->api == LIVE_ARG)
        L->inflight_arg_--;
    else
        bucket_for(L, c->bucket)->inflight--;
    const http_response *r = &c->req_.resp;
    log_line(L, c->method, c->url, r, c->attempts);
    read_limits(L, c, now);
    bool transient = r->status ? retryable_status(r->status) : http_transport_retryable(r->curl_code);
    bool truncated = r->status >= 200 && r->status < 300 && !complete_json(&r->body);
    bool again = r->status == 429 || r->status == 401 || transient || truncated;
    if (L->stopping_ && (again || !r->status)) { /* interrupted: no retry, no token refresh */
        finish(L, c, false, r->status ? NULL : "cancelled: the collection was interrupted");
    } else if (r->status == 429) {
        on_throttled(L, c, now);
    } else if (r->status == 401) {
        on_unauthorized(L, c);
    } else if ((transient || truncated) && ++c->failures_ < L->t.max_attempts) {
        requeue(L, c, pace_backoff_ms(c->failures_, L->t.backoff_base_ms, L->t.backoff_cap_ms, rnd01()));
    } else if (transient || truncated) {
        finish(L, c, false, truncated ? "the response body was truncated (not complete JSON)" : NULL);
    } else if (r->status >= 200 && r->status < 300) {
        L->st.pages++;
        finish(L, c, true, NULL);
    } else {
        finish(L, c, false, NULL);
    }
}

static void http_cb(http_request *req, void *ctx) {
    live_call *c = ctx;
    (void)req;
    handle_response(c->owner_, c);
}

/* ---- dispatch ---- */

/* 0 if c may be sent now, else ms to wait before it may be. */
static double gate(live_ctx *L, live_call *c, double now) {
    if (c->not_before_ > now) return c->not_before_ - now;
    if (c->api == LIVE_ARG) {
        if (L->arg_not_before_ > now) return L->arg_not_before_ - now;
        if (L->arg_reset_at_ && now >= L->arg_reset_at_) L->arg_remaining_ = -1; /* a new window */
        if (L->arg_remaining_ < 0 && L->inflight_arg_ > 0) return -1;            /* learn the quota first */
        if (L->arg_remaining_ >= 0 && L->arg_remaining_ - (double)L->inflight_arg_ <= 0) {
            if (L->inflight_arg_ > 0) return -1; /* wait for the answers */
            return L->arg_reset_at_ > now ? L->arg_reset_at_ - now : 1;
        }
        return 0;
    }
    live_bucket *b = bucket_for(L, c->bucket);
    if (b->not_before > now) return b->not_before - now;
    if (!b->answered) {
        /* Until the server has answered, its bucket may have started later
         * than ours: spend the initial tokens, but earn none. */
        b->b.last_ms = now;
        if (b->b.tokens < 1) return b->inflight ? -1 : 1;
    }
    return pace_bucket_take(&b->b, now);
}

double live_arm_room(live_ctx *L, const char *bucket) {
    live_bucket *b = bucket_for(L, bucket);
    double now = live_now_ms();
    if (b->not_before > now) return 0;
    double tokens = b->b.tokens;
    if (b->answered && now > b->b.last_ms) /* what pace_bucket_take would see, without taking */
        tokens += (now - b->b.last_ms) / 1000.0 * b->b.rate;
    if (tokens > b->b.capacity) tokens = b->b.capacity;
    return tokens - (double)b->queued;
}

static int authorize(live_ctx *L, live_call *c, lz_err *e) {
    const char *tok;
    unsigned gen;
    if (auth_token(L->auth, false, &tok, &gen, e) < 0) return -1;
    if (c->auth_header_) {
        memset(c->auth_header_, 0, strlen(c->auth_header_));
        free(c->auth_header_);
    }
    c->auth_header_ = lz_asprintf("Authorization: Bearer %s", tok);
    c->token_gen_ = gen;
    return 0;
}

static void start(live_ctx *L, live_call *c) {
    c->hdrs_[0] = c->auth_header_;
    c->hdrs_[1] = "Accept: application/json";
    c->hdrs_[2] = "Content-Type: application/json";
    c->req_.method = c->method;
    c->req_.url = c->url;
    c->req_.headers = c->hdrs_;
    c->req_.nheaders = c->body ? 3 : 2;
    c->req_.body = c->body;
    c->req_.body_len = c->body ? strlen(c->body) : 0;
    c->req_.done = http_cb;
    c->owner_ = L;
    c->req_.ctx = c;
    if (c->attempts++ == 0) {
        if (c->api == LIVE_ARG)
            L->st.arg++;
        else
            L->st.arm++;
    }
    double now = live_now_ms();
    note_busy(L, now);
    if (!L->st.first_sent_ms[c->api]) L->st.first_sent_ms[c->api] = now - L->started_ms_;
    L->st.sent_bytes[c->api] += c->req_.body_len;
    L->inflight_++;
    if (c->api == LIVE_ARG)
        L->inflight_arg_++;
    else
        bucket_for(L, c->bucket)->inflight++;
    http_start(L->http, &c->req_);
}

static void fail_all(live_ctx *L) {
    while (L->nqueue_) {
        live_call *c = dequeue(L, 0);
        finish(L, c, false, L->fatal_err_.msg);
    }
}

/* *L->stop is up: nothing more is sent, what is in flight is cancelled. */
static void stop_all(live_ctx *L) {
    if (!L->stopping_) http_cancel_all(L->http);
    L->stopping_ = true;
    while (L->nqueue_) finish(L, dequeue(L, 0), false, "not sent: the collection was interrupted");
}

/* Sends what may be sent; returns ms until the next call could be (or a
 * large value when only answers can unblock the queue). */
static double dispatch(live_ctx *L) {
    double now = live_now_ms(), next = 1000;
    size_t i = 0, seen = 0;
    while (i < L->nqueue_ && seen++ < DISPATCH_SCAN && L->inflight_ < (size_t)L->t.max_connections) {
        live_call *c = L->queue_[i];
        double w = gate(L, c, now);
        if (w != 0) {
            if (w > 0 && w < next) next = w;
            i++;
            continue;
        }
        dequeue(L, i);
        lz_err e = {{0}};
        if (authorize(L, c, &e) < 0) {
            if (c->api == LIVE_ARM) pace_bucket_refund(&bucket_for(L, c->bucket)->b, now);
            L->fatal_ = true;
            L->fatal_err_ = e;
            finish(L, c, false, e.msg);
            return 0;
        }
        start(L, c);
    }
    return next;
}

int live_run(live_ctx *L, lz_err *e) {
    while (L->nqueue_ || L->inflight_) {
        if (L->fatal_) fail_all(L);
        if (L->stop && *L->stop) stop_all(L);
        double next = dispatch(L);
        live_progress_tick(L, false);
        if (L->inflight_) {
            long wait = (long)ceil(next < 100 ? next : 100);
            http_poll(L->http, wait < 1 ? 1 : wait);
        } else if (L->nqueue_) {
            double t0 = live_now_ms(), cap = L->progress_fn ? LIVE_PROGRESS_EVERY_MS : 1000;
            usleep((useconds_t)((next < 1 ? 1 : next > cap ? cap : next) * 1000));
            L->st.waited_ms += live_now_ms() - t0; /* nothing in flight: throttling holds everything */
        }
    }
    /* the stderr line is brought up to date at the end of every run; a
     * callback gets its final report from the collector */
    live_progress_tick(L, !L->progress_fn);
    if (L->fatal_) {
        *e = L->fatal_err_;
        L->fatal_ = false;
        return -1;
    }
    return 0;
}
