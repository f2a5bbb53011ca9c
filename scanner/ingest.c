/*
 * ingest.c - see ingest.h.
 *
 * Two halves that talk through tokens, so that they can run on two threads:
 * on a large tenant, yajl's tokenizing is a tenth of the scan.
 *
 *   the parser   walks the inputs (directories in sorted order, files) and
 *                runs yajl over each file, turning its events into tokens:
 *                a value, a key, an open or a close, each with the offset
 *                just after it; plus a token when a file begins, when it
 *                ends, and for an error that stops the walk;
 *   the builder  consumes the tokens in order and does everything else:
 *                it builds values and hands objects to the inventory.
 *
 * For files, the parser runs on its own thread and the tokens cross over
 * in chunks of a bounded queue; for a buffer in memory (and whenever a
 * thread cannot be started), the parser hands each token straight to the
 * builder. Either way the builder sees the same tokens in the same order,
 * so the inventory and every message are the same. Nothing but the builder
 * touches the inventory, and the builder runs on the caller's thread.
 *
 * The builder: yajl gives a SAX-style stream; a small state machine routes
 * it. Elements of a top-level array, or of the `data`/`value` array of a
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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_parse.h>

/* ---- tokens ---- */

enum tok_kind {
    T_NULL,
    T_FALSE,
    T_TRUE,
    T_NUMBER,
    T_STRING,
    T_KEY,
    T_MAP,    /* an object opens */
    T_ARRAY,  /* an array opens */
    T_END,    /* the innermost open container closes */
    T_FILE,   /* a file begins; text is its path, NUL-terminated */
    T_DONE,   /* the file ended; off is its size */
    T_SYNTAX, /* malformed JSON at off; text is yajl's message; the walk stops */
    T_ERROR,  /* text is the whole message (an unreadable file or directory); the walk stops */
};

/*
 * Recurring texts. Keys, and the values that repeat (locations, states,
 * subscription ids), are most of a tenant's tokens. The threaded parser
 * keeps the last DICT_SLOTS of them in a dictionary of its own and sends a
 * text once with the slot it takes (DICT_DEF), then only the slot
 * (DICT_REF): the builder keeps each slot's atom, so a recurring text
 * costs it neither a hash nor a comparison. A value enters the dictionary
 * the second time the parser meets it (keys at once), so unique ids and
 * GUIDs never displace anything.
 */
enum { DICT_SLOTS = 4096, DICT_TEXT = 48, SEEN_SLOTS = 8192 };
enum dict_use { DICT_NONE, DICT_DEF, DICT_REF };

typedef struct tok {
    enum tok_kind kind;
    uint8_t dict;  /* enum dict_use, for T_NUMBER, T_STRING, T_KEY */
    uint32_t slot; /* the dictionary slot, with DICT_DEF and DICT_REF */
    bool flag;     /* T_FILE: met while walking a directory; T_DONE: the text ended outside any value */
    size_t off;    /* absolute offset just after the token in its file */
    const char
        *text; /* of a number, string, key, path or message (none with DICT_REF); valid during the call */
    size_t len;
} tok;

/* Where the parser sends tokens. put returns false when the builder has
 * failed: the parser then stops. A sink that crosses threads has a
 * dictionary (see tok); one that consumes at once has no use for it. */
typedef struct dict dict;
typedef struct sink sink;
struct sink {
    bool (*put)(sink *k, const tok *t);
    dict *dict;
};

/* ---- the builder ---- */

typedef struct pos {
    size_t off; /* absolute byte offset scanned so far */
    size_t line, col;
} pos;

