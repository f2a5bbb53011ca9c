/*
 * report.c - see report.h. The report owns every finding's strings; rules
 * and the inventory are borrowed.
 */
#include "report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[RS__COUNT] = {"pass", "fail", "unknown", "notApplicable", "exempt"};

const char *result_status_name(enum result_status s) {
    return (s >= 0 && s < RS__COUNT) ? status_names[s] : "unknown";
}

static const char *const baseline_names[BS__COUNT] = {"", "new", "unchanged", "updated", "absent"};

const char *baseline_state_name(enum baseline_state s) {
    return (s >= 0 && s < BS__COUNT) ? baseline_names[s] : "";
}

void report_init(report *r, const rule_pack *p, inv *v) {
    memset(r, 0, sizeof *r);
    r->pack = p;
    r->inv = v;
    r->counts = lz_calloc(p && p->n ? p->n : 1, sizeof *r->counts);
}

static void finding_free(finding *f) {
    free(f->subject_id);
    free(f->message);
    for (size_t i = 0; i < f->nevidence; i++) {
        free(f->evidence[i].path);
        free(f->evidence[i].actual);
        free(f->evidence[i].expected);
    }
    free(f->evidence);
}

static void exemption_free(report_exemption *x) {
    free(x->source);
    for (size_t i = 0; i < x->nrules; i++) free(x->rules[i]);
    free(x->rules);
    free(x->justification);
    free(x->owner);
    free(x->ticket);
    free(x->expires);
}

static void prior_free(report_prior *p) {
    free(p->rule_id);
    free(p->resource_id);
    free(p->severity);
    free(p->status);
    free(p->title);
    free(p->message);
}

void report_free(report *r) {
    for (size_t i = 0; i < r->nfindings; i++) finding_free(&r->findings[i]);
    free(r->findings);
    free(r->counts);
    for (size_t i = 0; i < r->ninputs; i++) free(r->inputs[i]);
    free(r->inputs);
    free(r->profile_path);
    free(r->scope);
    for (size_t i = 0; i < r->nexemptions; i++) exemption_free(&r->exemptions[i]);
    free(r->exemptions);
    free(r->exemptions_path);
    for (size_t i = 0; i < r->nresolved; i++) prior_free(&r->resolved[i]);
    free(r->resolved);
    free(r->baseline_path);
    free(r->baseline_format);
    for (size_t i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

void report_add(report *r, finding *f) {
    LZ_PUSH(r->findings, r->nfindings, r->capfindings, *f);
    memset(f, 0, sizeof *f);
}

void report_count(report *r, size_t rule_index, enum result_status s) {
    if (!r->pack || rule_index >= r->pack->n || s >= RS__COUNT) return;
    r->counts[rule_index].by_status[s]++;
}

/* ---- sorting ----
 * The report's order: most severe first, then rule id, then subject id
 * (ASCII case-insensitively: ARM ids are), then status; findings equal in
 * all four keep the order the engine filed them in. A million-resource scan
 * has half a million findings but only a few dozen rules, so the findings
 * are first bucketed by rule (a counting sort, stable), and only each
 * rule's bucket is merge-sorted by subject. Subjects of one rule share a
 * long prefix ("/subscriptions/"), so each finding gets a key: the 8
 * folded bytes that follow its bucket's common prefix. Most comparisons
 * are then of two integers in one array, and only ties read the subjects.
 * The permutation is applied to the findings in place at the end. */

static inline unsigned char fold(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int casecmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = fold((unsigned char)*a), y = fold((unsigned char)*b);
        if (x != y || !x) return (x > y) - (x < y);
    }
}

static int rule_order(const rule *a, const rule *b) {
    int sa = a ? (int)a->severity : 0, sb = b ? (int)b->severity : 0;
    if (sa != sb) return sb - sa; /* most severe first */
    return strcmp(a ? a->id : "", b ? b->id : "");
}

static const char *subject(const finding *f) {
    return f->subject_id ? f->subject_id : "";
}

/* Buckets the findings by rule: rank[i] is finding i's bucket, buckets
 * numbered in report order (rules that compare equal share one). Returns
 * the number of buckets. */
static size_t rank_rules(const report *r, uint32_t *rank) {
    const rule **rules = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const rule *ru = r->findings[i].rule;
        size_t k = i && r->findings[i - 1].rule == ru ? rank[i - 1] : 0;
        while (k < n && rules[k] != ru) k++;
        if (k == n) LZ_PUSH(rules, n, cap, ru);
        rank[i] = (uint32_t)k;
    }
    /* Insertion sort of the few rules, carrying a map from old to new rank. */
    uint32_t *pos = lz_malloc((n ? n : 1) * sizeof *pos);
    for (size_t k = 0; k < n; k++) pos[k] = (uint32_t)k;
    for (size_t k = 1; k < n; k++)
        for (size_t j = k; j > 0 && rule_order(rules[pos[j - 1]], rules[pos[j]]) > 0; j--) {
            uint32_t t = pos[j];
            pos[j] = pos[j - 1];
            pos[j - 1] = t;
        }
    uint32_t *bucket = lz_malloc((n ? n : 1) * sizeof *bucket), nb = 0;
    for (size_t k = 0; k < n; k++) {
        if (k && rule_order(rules[pos[k - 1]], rules[pos[k]]) != 0) nb++;
        bucket[pos[k]] = nb;
    }
    for (size_t i = 0; i < r->nfindings; i++) rank[i] = bucket[rank[i]];
    free(pos);
    free(bucket);
    free(rules);
    return n ? nb + 1 : 0;
}

