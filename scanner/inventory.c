/*
 * inventory.c - see inventory.h.
 *
 * Objects live in res[] in input order. Indexes are built once by
 * inv_finalize: id -> object (also maintained during inv_add to replace
 * duplicates), type -> objects, parent -> children (CSR arrays), subscription
 * -> management-group chain. Reverse-reference indexes are built lazily per
 * (type, path) because only rules with `related:` need them.
 */
#include "inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/u32map.h"
#include "armid.h"
#include "jpath.h"

typedef struct idxlist {
    inv_idx *v;
    size_t n, cap;
} idxlist;

typedef struct refindex {
    jv_atom type;
    char *path;
    u32map target_to_list; /* target id_fold atom -> index into lists */
    idxlist *lists;
    size_t nlists, caplists;
} refindex;

struct inv {
    jv_store *s;
    inv_res *res;
    size_t n, cap;
    char **sources;
    size_t nsources, capsources;
    u32map by_id; /* id_fold -> idx */

    /* built by inv_finalize */
    bool finalized;
    u32map type_slot; /* type_fold -> index into types */
    idxlist *types;
    size_t ntypes, captypes;
    uint32_t *child_start; /* CSR: children of i are child_idx[child_start[i] .. child_start[i+1]) */
    inv_idx *child_idx;
    u32map sub_index;  /* subscription_fold -> idx of the subscription container */
    u32map chain_slot; /* subscription_fold -> index into chains */
    idxlist *chains;   /* management-group name atoms (fold), nearest first */
    size_t nchains, capchains;

    jv_atom *collected;
    size_t ncollected, capcollected;
    refindex *refs;
    size_t nrefs, caprefs;
    inv_gap *gaps;
    size_t ngaps, capgaps;
    char **notes;
    size_t nnotes, capnotes;
    char *projection_pack, *projection_file, *projection_conflict; /* inv_note_projection */
    struct page {
        char *source;
        uint64_t rows, total;
        bool more;
    } * pages;
    size_t npages, cappages;
};

static void list_push(idxlist *l, inv_idx i) {
    LZ_PUSH(l->v, l->n, l->cap, i);
}

inv *inv_new(void) {
    inv *v = lz_calloc(1, sizeof *v);
    v->s = jv_store_new();
    return v;
}

void inv_free(inv *v) {
    if (!v) return;
    jv_store_free(v->s);
    free(v->res);
    for (size_t i = 0; i < v->nsources; i++) free(v->sources[i]);
    free(v->sources);
    u32map_free(&v->by_id);
    u32map_free(&v->type_slot);
    for (size_t i = 0; i < v->ntypes; i++) free(v->types[i].v);
    free(v->types);
    free(v->child_start);
    free(v->child_idx);
    u32map_free(&v->sub_index);
    u32map_free(&v->chain_slot);
    for (size_t i = 0; i < v->nchains; i++) free(v->chains[i].v);
    free(v->chains);
    free(v->collected);
    for (size_t i = 0; i < v->nrefs; i++) {
        refindex *r = &v->refs[i];
        free(r->path);
        u32map_free(&r->target_to_list);
        for (size_t j = 0; j < r->nlists; j++) free(r->lists[j].v);
        free(r->lists);
    }
    free(v->refs);
    for (size_t i = 0; i < v->ngaps; i++) {
        free(v->gaps[i].scope);
        free(v->gaps[i].type);
        free(v->gaps[i].reason);
    }
    free(v->gaps);
    for (size_t i = 0; i < v->nnotes; i++) free(v->notes[i]);
    free(v->notes);
    free(v->projection_pack);
    free(v->projection_file);
    free(v->projection_conflict);
    for (size_t i = 0; i < v->npages; i++) free(v->pages[i].source);
    free(v->pages);
    free(v);
}

