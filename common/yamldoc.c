/*
 * yamldoc.c - see yamldoc.h.
 *
 * Loading runs libyaml twice over the text: once with the event parser, to
 * refuse aliases and excessive nesting before anything expands them, then
 * with yaml_parser_load to build the documents. Rule files and profiles are
 * small, so the second pass costs nothing that matters.
 */
#include "yamldoc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct ydoc {
    char *name;
    char *text;
    size_t len;
    yaml_document_t *docs;
    size_t ndocs, capdocs;
};

/* ---- errors ---- */

/* 1-based line and column of a byte offset (reader errors carry only that). */
static void offset_pos(const char *text, size_t len, size_t off, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int parser_error(const yaml_parser_t *p, const char *name, const char *text, size_t len, lz_err *e) {
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->error == YAML_READER_ERROR) offset_pos(text, len, p->problem_offset, &line, &col);
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->context)
        return lz_errf(e, "%s:%d:%d: %s (%s at line %d)", name, line, col, problem, p->context,
                       (int)p->context_mark.line + 1);
    return lz_errf(e, "%s:%d:%d: %s", name, line, col, problem);
}

int yn_errf(lz_err *e, ynode y, const char *fmt, ...) {
    if (!e) return -1;
    char msg[LZ_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lz_errf(e, "%s:%d:%d: %s", y.f ? y.f->name : "?", yn_line(y), yn_col(y), msg);
}

/* ---- loading ---- */

/* First pass: events only. Refuses aliases and nesting beyond YDOC_MAX_DEPTH. */
static int screen_events(const char *name, const char *text, size_t len, lz_err *e) {
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return lz_errf(e, "%s: cannot initialise the YAML parser", name);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = 0, depth = 0;
    for (bool done = false; !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parser_error(&p, name, text, len, e);
            break;
        }
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        switch (ev.type) {
        case YAML_ALIAS_EVENT:
            rc = lz_errf(e, "%s:%d:%d: YAML aliases (*%s) are not supported", name, line, col,
                         (const char *)ev.data.alias.anchor);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > YDOC_MAX_DEPTH)
                rc = lz_errf(e, "%s:%d:%d: nested deeper than %d levels", name, line, col, YDOC_MAX_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc) break;
    }
    yaml_parser_delete(&p);
    return rc;
}

static int load_documents(ydoc *f, lz_err *e) {
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return lz_errf(e, "%s: cannot initialise the YAML parser", f->name);
    yaml_parser_set_input_string(&p, (const unsigned char *)f->text, f->len);
    int rc = 0;
    for (;;) {
        yaml_document_t d;
        if (!yaml_parser_load(&p, &d)) {
            rc = parser_error(&p, f->name, f->text, f->len, e);
            break;
        }
        if (!yaml_document_get_root_node(&d)) { /* end of stream */
            yaml_document_delete(&d);
            break;
        }
        LZ_PUSH(f->docs, f->ndocs, f->capdocs, d);
    }
    yaml_parser_delete(&p);
    return rc;
}

int ydoc_load_buffer(ydoc **out, const char *name, const char *data, size_t len, lz_err *e) {
    *out = NULL;
    if (screen_events(name, data, len, e) < 0) return -1;
    ydoc *f = lz_calloc(1, sizeof *f);
    f->name = lz_strdup(name);
    f->text = lz_strndup(data, len);
    f->len = len;
    if (load_documents(f, e) < 0) {
        ydoc_free(f);
        return -1;
    }
    *out = f;
    return 0;
}

int ydoc_load_file(ydoc **out, const char *path, lz_err *e) {
    char *text;
    size_t len;
    *out = NULL;
    if (lz_read_file(path, &text, &len, e) < 0) return -1;
    int rc = ydoc_load_buffer(out, path, text, len, e);
    free(text);
    return rc;
}

void ydoc_free(ydoc *f) {
    if (!f) return;
    for (size_t i = 0; i < f->ndocs; i++) yaml_document_delete(&f->docs[i]);
    free(f->docs);
    free(f->text);
    free(f->name);
    free(f);
}

const char *ydoc_name(const ydoc *f) {
    return f->name;
}
size_t ydoc_count(const ydoc *f) {
    return f->ndocs;
}

ynode ydoc_root(ydoc *f, size_t i) {
    if (i >= f->ndocs) return (ynode){f, NULL, NULL};
    return (ynode){f, &f->docs[i], yaml_document_get_root_node(&f->docs[i])};
}

const char *ydoc_text(const ydoc *f, size_t i, size_t *len) {
    if (i >= f->ndocs) {
        *len = 0;
        return "";
    }
    size_t a = f->docs[i].start_mark.index, b = f->docs[i].end_mark.index;
    if (b > f->len) b = f->len;
    if (a > b) a = b;
    *len = b - a;
    return f->text + a;
}

