#include "armid.h"

#include <string.h>

#include "../common/lz.h"

/* Lengths first, inline: most segments are names and GUIDs, which never
 * match, and lit is a literal whose strlen the compiler folds. */
static inline int seg_is(const char *p, size_t n, const char *lit) {
    size_t len = strlen(lit);
    return n == len && lz_strcaseeq(p, n, lit, len);
}

/*
 * Walks the segments once. The parent of an object is:
 *   - for an extension resource ({x}/providers/{ns}/{type}/{name}) whose {x} is
 *     itself a resource: {x};
 *   - for a nested type (.../{ns}/{type}/{name}/{child}/{childname}): the id
 *     without its last two segments.
 * A top-level resource, resource group, subscription or management group has none.
 */
int armid_parse(const char *id, size_t len, armid *out) {
    memset(out, 0, sizeof *out);
    if (len == 0 || id[0] != '/') return -1;
    /* ARM never puts a NUL in an id; one that holds it is forged, and would
     * end early as a C string (two objects, one fingerprint). Other control
     * characters are kept: renderers escape them. */
    if (memchr(id, '\0', len)) return -1;

    const char *segs[128];
    size_t lens[128];
    size_t n = 0;
    size_t i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && id[j] != '/') j++;
        if (j == i) {
            if (j == len) break; /* tolerate one trailing slash */
            return -1;
        }
        if (n == 128) return -1;
        segs[n] = id + i;
        lens[n] = j - i;
        n++;
        i = j + 1;
    }
    if (n == 0) return -1;
    out->name = (armid_slice){segs[n - 1], lens[n - 1]};

    /* Index of the last "providers" segment and the segments after it. */
    size_t last_prov = n;
    for (size_t k = 0; k + 1 < n; k++) {
        if (seg_is(segs[k], lens[k], "subscriptions") && !out->subscription.len && k + 1 < n)
            out->subscription = (armid_slice){segs[k + 1], lens[k + 1]};
        else if (seg_is(segs[k], lens[k], "resourceGroups") && !out->resource_group.len && k + 1 < n &&
                 out->subscription.len && last_prov == n)
            out->resource_group = (armid_slice){segs[k + 1], lens[k + 1]};
        if (seg_is(segs[k], lens[k], "providers")) last_prov = k;
    }
    if (last_prov < n && last_prov + 2 < n &&
        seg_is(segs[last_prov + 1], lens[last_prov + 1], "Microsoft.Management") &&
        seg_is(segs[last_prov + 2], lens[last_prov + 2], "managementGroups") && last_prov + 3 < n)
        out->management_group = (armid_slice){segs[last_prov + 3], lens[last_prov + 3]};

    if (last_prov == n) return 0;     /* subscription or resource group */
    size_t after = n - last_prov - 1; /* ns, type, name, [type, name]... */
    if (after > 3 && (after - 1) % 2 == 0) {
        /* nested child type: strip the last type/name pair */
        const char *end = segs[n - 2] - 1;
        out->parent = (armid_slice){id, (size_t)(end - id)};
    } else if (after == 3 && last_prov >= 2) {
        /* extension resource on something that is itself under providers/ */
        int parent_is_resource = 0;
        for (size_t k = 0; k < last_prov; k++)
            if (seg_is(segs[k], lens[k], "providers")) parent_is_resource = 1;
        if (parent_is_resource) {
            const char *end = segs[last_prov] - 1;
            out->parent = (armid_slice){id, (size_t)(end - id)};
        }
    }
    return 0;
}

int armid_type(const char *id, size_t len, lz_buf *out) {
    const char *segs[128];
    size_t lens[128], n = 0;
    for (size_t i = 1; i <= len && n < 128;) {
        size_t j = i;
        while (j < len && id[j] != '/') j++;
        if (j > i) {
            segs[n] = id + i;
            lens[n++] = j - i;
        }
        i = j + 1;
    }
    size_t prov = n;
    for (size_t k = 0; k < n; k++)
        if (seg_is(segs[k], lens[k], "providers")) prov = k;
    size_t start = out->len;
    if (prov == n) { /* /subscriptions/{s}[/resourceGroups/{rg}] */
        if (n == 2 && seg_is(segs[0], lens[0], "subscriptions"))
            lz_buf_puts(out, "microsoft.resources/subscriptions");
        else if (n == 4 && seg_is(segs[2], lens[2], "resourceGroups"))
            lz_buf_puts(out, "microsoft.resources/subscriptions/resourcegroups");
        else
            return -1;
        return 0;
    }
    /* {ns}/{type}/{name}[/{type}/{name}]... after the last providers */
    size_t after = n - prov - 1;
    if (after < 3 || (after - 1) % 2 != 0) return -1;
    lz_buf_put(out, segs[prov + 1], lens[prov + 1]);
    for (size_t k = prov + 2; k < n; k += 2) {
        lz_buf_putc(out, '/');
        lz_buf_put(out, segs[k], lens[k]);
    }
    lz_lower(out->data + start, out->len - start);
    return 0;
}
