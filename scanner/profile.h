/*
 * profile.h - a landing zone's profile (--profile FILE, YAML).
 *
 *   parameters:            # rule parameters, overriding the pack defaults
 *     requiredTags: [tenantId, costCenter, application, environment, owner]
 *     minRetentionDays: 90
 *     centralWorkspaceId: /subscriptions/.../workspaces/law-central
 *   facts:                 # overrides of what topology inference found
 *     hubVnetIds: [/subscriptions/.../virtualNetworks/vnet-hub]
 *     hubFirewallPrivateIps: [10.0.1.4]
 *     connectivitySubscriptionId: 0000...
 *
 * Values are kept as jv values in the profile's own store. Unknown top-level
 * keys are errors (typos must not silently disable a check); parameter names
 * are checked against the pack by the engine, fact names by topology.
 */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>

#include "../common/lz.h"
#include "jv.h"

typedef struct profile profile;

/* An empty profile (no overrides). */
profile *profile_new(void);
/* Loads path; errors name path:line:column. */
int profile_load(profile **out, const char *path, lz_err *e);
/* Loads a profile from memory; name stands for the path in messages and in
 * profile_path() (tests and fuzzing). */
int profile_load_buffer(profile **out, const char *name, const char *data, size_t len, lz_err *e);
void profile_free(profile *p);

const jv_store *profile_store(const profile *p);
/* The object of parameters / facts (JV_MISSING when the section is absent). */
jv_t profile_parameters(const profile *p);
jv_t profile_facts(const profile *p);
const char *profile_path(const profile *p); /* NULL for profile_new() */
/* "path:line:column" of a key of a section ("parameters" / "facts"), for
 * messages about that key; the path alone if unknown, "profile" for
 * profile_new(). Owned by the profile. */
const char *profile_where(const profile *p, const char *section, const char *key);

#endif
