/*
 * load.c - YAML rule documents -> struct rule with a compiled body.
 *
 * Every key is validated (a typo must never silently disable a check) and
 * every error names file:line:column of the offending node. The grammar is
 * docs/rule-language.md; this file is its only parser.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/yamldoc.h"
#include "../scanner/topology.h"
#include "cond.h"

#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

typedef struct lctx {
    jv_store *store;
    lz_err *e;
    const char **names; /* `as:` names of the enclosing counts, innermost last */
    size_t nnames, capnames;
} lctx;

static rule_cond *compile_cond(lctx *L, ynode y);

/* ---- keys of the grammar ---- */

static const struct {
    const char *name;
    enum cond_op op;
} op_names[] = {
    {"equals", OP_EQUALS},
    {"notEquals", OP_NOT_EQUALS},
    {"in", OP_IN},
    {"notIn", OP_NOT_IN},
    {"like", OP_LIKE},
    {"notLike", OP_NOT_LIKE},
    {"match", OP_MATCH},
    {"notMatch", OP_NOT_MATCH},
    {"contains", OP_CONTAINS},
    {"notContains", OP_NOT_CONTAINS},
    {"exists", OP_EXISTS},
    {"less", OP_LESS},
    {"lessOrEquals", OP_LESS_OR_EQUALS},
    {"greater", OP_GREATER},
    {"greaterOrEquals", OP_GREATER_OR_EQUALS},
    {"hasKeys", OP_HAS_KEYS},
};

const char *cond_op_name(enum cond_op op) {
    for (size_t i = 0; i < sizeof op_names / sizeof *op_names; i++)
        if (op_names[i].op == op) return op_names[i].name;
    return "?";
}

static bool key_is(ynode k, const char *name) {
    return lz_strcaseeq(yn_str(k), yn_strlen(k), name, strlen(name));
}

static enum cond_op op_of(ynode k) {
    for (size_t i = 0; i < sizeof op_names / sizeof *op_names; i++)
        if (key_is(k, op_names[i].name)) return op_names[i].op;
    return OP_NONE;
}

static rule_cond *new_cond(enum cond_kind kind, ynode at) {
    rule_cond *c = lz_calloc(1, sizeof *c);
    c->kind = kind;
    c->line = yn_line(at);
    c->col = yn_col(at);
    c->operand.param = c->value.param = -1;
    return c;
}

/* ---- scalars, lists, paths ---- */

static char *lower_dup(const char *s) {
    char *d = lz_strdup(s);
    lz_lower(d, strlen(d));
    return d;
}

static int scalar_text(lctx *L, ynode y, const char *what, const char **out) {
    *out = NULL; /* gcc -O3 cannot see that yn_errf always fails, and warns */
    if (!yn_is_scalar(y) || yn_strlen(y) == 0 || yn_is_null(y))
        return yn_errf(L->e, y, "%s must be a non-empty string", what);
    *out = yn_str(y);
    return 0;
}

/* A string or a list of strings; null or absent = empty. */
static int strlist(lctx *L, ynode y, const char *what, bool lower, rule_strv *out) {
    if (!yn_ok(y) || yn_is_null(y)) return 0;
    size_t n = yn_is_seq(y) ? yn_len(y) : 1;
    for (size_t i = 0; i < n; i++) {
        ynode item = yn_is_seq(y) ? yn_item(y, i) : y;
        const char *s;
        if (scalar_text(L, item, what, &s) < 0) return -1;
        if (lower) {
            char *l = lower_dup(s);
            if (!strv_has(out, l)) strv_push(out, l);
            free(l);
        } else {
            strv_push(out, s);
        }
    }
    return 0;
}

static bool name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool name_bound(const lctx *L, const char *name, size_t n) {
    for (size_t i = L->nnames; i-- > 0;)
        if (strlen(L->names[i]) == n && memcmp(L->names[i], name, n) == 0) return true;
    return false;
}

/* "$resource.x" / "$NAME.x" / "$NAME": the root the path starts from. */
static int path_root(lctx *L, ynode y, const char *text, rpath *out, const char **rest) {
    *rest = text;
    if (text[0] != '$') return 0;
    size_t n = 1;
    while (name_char(text[n])) n++;
    if (n == 1 || (text[n] != '.' && text[n] != '\0'))
        return yn_errf(L->e, y, "bad path '%s': '$' starts $resource or the name of an enclosing count",
                       text);
    *rest = text[n] ? text + n + 1 : "";
    if (n - 1 == 8 && memcmp(text + 1, "resource", 8) == 0) {
        out->from_resource = true;
        return 0;
    }
    if (n - 1 == 6 && memcmp(text + 1, "parent", 6) == 0) {
        out->from_parent = true;
        return 0;
    }
    if (!name_bound(L, text + 1, n - 1))
        return yn_errf(L->e, y, "unknown name '%.*s' in path '%s' (names come from an enclosing count's as:)",
                       (int)n, text, text);
    out->bind = lz_strndup(text + 1, n - 1);
    return 0;
}

