/*
 * strmap.h - small hash containers for the live collector: a map from
 * strings (compared exactly; callers lower-case ARM ids first) to indices,
 * and a set of 64-bit hashes (object ids already written to a snapshot).
 * Each container owns its copies of the keys.
 */
#ifndef LIVE_STRMAP_H
#define LIVE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct live_map {
    char **keys;
    size_t *vals;
    size_t cap, n; /* cap is 0 or a power of two */
} live_map;

/* Inserts or replaces. */
void live_map_put(live_map *m, const char *key, size_t val);
bool live_map_get(const live_map *m, const char *key, size_t *val);
void live_map_free(live_map *m);

typedef struct live_hset {
    uint64_t *slots; /* 0 = empty */
    size_t cap, n;
} live_hset;

/* Adds h; returns false if it was already present. */
bool live_hset_add(live_hset *s, uint64_t h);
void live_hset_free(live_hset *s);

#endif
