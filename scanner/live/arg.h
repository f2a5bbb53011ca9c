/*
 * arg.h - Azure Resource Graph queries, paged to the end.
 *
 * One query = one table, an optional type filter (the pack's types: the
 * pushdown), and a scope: a management group or an explicit list of
 * subscriptions (at most ARG_BATCH per request; the caller batches). It is
 * sent as
 *   POST {arm}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01
 *   {"query": "<table> | where type in~ (...) | order by id asc",
 *    "subscriptions" | "managementGroups": [...],
 *    "options": {"$top": 1000, "$skipToken": ..., "resultFormat": "objectArray", ...}}
 * and followed through every $skipToken. Ordering by id keeps pages stable.
 *
 * What can go wrong, and what happens:
 *   - ResponsePayloadTooLarge (a page over 16 MB): the query is split in two
 *     with `| where abs(hash(tolower(id)) % N) == k`, N doubling, and each
 *     part is run from its first page (rows already seen are deduplicated by
 *     the caller);
 *   - 403 on an explicit subscription list: the list is halved until the
 *     subscription(s) that refuse are isolated; each becomes a gap;
 *   - a query with a projection (project.h) that the service refuses with
 *     a 400 (its KQL dialect is a subset, and not all of it is documented):
 *     the query is run again without the projection, from its first page,
 *     and the sink is told, so later queries go without it too;
 *   - any other final failure, or a page that says rows were dropped
 *     (resultTruncated without a $skipToken): a gap over the query's scope.
 * Throttling and retries are the scheduler's (sched.h).
 */
#ifndef LIVE_ARG_H
#define LIVE_ARG_H

#include <stdbool.h>
#include <stddef.h>

#include "page.h"
#include "sched.h"

#define ARG_API_VERSION "2024-04-01"
#define ARG_TOP         1000
#define ARG_BATCH       200 /* subscriptions per request (the service advises < ~300) */
#define ARG_MAX_SPLIT   256 /* hash partitions before a too-large result becomes a gap */

typedef struct arg_sink {
    live_row_fn row; /* every row; returning -1 records a gap for the query */
    live_str_fn str; /* every string inside rows (optional) */
    /* A part of the result could not be read. scope is a lower-cased id
     * prefix ("/subscriptions/<id>", or "" for the whole query), type a
     * lower-cased type or "" for all the query's types. */
    void (*gap)(const char *scope, const char *type, const char *reason, void *ctx);
    /* Optional: called instead of gap when a management-group query fails,
     * so the caller can fall back to another source. */
    void (*failed)(const char *reason, void *ctx);
    /* Optional: Resource Graph refused the projection (the reason names the
     * call); the query is being run again without it. */
    void (*unprojected)(const char *reason, void *ctx);
    /* Optional: every page, split and part of every query submitted with
     * this sink has been read (or given up); may submit more work. */
    void (*done)(struct arg_sink *sink, void *ctx);
    void *ctx;
    bool limit_hit;     /* set when x-ms-tenant-subscription-limit-hit: true was seen */
    size_t pages, rows; /* statistics, added to */
    size_t jobs_;       /* private: query parts in progress */
} arg_sink;

typedef struct arg_query {
    const char *table;  /* resources, resourcecontainers, authorizationresources, ... */
    char *const *types; /* lower-cased type filter; ntypes 0 = every row */
    size_t ntypes;
    char *const *subscriptions; /* explicit scope (GUIDs) ... */
    size_t nsubscriptions;
    const char *management_group; /* ... or a management group name */
    const char *scope_filter;     /* options.authorizationScopeFilter, or NULL */
    const char *projection;       /* KQL stages before `| order by` (project.h), or NULL */
} arg_query;

/* Subscriptions per request: ARG_BATCH, or LZSCAN_ARG_BATCH (1..ARG_BATCH) for tests. */
size_t arg_batch_size(void);

/* Queues the query's first page on L (copies everything it needs); pages,
 * splits and gaps follow as live_run runs. The sink must outlive live_run. */
void arg_submit(live_ctx *L, const char *arm, const arg_query *q, arg_sink *sink);

/* The KQL text for a query and partition (n <= 1: no partition); for tests
 * and the manifest. Caller frees. */
char *arg_kql(const char *table, char *const *types, size_t ntypes, unsigned k, unsigned n);
/* The same with projection stages (NULL: none) before the ordering. */
char *arg_kql_projected(const char *table, char *const *types, size_t ntypes, const char *projection,
                        unsigned k, unsigned n);

#endif
