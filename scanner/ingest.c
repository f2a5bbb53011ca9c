/*
 * ingest.c - see ingest.h.
 *
 * yajl gives us a SAX-style stream of events; a small state machine routes
 * them. Elements of a top-level array, or of the `data`/`value` array of a
 * top-level wrapper object, are built one at a time by the `elem` builder
 * and handed to the inventory as each closes, so memory never holds more
 * than one element's parse state. Everything else of a top-level object is
 * built by the `top` builder; when the object closes it is either a
 * wrapper (its metadata is read), an ARM object, a snapshot manifest, or
 * lzscan's own output.
 */
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_parse.h>

typedef struct pos {
    size_t off; /* absolute byte offset scanned so far */
    size_t line, col;
} pos;

typedef struct ingest {
    inv *v;
    jv_store *s;
    const char *name;
    uint16_t source;
    bool in_walk; /* reading a directory: skip documents that are not inputs */
    lz_err *e;
    bool failed;

    yajl_handle h;
    const char *mem;  /* the whole text for ingest_buffer; NULL when reading a file */
    size_t chunk_off; /* absolute offset of the chunk being parsed */
    size_t total;     /* bytes fed so far */

    jv_builder *top, *elem;
    size_t depth;        /* open containers in the JSON text */
    size_t stream_depth; /* depth at which elements are streamed; 0 = not streaming */
    bool key_streams;    /* the last depth-1 key was data/value */
    bool top_is_object;
    bool any_value; /* the text held at least one JSON value */
    bool was_wrapper;
    size_t rows;     /* elements streamed out of the current top-level value */
    size_t elem_off; /* where the element being built starts */
} ingest;

/* ---- positions ----
 * Only byte offsets are tracked while parsing: line and column are worked
 * out from the source text when a message needs them, which is rare, so the
 * hot path does not look at every byte twice. */

static void count_position(pos *p, const char *buf, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            p->line++;
            p->col = 1;
        } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
            p->col++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    p->off += n;
}

/* Line and column of an absolute offset, re-reading the file if need be. */
static pos position_at(const ingest *g, size_t off) {
    pos p = {0, 1, 1};
    if (g->mem) {
        count_position(&p, g->mem, off);
        return p;
    }
    FILE *f = fopen(g->name, "rb");
    char buf[65536];
    size_t n;
    while (f && p.off < off &&
           (n = fread(buf, 1, off - p.off < sizeof buf ? off - p.off : sizeof buf, f)) > 0)
        count_position(&p, buf, n);
    if (f) fclose(f);
    return p;
}

/* The absolute offset just after the current token. */
static size_t now(const ingest *g) {
    return g->chunk_off + yajl_get_bytes_consumed(g->h);
}

/* Replaces the leading "name" of a message with "name:line:column". */
static void locate_message(const ingest *g, size_t off) {
    size_t nl = strlen(g->name);
    if (strncmp(g->e->msg, g->name, nl) != 0) return;
    pos p = position_at(g, off);
    char rest[LZ_ERR_MAX];
    snprintf(rest, sizeof rest, "%s", g->e->msg + nl);
    lz_errf(g->e, "%s:%zu:%zu%s", g->name, p.line, p.col, rest);
}

static int fail(ingest *g, const char *fmt, const char *detail) {
    pos p = position_at(g, now(g));
    char msg[600];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    lz_errf(g->e, "%s:%zu:%zu: %s", g->name, p.line, p.col, msg);
    g->failed = true;
    return 0; /* cancels the parse */
}

/* ---- routing ----
 * depth counts the containers open before the event. With stream_depth s,
 * the streamed array is the container at level s, so every event at
 * depth >= s belongs to an element (the elem builder); the rest belongs to
 * the top-level value (the top builder). */

static bool in_element(const ingest *g) {
    return g->stream_depth && g->depth >= g->stream_depth;
}

static int handle_top(ingest *g, jv_t obj);

