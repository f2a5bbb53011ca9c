#include "utf8.h"

static int is_cont(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

/* The lead byte's sequence length and the valid range of the second byte
 * (Unicode Table 3-7); the narrower ranges exclude overlongs, surrogates
 * and code points above U+10FFFF. */
static size_t lead_info(unsigned char c, unsigned char *lo, unsigned char *hi) {
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c == 0xE0) *lo = 0xA0;
    if (c == 0xED) *hi = 0x9F;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c == 0xF0) *lo = 0x90;
    if (c == 0xF4) *hi = 0x8F;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

size_t out_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    unsigned char lo, hi;
    size_t len = lead_info(s[0], &lo, &hi);
    if (len == 0 || n < len || s[1] < lo || s[1] > hi) return 0;
    uint32_t v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if (!is_cont(s[i])) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}
