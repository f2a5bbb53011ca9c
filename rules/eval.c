/*
 * eval.c - evaluates a compiled rule on one resource.
 *
 * Three-valued (Kleene) logic throughout. Evidence is gathered by polarity:
 * a leaf records what it saw only when its outcome goes against what its
 * position wants (false normally, true under an odd number of `not`s), and
 * each node keeps its children's evidence only when its own outcome is that
 * contradicting one. So a fail ends up carrying exactly the leaf
 * comparisons that decided it. Unknown reasons are kept the same way: the
 * first reason of a node whose outcome is unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/u32map.h"
#include "../scanner/armid.h"
#include "../scanner/inventory.h"
#include "../scanner/topology.h"
#include "cond.h"
#include "report.h"

#define MAX_EVIDENCE 32
#define MAX_ACTUAL   1024

/* The item of an enclosing count with `as: NAME`, for $NAME. paths. */
typedef struct binding {
    const char *name;
    const jv_store *s;
    jv_t v;
    inv_idx inv; /* the inventory object the item is, or INV_NONE */
} binding;

typedef struct ectx {
    const eval_env *env;
    const jv_store *is; /* the inventory's store: every inventory object is in it */
    jv_t res_obj;       /* the rule's resource, for $resource. paths */
    inv_idx res_inv;
    const jv_store *cur_s; /* the store cur is in (the inventory's, except for items of values) */
    jv_t cur;              /* the value conditions read from */
    inv_idx cur_inv;       /* the nearest inventory object (cur itself, or the one holding it) */
    binding *binds;        /* innermost last */
    size_t nbinds, capbinds;
    char *prefix; /* evidence path of cur: NULL, "properties.subnets[1]", "X -> " */
    bool negated; /* under an odd number of `not`s: the wanted outcome is false */
    int quiet;    /* inside count.where / applies / unless: no evidence */
    evidence *ev;
    size_t nev, capev;
    char *reason; /* why the current node is unknown */
} ectx;

static tri eval(ectx *x, const rule_cond *c);

static tri tri_not(tri t) {
    return t == TRI_UNKNOWN ? t : (t == TRI_TRUE ? TRI_FALSE : TRI_TRUE);
}
static tri tri_and(tri a, tri b) {
    if (a == TRI_FALSE || b == TRI_FALSE) return TRI_FALSE;
    return (a == TRI_UNKNOWN || b == TRI_UNKNOWN) ? TRI_UNKNOWN : TRI_TRUE;
}
static tri contradict(const ectx *x) {
    return x->negated ? TRI_TRUE : TRI_FALSE;
}

/* ---- reasons and evidence ---- */

static void set_reason(ectx *x, char *reason) {
    if (x->reason)
        free(reason); /* the first reason wins */
    else
        x->reason = reason;
}

static void ev_truncate(ectx *x, size_t mark) {
    while (x->nev > mark) {
        evidence *e = &x->ev[--x->nev];
        free(e->path);
        free(e->actual);
        free(e->expected);
    }
}

/* prefix + rel, with "." between unless prefix ends an arrow or rel is an index. */
static char *join_path(const ectx *x, const char *rel) {
    const char *p = x->prefix ? x->prefix : "";
    size_t pl = strlen(p);
    if (!pl) return lz_strdup(*rel ? rel : "@");
    if (!*rel) return lz_strdup(p);
    bool arrow = pl >= 3 && strcmp(p + pl - 3, "-> ") == 0;
    return lz_asprintf("%s%s%s", p, (arrow || rel[0] == '[') ? "" : ".", rel);
}

/* JSON text of v, cut at MAX_ACTUAL bytes (on a UTF-8 boundary). */
static char *actual_text(jvr v) {
    if (v.v == JV_MISSING) return lz_strdup("missing");
    lz_buf b = {0};
    jtext_value(&b, v.s, v.v);
    if (b.len > MAX_ACTUAL) {
        size_t cut = MAX_ACTUAL;
        while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80) cut--;
        b.len = cut;
        lz_buf_puts(&b, "...");
    }
    return lz_buf_steal(&b);
}

/* Takes ownership of path, actual and expected. */
static void ev_add_text(ectx *x, char *path, char *actual, char *expected) {
    if (x->quiet || x->nev >= MAX_EVIDENCE) {
        free(path);
        free(actual);
        free(expected);
        return;
    }
    evidence e = {path, actual, expected};
    LZ_PUSH(x->ev, x->nev, x->capev, e);
}

static void ev_add(ectx *x, char *path, jvr actual, char *expected) {
    bool keep = !x->quiet && x->nev < MAX_EVIDENCE;
    ev_add_text(x, path, keep ? actual_text(actual) : NULL, expected);
}

/* ---- value helpers ---- */

static enum jv_kind kind(jvr a) {
    return jv_kind(a.s, a.v);
}

/* JSON number syntax (RFC 8259): what "numeric string" means. */
static bool is_number_text(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f) return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ex = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == ex) return false;
    }
    return i == n;
}

/* A number, or a string holding one. */
static bool num_of(jvr a, double *out) {
    enum jv_kind k = kind(a);
    if (k != JV_NUMBER && k != JV_STRING) return false;
    size_t n;
    const char *t = jv_str(a.s, a.v, &n);
    if (k == JV_STRING && !is_number_text(t, n)) return false;
    *out = strtod(t, NULL);
    return true;
}

/* Text of a scalar: strings, numbers, and booleans as "true"/"false". */
static const char *text_of(jvr a, size_t *n) {
    switch (kind(a)) {
    case JV_STRING:
    case JV_NUMBER:
        return jv_str(a.s, a.v, n);
    case JV_TRUE:
        *n = 4;
        return "true";
    case JV_FALSE:
        *n = 5;
        return "false";
    default:
        *n = 0;
        return NULL;
    }
}

static bool is_bool(enum jv_kind k) {
    return k == JV_TRUE || k == JV_FALSE;
}

static bool jeq(jvr a, jvr b);

static bool obj_eq(jvr a, jvr b) {
    size_t n = jv_len(a.s, a.v);
    if (n != jv_len(b.s, b.v)) return false;
    for (size_t i = 0; i < n; i++) {
        size_t kl;
        const char *k = jv_atom_str(a.s, jv_key_atom(a.s, a.v, i), &kl);
        jv_t bv = jv_get(b.s, b.v, k, kl);
        if (bv == JV_MISSING || !jeq((jvr){a.s, jv_at(a.s, a.v, i)}, (jvr){b.s, bv})) return false;
    }
    return true;
}

/* Azure Policy equality: case-insensitive strings, numbers numerically when
 * a number is involved, booleans against "true"/"false", deep containers. */
static bool jeq(jvr a, jvr b) {
    enum jv_kind ka = kind(a), kb = kind(b);
    if (ka == JV_ARRAY || kb == JV_ARRAY) {
        if (ka != kb || jv_len(a.s, a.v) != jv_len(b.s, b.v)) return false;
        for (size_t i = 0; i < jv_len(a.s, a.v); i++)
            if (!jeq((jvr){a.s, jv_at(a.s, a.v, i)}, (jvr){b.s, jv_at(b.s, b.v, i)})) return false;
        return true;
    }
    if (ka == JV_OBJECT || kb == JV_OBJECT) return ka == kb && obj_eq(a, b);
    if (ka == JV_NULL || kb == JV_NULL) return ka == kb;
    if (ka == JV_NUMBER || kb == JV_NUMBER) {
        double x, y;
        return num_of(a, &x) && num_of(b, &y) && x == y;
    }
    if (is_bool(ka) && is_bool(kb)) return ka == kb;
    size_t na, nb;
    const char *ta = text_of(a, &na), *tb = text_of(b, &nb);
    return ta && tb && lz_strcaseeq(ta, na, tb, nb);
}

