/*
 * pack.c - rule packs: the built-in pack, users' directories, pack.yaml
 * manifests (name, version, parameters), overrides by id.
 *
 * Rules are added in batches (the built-in files, one directory, one file):
 * a duplicate id inside a batch is an error naming both places; an id
 * already in the pack is replaced (that is how --rules overrides a built-in).
 * After every batch the pack is re-finalised: rules sorted by id, {param:}
 * references resolved to parameter indexes, the pack's sha256 recomputed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/yamldoc.h"
#include "builtin.h"
#include "cond.h"

#define MAX_DIR_DEPTH 16

rule_pack *rule_pack_new(const char *name, const char *version) {
    rule_pack *p = lz_calloc(1, sizeof *p);
    p->name = lz_strdup(name);
    p->version = lz_strdup(version);
    p->priv = lz_calloc(1, sizeof *p->priv);
    p->priv->store = jv_store_new();
    lz_sha256_hex("", 0, p->sha256);
    return p;
}

void rule_pack_free(rule_pack *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) rule_free(p->rules[i]);
    free(p->rules);
    for (size_t i = 0; i < p->nparams; i++) {
        free(p->params[i].name);
        free(p->params[i].description);
        free(p->params[i].default_yaml);
    }
    free(p->params);
    jv_store_free(p->priv->store);
    free(p->priv->defaults);
    free(p->priv);
    free(p->name);
    free(p->version);
    free(p);
}

static int by_id(const void *a, const void *b) {
    return strcmp((*(rule *const *)a)->id, (*(rule *const *)b)->id);
}

const rule *rule_pack_find(const rule_pack *p, const char *id) {
    for (size_t i = 0; i < p->n; i++)
        if (lz_strcaseeq(p->rules[i]->id, strlen(p->rules[i]->id), id, strlen(id))) return p->rules[i];
    return NULL;
}

/* ---- finalising ---- */

static int resolve_param(rval *v, void *ctx) {
    const rule_pack *p = ctx;
    v->param = -1;
    if (v->kind != RV_PARAM) return 0;
    for (size_t i = 0; i < p->nparams; i++)
        if (strcmp(p->params[i].name, v->name) == 0) v->param = (int)i;
    return 0;
}

static void finalize(rule_pack *p) {
    if (p->n > 1) qsort(p->rules, p->n, sizeof *p->rules, by_id);
    lz_buf all = {0};
    for (size_t i = 0; i < p->n; i++) {
        cond_each_rval(p->rules[i]->body, resolve_param, p);
        lz_buf_puts(&all, p->rules[i]->sha256);
    }
    lz_sha256_hex(all.data ? all.data : "", all.len, p->sha256);
    lz_buf_free(&all);
}

/* ---- pack.yaml ---- */

static void set_param(rule_pack *p, const char *name, const char *desc, jv_t def) {
    size_t i = 0;
    while (i < p->nparams && strcmp(p->params[i].name, name) != 0) i++;
    if (i == p->nparams) {
        lz_grow(&p->params, &p->priv->capparams, p->nparams + 1, sizeof *p->params);
        size_t cap = p->priv->capparams;
        p->priv->defaults = lz_realloc(p->priv->defaults, cap * sizeof *p->priv->defaults);
        p->params[p->nparams++] = (rule_param){lz_strdup(name), NULL, NULL};
    }
    rule_param *rp = &p->params[i];
    free(rp->description);
    free(rp->default_yaml);
    rp->description = lz_strdup(desc);
    /* JSON is YAML: the default's JSON text is valid YAML for docs. */
    rp->default_yaml = jtext_dup(p->priv->store, def);
    p->priv->defaults[i] = def;
}

static int load_param(rule_pack *p, ynode k, ynode v, lz_err *e) {
    static const char *const keys[] = {"description", "default", NULL};
    if (!yn_is_scalar(k)) return yn_errf(e, k, "parameter names must be strings");
    char what[256];
    snprintf(what, sizeof what, "parameter '%s' (expected description: and default:)", yn_str(k));
    if (yn_check_keys(v, keys, what, e) < 0) return -1;
    ynode desc = yn_get(v, "description"), def = yn_get(v, "default");
    if (!yn_ok(def)) return yn_errf(e, v, "parameter '%s' needs a default", yn_str(k));
    if (!yn_is_scalar(desc) || yn_strlen(desc) == 0)
        return yn_errf(e, yn_ok(desc) ? desc : v, "parameter '%s' needs a description", yn_str(k));
    jv_t val;
    if (yn_to_jv(def, p->priv->store, &val, e) < 0) return -1;
    set_param(p, yn_str(k), yn_str(desc), val);
    return 0;
}

