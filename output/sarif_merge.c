/*
 * sarif_merge.c - see sarif_merge.h.
 *
 * Every run of every log is read and checked, grouped by category, and
 * each group joined: the driver (with its rules) and automationDetails are
 * copied from the first run, results are copied from the parts, and what
 * is counted (notifications, gating, baseline counts, the exit code) is
 * recomputed with out_sarif.c's own wording.
 */
#include "sarif_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "out_run.h"
#include "out_sarif.h"

static const char *const log_keys[] = {"$schema", "version", "runs", NULL};
static const char *const run_keys[] = {"tool",    "automationDetails", "invocations", "columnKind",
                                       "results", "properties",        NULL};

#define N_TRUNCATED "lzscan/results-truncated"
#define N_GAP       "lzscan/coverage-gap"
#define N_UNKNOWN   "lzscan/unknown-results"
#define N_WARNING   "lzscan/warning"
#define N_NOTE      "lzscan/input-note"
#define N_MERGE     "lzscan/merge"

typedef struct srun {
    const lzdoc *d;
    size_t index;  /* runs[index] of d */
    char path[40]; /* "runs[2]" */
    char *name;    /* the part in messages: the file, or "file runs[2]" */
    jv_t run, driver, results, inv, notes, props;
    const char *category, *version, *start, *end;
    merge_shard shard;
    bool success;
    uint64_t exit_code, gating, left_out;
} srun;

typedef struct sres {
    const srun *r;
    jv_t v;
    const char *rule_id, *sev, *id, *status, *fp;
    size_t seq;
} sres;

typedef struct sgroup {
    srun **runs;
    size_t n, cap;
    char *missing;
    sres *res;
    size_t nres, capres, dropped, left_out;
} sgroup;

/* ---- reading runs ---- */

static int read_invocation(srun *r, lz_err *e) {
    const lzdoc *d = r->d;
    char path[64];
    snprintf(path, sizeof path, "%s.invocations[0]", r->path);
    r->inv = jv_at(d->store, lzdoc_arr(d, r->run, "invocations"), 0);
    if (jv_kind(d->store, r->inv) != JV_OBJECT || !lzdoc_uint(d, r->inv, "exitCode", &r->exit_code) ||
        !lzdoc_bool(d, r->inv, "executionSuccessful", &r->success))
        return lzdoc_err(d, r->path, e, "needs invocations[0] with exitCode and executionSuccessful");
    r->start = lzdoc_str(d, r->inv, "startTimeUtc");
    r->end = lzdoc_str(d, r->inv, "endTimeUtc");
    r->notes = lzdoc_arr(d, r->inv, "toolExecutionNotifications");
    for (size_t i = 0; i < jv_len(d->store, r->notes); i++) {
        jv_t x = jv_at(d->store, r->notes, i);
        const char *id = lzdoc_str(d, lzdoc_obj(d, x, "descriptor"), "id");
        if (!id || strcmp(id, N_TRUNCATED) != 0) continue;
        if (!lzdoc_uint(d, lzdoc_obj(d, x, "properties"), "leftOut", &r->left_out))
            return lzdoc_err(d, path, e, "its %s notification does not count what was left out", N_TRUNCATED);
    }
    return 0;
}

static int read_shard(srun *r, lz_err *e) {
    const lzdoc *d = r->d;
    jv_t sh = jv_get(d->store, r->props, "shard", 5);
    r->shard.part = r->name;
    if (sh == JV_MISSING) return 0;
    uint64_t k, n;
    r->shard.inventory = lzdoc_str(d, sh, "inventory");
    if (!lzdoc_uint(d, sh, "index", &k) || !lzdoc_uint(d, sh, "count", &n) || n < 1 || k < 1 || k > n ||
        n > 65535 || !r->shard.inventory)
        return lzdoc_err(d, r->path, e, "properties.shard: expected {index, count, inventory}");
    r->shard.index = (unsigned)k;
    r->shard.count = (unsigned)n;
    return 0;
}