static int compile_path(lctx *L, ynode y, const char *what, rpath *out) {
    if (!yn_is_scalar(y) || yn_is_null(y)) return yn_errf(L->e, y, "%s must be a path string", what);
    const char *text = yn_str(y);
    const char *rest;
    out->text = lz_strdup(text);
    if (path_root(L, y, text, out, &rest) < 0) return -1;
    if (lz_strcaseeq(rest, strlen(rest), "subscriptionId", 14)) out->special = RP_SUBSCRIPTION_ID;
    if (lz_strcaseeq(rest, strlen(rest), "resourceGroup", 13)) out->special = RP_RESOURCE_GROUP;
    lz_err pe;
    out->p = jpath_compile(rest, &pe);
    if (!out->p) return yn_errf(L->e, y, "bad path '%s': %s", text, pe.msg);
    return 0;
}

/* ---- values: literals, {param: }, {fact: } ---- */

static bool is_fact_name(const char *name) {
    for (const char *const *f = topo_fact_names(); f && *f; f++)
        if (strcmp(*f, name) == 0) return true;
    return false;
}

/* A JSON-number-like text (what "numbers and numeric strings" means). */
static bool numeric_text(const char *s, size_t n, double *out) {
    char *num = NULL;
    if (n == 0 || ydoc_plain_kind(s, n, &num) != JV_NUMBER) return false;
    *out = strtod(num, NULL);
    free(num);
    return true;
}

static void classify_literal(jv_store *s, rval *v) {
    enum jv_kind k = jv_kind(s, v->lit);
    if (k != JV_STRING && k != JV_NUMBER) return;
    size_t n;
    const char *t = jv_str(s, v->lit, &n);
    v->lower = lz_strndup(t, n);
    lz_lower(v->lower, n);
    v->numeric = numeric_text(t, n, &v->num);
}

static int compile_rval(lctx *L, ynode y, rval *out);

/* The reference keys of a value mapping; anything else makes a literal. */
enum ref_key { RK_NONE = -1, RK_PARAM, RK_FACT, RK_FIELD, RK_CONCAT, RK_KEY };

static enum ref_key ref_key_of(ynode k) {
    static const char *const names[] = {"param", "fact", "field", "concat", "key"};
    for (int i = 0; i < 5; i++)
        if (yn_is_scalar(k) && key_is(k, names[i])) return (enum ref_key)i;
    return RK_NONE;
}

/* A mapping of exactly one of param/fact/field/concat, plus an optional key. */
static bool is_reference(ynode y, int *which) {
    if (!yn_is_map(y) || yn_len(y) == 0 || yn_len(y) > 2) return false;
    int kinds = 0, keys = 0;
    for (size_t i = 0; i < yn_len(y); i++) {
        enum ref_key rk = ref_key_of(yn_key(y, i));
        if (rk == RK_NONE) return false;
        if (rk == RK_KEY)
            keys++;
        else {
            kinds++;
            *which = (int)i;
        }
    }
    return kinds == 1 && keys <= 1;
}

static int compile_concat(lctx *L, ynode v, rval *out) {
    if (!yn_is_seq(v) || yn_len(v) == 0) return yn_errf(L->e, v, "concat takes a non-empty list of values");
    out->nparts = yn_len(v);
    out->parts = lz_calloc(out->nparts, sizeof *out->parts);
    for (size_t i = 0; i < out->nparts; i++)
        if (compile_rval(L, yn_item(v, i), &out->parts[i]) < 0) return -1;
    return 0;
}

static int compile_reference(lctx *L, ynode y, int which, rval *out) {
    ynode k = yn_key(y, (size_t)which), v = yn_val(y, (size_t)which);
    enum ref_key rk = ref_key_of(k);
    const char *name;
    if (rk == RK_PARAM || rk == RK_FACT) {
        if (scalar_text(L, v, rk == RK_PARAM ? "a parameter name" : "a fact name", &name) < 0) return -1;
        if (rk == RK_FACT && !is_fact_name(name)) return yn_errf(L->e, v, "unknown fact '%s'", name);
        out->kind = rk == RK_PARAM ? RV_PARAM : RV_FACT;
        out->name = lz_strdup(name);
    } else if (rk == RK_FIELD) {
        out->kind = RV_FIELD;
        out->path = lz_calloc(1, sizeof *out->path);
        if (compile_path(L, v, "field", out->path) < 0) return -1;
    } else {
        out->kind = RV_CONCAT;
        if (compile_concat(L, v, out) < 0) return -1;
    }
    ynode key = yn_get(y, "key");
    if (!yn_ok(key)) return 0;
    out->key = lz_calloc(1, sizeof *out->key);
    return compile_rval(L, key, out->key);
}