/* ---- nodes ---- */

bool yn_is_map(ynode y) {
    return y.n && y.n->type == YAML_MAPPING_NODE;
}
bool yn_is_seq(ynode y) {
    return y.n && y.n->type == YAML_SEQUENCE_NODE;
}
bool yn_is_scalar(ynode y) {
    return y.n && y.n->type == YAML_SCALAR_NODE;
}

const char *yn_str(ynode y) {
    return yn_is_scalar(y) ? (const char *)y.n->data.scalar.value : NULL;
}
size_t yn_strlen(ynode y) {
    return yn_is_scalar(y) ? y.n->data.scalar.length : 0;
}

bool yn_is_plain(ynode y) {
    return yn_is_scalar(y) && (y.n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                               y.n->data.scalar.style == YAML_ANY_SCALAR_STYLE);
}

bool yn_is_null(ynode y) {
    if (!yn_is_plain(y)) return false;
    return ydoc_plain_kind(yn_str(y), yn_strlen(y), NULL) == JV_NULL;
}

int yn_line(ynode y) {
    return y.n ? (int)y.n->start_mark.line + 1 : 0;
}
int yn_col(ynode y) {
    return y.n ? (int)y.n->start_mark.column + 1 : 0;
}

size_t yn_len(ynode y) {
    if (yn_is_seq(y)) return (size_t)(y.n->data.sequence.items.top - y.n->data.sequence.items.start);
    if (yn_is_map(y)) return (size_t)(y.n->data.mapping.pairs.top - y.n->data.mapping.pairs.start);
    return 0;
}

static ynode node_at(ynode parent, int index) {
    return (ynode){parent.f, parent.doc, yaml_document_get_node(parent.doc, index)};
}

ynode yn_item(ynode seq, size_t i) {
    if (!yn_is_seq(seq) || i >= yn_len(seq)) return (ynode){seq.f, seq.doc, NULL};
    return node_at(seq, seq.n->data.sequence.items.start[i]);
}

ynode yn_key(ynode map, size_t i) {
    if (!yn_is_map(map) || i >= yn_len(map)) return (ynode){map.f, map.doc, NULL};
    return node_at(map, map.n->data.mapping.pairs.start[i].key);
}

ynode yn_val(ynode map, size_t i) {
    if (!yn_is_map(map) || i >= yn_len(map)) return (ynode){map.f, map.doc, NULL};
    return node_at(map, map.n->data.mapping.pairs.start[i].value);
}

ynode yn_get(ynode map, const char *key) {
    size_t n = yn_len(map), klen = strlen(key);
    for (size_t i = 0; yn_is_map(map) && i < n; i++) {
        ynode k = yn_key(map, i);
        if (yn_is_scalar(k) && lz_strcaseeq(yn_str(k), yn_strlen(k), key, klen)) return yn_val(map, i);
    }
    return (ynode){map.f, map.doc, NULL};
}

static bool in_list(const char *s, size_t len, const char *const *list) {
    for (; *list; list++)
        if (lz_strcaseeq(s, len, *list, strlen(*list))) return true;
    return false;
}

int yn_check_keys(ynode map, const char *const *allowed, const char *what, lz_err *e) {
    if (!yn_is_map(map)) return yn_errf(e, map, "%s must be a mapping", what);
    size_t n = yn_len(map);
    for (size_t i = 0; i < n; i++) {
        ynode k = yn_key(map, i);
        if (!yn_is_scalar(k)) return yn_errf(e, k, "%s: keys must be plain strings", what);
        if (!in_list(yn_str(k), yn_strlen(k), allowed))
            return yn_errf(e, k, "unknown key '%s' in %s", yn_str(k), what);
        for (size_t j = 0; j < i; j++) {
            ynode prev = yn_key(map, j);
            if (lz_strcaseeq(yn_str(k), yn_strlen(k), yn_str(prev), yn_strlen(prev)))
                return yn_errf(e, k, "duplicate key '%s' in %s (first at line %d)", yn_str(k), what,
                               yn_line(prev));
        }
    }
    return 0;
}

/* ---- the YAML 1.2 core schema ---- */

static bool all_in(const char *s, size_t n, const char *set) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]) || s[i] == '\0') return false;
    return true;
}

static bool one_of(const char *s, size_t n, const char *const *words) {
    return in_list(s, n, words) && n;
}

