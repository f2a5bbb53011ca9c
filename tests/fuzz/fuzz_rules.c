/*
 * fuzz_rules - arbitrary YAML as a rule file (or a pack.yaml manifest when
 * the text has a top-level `pack:` key), through the loader and compiler,
 * the parameter check, evaluation over a small fixed inventory, and the
 * report and rule-listing renderers.
 *
 * The pack starts from the built-in manifest, so the built-in parameters are
 * declared. Oracles: no crash, leak, hang or undefined behaviour; loader errors are
 * values; every rendering of an accepted rule is valid JSON / safe text.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../output/out_rules.h"
#include "../../rules/builtin.h"
#include "fuzz_scan.h"

static void check_report(const rule_pack *p) {
    inv *v;
    report r;
    if (fuzz_scan_fixed(p, &v, &r)) fuzz_render_all(&r);
    report_free(&r);
    inv_free(v);
}

static void check_listings(const rule_pack *p) {
    lz_buf b = {0};
    lz_err e;
    if (out_rules_list(p, OUT_RULES_JSON, &b, &e) == 0) fuzz_check_json_output(b.data, b.len);
    for (size_t i = 0; i < p->n; i++) {
        lz_buf_reset(&b);
        if (out_rules_show(p, p->rules[i], OUT_RULES_TEXT, &b, &e) == 0)
            fuzz_check_text_output(b.data, b.len, true);
    }
    lz_buf_free(&b);
}

static bool looks_like_manifest(const uint8_t *data, size_t size) {
    for (size_t i = 0; i + 5 <= size; i++)
        if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "pack:", 5) == 0) return true;
    return false;
}

/* The built-in manifest, so that rules using the built-in parameters pass
 * engine_check_params and get evaluated. */
static const char *builtin_manifest;
static size_t builtin_manifest_len;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    for (const struct lz_builtin_file *f = lz_builtin_files; f->name; f++)
        if (strcmp(f->name, "pack.yaml") == 0) {
            builtin_manifest = f->data;
            builtin_manifest_len = f->len;
        }
    if (!builtin_manifest) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rule_pack *p = rule_pack_new("fuzz", "0.0.0");
    lz_err e;
    if (rule_pack_add_buffer(p, "pack.yaml", builtin_manifest, builtin_manifest_len, &e) < 0) abort();
    const char *name = looks_like_manifest(data, size) ? "pack.yaml" : "fuzz.yaml";
    if (rule_pack_add_buffer(p, name, (const char *)data, size, &e) == 0 &&
        engine_check_params(p, NULL, &e) == 0) {
        check_report(p);
        check_listings(p);
    }
    rule_pack_free(p);
    return 0;
}
