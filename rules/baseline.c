/*
 * baseline.c - see baseline.h.
 *
 * The file is parsed with yajl's event API. A path string tracks where the
 * parser is (keys joined by '/', an array element as '*'); each finding
 * (JSON: findings[]) or result (SARIF: runs[].results[]) is built as a
 * small jv value, reduced to an entry, and its storage recycled, so memory
 * holds entries only. The few scalars that identify the document
 * (schemaVersion, tool.name, version, runs[].tool.driver.name) are picked up
 * by path on the way.
 */
#include "baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "../scanner/jv.h"

#define RECYCLE_EVERY 4096 /* records per scratch store */

typedef struct bentry {
    char *rule_id, *resource_id, *severity, *status, *title, *message;
    char fingerprint[65];
    char evidence[65]; /* digest; "" when the record carried no evidence */
    size_t order;      /* position in the file (index into baseline.v) */
} bentry;

struct baseline {
    char *name;
    const char *format;
    bool truncated;
    bentry *v;
    size_t n, cap;
};

/* ---- evidence digest ---- */

void baseline_evidence_digest(const evidence *ev, size_t n, char out[65]) {
    lz_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        const char *parts[3] = {ev[i].path ? ev[i].path : "", ev[i].actual ? ev[i].actual : "missing",
                                ev[i].expected ? ev[i].expected : ""};
        for (int k = 0; k < 3; k++) lz_buf_put(&b, parts[k], strlen(parts[k]) + 1); /* NUL-separated */
    }
    lz_sha256_hex(b.data ? b.data : "", b.len, out);
    lz_buf_free(&b);
}

/* ---- the parser ---- */

typedef struct frame {
    size_t len; /* path length when the container opened */
} frame;

typedef struct bparse {
    baseline *b;
    lz_err *e;
    bool failed;
    lz_buf path;
    frame *frames;
    size_t nframes, capframes;

    jv_store *store; /* scratch for the record being read */
    jv_builder *jb;
    size_t level;    /* open containers of the record; 0 = not in a record */
    bool sarif_rec;  /* the record is a SARIF result */
    size_t nrecords; /* records built in the current store */

    char *schema_version, *tool_name, *sarif_version, *other_driver;
    bool saw_runs;
} bparse;

static bool path_is(bparse *p, const char *want) {
    return p->path.len == strlen(want) && (!p->path.len || memcmp(p->path.data, want, p->path.len) == 0);
}

static void set_str(char **dst, const char *s, size_t n) {
    free(*dst);
    *dst = lz_strndup(s, n);
}

static char *jdup(const jv_store *s, jv_t obj, const char *key) {
    const char *v = jv_get_str(s, obj, key);
    return v ? lz_strdup(v) : NULL;
}

static void evidence_digest_jv(const jv_store *s, jv_t arr, char out[65]) {
    size_t n = jv_len(s, arr);
    evidence *ev = lz_calloc(n ? n : 1, sizeof *ev);
    for (size_t i = 0; i < n; i++) {
        jv_t x = jv_at(s, arr, i);
        /* Borrowed strings: the digest is computed before the store changes. */
        ev[i] = (evidence){(char *)jv_get_str(s, x, "path"), (char *)jv_get_str(s, x, "actual"),
                           (char *)jv_get_str(s, x, "expected")};
    }
    baseline_evidence_digest(ev, n, out);
    free(ev);
}

/* A SARIF result's status when its properties do not say. */
static const char *sarif_status(const jv_store *s, jv_t res) {
    if (jv_len(s, jv_get(s, res, "suppressions", 12))) return "exempt";
    const char *kind = jv_get_str(s, res, "kind");
    return kind && strcmp(kind, "fail") != 0 ? "unknown" : "fail";
}

static void from_sarif(const jv_store *s, jv_t res, bentry *x) {
    jv_t props = jv_get(s, res, "properties", 10);
    x->rule_id = jdup(s, res, "ruleId");
    x->severity = jdup(s, props, "severity");
    x->status = jdup(s, props, "status");
    if (!x->status) x->status = lz_strdup(sarif_status(s, res));
    x->title = jdup(s, props, "title");
    x->message = jdup(s, jv_get(s, res, "message", 7), "text");
    x->resource_id = jdup(s, props, "resourceId");
    if (!x->resource_id) {
        jv_t loc = jv_at(s, jv_get(s, res, "locations", 9), 0);
        x->resource_id = jdup(s, jv_at(s, jv_get(s, loc, "logicalLocations", 16), 0), "fullyQualifiedName");
    }
    const char *fp = jv_get_str(s, jv_get(s, res, "partialFingerprints", 19), "primaryLocationLineHash");
    if (fp && strlen(fp) == 64) memcpy(x->fingerprint, fp, 65);
    jv_t ev = jv_get(s, props, "evidence", 8);
    if (jv_kind(s, ev) == JV_ARRAY) evidence_digest_jv(s, ev, x->evidence);
}