static int compile_rval(lctx *L, ynode y, rval *out) {
    out->line = yn_line(y);
    out->col = yn_col(y);
    out->param = -1;
    int which;
    if (is_reference(y, &which)) return compile_reference(L, y, which, out);
    out->kind = RV_LITERAL;
    if (yn_to_jv(y, L->store, &out->lit, L->e) < 0) return -1;
    classify_literal(L->store, out);
    return 0;
}

/* ---- operands, per operator ---- */

static int compile_regex(lctx *L, ynode y, rule_cond *c) {
    const char *pat = yn_str(y);
    int code;
    PCRE2_SIZE off;
    c->re = pcre2_compile((PCRE2_SPTR)pat, yn_strlen(y), PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                          &code, &off, NULL);
    if (!c->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return yn_errf(L->e, y, "bad regex '%s': %s at offset %zu", pat, (const char *)msg, (size_t)off);
    }
    /* Limits turn catastrophic backtracking into an `unknown`, never a hang. */
    c->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(c->mctx, DEPTH_LIMIT);
    return 0;
}

/* Checks the operand's shape against what the operator needs. */
static int check_operand(lctx *L, ynode y, rule_cond *c, bool counting) {
    const rval *v = &c->operand;
    const char *op = cond_op_name(c->op);
    if (c->op == OP_EXISTS) {
        enum jv_kind k = v->kind == RV_LITERAL ? jv_kind(L->store, v->lit) : JV_MISSING;
        if (k != JV_TRUE && k != JV_FALSE) return yn_errf(L->e, y, "exists takes true or false");
        return 0;
    }
    if (counting) {
        bool ok = c->op == OP_EQUALS || c->op == OP_NOT_EQUALS || c->op == OP_LESS ||
                  c->op == OP_LESS_OR_EQUALS || c->op == OP_GREATER || c->op == OP_GREATER_OR_EQUALS;
        if (!ok) return yn_errf(L->e, y, "operator '%s' cannot compare a count", op);
        if (v->kind == RV_LITERAL && (jv_kind(L->store, v->lit) != JV_NUMBER))
            return yn_errf(L->e, y, "a count compares with a number");
        return 0;
    }
    if (v->kind != RV_LITERAL) {
        if (c->op == OP_MATCH || c->op == OP_NOT_MATCH)
            return yn_errf(L->e, y, "%s takes a literal regex (it is compiled once)", op);
        return 0;
    }
    enum jv_kind k = jv_kind(L->store, v->lit);
    switch (c->op) {
    case OP_IN:
    case OP_NOT_IN:
    case OP_HAS_KEYS:
        if (k != JV_ARRAY) return yn_errf(L->e, y, "%s takes a list", op);
        break;
    case OP_LIKE:
    case OP_NOT_LIKE:
    case OP_MATCH:
    case OP_NOT_MATCH:
        if (k != JV_STRING && k != JV_NUMBER) return yn_errf(L->e, y, "%s takes a string", op);
        break;
    case OP_LESS:
    case OP_LESS_OR_EQUALS:
    case OP_GREATER:
    case OP_GREATER_OR_EQUALS:
        if (k != JV_STRING && k != JV_NUMBER) return yn_errf(L->e, y, "%s takes a number or a string", op);
        break;
    default:
        break;
    }
    if (c->op == OP_HAS_KEYS)
        for (size_t i = 0; i < jv_len(L->store, v->lit); i++)
            if (jv_kind(L->store, jv_at(L->store, v->lit, i)) != JV_STRING)
                return yn_errf(L->e, y, "hasKeys takes a list of key names");
    return 0;
}

static int compile_operand(lctx *L, ynode key, ynode y, rule_cond *c, bool counting) {
    c->op = op_of(key);
    if (compile_rval(L, y, &c->operand) < 0) return -1;
    if (check_operand(L, y, c, counting) < 0) return -1;
    if ((c->op == OP_MATCH || c->op == OP_NOT_MATCH) && compile_regex(L, y, c) < 0) return -1;
    if ((c->op == OP_LIKE || c->op == OP_NOT_LIKE) && c->operand.kind == RV_LITERAL)
        c->like_lower = lz_strdup(c->operand.lower);
    return 0;
}

/* ---- count sources ---- */

