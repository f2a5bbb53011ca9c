/*
 * topology.c - see topology.h. One pass over VNets, firewalls and vWAN hubs;
 * the results are kept both as role maps (for `topology:` conditions) and
 * as fact values in the topology's own store (for `{fact: NAME}`).
 */
#include "topology.h"

#include <stdlib.h>
#include <string.h>

#include "../common/u32map.h"
#include "jpath.h"

static const char *const fact_names[] = {
    "hubVnetIds",
    "hubFirewallPrivateIps",
    "connectivitySubscriptionIds",
    "spokeVnetIds",
    "spokeSubscriptionIds",
    "hubDnsServers",
    "hubPrivateDnsZoneIds",
    "tenantSubscriptions",
    "subscriptionTenants",
    NULL,
};
enum { F_HUBS, F_FWIPS, F_CONN, F_SPOKES, F_SPOKESUBS, F_DNS, F_ZONES, F_TENANTS, F_SUBTENANTS, F__COUNT };

/* Strings in insertion order, without duplicates (ASCII case-insensitively:
 * they are ids and addresses), with a hash index: a tenant of ten thousand
 * subscriptions has ten thousand spokes, and a duplicate check by scanning
 * made building the set quadratic. */
typedef struct strset {
    char **v;
    size_t n, cap;
    uint32_t *slots; /* index into v + 1, by lz_hash_fold; 0 = empty */
    size_t nslots;   /* 0 or a power of two */
} strset;

struct topo {
    const inv *v;
    jv_store *s;     /* fact values */
    u32map role;     /* vnet inv_idx -> enum topo_role */
    u32map conn;     /* subscription atom (inventory store) -> 1 */
    u32map spokesub; /* subscription atom (inventory store) -> 1 */
    jv_t fact[F__COUNT];
    const char *why[F__COUNT]; /* reason a fact is unknown */
    char *why_owned;           /* a reason built at run time */
};

/* The slot holding str, or the empty slot where it would go. */
static size_t set_slot(const strset *set, const char *str) {
    size_t j = (size_t)lz_hash_fold(str, strlen(str)) & (set->nslots - 1);
    while (set->slots[j] && strcasecmp(set->v[set->slots[j] - 1], str) != 0) j = (j + 1) & (set->nslots - 1);
    return j;
}

static void set_reindex(strset *set) {
    free(set->slots);
    set->nslots = set->nslots ? set->nslots * 2 : 16;
    set->slots = lz_calloc(set->nslots, sizeof *set->slots);
    for (size_t i = 0; i < set->n; i++) set->slots[set_slot(set, set->v[i])] = (uint32_t)i + 1;
}

static bool set_has(const strset *set, const char *str) {
    return set->nslots && set->slots[set_slot(set, str)];
}

static void set_add(strset *set, const char *str) {
    if ((set->n + 1) * 2 > set->nslots) set_reindex(set);
    size_t j = set_slot(set, str);
    if (set->slots[j]) return;
    LZ_PUSH(set->v, set->n, set->cap, lz_strdup(str));
    set->slots[j] = (uint32_t)set->n;
}

static void set_free(strset *set) {
    for (size_t i = 0; i < set->n; i++) free(set->v[i]);
    free(set->v);
    free(set->slots);
}

static jv_t make_array(jv_store *s, const strset *set) {
    jv_builder *b = jv_builder_new(s);
    jv_build_begin(b, JV_ARRAY);
    for (size_t i = 0; i < set->n; i++) jv_build_scalar(b, JV_STRING, set->v[i], strlen(set->v[i]));
    jv_t v = jv_build_end(b);
    jv_builder_free(b);
    return v;
}

/* Values at a path of an object, as strings. */
typedef struct collect {
    const jv_store *s;
    strset *out;
} collect;

static void collect_visit(jv_t value, const char *concrete, void *ctx) {
    collect *c = ctx;
    const char *t = jv_str(c->s, value, NULL);
    if (t && *t && jv_kind(c->s, value) == JV_STRING) set_add(c->out, t);
}

static void strings_at(const jv_store *s, jv_t obj, const char *path, strset *out) {
    lz_err e;
    jpath *p = jpath_compile(path, &e);
    collect c = {s, out};
    jpath_walk(s, obj, p, collect_visit, &c);
    jpath_free(p);
}