static inline unsigned char fold(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Whole-string wildcard match; pattern already lower-cased. Greedy with
 * backtracking to the last '*', so linear in practice. */
static bool like_match(const char *s, size_t n, const char *p, size_t pn) {
    size_t i = 0, j = 0, mark = 0, star = (size_t)-1;
    while (i < n) {
        if (j < pn && (p[j] == '?' || (p[j] != '*' && p[j] == (char)fold((unsigned char)s[i])))) {
            i++;
            j++;
        } else if (j < pn && p[j] == '*') {
            star = j++;
            mark = i;
        } else if (star != (size_t)-1) {
            j = star + 1;
            i = ++mark;
        } else {
            return false;
        }
    }
    while (j < pn && p[j] == '*') j++;
    return j == pn;
}

/* Case-insensitive substring; needle already lower-cased. */
static bool contains_text(const char *h, size_t hn, const char *needle, size_t nn) {
    if (nn == 0) return true;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && (char)fold((unsigned char)h[i + k]) == needle[k]) k++;
        if (k == nn) return true;
    }
    return false;
}

/* Ordering: numbers numerically, else strings case-insensitively. */
static bool ordered_cmp(jvr a, jvr b, int *out) {
    double x, y;
    if (num_of(a, &x) && num_of(b, &y)) {
        *out = (x > y) - (x < y);
        return true;
    }
    enum jv_kind ka = kind(a), kb = kind(b);
    if ((ka != JV_STRING && ka != JV_NUMBER) || (kb != JV_STRING && kb != JV_NUMBER)) return false;
    size_t na, nb;
    const char *ta = jv_str(a.s, a.v, &na), *tb = jv_str(b.s, b.v, &nb);
    for (size_t i = 0; i < na && i < nb; i++) {
        unsigned char ca = fold((unsigned char)ta[i]), cb = fold((unsigned char)tb[i]);
        if (ca != cb) {
            *out = ca < cb ? -1 : 1;
            return true;
        }
    }
    *out = (na > nb) - (na < nb);
    return true;
}

static bool non_empty(jvr v) {
    switch (kind(v)) {
    case JV_KIND_MISSING:
    case JV_NULL:
        return false;
    case JV_STRING:
        return jv_str(v.s, v.v, NULL)[0] != '\0';
    case JV_ARRAY:
    case JV_OBJECT:
        return jv_len(v.s, v.v) > 0;
    default:
        return true;
    }
}

/* Is obj[key] present (case-insensitively) and non-empty? */
static bool has_key(jvr obj, jvr key) {
    size_t kl;
    const char *k = jv_str(key.s, key.v, &kl);
    if (!k || kind(obj) != JV_OBJECT) return false;
    return non_empty((jvr){obj.s, jv_get(obj.s, obj.v, k, kl)});
}

/* ---- operators ---- */

static tri regex_match(ectx *x, const rule_cond *c, jvr val, const char *path) {
    size_t n;
    const char *t = text_of(val, &n);
    if (!t) return TRI_FALSE;
    int rc = pcre2_match(c->re, (PCRE2_SPTR)t, n, 0, 0, x->env->md, c->mctx);
    if (rc >= 0) return TRI_TRUE;
    if (rc == PCRE2_ERROR_NOMATCH) return TRI_FALSE;
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    const char *pat = jv_str(x->env->pack_store, c->operand.lit, NULL);
    set_reason(
        x, lz_asprintf("regex /%s/ could not decide on %s: %s", pat ? pat : "?", path, (const char *)msg));
    return TRI_UNKNOWN;
}

static bool like_value(const rule_cond *c, jvr val, jvr opnd) {
    size_t n, pn;
    const char *t = text_of(val, &n);
    if (!t) return false;
    if (c->like_lower) return like_match(t, n, c->like_lower, strlen(c->like_lower));
    const char *p = text_of(opnd, &pn);
    if (!p) return false;
    char *low = lz_strndup(p, pn);
    lz_lower(low, pn);
    bool m = like_match(t, n, low, pn);
    free(low);
    return m;
}

static bool contains_value(const rule_cond *c, jvr val, jvr opnd) {
    if (kind(val) == JV_ARRAY) {
        for (size_t i = 0; i < jv_len(val.s, val.v); i++)
            if (jeq((jvr){val.s, jv_at(val.s, val.v, i)}, opnd)) return true;
        return false;
    }
    size_t n, nn;
    const char *t = text_of(val, &n);
    const char *needle = text_of(opnd, &nn);
    if (!t || !needle) return false;
    if (c->operand.kind == RV_LITERAL && c->operand.lower) return contains_text(t, n, c->operand.lower, nn);
    char *low = lz_strndup(needle, nn);
    lz_lower(low, nn);
    bool m = contains_text(t, n, low, nn);
    free(low);
    return m;
}

static bool in_value(jvr val, jvr opnd) {
    if (kind(opnd) != JV_ARRAY) return jeq(val, opnd);
    for (size_t i = 0; i < jv_len(opnd.s, opnd.v); i++)
        if (jeq(val, (jvr){opnd.s, jv_at(opnd.s, opnd.v, i)})) return true;
    return false;
}

static bool has_keys_value(jvr val, jvr opnd) {
    if (kind(val) != JV_OBJECT) return false;
    if (kind(opnd) != JV_ARRAY) return has_key(val, opnd);
    for (size_t i = 0; i < jv_len(opnd.s, opnd.v); i++)
        if (!has_key(val, (jvr){opnd.s, jv_at(opnd.s, opnd.v, i)})) return false;
    return true;
}

/* The positive form of op on one present value. */
static tri apply_positive(ectx *x, const rule_cond *c, enum cond_op op, jvr val, jvr opnd, const char *path) {
    int cmp;
    switch (op) {
    case OP_EQUALS:
        return jeq(val, opnd) ? TRI_TRUE : TRI_FALSE;
    case OP_IN:
        return in_value(val, opnd) ? TRI_TRUE : TRI_FALSE;
    case OP_LIKE:
        return like_value(c, val, opnd) ? TRI_TRUE : TRI_FALSE;
    case OP_MATCH:
        return regex_match(x, c, val, path);
    case OP_CONTAINS:
        return contains_value(c, val, opnd) ? TRI_TRUE : TRI_FALSE;
    case OP_LESS:
        return (ordered_cmp(val, opnd, &cmp) && cmp < 0) ? TRI_TRUE : TRI_FALSE;
    case OP_LESS_OR_EQUALS:
        return (ordered_cmp(val, opnd, &cmp) && cmp <= 0) ? TRI_TRUE : TRI_FALSE;
    case OP_GREATER:
        return (ordered_cmp(val, opnd, &cmp) && cmp > 0) ? TRI_TRUE : TRI_FALSE;
    case OP_GREATER_OR_EQUALS:
        return (ordered_cmp(val, opnd, &cmp) && cmp >= 0) ? TRI_TRUE : TRI_FALSE;
    case OP_HAS_KEYS:
        return has_keys_value(val, opnd) ? TRI_TRUE : TRI_FALSE;
    default:
        return TRI_FALSE;
    }
}

static enum cond_op positive_of(enum cond_op op, bool *negative) {
    *negative = true;
    switch (op) {
    case OP_NOT_EQUALS:
        return OP_EQUALS;
    case OP_NOT_IN:
        return OP_IN;
    case OP_NOT_LIKE:
        return OP_LIKE;
    case OP_NOT_MATCH:
        return OP_MATCH;
    case OP_NOT_CONTAINS:
        return OP_CONTAINS;
    default:
        *negative = false;
        return op;
    }
}

/* op on one value, or on missing (val.v == JV_MISSING): the doc's table.
 * Every negative operator is its positive one negated, so on missing the
 * positive ones are false and the negative ones true. */
static tri apply_op(ectx *x, const rule_cond *c, jvr val, jvr opnd, const char *path) {
    if (c->op == OP_EXISTS) return ((val.v != JV_MISSING) == (kind(opnd) == JV_TRUE)) ? TRI_TRUE : TRI_FALSE;
    bool negative;
    enum cond_op pos = positive_of(c->op, &negative);
    tri r = val.v == JV_MISSING ? TRI_FALSE : apply_positive(x, c, pos, val, opnd, path);
    return negative ? tri_not(r) : r;
}

/* ---- expected phrases ---- */

static enum cond_op flip_op(enum cond_op op) {
    static const enum cond_op pairs[][2] = {
        {OP_EQUALS, OP_NOT_EQUALS},      {OP_IN, OP_NOT_IN},
        {OP_LIKE, OP_NOT_LIKE},          {OP_MATCH, OP_NOT_MATCH},
        {OP_CONTAINS, OP_NOT_CONTAINS},  {OP_LESS, OP_GREATER_OR_EQUALS},
        {OP_LESS_OR_EQUALS, OP_GREATER},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        if (pairs[i][0] == op) return pairs[i][1];
        if (pairs[i][1] == op) return pairs[i][0];
    }
    return op;
}

