/*
 * rule.h - rules and rule packs: what a rule says about itself, and how a
 * pack is assembled from the built-in rules and users' directories.
 *
 * A rule is loaded from YAML (see docs/rule-language.md) and compiled once:
 * paths split into segments, regexes compiled with match limits, literals
 * folded. The compiled condition tree is private to rules/; everything other
 * modules need is in struct rule below. A rule_pack owns its rules.
 */
#ifndef RULE_H
#define RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"

enum rule_severity { SEV_NONE = 0, SEV_LOW = 1, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

const char *rule_severity_name(enum rule_severity s); /* "low" ... "critical" */
/* Parses "low".."critical" (case-insensitive); SEV_NONE if unknown. */
enum rule_severity rule_severity_parse(const char *s);

typedef struct rule_strv {
    char **v;
    size_t n;
} rule_strv;

typedef struct rule_cond rule_cond; /* compiled condition, private to rules/ */

typedef struct rule {
    char *id; /* e.g. AIHUB-NET-001 */
    char *title;
    enum rule_severity severity;
    char *description; /* the risk */
    char *remediation;
    char *beyond_policy; /* what the rule checks that the closest built-in policy does not; may be NULL */
    rule_strv references;
    rule_strv policy;       /* closest Azure Policy built-in GUIDs / ALZ names */
    rule_strv mcsb, cis;    /* control mappings */
    rule_strv landing_zone; /* landing-zone controls it enforces */
    rule_strv types;        /* applies.type, lower-cased */
    rule_strv needs;        /* data beyond Resource Graph: child types and tables, lower-cased */
    char *source;           /* file the rule came from ("builtin:NAME.yaml" for built-ins) */
    int line;               /* line of the rule in source */
    char *sha256;           /* of the rule's source text */
    rule_cond *body;        /* applies.where, each, unless, check */
} rule;

typedef struct rule_param {
    char *name;
    char *description;
    char *default_yaml; /* the default, as YAML text, for docs */
} rule_param;

typedef struct rule_pack {
    char *name, *version;
    char sha256[65]; /* over every rule's sha256, in id order */
    rule **rules;    /* sorted by id */
    size_t n;
    rule_param *params;
    size_t nparams;
    struct rule_pack_priv *priv; /* parameter defaults as values */
} rule_pack;

/* The built-in pack compiled into the binary. */
int rule_pack_builtin(rule_pack **out, lz_err *e);
/* Adds every *.yaml / *.yml under dir (recursively): a rule whose id is
 * already in the pack replaces it; a duplicate id within dir is an error. */
int rule_pack_add_dir(rule_pack *p, const char *dir, lz_err *e);
/* Loads one rule file or directory as a standalone pack (for `rules lint`). */
int rule_pack_load_path(rule_pack **out, const char *path, lz_err *e);
/* An empty pack, and one rule file (or pack.yaml, by its name) from memory:
 * for tests, fuzzing and tools. Rules replace ones with the same id. */
rule_pack *rule_pack_new(const char *name, const char *version);
int rule_pack_add_buffer(rule_pack *p, const char *name, const char *data, size_t len, lz_err *e);
const rule *rule_pack_find(const rule_pack *p, const char *id);
/* Appends (without duplicates) the names of the parameters and topology
 * facts r reads; either list may be NULL. */
void rule_refs(const rule *r, rule_strv *params, rule_strv *facts);

/* What r can read of the objects it looks at (rules/reads.c; the live
 * collector projects Resource Graph rows to it): fn is called for every
 * path a condition, count, join, `each`, evidence or element id of r can
 * read, including what the engine reads for it (a subnet id looked up in
 * its VNet's properties.subnets, applies.kind, ids and names). `on` names
 * the objects read: NULL for r's own (r->types, which may be "*"), a
 * lower-cased type for related/children objects of that type, "*" for any
 * object (a ref's target, a chain link, $parent, related type "*"). `keys`
 * are the path's leading keys from that object's root, as written, up to
 * its first [*] or [N]: everything below them may be read, and nkeys 0 is
 * the whole object. Calls may repeat. */
typedef void (*rule_read_fn)(const char *on, const char *const *keys, size_t nkeys, void *ctx);
void rule_reads(const rule *r, rule_read_fn fn, void *ctx);
/* True when r looks objects up among every object of every type
 * (`related: {type: "*"}`): what it finds depends on which types were read,
 * not only on the ids it follows. */
bool rule_reads_every_type(const rule *r);

/* String lists: push copies s; has compares exactly; free empties v. */
void strv_push(rule_strv *v, const char *s);
bool strv_has(const rule_strv *v, const char *s);
void strv_free(rule_strv *v);
void rule_pack_free(rule_pack *p);

#endif