jv_store *inv_store(inv *v) {
    return v->s;
}
const jv_store *inv_cstore(const inv *v) {
    return v->s;
}
size_t inv_count(const inv *v) {
    return v->n;
}
const inv_res *inv_get(const inv *v, inv_idx i) {
    return i < v->n ? &v->res[i] : NULL;
}
const char *inv_str(const inv *v, jv_atom a) {
    return jv_atom_str(v->s, a, NULL);
}

uint16_t inv_add_source(inv *v, const char *name) {
    LZ_PUSH(v->sources, v->nsources, v->capsources, lz_strdup(name));
    return (uint16_t)(v->nsources - 1);
}

const char *inv_source_name(const inv *v, uint16_t source) {
    return source < v->nsources ? v->sources[source] : "?";
}

/* Interns the lower-cased form of a slice. */
static jv_atom intern_fold(jv_store *s, const char *p, size_t n) {
    return n ? jv_atom_fold(s, jv_intern(s, p, n)) : 0;
}

static enum inv_class classify(const char *type, size_t n) {
    if (lz_strcaseeq(type, n, "microsoft.management/managementgroups", 37)) return INV_MANAGEMENT_GROUP;
    if (lz_strcaseeq(type, n, "microsoft.resources/subscriptions", 33)) return INV_SUBSCRIPTION;
    if (lz_strcaseeq(type, n, "microsoft.resources/subscriptions/resourcegroups", 48) ||
        lz_strcaseeq(type, n, "microsoft.resources/resourcegroups", 34))
        return INV_RESOURCE_GROUP;
    return INV_RESOURCE;
}

/* The atom of a string member as a C string reads it (up to a NUL, which
 * only hostile data holds); false if the member is absent or not a string. */
static bool member_atom(jv_store *s, jv_t obj, const char *key, size_t klen, jv_atom *out) {
    jv_t m = jv_get(s, obj, key, klen);
    if (jv_kind(s, m) != JV_STRING) return false;
    size_t n;
    const char *t = jv_str(s, m, &n);
    *out = memchr(t, '\0', n) ? jv_intern(s, t, strlen(t)) : jv_str_atom(s, m);
    return true;
}

/* A non-empty field of the object, folded, else what the id says. */
static jv_atom field_or_id(jv_store *s, jv_t obj, const char *key, size_t klen, armid_slice from_id) {
    jv_atom a;
    if (member_atom(s, obj, key, klen, &a) && a) return jv_atom_fold(s, a);
    return intern_fold(s, from_id.p, from_id.len);
}

int inv_add(inv *v, jv_t obj, uint16_t source, const char *where, lz_err *e) {
    jv_store *s = v->s;
    if (jv_kind(s, obj) != JV_OBJECT)
        return lz_errf(e, "%s: expected an ARM object, found another JSON value", where);
    jv_t idv = jv_get(s, obj, "id", 2), typev = jv_get(s, obj, "type", 4);
    size_t idlen = 0, typelen = 0;
    const char *id = jv_str(s, idv, &idlen);
    const char *type = jv_str(s, typev, &typelen);
    if (!id || jv_kind(s, idv) != JV_STRING || idlen == 0)
        return lz_errf(e, "%s: object has no \"id\" string (every ARM object needs one)", where);
    armid aid;
    if (armid_parse(id, idlen, &aid) < 0)
        return lz_errf(e, "%s: \"%.200s\" is not an ARM resource id", where, id);
    inv_res r = {0};
    if (type && jv_kind(s, typev) == JV_STRING && typelen > 0) {
        r.type_fold = jv_atom_fold(s, jv_str_atom(s, typev));
        r.cls = (uint8_t)classify(type, typelen);
    } else {
        /* Some ARM bodies have no `type` (private DNS zone groups): the id says it. */
        lz_buf derived = {0};
        if (armid_type(id, idlen, &derived) < 0)
            return lz_errf(e, "%s: object %.200s has no \"type\" and its id does not name one", where, id);
        r.type_fold = intern_fold(s, derived.data, derived.len);
        r.cls = (uint8_t)classify(derived.data, derived.len);
        lz_buf_free(&derived);
    }
    r.obj = obj;
    r.id = jv_str_atom(s, idv);
    r.id_fold = jv_atom_fold(s, r.id);
    if (!member_atom(s, obj, "name", 4, &r.name)) r.name = jv_intern(s, aid.name.p, aid.name.len);
    r.subscription = field_or_id(s, obj, "subscriptionId", 14, aid.subscription);
    r.resource_group = field_or_id(s, obj, "resourceGroup", 13, aid.resource_group);
    if (r.cls == INV_SUBSCRIPTION || r.cls == INV_MANAGEMENT_GROUP) r.resource_group = 0;
    r.parent = INV_NONE;
    r.container = INV_NONE;
    r.source = source;

    uint32_t prev;
    if (u32map_get(&v->by_id, r.id_fold, &prev)) {
        v->res[prev] = r; /* a re-exported page: the later copy wins */
        return 0;
    }
    LZ_PUSH(v->res, v->n, v->cap, r);
    u32map_put(&v->by_id, r.id_fold, (uint32_t)(v->n - 1));
    return 0;
}

