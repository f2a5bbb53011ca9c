/*
 * evidence.c - see evidence.h.
 */
#include "evidence.h"

#include "out_csv.h"
#include "out_json.h"

/* pem.h first: cms.h declares PEM_read_bio_CMS only when pem.h's macros exist. */
#include <openssl/pem.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "out_common.h"

#ifndef LZSCAN_VERSION
#define LZSCAN_VERSION "0.0.0"
#endif

/* ---- the bundle ---- */

void ev_bundle_add(ev_bundle *b, const char *name, char *data, size_t len) {
    LZ_PUSH(b->files, b->n, b->cap, ((ev_file){lz_strdup(name), data, len}));
}

void ev_bundle_free(ev_bundle *b) {
    for (size_t i = 0; i < b->n; i++) {
        free(b->files[i].name);
        free(b->files[i].data);
    }
    free(b->files);
    *b = (ev_bundle){0};
}

static int cmp_file(const void *a, const void *b) {
    return strcmp(((const ev_file *)a)->name, ((const ev_file *)b)->name);
}

void ev_bundle_sort(ev_bundle *b) {
    if (b->n) qsort(b->files, b->n, sizeof *b->files, cmp_file);
}

bool ev_name_safe(const char *name) {
    if (!name || !*name || *name == '/') return false;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '\\') return false;
    const char *seg = name;
    for (;;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return false;
        if (!end) return true;
        seg = end + 1;
    }
}

/* ---- CSV ---- */

static void csv_row(lz_buf *out, const char *const *cells, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i) lz_buf_putc(out, ',');
        out_csv_cell(out, cells[i]);
    }
    lz_buf_puts(out, "\r\n"); /* RFC 4180 */
}

static char *evidence_text(const finding *f) {
    lz_buf b = {0};
    for (size_t i = 0; i < f->nevidence; i++) {
        const evidence *ev = &f->evidence[i];
        if (i) lz_buf_putc(&b, '\n');
        lz_buf_printf(&b, "%s: %s; expected %s", ev->path ? ev->path : "",
                      ev->actual ? ev->actual : "missing", ev->expected ? ev->expected : "");
    }
    return lz_buf_steal(&b);
}

static const char *const findings_header[] = {"ruleId",
                                              "severity",
                                              "status",
                                              "title",
                                              "subscription",
                                              "resourceGroup",
                                              "resourceName",
                                              "resourceId",
                                              "message",
                                              "evidence",
                                              "baselineState",
                                              "exemptionSource",
                                              "exemptionJustification",
                                              "exemptionOwner",
                                              "exemptionTicket",
                                              "exemptionExpires",
                                              "fingerprint"};
#define FINDINGS_COLS (sizeof findings_header / sizeof *findings_header)

static void finding_row(const report *r, const finding *f, lz_buf *out) {
    out_subject s;
    out_subject_get(r, f, &s);
    const report_exemption *x = report_finding_exemption(r, f);
    char *ev = evidence_text(f);
    const char *cells[FINDINGS_COLS] = {f->rule->id,
                                        rule_severity_name(f->rule->severity),
                                        result_status_name(f->status),
                                        f->rule->title,
                                        s.subscription,
                                        s.resource_group,
                                        s.name,
                                        f->subject_id,
                                        f->message,
                                        ev,
                                        baseline_state_name(f->baseline),
                                        x ? x->source : NULL,
                                        x ? x->justification : NULL,
                                        x ? x->owner : NULL,
                                        x ? x->ticket : NULL,
                                        x ? x->expires : NULL,
                                        f->fingerprint};
    csv_row(out, cells, FINDINGS_COLS);
    free(ev);
    out_subject_free(&s);
}

void ev_findings_csv(const report *r, lz_buf *out) {
    csv_row(out, findings_header, FINDINGS_COLS);
    for (size_t i = 0; i < r->nfindings; i++) finding_row(r, &r->findings[i], out);
}

/* ---- controls.csv ---- */

