#include "lz.h"

#include <errno.h>
#include <openssl/evp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lz_errf(lz_err *e, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int lz_err_prefix(lz_err *e, const char *fmt, ...) {
    if (!e) return -1;
    char prefix[LZ_ERR_MAX], old[LZ_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    size_t plen = strnlen(prefix, sizeof e->msg - 3);
    memcpy(e->msg, prefix, plen);
    memcpy(e->msg + plen, ": ", 2);
    size_t room = sizeof e->msg - plen - 3;
    size_t olen = strnlen(old, room);
    memcpy(e->msg + plen + 2, old, olen);
    e->msg[plen + 2 + olen] = '\0';
    return -1;
}

static void oom(size_t n) {
    fprintf(stderr, "lzscan: out of memory allocating %zu bytes\n", n);
    abort();
}

void *lz_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *lz_calloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *lz_realloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *lz_strndup(const char *s, size_t n) {
    char *p = lz_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lz_strdup(const char *s) {
    return s ? lz_strndup(s, strlen(s)) : NULL;
}

char *lz_asprintf(const char *fmt, ...) {
    lz_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return lz_buf_steal(&b);
}

void lz_grow(void *arr_ptr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) ncap *= 2;
    void **arr = arr_ptr;
    *arr = lz_realloc(*arr, ncap * elem);
    *cap = ncap;
}

/* Hands the bytes held to the sink (dropping them after a failure). */
static void drain(lz_buf *b) {
    lz_sink *k = b->sink;
    if (!k->failed && k->write(k->ctx, b->data, b->len, &k->err) < 0) k->failed = 1;
    b->len = 0;
    b->data[0] = '\0';
}

/* Room for n more bytes and the NUL: a streaming buffer that is full
 * drains instead of growing. */
static void reserve(lz_buf *b, size_t n) {
    if (b->cap - b->len > n) return;
    if (b->sink && b->len >= LZ_BUF_CHUNK) drain(b);
    lz_grow(&b->data, &b->cap, b->len + n + 1, 1);
}

void lz_buf_stream(lz_buf *b, lz_sink *sink) {
    b->sink = sink;
}

int lz_buf_flush(lz_buf *b, lz_err *e) {
    if (!b->sink) return 0;
    if (b->len) drain(b);
    if (!b->sink->failed) return 0;
    if (e) *e = b->sink->err;
    return -1;
}

void lz_buf_put(lz_buf *b, const void *p, size_t n) {
    if (b->cap - b->len <= n) reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lz_buf_puts(lz_buf *b, const char *s) {
    lz_buf_put(b, s, strlen(s));
}

void lz_buf_putc(lz_buf *b, char c) {
    if (b->cap - b->len <= 1) reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void lz_buf_vprintf(lz_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lz_buf_printf(lz_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    lz_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *lz_buf_cstr(lz_buf *b) {
    return b->data ? b->data : "";
}

char *lz_buf_steal(lz_buf *b) {
    char *s = b->data ? b->data : lz_strdup("");
    *b = (lz_buf){0};
    return s;
}

void lz_buf_reset(lz_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void lz_buf_free(lz_buf *b) {
    free(b->data);
    *b = (lz_buf){0};
}

static inline unsigned char fold(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int lz_strcaseeq(const char *a, size_t alen, const char *b, size_t blen) {
    if (alen != blen) return 0;
    for (size_t i = 0; i < alen; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i])) return 0;
    return 1;
}

void lz_lower(char *s, size_t n) {
    for (size_t i = 0; i < n; i++) s[i] = (char)fold((unsigned char)s[i]);
}

uint64_t lz_hash_fold(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= fold((unsigned char)s[i]);
        h *= 1099511628211ULL;
    }
    return h;
}

size_t lz_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    return n < 1 ? 1 : (size_t)n;
}

int lz_read_file(const char *path, char **out, size_t *len, lz_err *e) {
    FILE *f = fopen(path, "rb");
    if (!f) return lz_errf(e, "%s: %s", path, strerror(errno));
    lz_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) lz_buf_put(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        lz_buf_free(&b);
        return lz_errf(e, "%s: read error", path);
    }
    if (len) *len = b.len;
    *out = lz_buf_steal(&b);
    return 0;
}

void lz_sha256_hex(const void *data, size_t n, char out[65]) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}
