/*
 * report_merge.c - see report_merge.h.
 *
 * Each part is checked (what the merge reads must be there and of the
 * right kind; members it does not know are refused rather than dropped),
 * compared with the first part in join order, then the joined report is
 * written with jsonw: findings, rules' metadata and exemption entries are
 * copied from the parts' values, everything counted is recomputed.
 */
#include "report_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "out_json.h"

enum { ST_PASS, ST_FAIL, ST_UNKNOWN, ST_NA, ST_EXEMPT, ST__COUNT };
static const char *const status_keys[ST__COUNT] = {"pass", "fail", "unknown", "notApplicable", "exempt"};
static const char *const sev_keys[] = {"critical", "high", "medium", "low"};

static const char *const top_keys[] = {"schemaVersion", "tool",       "rulePack", "scan",
                                       "summary",       "rules",      "findings", "baseline",
                                       "resolved",      "exemptions", "gate",     NULL};
static const char *const scan_keys[] = {"source",    "scope",      "inputs",   "profile",
                                        "startedAt", "finishedAt", "coverage", "notes",
                                        "shard",     "mergedFrom", NULL};

typedef struct rpart {
    const lzdoc *d;
    jv_t scan, rules, findings, baseline, resolved, exemptions, gate;
    const char *version, *source, *scope, *profile, *started, *finished;
    uint64_t resources;
    bool complete;
    merge_shard shard;
} rpart;

typedef struct rfind {
    const rpart *p;
    jv_t v;
    const char *rule_id, *sev, *id, *status, *fp, *bstate;
    size_t seq;  /* join order, for a stable sort */
    size_t rule; /* index into the rules */
} rfind;

typedef struct rmerge {
    rpart *parts; /* in join order */
    size_t n;
    char *missing; /* missing shards, or NULL */
    const char **rule_ids;
    size_t nrules;
    uint64_t (*counts)[ST__COUNT];
    rfind *f;
    size_t nf, dropped;
    bool *resolved_keep; /* parallel to the first part's resolved[] */
    size_t nresolved;    /* entries kept */
} rmerge;

/* ---- reading a part ---- */

static int parse_version(const char *v, unsigned *major, unsigned *minor) {
    unsigned patch;
    int end = 0;
    return v && sscanf(v, "%u.%u.%u%n", major, minor, &patch, &end) == 3 && v[end] == '\0' ? 0 : -1;
}

static int check_schema(const lzdoc *d, lz_err *e) {
    const char *v = lzdoc_str(d, d->root, "schemaVersion");
    unsigned maj, min, our_maj, our_min;
    parse_version(OUT_JSON_SCHEMA_VERSION, &our_maj, &our_min);
    if (parse_version(v, &maj, &min) < 0 || maj != our_maj)
        return lzdoc_err(d, "", e, "schemaVersion %s is not supported (%u.x)", v ? v : "(none)", our_maj);
    if (min > our_min)
        return lzdoc_err(d, "", e,
                         "schemaVersion %s is newer than this lzscan reads (%s): merge with the lzscan "
                         "that wrote it",
                         v, OUT_JSON_SCHEMA_VERSION);
    return 0;
}

static int need(const lzdoc *d, jv_t v, const char *path, const char *what, lz_err *e) {
    return v == JV_MISSING ? lzdoc_err(d, path, e, "missing or not %s", what) : 0;
}

static int read_shard(rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    jv_t sh = jv_get(d->store, p->scan, "shard", 5);
    p->shard.part = d->name;
    if (sh == JV_MISSING) return 0;
    uint64_t k, n;
    p->shard.inventory = lzdoc_str(d, sh, "inventory");
    if (!lzdoc_uint(d, sh, "index", &k) || !lzdoc_uint(d, sh, "count", &n) || n < 1 || k < 1 || k > n ||
        n > 65535 || !p->shard.inventory)
        return lzdoc_err(d, "scan.shard", e, "expected {index, count, inventory} with 1 <= index <= count");
    p->shard.index = (unsigned)k;
    p->shard.count = (unsigned)n;
    return 0;
}

static int read_scan(rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    if (need(d, p->scan = lzdoc_obj(d, d->root, "scan"), "scan", "an object", e) < 0 ||
        lzdoc_only_keys(d, p->scan, scan_keys, "scan", e) < 0)
        return -1;
    p->source = lzdoc_str(d, p->scan, "source");
    p->scope = lzdoc_str(d, p->scan, "scope");
    p->profile = lzdoc_str(d, p->scan, "profile");
    p->started = lzdoc_str(d, p->scan, "startedAt");
    p->finished = lzdoc_str(d, p->scan, "finishedAt");
    jv_t cov = lzdoc_obj(d, p->scan, "coverage");
    if (!p->source) return lzdoc_err(d, "scan", e, "no source");
    if (need(d, cov, "scan.coverage", "an object", e) < 0 ||
        need(d, lzdoc_arr(d, cov, "gaps"), "scan.coverage.gaps", "an array", e) < 0 ||
        need(d, lzdoc_arr(d, p->scan, "inputs"), "scan.inputs", "an array", e) < 0 ||
        need(d, lzdoc_arr(d, p->scan, "notes"), "scan.notes", "an array", e) < 0)
        return -1;
    if (!lzdoc_bool(d, cov, "complete", &p->complete))
        return lzdoc_err(d, "scan.coverage", e, "complete is not a boolean");
    return read_shard(p, e);
}

