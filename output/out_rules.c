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

/* ---- parameters and facts a rule reads ---- */

static const rule_param *pack_param(const rule_pack *p, const char *name) {
    for (size_t i = 0; p && i < p->nparams; i++)
        if (strcmp(p->params[i].name, name) == 0) return &p->params[i];
    return NULL;
}

/* ---- JSON ---- */

static void strv_json(jsonw *w, const char *key, const rule_strv *v) {
    jsonw_key(w, key);
    jsonw_begin_array(w);
    for (size_t i = 0; i < v->n; i++) jsonw_string(w, v->v[i]);
    jsonw_end_array(w);
}

/* "parameters": [{name, default, description}] and "facts": [names] the rule reads. */
static void refs_json(jsonw *w, const rule_pack *p, const rule *r) {
    rule_strv params = {0}, facts = {0};
    rule_refs(r, &params, &facts);
    jsonw_key(w, "parameters");
    jsonw_begin_array(w);
    for (size_t i = 0; i < params.n; i++) {
        const rule_param *rp = pack_param(p, params.v[i]);
        jsonw_begin_object(w);
        jsonw_kv_string(w, "name", params.v[i]);
        jsonw_kv_string(w, "default", rp && rp->default_yaml ? rp->default_yaml : "");
        jsonw_kv_string(w, "description", rp && rp->description ? rp->description : "");
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
    strv_json(w, "facts", &facts);
    strv_free(&params);
    strv_free(&facts);
}

static void rule_json(jsonw *w, const rule_pack *p, const rule *r, bool with_yaml) {
    jsonw_begin_object(w);
    jsonw_kv_string(w, "id", r->id);
    jsonw_kv_string(w, "title", r->title);
    jsonw_kv_string(w, "severity", sev_name(r->severity));
    jsonw_kv_string(w, "description", r->description ? r->description : "");
    jsonw_kv_string(w, "remediation", r->remediation ? r->remediation : "");
    jsonw_kv_string(w, "beyondPolicy", r->beyond_policy ? r->beyond_policy : "");
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
    refs_json(w, p, r);
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
    for (size_t i = 0; i < p->n; i++) rule_json(&w, p, p->rules[i], false);
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

/* Parameters (with defaults, overridable by --profile) and facts a rule reads. */
static void refs_text(lz_buf *out, const rule_pack *p, const rule *r) {
    rule_strv params = {0}, facts = {0};
    rule_refs(r, &params, &facts);
    field_strv(out, "facts:", &facts);
    if (params.n) {
        lz_buf_puts(out, "\nParameters (override with --profile, `parameters:`)\n");
        for (size_t i = 0; i < params.n; i++) {
            const rule_param *rp = pack_param(p, params.v[i]);
            lz_buf_puts(out, "  ");
            put_safe(out, params.v[i], 0);
            lz_buf_puts(out, " = ");
            put_safe(out, rp && rp->default_yaml ? rp->default_yaml : "?", 0);
            lz_buf_puts(out, "\n    ");
            put_safe(out, rp && rp->description ? rp->description : "(not declared by the pack)", 0);
            lz_buf_putc(out, '\n');
        }
    }
    strv_free(&params);
    strv_free(&facts);
}

static void show_text(const rule_pack *p, const rule *r, lz_buf *out) {
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
    refs_text(out, p, r);
    block_text(out, "Description", r->description);
    if (r->beyond_policy) block_text(out, "Beyond the closest Azure Policy built-in", r->beyond_policy);
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

static void md_refs(lz_buf *out, const rule *r) {
    rule_strv params = {0}, facts = {0};
    rule_refs(r, &params, &facts);
    md_strv(out, "Topology facts", &facts);
    lz_buf_puts(out, "- **Parameters:** ");
    if (!params.n) lz_buf_puts(out, "none");
    for (size_t i = 0; i < params.n; i++) {
        lz_buf_puts(out, i ? ", [`" : "[`");
        md_cell(out, params.v[i]);
        lz_buf_puts(out, "`](#parameters)");
    }
    lz_buf_putc(out, '\n');
    strv_free(&params);
    strv_free(&facts);
}

static void md_section(lz_buf *out, const rule_pack *p, const rule *r, bool with_yaml) {
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
    md_refs(out, r);
    lz_buf_puts(out, "- **Source:** `");
    md_cell(out, r->source ? r->source : "?");
    lz_buf_printf(out, ":%d`\n\n", r->line);
    out_sanitize_str(out, r->description ? r->description : "", 0, OUT_SAN_KEEP_NL);
    if (r->beyond_policy) {
        lz_buf_puts(out, "\n\n**Beyond the closest Azure Policy built-in:** ");
        out_sanitize_str(out, r->beyond_policy, 0, OUT_SAN_KEEP_NL);
    }
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

/* The landing-zone controls in the order the pack's docs present them;
 * controls named by other rules follow, in order of first appearance. */
static const char *const lz_controls[] = {
    "network isolation", "private endpoints", "forced tunnelling", "central DNS",    "diagnostics", "CMK",
    "identity",          "tagging",           "tenant isolation",  "content safety", NULL,
};

static void control_list(const rule_pack *p, rule_strv *out) {
    for (const char *const *c = lz_controls; *c; c++) strv_push(out, *c);
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < p->rules[i]->landing_zone.n; k++)
            if (!strv_has(out, p->rules[i]->landing_zone.v[k]))
                strv_push(out, p->rules[i]->landing_zone.v[k]);
}

/* One row per landing-zone control: its rules, the closest built-ins, and
 * what each rule checks beyond them. */
static void md_coverage(lz_buf *out, const rule_pack *p) {
    rule_strv controls = {0};
    control_list(p, &controls);
    lz_buf_puts(out,
                "\n## Coverage\n\nLanding-zone control, the rules that enforce it, the closest Azure Policy "
                "built-ins (GUIDs) or ALZ custom policies (names), and what lzscan checks beyond them.\n\n"
                "| Control | Rules | Azure Policy | Beyond the built-ins |\n|---|---|---|---|\n");
    for (size_t c = 0; c < controls.n; c++) {
        rule_strv policies = {0};
        lz_buf ids = {0}, beyond = {0};
        for (size_t i = 0; i < p->n; i++) {
            const rule *r = p->rules[i];
            if (!strv_has(&r->landing_zone, controls.v[c])) continue;
            lz_buf_printf(&ids, "%s[", ids.len ? ", " : "");
            md_cell(&ids, r->id);
            lz_buf_puts(&ids, "](#");
            md_anchor(&ids, r->id);
            lz_buf_putc(&ids, ')');
            for (size_t k = 0; k < r->policy.n; k++)
                if (!strv_has(&policies, r->policy.v[k])) strv_push(&policies, r->policy.v[k]);
            if (r->beyond_policy) {
                lz_buf_printf(&beyond, "%s**", beyond.len ? "<br>" : "");
                md_cell(&beyond, r->id);
                lz_buf_puts(&beyond, "**: ");
                md_cell(&beyond, r->beyond_policy);
            }
        }
        if (ids.len) {
            lz_buf_puts(out, "| ");
            md_cell(out, controls.v[c]);
            lz_buf_printf(out, " | %s | ", lz_buf_cstr(&ids));
            for (size_t k = 0; k < policies.n; k++) {
                lz_buf_puts(out, k ? ", `" : "`");
                md_cell(out, policies.v[k]);
                lz_buf_putc(out, '`');
            }
            lz_buf_printf(out, "%s | %s |\n", policies.n ? "" : "none",
                          beyond.len ? lz_buf_cstr(&beyond) : "");
        }
        strv_free(&policies);
        lz_buf_free(&ids);
        lz_buf_free(&beyond);
    }
    strv_free(&controls);
}

static void md_parameters(lz_buf *out, const rule_pack *p) {
    if (!p->nparams) return;
    lz_buf_puts(
        out, "\n<a id=\"parameters\"></a>\n## Parameters\n\nDeclared in the pack's `pack.yaml`; a profile "
             "(`--profile FILE`, `parameters:`) overrides any of them.\n\n| Parameter | Default | Meaning |\n"
             "|---|---|---|\n");
    for (size_t i = 0; i < p->nparams; i++) {
        lz_buf_puts(out, "| `");
        md_cell(out, p->params[i].name);
        lz_buf_puts(out, "` | `");
        md_cell(out, p->params[i].default_yaml);
        lz_buf_puts(out, "` | ");
        md_cell(out, p->params[i].description);
        lz_buf_puts(out, " |\n");
    }
}

static void list_markdown(const rule_pack *p, lz_buf *out) {
    lz_buf_puts(out, "# Rule pack ");
    md_cell(out, p->name);
    lz_buf_putc(out, ' ');
    md_cell(out, p->version);
    lz_buf_puts(out,
                "\n\nGenerated by `lzscan rules list --format markdown`: edit the rules, not this file.\n");
    lz_buf_printf(out, "\n%zu rules.\n\n| ID | Severity | Title |\n|---|---|---|\n", p->n);
    for (size_t i = 0; i < p->n; i++) {
        lz_buf_puts(out, "| [");
        md_cell(out, p->rules[i]->id);
        lz_buf_puts(out, "](#");
        md_anchor(out, p->rules[i]->id);
        lz_buf_printf(out, ") | %s | ", sev_name(p->rules[i]->severity));
        md_cell(out, p->rules[i]->title);
        lz_buf_puts(out, " |\n");
    }
    md_coverage(out, p);
    md_parameters(out, p);
    for (size_t i = 0; i < p->n; i++) md_section(out, p, p->rules[i], false);
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
    jsonw w;
    switch (f) {
    case OUT_RULES_JSON:
        jsonw_init(&w, out, true);
        rule_json(&w, p, r, true);
        return jsonw_finish(&w, e);
    case OUT_RULES_MARKDOWN:
        md_section(out, p, r, true);
        return 0;
    case OUT_RULES_TEXT:
        show_text(p, r, out);
        return 0;
    }
    return lz_errf(e, "rules show: unknown format %d", (int)f);
}
