/*
 * jv.c - see jv.h. Layout:
 *   nodes[]  12-byte nodes; a container's children are nodes[first .. first+n)
 *   atoms[]  interned strings; chars live in fixed blocks so pointers stay valid
 *   table[]  open-addressing hash of atoms (case-sensitive), linear probing
 */
#include "jv.h"

#include <stdlib.h>
#include <string.h>

#include "../common/lz.h"

#define KIND_SHIFT 29
#define COUNT_MASK ((1u << KIND_SHIFT) - 1)

typedef struct node {
    uint32_t kind_n; /* kind << 29 | member count */
    uint32_t first;  /* first child node, or the atom of a string/number */
    uint32_t key;    /* key atom when the node is an object member */
} node;

typedef struct atom {
    const char *p;
    uint32_t len;
    uint32_t fold; /* atom of the lower-cased text (itself if already lower) */
    uint32_t hash;
} atom;

typedef struct block {
    struct block *next;
    size_t used, cap;
    char data[];
} block;

struct jv_store {
    node *nodes;
    size_t nnodes, capnodes;
    atom *atoms;
    size_t natoms, capatoms;
    uint64_t *table; /* hash << 32 | (atom index + 1); 0 = empty */
    size_t tablecap; /* power of two */
    block *blocks;
    size_t charbytes;
};

enum { BLOCK_SIZE = 1 << 20 };

/* A word-at-a-time multiply-xorshift hash: ids are long (100-200 bytes) and
 * every string of a million objects is hashed once, so bytewise FNV showed
 * up first in profiles. Quality is ample for an open-addressing table. */
static uint32_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

static char *store_chars(jv_store *s, const char *str, size_t len) {
    block *b = s->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_SIZE / 4 ? len + 1 : BLOCK_SIZE;
        b = lz_malloc(sizeof(block) + cap);
        b->cap = cap;
        b->used = 0;
        /* Large one-off strings get their own block behind the current one,
         * so the current block keeps filling. */
        if (cap != BLOCK_SIZE && s->blocks) {
            b->next = s->blocks->next;
            s->blocks->next = b;
        } else {
            b->next = s->blocks;
            s->blocks = b;
        }
    }
    char *p = b->data + b->used;
    memcpy(p, str, len);
    p[len] = '\0';
    b->used += len + 1;
    s->charbytes += len + 1;
    return p;
}

static inline uint64_t slot_value(uint32_t hash, size_t index) {
    return (uint64_t)hash << 32 | (uint32_t)(index + 1);
}

static void table_rehash(jv_store *s) {
    size_t cap = s->tablecap ? s->tablecap * 2 : 1024;
    uint64_t *t = lz_calloc(cap, sizeof *t);
    for (size_t i = 0; i < s->natoms; i++) {
        size_t j = s->atoms[i].hash & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = slot_value(s->atoms[i].hash, i);
    }
    free(s->table);
    s->table = t;
    s->tablecap = cap;
}

static jv_atom find_atom(const jv_store *s, const char *str, size_t len, uint32_t h, size_t *slot) {
    size_t j = h & (s->tablecap - 1);
    for (;;) {
        uint64_t v = s->table[j];
        if (!v) break;
        if ((uint32_t)(v >> 32) == h) { /* compare strings only when the hashes agree */
            const atom *at = &s->atoms[(uint32_t)v - 1];
            if (at->len == len && memcmp(at->p, str, len) == 0) return (uint32_t)v - 1;
        }
        j = (j + 1) & (s->tablecap - 1);
    }
    if (slot) *slot = j;
    return (jv_atom)-1;
}

static int has_upper(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') return 1;
    return 0;
}

jv_atom jv_intern(jv_store *s, const char *str, size_t len) {
    if (len == 0) return 0;
    if (len > UINT32_MAX) len = UINT32_MAX; /* ingest caps strings far below this */
    uint32_t h = hash_bytes(str, len);
    size_t slot = 0; /* set by find_atom on a miss; gcc -O3 cannot see that */
    jv_atom found = find_atom(s, str, len, h, &slot);
    if (found != (jv_atom)-1) return found;

    uint32_t fold = 0;
    if (has_upper(str, len)) {
        char small[256];
        char *low = len < sizeof small ? small : lz_malloc(len);
        memcpy(low, str, len);
        lz_lower(low, len);
        fold = jv_intern(s, low, len);
        if (low != small) free(low);
        /* the recursive call may have rehashed: find our slot again */
        find_atom(s, str, len, h, &slot);
    }
    if ((s->natoms + 1) * 4 >= s->tablecap * 3) {
        table_rehash(s);
        find_atom(s, str, len, h, &slot);
    }
    jv_atom a = (jv_atom)s->natoms;
    LZ_PUSH(s->atoms, s->natoms, s->capatoms,
            ((atom){store_chars(s, str, len), (uint32_t)len, fold ? fold : a, h}));
    s->table[slot] = slot_value(h, a);
    return a;
}

