/*
 * engine.c - rules x applicable objects -> report. Selection is by type
 * index (inv_by_type) so that a rule only visits its own types; "*"
 * visits every object that can carry tags.
 *
 * Rules are independent: each reads the inventory, the topology and the
 * pack, and writes only its own results. So they are evaluated on as many
 * threads as there are CPUs (the calling thread included), each taking the
 * next rule nobody has started, with its own scratch store, regex match
 * data and join indexes. Every rule's results are kept apart and filed into
 * the report in pack order at the end, so the report is the one a single
 * thread gives, byte for byte, whichever thread evaluated what.
 */
#include "engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"

/* ---- parameters ---- */

typedef struct param_check {
    const rule *r;
    lz_err *e;
} param_check;

static int param_declared(rval *v, void *ctx) {
    param_check *pc = ctx;
    if (v->kind != RV_PARAM || v->param >= 0) return 0;
    return lz_errf(pc->e, "%s:%d:%d: rule %s uses parameter '%s', which the rule pack does not declare",
                   pc->r->source, v->line, v->col, pc->r->id, v->name);
}

static int param_index(const rule_pack *p, const char *name) {
    for (size_t i = 0; i < p->nparams; i++)
        if (strcmp(p->params[i].name, name) == 0) return (int)i;
    return -1;
}

static bool container(enum jv_kind k) {
    return k == JV_ARRAY || k == JV_OBJECT;
}

static int check_profile(const rule_pack *p, const profile *prof, lz_err *e) {
    const jv_store *s = profile_store(prof);
    jv_t params = profile_parameters(prof);
    for (size_t i = 0; i < jv_len(s, params); i++) {
        const char *name = jv_atom_str(s, jv_key_atom(s, params, i), NULL);
        int k = param_index(p, name);
        if (k < 0)
            return lz_errf(e, "%s: parameter '%s' is not declared by rule pack %s",
                           profile_where(prof, "parameters", name), name, p->name);
        /* A list where the pack expects a scalar (or the reverse) is a typo. */
        enum jv_kind want = jv_kind(p->priv->store, p->priv->defaults[k]);
        enum jv_kind got = jv_kind(s, jv_at(s, params, i));
        if (container(want) != container(got) || (container(want) && want != got))
            return lz_errf(e, "%s: parameter '%s' must be %s, like its default %s",
                           profile_where(prof, "parameters", name), name,
                           want == JV_ARRAY    ? "a list"
                           : want == JV_OBJECT ? "a mapping"
                                               : "a single value",
                           p->params[k].default_yaml);
    }
    return 0;
}

int engine_check_params(const rule_pack *p, const profile *prof, lz_err *e) {
    for (size_t i = 0; i < p->n; i++) {
        param_check pc = {p->rules[i], e};
        if (cond_each_rval(p->rules[i]->body, param_declared, &pc) < 0) return -1;
    }
    return prof ? check_profile(p, prof, e) : 0;
}

/* Each parameter's value for this run: the profile's, else the default. */
static jvr *param_values(const rule_pack *p, const profile *prof) {
    jvr *v = lz_calloc(p->nparams ? p->nparams : 1, sizeof *v);
    for (size_t i = 0; i < p->nparams; i++) {
        v[i] = (jvr){p->priv->store, p->priv->defaults[i]};
        if (!prof) continue;
        const jv_store *s = profile_store(prof);
        jv_t o = jv_get(s, profile_parameters(prof), p->params[i].name, strlen(p->params[i].name));
        if (o != JV_MISSING) v[i] = (jvr){s, o};
    }
    return v;
}

/* ---- running ---- */

/* What one rule produced, kept apart until every rule is done. */
typedef struct rule_out {
    finding *findings;
    size_t n, cap;
    size_t by_status[RS__COUNT];
} rule_out;

typedef struct run {
    const report *r; /* read only while rules run (its shard) */
    rule_out *out;
    const rule *rule;
    inv_idx res;
} run;