static const char *op_words(enum cond_op op) {
    switch (op) {
    case OP_NOT_EQUALS:
        return "not ";
    case OP_IN:
        return "one of ";
    case OP_NOT_IN:
        return "none of ";
    case OP_LIKE:
        return "like ";
    case OP_NOT_LIKE:
        return "not like ";
    case OP_MATCH:
        return "matching ";
    case OP_NOT_MATCH:
        return "not matching ";
    case OP_CONTAINS:
        return "containing ";
    case OP_NOT_CONTAINS:
        return "not containing ";
    case OP_LESS:
        return "< ";
    case OP_LESS_OR_EQUALS:
        return "<= ";
    case OP_GREATER:
        return "> ";
    case OP_GREATER_OR_EQUALS:
        return ">= ";
    default:
        return "";
    }
}

/* The keys of opnd that val lacks (or holds empty), as JSON text. */
static void missing_keys(lz_buf *b, jvr val, jvr opnd) {
    lz_buf_putc(b, '[');
    size_t n = kind(opnd) == JV_ARRAY ? jv_len(opnd.s, opnd.v) : 1, k = 0;
    for (size_t i = 0; i < n; i++) {
        jvr key = kind(opnd) == JV_ARRAY ? (jvr){opnd.s, jv_at(opnd.s, opnd.v, i)} : opnd;
        if (has_key(val, key)) continue;
        if (k++) lz_buf_putc(b, ',');
        jtext_value(b, key.s, key.v);
    }
    lz_buf_putc(b, ']');
}

/* What the leaf wanted, in the polarity of its position: "Disabled" becomes
 * not "Disabled" under `not`. */
static char *expected_phrase(const ectx *x, const rule_cond *c, jvr val, jvr opnd) {
    lz_buf b = {0};
    if (c->op == OP_EXISTS) {
        lz_buf_puts(&b, (kind(opnd) == JV_TRUE) != x->negated ? "present" : "absent");
    } else if (c->op == OP_HAS_KEYS) {
        lz_buf_puts(&b, x->negated ? "not all of the keys " : "non-empty keys ");
        if (x->negated)
            jtext_value(&b, opnd.s, opnd.v);
        else
            missing_keys(&b, val, opnd);
    } else {
        lz_buf_puts(&b, op_words(x->negated ? flip_op(c->op) : c->op));
        jtext_value(&b, opnd.s, opnd.v);
    }
    return lz_buf_steal(&b);
}

/* ---- reaching values ---- */

typedef struct found {
    jv_t v;
    char *concrete;
} found;

typedef struct foundv {
    found *f;
    size_t n, cap;
    bool paths; /* keep concrete paths (evidence is wanted) */
} foundv;

static void collect(jv_t value, const char *concrete, void *ctx) {
    foundv *fv = ctx;
    found f = {value, fv->paths ? lz_strdup(concrete) : NULL};
    LZ_PUSH(fv->f, fv->n, fv->cap, f);
}

static void foundv_free(foundv *fv) {
    for (size_t i = 0; i < fv->n; i++) free(fv->f[i].concrete);
    free(fv->f);
}

/* subscriptionId / resourceGroup of an object without that field: from the
 * inventory for an inventory object, else from the object's own id. */
static jv_t id_fallback(ectx *x, const rpath *p, jvr obj, inv_idx owner) {
    const inv_res *r = owner != INV_NONE ? inv_get(x->env->inv, owner) : NULL;
    const char *s = NULL;
    size_t n = 0;
    if (r && r->obj == obj.v && obj.s == x->is) {
        jv_atom a = p->special == RP_SUBSCRIPTION_ID ? r->subscription : r->resource_group;
        if (a) s = jv_atom_str(x->is, a, &n);
    } else {
        size_t idn;
        const char *id = jv_str(obj.s, jv_get(obj.s, obj.v, "id", 2), &idn);
        armid a;
        if (id && armid_parse(id, idn, &a) == 0) {
            armid_slice sl = p->special == RP_SUBSCRIPTION_ID ? a.subscription : a.resource_group;
            s = sl.p;
            n = sl.len;
        }
    }
    return (s && n) ? jv_make_string(x->env->scratch, s, n) : JV_MISSING;
}

static const binding *find_binding(const ectx *x, const char *name) {
    for (size_t i = x->nbinds; i-- > 0;)
        if (strcmp(x->binds[i].name, name) == 0) return &x->binds[i];
    return NULL;
}

/* Where a path starts: the current value, the rule's resource, or a named item. */
static jvr path_base(const ectx *x, const rpath *p, inv_idx *owner) {
    if (p->from_resource) {
        *owner = x->res_inv;
        return (jvr){x->is, x->res_obj};
    }
    if (p->from_parent) { /* missing for an object without a parent in the input */
        const inv_res *r = inv_get(x->env->inv, x->res_inv);
        *owner = r ? r->parent : INV_NONE;
        const inv_res *pr = *owner != INV_NONE ? inv_get(x->env->inv, *owner) : NULL;
        return (jvr){x->is, pr ? pr->obj : JV_MISSING};
    }
    if (p->bind) {
        const binding *b = find_binding(x, p->bind); /* the loader checked the name is in scope */
        *owner = b ? b->inv : INV_NONE;
        return b ? (jvr){b->s, b->v} : (jvr){x->is, JV_MISSING};
    }
    *owner = x->cur_inv;
    return (jvr){x->cur_s, x->cur};
}

/* Values the path reaches from the current value (or the rule's resource,
 * or a named item). Returns the store they are in. */
static const jv_store *reach(ectx *x, const rpath *p, foundv *fv, bool paths) {
    inv_idx owner;
    jvr base = path_base(x, p, &owner);
    fv->paths = paths;
    if (jpath_has_wildcard(p->p)) {
        jpath_walk(base.s, base.v, p->p, collect, fv);
        return base.s;
    }
    jv_t v = jpath_get(base.s, base.v, p->p);
    if (v == JV_MISSING && p->special != RP_PLAIN && base.v != JV_MISSING) {
        v = id_fallback(x, p, base, owner);
        if (v != JV_MISSING) {
            collect(v, jpath_text(p->p), fv);
            return x->env->scratch;
        }
    }
    if (v != JV_MISSING) collect(v, jpath_text(p->p), fv);
    return base.s;
}

/* ---- values: {field: }, {concat: }, key: ---- */

/* Every value a path reaches, as one value: the value itself without [*],
 * an array (built in scratch) with it. */
static jvr field_value(ectx *x, const rpath *p) {
    foundv fv = {0};
    const jv_store *vs = reach(x, p, &fv, false);
    jvr out = {x->is, JV_MISSING};
    if (!jpath_has_wildcard(p->p)) {
        if (fv.n) out = (jvr){vs, fv.f[0].v};
    } else {
        jv_builder *b = jv_builder_new(x->env->scratch);
        jv_build_begin(b, JV_ARRAY);
        for (size_t i = 0; i < fv.n; i++) jv_build_copy(b, vs, fv.f[i].v);
        out = (jvr){x->env->scratch, jv_build_end(b)};
        jv_builder_free(b);
    }
    foundv_free(&fv);
    return out;
}

static bool rval_resolve(ectx *x, const rval *rv, jvr *out);

/* The texts of the parts, joined; missing if a part is missing or not a scalar. */
static bool concat_value(ectx *x, const rval *rv, jvr *out) {
    lz_buf b = {0};
    bool missing = false;
    for (size_t i = 0; i < rv->nparts; i++) {
        jvr part;
        if (!rval_resolve(x, &rv->parts[i], &part)) {
            lz_buf_free(&b);
            return false;
        }
        size_t n;
        const char *t = text_of(part, &n);
        if (!t) missing = true;
        if (t) lz_buf_put(&b, t, n);
    }
    *out = missing ? (jvr){x->is, JV_MISSING}
                   : (jvr){x->env->scratch, jv_make_string(x->env->scratch, lz_buf_cstr(&b), b.len)};
    lz_buf_free(&b);
    return true;
}