/* Members of an ARM object that are not resource properties. */
static bool envelope_key(const char *k, size_t n) {
    static const char *const keys[] = {
        "id",
        "name",
        "type",
        "location",
        "kind",
        "sku",
        "identity",
        "tags",
        "etag",
        "zones",
        "plan",
        "managedBy",
        "systemData",
        "tenantId",
        "subscriptionId",
        "resourceGroup",
        "extendedLocation",
        NULL,
    };
    for (int i = 0; keys[i]; i++)
        if (lz_strcaseeq(k, n, keys[i], strlen(keys[i]))) return true;
    return false;
}

/*
 * The az CLI prints many objects flattened: the members of `properties` at
 * the top level (az monitor diagnostic-settings list, az network vnet list).
 * Rules read ARM paths, so such an object is rebuilt with a `properties`
 * member holding everything that is not part of the ARM envelope.
 */
static jv_t unflatten(ingest *g, jv_t obj) {
    jv_store *s = g->s;
    if (jv_kind(s, obj) != JV_OBJECT || jv_get(s, obj, "properties", 10) != JV_MISSING) return obj;
    size_t n = jv_len(s, obj), extra = 0, klen;
    for (size_t i = 0; i < n; i++) {
        /* Two statements: argument evaluation order is unspecified, and klen
         * must be set by jv_atom_str before it is read. */
        const char *k = jv_atom_str(s, jv_key_atom(s, obj, i), &klen);
        if (!envelope_key(k, klen)) extra++;
    }
    if (!extra) return obj;
    jv_builder *b = jv_builder_new(s);
    jv_build_begin(b, JV_OBJECT);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            jv_build_key(b, "properties", 10);
            jv_build_begin(b, JV_OBJECT);
        }
        for (size_t i = 0; i < n; i++) {
            const char *k = jv_atom_str(s, jv_key_atom(s, obj, i), &klen);
            if (envelope_key(k, klen) != (pass == 0)) continue;
            jv_build_key(b, k, klen);
            jv_build_copy(b, s, jv_at(s, obj, i));
        }
    }
    jv_build_end(b);
    jv_t out = jv_build_end(b);
    jv_builder_free(b);
    return out;
}

static int emit_element(ingest *g, jv_t obj) {
    g->rows++;
    obj = unflatten(g, obj);
    if (jv_kind(g->s, obj) != JV_OBJECT)
        lz_errf(g->e, "%s: element %zu of the array is not a JSON object", g->name, g->rows);
    else if (inv_add(g->v, obj, g->source, g->name, g->e) == 0)
        return 1;
    locate_message(g, g->elem_off);
    g->failed = true;
    return 0;
}

/* Remembers where an element starts, for messages about it. */
static void mark_element_start(ingest *g, size_t token_len) {
    if (jv_build_depth(g->elem) != 0) return;
    size_t end = now(g);
    g->elem_off = end >= token_len ? end - token_len : 0;
}

static int on_scalar(ingest *g, enum jv_kind k, const char *t, size_t n) {
    g->any_value = true;
    if (g->depth == 0) return fail(g, "expected a JSON object or array at the top level%s", NULL);
    if (n > INGEST_MAX_STRING) return fail(g, "string longer than the %s limit", "16 MiB");
    if (in_element(g)) {
        mark_element_start(g, 1);
        jv_t v = jv_build_scalar(g->elem, k, t, n);
        return v == JV_MISSING ? 1 : emit_element(g, v);
    }
    if (g->depth == 1) g->key_streams = false;
    jv_build_scalar(g->top, k, t, n);
    return 1;
}

static int cb_null(void *ctx) {
    return on_scalar(ctx, JV_NULL, "", 0);
}
static int cb_bool(void *ctx, int b) {
    return on_scalar(ctx, b ? JV_TRUE : JV_FALSE, "", 0);
}
static int cb_number(void *ctx, const char *s, size_t n) {
    return on_scalar(ctx, JV_NUMBER, s, n);
}
static int cb_string(void *ctx, const unsigned char *s, size_t n) {
    return on_scalar(ctx, JV_STRING, (const char *)s, n);
}

