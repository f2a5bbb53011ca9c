/*
 * test_engine.c - the engine and report over the built-in pack: a passing
 * and a failing case for each built-in rule, "*" selection, profile
 * parameter overrides, report sorting, totals and the severity gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/engine.h"
#include "scanner/ingest.h"

typedef struct run {
    rule_pack *p;
    inv *v;
    topo *t;
    profile *prof;
    report r;
} run;

static void run_json(run *x, const char *json, const char *profile_yaml) {
    lz_err e = {{0}};
    if (rule_pack_builtin(&x->p, &e) != 0) fail_msg("%s", e.msg);
    x->prof = NULL;
    if (profile_yaml) {
        char tmpl[] = "/tmp/lzengine-XXXXXX";
        int fd = mkstemp(tmpl);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, profile_yaml, strlen(profile_yaml)), (ssize_t)strlen(profile_yaml));
        close(fd);
        if (profile_load(&x->prof, tmpl, &e) != 0) fail_msg("%s", e.msg);
        unlink(tmpl);
    }
    x->v = inv_new();
    if (ingest_buffer(x->v, "in.json", json, strlen(json), &e) != 0) fail_msg("%s", e.msg);
    inv_finalize(x->v);
    if (topo_infer(&x->t, x->v, x->prof, &e) != 0) fail_msg("%s", e.msg);
    report_init(&x->r, x->p, x->v);
    if (engine_run(x->p, x->v, x->t, x->prof, &x->r, &e) != 0) fail_msg("%s", e.msg);
}

static void run_free(run *x) {
    report_free(&x->r);
    topo_free(x->t);
    inv_free(x->v);
    profile_free(x->prof);
    rule_pack_free(x->p);
}

static size_t rule_index(const run *x, const char *id) {
    for (size_t i = 0; i < x->p->n; i++)
        if (strcmp(x->p->rules[i]->id, id) == 0) return i;
    fail_msg("no rule %s", id);
    return 0;
}

static size_t count(const run *x, const char *id, enum result_status st) {
    return x->r.counts[rule_index(x, id)].by_status[st];
}

static const finding *find(const run *x, const char *id, const char *subject_suffix) {
    size_t n = strlen(subject_suffix);
    for (size_t i = 0; i < x->r.nfindings; i++) {
        const finding *f = &x->r.findings[i];
        size_t l = strlen(f->subject_id);
        if (strcmp(f->rule->id, id) == 0 && l >= n && strcmp(f->subject_id + l - n, subject_suffix) == 0)
            return f;
    }
    return NULL;
}

#define SUB     "/subscriptions/11111111-1111-1111-1111-111111111111"
#define RG      SUB "/resourceGroups/rg-ai"
#define HUBSUB  "/subscriptions/22222222-2222-2222-2222-222222222222"
#define HUBVNET HUBSUB "/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
#define SPOKE   RG "/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
#define TAGS                                                                                                 \
    "\"tags\":{\"tenantId\":\"t1\",\"costCenter\":\"42\",\"application\":\"chat\",\"environment\":\"prod\"," \
    "\"owner\":\"me\"}"

/* ---- AIHUB-NET-001 ---- */

static void test_net001(void **state) {
    (void)state;
    run x = {0};
    run_json(&x,
             "[{\"id\":\"" RG "/providers/Microsoft.CognitiveServices/accounts/"
             "ok\",\"type\":\"microsoft.cognitiveservices/accounts\","
             "\"kind\":\"OpenAI\",\"properties\":{\"publicNetworkAccess\":\"Disabled\"}},"
             "{\"id\":\"" RG "/providers/Microsoft.CognitiveServices/accounts/"
             "acl\",\"type\":\"Microsoft.CognitiveServices/accounts\","
             "\"kind\":\"AIServices\",\"properties\":{\"publicNetworkAccess\":\"Enabled\",\"networkAcls\":{"
             "\"defaultAction\":\"Deny\"}}}]",
             NULL);
    assert_int_equal(count(&x, "AIHUB-NET-001", RS_PASS), 1);
    assert_int_equal(count(&x, "AIHUB-NET-001", RS_FAIL), 1); /* stricter than 037eea7a */
    const finding *f = find(&x, "AIHUB-NET-001", "/accounts/acl");
    assert_non_null(f);
    assert_string_equal(f->message, "properties.publicNetworkAccess is \"Enabled\", expected \"Disabled\"");
    run_free(&x);
}

/* ---- AIHUB-NET-009 ---- */