static bool fact_value(ectx *x, const rval *rv, jvr *out) {
    const topo *t = x->env->topo;
    const char *why = NULL;
    jv_t v = JV_MISSING;
    if (!t)
        why = "no topology was inferred";
    else if (topo_fact(t, rv->name, &v, &why) < 0)
        why = "not a topology fact";
    if (v == JV_MISSING) {
        set_reason(x,
                   lz_asprintf("fact %s is unknown: %s", rv->name, why ? why : "it could not be inferred"));
        return false;
    }
    *out = (jvr){topo_store(t), v};
    return true;
}

/* A value before `key:` is applied. */
static bool rval_base(ectx *x, const rval *rv, jvr *out) {
    switch (rv->kind) {
    case RV_LITERAL:
        *out = (jvr){x->env->pack_store, rv->lit};
        return true;
    case RV_PARAM:
        if (rv->param < 0 || !x->env->params) {
            set_reason(x, lz_asprintf("parameter '%s' is not declared by the rule pack", rv->name));
            return false;
        }
        *out = x->env->params[rv->param];
        return true;
    case RV_FACT:
        return fact_value(x, rv, out);
    case RV_FIELD:
        *out = field_value(x, rv->path);
        return true;
    case RV_CONCAT:
        return concat_value(x, rv, out);
    }
    return false;
}

/* A literal, parameter, fact, field or concatenation; with `key:`, the
 * member of that (object) value the key names, case-insensitively (missing
 * if there is none). False (with a reason) when the value is unknown. */
static bool rval_resolve(ectx *x, const rval *rv, jvr *out) {
    if (!rval_base(x, rv, out)) return false;
    if (!rv->key) return true;
    jvr key;
    if (!rval_resolve(x, rv->key, &key)) return false;
    size_t n;
    const char *k = text_of(key, &n);
    jv_t member = (k && kind(*out) == JV_OBJECT) ? jv_get(out->s, out->v, k, n) : JV_MISSING;
    *out = (jvr){out->s, member};
    return true;
}

/* Evidence paths of a field are relative to cur; `$resource.` ones are not. */
static char *leaf_path(ectx *x, const rpath *p, const char *rel) {
    if (p->bind) return lz_asprintf("$%s%s%s", p->bind, *rel && *rel != '[' ? "." : "", rel);
    if (p->from_parent) return lz_asprintf("$parent%s%s", *rel && *rel != '[' ? "." : "", rel);
    if (!p->from_resource) return join_path(x, rel);
    return lz_strdup(*rel ? rel : "$resource");
}

/* ---- leaves ---- */

/* The operator on each value (all must hold: [*] is all-of) or on missing. */
static tri compare_all(ectx *x, const rule_cond *c, const rpath *p, const jv_store *vs, const foundv *fv,
                       jvr opnd, const char *label) {
    const char *text = p ? jpath_text(p->p) : label;
    if (fv->n == 0) {
        jvr miss = {vs, JV_MISSING};
        tri r = apply_op(x, c, miss, opnd, text);
        if (r == contradict(x) && !x->quiet)
            ev_add(x, p ? leaf_path(x, p, text) : lz_strdup(label), miss, expected_phrase(x, c, miss, opnd));
        return r;
    }
    tri all = TRI_TRUE;
    for (size_t i = 0; i < fv->n; i++) {
        jvr val = {vs, fv->f[i].v};
        const char *where = fv->f[i].concrete ? fv->f[i].concrete : text;
        tri r = apply_op(x, c, val, opnd, where);
        if (r == contradict(x) && !x->quiet)
            ev_add(x, p ? leaf_path(x, p, where) : lz_strdup(label), val, expected_phrase(x, c, val, opnd));
        all = tri_and(all, r);
        if (all == TRI_FALSE && x->quiet) break;
    }
    return all;
}

static tri eval_field(ectx *x, const rule_cond *c) {
    jvr opnd;
    if (!rval_resolve(x, &c->operand, &opnd)) return TRI_UNKNOWN;
    foundv fv = {0};
    const jv_store *vs = reach(x, &c->field, &fv, !x->quiet);
    tri r = compare_all(x, c, &c->field, vs, &fv, opnd, NULL);
    foundv_free(&fv);
    return r;
}

/* How a value is named in evidence: {param: X}, a path, concat(...), "text". */
static void value_label_into(lz_buf *b, const ectx *x, const rval *v) {
    switch (v->kind) {
    case RV_PARAM:
        lz_buf_printf(b, "{param: %s}", v->name);
        break;
    case RV_FACT:
        lz_buf_printf(b, "{fact: %s}", v->name);
        break;
    case RV_FIELD:
        lz_buf_puts(b, v->path->text);
        break;
    case RV_CONCAT:
        lz_buf_puts(b, "concat(");
        for (size_t i = 0; i < v->nparts; i++) {
            if (i) lz_buf_puts(b, ", ");
            value_label_into(b, x, &v->parts[i]);
        }
        lz_buf_putc(b, ')');
        break;
    case RV_LITERAL:
        jtext_value(b, x->env->pack_store, v->lit);
        break;
    }
    if (v->key) {
        lz_buf_putc(b, '[');
        value_label_into(b, x, v->key);
        lz_buf_putc(b, ']');
    }
}

static char *value_label(const ectx *x, const rval *v) {
    if (v->kind == RV_LITERAL && !v->key) return lz_strdup("value");
    lz_buf b = {0};
    value_label_into(&b, x, v);
    return lz_buf_steal(&b);
}

static tri eval_value(ectx *x, const rule_cond *c) {
    jvr val, opnd;
    if (!rval_resolve(x, &c->value, &val) || !rval_resolve(x, &c->operand, &opnd)) return TRI_UNKNOWN;
    found one = {val.v, NULL};
    foundv fv = {&one, 1, 1, false};
    char *label = value_label(x, &c->value);
    tri r = compare_all(x, c, NULL, val.s, &fv, opnd, label);
    free(label);
    return r;
}

/* ---- count ---- */

/* The items a count looks at: elements of a field path or a value, child
 * objects, referrers, or the links of a chain. Kept so that a failing
 * count can explain its items. */
typedef struct citem {
    const jv_store *s;
    jv_t v;
    inv_idx inv;   /* the inventory object the item is, or the one holding it */
    bool keep_cur; /* value items: where still reads the current value */
    bool unknown;  /* a chain link to an object not in the input */
    char *label;   /* evidence prefix naming the item */
} citem;

typedef struct citems {
    citem *it;
    size_t n, cap;
} citems;

typedef struct counted {
    size_t t, u; /* items where `where` is true / unknown */
} counted;

static void citems_free(citems *l) {
    for (size_t i = 0; i < l->n; i++) free(l->it[i].label);
    free(l->it);
}

static void citems_push(citems *l, citem it) {
    LZ_PUSH(l->it, l->n, l->cap, it);
}

/* How eval_where reports: not at all, why an item fails, why it matches. */
enum explain { EX_QUIET, EX_WHY_NOT, EX_WHY };

/* Evaluates `where` on one item: the item is the current value (unless it
 * is an element of a value) and, with `as:`, is named for $NAME. paths. */
static tri eval_where(ectx *x, const rule_cond *c, const citem *it, enum explain ex) {
    jv_t cur = x->cur;
    const jv_store *cur_s = x->cur_s;
    inv_idx cur_inv = x->cur_inv;
    bool neg = x->negated;
    char *prefix = x->prefix;
    if (!it->keep_cur) {
        x->cur = it->v;
        x->cur_s = it->s;
        x->cur_inv = it->inv;
    }
    if (c->as) LZ_PUSH(x->binds, x->nbinds, x->capbinds, ((binding){c->as, it->s, it->v, it->inv}));
    x->negated = ex == EX_WHY;
    if (ex != EX_QUIET)
        x->prefix = it->label;
    else
        x->quiet++;
    tri r = eval(x, c->where);
    if (ex == EX_QUIET) x->quiet--;
    if (c->as) x->nbinds--;
    x->prefix = prefix;
    x->negated = neg;
    x->cur = cur;
    x->cur_s = cur_s;
    x->cur_inv = cur_inv;
    return r;
}

/* The inventory object cur is, or INV_NONE for an element inside one. */
static inv_idx cur_object(const ectx *x) {
    const inv_res *r = x->cur_inv != INV_NONE ? inv_get(x->env->inv, x->cur_inv) : NULL;
    return (r && r->obj == x->cur && x->cur_s == x->is) ? x->cur_inv : INV_NONE;
}