typedef struct ingest {
    inv *v;
    jv_store *s;
    const char *name; /* the file being read (the inventory's copy of its path) */
    uint16_t source;
    bool in_walk; /* reading a directory: skip documents that are not inputs */
    lz_err *e;
    bool failed;
    const char *mem; /* the whole text for ingest_buffer; NULL when reading a file */
    size_t at;       /* offset just after the token being consumed */

    jv_builder *top, *elem;
    size_t depth;        /* open containers in the JSON text */
    size_t stream_depth; /* depth at which elements are streamed; 0 = not streaming */
    bool key_streams;    /* the last depth-1 key was data/value */
    bool top_is_object;
    bool any_value; /* the text held at least one JSON value */
    bool was_wrapper;
    size_t rows;     /* elements streamed out of the current top-level value */
    size_t elem_off; /* where the element being built starts */
    jv_atom *slots;  /* the atom of each dictionary slot's text (see tok) */
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
    return g->at;
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
    return 0; /* stops the parse */
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

#define NO_TEXT_ATOM ((jv_atom)-1)

static jv_t build_scalar(jv_builder *b, enum jv_kind k, const char *t, size_t n, jv_atom a) {
    return a == NO_TEXT_ATOM ? jv_build_scalar(b, k, t, n) : jv_build_scalar_atom(b, k, a);
}

/* A scalar: its text, or with a != NO_TEXT_ATOM its atom (the text interned). */
static int on_scalar(ingest *g, enum jv_kind k, const char *t, size_t n, jv_atom a) {
    g->any_value = true;
    if (g->depth == 0) return fail(g, "expected a JSON object or array at the top level%s", NULL);
    if (n > INGEST_MAX_STRING) return fail(g, "string longer than the %s limit", "16 MiB");
    if (in_element(g)) {
        mark_element_start(g, 1);
        jv_t v = build_scalar(g->elem, k, t, n, a);
        return v == JV_MISSING ? 1 : emit_element(g, v);
    }
    if (g->depth == 1) g->key_streams = false;
    build_scalar(g->top, k, t, n, a);
    return 1;
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

static int close_container(ingest *g) {
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

static int map_key(ingest *g, const char *k, size_t n, jv_atom a) {
    jv_builder *b = in_element(g) ? g->elem : g->top;
    if (a == NO_TEXT_ATOM)
        jv_build_key(b, k, n);
    else
        jv_build_key_atom(b, a);
    if (!in_element(g) && g->depth == 1) {
        k = jv_atom_str(g->s, a == NO_TEXT_ATOM ? jv_intern(g->s, k, n) : a, &n);
        g->key_streams = lz_strcaseeq(k, n, "data", 4) || lz_strcaseeq(k, n, "value", 5);
    }
    return 1;
}

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
    jv_t proj = jv_get(s, m, "projection", 10);
    if (jv_kind(s, jv_get(s, proj, "used", 4)) == JV_TRUE) {
        const char *pack = jv_get_str(s, proj, "rulePack");
        inv_note_projection(g->v, g->name, pack ? pack : "");
    }
    /* An incomplete snapshot names what it lacks in its gaps; one that does
     * not (written by hand, or by another tool) lacks anything we know of. */
    jv_t complete = jv_get(s, m, "complete", 8);
    if (complete != JV_MISSING && jv_kind(s, complete) != JV_TRUE && jv_len(s, gaps) == 0)
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

/* ---- consuming tokens ---- */

static void builder_init(ingest *g, inv *v, lz_err *e) {
    memset(g, 0, sizeof *g);
    g->v = v;
    g->s = inv_store(v);
    g->e = e;
    g->top = jv_builder_new(g->s);
    g->elem = jv_builder_new(g->s);
    g->slots = lz_calloc(DICT_SLOTS, sizeof *g->slots);
}

static void builder_done(ingest *g) {
    jv_builder_free(g->top);
    jv_builder_free(g->elem);
    free(g->slots);
}

/* A file begins: the per-file state starts again (the builders are empty:
 * the previous file ended outside any value, or the walk stopped). */
static void begin_file(ingest *g, const char *path, bool in_walk) {
    g->source = inv_add_source(g->v, path);
    g->name = inv_source_name(g->v, g->source);
    g->in_walk = in_walk;
    g->failed = false;
    g->depth = g->stream_depth = g->rows = g->elem_off = 0;
    g->key_streams = g->top_is_object = g->any_value = g->was_wrapper = false;
}

/* An empty export (e.g. no role assignments) holds no objects: that is a
 * note, not an error. A text that stops inside a value is truncated. */
static int end_file(ingest *g, const tok *t) {
    if (!g->any_value) {
        inv_add_note(g->v, "%s holds no JSON value", g->name);
        return 0;
    }
    if (t->flag) return 0;
    pos p = position_at(g, t->off);
    return lz_errf(g->e, "%s:%zu:%zu: malformed JSON: the text ends inside a value (truncated file?)",
                   g->name, p.line, p.col);
}

/* The atom of a text sent through the dictionary, else NO_TEXT_ATOM. */
static jv_atom text_atom(ingest *g, const tok *t) {
    if (t->dict == DICT_REF) return g->slots[t->slot];
    if (t->dict != DICT_DEF) return NO_TEXT_ATOM;
    jv_atom a = g->slots[t->slot] = jv_intern(g->s, t->text, t->len);
    /* A key's folded form is what jv_get looks for: kept at hand when the
     * key takes its slot (jv_build_key does it for keys sent as text). */
    if (t->kind == T_KEY) jv_remember_fold(g->s, a);
    return a;
}

/* The JSON events, routed as yajl's callbacks once were: 1 to go on, 0 after
 * a failure (g->e says what). */
static int route(ingest *g, const tok *t) {
    switch (t->kind) {
    case T_NULL:
        return on_scalar(g, JV_NULL, "", 0, NO_TEXT_ATOM);
    case T_FALSE:
        return on_scalar(g, JV_FALSE, "", 0, NO_TEXT_ATOM);
    case T_TRUE:
        return on_scalar(g, JV_TRUE, "", 0, NO_TEXT_ATOM);
    case T_NUMBER:
        return on_scalar(g, JV_NUMBER, t->text, t->len, text_atom(g, t));
    case T_STRING:
        return on_scalar(g, JV_STRING, t->text, t->len, text_atom(g, t));
    case T_KEY:
        return map_key(g, t->text, t->len, text_atom(g, t));
    case T_MAP:
        return open_container(g, JV_OBJECT);
    case T_ARRAY:
        return open_container(g, JV_ARRAY);
    default:
        return close_container(g);
    }
}

/* Consumes one token: 0, or -1 with g->e filled (the walk then stops). */
static int consume(ingest *g, const tok *t) {
    g->at = t->off;
    switch (t->kind) {
    case T_FILE:
        begin_file(g, t->text, t->flag);
        return 0;
    case T_DONE:
        return end_file(g, t);
    case T_SYNTAX: {
        pos p = position_at(g, t->off);
        return lz_errf(g->e, "%s:%zu:%zu: malformed JSON: %.*s", g->name, p.line, p.col, (int)t->len,
                       t->text);
    }
    case T_ERROR:
        return lz_errf(g->e, "%.*s", (int)t->len, t->text);
    default:
        return route(g, t) ? 0 : -1;
    }
}

/* The builder as a sink: the parser's tokens consumed as they come. */
typedef struct direct {
    sink base;
    ingest *g;
    int rc;
} direct;

static bool direct_put(sink *k, const tok *t) {
    direct *d = (direct *)k;
    if (d->rc == 0) d->rc = consume(d->g, t);
    return d->rc == 0;
}

/* ---- the parser ---- */

/* The parser's side of the dictionary (see tok). seen[] holds the hashes
 * of values met once, without their texts: a false match only costs a
 * slot. */
struct dict {
    uint32_t hash[DICT_SLOTS];
    uint8_t len[DICT_SLOTS]; /* 0: empty */
    char text[DICT_SLOTS][DICT_TEXT];
    uint32_t seen[SEEN_SLOTS];
};

static uint32_t text_hash(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h ^ h >> 32);
}

/* Fills t->dict and t->slot for a key or value text. */
static void look_up(dict *d, tok *t) {
    if (!t->len || t->len > DICT_TEXT) return;
    uint32_t h = text_hash(t->text, t->len);
    size_t i = h & (DICT_SLOTS - 1);
    t->slot = (uint32_t)i;
    if (d->len[i] == t->len && d->hash[i] == h && memcmp(d->text[i], t->text, t->len) == 0) {
        t->dict = DICT_REF;
        return;
    }
    uint32_t *seen = &d->seen[h & (SEEN_SLOTS - 1)];
    if (t->kind != T_KEY && *seen != h) {
        *seen = h; /* met once: it goes as text */
        return;
    }
    d->hash[i] = h;
    d->len[i] = (uint8_t)t->len;
    memcpy(d->text[i], t->text, t->len);
    t->dict = DICT_DEF;
}

typedef struct parser {
    sink *out;
    dict *dict; /* NULL: every text goes as text */
    yajl_handle h;
    size_t chunk_off; /* absolute offset of the chunk being parsed */
    bool stopped;     /* the sink said stop */
} parser;

static bool send(sink *k, enum tok_kind kind, bool flag, size_t off, const char *text, size_t len) {
    tok t = {.kind = kind, .flag = flag, .off = off, .text = text, .len = len};
    return k->put(k, &t);
}

static int event(parser *p, enum tok_kind kind, const char *text, size_t len) {
    tok t = {.kind = kind, .off = p->chunk_off + yajl_get_bytes_consumed(p->h), .text = text, .len = len};
    if ((kind == T_KEY || kind == T_STRING || kind == T_NUMBER) && p->dict) look_up(p->dict, &t);
    if (p->out->put(p->out, &t)) return 1;
    p->stopped = true;
    return 0; /* cancels the parse */
}

static int ev_null(void *ctx) {
    return event(ctx, T_NULL, NULL, 0);
}
static int ev_bool(void *ctx, int b) {
    return event(ctx, b ? T_TRUE : T_FALSE, NULL, 0);
}
static int ev_number(void *ctx, const char *s, size_t n) {
    return event(ctx, T_NUMBER, s, n);
}
static int ev_string(void *ctx, const unsigned char *s, size_t n) {
    return event(ctx, T_STRING, (const char *)s, n);
}
static int ev_start_map(void *ctx) {
    return event(ctx, T_MAP, NULL, 0);
}
static int ev_map_key(void *ctx, const unsigned char *k, size_t n) {
    return event(ctx, T_KEY, (const char *)k, n);
}
static int ev_end(void *ctx) {
    return event(ctx, T_END, NULL, 0);
}
static int ev_start_array(void *ctx) {
    return event(ctx, T_ARRAY, NULL, 0);
}

static const yajl_callbacks callbacks = {
    ev_null,      ev_bool,    NULL,   NULL,           ev_number, ev_string,
    ev_start_map, ev_map_key, ev_end, ev_start_array, ev_end,
};

static void parser_init(parser *p, sink *out) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->dict = out->dict;
    p->h = yajl_alloc(&callbacks, NULL, p);
    yajl_config(p->h, yajl_allow_multiple_values, 1); /* NDJSON and concatenated JSON */
    /* Strings are not rejected for invalid UTF-8: hostile data must not stop
     * an audit. Every renderer repairs or escapes it on output. */
    yajl_config(p->h, yajl_dont_validate_strings, 1);
}

/* Parses the next chunk of a file; false when the walk must stop. */
static bool parse_chunk(parser *p, const unsigned char *buf, size_t len, size_t *total) {
    p->chunk_off = *total;
    if (yajl_parse(p->h, buf, len) == yajl_status_ok) {
        *total += len;
        return true;
    }
    if (p->stopped) return false; /* the builder failed and said why */
    size_t off = p->chunk_off + yajl_get_bytes_consumed(p->h);
    unsigned char *msg = yajl_get_error(p->h, 0, buf, len);
    /* yajl's messages end with a newline and say "lexical error: ..." */
    size_t n = strlen((const char *)msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) n--;
    send(p->out, T_SYNTAX, false, off, (const char *)msg, n);
    yajl_free_error(p->h, msg);
    return false;
}

/* The end of a file: yajl may still emit a value (a number at the very end). */
static bool parse_end(parser *p, size_t total) {
    p->chunk_off = total;
    bool complete = yajl_complete_parse(p->h) == yajl_status_ok;
    if (p->stopped) return false;
    return send(p->out, T_DONE, complete, total, NULL, 0);
}

static bool send_error(sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool send_error(sink *k, const char *fmt, ...) {
    lz_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    send(k, T_ERROR, false, 0, lz_buf_cstr(&b), b.len);
    lz_buf_free(&b);
    return false;
}

/* One document in memory. */
static bool parse_buffer(sink *k, const char *name, const char *data, size_t len) {
    if (!send(k, T_FILE, false, 0, name, strlen(name))) return false;
    parser p;
    parser_init(&p, k);
    size_t total = 0;
    bool ok = parse_chunk(&p, (const unsigned char *)data, len, &total) && parse_end(&p, total);
    yajl_free(p.h);
    return ok;
}

static bool parse_file(sink *k, const char *path, bool in_walk) {
    FILE *f = fopen(path, "rb");
    if (!f) return send_error(k, "%s: %s", path, strerror(errno));
    bool ok = send(k, T_FILE, in_walk, 0, path, strlen(path));
    parser p;
    parser_init(&p, k);
    unsigned char *buf = lz_malloc(1 << 16);
    size_t n, total = 0;
    while (ok && (n = fread(buf, 1, 1 << 16, f)) > 0) ok = parse_chunk(&p, buf, n, &total);
    if (ok && ferror(f)) ok = send_error(k, "%s: read error: %s", path, strerror(errno));
    if (ok) ok = parse_end(&p, total);
    free(buf);
    fclose(f);
    yajl_free(p.h);
    return ok;
}

static bool input_extension(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".ndjson") == 0 || strcmp(dot, ".jsonl") == 0);
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool parse_dir(sink *k, const char *path, int level) {
    if (level > 32) return send_error(k, "%s: directories nested too deep (symlink loop?)", path);
    DIR *d = opendir(path);
    if (!d) return send_error(k, "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') LZ_PUSH(names, n, cap, lz_strdup(de->d_name));
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names); /* same order on every machine */
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char *child = lz_asprintf("%s/%s", path, names[i]);
        struct stat st;
        if (ok && stat(child, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                ok = parse_dir(k, child, level + 1);
            else if (S_ISREG(st.st_mode) && input_extension(names[i]))
                ok = parse_file(k, child, true);
        }
        free(child);
        free(names[i]);
    }
    free(names);
    return ok;
}

/* A file, or a directory (without trailing slashes). */
static void parse_input(sink *k, const char *path, bool is_dir) {
    if (is_dir)
        parse_dir(k, path, 0);
    else
        parse_file(k, path, false);
}

/* ---- the parser on its own thread ----
 * Tokens are copied into chunks, a record header and the text (with a NUL)
 * padded to 8 bytes each. The parser fills one chunk at a time and queues it; the
 * builder takes queued chunks in order and hands them back to be refilled.
 * At most QUEUE_CHUNKS chunks are in flight, so memory stays bounded
 * whatever the size of the input. */

enum { CHUNK_SIZE = 1 << 20, QUEUE_CHUNKS = 8 };

typedef struct record {
    uint8_t kind, dict, flag;
    uint32_t slot;
    uint64_t off, len;
} record;

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(8) unsigned char data[];
} chunk;

