#include "sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Code points that are valid UTF-8 but unsafe or misleading on a terminal. */
static bool unsafe_cp(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x2028 || cp == 0x2029;
}

/*
 * Renders one unit (an ASCII byte, a UTF-8 sequence or an invalid byte) at p
 * into tmp; returns the bytes consumed. *text and *tlen receive what to write
 * and *chars its width in characters.
 */
static size_t render_unit(const unsigned char *p, size_t n, unsigned flags, char tmp[16], const char **text,
                          size_t *tlen, size_t *chars) {
    uint32_t cp = 0;
    size_t len = out_utf8_decode(p, n, &cp);
    *text = tmp;
    if (len == 0) { /* invalid byte */
        *tlen = *chars = (size_t)snprintf(tmp, 16, "\\x%02x", p[0]);
        return 1;
    }
    if (cp >= 0x20 && cp != 0x7F && !unsafe_cp(cp)) {
        *text = (const char *)p;
        *tlen = len;
        *chars = 1;
        return len;
    }
    bool keep = (flags & OUT_SAN_KEEP_NL) && (cp == '\n' || cp == '\t');
    if (keep)
        *tlen = (size_t)snprintf(tmp, 16, "%c", (char)cp);
    else if (cp == '\n')
        *tlen = (size_t)snprintf(tmp, 16, "\\n");
    else if (cp == '\r')
        *tlen = (size_t)snprintf(tmp, 16, "\\r");
    else if (cp == '\t')
        *tlen = (size_t)snprintf(tmp, 16, "\\t");
    else if (cp < 0x80)
        *tlen = (size_t)snprintf(tmp, 16, "\\x%02x", (unsigned)cp);
    else
        *tlen = (size_t)snprintf(tmp, 16, "\\u%04x", (unsigned)cp);
    *chars = *tlen;
    return len;
}

/* True if the sanitized string is wider than lim characters (stops early). */
static bool wider_than(const unsigned char *p, const unsigned char *end, unsigned flags, size_t lim) {
    size_t w = 0, tlen, chars;
    const char *text;
    char tmp[16];
    while (p < end && w <= lim) {
        p += render_unit(p, (size_t)(end - p), flags, tmp, &text, &tlen, &chars);
        w += chars;
    }
    return w > lim;
}

bool out_sanitize(lz_buf *out, const char *s, size_t len, size_t max, unsigned flags) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    bool cut = max && wider_than(p, end, flags, max);
    bool ell = cut && (flags & OUT_SAN_ELLIPSIS) && max > 3;
    size_t limit = !cut ? SIZE_MAX : ell ? max - 3 : max;
    size_t used = 0, tlen, chars;
    const char *text;
    char tmp[16];
    while (p < end) {
        size_t n = render_unit(p, (size_t)(end - p), flags, tmp, &text, &tlen, &chars);
        if (chars > limit - used) break; /* never split an escape */
        lz_buf_put(out, text, tlen);
        used += chars;
        p += n;
    }
    if (ell) lz_buf_put(out, "...", 3);
    return cut;
}

bool out_sanitize_str(lz_buf *out, const char *s, size_t max, unsigned flags) {
    return s ? out_sanitize(out, s, strlen(s), max, flags) : false;
}

char *out_sanitize_dup(const char *s, size_t max, unsigned flags) {
    lz_buf b = {0};
    out_sanitize_str(&b, s, max, flags);
    return lz_buf_steal(&b);
}
