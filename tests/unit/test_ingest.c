/* Input shapes, malformed input, inventory indexes and linking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "scanner/ingest.h"
#include "scanner/inventory.h"

#define VNET                                                                                                 \
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/RG-Net/providers/Microsoft.Network/" \
    "virtualNetworks/vnet1"
#define KV                                                                                                   \
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-kv/providers/Microsoft.KeyVault/" \
    "vaults/kv1"

static inv *load(const char *text, int expect_rc, lz_err *e) {
    inv *v = inv_new();
    int rc = ingest_buffer(v, "t.json", text, strlen(text), e);
    assert_int_equal(rc, expect_rc);
    inv_finalize(v);
    return v;
}

static const char *type_of(const inv *v, inv_idx i) {
    return inv_str(v, inv_get(v, i)->type_fold);
}

static void test_bare_array(void **state) {
    lz_err e;
    inv *v = load("[{\"id\":\"" VNET "\",\"type\":\"Microsoft.Network/virtualNetworks\",\"name\":\"vnet1\"}]",
                  0, &e);
    assert_int_equal(inv_count(v), 1);
    assert_string_equal(type_of(v, 0), "microsoft.network/virtualnetworks");
    assert_string_equal(inv_str(v, inv_get(v, 0)->subscription), "11111111-1111-1111-1111-111111111111");
    assert_string_equal(inv_str(v, inv_get(v, 0)->resource_group), "rg-net");
    inv_free(v);
}

static void test_az_cli_shape(void **state) {
    lz_err e;
    inv *v =
        load("{\"count\":1,\"data\":[{\"id\":\"" VNET "\",\"type\":\"microsoft.network/virtualnetworks\"}],"
             "\"skip_token\":null,\"total_records\":1}",
             0, &e);
    assert_int_equal(inv_count(v), 1);
    const inv_gap *g;
    assert_int_equal(inv_gaps(v, &g), 0);
    inv_free(v);
}

static void test_rest_shape_and_arm_list(void **state) {
    lz_err e;
    inv *v = load("{\"totalRecords\":1,\"count\":1,\"resultTruncated\":\"false\",\"facets\":[],\"data\":["
                  "{\"id\":\"" VNET "\",\"type\":\"microsoft.network/virtualnetworks\"}]}\n"
                  "{\"value\":[{\"id\":\"" KV "\",\"type\":\"Microsoft.KeyVault/vaults\"}]}",
                  0, &e);
    assert_int_equal(inv_count(v), 2);
    size_t n;
    assert_non_null(inv_by_type(v, "MICROSOFT.KEYVAULT/VAULTS", &n));
    assert_int_equal(n, 1);
    inv_free(v);
}

static void test_ndjson(void **state) {
    lz_err e;
    inv *v = load("{\"id\":\"" VNET "\",\"type\":\"x/y\"}\n\n{\"id\":\"" KV "\",\"type\":\"x/z\"}\n", 0, &e);
    assert_int_equal(inv_count(v), 2);
    inv_free(v);
}

static void test_ids_case_insensitive_and_duplicates(void **state) {
    lz_err e;
    char *upper = strdup(VNET);
    lz_lower(upper, strlen(upper));
    inv *v = load("[{\"id\":\"" VNET "\",\"type\":\"a/b\",\"tags\":{\"v\":\"1\"}},"
                  "{\"id\":\"" VNET "\",\"type\":\"a/b\",\"tags\":{\"v\":\"2\"}}]",
                  0, &e);
    assert_int_equal(inv_count(v), 1); /* the later copy replaced the earlier */
    assert_int_not_equal(inv_find(v, upper, strlen(upper)), INV_NONE);
    const jv_store *s = inv_cstore(v);
    assert_string_equal(jv_get_str(s, jv_get(s, inv_get(v, 0)->obj, "TAGS", 4), "V"), "2");
    free(upper);
    inv_free(v);
}

static void test_children_linked_and_collected(void **state) {
    lz_err e;
    inv *v =
        load("[{\"id\":\"" KV "\",\"type\":\"microsoft.keyvault/vaults\"},"
             "{\"id\":\"" KV "/providers/microsoft.insights/diagnosticSettings/d1\","
             "\"type\":\"Microsoft.Insights/diagnosticSettings\"},"
             "{\"id\":\"/subscriptions/1/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/st\","
             "\"type\":\"microsoft.storage/storageaccounts\"},"
             "{\"id\":\"/subscriptions/1/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/st/"
             "blobServices/default/providers/microsoft.insights/diagnosticSettings/d2\","
             "\"type\":\"Microsoft.Insights/diagnosticSettings\"}]",
             0, &e);
    size_t n;
    const inv_idx *c = inv_children(v, 0, "microsoft.insights/diagnosticsettings", &n);
    assert_int_equal(n, 1);
    assert_int_equal(c[0], 1);
    /* the blob service was not exported: its setting belongs to the account */
    c = inv_children(v, 2, "Microsoft.Insights/diagnosticSettings", &n);
    assert_int_equal(n, 1);
    assert_int_equal(c[0], 3);
    assert_true(inv_collected(v, "microsoft.insights/diagnosticsettings"));
    assert_false(inv_collected(v, "microsoft.network/privateendpoints/privatednszonegroups"));
    inv_free(v);
}

