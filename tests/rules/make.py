#!/usr/bin/env python3
"""Writes the per-rule fixtures of the built-in pack: tests/rules/RULE/SCENARIO/.

    python3 tests/rules/make.py          # (re)write every scenario directory
    python3 tests/rules/make.py --check  # exit 1 if a checked-in file differs

Each scenario is a small landing zone (input.json: a bare array of ARM /
Resource Graph objects, optionally profile.yaml) and expected.json: the
cases, each a resource (or subnet, ...) with the status the rule must give
it and why, worked out from the rule's description and the catalog, never
from scanner output. "trap" names a known false-positive trap the case
sets. tests/e2e/rule_fixtures.sh scans each scenario with the whole pack and
compares this rule's findings and per-status counts.

Python 3 standard library only; deterministic output.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SUB_CONN = "00000000-0000-4000-8000-0000000000c1"  # connectivity: the hub
SUB_A = "00000000-0000-4000-8000-0000000000a1"  # workload spoke of tenant-a
SUB_B = "00000000-0000-4000-8000-0000000000b1"  # workload spoke of tenant-b
SUB_MGMT = "00000000-0000-4000-8000-0000000000d1"  # management (no VNet)
FW_IP = "10.0.1.4"
TAGS = {"tenantId": "tenant-a", "costCenter": "CC-1", "application": "app", "environment": "prod",
        "owner": "team@example.com"}
ROLE_OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
ROLE_CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ROLE_READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
ROLE_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
ROLE_OPENAI_CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
ROLE_CS_USER = "a97b65f3-24c7-4388-baec-2e87135dc908"
ZONES = ["privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com",
         "privatelink.services.ai.azure.com", "privatelink.search.windows.net", "privatelink.api.azureml.ms",
         "privatelink.notebooks.azure.net", "privatelink.blob.core.windows.net",
         "privatelink.file.core.windows.net", "privatelink.queue.core.windows.net",
         "privatelink.table.core.windows.net", "privatelink.dfs.core.windows.net",
         "privatelink.documents.azure.com", "privatelink.vaultcore.azure.net", "privatelink.azurecr.io"]

# ---------------------------------------------------------------------------
# Objects
# ---------------------------------------------------------------------------


def rid(sub, rg, arm_type, name):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, arm_type, name)


def res(arm_type, sub, rg, name, props, kind=None, sku=None, identity=None, tags=None, lower_type=True):
    """A Resource Graph row (lower-case type, as ARG returns it) or, with
    lower_type=False, an ARM object."""
    o = {"id": rid(sub, rg, arm_type, name), "name": name, "type": arm_type.lower() if lower_type else arm_type,
         "subscriptionId": sub, "resourceGroup": rg.lower(), "location": "swedencentral",
         "tags": dict(TAGS) if tags is None else tags, "properties": props}
    if kind is not None:
        o["kind"] = kind
    if sku is not None:
        o["sku"] = sku
    if identity is not None:
        o["identity"] = identity
    return o


def child(parent, arm_type, name, props):
    """An ARM child object (not in Resource Graph): ARM casing, no tags."""
    return {"id": "%s/%s/%s" % (parent["id"], arm_type.rsplit("/", 1)[1], name), "name": name, "type": arm_type,
            "properties": props}


def system_identity(seed):
    return {"type": "SystemAssigned", "principalId": "pid-" + seed, "tenantId": "entra"}


def subscription(sub, tags=None, chain=("lz", "root")):
    return {"id": "/subscriptions/" + sub, "name": "sub-" + sub[-3:], "type": "microsoft.resources/subscriptions",
            "subscriptionId": sub, "tags": dict(TAGS) if tags is None else tags,
            "properties": {"state": "Enabled", "managementGroupAncestorsChain": [{"name": n} for n in chain]}}


def role_assignment(scope, role, principal, ptype="ServicePrincipal", sub=None, name=None):
    name = name or "ra-%s-%s-%d" % (role[:8], principal[-6:], len(scope))
    sub = scope.split("/")[2] if sub is None else sub
    return {"id": "%s/providers/Microsoft.Authorization/roleAssignments/%s" % (scope, name), "name": name,
            "type": "microsoft.authorization/roleassignments", "subscriptionId": sub, "tags": None,
            "properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/%s" % role,
                           "principalId": principal, "principalType": ptype, "scope": scope}}


def subnet(vnet_id, name, prefix, rt=None, pe_policies="Disabled", extra=None):
    props = {"addressPrefix": prefix, "privateEndpointNetworkPolicies": pe_policies}
    if rt is not None:
        props["routeTable"] = {"id": rt}
    props.update(extra or {})
    return {"name": name, "id": "%s/subnets/%s" % (vnet_id, name), "properties": props}


def vnet(sub, rg, name, prefix, subnets, peers=(), dns=(FW_IP,)):
    vid = rid(sub, rg, "Microsoft.Network/virtualNetworks", name)
    props = {"addressSpace": {"addressPrefixes": [prefix]}, "dhcpOptions": {"dnsServers": list(dns)},
             "subnets": [subnet(vid, *s) if isinstance(s, tuple) else s for s in subnets],
             "virtualNetworkPeerings": [{"name": "peer-to-" + p.rsplit("/", 1)[1],
                                         "id": "%s/virtualNetworkPeerings/peer-to-%s" % (vid, p.rsplit("/", 1)[1]),
                                         "properties": {"peeringState": "Connected",
                                                        "remoteVirtualNetwork": {"id": p}}} for p in peers]}
    return res("Microsoft.Network/virtualNetworks", sub, rg, name, props)


def route_table(sub, rg, name, routes, bgp_off=True, subnets=()):
    rt = rid(sub, rg, "Microsoft.Network/routeTables", name)
    return res("Microsoft.Network/routeTables", sub, rg, name, {
        "disableBgpRoutePropagation": bgp_off,
        "routes": [{"name": "r%d" % i, "id": "%s/routes/r%d" % (rt, i),
                    "properties": dict({"addressPrefix": p, "nextHopType": h}, **({"nextHopIpAddress": ip} if ip else {}))}
                   for i, (p, h, ip) in enumerate(routes)],
        "subnets": [{"id": s} for s in subnets]})


HUB_VNET = rid(SUB_CONN, "rg-hub", "Microsoft.Network/virtualNetworks", "vnet-hub")
FW_POLICY = rid(SUB_CONN, "rg-hub", "Microsoft.Network/firewallPolicies", "afwp-hub")


def hub(spokes=()):
    """The hub: a VNet with AzureFirewallSubnet (and a GatewaySubnet without a
    route table), its Premium firewall at FW_IP, DNS proxy on, peered to the
    given spoke VNet ids."""
    v = vnet(SUB_CONN, "rg-hub", "vnet-hub", "10.0.0.0/16",
             [("AzureFirewallSubnet", "10.0.1.0/26"), ("GatewaySubnet", "10.0.2.0/27"),
              ("snet-shared", "10.0.3.0/24")], peers=spokes, dns=())
    fw = res("Microsoft.Network/azureFirewalls", SUB_CONN, "rg-hub", "afw-hub", {
        "sku": {"name": "AZFW_VNet", "tier": "Premium"}, "firewallPolicy": {"id": FW_POLICY},
        "ipConfigurations": [{"name": "ipc", "properties": {"privateIPAddress": FW_IP, "subnet": {
            "id": HUB_VNET + "/subnets/AzureFirewallSubnet"}}}]})
    pol = res("Microsoft.Network/firewallPolicies", SUB_CONN, "rg-hub", "afwp-hub", {
        "sku": {"tier": "Premium"}, "threatIntelMode": "Deny",
        "intrusionDetection": {"mode": "Deny", "configuration": {"signatureOverrides": []}},
        "dnsSettings": {"enableProxy": True}, "firewalls": [{"id": fw["id"]}], "childPolicies": []})
    return [v, fw, pol]


def spoke_rt(sub, rg="rg-net", name="rt-spoke", subnets=()):
    return route_table(sub, rg, name, [("0.0.0.0/0", "VirtualAppliance", FW_IP)], subnets=subnets)


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


class Scenario:
    def __init__(self, rule, name):
        self.rule, self.name = rule, name
        self.objects, self.cases, self.profile = [], [], None

    def add(self, *objs):
        for o in objs:
            if isinstance(o, list):
                self.objects.extend(o)
            else:
                self.objects.append(o)
        return objs[0] if len(objs) == 1 else objs

    def case(self, resource_id, status, why, trap=None):
        c = {"resourceId": resource_id, "status": status, "why": why}
        if trap:
            c["trap"] = trap
        self.cases.append(c)


SCENARIOS = []


def scenario(rule, name="default"):
    s = Scenario(rule, name)
    SCENARIOS.append(s)
    return s


def pe(sub, rg, name, target_id, group, subnet_id, status="Approved"):
    return res("Microsoft.Network/privateEndpoints", sub, rg, name, {
        "subnet": {"id": subnet_id},
        "privateLinkServiceConnections": [{"name": name, "properties": {
            "privateLinkServiceId": target_id, "groupIds": [group],
            "privateLinkServiceConnectionState": {"status": status}}}],
        "manualPrivateLinkServiceConnections": []})


def pec(pe_id, status="Approved"):
    """A privateEndpointConnections entry as the target resource lists it."""
    return {"id": pe_id + "-conn", "properties": {"privateEndpoint": {"id": pe_id},
                                                  "privateLinkServiceConnectionState": {"status": status}}}


def cs(sub, rg, name, kind="OpenAI", **props):
    p = {"publicNetworkAccess": "Disabled", "disableLocalAuth": True, "restrictOutboundNetworkAccess": True,
         "allowedFqdnList": ["st.blob.core.windows.net"],
         "encryption": {"keySource": "Microsoft.KeyVault",
                        "keyVaultProperties": {"keyName": "k", "keyVaultUri": "https://kv.vault.azure.net/"}},
         "networkAcls": {"defaultAction": "Deny"}}
    for k, v in props.items():
        if v is None:
            p.pop(k, None)
        else:
            p[k] = v
    return res("Microsoft.CognitiveServices/accounts", sub, rg, name, p, kind=kind, sku={"name": "S0"},
               identity=system_identity(name))


def simple(rule, arm_type, base, cases, kind=None, sku=None, identity=None, name="default"):
    """A scenario of one resource per case: cases = [(name, prop changes, status, why, trap)]."""
    s = scenario(rule, name)
    for n, changes, status, why, trap in cases:
        p = json.loads(json.dumps(base))
        for k, v in changes.items():
            if v is None:
                p.pop(k, None)
            else:
                p[k] = v
        o = s.add(res(arm_type, SUB_A, "rg-data", n, p, kind=kind, sku=sku, identity=identity))
        s.case(o["id"], status, why, trap)
    return s


# ---- network ----

def net_001():
    s = scenario("AIHUB-NET-001")
    ok = s.add(cs(SUB_A, "rg-ai", "oai-ok"))
    s.case(ok["id"], "pass", "publicNetworkAccess Disabled")
    low = s.add(cs(SUB_A, "rg-ai", "oai-lower", publicNetworkAccess="disabled"))
    s.case(low["id"], "pass", "lower-case disabled is Disabled", trap="lower-case disabled")
    withpe = s.add(cs(SUB_A, "rg-ai", "oai-with-pe"))
    p = s.add(pe(SUB_A, "rg-net", "pe-oai-with-pe", withpe["id"], "account",
                 rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a") + "/subnets/snet-pe"))
    withpe["properties"]["privateEndpointConnections"] = [pec(p["id"])]
    s.case(withpe["id"], "pass", "a private endpoint next to public access disabled is the target state",
           trap="private endpoint present with public access disabled")
    acl = s.add(cs(SUB_A, "rg-ai", "oai-acl-deny", publicNetworkAccess="Enabled"))
    s.case(acl["id"], "fail", "Enabled with networkAcls Deny is still public (built-in 037eea7a passes it)")
    miss = s.add(cs(SUB_A, "rg-ai", "ais-no-pna", kind="AIServices", publicNetworkAccess=None))
    s.case(miss["id"], "fail", "publicNetworkAccess absent means Enabled")


def net_002():
    base = {"publicNetworkAccess": "Disabled", "disableLocalAuth": True}
    s = simple("AIHUB-NET-002", "Microsoft.Search/searchServices", base, [
        ("srch-ok", {}, "pass", "Disabled", None),
        ("srch-lower", {"publicNetworkAccess": "disabled"}, "pass", "the Search provider returns lower case",
         "lower-case disabled on AI Search"),
        ("srch-public", {"publicNetworkAccess": "enabled"}, "fail", "public", None),
        ("srch-perimeter", {"publicNetworkAccess": "SecuredByPerimeter"}, "pass",
         "SecuredByPerimeter with a perimeter association", None),
        ("srch-perimeter-none", {"publicNetworkAccess": "SecuredByPerimeter"}, "fail",
         "SecuredByPerimeter but no association names it", None),
    ], sku={"name": "standard"})
    nsp = "/subscriptions/%s/resourceGroups/rg-nsp/providers/Microsoft.Network/networkSecurityPerimeters/nsp" % SUB_A
    s.add({"id": nsp + "/resourceAssociations/assoc-srch", "name": "assoc-srch",
           "type": "Microsoft.Network/networkSecurityPerimeters/resourceAssociations",
           "properties": {"privateLinkResource": {"id": rid(SUB_A, "rg-data", "Microsoft.Search/searchServices",
                                                            "srch-perimeter")},
                          "accessMode": "Enforced"}})
    s2 = scenario("AIHUB-NET-002", "perimeter-not-collected")
    o = s2.add(res("Microsoft.Search/searchServices", SUB_A, "rg-data", "srch-perimeter",
                   {"publicNetworkAccess": "SecuredByPerimeter"}))
    s2.case(o["id"], "unknown", "perimeter associations were not collected: never pass")
    o = s2.add(res("Microsoft.Search/searchServices", SUB_A, "rg-data", "srch-ok", {"publicNetworkAccess": "Disabled"}))
    s2.case(o["id"], "pass", "Disabled needs no perimeter data")


def net_003():
    base = {"publicNetworkAccess": "Disabled", "allowBlobPublicAccess": False, "allowSharedKeyAccess": False,
            "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}}
    s = simple("AIHUB-NET-003", "Microsoft.Storage/storageAccounts", base, [
        ("stok", {}, "pass", "private, no anonymous access", None),
        ("staclonly", {"publicNetworkAccess": "Enabled"}, "fail",
         "public with an ACL Deny and trusted-services bypass is still public", None),
        ("stanon", {"allowBlobPublicAccess": True}, "fail", "anonymous blob access allowed", None),
        ("stnoprop", {"allowBlobPublicAccess": None}, "fail", "allowBlobPublicAccess absent is not false", None),
    ], kind="StorageV2")
    st = s.objects[0]
    p = s.add(pe(SUB_A, "rg-net", "pe-stok-blob", st["id"], "blob",
                 rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a") + "/subnets/snet-pe"))
    st["properties"]["privateEndpointConnections"] = [pec(p["id"])]
    s.cases[0]["trap"] = "private endpoint present with public access disabled"


def net_004():
    simple("AIHUB-NET-004", "Microsoft.DocumentDB/databaseAccounts", {"publicNetworkAccess": "Disabled"}, [
        ("cosmos-ok", {}, "pass", "Disabled", None),
        ("cosmos-public", {"publicNetworkAccess": "Enabled"}, "fail", "Enabled", None),
        ("cosmos-noprop", {"publicNetworkAccess": None}, "fail", "absent is Enabled", None),
    ], kind="GlobalDocumentDB")


def net_005():
    simple("AIHUB-NET-005", "Microsoft.KeyVault/vaults", {
        "publicNetworkAccess": "Disabled", "networkAcls": {"defaultAction": "Deny", "bypass": "None"}}, [
        ("kv-ok", {}, "pass", "Disabled", None),
        ("kv-acl", {"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny",
                                                                     "bypass": "AzureServices"}},
         "fail", "Enabled with ACL Deny and bypass is public", None),
    ])


def net_006():
    s = scenario("AIHUB-NET-006")
    t = "Microsoft.MachineLearningServices/workspaces"

    def mlw(name, kind, **p):
        return s.add(res(t, SUB_A, "rg-ai", name, p, kind=kind))

    h = mlw("hub-ok", "Hub", publicNetworkAccess="Disabled", allowPublicAccessWhenBehindVnet=False)
    s.case(h["id"], "pass", "hub private")
    hp = mlw("hub-public", "Hub", publicNetworkAccess="Enabled")
    s.case(hp["id"], "fail", "hub public")
    d = mlw("ws-behind-vnet", "Default", publicNetworkAccess="Disabled", allowPublicAccessWhenBehindVnet=True)
    s.case(d["id"], "fail", "allowPublicAccessWhenBehindVnet re-opens it")
    p = mlw("proj-inherits", "Project", hubResourceId=h["id"])
    s.case(p["id"], "pass", "project without its own setting inherits the private hub")
    p2 = mlw("proj-of-public-hub", "Project", hubResourceId=hp["id"])
    s.case(p2["id"], "fail", "project inherits a public hub")
    fs = mlw("featurestore", "FeatureStore", publicNetworkAccess="Enabled")
    s.case(fs["id"], "notApplicable", "feature stores are out of scope")


def net_007():
    s = scenario("AIHUB-NET-007")
    t = "Microsoft.MachineLearningServices/workspaces"
    ok = s.add(res(t, SUB_A, "rg-ai", "hub-ok", {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}},
                   kind="Hub"))
    s.case(ok["id"], "pass", "approved outbound only")
    bad = s.add(res(t, SUB_A, "rg-ai", "hub-internet", {"managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
                    kind="Hub"))
    s.case(bad["id"], "fail", "internet outbound allowed")
    none = s.add(res(t, SUB_A, "rg-ai", "hub-no-managed-network", {}, kind="Hub"))
    s.case(none["id"], "fail", "no managed network isolation")
    s.add(res(t, SUB_A, "rg-ai", "project", {"hubResourceId": ok["id"]}, kind="Project"))  # not a hub: no result


def net_008():
    base = {"publicNetworkAccess": "Disabled", "adminUserEnabled": False, "anonymousPullEnabled": False}
    s = scenario("AIHUB-NET-008")
    for n, ch, sku, status, why, trap in [
        ("acrok", {}, "Premium", "pass", "private Premium registry, no admin, no anonymous pull", None),
        ("acrnoanon", {"anonymousPullEnabled": None}, "Premium", "pass",
         "anonymousPullEnabled defaults to false when an export omits it", None),
        ("acradmin", {"adminUserEnabled": True}, "Premium", "fail", "admin user enabled", None),
        ("acrstandard", {}, "Standard", "fail", "Standard SKU cannot have private endpoints", None),
        ("acrpublic", {"publicNetworkAccess": "Enabled"}, "Premium", "fail", "public", None),
    ]:
        p = dict(base)
        for k, v in ch.items():
            if v is None:
                p.pop(k)
            else:
                p[k] = v
        o = s.add(res("Microsoft.ContainerRegistry/registries", SUB_A, "rg-ai", n, p, sku={"name": sku, "tier": sku}))
        s.case(o["id"], status, why, trap)


def net_009():
    s = scenario("AIHUB-NET-009")
    sn = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a") + "/subnets/snet-pe"
    a = s.add(cs(SUB_A, "rg-ai", "oai-embedded"))
    pa = s.add(pe(SUB_A, "rg-net", "pe-embedded", a["id"], "account", sn))
    a["properties"]["privateEndpointConnections"] = [pec(pa["id"])]
    s.case(a["id"], "pass", "approved connection on the account")
    b = s.add(cs(SUB_A, "rg-ai", "oai-related-only"))
    s.add(pe(SUB_A, "rg-net", "pe-related", b["id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/"), "account", sn))
    s.case(b["id"], "pass", "no embedded list; the approved PE names it (in other casing)",
           trap="private endpoint found only from its own side")
    c = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-ai", "kv-pending", {"publicNetworkAccess": "Disabled"}))
    pc = s.add(pe(SUB_A, "rg-net", "pe-pending", c["id"], "vault", sn, status="Pending"))
    c["properties"]["privateEndpointConnections"] = [pec(pc["id"], "Pending")]
    s.case(c["id"], "fail", "only a Pending connection")
    d = s.add(res("Microsoft.Storage/storageAccounts", SUB_A, "rg-ai", "stnope", {"publicNetworkAccess": "Disabled",
                                                                                  "privateEndpointConnections": []}))
    s.case(d["id"], "fail", "no private endpoint at all")
    # a manually approved connection lives in manualPrivateLinkServiceConnections
    m = s.add(res("Microsoft.DocumentDB/databaseAccounts", SUB_A, "rg-ai", "cosmos-manual", {}))
    pm = s.add(pe(SUB_A, "rg-net", "pe-manual", m["id"], "Sql", sn))
    pm["properties"]["manualPrivateLinkServiceConnections"] = pm["properties"].pop("privateLinkServiceConnections")
    pm["properties"]["privateLinkServiceConnections"] = []
    s.case(m["id"], "pass", "approved by hand: the connection is in manualPrivateLinkServiceConnections")
    mp = s.add(res("Microsoft.DocumentDB/databaseAccounts", SUB_A, "rg-ai", "cosmos-manual-pending", {}))
    pmp = s.add(pe(SUB_A, "rg-net", "pe-manual-pending", mp["id"], "Sql", sn, status="Pending"))
    pmp["properties"]["manualPrivateLinkServiceConnections"] = pmp["properties"].pop("privateLinkServiceConnections")
    pmp["properties"]["privateLinkServiceConnections"] = []
    s.case(mp["id"], "fail", "a manual connection still waiting for approval")
    # a Foundry hub, its projects and its storage
    t = "Microsoft.MachineLearningServices/workspaces"
    hst = s.add(res("Microsoft.Storage/storageAccounts", SUB_A, "rg-ai", "sthub", {}))
    for g in ("blob", "file", "queue", "table", "dfs"):
        s.add(pe(SUB_A, "rg-net", "pe-sthub-" + g, hst["id"], g, sn))
    s.case(hst["id"], "pass", "a hub's storage with an approved endpoint for blob, file, queue, table and dfs")
    hst2 = s.add(res("Microsoft.Storage/storageAccounts", SUB_A, "rg-ai", "sthub2", {}))
    for g in ("blob", "file"):
        s.add(pe(SUB_A, "rg-net", "pe-sthub2-" + g, hst2["id"], g, sn))
    s.case(hst2["id"], "fail", "a hub's storage with endpoints for blob and file only")
    hub = s.add(res(t, SUB_A, "rg-ai", "hub", {"storageAccount": hst["id"]}, kind="Hub"))
    s.add(pe(SUB_A, "rg-net", "pe-hub", hub["id"], "amlworkspace", sn))
    s.case(hub["id"], "pass", "approved amlworkspace endpoint")
    hub2 = s.add(res(t, SUB_A, "rg-ai", "hub2", {"storageAccount": hst2["id"]}, kind="Hub"))
    s.case(hub2["id"], "fail", "a hub without private endpoint")
    proj = s.add(res(t, SUB_A, "rg-ai", "proj", {"hubResourceId": hub["id"]}, kind="Project"))
    s.case(proj["id"], "pass", "a project has no endpoint of its own: its hub's counts",
           trap="Foundry project without its own private endpoint")
    proj2 = s.add(res(t, SUB_A, "rg-ai", "proj2", {"hubResourceId": hub2["id"]}, kind="Project"))
    s.case(proj2["id"], "fail", "its hub has no private endpoint")


def net_010():
    s = scenario("AIHUB-NET-010")
    ok = s.add(cs(SUB_A, "rg-ai", "oai-ok"))
    s.case(ok["id"], "pass", "restricted, non-empty allow list (no approved list configured)")
    off = s.add(cs(SUB_A, "rg-ai", "oai-unrestricted", restrictOutboundNetworkAccess=False))
    s.case(off["id"], "fail", "outbound not restricted")
    empty = s.add(cs(SUB_A, "rg-ai", "oai-empty-list", allowedFqdnList=[]))
    s.case(empty["id"], "fail", "restricted but nothing allowed is a misconfiguration the rule flags")
    s2 = scenario("AIHUB-NET-010", "approved-list")
    s2.profile = "parameters:\n  approvedOutboundFqdns: ['*.blob.core.windows.net', 'srch-*.search.windows.net']\n"
    ok = s2.add(cs(SUB_A, "rg-ai", "oai-approved", allowedFqdnList=["ST.blob.core.windows.net",
                                                                    "srch-a.search.windows.net"]))
    s2.case(ok["id"], "pass", "every FQDN matches an approved pattern (case-insensitively)")
    bad = s2.add(cs(SUB_A, "rg-ai", "oai-unapproved", allowedFqdnList=["st.blob.core.windows.net",
                                                                       "evil.example.com"]))
    s2.case(bad["id"], "fail", "evil.example.com is not approved")


def net_011():
    s = scenario("AIHUB-NET-011")
    rt = spoke_rt(SUB_A)
    rt_bad = route_table(SUB_A, "rg-net", "rt-internet", [("0.0.0.0/0", "Internet", None)])
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    s.add(hub([v]), rt, rt_bad, vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [
        ("snet-apim", "10.1.1.0/24", rt["id"]), ("snet-apim-bad", "10.1.2.0/24", rt_bad["id"]),
        ("snet-apim-lost", "10.1.3.0/24", rid(SUB_A, "rg-other", "Microsoft.Network/routeTables", "rt-gone"))],
        peers=[HUB_VNET]))

    def apim(name, mode, sku, sn):
        return s.add(res("Microsoft.ApiManagement/service", SUB_A, "rg-apim", name, {
            "virtualNetworkType": mode, "virtualNetworkConfiguration": {"subnetResourceId": v + "/subnets/" + sn}},
            sku={"name": sku, "capacity": 1}, identity=system_identity(name)))

    s.case(apim("apim-ok", "Internal", "Premium", "snet-apim")["id"], "pass", "internal, Premium, routed to the firewall")
    s.case(apim("apim-external", "External", "Premium", "snet-apim")["id"], "fail",
           "External passes the built-in ef619a2c, not this rule")
    s.case(apim("apim-basic", "Internal", "Basic", "snet-apim")["id"], "fail", "Basic cannot be VNet-injected")
    s.case(apim("apim-bad-route", "Internal", "Developer", "snet-apim-bad")["id"], "fail",
           "its subnet's default route goes to the Internet")
    s.case(apim("apim-rt-unknown", "Internal", "Premium", "snet-apim-lost")["id"], "unknown",
           "its subnet's route table is not in the input")


def net_012():
    s = scenario("AIHUB-NET-012")
    for n, priv, local, status, why in [("aks-ok", True, True, "pass", "private, no local accounts"),
                                        ("aks-public", False, True, "fail", "public API server"),
                                        ("aks-local", True, False, "fail", "local accounts on")]:
        o = s.add(res("Microsoft.ContainerService/managedClusters", SUB_A, "rg-aks", n, {
            "apiServerAccessProfile": {"enablePrivateCluster": priv}, "disableLocalAccounts": local}))
        s.case(o["id"], status, why)


# ---- WAF and firewall ----

WAF_T = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"


def waf_policy(name, attached=True, mode="Prevention", state="Enabled", sets=None, exclusions=()):
    return res(WAF_T, SUB_CONN, "rg-hub", name, {
        "policySettings": {"state": state, "mode": mode},
        "managedRules": {"managedRuleSets": sets if sets is not None else [
            {"ruleSetType": "OWASP", "ruleSetVersion": "3.2", "ruleGroupOverrides": []},
            {"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.0", "ruleGroupOverrides": []}],
            "exclusions": list(exclusions)},
        "applicationGateways": [{"id": rid(SUB_CONN, "rg-hub", "Microsoft.Network/applicationGateways", "agw")}]
        if attached else [], "httpListeners": [], "pathBasedRules": []})


def waf_001():
    s = scenario("AIHUB-WAF-001")
    pol = s.add(waf_policy("wafp"))
    t = "Microsoft.Network/applicationGateways"

    def agw(name, tier, props):
        p = {"sku": {"name": tier, "tier": tier}}
        p.update(props)
        return s.add(res(t, SUB_CONN, "rg-hub", name, p))

    s.case(agw("agw-ok", "WAF_v2", {"firewallPolicy": {"id": pol["id"]}})["id"], "pass", "WAF_v2 with a policy")
    s.case(agw("agw-standard", "Standard_v2", {})["id"], "fail", "no WAF")
    s.case(agw("agw-legacy", "WAF_v2", {"webApplicationFirewallConfiguration": {
        "enabled": True, "firewallMode": "Prevention", "ruleSetType": "OWASP", "ruleSetVersion": "3.2"}})["id"],
        "fail", "legacy WAF configuration, no policy: migrate")
    s.case(agw("agw-policy-elsewhere", "WAF_v2", {"firewallPolicy": {
        "id": rid(SUB_CONN, "rg-other", WAF_T, "wafp-unexported")}})["id"], "unknown",
        "its policy is not in the input")


def waf_002():
    s = scenario("AIHUB-WAF-002")
    s.case(s.add(waf_policy("wafp-ok"))["id"], "pass", "Enabled, Prevention")
    s.case(s.add(waf_policy("wafp-detect", mode="Detection"))["id"], "fail", "Detection only logs")
    s.case(s.add(waf_policy("wafp-off", state="Disabled"))["id"], "fail", "disabled")
    s.case(s.add(waf_policy("wafp-unused", attached=False, mode="Detection"))["id"], "notApplicable",
           "attached to nothing")


def waf_003():
    s = scenario("AIHUB-WAF-003")
    s.case(s.add(waf_policy("wafp-ok"))["id"], "pass", "OWASP 3.2 and the bot set, no overrides, no exclusions")
    s.case(s.add(waf_policy("wafp-31", sets=[{"ruleSetType": "OWASP", "ruleSetVersion": "3.1"}]))["id"], "fail",
           "OWASP 3.1 is not an approved rule set")
    s.case(s.add(waf_policy("wafp-disabled-rule", sets=[{"ruleSetType": "OWASP", "ruleSetVersion": "3.2",
                                                         "ruleGroupOverrides": [{
                                                             "ruleGroupName": "REQUEST-942-APPLICATION-ATTACK-SQLI",
                                                             "rules": [{"ruleId": "942130", "state": "Disabled"},
                                                                       {"ruleId": "942140", "state": "Enabled"}]}]}]))
           ["id"], "fail", "a rule is disabled")
    s.case(s.add(waf_policy("wafp-disabled-group", sets=[{"ruleSetType": "OWASP", "ruleSetVersion": "3.2",
                                                          "ruleGroupOverrides": [{
                                                              "ruleGroupName": "REQUEST-920-PROTOCOL-ENFORCEMENT"}]}]))
           ["id"], "fail", "an override without rules disables the whole group")
    s.case(s.add(waf_policy("wafp-exclusion", exclusions=[{"matchVariable": "RequestHeaderNames",
                                                           "selectorMatchOperator": "Equals",
                                                           "selector": "x-api-key"}]))["id"], "fail",
           "an exclusion")
    s.case(s.add(waf_policy("wafp-unused", attached=False, sets=[]))["id"], "notApplicable", "attached to nothing")
    s2 = scenario("AIHUB-WAF-003", "drs-allowed")
    s2.profile = ("parameters:\n  allowedWafRuleSets:\n    - {ruleSetType: OWASP, ruleSetVersion: '3.2'}\n"
                  "    - {ruleSetType: Microsoft_DefaultRuleSet, ruleSetVersion: '2.1'}\n")
    s2.case(s2.add(waf_policy("wafp-drs", sets=[{"ruleSetType": "Microsoft_DefaultRuleSet",
                                                 "ruleSetVersion": "2.1"}]))["id"], "pass", "DRS 2.1 allowed by profile")
    s2.case(s2.add(waf_policy("wafp-drs20", sets=[{"ruleSetType": "Microsoft_DefaultRuleSet",
                                                   "ruleSetVersion": "2.0"}]))["id"], "fail", "DRS 2.0 is not")


def fw_policy(name, sub=SUB_CONN, tier="Premium", idps="Deny", overrides=(), base=None, ti="Deny", proxy=True,
              firewalls=1, children=()):
    p = {"sku": {"tier": tier}, "threatIntelMode": ti,
         "intrusionDetection": {"mode": idps, "configuration": {"signatureOverrides": list(overrides)}},
         "dnsSettings": {"enableProxy": proxy},
         "firewalls": [{"id": rid(sub, "rg-hub", "Microsoft.Network/azureFirewalls", "afw-" + name)}] * firewalls,
         "childPolicies": [{"id": c} for c in children]}
    if base:
        p["basePolicy"] = {"id": base}
    return res("Microsoft.Network/firewallPolicies", sub, "rg-hub", name, p)


def fw_001():
    s = scenario("AIHUB-FW-001")
    prem = s.add(fw_policy("pol-premium"))
    std = s.add(fw_policy("pol-standard", tier="Standard"))
    for n, tier, pol, status, why in [("afw-ok", "Premium", prem, "pass", "Premium firewall, Premium policy"),
                                      ("afw-standard", "Standard", prem, "fail", "Standard firewall"),
                                      ("afw-std-policy", "Premium", std, "fail",
                                       "Premium firewall with a Standard policy loses the Premium features")]:
        o = s.add(res("Microsoft.Network/azureFirewalls", SUB_CONN, "rg-hub", n, {
            "sku": {"name": "AZFW_VNet", "tier": tier}, "firewallPolicy": {"id": pol["id"]}}))
        s.case(o["id"], status, why)
    o = s.add(res("Microsoft.Network/azureFirewalls", SUB_CONN, "rg-hub", "afw-classic", {
        "sku": {"name": "AZFW_VNet", "tier": "Premium"}}))
    s.case(o["id"], "fail", "classic rules, no policy")


def fw_002():
    s = scenario("AIHUB-FW-002")
    base = s.add(fw_policy("pol-base", idps="Deny", firewalls=0,
                           children=[rid(SUB_CONN, "rg-hub", "Microsoft.Network/firewallPolicies", "pol-child")]))
    s.case(base["id"], "notApplicable", "a base policy attached to no firewall acts through its children")
    child = s.add(fw_policy("pol-child", idps="Alert", base=base["id"]))
    s.case(child["id"], "pass", "Alert itself, but the base policy's Deny is stricter and wins")
    s.case(s.add(fw_policy("pol-deny"))["id"], "pass", "Deny")
    s.case(s.add(fw_policy("pol-alert", idps="Alert"))["id"], "fail", "Alert only logs")
    s.case(s.add(fw_policy("pol-override", overrides=[{"id": "2024897", "mode": "Off"}]))["id"], "fail",
           "a signature turned off")
    s.case(s.add(fw_policy("pol-base-gone", idps="Off",
                           base=rid(SUB_CONN, "rg-gone", "Microsoft.Network/firewallPolicies", "pol-x")))["id"],
           "unknown", "its base policy is not in the input: it may say Deny")


def fw_003():
    s = scenario("AIHUB-FW-003")
    s.case(s.add(fw_policy("pol-ok"))["id"], "pass", "TI Deny, DNS proxy on")
    s.case(s.add(fw_policy("pol-ti-alert", ti="Alert"))["id"], "fail", "threat intel alert only")
    s.case(s.add(fw_policy("pol-no-proxy", proxy=False))["id"], "fail", "no DNS proxy")


# ---- routing ----

def rt_001():
    s = scenario("AIHUB-RT-001")
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    rt = spoke_rt(SUB_A)
    s.add(hub([v]), rt)
    s.add(vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [
        ("snet-app", "10.1.1.0/24", rt["id"]),
        ("snet-nort", "10.1.2.0/24"),
        ("snet-pe", "10.1.3.0/24", rt["id"], "RouteTableEnabled"),
        ("snet-pe-nopolicy", "10.1.4.0/24", rt["id"], "Disabled"),
        subnet(v, "snet-pe-embedded", "10.1.5.0/24", rt["id"], "Disabled",
               {"privateEndpoints": [{"id": rid(SUB_A, "rg-net", "Microsoft.Network/privateEndpoints", "pe-x")}]}),
        ("GatewaySubnet", "10.1.255.0/27"),
        ("AzureBastionSubnet", "10.1.254.0/26"),
    ], peers=[HUB_VNET]))
    target = s.add(cs(SUB_A, "rg-ai", "oai"))
    s.add(pe(SUB_A, "rg-net", "pe-oai", target["id"], "account", v + "/subnets/snet-pe"),
          pe(SUB_A, "rg-net", "pe-oai-2", target["id"], "account", v + "/subnets/SNET-PE-NOPOLICY"))
    s.case(v + "/subnets/snet-app", "pass", "route table present")
    s.case(v + "/subnets/snet-nort", "fail", "no route table")
    s.case(v + "/subnets/snet-pe", "pass", "PE subnet with route-table network policies")
    s.case(v + "/subnets/snet-pe-nopolicy", "fail", "a private endpoint names it, network policies Disabled")
    s.case(v + "/subnets/snet-pe-embedded", "fail", "its own privateEndpoints list says it hosts one")
    s.case(v + "/subnets/GatewaySubnet", "notApplicable", "platform subnet without route table",
           trap="GatewaySubnet without route table")
    s.case(v + "/subnets/AzureBastionSubnet", "notApplicable", "platform subnet without route table")
    s.case(HUB_VNET, "notApplicable", "the hub peers with the spoke but is not one: its AzureFirewallSubnet and "
                                      "GatewaySubnet without route tables give no result",
           trap="hub-to-spoke peerings; AzureFirewallSubnet without route table")


def rt_002():
    s = scenario("AIHUB-RT-002")
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    ok = spoke_rt(SUB_A)
    nva = route_table(SUB_A, "rg-net", "rt-nva", [("0.0.0.0/0", "VirtualAppliance", "10.9.9.9")])
    bgp = route_table(SUB_A, "rg-net", "rt-bgp", [("0.0.0.0/0", "VirtualAppliance", FW_IP)], bgp_off=False)
    second = route_table(SUB_A, "rg-net", "rt-second", [("10.0.0.0/8", "VirtualAppliance", FW_IP),
                                                        ("0.0.0.0/0", "VirtualAppliance", FW_IP)])
    hub_rt = route_table(SUB_CONN, "rg-hub", "rt-hub-gateway", [("10.1.0.0/16", "VirtualAppliance", FW_IP)],
                         bgp_off=False)
    unused = route_table(SUB_A, "rg-net", "rt-unused", [])
    s.add(hub([v]), ok, nva, bgp, second, hub_rt, unused)
    s.objects[0]["properties"]["subnets"][1]["properties"]["routeTable"] = {"id": hub_rt["id"]}  # hub GatewaySubnet
    s.add(vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [
        ("snet-ok", "10.1.1.0/24", ok["id"]), ("snet-ok2", "10.1.7.0/24", ok["id"]),
        ("snet-nva", "10.1.2.0/24", nva["id"]), ("snet-bgp", "10.1.3.0/24", bgp["id"]),
        ("snet-none", "10.1.4.0/24"), ("snet-second", "10.1.5.0/24", second["id"]),
        ("snet-lost", "10.1.6.0/24", rid(SUB_A, "rg-hidden", "Microsoft.Network/routeTables", "rt-hidden")),
        ("GatewaySubnet", "10.1.255.0/27")], peers=[HUB_VNET]))
    s.case(ok["id"], "pass", "0.0.0.0/0 to the hub firewall, BGP off (one result for its two subnets)")
    s.case(second["id"], "pass", "the default route is the second route")
    s.case(nva["id"], "fail", "next hop is not a hub firewall IP")
    s.case(bgp["id"], "fail", "BGP propagation on")
    s.case(hub_rt["id"], "notApplicable", "only the hub uses it: BGP on is right for a hub GatewaySubnet")
    s.case(unused["id"], "notApplicable", "no spoke subnet uses it")
    s.case(v + "/subnets/snet-lost", "unknown", "its route table is not in the input")
    for n in ("snet-ok", "snet-ok2", "snet-nva", "snet-bgp", "snet-second"):
        s.case(v + "/subnets/" + n, "notApplicable", "judged through its route table")
    s.case(v + "/subnets/snet-none", "notApplicable", "no route table: AIHUB-RT-001's finding")
    s.case(v + "/subnets/GatewaySubnet", "notApplicable", "platform subnet", trap="GatewaySubnet without route table")
    s.case(HUB_VNET, "notApplicable", "the hub is not a spoke", trap="hub-to-spoke peerings")


def rt_003():
    s = scenario("AIHUB-RT-003")
    fwsub = HUB_VNET + "/subnets/AzureFirewallSubnet"
    for rt, status, why, trap in [
        (spoke_rt(SUB_A, name="rt-ok"), "pass", "only the firewall route", None),
        (route_table(SUB_A, "rg-net", "rt-apim", [("ApiManagement", "Internet", None),
                                                  ("0.0.0.0/0", "VirtualAppliance", FW_IP)]),
         "pass", "the APIM control-plane service-tag route is allowed", None),
        (route_table(SUB_A, "rg-net", "rt-batch", [("BatchNodeManagement.swedencentral", "Internet", None)]),
         "pass", "regional service tags match the allowed patterns", None),
        (route_table(SUB_A, "rg-net", "rt-internet", [("0.0.0.0/0", "Internet", None)]), "fail",
         "0.0.0.0/0 to the Internet", None),
        (route_table(SUB_A, "rg-net", "rt-specific", [("0.0.0.0/0", "VirtualAppliance", FW_IP),
                                                      ("20.30.40.0/24", "Internet", None)]), "fail",
         "a more specific Internet route bypasses the firewall", None),
        (route_table(SUB_A, "rg-net", "rt-gateway", [("192.168.0.0/16", "VirtualNetworkGateway", None)]), "fail",
         "to on-premises around the firewall", None),
        (route_table(SUB_CONN, "rg-hub", "rt-fw-subnet", [("0.0.0.0/0", "Internet", None)], subnets=[fwsub]),
         "notApplicable", "the firewall's own subnet must reach the Internet", None),
    ]:
        s.add(rt)
        s.case(rt["id"], status, why, trap)


def rt_004():
    s = scenario("AIHUB-RT-004")
    a = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    b = rid(SUB_B, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-b")
    s.add(hub([a, b]))
    s.add(vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    s.add(vnet(SUB_B, "rg-net", "vnet-b", "10.2.0.0/16", [], peers=[HUB_VNET, a]))
    s.add(vnet(SUB_B, "rg-net", "vnet-sandbox", "10.3.0.0/16", []))
    vwan = s.add(vnet(SUB_B, "rg-net", "vnet-vwan", "10.4.0.0/16", [], peers=[
        "/subscriptions/99999999-0000-4000-8000-000000000001/resourceGroups/RG_vhub_abc/providers/"
        "Microsoft.Network/virtualNetworks/HV_vhub_abc"]))
    s.case(HUB_VNET, "notApplicable", "the hub peers with both spokes: that is the topology",
           trap="hub-to-spoke peerings")
    s.case(a + "/virtualNetworkPeerings/peer-to-vnet-hub", "pass", "a spoke's peering to the hub")
    s.case(b + "/virtualNetworkPeerings/peer-to-vnet-hub", "pass", "a spoke's peering to the hub")
    s.case(b + "/virtualNetworkPeerings/peer-to-vnet-a", "fail", "spoke vnet-b peered with spoke vnet-a")
    s.case(vwan["properties"]["virtualNetworkPeerings"][0]["id"], "notApplicable",
           "Virtual WAN's connection to the hub's managed HV_ VNet")
    nm = "/subscriptions/%s/resourceGroups/rg-avnm/providers/Microsoft.Network/networkManagers/avnm" % SUB_CONN
    for n, topo, conn, status, why in [("cc-hub", "HubAndSpoke", "None", "pass", "hub and spoke, no direct links"),
                                       ("cc-mesh", "Mesh", "None", "fail", "mesh"),
                                       ("cc-direct", "HubAndSpoke", "DirectlyConnected", "fail",
                                        "group members directly connected")]:
        o = s.add({"id": nm + "/connectivityConfigurations/" + n, "name": n,
                   "type": "Microsoft.Network/networkManagers/connectivityConfigurations",
                   "properties": {"connectivityTopology": topo, "hubs": [{"resourceId": HUB_VNET}],
                                  "appliesToGroups": [{"networkGroupId": nm + "/networkGroups/spokes",
                                                       "groupConnectivity": conn}]}})
        s.case(o["id"], status, why)


def rt_005():
    s = scenario("AIHUB-RT-005")
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    ok = spoke_rt(SUB_A)
    bad = route_table(SUB_A, "rg-net", "rt-internet", [("0.0.0.0/0", "Internet", None)])
    s.add(hub([v]), ok, bad, vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [
        ("snet-aks", "10.1.16.0/20", ok["id"]), ("snet-aks-bad", "10.1.32.0/20", bad["id"])], peers=[HUB_VNET]))

    def aks(name, outbound, subnets):
        return s.add(res("Microsoft.ContainerService/managedClusters", SUB_A, "rg-aks", name, {
            "networkProfile": {"outboundType": outbound},
            "agentPoolProfiles": [dict({"name": "p%d" % i}, **({"vnetSubnetID": v + "/subnets/" + sn} if sn else {}))
                                  for i, sn in enumerate(subnets)]}))

    s.case(aks("aks-ok", "userDefinedRouting", ["snet-aks", "snet-aks"])["id"], "pass", "UDR through the firewall")
    s.case(aks("aks-lb", "loadBalancer", ["snet-aks"])["id"], "fail", "egress from the cluster's own public IP")
    s.case(aks("aks-bad-pool", "userDefinedRouting", ["snet-aks", "snet-aks-bad"])["id"], "fail",
           "one node pool's subnet sends 0.0.0.0/0 to the Internet")
    s.case(aks("aks-managed-vnet", "userDefinedRouting", [None])["id"], "fail", "node pool in an AKS-managed VNet")


# ---- DNS ----

def zone(name, sub=SUB_CONN, rg="rg-dns"):
    return res("Microsoft.Network/privateDnsZones", sub, rg, name, {}, lower_type=False)


def link(z, vnet_id, registration=False, name=None):
    return child(z, "Microsoft.Network/privateDnsZones/virtualNetworkLinks", name or "link-" + vnet_id.rsplit("/", 1)[1],
                 {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": registration})


def dns_001():
    s = scenario("AIHUB-DNS-001")
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    s.add(hub([v]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    for z, status, why in [(zone("privatelink.openai.azure.com"), "pass", "central zone in the connectivity subscription"),
                           (zone("privatelink.blob.core.windows.net", SUB_A, "rg-a"), "fail",
                            "a privatelink zone in a spoke subscription shadows the central one"),
                           (zone("aks1.privatelink.swedencentral.azmk8s.io", SUB_A, "rg-a"), "fail",
                            "a privatelink sub-zone in a spoke"),
                           (zone("contoso.internal", SUB_A, "rg-a"), "notApplicable", "not a privatelink zone")]:
        s.add(z)
        s.case(z["id"], status, why)


def dns_002():
    a = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    b = rid(SUB_B, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-b-azure-dns")
    zid = lambda zn: rid(SUB_CONN, "rg-dns", "Microsoft.Network/privateDnsZones", zn)  # noqa: E731
    s = scenario("AIHUB-DNS-002", "all-linked")
    s.add(hub([a]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    for zn in ZONES:
        s.add(link(s.add(zone(zn)), HUB_VNET))
        s.case(zid(zn), "pass", "central, linked to the hub, no auto-registration")
    other = s.add(zone("privatelink.azure-api.net"))
    s.case(other["id"], "notApplicable", "not a required zone (APIM is VNet-injected)")
    s.case(HUB_VNET, "pass", "every required zone exists centrally")
    s.case(a, "notApplicable", "a spoke")

    s = scenario("AIHUB-DNS-002", "missing-and-unlinked")
    s.add(hub([a]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    for zn in ZONES:
        if zn == "privatelink.openai.azure.com":
            continue  # missing altogether (the ALZ zone list lacks it)
        z = s.add(zone(zn))
        if zn == "privatelink.search.windows.net":
            s.case(z["id"], "fail", "exists, not linked to the hub")
            continue
        s.add(link(z, HUB_VNET, registration=(zn == "privatelink.azurecr.io")))
        s.case(z["id"], "fail" if zn == "privatelink.azurecr.io" else "pass",
               "its link auto-registers" if zn == "privatelink.azurecr.io" else "linked")
    spoke_zone = s.add(zone("privatelink.openai.azure.com", SUB_A, "rg-a"))
    s.case(spoke_zone["id"], "notApplicable", "in a spoke subscription: does not count as the central zone")
    s.case(HUB_VNET, "fail", "privatelink.openai.azure.com is missing centrally")
    s.case(a, "notApplicable", "a spoke")

    s = scenario("AIHUB-DNS-002", "spoke-on-azure-dns")
    s.add(hub([a, b]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]),
          vnet(SUB_B, "rg-net", "vnet-b-azure-dns", "10.2.0.0/16", [], peers=[HUB_VNET], dns=()))
    for zn in ZONES:
        z = s.add(zone(zn))
        s.add(link(z, HUB_VNET))
        if zn == "privatelink.blob.core.windows.net":
            s.add(link(z, b))
            s.case(z["id"], "pass", "also linked to vnet-b, which uses Azure DNS directly")
        else:
            s.case(z["id"], "fail", "vnet-b uses Azure DNS directly and is not linked")
    s.case(HUB_VNET, "pass", "every required zone exists")
    s.case(a, "notApplicable", "a spoke")
    s.case(b, "notApplicable", "a spoke")

    s = scenario("AIHUB-DNS-002", "links-not-collected")
    s.add(hub([a]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    for zn in ZONES:
        s.add(zone(zn))
        s.case(zid(zn), "unknown", "VNet links were not collected: never pass")
    s.case(HUB_VNET, "pass", "the zones themselves exist")
    s.case(a, "notApplicable", "a spoke")

    s = scenario("AIHUB-DNS-002", "zones-not-collected")
    s.add(hub([a]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    s.case(HUB_VNET, "unknown", "private DNS zones were not collected: never pass")
    s.case(a, "notApplicable", "a spoke")


def zone_group(pe_obj, zone_ids):
    return child(pe_obj, "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", "default", {
        "privateDnsZoneConfigs": [{"name": z.rsplit("/", 1)[1].replace(".", "-"),
                                   "properties": {"privateDnsZoneId": z}} for z in zone_ids]})


def dns_003():
    s = scenario("AIHUB-DNS-003")
    v = rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", "vnet-a")
    s.add(hub([v]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    z = {n: s.add(zone(n))["id"] for n in ZONES}
    spoke_zone = s.add(zone("privatelink.vaultcore.azure.net", SUB_A, "rg-a"))["id"]
    acc = s.add(cs(SUB_A, "rg-ai", "oai"))
    kv = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-ai", "kv", {}))
    sn = v + "/subnets/snet-pe"

    def endpoint(name, target, group, zones):
        p = s.add(pe(SUB_A, "rg-net", name, target["id"], group, sn))
        g = s.add(zone_group(p, zones)) if zones is not None else None
        return p, g

    ok, okg = endpoint("pe-oai-ok", acc, "account", [z["privatelink.cognitiveservices.azure.com"],
                                                     z["privatelink.openai.azure.com"],
                                                     z["privatelink.services.ai.azure.com"].upper()])
    s.case(ok["id"], "pass", "has a zone group")
    s.case(okg["id"], "pass", "the three account zones, all central (ids compared case-insensitively)")
    part, partg = endpoint("pe-oai-one-zone", acc, "account", [z["privatelink.cognitiveservices.azure.com"]])
    s.case(part["id"], "pass", "has a zone group")
    s.case(partg["id"], "fail", "an account endpoint needs the openai and services.ai zones too")
    local, localg = endpoint("pe-kv-spoke-zone", kv, "vault", [spoke_zone])
    s.case(local["id"], "pass", "has a zone group")
    s.case(localg["id"], "fail", "registers in a spoke's own zone")
    none, _ = endpoint("pe-kv-no-group", kv, "vault", None)
    s.case(none["id"], "fail", "no zone group")
    okv, okvg = endpoint("pe-kv-ok", kv, "VAULT", [z["privatelink.vaultcore.azure.net"]])
    s.case(okv["id"], "pass", "has a zone group")
    s.case(okvg["id"], "pass", "groupId compared case-insensitively")
    s2 = scenario("AIHUB-DNS-003", "zone-groups-not-collected")
    s2.add(hub([v]), vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", [], peers=[HUB_VNET]))
    p = s2.add(pe(SUB_A, "rg-net", "pe-oai", acc["id"], "account", sn))
    s2.case(p["id"], "unknown", "zone groups were not collected: never pass")


def dns_004():
    s = scenario("AIHUB-DNS-004")
    vs = {n: rid(SUB_A, "rg-net", "Microsoft.Network/virtualNetworks", n)
          for n in ("vnet-ok", "vnet-azure-dns", "vnet-other-dns", "vnet-mixed")}
    s.add(hub(list(vs.values())))
    s.add(vnet(SUB_A, "rg-net", "vnet-ok", "10.1.0.0/16", [], peers=[HUB_VNET]),
          vnet(SUB_A, "rg-net", "vnet-azure-dns", "10.2.0.0/16", [], peers=[HUB_VNET], dns=()),
          vnet(SUB_A, "rg-net", "vnet-other-dns", "10.3.0.0/16", [], peers=[HUB_VNET], dns=["8.8.8.8"]),
          vnet(SUB_A, "rg-net", "vnet-mixed", "10.4.0.0/16", [], peers=[HUB_VNET], dns=[FW_IP, "10.9.0.4"]))
    s.case(vs["vnet-ok"], "pass", "the firewall's DNS proxy")
    s.case(vs["vnet-azure-dns"], "fail", "Azure-provided DNS")
    s.case(vs["vnet-other-dns"], "fail", "a public resolver")
    s.case(vs["vnet-mixed"], "fail", "a second, non-hub server")
    s.case(HUB_VNET, "notApplicable", "the hub is not a spoke")


# ---- identity ----

def iam_001():
    s = scenario("AIHUB-IAM-001")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-ok"))["id"], "pass", "keys disabled")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-keys", disableLocalAuth=False))["id"], "fail", "keys enabled")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-default", disableLocalAuth=None))["id"], "fail", "absent: keys enabled")


def apim(s, name, identity=True):
    return s.add(res("Microsoft.ApiManagement/service", SUB_A, "rg-apim", name, {"virtualNetworkType": "Internal"},
                     sku={"name": "Premium"}, identity=system_identity(name) if identity else {"type": "None"}))


def iam_002():
    s = scenario("AIHUB-IAM-002")
    good = s.add(cs(SUB_A, "rg-ai", "oai-good"))
    keys = s.add(cs(SUB_A, "rg-ai", "oai-keys", disableLocalAuth=False))
    ok = apim(s, "apim-ok")
    s.add(role_assignment(good["id"], ROLE_OPENAI_USER, "pid-apim-ok"),
          child(ok, "Microsoft.ApiManagement/service/backends", "openai", {
              "url": "https://oai-good.openai.azure.com/openai", "protocol": "http",
              "credentials": {"header": {}, "query": {}}}),
          child(ok, "Microsoft.ApiManagement/service/namedValues", "openai-key", {
              "displayName": "openai-key", "secret": True,
              "keyVault": {"secretIdentifier": "https://kv.vault.azure.net/secrets/openai-key"}}))
    s.case(ok["id"], "pass", "managed identity with OpenAI User; no key in backends; key-like named value in Key Vault")
    noid = apim(s, "apim-no-identity", identity=False)
    s.case(noid["id"], "fail", "no managed identity")
    keyed = apim(s, "apim-api-key")
    s.add(role_assignment(good["id"], ROLE_OPENAI_USER, "pid-apim-api-key"),
          child(keyed, "Microsoft.ApiManagement/service/backends", "openai", {
              "url": "https://oai-good.openai.azure.com/openai", "protocol": "http",
              "credentials": {"header": {"api-key": ["{{openai-key}}"]}}}),
          child(keyed, "Microsoft.ApiManagement/service/namedValues", "openai-key", {
              "displayName": "openai-key", "secret": True}))
    s.case(keyed["id"], "fail", "backend sends an api-key; the key is an APIM secret, not in Key Vault")
    viakey = apim(s, "apim-to-key-account")
    s.add(role_assignment(keys["id"], ROLE_OPENAI_USER, "pid-apim-to-key-account"))
    s.case(viakey["id"], "fail", "its target account still accepts keys")
    norole = apim(s, "apim-no-role")
    s.case(norole["id"], "fail", "its identity holds OpenAI User nowhere")
    s2 = scenario("AIHUB-IAM-002", "backends-not-collected")
    acc = s2.add(cs(SUB_A, "rg-ai", "oai-good"))
    a = apim(s2, "apim")
    s2.add(role_assignment(acc["id"], ROLE_OPENAI_USER, "pid-apim"))
    s2.case(a["id"], "unknown", "backends and named values were not collected")


def iam_003():
    s = scenario("AIHUB-IAM-003")
    for t, n, p, status, why in [
        ("Microsoft.Search/searchServices", "srch-ok", {"disableLocalAuth": True}, "pass", "keys off"),
        ("Microsoft.Search/searchServices", "srch-keys", {"disableLocalAuth": False}, "fail", "admin/query keys on"),
        ("Microsoft.DocumentDB/databaseAccounts", "cosmos-ok", {"disableLocalAuth": True}, "pass", "keys off"),
        ("Microsoft.DocumentDB/databaseAccounts", "cosmos-keys", {}, "fail", "absent: keys on"),
        ("Microsoft.Storage/storageAccounts", "stok", {"allowSharedKeyAccess": False}, "pass",
         "shared key off (storage has no disableLocalAuth)"),
        ("Microsoft.Storage/storageAccounts", "stkeys", {"allowSharedKeyAccess": True, "disableLocalAuth": True},
         "fail", "shared key on; a stray disableLocalAuth does not count for storage"),
    ]:
        o = s.add(res(t, SUB_A, "rg-data", n, p))
        s.case(o["id"], status, why)


def iam_004():
    s = scenario("AIHUB-IAM-004")
    for n, rbac, purge, status, why in [("kv-ok", True, True, "pass", "RBAC and purge protection"),
                                        ("kv-policies", False, True, "fail", "access policies"),
                                        ("kv-nopurge", True, None, "fail", "no purge protection")]:
        p = {"enableRbacAuthorization": rbac}
        if purge is not None:
            p["enablePurgeProtection"] = purge
        o = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-kv", n, p))
        s.case(o["id"], status, why)


def iam_005():
    s = scenario("AIHUB-IAM-005")
    rg_ai = "/subscriptions/%s/resourceGroups/rg-ai" % SUB_A
    rg_net = "/subscriptions/%s/resourceGroups/rg-net" % SUB_A
    ok = s.add(cs(SUB_A, "rg-ok", "oai-ok"))
    s.add(cs(SUB_A, "rg-ai", "oai-rg-owner"))
    contrib = s.add(cs(SUB_A, "rg-ok", "oai-contributor"))
    vn = s.add(vnet(SUB_A, "rg-net", "vnet-a", "10.1.0.0/16", []))
    s.add(subscription(SUB_A), subscription(SUB_B), subscription(SUB_MGMT))

    def ra(*args, **kw):
        return s.add(role_assignment(*args, **kw))

    for o in (ra("/subscriptions/" + SUB_A, ROLE_OWNER, "grp-owners", "Group"),
              ra("/subscriptions/" + SUB_A, ROLE_OWNER, "breakglass", "User"),
              ra("/subscriptions/" + SUB_B, ROLE_OWNER, "grp-owners", "Group")):
        s.case(o["id"], "notApplicable", "subscription Owners are judged by the subscription's owner count")
    for i in range(1, 5):
        s.case(ra("/subscriptions/" + SUB_MGMT, ROLE_OWNER, "o%d" % i, "User")["id"], "notApplicable",
               "a subscription Owner")
    s.case(ra(rg_ai, ROLE_OWNER, "dev-team", "Group")["id"], "fail", "Owner on a resource group holding AI resources")
    s.case(ra(contrib["id"], ROLE_CONTRIBUTOR, "pid-pipeline")["id"], "fail", "Contributor on an AI account")
    s.case(ra(contrib["id"] + "/deployments/gpt-4o", ROLE_CONTRIBUTOR, "pid-pipeline2")["id"], "fail",
           "Contributor below an AI account")
    s.case(ra(vn["id"], ROLE_CONTRIBUTOR, "pid-net")["id"], "pass", "Contributor on a VNet, not an AI resource")
    s.case(ra(rg_net, ROLE_OWNER, "net-team", "Group")["id"], "pass", "Owner on a resource group without AI resources")
    s.case(ra("/subscriptions/%s/resourceGroups/rg-ok" % SUB_A, ROLE_READER, "auditors", "Group")["id"],
           "notApplicable", "Reader is not privileged")
    s.case(ra(ok["id"], ROLE_OPENAI_USER, "pid-app")["id"], "notApplicable", "a data-plane role")
    s.case("/subscriptions/" + SUB_A, "pass", "two Owners")
    s.case("/subscriptions/" + SUB_B, "fail", "one Owner")
    s.case("/subscriptions/" + SUB_MGMT, "fail", "four Owners")
    s2 = scenario("AIHUB-IAM-005", "assignments-not-collected")
    s2.add(cs(SUB_A, "rg-ai", "oai"))
    o = s2.add(subscription(SUB_A))
    s2.case(o["id"], "unknown", "role assignments were not collected: the owner count is unknown")


def iam_006():
    s = scenario("AIHUB-IAM-006")
    ok = s.add(cs(SUB_A, "rg-ai", "oai-ok"))
    over = s.add(cs(SUB_A, "rg-ai2", "oai-over"))
    lister = s.add(cs(SUB_A, "rg-ai", "oai-key-lister"))
    noid = s.add(cs(SUB_A, "rg-ai", "oai-no-identity"))
    noid.pop("identity")
    s.add(role_assignment(ok["id"], ROLE_OPENAI_USER, "pid-workload"),
          role_assignment(ok["id"], ROLE_OPENAI_CONTRIBUTOR, "dev-user", "User"),
          role_assignment("/subscriptions/%s/resourceGroups/rg-ai2" % SUB_A, ROLE_OPENAI_CONTRIBUTOR, "pid-workload2"),
          role_assignment(lister["id"], ROLE_CS_USER, "pid-workload3"))
    s.case(ok["id"], "pass", "workload holds OpenAI User; a human with OpenAI Contributor is not a workload")
    s.case(over["id"], "fail", "a workload identity holds OpenAI Contributor on its resource group")
    s.case(lister["id"], "fail", "a workload identity holds Cognitive Services User (can list keys)")
    s.case(noid["id"], "fail", "no managed identity")
    t = "Microsoft.MachineLearningServices/workspaces"
    s.case(s.add(res(t, SUB_A, "rg-ai", "hub-uami", {}, kind="Hub", identity={
        "type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {"/x/uami": {}}}))["id"], "pass",
           "user-assigned identity")
    s.case(s.add(res(t, SUB_A, "rg-ai", "hub-system", {}, kind="Hub", identity=system_identity("hub")))["id"], "fail",
           "workspaces need a user-assigned identity")
    s.case(s.add(res("Microsoft.Search/searchServices", SUB_A, "rg-ai", "srch-none", {},
                     identity={"type": "None"}))["id"], "fail", "identity None")
    s.case(s.add(res("Microsoft.ContainerService/managedClusters", SUB_A, "rg-aks", "aks", {}, identity={
        "type": "UserAssigned", "userAssignedIdentities": {"/x/uami": {}}}))["id"], "pass", "user-assigned")


# ---- logging ----

LAW = "/subscriptions/%s/resourceGroups/rg-mgmt/providers/Microsoft.OperationalInsights/workspaces/law" % SUB_MGMT


def diag(resource_id, name, logs=(("allLogs", True),), metrics=True, workspace=LAW, sub_path=""):
    return {"id": "%s%s/providers/microsoft.insights/diagnosticSettings/%s" % (resource_id.lower(), sub_path, name),
            "name": name, "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {"workspaceId": workspace, "storageAccountId": None,
                           "logs": [{"category": None, "categoryGroup": g, "enabled": e} for g, e in logs],
                           "metrics": [{"category": "AllMetrics", "enabled": True}] if metrics else []}}


def log_001():
    s = scenario("AIHUB-LOG-001")
    kv = lambda n: s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-kv", n, {}))  # noqa: E731
    a = kv("kv-alllogs")
    s.add(diag(a["id"], "to-law"))
    s.case(a["id"], "pass", "allLogs to the workspace")
    b = kv("kv-audit")
    s.add(diag(b["id"], "to-law", logs=(("audit", True),)))
    s.case(b["id"], "pass", "the audit category group counts", trap="audit category group")
    c = kv("kv-metrics-only")
    s.add(diag(c["id"], "metrics", logs=()))
    s.case(c["id"], "fail", "a setting that only sends metrics", trap="diagnostic setting that only sends metrics")
    d = kv("kv-disabled")
    s.add(diag(d["id"], "to-law", logs=(("allLogs", False),)))
    s.case(d["id"], "fail", "allLogs disabled")
    e = kv("kv-no-workspace")
    s.add(diag(e["id"], "archive", workspace=""))
    s.case(e["id"], "fail", "no workspace")
    f = kv("kv-none")
    s.case(f["id"], "fail", "no setting")
    st = s.add(res("Microsoft.Storage/storageAccounts", SUB_A, "rg-st", "stblob", {}))
    s.add(diag(st["id"], "metrics", logs=()), diag(st["id"], "blob-logs", sub_path="/blobServices/default"))
    s.case(st["id"], "pass", "account-level metrics plus blob-service logs (a storage account takes only metrics)",
           trap="allLogs category group")
    s2 = scenario("AIHUB-LOG-001", "settings-not-collected")
    o = s2.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-kv", "kv", {}))
    s2.case(o["id"], "unknown", "diagnostic settings were not collected: never pass")


def table(ws, name, retention, total=None):
    p = {"retentionInDays": retention, "plan": "Analytics"}
    if total is not None:
        p["totalRetentionInDays"] = total
    return child(ws, "Microsoft.OperationalInsights/workspaces/tables", name, p)


def log_002():
    s = scenario("AIHUB-LOG-002")
    t = "Microsoft.OperationalInsights/workspaces"
    ok = s.add(res(t, SUB_MGMT, "rg-mgmt", "law-ok", {"retentionInDays": 90}))
    s.case(ok["id"], "pass", "90 days")
    s.case(s.add(table(ok, "AzureDiagnostics", 90, 90))["id"], "pass", "90 days")
    s.case(s.add(table(ok, "AppRequests", 30, 365))["id"], "pass", "30 interactive days, archived to 365 in total")
    s.case(s.add(table(ok, "Heartbeat", 120))["id"], "pass", "no total given: interactive retention counts")
    short = s.add(res(t, SUB_MGMT, "rg-mgmt", "law-short", {"retentionInDays": 30}))
    s.case(short["id"], "fail", "the workspace keeps 30 days")
    s.case(s.add(table(short, "AzureDiagnostics", 30, 30))["id"], "fail", "30 days")
    tbl = s.add(res(t, SUB_MGMT, "rg-mgmt", "law-ok-2", {"retentionInDays": 120}))
    s.case(tbl["id"], "pass", "the workspace keeps 120 days")
    s.case(s.add(table(tbl, "ContainerLogV2", 8, 8))["id"], "fail", "a Basic table kept 8 days in total")
    s2 = scenario("AIHUB-LOG-002", "tables-not-collected")
    o = s2.add(res(t, SUB_MGMT, "rg-mgmt", "law", {"retentionInDays": 90}))
    s2.case(o["id"], "unknown", "the workspace is fine, its tables were not collected")
    o = s2.add(res(t, SUB_MGMT, "rg-mgmt", "law-short", {"retentionInDays": 7}))
    s2.case(o["id"], "fail", "the workspace alone already fails")


# ---- CMK ----


def cmk_001():
    simple("AIHUB-CMK-001", "Microsoft.DocumentDB/databaseAccounts",
           {"keyVaultKeyUri": "https://kv.vault.azure.net/keys/cmk"}, [
               ("cosmos-cmk", {}, "pass", "key URI set", None),
               ("cosmos-pmk", {"keyVaultKeyUri": None}, "fail", "service-managed key", None),
           ], kind="GlobalDocumentDB")


def cmk_002():
    enc = {"keySource": "Microsoft.Keyvault", "keyvaultproperties": {"keyname": "k",
                                                                    "keyvaulturi": "https://kv.vault.azure.net"}}
    simple("AIHUB-CMK-002", "Microsoft.Storage/storageAccounts", {"encryption": enc}, [
        ("stcmk", {}, "pass", "Storage spells it Microsoft.Keyvault", "Microsoft.Keyvault vs Microsoft.KeyVault"),
        ("stcmkcase", {"encryption": {"keySource": "Microsoft.KeyVault",
                                      "keyVaultProperties": {"keyVaultUri": "https://kv.vault.azure.net"}}},
         "pass", "other casings of key source and property names", "Microsoft.Keyvault vs Microsoft.KeyVault"),
        ("stpmk", {"encryption": {"keySource": "Microsoft.Storage"}}, "fail", "platform-managed key", None),
        ("stnouri", {"encryption": {"keySource": "Microsoft.Keyvault", "keyvaultproperties": {"keyname": "k"}}},
         "fail", "no vault URI", None),
    ], kind="StorageV2")


def cmk_003():
    s = scenario("AIHUB-CMK-003")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-cmk"))["id"], "pass", "Microsoft.KeyVault with a URI")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-cmk-lower", encryption={"keySource": "microsoft.keyvault",
                                                                 "keyVaultProperties": {
                                                                     "keyVaultUri": "https://kv.vault.azure.net/"}}))
           ["id"], "pass", "compared case-insensitively", trap="Microsoft.Keyvault vs Microsoft.KeyVault")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-pmk", encryption={"keySource": "Microsoft.CognitiveServices"}))["id"], "fail",
           "service-managed key")
    s.case(s.add(cs(SUB_A, "rg-ai", "oai-none", encryption=None))["id"], "fail", "no encryption block")


# ---- governance ----

def gov_001():
    s = scenario("AIHUB-GOV-001")
    ok = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-a", "kv-ok", {}))
    s.case(ok["id"], "pass", "all tags")
    cased = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-a", "kv-cased", {}, tags={
        "TENANTID": "a", "CostCenter": "1", "Application": "x", "environment": "p", "Owner": "o"}))
    s.case(cased["id"], "pass", "tag keys compared case-insensitively", trap="tag keys in other casing")
    miss = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-a", "kv-no-owner", {},
                     tags={k: v for k, v in TAGS.items() if k != "owner"}))
    s.case(miss["id"], "fail", "owner missing")
    empty = s.add(res("Microsoft.KeyVault/vaults", SUB_A, "rg-a", "kv-empty", {}, tags=dict(TAGS, owner="")))
    s.case(empty["id"], "fail", "owner empty")
    sub = s.add(subscription(SUB_A, tags={"tenantId": "a"}))
    s.case(sub["id"], "fail", "a subscription without most tags")
    # at a management group (not in the input): a top-level object of an untaggable type. Assignments
    # below resources are child objects and get no result at all.
    ra = s.add(role_assignment("/providers/Microsoft.Management/managementGroups/lz", ROLE_READER, "p", sub=""))
    s.add(role_assignment(ok["id"], ROLE_READER, "p"))
    s.case(ra["id"], "notApplicable", "role assignments cannot carry tags")


def uami(sub, name, tenant):
    return res("Microsoft.ManagedIdentity/userAssignedIdentities", sub, "rg-id", name,
               {"principalId": "pid-" + name, "clientId": "cid-" + name}, tags=dict(TAGS, tenantId=tenant))


def gov_002():
    s = scenario("AIHUB-GOV-002")
    sub_e, sub_f1, sub_f2 = ("00000000-0000-4000-8000-0000000000e1", "00000000-0000-4000-8000-0000000000f1",
                             "00000000-0000-4000-8000-0000000000f2")
    spokes = [(SUB_A, "tenant-a"), (SUB_B, "tenant-b"), (sub_e, "tenant-e"), (sub_f1, "tenant-f"),
              (sub_f2, "tenant-f")]
    vn = {sub: rid(sub, "rg-net", "Microsoft.Network/virtualNetworks", "vnet") for sub, _ in spokes}
    s.add(hub(list(vn.values())))
    s.add(subscription(SUB_CONN, tags=dict(TAGS, tenantId="platform")),
          subscription(SUB_MGMT, tags=dict(TAGS, tenantId="platform")))
    for sub, t in spokes:
        s.add(subscription(sub, tags=dict(TAGS, tenantId=t)))
        s.add(res("Microsoft.Network/virtualNetworks", sub, "rg-net", "vnet", {
            "subnets": [subnet(vn[sub], "snet-pe", "10.0.0.0/24")],
            "virtualNetworkPeerings": [{"name": "to-hub", "properties": {"remoteVirtualNetwork": {"id": HUB_VNET}}}]},
            tags=dict(TAGS, tenantId=t)))
    st_a = s.add(res("Microsoft.Storage/storageAccounts", SUB_A, "rg-data", "sta", {}, tags=dict(TAGS, tenantId="tenant-a")))
    # tenant-e's data also sits in tenant-b's subscription: reported once, on tenant-b's subscription
    s.add(res("Microsoft.Storage/storageAccounts", SUB_B, "rg-data", "ste", {}, tags=dict(TAGS, tenantId="TENANT-E")))
    s.case("/subscriptions/" + SUB_A, "pass", "one tenant, found nowhere else")
    s.case("/subscriptions/" + SUB_B, "fail", "holds tenant-b and tenant-e")
    s.case("/subscriptions/" + sub_e, "pass", "tenant-e's stray data is tenant-b's subscription's finding")
    s.case("/subscriptions/" + sub_f1, "fail", "tenant-f also has a second subscription of its own")
    s.case("/subscriptions/" + sub_f2, "fail", "tenant-f also has a second subscription of its own")
    s.case("/subscriptions/" + SUB_CONN, "notApplicable", "platform subscriptions are shared by design")
    s.case("/subscriptions/" + SUB_MGMT, "notApplicable", "platform subscriptions are shared by design")
    ok_pe = s.add(pe(SUB_A, "rg-net", "pe-sta", st_a["id"], "blob", vn[SUB_A] + "/subnets/snet-pe"))
    s.case(ok_pe["id"], "pass", "endpoint and target in the same subscription")
    x_pe = s.add(pe(SUB_B, "rg-net", "pe-into-a", st_a["id"], "blob", vn[SUB_B] + "/subnets/snet-pe"))
    s.case(x_pe["id"], "fail", "tenant-b's endpoint into tenant-a's storage")
    ida = s.add(uami(SUB_A, "id-a", "tenant-a"))
    ra_ok = s.add(role_assignment(st_a["id"], ROLE_READER, ida["properties"]["principalId"]))
    s.case(ra_ok["id"], "pass", "tenant-a's identity in tenant-a's subscription")
    ra_x = s.add(role_assignment("/subscriptions/%s/resourceGroups/rg-data" % SUB_B, ROLE_READER,
                                 ida["properties"]["principalId"]))
    s.case(ra_x["id"], "fail", "tenant-a's user-assigned identity holds a role in tenant-b's subscription")
    srch_b = s.add(res("Microsoft.Search/searchServices", SUB_B, "rg-data", "srch-b", {},
                       identity=system_identity("srch-b"), tags=dict(TAGS, tenantId="tenant-b")))
    ra_sys = s.add(role_assignment(st_a["id"], ROLE_READER, srch_b["identity"]["principalId"]))
    s.case(ra_sys["id"], "fail", "tenant-b's search service (system-assigned identity) reads tenant-a's storage")
    ra_unknown = s.add(role_assignment(st_a["id"], ROLE_READER, "pid-somebody-unexported"))
    s.case(ra_unknown["id"], "pass", "a principal that cannot be traced to a tagged object is not judged")
    ra_plat = s.add(role_assignment(HUB_VNET, ROLE_READER, ida["properties"]["principalId"]))
    s.case(ra_plat["id"], "notApplicable", "a role in the platform (connectivity) subscription")
    owner = {SUB_CONN: "platform", SUB_B: "tenant-b"}
    for o in s.objects:  # everything not tagged on purpose belongs to its subscription's tenant
        if o.get("tags") == TAGS and o.get("subscriptionId") in owner:
            o["tags"] = dict(TAGS, tenantId=owner[o["subscriptionId"]])


# ---- AI ----

FILTERS = [(n, src) for n in ("Hate", "Sexual", "Violence", "Selfharm") for src in ("Prompt", "Completion")] + [
    ("Jailbreak", "Prompt"), ("Indirect Attack", "Prompt")]


def rai(acc, name, mode="Blocking", drop=(), nonblocking=()):
    return child(acc, "Microsoft.CognitiveServices/accounts/raiPolicies", name, {
        "mode": mode, "basePolicyName": "Microsoft.DefaultV2", "type": "UserManaged",
        "contentFilters": [{"name": n, "source": src, "enabled": True, "blocking": (n, src) not in nonblocking,
                            **({"severityThreshold": "Medium"} if n not in ("Jailbreak", "Indirect Attack") else {})}
                           for n, src in FILTERS if (n, src) not in drop]})


def deployment(acc, name, policy):
    p = {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}, "provisioningState": "Succeeded"}
    if policy is not None:
        p["raiPolicyName"] = policy
    return dict(child(acc, "Microsoft.CognitiveServices/accounts/deployments", name, p),
                sku={"name": "GlobalStandard", "capacity": 10})


def ai_001():
    s = scenario("AIHUB-AI-001")

    def dep(acc, name, policy):
        return s.add(deployment(acc, name, policy))["id"]

    ok = s.add(cs(SUB_A, "rg-ai", "oai-ok"))
    s.add(rai(ok, "strict"), rai(ok, "strict-2", mode="Default"))
    s.case(dep(ok, "gpt-4o", "strict"), "pass", "a blocking policy with every filter and both Prompt Shields")
    s.case(dep(ok, "gpt-4o-mini", "STRICT-2"), "pass", "mode Default; the policy name in other casing")
    s.case(dep(ok, "no-policy", None), "fail", "names no content-filter policy")
    nojb = s.add(cs(SUB_A, "rg-ai", "ais", kind="AIServices"))
    s.add(rai(nojb, "no-shield", drop=[("Jailbreak", "Prompt")]),
          rai(nojb, "annotate", nonblocking=[("Violence", "Completion")]),
          rai(nojb, "async", mode="Asynchronous_filter"))
    s.case(dep(nojb, "a", "no-shield"), "fail", "no jailbreak Prompt Shield")
    s.case(dep(nojb, "b", "annotate"), "fail", "violence on completions annotates but does not block")
    s.case(dep(nojb, "c", "async"), "fail", "asynchronous filtering streams content before filtering")
    s.case(dep(nojb, "d", "Microsoft.DefaultV2"), "unknown", "its policy Microsoft.DefaultV2 is not in the input")
    for acc in (ok, nojb):
        s.case(acc["id"], "notApplicable", "judged through its deployments, which were collected")
    doc = s.add(cs(SUB_A, "rg-ai", "docint", kind="FormRecognizer"))
    s.case(doc["id"], "notApplicable", "not an OpenAI / AI Services account")
    s2 = scenario("AIHUB-AI-001", "deployments-not-collected")
    o = s2.add(cs(SUB_A, "rg-ai", "oai"))
    s2.case(o["id"], "unknown", "deployments were not collected: never pass")


def pricing(sub, tier):
    return {"id": "/subscriptions/%s/providers/Microsoft.Security/pricings/AI" % sub, "name": "AI",
            "type": "microsoft.security/pricings", "subscriptionId": sub, "tags": None,
            "properties": {"pricingTier": tier}}


def ai_002():
    s = scenario("AIHUB-AI-002")
    sub_c = "00000000-0000-4000-8000-0000000000f1"
    s.add(pricing(SUB_A, "Standard"), pricing(SUB_B, "Free"), pricing(SUB_MGMT, "Free"))
    s.add(subscription(SUB_A), subscription(SUB_B), subscription(sub_c), subscription(SUB_MGMT))
    s.add(cs(SUB_A, "rg-ai", "oai-a"), cs(SUB_B, "rg-ai", "ais-b", kind="AIServices"), cs(sub_c, "rg-ai", "oai-c"),
          cs(SUB_MGMT, "rg-ai", "docint", kind="FormRecognizer"))
    s.case("/subscriptions/" + SUB_A, "pass", "Defender for AI on where oai-a lives")
    s.case("/subscriptions/" + SUB_B, "fail", "plan Free in a subscription hosting ais-b")
    s.case("/subscriptions/" + sub_c, "unknown", "its pricing was not read")
    s.case("/subscriptions/" + SUB_MGMT, "notApplicable", "hosts no OpenAI / AI Services account (Free is fine)")


BUILDERS = [net_001, net_002, net_003, net_004, net_005, net_006, net_007, net_008, net_009, net_010, net_011,
            net_012, waf_001, waf_002, waf_003, fw_001, fw_002, fw_003, rt_001, rt_002, rt_003, rt_004, rt_005,
            dns_001, dns_002, dns_003, dns_004, iam_001, iam_002, iam_003, iam_004, iam_005, iam_006, log_001,
            log_002, cmk_001, cmk_002, cmk_003, gov_001, gov_002, ai_001, ai_002]

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def dumps(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def render(s):
    counts = {st: sum(1 for c in s.cases if c["status"] == st) for st in ("pass", "fail", "unknown", "notApplicable")}
    findings = sorted(({"ruleId": s.rule, "resourceId": c["resourceId"], "status": c["status"]}
                       for c in s.cases if c["status"] in ("fail", "unknown")),
                      key=lambda f: (f["resourceId"].lower(), f["status"]))
    files = {"input.json": dumps(s.objects),
             "expected.json": dumps({"lzscan": "expected-findings", "rule": s.rule, "scenario": s.name,
                                     "findings": findings, "counts": counts, "cases": s.cases})}
    if s.profile:
        files["profile.yaml"] = s.profile
    return files


def main(argv):
    check = "--check" in argv[1:]
    for b in BUILDERS:
        b()
    out, differ = {}, []
    for s in SCENARIOS:
        d = os.path.join(HERE, s.rule, s.name)
        assert d not in out, d
        out[d] = render(s)
    for d, files in sorted(out.items()):
        if not check:
            os.makedirs(d, exist_ok=True)
            for stale in os.listdir(d):
                if os.path.isfile(os.path.join(d, stale)) and stale not in files:
                    os.remove(os.path.join(d, stale))
        for name, content in sorted(files.items()):
            path = os.path.join(d, name)
            if check:
                try:
                    with open(path, "rb") as f:
                        if f.read() != content.encode():
                            differ.append(path)
                except FileNotFoundError:
                    differ.append(path)
            else:
                with open(path, "wb") as f:
                    f.write(content.encode())
    for p in differ:
        print("differs: %s" % p, file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
