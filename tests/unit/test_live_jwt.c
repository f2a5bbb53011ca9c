/* Client assertions for the certificate credential: base64url without
 * padding, the PS256 header with x5t#S256 and the RS256 one with x5t, the
 * claims, signatures that verify with the certificate's public key, PEM
 * files with an encrypted key, and the redaction of every secret. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "scanner/live/jwt.h"
#include "scanner/live/redact.h"

typedef struct fx {
    char plain[64], enc[64];
    EVP_PKEY *key;
    X509 *cert;
} fx;

static X509 *self_signed(EVP_PKEY *key) {
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"lzscan unit test", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_sign(x, key, EVP_sha256());
    return x;
}

static void write_pem(const char *path, X509 *x, EVP_PKEY *key, const char *password) {
    FILE *f = fopen(path, "w");
    PEM_write_X509(f, x);
    if (password)
        PEM_write_PKCS8PrivateKey(f, key, EVP_aes_256_cbc(), (char *)password, (int)strlen(password), NULL,
                                  NULL);
    else
        PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
}

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->key = EVP_RSA_gen(2048);
    f->cert = self_signed(f->key);
    snprintf(f->plain, sizeof f->plain, "/tmp/lz_jwt_%d.pem", (int)getpid());
    snprintf(f->enc, sizeof f->enc, "/tmp/lz_jwt_enc_%d.pem", (int)getpid());
    write_pem(f->plain, f->cert, f->key, NULL);
    write_pem(f->enc, f->cert, f->key, "pem-pass-123");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    unlink(f->plain);
    unlink(f->enc);
    X509_free(f->cert);
    EVP_PKEY_free(f->key);
    free(f);
    live_secret_clear();
    return 0;
}

static void b64url_vectors(void **state) {
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char *e = live_b64url(in[i], strlen(in[i]));
        assert_string_equal(e, out[i]);
        lz_buf d = {0};
        assert_int_equal(live_b64url_decode(e, strlen(e), &d), 0);
        assert_string_equal(lz_buf_cstr(&d), in[i]);
        lz_buf_free(&d);
        free(e);
    }
    unsigned char bytes[] = {0xfb, 0xff, 0xfe};
    char *e = live_b64url(bytes, 3);
    assert_string_equal(e, "-__-"); /* url alphabet, not + and / */
    free(e);
    lz_buf d = {0};
    assert_int_equal(live_b64url_decode("Zg==", 4, &d), 0); /* padding accepted */
    assert_int_equal(live_b64url_decode("a", 1, &d), -1);
    assert_int_equal(live_b64url_decode("a$bc", 4, &d), -1);
    lz_buf_free(&d);
}

static void guid_is_v4(void **state) {
    unsigned char b[16];
    memset(b, 0xff, sizeof b);
    char g[37];
    live_guid(b, g);
    assert_int_equal(strlen(g), 36);
    assert_int_equal(g[14], '4');
    assert_true(strchr("89ab", g[19]) != NULL);
    assert_int_equal(g[8], '-');
}

/* Splits a JWT and parses its header and claims. */
static void parts(const char *jwt, yajl_val *head, yajl_val *claims, char **input, lz_buf *sig) {
    const char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    assert_null(strchr(jwt, '=')); /* no padding anywhere */
    lz_buf h = {0}, c = {0};
    assert_int_equal(live_b64url_decode(jwt, (size_t)(d1 - jwt), &h), 0);
    assert_int_equal(live_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &c), 0);
    assert_int_equal(live_b64url_decode(d2 + 1, strlen(d2 + 1), sig), 0);
    *head = yajl_tree_parse(lz_buf_cstr(&h), NULL, 0);
    *claims = yajl_tree_parse(lz_buf_cstr(&c), NULL, 0);
    *input = lz_strndup(jwt, (size_t)(d2 - jwt));
    lz_buf_free(&h);
    lz_buf_free(&c);
}

static const char *str(yajl_val v, const char *k) {
    const char *path[] = {k, NULL};
    yajl_val x = yajl_tree_get(v, path, yajl_t_string);
    return x ? x->u.string : NULL;
}

static long long num(yajl_val v, const char *k) {
    const char *path[] = {k, NULL};
    yajl_val x = yajl_tree_get(v, path, yajl_t_number);
    return x ? YAJL_GET_INTEGER(x) : -1;
}

static bool verifies(EVP_PKEY *key, bool pss, const char *input, const lz_buf *sig) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    bool ok = EVP_DigestVerifyInit(md, &p, EVP_sha256(), NULL, key) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(p, 32) == 1;
    ok = ok && EVP_DigestVerify(md, (const unsigned char *)sig->data, sig->len, (const unsigned char *)input,
                                strlen(input)) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static char *thumb(X509 *x, const EVP_MD *md) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n;
    X509_digest(x, md, d, &n);
    return live_b64url(d, n);
}

