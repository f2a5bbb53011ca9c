/*
 * scope.c - see scope.h.
 */
#include "scope.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_gen.h>

#include "arg.h"
#include "arm.h"
#include "redact.h"

enum crow_kind { CR_OTHER = 0, CR_MG, CR_SUB, CR_RG };

/* A container row, kept until the scope is known. */
typedef struct crow {
    char *json, *id, *type;
    enum crow_kind kind;
    char *sub;       /* lower-cased subscription GUID (subscriptions, resource groups) */
    char *name;      /* lower-cased management group name */
    char *parent;    /* lower-cased parent management group name */
    live_strv chain; /* a subscription's ancestor management groups */
} crow;

typedef struct walk {
    live_ctx *L;
    const char *arm;
    crow *rows;
    size_t nrows, caprows;
    live_map seen; /* lower-cased ids already kept */
    bool failed;
    char *fail_reason;
    const scope_out *out;
    live_scope *s;
    /* descendants fallback */
    live_strv desc_subs;
    bool desc_failed;
    char *desc_reason;
    /* root discovery */
    char *root;
} walk;

static char *lower_dup(const char *s) {
    char *r = lz_strdup(s ? s : "");
    lz_lower(r, strlen(r));
    return r;
}

static const char *last_segment(const char *id) {
    const char *s = id ? strrchr(id, '/') : NULL;
    return s ? s + 1 : id;
}

/* "/subscriptions/<guid>/..." -> lower-cased guid, or NULL. */
static char *sub_of(const char *id) {
    if (!id || strncasecmp(id, "/subscriptions/", 15) != 0) return NULL;
    const char *p = id + 15, *end = strchr(p, '/');
    char *r = end ? lz_strndup(p, (size_t)(end - p)) : lz_strdup(p);
    lz_lower(r, strlen(r));
    return r;
}

static enum crow_kind kind_of(const char *type) {
    if (!type) return CR_OTHER;
    if (strcasecmp(type, "microsoft.management/managementgroups") == 0) return CR_MG;
    if (strcasecmp(type, "microsoft.resources/subscriptions") == 0) return CR_SUB;
    if (strcasecmp(type, "microsoft.resources/subscriptions/resourcegroups") == 0) return CR_RG;
    return CR_OTHER;
}

static void fill_row(crow *r, yajl_val t) {
    const char *type = live_json_str(t, "type", (char *)NULL);
    r->type = lz_strdup(type ? type : "");
    r->kind = kind_of(type);
    r->sub = sub_of(r->id);
    if (r->kind == CR_MG) {
        r->name = lower_dup(last_segment(r->id));
        const char *pid = live_json_str(t, "properties", "details", "parent", "id", (char *)NULL);
        if (!pid) pid = live_json_str(t, "properties", "parent", "id", (char *)NULL);
        r->parent = pid ? lower_dup(last_segment(pid)) : NULL;
    }
    yajl_val chain = live_json_get(t, "properties", "managementGroupAncestorsChain", (char *)NULL);
    for (size_t i = 0; YAJL_IS_ARRAY(chain) && i < chain->u.array.len; i++) {
        const char *n = live_json_str(chain->u.array.values[i], "name", (char *)NULL);
        if (n) live_strv_add(&r->chain, n);
    }
}

static void keep_row(walk *w, const char *json, size_t len, const char *id) {
    char *low = lower_dup(id);
    if (live_map_get(&w->seen, low, NULL)) {
        free(low);
        return;
    }
    live_map_put(&w->seen, low, w->nrows);
    free(low);
    crow r = {0};
    r.json = lz_strndup(json, len);
    r.id = lz_strdup(id);
    yajl_val t = live_json_parse(r.json);
    fill_row(&r, t);
    yajl_tree_free(t);
    LZ_PUSH(w->rows, w->nrows, w->caprows, r);
}