/* "/subscriptions/s/.../virtualNetworks/hub/subnets/x" -> is the VNet part a hub? */
static bool subnet_in(const strset *vnets, const char *subnet_id) {
    const char *cut = strcasestr(subnet_id, "/subnets/");
    if (!cut) return false;
    char *vnet = lz_strndup(subnet_id, (size_t)(cut - subnet_id));
    bool in = set_has(vnets, vnet);
    free(vnet);
    return in;
}

static const jv_store *S(const topo *t) {
    return inv_cstore(t->v);
}
static jv_t OBJ(const topo *t, inv_idx i) {
    return inv_get(t->v, i)->obj;
}
static const char *ID(const topo *t, inv_idx i) {
    return inv_str(t->v, inv_get(t->v, i)->id);
}

static void find_hubs(topo *t, strset *hubs) {
    size_t n;
    const inv_idx *vnets = inv_by_type(t->v, "microsoft.network/virtualnetworks", &n);
    for (size_t i = 0; i < n; i++) {
        strset names = {0};
        strings_at(S(t), OBJ(t, vnets[i]), "properties.subnets[*].name", &names);
        if (set_has(&names, "AzureFirewallSubnet")) set_add(hubs, ID(t, vnets[i]));
        set_free(&names);
    }
    const inv_idx *vhubs = inv_by_type(t->v, "microsoft.network/virtualhubs", &n);
    for (size_t i = 0; i < n; i++) set_add(hubs, ID(t, vhubs[i]));
}

static void find_firewalls(topo *t, const strset *hubs, strset *ips, strset *dns) {
    size_t n;
    const inv_idx *fws = inv_by_type(t->v, "microsoft.network/azurefirewalls", &n);
    for (size_t i = 0; i < n; i++) {
        jv_t fw = OBJ(t, fws[i]);
        strset subnets = {0}, vhub = {0}, mine = {0};
        strings_at(S(t), fw, "properties.ipConfigurations[*].properties.subnet.id", &subnets);
        strings_at(S(t), fw, "properties.virtualHub.id", &vhub);
        bool in_hub = vhub.n && set_has(hubs, vhub.v[0]);
        for (size_t k = 0; k < subnets.n; k++) in_hub = in_hub || subnet_in(hubs, subnets.v[k]);
        if (in_hub) {
            strings_at(S(t), fw, "properties.ipConfigurations[*].properties.privateIPAddress", &mine);
            strings_at(S(t), fw, "properties.hubIPAddresses.privateIPAddress", &mine);
            /* DNS proxy on the firewall's policy makes its IPs the hub's DNS servers. */
            strset pol = {0};
            strings_at(S(t), fw, "properties.firewallPolicy.id", &pol);
            inv_idx p = pol.n ? inv_find(t->v, pol.v[0], strlen(pol.v[0])) : INV_NONE;
            jv_t proxy = JV_MISSING;
            if (p != INV_NONE) {
                lz_err e;
                jpath *jp = jpath_compile("properties.dnsSettings.enableProxy", &e);
                proxy = jpath_get(S(t), OBJ(t, p), jp);
                jpath_free(jp);
            }
            for (size_t k = 0; k < mine.n; k++) {
                set_add(ips, mine.v[k]);
                if (proxy != JV_MISSING && jv_kind(S(t), proxy) == JV_TRUE) set_add(dns, mine.v[k]);
            }
            set_free(&pol);
        }
        set_free(&subnets);
        set_free(&vhub);
        set_free(&mine);
    }
    /* DNS Private Resolver inbound endpoints in a hub VNet also serve the spokes. */
    const inv_idx *eps = inv_by_type(t->v, "microsoft.network/dnsresolvers/inboundendpoints", &n);
    for (size_t i = 0; i < n; i++) {
        strset subnets = {0};
        strings_at(S(t), OBJ(t, eps[i]), "properties.ipConfigurations[*].subnet.id", &subnets);
        if (subnets.n && subnet_in(hubs, subnets.v[0]))
            strings_at(S(t), OBJ(t, eps[i]), "properties.ipConfigurations[*].privateIpAddress", dns);
        set_free(&subnets);
    }
}

