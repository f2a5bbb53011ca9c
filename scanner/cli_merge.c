/*
 * cli_merge.c - `lzscan merge --out FILE PART...`: joins the parts of a
 * tenant that separate CI jobs or machines produced into one result. The
 * kind of every part is read from its content (output/lzdoc.h) and all
 * must be of one kind; the result is of that kind:
 *
 *   snapshots     (`lzscan collect`, one management group or batch of
 *                 subscriptions each) into one snapshot, so that `lzscan
 *                 scan --input FILE` gives the report a single collection
 *                 of the whole scope would: below
 *   JSON reports  (`lzscan scan --shard K/N` over one snapshot, or scans of
 *                 disjoint scopes) into one report: output/report_merge.h
 *   SARIF logs    the same for SARIF, runs joined per category:
 *                 output/sarif_merge.h
 *
 * Snapshots:
 * The merged manifest: scope arrays united, collected child lists united,
 * gaps united, request and retry counts summed, complete only if every part
 * was, collectedAt the earliest and finishedAt the latest. Objects are
 * deduplicated by lower-cased id (shards overlap on management groups and on
 * the objects `ref:` rounds pulled in from elsewhere), first one kept.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "../common/atomic.h"
#include "../output/jsonw.h"
#include "../output/lzdoc.h"
#include "../output/report_merge.h"
#include "../output/sarif_merge.h"
#include "cli.h"
#include "live/snapshot.h"

static const char merge_usage[] =
    "usage: lzscan merge --out FILE PART...\n"
    "\n"
    "Joins the parts of a tenant that separate CI jobs or machines produced. The\n"
    "parts are all of one kind, read from their content, and so is the result:\n"
    "\n"
    "  snapshots (`lzscan collect --out`, one per management group or batch of\n"
    "    subscriptions): scopes, child lists and coverage gaps united, request\n"
    "    counts summed, objects deduplicated by id. `lzscan scan --input FILE`\n"
    "    then reports what a single collection of the whole scope would.\n"
    "  JSON reports or SARIF logs of `lzscan scan --shard K/N` (K = 1..N over one\n"
    "    snapshot): the report or log the single scan writes. Reports or logs of\n"
    "    scans of disjoint scopes (one per subscription) can be joined too, but\n"
    "    each part inferred its own topology (merge snapshots to avoid that).\n"
    "    SARIF runs are joined per category; different categories stay runs.\n"
    "\n"
    "options:\n"
    "  -o, --out FILE      the result, written atomically (may be an input; `-` is\n"
    "                      stdout for reports and SARIF logs)\n"
    "      --allow-missing join the shards given even if some of 1..N are missing:\n"
    "                      coverage is then incomplete, with a gap naming them\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 2 usage error, an unreadable or malformed part, parts of\n"
    "different kinds, packs, versions or shard sets, or a write error (nothing is\n"
    "written). Otherwise snapshots exit 0 (gaps go into the merged manifest,\n"
    "where `lzscan scan` reports them), and reports and SARIF logs exit as the\n"
    "single scan would have: 0, 1 for gating findings, 3 for coverage gaps or\n"
    "missing shards.\n";

/* A set of strings: appended freely, sorted and deduplicated when written. */
typedef struct strset {
    char **v;
    size_t n, cap;
} strset;

static void set_add(strset *s, const char *str) {
    LZ_PUSH(s->v, s->n, s->cap, lz_strdup(str));
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_sort(strset *s) {
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k && strcmp(s->v[k - 1], s->v[i]) == 0)
            free(s->v[i]);
        else
            s->v[k++] = s->v[i];
    }
    s->n = k;
}

