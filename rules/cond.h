/*
 * cond.h - the compiled form of a rule's conditions. PRIVATE to rules/:
 * other modules see only struct rule (rule.h) and the engine (engine.h).
 *
 * A rule body is compiled once by load.c: paths become jpaths, regexes are
 * compiled with match limits, literal operands are pre-classified (number,
 * lower-cased text). eval.c walks the tree with three-valued logic.
 *
 * Literals live in the pack's jv store (rule_pack_priv); a rule_cond owns
 * everything else it points to (freed by cond_free).
 */
#ifndef RULES_COND_H
#define RULES_COND_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>

#include "../common/lz.h"
#include "../scanner/jpath.h"
#include "../scanner/jv.h"
#include "rule.h"

/* Kleene truth values. */
typedef enum tri { TRI_FALSE = 0, TRI_TRUE = 1, TRI_UNKNOWN = 2 } tri;

enum cond_kind {
    C_BODY,     /* the rule: applies.where, each, unless, check */
    C_ALL,      /* allOf */
    C_ANY,      /* anyOf */
    C_NOT,      /* not */
    C_FIELD,    /* field: PATH + operator */
    C_VALUE,    /* value: V + operator */
    C_COUNT,    /* count: SOURCE + operator */
    C_REF,      /* ref: PATH or VALUE + condition */
    C_TOPOLOGY, /* topology: ROLE */
    C_IF,       /* if: C, then: C[, else: C]: kids[0..2] */
};

enum cond_op {
    OP_NONE = 0,
    OP_EQUALS,
    OP_NOT_EQUALS,
    OP_IN,
    OP_NOT_IN,
    OP_LIKE,
    OP_NOT_LIKE,
    OP_MATCH,
    OP_NOT_MATCH,
    OP_CONTAINS,
    OP_NOT_CONTAINS,
    OP_EXISTS,
    OP_LESS,
    OP_LESS_OR_EQUALS,
    OP_GREATER,
    OP_GREATER_OR_EQUALS,
    OP_HAS_KEYS,
};
const char *cond_op_name(enum cond_op op);

enum topo_want { TW_HUB, TW_SPOKE, TW_CONNECTIVITY, TW_SPOKE_SUBSCRIPTION };

/* A value path: `$resource.` / `$NAME.` prefixes and the subscriptionId /
 * resourceGroup fallbacks are decided at compile time. */
enum rpath_special { RP_PLAIN, RP_SUBSCRIPTION_ID, RP_RESOURCE_GROUP };
typedef struct rpath {
    jpath *p;
    bool from_resource; /* $resource. */
    bool from_parent;   /* $parent.: the inventory parent of the rule's resource */
    char *bind;         /* $NAME.: the item of the enclosing count named NAME */
    enum rpath_special special;
    char *text; /* as written, for evidence of a missing value */
} rpath;

/* An operand, a `value:` or a count's value source: a literal, {param: N},
 * {fact: N}, {field: PATH} or {concat: [V, ...]}; references may index an
 * object with `key: V`. */
enum rval_kind { RV_LITERAL, RV_PARAM, RV_FACT, RV_FIELD, RV_CONCAT };
typedef struct rval rval;
struct rval {
    enum rval_kind kind;
    jv_t lit;      /* RV_LITERAL: in the pack store */
    char *name;    /* RV_PARAM / RV_FACT */
    int param;     /* RV_PARAM: index into rule_pack.params, -1 until resolved */
    int line, col; /* where it was written, for messages */
    char *lower;   /* folded text of a string/number literal (contains) */
    bool numeric;  /* the literal is a number or a numeric string ... */
    double num;    /* ... with this value (count operands) */
    rpath *path;   /* RV_FIELD */
    rval *parts;   /* RV_CONCAT */
    size_t nparts;
    rval *key; /* optional: the member of the (object) value named by this value */
};

enum count_src { CS_FIELD, CS_CHILDREN, CS_RELATED, CS_VALUE, CS_CHAIN };

/* `each: PATH` (type NULL: every type) or one entry of `each: {TYPE: PATH}`. */
typedef struct each_spec {
    char *type; /* lower-cased, or NULL */
    rpath path;
    char *key; /* the last key of the path, for element ids */
} each_spec;

typedef struct rule_cond rule_cond;
struct rule_cond {
    enum cond_kind kind;
    int line, col;

    /* C_ALL / C_ANY / C_NOT (one kid) */
    rule_cond **kids;
    size_t nkids;

    /* leaves: C_FIELD / C_VALUE / C_COUNT compare with op + operand */
    enum cond_op op;
    rval operand;
    pcre2_code *re; /* OP_MATCH / OP_NOT_MATCH */
    pcre2_match_context *mctx;
    char *like_lower; /* OP_LIKE / OP_NOT_LIKE: folded literal pattern */
    rpath field;      /* C_FIELD; C_REF: the id path; C_COUNT: CS_FIELD's array path, CS_CHAIN's link */
    rval value;       /* C_VALUE; C_COUNT/CS_VALUE: the items; C_REF (ref_is_value): the ids */
    bool ref_is_value;

