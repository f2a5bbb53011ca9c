/*
 * lzdoc.c - see lzdoc.h.
 *
 * yajl's event parser feeds a jv builder chunk by chunk, so the text is
 * never held in memory (beyond a 64 KiB chunk) while its compact value is
 * built. A path string tracks where the parser is; containers down to
 * POS_DEPTH (the findings of a report and their evidence, the results of a
 * SARIF run) have their start offset recorded, so a problem found later in
 * a record can name its line and column. Line and column are worked out
 * from the offset only when a message needs them.
 */
#include "lzdoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "../scanner/ingest.h"
#include "jsonw.h"

/* root = 1: a report's findings[i] is 3 and its evidence items 5; a SARIF
 * run's results[j] is 5. */
#define POS_DEPTH 5
#define CHUNK     65536

typedef struct pframe {
    size_t pathlen; /* path length when the container opened */
    bool array;
    size_t next; /* arrays: index of the next element */
} pframe;

typedef struct lparse {
    lzdoc *d;
    lz_err *e;
    yajl_handle h;
    jv_builder *jb;
    size_t chunk_off; /* file offset of the chunk being parsed */
    lz_buf path;
    pframe *frames;
    size_t nframes, capframes;
    bool any;        /* the text holds more than white space */
    bool first_done; /* the first top-level value is complete */
    bool snapshot;   /* ... and it is a snapshot manifest: stop reading */
    bool failed;     /* a callback set the message */
} lparse;

const char *lzdoc_kind_name(enum lzdoc_kind k) {
    switch (k) {
    case LZDOC_SNAPSHOT:
        return "snapshot";
    case LZDOC_REPORT:
        return "JSON report";
    case LZDOC_SARIF:
        return "SARIF log";
    }
    return "document";
}

/* ---- positions ---- */

typedef struct linecol {
    size_t line, col;
} linecol;

static void advance(linecol *p, const char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            p->line++;
            p->col = 1;
        } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
            p->col++; /* characters, not UTF-8 continuation bytes */
        }
    }
}

/* Line and column of a byte offset: counted in the text kept in memory, or
 * by reading the file again (only for a message). */
static linecol position(const lzdoc *d, size_t off) {
    linecol p = {1, 1};
    if (d->text) {
        advance(&p, d->text, off < d->textlen ? off : d->textlen);
        return p;
    }
    FILE *f = fopen(d->name, "rb");
    char buf[CHUNK];
    size_t done = 0, n;
    while (f && done < off && (n = fread(buf, 1, off - done < sizeof buf ? off - done : sizeof buf, f)) > 0) {
        advance(&p, buf, n);
        done += n;
    }
    if (f) fclose(f);
    return p;
}

static char *where_at(const lzdoc *d, size_t off) {
    linecol p = position(d, off);
    return lz_asprintf("%s:%zu:%zu", d->name, p.line, p.col);
}

/* Is prefix the path of an ancestor of (or equal to) path? */
static bool path_within(const char *path, const char *prefix) {
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0) return false;
    return n == 0 || path[n] == '\0' || path[n] == '.' || path[n] == '[';
}

char *lzdoc_where(const lzdoc *d, const char *path) {
    const lzdoc_pos *best = NULL;
    size_t bestlen = 0;
    for (size_t i = 0; i < d->npos; i++) {
        const char *p = d->paths.data + d->pos[i].path;
        size_t n = strlen(p);
        if ((!best || n > bestlen) && path_within(path, p)) {
            best = &d->pos[i];
            bestlen = n;
            if (strcmp(p, path) == 0) break;
        }
    }
    return best ? where_at(d, best->off) : lz_strdup(d->name);
}

int lzdoc_err(const lzdoc *d, const char *path, lz_err *e, const char *fmt, ...) {
    lz_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    char *at = lzdoc_where(d, path ? path : "");
    lz_errf(e, "%s: %s%s%s", at, path && *path ? path : "", path && *path ? ": " : "", lz_buf_cstr(&msg));
    free(at);
    lz_buf_free(&msg);
    return -1;
}

