/*
 * pace.c - see pace.h.
 */
#include "pace.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void refill(pace_bucket *b, double now_ms) {
    if (now_ms > b->last_ms) {
        b->tokens += (now_ms - b->last_ms) / 1000.0 * b->rate;
        if (b->tokens > b->capacity) b->tokens = b->capacity;
        b->last_ms = now_ms;
    }
}

void pace_bucket_init(pace_bucket *b, double capacity, double rate, double now_ms) {
    b->capacity = capacity > 0 ? capacity : 1;
    b->rate = rate > 0 ? rate : 1;
    b->tokens = b->capacity;
    b->last_ms = now_ms;
}

double pace_bucket_take(pace_bucket *b, double now_ms) {
    refill(b, now_ms);
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return 0;
    }
    double wait = (1.0 - b->tokens) / b->rate * 1000.0;
    return wait < 1 ? 1 : wait;
}

void pace_bucket_refund(pace_bucket *b, double now_ms) {
    refill(b, now_ms);
    b->tokens += 1.0;
    if (b->tokens > b->capacity) b->tokens = b->capacity;
}

void pace_bucket_sync(pace_bucket *b, double remaining, double inflight, double now_ms) {
    refill(b, now_ms);
    double left = remaining - inflight;
    if (left < 0) left = 0;
    if (b->tokens > left) b->tokens = left;
}

/* A Retry-After longer than this is honoured as this long: a broken or
 * hostile server (or proxy) must not park collection for days. */
#define RETRY_AFTER_MAX_S 600.0

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"): what servers send.
 * v is the text after the weekday's comma. Fields are range-checked so that
 * a hostile header cannot overflow tm_year. */
static int64_t parse_http_date(const char *v) {
    char mon[4], zone[4];
    int day, year, h, m, s;
    if (sscanf(v, "%d %3s %d %d:%d:%d %3s", &day, mon, &year, &h, &m, &s, zone) != 7) return -1;
    if (day < 1 || day > 31 || year < 1970 || year > 9999 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 ||
        s > 60)
        return -1;
    int mi = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, months[i]) == 0) mi = i;
    if (mi < 0 || strcmp(zone, "GMT") != 0) return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mi;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

double pace_retry_after_ms(const char *value, int64_t now_epoch) {
    if (!value) return -1;
    while (isspace((unsigned char)*value)) value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        double secs = strtod(value, &end);
        while (isspace((unsigned char)*end)) end++;
        /* "1e400" is infinity to strtod: a wait no caller can honour. */
        if (*end || !(secs >= 0) || !isfinite(secs)) return -1;
        return secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S * 1000.0 : secs * 1000.0;
    }
    const char *comma = strchr(value, ',');
    if (!comma) return -1;
    int64_t at = parse_http_date(comma + 1);
    if (at < 0) return -1;
    double secs = at > now_epoch ? (double)(at - now_epoch) : 0;
    return (secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : secs) * 1000.0;
}

double pace_resets_after_ms(const char *value) {
    if (!value) return -1;
    int h, m;
    double s;
    char tail;
    if (sscanf(value, " %d:%d:%lf %c", &h, &m, &s, &tail) != 3) return -1;
    if (h < 0 || m < 0 || m > 59 || !(s >= 0) || s >= 60) return -1;
    double secs = (double)h * 3600 + (double)m * 60 + s;
    return (secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : secs) * 1000.0; /* as Retry-After */
}

double pace_backoff_ms(int attempt, double base_ms, double cap_ms, double rnd) {
    if (attempt < 1) attempt = 1;
    double d = base_ms;
    for (int i = 1; i < attempt && d < cap_ms; i++) d *= 2;
    if (d > cap_ms) d = cap_ms;
    if (rnd < 0) rnd = 0;
    if (rnd >= 1) rnd = 0.999999;
    return d / 2 + rnd * d / 2;
}

bool pace_parse_bucket_spec(const char *spec, double *capacity, double *rate) {
    if (!spec) return false;
    char *end;
    double c = strtod(spec, &end);
    if (end == spec || *end != ':' || !(c >= 1) || !isfinite(c)) return false;
    const char *r = end + 1;
    double q = strtod(r, &end);
    if (end == r || *end || !(q > 0) || !isfinite(q)) return false;
    *capacity = c;
    *rate = q;
    return true;
}
