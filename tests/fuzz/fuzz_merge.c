/*
 * fuzz_merge - arbitrary bytes as a part given to `lzscan merge`
 * (output/lzdoc.h): recognised by content, and when it is a JSON report or
 * a SARIF log, joined alone and with itself (output/report_merge.h,
 * output/sarif_merge.h), missing shards allowed.
 *
 * Oracles: no crash, leak or undefined behaviour; a successful merge
 * writes valid UTF-8 JSON that is itself a part of the same kind, which
 * merges again; the exit code is 0, 1 or 3.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../output/lzdoc.h"
#include "../../output/report_merge.h"
#include "../../output/sarif_merge.h"
#include "fuzz_util.h"

static int join(const lzdoc *parts, size_t n, lz_buf *out) {
    lz_err e;
    merge_opts o = {.allow_missing = true};
    int code = -1;
    int rc = parts[0].kind == LZDOC_REPORT ? report_merge(parts, n, &o, out, &code, &e)
                                           : sarif_merge(parts, n, &o, out, &code, &e);
    if (rc == 0) FUZZ_CHECK(code == 0 || code == 1 || code == 3, "exit code", out->data, out->len);
    return rc;
}

/* The joined document must be valid JSON, a part of the same kind, and
 * merge again. */
static void check_output(enum lzdoc_kind kind, const lz_buf *out) {
    FUZZ_CHECK(fuzz_valid_json(out->data, out->len), "merged output is not valid JSON", out->data, out->len);
    lzdoc again;
    lz_err e;
    FUZZ_CHECK(lzdoc_load_buffer(&again, "merged", out->data, out->len, &e) == 0, "merged output unreadable",
               out->data, out->len);
    FUZZ_CHECK(again.kind == kind, "merged output of another kind", out->data, out->len);
    lz_buf twice = {0};
    FUZZ_CHECK(join(&again, 1, &twice) == 0, "merged output does not merge again", out->data, out->len);
    lz_buf_free(&twice);
    lzdoc_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lzdoc d;
    lz_err e;
    if (lzdoc_load_buffer(&d, "part.json", (const char *)data, size, &e) < 0) return 0;
    if (d.kind != LZDOC_SNAPSHOT) {
        lzdoc parts[2] = {d, d}; /* the same part twice: a shard given twice, or whole scans overlapping */
        for (size_t n = 1; n <= 2; n++) {
            lz_buf out = {0};
            if (join(parts, n, &out) == 0) check_output(d.kind, &out);
            lz_buf_free(&out);
        }
    }
    lzdoc_free(&d);
    return 0;
}
