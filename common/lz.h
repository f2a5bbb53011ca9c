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
/* Appends item; the capacity test is inline because the parser pushes tens
 * of millions of nodes. */
#define LZ_PUSH(arr, n, cap, item)                                                                           \
    do {                                                                                                     \
        if ((n) + 1 > (cap)) lz_grow(&(arr), &(cap), (n) + 1, sizeof(*(arr)));                               \
        (arr)[(n)++] = (item);                                                                               \
    } while (0)

/*
 * Where a streaming lz_buf sends its bytes: write returns 0, or -1 with e
 * filled. The first failure is kept (failed, err) and every later byte is
 * dropped, the way ferror() works for stdio, so a renderer need not check
 * each call: lz_buf_flush reports it at the end.
 */
typedef struct lz_sink {
    int (*write)(void *ctx, const void *data, size_t len, lz_err *e);
    void *ctx;
    int failed;
    lz_err err;
} lz_sink;

/*
 * A growable, always NUL-terminated byte string. Zero-initialise to use.
 *
 * Given a sink (lz_buf_stream), the buffer holds at most about
 * LZ_BUF_CHUNK bytes: when it is full, what it holds goes to the sink and
 * it starts again. A renderer then writes a report of any size through the
 * same calls in bounded memory; it must not read back what it wrote (data
 * and len cover only the bytes not yet handed over).
 */
typedef struct lz_buf {
    char *data;
    size_t len, cap;
    lz_sink *sink; /* NULL: the buffer keeps everything; borrowed */
} lz_buf;

#define LZ_BUF_CHUNK (256u << 10)

/* Sends b's bytes to sink from now on (b must be empty). */
void lz_buf_stream(lz_buf *b, lz_sink *sink);
/* Hands what b holds to its sink. Returns 0, or -1 with the sink's first
 * write error (0 for a buffer without a sink). */
int lz_buf_flush(lz_buf *b, lz_err *e);

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

/* The CPUs this process may run on (its affinity: taskset, cgroup cpusets), at least 1. */
size_t lz_cpus(void);

/* Reads a whole file into a NUL-terminated buffer. */
int lz_read_file(const char *path, char **out, size_t *len, lz_err *e);

/* Lower-case hex SHA-256 of data (65 bytes with the NUL). */
void lz_sha256_hex(const void *data, size_t n, char out[65]);

#endif
