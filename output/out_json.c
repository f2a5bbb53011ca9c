#include "out_json.h"

#include <pthread.h>
#include <string.h>

#include "jsonw.h"
#include "out_common.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

static const char *const sev_keys[] = {"critical", "high", "medium", "low"};
static const enum rule_severity sev_vals[] = {SEV_CRITICAL, SEV_HIGH, SEV_MEDIUM, SEV_LOW};

static void strv(jsonw *w, const char *key, const rule_strv *v) {
    jsonw_key(w, key);
    jsonw_begin_array(w);
    for (size_t i = 0; i < v->n; i++) jsonw_string(w, v->v[i]);
    jsonw_end_array(w);
}

static void kv_time(jsonw *w, const char *key, time_t t) {
    char buf[32];
    jsonw_key(w, key);
    if (out_rfc3339(t, buf))
        jsonw_string(w, buf);
    else
        jsonw_null(w);
}

void out_json_tool(jsonw *w, const report *r) {
    jsonw_key(w, "tool");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "name", "lzscan");
    jsonw_kv_string(w, "version", LZSCAN_VERSION);
    jsonw_end_object(w);
    jsonw_key(w, "rulePack");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "name", r->pack && r->pack->name ? r->pack->name : "");
    jsonw_kv_string(w, "version", r->pack && r->pack->version ? r->pack->version : "");
    jsonw_kv_string(w, "sha256", r->pack ? r->pack->sha256 : "");
    jsonw_kv_uint(w, "rules", r->pack ? r->pack->n : 0);
    jsonw_end_object(w);
}