/* ---- the parser ---- */

static size_t now(const lparse *p) {
    return p->chunk_off + yajl_get_bytes_consumed(p->h);
}

static int fail(lparse *p, const char *what) {
    char *at = where_at(p->d, now(p));
    lz_errf(p->e, "%s: %s", at, what);
    free(at);
    p->failed = true;
    return 0; /* cancels the parse */
}

/* Before any value: an array element gets its index in the path. */
static int begin_value(lparse *p) {
    if (p->first_done) return fail(p, "more than one JSON value (a report or SARIF log is one document)");
    if (p->nframes && p->frames[p->nframes - 1].array) {
        pframe *f = &p->frames[p->nframes - 1];
        p->path.len = f->pathlen;
        lz_buf_printf(&p->path, "[%zu]", f->next++);
    }
    return 1;
}

static const char not_ours[] = "not an lzscan snapshot, JSON report or SARIF log (merge joins the outputs of "
                               "`lzscan collect --out`, or of `lzscan scan` with --format json or sarif)";

/* What the first value is, from its content. */
static bool classify(lzdoc *d) {
    const jv_store *s = d->store;
    const char *marker = jv_get_str(s, d->root, "lzscan");
    const char *tool = jv_get_str(s, jv_get(s, d->root, "tool", 4), "name");
    if (marker && strcmp(marker, "snapshot-manifest") == 0)
        d->kind = LZDOC_SNAPSHOT;
    else if (jv_kind(s, d->root) == JV_OBJECT && jv_get(s, d->root, "runs", 4) != JV_MISSING)
        d->kind = LZDOC_SARIF;
    else if (jv_get(s, d->root, "schemaVersion", 13) != JV_MISSING && tool && strcmp(tool, "lzscan") == 0)
        d->kind = LZDOC_REPORT;
    return d->kind != 0;
}

/* The first top-level value is complete. A snapshot's manifest stops the
 * reading: the objects that follow are read by the snapshot merge. */
static int first_value(lparse *p, jv_t v) {
    p->d->root = v;
    p->first_done = true;
    if (!classify(p->d)) {
        lz_errf(p->e, "%s: %s", p->d->name, not_ours);
        p->failed = true;
        return 0;
    }
    if (p->d->kind != LZDOC_SNAPSHOT) return 1;
    p->snapshot = true;
    return 0;
}

static int scalar(void *ctx, enum jv_kind k, const char *s, size_t n) {
    lparse *p = ctx;
    if (!begin_value(p)) return 0;
    if (n > INGEST_MAX_STRING) return fail(p, "a string longer than 16 MiB");
    jv_t v = jv_build_scalar(p->jb, k, s, n);
    return p->nframes ? 1 : first_value(p, v);
}

static int cb_null(void *ctx) {
    return scalar(ctx, JV_NULL, "", 0);
}
static int cb_bool(void *ctx, int b) {
    return scalar(ctx, b ? JV_TRUE : JV_FALSE, "", 0);
}
static int cb_number(void *ctx, const char *s, size_t n) {
    return scalar(ctx, JV_NUMBER, s, n);
}
static int cb_string(void *ctx, const unsigned char *s, size_t n) {
    return scalar(ctx, JV_STRING, (const char *)s, n);
}

static int open_container(lparse *p, bool array) {
    if (!begin_value(p)) return 0;
    if (array && !p->nframes) { /* an export (a bare array), not one of lzscan's documents */
        lz_errf(p->e, "%s: %s", p->d->name, not_ours);
        p->failed = true;
        return 0;
    }
    if (p->nframes >= INGEST_MAX_DEPTH) return fail(p, "nested deeper than 256 levels");
    if (p->nframes < POS_DEPTH) {
        lzdoc *d = p->d;
        LZ_PUSH(d->pos, d->npos, d->cappos, ((lzdoc_pos){d->paths.len, now(p) - 1}));
        lz_buf_put(&d->paths, p->path.data ? p->path.data : "", p->path.len);
        lz_buf_putc(&d->paths, '\0');
    }
    LZ_PUSH(p->frames, p->nframes, p->capframes, ((pframe){p->path.len, array, 0}));
    jv_build_begin(p->jb, array ? JV_ARRAY : JV_OBJECT);
    return 1;
}

