/*
 * tui_dialogs.c - the TUI's two dialogs: `e` (an exemption for the selected
 * failing finding: the form, validation, then the append of tui_exempt.h)
 * and `x` (the current view as a table, written by tui_export.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tui_app.h"
#include "tui_exempt.h"
#include "tui_export.h"
#include "tui_text.h"

static size_t current_finding(const tui_app *a) {
    if (a->view == TV_FINDINGS) return tui_model_selected(&a->m);
    if (a->view == TV_DETAIL) return a->det.finding;
    return SIZE_MAX;
}

void tui_dialog_exempt(tui_app *a) {
    size_t fi = current_finding(a);
    if (fi == SIZE_MAX) {
        tui_app_say(a, true, "select a finding (in the findings list or its detail) to exempt it");
        return;
    }
    const tui_row *row = &a->m.rows[fi];
    if (row->status == RS_EXEMPT || row->exempted) {
        tui_app_say(a, false, "this finding is already exempt");
        return;
    }
    if (row->status != RS_FAIL) { /* exemptions accept a failure's risk; unknown means data is missing */
        tui_app_say(a, true,
                    "only failing findings can be exempted (this one is %s: collect the data it needs)",
                    result_status_name((enum result_status)row->status));
        return;
    }
    tui_form_init(&a->form, "Exempt this finding");
    lz_buf b = {0};
    lz_buf_printf(&b, "%s on %s", tui_model_str(&a->m, row->rule), tui_model_str(&a->m, row->name));
    tui_form_info(&a->form, lz_buf_cstr(&b));
    lz_buf_reset(&b);
    lz_buf_puts(&b, tui_model_str(&a->m, row->id));
    tui_form_info(&a->form, lz_buf_cstr(&b));
    lz_buf_reset(&b);
    lz_buf_puts(&b, "appended to ");
    tui_text_clean_str(&b, a->exemptions, 200);
    tui_form_info(&a->form, lz_buf_cstr(&b));
    lz_buf_free(&b);
    char date[16];
    time_t later = time(NULL) + 90 * 86400;
    struct tm tm;
    gmtime_r(&later, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    tui_form_field(&a->form, "Justification", "", 1000);
    tui_form_field(&a->form, "Owner", "", 200);
    tui_form_field(&a->form, "Ticket", "", 200);
    tui_form_field(&a->form, "Expires", date, 10);
    a->form_kind = TF_EXEMPT;
    a->form_finding = fi;
}

static void form_error(tui_app *a, const char *raw) {
    lz_buf b = {0};
    tui_text_clean_str(&b, raw, 300);
    snprintf(a->form.err, sizeof a->form.err, "%s", lz_buf_cstr(&b));
    lz_buf_free(&b);
}

static void exempt_submit(tui_app *a) {
    const finding *f = &a->r->findings[a->form_finding];
    tui_exemption x = {f->rule ? f->rule->id : "",  f->subject_id,
                       tui_form_value(&a->form, 0), tui_form_value(&a->form, 1),
                       tui_form_value(&a->form, 2), tui_form_value(&a->form, 3)};
    lz_err e;
    enum tui_exempt_field field;
    if (tui_exempt_validate(&x, time(NULL), &field, &e) < 0) {
        form_error(a, e.msg);
        if (field != TXF_NONE) a->form.focus = (size_t)field;
        return;
    }
    if (tui_exempt_append_file(a->exemptions, &x, time(NULL), &e) < 0) {
        form_error(a, e.msg);
        return;
    }
    tui_form_free(&a->form);
    a->form_kind = TF_NONE;
    tui_row *row = &a->m.rows[a->form_finding];
    row->exempted = true;
    lz_buf b = {0};
    lz_buf_printf(&b, "exemption for %s on %s appended to ", tui_model_str(&a->m, row->rule),
                  tui_model_str(&a->m, row->name));
    tui_text_clean_str(&b, a->exemptions, 200);
    tui_app_say(a, false, "%s", lz_buf_cstr(&b));
    lz_buf_free(&b);
    if (a->view == TV_DETAIL) {
        size_t top = a->det.top;
        enum tui_view back = a->back;
        tui_app_open_finding(a, a->form_finding);
        a->back = back;
        a->det.top = top;
    }
}

