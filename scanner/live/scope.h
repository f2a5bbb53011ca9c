/*
 * scope.h - which management groups and subscriptions a live scan covers,
 * and their container objects.
 *
 * --management-group M (default: the tenant root group, whose name is the
 * tenant id): the hierarchy under M comes from Resource Graph's
 * resourcecontainers table at M's scope (management groups, subscriptions
 * with managementGroupAncestorsChain, resource groups). If that query fails,
 * reports x-ms-tenant-subscription-limit-hit, or finds no subscription, the
 * management-group descendants API (nextLink paging) lists M's
 * subscriptions instead, and their containers are read by explicit
 * subscription batches. When no tenant is known, the root group is found
 * with GET /providers/Microsoft.Management/managementGroups (@nextLink).
 * --subscription S (repeatable) adds subscriptions; one Resource Graph
 * cannot see becomes a coverage gap. --exclude-management-group and
 * --exclude-subscription remove a subtree or a subscription.
 *
 * The container rows in scope are handed to out->row; the subscriptions in
 * scope are returned for the resource queries.
 */
#ifndef LIVE_SCOPE_H
#define LIVE_SCOPE_H

#include "opts.h"
#include "page.h"
#include "plan.h"
#include "sched.h"

#define MG_API_VERSION  "2023-04-01"
#define SUB_API_VERSION "2022-12-01"

typedef struct scope_out {
    live_row_fn row;
    void (*gap)(const char *scope, const char *type, const char *reason, void *ctx);
    void *ctx;
} scope_out;

typedef struct live_scope {
    live_strv subs; /* lower-cased subscription GUIDs in scope, sorted */
    live_strv mgs;  /* management groups walked, as given or found */
    bool used_descendants;
    size_t pages, rows; /* resourcecontainers statistics */
} live_scope;

/* Resolves the scope and emits its container rows. Fails (exit 2) when the
 * scope cannot be read at all. */
int live_scope_resolve(live_ctx *L, const char *arm, const live_opts *o, const scope_out *out, live_scope *s,
                       lz_err *e);
void live_scope_free(live_scope *s);

#endif