static void find_spokes(topo *t, const strset *hubs, strset *spokes) {
    size_t n;
    const inv_idx *vnets = inv_by_type(t->v, "microsoft.network/virtualnetworks", &n);
    for (size_t i = 0; i < n; i++) {
        const char *id = ID(t, vnets[i]);
        strset remotes = {0};
        strings_at(S(t), OBJ(t, vnets[i]),
                   "properties.virtualNetworkPeerings[*].properties.remoteVirtualNetwork.id", &remotes);
        for (size_t k = 0; k < remotes.n; k++) {
            if (set_has(hubs, id) && !set_has(hubs, remotes.v[k]))
                set_add(spokes, remotes.v[k]); /* a hub's peering names a spoke */
            else if (!set_has(hubs, id) && set_has(hubs, remotes.v[k]))
                set_add(spokes, id);
        }
        set_free(&remotes);
    }
    /* vWAN: hub virtual network connections name their spokes. */
    const inv_idx *conns =
        inv_by_type(t->v, "microsoft.network/virtualhubs/hubvirtualnetworkconnections", &n);
    for (size_t i = 0; i < n; i++)
        strings_at(S(t), OBJ(t, conns[i]), "properties.remoteVirtualNetwork.id", spokes);
}

static jv_atom sub_of_id(const topo *t, const char *id) {
    inv_idx i = inv_find(t->v, id, strlen(id));
    if (i != INV_NONE) return inv_get(t->v, i)->subscription;
    return 0;
}

static void subs_of(const topo *t, const strset *ids, strset *subs, u32map *marks) {
    for (size_t i = 0; i < ids->n; i++) {
        jv_atom a = sub_of_id(t, ids->v[i]);
        if (!a) continue;
        set_add(subs, inv_str(t->v, a));
        u32map_put(marks, a, 1);
    }
}

static void find_zones(topo *t, strset *zones) {
    size_t n;
    const inv_idx *z = inv_by_type(t->v, "microsoft.network/privatednszones", &n);
    for (size_t i = 0; i < n; i++)
        if (u32map_get(&t->conn, inv_get(t->v, z[i])->subscription, NULL)) set_add(zones, ID(t, z[i]));
}

/* tags.tenantId -> subscriptions, from resources and containers; or, with
 * by_subscription, the inverse: subscription -> tenantIds found in it. */
/* One key of a tenant map and its values, deduplicated by atom. */
typedef struct keyvals {
    jv_atom key;
    jv_atom *vals;
    size_t n, cap;
    u32map seen;
} keyvals;

/*
 * tags.tenantId -> subscriptions (or, by_subscription, the reverse), from
 * resources and containers. Keys and values are the inventory's interned
 * atoms, looked up in hash maps: a million objects over thousands of
 * subscriptions must not compare strings pairwise (the benchmark showed it).
 */
static jv_t tenant_map(topo *t, bool by_subscription) {
    keyvals *keys = NULL;
    size_t nkeys = 0, capkeys = 0;
    u32map slot_of = {0};
    const jv_store *is = S(t);
    for (inv_idx i = 0; i < inv_count(t->v); i++) {
        const inv_res *r = inv_get(t->v, i);
        jv_t tag = jv_get(is, jv_get(is, r->obj, "tags", 4), "tenantId", 8);
        jv_atom tenant = jv_kind(is, tag) == JV_STRING ? jv_str_atom(is, tag) : 0;
        if (!tenant || !r->subscription) continue;
        jv_atom key = by_subscription ? r->subscription : jv_atom_fold(is, tenant);
        jv_atom val = by_subscription ? tenant : r->subscription;
        uint32_t k;
        if (!u32map_get(&slot_of, key, &k)) {
            /* the first spelling of a tenant names it */
            LZ_PUSH(keys, nkeys, capkeys, ((keyvals){by_subscription ? key : tenant, NULL, 0, 0, {0}}));
            k = (uint32_t)(nkeys - 1);
            u32map_put(&slot_of, key, k);
        }
        keyvals *kv = &keys[k];
        jv_atom dedupe = by_subscription ? jv_atom_fold(is, val) : val;
        if (u32map_get(&kv->seen, dedupe, NULL)) continue;
        u32map_put(&kv->seen, dedupe, 1);
        LZ_PUSH(kv->vals, kv->n, kv->cap, val);
    }
    jv_builder *b = jv_builder_new(t->s);
    jv_build_begin(b, JV_OBJECT);
    for (size_t k = 0; k < nkeys; k++) {
        size_t len;
        const char *key = jv_atom_str(is, keys[k].key, &len);
        jv_build_key(b, key, len);
        jv_build_begin(b, JV_ARRAY);
        for (size_t j = 0; j < keys[k].n; j++) {
            const char *v = jv_atom_str(is, keys[k].vals[j], &len);
            jv_build_scalar(b, JV_STRING, v, len);
        }
        jv_build_end(b);
        free(keys[k].vals);
        u32map_free(&keys[k].seen);
    }
    jv_t v = jv_build_end(b);
    jv_builder_free(b);
    u32map_free(&slot_of);
    free(keys);
    return v;
}

