/*
 * collect.c - see collect.h.
 */
#include "collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "../../common/atomic.h"
#include "../ingest.h"
#include "arg.h"
#include "arm.h"
#include "feed.h"
#include "plan.h"
#include "project.h"
#include "redact.h"
#include "scope.h"
#include "snapshot.h"

#define CLOSURE_ROUNDS 3 /* rounds of "collect what collected objects point at" */
/* Child-list calls queued in the scheduler at a time, per connection: enough
 * to keep every connection busy, few enough that the feed (feed.h) decides
 * the order, not the queue. */
#define FEED_PER_CONNECTION 2

typedef struct cgap {
    char *scope, *type, *reason;
} cgap;

typedef struct qstat {
    char *table;
    live_strv types; /* empty = every row */
    size_t batches;
    bool watch;     /* its rows name the types `ref:` may follow */
    bool projected; /* sent with the projection (project.h), not refused */
    arg_sink *sink; /* its pages and rows; owned */
} qstat;

typedef struct cstat {
    const live_child_def *def;
    size_t parents, calls, pages, rows, gaps;
    size_t ok, unsupported; /* lists read; lists ARM says do not exist for this type */
} cstat;

typedef struct parent {
    char *id;
    uint32_t child; /* index into plan.children */
} parent;

typedef struct collector {
    const live_opts *o;
    live_endpoints ep;
    http_client *http;
    auth *auth;
    live_ctx L;
    bool have_ctx;
    live_plan plan;
    const rule_pack *pack;
    live_scope scope;
    snap_writer *snap;
    cgap *gaps;
    size_t ngaps, capgaps;
    live_map gap_index; /* "scope|type" -> index, to name each gap once */
    qstat *queries;
    size_t nqueries, capqueries;
    cstat *cstats;
    parent *parents;
    size_t nparents, capparents;
    live_feed *feed;      /* parents' child lists not yet sent (feed.h) */
    live_projection proj; /* project.h */
    char *proj_kql;       /* its KQL stages; NULL when off */
    char *proj_refused;   /* why Resource Graph refused it, if it did */
    size_t watching;      /* queries in progress whose rows name `ref:` types */
    int closure_round;    /* rounds of referred types queried so far */
    live_strv queried;    /* resource types already asked for */
    live_strv referred;   /* resource types collected objects point at */
    bool write_failed;
    lz_err write_err;
    bool scope_read; /* the scope was resolved before any interruption */
    int interrupted; /* the signal that stopped the collection, or 0 */
    char started[32], finished[32];
    char phase[80]; /* what C->L.phase points at while a query runs */
} collector;

typedef struct child_job {
    collector *C;
    uint32_t child;
    char *owner; /* the resource a gap is recorded against */
} child_job;

/* ---- gaps ---- */

/* The signal *L.stop holds once SIGINT or SIGTERM asked to stop, else 0. */
static int stopping(const collector *C) {
    return C->L.stop ? *C->L.stop : 0;
}

static void put_gap(collector *C, const char *scope, const char *type, const char *reason) {
    char *key = lz_asprintf("%s|%s", scope, type);
    lz_lower(key, strlen(key));
    if (!live_map_get(&C->gap_index, key, NULL)) {
        live_map_put(&C->gap_index, key, C->ngaps);
        cgap g = {lz_strdup(scope), lz_strdup(type), live_redact(reason)};
        lz_lower(g.scope, strlen(g.scope));
        lz_lower(g.type, strlen(g.type));
        LZ_PUSH(C->gaps, C->ngaps, C->capgaps, g);
        C->L.gaps = C->ngaps;
    }
    free(key);
}

/* Once interrupted, calls fail by the dozen as they are cancelled: the one
 * gap interruption_gap records covers them all, so they add none. */
static void add_gap(collector *C, const char *scope, const char *type, const char *reason) {
    if (!stopping(C)) put_gap(C, scope, type, reason);
}

static void on_gap(const char *scope, const char *type, const char *reason, void *ctx) {
    add_gap(ctx, scope, type, reason);
}