static int read_run(srun *r, const lzdoc *d, size_t i, size_t nruns, lz_err *e) {
    memset(r, 0, sizeof *r);
    r->d = d;
    r->index = i;
    snprintf(r->path, sizeof r->path, "runs[%zu]", i);
    r->name = nruns > 1 ? lz_asprintf("%s %s", d->name, r->path) : lz_strdup(d->name);
    r->run = jv_at(d->store, lzdoc_arr(d, d->root, "runs"), i);
    if (jv_kind(d->store, r->run) != JV_OBJECT) return lzdoc_err(d, r->path, e, "not an object");
    if (lzdoc_only_keys(d, r->run, run_keys, r->path, e) < 0) return -1;
    r->driver = lzdoc_obj(d, lzdoc_obj(d, r->run, "tool"), "driver");
    const char *tool = lzdoc_str(d, r->driver, "name");
    if (!tool || strcmp(tool, "lzscan") != 0)
        return lzdoc_err(d, r->path, e, "a run of %s, not lzscan: only lzscan's own SARIF can be joined",
                         tool ? tool : "an unnamed tool");
    if (!(r->version = lzdoc_str(d, r->driver, "version")))
        return lzdoc_err(d, r->path, e, "tool.driver has no version");
    r->category = lzdoc_str(d, lzdoc_obj(d, r->run, "automationDetails"), "id");
    if (!r->category) r->category = "";
    if ((r->results = lzdoc_arr(d, r->run, "results")) == JV_MISSING)
        return lzdoc_err(d, r->path, e, "no results array");
    if ((r->props = lzdoc_obj(d, r->run, "properties")) == JV_MISSING)
        return lzdoc_err(d, r->path, e, "no properties (failOn, gating): not a log lzscan scan wrote");
    lzdoc_uint(d, r->props, "gating", &r->gating);
    return read_invocation(r, e) < 0 ? -1 : read_shard(r, e);
}

static int check_log(const lzdoc *d, lz_err *e) {
    const char *v = lzdoc_str(d, d->root, "version");
    if (!v || strcmp(v, "2.1.0") != 0)
        return lzdoc_err(d, "", e, "a SARIF log of version %s; lzscan joins SARIF 2.1.0", v ? v : "(none)");
    if (lzdoc_arr(d, d->root, "runs") == JV_MISSING) return lzdoc_err(d, "", e, "runs is not an array");
    return lzdoc_only_keys(d, d->root, log_keys, "", e);
}

/* ---- grouping and comparing ---- */

static bool str_eq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_member(const srun *a, const srun *b, jv_t oa, jv_t ob, const char *key) {
    char *x = lzdoc_text(a->d, jv_get(a->d->store, oa, key, strlen(key)), NULL);
    char *y = lzdoc_text(b->d, jv_get(b->d->store, ob, key, strlen(key)), NULL);
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* The baseline's size as a run saw it: findings it matched plus absent. */
static uint64_t baseline_size(const srun *r) {
    jv_t c = lzdoc_obj(r->d, r->props, "baselineCounts");
    uint64_t u = 0, up = 0, ab = 0;
    lzdoc_uint(r->d, c, "unchanged", &u);
    lzdoc_uint(r->d, c, "updated", &up);
    lzdoc_uint(r->d, c, "absent", &ab);
    return u + up + ab;
}

static int compare(const srun *a, const srun *b, lz_err *e) {
    if (strcmp(a->version, b->version) != 0)
        return lz_errf(e, "%s was written by lzscan %s and %s by lzscan %s: join the outputs of one version",
                       a->name, a->version, b->name, b->version);
    jv_t pa = lzdoc_obj(a->d, a->driver, "properties"), pb = lzdoc_obj(b->d, b->driver, "properties");
    if (!same_member(a, b, pa, pb, "rulePackSha256") || !same_member(a, b, pa, pb, "rulePackName") ||
        !same_member(a, b, pa, pb, "rulePackVersion"))
        return lz_errf(e, "%s and %s were scanned with different rule packs (%s %s and %s %s)", a->name,
                       b->name, lzdoc_str(a->d, pa, "rulePackName"), lzdoc_str(a->d, pa, "rulePackVersion"),
                       lzdoc_str(b->d, pb, "rulePackName"), lzdoc_str(b->d, pb, "rulePackVersion"));
    char *x = lzdoc_text(a->d, a->driver, NULL), *y = lzdoc_text(b->d, b->driver, NULL);
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    if (!same) return lz_errf(e, "%s and %s differ in their rules (tool.driver)", a->name, b->name);
    static const char *const gate[] = {"failOn", "failOnNew", "softFail", "baseline", "exemptions"};
    for (size_t i = 0; i < sizeof gate / sizeof *gate; i++)
        if (!same_member(a, b, a->props, b->props, gate[i]))
            return lz_errf(e,
                           "%s and %s differ in properties.%s: only the outputs of one scan configuration "
                           "can be joined",
                           a->name, b->name, gate[i]);
    if (baseline_size(a) != baseline_size(b))
        return lz_errf(e, "%s and %s were compared with different baselines", a->name, b->name);
    return 0;
}

static sgroup *group_of(sgroup **groups, size_t *n, size_t *cap, const char *category) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*groups)[i].runs[0]->category, category) == 0) return &(*groups)[i];
    LZ_PUSH(*groups, *n, *cap, ((sgroup){0}));
    return &(*groups)[*n - 1];
}

