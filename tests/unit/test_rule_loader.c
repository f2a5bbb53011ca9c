/*
 * test_rule_loader.c - loading rules and packs: every error names
 * file:line:column (unknown key, unknown operator, two operators, bad regex
 * with PCRE2's message, malformed YAML, missing field, bad severity, bad
 * path, unknown fact, aliases), duplicate ids within a file and a directory,
 * overriding a built-in by id, pack.yaml parameters, the built-in pack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/engine.h"

static bool has_str(const rule_strv *v, const char *s) {
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0) return true;
    return false;
}

#define HEAD "id: T-1\ntitle: t\nseverity: high\ndescription: d\nremediation: r\n"

/* Loads text as rule file "r.yaml" into an empty pack; returns the error. */
static int load(const char *text, lz_err *e) {
    rule_pack *p = rule_pack_new("t", "1");
    memset(e, 0, sizeof *e);
    int rc = rule_pack_add_buffer(p, "r.yaml", text, strlen(text), e);
    rule_pack_free(p);
    return rc;
}

static void expect_error(const char *text, const char *want) {
    lz_err e;
    assert_int_equal(load(text, &e), -1);
    if (!strstr(e.msg, want)) fail_msg("error \"%s\" lacks \"%s\"", e.msg, want);
}

static void test_valid_rule(void **state) {
    (void)state;
    lz_err e;
    const char *text = HEAD "references: [https://learn.microsoft.com/x]\npolicy: [abc]\n"
                            "controls: {mcsb: [NS-2], cis: ['4.6'], landingZone: [x]}\n"
                            "needs: [Microsoft.OperationalInsights/workspaces/tables]\n"
                            "applies: {type: [Microsoft.X/Y, microsoft.x/z], kind: [OpenAI]}\n"
                            "check: {count: {children: Microsoft.Insights/diagnosticSettings}, greater: 0}\n";
    rule_pack *p = rule_pack_new("t", "1");
    if (rule_pack_add_buffer(p, "r.yaml", text, strlen(text), &e) != 0) fail_msg("%s", e.msg);
    const rule *r = rule_pack_find(p, "T-1");
    assert_non_null(r);
    assert_int_equal(r->severity, SEV_HIGH);
    assert_string_equal(r->types.v[0], "microsoft.x/y");
    assert_string_equal(r->types.v[1], "microsoft.x/z");
    assert_string_equal(r->cis.v[0], "4.6");
    assert_int_equal(r->needs.n, 2); /* explicit + children type */
    assert_string_equal(r->needs.v[0], "microsoft.operationalinsights/workspaces/tables");
    assert_string_equal(r->needs.v[1], "microsoft.insights/diagnosticsettings");
    assert_string_equal(r->source, "r.yaml");
    assert_int_equal(r->line, 1);
    assert_int_equal(strlen(r->sha256), 64);
    rule_pack_free(p);
}

static void test_unknown_key(void **state) {
    (void)state;
    expect_error(HEAD "titel: x\napplies: {type: A/b}\ncheck: {field: a, equals: 1}\n",
                 "r.yaml:6:1: unknown key 'titel' in rule");
    expect_error(HEAD "applies: {type: A/b, wehre: {field: a, exists: true}}\ncheck: {field: a, equals: 1}\n",
                 "r.yaml:6:22: unknown key 'wehre' in applies");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {fieldd: a, equals: 1}\n",
                 "r.yaml:7:9: unknown key 'fieldd' in condition");
    expect_error(HEAD
                 "controls: {mcsb: [x], nist: [y]}\napplies: {type: A/b}\ncheck: {field: a, equals: 1}\n",
                 "r.yaml:6:23: unknown key 'nist' in controls");
}

static void test_unknown_operator(void **state) {
    (void)state;
    expect_error(HEAD "applies: {type: A/b}\ncheck:\n  field: properties.a\n  equal: Disabled\n",
                 "r.yaml:9:3: unknown operator 'equal'");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a}\n",
                 "r.yaml:7:9: condition on 'field' has no operator");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {equals: a}\n",
                 "operator 'equals' needs a field:, value: or count:");
}

