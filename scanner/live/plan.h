/*
 * plan.h - what to collect for a rule pack: the pushdown.
 *
 * The collector knows a rule only by its types (rule->types, "*" = every
 * taggable object) and its needs (rule->needs: child types and tables
 * beyond Resource Graph). From them:
 *   - each type goes to its Resource Graph table (resources,
 *     authorizationresources, securityresources, policyresources,
 *     advisorresources; containers always come whole from
 *     resourcecontainers), filtered by type unless a rule applies to "*";
 *   - the types topology inference reads are always added (hub VNets,
 *     firewalls and their policies, vWAN hubs, DNS resolvers, private DNS
 *     zones), and so are the parent types of every child list;
 *   - a need naming a table queries that whole table;
 *   - a need naming a child type Resource Graph lacks becomes one ARM GET
 *     per parent (live_child_defs); diagnostic settings are read for every
 *     resource of the types of the rules that need them, and for a storage
 *     account also on its blob, file, queue and table services.
 * Type strings are lower-cased; the plan owns its copies. What of each
 * `resources` row is kept (the projection) is project.h's.
 */
#ifndef LIVE_PLAN_H
#define LIVE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "../../rules/rule.h"

typedef struct live_child_def {
    const char *type;        /* lower-cased child type */
    const char *parent_type; /* lower-cased; NULL: the types of the rules that need it */
    const char *suffix;      /* appended to the parent id */
    const char *api_version;
} live_child_def;

/* The child lists lzscan knows how to read with ARM, NULL-terminated. */
extern const live_child_def live_child_defs[];
const live_child_def *live_child_def_find(const char *type);

enum {
    PLAN_CONTAINERS = 0,
    PLAN_RESOURCES,
    PLAN_AUTHORIZATION,
    PLAN_SECURITY,
    PLAN_POLICY,
    PLAN_ADVISOR,
    PLAN_NTABLES
};

typedef struct live_strv {
    char **v;
    size_t n, cap;
} live_strv;

typedef struct plan_table {
    const char *name; /* the Resource Graph table */
    bool wanted;
    bool all;        /* no type filter */
    live_strv types; /* the filter when !all */
} plan_table;

typedef struct plan_child {
    const live_child_def *def;
    bool all_parents; /* every resource (a "*" rule needs it) */
    live_strv parent_types;
} plan_child;

typedef struct live_plan {
    plan_table tables[PLAN_NTABLES];
    plan_child *children;
    size_t nchildren, capchildren;
    live_strv collected; /* types the snapshot manifest lists as collected */
} live_plan;

void live_plan_build(const rule_pack *p, live_plan *out);
void live_plan_free(live_plan *p);

/* The table a type lives in. */
int live_plan_table_of(const char *type);
/* True when a plan child reads lists under resources of type (lower-case). */
bool plan_child_wants(const plan_child *c, const char *type);

void live_strv_add(live_strv *v, const char *s); /* lower-cased, no duplicates */
bool live_strv_has(const live_strv *v, const char *s);
void live_strv_free(live_strv *v);

#endif
