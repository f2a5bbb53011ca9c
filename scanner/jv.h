/*
 * jv.h - compact, immutable JSON values stored in one arena.
 *
 * The inventory must hold a million ARM objects without a DOM per page
 * (DESIGN §2), so values are 12-byte nodes in one growable array, children
 * stored contiguously, and every string (keys and values) interned once in
 * an atom table. A value is a 32-bit handle (jv_t) valid for the store's
 * lifetime; nothing is freed before jv_store_free.
 *
 * Object keys are looked up case-insensitively (ARM property names and
 * Azure Policy aliases are case-insensitive); the original spelling is kept.
 * When an object has a key more than once (in any case), lookups return the
 * last occurrence, as jq, Python and JavaScript do: the value a rule checks
 * is the one those tools show for the same file. Every member is kept, so
 * renderers of whole values still write them all.
 * Numbers keep their source text, so huge or precise numbers survive.
 *
 * Threads: the functions that take a const jv_store * only read it, so
 * several threads may read one store at once (the engine evaluates rules in
 * parallel over the inventory's) as long as none of them builds or interns
 * into it meanwhile. A builder and its store belong to one thread.
 */
#ifndef JV_H
#define JV_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t jv_t;    /* a node; JV_MISSING (0) means "absent" */
typedef uint32_t jv_atom; /* an interned string; 0 is the empty string */

#define JV_MISSING 0u

enum jv_kind { JV_KIND_MISSING = 0, JV_NULL, JV_FALSE, JV_TRUE, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

typedef struct jv_store jv_store;

jv_store *jv_store_new(void);
void jv_store_free(jv_store *s);
size_t jv_store_bytes(const jv_store *s); /* memory held, for --verbose and benchmarks */

/* ---- atoms ---- */
jv_atom jv_intern(jv_store *s, const char *str, size_t len);
/* The atom for str if it was interned, else 0 (0 is also ""), without adding it. */
jv_atom jv_lookup_atom(const jv_store *s, const char *str, size_t len);
/* The same for the ASCII-lower-cased str, without making the lower-cased copy. */
jv_atom jv_lookup_fold(const jv_store *s, const char *str, size_t len);
const char *jv_atom_str(const jv_store *s, jv_atom a, size_t *len); /* NUL-terminated */
/* The atom of the ASCII-lower-cased string: equal folds = case-insensitively equal. */
jv_atom jv_atom_fold(const jv_store *s, jv_atom a);

/* ---- reading values ---- */
enum jv_kind jv_kind(const jv_store *s, jv_t v);
size_t jv_len(const jv_store *s, jv_t v);                 /* members of an array or object; else 0 */
jv_t jv_at(const jv_store *s, jv_t v, size_t i);          /* i-th element / member value */
jv_atom jv_key_atom(const jv_store *s, jv_t v, size_t i); /* i-th member's key */
/* Member by key, ASCII case-insensitive; JV_MISSING if absent or v not an object. */
jv_t jv_get(const jv_store *s, jv_t obj, const char *key, size_t keylen);
jv_t jv_get_atom(const jv_store *s, jv_t obj, jv_atom key); /* same, key pre-interned */
/* String or number text; NULL for other kinds. */
const char *jv_str(const jv_store *s, jv_t v, size_t *len);
jv_atom jv_str_atom(const jv_store *s, jv_t v); /* 0 unless string/number */
/* Convenience: the string at obj.key, or NULL. */
const char *jv_get_str(const jv_store *s, jv_t obj, const char *key);

/* ---- building values (used by the parser and by code that makes literals) ----
 * Calls nest like the JSON text: begin_object, key, value, ..., end.
 * Each finished top-level value is returned by jv_build_end/jv_build_scalar
 * when the nesting depth returns to zero. */
typedef struct jv_builder jv_builder;
jv_builder *jv_builder_new(jv_store *s);
void jv_builder_free(jv_builder *b);
void jv_build_key(jv_builder *b, const char *key, size_t len);
/* Each returns the finished value when it completes a top-level value, else JV_MISSING. */
jv_t jv_build_scalar(jv_builder *b, enum jv_kind kind, const char *text, size_t len);
void jv_build_begin(jv_builder *b, enum jv_kind container); /* JV_ARRAY or JV_OBJECT */
jv_t jv_build_end(jv_builder *b);
size_t jv_build_depth(const jv_builder *b); /* open containers */
/* Drops every open container (after a parse error), keeping the store valid. */
void jv_build_reset(jv_builder *b);

/* The same with text already interned (a is what jv_intern gave for it),
 * for a caller that keeps its own map of recurring strings. Such a caller
 * calls jv_remember_fold once per key it will pass as an atom: lookups by
 * key (jv_get) then find its folded form first. */
void jv_build_key_atom(jv_builder *b, jv_atom key);
jv_t jv_build_scalar_atom(jv_builder *b, enum jv_kind kind, jv_atom a);
void jv_remember_fold(jv_store *s, jv_atom key);

/* Makes a string / number value directly (outside any container). */
jv_t jv_make_string(jv_store *s, const char *str, size_t len);

/* Adds a deep copy of v (from src, which may be the builder's own store) as
 * the next value of the builder. */
void jv_build_copy(jv_builder *b, const jv_store *src, jv_t v);

/* Deep-copies v from one store into another (e.g. rule literals). */
jv_t jv_copy(jv_store *dst, const jv_store *src, jv_t v);

#endif
