/* jv store, value paths, ARM ids and topology inference. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "scanner/armid.h"
#include "scanner/ingest.h"
#include "scanner/jpath.h"
#include "scanner/topology.h"

static void test_jv_interning_and_folding(void **state) {
    jv_store *s = jv_store_new();
    jv_atom a = jv_intern(s, "Microsoft.Network", 17), b = jv_intern(s, "Microsoft.Network", 17);
    jv_atom c = jv_intern(s, "microsoft.network", 17);
    assert_int_equal(a, b);
    assert_int_not_equal(a, c);
    assert_int_equal(jv_atom_fold(s, a), c);
    assert_int_equal(jv_atom_fold(s, c), c);
    /* many atoms force rehashing; every one must still resolve */
    char buf[32];
    for (int i = 0; i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "Key%d", i);
        jv_intern(s, buf, (size_t)n);
    }
    for (int i = 0; i < 20000; i += 997) {
        int n = snprintf(buf, sizeof buf, "key%d", i);
        assert_int_not_equal(jv_lookup_atom(s, buf, (size_t)n), 0);
    }
    jv_store_free(s);
}

static jv_t parse(inv *v, const char *json) {
    lz_err e;
    assert_int_equal(ingest_buffer(v, "t.json", json, strlen(json), &e), 0);
    inv_finalize(v);
    return inv_get(v, 0)->obj;
}

typedef struct seen {
    char paths[8][96];
    int n;
} seen;

static void record(jv_t value, const char *concrete, void *ctx) {
    seen *s = ctx;
    if (s->n < 8) snprintf(s->paths[s->n++], sizeof s->paths[0], "%s", concrete);
}

static void test_jpath(void **state) {
    inv *v = inv_new();
    jv_t o = parse(v, "[{\"id\":\"/subscriptions/1/resourceGroups/r/providers/A.B/c/d\",\"type\":\"a.b/c\","
                      "\"tags\":{\"hidden-link:x.y\":\"1\"},\"Properties\":{\"Subnets\":[{\"name\":\"a\"},"
                      "{\"name\":\"b\",\"x\":[1,2]}]}}]");
    const jv_store *s = inv_cstore(v);
    lz_err e;
    jpath *p = jpath_compile("properties.subnets[*].name", &e);
    seen sn = {0};
    assert_int_equal(jpath_walk(s, o, p, record, &sn), 2);
    assert_string_equal(sn.paths[1], "Properties.Subnets[1].name"); /* the data's own spelling */
    jpath_free(p);
    p = jpath_compile("tags['hidden-link:x.y']", &e);
    assert_string_equal(jv_str(s, jpath_get(s, o, p), NULL), "1");
    jpath_free(p);
    p = jpath_compile("properties.subnets[1].x[1]", &e);
    assert_string_equal(jv_str(s, jpath_get(s, o, p), NULL), "2");
    jpath_free(p);
    assert_null(jpath_compile("properties..x", &e));
    assert_non_null(strstr(e.msg, "column"));
    assert_null(jpath_compile("a[x]", &e));
    assert_null(jpath_compile("a['x", &e));
    inv_free(v);
}

static void test_armid(void **state) {
    armid a;
    const char *sub =
        "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
    assert_int_equal(armid_parse(sub, strlen(sub), &a), 0);
    assert_int_equal(a.parent.len, strlen(sub) - strlen("/subnets/s"));
    assert_int_equal(a.resource_group.len, 2);
    const char *ext = "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/kv/providers/"
                      "microsoft.insights/diagnosticSettings/d";
    assert_int_equal(armid_parse(ext, strlen(ext), &a), 0);
    assert_int_equal(a.parent.len,
                     strlen("/subscriptions/S1/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/kv"));
    const char *ra =
        "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.Authorization/roleAssignments/g";
    assert_int_equal(armid_parse(ra, strlen(ra), &a), 0);
    assert_int_equal(a.parent.len, 0);
    const char *mg = "/providers/Microsoft.Management/managementGroups/contoso";
    assert_int_equal(armid_parse(mg, strlen(mg), &a), 0);
    assert_int_equal(a.management_group.len, 7);
    assert_int_equal(armid_parse("no-slash", 8, &a), -1);
    assert_int_equal(armid_parse("/a//b", 5, &a), -1);
}

#define HUB   "/subscriptions/c0/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
#define SPOKE "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
#define LONE  "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-lone"
#define FW    "/subscriptions/c0/resourceGroups/rg-hub/providers/Microsoft.Network/azureFirewalls/fw"
#define POL   "/subscriptions/c0/resourceGroups/rg-hub/providers/Microsoft.Network/firewallPolicies/pol"

