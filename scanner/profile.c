/*
 * profile.c - see profile.h. The YAML is read once into the profile's own
 * jv store; the position of every parameter and fact key is kept so that the
 * engine (undeclared parameter) and topology (unknown fact) can name it.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "../common/yamldoc.h"

typedef struct pkey {
    char *section, *key, *where;
} pkey;

struct profile {
    char *path;
    jv_store *s;
    jv_t params, facts;
    pkey *keys;
    size_t nkeys, capkeys;
};

profile *profile_new(void) {
    profile *p = lz_calloc(1, sizeof *p);
    p->s = jv_store_new();
    return p;
}

void profile_free(profile *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nkeys; i++) {
        free(p->keys[i].section);
        free(p->keys[i].key);
        free(p->keys[i].where);
    }
    free(p->keys);
    jv_store_free(p->s);
    free(p->path);
    free(p);
}

const jv_store *profile_store(const profile *p) {
    return p->s;
}
jv_t profile_parameters(const profile *p) {
    return p->params;
}
jv_t profile_facts(const profile *p) {
    return p->facts;
}
const char *profile_path(const profile *p) {
    return p->path;
}

const char *profile_where(const profile *p, const char *section, const char *key) {
    for (size_t i = 0; i < p->nkeys; i++)
        if (strcmp(p->keys[i].section, section) == 0 && strcmp(p->keys[i].key, key) == 0)
            return p->keys[i].where;
    return p->path ? p->path : "profile";
}

/* One section: a mapping of names to values (null or empty = no entries). */
static int load_section(profile *p, ynode sec, const char *name, jv_t *out, lz_err *e) {
    if (!yn_ok(sec) || yn_is_null(sec)) return 0;
    if (!yn_is_map(sec)) return yn_errf(e, sec, "'%s' must be a mapping of names to values", name);
    size_t n = yn_len(sec);
    for (size_t i = 0; i < n; i++) {
        ynode k = yn_key(sec, i);
        if (!yn_is_scalar(k)) return yn_errf(e, k, "%s: names must be strings", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(yn_str(yn_key(sec, j)), yn_str(k)) == 0)
                return yn_errf(e, k, "%s: '%s' is set twice", name, yn_str(k));
        pkey pk = {lz_strdup(name), lz_strdup(yn_str(k)),
                   lz_asprintf("%s:%d:%d", p->path, yn_line(k), yn_col(k))};
        LZ_PUSH(p->keys, p->nkeys, p->capkeys, pk);
    }
    return yn_to_jv(sec, p->s, out, e);
}

static int load_root(profile *p, ydoc *d, lz_err *e) {
    if (ydoc_count(d) > 1) {
        ynode second = ydoc_root(d, 1);
        return yn_errf(e, second, "a profile is one YAML document");
    }
    ynode root = ydoc_root(d, 0);
    if (!yn_ok(root) || yn_is_null(root)) return 0; /* an empty profile overrides nothing */
    static const char *const keys[] = {"parameters", "facts", NULL};
    if (yn_check_keys(root, keys, "profile (expected parameters: and facts:)", e) < 0) return -1;
    if (load_section(p, yn_get(root, "parameters"), "parameters", &p->params, e) < 0) return -1;
    return load_section(p, yn_get(root, "facts"), "facts", &p->facts, e);
}

/* Builds the profile from a loaded YAML file (freed here either way). */
static int profile_from_doc(profile **out, const char *name, ydoc *d, lz_err *e) {
    profile *p = profile_new();
    p->path = lz_strdup(name);
    int rc = load_root(p, d, e);
    ydoc_free(d);
    if (rc < 0) {
        profile_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int profile_load(profile **out, const char *path, lz_err *e) {
    *out = NULL;
    ydoc *d;
    if (ydoc_load_file(&d, path, e) < 0) return -1;
    return profile_from_doc(out, path, d, e);
}

int profile_load_buffer(profile **out, const char *name, const char *data, size_t len, lz_err *e) {
    *out = NULL;
    ydoc *d;
    if (ydoc_load_buffer(&d, name, data, len, e) < 0) return -1;
    return profile_from_doc(out, name, d, e);
}