static int cb_start_map(void *ctx) {
    return open_container(ctx, false);
}
static int cb_start_array(void *ctx) {
    return open_container(ctx, true);
}

static int cb_end(void *ctx) {
    lparse *p = ctx;
    pframe f = p->frames[--p->nframes];
    p->path.len = f.pathlen;
    if (p->path.data) p->path.data[p->path.len] = '\0';
    jv_t v = jv_build_end(p->jb);
    return p->nframes ? 1 : first_value(p, v);
}

static int cb_key(void *ctx, const unsigned char *k, size_t n) {
    lparse *p = ctx;
    if (n > INGEST_MAX_STRING) return fail(p, "a key longer than 16 MiB");
    pframe *f = &p->frames[p->nframes - 1];
    p->path.len = f->pathlen;
    if (f->pathlen) lz_buf_putc(&p->path, '.');
    lz_buf_put(&p->path, k, n);
    jv_build_key(p->jb, (const char *)k, n);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map, cb_key, cb_end, cb_start_array, cb_end,
};

/* yajl's own message, on one line, at the offset where it stopped. */
static int syntax_error(lparse *p, const unsigned char *chunk, size_t len) {
    if (p->failed) return -1;
    unsigned char *msg = yajl_get_error(p->h, 0, chunk, len);
    char *nl = strchr((char *)msg, '\n');
    if (nl) *nl = '\0';
    char *at = where_at(p->d, now(p));
    lz_errf(p->e, "%s: not valid JSON: %s", at, (const char *)msg);
    free(at);
    yajl_free_error(p->h, msg);
    return -1;
}

/* Feeds one chunk: 0 to go on, 1 when a snapshot was recognised, -1 on error. */
static int feed(lparse *p, const char *chunk, size_t len) {
    for (size_t i = 0; i < len && !p->any; i++) p->any = !strchr(" \t\r\n", chunk[i]);
    yajl_status st = yajl_parse(p->h, (const unsigned char *)chunk, len);
    if (st == yajl_status_ok) {
        p->chunk_off += len;
        return 0;
    }
    if (st == yajl_status_client_canceled && p->snapshot) return 1;
    return syntax_error(p, (const unsigned char *)chunk, len);
}

static int finish(lparse *p) {
    if (!p->any) return lz_errf(p->e, "%s: empty, not an lzscan document", p->d->name);
    if (yajl_complete_parse(p->h) != yajl_status_ok) return syntax_error(p, (const unsigned char *)"", 0);
    return 0;
}

static void parse_begin(lparse *p, lzdoc *d, const char *name, lz_err *e) {
    memset(d, 0, sizeof *d);
    d->name = lz_strdup(name);
    d->store = jv_store_new();
    *p = (lparse){.d = d, .e = e};
    p->jb = jv_builder_new(d->store);
    p->h = yajl_alloc(&callbacks, NULL, p);
}

static int parse_end(lparse *p, int rc) {
    yajl_free(p->h);
    jv_builder_free(p->jb);
    lz_buf_free(&p->path);
    free(p->frames);
    if (rc == 0 && p->d->kind == LZDOC_SNAPSHOT) { /* the snapshot merge reads it again */
        jv_store_free(p->d->store);
        p->d->store = NULL;
        p->d->root = JV_MISSING;
    }
    if (rc < 0) lzdoc_free(p->d);
    return rc < 0 ? -1 : 0;
}

int lzdoc_load_buffer(lzdoc *d, const char *name, const char *data, size_t len, lz_err *e) {
    lparse p;
    parse_begin(&p, d, name, e);
    d->text = lz_strndup(data, len);
    d->textlen = len;
    int rc = feed(&p, data, len);
    if (rc == 0) rc = finish(&p);
    return parse_end(&p, rc < 0 ? -1 : 0);
}

