/*
 * jpath.h - compiled value paths of the rule language.
 *
 * Syntax: segments separated by '.', each a key, optionally followed by [*]
 * (every element) or [N] (one element); a key with dots or brackets is quoted
 * as ['key.name'] (e.g. tags['hidden-link:/x']). Keys match
 * case-insensitively, as Azure Policy aliases do. The empty path "" or "@"
 * is the value itself.
 */
#ifndef JPATH_H
#define JPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "jv.h"

typedef struct jpath jpath;

/* Compiles text; on error fills e with what is wrong and at which column. */
jpath *jpath_compile(const char *text, lz_err *e);
void jpath_free(jpath *p);
const char *jpath_text(const jpath *p);
bool jpath_has_wildcard(const jpath *p);
/* The path's first key (lower-cased), "" for the empty path. */
const char *jpath_head(const jpath *p);

/* Visits each value the path reaches from `from`; concrete is the path with
 * wildcards replaced by indices ("properties.subnets[2].name"). Missing
 * branches are skipped. Returns the number of values visited. */
typedef void (*jpath_visit_fn)(jv_t value, const char *concrete, void *ctx);
size_t jpath_walk(const jv_store *s, jv_t from, const jpath *p, jpath_visit_fn fn, void *ctx);

/* The single value at a wildcard-free path, or JV_MISSING. */
jv_t jpath_get(const jv_store *s, jv_t from, const jpath *p);

#endif
