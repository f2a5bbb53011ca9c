/*
 * out_md_text.c - inert Markdown text for out_markdown.h, shared by the
 * Markdown summary and SARIF's help.markdown.
 */
#include <ctype.h>
#include <string.h>

#include "out_markdown.h"
#include "sanitize.h"

void out_md_text(lz_buf *out, const char *s, size_t max) {
    lz_buf b = {0};
    out_sanitize_str(&b, s ? s : "", max, OUT_SAN_KEEP_NL | (max ? OUT_SAN_ELLIPSIS : 0));
    for (const char *c = lz_buf_cstr(&b); *c; c++) {
        if (*c == '\n' || *c == '\t' || *c == '\r') {
            lz_buf_putc(out, ' ');
            continue;
        }
        /* CommonMark lets a backslash escape any ASCII punctuation; these are
         * the ones that start emphasis, code, links, HTML, tables, entities,
         * headings and mentions. */
        if (strchr("\\`*_[]<>|~&#@!", *c)) lz_buf_putc(out, '\\');
        lz_buf_putc(out, *c);
    }
    lz_buf_free(&b);
}

bool out_md_url_ok(const char *url) {
    if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)) return false;
    for (const unsigned char *c = (const unsigned char *)url; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7F || strchr("\"'<>()[]\\`{}|^", *c)) return false;
        if (*c == '%' && !(isxdigit(c[1]) && isxdigit(c[2]))) return false; /* not a valid URI */
    }
    const char *hash = strchr(url, '#');
    return strlen(url) < 2000 && (!hash || !strchr(hash + 1, '#'));
}
