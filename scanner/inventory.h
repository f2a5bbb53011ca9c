/*
 * inventory.h - every ARM object of a scan, indexed.
 *
 * The inventory owns one jv_store holding all objects. Each object becomes an
 * inv_res: a resource, a child object (diagnostic setting, DNS zone group,
 * VNet link, subnet, ...) linked to its parent, or a container (management
 * group, subscription, resource group). Ids and types are compared
 * case-insensitively (Resource Graph lower-cases types; ARM does not).
 *
 * Lifecycle: inv_new -> inv_add (many) -> inv_finalize -> queries -> inv_free.
 * Queries are only valid after inv_finalize. Every pointer and index returned
 * is owned by the inventory and valid until inv_free.
 */
#ifndef INVENTORY_H
#define INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/lz.h"
#include "jv.h"

typedef uint32_t inv_idx; /* index of an object; INV_NONE if none */
#define INV_NONE UINT32_MAX

enum inv_class {
    INV_RESOURCE = 0,
    INV_MANAGEMENT_GROUP,
    INV_SUBSCRIPTION,
    INV_RESOURCE_GROUP,
};

typedef struct inv_res {
    jv_t obj;               /* the whole ARM object as read */
    jv_atom id;             /* as read */
    jv_atom id_fold;        /* lower-cased id: the index key */
    jv_atom type_fold;      /* lower-cased type, e.g. microsoft.network/virtualnetworks */
    jv_atom name;           /* object name */
    jv_atom subscription;   /* lower-cased subscription GUID from the id or the object; 0 if none */
    jv_atom resource_group; /* lower-cased resource group name; 0 if none */
    inv_idx parent;         /* parent resource for child objects; INV_NONE otherwise */
    inv_idx container;      /* the resource group or subscription or mg that holds it; INV_NONE if unknown */
    uint16_t source;        /* index into inv_source_name() */
    uint8_t cls;            /* enum inv_class */
} inv_res;

typedef struct inv inv;

inv *inv_new(void);
void inv_free(inv *v);
jv_store *inv_store(inv *v); /* the store objects are built into (for the parser) */

/* Records the name of an input (file path) and returns its index for inv_add. */
uint16_t inv_add_source(inv *v, const char *name);
const char *inv_source_name(const inv *v, uint16_t source);

/*
 * Adds an ARM object (already built in inv_store). Fails with a message if it
 * has no string id or no type; where = "file:line:column" of the object for
 * the message. A later object with the same id (case-insensitively) replaces
 * an earlier one, so that re-exported pages do not double-count.
 */
int inv_add(inv *v, jv_t obj, uint16_t source, const char *where, lz_err *e);

/* Declares that the child list `type` was collected for the whole input even
 * if it holds no object of that type (a snapshot manifest says so). */
void inv_mark_collected(inv *v, const char *type);

/* Builds every index, links children to parents, containers, ancestor chains. */
void inv_finalize(inv *v);

/* ---- queries (after inv_finalize) ---- */
size_t inv_count(const inv *v);
const inv_res *inv_get(const inv *v, inv_idx i);
const jv_store *inv_cstore(const inv *v);

/* Object by id, case-insensitive; INV_NONE if absent. */
inv_idx inv_find(const inv *v, const char *id, size_t len);

/* Objects of a type (case-insensitive), in input order. *n receives the count. */
const inv_idx *inv_by_type(const inv *v, const char *type, size_t *n);

/* Children of parent of a type (case-insensitive); NULL/0 if none. */
const inv_idx *inv_children(const inv *v, inv_idx parent, const char *type, size_t *n);

/* True when the child list `type` counts as collected: the input held at
 * least one object of that type, or inv_mark_collected named it. */
bool inv_collected(const inv *v, const char *type);

/*
 * Reverse references: objects of `type` whose value(s) at `path` (a dotted
 * path with [*], as in the rule language) equal target's id
 * case-insensitively. The index for (type, path) is built on first use.
 */
const inv_idx *inv_referrers(inv *v, const char *type, const char *path, inv_idx target, size_t *n);

/* Containers. The management-group ancestor chain of a subscription,
 * nearest first, as lower-cased names (from managementGroupAncestorsChain or
 * from the management groups' parent links). */
inv_idx inv_subscription(const inv *v, jv_atom subscription_fold);
size_t inv_mg_chain(const inv *v, jv_atom subscription_fold, const jv_atom **names);

/* String helpers over the inventory's store. */
const char *inv_str(const inv *v, jv_atom a);

/* ---- coverage gaps and notes ----
 * A gap is data that should have been read and was not (a 403 on a
 * subscription, a partial Resource Graph page, a child list that failed).
 * Rules whose data falls in a gap report `unknown`. scope is a lower-cased
 * id prefix ("" = everything), type a lower-cased type ("" = every type). */
typedef struct inv_gap {
    char *scope;
    char *type;
    char *reason;
} inv_gap;
void inv_add_gap(inv *v, const char *scope, const char *type, const char *reason);
size_t inv_gaps(const inv *v, const inv_gap **gaps);
/* The first gap covering (id, type), or NULL. */
const inv_gap *inv_gap_for(const inv *v, const char *id_fold, const char *type_fold);

/* Paged exports: each Resource Graph / ARM list page read. inv_finalize adds
 * a gap when pages that say more rows exist (a skip token or nextLink) are
 * not completed by other pages of the same result in the input (pages of one
 * result share total_records; their counts must add up to it). total is 0
 * when the page does not say (ARM lists). */
void inv_add_page(inv *v, const char *source, uint64_t rows, uint64_t total, bool more);

/* Notes are warnings about the input that do not stop the scan
 * (skipped files, duplicate ids). They go to stderr and the report. */
void inv_add_note(inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t inv_notes(const inv *v, char *const **notes);

/* A snapshot collected with the Resource Graph projection holds, of each
 * object, only what one rule pack reads (scanner/live/project.h). The ingest
 * records the first such input (file, and the pack's sha256) so the scan can
 * refuse to judge it with other rules. A later input projected for another
 * pack is recorded as a conflict. */
void inv_note_projection(inv *v, const char *file, const char *pack_sha256);
/* NULL if no input was projected; else the pack's sha256, *file the input,
 * and *conflict another input projected for a different pack (or NULL). */
const char *inv_projection(const inv *v, const char **file, const char **conflict);

#endif