static int open_container(ingest *g, enum jv_kind k) {
    if (g->depth >= INGEST_MAX_DEPTH) return fail(g, "JSON nested deeper than %s levels", "256");
    size_t d = g->depth++;
    g->any_value = true;
    if (d == 0) {
        g->rows = 0;
        g->was_wrapper = false;
        g->key_streams = false;
        g->top_is_object = (k == JV_OBJECT);
        if (k == JV_ARRAY) {
            g->stream_depth = 1; /* a bare array: its elements are the objects */
            return 1;
        }
        jv_build_begin(g->top, k);
        return 1;
    }
    if (g->stream_depth && d >= g->stream_depth) {
        mark_element_start(g, 1);
        jv_build_begin(g->elem, k);
        return 1;
    }
    if (d == 1 && g->key_streams && k == JV_ARRAY) {
        g->stream_depth = 2; /* {"data": [...]} or {"value": [...]} */
        g->was_wrapper = true;
        g->key_streams = false;
        return 1;
    }
    if (d == 1) g->key_streams = false;
    jv_build_begin(g->top, k);
    return 1;
}

static int cb_end(void *ctx) {
    ingest *g = ctx;
    size_t d = g->depth--; /* level of the container closing */
    if (g->stream_depth && d == g->stream_depth) {
        g->stream_depth = 0; /* the streamed array itself */
        return 1;
    }
    if (g->stream_depth && d > g->stream_depth) {
        jv_t v = jv_build_end(g->elem);
        return v == JV_MISSING ? 1 : emit_element(g, v);
    }
    jv_t v = jv_build_end(g->top);
    return d == 1 ? handle_top(g, v) : 1;
}

static int cb_start_map(void *ctx) {
    return open_container(ctx, JV_OBJECT);
}
static int cb_start_array(void *ctx) {
    return open_container(ctx, JV_ARRAY);
}