static void test_net009(void **state) {
    (void)state;
    run x = {0};
    run_json(
        &x,
        "[{\"id\":\"" RG
        "/providers/Microsoft.Search/searchServices/embedded\",\"type\":\"Microsoft.Search/searchServices\","
        "\"properties\":{\"privateEndpointConnections\":[{\"properties\":{"
        "\"privateLinkServiceConnectionState\":{\"status\":\"Approved\"}}}]}},"
        "{\"id\":\"" RG "/providers/Microsoft.KeyVault/vaults/via-pe\",\"type\":\"Microsoft.KeyVault/"
        "vaults\",\"properties\":{}},"
        "{\"id\":\"" RG "/providers/Microsoft.Storage/storageAccounts/pending\",\"type\":\"Microsoft.Storage/"
        "storageAccounts\","
        "\"properties\":{\"privateEndpointConnections\":[{\"properties\":{"
        "\"privateLinkServiceConnectionState\":{\"status\":\"Pending\"}}}]}},"
        "{\"id\":\"" RG "/providers/Microsoft.Network/privateEndpoints/pe-kv\",\"type\":\"Microsoft.Network/"
        "privateEndpoints\","
        "\"properties\":{\"privateLinkServiceConnections\":[{\"properties\":{\"privateLinkServiceId\":\"" RG
        "/providers/Microsoft.KeyVault/vaults/"
        "via-pe\",\"groupIds\":[\"vault\"],\"privateLinkServiceConnectionState\":{\"status\":\"Approved\"}}}]"
        "}}]",
        NULL);
    assert_int_equal(count(&x, "AIHUB-NET-009", RS_PASS), 2);
    assert_int_equal(count(&x, "AIHUB-NET-009", RS_FAIL), 1);
    const finding *f = find(&x, "AIHUB-NET-009", "/storageAccounts/pending");
    assert_non_null(f);
    /* the three branches of the anyOf (embedded list, automatic and manual connections of private
     * endpoints), and why its one connection did not count */
    assert_int_equal(f->nevidence, 4);
    run_free(&x);
}

/* ---- AIHUB-RT-002 ---- */

static const char *rt002_input(const char *bgp, const char *nexthop) {
    static char buf[8192];
    snprintf(
        buf, sizeof buf,
        "[{\"id\":\"" HUBVNET
        "\",\"type\":\"Microsoft.Network/virtualNetworks\",\"properties\":{\"subnets\":["
        "{\"name\":\"AzureFirewallSubnet\",\"id\":\"" HUBVNET
        "/subnets/AzureFirewallSubnet\",\"properties\":{}}],"
        "\"virtualNetworkPeerings\":[{\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"" SPOKE "\"}}}]}},"
        "{\"id\":\"" HUBSUB "/resourceGroups/rg-hub/providers/Microsoft.Network/azureFirewalls/fw\","
        "\"type\":\"Microsoft.Network/azureFirewalls\",\"properties\":{\"ipConfigurations\":[{\"properties\":"
        "{\"privateIPAddress\":\"10.0.1.4\",\"subnet\":{\"id\":\"" HUBVNET
        "/subnets/AzureFirewallSubnet\"}}}]}},"
        "{\"id\":\"" SPOKE "\",\"type\":\"Microsoft.Network/virtualNetworks\",\"properties\":{\"subnets\":["
        "{\"name\":\"snet-app\",\"properties\":{\"routeTable\":{\"id\":\"" RG
        "/providers/Microsoft.Network/routeTables/rt\"}}},"
        "{\"name\":\"AzureBastionSubnet\",\"properties\":{}}],"
        "\"virtualNetworkPeerings\":[{\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"" HUBVNET "\"}}}]}},"
        "{\"id\":\"" RG
        "/providers/Microsoft.Network/routeTables/rt\",\"type\":\"Microsoft.Network/routeTables\","
        "\"properties\":{\"disableBgpRoutePropagation\":%s,\"routes\":[{\"name\":\"default\",\"properties\":"
        "{\"addressPrefix\":\"0.0.0.0/"
        "0\",\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"%s\"}}]}}]",
        bgp, nexthop);
    return buf;
}

#define RT RG "/providers/Microsoft.Network/routeTables/rt"