static void test_two_operators(void **state) {
    (void)state;
    expect_error(HEAD "applies: {type: A/b}\ncheck:\n  field: a\n  equals: 1\n  in: [1]\n",
                 "r.yaml:10:3: two operators in one condition ('equals' and 'in')");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, value: 1, equals: 1}\n",
                 "r.yaml:7:19: 'field' and 'value' cannot be in one condition");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {allOf: [{field: a, exists: true}], field: b}\n",
                 "cannot be combined");
}

static void test_bad_regex(void **state) {
    (void)state;
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, match: 'ab(c'}\n",
                 "r.yaml:7:26: bad regex 'ab(c': missing closing parenthesis at offset 4");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, match: {param: x}}\n",
                 "takes a literal regex");
}

static void test_malformed_yaml(void **state) {
    (void)state;
    lz_err e;
    assert_int_equal(load(HEAD "applies: {type: A/b\ncheck: x\n", &e), -1);
    assert_non_null(strstr(e.msg, "r.yaml:7:"));
    assert_int_equal(load("id: a\n  bad: indentation\n", &e), -1);
    assert_non_null(strstr(e.msg, "r.yaml:2:"));
    assert_int_equal(load("id: 'unterminated\n", &e), -1);
    assert_non_null(strstr(e.msg, "r.yaml:"));
    expect_error("- a\n- b\n", "r.yaml:1:1: rule must be a mapping");
    expect_error("", "r.yaml:1:1: the file holds no rule");
}

static void test_aliases_refused(void **state) {
    (void)state;
    expect_error(HEAD "applies: &a {type: A/b}\nunless: *a\ncheck: {field: a, equals: 1}\n",
                 "r.yaml:7:9: YAML aliases (*a) are not supported");
    /* the classic billion-laughs shape never gets expanded */
    expect_error("a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n", "r.yaml:2:8: YAML aliases");
}

static void test_required_and_values(void **state) {
    (void)state;
    expect_error("id: T-1\ntitle: t\nseverity: high\ndescription: d\napplies: {type: A/b}\ncheck: {field: a, "
                 "exists: true}\n",
                 "r.yaml:1:1: rule is missing required key 'remediation'");
    expect_error(HEAD "check: {field: a, exists: true}\n", "rule is missing required key 'applies'");
    expect_error(HEAD "applies: {type: A/b}\n", "rule is missing required key 'check'");
    expect_error(HEAD "applies: {kind: x}\ncheck: {field: a, exists: true}\n",
                 "applies is missing required key 'type'");
    expect_error("id: T-1\ntitle: t\nseverity: severe\ndescription: d\nremediation: r\napplies: {type: A/b}\n"
                 "check: {field: a, exists: true}\n",
                 "r.yaml:3:11: severity must be low, medium, high or critical");
    expect_error("id: T 1\ntitle: t\nseverity: low\ndescription: d\nremediation: r\napplies: {type: A/b}\n"
                 "check: {field: a, exists: true}\n",
                 "r.yaml:1:5: rule id 'T 1' may only hold");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, exists: maybe}\n",
                 "exists takes true or false");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, in: x}\n", "in takes a list");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {count: {field: 'a[*]'}, like: x}\n",
                 "operator 'like' cannot compare a count");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {count: {field: a}, equals: 1}\n",
                 "must reach array elements with [*]");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, in: {fact: hubFirewallIps}}\n",
                 "r.yaml:7:30: unknown fact 'hubFirewallIps'");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {topology: edge}\n", "topology is one of");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {allOf: []}\n", "allOf takes a non-empty list");
    expect_error(HEAD "applies: {type: A/b}\ncheck: {ref: a.id}\n", "ref needs a condition");
}

static void test_bad_path(void **state) {
    (void)state;
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: 'properties..a', equals: 1}\n",
                 "r.yaml:7:16: bad path 'properties..a'");
    expect_error(HEAD "applies: {type: A/b}\neach: 'properties.subnets[x]'\ncheck: {field: a, equals: 1}\n",
                 "r.yaml:7:7: bad path");
}