static int on_container(const live_row *row, void *ctx, lz_err *e) {
    if (row->id) keep_row(ctx, row->json, row->len, row->id);
    return 0;
}

static void on_rc_gap(const char *scope, const char *type, const char *reason, void *ctx) {
    walk *w = ctx;
    w->out->gap(scope, type, reason, w->out->ctx);
}

static void on_rc_failed(const char *reason, void *ctx) {
    walk *w = ctx;
    w->failed = true;
    free(w->fail_reason);
    w->fail_reason = lz_strdup(reason);
}

static arg_sink container_sink(walk *w) {
    arg_sink s = {0};
    s.row = on_container;
    s.gap = on_rc_gap;
    s.failed = on_rc_failed;
    s.ctx = w;
    return s;
}

/* ---- explicit subscriptions ---- */

static int query_subscriptions(walk *w, char *const *subs, size_t n, lz_err *e) {
    arg_sink sink = container_sink(w);
    size_t batch = arg_batch_size();
    for (size_t i = 0; i < n; i += batch) {
        arg_query q = {.table = "resourcecontainers",
                       .subscriptions = subs + i,
                       .nsubscriptions = n - i < batch ? n - i : batch};
        arg_submit(w->L, w->arm, &q, &sink);
    }
    int rc = live_run(w->L, e);
    w->s->pages += sink.pages;
    w->s->rows += sink.rows;
    return rc;
}

static bool sub_found(const walk *w, const char *sub) {
    for (size_t i = 0; i < w->nrows; i++)
        if (w->rows[i].kind == CR_SUB && w->rows[i].sub && strcmp(w->rows[i].sub, sub) == 0) return true;
    return false;
}

/* ---- descendants fallback ---- */

static void synth_mg_row(walk *w, const char *name, const char *parent_id, const char *display) {
    yajl_gen g = yajl_gen_alloc(NULL);
    char *id = lz_asprintf("/providers/Microsoft.Management/managementGroups/%s", name);
    yajl_gen_map_open(g);
#define KV(k, v)                                                                                             \
    yajl_gen_string(g, (const unsigned char *)(k), strlen(k));                                               \
    yajl_gen_string(g, (const unsigned char *)(v), strlen(v))
    KV("id", id);
    KV("name", name);
    KV("type", "microsoft.management/managementgroups");
    yajl_gen_string(g, (const unsigned char *)"properties", 10);
    yajl_gen_map_open(g);
    if (display) {
        KV("displayName", display);
    }
    if (parent_id) {
        yajl_gen_string(g, (const unsigned char *)"details", 7);
        yajl_gen_map_open(g);
        yajl_gen_string(g, (const unsigned char *)"parent", 6);
        yajl_gen_map_open(g);
        KV("id", parent_id);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
    }
#undef KV
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    keep_row(w, (const char *)buf, len, id);
    yajl_gen_free(g);
    free(id);
}

static int on_descendant(const live_row *row, void *ctx, lz_err *e) {
    walk *w = ctx;
    yajl_val t = live_json_parse(row->json);
    const char *type = live_json_str(t, "type", (char *)NULL), *name = live_json_str(t, "name", (char *)NULL);
    const char *parent = live_json_str(t, "properties", "parent", "id", (char *)NULL);
    const char *display = live_json_str(t, "properties", "displayName", (char *)NULL);
    if (type && name && strcasecmp(type, "Microsoft.Management/managementGroups/subscriptions") == 0)
        live_strv_add(&w->desc_subs, name);
    else if (type && name && strcasecmp(type, "Microsoft.Management/managementGroups") == 0)
        synth_mg_row(w, name, parent, display);
    yajl_tree_free(t);
    return 0;
}

static void on_desc_done(live_ctx *L, const arm_result *r, void *ctx) {
    walk *w = ctx;
    if (!r->ok) {
        w->desc_failed = true;
        w->desc_reason = lz_strdup(r->error);
    }
}

