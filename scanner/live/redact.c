/*
 * redact.c - see redact.h.
 */
#include "redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char **secrets;
static size_t nsecrets, capsecrets;

static const char REDACTED[] = "[redacted]";

void live_secret_add(const char *s) {
    if (!s || strlen(s) < 4) return;
    for (size_t i = 0; i < nsecrets; i++)
        if (strcmp(secrets[i], s) == 0) return;
    LZ_PUSH(secrets, nsecrets, capsecrets, lz_strdup(s));
}

void live_secret_clear(void) {
    for (size_t i = 0; i < nsecrets; i++) free(secrets[i]);
    free(secrets);
    secrets = NULL;
    nsecrets = capsecrets = 0;
}

bool live_has_secret(const char *s) {
    for (size_t i = 0; s && i < nsecrets; i++)
        if (strstr(s, secrets[i])) return true;
    return false;
}

static bool b64url_char(char c) {
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '=';
}

/* Length of a JWT-shaped run at p ("eyJ...x.y.z"), or 0. Access tokens and
 * client assertions are JWTs; no ARM field a report needs looks like one. */
static size_t jwt_len(const char *p) {
    if (strncmp(p, "eyJ", 3) != 0) return 0;
    size_t n = 0;
    int dots = 0;
    while (b64url_char(p[n]) || p[n] == '.') {
        if (p[n] == '.') dots++;
        n++;
    }
    return dots >= 2 && n >= 20 ? n : 0;
}

/* Length of "Bearer <token>" at p, or 0. */
static size_t bearer_len(const char *p) {
    if (strncasecmp(p, "bearer ", 7) != 0) return 0;
    size_t n = 7;
    while (p[n] && !isspace((unsigned char)p[n]) && !strchr("\"',;", p[n])) n++;
    return n > 7 ? n : 0;
}

/* The longest registered secret starting at p. */
static size_t secret_len(const char *p) {
    size_t best = 0;
    for (size_t i = 0; i < nsecrets; i++) {
        size_t n = strlen(secrets[i]);
        if (n > best && strncmp(p, secrets[i], n) == 0) best = n;
    }
    return best;
}

char *live_redact(const char *s) {
    lz_buf b = {0};
    if (!s) return lz_strdup("");
    for (const char *p = s; *p;) {
        size_t n = secret_len(p);
        if (!n) n = bearer_len(p);
        if (!n && (p == s || !b64url_char(p[-1]))) n = jwt_len(p);
        if (n) {
            lz_buf_puts(&b, REDACTED);
            p += n;
        } else {
            lz_buf_putc(&b, *p++);
        }
    }
    return lz_buf_steal(&b);
}

void live_redact_err(lz_err *e) {
    if (!e) return;
    char *r = live_redact(e->msg);
    snprintf(e->msg, sizeof e->msg, "%s", r);
    free(r);
}

int live_errf(lz_err *e, const char *fmt, ...) {
    if (!e) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    live_redact_err(e);
    return -1;
}
