#include "out_rules.h"

#include <stdlib.h>
#include <string.h>

#include "../rules/builtin.h"
#include "jsonw.h"
#include "sanitize.h"

int out_rules_format_parse(const char *s, enum out_rules_format *f, lz_err *e) {
    if (strcmp(s, "text") == 0)
        *f = OUT_RULES_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = OUT_RULES_JSON;
    else if (strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0)
        *f = OUT_RULES_MARKDOWN;
    else
        return lz_errf(e, "unknown format \"%s\" (expected text, json or markdown)", s);
    return 0;
}

static const char *sev_name(enum rule_severity s) {
    const char *n = rule_severity_name(s);
    return n ? n : "none";
}

/* ---- rule source text ---- */

static bool is_doc_marker(const char *line, const char *end) {
    size_t n = (size_t)(end - line);
    bool dash = n >= 3 && (memcmp(line, "---", 3) == 0 || memcmp(line, "...", 3) == 0);
    return dash && (n == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

/* The document of text containing 1-based line `line`, markers excluded. */
static char *document_at(const char *text, size_t len, int line) {
    const char *p = text, *end = text + len, *doc = text;
    int ln = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
        if (is_doc_marker(p, eol)) {
            if (ln >= line && p > doc) break; /* the document holding `line` ends here */
            doc = next;
        }
        p = next;
        ln++;
    }
    return lz_strndup(doc, (size_t)(p - doc));
}

static const char *builtin_text(const char *name, size_t *len) {
    for (const struct lz_builtin_file *f = lz_builtin_files; f->name; f++)
        if (strcmp(f->name, name) == 0) {
            *len = f->len;
            return f->data;
        }
    return NULL;
}

char *out_rule_source_text(const rule *r) {
    if (!r->source) return NULL;
    size_t len = 0;
    int line = r->line > 0 ? r->line : 1;
    if (strncmp(r->source, "builtin:", 8) == 0) {
        const char *t = builtin_text(r->source + 8, &len);
        return t ? document_at(t, len, line) : NULL;
    }
    char *data = NULL;
    if (lz_read_file(r->source, &data, &len, NULL) != 0) return NULL;
    char *doc = document_at(data, len, line);
    free(data);
    return doc;
}

/* ---- JSON ---- */

static void strv_json(jsonw *w, const char *key, const rule_strv *v) {
    jsonw_key(w, key);
    jsonw_begin_array(w);
    for (size_t i = 0; i < v->n; i++) jsonw_string(w, v->v[i]);
    jsonw_end_array(w);
}

static void rule_json(jsonw *w, const rule *r, bool with_yaml) {
    jsonw_begin_object(w);
    jsonw_kv_string(w, "id", r->id);
    jsonw_kv_string(w, "title", r->title);
    jsonw_kv_string(w, "severity", sev_name(r->severity));
    jsonw_kv_string(w, "description", r->description ? r->description : "");
    jsonw_kv_string(w, "remediation", r->remediation ? r->remediation : "");
    strv_json(w, "references", &r->references);
    strv_json(w, "policy", &r->policy);
    jsonw_key(w, "controls");
    jsonw_begin_object(w);
    strv_json(w, "mcsb", &r->mcsb);
    strv_json(w, "cis", &r->cis);
    strv_json(w, "landingZone", &r->landing_zone);
    jsonw_end_object(w);
    strv_json(w, "appliesTo", &r->types);
    strv_json(w, "needs", &r->needs);
    jsonw_kv_string(w, "source", r->source);
    jsonw_key(w, "line");
    jsonw_int(w, r->line);
    jsonw_kv_string(w, "sha256", r->sha256);
    char *yaml = with_yaml ? out_rule_source_text(r) : NULL;
    if (yaml) jsonw_kv_string(w, "yaml", yaml);
    free(yaml);
    jsonw_end_object(w);
}

static int list_json(const rule_pack *p, lz_buf *out, lz_err *e) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_array(&w);
    for (size_t i = 0; i < p->n; i++) rule_json(&w, p->rules[i], false);
    jsonw_end_array(&w);
    return jsonw_finish(&w, e);
}

/* ---- text ---- */

static void put_safe(lz_buf *out, const char *s, size_t cap) {
    out_sanitize_str(out, s ? s : "", cap, OUT_SAN_ELLIPSIS);
}

/* Pads to width using the sanitized text's length (bytes; close enough for ids). */
static void put_padded(lz_buf *out, const char *s, size_t width) {
    size_t before = out->len;
    put_safe(out, s, width);
    for (size_t n = out->len - before; n < width; n++) lz_buf_putc(out, ' ');
}