typedef struct sort_item {
    uint64_t key; /* 8 folded subject bytes after the bucket's common prefix, big-endian; 0 past the end */
    uint32_t at;  /* the finding */
} sort_item;

/* The length of the prefix every subject of the bucket shares (folded). */
static size_t common_prefix(const finding *f, const sort_item *it, size_t n) {
    const char *first = subject(&f[it[0].at]);
    size_t len = strlen(first);
    for (size_t i = 1; i < n && len; i++) {
        const char *s = subject(&f[it[i].at]);
        size_t k = 0;
        while (k < len && s[k] && fold((unsigned char)s[k]) == fold((unsigned char)first[k])) k++;
        len = k;
    }
    return len;
}

static uint64_t key_at(const char *s, size_t from) {
    size_t len = strlen(s);
    uint64_t key = 0;
    for (size_t i = 0; i < 8; i++) key = key << 8 | (from + i < len ? fold((unsigned char)s[from + i]) : 0);
    return key;
}

/* Keys decide unless equal; then the subjects (and the status) do. */
static int item_order(const finding *f, const sort_item *a, const sort_item *b) {
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    int c = casecmp(subject(&f[a->at]), subject(&f[b->at]));
    return c ? c : (int)f[a->at].status - (int)f[b->at].status;
}

/* Stable merge sort of it[0..n); tmp holds n/2 items. */
static void merge_sort(const finding *f, sort_item *it, sort_item *tmp, size_t n) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(f, it, tmp, h);
    merge_sort(f, it + h, tmp, n - h);
    if (item_order(f, &it[h - 1], &it[h]) <= 0) return; /* already in order */
    memcpy(tmp, it, h * sizeof *it);
    size_t a = 0, b = h, o = 0;
    while (a < h && b < n) it[o++] = item_order(f, &it[b], &tmp[a]) < 0 ? it[b++] : tmp[a++];
    while (a < h) it[o++] = tmp[a++];
}

static void sort_bucket(const finding *f, sort_item *it, sort_item *tmp, size_t n) {
    if (n < 2) return;
    size_t from = common_prefix(f, it, n);
    for (size_t i = 0; i < n; i++) it[i].key = key_at(subject(&f[it[i].at]), from);
    merge_sort(f, it, tmp, n);
}

/* Moves the findings so that finding it[k].at ends at position k,
 * following each cycle of the permutation with one finding in hand. */
static void permute(finding *f, sort_item *it, size_t n) {
    for (size_t start = 0; start < n; start++) {
        if (it[start].at == start) continue;
        finding hold = f[start];
        size_t k = start;
        while (it[k].at != start) {
            size_t from = it[k].at;
            f[k] = f[from];
            it[k].at = (uint32_t)k;
            k = from;
        }
        f[k] = hold;
        it[k].at = (uint32_t)k;
    }
}