typedef struct queue {
    sink base;
    const char *path; /* what the parser walks */
    bool is_dir;
    pthread_mutex_t mu;
    pthread_cond_t ready, room;
    chunk *head, *tail; /* queued, oldest first */
    size_t queued;      /* chunks queued or being consumed */
    chunk *spare;       /* empty chunks to refill */
    chunk *filling;     /* the parser's */
    bool done;          /* the parser has queued its last chunk */
    atomic_bool stop;   /* the builder failed */
} queue;

static size_t padded(size_t n) {
    return (n + 7) & ~(size_t)7;
}

/* Queues the parser's chunk (the builder may be waiting for it). */
static void publish(queue *q) {
    chunk *c = q->filling;
    q->filling = NULL;
    if (!c) return;
    pthread_mutex_lock(&q->mu);
    c->next = NULL;
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
    pthread_cond_signal(&q->ready);
    pthread_mutex_unlock(&q->mu);
}

/* An empty chunk with room for need bytes, once fewer than QUEUE_CHUNKS are
 * in flight; NULL if the builder has failed meanwhile. */
static chunk *take_empty(queue *q, size_t need) {
    pthread_mutex_lock(&q->mu);
    while (q->queued >= QUEUE_CHUNKS && !atomic_load(&q->stop)) pthread_cond_wait(&q->room, &q->mu);
    bool go = !atomic_load(&q->stop);
    chunk *c = NULL;
    if (go) {
        q->queued++;
        if (q->spare && q->spare->cap >= need) {
            c = q->spare;
            q->spare = c->next;
        }
    }
    pthread_mutex_unlock(&q->mu);
    if (go && !c) {
        size_t cap = need > CHUNK_SIZE ? need : CHUNK_SIZE; /* a long string gets a chunk of its own */
        c = lz_malloc(sizeof *c + cap);
        c->cap = cap;
    }
    if (c) c->used = 0;
    return c;
}

