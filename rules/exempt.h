/*
 * exempt.h - exemptions as code (docs/exemptions.md): accepted risk with a
 * justification, an owner, a ticket and an expiry date.
 *
 * An exemption file is YAML: `exemptions:` holds a list of entries, each
 * with rule ids (exact or glob), a selector (resourceId exact or glob,
 * resourceIdRegex, managementGroup, subscription, resourceGroup, tag; every
 * key given must match) and the required justification, owner, ticket and
 * expires (YYYY-MM-DD; the exemption ends at the end of that day, UTC).
 * Loading validates everything: a missing or empty field, an unknown key, a
 * bad glob, regex or date is an error naming file:line:column.
 *
 * Applying a set to a report turns each failing finding that an active
 * exemption matches into an `exempt` finding (the first matching entry in
 * file order wins). Expired exemptions apply to nothing; each one is
 * recorded as a report warning. Unknown results are never exempted: they
 * are not known to fail.
 *
 * Ownership: an exempt_set owns its entries; exempt_apply copies what the
 * report shows into the report, so the set may be freed before the report.
 */
#ifndef EXEMPT_H
#define EXEMPT_H

#include <stddef.h>
#include <time.h>

#include "../common/lz.h"
#include "report.h"

typedef struct exempt_set exempt_set;

/* Loads and validates an exemptions file; name (or path) is used in messages. */
int exempt_load(exempt_set **out, const char *path, lz_err *e);
int exempt_load_buffer(exempt_set **out, const char *name, const char *data, size_t len, lz_err *e);
void exempt_free(exempt_set *s);

size_t exempt_count(const exempt_set *s);

/* Applies s to r at time now (see above). Fills r->exemptions (every entry,
 * with whether it expired and how many findings it matched),
 * r->exemptions_path and r->now, and adds warnings to r->warnings: expired
 * entries, exact rule ids the pack does not have, regexes that hit their
 * match limit. */
void exempt_apply(const exempt_set *s, report *r, time_t now);

/* Glob matching as exemptions use it: `*` any run of characters (slashes
 * included), `?` one character, `[abc]`, `[a-z]`, `[!abc]`, `\` quotes the
 * next character; ASCII case-insensitive. */
bool exempt_glob_valid(const char *pattern, const char **why);
bool exempt_glob_match(const char *pattern, const char *s);

#endif