void out_json_coverage(jsonw *w, const report *r) {
    const inv_gap *gaps = NULL;
    size_t ngaps = r->inv ? inv_gaps(r->inv, &gaps) : 0;
    jsonw_key(w, "coverage");
    jsonw_begin_object(w);
    jsonw_kv_bool(w, "complete", ngaps == 0);
    jsonw_key(w, "gaps");
    jsonw_begin_array(w);
    for (size_t i = 0; i < ngaps; i++) {
        jsonw_begin_object(w);
        jsonw_kv_string(w, "scope", gaps[i].scope ? gaps[i].scope : "");
        jsonw_kv_string(w, "type", gaps[i].type ? gaps[i].type : "");
        jsonw_kv_string(w, "reason", gaps[i].reason ? gaps[i].reason : "");
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static void write_scan(jsonw *w, const report *r) {
    jsonw_key(w, "scan");
    jsonw_begin_object(w);
    /* A live scan reads no --input files; it names the scope it was given. */
    jsonw_kv_string(w, "source", r->ninputs == 0 && r->scope ? "live" : "offline");
    jsonw_key(w, "inputs");
    jsonw_begin_array(w);
    for (size_t i = 0; i < r->ninputs; i++) jsonw_string(w, r->inputs[i]);
    jsonw_end_array(w);
    if (r->scope) jsonw_kv_string(w, "scope", r->scope);
    jsonw_kv_string(w, "profile", r->profile_path); /* null when none */
    kv_time(w, "startedAt", r->started);
    kv_time(w, "finishedAt", r->finished);
    out_json_coverage(w, r);
    char *const *notes = NULL;
    size_t nnotes = r->inv ? inv_notes(r->inv, &notes) : 0;
    jsonw_key(w, "notes");
    jsonw_begin_array(w);
    for (size_t i = 0; i < nnotes; i++) jsonw_string(w, notes[i]);
    for (size_t i = 0; i < r->nwarnings; i++) jsonw_string(w, r->warnings[i]);
    jsonw_end_array(w);
    if (r->shard.count) { /* schema 1.2: `lzscan merge` joins the shards */
        jsonw_key(w, "shard");
        jsonw_begin_object(w);
        jsonw_kv_uint(w, "index", r->shard.index);
        jsonw_kv_uint(w, "count", r->shard.count);
        jsonw_kv_string(w, "inventory", r->shard.inventory);
        jsonw_end_object(w);
    }
    jsonw_end_object(w);
}

static void write_status_counts(jsonw *w, const char *key, const size_t by_status[RS__COUNT]) {
    jsonw_key(w, key);
    jsonw_begin_object(w);
    for (int s = 0; s < RS__COUNT; s++)
        jsonw_kv_uint(w, result_status_name((enum result_status)s), by_status[s]);
    jsonw_end_object(w);
}

/* Results of one status summed over the rules of one severity. */
static size_t count_by_severity(const report *r, enum rule_severity sev, enum result_status st) {
    size_t n = 0;
    for (size_t i = 0; r->pack && r->counts && i < r->pack->n; i++)
        if (r->pack->rules[i]->severity == sev) n += r->counts[i].by_status[st];
    return n;
}

static void write_by_severity(jsonw *w, const report *r, const char *key, enum result_status st) {
    jsonw_key(w, key);
    jsonw_begin_object(w);
    for (size_t i = 0; i < 4; i++) jsonw_kv_uint(w, sev_keys[i], count_by_severity(r, sev_vals[i], st));
    jsonw_end_object(w);
}

static void write_summary(jsonw *w, const report *r) {
    size_t totals[RS__COUNT], results = 0;
    for (int s = 0; s < RS__COUNT; s++) results += totals[s] = report_total(r, (enum result_status)s);
    jsonw_key(w, "summary");
    jsonw_begin_object(w);
    jsonw_kv_uint(w, "resources", r->inv ? inv_count(r->inv) : 0);
    jsonw_kv_uint(w, "results", results);
    write_status_counts(w, "byStatus", totals);
    write_by_severity(w, r, "failBySeverity", RS_FAIL);
    write_by_severity(w, r, "unknownBySeverity", RS_UNKNOWN);
    jsonw_end_object(w);
}

static void write_controls(jsonw *w, const rule *ru) {
    jsonw_key(w, "controls");
    jsonw_begin_object(w);
    strv(w, "mcsb", &ru->mcsb);
    strv(w, "cis", &ru->cis);
    strv(w, "landingZone", &ru->landing_zone);
    jsonw_end_object(w);
}

static void write_rules(jsonw *w, const report *r) {
    jsonw_key(w, "rules");
    jsonw_begin_array(w);
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        const rule *ru = r->pack->rules[i];
        static const size_t zero[RS__COUNT];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "id", ru->id);
        jsonw_kv_string(w, "title", ru->title);
        jsonw_kv_string(w, "severity", rule_severity_name(ru->severity));
        write_status_counts(w, "counts", r->counts ? r->counts[i].by_status : zero);
        write_controls(w, ru);
        strv(w, "policy", &ru->policy);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static void write_evidence(jsonw *w, const finding *f) {
    jsonw_key(w, "evidence");
    jsonw_begin_array(w);
    for (size_t i = 0; i < f->nevidence; i++) {
        jsonw_begin_object(w);
        jsonw_kv_string(w, "path", f->evidence[i].path ? f->evidence[i].path : "");
        jsonw_kv_string(w, "actual", f->evidence[i].actual ? f->evidence[i].actual : "missing");
        jsonw_kv_string(w, "expected", f->evidence[i].expected ? f->evidence[i].expected : "");
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static void write_exemption_ref(jsonw *w, const report_exemption *x) {
    jsonw_begin_object(w);
    jsonw_kv_string(w, "source", x->source);
    jsonw_kv_string(w, "justification", x->justification);
    jsonw_kv_string(w, "owner", x->owner);
    jsonw_kv_string(w, "ticket", x->ticket);
    jsonw_kv_string(w, "expires", x->expires);
    jsonw_end_object(w);
}

/* A rule's title and remediation as JSON strings, escaped once: every
 * finding repeats them, and they are half of a large report's bytes.
 * Findings come sorted by rule, so the last rule's are kept. */
typedef struct rule_text {
    const rule *rule;
    lz_buf title, remediation;
} rule_text;

static void escape_or_null(lz_buf *b, const char *s) {
    lz_buf_reset(b);
    if (s)
        jsonw_escape(b, s, strlen(s));
    else
        lz_buf_puts(b, "null");
}

static const rule_text *texts_of(rule_text *t, const rule *ru) {
    if (t->rule == ru) return t;
    t->rule = ru;
    escape_or_null(&t->title, ru->title);
    escape_or_null(&t->remediation, ru->remediation ? ru->remediation : "");
    return t;
}

static void write_finding(jsonw *w, const report *r, const finding *f, rule_text *cache) {
    const rule_text *t = texts_of(cache, f->rule);
    out_subject s;
    out_subject_get(r, f, &s);
    jsonw_begin_object(w);
    jsonw_kv_string(w, "ruleId", f->rule->id);
    jsonw_key(w, "title");
    jsonw_raw(w, t->title.data, t->title.len);
    jsonw_kv_string(w, "severity", rule_severity_name(f->rule->severity));
    jsonw_kv_string(w, "status", result_status_name(f->status));
    jsonw_kv_string(w, "resourceId", f->subject_id ? f->subject_id : "");
    jsonw_kv_string(w, "resourceType", s.type ? s.type : "");
    jsonw_kv_string(w, "resourceName", s.name);
    jsonw_kv_string(w, "subscriptionId", s.subscription);
    jsonw_kv_string(w, "resourceGroup", s.resource_group);
    jsonw_kv_string(w, "message", f->message ? f->message : "");
    write_evidence(w, f);
    jsonw_kv_string(w, "fingerprint", f->fingerprint);
    jsonw_key(w, "remediation");
    jsonw_raw(w, t->remediation.data, t->remediation.len);
    if (f->baseline != BS_NONE) jsonw_kv_string(w, "baselineState", baseline_state_name(f->baseline));
    const report_exemption *x = report_finding_exemption(r, f);
    if (x) {
        jsonw_key(w, "exemption");
        write_exemption_ref(w, x);
    }
    jsonw_end_object(w);
    out_subject_free(&s);
}

/* ---- baseline, exemptions, gate (schema 1.1) ---- */

static void write_baseline(jsonw *w, const report *r) {
    jsonw_key(w, "baseline");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "source", r->baseline_path);
    jsonw_kv_string(w, "format", r->baseline_format ? r->baseline_format : "json");
    jsonw_key(w, "counts");
    jsonw_begin_object(w);
    for (int s = BS_NEW; s < BS__COUNT; s++)
        jsonw_kv_uint(w, baseline_state_name((enum baseline_state)s),
                      report_baseline_count(r, (enum baseline_state)s));
    jsonw_end_object(w);
    jsonw_end_object(w);
    jsonw_key(w, "resolved");
    jsonw_begin_array(w);
    for (size_t i = 0; i < r->nresolved; i++) {
        const report_prior *p = &r->resolved[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "ruleId", p->rule_id);
        jsonw_kv_string(w, "title", p->title);
        jsonw_kv_string(w, "severity", p->severity);
        jsonw_kv_string(w, "status", p->status);
        jsonw_kv_string(w, "resourceId", p->resource_id);
        jsonw_kv_string(w, "message", p->message);
        jsonw_kv_string(w, "fingerprint", p->fingerprint);
        jsonw_kv_string(w, "baselineState", "absent");
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

static void write_exemptions(jsonw *w, const report *r) {
    char now[32];
    jsonw_key(w, "exemptions");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "source", r->exemptions_path);
    jsonw_kv_string(w, "evaluatedAt", out_rfc3339(r->now, now) ? now : NULL);
    jsonw_key(w, "entries");
    jsonw_begin_array(w);
    for (size_t i = 0; i < r->nexemptions; i++) {
        const report_exemption *x = &r->exemptions[i];
        jsonw_begin_object(w);
        jsonw_kv_string(w, "source", x->source);
        jsonw_key(w, "rules");
        jsonw_begin_array(w);
        for (size_t k = 0; k < x->nrules; k++) jsonw_string(w, x->rules[k]);
        jsonw_end_array(w);
        jsonw_kv_string(w, "justification", x->justification);
        jsonw_kv_string(w, "owner", x->owner);
        jsonw_kv_string(w, "ticket", x->ticket);
        jsonw_kv_string(w, "expires", x->expires);
        jsonw_kv_string(w, "state", x->expired ? "expired" : "active");
        jsonw_kv_uint(w, "matched", x->matched);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static void write_gate(jsonw *w, const out_run *run) {
    jsonw_key(w, "gate");
    jsonw_begin_object(w);
    jsonw_kv_string(w, "failOn", rule_severity_name(run->fail_on));
    jsonw_kv_bool(w, "failOnNew", run->fail_on_new);
    jsonw_kv_bool(w, "softFail", run->soft_fail);
    jsonw_kv_uint(w, "gating", run->gating);
    jsonw_key(w, "exitCode");
    jsonw_int(w, run->exit_code);
    jsonw_end_object(w);
}

/* ---- findings, on two threads ----
 * The findings are most of a large report's text, and each renders on its
 * own. So with a second CPU a helper thread renders every other block of
 * BLOCK findings into a buffer of its own while this thread renders the
 * blocks between, and the blocks are spliced into the report in order: the
 * text is the one a single thread writes. */

enum { BLOCK = 2048 };

typedef struct block {
    const report *r;
    const jsonw *shape; /* the report's writer as the findings array opened: read only */
    size_t from, to;
    lz_buf text;
    rule_text cache;
    const char *err; /* the first misuse of a block's writer */
} block;

static void render_block(block *b) {
    jsonw w;
    lz_buf_reset(&b->text);
    jsonw_init_items(&w, &b->text, b->shape, b->from == 0);
    for (size_t i = b->from; i < b->to; i++) write_finding(&w, b->r, &b->r->findings[i], &b->cache);
    if (w.err && !b->err) b->err = w.err;
    jsonw_free(&w);
}

static void block_free(block *b) {
    lz_buf_free(&b->text);
    lz_buf_free(&b->cache.title);
    lz_buf_free(&b->cache.remediation);
}

enum helper_state { HELPER_IDLE, HELPER_WORK, HELPER_DONE, HELPER_QUIT };

typedef struct helper {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum helper_state state;
    block b;
} helper;

static void *helper_main(void *arg) {
    helper *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->state != HELPER_WORK && h->state != HELPER_QUIT) pthread_cond_wait(&h->cv, &h->mu);
        if (h->state == HELPER_QUIT) break;
        pthread_mutex_unlock(&h->mu);
        render_block(&h->b);
        pthread_mutex_lock(&h->mu);
        h->state = HELPER_DONE;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void helper_set(helper *h, enum helper_state s) {
    pthread_mutex_lock(&h->mu);
    h->state = s;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static void helper_wait_done(helper *h) {
    pthread_mutex_lock(&h->mu);
    while (h->state != HELPER_DONE) pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

static size_t min_size(size_t a, size_t b) {
    return a < b ? a : b;
}

/* Blocks [from, from + BLOCK) here and the next one on the helper, in turn. */
static void render_in_pairs(jsonw *w, block *mine, helper *h) {
    size_t n = mine->r->nfindings;
    for (size_t from = 0; from < n; from += 2 * BLOCK) {
        size_t mid = min_size(from + BLOCK, n), end = min_size(from + 2 * BLOCK, n);
        if (mid < end) {
            h->b.from = mid;
            h->b.to = end;
            helper_set(h, HELPER_WORK);
        }
        mine->from = from;
        mine->to = mid;
        render_block(mine);
        jsonw_splice(w, mine->text.data, mine->text.len);
        if (mid < end) {
            helper_wait_done(h);
            jsonw_splice(w, h->b.text.data, h->b.text.len);
        }
    }
}

static void write_findings(jsonw *w, const report *r) {
    jsonw shape;
    jsonw_init_items(&shape, NULL, w, false);
    block mine = {.r = r, .shape = &shape};
    helper h = {.state = HELPER_IDLE, .b = {.r = r, .shape = &shape}};
    pthread_t thread;
    bool two = r->nfindings > BLOCK && lz_cpus() > 1;
    if (two) {
        pthread_mutex_init(&h.mu, NULL);
        pthread_cond_init(&h.cv, NULL);
        if (pthread_create(&thread, NULL, helper_main, &h) != 0) {
            two = false;
            pthread_cond_destroy(&h.cv);
            pthread_mutex_destroy(&h.mu);
        }
    }
    if (two) {
        render_in_pairs(w, &mine, &h);
        helper_set(&h, HELPER_QUIT);
        pthread_join(thread, NULL);
        pthread_cond_destroy(&h.cv);
        pthread_mutex_destroy(&h.mu);
    } else {
        for (size_t i = 0; i < r->nfindings; i++) write_finding(w, r, &r->findings[i], &mine.cache);
    }
    const char *err = mine.err ? mine.err : h.b.err;
    if (err && !w->err) w->err = err;
    block_free(&mine);
    block_free(&h.b);
    jsonw_free(&shape);
}

int out_json_report(const report *r, lz_buf *out, lz_err *e) {
    return out_json_report_run(r, NULL, out, e);
}

int out_json_report_run(const report *r, const out_run *run, lz_buf *out, lz_err *e) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    jsonw_kv_string(&w, "schemaVersion", OUT_JSON_SCHEMA_VERSION);
    out_json_tool(&w, r);
    write_scan(&w, r);
    write_summary(&w, r);
    write_rules(&w, r);
    jsonw_key(&w, "findings");
    jsonw_begin_array(&w);
    write_findings(&w, r);
    jsonw_end_array(&w);
    if (r->baseline_path) write_baseline(&w, r);
    if (r->exemptions_path) write_exemptions(&w, r);
    if (run) write_gate(&w, run);
    jsonw_end_object(&w);
    return jsonw_finish(&w, e) == 0 ? 0 : lz_err_prefix(e, "JSON report");
}
