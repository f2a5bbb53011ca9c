/*
 * project.c - see project.h.
 */
#include "project.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/lz.h"

/* What scanner/topology.c reads (keep in step with it; a unit test checks
 * every "properties.X" literal there is listed), and the display names the
 * text report and the TUI show. "*": a firewall's policy is whatever its
 * firewallPolicy.id names. */
const char *const live_projection_builtin_reads[][2] = {
    {"microsoft.network/virtualnetworks", "subnets"},
    {"microsoft.network/virtualnetworks", "virtualNetworkPeerings"},
    {"microsoft.network/azurefirewalls", "ipConfigurations"},
    {"microsoft.network/azurefirewalls", "virtualHub"},
    {"microsoft.network/azurefirewalls", "hubIPAddresses"},
    {"microsoft.network/azurefirewalls", "firewallPolicy"},
    {"*", "dnsSettings"},
    {"microsoft.network/dnsresolvers/inboundendpoints", "ipConfigurations"},
    {"microsoft.network/virtualhubs/hubvirtualnetworkconnections", "remoteVirtualNetwork"},
    {"*", "displayName"},
    {NULL, NULL},
};

const char *const live_projection_droppable[] = {
    "tenantId", "location", "sku", "identity", "managedBy", "plan", "zones", "extendedLocation", NULL,
};

static void keep_key(rule_strv *v, const char *key) {
    if (!strv_has(v, key)) strv_push(v, key);
}

static proj_type *type_entry(live_projection *p, const char *type) {
    for (size_t i = 0; i < p->ntypes; i++)
        if (strcmp(p->types[i].type, type) == 0) return &p->types[i];
    char *low = lz_strdup(type);
    lz_lower(low, strlen(low));
    LZ_PUSH(p->types, p->ntypes, p->captypes, ((proj_type){low, {0}}));
    return &p->types[p->ntypes - 1];
}

void live_projection_disable(live_projection *p, const char *why) {
    p->on = false;
    p->why_off = why;
}

/* One read on objects of `type` ("*": every type). */
static void add_read(live_projection *p, const char *type, const char *const *keys, size_t n) {
    bool any = strcmp(type, "*") == 0;
    if (n && !lz_strcaseeq(keys[0], strlen(keys[0]), "properties", 10)) { /* a column: kept whole */
        char *low = lz_strdup(keys[0]);
        lz_lower(low, strlen(low));
        keep_key(&p->columns, low);
        free(low);
        return;
    }
    if (n < 2) { /* the whole object, or the whole of properties */
        if (any)
            live_projection_disable(p, "a rule can read the whole properties of any object");
        else
            keep_key(&p->whole, type);
        return;
    }
    keep_key(any ? &p->any : &type_entry(p, type)->keys, keys[1]);
}

typedef struct reads_ctx {
    live_projection *p;
    const rule *r;
} reads_ctx;

static void on_read(const char *on, const char *const *keys, size_t n, void *ctx) {
    reads_ctx *rc = ctx;
    if (on) {
        add_read(rc->p, on, keys, n);
        return;
    }
    for (size_t i = 0; i < rc->r->types.n; i++) add_read(rc->p, rc->r->types.v[i], keys, n);
}

void live_projection_build(const rule_pack *pack, const live_plan *plan, bool enabled, live_projection *p) {
    memset(p, 0, sizeof *p);
    p->on = true;
    if (!enabled) {
        live_projection_disable(p, "--no-projection");
        return;
    }
    for (size_t i = 0; live_projection_builtin_reads[i][0]; i++) {
        const char *key[2] = {"properties", live_projection_builtin_reads[i][1]};
        add_read(p, live_projection_builtin_reads[i][0], key, 2);
    }
    bool filtered = !plan->tables[PLAN_RESOURCES].all;
    for (size_t i = 0; pack && i < pack->n; i++) {
        const rule *r = pack->rules[i];
        reads_ctx rc = {p, r};
        rule_reads(r, on_read, &rc);
        if (filtered && rule_reads_every_type(r))
            live_projection_disable(p, "the resources query is filtered by type and a rule looks objects up "
                                       "among every type (related type \"*\")");
    }
}

void live_projection_free(live_projection *p) {
    strv_free(&p->any);
    strv_free(&p->whole);
    strv_free(&p->columns);
    for (size_t i = 0; i < p->ntypes; i++) {
        free(p->types[i].type);
        strv_free(&p->types[i].keys);
    }
    free(p->types);
    memset(p, 0, sizeof *p);
}

/* ---- KQL ---- */

static void kql_string(lz_buf *b, const char *s) {
    lz_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\') lz_buf_putc(b, '\\');
        lz_buf_putc(b, *s);
    }
    lz_buf_putc(b, '\'');
}