int lzdoc_load(lzdoc *d, const char *path, lz_err *e) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(d, 0, sizeof *d);
        return lz_errf(e, "%s: cannot open: %s", path, strerror(errno));
    }
    lparse p;
    parse_begin(&p, d, path, e);
    char *buf = lz_malloc(CHUNK);
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(buf, 1, CHUNK, f)) > 0) rc = feed(&p, buf, n);
    if (rc == 0 && ferror(f)) rc = lz_errf(e, "%s: read error", path);
    if (rc == 0) rc = finish(&p);
    free(buf);
    fclose(f);
    return parse_end(&p, rc < 0 ? -1 : 0);
}

void lzdoc_free(lzdoc *d) {
    free(d->name);
    jv_store_free(d->store);
    free(d->text);
    free(d->pos);
    lz_buf_free(&d->paths);
    memset(d, 0, sizeof *d);
}

/* ---- reading values ---- */

const char *lzdoc_str(const lzdoc *d, jv_t obj, const char *key) {
    jv_t v = jv_get(d->store, obj, key, strlen(key));
    return jv_kind(d->store, v) == JV_STRING ? jv_str(d->store, v, NULL) : NULL;
}

static jv_t member_of(const lzdoc *d, jv_t obj, const char *key, enum jv_kind k) {
    jv_t v = jv_get(d->store, obj, key, strlen(key));
    return jv_kind(d->store, v) == k ? v : JV_MISSING;
}

jv_t lzdoc_obj(const lzdoc *d, jv_t obj, const char *key) {
    return member_of(d, obj, key, JV_OBJECT);
}

jv_t lzdoc_arr(const lzdoc *d, jv_t obj, const char *key) {
    return member_of(d, obj, key, JV_ARRAY);
}

bool lzdoc_uint(const lzdoc *d, jv_t obj, const char *key, uint64_t *out) {
    jv_t v = member_of(d, obj, key, JV_NUMBER);
    size_t len;
    const char *t = v ? jv_str(d->store, v, &len) : NULL;
    if (!t || !len || len > 19) return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9') return false; /* no sign, fraction or exponent */
        n = n * 10 + (uint64_t)(t[i] - '0');
    }
    *out = n;
    return true;
}

bool lzdoc_bool(const lzdoc *d, jv_t obj, const char *key, bool *out) {
    jv_t v = jv_get(d->store, obj, key, strlen(key));
    enum jv_kind k = jv_kind(d->store, v);
    if (k != JV_TRUE && k != JV_FALSE) return false;
    *out = k == JV_TRUE;
    return true;
}

char *lzdoc_text(const lzdoc *d, jv_t v, const char *skip) {
    lz_buf b = {0};
    jsonw w;
    jsonw_init(&w, &b, false);
    if (skip && jv_kind(d->store, v) == JV_OBJECT) {
        jsonw_begin_object(&w);
        for (size_t i = 0; i < jv_len(d->store, v); i++) {
            size_t klen;
            const char *k = jv_atom_str(d->store, jv_key_atom(d->store, v, i), &klen);
            if (strcmp(k, skip) == 0) continue;
            jsonw_keyn(&w, k, klen);
            jsonw_value(&w, d->store, jv_at(d->store, v, i));
        }
        jsonw_end_object(&w);
    } else {
        jsonw_value(&w, d->store, v);
    }
    jsonw_free(&w);
    return lz_buf_steal(&b);
}

int lzdoc_only_keys(const lzdoc *d, jv_t obj, const char *const *known, const char *path, lz_err *e) {
    for (size_t i = 0; i < jv_len(d->store, obj); i++) {
        const char *k = jv_atom_str(d->store, jv_key_atom(d->store, obj, i), NULL);
        bool ok = false;
        for (size_t j = 0; known[j] && !ok; j++) ok = strcmp(k, known[j]) == 0;
        if (!ok)
            return lzdoc_err(d, path, e, "member \"%s\" is not one lzscan writes (a newer version's output?)",
                             k);
    }
    return 0;
}
