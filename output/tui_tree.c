/*
 * tui_tree.c - see tui_tree.h.
 */
#include "tui_tree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/u32map.h"
#include "tui_text.h"

#define NONE TUI_NODE_NONE

typedef struct tree_maps {
    u32map mg;         /* management group name (folded atom) -> node */
    u32map mg_obj;     /* management group name (folded atom) -> inventory object */
    u32map sub;        /* subscription (folded atom) -> node */
    u32map rg;         /* resource group name atom -> first node of that name */
    uint32_t *rg_next; /* per node: next resource-group node with the same name */
    size_t rg_cap;
    uint32_t *of_res; /* per inventory object: its node */
} tree_maps;

static uint32_t put(tui_tree *t, const char *s) {
    uint32_t off = (uint32_t)t->arena.len;
    tui_text_clean_str(&t->arena, s ? s : "", 120);
    lz_buf_putc(&t->arena, '\0');
    return off;
}

static uint32_t add_node(tui_tree *t, uint32_t parent, enum tui_node_kind kind, const char *label,
                         inv_idx res) {
    tui_node nd = {.parent = parent, .first = NONE, .next = NONE, .res = res, .kind = (uint8_t)kind};
    nd.label = put(t, label);
    nd.type = put(t, "");
    nd.depth = (uint8_t)(parent == NONE ? 0 : t->nodes[parent].depth + 1);
    nd.open = kind <= TN_MG || kind == TN_SUB;
    LZ_PUSH(t->nodes, t->n, t->cap, nd);
    return (uint32_t)(t->n - 1);
}

/* ---- labels from the inventory ---- */

static const char *display_name(const inv *v, const inv_res *res) {
    const jv_store *s = inv_cstore(v);
    const char *dn = jv_get_str(s, res->obj, "displayName");
    return dn ? dn : jv_get_str(s, jv_get(s, res->obj, "properties", 10), "displayName");
}

/* A subscription's label: its display name (ARM displayName, or the name
 * Resource Graph gives) when the input has it, else the GUID. */
static const char *sub_label(const inv *v, jv_atom sub) {
    inv_idx i = inv_subscription(v, sub);
    const char *guid = inv_str(v, sub);
    if (i == INV_NONE) return guid;
    const inv_res *res = inv_get(v, i);
    const char *dn = display_name(v, res), *name = inv_str(v, res->name);
    if (dn && *dn) return dn;
    return name && *name && strcasecmp(name, guid) != 0 ? name : guid;
}

static uint32_t mg_node(tui_tree *t, tree_maps *m, jv_atom name, uint32_t parent) {
    uint32_t node, obj;
    if (u32map_get(&m->mg, name, &node)) return node;
    const inv *v = t->r->inv;
    const char *label = inv_str(v, name);
    inv_idx res = INV_NONE;
    if (u32map_get(&m->mg_obj, name, &obj)) {
        res = obj;
        const char *dn = display_name(v, inv_get(v, obj));
        if (dn && *dn) label = dn;
    }
    node = add_node(t, parent, TN_MG, label, res);
    u32map_put(&m->mg, name, node);
    return node;
}

static uint32_t sub_node(tui_tree *t, tree_maps *m, jv_atom sub) {
    uint32_t node;
    if (u32map_get(&m->sub, sub, &node)) return node;
    const inv *v = t->r->inv;
    const jv_atom *chain;
    size_t n = inv_mg_chain(v, sub, &chain);
    uint32_t parent = 0;
    for (size_t k = n; k-- > 0;) parent = mg_node(t, m, chain[k], parent); /* root first */
    node = add_node(t, parent, TN_SUB, sub_label(v, sub), inv_subscription(v, sub));
    u32map_put(&m->sub, sub, node);
    return node;
}

static uint32_t rg_node(tui_tree *t, tree_maps *m, jv_atom sub, jv_atom rg) {
    uint32_t subn = sub_node(t, m, sub), head;
    if (!u32map_get(&m->rg, rg, &head)) head = NONE;
    for (uint32_t k = head; k != NONE; k = m->rg_next[k])
        if (t->nodes[k].parent == subn) return k;
    uint32_t node = add_node(t, subn, TN_RG, inv_str(t->r->inv, rg), INV_NONE);
    lz_grow(&m->rg_next, &m->rg_cap, t->n, sizeof *m->rg_next);
    m->rg_next[node] = head; /* the map points at the newest node of that name */
    u32map_put(&m->rg, rg, node);
    return node;
}

/* The last segment of a type: microsoft.network/virtualnetworks -> virtualNetworks as read. */
static const char *short_type(const inv *v, const inv_res *res) {
    const char *ty = jv_get_str(inv_cstore(v), res->obj, "type");
    if (!ty) ty = inv_str(v, res->type_fold);
    const char *slash = ty ? strrchr(ty, '/') : NULL;
    return slash ? slash + 1 : ty;
}

