/*
 * text.c - compact JSON text of jv values, for evidence ("actual" and
 * "expected") and parameter defaults. rules/ does not use output/'s writer:
 * the engine must not depend on the renderers (DESIGN §1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cond.h"

static void put_escaped(lz_buf *b, const char *s, size_t n) {
    lz_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            lz_buf_puts(b, "\\\"");
            break;
        case '\\':
            lz_buf_puts(b, "\\\\");
            break;
        case '\n':
            lz_buf_puts(b, "\\n");
            break;
        case '\r':
            lz_buf_puts(b, "\\r");
            break;
        case '\t':
            lz_buf_puts(b, "\\t");
            break;
        default:
            if (c < 0x20)
                lz_buf_printf(b, "\\u%04x", c);
            else
                lz_buf_putc(b, (char)c);
        }
    }
    lz_buf_putc(b, '"');
}

void jtext_value(lz_buf *b, const jv_store *s, jv_t v) {
    size_t n;
    const char *t;
    switch (jv_kind(s, v)) {
    case JV_KIND_MISSING:
        lz_buf_puts(b, "missing");
        return;
    case JV_NULL:
        lz_buf_puts(b, "null");
        return;
    case JV_TRUE:
        lz_buf_puts(b, "true");
        return;
    case JV_FALSE:
        lz_buf_puts(b, "false");
        return;
    case JV_NUMBER:
        t = jv_str(s, v, &n);
        lz_buf_put(b, t, n);
        return;
    case JV_STRING:
        t = jv_str(s, v, &n);
        put_escaped(b, t, n);
        return;
    case JV_ARRAY:
        lz_buf_putc(b, '[');
        for (size_t i = 0; i < jv_len(s, v); i++) {
            if (i) lz_buf_putc(b, ',');
            jtext_value(b, s, jv_at(s, v, i));
        }
        lz_buf_putc(b, ']');
        return;
    case JV_OBJECT:
        lz_buf_putc(b, '{');
        for (size_t i = 0; i < jv_len(s, v); i++) {
            if (i) lz_buf_putc(b, ',');
            t = jv_atom_str(s, jv_key_atom(s, v, i), &n);
            put_escaped(b, t, n);
            lz_buf_putc(b, ':');
            jtext_value(b, s, jv_at(s, v, i));
        }
        lz_buf_putc(b, '}');
        return;
    }
}

char *jtext_dup(const jv_store *s, jv_t v) {
    lz_buf b = {0};
    jtext_value(&b, s, v);
    return lz_buf_steal(&b);
}
