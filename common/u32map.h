/*
 * u32map.h - an open-addressing hash map from uint32 keys to uint32 values.
 * Keys are interned atoms or indices, so the map stores no strings and a
 * lookup is one multiply and a probe or two. Key UINT32_MAX is reserved.
 */
#ifndef U32MAP_H
#define U32MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct u32map {
    uint32_t *keys, *vals;
    size_t cap, n; /* cap is 0 or a power of two */
} u32map;

void u32map_put(u32map *m, uint32_t key, uint32_t val); /* inserts or replaces */
bool u32map_get(const u32map *m, uint32_t key, uint32_t *val);
void u32map_free(u32map *m);

#endif
