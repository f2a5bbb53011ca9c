/*
 * lzdoc.h - reads one of lzscan's own documents for `lzscan merge`: a JSON
 * report (output/out_json.h), a SARIF log (output/out_sarif.h), or tells that
 * the file is a snapshot (scanner/live/snapshot.h: NDJSON whose first value
 * is the manifest), which the snapshot merge then reads as a stream.
 *
 * The kind comes from the content, never the file name: the first JSON
 * value is an object with "lzscan": "snapshot-manifest" (a snapshot, and
 * reading stops there), with "runs" (a SARIF log) or with "schemaVersion"
 * and tool.name "lzscan" (a JSON report). Anything else is refused.
 *
 * A report or log is held whole as a compact jv value (12-byte nodes,
 * interned strings: a 70 MB report takes about as much memory as its
 * text). Errors name file:line:column: syntax errors where the parser
 * stopped, and problems the merges find in a record (lzdoc_where) where that
 * record starts. Limits as for inputs: nesting depth INGEST_MAX_DEPTH,
 * strings up to INGEST_MAX_STRING bytes.
 *
 * Ownership: an lzdoc owns its store and strings (lzdoc_free).
 */
#ifndef LZDOC_H
#define LZDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "../scanner/jv.h"

enum lzdoc_kind { LZDOC_SNAPSHOT = 1, LZDOC_REPORT, LZDOC_SARIF };

typedef struct lzdoc_pos {
    size_t path; /* offset into lzdoc.paths: e.g. "findings[12]", "runs[0].results[3]" */
    size_t off;  /* byte offset of its '{' or '[' in the file */
} lzdoc_pos;

typedef struct lzdoc {
    char *name; /* the path given, for messages */
    enum lzdoc_kind kind;
    jv_store *store; /* NULL for a snapshot */
    jv_t root;       /* the document (JV_MISSING for a snapshot) */
    char *text;      /* lzdoc_load_buffer's copy of the text, for positions; NULL: reread the file */
    size_t textlen;
    /* Where the containers near the top (records: findings, results) start,
     * in document order, for lzdoc_where. */
    lzdoc_pos *pos;
    size_t npos, cappos;
    lz_buf paths; /* NUL-separated */
} lzdoc;

/* Reads path. Returns 0, or -1 (nothing to free) with a message naming
 * file:line:column. */
int lzdoc_load(lzdoc *d, const char *path, lz_err *e);
/* The same from memory (tests); name is used in messages. */
int lzdoc_load_buffer(lzdoc *d, const char *name, const char *data, size_t len, lz_err *e);
void lzdoc_free(lzdoc *d);

/* "snapshot", "JSON report" or "SARIF log". */
const char *lzdoc_kind_name(enum lzdoc_kind k);

/* "file:line:column" of the container at path (as in lzdoc_pos), else of
 * its nearest recorded ancestor, else "file". Caller frees. */
char *lzdoc_where(const lzdoc *d, const char *path);
/* lz_errf with the message prefixed by lzdoc_where(d, path) and the path:
 * "file:12:5: findings[3]: no fingerprint". Returns -1. */
int lzdoc_err(const lzdoc *d, const char *path, lz_err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- reading values (NULL / false / JV_MISSING when absent or of another kind) ---- */
const char *lzdoc_str(const lzdoc *d, jv_t obj, const char *key);
jv_t lzdoc_obj(const lzdoc *d, jv_t obj, const char *key); /* an object member */
jv_t lzdoc_arr(const lzdoc *d, jv_t obj, const char *key); /* an array member */
/* A non-negative integer member into *out; false if absent or not one. */
bool lzdoc_uint(const lzdoc *d, jv_t obj, const char *key, uint64_t *out);
/* A boolean member into *out; false if absent or not a boolean. */
bool lzdoc_bool(const lzdoc *d, jv_t obj, const char *key, bool *out);

/* Refuses (lzdoc_err at path) a member of obj whose key is not in known
 * (NULL-terminated): what a merge does not know it would silently drop. */
int lzdoc_only_keys(const lzdoc *d, jv_t obj, const char *const *known, const char *path, lz_err *e);

/* v as compact JSON, leaving out the member skip of an object (NULL: none):
 * equal texts mean equal values, for comparing parts. Caller frees. */
char *lzdoc_text(const lzdoc *d, jv_t v, const char *skip);

#endif