static void from_json(const jv_store *s, jv_t f, bentry *x) {
    x->rule_id = jdup(s, f, "ruleId");
    x->resource_id = jdup(s, f, "resourceId");
    x->severity = jdup(s, f, "severity");
    x->status = jdup(s, f, "status");
    x->title = jdup(s, f, "title");
    x->message = jdup(s, f, "message");
    const char *fp = jv_get_str(s, f, "fingerprint");
    if (fp && strlen(fp) == 64) memcpy(x->fingerprint, fp, 65);
    jv_t ev = jv_get(s, f, "evidence", 8);
    if (jv_kind(s, ev) == JV_ARRAY) evidence_digest_jv(s, ev, x->evidence);
}

static void entry_free(bentry *x) {
    free(x->rule_id);
    free(x->resource_id);
    free(x->severity);
    free(x->status);
    free(x->title);
    free(x->message);
}

/* The fingerprint as lzscan computes it, for records that lack one. */
static void compute_fingerprint(bentry *x) {
    char *fp = lz_asprintf("%s|%s", x->rule_id, x->resource_id);
    lz_lower(fp + strlen(x->rule_id) + 1, strlen(x->resource_id));
    lz_sha256_hex(fp, strlen(fp), x->fingerprint);
    free(fp);
}

static void recycle(bparse *p) {
    jv_builder_free(p->jb);
    jv_store_free(p->store);
    p->store = jv_store_new();
    p->jb = jv_builder_new(p->store);
    p->nrecords = 0;
}

static int take_record(bparse *p, jv_t rec) {
    bentry x = {.order = p->b->n};
    if (p->sarif_rec)
        from_sarif(p->store, rec, &x);
    else
        from_json(p->store, rec, &x);
    if (!x.rule_id || !x.resource_id) {
        lz_errf(p->e, "%s: %s %zu has no %s", p->b->name, p->sarif_rec ? "result" : "finding", p->b->n + 1,
                x.rule_id ? (p->sarif_rec ? "resource id (properties.resourceId)" : "resourceId") : "ruleId");
        entry_free(&x);
        p->failed = true;
        return 0;
    }
    if (!x.fingerprint[0]) compute_fingerprint(&x);
    LZ_PUSH(p->b->v, p->b->n, p->b->cap, x);
    if (++p->nrecords >= RECYCLE_EVERY) recycle(p);
    return 1;
}

/* Scalars outside records that identify the document. */
static void note_scalar(bparse *p, const char *s, size_t n) {
    if (path_is(p, "/schemaVersion"))
        set_str(&p->schema_version, s, n);
    else if (path_is(p, "/tool/name"))
        set_str(&p->tool_name, s, n);
    else if (path_is(p, "/version"))
        set_str(&p->sarif_version, s, n);
    else if (path_is(p, "/runs/*/tool/driver/name") && !(n == 6 && memcmp(s, "lzscan", 6) == 0))
        set_str(&p->other_driver, s, n);
    else if (path_is(p, "/runs/*/invocations/*/toolExecutionNotifications/*/descriptor/id") && n == 24 &&
             memcmp(s, "lzscan/results-truncated", 24) == 0)
        p->b->truncated = true;
}

static int on_scalar(bparse *p, enum jv_kind k, const char *s, size_t n) {
    if (p->level) {
        jv_build_scalar(p->jb, k, s, n);
        return 1;
    }
    if (k == JV_STRING) note_scalar(p, s, n);
    return 1;
}

static int cb_null(void *ctx) {
    return on_scalar(ctx, JV_NULL, "", 0);
}
static int cb_bool(void *ctx, int v) {
    return on_scalar(ctx, v ? JV_TRUE : JV_FALSE, "", 0);
}
static int cb_number(void *ctx, const char *s, size_t n) {
    return on_scalar(ctx, JV_NUMBER, s, n);
}
static int cb_string(void *ctx, const unsigned char *s, size_t n) {
    return on_scalar(ctx, JV_STRING, (const char *)s, n);
}