static int set_has(const strset *s, const char *str) { /* s sorted */
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void set_free(strset *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

/* A named counter summed across the parts (requests.total, .arm, ...). */
typedef struct counter {
    char *key;
    double sum;
} counter;

typedef struct scope_key { /* scope.<key>: an array united, or a string kept if all agree */
    char *key;
    strset values;
    char *str;
    int is_str, mixed;
} scope_key;

typedef struct merged {
    strset collected, unavailable, gaps; /* gaps: each one's compact JSON */
    counter *req, *tot;                  /* requests.*, and top-level counts */
    size_t nreq, capreq, ntot, captot;
    scope_key *scope;
    size_t nscope, capscope;
    char *collected_at, *finished_at;
    lz_buf parts;          /* mergedFrom entries */
    lz_buf extra;          /* endpoints and apiVersions of the first part */
    lz_buf projection;     /* the first projected part's "projection" member */
    char *projection_pack; /* the rule pack that projection was made for */
    int complete, nparts;
} merged;

static void count_add(counter **arr, size_t *n, size_t *cap, const char *key, double v) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i].key, key) == 0) {
            (*arr)[i].sum += v;
            return;
        }
    LZ_PUSH(*arr, *n, *cap, ((counter){lz_strdup(key), v}));
}

/* Writes a yajl value as JSON (the parts of the manifest copied as they are). */
static void put_value(lz_buf *b, yajl_val v) {
    if (YAJL_IS_STRING(v)) {
        jsonw_escape(b, v->u.string, strlen(v->u.string));
    } else if (YAJL_IS_NUMBER(v)) {
        lz_buf_puts(b, v->u.number.r);
    } else if (YAJL_IS_OBJECT(v)) {
        lz_buf_putc(b, '{');
        for (size_t i = 0; i < v->u.object.len; i++) {
            if (i) lz_buf_putc(b, ',');
            jsonw_escape(b, v->u.object.keys[i], strlen(v->u.object.keys[i]));
            lz_buf_putc(b, ':');
            put_value(b, v->u.object.values[i]);
        }
        lz_buf_putc(b, '}');
    } else if (YAJL_IS_ARRAY(v)) {
        lz_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i) lz_buf_putc(b, ',');
            put_value(b, v->u.array.values[i]);
        }
        lz_buf_putc(b, ']');
    } else {
        lz_buf_puts(b, YAJL_IS_TRUE(v) ? "true" : YAJL_IS_FALSE(v) ? "false" : "null");
    }
}

static yajl_val member(yajl_val obj, const char *key) {
    const char *path[] = {key, NULL};
    return obj ? yajl_tree_get(obj, path, yajl_t_any) : NULL;
}

static void add_strings(strset *s, yajl_val arr) {
    if (!YAJL_IS_ARRAY(arr)) return;
    for (size_t i = 0; i < arr->u.array.len; i++)
        if (YAJL_IS_STRING(arr->u.array.values[i])) set_add(s, arr->u.array.values[i]->u.string);
}

static scope_key *scope_slot(merged *m, const char *key) {
    for (size_t i = 0; i < m->nscope; i++)
        if (strcmp(m->scope[i].key, key) == 0) return &m->scope[i];
    LZ_PUSH(m->scope, m->nscope, m->capscope, ((scope_key){.key = lz_strdup(key)}));
    return &m->scope[m->nscope - 1];
}

/* Snapshots of different tenants are not one landing zone: refuse them. */
static int merge_scope(merged *m, yajl_val scope, const char *file, lz_err *e) {
    if (!YAJL_IS_OBJECT(scope)) return 0;
    for (size_t i = 0; i < scope->u.object.len; i++) {
        const char *key = scope->u.object.keys[i];
        yajl_val v = scope->u.object.values[i];
        scope_key *k = scope_slot(m, key);
        if (YAJL_IS_ARRAY(v)) {
            add_strings(&k->values, v);
        } else if (YAJL_IS_STRING(v)) {
            k->is_str = 1;
            if (!k->str) {
                k->str = lz_strdup(v->u.string);
            } else if (strcmp(k->str, v->u.string) != 0) {
                if (strcmp(key, "tenant") == 0)
                    return lz_errf(e, "%s: tenant %s differs from the other snapshots' (%s)", file,
                                   v->u.string, k->str);
                k->mixed = 1;
            }
        }
    }
    return 0;
}

