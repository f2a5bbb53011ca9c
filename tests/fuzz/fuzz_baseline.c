/*
 * fuzz_baseline - arbitrary bytes as a --baseline file (rules/baseline.h):
 * an earlier JSON report or SARIF log, read as a stream, applied to a report
 * of a small fixed landing zone, which is then rendered.
 *
 * Oracles: no crash, leak or undefined behaviour; the format is "json" or
 * "sarif" when loading succeeds; every rendering stays valid.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../rules/baseline.h"
#include "fuzz_scan.h"

static rule_pack *pack;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    pack = fuzz_small_pack(); /* rule ids as in the built-in pack, fast to render */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    baseline *b = NULL;
    lz_err e;
    if (baseline_load_buffer(&b, "baseline.json", (const char *)data, size, &e) == 0) {
        const char *fmt = baseline_format(b);
        FUZZ_CHECK(fmt && (strcmp(fmt, "json") == 0 || strcmp(fmt, "sarif") == 0), "unknown baseline format",
                   fmt, fmt ? strlen(fmt) : 0);
        inv *v;
        report r;
        if (fuzz_scan_fixed(pack, &v, &r)) {
            baseline_apply(b, &r);
            fuzz_render_all(&r);
        }
        report_free(&r);
        inv_free(v);
        baseline_free(b);
    }
    return 0;
}
