/*
 * exempt.c - see exempt.h. Loading does every check up front (a typo in an
 * exemption must fail the pipeline, not silently exempt nothing); matching
 * then only compares folded strings.
 */
#include "exempt.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "../common/lztime.h"
#include "../common/yamldoc.h"
#include "../scanner/armid.h"

/* Limits turn a catastrophic regex into "no match" plus a warning, never a hang. */
#define EX_MATCH_LIMIT 1000000u
#define EX_DEPTH_LIMIT 10000u

typedef struct xtag {
    char *key, *value;
} xtag;

typedef struct xsel {
    char *resource_id; /* exact or glob */
    pcre2_code *re;
    pcre2_match_context *mctx;
    char *mg, *sub, *rg; /* lower-cased */
    xtag *tags;
    size_t ntags;
} xsel;

typedef struct xentry {
    char **rules;
    size_t nrules, caprules;
    xsel sel;
    char *justification, *owner, *ticket, *expires;
    time_t ends; /* first second after the expiry day */
    char *where; /* file:line:column */
} xentry;

struct exempt_set {
    char *name; /* the file, for the report */
    xentry *v;
    size_t n, cap;
};

/* ---- globs ---- */

static char fold(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* The end of the bracket expression starting at p ('['), or NULL if unclosed. */
static const char *class_end(const char *p) {
    const char *q = p + 1;
    if (*q == '!' || *q == '^') q++;
    if (*q == ']') q++; /* a leading ] is a member */
    for (; *q && *q != ']'; q++)
        if (*q == '\\' && q[1]) q++;
    return *q ? q : NULL;
}

bool exempt_glob_valid(const char *p, const char **why) {
    for (; *p; p++) {
        if (*p == '\\' && !p[1]) {
            *why = "ends with a lone backslash";
            return false;
        }
        if (*p == '\\') {
            p++;
        } else if (*p == '[') {
            const char *end = class_end(p);
            if (!end) {
                *why = "has a '[' without its ']'";
                return false;
            }
            p = end;
        }
    }
    return true;
}

static bool class_match(const char *p, const char *end, char c) {
    bool neg = (*p == '!' || *p == '^'), hit = false;
    if (neg) p++;
    for (const char *q = p; q < end; q++) {
        char lo = *q == '\\' ? *++q : *q;
        char hi = lo;
        if (q + 2 < end && q[1] == '-') {
            q += 2;
            hi = *q == '\\' ? *++q : *q;
        }
        if ((fold(c) >= fold(lo) && fold(c) <= fold(hi)) || (c >= lo && c <= hi)) hit = true;
    }
    return hit != neg;
}

/* Does the single-character pattern element at p match c? *len receives
 * the element's length in the pattern. */
static bool one_match(const char *p, char c, size_t *len) {
    if (*p == '?') {
        *len = 1;
        return true;
    }
    if (*p == '[') {
        const char *end = class_end(p);
        if (end) {
            *len = (size_t)(end - p) + 1;
            return class_match(p + 1, end, c);
        }
    }
    if (*p == '\\' && p[1]) {
        *len = 2;
        return fold(p[1]) == fold(c);
    }
    *len = 1;
    return fold(*p) == fold(c);
}

/* Iterative matching with one backtrack point (the last star): linear in
 * practice and never exponential, whatever the pattern. */
bool exempt_glob_match(const char *p, const char *s) {
    const char *star_p = NULL, *star_s = NULL;
    while (*s) {
        if (*p == '*') {
            while (*p == '*') p++;
            if (!*p) return true;
            star_p = p;
            star_s = s;
            continue;
        }
        size_t len;
        if (*p && one_match(p, *s, &len)) {
            p += len;
            s++;
            continue;
        }
        if (!star_p) return false;
        p = star_p;
        s = ++star_s;
    }
    while (*p == '*') p++;
    return !*p;
}

static bool has_glob(const char *s) {
    return strpbrk(s, "*?[\\") != NULL;
}

/* ---- loading ---- */

typedef struct xload {
    exempt_set *set;
    lz_err *e;
} xload;

static char *lower_dup(const char *s) {
    char *d = lz_strdup(s);
    lz_lower(d, strlen(d));
    return d;
}

static bool blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

/* A required scalar with text. */
static int text_field(ynode item, const char *key, char **out, lz_err *e) {
    ynode v = yn_get(item, key);
    if (!yn_ok(v))
        return yn_errf(e, item,
                       "exemption: '%s' is missing (every exemption needs rules, selector, "
                       "justification, owner, ticket and expires)",
                       key);
    if (!yn_is_scalar(v)) return yn_errf(e, v, "exemption: '%s' must be text", key);
    if (yn_is_null(v) || blank(yn_str(v))) return yn_errf(e, v, "exemption: '%s' must not be empty", key);
    *out = lz_strdup(yn_str(v));
    return 0;
}

static int rule_pattern(ynode y, xentry *x, lz_err *e) {
    if (!yn_is_scalar(y) || yn_is_null(y) || blank(yn_str(y)))
        return yn_errf(e, y, "exemption: each of 'rules' must be a rule id or glob");
    const char *why;
    if (!exempt_glob_valid(yn_str(y), &why))
        return yn_errf(e, y, "exemption: rule glob '%s' %s", yn_str(y), why);
    char *p = lz_strdup(yn_str(y));
    LZ_PUSH(x->rules, x->nrules, x->caprules, p);
    return 0;
}

static int rules_field(ynode item, xentry *x, lz_err *e) {
    ynode v = yn_get(item, "rules");
    if (!yn_ok(v)) return yn_errf(e, item, "exemption: 'rules' is missing (a list of rule ids or globs)");
    if (yn_is_scalar(v)) return rule_pattern(v, x, e); /* one id without brackets */
    if (!yn_is_seq(v) || yn_len(v) == 0)
        return yn_errf(e, v, "exemption: 'rules' must be a non-empty list of rule ids or globs");
    for (size_t i = 0; i < yn_len(v); i++)
        if (rule_pattern(yn_item(v, i), x, e) < 0) return -1;
    return 0;
}

static int sel_text(ynode v, const char *key, lz_err *e) {
    if (!yn_is_scalar(v) || yn_is_null(v) || blank(yn_str(v)))
        return yn_errf(e, v, "selector: '%s' must be non-empty text", key);
    return 0;
}

static int sel_regex(ynode v, xsel *s, lz_err *e) {
    int code;
    PCRE2_SIZE off;
    s->re = pcre2_compile((PCRE2_SPTR)yn_str(v), yn_strlen(v),
                          PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
    if (!s->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        return yn_errf(e, v, "selector: bad resourceIdRegex '%s': %s at offset %zu", yn_str(v),
                       (const char *)msg, (size_t)off);
    }
    s->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(s->mctx, EX_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, EX_DEPTH_LIMIT);
    return 0;
}

static int sel_tags(ynode v, xsel *s, lz_err *e) {
    if (!yn_is_map(v) || yn_len(v) == 0)
        return yn_errf(e, v,
                       "selector: 'tag' must be a mapping of tag names to values, e.g. {environment: "
                       "sandbox}");
    s->tags = lz_calloc(yn_len(v), sizeof *s->tags);
    for (size_t i = 0; i < yn_len(v); i++) {
        ynode k = yn_key(v, i), val = yn_val(v, i);
        if (!yn_is_scalar(k) || blank(yn_str(k))) return yn_errf(e, k, "selector: tag names must be text");
        if (!yn_is_scalar(val) || yn_is_null(val))
            return yn_errf(e, val, "selector: tag '%s' needs a value", yn_str(k));
        s->tags[s->ntags++] = (xtag){lz_strdup(yn_str(k)), lz_strdup(yn_str(val))};
    }
    return 0;
}

/* The last path segment of a management group or subscription given as an
 * id (/providers/Microsoft.Management/managementGroups/NAME). */
static const char *last_segment(const char *s) {
    const char *slash = strrchr(s, '/');
    return slash && slash[1] ? slash + 1 : s;
}

static int sel_value(ynode k, ynode v, xsel *s, lz_err *e) {
    const char *key = yn_str(k);
    if (lz_strcaseeq(key, strlen(key), "tag", 3)) return sel_tags(v, s, e);
    if (sel_text(v, key, e) < 0) return -1;
    const char *t = yn_str(v), *why;
    if (lz_strcaseeq(key, strlen(key), "resourceIdRegex", 15)) return sel_regex(v, s, e);
    if (lz_strcaseeq(key, strlen(key), "resourceId", 10)) {
        if (!exempt_glob_valid(t, &why)) return yn_errf(e, v, "selector: resourceId glob '%s' %s", t, why);
        s->resource_id = lz_strdup(t);
    } else if (lz_strcaseeq(key, strlen(key), "managementGroup", 15)) {
        s->mg = lower_dup(last_segment(t));
    } else if (lz_strcaseeq(key, strlen(key), "subscription", 12)) {
        s->sub = lower_dup(last_segment(t));
    } else {
        s->rg = lower_dup(t);
    }
    return 0;
}

static int selector_field(ynode item, xsel *s, lz_err *e) {
    static const char *const keys[] = {
        "resourceId", "resourceIdRegex", "managementGroup", "subscription", "resourceGroup", "tag", NULL};
    ynode v = yn_get(item, "selector");
    if (!yn_ok(v))
        return yn_errf(e, item,
                       "exemption: 'selector' is missing (resourceId, resourceIdRegex, "
                       "managementGroup, subscription, resourceGroup or tag)");
    if (yn_check_keys(v, keys, "selector", e) < 0) return -1;
    if (yn_len(v) == 0)
        return yn_errf(e, v,
                       "selector: give at least one of resourceId, resourceIdRegex, managementGroup, "
                       "subscription, resourceGroup, tag");
    for (size_t i = 0; i < yn_len(v); i++)
        if (sel_value(yn_key(v, i), yn_val(v, i), s, e) < 0) return -1;
    return 0;
}

static int expires_field(ynode item, xentry *x, lz_err *e) {
    if (text_field(item, "expires", &x->expires, e) < 0) return -1;
    time_t day;
    if (!lz_parse_date(x->expires, strlen(x->expires), &day))
        return yn_errf(e, yn_get(item, "expires"), "exemption: expires '%s' is not a date (YYYY-MM-DD)",
                       x->expires);
    x->ends = day + 86400;
    return 0;
}

static void entry_free(xentry *x) {
    for (size_t i = 0; i < x->nrules; i++) free(x->rules[i]);
    free(x->rules);
    free(x->sel.resource_id);
    pcre2_code_free(x->sel.re);
    pcre2_match_context_free(x->sel.mctx);
    free(x->sel.mg);
    free(x->sel.sub);
    free(x->sel.rg);
    for (size_t i = 0; i < x->sel.ntags; i++) {
        free(x->sel.tags[i].key);
        free(x->sel.tags[i].value);
    }
    free(x->sel.tags);
    free(x->justification);
    free(x->owner);
    free(x->ticket);
    free(x->expires);
    free(x->where);
}

static int load_entry(ynode item, const char *name, xentry *x, lz_err *e) {
    static const char *const keys[] = {"rules",   "selector", "justification", "owner", "ticket",
                                       "expires", NULL};
    if (yn_check_keys(item, keys, "exemption", e) < 0) return -1;
    x->where = lz_asprintf("%s:%d:%d", name, yn_line(item), yn_col(item));
    if (rules_field(item, x, e) < 0 || selector_field(item, &x->sel, e) < 0) return -1;
    if (text_field(item, "justification", &x->justification, e) < 0) return -1;
    if (text_field(item, "owner", &x->owner, e) < 0 || text_field(item, "ticket", &x->ticket, e) < 0)
        return -1;
    return expires_field(item, x, e);
}

static int load_doc(ydoc *doc, const char *name, exempt_set *set, lz_err *e) {
    if (ydoc_count(doc) > 1)
        return lz_errf(e, "%s: holds several YAML documents; put every exemption in one `exemptions:` list",
                       name);
    ynode root = ydoc_count(doc) ? ydoc_root(doc, 0) : (ynode){0};
    if (!yn_ok(root) || yn_is_null(root)) return 0; /* an empty file: no exemptions */
    static const char *const keys[] = {"exemptions", NULL};
    if (yn_check_keys(root, keys, "the exemptions file", e) < 0) return -1;
    ynode list = yn_get(root, "exemptions");
    if (!yn_ok(list)) return yn_errf(e, root, "the exemptions file needs an `exemptions:` list");
    if (yn_is_null(list)) return 0;
    if (!yn_is_seq(list)) return yn_errf(e, list, "`exemptions:` must be a list of exemptions");
    for (size_t i = 0; i < yn_len(list); i++) {
        xentry x = {0};
        ynode item = yn_item(list, i);
        if (!yn_is_map(item))
            return yn_errf(e, item, "exemption: each item must be a mapping (rules, selector, ...)");
        if (load_entry(item, name, &x, e) < 0) {
            entry_free(&x);
            return -1;
        }
        LZ_PUSH(set->v, set->n, set->cap, x);
    }
    return 0;
}

int exempt_load_buffer(exempt_set **out, const char *name, const char *data, size_t len, lz_err *e) {
    *out = NULL;
    ydoc *doc;
    if (ydoc_load_buffer(&doc, name, data, len, e) < 0) return -1;
    exempt_set *set = lz_calloc(1, sizeof *set);
    set->name = lz_strdup(name);
    int rc = load_doc(doc, name, set, e);
    ydoc_free(doc);
    if (rc < 0) {
        exempt_free(set);
        return -1;
    }
    *out = set;
    return 0;
}

int exempt_load(exempt_set **out, const char *path, lz_err *e) {
    char *text;
    size_t len;
    *out = NULL;
    if (lz_read_file(path, &text, &len, e) < 0) return -1;
    int rc = exempt_load_buffer(out, path, text, len, e);
    free(text);
    return rc;
}

void exempt_free(exempt_set *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) entry_free(&s->v[i]);
    free(s->v);
    free(s->name);
    free(s);
}

size_t exempt_count(const exempt_set *s) {
    return s ? s->n : 0;
}

/* ---- matching ---- */

/* What a finding is, as the selectors see it. */
typedef struct xsubject {
    const char *id;     /* the result's subject id */
    const char *res_id; /* the evaluated resource's id (differs for elements) */
    const char *sub;    /* lower-cased subscription GUID, or NULL */
    const char *rg;     /* lower-cased resource group, or NULL */
    char *owned_sub, *owned_rg;
    const inv_res *res; /* NULL when the finding names no inventory object */
} xsubject;

static char *slice_lower(armid_slice s) {
    if (!s.len) return NULL;
    char *d = lz_strndup(s.p, s.len);
    lz_lower(d, s.len);
    return d;
}

static void subject_of(const report *r, const finding *f, xsubject *x) {
    *x = (xsubject){.id = f->subject_id ? f->subject_id : ""};
    if (r->inv && f->resource != INV_NONE && f->resource < inv_count(r->inv)) {
        x->res = inv_get(r->inv, f->resource);
        x->res_id = inv_str(r->inv, x->res->id);
        if (x->res->subscription) x->sub = inv_str(r->inv, x->res->subscription);
        if (x->res->resource_group) x->rg = inv_str(r->inv, x->res->resource_group);
    }
    armid id;
    if ((!x->sub || !x->rg) && armid_parse(x->id, strlen(x->id), &id) == 0) {
        if (!x->sub) x->sub = x->owned_sub = slice_lower(id.subscription);
        if (!x->rg) x->rg = x->owned_rg = slice_lower(id.resource_group);
    }
}

static void subject_free(xsubject *x) {
    free(x->owned_sub);
    free(x->owned_rg);
}

static bool id_matches(const char *pattern, const char *id) {
    if (!id) return false;
    if (has_glob(pattern)) return exempt_glob_match(pattern, id);
    return lz_strcaseeq(pattern, strlen(pattern), id, strlen(id));
}

/* 1 match, 0 no match, -1 the regex hit its limits. */
static int regex_matches(const xsel *s, const char *id, pcre2_match_data *md) {
    if (!id) return 0;
    int rc = pcre2_match(s->re, (PCRE2_SPTR)id, strlen(id), 0, 0, md, s->mctx);
    if (rc >= 0) return 1;
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static bool mg_matches(const report *r, const xsubject *x, const char *mg) {
    armid id;
    if (armid_parse(x->id, strlen(x->id), &id) == 0 && id.management_group.len &&
        lz_strcaseeq(id.management_group.p, id.management_group.len, mg, strlen(mg)))
        return true; /* the finding is on the management group itself */
    if (!r->inv || !x->res || !x->res->subscription) return false;
    const jv_atom *names;
    size_t n = inv_mg_chain(r->inv, x->res->subscription, &names);
    for (size_t i = 0; i < n; i++) {
        const char *name = inv_str(r->inv, names[i]);
        if (name && lz_strcaseeq(name, strlen(name), mg, strlen(mg))) return true;
    }
    return false;
}

static bool tags_match(const report *r, const xsubject *x, const xsel *s) {
    if (!r->inv || !x->res) return false;
    const jv_store *st = inv_cstore(r->inv);
    jv_t tags = jv_get(st, x->res->obj, "tags", 4);
    for (size_t i = 0; i < s->ntags; i++) {
        size_t n;
        const char *v = jv_str(st, jv_get(st, tags, s->tags[i].key, strlen(s->tags[i].key)), &n);
        if (!v || !lz_strcaseeq(v, n, s->tags[i].value, strlen(s->tags[i].value))) return false;
    }
    return true;
}

static bool eq_opt(const char *want, const char *have) {
    return have && lz_strcaseeq(want, strlen(want), have, strlen(have));
}

static bool rules_match(const xentry *x, const char *rule_id) {
    for (size_t i = 0; i < x->nrules; i++)
        if (exempt_glob_match(x->rules[i], rule_id)) return true;
    return false;
}

typedef struct xmatch {
    const report *r;
    pcre2_match_data *md;
    bool *limit_hit; /* per entry */
} xmatch;

static bool entry_matches(xmatch *m, size_t i, const xentry *x, const finding *f, const xsubject *sj) {
    const xsel *s = &x->sel;
    if (!f->rule || !rules_match(x, f->rule->id)) return false;
    if (s->resource_id && !id_matches(s->resource_id, sj->id) && !id_matches(s->resource_id, sj->res_id))
        return false;
    if (s->re) {
        int a = regex_matches(s, sj->id, m->md), b = a == 1 ? 1 : regex_matches(s, sj->res_id, m->md);
        if (a < 0 || b < 0) m->limit_hit[i] = true;
        if (a != 1 && b != 1) return false;
    }
    if (s->sub && !eq_opt(s->sub, sj->sub)) return false;
    if (s->rg && !eq_opt(s->rg, sj->rg)) return false;
    if (s->mg && !mg_matches(m->r, sj, s->mg)) return false;
    return !s->ntags || tags_match(m->r, sj, s);
}

/* ---- applying ---- */

static void copy_entries(const exempt_set *s, report *r, time_t now) {
    r->exemptions = lz_calloc(s->n ? s->n : 1, sizeof *r->exemptions);
    r->nexemptions = s->n;
    for (size_t i = 0; i < s->n; i++) {
        const xentry *x = &s->v[i];
        report_exemption *o = &r->exemptions[i];
        o->source = lz_strdup(x->where);
        o->rules = lz_calloc(x->nrules, sizeof *o->rules);
        for (size_t k = 0; k < x->nrules; k++) o->rules[k] = lz_strdup(x->rules[k]);
        o->nrules = x->nrules;
        o->justification = lz_strdup(x->justification);
        o->owner = lz_strdup(x->owner);
        o->ticket = lz_strdup(x->ticket);
        o->expires = lz_strdup(x->expires);
        o->expired = now >= x->ends;
    }
}

static void apply_to(const exempt_set *s, report *r, finding *f, xmatch *m) {
    xsubject sj;
    subject_of(r, f, &sj);
    for (size_t i = 0; i < s->n; i++) {
        if (!entry_matches(m, i, &s->v[i], f, &sj)) continue;
        r->exemptions[i].matched++; /* for an expired entry: what it would have exempted */
        if (r->exemptions[i].expired) continue;
        f->exemption = (uint32_t)i + 1;
        report_set_status(r, f, RS_EXEMPT);
        break;
    }
    subject_free(&sj);
}

static void warn_unknown_rules(const exempt_set *s, report *r) {
    for (size_t i = 0; i < s->n; i++)
        for (size_t k = 0; k < s->v[i].nrules; k++) {
            const char *id = s->v[i].rules[k];
            if (r->pack && !has_glob(id) && !rule_pack_find(r->pack, id))
                report_warn(r, "exemption %s names rule %s, which the rule pack does not have", s->v[i].where,
                            id);
        }
}

static void warn_expired(const exempt_set *s, report *r) {
    for (size_t i = 0; i < s->n; i++) {
        const report_exemption *o = &r->exemptions[i];
        if (!o->expired) continue;
        if (o->matched)
            report_warn(
                r, "exemption %s (owner %s, ticket %s) expired on %s: %zu finding%s it covered fail%s again",
                o->source, o->owner, o->ticket, o->expires, o->matched, o->matched == 1 ? "" : "s",
                o->matched == 1 ? "s" : "");
        else
            report_warn(r, "exemption %s (owner %s, ticket %s) expired on %s and no longer applies",
                        o->source, o->owner, o->ticket, o->expires);
    }
}

void exempt_apply(const exempt_set *s, report *r, time_t now) {
    r->now = now;
    if (!s) return;
    free(r->exemptions_path);
    r->exemptions_path = lz_strdup(s->name);
    copy_entries(s, r, now);
    xmatch m = {r, pcre2_match_data_create(1, NULL), lz_calloc(s->n ? s->n : 1, sizeof(bool))};
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].status == RS_FAIL) apply_to(s, r, &r->findings[i], &m);
    warn_expired(s, r);
    warn_unknown_rules(s, r);
    for (size_t i = 0; i < s->n; i++)
        if (m.limit_hit[i])
            report_warn(r,
                        "exemption %s: resourceIdRegex hit its match limit on some ids (treated as no match)",
                        s->v[i].where);
    pcre2_match_data_free(m.md);
    free(m.limit_hit);
}
