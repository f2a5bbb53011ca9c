/*
 * rule.c - severities, string lists, and walks over the compiled tree
 * (freeing, parameter references, the child types a rule reads).
 */
#include <stdlib.h>
#include <string.h>

#include "cond.h"

static const char *const sev_names[] = {"none", "low", "medium", "high", "critical"};

const char *rule_severity_name(enum rule_severity s) {
    return (s >= SEV_NONE && s <= SEV_CRITICAL) ? sev_names[s] : "none";
}

enum rule_severity rule_severity_parse(const char *s) {
    if (!s) return SEV_NONE;
    for (int i = SEV_LOW; i <= SEV_CRITICAL; i++)
        if (lz_strcaseeq(s, strlen(s), sev_names[i], strlen(sev_names[i]))) return (enum rule_severity)i;
    return SEV_NONE;
}

/* ---- string lists ---- */

void strv_push(rule_strv *v, const char *s) {
    v->v = lz_realloc(v->v, (v->n + 1) * sizeof *v->v);
    v->v[v->n++] = lz_strdup(s);
}

void strv_free(rule_strv *v) {
    for (size_t i = 0; i < v->n; i++) free(v->v[i]);
    free(v->v);
    *v = (rule_strv){0};
}

bool strv_has(const rule_strv *v, const char *s) {
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0) return true;
    return false;
}

/* ---- freeing ---- */

static void rpath_free(rpath *p) {
    jpath_free(p->p);
    free(p->bind);
    free(p->text);
}

void rval_free(rval *v) {
    if (!v) return;
    free(v->name);
    free(v->lower);
    if (v->path) {
        rpath_free(v->path);
        free(v->path);
    }
    for (size_t i = 0; i < v->nparts; i++) rval_free(&v->parts[i]);
    free(v->parts);
    if (v->key) {
        rval_free(v->key);
        free(v->key);
    }
}

void cond_free(rule_cond *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nkids; i++) cond_free(c->kids[i]);
    free(c->kids);
    rval_free(&c->operand);
    rval_free(&c->value);
    pcre2_code_free(c->re);
    pcre2_match_context_free(c->mctx);
    free(c->like_lower);
    rpath_free(&c->field);
    free(c->src_type);
    free(c->src_path);
    if (c->rel_key) {
        rval_free(c->rel_key);
        free(c->rel_key);
    }
    free(c->as);
    cond_free(c->where);
    cond_free(c->applies_where);
    for (size_t i = 0; i < c->neach; i++) {
        free(c->eachs[i].type);
        rpath_free(&c->eachs[i].path);
        free(c->eachs[i].key);
    }
    free(c->eachs);
    cond_free(c->unless);
    cond_free(c->check);
    strv_free(&c->kinds);
    free(c);
}

void rule_free(rule *r) {
    if (!r) return;
    free(r->id);
    free(r->title);
    free(r->description);
    free(r->remediation);
    free(r->beyond_policy);
    strv_free(&r->references);
    strv_free(&r->policy);
    strv_free(&r->mcsb);
    strv_free(&r->cis);
    strv_free(&r->landing_zone);
    strv_free(&r->types);
    strv_free(&r->needs);
    free(r->source);
    free(r->sha256);
    cond_free(r->body);
    free(r);
}

/* ---- walks ---- */

/* The references inside a value: concat parts, keys, nested fields. */
static int rval_walk(rval *v, cond_rval_fn fn, void *ctx) {
    if (!v) return 0;
    if ((v->kind == RV_PARAM || v->kind == RV_FACT) && fn(v, ctx) < 0) return -1;
    for (size_t i = 0; i < v->nparts; i++)
        if (rval_walk(&v->parts[i], fn, ctx) < 0) return -1;
    return rval_walk(v->key, fn, ctx);
}

int cond_each_rval(rule_cond *c, cond_rval_fn fn, void *ctx) {
    if (!c) return 0;
    if (rval_walk(&c->operand, fn, ctx) < 0 || rval_walk(&c->value, fn, ctx) < 0) return -1;
    if (rval_walk(c->rel_key, fn, ctx) < 0) return -1;
    for (size_t i = 0; i < c->nkids; i++)
        if (cond_each_rval(c->kids[i], fn, ctx) < 0) return -1;
    rule_cond *subs[] = {c->where, c->applies_where, c->unless, c->check};
    for (size_t i = 0; i < 4; i++)
        if (cond_each_rval(subs[i], fn, ctx) < 0) return -1;
    return 0;
}

void cond_collect_needs(const rule_cond *c, rule_strv *out) {
    if (!c) return;
    /* "*" (every object) is what the scan read anyway: nothing more to fetch */
    if (c->kind == C_COUNT && c->src_type && strcmp(c->src_type, "*") != 0 && !strv_has(out, c->src_type))
        strv_push(out, c->src_type);
    for (size_t i = 0; i < c->nkids; i++) cond_collect_needs(c->kids[i], out);
    const rule_cond *subs[] = {c->where, c->applies_where, c->unless, c->check};
    for (size_t i = 0; i < 4; i++) cond_collect_needs(subs[i], out);
}

/* ---- what a rule reads, for `rules show` ---- */

typedef struct refs_ctx {
    rule_strv *params, *facts;
} refs_ctx;

static int add_ref(rval *v, void *ctx) {
    refs_ctx *rc = ctx;
    rule_strv *into = v->kind == RV_PARAM ? rc->params : rc->facts;
    if (into && !strv_has(into, v->name)) strv_push(into, v->name);
    return 0;
}

void rule_refs(const rule *r, rule_strv *params, rule_strv *facts) {
    refs_ctx rc = {params, facts};
    cond_each_rval(r->body, add_ref, &rc);
}