static int open_container(bparse *p, bool array) {
    enum jv_kind k = array ? JV_ARRAY : JV_OBJECT;
    if (p->level) {
        p->level++;
        jv_build_begin(p->jb, k);
        return 1;
    }
    bool json_rec = path_is(p, "/findings/*"), sarif_rec = path_is(p, "/runs/*/results/*");
    if (!array && (json_rec || sarif_rec)) {
        p->level = 1;
        p->sarif_rec = sarif_rec;
        jv_build_begin(p->jb, k);
        return 1;
    }
    if (p->nframes == 0 && array) {
        lz_errf(p->e, "%s: not an lzscan JSON report or SARIF log (the top level is an array)", p->b->name);
        p->failed = true;
        return 0;
    }
    if (path_is(p, "/runs")) p->saw_runs = true;
    LZ_PUSH(p->frames, p->nframes, p->capframes, ((frame){p->path.len}));
    if (array) lz_buf_puts(&p->path, "/*");
    return 1;
}

static int cb_start_map(void *ctx) {
    return open_container(ctx, false);
}
static int cb_start_array(void *ctx) {
    return open_container(ctx, true);
}

static int cb_end(void *ctx) {
    bparse *p = ctx;
    if (p->level) {
        jv_t v = jv_build_end(p->jb);
        return --p->level ? 1 : take_record(p, v);
    }
    if (p->nframes) {
        p->path.len = p->frames[--p->nframes].len;
        if (p->path.data) p->path.data[p->path.len] = '\0';
    }
    return 1;
}

static int cb_key(void *ctx, const unsigned char *k, size_t n) {
    bparse *p = ctx;
    if (p->level) {
        jv_build_key(p->jb, (const char *)k, n);
        return 1;
    }
    p->path.len = p->nframes ? p->frames[p->nframes - 1].len : 0;
    lz_buf_putc(&p->path, '/');
    lz_buf_put(&p->path, k, n);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map, cb_key, cb_end, cb_start_array, cb_end,
};

/* Line and column of byte offset off in data, for parse errors. */
static void position(const char *data, size_t off, size_t *line, size_t *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)data[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static int parse_error(bparse *p, yajl_handle h, const char *data, size_t len) {
    if (p->failed) return -1;
    size_t off = yajl_get_bytes_consumed(h), line, col;
    if (off > len) off = len;
    position(data, off, &line, &col);
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)data, len);
    char *nl = strchr((char *)msg, '\n');
    if (nl) *nl = '\0';
    lz_errf(p->e, "%s:%zu:%zu: not valid JSON: %s", p->b->name, line, col, (const char *)msg);
    yajl_free_error(h, msg);
    return -1;
}

/* What the document turned out to be. */
static int identify(bparse *p) {
    baseline *b = p->b;
    if (p->saw_runs) {
        if (!p->sarif_version || strcmp(p->sarif_version, "2.1.0") != 0)
            return lz_errf(p->e, "%s: a SARIF log of version %s; lzscan reads SARIF 2.1.0", b->name,
                           p->sarif_version ? p->sarif_version : "(none)");
        if (p->other_driver)
            return lz_errf(p->e,
                           "%s: a SARIF log from %s, not from lzscan: a baseline must be lzscan's own output",
                           b->name, p->other_driver);
        b->format = "sarif";
        return 0;
    }
    if (!p->tool_name || strcmp(p->tool_name, "lzscan") != 0 || !p->schema_version)
        return lz_errf(p->e,
                       "%s: not an lzscan JSON report or SARIF log (a baseline is the output of an "
                       "earlier `lzscan scan --format json` or `--format sarif`)",
                       b->name);
    if (strncmp(p->schema_version, "1.", 2) != 0)
        return lz_errf(p->e, "%s: JSON report schemaVersion %s is not supported (1.x)", b->name,
                       p->schema_version);
    b->format = "json";
    return 0;
}

static void parse_free(bparse *p) {
    lz_buf_free(&p->path);
    free(p->frames);
    jv_builder_free(p->jb);
    jv_store_free(p->store);
    free(p->schema_version);
    free(p->tool_name);
    free(p->sarif_version);
    free(p->other_driver);
}

static int parse(bparse *p, const char *data, size_t len) {
    yajl_handle h = yajl_alloc(&callbacks, NULL, p);
    int rc = 0;
    if (yajl_parse(h, (const unsigned char *)data, len) != yajl_status_ok ||
        yajl_complete_parse(h) != yajl_status_ok)
        rc = parse_error(p, h, data, len);
    yajl_free(h);
    return rc < 0 ? -1 : identify(p);
}