static int descendants(walk *w, const char *mg, lz_err *e) {
    live_strv_free(&w->desc_subs);
    w->desc_failed = false;
    synth_mg_row(w, mg, NULL, NULL);
    char *path = lz_asprintf("/providers/Microsoft.Management/managementGroups/%s/descendants", mg);
    arm_list_cb cb = {on_descendant, on_desc_done, w};
    arm_list(w->L, w->arm, path, MG_API_VERSION, "", &cb);
    free(path);
    if (live_run(w->L, e) < 0) return -1;
    if (w->desc_failed) {
        live_errf(e, "management group %s: Resource Graph failed (%s), and so did the descendants API (%s)",
                  mg, w->fail_reason ? w->fail_reason : "no subscriptions found", w->desc_reason);
        free(w->desc_reason);
        w->desc_reason = NULL;
        return -1;
    }
    w->s->used_descendants = true;
    return query_subscriptions(w, w->desc_subs.v, w->desc_subs.n, e);
}

/* ---- management groups ---- */

static size_t count_subs(const walk *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->nrows; i++) n += w->rows[i].kind == CR_SUB;
    return n;
}

static int walk_mg(walk *w, const char *mg, lz_err *e) {
    w->failed = false;
    size_t before = count_subs(w);
    arg_sink sink = container_sink(w);
    arg_query q = {.table = "resourcecontainers", .management_group = mg};
    arg_submit(w->L, w->arm, &q, &sink);
    if (live_run(w->L, e) < 0) return -1;
    w->s->pages += sink.pages;
    w->s->rows += sink.rows;
    if (!w->failed && !sink.limit_hit && count_subs(w) > before) return 0;
    return descendants(w, mg, e);
}

static int on_mg_list(const live_row *row, void *ctx, lz_err *e) {
    walk *w = ctx;
    yajl_val t = live_json_parse(row->json);
    const char *name = live_json_str(t, "name", (char *)NULL);
    const char *tenant = live_json_str(t, "properties", "tenantId", (char *)NULL);
    if (name && tenant && strcasecmp(name, tenant) == 0 && !w->root) w->root = lz_strdup(name);
    yajl_tree_free(t);
    return 0;
}

static void on_mg_list_done(live_ctx *L, const arm_result *r, void *ctx) {
    walk *w = ctx;
    if (!r->ok) w->desc_reason = lz_strdup(r->error);
}

/* The tenant root group: named after the tenant. */
static int find_root(walk *w, const live_opts *o, lz_err *e) {
    if (o->tenant) {
        w->root = lz_strdup(o->tenant);
        return 0;
    }
    const char *tok;
    if (auth_token(w->L->auth, false, &tok, NULL, e) < 0) return -1;
    const char *tenant = auth_tenant(w->L->auth);
    if (tenant) {
        w->root = lz_strdup(tenant);
        return 0;
    }
    arm_list_cb cb = {on_mg_list, on_mg_list_done, w};
    arm_list(w->L, w->arm, "/providers/Microsoft.Management/managementGroups", MG_API_VERSION, "", &cb);
    if (live_run(w->L, e) < 0) return -1;
    if (w->root) return 0;
    live_errf(e,
              "cannot tell the tenant root management group: no --tenant, no AZURE_TENANT_ID, no tid in the "
              "token, and the management group list %s",
              w->desc_reason ? w->desc_reason : "holds no root group");
    return -1;
}

/* ---- filtering ---- */

static bool listed(const live_strs *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (strcasecmp(s->v[i], name) == 0) return true;
    return false;
}

static const crow *mg_row(const walk *w, const char *name) {
    for (size_t i = 0; i < w->nrows; i++)
        if (w->rows[i].kind == CR_MG && strcmp(w->rows[i].name, name) == 0) return &w->rows[i];
    return NULL;
}

