/*
 * engine.c - rules x applicable objects -> report. Selection is by type
 * index (inv_by_type) so that a rule only visits its own types; "*"
 * visits every object that can carry tags.
 */
#include "engine.h"

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

typedef struct run {
    report *r;
    const rule *rule;
    size_t index;
    inv_idx res;
} run;

/* Files a fail or unknown result: the finding takes ownership of the strings. */
static void add_finding(run *rn, finding *f) {
    f->rule = rn->rule;
    lz_buf fp = {0};
    lz_buf_printf(&fp, "%s|%s", rn->rule->id, f->subject_id);
    lz_lower(fp.data + strlen(rn->rule->id) + 1, fp.len - strlen(rn->rule->id) - 1);
    lz_sha256_hex(fp.data, fp.len, f->fingerprint);
    lz_buf_free(&fp);
    report_add(rn->r, f);
}

static void on_result(eval_result *res, void *ctx) {
    run *rn = ctx;
    report_count(rn->r, rn->index, (enum result_status)res->status);
    if (res->status != RS_FAIL && res->status != RS_UNKNOWN) return;
    finding f = {0};
    f.status = (enum result_status)res->status;
    f.resource = rn->res;
    f.subject_id = res->subject_id;
    f.message = res->message;
    f.evidence = res->ev;
    f.nevidence = res->nev;
    res->subject_id = res->message = NULL;
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
        if (!gap_hides(rn->rule, g)) continue;
        bool seen = false; /* one result per scope, whatever the number of types */
        for (size_t j = 0; j < i && !seen; j++)
            seen = gap_hides(rn->rule, &gaps[j]) && !strcmp(gaps[j].scope, g->scope);
        if (seen) continue;
        report_count(rn->r, rn->index, RS_UNKNOWN);
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

static void run_on(const eval_env *env, run *rn, inv_idx i) {
    if (!eval_kind_matches(env, rn->rule, i)) return;
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

int engine_run(const rule_pack *p, inv *v, const topo *t, const profile *prof, report *r, lz_err *e) {
    if (engine_check_params(p, prof, e) < 0) return -1;
    jvr *params = param_values(p, prof);
    eval_env env = {
        v, t, p->priv->store, params, jv_store_new(), pcre2_match_data_create(1, NULL), rel_index_new()};
    if (!r->started) r->started = time(NULL);
    for (size_t i = 0; i < p->n; i++) {
        run rn = {r, p->rules[i], i, INV_NONE};
        run_rule(&env, &rn);
        report_gaps(&env, &rn);
    }
    r->finished = time(NULL);
    pcre2_match_data_free(env.md);
    rel_index_free(env.rx);
    jv_store_free(env.scratch);
    free(params);
    return 0;
}