void inv_mark_collected(inv *v, const char *type) {
    jv_atom a = intern_fold(v->s, type, strlen(type));
    LZ_PUSH(v->collected, v->ncollected, v->capcollected, a);
}

inv_idx inv_find(const inv *v, const char *id, size_t len) {
    if (len == 0) return INV_NONE;
    jv_atom a = jv_lookup_fold(v->s, id, len);
    uint32_t i;
    if (a && u32map_get(&v->by_id, a, &i)) return i;
    /* Ids may come with a trailing slash from hand-written exports. */
    if (len > 1 && id[len - 1] == '/') return inv_find(v, id, len - 1);
    return INV_NONE;
}

/* The nearest ancestor present in the inventory: a diagnostic setting on
 * {storage}/blobServices/default belongs to the storage account when the
 * blob service itself was not exported. */
static inv_idx find_parent(const inv *v, const char *id, size_t len) {
    armid a;
    if (armid_parse(id, len, &a) < 0 || !a.parent.len) return INV_NONE;
    for (int hops = 0; hops < 16 && a.parent.len; hops++) {
        inv_idx p = inv_find(v, a.parent.p, a.parent.len);
        if (p != INV_NONE) return p;
        armid up;
        if (armid_parse(a.parent.p, a.parent.len, &up) < 0) break;
        a = up;
    }
    return INV_NONE;
}

static idxlist *type_list(inv *v, jv_atom type_fold, bool create) {
    uint32_t slot;
    if (u32map_get(&v->type_slot, type_fold, &slot)) return &v->types[slot];
    if (!create) return NULL;
    LZ_PUSH(v->types, v->ntypes, v->captypes, ((idxlist){0}));
    u32map_put(&v->type_slot, type_fold, (uint32_t)(v->ntypes - 1));
    return &v->types[v->ntypes - 1];
}

/*
 * Resource groups by (subscription, name): a million objects sit in a few
 * thousand groups, so each pair's group is looked up by its id once and
 * remembered. Keys are the two (non-zero) atoms side by side; 0 is empty.
 */
typedef struct rg_memo {
    uint64_t *keys;
    inv_idx *vals;
    size_t cap, n; /* cap is a power of two */
} rg_memo;

static size_t memo_slot(const rg_memo *m, uint64_t key) {
    size_t j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    return j;
}

