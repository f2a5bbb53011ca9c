/*
 * evidence.h - the quarterly compliance evidence bundle (docs/evidence.md):
 * the files `lzscan evidence` writes, SHA256SUMS over them, a detached CMS
 * signature over SHA256SUMS, and `lzscan verify`'s checks.
 *
 * Every renderer here is deterministic: the same report gives the same
 * bytes (rules in pack order, findings in report order, scopes sorted).
 *
 * Ownership: renderers append to the caller's lz_buf; an ev_bundle owns its
 * file names and contents.
 */
#ifndef OUT_EVIDENCE_H
#define OUT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/lz.h"
#include "../rules/report.h"

/* One file of a bundle: a relative name ("rules/X.yaml") and its bytes. */
typedef struct ev_file {
    char *name;
    char *data;
    size_t len;
} ev_file;

typedef struct ev_bundle {
    ev_file *files;
    size_t n, cap;
} ev_bundle;

/* Takes ownership of data (malloc'ed). */
void ev_bundle_add(ev_bundle *b, const char *name, char *data, size_t len);
void ev_bundle_free(ev_bundle *b);
/* Sorts the files by name (bytewise), as SHA256SUMS lists them. */
void ev_bundle_sort(ev_bundle *b);

/* findings.csv: one row per finding, evidence and exemption included. */
void ev_findings_csv(const report *r, lz_buf *out);
/* controls.csv: per framework control and scope, the result counts. */
void ev_controls_csv(const report *r, lz_buf *out);

typedef struct ev_manifest_info {
    const char *collected_at; /* RFC 3339 */
    const char *identity;     /* who collected (client/object id), or NULL */
    const char *previous;     /* --previous bundle, or NULL */
} ev_manifest_info;

/* manifest.json, listing the sha256 of every file of b (sorted first). */
int ev_manifest(const report *r, const ev_bundle *b, const ev_manifest_info *mi, lz_buf *out, lz_err *e);

/* SHA256SUMS in sha256sum's format ("HEX  NAME\n"), in b's order. */
void ev_sha256sums(const ev_bundle *b, lz_buf *out);

/* A detached CMS signature (DER) over data, by key_pem/cert_pem files. */
int ev_sign(const char *key_pem, const char *cert_pem, const void *data, size_t len, lz_buf *out, lz_err *e);
/* Checks sig (DER or PEM) over data. With ca_pem the signer must chain to
 * it; without, only the signature against the embedded certificate is
 * checked and *chain_verified is false. The signer's subject goes to
 * subject (may be NULL). */
int ev_verify_sig(const void *sig, size_t siglen, const void *data, size_t len, const char *ca_pem,
                  bool *chain_verified, lz_buf *subject, lz_err *e);

/* Is name a safe relative bundle path (no "..", no leading '/', no empty
 * segment, printable ASCII without backslash)? */
bool ev_name_safe(const char *name);

#endif