/* children / related: unknown when that type was not collected, or when the
 * objects they would be fall in a coverage gap around scope (lower-cased id). */
static bool joined_collected(ectx *x, const rule_cond *c, const char *scope) {
    inv *v = x->env->inv;
    const char *what = c->src == CS_CHILDREN ? "child objects" : "objects";
    if (scope) {
        const inv_gap *g = inv_gap_for(v, scope, c->src_type);
        if (g) {
            set_reason(x, lz_asprintf("%s of type %s were not collected: %s", what, c->src_type, g->reason));
            return false;
        }
    }
    if (strcmp(c->src_type, "*") == 0) return true; /* every object: what was read is what there is */
    if (!inv_collected(v, c->src_type)) {
        set_reason(x, lz_asprintf("%s of type %s were not collected (none in the input)", what, c->src_type));
        return false;
    }
    return true;
}

/* "diagnosticSettings/setbypolicy -> ": the last type segment and the name. */
static char *object_label(const ectx *x, inv_idx i) {
    const inv_res *r = inv_get(x->env->inv, i);
    const char *type = inv_str(x->env->inv, r->type_fold), *slash = strrchr(type, '/');
    return lz_asprintf("%s/%s -> ", slash ? slash + 1 : type, inv_str(x->env->inv, r->name));
}

/* Items up to this many are checked for duplicates by a scan; beyond, by a
 * set: a join over every object of a subscription (or of every resource
 * group of a name) reaches thousands, and a scan per item is quadratic. */
enum { SCAN_MAX = 16 };

static bool has_item(const citems *l, const u32map *set, bool use_set, inv_idx obj) {
    if (use_set) return u32map_get(set, obj, NULL);
    for (size_t k = 0; k < l->n; k++)
        if (l->it[k].inv == obj) return true;
    return false;
}

/* Appends the objects not among the items yet: a join may reach one object
 * by several keys (ancestor scopes, an array of keys), and counts it once. */
static void push_objects(ectx *x, citems *out, const inv_idx *objs, size_t n) {
    u32map set = {0};
    bool use_set = out->n + n > SCAN_MAX;
    for (size_t k = 0; use_set && k < out->n; k++)
        if (out->it[k].inv != INV_NONE) u32map_put(&set, out->it[k].inv, 1);
    for (size_t i = 0; i < n; i++) {
        if (has_item(out, &set, use_set, objs[i])) continue;
        if (use_set) u32map_put(&set, objs[i], 1);
        citems_push(out, (citem){x->is, inv_get(x->env->inv, objs[i])->obj, objs[i], false, false,
                                 x->quiet ? NULL : object_label(x, objs[i])});
    }
    u32map_free(&set);
}

/* ---- related: by key, and by key and its ancestor scopes ---- */

static void related_lookup(ectx *x, const rule_cond *c, const char *key, size_t n, citems *out) {
    size_t cnt;
    const inv_idx *objs = rel_index_find(x->env->rx, x->env->inv, c->src_type, c->src_path, key, n, &cnt);
    push_objects(x, out, objs, cnt);
}

/* The key and every scope above it: /subscriptions/s/resourceGroups/rg/...
 * -> each prefix ending before a '/', then the subscription's management
 * groups (an assignment there applies below it too). */
static void related_ancestors(ectx *x, const rule_cond *c, const char *key, size_t n, citems *out) {
    for (size_t i = 1; i <= n; i++)
        if (i == n || key[i] == '/') related_lookup(x, c, key, i, out);
    armid a;
    if (armid_parse(key, n, &a) < 0 || !a.subscription.len) return;
    jv_atom sa = jv_lookup_fold(x->is, a.subscription.p, a.subscription.len);
    const jv_atom *mgs;
    size_t nmg = sa ? inv_mg_chain(x->env->inv, sa, &mgs) : 0;
    for (size_t i = 0; i < nmg; i++) {
        char *mg =
            lz_asprintf("/providers/Microsoft.Management/managementGroups/%s", inv_str(x->env->inv, mgs[i]));
        related_lookup(x, c, mg, strlen(mg), out);
        free(mg);
    }
}

static void related_key(ectx *x, const rule_cond *c, jvr key, citems *out) {
    size_t n;
    const char *k = kind(key) == JV_STRING ? jv_str(key.s, key.v, &n) : NULL;
    if (!k || !n) return;
    if (c->ancestors)
        related_ancestors(x, c, k, n, out);
    else
        related_lookup(x, c, k, n, out);
}

/* Objects of src_type whose value at src_path is the key: `key:` (each
 * string of it), else the current value's own id. */
static bool related_items(ectx *x, const rule_cond *c, citems *out) {
    jvr key = {x->cur_s, JV_MISSING};
    if (c->rel_key) {
        if (!rval_resolve(x, c->rel_key, &key)) return false;
    } else {
        key.v = jv_get(x->cur_s, x->cur, "id", 2);
    }
    char *scope = NULL;
    if (kind(key) == JV_STRING) {
        size_t n;
        const char *k = jv_str(key.s, key.v, &n);
        scope = lz_strndup(k, n);
        lz_lower(scope, n);
    }
    bool ok = joined_collected(x, c, scope);
    free(scope);
    if (!ok) return false;
    if (kind(key) == JV_ARRAY)
        for (size_t i = 0; i < jv_len(key.s, key.v); i++)
            related_key(x, c, (jvr){key.s, jv_at(key.s, key.v, i)}, out);
    else
        related_key(x, c, key, out);
    return true;
}

/* ---- value and chain items ---- */

static char *value_item_label(const ectx *x, const rule_cond *c, jvr item, size_t i) {
    if (x->quiet) return NULL;
    char *src = value_label(x, &c->value);
    lz_buf b = {0};
    lz_buf_puts(&b, src);
    /* the item itself names it best, unless it is large: [{"name":"Hate","source":"Prompt"}] */
    char *text = jtext_dup(item.s, item.v);
    if (strlen(text) <= 120)
        lz_buf_printf(&b, "[%s] -> ", text);
    else
        lz_buf_printf(&b, "[%zu] -> ", i);
    free(text);
    free(src);
    return lz_buf_steal(&b);
}

static bool value_items(ectx *x, const rule_cond *c, citems *out) {
    jvr val;
    if (!rval_resolve(x, &c->value, &val)) return false;
    if (val.v == JV_MISSING) return true;
    size_t n = kind(val) == JV_ARRAY ? jv_len(val.s, val.v) : 1;
    for (size_t i = 0; i < n; i++) {
        jvr item = kind(val) == JV_ARRAY ? (jvr){val.s, jv_at(val.s, val.v, i)} : val;
        citems_push(out, (citem){item.s, item.v, INV_NONE, true, false, value_item_label(x, c, item, i)});
    }
    return true;
}

enum { CHAIN_MAX = 32 };

/* The current object, then each object its link path names, in turn. A
 * link to an object that is not in the input is one unknown item. */
static void chain_items(ectx *x, const rule_cond *c, citems *out) {
    citem at = {x->cur_s, x->cur, cur_object(x), false, false, NULL};
    for (int hop = 0; hop < CHAIN_MAX; hop++) {
        if (!x->quiet) at.label = at.inv != INV_NONE ? object_label(x, at.inv) : join_path(x, "");
        citems_push(out, at);
        size_t n;
        jv_t link = jpath_get(at.s, at.v, c->field.p);
        const char *id = jv_kind(at.s, link) == JV_STRING ? jv_str(at.s, link, &n) : NULL;
        if (!id || !n) return;
        inv_idx next = inv_find(x->env->inv, id, n);
        if (next == INV_NONE) {
            set_reason(x, lz_asprintf("%s points at %.*s, which is not in the input", jpath_text(c->field.p),
                                      (int)n, id));
            citems_push(out, (citem){x->is, JV_MISSING, INV_NONE, false, true, NULL});
            return;
        }
        for (size_t k = 0; k < out->n; k++)
            if (out->it[k].inv == next) return; /* a cycle */
        at = (citem){x->is, inv_get(x->env->inv, next)->obj, next, false, false, NULL};
    }
}