static const char *lz =
    "[{\"id\":\"" HUB "\",\"type\":\"microsoft.network/virtualnetworks\",\"properties\":{\"subnets\":"
    "[{\"name\":\"AzureFirewallSubnet\"},{\"name\":\"GatewaySubnet\"}],\"virtualNetworkPeerings\":[{"
    "\"properties\":"
    "{\"remoteVirtualNetwork\":{\"id\":\"" SPOKE "\"}}}]}},"
    "{\"id\":\"" SPOKE "\",\"type\":\"microsoft.network/virtualnetworks\",\"tags\":{\"TenantId\":\"t-a\"},"
    "\"properties\":{\"subnets\":[{\"name\":\"snet-app\"}]}},"
    "{\"id\":\"" LONE "\",\"type\":\"microsoft.network/virtualnetworks\",\"properties\":{\"subnets\":[]}},"
    "{\"id\":\"" FW
    "\",\"type\":\"microsoft.network/azurefirewalls\",\"properties\":{\"firewallPolicy\":{\"id\":\"" POL
    "\"},\"ipConfigurations\":[{\"properties\":{\"privateIPAddress\":\"10.0.1.4\",\"subnet\":{\"id\":\"" HUB
    "/subnets/AzureFirewallSubnet\"}}}]}},"
    "{\"id\":\"" POL "\",\"type\":\"microsoft.network/firewallpolicies\",\"properties\":{\"dnsSettings\":"
    "{\"enableProxy\":true}}},"
    "{\"id\":\"/subscriptions/c0/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/"
    "privatelink.vaultcore.azure.net\",\"type\":\"microsoft.network/privatednszones\"}]";

static void expect_fact(const topo *t, const char *name, const char *first) {
    jv_t val;
    const char *why = NULL;
    assert_int_equal(topo_fact(t, name, &val, &why), 0);
    if (!first) {
        assert_int_equal(val, JV_MISSING);
        assert_non_null(why);
        return;
    }
    assert_int_not_equal(val, JV_MISSING);
    const char *got = jv_str(topo_store(t), jv_at(topo_store(t), val, 0), NULL);
    if (!got || strcasecmp(got, first) != 0)
        fail_msg("fact %s: got %s, want %s", name, got ? got : "(none)", first);
}

static void test_topology_inference(void **state) {
    inv *v = inv_new();
    parse(v, lz);
    topo *t;
    lz_err e;
    assert_int_equal(topo_infer(&t, v, NULL, &e), 0);
    assert_int_equal(topo_vnet_role(t, 0), TOPO_HUB);
    assert_int_equal(topo_vnet_role(t, 1), TOPO_SPOKE);
    assert_int_equal(topo_vnet_role(t, 2), TOPO_NONE);
    assert_true(topo_is_connectivity(t, inv_get(v, 0)->subscription));
    assert_true(topo_is_spoke_subscription(t, inv_get(v, 1)->subscription));
    expect_fact(t, "hubVnetIds", HUB);
    expect_fact(t, "hubFirewallPrivateIps", "10.0.1.4");
    expect_fact(t, "hubDnsServers", "10.0.1.4");
    expect_fact(t, "connectivitySubscriptionIds", "c0");
    expect_fact(t, "spokeVnetIds", SPOKE);
    expect_fact(t, "hubPrivateDnsZoneIds",
                "/subscriptions/c0/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/"
                "privatelink.vaultcore.azure.net");
    jv_t tenants;
    assert_int_equal(topo_fact(t, "tenantSubscriptions", &tenants, NULL), 0);
    assert_int_not_equal(jv_get(topo_store(t), tenants, "t-a", 3), JV_MISSING);
    assert_int_equal(topo_fact(t, "noSuchFact", &tenants, NULL), -1);
    topo_free(t);
    inv_free(v);
}

static void test_topology_without_hub_is_unknown(void **state) {
    inv *v = inv_new();
    parse(v, "[{\"id\":\"" LONE "\",\"type\":\"microsoft.network/virtualnetworks\"}]");
    topo *t;
    lz_err e;
    assert_int_equal(topo_infer(&t, v, NULL, &e), 0);
    expect_fact(t, "hubVnetIds", NULL);
    expect_fact(t, "hubFirewallPrivateIps", NULL);
    topo_free(t);
    inv_free(v);
}

static void test_profile_overrides_facts(void **state) {
    char path[] = "/tmp/lzscan-profile-XXXXXX";
    int fd = mkstemp(path);
    const char *yaml = "facts:\n  hubFirewallPrivateIps: [10.9.9.9]\n  hubVnetIds: [\"" LONE "\"]\n";
    assert_true(write(fd, yaml, strlen(yaml)) > 0);
    close(fd);
    profile *p;
    lz_err e;
    if (profile_load(&p, path, &e) < 0) fail_msg("%s", e.msg);
    inv *v = inv_new();
    parse(v, lz);
    topo *t;
    assert_int_equal(topo_infer(&t, v, p, &e), 0);
    expect_fact(t, "hubFirewallPrivateIps", "10.9.9.9");
    assert_int_equal(topo_vnet_role(t, 2), TOPO_HUB);
    assert_int_equal(topo_vnet_role(t, 0), TOPO_NONE);
    topo_free(t);
    profile_free(p);
    /* an unknown fact name is an error naming the profile */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(write(fd, "facts:\n  hubFirewallIps: [1]\n", 29) > 0);
    close(fd);
    assert_int_equal(profile_load(&p, path, &e), 0);
    assert_int_equal(topo_infer(&t, v, p, &e), -1);
    assert_non_null(strstr(e.msg, "hubFirewallIps"));
    profile_free(p);
    inv_free(v);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jv_interning_and_folding),
        cmocka_unit_test(test_jpath),
        cmocka_unit_test(test_armid),
        cmocka_unit_test(test_topology_inference),
        cmocka_unit_test(test_topology_without_hub_is_unknown),
        cmocka_unit_test(test_profile_overrides_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
