/*
 * out_common.h - facts about a finding that several renderers need, derived
 * the same way everywhere: the subject's type, name, subscription and
 * resource group, and timestamps.
 */
#ifndef OUT_COMMON_H
#define OUT_COMMON_H

#include <stdbool.h>
#include <time.h>

#include "../rules/report.h"

/* Where a finding points. Every string is owned by the struct (NULL when
 * not known) and released by out_subject_free. */
typedef struct out_subject {
    char *type;           /* e.g. Microsoft.Network/virtualNetworks/subnets */
    char *name;           /* last segment of the subject id */
    char *subscription;   /* lower-cased subscription GUID */
    char *resource_group; /* as spelled in the id */
} out_subject;

/*
 * Fills *s for f. The subject id is parsed first; the inventory fills what
 * the id lacks. A sub-element ({resourceId}/{key}/{name}, from `each`) gets
 * the type {resourceType}/{key}, as ARM names child types.
 */
void out_subject_get(const report *r, const finding *f, out_subject *s);
void out_subject_free(out_subject *s);

/*
 * What the scan covered, as one short name for titles and the default SARIF
 * category: the live scope if there is one; else the management group that
 * holds every subscription of the inventory (their lowest common ancestor);
 * else the only subscription; else the first input's file name without its
 * extension. The caller frees the result.
 */
char *out_scan_scope(const report *r);

/* RFC 3339 UTC ("2024-05-01T12:00:00Z") into buf; false (buf "") if t is 0
 * (not recorded). */
bool out_rfc3339(time_t t, char buf[32]);

#endif
