/*
 * jsonw.h - a small streaming JSON writer appending to an lz_buf.
 *
 * Calls nest like the JSON text: jsonw_begin_object, jsonw_key, a value,
 * ..., jsonw_end_object. Output is deterministic (members in call order) and
 * always valid JSON whatever bytes strings hold: invalid UTF-8 is repaired
 * (U+FFFD per bad byte), control characters escaped, and so are C1 controls,
 * bidi overrides/isolates and U+2028/U+2029 (valid JSON, but unsafe to show
 * on a terminal or embed in a script), so the bytes are inert under cat.
 * Pretty mode indents by two spaces and ends the document with a newline;
 * compact mode writes no whitespace.
 *
 * Misuse (a value without a key inside an object, unbalanced ends) does not
 * abort: the writer records the first error and jsonw_finish reports it, the
 * way ferror() works for stdio.
 *
 * Ownership: the writer borrows `out` (the caller owns and frees it) and
 * owns only its nesting stack, released by jsonw_finish or jsonw_free.
 */
#ifndef JSONW_H
#define JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../scanner/jv.h"

typedef struct jsonw {
    lz_buf *out;
    bool pretty;
    unsigned char *stack; /* per open container: JSONW_ARRAY/OBJECT | has-items bit */
    size_t depth, cap;
    bool want_value; /* a key was written and awaits its value */
    bool done;       /* a complete top-level value was written */
    const char *err; /* first misuse, static text; NULL if none */
} jsonw;

void jsonw_init(jsonw *w, lz_buf *out, bool pretty);
/* Checks the document is complete; returns 0, or -1 naming the first misuse.
 * Frees the stack either way. */
int jsonw_finish(jsonw *w, lz_err *e);
void jsonw_free(jsonw *w); /* frees the stack without checking */

void jsonw_begin_object(jsonw *w);
void jsonw_end_object(jsonw *w);
void jsonw_begin_array(jsonw *w);
void jsonw_end_array(jsonw *w);

/* Keys are escaped like strings. */
void jsonw_key(jsonw *w, const char *key);
void jsonw_keyn(jsonw *w, const char *key, size_t len);

/* A NULL string writes null. */
void jsonw_string(jsonw *w, const char *s);
void jsonw_stringn(jsonw *w, const char *s, size_t len);
/* A number written as the given text (source text is kept, e.g. from jv).
 * Text that is not a JSON number is written as a string, so the output
 * stays valid. */
void jsonw_number(jsonw *w, const char *text, size_t len);
void jsonw_uint(jsonw *w, uint64_t n);
void jsonw_int(jsonw *w, int64_t n);
void jsonw_bool(jsonw *w, bool b);
void jsonw_null(jsonw *w);
/* A value given as JSON text that is already valid, e.g. a string escaped
 * once by jsonw_escape and written many times. Not checked. */
void jsonw_raw(jsonw *w, const char *json, size_t len);

/*
 * Items of a long array rendered elsewhere (on another thread) and joined
 * in order. A writer made by jsonw_init_items(w, out, parent, first) writes
 * further items of parent's innermost open array into out, byte for byte
 * as parent would (first: no item precedes them, so no comma); the text is
 * then appended with jsonw_splice(parent, ...). Free the item writer with
 * jsonw_free; its err says whether it was misused.
 */
void jsonw_init_items(jsonw *w, lz_buf *out, const jsonw *parent, bool first);
void jsonw_splice(jsonw *parent, const char *items, size_t len);

/* Writes a jv value (recursively). JV_MISSING writes null. */
void jsonw_value(jsonw *w, const jv_store *s, jv_t v);

/* Convenience: key + value. */
void jsonw_kv_string(jsonw *w, const char *key, const char *s);
void jsonw_kv_uint(jsonw *w, const char *key, uint64_t n);
void jsonw_kv_bool(jsonw *w, const char *key, bool b);

/* Appends s as a quoted, escaped JSON string to out (no writer needed). */
void jsonw_escape(lz_buf *out, const char *s, size_t len);
/* True if text[0..len) is a JSON number (RFC 8259 grammar). */
bool jsonw_is_number(const char *text, size_t len);

#endif
