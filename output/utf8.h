/*
 * utf8.h - strict UTF-8 decoding shared by the JSON writer and the terminal
 * sanitizer, which must agree on what counts as valid.
 *
 * Strict means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF. No allocation; nothing is returned that the caller
 * must free.
 */
#ifndef OUT_UTF8_H
#define OUT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at s (n bytes available). Returns its length (1..4)
 * and stores the code point in *cp, or returns 0 if the bytes at s do not
 * start a valid sequence (the caller then treats s[0] alone as invalid and
 * resynchronises at s + 1). n must be at least 1.
 */
size_t out_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