/* ---- objects ---- */

static bool is_storage_account(const char *id) {
    const char *p = strcasestr(id, "/providers/Microsoft.Storage/storageAccounts/");
    return p && !strchr(p + 45, '/');
}

static const char *const storage_services[] = {"", "/blobServices/default", "/fileServices/default",
                                               "/queueServices/default", "/tableServices/default"};

static size_t paths_for(const parent *p, const live_child_def *d) {
    bool diag = strcmp(d->type, "microsoft.insights/diagnosticsettings") == 0;
    return diag && is_storage_account(p->id) ? 5 : 1;
}

/* The lower-cased subscription GUID of an ARM id ("" for tenant-level ids):
 * the ARM bucket its calls draw on. Caller frees. */
static char *subscription_of(const char *id) {
    if (strncasecmp(id, "/subscriptions/", 15) != 0) return lz_strdup("");
    const char *s = id + 15, *end = strchr(s, '/');
    char *sub = end ? lz_strndup(s, (size_t)(end - s)) : lz_strdup(s);
    lz_lower(sub, strlen(sub));
    return sub;
}

static size_t feed_window(const collector *C) {
    if (stopping(C)) return 0; /* interrupted: nothing more is sent */
    return FEED_PER_CONNECTION * (size_t)C->L.t.max_connections;
}

/* A parent's child lists go to the feed, which sends them as connections
 * and subscription buckets allow, while Resource Graph is still paging. */
static void note_parent(collector *C, const char *id, const char *type) {
    char low[256];
    snprintf(low, sizeof low, "%s", type);
    lz_lower(low, strlen(low));
    for (size_t i = 0; i < C->plan.nchildren; i++) {
        const plan_child *pc = &C->plan.children[i];
        bool wanted = plan_child_wants(pc, low);
        /* "*" rules: every resource, not containers (their lists are subscription-level APIs) */
        if (pc->all_parents && !live_strv_has(&pc->parent_types, low) &&
            live_plan_table_of(low) != PLAN_RESOURCES)
            wanted = false;
        if (!wanted) continue;
        LZ_PUSH(C->parents, C->nparents, C->capparents, ((parent){lz_strdup(id), (uint32_t)i}));
        size_t calls = paths_for(&C->parents[C->nparents - 1], pc->def);
        C->cstats[i].parents++;
        C->L.work_total += calls; /* for the ETA now; send_parent takes them back as arm_list counts them */
        char *sub = subscription_of(id);
        feed_add(C->feed, sub, C->nparents - 1, calls);
        free(sub);
    }
}

static int on_row(const live_row *row, void *ctx, lz_err *e) {
    collector *C = ctx;
    if (!row->id || !row->type) return 0; /* not an ARM object: ingest could not use it either */
    int r = snap_add(C->snap, row->json, row->len, row->id, e);
    if (r < 0) {
        C->write_failed = true;
        C->write_err = *e;
        return -1;
    }
    if (r > 0) {
        note_parent(C, row->id, row->type);
        feed_pump(C->feed, &C->L, feed_window(C));
    }
    return 0;
}

/* Strings inside objects that are ARM ids name the types `ref:` may follow. */
static void on_string(const char *s, size_t n, void *ctx) {
    collector *C = ctx;
    if (n < 40 || n > 1024 || strncasecmp(s, "/subscriptions/", 15) != 0) return;
    const char *prov = strcasestr(s, "/providers/");
    if (!prov || (size_t)(prov - s) >= n) return;
    const char *ns = prov + 11, *slash1 = memchr(ns, '/', n - (size_t)(ns - s));
    if (!slash1) return;
    const char *t = slash1 + 1, *end = s + n, *slash2 = memchr(t, '/', (size_t)(end - t));
    if (!slash2 || slash2 == t) return;
    char type[200];
    int len = snprintf(type, sizeof type, "%.*s", (int)(slash2 - ns), ns);
    if (len <= 0 || (size_t)len >= sizeof type) return;
    lz_lower(type, (size_t)len);
    if (live_plan_table_of(type) == PLAN_RESOURCES && !live_strv_has(&C->queried, type))
        live_strv_add(&C->referred, type);
}