static int compile_related(lctx *L, ynode y, rule_cond *c) {
    static const char *const keys[] = {"type", "path", "key", "ancestors", NULL};
    if (yn_check_keys(y, keys, "related (expected type:, path:, and optionally key: and ancestors:)", L->e) <
        0)
        return -1;
    ynode type = yn_get(y, "type"), path = yn_get(y, "path"), key = yn_get(y, "key"),
          anc = yn_get(y, "ancestors");
    const char *t;
    if (!yn_ok(type)) return yn_errf(L->e, y, "related needs a type");
    if (!yn_ok(path)) return yn_errf(L->e, y, "related needs a path");
    if (scalar_text(L, type, "related.type", &t) < 0) return -1;
    rpath check = {0};
    int rc = compile_path(L, path, "related.path", &check);
    bool rooted = check.from_resource || check.from_parent || check.bind;
    jpath_free(check.p);
    free(check.bind);
    free(check.text);
    if (rc < 0) return -1;
    if (rooted) return yn_errf(L->e, path, "related.path is read in the related object");
    c->src = CS_RELATED;
    c->src_type = lower_dup(t);
    c->src_path = lz_strdup(yn_str(path));
    if (yn_ok(key)) {
        c->rel_key = lz_calloc(1, sizeof *c->rel_key);
        if (compile_rval(L, key, c->rel_key) < 0) return -1;
    }
    if (yn_ok(anc)) {
        bool t_ = yn_is_plain(anc) && key_is(anc, "true"), f_ = yn_is_plain(anc) && key_is(anc, "false");
        if (!t_ && !f_) return yn_errf(L->e, anc, "related.ancestors takes true or false");
        c->ancestors = t_;
    }
    return 0;
}

/* `as: NAME` names the item for $NAME. paths inside where. */
static int compile_as(lctx *L, ynode as, rule_cond *c) {
    const char *name;
    if (scalar_text(L, as, "count.as", &name) < 0) return -1;
    for (const char *p = name; *p; p++)
        if (!name_char(*p)) return yn_errf(L->e, as, "count.as '%s' may only hold A-Z a-z 0-9 _", name);
    if (strcmp(name, "resource") == 0 || strcmp(name, "parent") == 0)
        return yn_errf(L->e, as, "count.as cannot be '%s' ($%s is reserved)", name, name);
    c->as = lz_strdup(name);
    return 0;
}

static int compile_count_source(lctx *L, ynode y, rule_cond *c) {
    static const char *const keys[] = {"field", "children", "related", "value", "chain", "where", "as", NULL};
    if (yn_check_keys(y, keys,
                      "count (expected field:, children:, related:, value: or chain:, and where:, as:)",
                      L->e) < 0)
        return -1;
    ynode f = yn_get(y, "field"), ch = yn_get(y, "children"), rel = yn_get(y, "related");
    ynode val = yn_get(y, "value"), chain = yn_get(y, "chain");
    int nsrc = yn_ok(f) + yn_ok(ch) + yn_ok(rel) + yn_ok(val) + yn_ok(chain);
    if (nsrc != 1)
        return yn_errf(L->e, y, "count needs exactly one of field:, children:, related:, value:, chain:");
    if (yn_ok(f)) {
        c->src = CS_FIELD;
        if (compile_path(L, f, "count.field", &c->field) < 0) return -1;
        if (!jpath_has_wildcard(c->field.p))
            return yn_errf(L->e, f, "count.field '%s' must reach array elements with [*]", yn_str(f));
    } else if (yn_ok(ch)) {
        const char *t;
        if (scalar_text(L, ch, "count.children", &t) < 0) return -1;
        c->src = CS_CHILDREN;
        c->src_type = lower_dup(t);
    } else if (yn_ok(val)) {
        c->src = CS_VALUE;
        if (compile_rval(L, val, &c->value) < 0) return -1;
    } else if (yn_ok(chain)) {
        c->src = CS_CHAIN;
        if (compile_path(L, chain, "count.chain", &c->field) < 0) return -1;
        if (jpath_has_wildcard(c->field.p) || c->field.from_resource || c->field.from_parent || c->field.bind)
            return yn_errf(L->e, chain, "count.chain '%s' must be one id path in the object, without [*]",
                           yn_str(chain));
    } else if (compile_related(L, rel, c) < 0) {
        return -1;
    }
    ynode as = yn_get(y, "as"), w = yn_get(y, "where");
    if (yn_ok(as) && compile_as(L, as, c) < 0) return -1;
    if (!yn_ok(w)) return 0;
    if (c->as) LZ_PUSH(L->names, L->nnames, L->capnames, c->as);
    c->where = compile_cond(L, w);
    if (c->as) L->nnames--;
    return c->where ? 0 : -1;
}

/* ---- conditions ---- */