enum { FW_MCSB, FW_CIS, FW_LZ, FW__COUNT };
static const char *const fw_names[FW__COUNT] = {"mcsb", "cis", "landingZone"};
enum { SC_ALL, SC_MG, SC_SUB };
static const char *const sc_names[] = {"all", "managementGroup", "subscription"};

typedef struct ctl_row {
    int fw, scope_kind;
    const char *control, *scope; /* borrowed from the pack / inventory */
    size_t rules;
    size_t by_status[RS__COUNT];
} ctl_row;

typedef struct ctl_rows {
    ctl_row *v;
    size_t n, cap;
} ctl_rows;

static const rule_strv *fw_controls(const rule *ru, int fw) {
    return fw == FW_MCSB ? &ru->mcsb : fw == FW_CIS ? &ru->cis : &ru->landing_zone;
}

static ctl_row *row_get(ctl_rows *t, int fw, const char *control, int kind, const char *scope) {
    for (size_t i = 0; i < t->n; i++) {
        ctl_row *w = &t->v[i];
        if (w->fw == fw && w->scope_kind == kind && strcmp(w->control, control) == 0 &&
            strcmp(w->scope, scope) == 0)
            return w;
    }
    LZ_PUSH(t->v, t->n, t->cap,
            ((ctl_row){.fw = fw, .scope_kind = kind, .control = control, .scope = scope}));
    return &t->v[t->n - 1];
}

/* Whole-report rows: every rule's counts go to each control it maps to. */
static void rows_all(const report *r, ctl_rows *t) {
    for (size_t i = 0; r->pack && i < r->pack->n; i++) {
        const rule *ru = r->pack->rules[i];
        for (int fw = 0; fw < FW__COUNT; fw++) {
            const rule_strv *c = fw_controls(ru, fw);
            for (size_t k = 0; k < c->n; k++) {
                ctl_row *w = row_get(t, fw, c->v[k], SC_ALL, "");
                w->rules++;
                for (int s = 0; s < RS__COUNT; s++) w->by_status[s] += r->counts[i].by_status[s];
            }
        }
    }
}

static void count_scope(ctl_rows *t, const rule *ru, int kind, const char *scope, enum result_status st) {
    for (int fw = 0; fw < FW__COUNT; fw++) {
        const rule_strv *c = fw_controls(ru, fw);
        for (size_t k = 0; k < c->n; k++) row_get(t, fw, c->v[k], kind, scope)->by_status[st]++;
    }
}

/* Per-scope rows come from findings: the engine counts passes and
 * not-applicable results per rule only, so those cells stay empty. */
static void rows_scoped(const report *r, ctl_rows *t) {
    for (size_t i = 0; r->inv && i < r->nfindings; i++) {
        const finding *f = &r->findings[i];
        if (f->resource == INV_NONE) continue;
        jv_atom sub = inv_get(r->inv, f->resource)->subscription;
        if (!sub) continue;
        count_scope(t, f->rule, SC_SUB, inv_str(r->inv, sub), f->status);
        const jv_atom *mgs;
        size_t n = inv_mg_chain(r->inv, sub, &mgs);
        for (size_t k = 0; k < n; k++) count_scope(t, f->rule, SC_MG, inv_str(r->inv, mgs[k]), f->status);
    }
}

static int cmp_row(const void *pa, const void *pb) {
    const ctl_row *a = pa, *b = pb;
    if (a->fw != b->fw) return a->fw - b->fw;
    int c = strcmp(a->control, b->control);
    if (c) return c;
    if (a->scope_kind != b->scope_kind) return a->scope_kind - b->scope_kind;
    return strcmp(a->scope, b->scope);
}

static const char *const controls_header[] = {"framework", "control", "scopeType", "scope",  "rules",
                                              "pass",      "fail",    "unknown",   "exempt", "notApplicable"};