/* ---- building ---- */

static void place_object(tui_tree *t, tree_maps *m, inv_idx i) {
    const inv *v = t->r->inv;
    const inv_res *res = inv_get(v, i);
    if (res->parent != INV_NONE) return; /* child objects count on their parent */
    uint32_t node = NONE;
    switch (res->cls) {
    case INV_MANAGEMENT_GROUP:
        return; /* placed through subscriptions' chains */
    case INV_SUBSCRIPTION:
        if (res->subscription) node = sub_node(t, m, res->subscription);
        if (node != NONE && t->nodes[node].res == INV_NONE) t->nodes[node].res = i;
        break;
    case INV_RESOURCE_GROUP:
        if (res->subscription && res->resource_group) {
            node = rg_node(t, m, res->subscription, res->resource_group);
            t->nodes[node].res = i;
            t->nodes[node].label = put(t, inv_str(v, res->name)); /* as spelled, not folded */
        }
        break;
    default: {
        uint32_t parent = res->subscription && res->resource_group
                              ? rg_node(t, m, res->subscription, res->resource_group)
                          : res->subscription ? sub_node(t, m, res->subscription)
                                              : 0;
        node = add_node(t, parent, TN_RES, inv_str(v, res->name), i);
        t->nodes[node].type = put(t, short_type(v, res));
    }
    }
    if (node != NONE) m->of_res[i] = node;
}

static int cmp_nodes(const void *pa, const void *pb, void *ctx) {
    const tui_tree *t = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const tui_node *x = &t->nodes[a], *y = &t->nodes[b];
    if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    int c = strcasecmp(tui_tree_str(t, x->label), tui_tree_str(t, y->label));
    return c ? c : (a > b) - (a < b);
}

/* Links each node's children in sorted order. */
static void link_children(tui_tree *t) {
    size_t n = t->n - 1;
    uint32_t *ids = lz_malloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = (uint32_t)(i + 1);
    qsort_r(ids, n, sizeof *ids, cmp_nodes, t);
    for (size_t i = 0; i < t->n; i++) t->nodes[i].first = t->nodes[i].next = NONE;
    for (size_t k = n; k-- > 0;) { /* back to front: each push makes the list sorted */
        tui_node *nd = &t->nodes[ids[k]];
        nd->next = t->nodes[nd->parent].first;
        t->nodes[nd->parent].first = ids[k];
    }
    free(ids);
}

/* Pre-order successor of node; descend only into open nodes when open_only. */
static uint32_t next_node(const tui_tree *t, uint32_t k, bool open_only) {
    const tui_node *nd = &t->nodes[k];
    if (nd->first != NONE && (!open_only || nd->open)) return nd->first;
    while (k != 0 && k != NONE) {
        if (t->nodes[k].next != NONE) return t->nodes[k].next;
        k = t->nodes[k].parent;
    }
    return NONE;
}

static void build_order(tui_tree *t) {
    t->order = lz_malloc(t->n * sizeof *t->order);
    t->pos_in_order = lz_malloc(t->n * sizeof *t->pos_in_order);
    t->dash = lz_malloc(t->n * sizeof *t->dash);
    size_t k = 0;
    t->pos_in_order[0] = NONE;
    for (uint32_t i = next_node(t, 0, false); i != NONE; i = next_node(t, i, false)) {
        t->pos_in_order[i] = (uint32_t)k;
        t->order[k++] = i;
        if (t->nodes[i].kind == TN_MG || t->nodes[i].kind == TN_SUB) t->dash[t->ndash++] = i;
    }
}

static void flatten(tui_tree *t) {
    t->nvis = 0;
    for (uint32_t i = next_node(t, 0, true); i != NONE; i = next_node(t, i, true)) t->vis[t->nvis++] = i;
}

static uint32_t top_level(const inv *v, inv_idx i) {
    for (int guard = 0; guard < 64 && inv_get(v, i)->parent != INV_NONE; guard++) i = inv_get(v, i)->parent;
    return i;
}

static void count_findings(tui_tree *t, const tree_maps *m) {
    const report *r = t->r;
    for (size_t i = 0; i < r->nfindings; i++) {
        const finding *f = &r->findings[i];
        uint32_t node = 0;
        if (r->inv && f->resource != INV_NONE && f->resource < inv_count(r->inv)) {
            inv_idx top = top_level(r->inv, f->resource);
            node = m->of_res[top] != NONE ? m->of_res[top] : 0;
        }
        t->of_finding[i] = node;
        unsigned sev = f->rule ? (unsigned)f->rule->severity : 0;
        for (uint32_t k = node; k != NONE; k = t->nodes[k].parent) {
            tui_node *nd = &t->nodes[k];
            if (f->status == RS_FAIL && sev <= SEV_CRITICAL) nd->fail[sev]++;
            if (f->status == RS_UNKNOWN) nd->unknown++;
            if (f->status == RS_EXEMPT) nd->exempt++;
        }
    }
    for (size_t i = 1; i < t->n; i++)
        if (t->nodes[i].kind == TN_RES)
            for (uint32_t k = (uint32_t)i; k != NONE; k = t->nodes[k].parent) t->nodes[k].nres++;
}