/* ---- Resource Graph ----
 * Every table's query is submitted at once and runs in the same scheduler
 * run as the child lists: the quota paces the queries, and child lists
 * start as soon as their parents' rows arrive. */

static void submit_query(collector *C, const char *table, char *const *types, size_t ntypes, bool watch);

/* `ref:` may follow an id to a type the pack never names (a route table
 * from a subnet): once the queries that name such types are done, read
 * those too, as an offline export has them, up to CLOSURE_ROUNDS times. */
static void next_closure_round(collector *C) {
    if (C->closure_round >= CLOSURE_ROUNDS || !C->referred.n || C->plan.tables[PLAN_RESOURCES].all ||
        stopping(C))
        return;
    C->closure_round++;
    live_strv more = C->referred;
    memset(&C->referred, 0, sizeof C->referred);
    for (size_t i = 0; i < more.n; i++) live_strv_add(&C->queried, more.v[i]);
    submit_query(C, "resources", more.v, more.n, true);
    live_strv_free(&more);
}

static void on_query_done(arg_sink *sink, void *ctx) {
    collector *C = ctx;
    for (size_t i = 0; i < C->nqueries; i++) {
        if (C->queries[i].sink != sink) continue;
        if (C->queries[i].watch && --C->watching == 0) next_closure_round(C);
        return;
    }
}

/* Resource Graph refused the projection: the query runs again whole, and
 * so do the ones after it. */
static void on_unprojected(const char *reason, void *ctx) {
    collector *C = ctx;
    if (C->proj_refused) return;
    char *why = lz_asprintf("Resource Graph refused the projected query: %s", reason);
    C->proj_refused = live_redact(why);
    free(why);
    live_projection_disable(&C->proj, C->proj_refused);
    free(C->proj_kql);
    C->proj_kql = NULL;
    for (size_t i = 0; i < C->nqueries; i++) C->queries[i].projected = false;
}

/* One query over every subscription in scope, in batches. */
static void submit_query(collector *C, const char *table, char *const *types, size_t ntypes, bool watch) {
    arg_sink *sink = lz_calloc(1, sizeof *sink);
    sink->row = on_row;
    sink->str = watch ? on_string : NULL;
    sink->gap = on_gap;
    sink->unprojected = on_unprojected;
    sink->done = on_query_done;
    sink->ctx = C;
    /* only `resources` is projected: the other tables' rows are small */
    const char *proj = strcmp(table, "resources") == 0 ? C->proj_kql : NULL;
    LZ_PUSH(C->queries, C->nqueries, C->capqueries,
            ((qstat){lz_strdup(table), {0}, 0, watch, proj != NULL, sink}));
    qstat *q = &C->queries[C->nqueries - 1];
    for (size_t i = 0; i < ntypes; i++) live_strv_add(&q->types, types[i]);
    if (watch) C->watching++;
    const char *filter = strcmp(table, "authorizationresources") == 0 ? "AtScopeAndAboveAndBelow" : NULL;
    size_t batch = arg_batch_size(), nb = 0;
    for (size_t i = 0; i < C->scope.subs.n; i += batch, nb++) {
        arg_query aq = {.table = table,
                        .types = types,
                        .ntypes = ntypes,
                        .subscriptions = C->scope.subs.v + i,
                        .nsubscriptions = C->scope.subs.n - i < batch ? C->scope.subs.n - i : batch,
                        .scope_filter = filter,
                        .projection = proj};
        arg_submit(&C->L, C->ep.arm, &aq, sink);
    }
    C->queries[C->nqueries - 1].batches = nb;
    if (!nb && watch) C->watching--; /* no subscription: nothing will call back */
}

