/*
 * fuzz_ingest - arbitrary bytes as an input file, through the whole scan:
 * ingest_buffer (every shape: wrappers, arrays, NDJSON, manifests), the
 * inventory, topology inference, the built-in pack, and both renderers.
 *
 * Oracles: no crash, leak or undefined behaviour; when the input is
 * accepted, the JSON (and SARIF) report is valid JSON and valid UTF-8 with
 * no raw control bytes, and the text (JUnit, Markdown) report holds no
 * terminal control sequence (fuzz_scan.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_scan.h"

static rule_pack *pack; /* read-only during runs: inputs stay reproducible */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    lz_err e;
    if (rule_pack_builtin(&pack, &e) < 0) {
        fprintf(stderr, "built-in pack: %s\n", e.msg);
        abort();
    }
    return 0;
}

static void scan(inv *v) {
    inv_finalize(v);
    profile *prof = profile_new();
    topo *t = NULL;
    lz_err e;
    if (topo_infer(&t, v, prof, &e) == 0) {
        report r;
        report_init(&r, pack, v);
        if (engine_run(pack, v, t, prof, &r, &e) == 0) {
            report_sort(&r);
            fuzz_render(&r, false);
        }
        report_free(&r);
    }
    topo_free(t);
    profile_free(prof);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    inv *v = inv_new();
    lz_err e;
    if (ingest_buffer(v, "fuzz.json", (const char *)data, size, &e) == 0) scan(v);
    inv_free(v);
    return 0;
}