static int cb_map_key(void *ctx, const unsigned char *k, size_t n) {
    ingest *g = ctx;
    if (in_element(g)) {
        jv_build_key(g->elem, (const char *)k, n);
        return 1;
    }
    if (g->depth == 1)
        g->key_streams =
            lz_strcaseeq((const char *)k, n, "data", 4) || lz_strcaseeq((const char *)k, n, "value", 5);
    jv_build_key(g->top, (const char *)k, n);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_bool,    NULL,   NULL,           cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

/* ---- top-level documents ---- */

static uint64_t num_field(const jv_store *s, jv_t obj, const char *key) {
    const char *t = jv_str(s, jv_get(s, obj, key, strlen(key)), NULL);
    return t ? strtoull(t, NULL, 10) : 0;
}

static bool truthy_str(const jv_store *s, jv_t v) {
    enum jv_kind k = jv_kind(s, v);
    if (k == JV_TRUE) return true;
    size_t n;
    const char *t = jv_str(s, v, &n);
    return k == JV_STRING && t && n > 0 && !lz_strcaseeq(t, n, "false", 5);
}

static void read_wrapper(ingest *g, jv_t w) {
    const jv_store *s = g->s;
    bool more =
        truthy_str(s, jv_get(s, w, "skip_token", 10)) || truthy_str(s, jv_get(s, w, "$skipToken", 10)) ||
        truthy_str(s, jv_get(s, w, "skipToken", 9)) || truthy_str(s, jv_get(s, w, "nextLink", 8)) ||
        truthy_str(s, jv_get(s, w, "@nextLink", 9)) || truthy_str(s, jv_get(s, w, "@odata.nextLink", 15)) ||
        truthy_str(s, jv_get(s, w, "resultTruncated", 15));
    uint64_t total = num_field(s, w, "total_records");
    if (!total) total = num_field(s, w, "totalRecords");
    inv_add_page(g->v, g->name, g->rows, total, more);
}

static bool is_lzscan_output(const jv_store *s, jv_t obj) {
    if (jv_get(s, obj, "lzscan", 6) != JV_MISSING) return true;
    const char *tool = jv_get_str(s, jv_get(s, obj, "tool", 4), "name");
    return tool && strcmp(tool, "lzscan") == 0;
}

static void read_manifest(ingest *g, jv_t m) {
    const jv_store *s = g->s;
    jv_t coll = jv_get(s, m, "collected", 9);
    for (size_t i = 0; i < jv_len(s, coll); i++) {
        const char *t = jv_str(s, jv_at(s, coll, i), NULL);
        if (t) inv_mark_collected(g->v, t);
    }
    jv_t gaps = jv_get(s, m, "gaps", 4);
    for (size_t i = 0; i < jv_len(s, gaps); i++) {
        jv_t gp = jv_at(s, gaps, i);
        const char *reason = jv_get_str(s, gp, "reason");
        inv_add_gap(g->v, jv_get_str(s, gp, "scope"), jv_get_str(s, gp, "type"),
                    reason ? reason : "recorded as a gap in the snapshot manifest");
    }
    if (jv_get(s, m, "complete", 8) != JV_MISSING && jv_kind(s, jv_get(s, m, "complete", 8)) != JV_TRUE)
        inv_add_gap(g->v, "", "", "the snapshot manifest says collection did not complete");
}

static int handle_top(ingest *g, jv_t obj) {
    const jv_store *s = g->s;
    if (g->failed) return 0;
    if (g->was_wrapper) {
        read_wrapper(g, obj);
        return 1;
    }
    const char *marker = jv_get_str(s, obj, "lzscan");
    if (marker && strcmp(marker, "snapshot-manifest") == 0) {
        read_manifest(g, obj);
        return 1;
    }
    if (is_lzscan_output(s, obj)) {
        if (g->in_walk) return 1;
        return fail(g, "this is lzscan's own output (a report or expected-findings file), not an input%s",
                    NULL);
    }
    jv_t err = jv_get(s, obj, "error", 5);
    if (jv_kind(s, err) == JV_OBJECT && jv_get(s, obj, "id", 2) == JV_MISSING) {
        const char *code = jv_get_str(s, err, "code"), *msg = jv_get_str(s, err, "message");
        char detail[400];
        snprintf(detail, sizeof detail, "%.80s: %.300s", code ? code : "?", msg ? msg : "");
        return fail(g, "the file holds an Azure error response (%s), not resources", detail);
    }
    if (jv_get(s, obj, "id", 2) == JV_MISSING) {
        if (g->in_walk) {
            inv_add_note(g->v, "%s: skipped a JSON object that is not an input shape (no id, data or value)",
                         g->name);
            return 1;
        }
        return fail(g,
                    "not an input shape: expected an ARM object (with \"id\"), a Resource Graph result "
                    "({\"data\": [...]}), an ARM list ({\"value\": [...]}) or an array%s",
                    NULL);
    }
    if (inv_add(g->v, unflatten(g, obj), g->source, g->name, g->e) < 0) {
        g->failed = true;
        return 0;
    }
    return 1;
}

/* ---- driving the parser ---- */

static int parse_error(ingest *g, const unsigned char *buf, size_t len) {
    if (g->failed) return -1;
    pos p = position_at(g, now(g));
    unsigned char *msg = yajl_get_error(g->h, 0, buf, len);
    char *m = lz_strdup((const char *)msg);
    yajl_free_error(g->h, msg);
    /* yajl's messages end with a newline and say "lexical error: ..." */
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' ')) m[--n] = '\0';
    lz_errf(g->e, "%s:%zu:%zu: malformed JSON: %s", g->name, p.line, p.col, m);
    free(m);
    return -1;
}

