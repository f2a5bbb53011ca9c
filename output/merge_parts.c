/*
 * merge_parts.c - see merge_parts.h.
 */
#include "merge_parts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- shards ---- */

static int mixed_error(const merge_shard *sh, const merge_shard *whole, lz_err *e) {
    return lz_errf(e,
                   "%s is shard %u/%u of a scan but %s is a whole scan: join the shards of one scan, or "
                   "whole scans of disjoint scopes, not both",
                   sh->part, sh->index, sh->count, whole->part);
}

static int check_shard(const merge_shard *first, const merge_shard *p, const merge_shard **seen, lz_err *e) {
    if (p->count != first->count)
        return lz_errf(e, "%s is shard %u/%u but %s is shard %u/%u: the shards of one scan share N", p->part,
                       p->index, p->count, first->part, first->index, first->count);
    if (!p->inventory || !first->inventory || strcmp(p->inventory, first->inventory) != 0)
        return lz_errf(e,
                       "%s and %s are shards of scans of different inputs (inventory digests %s and %s): "
                       "scan one snapshot with every --shard K/N",
                       first->part, p->part, first->inventory ? first->inventory : "none",
                       p->inventory ? p->inventory : "none");
    if (p->index < 1 || p->index > p->count)
        return lz_errf(e, "%s: shard %u/%u is out of range", p->part, p->index, p->count);
    if (seen[p->index])
        return lz_errf(e, "shard %u/%u is given twice: %s and %s", p->index, p->count, seen[p->index]->part,
                       p->part);
    seen[p->index] = p;
    return 0;
}

/* "2/4" or "2/4, 4/4" into b; returns how many are missing. */
static size_t missing_list(const merge_shard **seen, unsigned count, lz_buf *b) {
    size_t n = 0;
    for (unsigned k = 1; k <= count; k++)
        if (!seen[k]) lz_buf_printf(b, "%s%u/%u", n++ ? ", " : "", k, count);
    return n;
}

int merge_check_shards(const merge_shard *parts, size_t n, const merge_opts *o, char **missing, lz_err *e) {
    *missing = NULL;
    const merge_shard *sh = NULL, *whole = NULL;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].count && !sh) sh = &parts[i];
        if (!parts[i].count && !whole) whole = &parts[i];
    }
    if (!sh) return 0;
    if (whole) return mixed_error(sh, whole, e);
    const merge_shard **seen = lz_calloc((size_t)sh->count + 1, sizeof *seen);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = check_shard(sh, &parts[i], seen, e);
    lz_buf list = {0};
    size_t gone = rc == 0 ? missing_list(seen, sh->count, &list) : 0;
    free(seen);
    if (gone && !(o && o->allow_missing))
        rc = lz_errf(e,
                     "shard%s %s %s missing: give the output of every shard, or --allow-missing to join "
                     "the others and mark the coverage incomplete",
                     gone == 1 ? "" : "s", lz_buf_cstr(&list), gone == 1 ? "is" : "are");
    else if (gone)
        *missing = lz_asprintf("shard%s %s %s not merged: the objects %s own%s were not evaluated",
                               gone == 1 ? "" : "s", lz_buf_cstr(&list), gone == 1 ? "was" : "were",
                               gone == 1 ? "it" : "they", gone == 1 ? "s" : "");
    lz_buf_free(&list);
    return rc;
}