static void test_containers_and_chain(void **state) {
    lz_err e;
    inv *v =
        load("{\"data\":[{\"id\":\"/subscriptions/AAAA\",\"type\":\"microsoft.resources/subscriptions\","
             "\"subscriptionId\":\"AAAA\",\"properties\":{\"managementGroupAncestorsChain\":"
             "[{\"name\":\"Spokes\"},{\"name\":\"root\"}]}},"
             "{\"id\":\"/subscriptions/AAAA/resourceGroups/rg1\","
             "\"type\":\"microsoft.resources/subscriptions/resourcegroups\"},"
             "{\"id\":\"/subscriptions/aaaa/resourceGroups/RG1/providers/A.B/c/d\",\"type\":\"a.b/c\"}]}",
             0, &e);
    assert_int_equal(inv_get(v, 0)->cls, INV_SUBSCRIPTION);
    assert_int_equal(inv_get(v, 1)->cls, INV_RESOURCE_GROUP);
    assert_int_equal(inv_get(v, 2)->container, 1);
    assert_int_equal(inv_get(v, 1)->container, 0);
    const jv_atom *chain;
    assert_int_equal(inv_mg_chain(v, inv_get(v, 0)->subscription, &chain), 2);
    assert_string_equal(inv_str(v, chain[0]), "spokes");
    inv_free(v);
}

static void test_partial_page_is_a_gap(void **state) {
    lz_err e;
    inv *v = load("{\"count\":1,\"data\":[{\"id\":\"" VNET "\",\"type\":\"a/b\"}],"
                  "\"skip_token\":\"ew0KICAiJGlkIjogIjEiLA0K\",\"total_records\":250}",
                  0, &e);
    const inv_gap *g;
    assert_int_equal(inv_gaps(v, &g), 1);
    assert_non_null(strstr(g[0].reason, "1 of its 250 rows"));
    inv_free(v);
}

static void test_pages_completing_each_other(void **state) {
    lz_err e;
    inv *v = inv_new();
    const char *p1 = "{\"totalRecords\":2,\"count\":1,\"$skipToken\":\"x\",\"data\":[{\"id\":\"" VNET
                     "\",\"type\":\"a/b\"}]}";
    const char *p2 = "{\"totalRecords\":2,\"count\":1,\"data\":[{\"id\":\"" KV "\",\"type\":\"a/b\"}]}";
    assert_int_equal(ingest_buffer(v, "p1.json", p1, strlen(p1), &e), 0);
    assert_int_equal(ingest_buffer(v, "p2.json", p2, strlen(p2), &e), 0);
    inv_finalize(v);
    const inv_gap *g;
    assert_int_equal(inv_gaps(v, &g), 0);
    inv_free(v);
}

static void expect_error(const char *text, const char *needle) {
    lz_err e = {{0}};
    inv *v = inv_new();
    assert_int_equal(ingest_buffer(v, "bad.json", text, strlen(text), &e), -1);
    if (!strstr(e.msg, needle)) fail_msg("error \"%s\" does not contain \"%s\"", e.msg, needle);
    inv_free(v);
}

static void test_malformed(void **state) {
    expect_error("[\n  {\"id\": \"" VNET "\", \"type\": \"a/b\"},\n  {\"id\": oops}\n]", "bad.json:3:");
    expect_error("[{\"id\":\"" VNET "\",\"type\":\"a/b\"}", "truncated");
    expect_error("[{\"type\":\"a/b\"}]", "bad.json:1:2: object has no \"id\"");
    expect_error("[{\"id\":\"not-an-arm-id\",\"type\":\"a/b\"}]", "not an ARM resource id");
    expect_error("[{\"id\":\"/subscriptions/1/resourceGroups/r/providers/A.B\"}]", "no \"type\"");
    expect_error("[1,2]", "not a JSON object");
    expect_error("42", "top level");
    expect_error("{\"hello\": 1}", "not an input shape");
    expect_error("{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}", "AuthorizationFailed");
    expect_error("{\"lzscan\":\"expected-findings\",\"findings\":[]}", "lzscan's own output");
}

static void test_empty_input(void **state) {
    lz_err e;
    inv *v = inv_new();
    assert_int_equal(ingest_buffer(v, "empty.ndjson", "", 0, &e), 0);
    assert_int_equal(ingest_buffer(v, "blank.ndjson", " \n\n", 3, &e), 0);
    inv_finalize(v);
    assert_int_equal(inv_count(v), 0);
    char *const *notes;
    assert_int_equal(inv_notes(v, &notes), 2);
    inv_free(v);
}