static int run_tables(collector *C, lz_err *e) {
    for (int t = PLAN_RESOURCES; t < PLAN_NTABLES; t++) {
        plan_table *pt = &C->plan.tables[t];
        if (!pt->wanted) continue;
        bool watch = t == PLAN_RESOURCES && !pt->all;
        if (t == PLAN_RESOURCES)
            for (size_t i = 0; i < pt->types.n; i++) live_strv_add(&C->queried, pt->types.v[i]);
        submit_query(C, pt->name, pt->all ? NULL : pt->types.v, pt->all ? 0 : pt->types.n, watch);
    }
    C->L.phase = "resource graph and child lists";
    feed_pump(C->feed, &C->L, feed_window(C)); /* the containers' child lists */
    return live_run(&C->L, e);
}

/* ---- ARM child lists ---- */

/* ARM does not know the child type (this cloud, region or API version
 * lacks it): there is no such list to read, which is not the same as an
 * empty one. */
static bool unsupported(const arm_result *r) {
    return r->status >= 400 && r->status < 500 && r->error_code &&
           (strcasecmp(r->error_code, "InvalidResourceType") == 0 ||
            strcasecmp(r->error_code, "NoRegisteredProviderFound") == 0);
}

static bool ignorable(const arm_result *r) {
    /* Gone since Resource Graph listed it, a storage service the account
     * kind lacks, or a type without diagnostic settings: nothing to read. */
    if (r->status == 404) return true;
    return r->status == 400 && r->error_code &&
           (strcasecmp(r->error_code, "ResourceTypeNotSupported") == 0 ||
            strcasecmp(r->error_code, "ResourceNotSupported") == 0);
}

static void on_child_done(live_ctx *L, const arm_result *r, void *ctx) {
    child_job *j = ctx;
    collector *C = j->C;
    cstat *cs = &C->cstats[j->child];
    cs->pages += r->pages;
    cs->rows += r->rows;
    if (r->ok)
        cs->ok++;
    else if (unsupported(r))
        cs->unsupported++;
    else if (!ignorable(r)) {
        cs->gaps++;
        add_gap(C, j->owner, C->plan.children[j->child].def->type, r->error);
    }
    free(j->owner);
    free(j);
    feed_pump(C->feed, L, feed_window(C));
}

static int on_child_row(const live_row *row, void *ctx, lz_err *e) {
    child_job *j = ctx;
    return on_row(row, j->C, e);
}

static void submit_child(collector *C, const parent *p, size_t k) {
    const live_child_def *d = C->plan.children[p->child].def;
    char *sub = subscription_of(p->id);
    char *path = lz_asprintf("%s%s%s", p->id, storage_services[k], d->suffix);
    child_job *j = lz_calloc(1, sizeof *j);
    j->C = C;
    j->child = p->child;
    j->owner = lz_strdup(p->id);
    arm_list_cb cb = {on_child_row, on_child_done, j};
    arm_list(&C->L, C->ep.arm, path, d->api_version, sub, &cb);
    C->cstats[p->child].calls++;
    free(path);
    free(sub);
}

/* The feed's choice: send every list of parent `item`. */
static void send_parent(live_ctx *L, size_t item, void *ctx) {
    collector *C = ctx;
    const parent *p = &C->parents[item];
    size_t n = paths_for(p, C->plan.children[p->child].def);
    L->work_total -= n;
    for (size_t k = 0; k < n; k++) submit_child(C, p, k);
}

/* ---- the manifest ---- */

static void gs(yajl_gen g, const char *s) {
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gkv(yajl_gen g, const char *k, const char *v) {
    gs(g, k);
    if (v)
        gs(g, v);
    else
        yajl_gen_null(g);
}

static void gki(yajl_gen g, const char *k, uint64_t v) {
    gs(g, k);
    yajl_gen_integer(g, (long long)v);
}

static void gstrs(yajl_gen g, const char *k, char *const *v, size_t n) {
    gs(g, k);
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++) gs(g, v[i]);
    yajl_gen_array_close(g);
}