jv_atom jv_lookup_atom(const jv_store *s, const char *str, size_t len) {
    if (len == 0) return 0;
    jv_atom a = find_atom(s, str, len, hash_bytes(str, len), NULL);
    return a == (jv_atom)-1 ? 0 : a;
}

const char *jv_atom_str(const jv_store *s, jv_atom a, size_t *len) {
    if (len) *len = s->atoms[a].len;
    return s->atoms[a].p;
}

jv_atom jv_atom_fold(const jv_store *s, jv_atom a) {
    return s->atoms[a].fold;
}

jv_store *jv_store_new(void) {
    jv_store *s = lz_calloc(1, sizeof *s);
    table_rehash(s);
    /* atom 0 is the empty string */
    LZ_PUSH(s->atoms, s->natoms, s->capatoms, ((atom){store_chars(s, "", 0), 0, 0, hash_bytes("", 0)}));
    s->table[hash_bytes("", 0) & (s->tablecap - 1)] = slot_value(hash_bytes("", 0), 0);
    /* node 0 is "missing" */
    LZ_PUSH(s->nodes, s->nnodes, s->capnodes, ((node){0, 0, 0}));
    return s;
}

void jv_store_free(jv_store *s) {
    if (!s) return;
    for (block *b = s->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(s->nodes);
    free(s->atoms);
    free(s->table);
    free(s);
}

size_t jv_store_bytes(const jv_store *s) {
    return s->capnodes * sizeof(node) + s->capatoms * sizeof(atom) + s->tablecap * sizeof(uint64_t) +
           s->charbytes;
}

/* ---- reading ---- */

static inline enum jv_kind kind_of(const node *n) {
    return (enum jv_kind)(n->kind_n >> KIND_SHIFT);
}

enum jv_kind jv_kind(const jv_store *s, jv_t v) {
    return kind_of(&s->nodes[v]);
}

size_t jv_len(const jv_store *s, jv_t v) {
    const node *n = &s->nodes[v];
    enum jv_kind k = kind_of(n);
    return (k == JV_ARRAY || k == JV_OBJECT) ? (n->kind_n & COUNT_MASK) : 0;
}

jv_t jv_at(const jv_store *s, jv_t v, size_t i) {
    if (i >= jv_len(s, v)) return JV_MISSING;
    return s->nodes[v].first + (uint32_t)i;
}

jv_atom jv_key_atom(const jv_store *s, jv_t v, size_t i) {
    if (jv_kind(s, v) != JV_OBJECT || i >= jv_len(s, v)) return 0;
    return s->nodes[s->nodes[v].first + i].key;
}

jv_t jv_get_atom(const jv_store *s, jv_t obj, jv_atom key) {
    const node *n = &s->nodes[obj];
    if (kind_of(n) != JV_OBJECT) return JV_MISSING;
    jv_atom want = s->atoms[key].fold;
    size_t cnt = n->kind_n & COUNT_MASK;
    /* Backwards: of duplicate keys the last wins (see jv.h). */
    for (size_t i = cnt; i-- > 0;) {
        uint32_t c = n->first + (uint32_t)i;
        if (s->atoms[s->nodes[c].key].fold == want) return c;
    }
    return JV_MISSING;
}

jv_t jv_get(const jv_store *s, jv_t obj, const char *key, size_t keylen) {
    if (kind_of(&s->nodes[obj]) != JV_OBJECT) return JV_MISSING;
    char small[256];
    char *low = keylen < sizeof small ? small : lz_malloc(keylen);
    memcpy(low, key, keylen);
    lz_lower(low, keylen);
    jv_atom a = jv_lookup_atom(s, low, keylen);
    if (low != small) free(low);
    /* Not interned at all (and not ""): no object in this store has that key. */
    if (a == 0 && keylen > 0) return JV_MISSING;
    return jv_get_atom(s, obj, a);
}

const char *jv_str(const jv_store *s, jv_t v, size_t *len) {
    const node *n = &s->nodes[v];
    enum jv_kind k = kind_of(n);
    if (k != JV_STRING && k != JV_NUMBER) {
        if (len) *len = 0;
        return NULL;
    }
    return jv_atom_str(s, n->first, len);
}

jv_atom jv_str_atom(const jv_store *s, jv_t v) {
    enum jv_kind k = jv_kind(s, v);
    return (k == JV_STRING || k == JV_NUMBER) ? s->nodes[v].first : 0;
}

const char *jv_get_str(const jv_store *s, jv_t obj, const char *key) {
    jv_t v = jv_get(s, obj, key, strlen(key));
    return jv_kind(s, v) == JV_STRING ? jv_str(s, v, NULL) : NULL;
}

/* ---- building ---- */

typedef struct frame {
    size_t start; /* index into pending[] of the first child */
    enum jv_kind kind;
    uint32_t key; /* the key this container will have in its parent */
} frame;

struct jv_builder {
    jv_store *s;
    node *pending;
    size_t npending, cappending;
    frame *frames;
    size_t nframes, capframes;
    uint32_t key; /* key for the next value in an object */
};

jv_builder *jv_builder_new(jv_store *s) {
    jv_builder *b = lz_calloc(1, sizeof *b);
    b->s = s;
    return b;
}

void jv_builder_free(jv_builder *b) {
    if (!b) return;
    free(b->pending);
    free(b->frames);
    free(b);
}

size_t jv_build_depth(const jv_builder *b) {
    return b->nframes;
}

void jv_build_reset(jv_builder *b) {
    b->npending = 0;
    b->nframes = 0;
    b->key = 0;
}

void jv_build_key(jv_builder *b, const char *key, size_t len) {
    b->key = jv_intern(b->s, key, len);
}

static jv_t append_node(jv_store *s, node n) {
    LZ_PUSH(s->nodes, s->nnodes, s->capnodes, n);
    return (jv_t)(s->nnodes - 1);
}

/* A finished value either becomes a child of the open container or, at depth 0, a root. */
static jv_t place(jv_builder *b, node n) {
    if (b->nframes == 0) {
        n.key = 0;
        return append_node(b->s, n);
    }
    n.key = b->frames[b->nframes - 1].kind == JV_OBJECT ? b->key : 0;
    b->key = 0;
    LZ_PUSH(b->pending, b->npending, b->cappending, n);
    return JV_MISSING;
}

jv_t jv_build_scalar(jv_builder *b, enum jv_kind kind, const char *text, size_t len) {
    uint32_t a = (kind == JV_STRING || kind == JV_NUMBER) ? jv_intern(b->s, text, len) : 0;
    return place(b, (node){(uint32_t)kind << KIND_SHIFT, a, 0});
}

void jv_build_begin(jv_builder *b, enum jv_kind container) {
    uint32_t key = b->key;
    b->key = 0;
    LZ_PUSH(b->frames, b->nframes, b->capframes, ((frame){b->npending, container, key}));
}

jv_t jv_build_end(jv_builder *b) {
    if (b->nframes == 0) return JV_MISSING;
    frame f = b->frames[--b->nframes];
    size_t n = b->npending - f.start;
    jv_store *s = b->s;
    uint32_t first = (uint32_t)s->nnodes;
    if (n) {
        lz_grow(&s->nodes, &s->capnodes, s->nnodes + n, sizeof(node));
        memcpy(s->nodes + s->nnodes, b->pending + f.start, n * sizeof(node));
        s->nnodes += n;
    }
    b->npending = f.start;
    if (n > COUNT_MASK) n = COUNT_MASK; /* ingest rejects such sizes long before */
    b->key = f.key;
    return place(b, (node){(uint32_t)f.kind << KIND_SHIFT | (uint32_t)n, first, 0});
}

jv_t jv_make_string(jv_store *s, const char *str, size_t len) {
    return append_node(s, (node){(uint32_t)JV_STRING << KIND_SHIFT, jv_intern(s, str, len), 0});
}

void jv_build_copy(jv_builder *b, const jv_store *src, jv_t v) {
    enum jv_kind k = jv_kind(src, v);
    if (k == JV_ARRAY || k == JV_OBJECT) {
        jv_build_begin(b, k);
        size_t n = jv_len(src, v);
        for (size_t i = 0; i < n; i++) {
            if (k == JV_OBJECT) {
                size_t klen;
                const char *key = jv_atom_str(src, jv_key_atom(src, v, i), &klen);
                jv_build_key(b, key, klen);
            }
            jv_build_copy(b, src, jv_at(src, v, i));
        }
        jv_build_end(b);
        return;
    }
    size_t len = 0;
    const char *t = jv_str(src, v, &len);
    jv_build_scalar(b, k, t ? t : "", len);
}

jv_t jv_copy(jv_store *dst, const jv_store *src, jv_t v) {
    if (v == JV_MISSING) return JV_MISSING;
    jv_builder *b = jv_builder_new(dst);
    /* Wrap in a one-element array so the copy's root is returned by end(). */
    jv_build_begin(b, JV_ARRAY);
    jv_build_copy(b, src, v);
    jv_t arr = jv_build_end(b);
    jv_builder_free(b);
    return jv_at(dst, arr, 0);
}