static int load_identity(rule_pack *p, ynode id, lz_err *e) {
    static const char *const keys[] = {"name", "version", NULL};
    if (yn_check_keys(id, keys, "pack (expected name: and version:)", e) < 0) return -1;
    ynode name = yn_get(id, "name"), version = yn_get(id, "version");
    if (!yn_is_scalar(name) || !yn_strlen(name)) return yn_errf(e, id, "pack needs a name");
    if (!yn_is_scalar(version) || !yn_strlen(version)) return yn_errf(e, id, "pack needs a version");
    free(p->name);
    free(p->version);
    p->name = lz_strdup(yn_str(name));
    p->version = lz_strdup(yn_str(version));
    return 0;
}

/* identity: the manifest names the pack (built-in, rule_pack_load_path);
 * a --rules directory's manifest only declares parameters. */
static int load_manifest(rule_pack *p, ydoc *d, bool identity, lz_err *e) {
    static const char *const keys[] = {"pack", "parameters", NULL};
    if (ydoc_count(d) != 1) return lz_errf(e, "%s:1:1: a pack manifest is one YAML document", ydoc_name(d));
    ynode root = ydoc_root(d, 0);
    if (yn_check_keys(root, keys, "pack manifest (expected pack: and parameters:)", e) < 0) return -1;
    ynode id = yn_get(root, "pack"), params = yn_get(root, "parameters");
    if (yn_ok(id) && identity && load_identity(p, id, e) < 0) return -1;
    if (yn_ok(id) && !identity &&
        yn_check_keys(id, (const char *const[]){"name", "version", NULL}, "pack", e) < 0)
        return -1;
    if (!yn_ok(params) || yn_is_null(params)) return 0;
    if (!yn_is_map(params)) return yn_errf(e, params, "parameters must be a mapping of names");
    for (size_t i = 0; i < yn_len(params); i++)
        if (load_param(p, yn_key(params, i), yn_val(params, i), e) < 0) return -1;
    return 0;
}

static bool is_manifest(const char *path) {
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' || *c == ':') base = c + 1; /* "dir/pack.yaml", "builtin:pack.yaml" */
    return strcmp(base, "pack.yaml") == 0 || strcmp(base, "pack.yml") == 0;
}

/* ---- batches ---- */

typedef struct batch {
    rule **rules;
    size_t n, cap;
    bool identity;
} batch;

static void batch_free(batch *b) {
    for (size_t i = 0; i < b->n; i++) rule_free(b->rules[i]);
    free(b->rules);
}

/* Rules of d were appended at [first, b->n): refuse an id the batch has. */
static int check_duplicates(batch *b, size_t first, ydoc *d, lz_err *e) {
    for (size_t i = first; i < b->n; i++) {
        const rule *r = b->rules[i];
        for (size_t j = 0; j < i; j++) {
            const rule *o = b->rules[j];
            if (!lz_strcaseeq(r->id, strlen(r->id), o->id, strlen(o->id))) continue;
            ynode idnode = yn_get(ydoc_root(d, i - first), "id");
            return yn_errf(e, idnode, "duplicate rule id '%s' (also in %s:%d)", r->id, o->source, o->line);
        }
    }
    return 0;
}

static int batch_add(rule_pack *p, batch *b, const char *name, const char *data, size_t len, lz_err *e) {
    ydoc *d;
    if (ydoc_load_buffer(&d, name, data, len, e) < 0) return -1;
    int rc;
    if (is_manifest(name)) {
        rc = load_manifest(p, d, b->identity, e);
    } else {
        size_t first = b->n;
        rc = rule_load_doc(d, name, p->priv->store, &b->rules, &b->n, &b->cap, e);
        if (rc == 0) rc = check_duplicates(b, first, d, e);
    }
    ydoc_free(d);
    return rc;
}

/* Moves the batch's rules into the pack: same id replaces. */
static void batch_commit(rule_pack *p, batch *b) {
    size_t cap = p->n;
    for (size_t i = 0; i < b->n; i++) {
        rule *r = b->rules[i];
        size_t j = 0;
        while (j < p->n && !lz_strcaseeq(p->rules[j]->id, strlen(p->rules[j]->id), r->id, strlen(r->id))) j++;
        if (j < p->n) {
            rule_free(p->rules[j]);
            p->rules[j] = r;
        } else {
            LZ_PUSH(p->rules, p->n, cap, r);
        }
    }
    free(b->rules);
    *b = (batch){0};
    finalize(p);
}

