/*
 * armid.h - ARM resource id parsing.
 *
 * An ARM id is /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}...]
 * and may nest extension resources: {parentId}/providers/{ns}/{type}/{name}.
 * All comparisons are ASCII case-insensitive. Functions return slices into the
 * caller's string (no allocation); a slice with len 0 means "absent".
 */
#ifndef ARMID_H
#define ARMID_H

#include <stddef.h>

#include "../common/lz.h"

typedef struct armid_slice {
    const char *p;
    size_t len;
} armid_slice;

typedef struct armid {
    armid_slice subscription;     /* GUID after /subscriptions/ */
    armid_slice resource_group;   /* name after /resourceGroups/ */
    armid_slice management_group; /* name after /providers/Microsoft.Management/managementGroups/ */
    armid_slice parent;           /* id of the parent resource (child or extension), else len 0 */
    armid_slice name;             /* last segment */
} armid;

/* Fills *out; returns 0, or -1 if id does not start with '/', has an empty
 * segment or holds a NUL. */
int armid_parse(const char *id, size_t len, armid *out);

/*
 * The resource type an id names, lower-cased, appended to out:
 * ".../providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/g"
 * gives "microsoft.network/privateendpoints/privatednszonegroups"; a
 * subscription or resource group id gives microsoft.resources/... . Some ARM
 * bodies (private DNS zone groups) carry no `type`: this is how we know it.
 * Returns -1 if the id does not name a type.
 */
int armid_type(const char *id, size_t len, lz_buf *out);

#endif