static void test_duplicate_in_file(void **state) {
    (void)state;
    expect_error(HEAD "applies: {type: A/b}\ncheck: {field: a, exists: true}\n---\n" HEAD
                      "applies: {type: A/b}\ncheck: {field: a, exists: true}\n",
                 "r.yaml:9:5: duplicate rule id 'T-1' (also in r.yaml:1)");
    lz_err e;
    rule_pack *p = rule_pack_new("t", "1");
    const char *two = HEAD "applies: {type: A/b}\ncheck: {field: a, exists: true}\n---\n"
                           "id: T-0\ntitle: t\nseverity: low\ndescription: d\nremediation: r\n"
                           "applies: {type: A/b}\ncheck: {field: a, exists: true}\n";
    assert_int_equal(rule_pack_add_buffer(p, "two.yaml", two, strlen(two), &e), 0);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->rules[0]->id, "T-0"); /* sorted by id */
    assert_int_equal(p->rules[0]->line, 9);
    rule_pack_free(p);
}

/* ---- directories ---- */

static char *mkdir_temp(void) {
    char tmpl[] = "/tmp/lzpack-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return lz_strdup(tmpl);
}

static void put(const char *dir, const char *name, const char *text) {
    char *path = lz_asprintf("%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static void test_duplicate_in_dir(void **state) {
    (void)state;
    char *dir = mkdir_temp();
    put(dir, "a.yaml", HEAD "applies: {type: A/b}\ncheck: {field: a, exists: true}\n");
    put(dir, "sub/b.yml", HEAD "applies: {type: A/c}\ncheck: {field: a, exists: true}\n");
    put(dir, "ignored.txt", "not yaml at all: [");
    rule_pack *p = rule_pack_new("t", "1");
    lz_err e;
    assert_int_equal(rule_pack_add_dir(p, dir, &e), -1);
    char *want = lz_asprintf("%s/sub/b.yml:1:5: duplicate rule id 'T-1' (also in %s/a.yaml:1)", dir, dir);
    assert_string_equal(e.msg, want);
    free(want);
    rule_pack_free(p);
    free(dir);
}

static void test_override_builtin(void **state) {
    (void)state;
    rule_pack *p;
    lz_err e;
    if (rule_pack_builtin(&p, &e) != 0) fail_msg("%s", e.msg);
    size_t n = p->n;
    char sha[65];
    memcpy(sha, p->sha256, sizeof sha);
    char *dir = mkdir_temp();
    put(dir, "net1.yaml",
        "id: AIHUB-NET-001\ntitle: ours\nseverity: low\ndescription: d\nremediation: r\n"
        "applies: {type: Microsoft.CognitiveServices/accounts}\ncheck: {field: properties.a, exists: "
        "true}\n");
    put(dir, "extra.yaml",
        "id: CONTOSO-001\ntitle: t\nseverity: low\ndescription: d\nremediation: r\n"
        "applies: {type: A/b}\ncheck: {field: properties.a, in: {param: allowedSkus}}\n");
    put(dir, "pack.yaml", "parameters:\n  allowedSkus: {description: SKUs, default: [S0]}\n");
    if (rule_pack_add_dir(p, dir, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(p->n, n + 1); /* one replaced, one added */
    const rule *r = rule_pack_find(p, "AIHUB-NET-001");
    assert_string_equal(r->title, "ours");
    assert_int_equal(r->severity, SEV_LOW);
    assert_non_null(strstr(r->source, "net1.yaml"));
    assert_string_not_equal(p->sha256, sha);
    assert_string_equal(p->name, "aihub"); /* a --rules manifest does not rename the pack */
    assert_int_equal(engine_check_params(p, NULL, &e), 0);
    for (size_t i = 1; i < p->n; i++) assert_true(strcmp(p->rules[i - 1]->id, p->rules[i]->id) < 0);
    rule_pack_free(p);
    free(dir);
}

static void test_undeclared_param(void **state) {
    (void)state;
    rule_pack *p = rule_pack_new("t", "1");
    lz_err e;
    const char *text = HEAD "applies: {type: A/b}\ncheck: {field: a, in: {param: nope}}\n";
    assert_int_equal(rule_pack_add_buffer(p, "r.yaml", text, strlen(text), &e), 0);
    assert_int_equal(engine_check_params(p, NULL, &e), -1);
    assert_string_equal(e.msg,
                        "r.yaml:7:23: rule T-1 uses parameter 'nope', which the rule pack does not declare");
    rule_pack_free(p);
}

static void test_builtin_pack(void **state) {
    (void)state;
    rule_pack *p;
    lz_err e;
    if (rule_pack_builtin(&p, &e) != 0) fail_msg("%s", e.msg);
    assert_string_equal(p->name, "aihub");
    assert_string_equal(p->version, "0.1.0");
    assert_true(p->n >= 5);
    const char *ids[] = {"AIHUB-NET-001", "AIHUB-NET-009", "AIHUB-RT-002", "AIHUB-LOG-001", "AIHUB-GOV-001"};
    for (size_t i = 0; i < 5; i++) {
        const rule *r = rule_pack_find(p, ids[i]);
        assert_non_null(r);
        assert_true(r->references.n > 0);
        assert_true(r->policy.n > 0);
        assert_true(r->mcsb.n > 0);
        assert_non_null(strstr(r->source, "builtin:"));
    }
    assert_int_equal(rule_pack_find(p, "AIHUB-NET-001")->severity, SEV_CRITICAL);
    assert_int_equal(rule_pack_find(p, "AIHUB-GOV-001")->severity, SEV_MEDIUM);
    assert_string_equal(rule_pack_find(p, "AIHUB-GOV-001")->types.v[0], "*");
    assert_true(has_str(&rule_pack_find(p, "AIHUB-LOG-001")->needs, "microsoft.insights/diagnosticsettings"));
    assert_true(has_str(&rule_pack_find(p, "AIHUB-NET-009")->needs, "microsoft.network/privateendpoints"));
    const char *params[] = {"requiredTags", "exemptSubnetNames", "minRetentionDays", "centralWorkspaceId",
                            "untaggableTypes"};
    for (size_t i = 0; i < 5; i++) {
        size_t k = 0;
        while (k < p->nparams && strcmp(p->params[k].name, params[i]) != 0) k++;
        assert_true(k < p->nparams);
        assert_non_null(p->params[k].description);
        if (i == 0)
            assert_string_equal(p->params[k].default_yaml,
                                "[\"tenantId\",\"costCenter\",\"application\",\"environment\",\"owner\"]");
        if (i == 2) assert_string_equal(p->params[k].default_yaml, "90");
        if (i == 3) assert_string_equal(p->params[k].default_yaml, "\"\"");
    }
    assert_int_equal(engine_check_params(p, NULL, &e), 0);
    /* the pack hash is stable */
    rule_pack *q;
    assert_int_equal(rule_pack_builtin(&q, &e), 0);
    assert_string_equal(p->sha256, q->sha256);
    rule_pack_free(q);
    rule_pack_free(p);
}

static void test_load_path(void **state) {
    (void)state;
    char *dir = mkdir_temp();
    put(dir, "pack.yaml",
        "pack: {name: contoso, version: 2.0.1}\nparameters:\n  x: {description: d, default: 1}\n");
    put(dir, "r.yaml", HEAD "applies: {type: A/b}\ncheck: {field: a, equals: {param: x}}\n");
    rule_pack *p;
    lz_err e;
    if (rule_pack_load_path(&p, dir, &e) != 0) fail_msg("%s", e.msg);
    assert_string_equal(p->name, "contoso");
    assert_string_equal(p->version, "2.0.1");
    assert_int_equal(p->n, 1);
    assert_int_equal(engine_check_params(p, NULL, &e), 0);
    rule_pack_free(p);
    put(dir, "pack.yaml", "pack: {name: contoso}\nparameters:\n  x: {default: 1}\n");
    assert_int_equal(rule_pack_load_path(&p, dir, &e), -1);
    assert_non_null(strstr(e.msg, "pack.yaml:"));
    assert_int_equal(rule_pack_load_path(&p, "/nonexistent/rules", &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/rules"));
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_rule),       cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_unknown_operator), cmocka_unit_test(test_two_operators),
        cmocka_unit_test(test_bad_regex),        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_aliases_refused),  cmocka_unit_test(test_required_and_values),
        cmocka_unit_test(test_bad_path),         cmocka_unit_test(test_duplicate_in_file),
        cmocka_unit_test(test_duplicate_in_dir), cmocka_unit_test(test_override_builtin),
        cmocka_unit_test(test_undeclared_param), cmocka_unit_test(test_builtin_pack),
        cmocka_unit_test(test_load_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
