/*
 * page.c - see page.h.
 *
 * yajl's event stream is routed by depth: events inside an element of the
 * top-level `data` / `value` array go to a yajl_gen that re-serialises the
 * element; scalars directly under the top-level object are the paging
 * fields; the members of a top-level `error` object are the error.
 */
#include "page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

typedef struct pstate {
    live_page *p;
    live_row_fn fn;
    live_str_fn sfn;
    void *ctx;
    lz_err *e;
    bool failed;
    yajl_gen g;
    size_t depth;   /* containers open */
    bool in_stream; /* inside the data/value array (at depth 2) */
    bool in_error;  /* inside the top-level error object */
    char key1[32];  /* last key of the top-level object */
    char key2[16];  /* last key inside error */
    char ekey[8];   /* last key at an element's top level */
    char *elem_id, *elem_type;
} pstate;

static bool in_element(const pstate *s) {
    return s->in_stream && s->depth > 2;
}

static void set_str(char **dst, const char *t, size_t n) {
    free(*dst);
    *dst = lz_strndup(t, n);
}

static void top_scalar(pstate *s, int kind, const char *t, size_t n) {
    const char *k = s->key1;
    if (kind != 's' && kind != 'n' && kind != 'b') return;
    if (strcmp(k, "$skipToken") == 0 || strcmp(k, "skipToken") == 0 || strcmp(k, "skip_token") == 0) {
        if (kind == 's' && n) set_str(&s->p->skip_token, t, n);
    } else if (strcmp(k, "nextLink") == 0 || strcmp(k, "@nextLink") == 0 ||
               strcmp(k, "@odata.nextLink") == 0) {
        if (kind == 's' && n) set_str(&s->p->next_link, t, n);
    } else if (strcmp(k, "totalRecords") == 0 || strcmp(k, "total_records") == 0) {
        s->p->total_records = strtoull(t, NULL, 10);
        s->p->has_total = true;
    } else if (strcmp(k, "resultTruncated") == 0) {
        s->p->truncated = (kind == 's' && n == 4 && strncmp(t, "true", 4) == 0) || (kind == 'b' && *t == 't');
    }
}

/* kind: 's' string, 'n' number, 'b' boolean ("t"/"f"), 'z' null */
static int on_scalar(pstate *s, int kind, const char *t, size_t n) {
    if (in_element(s)) {
        if (kind == 's') {
            yajl_gen_string(s->g, (const unsigned char *)t, n);
            if (s->depth == 3 && strcmp(s->ekey, "id") == 0) set_str(&s->elem_id, t, n);
            if (s->depth == 3 && strcmp(s->ekey, "type") == 0) set_str(&s->elem_type, t, n);
            if (s->sfn) s->sfn(t, n, s->ctx);
        } else if (kind == 'n') {
            yajl_gen_number(s->g, t, n);
        } else if (kind == 'b') {
            yajl_gen_bool(s->g, *t == 't');
        } else {
            yajl_gen_null(s->g);
        }
        return 1;
    }
    if (s->depth == 1) top_scalar(s, kind, t, n);
    if (s->in_error && s->depth == 2 && kind == 's') {
        if (strcmp(s->key2, "code") == 0) set_str(&s->p->error_code, t, n);
        if (strcmp(s->key2, "message") == 0) set_str(&s->p->error_message, t, n);
    }
    return 1;
}

static int cb_null(void *c) {
    return on_scalar(c, 'z', "", 0);
}
static int cb_bool(void *c, int b) {
    return on_scalar(c, 'b', b ? "t" : "f", 1);
}
static int cb_number(void *c, const char *t, size_t n) {
    return on_scalar(c, 'n', t, n);
}
static int cb_string(void *c, const unsigned char *t, size_t n) {
    return on_scalar(c, 's', (const char *)t, n);
}

static void start_element(pstate *s) {
    yajl_gen_clear(s->g);
    yajl_gen_reset(s->g, NULL);
    free(s->elem_id);
    free(s->elem_type);
    s->elem_id = s->elem_type = NULL;
    s->ekey[0] = '\0';
}

static int cb_start_map(void *c) {
    pstate *s = c;
    if (s->in_stream && s->depth == 2) start_element(s);
    if (s->in_stream && s->depth >= 2)
        yajl_gen_map_open(s->g);
    else if (s->depth == 1 && strcmp(s->key1, "error") == 0)
        s->in_error = true;
    s->depth++;
    return 1;
}

static int cb_start_array(void *c) {
    pstate *s = c;
    if (s->in_stream && s->depth == 2) start_element(s);
    if (s->in_stream && s->depth >= 2)
        yajl_gen_array_open(s->g);
    else if (s->depth == 1 && (strcmp(s->key1, "data") == 0 || strcmp(s->key1, "value") == 0))
        s->in_stream = true;
    s->depth++;
    return 1;
}

