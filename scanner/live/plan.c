/*
 * plan.c - see plan.h.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/lz.h"

/* Child lists Resource Graph does not hold (or holds unreliably; see
 * azure-api-facts.md §3), with the api-version each was checked against. */
const live_child_def live_child_defs[] = {
    {"microsoft.insights/diagnosticsettings", NULL, "/providers/Microsoft.Insights/diagnosticSettings",
     "2021-05-01-preview"},
    {"microsoft.network/privateendpoints/privatednszonegroups", "microsoft.network/privateendpoints",
     "/privateDnsZoneGroups", "2024-05-01"},
    {"microsoft.network/privatednszones/virtualnetworklinks", "microsoft.network/privatednszones",
     "/virtualNetworkLinks", "2024-06-01"},
    {"microsoft.operationalinsights/workspaces/tables", "microsoft.operationalinsights/workspaces", "/tables",
     "2023-09-01"},
    {"microsoft.cognitiveservices/accounts/deployments", "microsoft.cognitiveservices/accounts",
     "/deployments", "2024-10-01"},
    {"microsoft.cognitiveservices/accounts/raipolicies", "microsoft.cognitiveservices/accounts",
     "/raiPolicies", "2024-10-01"},
    {"microsoft.apimanagement/service/apis", "microsoft.apimanagement/service", "/apis", "2024-05-01"},
    {"microsoft.apimanagement/service/backends", "microsoft.apimanagement/service", "/backends",
     "2024-05-01"},
    {"microsoft.apimanagement/service/namedvalues", "microsoft.apimanagement/service", "/namedValues",
     "2024-05-01"},
    {"microsoft.network/networkmanagers/connectivityconfigurations", "microsoft.network/networkmanagers",
     "/connectivityConfigurations", "2024-05-01"},
    {"microsoft.authorization/roleeligibilityscheduleinstances", "microsoft.resources/subscriptions",
     "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances", "2020-10-01"},
    {NULL, NULL, NULL, NULL},
};

/* What topology.c reads (keep in step with it): always collected, so that
 * facts such as hubFirewallPrivateIps are the same as offline. */
static const char *const topology_types[] = {
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualhubs",
    "microsoft.network/virtualhubs/hubvirtualnetworkconnections",
    "microsoft.network/azurefirewalls",
    "microsoft.network/firewallpolicies",
    "microsoft.network/dnsresolvers/inboundendpoints",
    "microsoft.network/privatednszones",
    NULL,
};

static const char *const table_names[PLAN_NTABLES] = {
    "resourcecontainers", "resources",       "authorizationresources",
    "securityresources",  "policyresources", "advisorresources",
};

void live_strv_add(live_strv *v, const char *s) {
    char *low = lz_strdup(s);
    lz_lower(low, strlen(low));
    if (live_strv_has(v, low)) {
        free(low);
        return;
    }
    LZ_PUSH(v->v, v->n, v->cap, low);
}

bool live_strv_has(const live_strv *v, const char *s) {
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0) return true;
    return false;
}

void live_strv_free(live_strv *v) {
    for (size_t i = 0; i < v->n; i++) free(v->v[i]);
    free(v->v);
    memset(v, 0, sizeof *v);
}

const live_child_def *live_child_def_find(const char *type) {
    for (const live_child_def *d = live_child_defs; d->type; d++)
        if (strcmp(d->type, type) == 0) return d;
    return NULL;
}