static void test_depth_limit(void **state) {
    lz_buf b = {0};
    lz_buf_puts(&b, "[{\"id\":\"" VNET "\",\"type\":\"a/b\",\"x\":");
    for (int i = 0; i < 10000; i++) lz_buf_putc(&b, '[');
    for (int i = 0; i < 10000; i++) lz_buf_putc(&b, ']');
    lz_buf_puts(&b, "}]");
    lz_err e;
    inv *v = inv_new();
    assert_int_equal(ingest_buffer(v, "deep.json", b.data, b.len, &e), -1);
    assert_non_null(strstr(e.msg, "nested deeper"));
    inv_free(v);
    lz_buf_free(&b);
}

static void test_manifest(void **state) {
    lz_err e;
    inv *v =
        load("{\"lzscan\":\"snapshot-manifest\",\"collected\":[\"Microsoft.Insights/diagnosticSettings\"],"
             "\"gaps\":[{\"scope\":\"/subscriptions/X\",\"type\":\"\",\"reason\":\"403 on X\"}]}",
             0, &e);
    assert_true(inv_collected(v, "microsoft.insights/diagnosticsettings"));
    assert_non_null(inv_gap_for(v, "/subscriptions/x/resourcegroups/a", "a/b"));
    assert_null(inv_gap_for(v, "/subscriptions/y", "a/b"));
    inv_free(v);
}

static void test_referrers(void **state) {
    lz_err e;
    inv *v = load(
        "[{\"id\":\"" KV "\",\"type\":\"microsoft.keyvault/vaults\"},"
        "{\"id\":\"/subscriptions/1/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe\","
        "\"type\":\"microsoft.network/privateendpoints\",\"properties\":{\"privateLinkServiceConnections\":"
        "[{\"properties\":{\"privateLinkServiceId\":\"" KV "\"}}]}}]",
        0, &e);
    size_t n;
    const inv_idx *r =
        inv_referrers(v, "Microsoft.Network/privateEndpoints",
                      "properties.privateLinkServiceConnections[*].properties.privateLinkServiceId", 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(r[0], 1);
    inv_free(v);
}

/* ARM returns private DNS zone groups without `type`: it comes from the id. */
static void test_type_from_id(void **state) {
    lz_err e;
    inv *v =
        load("[{\"id\":\"/subscriptions/1/resourceGroups/r/providers/Microsoft.Network/privateEndpoints/pe/"
             "privateDnsZoneGroups/default\",\"name\":\"default\"},{\"id\":\"/subscriptions/1\"},"
             "{\"id\":\"/subscriptions/1/resourceGroups/rg\"}]",
             0, &e);
    assert_string_equal(type_of(v, 0), "microsoft.network/privateendpoints/privatednszonegroups");
    assert_int_equal(inv_get(v, 1)->cls, INV_SUBSCRIPTION);
    assert_int_equal(inv_get(v, 2)->cls, INV_RESOURCE_GROUP);
    inv_free(v);
}

/* az monitor diagnostic-settings list prints settings without `properties`. */
static void test_az_cli_flattened_objects(void **state) {
    lz_err e;
    inv *v = load("[{\"id\":\"" KV "/providers/microsoft.insights/diagnosticSettings/d\",\"name\":\"d\","
                  "\"type\":\"Microsoft.Insights/diagnosticSettings\",\"resourceGroup\":\"rg-kv\","
                  "\"workspaceId\":\"/w\",\"logs\":[{\"categoryGroup\":\"allLogs\",\"enabled\":true}]}]",
                  0, &e);
    const jv_store *s = inv_cstore(v);
    jv_t o = inv_get(v, 0)->obj;
    jv_t props = jv_get(s, o, "properties", 10);
    assert_string_equal(jv_get_str(s, props, "workspaceId"), "/w");
    assert_int_equal(jv_len(s, jv_get(s, props, "logs", 4)), 1);
    assert_string_equal(jv_get_str(s, o, "name"), "d"); /* the envelope stays on top */
    assert_int_equal(jv_get(s, o, "workspaceId", 11), JV_MISSING);
    inv_free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_array),
        cmocka_unit_test(test_az_cli_shape),
        cmocka_unit_test(test_rest_shape_and_arm_list),
        cmocka_unit_test(test_ndjson),
        cmocka_unit_test(test_ids_case_insensitive_and_duplicates),
        cmocka_unit_test(test_children_linked_and_collected),
        cmocka_unit_test(test_containers_and_chain),
        cmocka_unit_test(test_partial_page_is_a_gap),
        cmocka_unit_test(test_pages_completing_each_other),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_referrers),
        cmocka_unit_test(test_az_cli_flattened_objects),
        cmocka_unit_test(test_type_from_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