static void merge_gaps(merged *m, yajl_val gaps) {
    if (!YAJL_IS_ARRAY(gaps)) return;
    for (size_t i = 0; i < gaps->u.array.len; i++) {
        lz_buf b = {0};
        put_value(&b, gaps->u.array.values[i]);
        set_add(&m->gaps, lz_buf_cstr(&b));
        lz_buf_free(&b);
    }
}

static void keep_time(char **slot, yajl_val v, int want_later) {
    if (!YAJL_IS_STRING(v)) return;
    /* RFC 3339 UTC timestamps of one format order as strings */
    int c = *slot ? strcmp(v->u.string, *slot) : 0;
    if (!*slot || (want_later ? c > 0 : c < 0)) {
        free(*slot);
        *slot = lz_strdup(v->u.string);
    }
}

static void merge_counts(merged *m, yajl_val man) {
    yajl_val req = member(man, "requests");
    if (YAJL_IS_OBJECT(req))
        for (size_t i = 0; i < req->u.object.len; i++)
            if (YAJL_IS_NUMBER(req->u.object.values[i]))
                count_add(&m->req, &m->nreq, &m->capreq, req->u.object.keys[i],
                          YAJL_GET_DOUBLE(req->u.object.values[i]));
    static const char *const totals[] = {"retries", "throttled", "tokenRefreshesAfter401",
                                         "throttledWaitSeconds"};
    for (size_t i = 0; i < sizeof totals / sizeof *totals; i++) {
        yajl_val v = member(man, totals[i]);
        if (YAJL_IS_NUMBER(v)) count_add(&m->tot, &m->ntot, &m->captot, totals[i], YAJL_GET_DOUBLE(v));
    }
}

/*
 * A part collected with the projection pushdown (scanner/live/project.h)
 * holds only what its rule pack reads, and says so; the merged snapshot must
 * say so too, or a scan of it could not tell. Parts projected for different
 * packs would hold different subsets: refused.
 */
static int merge_projection(merged *m, yajl_val man, const char *file, lz_err *e) {
    yajl_val p = member(man, "projection");
    if (!YAJL_IS_TRUE(member(p, "used"))) return 0;
    yajl_val pack = member(p, "rulePack");
    const char *sha = YAJL_IS_STRING(pack) ? pack->u.string : "";
    if (m->projection_pack) {
        if (strcmp(m->projection_pack, sha) != 0)
            return lz_errf(e,
                           "%s: collected with the projection for another rule pack than an earlier part; "
                           "collect the parts with the same pack, or with --no-projection",
                           file);
        return 0;
    }
    m->projection_pack = lz_strdup(sha);
    lz_buf_puts(&m->projection, ",\"projection\":");
    put_value(&m->projection, p);
    return 0;
}

static int merge_manifest(merged *m, yajl_val man, const char *file, size_t objects, lz_err *e) {
    yajl_val fv = member(man, "formatVersion");
    if (fv && !(YAJL_IS_INTEGER(fv) && YAJL_GET_INTEGER(fv) == 1))
        return lz_errf(e, "%s: snapshot formatVersion is not 1", file);
    if (merge_scope(m, member(man, "scope"), file, e) < 0) return -1;
    if (merge_projection(m, man, file, e) < 0) return -1;
    add_strings(&m->collected, member(man, "collected"));
    add_strings(&m->unavailable, member(man, "unavailable"));
    merge_gaps(m, member(man, "gaps"));
    merge_counts(m, man);
    keep_time(&m->collected_at, member(man, "collectedAt"), 0);
    keep_time(&m->finished_at, member(man, "finishedAt"), 1);
    yajl_val complete = member(man, "complete");
    int part_complete = !complete || YAJL_IS_TRUE(complete);
    if (!part_complete) m->complete = 0;
    if (m->nparts++ == 0) {
        static const char *const copied[] = {"endpoints", "apiVersions"};
        for (size_t i = 0; i < 2; i++) {
            yajl_val v = member(man, copied[i]);
            if (!v) continue;
            lz_buf_printf(&m->extra, ",\"%s\":", copied[i]);
            put_value(&m->extra, v);
        }
    } else {
        lz_buf_putc(&m->parts, ',');
    }
    lz_buf_puts(&m->parts, "{\"file\":");
    jsonw_escape(&m->parts, file, strlen(file));
    lz_buf_printf(&m->parts, ",\"objects\":%zu,\"complete\":%s}", objects, part_complete ? "true" : "false");
    return 0;
}