static const char *view_slug(const tui_app *a) {
    static const char *const slug[] = {"dashboard", "findings", "tree", "rules", "detail"};
    return slug[a->view <= TV_DETAIL ? a->view : 0];
}

void tui_dialog_export(tui_app *a) {
    tui_form_init(&a->form, "Export this view");
    char name[64];
    snprintf(name, sizeof name, "lzscan-%s.csv", view_slug(a));
    tui_form_info(&a->form, "Format: csv or json. The file is replaced atomically.");
    tui_form_field(&a->form, "Format", "csv", 8);
    tui_form_field(&a->form, "File", name, 4000);
    a->form_kind = TF_EXPORT;
}

static void view_table(tui_app *a, tui_table *t) {
    switch (a->view) {
    case TV_DASH:
        tui_table_nodes(t, &a->tree, a->tree.dash, a->tree.ndash);
        break;
    case TV_TREE:
        tui_table_nodes(t, &a->tree, a->tree.vis, a->tree.nvis);
        break;
    case TV_RULES:
        tui_table_rules(t, a->r);
        break;
    case TV_DETAIL:
        if (a->det.finding != SIZE_MAX) {
            tui_table_evidence(t, a->r, a->det.finding);
        } else { /* a resource page: its findings */
            uint32_t *idx = lz_malloc((a->r->nfindings ? a->r->nfindings : 1) * sizeof *idx);
            size_t n = 0;
            for (size_t i = 0; i < a->r->nfindings; i++)
                if (a->r->findings[i].resource == a->det.res) idx[n++] = (uint32_t)i;
            tui_table_findings(t, a->r, idx, n);
            free(idx);
        }
        break;
    default:
        tui_table_findings(t, a->r, a->m.vis, a->m.nvis);
        break;
    }
}

static void export_submit(tui_app *a) {
    const char *fmt = tui_form_value(&a->form, 0), *file = tui_form_value(&a->form, 1);
    enum tui_export_format f;
    if (strcasecmp(fmt, "csv") == 0)
        f = TUI_EXPORT_CSV;
    else if (strcasecmp(fmt, "json") == 0)
        f = TUI_EXPORT_JSON;
    else {
        form_error(a, "format: csv or json");
        a->form.focus = 0;
        return;
    }
    char def[64], path_json[64];
    snprintf(def, sizeof def, "lzscan-%s.csv", view_slug(a));
    snprintf(path_json, sizeof path_json, "lzscan-%s.json", view_slug(a));
    if (f == TUI_EXPORT_JSON && strcmp(file, def) == 0) file = path_json; /* the default follows the format */
    if (!*file) {
        form_error(a, "file: a path is required");
        a->form.focus = 1;
        return;
    }
    tui_table t;
    view_table(a, &t);
    lz_err e;
    char *path = lz_strdup(file);
    int rc = tui_export_write(&t, f, view_slug(a), tui_filter_pattern(a->m.flt), path, &e);
    size_t rows = t.nrows;
    tui_table_free(&t);
    if (rc < 0) {
        form_error(a, e.msg);
        free(path);
        return;
    }
    tui_form_free(&a->form);
    a->form_kind = TF_NONE;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "exported %zu row%s to ", rows, rows == 1 ? "" : "s");
    tui_app_say_clean(a, false, prefix, path);
    free(path);
}

void tui_dialog_key(tui_app *a, int ch, bool fn) {
    enum tui_form_result res = tui_form_key(&a->form, ch, fn);
    if (res == TUI_FORM_CANCEL) {
        tui_form_free(&a->form);
        a->form_kind = TF_NONE;
        tui_app_say(a, false, "cancelled");
    } else if (res == TUI_FORM_SUBMIT) {
        if (a->form_kind == TF_EXEMPT)
            exempt_submit(a);
        else
            export_submit(a);
    }
}
