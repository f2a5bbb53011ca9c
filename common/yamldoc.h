/*
 * yamldoc.h - YAML files as libyaml documents, with positions, for the rule
 * loader, pack manifests and profiles.
 *
 * A ydoc holds every document of one file or buffer (multi-document streams
 * separated by `---`), loaded with libyaml's document API. Every node keeps
 * its 1-based line and column, so errors read "file:line:column: message".
 *
 * Safety: YAML aliases are refused (an alias of an alias of ... expands
 * exponentially, and libyaml lets an alias point into its own anchor, which
 * makes a cycle); nesting deeper than YDOC_MAX_DEPTH is refused, so code
 * walking a ydoc can recurse without bound checks of its own.
 *
 * Ownership: a ydoc owns its documents and a copy of the text; a ynode is a
 * borrowed view valid until ydoc_free. Strings returned are owned by the ydoc.
 */
#ifndef YAMLDOC_H
#define YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "../scanner/jv.h"
#include "lz.h"

#define YDOC_MAX_DEPTH 64

typedef struct ydoc ydoc;

/* A node of one document; n == NULL means "absent". Pass by value. */
typedef struct ynode {
    ydoc *f;
    yaml_document_t *doc;
    yaml_node_t *n;
} ynode;

/* Loads every document; name is used in messages. Errors name name:line:column. */
int ydoc_load_buffer(ydoc **out, const char *name, const char *data, size_t len, lz_err *e);
int ydoc_load_file(ydoc **out, const char *path, lz_err *e);
void ydoc_free(ydoc *f);

const char *ydoc_name(const ydoc *f);
size_t ydoc_count(const ydoc *f);
/* Root of document i; absent (n == NULL) for an empty document. */
ynode ydoc_root(ydoc *f, size_t i);
/* The source text of document i (from its first to its last byte). */
const char *ydoc_text(const ydoc *f, size_t i, size_t *len);

/* ---- nodes ---- */
static inline bool yn_ok(ynode y) {
    return y.n != NULL;
}
bool yn_is_map(ynode y);
bool yn_is_seq(ynode y);
bool yn_is_scalar(ynode y);
/* A scalar's text (NUL-terminated), NULL for other nodes. */
const char *yn_str(ynode y);
size_t yn_strlen(ynode y);
/* A plain (unquoted, not block) scalar: the YAML core schema types it. */
bool yn_is_plain(ynode y);
/* A plain scalar that the core schema reads as null (null, Null, NULL, ~, empty). */
bool yn_is_null(ynode y);
/* Line and column, 1-based. */
int yn_line(ynode y);
int yn_col(ynode y);

/* Sequence items / mapping pairs. */
size_t yn_len(ynode y);
ynode yn_item(ynode seq, size_t i);
ynode yn_key(ynode map, size_t i);
ynode yn_val(ynode map, size_t i);
/* Value of a mapping key (scalar key, ASCII case-insensitive); absent if none. */
ynode yn_get(ynode map, const char *key);

/* Fills e with "name:line:column: message" at node y and returns -1. */
int yn_errf(lz_err *e, ynode y, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Checks a mapping's keys: every key a scalar, no duplicates (case-
 * insensitive), each one of allowed (NULL-terminated, case-insensitive).
 * what names the mapping in the message ("rule", "applies"). */
int yn_check_keys(ynode map, const char *const *allowed, const char *what, lz_err *e);

/* Converts a node to a jv value built in s. Plain scalars follow the YAML
 * core schema (null/~, true/false, integers, floats; hex/octal integers and
 * YAML-only float spellings are normalised to JSON number text); quoted and
 * block scalars are strings. Mapping keys must be scalars. */
int yn_to_jv(ynode y, jv_store *s, jv_t *out, lz_err *e);

/* The core schema reading of a plain scalar: JV_NULL, JV_TRUE, JV_FALSE,
 * JV_NUMBER (with JSON number text in *num, caller frees) or JV_STRING. */
enum jv_kind ydoc_plain_kind(const char *s, size_t len, char **num);

#endif