static void manifest_scope(collector *C, yajl_gen g) {
    const live_opts *o = C->o;
    gs(g, "scope");
    yajl_gen_map_open(g);
    gstrs(g, "managementGroups", C->scope.mgs.v, C->scope.mgs.n);
    gstrs(g, "subscriptions", C->scope.subs.v, C->scope.subs.n);
    gstrs(g, "excludedManagementGroups", (char *const *)o->exclude_mgs.v, o->exclude_mgs.n);
    gstrs(g, "excludedSubscriptions", (char *const *)o->exclude_subs.v, o->exclude_subs.n);
    gkv(g, "tenant", auth_tenant(C->auth));
    gs(g, "hierarchySource");
    gs(g, C->scope.used_descendants ? "managementGroupDescendants" : "resourceGraph");
    yajl_gen_map_close(g);
}

static void manifest_endpoints(collector *C, yajl_gen g) {
    gs(g, "endpoints");
    yajl_gen_map_open(g);
    gkv(g, "arm", C->ep.arm);
    gkv(g, "authority", C->ep.authority);
    char *rg = lz_asprintf("%s/providers/Microsoft.ResourceGraph/resources", C->ep.arm);
    gkv(g, "resourceGraph", rg);
    free(rg);
    yajl_gen_map_close(g);
    gs(g, "apiVersions");
    yajl_gen_map_open(g);
    gkv(g, "resourceGraph", ARG_API_VERSION);
    gkv(g, "managementGroups", MG_API_VERSION);
    for (size_t i = 0; i < C->plan.nchildren; i++)
        gkv(g, C->plan.children[i].def->type, C->plan.children[i].def->api_version);
    yajl_gen_map_close(g);
}