/* Orders a group's runs (shards by index) and checks them. */
static int check_group(sgroup *g, const merge_opts *o, lz_err *e) {
    merge_shard *sh = lz_calloc(g->n, sizeof *sh);
    size_t *order = lz_calloc(g->n, sizeof *order);
    srun **runs = lz_calloc(g->n, sizeof *runs);
    for (size_t i = 0; i < g->n; i++) sh[i] = g->runs[i]->shard;
    int rc = merge_check_shards(sh, g->n, o, &g->missing, e);
    merge_part_order(sh, g->n, order);
    for (size_t i = 0; i < g->n; i++) runs[i] = g->runs[order[i]];
    memcpy(g->runs, runs, g->n * sizeof *runs);
    for (size_t i = 1; i < g->n && rc == 0; i++) rc = compare(g->runs[0], g->runs[i], e);
    free(sh);
    free(order);
    free(runs);
    return rc;
}

/* ---- results ---- */

static int take_result(sgroup *g, const srun *r, size_t i, lz_err *e) {
    const lzdoc *d = r->d;
    jv_t v = jv_at(d->store, r->results, i);
    jv_t props = lzdoc_obj(d, v, "properties");
    sres x = {.r = r, .v = v, .seq = g->nres};
    x.rule_id = lzdoc_str(d, v, "ruleId");
    x.fp = lzdoc_str(d, lzdoc_obj(d, v, "partialFingerprints"), "primaryLocationLineHash");
    x.sev = lzdoc_str(d, props, "severity");
    x.status = lzdoc_str(d, props, "status");
    x.id = lzdoc_str(d, props, "resourceId");
    if (!x.rule_id || !merge_is_hex64(x.fp) || !merge_severity_rank(x.sev) || !x.status || !x.id) {
        char path[80];
        snprintf(path, sizeof path, "%s.results[%zu]", r->path, i);
        return lzdoc_err(d, path, e,
                         "a result needs ruleId, partialFingerprints.primaryLocationLineHash and "
                         "properties.severity, status and resourceId (lzscan writes them)");
    }
    LZ_PUSH(g->res, g->nres, g->capres, x);
    return 0;
}