static int compile_logic(lctx *L, ynode k, ynode v, rule_cond *c) {
    if (key_is(k, "not")) {
        c->kind = C_NOT;
        rule_cond *kid = compile_cond(L, v);
        if (!kid) return -1;
        c->kids = lz_malloc(sizeof *c->kids);
        c->kids[c->nkids++] = kid;
        return 0;
    }
    c->kind = key_is(k, "allOf") ? C_ALL : C_ANY;
    if (!yn_is_seq(v) || yn_len(v) == 0)
        return yn_errf(L->e, v, "%s takes a non-empty list of conditions", yn_str(k));
    size_t n = yn_len(v), cap = 0;
    for (size_t i = 0; i < n; i++) {
        rule_cond *kid = compile_cond(L, yn_item(v, i));
        if (!kid) return -1;
        LZ_PUSH(c->kids, c->nkids, cap, kid);
    }
    return 0;
}

static int compile_topology(lctx *L, ynode v, rule_cond *c) {
    static const struct {
        const char *name;
        enum topo_want w;
    } roles[] = {{"hub", TW_HUB},
                 {"spoke", TW_SPOKE},
                 {"connectivity", TW_CONNECTIVITY},
                 {"spokeSubscription", TW_SPOKE_SUBSCRIPTION}};
    c->kind = C_TOPOLOGY;
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (yn_is_scalar(v) && key_is(v, roles[i].name)) {
            c->topo = roles[i].w;
            return 0;
        }
    return yn_errf(L->e, v, "topology is one of hub, spoke, connectivity, spokeSubscription");
}

enum key_class { K_LOGIC, K_SUBJECT, K_REF, K_TOPOLOGY, K_OP, K_UNKNOWN };

static enum key_class classify_key(ynode k) {
    if (key_is(k, "allOf") || key_is(k, "anyOf") || key_is(k, "not")) return K_LOGIC;
    if (key_is(k, "field") || key_is(k, "value") || key_is(k, "count")) return K_SUBJECT;
    if (key_is(k, "ref")) return K_REF;
    if (key_is(k, "topology")) return K_TOPOLOGY;
    return op_of(k) != OP_NONE ? K_OP : K_UNKNOWN;
}

/* A mapping's keys, minus `skip` (the ref key being compiled), by class. */
typedef struct keyset {
    int subject, op, logic, topo, ref, unknown; /* index of the first of each class, -1 if none */
    size_t n;
} keyset;

static int scan_keys(lctx *L, ynode y, int skip, keyset *ks) {
    *ks = (keyset){-1, -1, -1, -1, -1, -1, 0};
    int *slot[] = {&ks->logic, &ks->subject, &ks->ref, &ks->topo, &ks->op, &ks->unknown};
    size_t n = yn_len(y);
    for (size_t i = 0; i < n; i++) {
        if ((int)i == skip) continue;
        ynode k = yn_key(y, i);
        if (!yn_is_scalar(k)) return yn_errf(L->e, k, "condition keys must be strings");
        enum key_class cl = classify_key(k);
        int *first = slot[cl];
        if (*first >= 0 && cl != K_UNKNOWN) {
            ynode prev = yn_key(y, (size_t)*first);
            if (cl == K_OP)
                return yn_errf(L->e, k, "two operators in one condition ('%s' and '%s')", yn_str(prev),
                               yn_str(k));
            return yn_errf(L->e, k, "'%s' and '%s' cannot be in one condition", yn_str(prev), yn_str(k));
        }
        if (*first < 0) *first = (int)i;
        ks->n++;
    }
    return 0;
}

/* The key that must be alone in its condition, if anything else is there. */
static int lone_key(lctx *L, ynode y, int idx, int skip, const keyset *ks) {
    if (ks->n == 1) return 0;
    size_t n = yn_len(y);
    for (size_t i = 0; i < n; i++)
        if ((int)i != idx && (int)i != skip)
            return yn_errf(L->e, yn_key(y, i), "'%s' cannot be combined with '%s' in one condition",
                           yn_str(yn_key(y, i)), yn_str(yn_key(y, (size_t)idx)));
    return 0;
}

static int compile_subject(lctx *L, ynode y, const keyset *ks, rule_cond *c) {
    ynode sk = yn_key(y, (size_t)ks->subject), sv = yn_val(y, (size_t)ks->subject);
    if (ks->logic >= 0 || ks->topo >= 0) {
        ynode o = yn_key(y, (size_t)(ks->logic >= 0 ? ks->logic : ks->topo));
        return yn_errf(L->e, o, "'%s' cannot be combined with '%s' in one condition", yn_str(o), yn_str(sk));
    }
    if (ks->unknown >= 0) {
        ynode u = yn_key(y, (size_t)ks->unknown);
        return yn_errf(L->e, u, "unknown operator '%s'", yn_str(u));
    }
    if (ks->op < 0) return yn_errf(L->e, sk, "condition on '%s' has no operator", yn_str(sk));
    bool counting = key_is(sk, "count");
    if (key_is(sk, "field")) {
        c->kind = C_FIELD;
        if (compile_path(L, sv, "field", &c->field) < 0) return -1;
    } else if (key_is(sk, "value")) {
        c->kind = C_VALUE;
        if (compile_rval(L, sv, &c->value) < 0) return -1;
    } else {
        c->kind = C_COUNT;
        if (!yn_is_map(sv)) return yn_errf(L->e, sv, "count takes a mapping: field:, children: or related:");
        if (compile_count_source(L, sv, c) < 0) return -1;
    }
    return compile_operand(L, yn_key(y, (size_t)ks->op), yn_val(y, (size_t)ks->op), c, counting);
}

