/*
 * fuzz_scan.h - a small fixed landing zone scanned by the built-in (or a
 * fuzzed) pack, and every renderer's oracle, for the targets whose fuzzed
 * input is not the inventory itself (rules, exemptions, baselines).
 *
 * Renderers that other modules add (SARIF, JUnit, Markdown) are rendered
 * when their header exists, so the targets pick them up as they land.
 */
#ifndef FUZZ_SCAN_H
#define FUZZ_SCAN_H

#include "../../output/out_json.h"
#include "../../output/out_text.h"
#include "../../rules/engine.h"
#include "../../scanner/ingest.h"
#include "fuzz_util.h"

#if __has_include("../../output/out_run.h")
#include "../../output/out_run.h"
#define FUZZ_HAVE_RUN 1
#endif
#if defined(FUZZ_HAVE_RUN) && __has_include("../../output/out_sarif.h")
#include "../../output/out_sarif.h"
#define FUZZ_HAVE_SARIF 1
#endif
#if defined(FUZZ_HAVE_RUN) && __has_include("../../output/out_junit.h")
#include "../../output/out_junit.h"
#define FUZZ_HAVE_JUNIT 1
#endif
#if defined(FUZZ_HAVE_RUN) && __has_include("../../output/out_markdown.h")
#include "../../output/out_markdown.h"
#define FUZZ_HAVE_MARKDOWN 1
#endif

/* A hub VNet with a firewall and a peered spoke with a route table, an AI
 * account with a private endpoint and odd values, a storage account with a
 * diagnostic setting: data for every join (ref, related, children), each,
 * count and topology, and several findings of every status. */
__attribute__((unused)) static const char fuzz_inventory_json[] =
    "{\"data\":["
    "{\"id\":\"/subscriptions/s1\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"conn\","
    "\"tags\":{\"tenantId\":\"t1\"},\"properties\":{\"managementGroupAncestorsChain\":[{\"name\":\"mg1\"}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg\",\"type\":\"microsoft.resources/subscriptions/"
    "resourcegroups\",\"name\":\"rg\",\"tags\":{\"owner\":\"x\"}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub\","
    "\"type\":\"Microsoft.Network/virtualNetworks\",\"name\":\"hub\",\"properties\":{\"subnets\":["
    "{\"name\":\"AzureFirewallSubnet\",\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/"
    "Microsoft.Network/virtualNetworks/hub/subnets/AzureFirewallSubnet\"}],\"virtualNetworkPeerings\":["
    "{\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/"
    "Microsoft.Network/virtualNetworks/spoke\"}}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/fw\","
    "\"type\":\"Microsoft.Network/azureFirewalls\",\"properties\":{\"ipConfigurations\":[{\"properties\":"
    "{\"privateIPAddress\":\"10.0.1.4\",\"subnet\":{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/"
    "Microsoft.Network/virtualNetworks/hub/subnets/AzureFirewallSubnet\"}}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke\","
    "\"type\":\"Microsoft.Network/virtualNetworks\",\"name\":\"spoke\",\"tags\":{\"env\":\"p\"},"
    "\"properties\":{\"subnets\":[{\"name\":\"app\",\"properties\":{\"routeTable\":{\"id\":\"/subscriptions/"
    "s1/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt\"}}},{\"name\":\"pe\"}],"
    "\"virtualNetworkPeerings\":[{\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"/subscriptions/s1/"
    "resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub\"}}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt\","
    "\"type\":\"Microsoft.Network/routeTables\",\"properties\":{\"routes\":[{\"properties\":{"
    "\"addressPrefix\":\"0.0.0.0/"
    "0\",\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.4\"}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai\","
    "\"type\":\"Microsoft.CognitiveServices/accounts\",\"kind\":\"OpenAI\",\"tags\":{\"a\":\"\\u001b[2J\"},"
    "\"properties\":{\"publicNetworkAccess\":\"Enabled\",\"count\":90,\"big\":1e400,\"list\":[1,\"2\",null,"
    "true],"
    "\"privateEndpointConnections\":[{\"properties\":{\"privateLinkServiceConnectionState\":{\"status\":"
    "\"Approved\"}}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1\","
    "\"type\":\"Microsoft.Network/privateEndpoints\",\"properties\":{\"privateLinkServiceConnections\":[{"
    "\"properties\":{\"privateLinkServiceId\":\"/subscriptions/s1/resourceGroups/rg/providers/"
    "Microsoft.CognitiveServices/accounts/oai\"}}]}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st\","
    "\"type\":\"Microsoft.Storage/storageAccounts\",\"properties\":{\"minimumTlsVersion\":\"TLS1_0\"}},"
    "{\"id\":\"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/providers/"
    "microsoft.insights/diagnosticSettings/d\",\"type\":\"microsoft.insights/diagnosticSettings\","
    "\"properties\":{\"logs\":[{\"categoryGroup\":\"allLogs\",\"enabled\":true}],\"workspaceId\":\"w\"}}"
    "],\"count\":10,\"total_records\":10}";

