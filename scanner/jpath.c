#include "jpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum step_kind { STEP_KEY, STEP_ALL, STEP_INDEX };

typedef struct step {
    enum step_kind kind;
    char *key; /* lower-cased, for STEP_KEY */
    size_t keylen;
    size_t index; /* for STEP_INDEX */
} step;

struct jpath {
    char *text;
    step *steps;
    size_t n, cap;
    bool wildcard;
};

static int bad(lz_err *e, const char *text, size_t col, const char *what) {
    return lz_errf(e, "path \"%s\", column %zu: %s", text, col + 1, what);
}

static void add_key(jpath *p, const char *k, size_t n) {
    char *key = lz_strndup(k, n);
    lz_lower(key, n);
    LZ_PUSH(p->steps, p->n, p->cap, ((step){STEP_KEY, key, n, 0}));
}

/* Parses "[*]", "[N]" or "['key']" at text[*i] (which is '['). */
static int parse_bracket(jpath *p, const char *t, size_t *i, lz_err *e) {
    size_t j = *i + 1;
    if (t[j] == '*' && t[j + 1] == ']') {
        LZ_PUSH(p->steps, p->n, p->cap, ((step){STEP_ALL, NULL, 0, 0}));
        p->wildcard = true;
        *i = j + 2;
        return 0;
    }
    if (t[j] == '\'' || t[j] == '"') {
        char q = t[j];
        const char *end = strchr(t + j + 1, q);
        if (!end || end[1] != ']') return bad(e, t, j, "unterminated quoted key");
        add_key(p, t + j + 1, (size_t)(end - (t + j + 1)));
        *i = (size_t)(end - t) + 2;
        return 0;
    }
    size_t idx = 0, digits = 0;
    while (t[j] >= '0' && t[j] <= '9') {
        if (idx > 100000000) return bad(e, t, j, "index too large");
        idx = idx * 10 + (size_t)(t[j++] - '0');
        digits++;
    }
    if (!digits || t[j] != ']') return bad(e, t, *i, "expected [*], [N] or ['key']");
    LZ_PUSH(p->steps, p->n, p->cap, ((step){STEP_INDEX, NULL, 0, idx}));
    *i = j + 1;
    return 0;
}

jpath *jpath_compile(const char *text, lz_err *e) {
    jpath *p = lz_calloc(1, sizeof *p);
    p->text = lz_strdup(text);
    const char *t = text;
    size_t i = 0;
    if (strcmp(t, "@") == 0 || t[0] == '\0') return p;
    while (t[i]) {
        if (t[i] == '[') {
            if (parse_bracket(p, t, &i, e) < 0) goto fail;
        } else {
            size_t start = i;
            while (t[i] && t[i] != '.' && t[i] != '[') {
                if (t[i] == ']' || t[i] == ' ' || t[i] == '\'' || t[i] == '"') {
                    bad(e, t, i, "unexpected character in key (quote it as ['key'])");
                    goto fail;
                }
                i++;
            }
            if (i == start) {
                bad(e, t, i, "empty key");
                goto fail;
            }
            add_key(p, t + start, i - start);
        }
        if (t[i] == '.') {
            i++;
            if (!t[i]) {
                bad(e, t, i - 1, "path ends with '.'");
                goto fail;
            }
            if (t[i] == '[' || t[i] == '.') {
                bad(e, t, i, "empty key");
                goto fail;
            }
        }
    }
    return p;
fail:
    jpath_free(p);
    return NULL;
}

void jpath_free(jpath *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->steps[i].key);
    free(p->steps);
    free(p->text);
    free(p);
}

const char *jpath_text(const jpath *p) {
    return p->text;
}
bool jpath_has_wildcard(const jpath *p) {
    return p->wildcard;
}
const char *jpath_head(const jpath *p) {
    return (p->n && p->steps[0].kind == STEP_KEY) ? p->steps[0].key : "";
}

typedef struct walk {
    const jv_store *s;
    const jpath *p;
    jpath_visit_fn fn;
    void *ctx;
    lz_buf concrete;
    size_t visited;
} walk;

static void append_key(lz_buf *b, const jv_store *s, jv_t obj, jv_t child, const char *fallback) {
    /* Keep the spelling the data uses, so evidence paths match the JSON. */
    size_t n = jv_len(s, obj), klen = 0;
    const char *k = fallback;
    for (size_t i = 0; i < n; i++)
        if (jv_at(s, obj, i) == child) {
            k = jv_atom_str(s, jv_key_atom(s, obj, i), &klen);
            break;
        }
    /* Quoted when a bare key would not compile back to the same step, with
     * the quote the key does not hold (a key with both cannot be written),
     * and then without a dot, as paths are written: tags['a.b']. */
    if (!*k || strpbrk(k, ".[]'\" ")) {
        char q = strchr(k, '\'') ? '"' : '\'';
        lz_buf_putc(b, '[');
        lz_buf_putc(b, q);
        lz_buf_puts(b, k);
        lz_buf_putc(b, q);
        lz_buf_putc(b, ']');
    } else {
        if (b->len) lz_buf_putc(b, '.');
        lz_buf_puts(b, k);
    }
}

/* "[i]": by hand, as this runs for every element every wildcard visits. */
static void put_index(lz_buf *b, size_t i) {
    char tmp[24], *p = tmp + sizeof tmp;
    *--p = ']';
    do *--p = (char)('0' + i % 10);
    while (i /= 10);
    *--p = '[';
    lz_buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void walk_from(walk *w, jv_t v, size_t si) {
    if (si == w->p->n) {
        w->visited++;
        if (w->fn) w->fn(v, lz_buf_cstr(&w->concrete), w->ctx);
        return;
    }
    const step *st = &w->p->steps[si];
    size_t mark = w->concrete.len;
    if (st->kind == STEP_KEY) {
        jv_t c = jv_get(w->s, v, st->key, st->keylen);
        if (c == JV_MISSING) return;
        append_key(&w->concrete, w->s, v, c, st->key);
        walk_from(w, c, si + 1);
    } else if (jv_kind(w->s, v) == JV_ARRAY) {
        size_t n = jv_len(w->s, v);
        size_t lo = st->kind == STEP_ALL ? 0 : st->index;
        size_t hi = st->kind == STEP_ALL ? n : (st->index < n ? st->index + 1 : 0);
        for (size_t i = lo; i < hi; i++) {
            put_index(&w->concrete, i);
            walk_from(w, jv_at(w->s, v, i), si + 1);
            w->concrete.len = mark;
            w->concrete.data[mark] = '\0';
        }
    }
    w->concrete.len = mark;
    if (w->concrete.data) w->concrete.data[mark] = '\0';
}

size_t jpath_walk(const jv_store *s, jv_t from, const jpath *p, jpath_visit_fn fn, void *ctx) {
    if (from == JV_MISSING) return 0;
    walk w = {s, p, fn, ctx, {0}, 0};
    walk_from(&w, from, 0);
    lz_buf_free(&w.concrete);
    return w.visited;
}

jv_t jpath_get(const jv_store *s, jv_t from, const jpath *p) {
    jv_t v = from;
    for (size_t i = 0; i < p->n && v != JV_MISSING; i++) {
        const step *st = &p->steps[i];
        if (st->kind == STEP_KEY)
            v = jv_get(s, v, st->key, st->keylen);
        else if (st->kind == STEP_INDEX)
            v = jv_kind(s, v) == JV_ARRAY ? jv_at(s, v, st->index) : JV_MISSING;
        else
            return JV_MISSING;
    }
    return v;
}