static bool count_items(ectx *x, const rule_cond *c, citems *out) {
    switch (c->src) {
    case CS_FIELD: {
        foundv fv = {0};
        const jv_store *vs = reach(x, &c->field, &fv, !x->quiet);
        for (size_t i = 0; i < fv.n; i++) {
            /* an element's own paths continue its concrete path: routes[0].h */
            char *label = fv.f[i].concrete ? leaf_path(x, &c->field, fv.f[i].concrete) : NULL;
            citems_push(out, (citem){vs, fv.f[i].v, x->cur_inv, false, false, label});
        }
        foundv_free(&fv);
        return true;
    }
    case CS_VALUE:
        return value_items(x, c, out);
    case CS_CHAIN:
        chain_items(x, c, out);
        return true;
    case CS_RELATED:
        return related_items(x, c, out);
    case CS_CHILDREN:
        break;
    }
    inv_idx owner = cur_object(x);
    const inv_res *o = owner != INV_NONE ? inv_get(x->env->inv, owner) : NULL;
    if (!joined_collected(x, c, o ? inv_str(x->env->inv, o->id_fold) : NULL)) return false;
    if (owner == INV_NONE) return true; /* an element has no children of its own */
    size_t n = 0;
    const inv_idx *items = inv_children(x->env->inv, owner, c->src_type, &n);
    push_objects(x, out, items, n);
    return true;
}

static void count_where(ectx *x, const rule_cond *c, const citems *items, counted *k) {
    for (size_t i = 0; i < items->n; i++) {
        tri r = items->it[i].unknown ? TRI_UNKNOWN
                : c->where           ? eval_where(x, c, &items->it[i], EX_QUIET)
                                     : TRI_TRUE;
        if (r == TRI_TRUE)
            k->t++;
        else if (r == TRI_UNKNOWN)
            k->u++;
    }
}

/* A failing count explains its first few items: why they do not qualify
 * when there are too few, why they do when there are too many. */
static void explain_items(ectx *x, const rule_cond *c, const citems *items, enum explain ex) {
    int max = ex == EX_WHY ? 8 : 3, shown = 0;
    tri want = ex == EX_WHY ? TRI_TRUE : TRI_FALSE;
    for (size_t i = 0; i < items->n && shown < max; i++) {
        const citem *it = &items->it[i];
        if (!it->label || it->unknown) continue;
        size_t mark = x->nev;
        if (!c->where) { /* too many items, each one is the evidence */
            size_t l = strlen(it->label);
            char *path = lz_strndup(it->label, l >= 4 && strcmp(it->label + l - 4, " -> ") == 0 ? l - 4 : l);
            ev_add(x, path, (jvr){it->s, it->v}, lz_strdup("no such item"));
            shown++;
        } else if (eval_where(x, c, it, ex) == want) {
            shown++;
        } else {
            ev_truncate(x, mark);
        }
    }
}

static bool num_cmp(enum cond_op op, double a, double b) {
    switch (op) {
    case OP_EQUALS:
        return a == b;
    case OP_NOT_EQUALS:
        return a != b;
    case OP_LESS:
        return a < b;
    case OP_LESS_OR_EQUALS:
        return a <= b;
    case OP_GREATER:
        return a > b;
    case OP_GREATER_OR_EQUALS:
        return a >= b;
    default:
        return false;
    }
}

/* The comparison over every count the unknown items allow, [lo, hi]. */
static tri count_verdict(enum cond_op op, double lo, double hi, double want) {
    if (op == OP_EQUALS || op == OP_NOT_EQUALS) {
        tri eq = (lo == hi) ? (lo == want ? TRI_TRUE : TRI_FALSE)
                            : ((want < lo || want > hi) ? TRI_FALSE : TRI_UNKNOWN);
        return op == OP_EQUALS ? eq : tri_not(eq);
    }
    bool a = num_cmp(op, lo, want), b = num_cmp(op, hi, want); /* monotone in the count */
    return a == b ? (a ? TRI_TRUE : TRI_FALSE) : TRI_UNKNOWN;
}

static char *count_label(const ectx *x, const rule_cond *c) {
    switch (c->src) {
    case CS_FIELD:
        return lz_strdup(jpath_text(c->field.p));
    case CS_CHILDREN:
        return lz_asprintf("children(%s)", c->src_type);
    case CS_VALUE:
        return value_label(x, &c->value);
    case CS_CHAIN:
        return lz_asprintf("chain(%s)", jpath_text(c->field.p));
    case CS_RELATED:
        break;
    }
    if (!c->rel_key)
        return lz_asprintf("related(%s: %s%s)", c->src_type, c->src_path,
                           c->ancestors ? " in ancestors" : "");
    char *key = value_label(x, c->rel_key);
    char *l = lz_asprintf("related(%s: %s %s %s)", c->src_type, c->src_path,
                          c->ancestors ? "in scopes of" : "=", key);
    free(key);
    return l;
}

/* Where a count's source is, for evidence: a field path continues the
 * current path; a value or a keyed lookup is not under it, so it follows
 * an arrow ("properties.routes[0] -> {param: allowed}"). */
static char *detached_path(const ectx *x, const char *label) {
    size_t pl = x->prefix ? strlen(x->prefix) : 0;
    if (pl && !(pl >= 3 && strcmp(x->prefix + pl - 3, "-> ") == 0))
        return lz_asprintf("%s -> %s", x->prefix, label);
    return join_path(x, label);
}

static char *source_path(ectx *x, const rule_cond *c, const char *label) {
    if (c->src == CS_FIELD) return leaf_path(x, &c->field, label);
    if (c->src == CS_VALUE || (c->src == CS_RELATED && c->rel_key)) return detached_path(x, label);
    return join_path(x, label);
}

/* Did the count fail because it saw too many matching items? */
static bool too_many(enum cond_op op, size_t t, double want) {
    return (op == OP_EQUALS || op == OP_LESS || op == OP_LESS_OR_EQUALS) &&
           (double)t > want - (op == OP_LESS);
}

static const char *count_symbol(enum cond_op op) {
    switch (op) {
    case OP_EQUALS:
        return "==";
    case OP_NOT_EQUALS:
        return "!=";
    case OP_LESS:
        return "<";
    case OP_LESS_OR_EQUALS:
        return "<=";
    case OP_GREATER:
        return ">";
    default:
        return ">=";
    }
}

static tri eval_count(ectx *x, const rule_cond *c) {
    jvr opnd;
    double want;
    if (!rval_resolve(x, &c->operand, &opnd)) return TRI_UNKNOWN;
    if (c->operand.kind == RV_LITERAL && c->operand.numeric) {
        want = c->operand.num; /* parsed once at load time */
    } else if (!num_of(opnd, &want)) {
        char *t = jtext_dup(opnd.s, opnd.v);
        set_reason(x, lz_asprintf("count compares with %s, which is not a number", t));
        free(t);
        return TRI_UNKNOWN;
    }
    citems items = {0};
    counted k = {0, 0};
    if (!count_items(x, c, &items)) {
        citems_free(&items);
        return TRI_UNKNOWN;
    }
    count_where(x, c, &items, &k);
    tri r = count_verdict(c->op, (double)k.t, (double)(k.t + k.u), want);
    if (r == contradict(x) && !x->quiet) {
        char *label = count_label(x, c);
        lz_buf want_text = {0};
        lz_buf_printf(&want_text, "count %s ", count_symbol(x->negated ? flip_op(c->op) : c->op));
        jtext_value(&want_text, opnd.s, opnd.v);
        /* "0 of 2": the count, and how many items there were to match */
        char *actual =
            c->where && items.n != k.t ? lz_asprintf("%zu of %zu", k.t, items.n) : lz_asprintf("%zu", k.t);
        ev_add_text(x, source_path(x, c, label), actual, lz_buf_steal(&want_text));
        free(label);
        if (!x->negated && too_many(c->op, k.t, want))
            explain_items(x, c, &items, EX_WHY);
        else if (c->where && !x->negated)
            explain_items(x, c, &items, EX_WHY_NOT);
    }
    citems_free(&items);
    return r;
}

/* ---- ref ---- */

/* A subnet id names an element of its VNet's properties.subnets when the
 * subnet is not an object of its own in the input. */