void report_sort(report *r) {
    size_t n = r->nfindings;
    if (n < 2) return;
    uint32_t *rank = lz_malloc(n * sizeof *rank);
    size_t nrules = rank_rules(r, rank);
    /* counting sort by rule rank: start[k] is where rule k's bucket begins */
    size_t *start = lz_calloc(nrules + 1, sizeof *start);
    for (size_t i = 0; i < n; i++) start[rank[i] + 1]++;
    for (size_t k = 0; k < nrules; k++) start[k + 1] += start[k];
    size_t *fill = lz_malloc((nrules + 1) * sizeof *fill);
    memcpy(fill, start, (nrules + 1) * sizeof *fill);
    sort_item *it = lz_malloc(n * sizeof *it), *tmp = lz_malloc((n / 2 + 1) * sizeof *tmp);
    for (size_t i = 0; i < n; i++) it[fill[rank[i]]++] = (sort_item){0, (uint32_t)i};
    for (size_t k = 0; k < nrules; k++) sort_bucket(r->findings, it + start[k], tmp, start[k + 1] - start[k]);
    permute(r->findings, it, n);
    free(tmp);
    free(it);
    free(fill);
    free(start);
    free(rank);
}

size_t report_total(const report *r, enum result_status s) {
    size_t total = 0;
    for (size_t i = 0; r->pack && i < r->pack->n; i++) total += r->counts[i].by_status[s];
    return total;
}

size_t report_failing_at_least(const report *r, enum rule_severity min) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].status == RS_FAIL && r->findings[i].rule && r->findings[i].rule->severity >= min)
            n++;
    return n;
}

size_t report_rule_index(const report *r, const rule *ru) {
    if (!r->pack || !ru) return SIZE_MAX;
    /* The pack is sorted by id: binary search, then confirm the pointer. */
    size_t lo = 0, hi = r->pack->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->pack->rules[mid]->id, ru->id);
        if (c == 0 && r->pack->rules[mid] == ru) return mid;
        if (c == 0) break;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* A pack assembled by hand may not be sorted: look through it. */
    for (size_t i = 0; i < r->pack->n; i++)
        if (r->pack->rules[i] == ru) return i;
    return SIZE_MAX;
}

void report_set_status(report *r, finding *f, enum result_status s) {
    size_t i = report_rule_index(r, f->rule);
    if (i != SIZE_MAX && r->counts[i].by_status[f->status] > 0) {
        r->counts[i].by_status[f->status]--;
        r->counts[i].by_status[s]++;
    }
    f->status = s;
}

const report_exemption *report_finding_exemption(const report *r, const finding *f) {
    if (f->status != RS_EXEMPT || f->exemption == 0 || f->exemption > r->nexemptions) return NULL;
    return &r->exemptions[f->exemption - 1];
}

void report_warn(report *r, const char *fmt, ...) {
    lz_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    LZ_PUSH(r->warnings, r->nwarnings, r->capwarnings, lz_buf_steal(&b));
}

bool report_finding_gates(const finding *f, enum rule_severity min, bool only_new) {
    if (f->status != RS_FAIL || !f->rule || f->rule->severity < min) return false;
    if (!only_new || f->baseline == BS_NONE || f->baseline == BS_NEW) return true;
    if (f->baseline == BS_UNCHANGED) return false;
    return f->prior_status != RS_FAIL || f->prior_severity < min; /* updated */
}

size_t report_gating(const report *r, enum rule_severity min, bool only_new) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) n += report_finding_gates(&r->findings[i], min, only_new);
    return n;
}

size_t report_baseline_count(const report *r, enum baseline_state s) {
    if (s == BS_ABSENT) return r->nresolved;
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) n += r->findings[i].baseline == s;
    return n;
}

unsigned report_shard_of(const char *id, size_t len, unsigned count) {
    if (!count) return 0;
    /* FNV-1a spreads its low bits poorly; MurmurHash3's finaliser mixes
     * every bit into them, so shards stay even for any N. */
    uint64_t h = lz_hash_fold(id, len);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return 1 + (unsigned)(h % count);
}

bool report_owns(const report *r, const char *id, size_t len) {
    return !r->shard.count || report_shard_of(id, len, r->shard.count) == r->shard.index;
}

void report_set_shard(report *r, unsigned index, unsigned count) {
    /* A sum of the ids' hashes: independent of input order, and equal only
     * for inventories of the same ids (the check that shards come from one
     * input). */
    uint64_t sum = 0;
    size_t n = r->inv ? inv_count(r->inv) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = inv_str(r->inv, inv_get(r->inv, (inv_idx)i)->id_fold);
        sum += lz_hash_fold(id, strlen(id));
    }
    r->shard.index = index;
    r->shard.count = count;
    snprintf(r->shard.inventory, sizeof r->shard.inventory, "%016llx", (unsigned long long)sum);
}