static int by_fingerprint(const void *a, const void *b) {
    const sres *x = a, *y = b;
    int c = strcmp(x->fp, y->fp);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_report_order(const void *a, const void *b) {
    const sres *x = a, *y = b;
    int c = merge_finding_order(x->sev, x->rule_id, x->id, x->status, y->sev, y->rule_id, y->id, y->status);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* out_sarif.c's choice under the cap: failures, then unknown, then exempt;
 * most severe first; then report order (seq, once sorted). */
static int keep_rank(const char *status) {
    return strcmp(status, "fail") == 0 ? 0 : strcmp(status, "unknown") == 0 ? 1 : 2;
}

static int by_keep_order(const void *a, const void *b) {
    const sres *x = a, *y = b;
    int c = keep_rank(x->status) - keep_rank(y->status);
    if (c) return c;
    c = merge_severity_rank(y->sev) - merge_severity_rank(x->sev);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_seq(const void *a, const void *b) {
    const sres *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Across runs a fingerprint is one result written twice; within a run it
 * may repeat (see report_merge.c). Shards never overlap. */
static int dedupe(sgroup *g, lz_err *e) {
    qsort(g->res, g->nres, sizeof *g->res, by_fingerprint);
    size_t k = 0;
    for (size_t i = 0; i < g->nres; i++) {
        size_t f = k;
        while (f > 0 && strcmp(g->res[f - 1].fp, g->res[i].fp) == 0) f--;
        if (f < k && g->res[f].r != g->res[i].r) {
            if (g->runs[0]->shard.count)
                return lz_errf(e, "%s and %s both hold result %s on %s: the shards of one scan never overlap",
                               g->res[f].r->name, g->res[i].r->name, g->res[i].rule_id, g->res[i].id);
            g->dropped++;
            continue;
        }
        g->res[k++] = g->res[i];
    }
    g->nres = k;
    return 0;
}

static void cap_results(sgroup *g, size_t written_before) {
    qsort(g->res, g->nres, sizeof *g->res, by_report_order);
    for (size_t i = 0; i < g->nres; i++) g->res[i].seq = i;
    size_t max = OUT_SARIF_MAX_RESULTS, wanted = written_before;
    if (g->nres > max) {
        qsort(g->res, g->nres, sizeof *g->res, by_keep_order);
        g->nres = max;
        qsort(g->res, g->nres, sizeof *g->res, by_seq);
    }
    g->left_out = wanted > g->nres ? wanted - g->nres : 0;
}

static int join_results(sgroup *g, lz_err *e) {
    size_t wanted = 0;
    for (size_t i = 0; i < g->n; i++) {
        const srun *r = g->runs[i];
        for (size_t k = 0; k < jv_len(r->d->store, r->results); k++)
            if (take_result(g, r, k, e) < 0) return -1;
        wanted += r->left_out;
    }
    if (dedupe(g, e) < 0) return -1;
    cap_results(g, wanted + g->nres);
    return 0;
}

/* ---- notifications ---- */

static const char *notice_id(const lzdoc *d, jv_t x) {
    const char *id = lzdoc_str(d, lzdoc_obj(d, x, "descriptor"), "id");
    return id ? id : "";
}

static const char *notice_text(const lzdoc *d, jv_t x) {
    const char *t = lzdoc_str(d, lzdoc_obj(d, x, "message"), "text");
    return t ? t : "";
}

/* One rule's unknown results over the runs. */
typedef struct unknowns {
    const char *rule;
    uint64_t count;
    char *example, *example_id; /* the example of the run whose example comes first */
    const srun *r;              /* the first run that has the rule: its associatedRule is copied */
    jv_t note;
} unknowns;

/* out_sarif_unknown_text's example, recovered by making the text again. */
static int unknown_example(const char *rule_id, uint64_t n, const char *text, char **example) {
    *example = NULL;
    char *none = out_sarif_unknown_text(rule_id, n, NULL), *empty = out_sarif_unknown_text(rule_id, n, "");
    const char *eg = strstr(empty, ", e.g. ");
    size_t plen = eg ? (size_t)(eg - empty) + 7 : 0, slen = strlen(empty) - plen, tlen = strlen(text);
    int rc = 0;
    if (strcmp(text, none) == 0)
        rc = 0;
    else if (eg && tlen >= plen + slen && strncmp(text, empty, plen) == 0 &&
             strcmp(text + tlen - slen, empty + plen) == 0)
        *example = lz_strndup(text + plen, tlen - plen - slen);
    else
        rc = -1;
    free(none);
    free(empty);
    return rc;
}

static int casecmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return (x > y) - (x < y);
    }
}

static int add_unknown(unknowns **v, size_t *n, size_t *cap, const srun *r, jv_t x, lz_err *e) {
    const lzdoc *d = r->d;
    jv_t props = lzdoc_obj(d, x, "properties");
    const char *rule_id = lzdoc_str(d, lzdoc_obj(d, x, "associatedRule"), "id");
    const char *eg_id = lzdoc_str(d, props, "resourceId");
    uint64_t count;
    char *example;
    if (!rule_id || !lzdoc_uint(d, props, "count", &count) ||
        unknown_example(rule_id, count, notice_text(d, x), &example) < 0)
        return lzdoc_err(d, r->path, e,
                         "an %s notification lzscan did not write (no rule, count or its wording)",
                         N_UNKNOWN);
    unknowns *u = NULL;
    for (size_t i = 0; i < *n && !u; i++)
        if (strcmp((*v)[i].rule, rule_id) == 0) u = &(*v)[i];
    if (!u) {
        LZ_PUSH(*v, *n, *cap, ((unknowns){.rule = rule_id, .r = r, .note = x}));
        u = &(*v)[*n - 1];
    }
    u->count += count;
    /* the single run's example is its first unknown finding in report order */
    if (example && eg_id && (!u->example || casecmp(eg_id, u->example_id) < 0)) {
        free(u->example);
        free(u->example_id);
        u->example = example;
        u->example_id = lz_strdup(eg_id);
    } else {
        free(example);
    }
    return 0;
}

static void write_simple(jsonw *w, const char *level, const char *id, const char *text) {
    jsonw_begin_object(w);
    jsonw_kv_string(w, "level", level);
    jsonw_key(w, "descriptor");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "id", id);
    jsonw_end_object(w);
    jsonw_key(w, "message");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "text", text);
    jsonw_end_object(w);
}