int rule_pack_add_buffer(rule_pack *p, const char *name, const char *data, size_t len, lz_err *e) {
    batch b = {0};
    if (batch_add(p, &b, name, data, len, e) < 0) {
        batch_free(&b);
        return -1;
    }
    batch_commit(p, &b);
    return 0;
}

/* ---- the built-in pack ---- */

int rule_pack_builtin(rule_pack **out, lz_err *e) {
    rule_pack *p = rule_pack_new("builtin", "0.0.0");
    batch b = {NULL, 0, 0, true};
    for (const struct lz_builtin_file *f = lz_builtin_files; f->name; f++) {
        char *name = lz_asprintf("builtin:%s", f->name);
        int rc = batch_add(p, &b, name, f->data, f->len, e);
        free(name);
        if (rc < 0) {
            batch_free(&b);
            rule_pack_free(p);
            *out = NULL;
            return -1;
        }
    }
    batch_commit(p, &b);
    *out = p;
    return 0;
}

/* ---- directories ---- */

static bool yaml_name(const char *n) {
    size_t l = strlen(n);
    return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) || (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

static int by_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct filelist {
    char **v;
    size_t n, cap;
} filelist;

/* Every *.yaml / *.yml under dir, recursively, in sorted order. */
static int list_dir(const char *dir, int depth, filelist *out, lz_err *e) {
    if (depth > MAX_DIR_DEPTH) return lz_errf(e, "%s: directories nested deeper than %d", dir, MAX_DIR_DEPTH);
    DIR *d = opendir(dir);
    if (!d) return lz_errf(e, "%s: %s", dir, strerror(errno));
    filelist names = {0};
    for (struct dirent *de; (de = readdir(d));)
        if (de->d_name[0] != '.') LZ_PUSH(names.v, names.n, names.cap, lz_strdup(de->d_name));
    closedir(d);
    if (names.n > 1) qsort(names.v, names.n, sizeof *names.v, by_str);
    int rc = 0;
    for (size_t i = 0; i < names.n; i++) {
        char *full = lz_asprintf("%s/%s", dir, names.v[i]);
        struct stat st;
        if (rc == 0 && stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = list_dir(full, depth + 1, out, e);
        } else if (rc == 0 && yaml_name(names.v[i])) {
            LZ_PUSH(out->v, out->n, out->cap, full);
            full = NULL;
        }
        free(full);
        free(names.v[i]);
    }
    free(names.v);
    return rc;
}

static int add_path(rule_pack *p, const char *path, bool identity, lz_err *e) {
    struct stat st;
    if (stat(path, &st) < 0) return lz_errf(e, "%s: %s", path, strerror(errno));
    filelist files = {0};
    if (S_ISDIR(st.st_mode)) {
        size_t l = strlen(path);
        char *dir = lz_strndup(path, l > 1 && path[l - 1] == '/' ? l - 1 : l);
        int rc = list_dir(dir, 0, &files, e);
        free(dir);
        if (rc < 0) goto fail;
    } else {
        LZ_PUSH(files.v, files.n, files.cap, lz_strdup(path));
    }
    batch b = {NULL, 0, 0, identity};
    for (size_t i = 0; i < files.n; i++) {
        char *text = NULL;
        size_t len = 0;
        int rc = lz_read_file(files.v[i], &text, &len, e);
        if (rc == 0) rc = batch_add(p, &b, files.v[i], text, len, e);
        free(text);
        if (rc < 0) {
            batch_free(&b);
            goto fail;
        }
    }
    batch_commit(p, &b);
    for (size_t i = 0; i < files.n; i++) free(files.v[i]);
    free(files.v);
    return 0;
fail:
    for (size_t i = 0; i < files.n; i++) free(files.v[i]);
    free(files.v);
    return -1;
}

int rule_pack_add_dir(rule_pack *p, const char *dir, lz_err *e) {
    return add_path(p, dir, false, e);
}

int rule_pack_load_path(rule_pack **out, const char *path, lz_err *e) {
    const char *base = strrchr(path, '/');
    base = (base && base[1]) ? base + 1 : path;
    rule_pack *p = rule_pack_new(base, "0.0.0");
    if (add_path(p, path, true, e) < 0) {
        rule_pack_free(p);
        *out = NULL;
        return -1;
    }
    *out = p;
    return 0;
}