/* if: C, then: C, else: C (optional), and nothing else but `skip`. */
static int compile_if(lctx *L, ynode y, int skip, rule_cond *c) {
    ynode parts[3] = {{0}, {0}, {0}};
    static const char *const names[] = {"if", "then", "else"};
    for (size_t i = 0; i < yn_len(y); i++) {
        if ((int)i == skip) continue;
        ynode k = yn_key(y, i);
        int which = -1;
        for (int w = 0; w < 3; w++)
            if (yn_is_scalar(k) && key_is(k, names[w])) which = w;
        if (which < 0)
            return yn_errf(L->e, k, "'%s' cannot be combined with if/then/else in one condition", yn_str(k));
        parts[which] = yn_val(y, i);
    }
    if (!yn_ok(parts[1])) return yn_errf(L->e, y, "if needs a then:");
    c->kind = C_IF;
    c->kids = lz_calloc(3, sizeof *c->kids);
    for (int w = 0; w < 3; w++) {
        if (!yn_ok(parts[w])) continue;
        if (!(c->kids[w] = compile_cond(L, parts[w]))) return -1;
        c->nkids = (size_t)w + 1;
    }
    return 0;
}

static int find_key(ynode y, int skip, const char *name) {
    for (size_t i = 0; i < yn_len(y); i++)
        if ((int)i != skip && yn_is_scalar(yn_key(y, i)) && key_is(yn_key(y, i), name)) return (int)i;
    return -1;
}

/* ref: PATH (ids at a path) or ref: VALUE (ids made by a value, e.g. concat). */
static int compile_ref_target(lctx *L, ynode v, rule_cond *c) {
    int which;
    if (is_reference(v, &which)) {
        c->ref_is_value = true;
        return compile_rval(L, v, &c->value);
    }
    return compile_path(L, v, "ref", &c->field);
}

/* Compiles the mapping y as one condition, ignoring key index `skip`. */
static rule_cond *compile_map(lctx *L, ynode y, int skip) {
    rule_cond *c = new_cond(C_ALL, y);
    if (find_key(y, skip, "if") >= 0 && find_key(y, skip, "ref") < 0) {
        if (compile_if(L, y, skip, c) < 0) {
            cond_free(c);
            return NULL;
        }
        return c;
    }
    keyset ks;
    if (scan_keys(L, y, skip, &ks) < 0) {
        cond_free(c);
        return NULL;
    }
    int rc = 0;
    if (ks.n == 0) {
        rc = yn_errf(L->e, y, "empty condition");
    } else if (ks.ref >= 0) {
        c->kind = C_REF;
        rule_cond *inner = NULL;
        rc = compile_ref_target(L, yn_val(y, (size_t)ks.ref), c);
        if (rc == 0 && ks.n == 1) rc = yn_errf(L->e, y, "ref needs a condition to evaluate on the resource");
        if (rc == 0 && !(inner = compile_map(L, y, ks.ref))) rc = -1;
        if (inner) {
            c->kids = lz_malloc(sizeof *c->kids);
            c->kids[c->nkids++] = inner;
        }
    } else if (ks.subject >= 0) {
        rc = compile_subject(L, y, &ks, c);
    } else if (ks.logic >= 0) {
        rc = lone_key(L, y, ks.logic, skip, &ks);
        if (rc == 0) rc = compile_logic(L, yn_key(y, (size_t)ks.logic), yn_val(y, (size_t)ks.logic), c);
    } else if (ks.topo >= 0) {
        rc = lone_key(L, y, ks.topo, skip, &ks);
        if (rc == 0) rc = compile_topology(L, yn_val(y, (size_t)ks.topo), c);
    } else if (ks.unknown >= 0) { /* likely a misspelt field:/value:/count: */
        ynode u = yn_key(y, (size_t)ks.unknown);
        rc = yn_errf(L->e, u, "unknown key '%s' in condition", yn_str(u));
    } else {
        ynode o = yn_key(y, (size_t)ks.op);
        rc = yn_errf(L->e, o, "operator '%s' needs a field:, value: or count:", yn_str(o));
    }
    if (rc < 0) {
        cond_free(c);
        return NULL;
    }
    return c;
}

