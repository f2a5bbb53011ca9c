/*
 * relindex.c - the index behind `related` joins (see cond.h).
 *
 * For one (type, path) it maps the folded atom of every string the path
 * reaches in an object of that type to the objects holding it. The
 * inventory's store interns the lower-cased form of every string it holds,
 * so a key from anywhere (a parameter, a concatenation) is looked up by
 * lower-casing it and asking the store for that atom: absent means no
 * object holds it. Built on first use, kept for the run.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/u32map.h"
#include "../scanner/inventory.h"
#include "cond.h"

typedef struct idx_list {
    inv_idx *v;
    size_t n, cap;
} idx_list;

typedef struct rel_entry {
    char *type, *path;
    u32map by_key; /* folded atom -> slot in lists */
    idx_list *lists;
    size_t nlists, caplists;
} rel_entry;

struct rel_index {
    rel_entry *e;
    size_t n, cap;
};

struct rel_index *rel_index_new(void) {
    return lz_calloc(1, sizeof(struct rel_index));
}

void rel_index_free(struct rel_index *rx) {
    if (!rx) return;
    for (size_t i = 0; i < rx->n; i++) {
        rel_entry *e = &rx->e[i];
        for (size_t k = 0; k < e->nlists; k++) free(e->lists[k].v);
        free(e->lists);
        u32map_free(&e->by_key);
        free(e->type);
        free(e->path);
    }
    free(rx->e);
    free(rx);
}

typedef struct builder {
    const jv_store *s;
    rel_entry *e;
    inv_idx from;
} builder;

static void add_atom(builder *b, jv_atom key);

static void add_value(jv_t value, const char *concrete, void *ctx) {
    (void)concrete;
    builder *b = ctx;
    if (jv_kind(b->s, value) != JV_STRING) return;
    jv_atom key = jv_atom_fold(b->s, jv_str_atom(b->s, value));
    if (key) add_atom(b, key); /* the empty string joins nothing */
}

static void add_atom(builder *b, jv_atom key) {
    uint32_t slot;
    if (!u32map_get(&b->e->by_key, key, &slot)) {
        LZ_PUSH(b->e->lists, b->e->nlists, b->e->caplists, ((idx_list){0}));
        slot = (uint32_t)(b->e->nlists - 1);
        u32map_put(&b->e->by_key, key, slot);
    }
    idx_list *l = &b->e->lists[slot];
    if (!l->n || l->v[l->n - 1] != b->from) LZ_PUSH(l->v, l->n, l->cap, b->from);
}

/* subscriptionId / resourceGroup: the object's field, else what its id says
 * (ARM objects carry neither field), as rule paths read them. */
static int id_part(const char *path) {
    if (strcasecmp(path, "subscriptionId") == 0) return 1;
    if (strcasecmp(path, "resourceGroup") == 0) return 2;
    return 0;
}

static void index_object(builder *b, const inv *v, const jpath *p, int part) {
    const inv_res *r = inv_get(v, b->from);
    size_t hits = jpath_walk(b->s, r->obj, p, add_value, b);
    if (hits || !part) return;
    jv_atom a = part == 1 ? r->subscription : r->resource_group; /* already folded */
    if (a) add_atom(b, a);
}

static void index_objects(builder *b, const inv *v, const jpath *p, int part, const inv_idx *objs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        b->from = objs ? objs[i] : (inv_idx)i;
        index_object(b, v, p, part);
    }
}

static rel_entry *build(struct rel_index *rx, const inv *v, const char *type, const char *path) {
    LZ_PUSH(rx->e, rx->n, rx->cap, ((rel_entry){lz_strdup(type), lz_strdup(path), {0}, NULL, 0, 0}));
    rel_entry *e = &rx->e[rx->n - 1];
    lz_err err;
    jpath *p = jpath_compile(path, &err);
    if (!p) return e; /* rule paths were compiled (and checked) at load time */
    builder b = {inv_cstore(v), e, INV_NONE};
    if (strcmp(type, "*") == 0) { /* every object of the inventory */
        index_objects(&b, v, p, id_part(path), NULL, inv_count(v));
    } else {
        size_t n;
        const inv_idx *objs = inv_by_type(v, type, &n);
        index_objects(&b, v, p, id_part(path), objs, n);
    }
    jpath_free(p);
    return e;
}

const uint32_t *rel_index_find(struct rel_index *rx, const inv *v, const char *type, const char *path,
                               const char *key, size_t keylen, size_t *n) {
    *n = 0;
    rel_entry *e = NULL;
    for (size_t i = 0; i < rx->n && !e; i++)
        if (strcmp(rx->e[i].type, type) == 0 && strcmp(rx->e[i].path, path) == 0) e = &rx->e[i];
    if (!e) e = build(rx, v, type, path);
    if (keylen == 0) return NULL;
    jv_atom a = jv_lookup_fold(inv_cstore(v), key, keylen);
    uint32_t slot;
    if (!a || !u32map_get(&e->by_key, a, &slot)) return NULL;
    *n = e->lists[slot].n;
    return e->lists[slot].v;
}