static void list_text(const rule_pack *p, lz_buf *out) {
    size_t w = 2;
    for (size_t i = 0; i < p->n; i++) w = strlen(p->rules[i]->id) > w ? strlen(p->rules[i]->id) : w;
    if (w > 40) w = 40;
    put_padded(out, "ID", w);
    lz_buf_puts(out, "  SEVERITY  TITLE\n");
    for (size_t i = 0; i < p->n; i++) {
        const rule *r = p->rules[i];
        put_padded(out, r->id, w);
        lz_buf_printf(out, "  %-8s  ", sev_name(r->severity));
        put_safe(out, r->title, 200);
        lz_buf_putc(out, '\n');
    }
    lz_buf_printf(out, "\n%zu rules in pack ", p->n);
    put_safe(out, p->name, 80);
    lz_buf_putc(out, ' ');
    put_safe(out, p->version, 80);
    lz_buf_putc(out, '\n');
}

static void strv_text(lz_buf *out, const rule_strv *v, const char *sep) {
    if (!v->n) lz_buf_puts(out, "-");
    for (size_t i = 0; i < v->n; i++) {
        if (i) lz_buf_puts(out, sep);
        put_safe(out, v->v[i], 0);
    }
}

static void field_strv(lz_buf *out, const char *label, const rule_strv *v) {
    lz_buf_printf(out, "%-13s ", label);
    strv_text(out, v, ", ");
    lz_buf_putc(out, '\n');
}

/* Multi-line text indented by two spaces. */
static void block_text(lz_buf *out, const char *heading, const char *text) {
    lz_buf_printf(out, "\n%s\n  ", heading);
    lz_buf b = {0};
    out_sanitize_str(&b, text ? text : "", 0, OUT_SAN_KEEP_NL);
    for (const char *s = lz_buf_cstr(&b); *s; s++) {
        lz_buf_putc(out, *s);
        if (*s == '\n' && s[1]) lz_buf_puts(out, "  ");
    }
    if (!b.len || b.data[b.len - 1] != '\n') lz_buf_putc(out, '\n');
    lz_buf_free(&b);
}

static void show_text(const rule *r, lz_buf *out) {
    put_safe(out, r->id, 0);
    lz_buf_puts(out, "  ");
    put_safe(out, r->title, 0);
    lz_buf_printf(out, "\n%-13s %s\n", "severity:", sev_name(r->severity));
    field_strv(out, "applies to:", &r->types);
    field_strv(out, "needs:", &r->needs);
    field_strv(out, "policy:", &r->policy);
    field_strv(out, "mcsb:", &r->mcsb);
    field_strv(out, "cis:", &r->cis);
    field_strv(out, "landing zone:", &r->landing_zone);
    field_strv(out, "references:", &r->references);
    lz_buf_printf(out, "%-13s ", "source:");
    put_safe(out, r->source ? r->source : "?", 0);
    lz_buf_printf(out, ":%d\n%-13s %s\n", r->line, "sha256:", r->sha256 ? r->sha256 : "-");
    block_text(out, "Description", r->description);
    block_text(out, "Remediation", r->remediation);
    char *yaml = out_rule_source_text(r);
    if (yaml) block_text(out, "Source", yaml);
    free(yaml);
}

/* ---- Markdown ---- */

/* Sanitized text for a table cell: pipes escaped, line breaks as spaces. */
static void md_cell(lz_buf *out, const char *s) {
    lz_buf b = {0};
    out_sanitize_str(&b, s ? s : "", 0, OUT_SAN_KEEP_NL);
    for (const char *c = lz_buf_cstr(&b); *c; c++) {
        if (*c == '|')
            lz_buf_puts(out, "\\|");
        else if (*c == '\n' || *c == '\t')
            lz_buf_putc(out, ' ');
        else
            lz_buf_putc(out, *c);
    }
    lz_buf_free(&b);
}

/* GitHub's heading anchor for "ID: title" headings is long; an explicit
 * lower-cased id anchor is stable. */
