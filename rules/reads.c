/*
 * reads.c - rule_reads (rule.h): every path a compiled rule can read.
 *
 * A walk over the condition tree that mirrors eval.c: each condition is
 * read in a context, the object (or the part of one) its relative paths
 * start from. The rule's body starts on the rule's own objects; a count
 * over a field moves to the elements under that field, `children`/`related`
 * to objects of their type, `ref`, `chain` and `$parent` to any object;
 * `$resource.` and `$NAME.` paths go back to the rule's object or to a
 * named item. A context below a [*] or [N] is "closed": whatever is read
 * under it lies inside the subtree its keys name, which is reported once.
 * Over-reporting is safe (the collector keeps more); missing a read is not,
 * so when in doubt a context reports more.
 */
#include <stdlib.h>
#include <string.h>

#include "cond.h"

#define MAX_KEYS 16 /* leading keys kept per path: the collector uses two */

typedef struct rctx {
    const char *on; /* NULL: the rule's objects; a type; "*": any object */
    const char *keys[MAX_KEYS];
    char *own[MAX_KEYS]; /* keys this context allocated */
    size_t n;
    bool closed; /* below a [*]/[N]: reads are inside keys[0..n) */
    bool none;   /* not an object: an item of a parameter, fact or literal */
} rctx;

typedef struct named {
    const char *name;
    const rctx *at;
} named;

typedef struct walker {
    rule_read_fn fn;
    void *ctx;
    named *names; /* the `as:` items in scope, innermost last */
    size_t nnames, capnames;
} walker;

static void walk(walker *w, const rctx *at, const rule_cond *c);

/* ---- path text: the leading keys, as jpath.c parses them ---- */

/* Appends the keys of text (up to its first [*] or [N]) to out; returns
 * true when it stopped at one (what follows is below the keys). */
static bool parse_keys(const char *t, rctx *out) {
    if (strcmp(t, "@") == 0) return false;
    size_t i = 0;
    while (t[i] && out->n < MAX_KEYS) {
        if (t[i] == '[') {
            char q = t[i + 1];
            if (q != '\'' && q != '"') return true; /* [*] or [N] */
            const char *end = strchr(t + i + 2, q);
            if (!end) return true; /* the loader refuses it; stop safely */
            out->keys[out->n] = out->own[out->n] = lz_strndup(t + i + 2, (size_t)(end - (t + i + 2)));
            out->n++;
            i = (size_t)(end - t) + 2;
        } else {
            size_t start = i;
            while (t[i] && t[i] != '.' && t[i] != '[') i++;
            out->keys[out->n] = out->own[out->n] = lz_strndup(t + start, i - start);
            out->n++;
        }
        if (t[i] == '.') i++;
    }
    return t[i] != '\0'; /* more than MAX_KEYS keys: below the ones kept */
}

static void rctx_release(rctx *c) {
    for (size_t i = 0; i < MAX_KEYS; i++) free(c->own[i]);
}

/* A context at `base` followed by path text t. */
static void rctx_below(rctx *out, const rctx *base, const char *t) {
    memset(out, 0, sizeof *out);
    out->on = base->on;
    out->none = base->none;
    out->closed = base->closed;
    out->n = base->n;
    memcpy(out->keys, base->keys, base->n * sizeof *base->keys);
    if (!base->closed && !base->none && parse_keys(t, out)) out->closed = true;
}

static void report(walker *w, const rctx *c) {
    if (!c->none) w->fn(c->on, c->keys, c->n, w->ctx);
}

static const rctx *find_name(const walker *w, const char *name) {
    for (size_t i = w->nnames; i-- > 0;)
        if (strcmp(w->names[i].name, name) == 0) return w->names[i].at;
    return NULL;
}

static const rctx rule_own = {NULL, {NULL}, {NULL}, 0, false, false};
static const rctx any_object = {"*", {NULL}, {NULL}, 0, false, false};

/* Where a path starts: $resource., $parent., $NAME., or the current context. */
static const rctx *path_base(const walker *w, const rctx *at, const rpath *p) {
    if (p->from_resource) return &rule_own;
    if (p->from_parent) return &any_object;
    if (p->bind) {
        const rctx *b = find_name(w, p->bind);
        return b ? b : &any_object; /* the loader checked the name; be safe anyway */
    }
    return at;
}

/* Reads path p from at; the context of what it reaches goes to out (if given). */
static void read_path(walker *w, const rctx *at, const rpath *p, rctx *out) {
    rctx tmp;
    rctx *c = out ? out : &tmp;
    rctx_below(c, path_base(w, at, p), jpath_text(p->p));
    report(w, c);
    if (p->special != RP_PLAIN) { /* subscriptionId / resourceGroup fall back on the id */
        rctx id;
        rctx_below(&id, path_base(w, at, p), "id");
        report(w, &id);
        rctx_release(&id);
    }
    if (!out) rctx_release(&tmp);
}

static void read_rval(walker *w, const rctx *at, const rval *v) {
    if (!v) return;
    if (v->kind == RV_FIELD && v->path) read_path(w, at, v->path, NULL);
    for (size_t i = 0; i < v->nparts; i++) read_rval(w, at, &v->parts[i]);
    read_rval(w, at, v->key);
}

/* The context of the items of a `value:` count: under the field it reads,
 * or not an object at all (a parameter, fact, literal or concatenation). */
