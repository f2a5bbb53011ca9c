/*
 * lztime.h - dates and "now" for exemption expiry and reports.
 *
 * Every date lzscan reads is UTC. "Now" is the wall clock, or the value of
 * the environment variable LZSCAN_NOW when it is set, so that tests (and a
 * re-run of last week's pipeline) judge expiry deterministically.
 *
 * Nothing here allocates.
 */
#ifndef LZ_LZTIME_H
#define LZ_LZTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lz.h"

/* A calendar date YYYY-MM-DD (exactly; a real day of the Gregorian
 * calendar, year 1970..9999) -> 00:00:00 UTC of that day. */
bool lz_parse_date(const char *s, size_t len, time_t *out);

/* An RFC 3339 date-time (2024-05-01T12:00:00Z, fractions ignored, offsets
 * such as +02:00 applied; 't'/'z' and a space for 'T' accepted) or a bare
 * date (its midnight UTC). */
bool lz_parse_time(const char *s, time_t *out);

/* Now, or LZSCAN_NOW when it is set and not empty. Returns 0, or -1 with a
 * message when LZSCAN_NOW does not parse. */
int lz_now(time_t *out, lz_err *e);

#endif