static void md_anchor(lz_buf *out, const char *id) {
    for (const char *c = id; *c; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')
            lz_buf_putc(out, *c);
        else if (*c >= 'A' && *c <= 'Z')
            lz_buf_putc(out, (char)(*c + 32));
}

static void md_strv(lz_buf *out, const char *label, const rule_strv *v) {
    lz_buf_printf(out, "- **%s:** ", label);
    if (!v->n) lz_buf_puts(out, "none");
    for (size_t i = 0; i < v->n; i++) {
        lz_buf_puts(out, i ? ", `" : "`");
        md_cell(out, v->v[i]);
        lz_buf_putc(out, '`');
    }
    lz_buf_putc(out, '\n');
}

/* A fenced code block whose fence is longer than any backtick run in text,
 * so the text cannot close it early. */
static void md_code(lz_buf *out, const char *lang, const char *text) {
    size_t run = 0, longest = 0;
    for (const char *c = text; *c; c++) {
        run = *c == '`' ? run + 1 : 0;
        if (run > longest) longest = run;
    }
    size_t fence = longest < 3 ? 3 : longest + 1;
    lz_buf_putc(out, '\n');
    for (size_t i = 0; i < fence; i++) lz_buf_putc(out, '`');
    lz_buf_printf(out, "%s\n", lang);
    out_sanitize_str(out, text, 0, OUT_SAN_KEEP_NL);
    if (!*text || text[strlen(text) - 1] != '\n') lz_buf_putc(out, '\n');
    for (size_t i = 0; i < fence; i++) lz_buf_putc(out, '`');
    lz_buf_putc(out, '\n');
}

static void md_section(lz_buf *out, const rule *r, bool with_yaml) {
    lz_buf_puts(out, "\n<a id=\"");
    md_anchor(out, r->id);
    lz_buf_puts(out, "\"></a>\n## ");
    md_cell(out, r->id);
    lz_buf_puts(out, ": ");
    md_cell(out, r->title);
    lz_buf_printf(out, "\n\n- **Severity:** %s\n", sev_name(r->severity));
    md_strv(out, "Applies to", &r->types);
    md_strv(out, "Needs", &r->needs);
    md_strv(out, "Azure Policy", &r->policy);
    md_strv(out, "MCSB", &r->mcsb);
    md_strv(out, "CIS", &r->cis);
    md_strv(out, "Landing zone", &r->landing_zone);
    lz_buf_puts(out, "- **Source:** `");
    md_cell(out, r->source ? r->source : "?");
    lz_buf_printf(out, ":%d`\n\n", r->line);
    out_sanitize_str(out, r->description ? r->description : "", 0, OUT_SAN_KEEP_NL);
    lz_buf_puts(out, "\n\n**Remediation**\n\n");
    out_sanitize_str(out, r->remediation ? r->remediation : "", 0, OUT_SAN_KEEP_NL);
    lz_buf_putc(out, '\n');
    if (r->references.n) lz_buf_puts(out, "\n**References**\n\n");
    for (size_t i = 0; i < r->references.n; i++) {
        lz_buf_puts(out, "- ");
        md_cell(out, r->references.v[i]);
        lz_buf_putc(out, '\n');
    }
    char *yaml = with_yaml ? out_rule_source_text(r) : NULL;
    if (yaml) md_code(out, "yaml", yaml);
    free(yaml);
}

static void list_markdown(const rule_pack *p, lz_buf *out) {
    lz_buf_puts(out, "# Rule pack ");
    md_cell(out, p->name);
    lz_buf_putc(out, ' ');
    md_cell(out, p->version);
    lz_buf_printf(out, "\n\n%zu rules.\n\n| ID | Severity | Title |\n|---|---|---|\n", p->n);
    for (size_t i = 0; i < p->n; i++) {
        lz_buf_puts(out, "| [");
        md_cell(out, p->rules[i]->id);
        lz_buf_puts(out, "](#");
        md_anchor(out, p->rules[i]->id);
        lz_buf_printf(out, ") | %s | ", sev_name(p->rules[i]->severity));
        md_cell(out, p->rules[i]->title);
        lz_buf_puts(out, " |\n");
    }
    for (size_t i = 0; i < p->n; i++) md_section(out, p->rules[i], false);
}

/* ---- entry points ---- */

int out_rules_list(const rule_pack *p, enum out_rules_format f, lz_buf *out, lz_err *e) {
    switch (f) {
    case OUT_RULES_JSON:
        return list_json(p, out, e);
    case OUT_RULES_MARKDOWN:
        list_markdown(p, out);
        return 0;
    case OUT_RULES_TEXT:
        list_text(p, out);
        return 0;
    }
    return lz_errf(e, "rules list: unknown format %d", (int)f);
}

int out_rules_show(const rule_pack *p, const rule *r, enum out_rules_format f, lz_buf *out, lz_err *e) {
    (void)p; /* reserved: pack parameters the rule uses */
    jsonw w;
    switch (f) {
    case OUT_RULES_JSON:
        jsonw_init(&w, out, true);
        rule_json(&w, r, true);
        return jsonw_finish(&w, e);
    case OUT_RULES_MARKDOWN:
        md_section(out, r, true);
        return 0;
    case OUT_RULES_TEXT:
        show_text(r, out);
        return 0;
    }
    return lz_errf(e, "rules show: unknown format %d", (int)f);
}