static void ingest_init(ingest *g, inv *v, const char *name, bool in_walk, lz_err *e) {
    memset(g, 0, sizeof *g);
    g->v = v;
    g->s = inv_store(v);
    g->name = name;
    g->source = inv_add_source(v, name);
    g->in_walk = in_walk;
    g->e = e;
    g->top = jv_builder_new(g->s);
    g->elem = jv_builder_new(g->s);
    g->h = yajl_alloc(&callbacks, NULL, g);
    yajl_config(g->h, yajl_allow_multiple_values, 1); /* NDJSON and concatenated JSON */
    /* Strings are not rejected for invalid UTF-8: hostile data must not stop
     * an audit. Every renderer repairs or escapes it on output. */
    yajl_config(g->h, yajl_dont_validate_strings, 1);
}

static void ingest_done(ingest *g) {
    yajl_free(g->h);
    jv_builder_free(g->top);
    jv_builder_free(g->elem);
}

static int feed(ingest *g, const unsigned char *buf, size_t len) {
    g->chunk_off = g->total;
    if (yajl_parse(g->h, buf, len) != yajl_status_ok) return parse_error(g, buf, len);
    g->total += len;
    return 0;
}

static int finish(ingest *g) {
    g->chunk_off = g->total;
    yajl_status st = yajl_complete_parse(g->h);
    if (!g->any_value && !g->failed) {
        /* An empty export (e.g. no role assignments) holds no objects; that is not an error. */
        inv_add_note(g->v, "%s holds no JSON value", g->name);
        return 0;
    }
    if (st != yajl_status_ok) {
        if (g->failed) return -1;
        pos p = position_at(g, g->total);
        return lz_errf(g->e, "%s:%zu:%zu: malformed JSON: the text ends inside a value (truncated file?)",
                       g->name, p.line, p.col);
    }
    return 0;
}

int ingest_buffer(inv *v, const char *name, const char *data, size_t len, lz_err *e) {
    ingest g;
    ingest_init(&g, v, name, false, e);
    g.mem = data;
    int rc = feed(&g, (const unsigned char *)data, len);
    if (rc == 0) rc = finish(&g);
    ingest_done(&g);
    return rc;
}

static int ingest_file(inv *v, const char *path, bool in_walk, lz_err *e) {
    FILE *f = fopen(path, "rb");
    if (!f) return lz_errf(e, "%s: %s", path, strerror(errno));
    ingest g;
    ingest_init(&g, v, path, in_walk, e);
    unsigned char *buf = lz_malloc(1 << 16);
    int rc = 0;
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, 1 << 16, f)) > 0) rc = feed(&g, buf, n);
    if (rc == 0 && ferror(f)) rc = lz_errf(e, "%s: read error: %s", path, strerror(errno));
    if (rc == 0) rc = finish(&g);
    free(buf);
    fclose(f);
    ingest_done(&g);
    return rc;
}

static bool input_extension(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".jsonl") == 0);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ingest_dir(inv *v, const char *path, int level, lz_err *e) {
    if (level > 32) return lz_errf(e, "%s: directories nested too deep (symlink loop?)", path);
    DIR *d = opendir(path);
    if (!d) return lz_errf(e, "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') LZ_PUSH(names, n, cap, lz_strdup(de->d_name));
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names); /* same order on every machine */
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *child = lz_asprintf("%s/%s", path, names[i]);
        struct stat st;
        if (rc == 0 && stat(child, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = ingest_dir(v, child, level + 1, e);
            else if (S_ISREG(st.st_mode) && input_extension(names[i]))
                rc = ingest_file(v, child, true, e);
        }
        free(child);
        free(names[i]);
    }
    free(names);
    return rc;
}

int ingest_path(inv *v, const char *path, lz_err *e) {
    struct stat st;
    if (stat(path, &st) != 0) return lz_errf(e, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        size_t len = strlen(path);
        char *clean = lz_strdup(path);
        while (len > 1 && clean[len - 1] == '/') clean[--len] = '\0';
        int rc = ingest_dir(v, clean, 0, e);
        free(clean);
        return rc;
    }
    return ingest_file(v, path, false, e);
}