static bool starts(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int live_plan_table_of(const char *type) {
    if (strcmp(type, "microsoft.resources/subscriptions") == 0 ||
        strcmp(type, "microsoft.resources/subscriptions/resourcegroups") == 0 ||
        strcmp(type, "microsoft.resources/resourcegroups") == 0 ||
        strcmp(type, "microsoft.management/managementgroups") == 0)
        return PLAN_CONTAINERS;
    if (starts(type, "microsoft.authorization/policy") || starts(type, "microsoft.policyinsights/"))
        return PLAN_POLICY;
    if (starts(type, "microsoft.authorization/")) return PLAN_AUTHORIZATION;
    if (starts(type, "microsoft.security/")) return PLAN_SECURITY;
    if (starts(type, "microsoft.advisor/")) return PLAN_ADVISOR;
    return PLAN_RESOURCES;
}

static int table_named(const char *name) {
    for (int i = 0; i < PLAN_NTABLES; i++)
        if (strcmp(table_names[i], name) == 0) return i;
    return -1;
}

static void want_type(live_plan *p, const char *type) {
    if (strcmp(type, "*") == 0) {
        p->tables[PLAN_RESOURCES].wanted = p->tables[PLAN_RESOURCES].all = true;
        return;
    }
    plan_table *t = &p->tables[live_plan_table_of(type)];
    t->wanted = true;
    live_strv_add(&t->types, type);
}

static plan_child *child_for(live_plan *p, const live_child_def *d) {
    for (size_t i = 0; i < p->nchildren; i++)
        if (p->children[i].def == d) return &p->children[i];
    LZ_PUSH(p->children, p->nchildren, p->capchildren, ((plan_child){d, false, {0}}));
    return &p->children[p->nchildren - 1];
}

static void add_child(live_plan *p, const live_child_def *d, const rule *r) {
    plan_child *c = child_for(p, d);
    if (d->parent_type) {
        live_strv_add(&c->parent_types, d->parent_type);
        want_type(p, d->parent_type);
        return;
    }
    for (size_t i = 0; i < r->types.n; i++) {
        if (strcmp(r->types.v[i], "*") == 0)
            c->all_parents = true;
        else
            live_strv_add(&c->parent_types, r->types.v[i]);
        want_type(p, r->types.v[i]);
    }
}

static void add_need(live_plan *p, const rule *r, const char *need) {
    char *low = lz_strdup(need);
    lz_lower(low, strlen(low));
    int table = table_named(low);
    const live_child_def *d = live_child_def_find(low);
    if (table >= 0) {
        p->tables[table].wanted = p->tables[table].all = true;
    } else if (d) {
        add_child(p, d, r);
    } else {
        want_type(p, low);
    }
    /* Resource Graph indexes every top-level type, so none returned means
     * none exist. A nested type it may not index (unverified, facts §3) is
     * only "collected" if objects of it come back. */
    const char *slash = strchr(low, '/');
    if (table >= 0 || d || (slash && !strchr(slash + 1, '/'))) live_strv_add(&p->collected, low);
    free(low);
}

void live_plan_build(const rule_pack *pack, live_plan *p) {
    memset(p, 0, sizeof *p);
    for (int i = 0; i < PLAN_NTABLES; i++) p->tables[i].name = table_names[i];
    p->tables[PLAN_CONTAINERS].wanted = p->tables[PLAN_CONTAINERS].all = true;
    p->tables[PLAN_RESOURCES].wanted = true;
    for (const char *const *t = topology_types; *t; t++) want_type(p, *t);
    for (size_t i = 0; pack && i < pack->n; i++) {
        const rule *r = pack->rules[i];
        for (size_t k = 0; k < r->types.n; k++) {
            const live_child_def *d = live_child_def_find(r->types.v[k]);
            if (d)
                add_need(p, r, d->type); /* a rule about child objects: read them */
            else
                want_type(p, r->types.v[k]);
        }
        for (size_t k = 0; k < r->needs.n; k++) add_need(p, r, r->needs.v[k]);
    }
}

void live_plan_free(live_plan *p) {
    for (int i = 0; i < PLAN_NTABLES; i++) live_strv_free(&p->tables[i].types);
    for (size_t i = 0; i < p->nchildren; i++) live_strv_free(&p->children[i].parent_types);
    free(p->children);
    live_strv_free(&p->collected);
}

bool plan_child_wants(const plan_child *c, const char *type) {
    if (c->all_parents) return true;
    return live_strv_has(&c->parent_types, type);
}
