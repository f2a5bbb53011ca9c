/*
 * project.h - the projection pushdown: Resource Graph returns, of each
 * resource's `properties`, only the top-level keys the rule pack (and the
 * scanner's own topology inference and reports) can read.
 *
 * What is kept: the columns the scanner reads (id, name, type, kind, tags,
 * subscriptionId, resourceGroup: the inventory, the topology pass,
 * exemptions and reports) and those a rule reads; the others (tenantId,
 * location, sku, identity, managedBy, plan, zones, extendedLocation, when
 * no rule reads them) are left out; and of `properties`, the keys some
 * reader may reach, each with its whole subtree.
 * The keys come from rule_reads (rules/rule.h): a read on the rule's own
 * objects counts for its types, one on related/children objects for that
 * type, one on "any object" (a ref's target, a chain link, $parent, related
 * type "*") for every type. A type some rule may read whole (`properties`
 * itself, or the object) is not projected; if that is every type, nothing
 * is. Nor is anything when the resources query is filtered by type and a
 * rule looks objects up among all types (related type "*"): the types the
 * collector adds for `ref:` joins are found in the ids of whole objects,
 * so projecting could change which objects such a lookup sees.
 *
 * The KQL (live_projection_kql) keeps missing keys missing and JSON nulls
 * null: it removes the other keys with bag_remove_keys rather than
 * rebuilding the bag (a rebuilt bag would turn a missing key into null,
 * which `exists` tells apart). Keys compare exactly in KQL but
 * case-insensitively in rules: a row where some key differs from a kept
 * one only by case (or two dropped keys only by case) is returned whole.
 */
#ifndef LIVE_PROJECT_H
#define LIVE_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "../../rules/rule.h"
#include "plan.h"

typedef struct proj_type {
    char *type;     /* lower-cased */
    rule_strv keys; /* kept beyond live_projection.any, as rules spell them */
} proj_type;

typedef struct live_projection {
    bool on;
    const char *why_off; /* when !on (static text) */
    rule_strv any;       /* properties keys kept on every type */
    proj_type *types;
    size_t ntypes, captypes;
    rule_strv whole;   /* types whose properties are kept whole */
    rule_strv columns; /* lower-cased top-level columns some rule reads */
} live_projection;

/* The columns of Resource Graph's resources table that nothing but a rule
 * may read: left out unless one does. NULL-terminated. */
extern const char *const live_projection_droppable[];

/* The projection for pack over the resources the plan queries; off when
 * enabled is false (--no-projection). */
void live_projection_build(const rule_pack *pack, const live_plan *plan, bool enabled, live_projection *out);
void live_projection_free(live_projection *p);

/* Turns the projection off (e.g. Resource Graph refused its query). */
void live_projection_disable(live_projection *p, const char *why);

/* The KQL stages that project `properties` (to insert before `| order by`),
 * or NULL when off. Caller frees. */
char *live_projection_kql(const live_projection *p);

/* Writes "projection": {...} for the snapshot manifest: whether it was
 * used (and why not), the keys kept on every type and per type, and the
 * types kept whole. A snapshot so collected holds what this pack reads:
 * scan it with the same rules (or collect with --no-projection). */
void live_projection_manifest(const live_projection *p, const rule_pack *pack, yajl_gen g);

/* The properties keys the scanner itself reads (topology inference,
 * display names), as {type or "*", key}: for tests. NULL-terminated. */
extern const char *const live_projection_builtin_reads[][2];

#endif
