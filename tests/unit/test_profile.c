/*
 * test_profile.c - scanner/profile: parameters and facts sections, values
 * typed like rule literals, unknown top-level keys and malformed sections
 * as errors with file:line:column, positions of keys for later messages,
 * and the engine's checks of profile parameters against the pack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/engine.h"

static char *write_temp(const char *text) {
    char tmpl[] = "/tmp/lzprofile-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return lz_strdup(tmpl);
}

static profile *load_ok(const char *text, char **path) {
    *path = write_temp(text);
    profile *p;
    lz_err e;
    if (profile_load(&p, *path, &e) != 0) fail_msg("%s", e.msg);
    return p;
}

static char *load_err(const char *text) {
    char *path = write_temp(text);
    profile *p = NULL;
    lz_err e;
    assert_int_equal(profile_load(&p, path, &e), -1);
    assert_null(p);
    char *msg = lz_asprintf("%s", e.msg + strlen(path)); /* the part after the path */
    assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
    unlink(path);
    free(path);
    return msg;
}

static void test_load(void **state) {
    (void)state;
    char *path;
    profile *p = load_ok("parameters:\n  minRetentionDays: 30\n  requiredTags: [owner]\n"
                         "facts:\n  hubFirewallPrivateIps: [10.0.1.4]\n",
                         &path);
    const jv_store *s = profile_store(p);
    jv_t params = profile_parameters(p);
    assert_int_equal(jv_kind(s, jv_get(s, params, "minRetentionDays", 16)), JV_NUMBER);
    assert_int_equal(jv_len(s, jv_get(s, params, "requiredTags", 12)), 1);
    jv_t ips = jv_get(s, profile_facts(p), "hubFirewallPrivateIps", 21);
    assert_string_equal(jv_str(s, jv_at(s, ips, 0), NULL), "10.0.1.4");
    assert_string_equal(profile_path(p), path);
    char *want = lz_asprintf("%s:3:3", path);
    assert_string_equal(profile_where(p, "parameters", "requiredTags"), want);
    assert_string_equal(profile_where(p, "facts", "nope"), path);
    free(want);
    profile_free(p);
    unlink(path);
    free(path);
}

static void test_empty(void **state) {
    (void)state;
    char *path;
    profile *p = load_ok("# nothing to override\n", &path);
    assert_int_equal(profile_parameters(p), JV_MISSING);
    assert_int_equal(profile_facts(p), JV_MISSING);
    profile_free(p);
    unlink(path);
    free(path);
    p = profile_new();
    assert_null(profile_path(p));
    assert_string_equal(profile_where(p, "parameters", "x"), "profile");
    profile_free(p);
}

static void test_errors(void **state) {
    (void)state;
    char *m = load_err("parameters: {}\nfact:\n  x: 1\n");
    assert_string_equal(m, ":2:1: unknown key 'fact' in profile (expected parameters: and facts:)");
    free(m);
    m = load_err("parameters: [a, b]\n");
    assert_string_equal(m, ":1:13: 'parameters' must be a mapping of names to values");
    free(m);
    m = load_err("parameters:\n  a: 1\n  a: 2\n");
    assert_string_equal(m, ":3:3: parameters: 'a' is set twice");
    free(m);
    m = load_err("parameters: {a: [1}\n");
    assert_non_null(strstr(m, ":1:"));
    free(m);
    m = load_err("a: 1\n---\nb: 2\n");
    assert_string_equal(m, ":3:1: a profile is one YAML document");
    free(m);
    profile *p;
    lz_err e;
    assert_int_equal(profile_load(&p, "/nonexistent/profile.yaml", &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/profile.yaml"));
}

static void test_params_against_pack(void **state) {
    (void)state;
    rule_pack *pack;
    lz_err e;
    assert_int_equal(rule_pack_builtin(&pack, &e), 0);
    char *path;
    profile *p = load_ok("parameters:\n  requiredTags: [owner]\n  minRetentionDays: 30\n", &path);
    assert_int_equal(engine_check_params(pack, p, &e), 0);
    profile_free(p);
    unlink(path);
    free(path);

    p = load_ok("parameters:\n  requiredTag: [owner]\n", &path);
    assert_int_equal(engine_check_params(pack, p, &e), -1);
    char *want = lz_asprintf("%s:2:3: parameter 'requiredTag' is not declared by rule pack aihub", path);
    assert_string_equal(e.msg, want);
    free(want);
    profile_free(p);
    unlink(path);
    free(path);

    p = load_ok("parameters:\n  requiredTags: owner\n", &path);
    assert_int_equal(engine_check_params(pack, p, &e), -1);
    assert_non_null(strstr(e.msg, "parameter 'requiredTags' must be a list"));
    profile_free(p);
    unlink(path);
    free(path);
    rule_pack_free(pack);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_params_against_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
