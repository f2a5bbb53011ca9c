/*
 * tui_exempt.c - see tui_exempt.h.
 */
#include "tui_exempt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../common/atomic.h"
#include "utf8.h"

/* ---- values ---- */

static bool needs_escape(uint32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

void tui_yaml_quote(lz_buf *out, const char *s) {
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    lz_buf_putc(out, '"');
    while (p < end) {
        uint32_t cp = 0;
        size_t n = out_utf8_decode(p, (size_t)(end - p), &cp);
        if (n == 0) { /* validated before; never write bytes YAML cannot hold */
            lz_buf_puts(out, "\\ufffd");
            p++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            lz_buf_printf(out, "\\%c", (char)cp);
        else if (cp == '\n')
            lz_buf_puts(out, "\\n");
        else if (cp == '\t')
            lz_buf_puts(out, "\\t");
        else if (needs_escape(cp))
            lz_buf_printf(out, cp < 0x100 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        else
            lz_buf_put(out, p, n);
        p += n;
    }
    lz_buf_putc(out, '"');
}

static bool valid_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        uint32_t cp;
        size_t n = out_utf8_decode(p, (size_t)(end - p), &cp);
        if (n == 0) return false;
        p += n;
    }
    return true;
}

static bool blank(const char *s) {
    if (!s) return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t') return false;
    return true;
}

/* YYYY-MM-DD naming a real day; *t receives its 00:00 UTC. */
static bool parse_date(const char *s, time_t *t) {
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    *t = timegm(&tm);
    struct tm back;
    gmtime_r(t, &back);
    return back.tm_year == y - 1900 && back.tm_mon == m - 1 && back.tm_mday == d; /* rejects 2026-02-30 */
}

int tui_exempt_validate(const tui_exemption *x, time_t now, enum tui_exempt_field *field, lz_err *e) {
    enum tui_exempt_field dummy;
    if (!field) field = &dummy;
    *field = TXF_NONE;
    if (blank(x->rule_id) || blank(x->resource_id))
        return lz_errf(e, "the finding has no rule or resource id");
    if (!valid_utf8(x->rule_id) || !valid_utf8(x->resource_id))
        return lz_errf(e,
                       "the resource id is not valid UTF-8: write this exemption by hand (resourceIdRegex)");
    const char *vals[] = {x->justification, x->owner, x->ticket, x->expires};
    static const char *const names[] = {"justification", "owner", "ticket", "expires"};
    for (int i = 0; i < 4; i++) {
        *field = (enum tui_exempt_field)i;
        if (blank(vals[i])) return lz_errf(e, "%s is required", names[i]);
        if (!valid_utf8(vals[i])) return lz_errf(e, "%s is not valid UTF-8", names[i]);
    }
    time_t day;
    if (!parse_date(x->expires, &day)) return lz_errf(e, "expires must be a date, YYYY-MM-DD");
    if (day + 86400 <= now) return lz_errf(e, "expires %s is in the past", x->expires);
    *field = TXF_NONE;
    return 0;
}

/* ---- the entry ---- */

static bool plain_id(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_' || *s == '.'))
            return false;
    return true;
}

/* An id with glob characters cannot be a resourceId: the glob would match
 * other resources. */
static bool has_glob(const char *s) {
    return strpbrk(s, "*?[]{}\\") != NULL;
}

static char *regex_literal(const char *s) {
    lz_buf b = {0};
    lz_buf_putc(&b, '^');
    for (; *s; s++) {
        if (strchr("\\^$.|?*+()[]{}", *s)) lz_buf_putc(&b, '\\');
        lz_buf_putc(&b, *s);
    }
    lz_buf_putc(&b, '$');
    return lz_buf_steal(&b);
}

void tui_exempt_format(lz_buf *out, const tui_exemption *x, size_t indent) {
    int in = (int)indent;
    lz_buf_printf(out, "%*s- rules: [", in, "");
    if (plain_id(x->rule_id))
        lz_buf_puts(out, x->rule_id);
    else
        tui_yaml_quote(out, x->rule_id);
    lz_buf_printf(out, "]\n%*s  selector:\n%*s    ", in, "", in, "");
    if (has_glob(x->resource_id)) {
        char *re = regex_literal(x->resource_id);
        lz_buf_puts(out, "resourceIdRegex: ");
        tui_yaml_quote(out, re);
        free(re);
    } else {
        lz_buf_puts(out, "resourceId: ");
        tui_yaml_quote(out, x->resource_id);
    }
    const char *keys[] = {"justification", "owner", "ticket"};
    const char *vals[] = {x->justification, x->owner, x->ticket};
    for (int i = 0; i < 3; i++) {
        lz_buf_printf(out, "\n%*s  %s: ", in, "", keys[i]);
        tui_yaml_quote(out, vals[i]);
    }
    lz_buf_printf(out, "\n%*s  expires: %s\n", in, "", x->expires);
}

/* ---- the file ---- */

/* What the parser found about the `exemptions:` list. Offsets are bytes. */
typedef struct ex_scan {
    int docs;
    bool root_map, found;
    yaml_event_type_t vtype; /* the value's first event */
    bool flow, null_scalar;
    size_t vstart, vend; /* the value's span; for a block list, vend is where it ends */
    size_t item_col, items;
} ex_scan;

/* libyaml marks count characters; the text is UTF-8. */
static size_t byte_offset(const char *text, size_t len, size_t chars) {
    size_t b = 0;
    for (size_t c = 0; c < chars && b < len; c++) {
        b++;
        while (b < len && ((unsigned char)text[b] & 0xC0) == 0x80) b++;
    }
    return b;
}

static bool null_text(const char *s) {
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

typedef struct scan_state {
    ex_scan *x;
    const char *text;
    size_t len;
    int depth;
    bool want_key, in_value;
    int value_depth; /* depth inside the value; 0 when not in it */
} scan_state;

/* A node (scalar, alias or collection start) at the root mapping's level. */
static void root_node(scan_state *s, const yaml_event_t *ev) {
    ex_scan *x = s->x;
    if (s->want_key) {
        s->in_value = ev->type == YAML_SCALAR_EVENT && !x->found &&
                      strcmp((const char *)ev->data.scalar.value, "exemptions") == 0;
        s->want_key = false;
        return;
    }
    s->want_key = true;
    if (!s->in_value) return;
    x->found = true;
    x->vtype = ev->type;
    x->vstart = byte_offset(s->text, s->len, ev->start_mark.index);
    x->vend = byte_offset(s->text, s->len, ev->end_mark.index);
    if (ev->type == YAML_SEQUENCE_START_EVENT) {
        x->flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        x->item_col = ev->start_mark.column;
        s->value_depth = 1;
    } else if (ev->type == YAML_SCALAR_EVENT) {
        x->null_scalar = ev->data.scalar.plain_implicit && null_text((const char *)ev->data.scalar.value);
    }
    s->in_value = false;
}

static void on_event(scan_state *s, const yaml_event_t *ev) {
    bool start = ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
    bool end = ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT;
    bool node = start || ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT;
    if (ev->type == YAML_DOCUMENT_START_EVENT) s->x->docs++;
    if (node && s->depth == 0) s->x->root_map = ev->type == YAML_MAPPING_START_EVENT;
    if (node && s->value_depth == 2 && s->depth == 2) s->x->items++; /* an item of the list */
    if (node && s->depth == 1 && s->x->root_map) root_node(s, ev);
    if (start) {
        s->depth++;
        if (s->value_depth) s->value_depth++;
    }
    if (end) {
        s->depth--;
        if (s->value_depth) s->value_depth--;
        if (s->value_depth == 1) { /* the list itself ended */
            s->x->vend = byte_offset(s->text, s->len, s->x->flow ? ev->end_mark.index : ev->start_mark.index);
            s->value_depth = 0;
        }
    }
}

static int scan_yaml(const char *text, size_t len, const char *name, ex_scan *x, lz_err *e) {
    memset(x, 0, sizeof *x);
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return lz_errf(e, "%s: cannot start the YAML parser", name);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    scan_state s = {.x = x, .text = text, .len = len, .want_key = true};
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = lz_errf(e, "%s:%zu:%zu: %s", name, p.problem_mark.line + 1, p.problem_mark.column + 1,
                         p.problem ? p.problem : "not YAML");
            break;
        }
        on_event(&s, &ev);
        bool done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (done) break;
    }
    yaml_parser_delete(&p);
    return rc;
}

