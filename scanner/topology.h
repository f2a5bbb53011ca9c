/*
 * topology.h - the hub-and-spoke shape of the landing zone, inferred once
 * from the inventory (DESIGN §2) and overridable by the profile's facts.
 *
 *   hub VNet        a VNet with an AzureFirewallSubnet (or a vWAN virtual hub)
 *   hub firewall IPs private IPs of Azure Firewalls in a hub VNet
 *                   (ipConfigurations[].properties.privateIPAddress) or a vWAN
 *                   hub (hubIPAddresses.privateIPAddress)
 *   connectivity subscription  the subscription(s) holding the hub VNets
 *   spoke VNet      any other VNet peered to a hub VNet
 *   spoke subscriptions        subscriptions holding spoke VNets
 *   tenant map      tags.tenantId -> subscriptions (resources and containers)
 *
 * Facts are exposed to rules by name as JSON values ({fact: NAME}):
 *   hubVnetIds, hubFirewallPrivateIps, connectivitySubscriptionIds,
 *   spokeVnetIds, spokeSubscriptionIds, hubDnsServers, hubPrivateDnsZoneIds,
 *   tenantSubscriptions (object tenantId -> [subscription ids]),
 *   subscriptionTenants (object subscription id -> [tenantIds], the inverse)
 * A fact that could not be inferred (no hub found) is unknown, with a reason.
 */
#ifndef TOPOLOGY_H
#define TOPOLOGY_H

#include <stdbool.h>

#include "../common/lz.h"
#include "inventory.h"
#include "jv.h"
#include "profile.h"

enum topo_role { TOPO_NONE = 0, TOPO_HUB = 1, TOPO_SPOKE = 2 };

typedef struct topo topo;

/* Infers the topology; profile facts override (a fact name the profile sets
 * that topology does not know is an error naming the profile). */
int topo_infer(topo **out, const inv *v, const profile *prof, lz_err *e);
void topo_free(topo *t);

/* Role of a VNet (TOPO_NONE for anything else). */
enum topo_role topo_vnet_role(const topo *t, inv_idx vnet);
/* Is the lower-cased subscription the connectivity subscription / a spoke subscription? */
bool topo_is_connectivity(const topo *t, jv_atom subscription_fold);
bool topo_is_spoke_subscription(const topo *t, jv_atom subscription_fold);

/* A fact by name: its value in topo_store(), or JV_MISSING with *reason set
 * when it is unknown. Returns -1 if name is not a fact at all. */
int topo_fact(const topo *t, const char *name, jv_t *value, const char **reason);
const jv_store *topo_store(const topo *t);
/* Every fact name, NULL-terminated (for docs and `rules lint`). */
const char *const *topo_fact_names(void);

#endif