static void count(run *rn, enum result_status s) {
    if (s < RS__COUNT) rn->out->by_status[s]++;
}

/* Files a fail or unknown result: the finding takes ownership of the strings. */
static void add_finding(run *rn, finding *f) {
    f->rule = rn->rule;
    lz_buf fp = {0};
    lz_buf_puts(&fp, rn->rule->id);
    lz_buf_putc(&fp, '|');
    size_t at = fp.len;
    lz_buf_puts(&fp, f->subject_id);
    lz_lower(fp.data + at, fp.len - at);
    lz_sha256_hex(fp.data, fp.len, f->fingerprint);
    lz_buf_free(&fp);
    LZ_PUSH(rn->out->findings, rn->out->n, rn->out->cap, *f);
}

static void on_result(eval_result *res, void *ctx) {
    run *rn = ctx;
    count(rn, (enum result_status)res->status);
    if (res->status != RS_FAIL && res->status != RS_UNKNOWN) return;
    finding f = {0};
    f.status = (enum result_status)res->status;
    f.resource = rn->res;
    f.subject_id = lz_strdup(res->subject_id);
    f.message = res->message;
    f.evidence = res->ev;
    f.nevidence = res->nev;
    res->message = NULL;
    res->ev = NULL;
    res->nev = 0;
    add_finding(rn, &f);
}

/* Does a gap hide objects this rule would have evaluated? */
static bool gap_hides(const rule *ru, const inv_gap *g) {
    if (!g->scope[0]) return false; /* a whole-input gap is reported once, as coverage, not per rule */
    if (!g->type[0]) return true;
    return !strv_has(&ru->types, "*") && strv_has(&ru->types, g->type);
}

/*
 * Objects that were never read produce no result of their own, so each gap
 * that hides objects of a rule's types becomes one `unknown` result of that
 * rule, about the gap's scope (a subscription Resource Graph refused, a
 * private endpoint whose zone groups could not be listed). Without this a
 * 403'd subscription would simply vanish from the report.
 */
static void report_gaps(const eval_env *env, run *rn) {
    const inv_gap *gaps;
    size_t n = inv_gaps(env->inv, &gaps);
    for (size_t i = 0; i < n; i++) {
        const inv_gap *g = &gaps[i];
        if (!gap_hides(rn->rule, g) || !report_owns(rn->r, g->scope, strlen(g->scope))) continue;
        bool seen = false; /* one result per scope, whatever the number of types */
        for (size_t j = 0; j < i && !seen; j++)
            seen = gap_hides(rn->rule, &gaps[j]) && !strcmp(gaps[j].scope, g->scope);
        if (seen) continue;
        count(rn, RS_UNKNOWN);
        finding f = {0};
        f.status = RS_UNKNOWN;
        f.resource = inv_find(env->inv, g->scope, strlen(g->scope));
        f.subject_id = lz_strdup(g->scope);
        f.message = lz_asprintf("not evaluated: objects under %s were not read (coverage gap: %s)", g->scope,
                                g->reason);
        add_finding(rn, &f);
    }
}

/* Objects "*" selects: top-level resources, resource groups, subscriptions. */
static bool taggable(const inv_res *r) {
    return (r->cls == INV_RESOURCE && r->parent == INV_NONE) || r->cls == INV_RESOURCE_GROUP ||
           r->cls == INV_SUBSCRIPTION;
}

/* --shard: every result is about the object evaluated, so owning the
 * object is owning its results. */
static bool owned(const eval_env *env, const run *rn, inv_idx i) {
    if (!rn->r->shard.count) return true;
    const char *id = inv_str(env->inv, inv_get(env->inv, i)->id_fold);
    return report_owns(rn->r, id, strlen(id));
}

static void run_on(const eval_env *env, run *rn, inv_idx i) {
    if (!eval_kind_matches(env, rn->rule, i) || !owned(env, rn, i)) return;
    rn->res = i;
    eval_rule(env, rn->rule, i, on_result, rn);
}