static void memo_grow(rg_memo *m) {
    rg_memo big = {lz_calloc(m->cap ? m->cap * 2 : 256, sizeof(uint64_t)), NULL, m->cap ? m->cap * 2 : 256,
                   m->n};
    big.vals = lz_malloc(big.cap * sizeof *big.vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = memo_slot(&big, m->keys[i]);
        big.keys[j] = m->keys[i];
        big.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = big;
}

static inv_idx resource_group(const inv *v, rg_memo *m, jv_atom sub, jv_atom rg) {
    if ((m->n + 1) * 2 > m->cap) memo_grow(m);
    uint64_t key = (uint64_t)sub << 32 | rg;
    size_t j = memo_slot(m, key);
    if (m->keys[j]) return m->vals[j];
    char *rgid = lz_asprintf("/subscriptions/%s/resourcegroups/%s", inv_str(v, sub), inv_str(v, rg));
    m->keys[j] = key;
    m->vals[j] = inv_find(v, rgid, strlen(rgid));
    m->n++;
    free(rgid);
    return m->vals[j];
}

static inv_idx find_container(const inv *v, rg_memo *m, const inv_res *r) {
    if (r->cls == INV_SUBSCRIPTION || r->cls == INV_MANAGEMENT_GROUP || !r->subscription) return INV_NONE;
    if (r->resource_group && r->cls != INV_RESOURCE_GROUP) {
        inv_idx rg = resource_group(v, m, r->subscription, r->resource_group);
        if (rg != INV_NONE) return rg;
    }
    uint32_t sub;
    return u32map_get(&v->sub_index, r->subscription, &sub) ? sub : INV_NONE;
}

static int by_type_then_index(const void *a, const void *b, void *ctx) {
    const inv *v = ctx;
    inv_idx x = *(const inv_idx *)a, y = *(const inv_idx *)b;
    jv_atom tx = v->res[x].type_fold, ty = v->res[y].type_fold;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void build_children(inv *v) {
    uint32_t *count = lz_calloc(v->n + 1, sizeof *count);
    for (size_t i = 0; i < v->n; i++)
        if (v->res[i].parent != INV_NONE) count[v->res[i].parent]++;
    v->child_start = lz_calloc(v->n + 1, sizeof *v->child_start);
    for (size_t i = 0; i < v->n; i++) v->child_start[i + 1] = v->child_start[i] + count[i];
    v->child_idx = lz_malloc((v->child_start[v->n] + 1) * sizeof *v->child_idx);
    memset(count, 0, (v->n + 1) * sizeof *count);
    for (size_t i = 0; i < v->n; i++) {
        inv_idx p = v->res[i].parent;
        if (p != INV_NONE) v->child_idx[v->child_start[p] + count[p]++] = (inv_idx)i;
    }
    free(count);
    /* Group each parent's children by type, keeping input order within a
     * type, so inv_children returns one contiguous run. */
    for (size_t p = 0; p < v->n; p++) {
        size_t cnt = v->child_start[p + 1] - v->child_start[p];
        if (cnt > 1) qsort_r(v->child_idx + v->child_start[p], cnt, sizeof(inv_idx), by_type_then_index, v);
    }
}

/* managementGroupAncestorsChain, nearest first, as Resource Graph gives it. */
static void build_chain(inv *v, const inv_res *r) {
    jv_t props = jv_get(v->s, r->obj, "properties", 10);
    jv_t chain = jv_get(v->s, props, "managementGroupAncestorsChain", 29);
    idxlist l = {0};
    for (size_t i = 0; i < jv_len(v->s, chain); i++) {
        const char *name = jv_get_str(v->s, jv_at(v->s, chain, i), "name");
        if (name && *name) list_push(&l, intern_fold(v->s, name, strlen(name)));
    }
    if (!l.n) return;
    LZ_PUSH(v->chains, v->nchains, v->capchains, l);
    u32map_put(&v->chain_slot, r->subscription, (uint32_t)(v->nchains - 1));
}

void inv_add_page(inv *v, const char *source, uint64_t rows, uint64_t total, bool more) {
    LZ_PUSH(v->pages, v->npages, v->cappages, ((struct page){lz_strdup(source), rows, total, more}));
}

/*
 * A page that says more rows exist is fine if the input also holds the rest:
 * pages of one Resource Graph result share total_records, so their row counts
 * must add up to it. An ARM list page with a nextLink carries no total, so
 * nothing proves the rest is present: it is a gap.
 */
static void check_pages(inv *v) {
    for (size_t i = 0; i < v->npages; i++) {
        const struct page *p = &v->pages[i];
        if (!p->more) continue;
        uint64_t rows = 0;
        bool reported = false;
        for (size_t j = 0; j < v->npages; j++) {
            if (p->total && v->pages[j].total == p->total) rows += v->pages[j].rows;
            if (j < i && p->total && v->pages[j].more && v->pages[j].total == p->total) reported = true;
        }
        if (reported || (p->total && rows >= p->total)) continue;
        char *reason =
            p->total ? lz_asprintf("%s is one page of a larger result: the input holds %llu of its %llu "
                                   "rows (export every page, e.g. az graph query --first 1000 "
                                   "with --skip-token, or use lzscan collect)",
                                   p->source, (unsigned long long)rows, (unsigned long long)p->total)
                     : lz_asprintf("%s is one page of an ARM list (it has a nextLink): the following "
                                   "pages are not in the input",
                                   p->source);
        inv_add_gap(v, "", "", reason);
        free(reason);
    }
}

void inv_finalize(inv *v) {
    if (v->finalized) return;
    v->finalized = true;
    check_pages(v);
    for (size_t i = 0; i < v->n; i++) {
        inv_res *r = &v->res[i];
        list_push(type_list(v, r->type_fold, true), (inv_idx)i);
        if (r->cls == INV_SUBSCRIPTION && r->subscription) {
            u32map_put(&v->sub_index, r->subscription, (uint32_t)i);
            build_chain(v, r);
        }
    }
    rg_memo memo = {0};
    for (size_t i = 0; i < v->n; i++) {
        inv_res *r = &v->res[i];
        if (r->cls == INV_RESOURCE) {
            size_t len;
            const char *id = jv_atom_str(v->s, r->id, &len);
            r->parent = find_parent(v, id, len);
        }
        r->container = find_container(v, &memo, r);
    }
    free(memo.keys);
    free(memo.vals);
    build_children(v);
}

const inv_idx *inv_by_type(const inv *v, const char *type, size_t *n) {
    *n = 0;
    jv_atom a = jv_lookup_fold(v->s, type, strlen(type));
    uint32_t slot;
    if (!a || !u32map_get(&v->type_slot, a, &slot)) return NULL;
    *n = v->types[slot].n;
    return v->types[slot].v;
}

const inv_idx *inv_children(const inv *v, inv_idx parent, const char *type, size_t *n) {
    *n = 0;
    if (parent >= v->n) return NULL;
    jv_atom a = jv_lookup_fold(v->s, type, strlen(type));
    if (!a) return NULL;
    /* build_children sorted each parent's slice by type: find the run. */
    uint32_t k = v->child_start[parent], end = v->child_start[parent + 1];
    while (k < end && v->res[v->child_idx[k]].type_fold != a) k++;
    uint32_t first = k;
    while (k < end && v->res[v->child_idx[k]].type_fold == a) k++;
    *n = k - first;
    return *n ? &v->child_idx[first] : NULL;
}

bool inv_collected(const inv *v, const char *type) {
    size_t n;
    if (inv_by_type(v, type, &n) && n) return true;
    jv_atom a = jv_lookup_fold(v->s, type, strlen(type));
    for (size_t i = 0; a && i < v->ncollected; i++)
        if (v->collected[i] == a) return true;
    return false;
}

typedef struct ref_build {
    inv *v;
    refindex *r;
    inv_idx from;
} ref_build;

static void ref_visit(jv_t value, const char *concrete, void *ctx) {
    ref_build *b = ctx;
    jv_atom a = jv_str_atom(b->v->s, value);
    if (!a || jv_kind(b->v->s, value) != JV_STRING) return;
    jv_atom target = jv_atom_fold(b->v->s, a);
    uint32_t slot;
    if (!u32map_get(&b->r->target_to_list, target, &slot)) {
        LZ_PUSH(b->r->lists, b->r->nlists, b->r->caplists, ((idxlist){0}));
        slot = (uint32_t)(b->r->nlists - 1);
        u32map_put(&b->r->target_to_list, target, slot);
    }
    idxlist *l = &b->r->lists[slot];
    if (!l->n || l->v[l->n - 1] != b->from) list_push(l, b->from);
}

static refindex *build_refindex(inv *v, jv_atom type, const char *path) {
    lz_err e;
    jpath *p = jpath_compile(path, &e);
    LZ_PUSH(v->refs, v->nrefs, v->caprefs, ((refindex){type, lz_strdup(path), {0}, NULL, 0, 0}));
    refindex *r = &v->refs[v->nrefs - 1];
    if (!p) return r; /* rule paths are compiled (and rejected) at load time */
    uint32_t slot;
    if (u32map_get(&v->type_slot, type, &slot)) {
        for (size_t i = 0; i < v->types[slot].n; i++) {
            ref_build b = {v, r, v->types[slot].v[i]};
            jpath_walk(v->s, v->res[b.from].obj, p, ref_visit, &b);
        }
    }
    jpath_free(p);
    return r;
}

const inv_idx *inv_referrers(inv *v, const char *type, const char *path, inv_idx target, size_t *n) {
    *n = 0;
    if (target >= v->n) return NULL;
    jv_atom t = intern_fold(v->s, type, strlen(type));
    refindex *r = NULL;
    for (size_t i = 0; i < v->nrefs; i++)
        if (v->refs[i].type == t && strcmp(v->refs[i].path, path) == 0) r = &v->refs[i];
    if (!r) r = build_refindex(v, t, path);
    uint32_t slot;
    if (!u32map_get(&r->target_to_list, v->res[target].id_fold, &slot)) return NULL;
    *n = r->lists[slot].n;
    return r->lists[slot].v;
}

inv_idx inv_subscription(const inv *v, jv_atom subscription_fold) {
    uint32_t i;
    return u32map_get(&v->sub_index, subscription_fold, &i) ? i : INV_NONE;
}

size_t inv_mg_chain(const inv *v, jv_atom subscription_fold, const jv_atom **names) {
    uint32_t slot;
    if (!u32map_get(&v->chain_slot, subscription_fold, &slot)) {
        *names = NULL;
        return 0;
    }
    *names = v->chains[slot].v;
    return v->chains[slot].n;
}

void inv_add_gap(inv *v, const char *scope, const char *type, const char *reason) {
    inv_gap g = {lz_strdup(scope ? scope : ""), lz_strdup(type ? type : ""), lz_strdup(reason)};
    lz_lower(g.scope, strlen(g.scope));
    lz_lower(g.type, strlen(g.type));
    LZ_PUSH(v->gaps, v->ngaps, v->capgaps, g);
}

size_t inv_gaps(const inv *v, const inv_gap **gaps) {
    *gaps = v->gaps;
    return v->ngaps;
}

const inv_gap *inv_gap_for(const inv *v, const char *id_fold, const char *type_fold) {
    for (size_t i = 0; i < v->ngaps; i++) {
        const inv_gap *g = &v->gaps[i];
        if (g->type[0] && strcmp(g->type, type_fold) != 0) continue;
        if (strncmp(id_fold, g->scope, strlen(g->scope)) == 0) return g;
    }
    return NULL;
}

void inv_add_note(inv *v, const char *fmt, ...) {
    lz_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    LZ_PUSH(v->notes, v->nnotes, v->capnotes, lz_buf_steal(&b));
}

void inv_note_projection(inv *v, const char *file, const char *pack_sha256) {
    if (!v->projection_pack) {
        v->projection_pack = lz_strdup(pack_sha256);
        v->projection_file = lz_strdup(file);
    } else if (strcmp(v->projection_pack, pack_sha256) != 0 && !v->projection_conflict) {
        v->projection_conflict = lz_strdup(file);
    }
}

const char *inv_projection(const inv *v, const char **file, const char **conflict) {
    *file = v->projection_file;
    *conflict = v->projection_conflict;
    return v->projection_pack;
}

size_t inv_notes(const inv *v, char *const **notes) {
    *notes = v->notes;
    return v->nnotes;
}