/* Where and how to insert: 0 with out filled, or -1 naming the problem. */
static int splice(const char *old, size_t len, const char *name, const ex_scan *x, const tui_exemption *ex,
                  lz_buf *out, lz_err *e) {
    if (x->docs > 1) return lz_errf(e, "%s holds several YAML documents: add the exemption by hand", name);
    if (x->docs == 0) { /* empty, or only comments */
        lz_buf_put(out, old, len);
        if (len && old[len - 1] != '\n') lz_buf_putc(out, '\n');
        lz_buf_puts(out, "exemptions:\n");
        tui_exempt_format(out, ex, 2);
        return 0;
    }
    if (!x->root_map || !x->found) return lz_errf(e, "%s has no top-level `exemptions:` list", name);
    bool block = x->vtype == YAML_SEQUENCE_START_EVENT && !x->flow;
    bool empty_flow = x->vtype == YAML_SEQUENCE_START_EVENT && x->flow && x->items == 0;
    if (block) {
        lz_buf_put(out, old, x->vend);
        if (x->vend && old[x->vend - 1] != '\n') lz_buf_putc(out, '\n');
        tui_exempt_format(out, ex, x->item_col);
        lz_buf_put(out, old + x->vend, len - x->vend);
        return 0;
    }
    if (!empty_flow && !(x->vtype == YAML_SCALAR_EVENT && x->null_scalar))
        return lz_errf(e, "%s: `exemptions:` is not a block list (write it as \"- rules: ...\" items)", name);
    /* `exemptions: []`, `exemptions: ~` or nothing: the value becomes the list */
    size_t start = x->vstart;
    while (start > 0 && (old[start - 1] == ' ' || old[start - 1] == '\t')) start--;
    lz_buf_put(out, old, start);
    lz_buf_putc(out, '\n');
    lz_buf item = {0};
    tui_exempt_format(&item, ex, 2);
    lz_buf_put(out, item.data, item.len - 1); /* the rest of the old line follows the last field */
    lz_buf_free(&item);
    lz_buf_put(out, old + x->vend, len - x->vend);
    return 0;
}