static void test_rt002(void **state) {
    (void)state;
    run x = {0};
    run_json(&x, rt002_input("true", "10.0.1.4"), NULL);
    assert_int_equal(count(&x, "AIHUB-RT-002", RS_PASS), 1); /* the route table snet-app uses */
    /* the hub VNet; the spoke's subnets, judged through their route table (snet-app) or exempt */
    assert_int_equal(count(&x, "AIHUB-RT-002", RS_NOT_APPLICABLE), 3);
    assert_int_equal(count(&x, "AIHUB-RT-002", RS_FAIL), 0);
    run_free(&x);

    run_json(&x, rt002_input("false", "10.9.9.9"), NULL);
    const finding *f = find(&x, "AIHUB-RT-002", RT);
    assert_non_null(f);
    assert_int_equal(f->status, RS_FAIL);
    assert_int_equal(f->nevidence, 3); /* the count, why its route did not qualify, the BGP flag */
    assert_string_equal(f->evidence[0].path, "properties.routes[*]");
    assert_string_equal(f->evidence[0].expected, "count >= 1");
    assert_string_equal(f->evidence[1].path, "properties.routes[0].properties.nextHopIpAddress");
    assert_string_equal(f->evidence[2].path, "properties.disableBgpRoutePropagation");
    run_free(&x);

    /* The profile's hubFirewallPrivateIps replaces what topology found. */
    run_json(&x, rt002_input("true", "10.9.9.9"), "facts:\n  hubFirewallPrivateIps: [10.9.9.9]\n");
    assert_int_equal(count(&x, "AIHUB-RT-002", RS_PASS), 1);
    run_free(&x);
}

/* ---- AIHUB-LOG-001 ---- */

#define KV RG "/providers/Microsoft.KeyVault/vaults/kv"
#define LAW                                                                                                  \
    "/subscriptions/33/resourceGroups/rg-mgmt/providers/Microsoft.OperationalInsights/workspaces/"           \
    "law-central"

static const char *log_input(const char *logs, const char *ws) {
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "[{\"id\":\"" KV "\",\"type\":\"Microsoft.KeyVault/vaults\",\"properties\":{}},"
             "{\"id\":\"" KV "/providers/microsoft.insights/diagnosticSettings/"
             "ds\",\"type\":\"microsoft.insights/diagnosticsettings\","
             "\"properties\":{\"workspaceId\":\"%s\",\"logs\":%s,\"metrics\":[{\"category\":\"AllMetrics\","
             "\"enabled\":true}]}}]",
             ws, logs);
    return buf;
}

static void test_log001(void **state) {
    (void)state;
    run x = {0};
    run_json(&x, log_input("[{\"categoryGroup\":\"allLogs\",\"enabled\":true}]", LAW), NULL);
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_PASS), 1);
    run_free(&x);
    run_json(&x, log_input("[{\"categoryGroup\":\"Audit\",\"enabled\":true}]", LAW), NULL);
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_PASS), 1);
    run_free(&x);
    run_json(&x, log_input("[]", LAW), NULL); /* metrics only */
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_FAIL), 1);
    const finding *f = find(&x, "AIHUB-LOG-001", "/vaults/kv");
    assert_string_equal(f->message,
                        "children(microsoft.insights/diagnosticsettings) is 0 of 1, expected count >= 1");
    run_free(&x);
    run_json(&x, log_input("[{\"categoryGroup\":\"allLogs\",\"enabled\":false}]", LAW), NULL);
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_FAIL), 1);
    run_free(&x);
    /* centralWorkspaceId set: only that workspace counts (ids case-insensitively) */
    run_json(&x, log_input("[{\"categoryGroup\":\"allLogs\",\"enabled\":true}]", LAW),
             "parameters:\n  centralWorkspaceId: /subscriptions/99/resourcegroups/x/providers/"
             "microsoft.operationalinsights/workspaces/other\n");
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_FAIL), 1);
    run_free(&x);
    run_json(&x, log_input("[{\"categoryGroup\":\"allLogs\",\"enabled\":true}]", LAW),
             "parameters:\n  centralWorkspaceId: " LAW "\n");
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_PASS), 1);
    run_free(&x);
    /* diagnostic settings not collected at all: unknown */
    run_json(&x, "[{\"id\":\"" KV "\",\"type\":\"Microsoft.KeyVault/vaults\",\"properties\":{}}]", NULL);
    assert_int_equal(count(&x, "AIHUB-LOG-001", RS_UNKNOWN), 1);
    run_free(&x);
}

/* ---- AIHUB-GOV-001 ---- */

