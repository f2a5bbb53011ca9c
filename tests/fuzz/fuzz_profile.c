/*
 * fuzz_profile - arbitrary YAML as a --profile file: loading, the check of
 * its parameters against the built-in pack, and topology inference with its
 * facts overriding what a small inventory says.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../rules/engine.h"
#include "../../scanner/ingest.h"
#include "fuzz_util.h"

static rule_pack *pack;

static const char inventory_json[] =
    "[{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub\","
    "\"type\":\"Microsoft.Network/virtualNetworks\",\"properties\":{\"subnets\":[{\"name\":"
    "\"AzureFirewallSubnet\"}]}},"
    "{\"id\":\"/subscriptions/s2/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke\","
    "\"type\":\"Microsoft.Network/virtualNetworks\",\"tags\":{\"tenantId\":\"t\"},\"properties\":{"
    "\"virtualNetworkPeerings\":[{\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"/subscriptions/s1/"
    "resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub\"}}}]}}]";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    lz_err e;
    if (rule_pack_builtin(&pack, &e) < 0) abort();
    return 0;
}

static void use_profile(const profile *prof) {
    lz_err e;
    if (engine_check_params(pack, prof, &e) < 0) return;
    inv *v = inv_new();
    if (ingest_buffer(v, "inventory.json", inventory_json, sizeof inventory_json - 1, &e) < 0) abort();
    inv_finalize(v);
    topo *t = NULL;
    if (topo_infer(&t, v, prof, &e) == 0) {
        report r;
        report_init(&r, pack, v);
        (void)engine_run(pack, v, t, prof, &r, &e);
        report_free(&r);
        for (const char *const *f = topo_fact_names(); *f; f++) {
            jv_t val;
            const char *why;
            FUZZ_CHECK(topo_fact(t, *f, &val, &why) == 0, "a listed fact is unknown to topo_fact", *f,
                       strlen(*f));
        }
    }
    topo_free(t);
    inv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    profile *prof = NULL;
    lz_err e;
    if (profile_load_buffer(&prof, "fuzz-profile.yaml", (const char *)data, size, &e) == 0) {
        /* Every key the profile holds must have a position for messages. */
        const jv_store *s = profile_store(prof);
        jv_t params = profile_parameters(prof);
        for (size_t i = 0; i < jv_len(s, params); i++) {
            const char *k = jv_atom_str(s, jv_key_atom(s, params, i), NULL);
            FUZZ_CHECK(profile_where(prof, "parameters", k) != NULL, "no position for a key", k, strlen(k));
        }
        use_profile(prof);
    }
    profile_free(prof);
    return 0;
}
