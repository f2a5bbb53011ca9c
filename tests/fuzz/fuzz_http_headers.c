/*
 * fuzz_http_headers - the parsers of HTTP response headers that steer live
 * collection (scanner/live/pace.h): Retry-After (delay-seconds or an
 * HTTP-date), x-ms-user-quota-resets-after (hh:mm:ss) and the bucket spec.
 * A server, proxy or man-in-the-middle controls these values.
 *
 * Oracles: no crash or undefined behaviour; every delay is -1 (malformed)
 * or a finite number of milliseconds in [0, 10 min], so no caller can be
 * made to cast infinity or NaN to an integer, or to wait forever; and an
 * IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") gives the delay until that
 * time, as strptime reads it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "../../scanner/live/pace.h"
#include "fuzz_util.h"

#define MAX_DELAY_MS 600000.0
#define NOW          1700000000

static void check_delay(double ms, const char *what, const char *v) {
    FUZZ_CHECK(ms == -1 || (isfinite(ms) && ms >= 0 && ms <= MAX_DELAY_MS), what, v, strlen(v));
}

/* The delay an exactly-shaped IMF-fixdate should give, or -2 if v is not one. */
static double expected_date_delay(const char *v) {
    if (strlen(v) != 29 || v[3] != ',' || strcmp(v + 25, " GMT") != 0) return -2;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end || tm.tm_year + 1900 < 1970 || tm.tm_sec > 60) return -2; /* strptime allows :61 */
    /* Only the canonical spelling (RFC 9110: names are case-sensitive, fields
     * fixed-width); strptime is more lenient. The weekday is not checked. */
    char canon[64];
    if (strftime(canon, sizeof canon, "%a, %d %b %Y %H:%M:%S GMT", &tm) != 29 ||
        memcmp(canon + 5, v + 5, 24) != 0)
        return -2;
    double secs = (double)timegm(&tm) - NOW;
    if (secs < 0) secs = 0;
    return secs * 1000 > MAX_DELAY_MS ? MAX_DELAY_MS : secs * 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *v = fuzz_cstr(data, size);
    double ra = pace_retry_after_ms(v, NOW);
    check_delay(ra, "Retry-After gave a delay that is not finite or not in [0, 10 min]", v);
    double want = expected_date_delay(v);
    if (want != -2) FUZZ_CHECK(ra == want, "an HTTP-date Retry-After gave the wrong delay", v, size);
    check_delay(pace_resets_after_ms(v), "quota resets-after gave a delay not in [0, 10 min]", v);
    double cap, rate;
    if (pace_parse_bucket_spec(v, &cap, &rate))
        FUZZ_CHECK(isfinite(cap) && isfinite(rate) && cap >= 1 && rate > 0, "bad bucket spec accepted", v,
                   size);
    free(v);
    return 0;
}