static void test_gov001(void **state) {
    (void)state;
    run x = {0};
    run_json(&x,
             "[{\"id\":\"" SUB "\",\"type\":\"microsoft.resources/subscriptions\"," TAGS "},"
             "{\"id\":\"" RG
             "\",\"type\":\"microsoft.resources/subscriptions/resourcegroups\",\"tags\":{\"Owner\":\"me\"}},"
             "{\"id\":\"" KV "\",\"type\":\"Microsoft.KeyVault/vaults\"," TAGS ",\"properties\":{}},"
             "{\"id\":\"" KV "/providers/microsoft.insights/diagnosticSettings/"
             "ds\",\"type\":\"microsoft.insights/diagnosticsettings\",\"properties\":{}},"
             "{\"id\":\"" SUB "/providers/Microsoft.Authorization/roleAssignments/"
             "ra\",\"type\":\"Microsoft.Authorization/roleAssignments\",\"properties\":{}},"
             "{\"id\":\"/providers/Microsoft.Management/managementGroups/"
             "mg\",\"type\":\"Microsoft.Management/managementGroups\"}]",
             NULL);
    assert_int_equal(count(&x, "AIHUB-GOV-001", RS_PASS), 2);           /* subscription, key vault */
    assert_int_equal(count(&x, "AIHUB-GOV-001", RS_FAIL), 1);           /* the resource group */
    assert_int_equal(count(&x, "AIHUB-GOV-001", RS_NOT_APPLICABLE), 1); /* the role assignment */
    const finding *f = find(&x, "AIHUB-GOV-001", "/resourceGroups/rg-ai");
    assert_non_null(f);
    assert_string_equal(f->evidence[0].expected,
                        "non-empty keys [\"tenantId\",\"costCenter\",\"application\",\"environment\"]");
    run_free(&x);
    run_json(&x,
             "[{\"id\":\"" RG
             "\",\"type\":\"microsoft.resources/subscriptions/resourcegroups\",\"tags\":{\"Owner\":\"me\"}}]",
             "parameters:\n  requiredTags: [owner]\n");
    assert_int_equal(count(&x, "AIHUB-GOV-001", RS_PASS), 1);
    run_free(&x);
}

/* ---- report ---- */

static void test_report_order_and_gate(void **state) {
    (void)state;
    run x = {0};
    run_json(&x,
             "[{\"id\":\"" RG "/providers/Microsoft.CognitiveServices/accounts/"
             "B\",\"type\":\"Microsoft.CognitiveServices/accounts\","
             "\"properties\":{\"publicNetworkAccess\":\"Enabled\"}},"
             "{\"id\":\"" RG "/providers/Microsoft.CognitiveServices/accounts/"
             "a\",\"type\":\"Microsoft.CognitiveServices/accounts\","
             "\"properties\":{\"publicNetworkAccess\":\"Enabled\"}}]",
             NULL);
    report_sort(&x.r);
    for (size_t i = 1; i < x.r.nfindings; i++) {
        const finding *a = &x.r.findings[i - 1], *b = &x.r.findings[i];
        assert_true(a->rule->severity >= b->rule->severity);
        if (a->rule->severity == b->rule->severity && strcmp(a->rule->id, b->rule->id) == 0)
            assert_true(strcasecmp(a->subject_id, b->subject_id) <= 0);
    }
    /* critical first, then by rule id: AIHUB-IAM-001 (no disableLocalAuth) before AIHUB-NET-001 */
    assert_string_equal(x.r.findings[0].rule->id, "AIHUB-IAM-001");
    assert_non_null(strstr(x.r.findings[0].subject_id, "/accounts/a"));
    assert_non_null(strstr(x.r.findings[1].subject_id, "/accounts/B"));
    assert_string_equal(x.r.findings[2].rule->id, "AIHUB-NET-001");
    assert_int_equal(report_failing_at_least(&x.r, SEV_CRITICAL), 4);
    assert_int_equal(report_failing_at_least(&x.r, SEV_LOW), report_total(&x.r, RS_FAIL));
    size_t all = 0;
    for (int s = 0; s < RS__COUNT; s++) all += report_total(&x.r, (enum result_status)s);
    assert_true(all >= 8); /* 2 accounts x NET-001, NET-009, LOG-001, GOV-001 */
    /* PEs and diagnostic settings not collected */
    assert_int_equal(report_total(&x.r, RS_UNKNOWN), 4);
    run_free(&x);
    assert_string_equal(result_status_name(RS_NOT_APPLICABLE), "notApplicable");
    assert_string_equal(result_status_name(RS_PASS), "pass");
    assert_string_equal(rule_severity_name(SEV_HIGH), "high");
    assert_int_equal(rule_severity_parse("Critical"), SEV_CRITICAL);
    assert_int_equal(rule_severity_parse("severe"), SEV_NONE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net001), cmocka_unit_test(test_net009),
        cmocka_unit_test(test_rt002),  cmocka_unit_test(test_log001),
        cmocka_unit_test(test_gov001), cmocka_unit_test(test_report_order_and_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