/* A small pack whose results quote the data back: names, tags, whole
 * property objects, reasons naming ids. The ids are the built-in ones so
 * that exemption and baseline seeds refer to them. Titles carry escapes too
 * (rule text is trusted, but rendered with the same care). */
__attribute__((unused)) static const char fuzz_small_pack_yaml[] =
    "id: AIHUB-NET-001\ntitle: \"name \\e[2J check\"\nseverity: critical\ndescription: d\nremediation: r\n"
    "applies: {type: \"*\"}\ncheck: {field: name, equals: \"never\"}\n"
    "---\n"
    "id: AIHUB-GOV-001\ntitle: tags\nseverity: medium\ndescription: d\nremediation: \"fix \\u202e it\"\n"
    "applies: {type: \"*\"}\ncheck: {field: tags, hasKeys: [owner, costCenter]}\n"
    "---\n"
    "id: AIHUB-NET-009\ntitle: properties\nseverity: high\ndescription: d\nremediation: r\n"
    "applies: {type: \"*\"}\ncheck: {field: properties, equals: {a: 1}}\n"
    "---\n"
    "id: AIHUB-LOG-001\ntitle: children\nseverity: high\ndescription: d\nremediation: r\n"
    "applies: {type: \"*\"}\ncheck:\n  count: {children: microsoft.insights/diagnosticSettings}\n"
    "  greaterOrEquals: 1\n"
    "---\n"
    "id: AIHUB-RT-002\ntitle: ref\nseverity: low\ndescription: d\nremediation: r\n"
    "applies: {type: \"*\"}\neach: properties.subnets[*]\n"
    "check: {ref: properties.routeTable.id, field: name, exists: true}\n";

/* The small pack above (the caller frees it). */
static inline rule_pack *fuzz_small_pack(void) {
    rule_pack *p = rule_pack_new("fuzz", "0.0.0");
    lz_err e;
    if (rule_pack_add_buffer(p, "small.yaml", fuzz_small_pack_yaml, sizeof fuzz_small_pack_yaml - 1, &e) <
        0) {
        fprintf(stderr, "small pack: %s\n", e.msg);
        abort();
    }
    return p;
}

/* Renders r as JSON and text and checks both; with all_formats also SARIF,
 * JUnit and Markdown (which repeat every rule's metadata: with the 42-rule
 * built-in pack that costs more than the scan, so targets fuzzing the data
 * use a small pack for them, see fuzz_render). */
static inline void fuzz_render(const report *r, bool all_formats) {
    lz_buf b = {0};
    lz_err e;
    FUZZ_CHECK(out_json_report(r, &b, &e) == 0, "out_json_report failed", e.msg, strlen(e.msg));
    fuzz_check_json_output(b.data, b.len);
    lz_buf_reset(&b);
    out_text_report(r, &b, false);
    fuzz_check_text_output(b.data, b.len, false);
#ifdef FUZZ_HAVE_RUN
    out_run run;
    memset(&run, 0, sizeof run);
    run.fail_on = SEV_LOW;
    run.exit_code = run.gate_code = 1;
    run.sarif_unknown = true;
#endif
    if (!all_formats) {
        lz_buf_free(&b);
        return;
    }
#ifdef FUZZ_HAVE_SARIF
    lz_buf_reset(&b);
    FUZZ_CHECK(out_sarif_report(r, &run, &b, &e) == 0, "out_sarif_report failed", e.msg, strlen(e.msg));
    fuzz_check_json_output(b.data, b.len);
#endif
#ifdef FUZZ_HAVE_JUNIT
    lz_buf_reset(&b);
    FUZZ_CHECK(out_junit_report(r, &run, &b, &e) == 0, "out_junit_report failed", e.msg, strlen(e.msg));
    fuzz_check_text_output(b.data, b.len, true);
#endif
#ifdef FUZZ_HAVE_MARKDOWN
    lz_buf_reset(&b);
    FUZZ_CHECK(out_markdown_report(r, &run, &b, &e) == 0, "out_markdown_report failed", e.msg, strlen(e.msg));
    fuzz_check_text_output(b.data, b.len, true);
#endif
    lz_buf_free(&b);
}

/* Scans the fixed landing zone with p into *r (report_init'ed here); the
 * caller frees r with report_free, then *v with inv_free. Returns false if
 * the engine refused (the report is still initialised). */
static inline void fuzz_render_all(const report *r) {
    fuzz_render(r, true);
}

static inline bool fuzz_scan_fixed(const rule_pack *p, inv **v, report *r) {
    lz_err e;
    *v = inv_new();
    if (ingest_buffer(*v, "inventory.json", fuzz_inventory_json, sizeof fuzz_inventory_json - 1, &e) < 0) {
        fprintf(stderr, "fixed inventory: %s\n", e.msg);
        abort();
    }
    inv_finalize(*v);
    report_init(r, p, *v);
    profile *prof = profile_new();
    topo *t = NULL;
    bool ok = topo_infer(&t, *v, prof, &e) == 0 && engine_run(p, *v, t, prof, r, &e) == 0;
    if (ok) report_sort(r);
    topo_free(t);
    profile_free(prof);
    return ok;
}

#endif