static bool resolve_subnet(ectx *x, const char *id, size_t n, jv_t *obj, inv_idx *owner) {
    static const char marker[] = "/subnets/";
    size_t ml = sizeof marker - 1, at = (size_t)-1;
    for (size_t i = 0; i + ml < n; i++)
        if (lz_strcaseeq(id + i, ml, marker, ml)) at = i;
    if (at == (size_t)-1) return false;
    inv_idx vnet = inv_find(x->env->inv, id, at);
    if (vnet == INV_NONE) return false;
    const char *name = id + at + ml;
    size_t namelen = n - at - ml;
    if (namelen && name[namelen - 1] == '/') namelen--;
    jv_t props = jv_get(x->is, inv_get(x->env->inv, vnet)->obj, "properties", 10);
    jv_t subnets = jv_get(x->is, props, "subnets", 7);
    for (size_t i = 0; i < jv_len(x->is, subnets); i++) {
        jv_t s = jv_at(x->is, subnets, i);
        size_t l;
        const char *sid = jv_str(x->is, jv_get(x->is, s, "id", 2), &l);
        const char *sname = jv_get_str(x->is, s, "name");
        if ((sid && lz_strcaseeq(sid, l, id, n)) ||
            (sname && lz_strcaseeq(sname, strlen(sname), name, namelen))) {
            *obj = s;
            *owner = vnet;
            return true;
        }
    }
    return false;
}

static tri ref_dangling(ectx *x, const char *path, const char *id, size_t n) {
    char *low = lz_strndup(id, n);
    lz_lower(low, n);
    const inv_gap *g = inv_gap_for(x->env->inv, low, "");
    if (g)
        set_reason(x, lz_asprintf("%s points at %s, in a coverage gap: %s", path, low, g->reason));
    else
        set_reason(x, lz_asprintf("%s points at %.*s, which is not in the input", path, (int)n, id));
    free(low);
    return TRI_UNKNOWN;
}

/* The evidence path of a ref's id: a path, or the value's label. */
static char *ref_path(ectx *x, const rule_cond *c, const char *path) {
    return c->ref_is_value ? detached_path(x, path) : leaf_path(x, &c->field, path);
}

/* Evaluates the ref's condition on the resource an id names. */
static tri ref_follow(ectx *x, const rule_cond *c, const char *id, size_t n, const char *path) {
    inv_idx owner = inv_find(x->env->inv, id, n);
    jv_t obj = owner != INV_NONE ? inv_get(x->env->inv, owner)->obj : JV_MISSING;
    if (owner == INV_NONE && !resolve_subnet(x, id, n, &obj, &owner)) {
        char *full = ref_path(x, c, path);
        tri r = ref_dangling(x, full, id, n);
        free(full);
        return r;
    }
    jv_t cur = x->cur;
    const jv_store *cur_s = x->cur_s;
    inv_idx cur_inv = x->cur_inv;
    char *prefix = x->prefix;
    if (!x->quiet) {
        char *full = ref_path(x, c, path);
        x->prefix = lz_asprintf("%s -> ", full);
        free(full);
    }
    x->cur = obj;
    x->cur_s = x->is;
    x->cur_inv = owner;
    tri r = eval(x, c->kids[0]);
    if (x->prefix != prefix) free(x->prefix);
    x->prefix = prefix;
    x->cur = cur;
    x->cur_s = cur_s;
    x->cur_inv = cur_inv;
    return r;
}

/* The ids a ref follows: the values at its path, or its value (each
 * element when it is an array). */
static const jv_store *ref_ids(ectx *x, const rule_cond *c, foundv *fv, char **label, bool *unknown) {
    *unknown = false;
    if (!c->ref_is_value) {
        *label = lz_strdup(jpath_text(c->field.p));
        return reach(x, &c->field, fv, true);
    }
    *label = value_label(x, &c->value);
    jvr v;
    if (!rval_resolve(x, &c->value, &v)) {
        *unknown = true;
        return x->is;
    }
    fv->paths = true;
    if (v.v == JV_MISSING) return v.s;
    if (kind(v) != JV_ARRAY) {
        collect(v.v, *label, fv);
        return v.s;
    }
    for (size_t i = 0; i < jv_len(v.s, v.v); i++) {
        char *at = lz_asprintf("%s[%zu]", *label, i);
        collect(jv_at(v.s, v.v, i), at, fv);
        free(at);
    }
    return v.s;
}

static tri eval_ref(ectx *x, const rule_cond *c) {
    foundv fv = {0};
    char *text;
    bool unknown;
    const jv_store *vs = ref_ids(x, c, &fv, &text, &unknown);
    tri all = TRI_TRUE;
    if (unknown) {
        all = TRI_UNKNOWN;
    } else if (fv.n == 0) {
        all = TRI_FALSE; /* nothing to follow: the check fails, with this evidence */
        if (all == contradict(x))
            ev_add(x, ref_path(x, c, text), (jvr){vs, JV_MISSING},
                   lz_strdup(x->negated ? "no resource id" : "a resource id"));
    }
    for (size_t i = 0; i < fv.n && !(all == TRI_FALSE && x->quiet); i++) {
        jvr idv = {vs, fv.f[i].v};
        const char *path = fv.f[i].concrete;
        size_t n = 0;
        const char *id = kind(idv) == JV_STRING ? jv_str(vs, idv.v, &n) : NULL;
        tri r;
        if (!id || n == 0) {
            r = TRI_FALSE;
            if (r == contradict(x))
                ev_add(x, ref_path(x, c, path), idv,
                       lz_strdup(x->negated ? "no resource id" : "a resource id"));
        } else {
            r = ref_follow(x, c, id, n, path);
        }
        all = tri_and(all, r);
    }
    foundv_free(&fv);
    free(text);
    return all;
}

/* ---- topology ---- */

static const char *sub_role(const topo *t, jv_atom sub) {
    if (topo_is_connectivity(t, sub)) return "connectivity";
    if (topo_is_spoke_subscription(t, sub)) return "spokeSubscription";
    return "none";
}

static tri eval_topology(ectx *x, const rule_cond *c) {
    static const char *const wanted[] = {"hub", "spoke", "connectivity", "spokeSubscription"};
    const topo *t = x->env->topo;
    if (!t) {
        set_reason(x, lz_strdup("no topology was inferred"));
        return TRI_UNKNOWN;
    }
    jv_t hubs = JV_MISSING;
    const char *why = NULL;
    if (topo_fact(t, "hubVnetIds", &hubs, &why) == 0 && hubs == JV_MISSING) {
        set_reason(x, lz_asprintf("the topology role is unknown: %s", why ? why : "no hub VNet was found"));
        return TRI_UNKNOWN;
    }
    const inv_res *r = inv_get(x->env->inv, x->cur_inv);
    const char *actual = "none";
    if (c->topo == TW_HUB || c->topo == TW_SPOKE) {
        enum topo_role role = topo_vnet_role(t, x->cur_inv);
        actual = role == TOPO_HUB ? "hub" : role == TOPO_SPOKE ? "spoke" : "none";
    } else if (r) {
        actual = sub_role(t, r->subscription);
        if (c->topo == TW_CONNECTIVITY && topo_is_connectivity(t, r->subscription)) actual = "connectivity";
        if (c->topo == TW_SPOKE_SUBSCRIPTION && topo_is_spoke_subscription(t, r->subscription))
            actual = "spokeSubscription";
    }
    tri res = strcmp(actual, wanted[c->topo]) == 0 ? TRI_TRUE : TRI_FALSE;
    if (res == contradict(x) && !x->quiet)
        ev_add_text(x, join_path(x, "topology"), lz_asprintf("\"%s\"", actual),
                    lz_asprintf("%s\"%s\"", x->negated ? "not " : "", wanted[c->topo]));
    return res;
}

/* ---- logic and the node wrapper ---- */

static tri eval_logic(ectx *x, const rule_cond *c) {
    if (c->kind == C_NOT) {
        x->negated = !x->negated;
        tri r = eval(x, c->kids[0]);
        x->negated = !x->negated;
        return tri_not(r);
    }
    if (c->kind == C_ALL) {
        /* No short cut on false outside quiet mode: a fail lists every failing part. */
        tri acc = TRI_TRUE;
        for (size_t i = 0; i < c->nkids && !(acc == TRI_FALSE && x->quiet); i++)
            acc = tri_and(acc, eval(x, c->kids[i]));
        return acc;
    }
    tri acc = TRI_FALSE;
    for (size_t i = 0; i < c->nkids; i++) {
        tri r = eval(x, c->kids[i]);
        if (r == TRI_TRUE) return TRI_TRUE;
        if (r == TRI_UNKNOWN) acc = TRI_UNKNOWN;
    }
    return acc;
}

