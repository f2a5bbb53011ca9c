#include "out_common.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "../scanner/armid.h"

static char *slice_dup(armid_slice s) {
    return s.len ? lz_strndup(s.p, s.len) : NULL;
}

/* The type of the evaluated resource as read (original case), else the
 * folded type the inventory indexed. */
static const char *res_type(const inv *v, const inv_res *res) {
    const char *t = jv_get_str(inv_cstore(v), res->obj, "type");
    return t ? t : inv_str(v, res->type_fold);
}

/* If subject is "{resid}/{key}/{name}" returns key (length in *klen), else NULL. */
static const char *child_key(const char *subject, const char *resid, size_t *klen) {
    size_t n = strlen(resid);
    if (!n || strlen(subject) <= n + 1 || !lz_strcaseeq(subject, n, resid, n) || subject[n] != '/')
        return NULL;
    const char *key = subject + n + 1, *slash = strchr(key, '/');
    if (!slash || slash == key || !slash[1] || strchr(slash + 1, '/')) return NULL;
    *klen = (size_t)(slash - key);
    return key;
}

static void from_inventory(const report *r, const finding *f, out_subject *s) {
    if (!r->inv || f->resource == INV_NONE || f->resource >= inv_count(r->inv)) return;
    const inv_res *res = inv_get(r->inv, f->resource);
    const char *type = res_type(r->inv, res), *resid = inv_str(r->inv, res->id);
    size_t klen = 0;
    const char *key = f->subject_id && resid ? child_key(f->subject_id, resid, &klen) : NULL;
    if (type && *type) s->type = key ? lz_asprintf("%s/%.*s", type, (int)klen, key) : lz_strdup(type);
    if (!s->name && !key && res->name) s->name = lz_strdup(inv_str(r->inv, res->name));
    if (!s->subscription && res->subscription)
        s->subscription = lz_strdup(inv_str(r->inv, res->subscription));
    if (!s->resource_group && res->resource_group)
        s->resource_group = lz_strdup(inv_str(r->inv, res->resource_group));
}

void out_subject_get(const report *r, const finding *f, out_subject *s) {
    *s = (out_subject){0};
    armid id;
    const char *sid = f->subject_id ? f->subject_id : "";
    if (armid_parse(sid, strlen(sid), &id) == 0) {
        s->name = slice_dup(id.name);
        s->subscription = slice_dup(id.subscription);
        s->resource_group = slice_dup(id.resource_group);
    }
    from_inventory(r, f, s);
    if (s->subscription) lz_lower(s->subscription, strlen(s->subscription));
}

void out_subject_free(out_subject *s) {
    free(s->type);
    free(s->name);
    free(s->subscription);
    free(s->resource_group);
    *s = (out_subject){0};
}

bool out_rfc3339(time_t t, char buf[32]) {
    struct tm tm;
    buf[0] = '\0';
    if (t == 0 || !gmtime_r(&t, &tm)) return false;
    return strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

/* ---- scope ---- */

/* The deepest management group every chain shares. Chains are nearest
 * first, so they are compared from their ends (the root). */
static const char *common_mg(const report *r) {
    const inv *v = r->inv;
    const jv_atom *first = NULL, *names;
    size_t common = 0, nfirst = 0;
    bool any = false;
    for (size_t i = 0; i < inv_count(v); i++) {
        const inv_res *res = inv_get(v, (inv_idx)i);
        if (res->cls != INV_SUBSCRIPTION || !res->subscription) continue;
        size_t n = inv_mg_chain(v, res->subscription, &names);
        if (!n) continue;
        if (!any) {
            first = names;
            common = nfirst = n;
            any = true;
            continue;
        }
        size_t k = 0;
        while (k < common && k < n && names[n - 1 - k] == first[nfirst - 1 - k]) k++;
        common = k;
    }
    return any && common ? inv_str(v, first[nfirst - common]) : NULL;
}

static const char *only_subscription(const report *r) {
    jv_atom only = 0;
    for (size_t i = 0; i < inv_count(r->inv); i++) {
        jv_atom s = inv_get(r->inv, (inv_idx)i)->subscription;
        if (!s) continue;
        if (only && s != only) return NULL;
        only = s;
    }
    return only ? inv_str(r->inv, only) : NULL;
}

static char *input_stem(const char *path) {
    char *copy = lz_strdup(path);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/') copy[--n] = '\0';
    char *stem = lz_strdup(basename(copy));
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem) *dot = '\0';
    free(copy);
    return stem;
}

char *out_scan_scope(const report *r) {
    if (r->scope && *r->scope) return lz_strdup(r->scope);
    const char *s = r->inv ? common_mg(r) : NULL;
    if (!s && r->inv) s = only_subscription(r);
    if (s && *s) return lz_strdup(s);
    return r->ninputs ? input_stem(r->inputs[0]) : lz_strdup("offline");
}
