/*
 * jv.c - see jv.h. Layout:
 *   nodes[]   12-byte nodes; a container's children are nodes[first .. first+n)
 *   atoms[]   interned strings; chars live in fixed blocks so pointers stay valid
 *   table[]   open-addressing hash of atoms (case-sensitive), linear probing
 *   recent[]  a small direct-mapped cache in front of table[] (see below)
 *   big       member indexes of objects with many members
 */
#include "jv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/lz.h"
#include "../common/u32map.h"

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

/*
 * Once the table holds the millions of strings of a large tenant, each probe
 * misses the CPU cache, and so does the atom it leads to. Most strings the
 * parser meets, though, are the same few hundred again (keys, locations,
 * states, tag values, subscription ids), and jv_get asks for the same few
 * keys all the time. recent[] keeps those by hash, in 32 KiB: an atom goes
 * in when the table finds it a second time (unique ids and GUIDs, met once,
 * never displace anything) and a key's folded form goes in when the key is
 * built, for jv_get. A slot is only a hint: the string is always compared.
 */
enum { RECENT_SLOTS = 4096 };

/* Objects with at least this many members get a member index at build time
 * (a tenant map over ten thousand subscriptions): below it, a backwards scan
 * of the members is as fast as a hash probe. */
enum { INDEX_MIN = 32 };

struct jv_store {
    node *nodes;
    size_t nnodes, capnodes;
    atom *atoms;
    size_t natoms, capatoms;
    uint64_t *table;               /* hash << 32 | (atom index + 1); 0 = empty */
    size_t tablecap;               /* power of two */
    uint64_t recent[RECENT_SLOTS]; /* as table[], by hash: hash << 32 | (atom index + 1) */
    u32map big;                    /* an indexed object's first child node -> offset into bigslots */
    uint32_t *bigslots;            /* per indexed object, a power-of-two table of member index + 1 */
    size_t nbigslots, capbigslots;
    block *blocks;
    size_t charbytes;
};

enum { BLOCK_SIZE = 1 << 20 };

#define NO_ATOM ((jv_atom)-1)

/* The 8 bytes of w with ASCII A-Z lower-cased and every other byte as it
 * is, as lz_lower does one byte at a time: a byte gets 0x20 when its high
 * bit is clear and its low 7 bits are in 'A'..'Z'. No carry crosses a byte. */
static inline uint64_t fold8(uint64_t w) {
    uint64_t low7 = w & 0x7f7f7f7f7f7f7f7full;
    uint64_t ge_a = low7 + 0x3f3f3f3f3f3f3f3full; /* high bit set where the byte is >= 'A' */
    uint64_t gt_z = low7 + 0x2525252525252525ull; /* high bit set where the byte is > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~w & 0x8080808080808080ull;
    return w | upper >> 2;
}

/* A word-at-a-time multiply-xorshift hash: ids are long (100-200 bytes) and
 * every string of a million objects is hashed once, so bytewise FNV showed
 * up first in profiles. Quality is ample for an open-addressing table.
 * With fold, the hash of the lower-cased text, without making it. */
static inline uint32_t hash_text(const char *s, size_t n, bool fold) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ (fold ? fold8(w) : w)) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ (fold ? fold8(w) : w)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

static uint32_t hash_bytes(const char *s, size_t n) {
    return hash_text(s, n, false);
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

/* Is atom a the text str[0..len), or with folded, the lower-cased text? */
static inline bool atom_is(const jv_store *s, jv_atom a, const char *str, size_t len, uint32_t h,
                           bool folded) {
    const atom *at = &s->atoms[a];
    if (at->hash != h || at->len != len) return false;
    if (!folded) return memcmp(at->p, str, len) == 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (unsigned char)at->p[i]) return false;
    }
    return true;
}

/* The atom of the text (folded: of its lower-cased form), or NO_ATOM and,
 * if slot is not NULL, the empty slot where it would go. */