static void run_rule(const eval_env *env, run *rn) {
    const rule *ru = rn->rule;
    if (strv_has(&ru->types, "*")) {
        size_t n = inv_count(env->inv);
        for (size_t i = 0; i < n; i++)
            if (taggable(inv_get(env->inv, (inv_idx)i))) run_on(env, rn, (inv_idx)i);
        return;
    }
    for (size_t t = 0; t < ru->types.n; t++) {
        size_t n;
        const inv_idx *idx = inv_by_type(env->inv, ru->types.v[t], &n);
        for (size_t i = 0; i < n; i++) run_on(env, rn, idx[i]);
    }
}

/* ---- threads ---- */

/* What the threads share: read only, but for the next rule to take. */
typedef struct pool {
    const rule_pack *p;
    inv *v;
    const topo *t;
    const jvr *params;
    const report *r;
    rule_out *outs; /* one per rule; a rule's is written only by the thread that took it */
    atomic_size_t next;
} pool;

/* A finished rule's results take only the memory they need: they are
 * copied into the report once every rule is done, and until then the
 * doubling slack of all of them would add to the scan's peak. */
static void shrink(rule_out *o) {
    if (o->n == o->cap) return;
    o->findings = o->n ? lz_realloc(o->findings, o->n * sizeof *o->findings) : (free(o->findings), NULL);
    o->cap = o->n;
}

static void *evaluate_rules(void *arg) {
    pool *pl = arg;
    eval_env env = {.inv = pl->v,
                    .topo = pl->t,
                    .pack_store = pl->p->priv->store,
                    .params = pl->params,
                    .scratch = jv_store_new(),
                    .md = pcre2_match_data_create(1, NULL),
                    .rx = rel_index_new()};
    for (size_t i; (i = atomic_fetch_add(&pl->next, 1)) < pl->p->n;) {
        run rn = {pl->r, &pl->outs[i], pl->p->rules[i], INV_NONE};
        run_rule(&env, &rn);
        report_gaps(&env, &rn);
        shrink(&pl->outs[i]);
    }
    pcre2_match_data_free(env.md);
    rel_index_free(env.rx);
    jv_store_free(env.scratch);
    return NULL;
}

enum { MAX_THREADS = 8 };

/* One per CPU, at most MAX_THREADS, at most one per rule. */
static size_t thread_count(size_t rules) {
    size_t k = lz_cpus();
    if (k > MAX_THREADS) k = MAX_THREADS;
    return k < rules ? k : rules ? rules : 1;
}

/* Files every rule's results into the report, in pack order. */
static void file_results(report *r, const rule_pack *p, rule_out *outs) {
    size_t total = r->nfindings;
    for (size_t i = 0; i < p->n; i++) total += outs[i].n;
    lz_grow(&r->findings, &r->capfindings, total, sizeof *r->findings);
    for (size_t i = 0; i < p->n; i++) {
        if (outs[i].n) memcpy(r->findings + r->nfindings, outs[i].findings, outs[i].n * sizeof *r->findings);
        r->nfindings += outs[i].n;
        free(outs[i].findings);
        for (int s = 0; s < RS__COUNT; s++) r->counts[i].by_status[s] += outs[i].by_status[s];
    }
}

int engine_run(const rule_pack *p, inv *v, const topo *t, const profile *prof, report *r, lz_err *e) {
    if (engine_check_params(p, prof, e) < 0) return -1;
    jvr *params = param_values(p, prof);
    if (!r->started) r->started = time(NULL);
    pool pl = {p, v, t, params, r, lz_calloc(p->n ? p->n : 1, sizeof *pl.outs), 0};
    pthread_t threads[MAX_THREADS];
    size_t started = 0, want = thread_count(p->n);
    /* A thread that cannot be started leaves its share to the others. */
    while (started + 1 < want && pthread_create(&threads[started], NULL, evaluate_rules, &pl) == 0) started++;
    evaluate_rules(&pl);
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    file_results(r, p, pl.outs);
    r->finished = time(NULL);
    free(pl.outs);
    free(params);
    return 0;
}