static bool queue_put(sink *k, const tok *t) {
    queue *q = (queue *)k;
    if (atomic_load_explicit(&q->stop, memory_order_relaxed)) return false;
    size_t len = t->dict == DICT_REF ? 0 : t->len; /* the builder has the text */
    size_t need = sizeof(record) + padded(len + 1);
    if (!q->filling || q->filling->cap - q->filling->used < need) {
        publish(q);
        if (!(q->filling = take_empty(q, need))) return false;
    }
    chunk *c = q->filling;
    record r = {(uint8_t)t->kind, t->dict, t->flag, t->slot, t->off, t->len};
    memcpy(c->data + c->used, &r, sizeof r);
    if (len) memcpy(c->data + c->used + sizeof r, t->text, len);
    c->data[c->used + sizeof r + len] = '\0'; /* T_FILE's path is used as a C string */
    c->used += need;
    return true;
}

static void *parser_main(void *arg) {
    queue *q = arg;
    parse_input(&q->base, q->path, q->is_dir);
    publish(q);
    pthread_mutex_lock(&q->mu);
    q->done = true;
    pthread_cond_signal(&q->ready);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* The next queued chunk, or NULL once the parser is done and all are taken. */
static chunk *take_full(queue *q) {
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->done) pthread_cond_wait(&q->ready, &q->mu);
    chunk *c = q->head;
    if (c) {
        q->head = c->next;
        if (!q->head) q->tail = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    return c;
}

static void give_back(queue *q, chunk *c) {
    pthread_mutex_lock(&q->mu);
    c->next = q->spare;
    q->spare = c;
    q->queued--;
    pthread_cond_signal(&q->room);
    pthread_mutex_unlock(&q->mu);
}

/* Consumes one chunk's tokens; -1 at the first failure. */
static int consume_chunk(ingest *g, const chunk *c) {
    for (size_t at = 0; at < c->used;) {
        record r;
        memcpy(&r, c->data + at, sizeof r);
        tok t = {.kind = (enum tok_kind)r.kind,
                 .dict = r.dict,
                 .slot = r.slot,
                 .flag = r.flag != 0,
                 .off = (size_t)r.off,
                 .text = (const char *)c->data + at + sizeof r,
                 .len = (size_t)r.len};
        if (consume(g, &t) < 0) return -1;
        at += sizeof r + padded((r.dict == DICT_REF ? 0 : t.len) + 1);
    }
    return 0;
}

/* The builder's side: consumes until the parser is done. After a failure it
 * tells the parser to stop and drains the queue, so that the parser, which
 * may be waiting for room, can finish. */
static int consume_queue(ingest *g, queue *q) {
    int rc = 0;
    chunk *c;
    while ((c = take_full(q))) {
        if (rc == 0 && consume_chunk(g, c) < 0) {
            rc = -1;
            pthread_mutex_lock(&q->mu);
            atomic_store(&q->stop, true);
            pthread_cond_signal(&q->room);
            pthread_mutex_unlock(&q->mu);
        }
        give_back(q, c);
    }
    return rc;
}

static void free_chunks(chunk *c) {
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
}

/* Runs the parser on a thread; false if none could be started. */
static bool ingest_threaded(ingest *g, const char *path, bool is_dir, int *rc) {
    queue q = {.base = {queue_put, lz_malloc(sizeof(dict))}, .path = path, .is_dir = is_dir};
    memset(q.base.dict->len, 0, sizeof q.base.dict->len);
    memset(q.base.dict->seen, 0, sizeof q.base.dict->seen);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.ready, NULL);
    pthread_cond_init(&q.room, NULL);
    atomic_init(&q.stop, false);
    pthread_t thread;
    bool started = pthread_create(&thread, NULL, parser_main, &q) == 0;
    if (started) {
        *rc = consume_queue(g, &q);
        pthread_join(thread, NULL);
    }
    free_chunks(q.spare);
    free_chunks(q.head);
    free(q.filling);
    free(q.base.dict);
    pthread_cond_destroy(&q.room);
    pthread_cond_destroy(&q.ready);
    pthread_mutex_destroy(&q.mu);
    return started;
}

/* ---- entry points ---- */

int ingest_buffer(inv *v, const char *name, const char *data, size_t len, lz_err *e) {
    ingest g;
    builder_init(&g, v, e);
    g.mem = data;
    direct d = {{direct_put, NULL}, &g, 0};
    parse_buffer(&d.base, name, data, len);
    builder_done(&g);
    return d.rc;
}

int ingest_path(inv *v, const char *path, lz_err *e) {
    struct stat st;
    if (stat(path, &st) != 0) return lz_errf(e, "%s: %s", path, strerror(errno));
    bool is_dir = S_ISDIR(st.st_mode);
    char *clean = lz_strdup(path);
    size_t len = strlen(clean);
    while (is_dir && len > 1 && clean[len - 1] == '/') clean[--len] = '\0';
    ingest g;
    builder_init(&g, v, e);
    int rc = 0;
    if (!ingest_threaded(&g, clean, is_dir, &rc)) {
        direct d = {{direct_put, NULL}, &g, 0};
        parse_input(&d.base, clean, is_dir);
        rc = d.rc;
    }
    builder_done(&g);
    free(clean);
    return rc;
}