static void check_assertion(fx *f, const char *path, const char *pw, enum jwt_alg alg) {
    live_cert *c = NULL;
    lz_err e = {{0}};
    assert_int_equal(live_cert_load(path, pw, &c, &e), 0);
    unsigned char jti[16] = {1, 2, 3};
    char *jwt = NULL;
    const char *aud = "https://login.example/tenant/oauth2/v2.0/token";
    assert_int_equal(live_jwt_assertion(c, alg, "client-id-1", aud, 1700000000, jti, &jwt, &e), 0);
    yajl_val head, claims;
    char *input;
    lz_buf sig = {0};
    parts(jwt, &head, &claims, &input, &sig);
    assert_string_equal(str(head, "typ"), "JWT");
    char *s256 = thumb(f->cert, EVP_sha256()), *s1 = thumb(f->cert, EVP_sha1());
    if (alg == JWT_PS256) {
        assert_string_equal(str(head, "alg"), "PS256");
        assert_string_equal(str(head, "x5t#S256"), s256);
        assert_null(str(head, "x5t"));
    } else {
        assert_string_equal(str(head, "alg"), "RS256");
        assert_string_equal(str(head, "x5t"), s1);
    }
    assert_string_equal(str(claims, "aud"), aud);
    assert_string_equal(str(claims, "iss"), "client-id-1");
    assert_string_equal(str(claims, "sub"), "client-id-1");
    assert_int_equal(strlen(str(claims, "jti")), 36);
    assert_int_equal(num(claims, "nbf"), 1700000000);
    assert_int_equal(num(claims, "exp"), 1700000600);
    assert_true(verifies(f->key, alg == JWT_PS256, input, &sig));
    assert_false(verifies(f->key, alg != JWT_PS256, input, &sig)); /* the padding is the one named */
    free(s256);
    free(s1);
    free(input);
    lz_buf_free(&sig);
    yajl_tree_free(head);
    yajl_tree_free(claims);
    free(jwt);
    live_cert_free(c);
}

static void ps256_assertion(void **state) {
    check_assertion(*state, ((fx *)*state)->plain, NULL, JWT_PS256);
}

static void rs256_assertion(void **state) {
    check_assertion(*state, ((fx *)*state)->plain, NULL, JWT_RS256);
}

static void encrypted_key(void **state) {
    fx *f = *state;
    check_assertion(f, f->enc, "pem-pass-123", JWT_PS256);
    live_cert *c = NULL;
    lz_err e = {{0}};
    live_secret_add("wrong-pass-456");
    assert_int_equal(live_cert_load(f->enc, "wrong-pass-456", &c, &e), -1);
    assert_non_null(strstr(e.msg, f->enc));
    assert_null(strstr(e.msg, "wrong-pass-456"));
    assert_int_equal(live_cert_load("/nonexistent/cert.pem", NULL, &c, &e), -1);
    assert_null(c);
}

static void claims_of_tokens(void **state) {
    /* {"tid":"t-1","exp":123} */
    char *p = live_b64url("{\"tid\":\"t-1\",\"exp\":123}", 23);
    char *jwt = lz_asprintf("eyJhbGciOiJub25lIn0.%s.sig", p);
    char *tid = live_jwt_claim(jwt, "tid"), *exp = live_jwt_claim(jwt, "exp");
    assert_string_equal(tid, "t-1");
    assert_string_equal(exp, "123");
    assert_null(live_jwt_claim(jwt, "oid"));
    assert_null(live_jwt_claim("opaque-token", "exp"));
    free(tid);
    free(exp);
    free(jwt);
    free(p);
}

static void redaction(void **state) {
    live_secret_add("hunter2-secret");
    live_secret_add("abc"); /* too short to register */
    char *r =
        live_redact("secret=hunter2-secret; Authorization: Bearer abc.def-ghi; tok eyJhbGciOi.eyJzdWIi.c2ln "
                    "abc");
    assert_string_equal(r, "secret=[redacted]; Authorization: [redacted]; tok [redacted] abc");
    free(r);
    assert_true(live_has_secret("x hunter2-secret y"));
    lz_err e;
    live_errf(&e, "POST /token: %s", "hunter2-secret");
    assert_string_equal(e.msg, "POST /token: [redacted]");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(b64url_vectors),
        cmocka_unit_test(guid_is_v4),
        cmocka_unit_test_setup_teardown(ps256_assertion, setup, teardown),
        cmocka_unit_test_setup_teardown(rs256_assertion, setup, teardown),
        cmocka_unit_test_setup_teardown(encrypted_key, setup, teardown),
        cmocka_unit_test(claims_of_tokens),
        cmocka_unit_test(redaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