static jv_atom find_atom(const jv_store *s, const char *str, size_t len, uint32_t h, bool folded,
                         size_t *slot) {
    uint64_t hint = s->recent[h & (RECENT_SLOTS - 1)];
    if ((uint32_t)(hint >> 32) == h && hint && atom_is(s, (uint32_t)hint - 1, str, len, h, folded))
        return (uint32_t)hint - 1;
    size_t j = h & (s->tablecap - 1);
    for (;;) {
        uint64_t v = s->table[j];
        if (!v) break;
        /* compare strings only when the hashes agree */
        if ((uint32_t)(v >> 32) == h && atom_is(s, (uint32_t)v - 1, str, len, h, folded)) {
            if (slot) *slot = SIZE_MAX; /* found in the table, not in recent[] */
            return (uint32_t)v - 1;
        }
        j = (j + 1) & (s->tablecap - 1);
    }
    if (slot) *slot = j;
    return NO_ATOM;
}

static void remember(jv_store *s, jv_atom a) {
    uint32_t h = s->atoms[a].hash;
    s->recent[h & (RECENT_SLOTS - 1)] = slot_value(h, a);
}

static int has_upper(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') return 1;
    return 0;
}

/* jv_intern of a text whose hash h the caller has (0 < len <= UINT32_MAX). */
static jv_atom intern_hashed(jv_store *s, const char *str, size_t len, uint32_t h) {
    size_t slot = 0; /* set by find_atom; gcc -O3 cannot see that */
    jv_atom found = find_atom(s, str, len, h, false, &slot);
    if (found != NO_ATOM) {
        if (slot == SIZE_MAX) remember(s, found); /* met a second time: it may well repeat */
        return found;
    }

    uint32_t fold = 0;
    if (has_upper(str, len)) {
        char small[256];
        char *low = len < sizeof small ? small : lz_malloc(len);
        memcpy(low, str, len);
        lz_lower(low, len);
        fold = intern_hashed(s, low, len, hash_text(str, len, true));
        if (low != small) free(low);
        /* the recursive call may have rehashed: find our slot again */
        find_atom(s, str, len, h, false, &slot);
    }
    if ((s->natoms + 1) * 4 >= s->tablecap * 3) {
        table_rehash(s);
        find_atom(s, str, len, h, false, &slot);
    }
    jv_atom a = (jv_atom)s->natoms;
    LZ_PUSH(s->atoms, s->natoms, s->capatoms,
            ((atom){store_chars(s, str, len), (uint32_t)len, fold ? fold : a, h}));
    s->table[slot] = slot_value(h, a);
    return a;
}

jv_atom jv_intern(jv_store *s, const char *str, size_t len) {
    if (len == 0) return 0;
    if (len > UINT32_MAX) len = UINT32_MAX; /* ingest caps strings far below this */
    return intern_hashed(s, str, len, hash_bytes(str, len));
}

jv_atom jv_lookup_atom(const jv_store *s, const char *str, size_t len) {
    if (len == 0) return 0;
    jv_atom a = find_atom(s, str, len, hash_bytes(str, len), false, NULL);
    return a == NO_ATOM ? 0 : a;
}

jv_atom jv_lookup_fold(const jv_store *s, const char *str, size_t len) {
    if (len == 0) return 0;
    jv_atom a = find_atom(s, str, len, hash_text(str, len, true), true, NULL);
    return a == NO_ATOM ? 0 : a;
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
    u32map_free(&s->big);
    free(s->bigslots);
    free(s);
}

