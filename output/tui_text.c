/*
 * tui_text.c - see tui_text.h.
 */
#include "tui_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"
#include "utf8.h"

static bool g_utf8;

void tui_text_set_utf8(bool utf8) {
    g_utf8 = utf8;
}

bool tui_text_utf8(void) {
    return g_utf8;
}

/* Columns of one code point of sanitized text; -1 if it must be escaped. */
static int cp_width(uint32_t cp) {
    if (cp < 0x80) return 1; /* sanitized text holds no ASCII control */
    if (!g_utf8) return -1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? -1 : w;
}

void tui_text_clean(lz_buf *out, const char *s, size_t len, size_t cap) {
    lz_buf tmp = {0};
    out_sanitize(&tmp, s, len, cap, OUT_SAN_ELLIPSIS);
    const unsigned char *p = (const unsigned char *)lz_buf_cstr(&tmp), *end = p + tmp.len;
    while (p < end) {
        uint32_t cp = 0;
        size_t n = out_utf8_decode(p, (size_t)(end - p), &cp);
        if (n == 0) n = 1, cp = 0xFFFD; /* cannot happen after out_sanitize */
        if (cp_width(cp) >= 0)
            lz_buf_put(out, p, n);
        else if (cp <= 0xFFFF)
            lz_buf_printf(out, "\\u%04x", (unsigned)cp);
        else
            lz_buf_printf(out, "\\U%08x", (unsigned)cp);
        p += n;
    }
    lz_buf_free(&tmp);
}

void tui_text_clean_str(lz_buf *out, const char *s, size_t cap) {
    if (s) tui_text_clean(out, s, strlen(s), cap);
}

void tui_text_put_utf8(lz_buf *out, uint32_t cp) {
    char s[4];
    size_t n = 0;
    if (cp < 0x80) {
        s[n++] = (char)cp;
    } else if (cp < 0x800) {
        s[n++] = (char)(0xC0 | cp >> 6);
        s[n++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s[n++] = (char)(0xE0 | cp >> 12);
        s[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[n++] = (char)(0x80 | (cp & 0x3F));
    } else {
        s[n++] = (char)(0xF0 | cp >> 18);
        s[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[n++] = (char)(0x80 | (cp & 0x3F));
    }
    lz_buf_put(out, s, n);
}

/* Decodes one unit of a display string: its byte length and width. */
static size_t unit(const unsigned char *p, size_t n, int *w) {
    if (*p < 0x80) {
        *w = 1;
        return 1;
    }
    uint32_t cp = 0;
    size_t len = out_utf8_decode(p, n, &cp);
    if (len == 0) {
        *w = 1;
        return 1;
    }
    int cw = cp_width(cp);
    *w = cw < 0 ? 1 : cw;
    return len;
}

size_t tui_text_width(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t cols = 0;
    while (p < end) {
        int w;
        p += unit(p, (size_t)(end - p), &w);
        cols += (size_t)w;
    }
    return cols;
}

size_t tui_text_fit(const char *s, size_t len, size_t cols, size_t *used) {
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t c = 0;
    while (p < end) {
        int w;
        size_t n = unit(p, (size_t)(end - p), &w);
        if (c + (size_t)w > cols) break;
        c += (size_t)w;
        p += n;
    }
    if (used) *used = c;
    return (size_t)(p - (const unsigned char *)s);
}

void tui_text_wrap(const char *s, size_t len, size_t cols, bool at_spaces, tui_text_line_fn fn, void *ctx) {
    if (cols == 0) cols = 1;
    do {
        size_t fit = tui_text_fit(s, len, cols, NULL);
        if (fit == 0 && len) fit = tui_text_fit(s, len, 2, NULL); /* a wide char in 1 column */
        size_t cut = fit, skip = 0;
        if (fit < len && at_spaces) {
            size_t sp = fit;
            while (sp > 0 && s[sp] != ' ') sp--;
            if (s[sp] == ' ' && sp > 0) cut = sp, skip = 1;
        }
        if (cut + skip == 0 && len) cut = 1; /* always progress */
        fn(s, cut, ctx);
        s += cut + skip;
        len -= cut + skip;
    } while (len > 0);
}

void tui_text_wrap_hang(const char *s, size_t len, size_t cols, size_t hang, tui_text_line_fn fn, void *ctx) {
    size_t width = cols ? cols : 1;
    do {
        size_t fit = tui_text_fit(s, len, width, NULL);
        if (fit == 0 && len) fit = tui_text_fit(s, len, 2, NULL);
        if (fit == 0 && len) fit = 1; /* always progress */
        fn(s, fit, ctx);
        s += fit;
        len -= fit;
        width = cols > hang + 1 ? cols - hang : 1;
    } while (len > 0);
}