/* The tenant maps span every subscription: objects that were not read (a
 * gap of all types) could hold another tenant's tag, so they are unknown
 * rather than computed over part of the tenant. */
static void tenant_map_coverage(topo *t) {
    const inv_gap *gaps;
    size_t n = inv_gaps(t->v, &gaps);
    for (size_t i = 0; i < n; i++) {
        if (gaps[i].type[0]) continue;
        free(t->why_owned);
        t->why_owned =
            lz_asprintf("the tenant map is incomplete: objects under %s were not read (coverage gap: %s)",
                        gaps[i].scope[0] ? gaps[i].scope : "the input", gaps[i].reason);
        t->fact[F_TENANTS] = t->fact[F_SUBTENANTS] = JV_MISSING;
        t->why[F_TENANTS] = t->why[F_SUBTENANTS] = t->why_owned;
        return;
    }
}

static void set_fact(topo *t, int f, const strset *set, const char *why_empty) {
    t->fact[f] = set->n || !why_empty ? make_array(t->s, set) : JV_MISSING;
    t->why[f] = set->n || !why_empty ? NULL : why_empty;
}

static int fact_index(const char *name) {
    for (int f = 0; fact_names[f]; f++)
        if (strcasecmp(fact_names[f], name) == 0) return f;
    return -1;
}

/* Every name under the profile's facts: must be a topology fact. */
static int check_profile_facts(const profile *prof, lz_err *e) {
    const jv_store *ps = profile_store(prof);
    jv_t facts = profile_facts(prof);
    for (size_t i = 0; i < jv_len(ps, facts); i++) {
        const char *name = jv_atom_str(ps, jv_key_atom(ps, facts, i), NULL);
        if (fact_index(name) >= 0) continue;
        const char *where = profile_where(prof, "facts", name);
        return lz_errf(e,
                       "%s: facts.%s is not a topology fact (known: hubVnetIds, hubFirewallPrivateIps, "
                       "connectivitySubscriptionIds, spokeVnetIds, spokeSubscriptionIds, hubDnsServers, "
                       "hubPrivateDnsZoneIds, tenantSubscriptions, subscriptionTenants)",
                       where ? where : "profile", name);
    }
    return 0;
}

/* The profile's value for fact f, or JV_MISSING. */
static jv_t profile_fact(const profile *prof, int f) {
    if (!prof) return JV_MISSING;
    return jv_get(profile_store(prof), profile_facts(prof), fact_names[f], strlen(fact_names[f]));
}

/* A profile list of ids (hubVnetIds, spokeVnetIds) replaces the inferred set. */
static bool ids_from_profile(const profile *prof, int f, strset *out) {
    jv_t val = profile_fact(prof, f);
    if (val == JV_MISSING) return false;
    const jv_store *ps = profile_store(prof);
    set_free(out);
    *out = (strset){0};
    for (size_t k = 0; k < jv_len(ps, val); k++) {
        const char *id = jv_str(ps, jv_at(ps, val, k), NULL);
        if (id) set_add(out, id);
    }
    return true;
}

/* Subscriptions named by fact f, as inventory atoms, into marks. */
static void mark_subs(topo *t, int f, u32map *marks) {
    const jv_store *fs = t->s;
    u32map_free(marks);
    for (size_t i = 0; i < jv_len(fs, t->fact[f]); i++) {
        size_t n;
        const char *sub = jv_str(fs, jv_at(fs, t->fact[f], i), &n);
        if (!sub) continue;
        jv_atom a = jv_lookup_fold(S(t), sub, n);
        if (a) u32map_put(marks, a, 1);
    }
}

static void mark_roles(topo *t, const strset *ids, enum topo_role role) {
    for (size_t i = 0; i < ids->n; i++) {
        inv_idx x = inv_find(t->v, ids->v[i], strlen(ids->v[i]));
        if (x != INV_NONE) u32map_put(&t->role, x, role);
    }
}