static int check_counts(const lzdoc *d, jv_t counts, const char *path, lz_err *e) {
    uint64_t x;
    for (int s = 0; s < ST__COUNT; s++)
        if (!lzdoc_uint(d, counts, status_keys[s], &x))
            return lzdoc_err(d, path, e, "counts.%s is not a count", status_keys[s]);
    return 0;
}

static int read_rules(rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    if (need(d, p->rules = lzdoc_arr(d, d->root, "rules"), "rules", "an array", e) < 0) return -1;
    char path[64];
    for (size_t i = 0; i < jv_len(d->store, p->rules); i++) {
        jv_t r = jv_at(d->store, p->rules, i);
        snprintf(path, sizeof path, "rules[%zu]", i);
        if (!lzdoc_str(d, r, "id") || !merge_severity_rank(lzdoc_str(d, r, "severity")))
            return lzdoc_err(d, path, e, "a rule needs an id and a severity (critical, high, medium, low)");
        if (check_counts(d, lzdoc_obj(d, r, "counts"), path, e) < 0) return -1;
    }
    return 0;
}

/* The optional sections the merge counts in must hold what it reads. */
static int read_gate(const rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    uint64_t n, code;
    bool b;
    if (p->gate == JV_MISSING) return 0;
    if (!merge_severity_rank(lzdoc_str(d, p->gate, "failOn")) || !lzdoc_bool(d, p->gate, "failOnNew", &b) ||
        !lzdoc_bool(d, p->gate, "softFail", &b) || !lzdoc_uint(d, p->gate, "gating", &n) ||
        !lzdoc_uint(d, p->gate, "exitCode", &code) || (code != 0 && code != 1 && code != 3))
        return lzdoc_err(d, "gate", e, "needs failOn, failOnNew, softFail, gating and exitCode 0, 1 or 3");
    return 0;
}

static int read_baseline(const rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    static const char *const keys[] = {"new", "unchanged", "updated", "absent"};
    uint64_t n;
    if (p->baseline == JV_MISSING) return 0;
    for (size_t k = 0; k < 4; k++)
        if (!lzdoc_uint(d, lzdoc_obj(d, p->baseline, "counts"), keys[k], &n))
            return lzdoc_err(d, "baseline", e, "counts.%s is not a count", keys[k]);
    for (size_t i = 0; i < jv_len(d->store, p->resolved); i++)
        if (!merge_is_hex64(lzdoc_str(d, jv_at(d->store, p->resolved, i), "fingerprint"))) {
            char path[64];
            snprintf(path, sizeof path, "resolved[%zu]", i);
            return lzdoc_err(d, path, e, "fingerprint is not 64 hex digits");
        }
    return 0;
}

static int read_exemptions(const rpart *p, lz_err *e) {
    const lzdoc *d = p->d;
    uint64_t n;
    if (p->exemptions == JV_MISSING) return 0;
    jv_t entries = lzdoc_arr(d, p->exemptions, "entries");
    if (entries == JV_MISSING) return lzdoc_err(d, "exemptions", e, "entries is not an array");
    for (size_t i = 0; i < jv_len(d->store, entries); i++)
        if (!lzdoc_uint(d, jv_at(d->store, entries, i), "matched", &n)) {
            char path[64];
            snprintf(path, sizeof path, "exemptions.entries[%zu]", i);
            return lzdoc_err(d, path, e, "matched is not a count");
        }
    return 0;
}

static int read_part(rpart *p, const lzdoc *d, lz_err *e) {
    memset(p, 0, sizeof *p);
    p->d = d;
    jv_t tool = lzdoc_obj(d, d->root, "tool"), pack = lzdoc_obj(d, d->root, "rulePack");
    if (check_schema(d, e) < 0 || lzdoc_only_keys(d, d->root, top_keys, "", e) < 0) return -1;
    if (!(p->version = lzdoc_str(d, tool, "version"))) return lzdoc_err(d, "tool", e, "no version");
    if (!lzdoc_str(d, pack, "name") || !lzdoc_str(d, pack, "version") ||
        !merge_is_hex64(lzdoc_str(d, pack, "sha256")))
        return lzdoc_err(d, "rulePack", e, "needs name, version and sha256");
    if (!lzdoc_uint(d, lzdoc_obj(d, d->root, "summary"), "resources", &p->resources))
        return lzdoc_err(d, "summary", e, "resources is not a count");
    if (need(d, p->findings = lzdoc_arr(d, d->root, "findings"), "findings", "an array", e) < 0) return -1;
    p->baseline = lzdoc_obj(d, d->root, "baseline");
    p->resolved = lzdoc_arr(d, d->root, "resolved");
    p->exemptions = lzdoc_obj(d, d->root, "exemptions");
    p->gate = lzdoc_obj(d, d->root, "gate");
    if ((p->baseline == JV_MISSING) != (p->resolved == JV_MISSING))
        return lzdoc_err(d, "", e, "baseline and resolved go together");
    if (read_gate(p, e) < 0 || read_baseline(p, e) < 0 || read_exemptions(p, e) < 0) return -1;
    return read_scan(p, e) < 0 ? -1 : read_rules(p, e);
}

