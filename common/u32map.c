#include "u32map.h"

#include <stdlib.h>

#include "lz.h"

#define EMPTY UINT32_MAX

static inline size_t slot_of(uint32_t key, size_t cap) {
    return (size_t)((key * 2654435761u) & (cap - 1)); /* Knuth's multiplicative hash */
}

static void rehash(u32map *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    uint32_t *keys = lz_malloc(cap * sizeof *keys), *vals = lz_malloc(cap * sizeof *vals);
    for (size_t i = 0; i < cap; i++) keys[i] = EMPTY;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == EMPTY) continue;
        size_t j = slot_of(m->keys[i], cap);
        while (keys[j] != EMPTY) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
}

void u32map_put(u32map *m, uint32_t key, uint32_t val) {
    if ((m->n + 1) * 4 >= m->cap * 3) rehash(m);
    size_t j = slot_of(key, m->cap);
    while (m->keys[j] != EMPTY && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    if (m->keys[j] == EMPTY) m->n++;
    m->keys[j] = key;
    m->vals[j] = val;
}

bool u32map_get(const u32map *m, uint32_t key, uint32_t *val) {
    if (!m->cap) return false;
    size_t j = slot_of(key, m->cap);
    while (m->keys[j] != EMPTY) {
        if (m->keys[j] == key) {
            if (val) *val = m->vals[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}

void u32map_free(u32map *m) {
    free(m->keys);
    free(m->vals);
    *m = (u32map){0};
}
