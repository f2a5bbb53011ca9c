/*
 * fuzz_jpath - value paths of the rule language. The input's first line is
 * a path; the rest is a YAML/JSON document to walk (a fixed one when the
 * rest does not parse).
 *
 * Oracles: compile errors are values; jpath_walk's count matches its
 * visits; a wildcard-free path gives with jpath_get what the walk visits;
 * every concrete path the walk reports, when it compiles, leads back to the
 * value it was reported for (evidence paths point at what was checked).
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../common/yamldoc.h"
#include "../../scanner/jpath.h"
#include "fuzz_util.h"

static const char fixed_doc[] =
    "{\"properties\": {\"subnets\": [{\"name\": \"a\", \"properties\": {\"routeTable\": {\"id\": \"x\"}}},"
    " {\"name\": \"b.c\", \"it's\": [1, [2, 3]]}], \"Tags\": {\"hidden-link:/x\": \"v\", \"a.b\": {\"[c]\": "
    "1},"
    " \"q\\\"k\": 2, \"\": 3, \"dup\": 4, \"DUP\": 5, \"both'\\\"\": 6}}}";

typedef struct visit_ctx {
    const jv_store *s;
    size_t calls;
    jv_t last;
} visit_ctx;

static void visit(jv_t value, const char *concrete, void *ctx) {
    visit_ctx *c = ctx;
    c->calls++;
    c->last = value;
}

static void walk_doc(const jv_store *s, jv_t root, const jpath *p) {
    visit_ctx c = {s, 0, JV_MISSING};
    size_t n = jpath_walk(s, root, p, visit, &c);
    FUZZ_CHECK(n == c.calls, "jpath_walk's count differs from its visits", NULL, 0);
    if (!jpath_has_wildcard(p)) {
        FUZZ_CHECK(n <= 1, "a wildcard-free path reached several values", NULL, 0);
        jv_t got = jpath_get(s, root, p);
        FUZZ_CHECK(got == (n ? c.last : JV_MISSING), "jpath_get differs from jpath_walk", NULL, 0);
    }
}

/* Checks that each concrete path compiles and resolves, from root, to the
 * visited value. A key holding both quote characters cannot be written as a
 * path, nor can one holding a NUL (docs with those are only walked). */
typedef struct round_ctx {
    const jv_store *s;
    jv_t root;
} round_ctx;

static void round_trip(jv_t value, const char *concrete, void *ctx) {
    round_ctx *c = ctx;
    lz_err e;
    jpath *back = jpath_compile(concrete, &e);
    if (!back) {
        FUZZ_CHECK(strchr(concrete, '\'') && strchr(concrete, '"'), "a concrete path does not compile",
                   concrete, strlen(concrete));
        return;
    }
    FUZZ_CHECK(jpath_get(c->s, c->root, back) == value, "a concrete path leads elsewhere", concrete,
               strlen(concrete));
    jpath_free(back);
}

static bool has_nul_key(const jv_store *s, jv_t v) {
    size_t n = jv_len(s, v);
    for (size_t i = 0; i < n; i++) {
        if (jv_kind(s, v) == JV_OBJECT) {
            size_t klen;
            const char *k = jv_atom_str(s, jv_key_atom(s, v, i), &klen);
            if (memchr(k, '\0', klen)) return true;
        }
        if (has_nul_key(s, jv_at(s, v, i))) return true;
    }
    return false;
}

static jv_t load_doc(jv_store *s, const char *text, size_t len) {
    ydoc *d = NULL;
    lz_err e;
    jv_t out = JV_MISSING;
    if (ydoc_load_buffer(&d, "doc", text, len, &e) == 0) {
        ynode root = ydoc_root(d, 0);
        if (ydoc_count(d) < 1 || !yn_ok(root) || yn_to_jv(root, s, &out, &e) < 0) out = JV_MISSING;
        ydoc_free(d);
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    char *path = fuzz_cstr(data, plen);
    jv_store *s = jv_store_new();
    jv_t root = nl ? load_doc(s, (const char *)nl + 1, size - plen - 1) : JV_MISSING;
    if (root == JV_MISSING) root = load_doc(s, fixed_doc, sizeof fixed_doc - 1);
    lz_err e;
    jpath *p = jpath_compile(path, &e);
    if (p) {
        FUZZ_CHECK(strcmp(jpath_text(p), path) == 0, "jpath_text differs from the source", path, plen);
        walk_doc(s, root, p);
        round_ctx rc = {s, root};
        if (!has_nul_key(s, root)) jpath_walk(s, root, p, round_trip, &rc);
        jpath_free(p);
    } else {
        FUZZ_CHECK(e.msg[0] != '\0', "a compile error without a message", path, plen);
    }
    jv_store_free(s);
    free(path);
    return 0;
}