    /* C_COUNT */
    enum count_src src;
    char *src_type; /* CS_CHILDREN / CS_RELATED, lower-cased */
    char *src_path; /* CS_RELATED: path in the related object */
    rval *rel_key;  /* CS_RELATED: what the path must equal (default: the current object's id) */
    bool ancestors; /* CS_RELATED: ... or one of its ancestor scopes */
    char *as;       /* the item's name for $NAME. paths inside where */
    rule_cond *where;

    /* C_REF: inner condition on the referenced resource (kids[0]) */
    /* C_TOPOLOGY */
    enum topo_want topo;

    /* C_BODY */
    rule_cond *applies_where;
    struct each_spec *eachs; /* `each`: one path for every type, or one per type */
    size_t neach;
    rule_cond *unless;
    rule_cond *check;
    rule_strv kinds; /* applies.kind, lower-cased; empty = any */
};

void cond_free(rule_cond *c);

/* Every {param:} and {fact:} reference in c, nested ones included (depth
 * first): calls fn for each. */
typedef int (*cond_rval_fn)(rval *v, void *ctx);
int cond_each_rval(rule_cond *c, cond_rval_fn fn, void *ctx);
void rval_free(rval *v);
/* Adds children/related types a body reads to out (lower-cased, no dups). */
void cond_collect_needs(const rule_cond *c, rule_strv *out);

/* ---- loading (load.c) ---- */
struct ydoc;
/* Compiles every rule of a YAML file/buffer already loaded; literals go to
 * store. source is the name recorded in rule->source. Appends to *rules. */
int rule_load_doc(struct ydoc *d, const char *source, jv_store *store, rule ***rules, size_t *n, size_t *cap,
                  lz_err *e);
void rule_free(rule *r);

/* ---- values as text (text.c) ---- */
/* Compact JSON text of v (strings escaped); JV_MISSING writes "missing". */
void jtext_value(lz_buf *b, const jv_store *s, jv_t v);
char *jtext_dup(const jv_store *s, jv_t v);

/* ---- evaluation (eval.c) ---- */
struct inv;
struct topo;

/* A value and the store it lives in: rule literals, inventory objects,
 * profile parameters and topology facts live in four different stores. */
typedef struct jvr {
    const jv_store *s;
    jv_t v;
} jvr;

/* What stays fixed for a whole run. */
typedef struct eval_env {
    struct inv *inv;
    const struct topo *topo;
    const jv_store *pack_store; /* rule literals */
    const jvr *params;          /* parallel to rule_pack.params: profile value or default */
    jv_store *scratch;          /* values made during evaluation (subscriptionId from an id) */
    pcre2_match_data *md;       /* one match data reused by every regex */
    struct rel_index *rx;       /* `related` lookups, built per (type, path) on first use */
} eval_env;

/* ---- related lookups (relindex.c) ----
 * Objects of a type by the (case-folded) string values at a path: built
 * once per (type, path) on first use, so a `related` join costs a hash
 * probe per key, whatever the number of resources. */
struct rel_index *rel_index_new(void);
void rel_index_free(struct rel_index *rx);
/* Objects of type whose value at path equals key case-insensitively;
 * NULL with *n = 0 if none. */
const uint32_t *rel_index_find(struct rel_index *rx, const struct inv *v, const char *type, const char *path,
                               const char *key, size_t keylen, size_t *n);

/* One result of a rule on a resource (or on one `each` element). The
 * callback may take message and ev (set them to NULL); the evaluator frees
 * what is left. subject_id is borrowed for the call (copy it to keep it):
 * most results are passes, and copying every subject cost more than
 * evaluating some rules. */
typedef struct eval_result {
    int status; /* enum result_status */
    const char *subject_id;
    char *message;
    struct evidence *ev;
    size_t nev;
} eval_result;
typedef void (*eval_emit_fn)(eval_result *res, void *ctx);

/* Evaluates r on resource res (already selected by type), emitting one
 * result per subject (none when `each` reaches no element). */
void eval_rule(const eval_env *env, const rule *r, uint32_t res, eval_emit_fn emit, void *ctx);
/* True when r's applies.kind admits the resource (no kind list = any). */
bool eval_kind_matches(const eval_env *env, const rule *r, uint32_t res);

/* ---- pack internals (pack.c) ---- */
struct rule_pack_priv {
    jv_store *store; /* rule literals and parameter defaults */
    jv_t *defaults;  /* parallel to rule_pack.params */
    size_t capparams;
};

#endif
