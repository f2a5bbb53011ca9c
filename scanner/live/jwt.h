/*
 * jwt.h - client assertions for certificate credentials (RFC 7523), signed
 * with OpenSSL.
 *
 * Microsoft Entra ID accepts a JWT signed by the application's certificate
 * instead of a client secret. Header: {"alg":"PS256","typ":"JWT",
 * "x5t#S256": b64url(SHA-256(cert DER))} (current), or {"alg":"RS256",
 * "typ":"JWT","x5t": b64url(SHA-1(cert DER))} (older, still accepted).
 * Claims: aud = the token endpoint URL, iss = sub = client id, jti = a new
 * GUID, nbf = iat = now, exp = now + 600. base64url without padding.
 *
 * A live_cert owns the certificate and its private key; the key never leaves
 * it. live_cert_load reads a PEM file holding both (in either order), the
 * key optionally encrypted with a password.
 */
#ifndef LIVE_JWT_H
#define LIVE_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/lz.h"

enum jwt_alg { JWT_PS256 = 0, JWT_RS256 };

typedef struct live_cert live_cert;

int live_cert_load(const char *path, const char *password, live_cert **out, lz_err *e);
void live_cert_free(live_cert *c);
/* b64url thumbprints of the certificate's DER: SHA-256 (x5t#S256) and SHA-1 (x5t). */
const char *live_cert_x5t_s256(const live_cert *c);
const char *live_cert_x5t(const live_cert *c);

/* Builds and signs an assertion. jti is 16 random bytes (a v4 GUID is made
 * of them). *out is "header.claims.signature"; the caller frees it. */
int live_jwt_assertion(const live_cert *c, enum jwt_alg alg, const char *client_id, const char *aud,
                       int64_t now, const unsigned char jti[16], char **out, lz_err *e);

/* base64url without padding (RFC 7515 §2). Caller frees. */
char *live_b64url(const void *p, size_t n);
/* Decodes base64url (padding optional) into out. Returns -1 if malformed. */
int live_b64url_decode(const char *s, size_t n, lz_buf *out);
/* Formats 16 bytes as a v4 GUID (version and variant bits set). */
void live_guid(const unsigned char b[16], char out[37]);

/* The value of a numeric or string claim of a JWT's payload (not verified:
 * lzscan only reads its own tokens' exp and tid). Returns a new string or
 * NULL. */
char *live_jwt_claim(const char *jwt, const char *claim);

#endif
