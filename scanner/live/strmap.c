/*
 * strmap.c - see strmap.h. Open addressing with linear probing; tables
 * double when half full.
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/lz.h"

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void map_grow(live_map *m) {
    live_map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = lz_calloc(m->cap, sizeof *m->keys);
    m->vals = lz_calloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) {
            size_t j = hash_str(old.keys[i]) & (m->cap - 1);
            while (m->keys[j]) j = (j + 1) & (m->cap - 1);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
            m->n++;
        }
    free(old.keys);
    free(old.vals);
}

void live_map_put(live_map *m, const char *key, size_t val) {
    if ((m->n + 1) * 2 > m->cap) map_grow(m);
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j] && strcmp(m->keys[j], key) != 0) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = lz_strdup(key);
        m->n++;
    }
    m->vals[j] = val;
}

bool live_map_get(const live_map *m, const char *key, size_t *val) {
    if (!m->cap) return false;
    size_t j = hash_str(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0) {
            if (val) *val = m->vals[j];
            return true;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return false;
}

void live_map_free(live_map *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static void set_grow(live_hset *s) {
    live_hset old = *s;
    s->cap = old.cap ? old.cap * 2 : 1024;
    s->slots = lz_calloc(s->cap, sizeof *s->slots);
    s->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i]) live_hset_add(s, old.slots[i]);
    free(old.slots);
}

bool live_hset_add(live_hset *s, uint64_t h) {
    if (!h) h = 1; /* 0 marks an empty slot */
    if ((s->n + 1) * 2 > s->cap) set_grow(s);
    size_t j = (size_t)(h * 0x9E3779B97F4A7C15ull >> 7) & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == h) return false;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = h;
    s->n++;
    return true;
}

void live_hset_free(live_hset *s) {
    free(s->slots);
    memset(s, 0, sizeof *s);
}