static yajl_val parse_line(const char *line, const char *file, size_t lineno, lz_err *e) {
    char msg[256];
    yajl_val v = yajl_tree_parse(line, msg, sizeof msg);
    if (!v) {
        msg[strcspn(msg, "\n")] = '\0';
        lz_errf(e, "%s:%zu: not JSON: %s", file, lineno, msg);
    }
    return v;
}

/* Reads one snapshot: the manifest into m, the objects into w. */
static int merge_file(merged *m, snap_writer *w, const char *file, lz_err *e) {
    FILE *f = fopen(file, "r");
    if (!f) return lz_errf(e, "%s: cannot open: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0, lineno = 0, objects = 0;
    yajl_val man = NULL;
    int rc = 0;
    ssize_t n;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (lineno > 1 && n == 0) continue;
        yajl_val v = parse_line(line, file, lineno, e);
        if (!v) {
            rc = -1;
        } else if (lineno == 1) {
            yajl_val marker = member(v, "lzscan");
            if (!YAJL_IS_STRING(marker) || strcmp(marker->u.string, "snapshot-manifest") != 0)
                rc = lz_errf(e, "%s: not an lzscan snapshot (line 1 is not a snapshot manifest)", file);
            man = v;
            continue;
        } else {
            yajl_val id = member(v, "id");
            int added = snap_add(w, line, (size_t)n, YAJL_IS_STRING(id) ? id->u.string : NULL, e);
            if (added < 0) rc = -1;
            objects += added > 0;
        }
        yajl_tree_free(v);
    }
    if (rc == 0 && ferror(f)) rc = lz_errf(e, "%s: read error", file);
    if (rc == 0 && !man) rc = lz_errf(e, "%s: empty, not an lzscan snapshot", file);
    if (rc == 0) rc = merge_manifest(m, man, file, objects, e);
    yajl_tree_free(man);
    free(line);
    fclose(f);
    return rc;
}

static void put_set(lz_buf *b, const char *key, strset *s, const strset *minus) {
    set_sort(s);
    lz_buf_printf(b, ",\"%s\":[", key);
    int first = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (minus && set_has(minus, s->v[i])) continue;
        if (!first) lz_buf_putc(b, ',');
        first = 0;
        jsonw_escape(b, s->v[i], strlen(s->v[i]));
    }
    lz_buf_putc(b, ']');
}

static void put_scope(lz_buf *b, merged *m) {
    lz_buf_puts(b, ",\"scope\":{");
    for (size_t i = 0; i < m->nscope; i++) {
        scope_key *k = &m->scope[i];
        if (i) lz_buf_putc(b, ',');
        jsonw_escape(b, k->key, strlen(k->key));
        lz_buf_putc(b, ':');
        if (k->is_str) {
            const char *s = k->mixed ? "mixed" : k->str;
            jsonw_escape(b, s, strlen(s));
            continue;
        }
        set_sort(&k->values);
        lz_buf_putc(b, '[');
        for (size_t j = 0; j < k->values.n; j++) {
            if (j) lz_buf_putc(b, ',');
            jsonw_escape(b, k->values.v[j], strlen(k->values.v[j]));
        }
        lz_buf_putc(b, ']');
    }
    lz_buf_putc(b, '}');
}