/* ---- comparing the parts ---- */

static int same_text(const rpart *a, jv_t va, const rpart *b, jv_t vb, const char *skip) {
    char *x = lzdoc_text(a->d, va, skip), *y = lzdoc_text(b->d, vb, skip);
    int same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

static bool str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int differ(const rpart *a, const rpart *b, const char *what, lz_err *e) {
    return lz_errf(e, "%s and %s differ in %s: only the outputs of one scan configuration can be joined",
                   a->d->name, b->d->name, what);
}

static int compare_rules(const rpart *a, const rpart *b, lz_err *e) {
    const jv_store *sa = a->d->store, *sb = b->d->store;
    if (jv_len(sa, a->rules) != jv_len(sb, b->rules)) return differ(a, b, "their rules", e);
    for (size_t i = 0; i < jv_len(sa, a->rules); i++)
        if (!same_text(a, jv_at(sa, a->rules, i), b, jv_at(sb, b->rules, i), "counts"))
            return lz_errf(e, "%s and %s differ in rule %s", a->d->name, b->d->name,
                           lzdoc_str(a->d, jv_at(sa, a->rules, i), "id"));
    return 0;
}

static int compare_gates(const rpart *a, const rpart *b, lz_err *e) {
    if ((a->gate == JV_MISSING) != (b->gate == JV_MISSING)) return differ(a, b, "having a gate", e);
    if (a->gate == JV_MISSING) return 0;
    static const char *const keys[] = {"failOn", "failOnNew", "softFail"};
    for (size_t i = 0; i < 3; i++) {
        jv_t x = jv_get(a->d->store, a->gate, keys[i], strlen(keys[i]));
        jv_t y = jv_get(b->d->store, b->gate, keys[i], strlen(keys[i]));
        if (!same_text(a, x, b, y, NULL))
            return differ(a, b, "their gate (--fail-on, --fail-on-new, --soft-fail)", e);
    }
    return 0;
}

/* A part's baseline size: the findings it matched plus those resolved. */
static uint64_t baseline_size(const rpart *p) {
    jv_t c = lzdoc_obj(p->d, p->baseline, "counts");
    uint64_t u = 0, up = 0, ab = 0;
    lzdoc_uint(p->d, c, "unchanged", &u);
    lzdoc_uint(p->d, c, "updated", &up);
    lzdoc_uint(p->d, c, "absent", &ab);
    return u + up + ab;
}

static int compare_baselines(const rpart *a, const rpart *b, lz_err *e) {
    if ((a->baseline == JV_MISSING) != (b->baseline == JV_MISSING))
        return differ(a, b, "having a --baseline", e);
    if (a->baseline == JV_MISSING) return 0;
    if (!str_eq(lzdoc_str(a->d, a->baseline, "source"), lzdoc_str(b->d, b->baseline, "source")) ||
        !str_eq(lzdoc_str(a->d, a->baseline, "format"), lzdoc_str(b->d, b->baseline, "format")) ||
        baseline_size(a) != baseline_size(b))
        return differ(a, b, "their --baseline", e);
    return 0;
}

static int compare_exemptions(const rpart *a, const rpart *b, lz_err *e) {
    if ((a->exemptions == JV_MISSING) != (b->exemptions == JV_MISSING))
        return differ(a, b, "having --exemptions", e);
    if (a->exemptions == JV_MISSING) return 0;
    jv_t ea = lzdoc_arr(a->d, a->exemptions, "entries"), eb = lzdoc_arr(b->d, b->exemptions, "entries");
    size_t n = jv_len(a->d->store, ea);
    if (!str_eq(lzdoc_str(a->d, a->exemptions, "source"), lzdoc_str(b->d, b->exemptions, "source")) ||
        n != jv_len(b->d->store, eb))
        return differ(a, b, "their --exemptions", e);
    for (size_t i = 0; i < n; i++) /* the same entries, judged the same (expired or not) */
        if (!same_text(a, jv_at(a->d->store, ea, i), b, jv_at(b->d->store, eb, i), "matched"))
            return differ(a, b, "their --exemptions entries (or an entry expired between the scans)", e);
    return 0;
}

static int compare(const rpart *a, const rpart *b, lz_err *e) {
    jv_t pa = lzdoc_obj(a->d, a->d->root, "rulePack"), pb = lzdoc_obj(b->d, b->d->root, "rulePack");
    if (strcmp(a->version, b->version) != 0)
        return lz_errf(e, "%s was written by lzscan %s and %s by lzscan %s: join the outputs of one version",
                       a->d->name, a->version, b->d->name, b->version);
    if (!same_text(a, pa, b, pb, NULL))
        return lz_errf(e,
                       "%s and %s were scanned with different rule packs (%s %s, sha256 %.12s... and %s %s, "
                       "sha256 %.12s...)",
                       a->d->name, b->d->name, lzdoc_str(a->d, pa, "name"), lzdoc_str(a->d, pa, "version"),
                       lzdoc_str(a->d, pa, "sha256"), lzdoc_str(b->d, pb, "name"),
                       lzdoc_str(b->d, pb, "version"), lzdoc_str(b->d, pb, "sha256"));
    if (strcmp(a->source, b->source) != 0) return differ(a, b, "their source (offline or live)", e);
    if (!str_eq(a->profile, b->profile)) return differ(a, b, "their --profile", e);
    if (a->shard.count && a->resources != b->resources) return differ(a, b, "their inventories", e);
    if (compare_rules(a, b, e) < 0 || compare_gates(a, b, e) < 0 || compare_baselines(a, b, e) < 0) return -1;
    return compare_exemptions(a, b, e);
}

/* ---- findings ---- */

static size_t rule_index(const rmerge *m, const char *id) {
    for (size_t i = 0; i < m->nrules; i++)
        if (strcmp(m->rule_ids[i], id) == 0) return i;
    return SIZE_MAX;
}

static int status_of(const char *s) {
    for (int i = 0; i < ST__COUNT; i++)
        if (s && strcmp(s, status_keys[i]) == 0) return i;
    return -1;
}

static int take_finding(rmerge *m, const rpart *p, size_t i, size_t *cap, lz_err *e) {
    const lzdoc *d = p->d;
    jv_t v = jv_at(d->store, p->findings, i);
    char path[64];
    snprintf(path, sizeof path, "findings[%zu]", i);
    rfind f = {.p = p, .v = v, .seq = m->nf};
    f.rule_id = lzdoc_str(d, v, "ruleId");
    f.sev = lzdoc_str(d, v, "severity");
    f.id = lzdoc_str(d, v, "resourceId");
    f.status = lzdoc_str(d, v, "status");
    f.fp = lzdoc_str(d, v, "fingerprint");
    f.bstate = lzdoc_str(d, v, "baselineState");
    int st = status_of(f.status);
    if (jv_kind(d->store, v) != JV_OBJECT || !f.rule_id || !f.id || !merge_severity_rank(f.sev))
        return lzdoc_err(d, path, e, "a finding needs ruleId, severity and resourceId");
    if (st != ST_FAIL && st != ST_UNKNOWN && st != ST_EXEMPT)
        return lzdoc_err(d, path, e, "status \"%s\" is not fail, unknown or exempt",
                         f.status ? f.status : "");
    if (!merge_is_hex64(f.fp)) return lzdoc_err(d, path, e, "fingerprint is not 64 hex digits");
    if ((f.rule = rule_index(m, f.rule_id)) == SIZE_MAX)
        return lzdoc_err(d, path, e, "rule %s is not among the report's rules", f.rule_id);
    LZ_PUSH(m->f, m->nf, *cap, f);
    return 0;
}

static int by_fingerprint(const void *a, const void *b) {
    const rfind *x = a, *y = b;
    int c = strcmp(x->fp, y->fp);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_report_order(const void *a, const void *b) {
    const rfind *x = a, *y = b;
    int c = merge_finding_order(x->sev, x->rule_id, x->id, x->status, y->sev, y->rule_id, y->id, y->status);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * A fingerprint in two parts is one result evaluated twice. Within a part
 * a fingerprint may repeat (a rule on a subscription, and a gap's unknown
 * result about that subscription), so only later parts' copies go. Shards
 * never overlap: there it means the parts are not what they claim.
 */
static int dedupe(rmerge *m, bool sharded, lz_err *e) {
    qsort(m->f, m->nf, sizeof *m->f, by_fingerprint);
    size_t k = 0;
    for (size_t i = 0; i < m->nf; i++) {
        size_t g = k; /* first kept entry of this fingerprint, if any */
        while (g > 0 && strcmp(m->f[g - 1].fp, m->f[i].fp) == 0) g--;
        if (g < k && m->f[g].p != m->f[i].p) {
            if (sharded)
                return lz_errf(e,
                               "%s and %s both hold finding %s on %s: the shards of one scan never overlap",
                               m->f[g].p->d->name, m->f[i].p->d->name, m->f[i].rule_id, m->f[i].id);
            m->dropped++;
            continue;
        }
        m->f[k++] = m->f[i];
    }
    m->nf = k;
    qsort(m->f, m->nf, sizeof *m->f, by_report_order);
    return 0;
}

static int collect(rmerge *m, lz_err *e) {
    size_t cap = 0;
    for (size_t i = 0; i < m->n; i++)
        for (size_t k = 0; k < jv_len(m->parts[i].d->store, m->parts[i].findings); k++)
            if (take_finding(m, &m->parts[i], k, &cap, e) < 0) return -1;
    if (dedupe(m, m->parts[0].shard.count != 0, e) < 0) return -1;
    /* pass and notApplicable are only counted: summed; the rest from the findings */
    m->counts = lz_calloc(m->nrules ? m->nrules : 1, sizeof *m->counts);
    for (size_t i = 0; i < m->n; i++) {
        const rpart *p = &m->parts[i];
        for (size_t r = 0; r < m->nrules; r++) {
            jv_t c = lzdoc_obj(p->d, jv_at(p->d->store, p->rules, r), "counts");
            uint64_t x = 0;
            lzdoc_uint(p->d, c, "pass", &x);
            m->counts[r][ST_PASS] += x;
            x = 0;
            lzdoc_uint(p->d, c, "notApplicable", &x);
            m->counts[r][ST_NA] += x;
        }
    }
    for (size_t i = 0; i < m->nf; i++) m->counts[m->f[i].rule][status_of(m->f[i].status)]++;
    return 0;
}

/* ---- writing ---- */

static void copy_member(jsonw *w, const lzdoc *d, jv_t obj, const char *key) {
    jv_t v = jv_get(d->store, obj, key, strlen(key));
    if (v == JV_MISSING) return;
    jsonw_key(w, key);
    jsonw_value(w, d->store, v);
}

static bool all_same_scope(const rmerge *m) {
    for (size_t i = 0; i < m->n; i++)
        if (!m->parts[i].scope || !str_eq(m->parts[i].scope, m->parts[0].scope)) return false;
    return true;
}

static void write_inputs(jsonw *w, const rmerge *m) {
    merge_notes *u = merge_notes_new(false); /* a set of strings in first-seen order */
    for (size_t i = 0; i < m->n; i++) {
        const lzdoc *d = m->parts[i].d;
        jv_t in = lzdoc_arr(d, m->parts[i].scan, "inputs");
        for (size_t k = 0; k < jv_len(d->store, in); k++) {
            const char *s = jv_str(d->store, jv_at(d->store, in, k), NULL);
            if (s) merge_notes_add(u, s);
        }
    }
    jsonw_key(w, "inputs");
    jsonw_begin_array(w);
    for (size_t i = 0; i < merge_notes_count(u); i++) jsonw_string(w, merge_notes_get(u, i));
    jsonw_end_array(w);
    merge_notes_free(u);
}

static void write_coverage(jsonw *w, const rmerge *m, bool complete) {
    jsonw_key(w, "coverage");
    jsonw_begin_object(w);
    jsonw_kv_bool(w, "complete", complete);
    jsonw_key(w, "gaps");
    jsonw_begin_array(w);
    merge_notes *seen = merge_notes_new(false); /* gaps by their JSON text */
    for (size_t i = 0; i < m->n; i++) {
        const lzdoc *d = m->parts[i].d;
        jv_t gaps = lzdoc_arr(d, lzdoc_obj(d, m->parts[i].scan, "coverage"), "gaps");
        for (size_t k = 0; k < jv_len(d->store, gaps); k++) {
            char *t = lzdoc_text(d, jv_at(d->store, gaps, k), NULL);
            size_t before = merge_notes_count(seen);
            merge_notes_add(seen, t);
            if (merge_notes_count(seen) > before) jsonw_value(w, d->store, jv_at(d->store, gaps, k));
            free(t);
        }
    }
    merge_notes_free(seen);
    if (m->missing) {
        jsonw_begin_object(w);
        jsonw_kv_string(w, "scope", "");
        jsonw_kv_string(w, "type", "");
        jsonw_kv_string(w, "reason", m->missing);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static void write_notes(jsonw *w, const rmerge *m) {
    merge_notes *u = merge_notes_new(true);
    for (size_t i = 0; i < m->n; i++) {
        const lzdoc *d = m->parts[i].d;
        jv_t notes = lzdoc_arr(d, m->parts[i].scan, "notes");
        for (size_t k = 0; k < jv_len(d->store, notes); k++) {
            const char *s = jv_str(d->store, jv_at(d->store, notes, k), NULL);
            if (s) merge_notes_add(u, s);
        }
    }
    if (!m->parts[0].shard.count && m->n > 1) {
        char *t = lz_asprintf("joined from %zu reports scanned separately: each inferred its own topology, "
                              "and pass and notApplicable counts are their sums",
                              m->n);
        merge_notes_add(u, t);
        free(t);
    }
    if (m->dropped) {
        char *t = lz_asprintf("%zu findings were in more than one joined report (objects several scans "
                              "evaluated); each is listed once, from the first report that has it",
                              m->dropped);
        merge_notes_add(u, t);
        free(t);
    }
    jsonw_key(w, "notes");
    jsonw_begin_array(w);
    for (size_t i = 0; i < merge_notes_count(u); i++) jsonw_string(w, merge_notes_get(u, i));
    jsonw_end_array(w);
    merge_notes_free(u);
}

static void write_merged_from(jsonw *w, const rmerge *m) {
    jsonw_key(w, "mergedFrom");
    jsonw_begin_array(w);
    for (size_t i = 0; i < m->n; i++) {
        const rpart *p = &m->parts[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "file", p->d->name);
        if (p->shard.count) {
            jsonw_key(w, "shard");
            jsonw_begin_object(w);
            jsonw_kv_uint(w, "index", p->shard.index);
            jsonw_kv_uint(w, "count", p->shard.count);
            jsonw_end_object(w);
        }
        if (p->scope) jsonw_kv_string(w, "scope", p->scope);
        jsonw_kv_string(w, "startedAt", p->started);
        jsonw_kv_string(w, "finishedAt", p->finished);
        jsonw_kv_uint(w, "findings", jv_len(p->d->store, p->findings));
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static bool coverage_complete(const rmerge *m) {
    for (size_t i = 0; i < m->n; i++)
        if (!m->parts[i].complete) return false;
    return !m->missing;
}

static void write_scan(jsonw *w, const rmerge *m) {
    const char *started = NULL, *finished = NULL;
    for (size_t i = 0; i < m->n; i++) {
        started = merge_time_pick(started, m->parts[i].started, false);
        finished = merge_time_pick(finished, m->parts[i].finished, true);
    }
    jsonw_key(w, "scan");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "source", m->parts[0].source);
    write_inputs(w, m);
    if (all_same_scope(m)) jsonw_kv_string(w, "scope", m->parts[0].scope);
    jsonw_kv_string(w, "profile", m->parts[0].profile);
    jsonw_kv_string(w, "startedAt", started);
    jsonw_kv_string(w, "finishedAt", finished);
    write_coverage(w, m, coverage_complete(m));
    write_notes(w, m);
    write_merged_from(w, m);
    jsonw_end_object(w);
}

static uint64_t total(const rmerge *m, int st, const char *sev) {
    uint64_t n = 0;
    const rpart *p = &m->parts[0];
    for (size_t r = 0; r < m->nrules; r++) {
        const char *rs = lzdoc_str(p->d, jv_at(p->d->store, p->rules, r), "severity");
        if (!sev || str_eq(rs, sev)) n += m->counts[r][st];
    }
    return n;
}

static void write_summary(jsonw *w, const rmerge *m) {
    uint64_t resources = 0, results = 0;
    for (size_t i = 0; i < m->n; i++) resources += m->parts[i].resources;
    if (m->parts[0].shard.count) resources = m->parts[0].resources; /* shards share one inventory */
    for (int s = 0; s < ST__COUNT; s++) results += total(m, s, NULL);
    jsonw_key(w, "summary");
    jsonw_begin_object(w);
    jsonw_kv_uint(w, "resources", resources);
    jsonw_kv_uint(w, "results", results);
    jsonw_key(w, "byStatus");
    jsonw_begin_object(w);
    for (int s = 0; s < ST__COUNT; s++) jsonw_kv_uint(w, status_keys[s], total(m, s, NULL));
    jsonw_end_object(w);
    static const int by[2] = {ST_FAIL, ST_UNKNOWN};
    static const char *const keys[2] = {"failBySeverity", "unknownBySeverity"};
    for (int k = 0; k < 2; k++) {
        jsonw_key(w, keys[k]);
        jsonw_begin_object(w);
        for (int s = 0; s < 4; s++) jsonw_kv_uint(w, sev_keys[s], total(m, by[k], sev_keys[s]));
        jsonw_end_object(w);
    }
    jsonw_end_object(w);
}

static void write_rules(jsonw *w, const rmerge *m) {
    const lzdoc *d = m->parts[0].d;
    jsonw_key(w, "rules");
    jsonw_begin_array(w);
    for (size_t r = 0; r < m->nrules; r++) {
        jv_t ru = jv_at(d->store, m->parts[0].rules, r);
        jsonw_begin_object(w);
        for (size_t i = 0; i < jv_len(d->store, ru); i++) {
            size_t klen;
            const char *k = jv_atom_str(d->store, jv_key_atom(d->store, ru, i), &klen);
            jsonw_keyn(w, k, klen);
            if (strcmp(k, "counts") != 0) {
                jsonw_value(w, d->store, jv_at(d->store, ru, i));
                continue;
            }
            jsonw_begin_object(w);
            for (int s = 0; s < ST__COUNT; s++) jsonw_kv_uint(w, status_keys[s], m->counts[r][s]);
            jsonw_end_object(w);
        }
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static void write_findings(jsonw *w, const rmerge *m) {
    jsonw_key(w, "findings");
    jsonw_begin_array(w);
    for (size_t i = 0; i < m->nf; i++) jsonw_value(w, m->f[i].p->d->store, m->f[i].v);
    jsonw_end_array(w);
}

/* A part's resolved entries by (fingerprint, position). */
typedef struct fpref {
    const char *fp;
    size_t i;
} fpref;

static int by_fp_pos(const void *a, const void *b) {
    const fpref *x = a, *y = b;
    int c = strcmp(x->fp, y->fp);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static fpref *sorted_resolved(const rpart *p, size_t *n) {
    *n = jv_len(p->d->store, p->resolved);
    fpref *v = lz_calloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; i < *n; i++) {
        const char *fp = lzdoc_str(p->d, jv_at(p->d->store, p->resolved, i), "fingerprint");
        v[i] = (fpref){fp ? fp : "", i};
    }
    qsort(v, *n, sizeof *v, by_fp_pos);
    return v;
}

/* Entries of v (sorted) with fingerprint fp. */
static size_t count_fp(const fpref *v, size_t n, const char *fp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].fp, fp) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < n && strcmp(v[k].fp, fp) == 0) k++;
    return k - lo;
}

/*
 * A baseline finding is resolved when no part still has it: each shard
 * lists as resolved every baseline finding it does not hold, so the joined
 * list is what all of them list, in the first part's (the baseline's)
 * order. Of several entries with one fingerprint a run matches the first
 * ones, so the last ones are those still resolved.
 */
static void join_resolved(rmerge *m) {
    size_t n, *np = lz_calloc(m->n, sizeof *np);
    fpref **parts = lz_calloc(m->n, sizeof *parts);
    for (size_t p = 0; p < m->n; p++) parts[p] = sorted_resolved(&m->parts[p], &np[p]);
    n = np[0];
    m->resolved_keep = lz_calloc(n ? n : 1, sizeof(bool));
    for (size_t g = 0; g < n;) {
        size_t end = g;
        while (end < n && strcmp(parts[0][end].fp, parts[0][g].fp) == 0) end++;
        size_t keep = end - g;
        for (size_t p = 1; p < m->n; p++) {
            size_t c = count_fp(parts[p], np[p], parts[0][g].fp);
            keep = c < keep ? c : keep;
        }
        for (size_t k = end - keep; k < end; k++) m->resolved_keep[parts[0][k].i] = true;
        m->nresolved += keep;
        g = end;
    }
    for (size_t p = 0; p < m->n; p++) free(parts[p]);
    free(parts);
    free(np);
}

static void write_resolved(jsonw *w, const rmerge *m) {
    const rpart *first = &m->parts[0];
    const jv_store *s = first->d->store;
    jsonw_key(w, "resolved");
    jsonw_begin_array(w);
    for (size_t i = 0; i < jv_len(s, first->resolved); i++)
        if (m->resolved_keep[i]) jsonw_value(w, s, jv_at(s, first->resolved, i));
    jsonw_end_array(w);
}

static void write_baseline(jsonw *w, const rmerge *m) {
    const rpart *first = &m->parts[0];
    static const char *const states[] = {"new", "unchanged", "updated"};
    jsonw_key(w, "baseline");
    jsonw_begin_object(w);
    copy_member(w, first->d, first->baseline, "source");
    copy_member(w, first->d, first->baseline, "format");
    jsonw_key(w, "counts");
    jsonw_begin_object(w);
    for (size_t s = 0; s < 3; s++) {
        size_t n = 0;
        for (size_t i = 0; i < m->nf; i++) n += str_eq(m->f[i].bstate, states[s]);
        jsonw_kv_uint(w, states[s], n);
    }
    jsonw_kv_uint(w, "absent", m->nresolved);
    jsonw_end_object(w);
    jsonw_end_object(w);
    write_resolved(w, m);
}

static void write_exemptions(jsonw *w, const rmerge *m) {
    const rpart *first = &m->parts[0];
    const lzdoc *d = first->d;
    jv_t entries = lzdoc_arr(d, first->exemptions, "entries");
    jsonw_key(w, "exemptions");
    jsonw_begin_object(w);
    copy_member(w, d, first->exemptions, "source");
    copy_member(w, d, first->exemptions, "evaluatedAt");
    jsonw_key(w, "entries");
    jsonw_begin_array(w);
    for (size_t i = 0; i < jv_len(d->store, entries); i++) {
        jv_t x = jv_at(d->store, entries, i);
        jsonw_begin_object(w);
        for (size_t k = 0; k < jv_len(d->store, x); k++) {
            const char *key = jv_atom_str(d->store, jv_key_atom(d->store, x, k), NULL);
            if (strcmp(key, "matched") == 0) continue;
            jsonw_key(w, key);
            jsonw_value(w, d->store, jv_at(d->store, x, k));
        }
        uint64_t matched = 0; /* each shard counts the findings it holds */
        for (size_t p = 0; p < m->n; p++) {
            uint64_t c = 0;
            const lzdoc *pd = m->parts[p].d;
            lzdoc_uint(pd, jv_at(pd->store, lzdoc_arr(pd, m->parts[p].exemptions, "entries"), i), "matched",
                       &c);
            matched += c;
        }
        jsonw_kv_uint(w, "matched", matched);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

/* What the single run exits with: --soft-fail 0; else 3 (gaps, or a shard
 * missing) before 1 (gating findings) before 0. */
static int joined_exit(const rmerge *m, bool *soft) {
    int code = m->missing ? 3 : 0;
    *soft = false;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t c = 0;
        lzdoc_uint(m->parts[i].d, m->parts[i].gate, "exitCode", &c);
        code = merge_exit_join(code, (int)c);
        lzdoc_bool(m->parts[i].d, m->parts[i].gate, "softFail", soft);
    }
    return *soft ? 0 : code;
}

static int write_gate(jsonw *w, const rmerge *m) {
    const rpart *first = &m->parts[0];
    uint64_t gating = 0;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t g = 0;
        lzdoc_uint(m->parts[i].d, m->parts[i].gate, "gating", &g);
        gating += g;
    }
    bool soft;
    int code = joined_exit(m, &soft);
    jsonw_key(w, "gate");
    jsonw_begin_object(w);
    copy_member(w, first->d, first->gate, "failOn");
    copy_member(w, first->d, first->gate, "failOnNew");
    copy_member(w, first->d, first->gate, "softFail");
    jsonw_kv_uint(w, "gating", gating);
    jsonw_key(w, "exitCode");
    jsonw_int(w, code);
    jsonw_end_object(w);
    return code;
}

static int write_report(rmerge *m, lz_buf *out, int *exit_code, lz_err *e) {
    const rpart *first = &m->parts[0];
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "schemaVersion", OUT_JSON_SCHEMA_VERSION);
    copy_member(&w, first->d, first->d->root, "tool");
    copy_member(&w, first->d, first->d->root, "rulePack");
    write_scan(&w, m);
    write_summary(&w, m);
    write_rules(&w, m);
    write_findings(&w, m);
    if (first->baseline != JV_MISSING) {
        join_resolved(m);
        write_baseline(&w, m);
    }
    if (first->exemptions != JV_MISSING) write_exemptions(&w, m);
    *exit_code = coverage_complete(m) ? 0 : 3;
    if (first->gate != JV_MISSING) *exit_code = write_gate(&w, m);
    jsonw_end_object(&w);
    return jsonw_finish(&w, e) == 0 ? 0 : lz_err_prefix(e, "merged JSON report");
}

/* ---- the merge ---- */

static int prepare(rmerge *m, const lzdoc *docs, size_t n, const merge_opts *o, lz_err *e) {
    rpart *read = lz_calloc(n, sizeof *read);
    merge_shard *sh = lz_calloc(n, sizeof *sh);
    size_t *order = lz_calloc(n, sizeof *order);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = read_part(&read[i], &docs[i], e);
        sh[i] = read[i].shard;
    }
    if (rc == 0) rc = merge_check_shards(sh, n, o, &m->missing, e);
    if (rc == 0) {
        merge_part_order(sh, n, order);
        m->parts = lz_calloc(n, sizeof *m->parts);
        for (size_t i = 0; i < n; i++) m->parts[i] = read[order[i]];
        m->n = n;
    }
    for (size_t i = 1; i < m->n && rc == 0; i++) rc = compare(&m->parts[0], &m->parts[i], e);
    free(read);
    free(sh);
    free(order);
    return rc;
}

int report_merge(const lzdoc *docs, size_t n, const merge_opts *o, lz_buf *out, int *exit_code, lz_err *e) {
    rmerge m = {0};
    *exit_code = 0;
    int rc = n ? prepare(&m, docs, n, o, e) : lz_errf(e, "no report to merge");
    if (rc == 0) {
        const rpart *first = &m.parts[0];
        m.nrules = jv_len(first->d->store, first->rules);
        m.rule_ids = lz_calloc(m.nrules ? m.nrules : 1, sizeof *m.rule_ids);
        for (size_t r = 0; r < m.nrules; r++)
            m.rule_ids[r] = lzdoc_str(first->d, jv_at(first->d->store, first->rules, r), "id");
        rc = collect(&m, e);
    }
    if (rc == 0) rc = write_report(&m, out, exit_code, e);
    free(m.parts);
    free(m.missing);
    free(m.rule_ids);
    free(m.counts);
    free(m.f);
    free(m.resolved_keep);
    return rc;
}