/* A condition that only selects (applies.where, unless, if): no evidence. */
static tri eval_quiet(ectx *x, const rule_cond *c) {
    x->quiet++;
    tri r = eval(x, c);
    x->quiet--;
    return r;
}

/* if/then/else: the branch the (quiet) test picks; a missing else holds.
 * An unknown test decides only if both branches agree. */
static tri eval_if(ectx *x, const rule_cond *c) {
    tri t = eval_quiet(x, c->kids[0]);
    const rule_cond *then = c->kids[1], *els = c->nkids > 2 ? c->kids[2] : NULL;
    if (t == TRI_TRUE) return eval(x, then);
    if (t == TRI_FALSE) return els ? eval(x, els) : TRI_TRUE;
    tri a = eval(x, then), b = els ? eval(x, els) : TRI_TRUE;
    return a == b ? a : TRI_UNKNOWN;
}

static tri eval_node(ectx *x, const rule_cond *c) {
    switch (c->kind) {
    case C_ALL:
    case C_ANY:
    case C_NOT:
        return eval_logic(x, c);
    case C_FIELD:
        return eval_field(x, c);
    case C_VALUE:
        return eval_value(x, c);
    case C_COUNT:
        return eval_count(x, c);
    case C_REF:
        return eval_ref(x, c);
    case C_TOPOLOGY:
        return eval_topology(x, c);
    case C_IF:
        return eval_if(x, c);
    default:
        return TRI_UNKNOWN;
    }
}

/* Keeps evidence only when the node's outcome contradicts what its position
 * wants, and the first unknown reason only when the node is unknown. */
static tri eval(ectx *x, const rule_cond *c) {
    char *saved = x->reason;
    size_t mark = x->nev;
    x->reason = NULL;
    tri r = eval_node(x, c);
    if (r != TRI_UNKNOWN || saved) {
        free(x->reason);
        x->reason = saved;
    }
    if (r != contradict(x)) ev_truncate(x, mark);
    return r;
}

/* ---- the rule on one resource ---- */

typedef struct emitter {
    eval_emit_fn fn;
    void *ctx;
} emitter;

static void emit(ectx *x, const emitter *em, int status, const char *subject, char *message) {
    eval_result res = {status, subject, message, status == RS_FAIL ? x->ev : NULL,
                       status == RS_FAIL ? x->nev : 0};
    if (status == RS_FAIL) {
        x->ev = NULL;
        x->nev = x->capev = 0;
    }
    em->fn(&res, em->ctx);
    free(res.message);
    for (size_t i = 0; res.ev && i < res.nev; i++) {
        free(res.ev[i].path);
        free(res.ev[i].actual);
        free(res.ev[i].expected);
    }
    free(res.ev);
    ev_truncate(x, 0);
    free(x->reason);
    x->reason = NULL;
}

static char *unknown_message(ectx *x) {
    return lz_strdup(x->reason ? x->reason : "the data needed was not collected");
}

static char *fail_message(const ectx *x) {
    if (x->nev == 0) return lz_strdup("the check does not hold");
    const evidence *e = &x->ev[0];
    return lz_asprintf("%s is %s, expected %s", e->path, e->actual, e->expected);
}

static void eval_subject(ectx *x, const rule *r, const char *subject, const emitter *em) {
    const rule_cond *b = r->body;
    if (b->unless) {
        tri u = eval_quiet(x, b->unless);
        if (u == TRI_TRUE) return emit(x, em, RS_NOT_APPLICABLE, subject, NULL);
        if (u == TRI_UNKNOWN) return emit(x, em, RS_UNKNOWN, subject, unknown_message(x));
    }
    tri k = eval(x, b->check);
    if (k == TRI_TRUE)
        emit(x, em, RS_PASS, subject, NULL);
    else if (k == TRI_FALSE)
        emit(x, em, RS_FAIL, subject, fail_message(x));
    else
        emit(x, em, RS_UNKNOWN, subject, unknown_message(x));
}

/* An element's id: its own `id`, else {resourceId}/{key}/{name}, the name
 * being the element's index (the path's last [N]) when it has none. */
static char *element_id(const ectx *x, const each_spec *es, const char *rid, jv_t elem,
                        const char *concrete) {
    jv_t idv = jv_get(x->is, elem, "id", 2);
    size_t n;
    const char *id = jv_str(x->is, idv, &n);
    if (id && n && jv_kind(x->is, idv) == JV_STRING) return lz_strndup(id, n);
    const char *name = jv_get_str(x->is, elem, "name");
    if (name && *name) return lz_asprintf("%s/%s/%s", rid, es->key, name);
    const char *open = strrchr(concrete, '[');
    size_t index = open ? strtoul(open + 1, NULL, 10) : 0;
    return lz_asprintf("%s/%s/%zu", rid, es->key, index);
}

bool eval_kind_matches(const eval_env *env, const rule *r, uint32_t res) {
    const rule_strv *kinds = &r->body->kinds;
    if (kinds->n == 0) return true;
    const jv_store *s = inv_cstore(env->inv);
    size_t n;
    const char *k = jv_str(s, jv_get(s, inv_get(env->inv, res)->obj, "kind", 4), &n);
    for (size_t i = 0; k && i < kinds->n; i++)
        if (lz_strcaseeq(k, n, kinds->v[i], strlen(kinds->v[i]))) return true;
    return false;
}

/* The `each` that applies to the resource: its type's, else the one for
 * every type, else none (one result for the whole object). */
static const each_spec *each_for(const ectx *x, const rule_cond *b) {
    const char *type = inv_str(x->env->inv, inv_get(x->env->inv, x->res_inv)->type_fold);
    const each_spec *any = NULL;
    for (size_t i = 0; i < b->neach; i++) {
        if (!b->eachs[i].type)
            any = &b->eachs[i];
        else if (strcmp(b->eachs[i].type, type) == 0)
            return &b->eachs[i];
    }
    return any;
}

static void eval_each(ectx *x, const rule *r, const each_spec *es, const char *rid, const emitter *em) {
    foundv fv = {0};
    fv.paths = true;
    jpath_walk(x->is, x->res_obj, es->path.p, collect, &fv);
    for (size_t i = 0; i < fv.n; i++) {
        char *subject = element_id(x, es, rid, fv.f[i].v, fv.f[i].concrete);
        x->cur = fv.f[i].v;
        x->cur_s = x->is;
        x->prefix = fv.f[i].concrete;
        eval_subject(x, r, subject, em);
        free(subject);
    }
    x->prefix = NULL;
    x->cur = x->res_obj;
    foundv_free(&fv);
}

void eval_rule(const eval_env *env, const rule *r, uint32_t res, eval_emit_fn fn, void *ctx) {
    const inv_res *ir = inv_get(env->inv, res);
    ectx x = {0};
    x.env = env;
    x.is = inv_cstore(env->inv);
    x.cur_inv = x.res_inv = res;
    x.cur_s = x.is;
    x.res_obj = x.cur = ir->obj;
    emitter em = {fn, ctx};
    const char *rid = jv_atom_str(x.is, ir->id, NULL);
    /* A coverage gap does not make an object that was read unknown: its own
     * properties are known. What a gap hides is other objects, so joins
     * (children, related, a ref's target) that fall in one are unknown. */
    tri w = r->body->applies_where ? eval_quiet(&x, r->body->applies_where) : TRI_TRUE;
    if (w == TRI_FALSE)
        emit(&x, &em, RS_NOT_APPLICABLE, rid, NULL);
    else if (w == TRI_UNKNOWN)
        emit(&x, &em, RS_UNKNOWN, rid, unknown_message(&x));
    else if (each_for(&x, r->body))
        eval_each(&x, r, each_for(&x, r->body), rid, &em);
    else
        eval_subject(&x, r, rid, &em);
    ev_truncate(&x, 0);
    free(x.ev);
    free(x.reason);
    free(x.binds);
}
