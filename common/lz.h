/*
 * lz.h - the few things every lzscan module shares: errors as values,
 * allocation that never returns NULL, growable arrays and a string buffer.
 *
 * Errors: a function that can fail returns int (0 ok, -1 failed) and fills
 * an lz_err whose message names the file:line:column or the HTTP call.
 * Allocation failure is not an error value: lzscan cannot do anything useful
 * without memory, so lz_malloc and friends print and abort (as Redis does).
 */
#ifndef LZ_H
#define LZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LZ_ERR_MAX 1024

typedef struct lz_err {
    char msg[LZ_ERR_MAX];
} lz_err;

/* Sets e->msg (if e is not NULL) and returns -1, so "return lz_errf(...)". */
int lz_errf(lz_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the existing message: "prefix: old message". Returns -1. */
int lz_err_prefix(lz_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void *lz_malloc(size_t n);
void *lz_calloc(size_t count, size_t size);
void *lz_realloc(void *p, size_t n);
char *lz_strdup(const char *s);
char *lz_strndup(const char *s, size_t n);
char *lz_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *arr (of element size elem) so that it holds at least need elements. */
void lz_grow(void *arr_ptr, size_t *cap, size_t need, size_t elem);
#define LZ_PUSH(arr, n, cap, item)                                                                           \
    do {                                                                                                     \
        lz_grow(&(arr), &(cap), (n) + 1, sizeof(*(arr)));                                                    \
        (arr)[(n)++] = (item);                                                                               \
    } while (0)

/* A growable, always NUL-terminated byte string. Zero-initialise to use. */
typedef struct lz_buf {
    char *data;
    size_t len, cap;
} lz_buf;

void lz_buf_put(lz_buf *b, const void *p, size_t n);
void lz_buf_puts(lz_buf *b, const char *s);
void lz_buf_putc(lz_buf *b, char c);
void lz_buf_printf(lz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lz_buf_vprintf(lz_buf *b, const char *fmt, va_list ap);
const char *lz_buf_cstr(lz_buf *b); /* never NULL */
char *lz_buf_steal(lz_buf *b);      /* caller frees; b is reset */
void lz_buf_reset(lz_buf *b);
void lz_buf_free(lz_buf *b);

/* ASCII case folding and comparison: ARM ids, types and Azure Policy string
 * comparisons are case-insensitive in ASCII only. */
int lz_strcaseeq(const char *a, size_t alen, const char *b, size_t blen);
void lz_lower(char *s, size_t n);

/* FNV-1a over the ASCII-lower-cased bytes. */
uint64_t lz_hash_fold(const char *s, size_t n);

/* Reads a whole file into a NUL-terminated buffer. */
int lz_read_file(const char *path, char **out, size_t *len, lz_err *e);

/* Lower-case hex SHA-256 of data (65 bytes with the NUL). */
void lz_sha256_hex(const void *data, size_t n, char out[65]);

#endif
