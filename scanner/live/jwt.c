/*
 * jwt.c - see jwt.h.
 */
#include "jwt.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "redact.h"

struct live_cert {
    X509 *x509;
    EVP_PKEY *key;
    char *x5t_s256, *x5t;
};

/* ---- base64url ---- */

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *live_b64url(const void *data, size_t n) {
    const unsigned char *p = data;
    lz_buf b = {0};
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {b64u[v >> 18], b64u[(v >> 12) & 63], b64u[(v >> 6) & 63], b64u[v & 63]};
        lz_buf_put(&b, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[2] = {b64u[v >> 18], b64u[(v >> 12) & 63]};
        lz_buf_put(&b, q, 2);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        char q[3] = {b64u[v >> 18], b64u[(v >> 12) & 63], b64u[(v >> 6) & 63]};
        lz_buf_put(&b, q, 3);
    }
    if (!b.data) lz_buf_puts(&b, "");
    return lz_buf_steal(&b);
}

static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
}

int live_b64url_decode(const char *s, size_t n, lz_buf *out) {
    while (n && s[n - 1] == '=') n--;
    if (n % 4 == 1) return -1;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            lz_buf_putc(out, (char)((acc >> bits) & 0xff));
        }
    }
    if (!out->data) lz_buf_puts(out, "");
    return 0;
}

void live_guid(const unsigned char in[16], char out[37]) {
    unsigned char b[16];
    memcpy(b, in, 16);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* ---- certificates ---- */

static int pass_cb(char *buf, int size, int rwflag, void *u) {
    const char *pw = u;
    if (!pw) return 0;
    int n = (int)strlen(pw);
    if (n > size) n = size;
    memcpy(buf, pw, (size_t)n);
    return n;
}

static char *thumbprint(X509 *x, const EVP_MD *md) {
    unsigned char der_md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!X509_digest(x, md, der_md, &n)) return NULL;
    return live_b64url(der_md, n);
}

static int cert_fail(const char *path, const char *what, lz_err *e) {
    unsigned long ec = ERR_get_error();
    char detail[256] = "";
    if (ec) ERR_error_string_n(ec, detail, sizeof detail);
    ERR_clear_error();
    return live_errf(e, "%s: %s%s%s", path, what, detail[0] ? ": " : "", detail);
}

int live_cert_load(const char *path, const char *password, live_cert **out, lz_err *e) {
    *out = NULL;
    char *text;
    size_t len;
    if (lz_read_file(path, &text, &len, e) < 0) return -1;
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    bio = BIO_new_mem_buf(text, (int)len);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)password);
    BIO_free(bio);
    OPENSSL_cleanse(text, len);
    free(text);
    if (!x || !key) {
        X509_free(x);
        EVP_PKEY_free(key);
        return cert_fail(path,
                         !x ? "no PEM certificate in the file"
                            : "no readable private key in the file (wrong or missing password?)",
                         e);
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || X509_check_private_key(x, key) != 1) {
        X509_free(x);
        EVP_PKEY_free(key);
        return cert_fail(path, "the private key is not the RSA key of the certificate", e);
    }
    live_cert *c = lz_calloc(1, sizeof *c);
    c->x509 = x;
    c->key = key;
    c->x5t_s256 = thumbprint(x, EVP_sha256());
    c->x5t = thumbprint(x, EVP_sha1());
    *out = c;
    return 0;
}

void live_cert_free(live_cert *c) {
    if (!c) return;
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    free(c->x5t_s256);
    free(c->x5t);
    free(c);
}

const char *live_cert_x5t_s256(const live_cert *c) {
    return c->x5t_s256;
}

const char *live_cert_x5t(const live_cert *c) {
    return c->x5t;
}

/* ---- assertions ---- */

static void gen_kv(yajl_gen g, const char *k, const char *v) {
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void gen_ki(yajl_gen g, const char *k, int64_t v) {
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
    yajl_gen_integer(g, (long long)v);
}

static char *gen_b64(yajl_gen g) {
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    char *r = live_b64url(buf, len);
    yajl_gen_free(g);
    return r;
}

static char *header_b64(const live_cert *c, enum jwt_alg alg) {
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gen_kv(g, "alg", alg == JWT_PS256 ? "PS256" : "RS256");
    gen_kv(g, "typ", "JWT");
    if (alg == JWT_PS256)
        gen_kv(g, "x5t#S256", c->x5t_s256);
    else
        gen_kv(g, "x5t", c->x5t);
    yajl_gen_map_close(g);
    return gen_b64(g);
}

static char *claims_b64(const char *client_id, const char *aud, int64_t now, const unsigned char jti[16]) {
    char guid[37];
    live_guid(jti, guid);
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gen_kv(g, "aud", aud);
    gen_kv(g, "iss", client_id);
    gen_kv(g, "sub", client_id);
    gen_kv(g, "jti", guid);
    gen_ki(g, "nbf", now);
    gen_ki(g, "iat", now);
    gen_ki(g, "exp", now + 600);
    yajl_gen_map_close(g);
    return gen_b64(g);
}

/* RSASSA-PSS with SHA-256 and a salt as long as the hash (RFC 7518 §3.5),
 * or RSASSA-PKCS1-v1_5 with SHA-256. */
static int sign(EVP_PKEY *key, enum jwt_alg alg, const char *data, unsigned char **sig, size_t *siglen) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) == 1;
    if (ok && alg == JWT_PS256)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
    if (ok) ok = EVP_DigestSign(md, NULL, siglen, (const unsigned char *)data, strlen(data)) == 1;
    if (ok) {
        *sig = lz_malloc(*siglen);
        ok = EVP_DigestSign(md, *sig, siglen, (const unsigned char *)data, strlen(data)) == 1;
        if (!ok) free(*sig);
    }
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

int live_jwt_assertion(const live_cert *c, enum jwt_alg alg, const char *client_id, const char *aud,
                       int64_t now, const unsigned char jti[16], char **out, lz_err *e) {
    char *h = header_b64(c, alg), *cl = claims_b64(client_id, aud, now, jti);
    char *input = lz_asprintf("%s.%s", h, cl);
    free(h);
    free(cl);
    unsigned char *sig = NULL;
    size_t siglen = 0;
    if (sign(c->key, alg, input, &sig, &siglen) < 0) {
        free(input);
        ERR_clear_error();
        return live_errf(e, "signing the client assertion (%s) failed", alg == JWT_PS256 ? "PS256" : "RS256");
    }
    char *s = live_b64url(sig, siglen);
    *out = lz_asprintf("%s.%s", input, s);
    free(s);
    free(sig);
    free(input);
    return 0;
}

char *live_jwt_claim(const char *jwt, const char *claim) {
    const char *dot1 = jwt ? strchr(jwt, '.') : NULL;
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2) return NULL;
    lz_buf payload = {0};
    char *r = NULL;
    if (live_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload) == 0) {
        yajl_val t = yajl_tree_parse(lz_buf_cstr(&payload), NULL, 0);
        const char *path[] = {claim, NULL};
        yajl_val v = t ? yajl_tree_get(t, path, yajl_t_any) : NULL;
        if (YAJL_IS_STRING(v))
            r = lz_strdup(v->u.string);
        else if (YAJL_IS_NUMBER(v) && v->u.number.r)
            r = lz_strdup(v->u.number.r);
        yajl_tree_free(t);
    }
    lz_buf_free(&payload);
    return r;
}
