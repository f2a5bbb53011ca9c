/*
 * lztime.c - see lztime.h. timegm() does the calendar arithmetic; the
 * parsers only check the text's shape and the day's existence first, since
 * timegm silently normalises 2024-02-30 to March 1st.
 */
#include "lztime.h"

#include <stdlib.h>
#include <string.h>

/* n decimal digits at s -> *v. */
static bool digits(const char *s, int n, int *v) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static int days_in_month(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool to_time(int y, int mo, int d, int h, int mi, int s, time_t *out) {
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
    if (h > 23 || mi > 59 || s > 60) return false; /* 60: a leap second, as RFC 3339 allows */
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    tm.tm_sec = s == 60 ? 59 : s;
    *out = timegm(&tm);
    return *out != (time_t)-1;
}

static bool date_part(const char *s, int *y, int *mo, int *d) {
    return digits(s, 4, y) && s[4] == '-' && digits(s + 5, 2, mo) && s[7] == '-' && digits(s + 8, 2, d);
}

bool lz_parse_date(const char *s, size_t len, time_t *out) {
    int y, mo, d;
    if (!s || len != 10 || !date_part(s, &y, &mo, &d)) return false;
    return to_time(y, mo, d, 0, 0, 0, out);
}

/* The zone designator after the seconds (and fraction): Z or +hh:mm/-hh:mm,
 * as seconds east of UTC. */
static bool zone(const char *p, long *offset) {
    if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
        *offset = 0;
        return true;
    }
    int h, m;
    if ((p[0] != '+' && p[0] != '-') || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &m) || p[6])
        return false;
    if (h > 23 || m > 59) return false;
    *offset = (p[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
    return true;
}

bool lz_parse_time(const char *s, time_t *out) {
    if (!s) return false;
    size_t len = strlen(s);
    if (len == 10) return lz_parse_date(s, len, out);
    int y, mo, d, h, mi, sec;
    if (len < 20 || !date_part(s, &y, &mo, &d)) return false;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9') return false;
        for (p++; *p >= '0' && *p <= '9'; p++) {
        }
    }
    long offset;
    if (!zone(p, &offset) || !to_time(y, mo, d, h, mi, sec, out)) return false;
    *out -= (time_t)offset;
    return true;
}

int lz_now(time_t *out, lz_err *e) {
    const char *env = getenv("LZSCAN_NOW");
    if (!env || !*env) {
        *out = time(NULL);
        return 0;
    }
    if (lz_parse_time(env, out)) return 0;
    return lz_errf(e,
                   "LZSCAN_NOW=\"%.64s\" is neither an RFC 3339 date-time (2024-05-01T12:00:00Z) nor a date "
                   "(2024-05-01)",
                   env);
}