void merge_part_order(const merge_shard *parts, size_t n, size_t *order) {
    for (size_t i = 0; i < n; i++) order[i] = i;
    /* insertion sort: a handful of parts, and stable */
    for (size_t i = 1; i < n; i++) {
        size_t x = order[i], j = i;
        while (j > 0 && parts[order[j - 1]].index > parts[x].index) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
}

/* ---- notes ---- */

typedef struct note {
    char *text;   /* as given; for an expired exemption, the latest wording made */
    char *prefix; /* expired exemption: "exemption SRC (owner O, ticket T) expired on DATE" */
    size_t count; /* expired exemption: findings it would have covered, summed */
} note;

struct merge_notes {
    note *v;
    size_t n, cap;
    bool notes; /* join expired exemptions' warnings */
};

static const char no_longer[] = " and no longer applies";
static const char expired_on[] = " expired on ";

static bool ends_with(const char *s, size_t n, const char *suffix, size_t *rest) {
    size_t k = strlen(suffix);
    if (n < k || memcmp(s + n - k, suffix, k) != 0) return false;
    *rest = n - k;
    return true;
}

/* rules/exempt.c's wording: "... expired on DATE: N finding(s) it covered
 * fail(s) again" or "... expired on DATE and no longer applies". Returns
 * the prefix length, or 0 if text is not such a warning. */
static size_t parse_expired(const char *text, size_t *count) {
    size_t n = strlen(text), k;
    *count = 0;
    if (ends_with(text, n, no_longer, &k)) {
        n = k;
    } else {
        if (!ends_with(text, n, " it covered fails again", &k) &&
            !ends_with(text, n, " it covered fail again", &k))
            return 0;
        if (!ends_with(text, k, " findings", &n) && !ends_with(text, k, " finding", &n)) return 0;
        size_t digits = n;
        while (digits > 0 && text[digits - 1] >= '0' && text[digits - 1] <= '9') digits--;
        if (digits == n || n - digits > 18 || digits < 2 || text[digits - 1] != ' ' ||
            text[digits - 2] != ':')
            return 0;
        *count = strtoull(text + digits, NULL, 10);
        n = digits - 2;
    }
    size_t date = 10, lead = strlen(expired_on);
    if (strncmp(text, "exemption ", 10) != 0 || n < 10 + lead + date) return 0;
    return memcmp(text + n - date - lead, expired_on, lead) == 0 ? n : 0;
}

merge_notes *merge_notes_new(bool notes) {
    merge_notes *m = lz_calloc(1, sizeof *m);
    m->notes = notes;
    return m;
}

void merge_notes_add(merge_notes *m, const char *text) {
    size_t count = 0, plen = m->notes ? parse_expired(text, &count) : 0;
    for (size_t i = 0; i < m->n; i++) {
        note *x = &m->v[i];
        if (plen && x->prefix && strlen(x->prefix) == plen && memcmp(x->prefix, text, plen) == 0) {
            x->count += count;
            return;
        }
        if (!plen && !x->prefix && strcmp(x->text, text) == 0) return;
    }
    note x = {lz_strdup(text), plen ? lz_strndup(text, plen) : NULL, count};
    LZ_PUSH(m->v, m->n, m->cap, x);
}

size_t merge_notes_count(const merge_notes *m) {
    return m->n;
}

const char *merge_notes_get(merge_notes *m, size_t i) {
    note *x = &m->v[i];
    if (!x->prefix) return x->text;
    free(x->text);
    if (x->count)
        x->text = lz_asprintf("%s: %zu finding%s it covered fail%s again", x->prefix, x->count,
                              x->count == 1 ? "" : "s", x->count == 1 ? "s" : "");
    else
        x->text = lz_asprintf("%s%s", x->prefix, no_longer);
    return x->text;
}

void merge_notes_free(merge_notes *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].text);
        free(m->v[i].prefix);
    }
    free(m->v);
    free(m);
}

/* ---- order ---- */

int merge_severity_rank(const char *sev) {
    static const char *const names[] = {"low", "medium", "high", "critical"};
    for (int i = 0; sev && i < 4; i++)
        if (strcmp(sev, names[i]) == 0) return i + 1;
    return 0;
}

static int status_rank(const char *st) {
    static const char *const names[] = {"pass", "fail", "unknown", "notApplicable", "exempt"};
    for (int i = 0; st && i < 5; i++)
        if (strcmp(st, names[i]) == 0) return i;
    return 5;
}

static int casecmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return (x > y) - (x < y);
    }
}

int merge_finding_order(const char *sev_a, const char *rule_a, const char *id_a, const char *status_a,
                        const char *sev_b, const char *rule_b, const char *id_b, const char *status_b) {
    int sa = merge_severity_rank(sev_a), sb = merge_severity_rank(sev_b);
    if (sa != sb) return sb - sa;
    int c = strcmp(rule_a ? rule_a : "", rule_b ? rule_b : "");
    if (c) return c;
    c = casecmp(id_a ? id_a : "", id_b ? id_b : "");
    if (c) return c;
    return status_rank(status_a) - status_rank(status_b);
}

int merge_exit_join(int a, int b) {
    int ra = a == 3 ? 2 : a == 1, rb = b == 3 ? 2 : b == 1;
    return ra >= rb ? a : b;
}

const char *merge_time_pick(const char *a, const char *b, bool want_later) {
    if (!a) return b;
    if (!b) return a;
    int c = strcmp(a, b);
    return (want_later ? c >= 0 : c <= 0) ? a : b;
}

bool merge_is_hex64(const char *s) {
    if (!s || strlen(s) != 64) return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}