static void control_row(const ctl_row *w, lz_buf *out) {
    char num[6][24];
    bool all = w->scope_kind == SC_ALL;
    snprintf(num[0], sizeof num[0], "%zu", w->rules);
    const enum result_status order[5] = {RS_PASS, RS_FAIL, RS_UNKNOWN, RS_EXEMPT, RS_NOT_APPLICABLE};
    for (int i = 0; i < 5; i++) snprintf(num[i + 1], sizeof num[i + 1], "%zu", w->by_status[order[i]]);
    const char *cells[10] = {fw_names[w->fw],
                             w->control,
                             sc_names[w->scope_kind],
                             w->scope,
                             all ? num[0] : "",
                             all ? num[1] : "",
                             num[2],
                             num[3],
                             num[4],
                             all ? num[5] : ""};
    csv_row(out, cells, 10);
}

void ev_controls_csv(const report *r, lz_buf *out) {
    ctl_rows t = {0};
    rows_all(r, &t);
    rows_scoped(r, &t);
    if (t.n) qsort(t.v, t.n, sizeof *t.v, cmp_row);
    csv_row(out, controls_header, 10);
    for (size_t i = 0; i < t.n; i++) control_row(&t.v[i], out);
    free(t.v);
}

/* ---- manifest.json and SHA256SUMS ---- */

static void manifest_head(jsonw *w, const report *r, const ev_manifest_info *mi) {
    jsonw_kv_string(w, "schemaVersion", "1.0.0");
    out_json_tool(w, r);
    char *scope = out_scan_scope(r);
    jsonw_kv_string(w, "scope", scope);
    free(scope);
    jsonw_kv_string(w, "collectedAt", mi->collected_at);
    jsonw_kv_string(w, "collectedBy", mi->identity); /* null offline */
    jsonw_kv_string(w, "previous", mi->previous);
}

/* Expired exemptions apply to nothing; they are listed apart for auditors. */
static void manifest_exemptions(jsonw *w, const report *r) {
    jsonw_key(w, "exemptions");
    jsonw_begin_object(w);
    jsonw_kv_bool(w, "applied", r->exemptions_path != NULL);
    jsonw_kv_uint(w, "entries", r->nexemptions);
    jsonw_key(w, "expired");
    jsonw_begin_array(w);
    for (size_t i = 0; i < r->nexemptions; i++)
        if (r->exemptions[i].expired) jsonw_string(w, r->exemptions[i].source);
    jsonw_end_array(w);
    jsonw_end_object(w);
}

static void manifest_files(jsonw *w, const ev_bundle *b) {
    jsonw_key(w, "files");
    jsonw_begin_array(w);
    for (size_t i = 0; i < b->n; i++) {
        char hex[65];
        lz_sha256_hex(b->files[i].data, b->files[i].len, hex);
        jsonw_begin_object(w);
        jsonw_kv_string(w, "name", b->files[i].name);
        jsonw_kv_string(w, "sha256", hex);
        jsonw_kv_uint(w, "bytes", b->files[i].len);
        jsonw_end_object(w);
    }
    jsonw_end_array(w);
}

int ev_manifest(const report *r, const ev_bundle *b, const ev_manifest_info *mi, lz_buf *out, lz_err *e) {
    jsonw w;
    jsonw_init(&w, out, true);
    jsonw_begin_object(&w);
    manifest_head(&w, r, mi);
    out_json_coverage(&w, r);
    manifest_exemptions(&w, r);
    jsonw_key(&w, "summary");
    jsonw_begin_object(&w);
    for (int s = 0; s < RS__COUNT; s++)
        jsonw_kv_uint(&w, result_status_name((enum result_status)s), report_total(r, (enum result_status)s));
    jsonw_end_object(&w);
    manifest_files(&w, b);
    jsonw_end_object(&w);
    return jsonw_finish(&w, e);
}

void ev_sha256sums(const ev_bundle *b, lz_buf *out) {
    for (size_t i = 0; i < b->n; i++) {
        char hex[65];
        lz_sha256_hex(b->files[i].data, b->files[i].len, hex);
        lz_buf_printf(out, "%s  %s\n", hex, b->files[i].name);
    }
}

/* ---- CMS ---- */