static void kql_array(lz_buf *b, const rule_strv *v) {
    lz_buf_puts(b, "dynamic([");
    for (size_t i = 0; i < v->n; i++) {
        if (i) lz_buf_puts(b, ", ");
        kql_string(b, v->v[i]);
    }
    lz_buf_puts(b, "])");
}

/* A type with keys of its own in the KQL: one of the resources table's,
 * neither kept whole nor without keys beyond the common ones. */
static bool listed(const live_projection *p, const proj_type *t) {
    return t->keys.n && !strv_has(&p->whole, t->type) && live_plan_table_of(t->type) == PLAN_RESOURCES;
}

/* lzscanKeep: the keys kept on this row's type. */
static void kql_keep(lz_buf *b, const live_projection *p) {
    size_t specific = 0;
    for (size_t i = 0; i < p->ntypes; i++) specific += listed(p, &p->types[i]);
    lz_buf_puts(b, " | extend lzscanKeep = ");
    if (!specific) {
        kql_array(b, &p->any);
        return;
    }
    lz_buf_puts(b, "array_concat(");
    kql_array(b, &p->any);
    lz_buf_puts(b, ", case(");
    for (size_t i = 0; i < p->ntypes; i++) {
        if (!listed(p, &p->types[i])) continue;
        lz_buf_puts(b, "type =~ ");
        kql_string(b, p->types[i].type);
        lz_buf_puts(b, ", ");
        kql_array(b, &p->types[i].keys);
        lz_buf_puts(b, ", ");
    }
    lz_buf_puts(b, "dynamic([])))");
}

/* A column no rule reads. */
static bool dropped(const live_projection *p, const char *column) {
    char *low = lz_strdup(column);
    lz_lower(low, strlen(low));
    bool read = strv_has(&p->columns, low);
    free(low);
    return !read;
}

char *live_projection_kql(const live_projection *p) {
    if (!p->on) return NULL;
    lz_buf b = {0};
    kql_keep(&b, p);
    lz_buf_puts(&b, " | extend lzscanDrop = set_difference(bag_keys(properties), lzscanKeep)");
    /* kept whole: not a bag, a type read whole, or a key that matches a
     * kept one only case-insensitively (the drop list, lower-cased and
     * deduplicated, is then shorter than the exact one) */
    lz_buf_puts(&b, " | extend properties = iff(gettype(properties) != 'dictionary'");
    if (p->whole.n) {
        lz_buf_puts(&b, " or type in~ (");
        for (size_t i = 0; i < p->whole.n; i++) {
            if (i) lz_buf_puts(&b, ", ");
            kql_string(&b, p->whole.v[i]);
        }
        lz_buf_putc(&b, ')');
    }
    lz_buf_puts(&b, " or array_length(lzscanDrop) != array_length(set_difference("
                    "parse_json(tolower(tostring(bag_keys(properties)))), "
                    "parse_json(tolower(tostring(lzscanKeep))))), properties, "
                    "bag_remove_keys(properties, lzscanDrop))");
    lz_buf_puts(&b, " | project-away lzscanKeep, lzscanDrop");
    for (size_t i = 0; live_projection_droppable[i]; i++)
        if (dropped(p, live_projection_droppable[i])) lz_buf_printf(&b, ", %s", live_projection_droppable[i]);
    return lz_buf_steal(&b);
}

/* ---- the manifest ---- */

static void gs(yajl_gen g, const char *s) {
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gstrv(yajl_gen g, const rule_strv *v) {
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->n; i++) gs(g, v->v[i]);
    yajl_gen_array_close(g);
}

void live_projection_manifest(const live_projection *p, const rule_pack *pack, yajl_gen g) {
    gs(g, "projection");
    yajl_gen_map_open(g);
    gs(g, "used");
    yajl_gen_bool(g, p->on);
    if (!p->on) {
        gs(g, "reason");
        gs(g, p->why_off ? p->why_off : "off");
        yajl_gen_map_close(g);
        return;
    }
    gs(g, "table");
    gs(g, "resources");
    gs(g, "rulePack");
    gs(g, pack ? pack->sha256 : "");
    gs(g, "propertiesKept");
    yajl_gen_map_open(g);
    gs(g, "*");
    gstrv(g, &p->any);
    for (size_t i = 0; i < p->ntypes; i++) {
        if (!listed(p, &p->types[i])) continue;
        gs(g, p->types[i].type);
        gstrv(g, &p->types[i].keys);
    }
    yajl_gen_map_close(g);
    gs(g, "propertiesWhole");
    gstrv(g, &p->whole);
    gs(g, "columnsLeftOut");
    yajl_gen_array_open(g);
    for (size_t i = 0; live_projection_droppable[i]; i++)
        if (dropped(p, live_projection_droppable[i])) gs(g, live_projection_droppable[i]);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}
