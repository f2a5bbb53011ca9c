/* Terminal sanitizing: escape sequences (CSI, OSC, 8-bit C1), control
 * characters, invalid UTF-8, bidi overrides, and the length cap. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "output/sanitize.h"
#include "output/utf8.h"

static void expect(const char *in, size_t len, size_t max, unsigned flags, const char *want, bool cut) {
    lz_buf b = {0};
    assert_int_equal(out_sanitize(&b, in, len, max, flags), cut);
    assert_string_equal(lz_buf_cstr(&b), want);
    lz_buf_free(&b);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, 0, 0, want, false)

static void test_csi_clear_screen(void **state) {
    EXPECT("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
    EXPECT("red\x1b[31mtext\x1b[0m", "red\\x1b[31mtext\\x1b[0m");
}

static void test_osc_sequences(void **state) {
    EXPECT("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"); /* window title, BEL */
    EXPECT("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
           "\\x1b]8;;http://evil\\x1b\\link\\x1b]8;;\\x1b\\");    /* hyperlink, ST */
    EXPECT("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"); /* clipboard write */
}

static void test_c1_controls(void **state) {
    EXPECT("a\x9b"
           "2Jb",
           "a\\x9b2Jb"); /* raw 8-bit CSI: invalid UTF-8 */
    EXPECT("a\xC2\x9B"
           "2J",
           "a\\u009b2J"); /* U+009B CSI as UTF-8 */
    EXPECT("\xC2\x9D"
           "0;t\xC2\x9C",
           "\\u009d0;t\\u009c");   /* OSC ... ST */
    EXPECT("\xC2\x85", "\\u0085"); /* NEL */
}

static void test_c0_and_del(void **state) {
    EXPECT("a\nb\rc\td", "a\\nb\\rc\\td");
    EXPECT("\x01\x7f\x08", "\\x01\\x7f\\x08");
    expect("a\0b", 3, 0, 0, "a\\x00b", false);
    for (int c = 1; c < 0x20; c++) {
        char in[2] = {(char)c, 0};
        lz_buf b = {0};
        out_sanitize(&b, in, 1, 0, 0);
        assert_int_equal(b.data[0], '\\');
        lz_buf_free(&b);
    }
}

static void test_keep_newlines(void **state) {
    expect("line1\nline2\tx\r", 14, 0, OUT_SAN_KEEP_NL, "line1\nline2\tx\\r", false);
}

static void test_unicode_kept_bidi_escaped(void **state) {
    EXPECT("caf\xC3\xA9 \xE2\x98\x95 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
           "caf\xC3\xA9 \xE2\x98\x95 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
    EXPECT("admin\xE2\x80\xAEtxt.exe", "admin\\u202etxt.exe"); /* RIGHT-TO-LEFT OVERRIDE */
    EXPECT("\xE2\x81\xA6x\xE2\x81\xA9", "\\u2066x\\u2069");
    EXPECT("a\xE2\x80\xA8"
           "b",
           "a\\u2028b");
}

static void test_invalid_utf8(void **state) {
    EXPECT("\xFF\xFE", "\\xff\\xfe");
    EXPECT("\xC0\xAF", "\\xc0\\xaf");
    EXPECT("\xED\xA0\x80", "\\xed\\xa0\\x80");
    EXPECT("ok\xE2\x82", "ok\\xe2\\x82");
}

static void test_cap(void **state) {
    expect("abcdefghij", 10, 10, OUT_SAN_ELLIPSIS, "abcdefghij", false); /* fits exactly */
    expect("abcdefghij", 10, 5, 0, "abcde", true);
    expect("abcdefghij", 10, 5, OUT_SAN_ELLIPSIS, "ab...", true);
    expect("abcdefghij", 10, 3, OUT_SAN_ELLIPSIS, "abc", true); /* no room for an ellipsis */
    expect("ab\x1b"
           "cd",
           5, 5, 0, "ab", true); /* \x1b is 4 chars: never split */
    expect("ab\x1b"
           "cd",
           5, 6, 0, "ab\\x1b", true);
    expect("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8, 4, 0, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
           false); /* chars, not bytes */
    expect("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 10, 4, OUT_SAN_ELLIPSIS, "\xC3\xA9...", true);
}

static void test_str_and_dup(void **state) {
    lz_buf b = {0};
    assert_false(out_sanitize_str(&b, NULL, 0, 0));
    assert_int_equal(b.len, 0);
    lz_buf_free(&b);
    char *d = out_sanitize_dup(NULL, 0, 0);
    assert_string_equal(d, "");
    free(d);
    d = out_sanitize_dup("x\x1b", 0, 0);
    assert_string_equal(d, "x\\x1b");
    free(d);
}

/* Property: whatever the bytes, the output has no C0, DEL or C1 control,
 * no bidi override, and is valid UTF-8. */
static void test_random_bytes_are_inert(void **state) {
    uint64_t x = 88172645463325252ull;
    size_t n = 1u << 18;
    char *in = lz_malloc(n);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        in[i] = (char)x;
    }
    lz_buf b = {0};
    out_sanitize(&b, in, n, 0, 0);
    const unsigned char *p = (const unsigned char *)b.data;
    for (size_t i = 0; i < b.len;) {
        uint32_t cp;
        size_t len = out_utf8_decode(p + i, b.len - i, &cp);
        assert_int_not_equal(len, 0);
        assert_true(cp >= 0x20 && cp != 0x7F);
        assert_false(cp >= 0x80 && cp <= 0x9F);
        assert_false((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069));
        i += len;
    }
    lz_buf_free(&b);
    free(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csi_clear_screen), cmocka_unit_test(test_osc_sequences),
        cmocka_unit_test(test_c1_controls),      cmocka_unit_test(test_c0_and_del),
        cmocka_unit_test(test_keep_newlines),    cmocka_unit_test(test_unicode_kept_bidi_escaped),
        cmocka_unit_test(test_invalid_utf8),     cmocka_unit_test(test_cap),
        cmocka_unit_test(test_str_and_dup),      cmocka_unit_test(test_random_bytes_are_inert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