static bool mg_excluded(const walk *w, const live_opts *o, const char *name) {
    for (int depth = 0; name && depth < 16; depth++) { /* management groups nest at most 6 deep */
        if (listed(&o->exclude_mgs, name)) return true;
        const crow *r = mg_row(w, name);
        name = r ? r->parent : NULL;
    }
    return false;
}

static bool sub_excluded(const walk *w, const live_opts *o, const crow *r) {
    if (listed(&o->exclude_subs, r->sub)) return true;
    for (size_t i = 0; i < r->chain.n; i++)
        if (listed(&o->exclude_mgs, r->chain.v[i])) return true;
    return false;
}

static int emit(walk *w, const live_opts *o, lz_err *e) {
    live_map in = {0};
    for (size_t i = 0; i < w->nrows; i++) {
        crow *r = &w->rows[i];
        if (r->kind == CR_SUB && r->sub && !sub_excluded(w, o, r) && !live_map_get(&in, r->sub, NULL)) {
            live_map_put(&in, r->sub, 1);
            live_strv_add(&w->s->subs, r->sub);
        }
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < w->nrows; i++) {
        crow *r = &w->rows[i];
        bool keep =
            r->kind == CR_MG ? !mg_excluded(w, o, r->name) : r->sub && live_map_get(&in, r->sub, NULL);
        live_row row = {r->json, strlen(r->json), r->id, r->type};
        if (keep) rc = w->out->row(&row, w->out->ctx, e);
    }
    live_map_free(&in);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_free(walk *w) {
    for (size_t i = 0; i < w->nrows; i++) {
        free(w->rows[i].json);
        free(w->rows[i].id);
        free(w->rows[i].type);
        free(w->rows[i].sub);
        free(w->rows[i].name);
        free(w->rows[i].parent);
        live_strv_free(&w->rows[i].chain);
    }
    free(w->rows);
    live_map_free(&w->seen);
    live_strv_free(&w->desc_subs);
    free(w->fail_reason);
    free(w->desc_reason);
    free(w->root);
}

static int resolve(walk *w, const live_opts *o, lz_err *e) {
    if (!o->mgs.n && !o->subs.n) {
        if (find_root(w, o, e) < 0) return -1;
        live_strv_add(&w->s->mgs, w->root);
        if (walk_mg(w, w->root, e) < 0) return -1;
    }
    for (size_t i = 0; i < o->mgs.n; i++) {
        live_strv_add(&w->s->mgs, o->mgs.v[i]);
        if (walk_mg(w, o->mgs.v[i], e) < 0) return -1;
    }
    if (o->subs.n) {
        live_strv want = {0};
        for (size_t i = 0; i < o->subs.n; i++) live_strv_add(&want, o->subs.v[i]);
        int rc = query_subscriptions(w, want.v, want.n, e);
        for (size_t i = 0; rc == 0 && i < want.n; i++) {
            if (sub_found(w, want.v[i])) continue;
            char *scope = lz_asprintf("/subscriptions/%s", want.v[i]);
            w->out->gap(
                scope, "",
                "Resource Graph returns no subscription row for it (no read access, or it does not exist)",
                w->out->ctx);
            free(scope);
        }
        live_strv_free(&want);
        if (rc < 0) return -1;
    }
    return emit(w, o, e);
}

int live_scope_resolve(live_ctx *L, const char *arm, const live_opts *o, const scope_out *out, live_scope *s,
                       lz_err *e) {
    memset(s, 0, sizeof *s);
    walk w = {0};
    w.L = L;
    w.arm = arm;
    w.out = out;
    w.s = s;
    int rc = resolve(&w, o, e);
    if (s->subs.n) qsort(s->subs.v, s->subs.n, sizeof *s->subs.v, cmp_str);
    if (rc == 0 && !s->subs.n) rc = live_errf(e, "the scope holds no subscription that can be read");
    walk_free(&w);
    return rc;
}

void live_scope_free(live_scope *s) {
    live_strv_free(&s->subs);
    live_strv_free(&s->mgs);
}