static void value_items(walker *w, const rctx *at, const rval *v, rctx *out) {
    if (v->kind == RV_FIELD && v->path) {
        read_path(w, at, v->path, out);
        out->closed = true; /* an element of the value, or a member a key names: below it */
        return;
    }
    memset(out, 0, sizeof *out);
    out->none = true;
}

/* `where` on items in context items, each named `as` if the count says so. */
static void walk_where(walker *w, const rule_cond *c, const rctx *cur, const rctx *items) {
    if (c->as) LZ_PUSH(w->names, w->nnames, w->capnames, ((named){c->as, items}));
    walk(w, cur, c->where);
    if (c->as) w->nnames--;
}

static void walk_count(walker *w, const rctx *at, const rule_cond *c) {
    read_rval(w, at, &c->operand);
    rctx items;
    memset(&items, 0, sizeof items);
    switch (c->src) {
    case CS_FIELD:
        read_path(w, at, &c->field, &items);
        items.closed = true;
        walk_where(w, c, &items, &items);
        break;
    case CS_VALUE: /* where still reads the current value; the items only by name */
        read_rval(w, at, &c->value);
        value_items(w, at, &c->value, &items);
        walk_where(w, c, at, &items);
        break;
    case CS_CHAIN: /* this object, then any object its link names */
        read_path(w, at, &c->field, NULL);
        read_path(w, &any_object, &c->field, NULL);
        walk_where(w, c, at, at);
        walk_where(w, c, &any_object, &any_object);
        if (!c->where) { /* too many items: each object is the evidence, printed whole */
            report(w, at);
            report(w, &any_object);
        }
        break;
    case CS_CHILDREN:
    case CS_RELATED: {
        const char *type = c->src_type && strcmp(c->src_type, "*") != 0 ? c->src_type : "*";
        rctx objs = {type, {NULL}, {NULL}, 0, false, false};
        if (c->src == CS_RELATED) {
            rctx key;
            rctx_below(&key, &objs, c->src_path ? c->src_path : "");
            report(w, &key); /* the index reads the path on every object of the type */
            rctx_release(&key);
            if (c->rel_key) {
                read_rval(w, at, c->rel_key);
            } else {
                rctx id;
                rctx_below(&id, at, "id"); /* the default key: the current value's id */
                report(w, &id);
                rctx_release(&id);
            }
        }
        walk_where(w, c, &objs, &objs);
        if (!c->where) report(w, &objs); /* too many items: each object is the evidence, printed whole */
        break;
    }
    }
    rctx_release(&items);
}

static void walk_ref(walker *w, const rctx *at, const rule_cond *c) {
    if (c->ref_is_value)
        read_rval(w, at, &c->value);
    else
        read_path(w, at, &c->field, NULL);
    /* a subnet id resolves inside its VNet: the VNet's properties.subnets */
    rctx subnets;
    rctx_below(&subnets, &any_object, "properties.subnets");
    report(w, &subnets);
    rctx_release(&subnets);
    for (size_t i = 0; i < c->nkids; i++) walk(w, &any_object, c->kids[i]);
}

static void walk(walker *w, const rctx *at, const rule_cond *c) {
    if (!c) return;
    switch (c->kind) {
    case C_FIELD:
        read_rval(w, at, &c->operand);
        read_path(w, at, &c->field, NULL);
        return;
    case C_VALUE:
        read_rval(w, at, &c->operand);
        read_rval(w, at, &c->value);
        return;
    case C_COUNT:
        walk_count(w, at, c);
        return;
    case C_REF:
        walk_ref(w, at, c);
        return;
    case C_TOPOLOGY: /* roles come from the topology pass (scanner/topology.c), not the object */
        return;
    case C_BODY:
    case C_ALL:
    case C_ANY:
    case C_NOT:
    case C_IF:
        break;
    }
    for (size_t i = 0; i < c->nkids; i++) walk(w, at, c->kids[i]);
}

/* The body: applies on the rule's objects; unless and check on them and,
 * with `each`, on every element (whose id is its own id, else its name). */
static void walk_body(walker *w, const rule_cond *b) {
    static const char *const kind_key[] = {"kind"}, *const ident[] = {"id", "name", "type"};
    if (b->kinds.n) w->fn(NULL, kind_key, 1, w->ctx);
    for (size_t i = 0; i < 3; i++) w->fn(NULL, &ident[i], 1, w->ctx);
    walk(w, &rule_own, b->applies_where);
    walk(w, &rule_own, b->unless);
    walk(w, &rule_own, b->check);
    for (size_t i = 0; i < b->neach; i++) {
        rctx elem;
        read_path(w, &rule_own, &b->eachs[i].path, &elem);
        elem.closed = true;
        walk(w, &elem, b->unless);
        walk(w, &elem, b->check);
        rctx_release(&elem);
    }
}

void rule_reads(const rule *r, rule_read_fn fn, void *ctx) {
    walker w = {fn, ctx, NULL, 0, 0};
    if (r->body) walk_body(&w, r->body);
    free(w.names);
}

static bool every_type(const rule_cond *c) {
    if (!c) return false;
    if (c->kind == C_COUNT && c->src == CS_RELATED && c->src_type && strcmp(c->src_type, "*") == 0)
        return true;
    for (size_t i = 0; i < c->nkids; i++)
        if (every_type(c->kids[i])) return true;
    return every_type(c->where) || every_type(c->applies_where) || every_type(c->unless) ||
           every_type(c->check);
}

bool rule_reads_every_type(const rule *r) {
    return every_type(r->body);
}
