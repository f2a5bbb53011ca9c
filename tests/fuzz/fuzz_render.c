/*
 * fuzz_render - arbitrary bytes as an input file, scanned by a small pack
 * whose findings quote the data back (names, tags, whole property objects,
 * reasons naming ids), with a fixed exemption applied, and rendered in every
 * format: JSON, text, SARIF, JUnit, Markdown (fuzz_scan.h).
 *
 * fuzz_ingest runs the built-in pack but renders only JSON and text: the
 * other formats repeat all 42 rules' metadata on every run. This target
 * puts hostile data through every renderer at full speed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_scan.h"
#if __has_include("../../rules/exempt.h")
#include "../../rules/exempt.h"
#define FUZZ_HAVE_EXEMPT 1
#endif

static rule_pack *pack;
#ifdef FUZZ_HAVE_EXEMPT
static exempt_set *exemptions;
static const char exemptions_yaml[] = "exemptions:\n"
                                      "  - rules: [AIHUB-GOV-001]\n"
                                      "    selector: {resourceId: \"*\"}\n"
                                      "    justification: \"accepted \\e]0;title\\a risk \\u202e\"\n"
                                      "    owner: o@example.com\n"
                                      "    ticket: SEC-1\n"
                                      "    expires: 2099-12-31\n";
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    pack = fuzz_small_pack();
#ifdef FUZZ_HAVE_EXEMPT
    lz_err e;
    if (exempt_load_buffer(&exemptions, "exemptions.yaml", exemptions_yaml, sizeof exemptions_yaml - 1, &e) <
        0) {
        fprintf(stderr, "exemptions: %s\n", e.msg);
        abort();
    }
#endif
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    inv *v = inv_new();
    lz_err e;
    if (ingest_buffer(v, "fuzz.json", (const char *)data, size, &e) == 0) {
        inv_finalize(v);
        profile *prof = profile_new();
        topo *t = NULL;
        if (topo_infer(&t, v, prof, &e) == 0) {
            report r;
            report_init(&r, pack, v);
            if (engine_run(pack, v, t, prof, &r, &e) == 0) {
#ifdef FUZZ_HAVE_EXEMPT
                exempt_apply(exemptions, &r, (time_t)1767225600);
#endif
                report_sort(&r);
                fuzz_render(&r, true);
            }
            report_free(&r);
        }
        topo_free(t);
        profile_free(prof);
    }
    inv_free(v);
    return 0;
}