static rule_cond *compile_cond(lctx *L, ynode y) {
    if (!yn_is_map(y)) {
        yn_errf(L->e, y,
                "a condition must be a mapping (allOf, anyOf, not, if, field, value, count, ref, topology)");
        return NULL;
    }
    return compile_map(L, y, -1);
}

/* ---- the rule ---- */

static int required_text(lctx *L, ynode root, const char *key, char **out) {
    ynode v = yn_get(root, key);
    if (!yn_ok(v)) return yn_errf(L->e, root, "rule is missing required key '%s'", key);
    const char *s = NULL;
    if (scalar_text(L, v, key, &s) < 0) return -1;
    *out = lz_strdup(s);
    return 0;
}

static bool valid_id(const char *s) {
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '.' || *s == '-'))
            return false;
    return true;
}

static int load_controls(lctx *L, ynode y, rule *r) {
    if (!yn_ok(y) || yn_is_null(y)) return 0;
    static const char *const keys[] = {"mcsb", "cis", "landingZone", NULL};
    if (yn_check_keys(y, keys, "controls (expected mcsb:, cis:, landingZone:)", L->e) < 0) return -1;
    if (strlist(L, yn_get(y, "mcsb"), "controls.mcsb", false, &r->mcsb) < 0) return -1;
    if (strlist(L, yn_get(y, "cis"), "controls.cis", false, &r->cis) < 0) return -1;
    return strlist(L, yn_get(y, "landingZone"), "controls.landingZone", false, &r->landing_zone);
}

static int load_metadata(lctx *L, ynode root, rule *r) {
    if (required_text(L, root, "id", &r->id) < 0) return -1;
    if (!valid_id(r->id))
        return yn_errf(L->e, yn_get(root, "id"), "rule id '%s' may only hold A-Z a-z 0-9 _ . -", r->id);
    if (required_text(L, root, "title", &r->title) < 0) return -1;
    char *sev = NULL;
    if (required_text(L, root, "severity", &sev) < 0) return -1;
    r->severity = rule_severity_parse(sev);
    free(sev);
    if (r->severity == SEV_NONE)
        return yn_errf(L->e, yn_get(root, "severity"), "severity must be low, medium, high or critical");
    if (required_text(L, root, "description", &r->description) < 0) return -1;
    if (required_text(L, root, "remediation", &r->remediation) < 0) return -1;
    ynode beyond = yn_get(root, "beyondPolicy");
    const char *b;
    if (yn_ok(beyond) && !yn_is_null(beyond)) {
        if (scalar_text(L, beyond, "beyondPolicy", &b) < 0) return -1;
        r->beyond_policy = lz_strdup(b);
    }
    if (strlist(L, yn_get(root, "references"), "references", false, &r->references) < 0) return -1;
    if (strlist(L, yn_get(root, "policy"), "policy", false, &r->policy) < 0) return -1;
    if (strlist(L, yn_get(root, "needs"), "needs", true, &r->needs) < 0) return -1;
    return load_controls(L, yn_get(root, "controls"), r);
}

static int load_applies(lctx *L, ynode root, rule *r, rule_cond *body) {
    ynode a = yn_get(root, "applies");
    if (!yn_ok(a)) return yn_errf(L->e, root, "rule is missing required key 'applies'");
    static const char *const keys[] = {"type", "kind", "where", NULL};
    if (yn_check_keys(a, keys, "applies (expected type:, kind:, where:)", L->e) < 0) return -1;
    ynode t = yn_get(a, "type");
    if (!yn_ok(t)) return yn_errf(L->e, a, "applies is missing required key 'type'");
    if (yn_is_seq(t) && yn_len(t) == 0) return yn_errf(L->e, t, "applies.type is an empty list");
    if (strlist(L, t, "applies.type", true, &r->types) < 0) return -1;
    if (strv_has(&r->types, "*") && r->types.n > 1) {
        /* "*" already selects everything: keep only it. */
        strv_free(&r->types);
        strv_push(&r->types, "*");
    }
    if (strlist(L, yn_get(a, "kind"), "applies.kind", true, &body->kinds) < 0) return -1;
    ynode w = yn_get(a, "where");
    if (yn_ok(w) && !(body->applies_where = compile_cond(L, w))) return -1;
    return 0;
}