static void write_unknown(jsonw *w, const unknowns *u) {
    const lzdoc *d = u->r->d;
    char *text = out_sarif_unknown_text(u->rule, u->count, u->example);
    write_simple(w, "warning", N_UNKNOWN, text);
    jsonw_key(w, "associatedRule");
    jsonw_value(w, d->store, lzdoc_obj(d, u->note, "associatedRule"));
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    jsonw_kv_uint(w, "count", u->count);
    if (u->example_id) jsonw_kv_string(w, "resourceId", u->example_id);
    jsonw_end_object(w);
    jsonw_end_object(w);
    free(text);
}

/* Copies each distinct notification of kind id (by its JSON text). */
static void write_copies(jsonw *w, const sgroup *g, const char *id, bool others) {
    static const char *const known[] = {N_TRUNCATED, N_GAP, N_UNKNOWN, N_WARNING, N_NOTE};
    merge_notes *seen = merge_notes_new(false);
    for (size_t i = 0; i < g->n; i++) {
        const lzdoc *d = g->runs[i]->d;
        for (size_t k = 0; k < jv_len(d->store, g->runs[i]->notes); k++) {
            jv_t x = jv_at(d->store, g->runs[i]->notes, k);
            const char *nid = notice_id(d, x);
            bool is_known = false;
            for (size_t j = 0; j < sizeof known / sizeof *known; j++) is_known |= strcmp(nid, known[j]) == 0;
            if (others ? is_known : strcmp(nid, id) != 0) continue;
            char *t = lzdoc_text(d, x, NULL);
            size_t before = merge_notes_count(seen);
            merge_notes_add(seen, t);
            if (merge_notes_count(seen) > before) jsonw_value(w, d->store, x);
            free(t);
        }
    }
    merge_notes_free(seen);
}