static int emit_row(pstate *s) {
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(s->g, &buf, &len);
    s->p->rows++;
    live_row row = {(const char *)buf, len, s->elem_id, s->elem_type};
    if (s->fn && s->fn(&row, s->ctx, s->e) < 0) {
        s->failed = true;
        return 0;
    }
    return 1;
}

static int on_end(pstate *s, bool is_map) {
    size_t d = s->depth--; /* level of the closing container */
    if (s->in_stream && d > 2) {
        if (is_map)
            yajl_gen_map_close(s->g);
        else
            yajl_gen_array_close(s->g);
        return d == 3 ? emit_row(s) : 1;
    }
    if (s->in_stream && d == 2) s->in_stream = false;
    if (s->in_error && d == 2) s->in_error = false;
    return 1;
}

static int cb_end_map(void *c) {
    return on_end(c, true);
}
static int cb_end_array(void *c) {
    return on_end(c, false);
}

static int cb_key(void *c, const unsigned char *k, size_t n) {
    pstate *s = c;
    if (in_element(s)) {
        yajl_gen_string(s->g, k, n);
        if (s->depth == 3) snprintf(s->ekey, sizeof s->ekey, "%.*s", (int)(n < 7 ? n : 7), (const char *)k);
        if (s->depth == 3 && n > 4) s->ekey[0] = '\0'; /* only "id" and "type" matter */
        return 1;
    }
    if (s->depth == 1) snprintf(s->key1, sizeof s->key1, "%.*s", (int)(n < 31 ? n : 31), (const char *)k);
    if (s->depth == 1 && n > 31) s->key1[0] = '\0';
    if (s->in_error && s->depth == 2)
        snprintf(s->key2, sizeof s->key2, "%.*s", (int)(n < 15 ? n : 15), (const char *)k);
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_bool, NULL,       NULL,           cb_number,    cb_string,
    cb_start_map, cb_key,  cb_end_map, cb_start_array, cb_end_array,
};

int live_page_parse(const char *body, size_t len, live_row_fn fn, live_str_fn sfn, void *ctx, live_page *p,
                    lz_err *e) {
    memset(p, 0, sizeof *p);
    pstate s = {0};
    s.p = p;
    s.fn = fn;
    s.sfn = sfn;
    s.ctx = ctx;
    s.e = e;
    s.g = yajl_gen_alloc(NULL);
    yajl_handle h = yajl_alloc(&callbacks, NULL, &s);
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)body, len);
    if (st == yajl_status_ok) st = yajl_complete_parse(h);
    int rc = 0;
    if (st != yajl_status_ok && !s.failed) {
        unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)body, len);
        char *msg = lz_strdup((const char *)m);
        yajl_free_error(h, m);
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
        rc = lz_errf(e, "the response body is not complete JSON (%s)", msg);
        free(msg);
    } else if (s.failed) {
        rc = -1;
    }
    yajl_free(h);
    yajl_gen_free(s.g);
    free(s.elem_id);
    free(s.elem_type);
    return rc;
}

void live_page_free(live_page *p) {
    free(p->skip_token);
    free(p->next_link);
    free(p->error_code);
    free(p->error_message);
    memset(p, 0, sizeof *p);
}

/* ---- small trees ---- */

yajl_val live_json_parse(const char *text) {
    return text ? yajl_tree_parse(text, NULL, 0) : NULL;
}

static yajl_val vget(yajl_val v, va_list ap) {
    const char *k;
    while (v && (k = va_arg(ap, const char *))) {
        if (!YAJL_IS_OBJECT(v)) return NULL;
        yajl_val next = NULL;
        for (size_t i = 0; i < v->u.object.len; i++)
            if (strcmp(v->u.object.keys[i], k) == 0) next = v->u.object.values[i];
        v = next;
    }
    return v;
}

yajl_val live_json_get(yajl_val v, ...) {
    va_list ap;
    va_start(ap, v);
    yajl_val r = vget(v, ap);
    va_end(ap);
    return r;
}

const char *live_json_str(yajl_val v, ...) {
    va_list ap;
    va_start(ap, v);
    yajl_val r = vget(v, ap);
    va_end(ap);
    return YAJL_IS_STRING(r) ? r->u.string : NULL;
}

double live_json_num(yajl_val v, double def, ...) {
    va_list ap;
    va_start(ap, def);
    yajl_val r = vget(v, ap);
    va_end(ap);
    if (YAJL_IS_NUMBER(r)) return r->u.number.r ? strtod(r->u.number.r, NULL) : def;
    if (YAJL_IS_STRING(r) && r->u.string[0]) {
        char *end;
        double d = strtod(r->u.string, &end);
        return *end ? def : d;
    }
    return def;
}