int baseline_load_buffer(baseline **out, const char *name, const char *data, size_t len, lz_err *e) {
    *out = NULL;
    baseline *b = lz_calloc(1, sizeof *b);
    b->name = lz_strdup(name);
    bparse p = {.b = b, .e = e};
    p.store = jv_store_new();
    p.jb = jv_builder_new(p.store);
    int rc = parse(&p, data, len);
    parse_free(&p);
    if (rc < 0) {
        baseline_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

int baseline_load(baseline **out, const char *path, lz_err *e) {
    char *text;
    size_t len;
    *out = NULL;
    if (lz_read_file(path, &text, &len, e) < 0) return -1;
    int rc = baseline_load_buffer(out, path, text, len, e);
    free(text);
    return rc;
}

void baseline_free(baseline *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) entry_free(&b->v[i]);
    free(b->v);
    free(b->name);
    free(b);
}

size_t baseline_count(const baseline *b) {
    return b ? b->n : 0;
}
const char *baseline_format(const baseline *b) {
    return b ? b->format : NULL;
}
bool baseline_truncated(const baseline *b) {
    return b && b->truncated;
}

/* ---- comparing ---- */

/* The baseline is const while applied: which entries matched is kept here. */
typedef struct bmatch {
    const bentry **idx; /* entries sorted by fingerprint */
    bool *matched;      /* by entry order */
    size_t n;
} bmatch;

static int by_fingerprint(const void *a, const void *b) {
    const bentry *x = *(const bentry *const *)a, *y = *(const bentry *const *)b;
    int c = strcmp(x->fingerprint, y->fingerprint);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The first unmatched entry with fingerprint fp, or NULL. */
static const bentry *find(bmatch *m, const char *fp) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->idx[mid]->fingerprint, fp) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < m->n && strcmp(m->idx[lo]->fingerprint, fp) == 0; lo++)
        if (!m->matched[m->idx[lo]->order]) return m->idx[lo];
    return NULL;
}

static enum result_status status_parse(const char *s) {
    for (int i = 0; s && i < RS__COUNT; i++)
        if (strcmp(s, result_status_name((enum result_status)i)) == 0) return (enum result_status)i;
    return RS_UNKNOWN;
}

static void compare(finding *f, const bentry *x) {
    f->prior_status = status_parse(x->status);
    f->prior_severity = x->severity ? rule_severity_parse(x->severity) : SEV_NONE;
    bool same = f->prior_status == f->status && f->rule && f->prior_severity == f->rule->severity;
    if (same && x->evidence[0]) {
        char digest[65];
        baseline_evidence_digest(f->evidence, f->nevidence, digest);
        same = strcmp(digest, x->evidence) == 0;
    }
    f->baseline = same ? BS_UNCHANGED : BS_UPDATED;
}

/* Unmatched entries, in the baseline's own order (lzscan wrote it sorted). */
static void add_resolved(report *r, const baseline *b, const bool *matched) {
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) k += !matched[i];
    r->resolved = lz_calloc(k ? k : 1, sizeof *r->resolved);
    for (size_t i = 0; i < b->n; i++) {
        const bentry *x = &b->v[i];
        if (matched[i]) continue;
        report_prior *o = &r->resolved[r->nresolved++];
        *o = (report_prior){.rule_id = lz_strdup(x->rule_id),
                            .resource_id = lz_strdup(x->resource_id),
                            .severity = lz_strdup(x->severity),
                            .status = lz_strdup(x->status),
                            .title = lz_strdup(x->title),
                            .message = lz_strdup(x->message)};
        memcpy(o->fingerprint, x->fingerprint, 65);
    }
}

void baseline_apply(const baseline *b, report *r) {
    if (!b) return;
    free(r->baseline_path);
    free(r->baseline_format);
    r->baseline_path = lz_strdup(b->name);
    r->baseline_format = lz_strdup(b->format);
    bmatch m = {lz_malloc((b->n ? b->n : 1) * sizeof *m.idx), lz_calloc(b->n ? b->n : 1, sizeof(bool)), b->n};
    for (size_t i = 0; i < b->n; i++) m.idx[i] = &b->v[i];
    qsort(m.idx, b->n, sizeof *m.idx, by_fingerprint);
    for (size_t i = 0; i < r->nfindings; i++) {
        finding *f = &r->findings[i];
        const bentry *x = find(&m, f->fingerprint);
        if (x) {
            m.matched[x->order] = true;
            compare(f, x);
        } else {
            f->baseline = BS_NEW;
        }
    }
    add_resolved(r, b, m.matched);
    free(m.idx);
    free(m.matched);
}
