/*
 * page.h - reads one Resource Graph or ARM list response body as a stream:
 * each element of its `data` / `value` array is handed over as compact JSON
 * text (keys, order and number text as received), and the paging fields
 * ($skipToken, nextLink, @nextLink, totalRecords, resultTruncated) and an
 * Azure error ({"error": {"code", "message"}}) are returned. A page is
 * never held as a DOM: rows are re-serialised one at a time.
 *
 * Also small DOM helpers over yajl_tree for the short bodies (token
 * responses, errors) where a tree is simpler.
 */
#ifndef LIVE_PAGE_H
#define LIVE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "../../common/lz.h"

typedef struct live_row {
    const char *json; /* compact JSON text of the element, NUL-terminated */
    size_t len;
    const char *id;   /* the element's own "id" string, or NULL */
    const char *type; /* the element's own "type" string, or NULL */
} live_row;

/* Called once per element; return -1 (with e filled) to stop the parse. */
typedef int (*live_row_fn)(const live_row *row, void *ctx, lz_err *e);
/* Called for every string value inside elements (e.g. to find ARM ids). */
typedef void (*live_str_fn)(const char *s, size_t n, void *ctx);

typedef struct live_page {
    char *skip_token; /* $skipToken / skipToken */
    char *next_link;  /* nextLink / @nextLink / @odata.nextLink */
    uint64_t total_records;
    bool has_total;
    bool truncated; /* resultTruncated "true" */
    char *error_code, *error_message;
    size_t rows;
} live_page;

/* Parses body; on malformed JSON (e.g. a truncated body) returns -1 with a
 * message. Elements already handed to fn stay handed. */
int live_page_parse(const char *body, size_t len, live_row_fn fn, live_str_fn sfn, void *ctx, live_page *p,
                    lz_err *e);
void live_page_free(live_page *p);

/* ---- small trees ---- */
/* NUL-terminated text -> tree, or NULL if it is not JSON. Free with yajl_tree_free. */
yajl_val live_json_parse(const char *text);
/* The string at a key path (NULL-terminated list of keys), or NULL. */
const char *live_json_str(yajl_val v, ...) __attribute__((sentinel));
/* A number or numeric string at a key path; def if absent. */
double live_json_num(yajl_val v, double def, ...) __attribute__((sentinel));
/* Member of an object by key path, or NULL. */
yajl_val live_json_get(yajl_val v, ...) __attribute__((sentinel));

#endif