/* Infers every fact from the hub and spoke sets. */
static void infer_facts(topo *t, const strset *hubs, const strset *spokes) {
    strset ips = {0}, dns = {0}, conn = {0}, spokesubs = {0}, zones = {0};
    u32map scratch = {0};
    find_firewalls(t, hubs, &ips, &dns);
    subs_of(t, hubs, &conn, &t->conn);
    subs_of(t, spokes, &spokesubs, &scratch);
    find_zones(t, &zones);
    const char *nohub =
        "no hub VNet in the input (a VNet with an AzureFirewallSubnet, or a vWAN hub); set it "
        "in the profile's facts";
    const char *if_no_hub = hubs->n ? NULL : nohub; /* empty lists are facts too, once a hub is known */
    set_fact(t, F_HUBS, hubs, nohub);
    set_fact(
        t, F_FWIPS, &ips,
        "no Azure Firewall private IP found in a hub VNet; set facts.hubFirewallPrivateIps in the profile");
    set_fact(t, F_CONN, &conn, nohub);
    set_fact(t, F_SPOKES, spokes, if_no_hub);
    set_fact(t, F_SPOKESUBS, &spokesubs, if_no_hub);
    set_fact(
        t, F_DNS, &dns,
        "no DNS server in the hub (no firewall DNS proxy, no DNS Private Resolver inbound endpoint); set "
        "facts.hubDnsServers in the profile");
    set_fact(t, F_ZONES, &zones, if_no_hub);
    t->fact[F_TENANTS] = tenant_map(t, false);
    t->fact[F_SUBTENANTS] = tenant_map(t, true);
    tenant_map_coverage(t);
    u32map_free(&scratch);
    strset *all[] = {&ips, &dns, &conn, &spokesubs, &zones};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) set_free(all[i]);
}

/*
 * Order matters: a profile's hub list drives spoke and firewall inference,
 * so it is read first; then every profile fact replaces the inferred value,
 * and the role maps are built from the final hub, spoke and subscription
 * lists.
 */
int topo_infer(topo **out, const inv *v, const profile *prof, lz_err *e) {
    if (prof && check_profile_facts(prof, e) < 0) return -1;
    topo *t = lz_calloc(1, sizeof *t);
    t->v = v;
    t->s = jv_store_new();
    strset hubs = {0}, spokes = {0};
    if (!ids_from_profile(prof, F_HUBS, &hubs)) find_hubs(t, &hubs);
    if (!ids_from_profile(prof, F_SPOKES, &spokes)) find_spokes(t, &hubs, &spokes);
    infer_facts(t, &hubs, &spokes);
    for (int f = 0; f < F__COUNT; f++) {
        jv_t val = profile_fact(prof, f);
        if (val == JV_MISSING) continue;
        t->fact[f] = jv_copy(t->s, profile_store(prof), val);
        t->why[f] = NULL;
    }
    mark_subs(t, F_CONN, &t->conn);
    mark_subs(t, F_SPOKESUBS, &t->spokesub);
    mark_roles(t, &hubs, TOPO_HUB);
    mark_roles(t, &spokes, TOPO_SPOKE);
    set_free(&hubs);
    set_free(&spokes);
    *out = t;
    return 0;
}

void topo_free(topo *t) {
    if (!t) return;
    jv_store_free(t->s);
    u32map_free(&t->role);
    u32map_free(&t->conn);
    u32map_free(&t->spokesub);
    free(t->why_owned);
    free(t);
}

enum topo_role topo_vnet_role(const topo *t, inv_idx vnet) {
    uint32_t r;
    return u32map_get(&t->role, vnet, &r) ? (enum topo_role)r : TOPO_NONE;
}

bool topo_is_connectivity(const topo *t, jv_atom subscription_fold) {
    return subscription_fold && u32map_get(&t->conn, subscription_fold, NULL);
}

bool topo_is_spoke_subscription(const topo *t, jv_atom subscription_fold) {
    return subscription_fold && u32map_get(&t->spokesub, subscription_fold, NULL);
}

int topo_fact(const topo *t, const char *name, jv_t *value, const char **reason) {
    for (int f = 0; fact_names[f]; f++) {
        if (strcasecmp(fact_names[f], name) != 0) continue;
        *value = t->fact[f];
        if (reason) *reason = t->why[f];
        return 0;
    }
    return -1;
}

const jv_store *topo_store(const topo *t) {
    return t->s;
}
const char *const *topo_fact_names(void) {
    return fact_names;
}