/* Texts of kind id united (an expired exemption's count summed). */
static void write_texts(jsonw *w, const sgroup *g, const char *id, const char *level) {
    merge_notes *u = merge_notes_new(true);
    for (size_t i = 0; i < g->n; i++) {
        const lzdoc *d = g->runs[i]->d;
        for (size_t k = 0; k < jv_len(d->store, g->runs[i]->notes); k++) {
            jv_t x = jv_at(d->store, g->runs[i]->notes, k);
            if (strcmp(notice_id(d, x), id) == 0) merge_notes_add(u, notice_text(d, x));
        }
    }
    for (size_t i = 0; i < merge_notes_count(u); i++) {
        write_simple(w, level, id, merge_notes_get(u, i));
        jsonw_end_object(w);
    }
    merge_notes_free(u);
}

static int write_unknowns(jsonw *w, const sgroup *g, lz_err *e) {
    unknowns *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        const lzdoc *d = g->runs[i]->d;
        for (size_t k = 0; k < jv_len(d->store, g->runs[i]->notes) && rc == 0; k++) {
            jv_t x = jv_at(d->store, g->runs[i]->notes, k);
            if (strcmp(notice_id(d, x), N_UNKNOWN) == 0) rc = add_unknown(&v, &n, &cap, g->runs[i], x, e);
        }
    }
    /* in the order of the rules, as the scanner writes them */
    const lzdoc *d = g->runs[0]->d;
    jv_t rules = lzdoc_arr(d, g->runs[0]->driver, "rules");
    for (size_t r = 0; r < jv_len(d->store, rules) && rc == 0; r++)
        for (size_t i = 0; i < n; i++)
            if (str_eq(v[i].rule, lzdoc_str(d, jv_at(d->store, rules, r), "id"))) write_unknown(w, &v[i]);
    for (size_t i = 0; i < n; i++) {
        free(v[i].example);
        free(v[i].example_id);
    }
    free(v);
    return rc;
}

static void write_merge_notes(jsonw *w, const sgroup *g) {
    if (!g->runs[0]->shard.count && g->n > 1) {
        char *t =
            lz_asprintf("joined from %zu runs scanned separately: each inferred its own topology", g->n);
        write_simple(w, "note", N_MERGE, t);
        jsonw_end_object(w);
        free(t);
    }
    if (g->dropped) {
        char *t =
            lz_asprintf("%zu results were in more than one joined run; each is written once", g->dropped);
        write_simple(w, "note", N_MERGE, t);
        jsonw_end_object(w);
        free(t);
    }
}

static int write_notifications(jsonw *w, const sgroup *g, lz_err *e) {
    jsonw_key(w, "toolExecutionNotifications");
    jsonw_begin_array(w);
    if (g->left_out) {
        char *text = out_sarif_truncated_text(g->left_out, g->nres);
        write_simple(w, "warning", N_TRUNCATED, text);
        jsonw_key(w, "properties");
        jsonw_begin_object(w);
        jsonw_kv_uint(w, "leftOut", g->left_out);
        jsonw_end_object(w);
        jsonw_end_object(w);
        free(text);
    }
    write_copies(w, g, N_GAP, false);
    if (g->missing) {
        char *t = lz_asprintf("coverage gap: %s", g->missing);
        write_simple(w, "error", N_GAP, t);
        jsonw_end_object(w);
        free(t);
    }
    if (write_unknowns(w, g, e) < 0) return -1;
    write_texts(w, g, N_WARNING, "warning");
    write_texts(w, g, N_NOTE, "note");
    write_copies(w, g, NULL, true);
    write_merge_notes(w, g);
    jsonw_end_array(w);
    return 0;
}

/* ---- the joined run ---- */

static void copy_member(jsonw *w, const lzdoc *d, jv_t obj, const char *key) {
    jv_t v = jv_get(d->store, obj, key, strlen(key));
    if (v == JV_MISSING) return;
    jsonw_key(w, key);
    jsonw_value(w, d->store, v);
}

/* The gate of the single run: its exit code, and the code before
 * --soft-fail that exitCodeDescription explains. */