size_t jv_store_bytes(const jv_store *s) {
    return sizeof *s + s->capnodes * sizeof(node) + s->capatoms * sizeof(atom) +
           s->tablecap * sizeof(uint64_t) + s->capbigslots * sizeof(uint32_t) + s->charbytes;
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

/* ---- member indexes of large objects ---- */

static size_t index_size(size_t members) {
    size_t cap = 64;
    while (cap < members * 2) cap *= 2;
    return cap;
}

static inline size_t index_slot(jv_atom fold, size_t cap) {
    return (size_t)((fold * 2654435761u) & (cap - 1));
}

/* Indexes the members of the object whose children start at node first by
 * their keys' folds. A later duplicate key takes the slot of the earlier
 * one, so lookups find the last occurrence, as the scan does. */
static void index_object(jv_store *s, uint32_t first, size_t members) {
    size_t cap = index_size(members), off = s->nbigslots;
    lz_grow(&s->bigslots, &s->capbigslots, off + cap, sizeof *s->bigslots);
    uint32_t *t = s->bigslots + off;
    memset(t, 0, cap * sizeof *t);
    s->nbigslots += cap;
    for (size_t i = 0; i < members; i++) {
        jv_atom fold = s->atoms[s->nodes[first + i].key].fold;
        size_t j = index_slot(fold, cap);
        while (t[j] && s->atoms[s->nodes[first + t[j] - 1].key].fold != fold) j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    u32map_put(&s->big, first, (uint32_t)off);
}

static jv_t indexed_get(const jv_store *s, const node *n, size_t members, jv_atom want) {
    uint32_t off;
    if (!u32map_get(&s->big, n->first, &off)) return JV_MISSING;
    size_t cap = index_size(members);
    const uint32_t *t = s->bigslots + off;
    for (size_t j = index_slot(want, cap); t[j]; j = (j + 1) & (cap - 1)) {
        uint32_t c = n->first + t[j] - 1;
        if (s->atoms[s->nodes[c].key].fold == want) return c;
    }
    return JV_MISSING;
}

jv_t jv_get_atom(const jv_store *s, jv_t obj, jv_atom key) {
    const node *n = &s->nodes[obj];
    if (kind_of(n) != JV_OBJECT) return JV_MISSING;
    jv_atom want = s->atoms[key].fold;
    size_t cnt = n->kind_n & COUNT_MASK;
    if (cnt >= INDEX_MIN) return indexed_get(s, n, cnt, want);
    /* Backwards: of duplicate keys the last wins (see jv.h). */
    for (size_t i = cnt; i-- > 0;) {
        uint32_t c = n->first + (uint32_t)i;
        if (s->atoms[s->nodes[c].key].fold == want) return c;
    }
    return JV_MISSING;
}

/* The key is matched against the interned lower-cased texts directly, with
 * no lower-cased copy: this is the lookup of every rule path step. */
jv_t jv_get(const jv_store *s, jv_t obj, const char *key, size_t keylen) {
    if (kind_of(&s->nodes[obj]) != JV_OBJECT) return JV_MISSING;
    if (keylen == 0) return jv_get_atom(s, obj, 0);
    jv_atom a = find_atom(s, key, keylen, hash_text(key, keylen, true), true, NULL);
    /* Not interned at all: no object in this store has that key. */
    return a == NO_ATOM ? JV_MISSING : jv_get_atom(s, obj, a);
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

/* ---- building ----
 *
 * Interning a string the table has never seen costs a cache miss on the
 * table, and most of a large tenant's strings are such: ids and GUIDs.
 * So a string or number that recent[] does not know is interned only when
 * its top-level value closes: the builder keeps a copy of its text (the
 * parser's buffer does not last) and the node waits with atom 0. At the
 * close, the table slots of all of them are prefetched, then they are
 * interned in order, and the misses overlap instead of following one
 * another. Nothing can read the nodes before: jv_build_end returns only
 * top-level values.
 */

typedef struct frame {
    size_t start; /* index into pending[] of the first child */
    enum jv_kind kind;
    uint32_t key; /* the key this container will have in its parent */
} frame;

typedef struct deferred {
    size_t at;       /* the node: in pending[] until its container closes, then in the store's nodes[] */
    bool moved;      /* at is in nodes[] */
    size_t off, len; /* the text, in text[] */
    uint32_t hash;
} deferred;

struct jv_builder {
    jv_store *s;
    node *pending;
    size_t npending, cappending;
    frame *frames;
    size_t nframes, capframes;
    uint32_t key; /* key for the next value in an object */
    deferred *defer;
    size_t ndefer, capdefer;
    char *text; /* the deferred texts, one after another */
    size_t ntext, captext;
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
    free(b->defer);
    free(b->text);
    free(b);
}

size_t jv_build_depth(const jv_builder *b) {
    return b->nframes;
}

void jv_build_reset(jv_builder *b) {
    b->npending = 0;
    b->nframes = 0;
    b->key = 0;
    b->ndefer = 0;
    b->ntext = 0;
}

void jv_remember_fold(jv_store *s, jv_atom key) {
    remember(s, s->atoms[key].fold);
}

void jv_build_key_atom(jv_builder *b, jv_atom key) {
    b->key = key;
}

void jv_build_key(jv_builder *b, const char *key, size_t len) {
    b->key = jv_intern(b->s, key, len);
    /* jv_get looks keys up by their folded text: keep that one at hand. */
    remember(b->s, b->s->atoms[b->key].fold);
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

/* Keeps the text of the scalar about to be placed, to intern at the close. */
static void defer_text(jv_builder *b, const char *text, size_t len, uint32_t h) {
    lz_grow(&b->text, &b->captext, b->ntext + len, 1);
    memcpy(b->text + b->ntext, text, len);
    LZ_PUSH(b->defer, b->ndefer, b->capdefer, ((deferred){b->npending, false, b->ntext, len, h}));
    b->ntext += len;
}

/* A closing container's children moved from pending[start..] to nodes[first..]:
 * so did the deferred ones among them, the last entries not moved yet. */
static void move_deferred(jv_builder *b, size_t start, uint32_t first) {
    for (size_t k = b->ndefer; k-- > 0;) {
        deferred *d = &b->defer[k];
        if (d->moved) continue;   /* in a container that closed before */
        if (d->at < start) break; /* a child of an enclosing container */
        d->at = first + (d->at - start);
        d->moved = true;
    }
}

/* The top-level value closed: intern the deferred texts, the misses overlapping. */
static void resolve_deferred(jv_builder *b) {
    jv_store *s = b->s;
    size_t mask = s->tablecap - 1;
    /* A new text with capitals also interns its lower-cased form: its slot too. */
    for (size_t k = 0; k < b->ndefer; k++) {
        const deferred *d = &b->defer[k];
        __builtin_prefetch(&s->table[d->hash & mask]);
        if (has_upper(b->text + d->off, d->len))
            __builtin_prefetch(&s->table[hash_text(b->text + d->off, d->len, true) & mask]);
    }
    for (size_t k = 0; k < b->ndefer; k++) {
        const deferred *d = &b->defer[k];
        s->nodes[d->at].first = intern_hashed(s, b->text + d->off, d->len, d->hash);
    }
    b->ndefer = 0;
    b->ntext = 0;
}

jv_t jv_build_scalar(jv_builder *b, enum jv_kind kind, const char *text, size_t len) {
    node n = {(uint32_t)kind << KIND_SHIFT, 0, 0};
    if ((kind == JV_STRING || kind == JV_NUMBER) && len > 0) {
        if (len > UINT32_MAX) len = UINT32_MAX; /* as jv_intern */
        uint32_t h = hash_bytes(text, len);
        uint64_t hint = b->s->recent[h & (RECENT_SLOTS - 1)];
        if (hint && (uint32_t)(hint >> 32) == h && atom_is(b->s, (uint32_t)hint - 1, text, len, h, false))
            n.first = (uint32_t)hint - 1;
        else if (b->nframes > 0)
            defer_text(b, text, len, h);
        else
            n.first = intern_hashed(b->s, text, len, h);
    }
    return place(b, n);
}

jv_t jv_build_scalar_atom(jv_builder *b, enum jv_kind kind, jv_atom a) {
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
    if (f.kind == JV_OBJECT && n >= INDEX_MIN) index_object(s, first, n);
    if (b->ndefer) move_deferred(b, f.start, first);
    b->key = f.key;
    jv_t v = place(b, (node){(uint32_t)f.kind << KIND_SHIFT | (uint32_t)n, first, 0});
    if (b->nframes == 0 && b->ndefer) resolve_deferred(b);
    return v;
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