static void put_count(lz_buf *b, const counter *c) {
    jsonw_escape(b, c->key, strlen(c->key));
    /* counts are integers; throttledWaitSeconds is not */
    if (c->sum == (double)(long long)c->sum)
        lz_buf_printf(b, ":%lld", (long long)c->sum);
    else
        lz_buf_printf(b, ":%.3f", c->sum);
}

static char *manifest_text(merged *m, size_t objects) {
    lz_buf b = {0};
    lz_buf_printf(&b,
                  "{\"lzscan\":\"snapshot-manifest\",\"formatVersion\":1,"
                  "\"tool\":{\"name\":\"lzscan\",\"version\":\"%s\"}",
                  LZSCAN_VERSION);
    put_scope(&b, m);
    if (m->collected_at) {
        lz_buf_puts(&b, ",\"collectedAt\":");
        jsonw_escape(&b, m->collected_at, strlen(m->collected_at));
    }
    if (m->finished_at) {
        lz_buf_puts(&b, ",\"finishedAt\":");
        jsonw_escape(&b, m->finished_at, strlen(m->finished_at));
    }
    lz_buf_put(&b, m->extra.data, m->extra.len);
    lz_buf_put(&b, m->projection.data, m->projection.len);
    lz_buf_printf(&b, ",\"mergedFrom\":[%s],\"requests\":{", lz_buf_cstr(&m->parts));
    for (size_t i = 0; i < m->nreq; i++) {
        if (i) lz_buf_putc(&b, ',');
        put_count(&b, &m->req[i]);
    }
    lz_buf_putc(&b, '}');
    for (size_t i = 0; i < m->ntot; i++) {
        lz_buf_putc(&b, ',');
        put_count(&b, &m->tot[i]);
    }
    lz_buf_printf(&b, ",\"objects\":%zu", objects);
    put_set(&b, "collected", &m->collected, NULL);
    /* collected by one part beats unavailable in another */
    put_set(&b, "unavailable", &m->unavailable, &m->collected);
    set_sort(&m->gaps);
    lz_buf_puts(&b, ",\"gaps\":[");
    for (size_t i = 0; i < m->gaps.n; i++) lz_buf_printf(&b, "%s%s", i ? "," : "", m->gaps.v[i]);
    lz_buf_printf(&b, "],\"complete\":%s}", m->complete ? "true" : "false");
    return lz_buf_steal(&b);
}

static void merged_free(merged *m) {
    lz_buf_free(&m->projection);
    free(m->projection_pack);
    set_free(&m->collected);
    set_free(&m->unavailable);
    set_free(&m->gaps);
    for (size_t i = 0; i < m->nreq; i++) free(m->req[i].key);
    for (size_t i = 0; i < m->ntot; i++) free(m->tot[i].key);
    free(m->req);
    free(m->tot);
    for (size_t i = 0; i < m->nscope; i++) {
        free(m->scope[i].key);
        free(m->scope[i].str);
        set_free(&m->scope[i].values);
    }
    free(m->scope);
    free(m->collected_at);
    free(m->finished_at);
    lz_buf_free(&m->parts);
    lz_buf_free(&m->extra);
}

static int merge_all(const char *out, char **files, int nfiles, lz_err *e) {
    snap_writer *w;
    if (snap_open(&w, out, e) < 0) return -1;
    merged m = {.complete = 1};
    int rc = 0;
    for (int i = 0; i < nfiles && rc == 0; i++) rc = merge_file(&m, w, files[i], e);
    if (rc == 0) {
        char *text = manifest_text(&m, snap_count(w));
        rc = snap_commit(w, text, NULL, e);
        free(text);
    } else {
        snap_abort(w);
    }
    merged_free(&m);
    return rc;
}