static void joined_gate(const sgroup *g, out_run *run) {
    const srun *first = g->runs[0];
    bool soft = false, gaps = g->missing != NULL;
    lzdoc_bool(first->d, first->props, "softFail", &soft);
    const char *fail_on = lzdoc_str(first->d, first->props, "failOn");
    *run = (out_run){.fail_on = fail_on ? rule_severity_parse(fail_on) : SEV_LOW, .soft_fail = soft};
    lzdoc_bool(first->d, first->props, "failOnNew", &run->fail_on_new);
    if (run->fail_on == SEV_NONE) run->fail_on = SEV_LOW;
    /* under --soft-fail every run exits 0; one that had gaps says so */
    out_run partial = *run;
    partial.gate_code = 3;
    char *gap_text = out_sarif_exit_description(&partial);
    int code = gaps ? 3 : 0;
    for (size_t i = 0; i < g->n; i++) {
        const srun *r = g->runs[i];
        run->gating += r->gating;
        code = merge_exit_join(code, (int)r->exit_code);
        gaps |= str_eq(lzdoc_str(r->d, r->inv, "exitCodeDescription"), gap_text);
    }
    free(gap_text);
    run->gate_code = soft ? (gaps ? 3 : run->gating ? 1 : 0) : code;
    run->exit_code = soft ? 0 : code;
}

static int write_invocation(jsonw *w, const sgroup *g, int *exit_code, lz_err *e) {
    const char *start = NULL, *end = NULL;
    bool ok = !g->missing;
    for (size_t i = 0; i < g->n; i++) {
        start = merge_time_pick(start, g->runs[i]->start, false);
        end = merge_time_pick(end, g->runs[i]->end, true);
        ok &= g->runs[i]->success;
    }
    out_run run;
    joined_gate(g, &run);
    char *desc = out_sarif_exit_description(&run);
    jsonw_key(w, "invocations");
    jsonw_begin_array(w);
    jsonw_begin_object(w);
    jsonw_kv_bool(w, "executionSuccessful", ok);
    jsonw_key(w, "exitCode");
    jsonw_int(w, run.exit_code);
    jsonw_kv_string(w, "exitCodeDescription", desc);
    if (start) jsonw_kv_string(w, "startTimeUtc", start);
    if (end) jsonw_kv_string(w, "endTimeUtc", end);
    int rc = write_notifications(w, g, e);
    jsonw_end_object(w);
    jsonw_end_array(w);
    free(desc);
    *exit_code = run.exit_code;
    return rc;
}

static void write_baseline_counts(jsonw *w, const sgroup *g) {
    const srun *first = g->runs[0];
    jv_t fc = lzdoc_obj(first->d, first->props, "baselineCounts");
    if (fc == JV_MISSING) return;
    static const char *const keys[] = {"new", "unchanged", "updated"};
    uint64_t sums[3] = {0}, matched = 0, size = baseline_size(first);
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < 3; k++) {
            uint64_t c = 0;
            lzdoc_uint(g->runs[i]->d, lzdoc_obj(g->runs[i]->d, g->runs[i]->props, "baselineCounts"), keys[k],
                       &c);
            sums[k] += c;
            if (k) matched += c;
        }
    jsonw_key(w, "baselineCounts");
    jsonw_begin_object(w);
    for (size_t k = 0; k < 3; k++) jsonw_kv_uint(w, keys[k], sums[k]);
    jsonw_kv_uint(w, "absent", size > matched ? size - matched : 0); /* what no run matched */
    jsonw_end_object(w);
}