static int ssl_err(lz_err *e, const char *what) {
    unsigned long code = ERR_get_error();
    char buf[256] = "unknown OpenSSL error";
    if (code) ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    return lz_errf(e, "%s: %s", what, buf);
}

static void *pem_file(const char *path, bool key) {
    BIO *in = BIO_new_file(path, "r");
    if (!in) return NULL;
    void *obj = key ? (void *)PEM_read_bio_PrivateKey(in, NULL, NULL, NULL)
                    : (void *)PEM_read_bio_X509(in, NULL, NULL, NULL);
    BIO_free(in);
    return obj;
}

static int der_out(CMS_ContentInfo *cms, lz_buf *out, lz_err *e) {
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    if (n <= 0) return ssl_err(e, "encoding the signature");
    lz_buf_put(out, der, (size_t)n);
    OPENSSL_free(der);
    return 0;
}

int ev_sign(const char *key_pem, const char *cert_pem, const void *data, size_t len, lz_buf *out, lz_err *e) {
    EVP_PKEY *key = pem_file(key_pem, true);
    X509 *cert = pem_file(cert_pem, false);
    BIO *in = BIO_new_mem_buf(data, (int)len);
    CMS_ContentInfo *cms = NULL;
    int rc = -1;
    if (!key)
        ssl_err(e, key_pem);
    else if (!cert)
        ssl_err(e, cert_pem);
    else if (!(cms = CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY)))
        ssl_err(e, "signing SHA256SUMS");
    else
        rc = der_out(cms, out, e);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

static CMS_ContentInfo *cms_parse(const void *sig, size_t siglen) {
    BIO *in = BIO_new_mem_buf(sig, (int)siglen);
    CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);
    if (!cms) {
        ERR_clear_error();
        BIO_free(in);
        in = BIO_new_mem_buf(sig, (int)siglen);
        cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
    }
    BIO_free(in);
    return cms;
}

static X509_STORE *ca_store(const char *ca_pem, lz_err *e) {
    X509_STORE *st = X509_STORE_new();
    if (X509_STORE_load_file(st, ca_pem) != 1) {
        X509_STORE_free(st);
        ssl_err(e, ca_pem);
        return NULL;
    }
    /* Evidence signers are not S/MIME mail certificates: any purpose. */
    X509_STORE_set_purpose(st, X509_PURPOSE_ANY);
    return st;
}

static void signer_subject(CMS_ContentInfo *cms, lz_buf *subject) {
    STACK_OF(X509) *signers = CMS_get0_signers(cms);
    if (!subject || !signers || sk_X509_num(signers) < 1) {
        sk_X509_free(signers);
        return;
    }
    char *s = X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), NULL, 0);
    if (s) lz_buf_puts(subject, s);
    OPENSSL_free(s);
    sk_X509_free(signers);
}

int ev_verify_sig(const void *sig, size_t siglen, const void *data, size_t len, const char *ca_pem,
                  bool *chain_verified, lz_buf *subject, lz_err *e) {
    *chain_verified = false;
    CMS_ContentInfo *cms = cms_parse(sig, siglen);
    if (!cms) return ssl_err(e, "SHA256SUMS.p7s is not a CMS signature");
    X509_STORE *st = NULL;
    if (ca_pem && !(st = ca_store(ca_pem, e))) {
        CMS_ContentInfo_free(cms);
        return -1;
    }
    BIO *in = BIO_new_mem_buf(data, (int)len);
    unsigned flags = CMS_BINARY | (st ? 0 : CMS_NO_SIGNER_CERT_VERIFY);
    int rc = CMS_verify(cms, NULL, st, in, NULL, flags) == 1
                 ? 0
                 : ssl_err(e, "the signature does not verify over SHA256SUMS");
    if (rc == 0) {
        *chain_verified = st != NULL;
        signer_subject(cms, subject);
    }
    BIO_free(in);
    X509_STORE_free(st);
    CMS_ContentInfo_free(cms);
    return rc;
}