/* Reads every part; all must be of one kind. */
static int load_parts(lzdoc *docs, char **files, size_t n, lz_err *e) {
    for (size_t i = 0; i < n; i++) {
        if (lzdoc_load(&docs[i], files[i], e) < 0) return -1;
        if (docs[i].kind != docs[0].kind)
            return lz_errf(e,
                           "%s is a %s but %s is a %s: merge parts of one kind (snapshots, JSON reports or "
                           "SARIF logs)",
                           docs[0].name, lzdoc_kind_name(docs[0].kind), docs[i].name,
                           lzdoc_kind_name(docs[i].kind));
    }
    return 0;
}

static int sink_write(void *ctx, const void *data, size_t len, lz_err *e) {
    return lz_atomic_write(ctx, data, len, e);
}

/* Reports and SARIF logs: the parts are held (compactly), the result is
 * streamed into an atomic writer, so it appears whole or not at all and is
 * not held in memory as well. Returns the exit code. */
static int merge_documents(const lzdoc *docs, size_t n, const char *out, const merge_opts *o) {
    lz_err e = {{0}};
    lz_atomic *f;
    if (lz_atomic_open(&f, out, &e) < 0) {
        cli_error("merge: %s", e.msg);
        return EXIT_USAGE;
    }
    lz_sink sink = {.write = sink_write, .ctx = f};
    lz_buf buf = {0};
    lz_buf_stream(&buf, &sink);
    int code = 0, rc = docs[0].kind == LZDOC_REPORT ? report_merge(docs, n, o, &buf, &code, &e)
                                                    : sarif_merge(docs, n, o, &buf, &code, &e);
    if (rc == 0) rc = lz_buf_flush(&buf, &e);
    lz_buf_free(&buf);
    if (rc == 0)
        rc = lz_atomic_commit(f, &e);
    else
        lz_atomic_abort(f);
    if (rc < 0) {
        cli_error("merge: %s", e.msg);
        return EXIT_USAGE;
    }
    return code;
}

static int merge_parts(char **files, size_t n, const char *out, const merge_opts *o) {
    lzdoc *docs = lz_calloc(n, sizeof *docs);
    lz_err e = {{0}};
    int code = EXIT_USAGE;
    if (load_parts(docs, files, n, &e) < 0) {
        cli_error("merge: %s", e.msg);
    } else if (docs[0].kind != LZDOC_SNAPSHOT) {
        code = merge_documents(docs, n, out, o);
    } else if (o->allow_missing) {
        cli_error(
            "merge: --allow-missing is for the JSON reports or SARIF logs of `scan --shard`, not snapshots");
    } else if (strcmp(out, "-") == 0) {
        cli_error("merge: a merged snapshot is written to a file (--out FILE), not stdout");
    } else if (merge_all(out, files, (int)n, &e) < 0) {
        cli_error("merge: %s", e.msg);
    } else {
        code = EXIT_OK;
    }
    for (size_t i = 0; i < n; i++) lzdoc_free(&docs[i]);
    free(docs);
    return code;
}

enum { OPT_ALLOW_MISSING = 256 };

int cli_merge(int argc, char **argv) {
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"allow-missing", no_argument, NULL, OPT_ALLOW_MISSING},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    merge_opts mo = {0};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        if (c == 'o') {
            out = optarg;
        } else if (c == OPT_ALLOW_MISSING) {
            mo.allow_missing = true;
        } else if (c == 'h') {
            fputs(merge_usage, stdout);
            return EXIT_OK;
        } else {
            cli_error("merge: bad option \"%s\" (see lzscan merge --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!out || optind >= argc) {
        cli_error("merge: --out FILE and at least one part are required (see lzscan merge --help)");
        return EXIT_USAGE;
    }
    return merge_parts(argv + optind, (size_t)(argc - optind), out, &mo);
}