static void write_props(jsonw *w, const sgroup *g, const out_run *run) {
    const srun *first = g->runs[0];
    jsonw_key(w, "properties");
    jsonw_begin_object(w);
    copy_member(w, first->d, first->props, "failOn");
    copy_member(w, first->d, first->props, "failOnNew");
    jsonw_kv_uint(w, "gating", run->gating);
    copy_member(w, first->d, first->props, "softFail");
    copy_member(w, first->d, first->props, "baseline");
    write_baseline_counts(w, g);
    copy_member(w, first->d, first->props, "exemptions");
    jsonw_key(w, "mergedFrom");
    jsonw_begin_array(w);
    for (size_t i = 0; i < g->n; i++) {
        const srun *r = g->runs[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "file", r->d->name);
        jsonw_kv_uint(w, "run", r->index);
        if (r->shard.count) {
            jsonw_key(w, "shard");
            jsonw_begin_object(w);
            jsonw_kv_uint(w, "index", r->shard.index);
            jsonw_kv_uint(w, "count", r->shard.count);
            jsonw_end_object(w);
        }
        jsonw_kv_uint(w, "results", jv_len(r->d->store, r->results));
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static int write_run(jsonw *w, const sgroup *g, int *exit_code, lz_err *e) {
    const srun *first = g->runs[0];
    jsonw_begin_object(w);
    copy_member(w, first->d, first->run, "tool");
    copy_member(w, first->d, first->run, "automationDetails");
    if (write_invocation(w, g, exit_code, e) < 0) return -1;
    copy_member(w, first->d, first->run, "columnKind");
    jsonw_key(w, "results");
    jsonw_begin_array(w);
    for (size_t i = 0; i < g->nres; i++) jsonw_value(w, g->res[i].r->d->store, g->res[i].v);
    jsonw_end_array(w);
    out_run run;
    joined_gate(g, &run);
    write_props(w, g, &run);
    jsonw_end_object(w);
    return 0;
}

/* ---- the merge ---- */

typedef struct smerge {
    srun *runs;
    size_t nruns;
    sgroup *groups;
    size_t ngroups, capgroups;
} smerge;

static int read_all(smerge *m, const lzdoc *docs, size_t n, lz_err *e) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (check_log(&docs[i], e) < 0) return -1;
        total += jv_len(docs[i].store, lzdoc_arr(&docs[i], docs[i].root, "runs"));
    }
    if (!total) return lz_errf(e, "the SARIF logs hold no run");
    m->runs = lz_calloc(total, sizeof *m->runs);
    for (size_t i = 0; i < n; i++) {
        size_t nr = jv_len(docs[i].store, lzdoc_arr(&docs[i], docs[i].root, "runs"));
        for (size_t k = 0; k < nr; k++) {
            srun *r = &m->runs[m->nruns++];
            if (read_run(r, &docs[i], k, nr, e) < 0) return -1;
            sgroup *g = group_of(&m->groups, &m->ngroups, &m->capgroups, r->category);
            LZ_PUSH(g->runs, g->n, g->cap, r);
        }
    }
    return 0;
}

static int write_log(const smerge *m, const lzdoc *first, lz_buf *out, int *exit_code, lz_err *e) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    copy_member(&w, first, first->root, "$schema");
    jsonw_kv_string(&w, "version", "2.1.0");
    jsonw_key(&w, "runs");
    jsonw_begin_array(&w);
    int rc = 0;
    *exit_code = 0;
    for (size_t i = 0; i < m->ngroups && rc == 0; i++) {
        int code = 0;
        rc = write_run(&w, &m->groups[i], &code, e);
        *exit_code = merge_exit_join(*exit_code, code);
    }
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    if (rc < 0) {
        jsonw_free(&w);
        return -1;
    }
    return jsonw_finish(&w, e) == 0 ? 0 : lz_err_prefix(e, "merged SARIF log");
}

static void smerge_free(smerge *m) {
    for (size_t i = 0; i < m->ngroups; i++) {
        free(m->groups[i].runs);
        free(m->groups[i].missing);
        free(m->groups[i].res);
    }
    free(m->groups);
    for (size_t i = 0; i < m->nruns; i++) free(m->runs[i].name);
    free(m->runs);
}

int sarif_merge(const lzdoc *docs, size_t n, const merge_opts *o, lz_buf *out, int *exit_code, lz_err *e) {
    smerge m = {0};
    *exit_code = 0;
    int rc = n ? read_all(&m, docs, n, e) : lz_errf(e, "no SARIF log to merge");
    for (size_t i = 0; i < m.ngroups && rc == 0; i++) {
        rc = check_group(&m.groups[i], o, e);
        if (rc == 0) rc = join_results(&m.groups[i], e);
    }
    if (rc == 0) rc = write_log(&m, &docs[0], out, exit_code, e);
    smerge_free(&m);
    return rc;
}