/* Exact-spelling match (the core schema's True/TRUE but not tRUE). */
static bool spelled(const char *s, size_t n, const char *a, const char *b, const char *c) {
    const char *w[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (strlen(w[i]) == n && memcmp(s, w[i], n) == 0) return true;
    return false;
}

/* Integer in base 8/16 -> decimal text; NULL if it does not fit 64 bits. */
static char *based_int(const char *digits, size_t n, int base) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = digits[i];
        unsigned d = (c >= '0' && c <= '9') ? (unsigned)(c - '0') : (unsigned)((c | 32) - 'a' + 10);
        if (v > (UINT64_MAX - d) / (uint64_t)base) return NULL;
        v = v * (uint64_t)base + d;
    }
    return lz_asprintf("%" PRIu64, v);
}

/* Decimal ints and floats of the core schema -> JSON number text: no '+',
 * no leading zeros, a digit on both sides of the point. NULL if s is not one. */
static char *decimal_number(const char *s, size_t n) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    size_t int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        frac_end = i;
    }
    if (int_end == int_start && frac_end == frac_start) return NULL;
    size_t exp_start = i;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return NULL;
    }
    if (i != n) return NULL;
    lz_buf b = {0};
    if (neg) lz_buf_putc(&b, '-');
    size_t z = int_start;
    while (z + 1 < int_end && s[z] == '0') z++;
    if (z == int_end)
        lz_buf_putc(&b, '0');
    else
        lz_buf_put(&b, s + z, int_end - z);
    if (frac_end > frac_start) {
        lz_buf_putc(&b, '.');
        lz_buf_put(&b, s + frac_start, frac_end - frac_start);
    }
    if (exp_start < n) lz_buf_put(&b, s + exp_start, n - exp_start);
    return lz_buf_steal(&b);
}

enum jv_kind ydoc_plain_kind(const char *s, size_t len, char **num) {
    static const char *const nulls[] = {"~", NULL};
    if (num) *num = NULL;
    if (len == 0 || one_of(s, len, nulls) || spelled(s, len, "null", "Null", "NULL")) return JV_NULL;
    if (spelled(s, len, "true", "True", "TRUE")) return JV_TRUE;
    if (spelled(s, len, "false", "False", "FALSE")) return JV_FALSE;
    char *text = NULL;
    if (len > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, len - 2, "01234567"))
        text = based_int(s + 2, len - 2, 8);
    else if (len > 2 && s[0] == '0' && s[1] == 'x' && all_in(s + 2, len - 2, "0123456789abcdefABCDEF"))
        text = based_int(s + 2, len - 2, 16);
    else
        text = decimal_number(s, len);
    if (!text) return JV_STRING; /* .inf and .nan included: JSON cannot hold them */
    if (num)
        *num = text;
    else
        free(text);
    return JV_NUMBER;
}

/* ---- conversion to jv ---- */

static int build(ynode y, jv_builder *b, lz_err *e);

static void build_scalar(ynode y, jv_builder *b) {
    const char *s = yn_str(y);
    size_t n = yn_strlen(y);
    if (!yn_is_plain(y)) {
        jv_build_scalar(b, JV_STRING, s, n);
        return;
    }
    char *num = NULL;
    enum jv_kind k = ydoc_plain_kind(s, n, &num);
    if (k == JV_NUMBER)
        jv_build_scalar(b, k, num, strlen(num));
    else
        jv_build_scalar(b, k, s, n);
    free(num);
}

static int build(ynode y, jv_builder *b, lz_err *e) {
    if (yn_is_scalar(y)) {
        build_scalar(y, b);
        return 0;
    }
    size_t n = yn_len(y);
    if (yn_is_seq(y)) {
        jv_build_begin(b, JV_ARRAY);
        for (size_t i = 0; i < n; i++)
            if (build(yn_item(y, i), b, e) < 0) return -1;
        jv_build_end(b);
        return 0;
    }
    if (!yn_is_map(y)) return yn_errf(e, y, "empty YAML node");
    jv_build_begin(b, JV_OBJECT);
    for (size_t i = 0; i < n; i++) {
        ynode k = yn_key(y, i);
        if (!yn_is_scalar(k)) return yn_errf(e, k, "mapping keys must be strings");
        jv_build_key(b, yn_str(k), yn_strlen(k));
        if (build(yn_val(y, i), b, e) < 0) return -1;
    }
    jv_build_end(b);
    return 0;
}

int yn_to_jv(ynode y, jv_store *s, jv_t *out, lz_err *e) {
    *out = JV_MISSING;
    jv_builder *b = jv_builder_new(s);
    /* A one-element array wrapper: jv_build_end returns the root only when a
     * container closes at depth 0, and the value may be a bare scalar. */
    jv_build_begin(b, JV_ARRAY);
    int rc = build(y, b, e);
    if (rc == 0)
        *out = jv_at(s, jv_build_end(b), 0);
    else
        jv_build_reset(b);
    jv_builder_free(b);
    return rc;
}