static void manifest_queries(collector *C, yajl_gen g) {
    gs(g, "queries");
    yajl_gen_array_open(g);
    yajl_gen_map_open(g);
    gkv(g, "table", "resourcecontainers");
    gki(g, "pages", C->scope.pages);
    gki(g, "rows", C->scope.rows);
    yajl_gen_map_close(g);
    for (size_t i = 0; i < C->nqueries; i++) {
        const qstat *q = &C->queries[i];
        yajl_gen_map_open(g);
        gkv(g, "table", q->table);
        if (q->types.n) gstrs(g, "types", q->types.v, q->types.n);
        gki(g, "batches", q->batches);
        gki(g, "pages", q->sink->pages);
        gki(g, "rows", q->sink->rows);
        if (q->projected) {
            gs(g, "projected");
            yajl_gen_bool(g, 1);
        }
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gs(g, "childLists");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < C->plan.nchildren; i++) {
        const cstat *c = &C->cstats[i];
        yajl_gen_map_open(g);
        gkv(g, "type", c->def->type);
        gki(g, "parents", c->parents);
        gki(g, "calls", c->calls);
        gki(g, "pages", c->pages);
        gki(g, "rows", c->rows);
        gki(g, "gaps", c->gaps);
        gki(g, "unsupported", c->unsupported);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void manifest_requests(collector *C, yajl_gen g) {
    const live_stats *s = &C->L.st;
    gs(g, "requests");
    yajl_gen_map_open(g);
    gki(g, "total", s->token + s->arg + s->arm + s->retries);
    gki(g, "token", s->token);
    gki(g, "resourceGraph", s->arg);
    gki(g, "arm", s->arm);
    yajl_gen_map_close(g);
    gki(g, "retries", s->retries);
    gki(g, "throttled", s->throttled);
    gki(g, "tokenRefreshesAfter401", s->refreshed);
    gs(g, "throttledWaitSeconds");
    yajl_gen_double(g, (double)(long long)(s->waited_ms / 10) / 100.0);
}

static void gkd(yajl_gen g, const char *k, double v, double scale) {
    gs(g, k);
    yajl_gen_double(g, (double)(long long)(v * scale + 0.5) / scale);
}

/* Bytes of bodies sent and received, and when each API was busy: what the
 * projection saves, and where the time went (docs/benchmarks.md). */
static void manifest_traffic(collector *C, yajl_gen g) {
    const live_stats *s = &C->L.st;
    static const char *const api_names[2] = {"arm", "resourceGraph"};
    gs(g, "bytes");
    yajl_gen_map_open(g);
    for (int a = 0; a < 2; a++) {
        gs(g, api_names[a]);
        yajl_gen_map_open(g);
        gki(g, "sent", s->sent_bytes[a]);
        gki(g, "received", s->received_bytes[a]);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
    double elapsed = live_elapsed_ms(&C->L);
    gs(g, "timings");
    yajl_gen_map_open(g);
    gkd(g, "seconds", elapsed / 1000.0, 1000);
    for (int a = 0; a < 2; a++) {
        gs(g, api_names[a]);
        yajl_gen_map_open(g);
        gkd(g, "firstSent", s->first_sent_ms[a] / 1000.0, 1000);
        gkd(g, "lastAnswered", s->last_done_ms[a] / 1000.0, 1000);
        yajl_gen_map_close(g);
    }
    gki(g, "connections", (uint64_t)C->L.t.max_connections);
    /* calls in flight over time, as a share of what the connections allow */
    gkd(g, "connectionUtilisation", elapsed > 0 ? s->busy_ms / (elapsed * (double)C->L.t.max_connections) : 0,
        1000);
    yajl_gen_map_close(g);
}

/* A child type every list call of which ARM refused as unknown was not
 * collected: rules that need it stay unknown, as with an export lacking it. */
static bool child_unavailable(const collector *C, const char *type) {
    for (size_t i = 0; i < C->plan.nchildren; i++) {
        const cstat *c = &C->cstats[i];
        if (strcmp(c->def->type, type) == 0) return c->unsupported && !c->ok;
    }
    return false;
}

static void manifest_gaps(collector *C, yajl_gen g) {
    gs(g, "collected");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < C->plan.collected.n; i++)
        if (!child_unavailable(C, C->plan.collected.v[i])) gs(g, C->plan.collected.v[i]);
    yajl_gen_array_close(g);
    gs(g, "unavailable");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < C->plan.collected.n; i++)
        if (child_unavailable(C, C->plan.collected.v[i])) gs(g, C->plan.collected.v[i]);
    yajl_gen_array_close(g);
    gs(g, "gaps");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < C->ngaps; i++) {
        yajl_gen_map_open(g);
        gkv(g, "scope", C->gaps[i].scope);
        gkv(g, "type", C->gaps[i].type);
        gkv(g, "reason", C->gaps[i].reason);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

/* "interrupted": {"signal": "SIGINT", "at": ..., "phase": ...} */
static void manifest_interrupted(collector *C, yajl_gen g) {
    gs(g, "interrupted");
    yajl_gen_map_open(g);
    gkv(g, "signal", lz_signal_name(C->interrupted));
    gkv(g, "at", C->finished);
    gkv(g, "phase", C->L.phase);
    yajl_gen_map_close(g);
}

static char *manifest(collector *C) {
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gkv(g, "lzscan", "snapshot-manifest");
    gki(g, "formatVersion", 1);
    gs(g, "tool");
    yajl_gen_map_open(g);
    gkv(g, "name", "lzscan");
    gkv(g, "version", LZSCAN_VERSION);
    yajl_gen_map_close(g);
    manifest_scope(C, g);
    gkv(g, "collectedAt", C->started);
    gkv(g, "finishedAt", C->finished);
    gkv(g, "credential", auth_describe(C->auth));
    manifest_endpoints(C, g);
    manifest_queries(C, g);
    manifest_requests(C, g);
    manifest_traffic(C, g);
    live_projection_manifest(&C->proj, C->pack, g);
    gki(g, "objects", snap_count(C->snap));
    manifest_gaps(C, g);
    /* complete: every planned call ran to its end and read what it asked
     * for. Otherwise the gaps above name what is missing (a snapshot cut
     * short has one over its whole scope, and says why). */
    if (C->interrupted) manifest_interrupted(C, g);
    gs(g, "complete");
    yajl_gen_bool(g, !C->interrupted && C->ngaps == 0);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    char *m = lz_strndup((const char *)buf, len);
    yajl_gen_free(g);
    return m;
}

/* ---- the run ---- */

static void iso_now(char out[32]) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int setup(collector *C, const live_opts *o, lz_err *e) {
    if (live_endpoints_resolve(o, &C->ep, e) < 0) return -1;
    live_tuning t;
    live_tuning_init(&t);
    http_config hc = {o->ca_bundle,      t.connect_timeout_ms,    t.timeout_ms, 0,
                      t.max_connections, "lzscan/" LZSCAN_VERSION};
    C->http = http_client_new(&hc, e);
    if (!C->http) return -1;
    live_ctx_init(&C->L, C->http, NULL, &t);
    C->have_ctx = true;
    C->L.verbose = o->verbose;
    C->L.stop = lz_interrupt_flag(); /* raised only where the command catches SIGINT/SIGTERM (collect) */
    const char *ci = getenv("CI");
    C->L.progress = !o->quiet && isatty(STDERR_FILENO) && !(ci && *ci);
    C->L.progress_fn = o->progress; /* then never the stderr line */
    C->L.progress_ctx = o->progress_ctx;
    C->L.phase = "credential";
    auth_config ac = {o->auth,           C->ep.authority,        C->ep.arm, C->ep.imds, o->tenant, 0,
                      t.backoff_base_ms, live_log_token_request, &C->L};
    ac.max_attempts = t.max_attempts;
    if (auth_new(&C->auth, &ac, C->http, e) < 0) return -1;
    C->L.auth = C->auth;
    if (o->verbose)
        fprintf(stderr, "lzscan: credential: %s; ARM endpoint %s\n", auth_describe(C->auth), C->ep.arm);
    return 0;
}

static void teardown(collector *C) {
    if (C->have_ctx) {
        if (C->L.progress_fn) {
            C->L.phase = "done";
            live_progress_tick(&C->L, true);
        }
        live_progress_clear(&C->L);
        live_ctx_free(&C->L);
    }
    auth_free(C->auth);
    http_client_free(C->http);
    live_endpoints_free(&C->ep);
    live_plan_free(&C->plan);
    live_scope_free(&C->scope);
    for (size_t i = 0; i < C->ngaps; i++) {
        free(C->gaps[i].scope);
        free(C->gaps[i].type);
        free(C->gaps[i].reason);
    }
    free(C->gaps);
    live_map_free(&C->gap_index);
    for (size_t i = 0; i < C->nqueries; i++) {
        free(C->queries[i].table);
        live_strv_free(&C->queries[i].types);
        free(C->queries[i].sink);
    }
    feed_free(C->feed);
    live_projection_free(&C->proj);
    free(C->proj_kql);
    free(C->proj_refused);
    free(C->queries);
    free(C->cstats);
    for (size_t i = 0; i < C->nparents; i++) free(C->parents[i].id);
    free(C->parents);
    live_strv_free(&C->queried);
    live_strv_free(&C->referred);
    if (C->snap) snap_abort(C->snap);
}

static int collect_all(collector *C, const rule_pack *pack, lz_err *e) {
    live_plan_build(pack, &C->plan);
    C->pack = pack;
    live_projection_build(pack, &C->plan, !C->o->no_projection, &C->proj);
    C->proj_kql = live_projection_kql(&C->proj);
    C->feed = feed_new(send_parent, C);
    C->cstats = lz_calloc(C->plan.nchildren + 1, sizeof *C->cstats);
    for (size_t i = 0; i < C->plan.nchildren; i++) C->cstats[i].def = C->plan.children[i].def;
    scope_out so = {on_row, on_gap, C};
    C->L.phase = "scope: management groups and subscriptions";
    int rc = live_scope_resolve(&C->L, C->ep.arm, C->o, &so, &C->scope, e);
    C->scope_read = rc == 0 && !stopping(C);
    if (C->scope_read)
        rc = run_tables(C, e);
    else if (stopping(C))
        rc = 0; /* cut short by the interruption, not failed: note_interruption says so */
    if (rc == 0 && C->write_failed) {
        *e = C->write_err;
        rc = -1;
    }
    iso_now(C->finished);
    return rc;
}

static void fill_result(collector *C, live_result *res) {
    if (!res) return;
    res->objects = C->snap ? snap_count(C->snap) : 0;
    res->stats = C->L.st;
    res->ngaps = C->ngaps;
    res->gaps = C->ngaps ? lz_calloc(C->ngaps, sizeof *res->gaps) : NULL;
    for (size_t i = 0; i < C->ngaps; i++) {
        const cgap *g = &C->gaps[i];
        res->gaps[i] = lz_asprintf("%s (scope %s%s%s)", g->reason, g->scope[0] ? g->scope : "everything",
                                   g->type[0] ? ", type " : "", g->type);
    }
}

/* Interrupted by SIGINT or SIGTERM (sched.h's stop): the calls in flight
 * were cancelled. Returns whether what was read is worth writing: not when
 * the scope itself was not read (the previous snapshot is worth more).
 * One gap under every subscription then says what happened, so that every
 * rule reports unknown and coverage is INCOMPLETE: nothing unread passes. */
static bool note_interruption(collector *C, live_result *res) {
    C->interrupted = stopping(C);
    if (res) res->interrupted = C->interrupted;
    if (!C->scope_read) return false;
    char *why = lz_asprintf("collection interrupted by %s at %s (%s): what was not read by then is missing",
                            lz_signal_name(C->interrupted), C->finished, C->L.phase);
    put_gap(C, "/subscriptions/", "", why);
    free(why);
    return true;
}

/* Collects into a snapshot at path (NULL: temporary; *tmp receives it). */
static int collect_to(const live_opts *o, const rule_pack *pack, const char *path, char **tmp,
                      live_result *res, lz_err *e) {
    collector C = {0};
    C.o = o;
    iso_now(C.started);
    int rc = setup(&C, o, e);
    if (rc == 0) rc = snap_open(&C.snap, path, e);
    if (rc == 0) rc = collect_all(&C, pack, e);
    bool commit = rc == 0 && (!stopping(&C) || note_interruption(&C, res));
    if (commit) {
        fill_result(&C, res);
        char *m = manifest(&C);
        snap_writer *w = C.snap;
        C.snap = NULL;
        rc = snap_commit(w, m, tmp, e);
        free(m);
        if (rc == 0 && res) res->written = true;
    } else if (rc == 0 && tmp) {
        rc = lz_errf(e, "collection interrupted by %s", lz_signal_name(stopping(&C)));
    }
    teardown(&C);
    live_redact_err(e);
    return rc;
}

void live_result_free(live_result *r) {
    for (size_t i = 0; i < r->ngaps; i++) free(r->gaps[i]);
    free(r->gaps);
    memset(r, 0, sizeof *r);
}

int live_collect(const live_opts *o, const rule_pack *pack, const char *out_path, live_result *res,
                 lz_err *e) {
    return collect_to(o, pack, out_path, NULL, res, e);
}

static int ingest_file_mapped(inv *v, const char *path, lz_err *e) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return lz_errf(e, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        close(fd);
        return lz_errf(e, "%s: the live snapshot is empty", path);
    }
    void *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) return lz_errf(e, "%s: %s", path, strerror(errno));
    int rc = ingest_buffer(v, "live collection", data, (size_t)st.st_size, e);
    munmap(data, (size_t)st.st_size);
    return rc;
}

int live_collect_inventory(const live_opts *o, const rule_pack *pack, inv *v, live_result *res, lz_err *e) {
    char *tmp = NULL;
    int rc = collect_to(o, pack, NULL, &tmp, res, e);
    if (rc == 0) rc = ingest_file_mapped(v, tmp, e);
    snap_remove_temp(tmp);
    return rc;
}