void tui_tree_build(tui_tree *t, const report *r) {
    memset(t, 0, sizeof *t);
    t->r = r;
    tree_maps *m = lz_calloc(1, sizeof *m);
    t->priv = m;
    add_node(t, NONE, TN_ROOT, "", INV_NONE);
    const inv *v = r->inv;
    size_t nobj = v ? inv_count(v) : 0;
    m->of_res = lz_malloc((nobj ? nobj : 1) * sizeof *m->of_res);
    for (size_t i = 0; i < nobj; i++) m->of_res[i] = NONE;
    if (v) {
        size_t nmg;
        const inv_idx *mgs = inv_by_type(v, "microsoft.management/managementgroups", &nmg);
        for (size_t k = 0; k < nmg; k++)
            u32map_put(&m->mg_obj, jv_atom_fold(inv_cstore(v), inv_get(v, mgs[k])->name), mgs[k]);
        for (size_t i = 0; i < nobj; i++) place_object(t, m, (inv_idx)i);
        for (size_t k = 0; k < nmg; k++) { /* management groups are containers too */
            uint32_t node;
            if (u32map_get(&m->mg, jv_atom_fold(inv_cstore(v), inv_get(v, mgs[k])->name), &node))
                m->of_res[mgs[k]] = node;
        }
    }
    link_children(t);
    t->of_finding = lz_malloc((r->nfindings ? r->nfindings : 1) * sizeof *t->of_finding);
    count_findings(t, m);
    build_order(t);
    t->vis = lz_malloc(t->n * sizeof *t->vis);
    flatten(t);
}

const char *tui_tree_sub_label(const char *sub, void *ctx) {
    const tui_tree *t = ctx;
    const tree_maps *m = t->priv;
    if (!t->r->inv || !sub) return NULL;
    jv_atom a = jv_lookup_atom(inv_cstore(t->r->inv), sub, strlen(sub));
    uint32_t node;
    return a && u32map_get(&m->sub, a, &node) ? tui_tree_str(t, t->nodes[node].label) : NULL;
}

void tui_tree_free(tui_tree *t) {
    tree_maps *m = t->priv;
    if (m) {
        u32map_free(&m->mg);
        u32map_free(&m->mg_obj);
        u32map_free(&m->sub);
        u32map_free(&m->rg);
        free(m->rg_next);
        free(m->of_res);
        free(m);
    }
    free(t->nodes);
    lz_buf_free(&t->arena);
    free(t->of_finding);
    free(t->order);
    free(t->pos_in_order);
    free(t->vis);
    free(t->dash);
    memset(t, 0, sizeof *t);
}

uint32_t tui_tree_failing(const tui_node *nd) {
    uint32_t n = 0;
    for (int s = 0; s <= SEV_CRITICAL; s++) n += nd->fail[s];
    return n;
}

uint32_t tui_tree_selected(const tui_tree *t) {
    return t->nvis && t->cur.cur < t->nvis ? t->vis[t->cur.cur] : NONE;
}

static void select_node(tui_tree *t, uint32_t node) {
    for (size_t k = 0; k < t->nvis; k++)
        if (t->vis[k] == node) {
            t->cur.cur = k;
            return;
        }
    if (t->cur.cur >= t->nvis) t->cur.cur = t->nvis ? t->nvis - 1 : 0;
}

void tui_tree_set_open(tui_tree *t, uint32_t node, bool open) {
    if (node == NONE || node >= t->n) return;
    uint32_t sel = tui_tree_selected(t);
    t->nodes[node].open = open;
    flatten(t);
    select_node(t, sel);
    if (t->cur.top > t->cur.cur) t->cur.top = t->cur.cur;
}

void tui_tree_reveal(tui_tree *t, uint32_t node, size_t page) {
    if (node == NONE || node >= t->n) return;
    for (uint32_t k = t->nodes[node].parent; k != NONE; k = t->nodes[k].parent) t->nodes[k].open = true;
    flatten(t);
    select_node(t, node);
    tui_cursor_fix(&t->cur, t->nvis, page);
}

bool tui_tree_within(const tui_tree *t, uint32_t node, uint32_t anc) {
    for (uint32_t k = node; k != NONE; k = t->nodes[k].parent)
        if (k == anc) return true;
    return false;
}

void tui_tree_scope(const tui_tree *t, uint32_t node, uint8_t *in_scope) {
    for (size_t i = 0; i < t->r->nfindings; i++)
        in_scope[i] = (uint8_t)(t->of_finding[i] != 0 && tui_tree_within(t, t->of_finding[i], node));
}