int tui_exempt_append_text(const char *old, size_t len, const char *name, const tui_exemption *ex,
                           lz_buf *out, lz_err *e) {
    ex_scan before, after;
    if (!old) old = "", len = 0;
    if (scan_yaml(old, len, name, &before, e) < 0) return -1;
    lz_buf next = {0};
    if (splice(old, len, name, &before, ex, &next, e) < 0) {
        lz_buf_free(&next);
        return -1;
    }
    /* Never write what does not read back as one more exemption. */
    bool ok = scan_yaml(next.data, next.len, name, &after, e) == 0 && after.found && after.docs == 1 &&
              after.vtype == YAML_SEQUENCE_START_EVENT && after.items == before.items + 1;
    if (!ok) {
        lz_buf_free(&next);
        return lz_errf(e, "%s: cannot add an exemption to this file safely; add it by hand", name);
    }
    lz_buf_put(out, next.data, next.len);
    lz_buf_free(&next);
    return 0;
}

int tui_exempt_append_file(const char *path, const tui_exemption *x, time_t now, lz_err *e) {
    if (tui_exempt_validate(x, now, NULL, e) < 0) return -1;
    char *old = NULL;
    size_t len = 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (lz_read_file(path, &old, &len, e) < 0) return -1;
    } else if (errno != ENOENT) {
        return lz_errf(e, "%s: %s", path, strerror(errno));
    }
    lz_buf out = {0};
    int rc = tui_exempt_append_text(old, len, path, x, &out, e);
    if (rc == 0) rc = lz_write_atomic(path, out.data, out.len, e);
    lz_buf_free(&out);
    free(old);
    return rc;
}
