/*
 * fuzz_util.h - oracles shared by the fuzz targets: what every output of
 * lzscan must satisfy whatever the input was. Header-only so each target is
 * one translation unit.
 *
 * The UTF-8 check is written independently of output/utf8.c on purpose: an
 * oracle that reuses the code under test cannot catch its bugs.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* libFuzzer's entry points (declared here for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Reports a broken invariant and aborts, so libFuzzer saves the input. */
static inline void fuzz_fail(const char *what, const char *data, size_t len) {
    fprintf(stderr, "fuzz invariant broken: %s\n", what);
    if (data) {
        fprintf(stderr, "--- output (%zu bytes, first 2000 shown):\n", len);
        fwrite(data, 1, len < 2000 ? len : 2000, stderr);
        fputc('\n', stderr);
    }
    abort();
}

#define FUZZ_CHECK(cond, what, data, len)                                                                    \
    do {                                                                                                     \
        if (!(cond)) fuzz_fail(what, data, len);                                                             \
    } while (0)

/* Decodes one strict (RFC 3629) UTF-8 sequence; returns its length, 0 if invalid. */
static inline size_t fuzz_utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
    return len;
}

static inline bool fuzz_valid_utf8(const char *data, size_t len) {
    const unsigned char *p = (const unsigned char *)data;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = fuzz_utf8_next(p + i, len - i, &cp);
        if (!n) return false;
        i += n;
    }
    return true;
}

/*
 * Text that is safe on a terminal: valid UTF-8 with no control characters
 * (C0 but the allowed layout ones, DEL, C1), no bidi overrides or isolates
 * and no line/paragraph separators. allow_tab: rule text may keep tabs.
 */
static inline const char *fuzz_terminal_unsafe(const char *data, size_t len, bool allow_tab) {
    const unsigned char *p = (const unsigned char *)data;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = fuzz_utf8_next(p + i, len - i, &cp);
        if (!n) return "invalid UTF-8";
        i += n;
        if (cp == '\n' || (allow_tab && cp == '\t')) continue;
        if (cp < 0x20 || cp == 0x7F) return "a C0 control byte or DEL";
        if (cp >= 0x80 && cp <= 0x9F) return "a C1 control character";
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return "a bidi control";
        if (cp == 0x2028 || cp == 0x2029) return "a line/paragraph separator";
    }
    return NULL;
}

/* True if data is exactly one JSON document that yajl accepts with UTF-8
 * validation on (yajl's default), optionally followed by whitespace. */
static inline bool fuzz_valid_json(const char *data, size_t len) {
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    bool ok = yajl_parse(h, (const unsigned char *)data, len) == yajl_status_ok &&
              yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

/* JSON text as lzscan writes it: valid, valid UTF-8, and terminal-safe (no
 * raw control, C1 or bidi character; newlines of pretty printing aside), so
 * `cat report.json` is inert. */
static inline void fuzz_check_json_output(const char *data, size_t len) {
    FUZZ_CHECK(fuzz_valid_json(data, len), "JSON output does not parse", data, len);
    const char *why = fuzz_terminal_unsafe(data, len, false);
    if (why) {
        char msg[128];
        snprintf(msg, sizeof msg, "JSON output holds %s", why);
        fuzz_fail(msg, data, len);
    }
}

static inline void fuzz_check_text_output(const char *data, size_t len, bool allow_tab) {
    const char *why = fuzz_terminal_unsafe(data, len, allow_tab);
    if (why) {
        char msg[128];
        snprintf(msg, sizeof msg, "text output holds %s", why);
        fuzz_fail(msg, data, len);
    }
}

/* A NUL-terminated copy of the input (the caller frees). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