/* The last key of a path: "subnets" for properties.subnets[*]. */
static char *last_key(const char *t) {
    const char *best = "", *end = best;
    size_t i = 0;
    while (t[i]) {
        if (t[i] == '[' && (t[i + 1] == '\'' || t[i + 1] == '"')) {
            const char *q = strchr(t + i + 2, t[i + 1]);
            if (!q) break;
            best = t + i + 2;
            end = q;
            i = (size_t)(q - t) + 2;
        } else if (t[i] == '[') {
            const char *q = strchr(t + i, ']');
            if (!q) break;
            i = (size_t)(q - t) + 1;
        } else if (t[i] == '.') {
            i++;
        } else {
            best = t + i;
            while (t[i] && t[i] != '.' && t[i] != '[') i++;
            end = t + i;
        }
    }
    return end > best ? lz_strndup(best, (size_t)(end - best)) : lz_strdup("elements");
}

static int each_entry(lctx *L, ynode type, ynode path, rule_cond *body) {
    each_spec *e = &body->eachs[body->neach++];
    if (yn_ok(type)) {
        const char *t;
        if (scalar_text(L, type, "each type", &t) < 0) return -1;
        e->type = lower_dup(t);
    }
    if (compile_path(L, path, "each", &e->path) < 0) return -1;
    if (e->path.from_resource || e->path.from_parent || e->path.bind)
        return yn_errf(L->e, path, "each is read from the resource already");
    e->key = last_key(jpath_text(e->path.p));
    return 0;
}

/* each: PATH, or each: {TYPE: PATH, ...} for rules over several types (a
 * type without an entry gives one result for the whole object). */
static int load_each(lctx *L, ynode each, rule *r, rule_cond *body) {
    ynode none = {0};
    if (!yn_is_map(each)) {
        body->eachs = lz_calloc(1, sizeof *body->eachs);
        return each_entry(L, none, each, body);
    }
    if (yn_len(each) == 0) return yn_errf(L->e, each, "each needs a path, or a mapping of types to paths");
    body->eachs = lz_calloc(yn_len(each), sizeof *body->eachs);
    for (size_t i = 0; i < yn_len(each); i++) {
        if (each_entry(L, yn_key(each, i), yn_val(each, i), body) < 0) return -1;
        if (!strv_has(&r->types, body->eachs[i].type) && !strv_has(&r->types, "*"))
            return yn_errf(L->e, yn_key(each, i), "each type '%s' is not one of applies.type",
                           yn_str(yn_key(each, i)));
        for (size_t k = 0; k < i; k++)
            if (strcmp(body->eachs[k].type, body->eachs[i].type) == 0)
                return yn_errf(L->e, yn_key(each, i), "each names type '%s' twice", yn_str(yn_key(each, i)));
    }
    return 0;
}

static int load_body(lctx *L, ynode root, rule *r) {
    rule_cond *body = new_cond(C_BODY, root);
    r->body = body;
    if (load_applies(L, root, r, body) < 0) return -1;
    ynode each = yn_get(root, "each");
    if (yn_ok(each) && load_each(L, each, r, body) < 0) return -1;
    ynode unless = yn_get(root, "unless");
    if (yn_ok(unless) && !(body->unless = compile_cond(L, unless))) return -1;
    ynode check = yn_get(root, "check");
    if (!yn_ok(check)) return yn_errf(L->e, root, "rule is missing required key 'check'");
    if (!(body->check = compile_cond(L, check))) return -1;
    cond_collect_needs(body, &r->needs);
    return 0;
}

static int load_rule(lctx *L, ydoc *d, size_t i, const char *source, rule **out) {
    static const char *const keys[] = {"id",           "title",      "severity", "description", "remediation",
                                       "beyondPolicy", "references", "policy",   "controls",    "needs",
                                       "applies",      "each",       "unless",   "check",       NULL};
    ynode root = ydoc_root(d, i);
    if (yn_check_keys(root, keys, "rule", L->e) < 0) return -1;
    rule *r = lz_calloc(1, sizeof *r);
    r->source = lz_strdup(source);
    r->line = yn_line(root);
    size_t len;
    const char *text = ydoc_text(d, i, &len);
    r->sha256 = lz_malloc(65);
    lz_sha256_hex(text, len, r->sha256);
    if (load_metadata(L, root, r) < 0 || load_body(L, root, r) < 0) {
        rule_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

int rule_load_doc(ydoc *d, const char *source, jv_store *store, rule ***rules, size_t *n, size_t *cap,
                  lz_err *e) {
    lctx L = {store, e, NULL, 0, 0};
    size_t count = ydoc_count(d);
    if (count == 0) return lz_errf(e, "%s:1:1: the file holds no rule", ydoc_name(d));
    for (size_t i = 0; i < count; i++) {
        rule *r;
        if (load_rule(&L, d, i, source, &r) < 0) {
            free(L.names);
            return -1;
        }
        lz_grow(rules, cap, *n + 1, sizeof **rules);
        (*rules)[(*n)++] = r;
    }
    free(L.names);
    return 0;
}
