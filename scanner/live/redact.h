/*
 * redact.h - keeps credentials out of every message lzscan prints or stores.
 *
 * Each credential source registers the secrets it handles (client secrets,
 * certificate passwords, assertions, access tokens, identity headers) as it
 * reads or receives them. Every log line and every error message of the live
 * collector passes through live_redact before it leaves the module, which
 * replaces registered secrets and anything shaped like a bearer token or a
 * JWT with "[redacted]". The registry is process-wide; lzscan is single
 * threaded.
 */
#ifndef LIVE_REDACT_H
#define LIVE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "../../common/lz.h"

/* Registers s (copied) as a secret; strings shorter than 4 bytes are ignored
 * (they would redact ordinary words). */
void live_secret_add(const char *s);
/* Forgets every registered secret (tests; end of a run). */
void live_secret_clear(void);

/* Returns a new string: s with every secret, "Bearer <x>" and JWT-shaped
 * token replaced by "[redacted]". The caller frees it. */
char *live_redact(const char *s);
/* Redacts e->msg in place. */
void live_redact_err(lz_err *e);

/* Like lz_errf, but the message is redacted. Returns -1. */
int live_errf(lz_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if s contains a registered secret (tests). */
bool live_has_secret(const char *s);

#endif
