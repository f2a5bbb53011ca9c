/*
 * fuzz_exempt - arbitrary YAML as an --exemptions file (rules/exempt.h):
 * loading and validation (globs, resourceIdRegex, dates), applying the set
 * to a report of a small fixed landing zone, and rendering that report.
 * The input's first line is also used as a glob and its second line as a
 * subject for exempt_glob_valid / exempt_glob_match.
 *
 * Oracles: no crash, leak, hang (a glob or regex that backtracks without
 * bound is a timeout) or undefined behaviour; every rendering stays valid.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../rules/exempt.h"
#include "fuzz_scan.h"

static rule_pack *pack;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    pack = fuzz_small_pack(); /* rule ids as in the built-in pack, fast to render */
    return 0;
}

static void check_glob(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl) return;
    char *pattern = fuzz_cstr(data, (size_t)(nl - data));
    const uint8_t *rest = nl + 1, *nl2 = memchr(rest, '\n', size - (size_t)(rest - data));
    char *subject = fuzz_cstr(rest, nl2 ? (size_t)(nl2 - rest) : size - (size_t)(rest - data));
    const char *why = NULL;
    if (exempt_glob_valid(pattern, &why)) {
        bool m = exempt_glob_match(pattern, subject);
        /* A pattern without wildcards, brackets or escapes matches itself. */
        if (!strpbrk(pattern, "*?[\\"))
            FUZZ_CHECK(exempt_glob_match(pattern, pattern), "a literal glob does not match itself", pattern,
                       strlen(pattern));
        (void)m;
    }
    free(pattern);
    free(subject);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_glob(data, size);
    exempt_set *s = NULL;
    lz_err e;
    if (exempt_load_buffer(&s, "exemptions.yaml", (const char *)data, size, &e) == 0) {
        inv *v;
        report r;
        if (fuzz_scan_fixed(pack, &v, &r)) {
            exempt_apply(s, &r, (time_t)1767225600); /* 2026-01-01T00:00:00Z */
            fuzz_render_all(&r);
        }
        report_free(&r);
        inv_free(v);
        exempt_free(s);
    } else {
        FUZZ_CHECK(e.msg[0] != '\0', "a load error without a message", NULL, 0);
    }
    return 0;
}
