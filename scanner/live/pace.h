/*
 * pace.h - throttling arithmetic for live collection: the ARM token bucket,
 * Retry-After and Resource Graph quota headers, and retry backoff.
 *
 * Pure functions over caller-owned structs (no I/O, no clock reads): the
 * caller passes the time, so unit tests can drive them. Times are
 * milliseconds on a monotonic clock.
 *
 * ARM throttles reads per subscription with a token bucket (250 tokens,
 * refilled at 25/s; azure-api-facts.md §4). lzscan keeps its own bucket per
 * subscription so that it never sends a request ARM would refuse, and lowers
 * it to what x-ms-ratelimit-remaining-subscription-reads reports.
 */
#ifndef LIVE_PACE_H
#define LIVE_PACE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct pace_bucket {
    double capacity; /* tokens when full */
    double rate;     /* tokens added per second */
    double tokens;   /* now available */
    double last_ms;  /* time tokens was computed for */
} pace_bucket;

/* A full bucket at time now_ms. */
void pace_bucket_init(pace_bucket *b, double capacity, double rate, double now_ms);
/* Takes one token if available: returns 0. Otherwise returns the
 * milliseconds until one will be (> 0) and takes nothing. */
double pace_bucket_take(pace_bucket *b, double now_ms);
/* Gives a token back (a request that was never sent). */
void pace_bucket_refund(pace_bucket *b, double now_ms);
/* The server says only `remaining` requests are left (minus `inflight`
 * already sent that it has not counted yet): never believe more. */
void pace_bucket_sync(pace_bucket *b, double remaining, double inflight, double now_ms);

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns the
 * delay in ms (>= 0, at most 10 minutes), or -1 if the value is neither. now
 * is the wall clock (epoch seconds) for HTTP-dates. */
double pace_retry_after_ms(const char *value, int64_t now_epoch);

/* x-ms-user-quota-resets-after: "hh:mm:ss" (also "hh:mm:ss.fff"). Returns ms
 * (at most 10 minutes), or -1 if malformed. */
double pace_resets_after_ms(const char *value);

/* Exponential backoff with full jitter: a delay in [0, min(cap, base*2^attempt)],
 * where rnd is uniform in [0,1). attempt counts failures so far (1 = the
 * first retry). The lower half is kept (equal jitter) so that retries are
 * never immediate: [d/2, d]. */
double pace_backoff_ms(int attempt, double base_ms, double cap_ms, double rnd);

/* Parses "capacity:rate" (e.g. "250:25") for test and tuning overrides.
 * Returns false if malformed. */
bool pace_parse_bucket_spec(const char *spec, double *capacity, double *rate);

#endif
