/*
 * test_rule_joins.c - the constructs added for the full rule pack
 * (docs/rule-language.md, "Joins and values"): count over a value with
 * `as:` and $NAME paths, {field: } / {concat: } / key: values, related with
 * key: and ancestors:, chain:, ref: VALUE, if/then/else, and the evidence
 * of a count that sees too many items. Also the loader's errors for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/engine.h"
#include "scanner/ingest.h"

static const char PACK_YAML[] = "pack: {name: t, version: '1'}\n"
                                "parameters:\n"
                                "  zones: {description: d, default: [z1.example, z2.example]}\n"
                                "  byGroup: {description: d, default: {account: [a1, a2], vault: [v1]}}\n"
                                "  sets: {description: d, default: [{type: OWASP, version: '3.2'}]}\n";

typedef struct ts {
    rule_pack *p;
    inv *v;
    topo *t;
    report r;
} ts;

static void ts_free(ts *s) {
    report_free(&s->r);
    topo_free(s->t);
    inv_free(s->v);
    rule_pack_free(s->p);
    memset(s, 0, sizeof *s);
}

static int ts_load(ts *s, const char *rule_yaml, lz_err *e) {
    s->p = rule_pack_new("t", "1");
    if (rule_pack_add_buffer(s->p, "pack.yaml", PACK_YAML, strlen(PACK_YAML), e) != 0) return -1;
    return rule_pack_add_buffer(s->p, "t.yaml", rule_yaml, strlen(rule_yaml), e);
}

static void ts_run(ts *s, const char *rule_yaml, const char *json) {
    lz_err e = {{0}};
    if (ts_load(s, rule_yaml, &e) != 0) fail_msg("%s", e.msg);
    s->v = inv_new();
    if (ingest_buffer(s->v, "in.json", json, strlen(json), &e) != 0) fail_msg("%s", e.msg);
    inv_finalize(s->v);
    if (topo_infer(&s->t, s->v, NULL, &e) != 0) fail_msg("%s", e.msg);
    report_init(&s->r, s->p, s->v);
    if (engine_run(s->p, s->v, s->t, NULL, &s->r, &e) != 0) fail_msg("%s", e.msg);
}

/* The status of rule 0's result for the subject ending in suffix (pass
 * results leave no finding: RS_PASS when none and the rule passed once). */
static enum result_status status_of(const ts *s, const char *suffix) {
    size_t n = strlen(suffix);
    for (size_t i = 0; i < s->r.nfindings; i++) {
        const char *id = s->r.findings[i].subject_id;
        size_t l = strlen(id);
        if (l >= n && strcmp(id + l - n, suffix) == 0) return s->r.findings[i].status;
    }
    return RS_PASS;
}

static const finding *finding_of(const ts *s, const char *suffix) {
    size_t n = strlen(suffix);
    for (size_t i = 0; i < s->r.nfindings; i++) {
        const char *id = s->r.findings[i].subject_id;
        size_t l = strlen(id);
        if (l >= n && strcmp(id + l - n, suffix) == 0) return &s->r.findings[i];
    }
    fail_msg("no finding for %s", suffix);
    return NULL;
}

static char *rule_text(const char *type, const char *rest) {
    return lz_asprintf("id: T-1\ntitle: t\nseverity: high\ndescription: d\nremediation: r\n"
                       "applies: {type: %s}\n%s",
                       type, rest);
}

#define SUB  "/subscriptions/s1"
#define RG   SUB "/resourceGroups/rg"
#define X(n) RG "/providers/Test.X/things/" n

/* One Test.X/things object `a` with props, plus extra objects. */
static enum result_status run1(const char *props, const char *check, const char *extra) {
    ts s = {0};
    char *rest = lz_asprintf("check: %s\n", check);
    char *rt = rule_text("Test.X/things", rest);
    char *json = lz_asprintf("[{\"id\":\"" X("a") "\",\"type\":\"Test.X/things\",\"name\":\"a\","
                                                  "\"properties\":%s}%s%s]",
                             props, extra ? "," : "", extra ? extra : "");
    ts_run(&s, rt, json);
    enum result_status st = status_of(&s, "/things/a");
    ts_free(&s);
    free(rest);
    free(rt);
    free(json);
    return st;
}

#define PASS(p, c, x)    assert_int_equal(run1(p, c, x), RS_PASS)
#define FAIL(p, c, x)    assert_int_equal(run1(p, c, x), RS_FAIL)
#define UNKNOWN(p, c, x) assert_int_equal(run1(p, c, x), RS_UNKNOWN)

/* ---- values ---- */

static void test_field_value(void **state) {
    (void)state;
    PASS("{\"a\":\"X\",\"b\":\"x\"}", "{field: properties.a, equals: {field: properties.b}}", NULL);
    FAIL("{\"a\":\"X\",\"b\":\"y\"}", "{field: properties.a, equals: {field: properties.b}}", NULL);
    /* a [*] path is the list of what it reaches */
    PASS("{\"a\":\"2\",\"l\":[{\"n\":\"1\"},{\"n\":\"2\"}]}",
         "{field: properties.a, in: {field: 'properties.l[*].n'}}", NULL);
    FAIL("{\"a\":\"3\",\"l\":[{\"n\":\"1\"}]}", "{field: properties.a, in: {field: 'properties.l[*].n'}}",
         NULL);
    /* a missing operand compares false (and its negation true) */
    FAIL("{\"a\":\"x\"}", "{field: properties.a, equals: {field: properties.nope}}", NULL);
    PASS("{\"a\":\"x\"}", "{field: properties.a, notEquals: {field: properties.nope}}", NULL);
}

static void test_concat_and_key(void **state) {
    (void)state;
    PASS("{\"n\":\"p1\"}", "{value: {concat: ['/x/', {field: properties.n}, '/y']}, equals: /X/P1/Y}", NULL);
    PASS("{\"v\":3}", "{value: {concat: [a, {field: properties.v}, true]}, equals: a3true}", NULL);
    /* a missing part makes the whole value missing */
    PASS("{}", "{value: {concat: [a, {field: properties.n}]}, exists: false}", NULL);
    /* key: the member an object value names, case-insensitively */
    PASS("{\"g\":\"ACCOUNT\"}", "{value: {param: byGroup, key: {field: properties.g}}, equals: [a1, a2]}",
         NULL);
    PASS("{\"g\":\"other\"}", "{value: {param: byGroup, key: {field: properties.g}}, exists: false}", NULL);
    PASS("{\"g\":\"vault\"}", "{count: {value: {param: byGroup, key: {field: properties.g}}}, equals: 1}",
         NULL);
}

/* ---- count over a value, as:, $NAME ---- */

static void test_value_count(void **state) {
    (void)state;
    const char *both = "{\"zones\":[{\"name\":\"Z1.example\"},{\"name\":\"z2.example\"}]}";
    const char *one = "{\"zones\":[{\"name\":\"z1.example\"}]}";
    /* every required zone is present: the inner count reads the element, $z the required name */
    const char *check =
        "{count: {value: {param: zones}, as: z, where: {count: {field: 'properties.zones[*]', "
        "where: {field: name, equals: {field: $z}}}, equals: 0}}, equals: 0}";
    PASS(both, check, NULL);
    FAIL(one, check, NULL);
    PASS("{}", "{count: {value: [a, b, c]}, equals: 3}", NULL);
    PASS("{}", "{count: {value: []}, equals: 0}", NULL);
    PASS("{}", "{count: {value: {field: properties.none}}, equals: 0}", NULL);
    /* object items: $s.path reads them (they live in the pack's store) */
    PASS("{\"sets\":[{\"t\":\"owasp\",\"v\":\"3.2\"}]}",
         "{count: {field: 'properties.sets[*]', as: rs, where: {count: {value: {param: sets}, as: ok, where: "
         "{allOf: [{field: $rs.t, equals: {field: $ok.type}}, {field: $rs.v, equals: {field: "
         "$ok.version}}]}}, "
         "greaterOrEquals: 1}}, equals: 1}",
         NULL);
    FAIL("{\"sets\":[{\"t\":\"owasp\",\"v\":\"3.1\"}]}",
         "{count: {field: 'properties.sets[*]', where: {count: {value: {param: sets}, as: ok, where: "
         "{allOf: [{field: t, equals: {field: $ok.type}}, {field: v, equals: {field: $ok.version}}]}}, "
         "greaterOrEquals: 1}}, equals: 1}",
         NULL);
}

static void test_value_count_evidence(void **state) {
    (void)state;
    ts s = {0};
    char *rt =
        rule_text("Test.X/things", "check: {count: {value: {param: zones}, as: z, where: {not: {field: "
                                   "'properties.have[*]', contains: {field: $z}}}}, equals: 0}\n");
    /* contains on an array element of a [*] path: each reached value must contain */
    ts_run(
        &s, rt,
        "[{\"id\":\"" X(
            "a") "\",\"type\":\"Test.X/things\",\"name\":\"a\",\"properties\":{\"have\":[\"z1.example\"]}}]");
    const finding *f = finding_of(&s, "/things/a");
    assert_int_equal(f->status, RS_FAIL);
    /* too many matching items: the evidence says which and why */
    assert_string_equal(f->message, "{param: zones} is 1 of 2, expected count == 0");
    assert_true(f->nevidence >= 2);
    assert_non_null(strstr(f->evidence[1].path, "{param: zones}[\"z2.example\"] -> properties.have[0]"));
    ts_free(&s);
    free(rt);
}

static void test_too_many_evidence(void **state) {
    (void)state;
    ts s = {0};
    char *rt =
        rule_text("Test.X/things",
                  "check: {count: {field: 'properties.routes[*]', where: {field: hop, in: [Internet]}}, "
                  "equals: 0}\n");
    ts_run(&s, rt,
           "[{\"id\":\"" X("a") "\",\"type\":\"Test.X/things\",\"name\":\"a\",\"properties\":{\"routes\":"
                                "[{\"hop\":\"VirtualAppliance\"},{\"hop\":\"Internet\"}]}}]");
    const finding *f = finding_of(&s, "/things/a");
    assert_int_equal(f->nevidence, 2);
    assert_string_equal(f->evidence[1].path, "properties.routes[1].hop");
    assert_string_equal(f->evidence[1].actual, "\"Internet\"");
    assert_string_equal(f->evidence[1].expected, "none of [\"Internet\"]");
    ts_free(&s);
    free(rt);
    /* without where, each surplus item is the evidence */
    rt = rule_text("Test.X/things", "check: {count: {field: 'properties.ex[*]'}, equals: 0}\n");
    ts_run(&s, rt,
           "[{\"id\":\"" X(
               "a") "\",\"type\":\"Test.X/things\",\"name\":\"a\",\"properties\":{\"ex\":[{\"k\":1}]}}]");
    f = finding_of(&s, "/things/a");
    assert_int_equal(f->nevidence, 2);
    assert_string_equal(f->evidence[1].path, "properties.ex[0]");
    assert_string_equal(f->evidence[1].expected, "no such item");
    ts_free(&s);
    free(rt);
}

/* ---- related: key:, ancestors:, elements ---- */

#define RA(name, scope, role)                                                                                \
    "{\"id\":\"" scope "/providers/Microsoft.Authorization/roleAssignments/" name "\","                      \
    "\"type\":\"microsoft.authorization/roleassignments\",\"name\":\"" name "\","                            \
    "\"properties\":{\"scope\":\"" scope "\",\"roleDefinitionId\":\"/providers/r/" role                      \
    "\",\"principalId\":\"p-" name "\"}}"

static void test_related_key(void **state) {
    (void)state;
    const char *zones =
        "{\"id\":\"" SUB "/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/Z1.example\","
        "\"type\":\"Microsoft.Network/privateDnsZones\",\"name\":\"Z1.example\"}";
    const char *check = "{count: {related: {type: Microsoft.Network/privateDnsZones, path: name, key: "
                        "{field: properties.z}}}, "
                        "equals: 1}";
    PASS("{\"z\":\"z1.EXAMPLE\"}", check, zones); /* indexed lookup, case-insensitive */
    FAIL("{\"z\":\"z3.example\"}", check, zones);
    FAIL("{}", check, zones); /* no key: nothing joins */
    /* a list key: any of its strings */
    PASS("{\"z\":[\"z9\",\"z1.example\"]}", check, zones);
    /* the type was not collected at all: unknown, never pass */
    UNKNOWN("{\"z\":\"z1.example\"}", check, NULL);
}

static void test_related_ancestors(void **state) {
    (void)state;
    const char *check =
        "{count: {related: {type: microsoft.authorization/roleassignments, path: properties.scope, "
        "ancestors: true}, where: {field: properties.roleDefinitionId, like: '*/owner'}}, equals: 0}";
    PASS("{}", check, RA("r1", X("b"), "owner")); /* a sibling's assignment does not apply */
    FAIL("{}", check, RA("r1", X("a"), "owner")); /* the resource itself */
    FAIL("{}", check, RA("r1", RG, "owner"));     /* its resource group */
    FAIL("{}", check, RA("r1", SUB, "owner"));    /* its subscription */
    PASS("{}", check, RA("r1", RG, "reader"));
    PASS("{}", check, RA("r1", "/subscriptions/s10", "owner")); /* prefix, but not at a segment boundary */
    /* management groups above the subscription (from the subscription's ancestor chain) */
    const char *mg =
        "{\"id\":\"" SUB "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"s1\","
        "\"properties\":{\"managementGroupAncestorsChain\":[{\"name\":\"corp\"},{\"name\":\"root\"}]}}," RA(
            "r1", "/providers/Microsoft.Management/managementGroups/corp", "owner");
    FAIL("{}", check, mg);
    /* without ancestors: only the exact scope */
    PASS("{}",
         "{count: {related: {type: microsoft.authorization/roleassignments, path: properties.scope}}, "
         "equals: 0}",
         RA("r1", RG, "owner"));
}

static void test_related_on_element(void **state) {
    (void)state;
    ts s = {0};
    char *rt =
        rule_text("Test.X/things", "each: 'properties.subnets[*]'\n"
                                   "check: {count: {related: {type: Microsoft.Network/privateEndpoints, "
                                   "path: properties.subnet.id}}, equals: 0}\n");
    ts_run(&s, rt,
           "[{\"id\":\"" X("a") "\",\"type\":\"Test.X/things\",\"name\":\"a\",\"properties\":{\"subnets\":["
                                "{\"id\":\"" X("a") "/subnets/pe\",\"name\":\"pe\"},{\"id\":\"" X(
                                    "a") "/subnets/app\",\"name\":\"app\"}]}},"
                                         "{\"id\":\"" RG "/providers/Microsoft.Network/privateEndpoints/"
                                         "p\",\"type\":\"Microsoft.Network/privateEndpoints\","
                                         "\"properties\":{\"subnet\":{\"id\":\"" X("A") "/SUBNETS/PE\"}}}]");
    assert_int_equal(status_of(&s, "/subnets/pe"), RS_FAIL);
    assert_int_equal(status_of(&s, "/subnets/app"), RS_PASS);
    ts_free(&s);
    free(rt);
}

/* ---- chain ---- */

#define POL(n, base, mode)                                                                                   \
    "{\"id\":\"" RG "/providers/Test.X/things/" n "\",\"type\":\"Test.X/things\",\"name\":\"" n "\","        \
    "\"properties\":{\"mode\":\"" mode "\"" base "}}"
#define BASE(n) ",\"base\":{\"id\":\"" X(n) "\"}"

static void test_chain(void **state) {
    (void)state;
    const char *check = "{count: {chain: properties.base.id, where: {field: properties.mode, equals: Deny}}, "
                        "greaterOrEquals: 1}";
    PASS("{\"mode\":\"Deny\"}", check, NULL);
    PASS("{\"mode\":\"Off\"" BASE("b") "}", check, POL("b", BASE("c"), "Alert") "," POL("c", "", "Deny"));
    FAIL("{\"mode\":\"Off\"" BASE("b") "}", check, POL("b", "", "Alert"));
    /* a cycle ends the chain */
    FAIL("{\"mode\":\"Off\"" BASE("b") "}", check, POL("b", BASE("a"), "Alert"));
    /* a link to an object not in the input: unknown unless another link decides */
    UNKNOWN("{\"mode\":\"Off\"" BASE("zz") "}", check, NULL);
    PASS("{\"mode\":\"Deny\"" BASE("zz") "}", check, NULL);
    /* "no link is Off": the missing link could be */
    UNKNOWN("{\"mode\":\"Deny\"" BASE("zz") "}",
            "{count: {chain: properties.base.id, where: {field: properties.mode, equals: 'Off'}}, equals: 0}",
            NULL);
}

/* ---- ref: VALUE ---- */

static void test_ref_value(void **state) {
    (void)state;
    const char *pol =
        "{\"id\":\"" X("a") "/policies/p1\",\"type\":\"Test.X/things/policies\",\"name\":\"p1\","
                            "\"properties\":{\"mode\":\"Blocking\"}}";
    const char *check = "{ref: {concat: [{field: id}, '/policies/', {field: properties.policy}]}, field: "
                        "properties.mode, equals: Blocking}";
    PASS("{\"policy\":\"P1\"}", check, pol);
    UNKNOWN("{\"policy\":\"p2\"}", check, pol); /* not in the input */
    FAIL("{}", check, pol);                     /* no policy name: no id to follow */

    ts s = {0};
    char *rest = lz_asprintf("check: %s\n", check);
    char *rt = rule_text("Test.X/things", rest);
    ts_run(&s, rt, "[{\"id\":\"" X("a") "\",\"type\":\"Test.X/things\",\"name\":\"a\",\"properties\":{}}]");
    const finding *f = finding_of(&s, "/things/a");
    assert_string_equal(f->evidence[0].path, "concat(id, \"/policies/\", properties.policy)");
    assert_string_equal(f->evidence[0].expected, "a resource id");
    ts_free(&s);
    free(rest);
    free(rt);
}

/* ---- if/then/else ---- */

static void test_if(void **state) {
    (void)state;
    const char *check =
        "{if: {field: properties.kind, equals: st}, then: {field: properties.shared, equals: false}, "
        "else: {field: properties.local, equals: false}}";
    PASS("{\"kind\":\"st\",\"shared\":false}", check, NULL);
    FAIL("{\"kind\":\"st\",\"shared\":true,\"local\":false}", check, NULL);
    PASS("{\"kind\":\"kv\",\"local\":false}", check, NULL);
    FAIL("{\"kind\":\"kv\",\"shared\":false}", check, NULL);
    /* no else: holds when the test does not */
    PASS("{\"kind\":\"kv\"}",
         "{if: {field: properties.kind, equals: st}, then: {field: properties.x, exists: true}}", NULL);
    /* an unknown test decides only when both branches agree */
    PASS("{\"a\":1}",
         "{if: {field: properties.a, in: {fact: hubVnetIds}}, then: {field: properties.a, equals: 1}}", NULL);
    UNKNOWN("{\"a\":2}",
            "{if: {field: properties.a, in: {fact: hubVnetIds}}, then: {field: properties.a, equals: 1}}",
            NULL);

    /* the test leaves no evidence: the message is the branch's */
    ts s = {0};
    char *rest = lz_asprintf("check: %s\n", check);
    char *rt = rule_text("Test.X/things", rest);
    ts_run(&s, rt,
           "[{\"id\":\"" X("a") "\",\"type\":\"Test.X/"
                                "things\",\"name\":\"a\",\"properties\":{\"kind\":\"st\",\"shared\":true}}]");
    const finding *f = finding_of(&s, "/things/a");
    assert_int_equal(f->nevidence, 1);
    assert_string_equal(f->message, "properties.shared is true, expected false");
    ts_free(&s);
    free(rest);
    free(rt);
}

/* ---- each per type, $parent, related over every object ---- */

static void test_each_per_type(void **state) {
    (void)state;
    ts s = {0};
    char *rt = lz_asprintf("id: T-1\ntitle: t\nseverity: high\ndescription: d\nremediation: r\n"
                           "applies: {type: [Test.X/things, Test.X/others]}\n"
                           "each: {Test.X/things: 'properties.items[*]'}\n"
                           "check: {field: properties.ok, equals: true}\n");
    ts_run(&s, rt,
           "[{\"id\":\"" X(
               "a") "\",\"type\":\"Test.X/things\",\"properties\":{\"items\":["
                    "{\"name\":\"i1\",\"properties\":{\"ok\":true}},{\"name\":\"i2\",\"properties\":{}}]}},"
                    "{\"id\":\"" RG
                    "/providers/Test.X/others/o\",\"type\":\"Test.X/others\",\"properties\":{}}]");
    assert_int_equal(status_of(&s, "/things/a/items/i1"), RS_PASS);
    assert_int_equal(status_of(&s, "/things/a/items/i2"), RS_FAIL);
    assert_int_equal(status_of(&s, "/others/o"), RS_FAIL); /* no entry for its type: the whole object */
    assert_int_equal(s.r.counts[0].by_status[RS_PASS], 1);
    ts_free(&s);
    free(rt);
    lz_err e = {{0}};
    rt = rule_text("Test.X/things",
                   "each: {Test.X/nope: 'properties.items[*]'}\ncheck: {field: a, equals: 1}\n");
    assert_int_not_equal(ts_load(&s, rt, &e), 0);
    assert_non_null(strstr(e.msg, "not one of applies.type"));
    ts_free(&s);
    free(rt);
}

static void test_parent_path(void **state) {
    (void)state;
    ts s = {0};
    char *rt = rule_text("Test.X/things/parts",
                         "check: {field: properties.tier, equals: {field: $parent.properties.tier}}\n");
    ts_run(
        &s, rt,
        "[{\"id\":\"" X(
            "a") "\",\"type\":\"Test.X/things\",\"properties\":{\"tier\":\"gold\"}},"
                 "{\"id\":\"" X(
                     "a") "/parts/p1\",\"type\":\"Test.X/things/parts\",\"properties\":{\"tier\":\"GOLD\"}},"
                          "{\"id\":\"" X("a") "/parts/p2\",\"type\":\"Test.X/things/"
                                              "parts\",\"properties\":{\"tier\":\"tin\"}},"
                                              "{\"id\":\"" X(
                                                  "b") "/parts/p3\",\"type\":\"Test.X/things/"
                                                       "parts\",\"properties\":{\"tier\":\"tin\"}}]");
    assert_int_equal(status_of(&s, "/parts/p1"), RS_PASS);
    const finding *f = finding_of(&s, "/parts/p2");
    assert_int_equal(f->status, RS_FAIL);
    assert_string_equal(f->evidence[0].expected, "\"gold\"");
    assert_int_equal(status_of(&s, "/parts/p3"), RS_FAIL); /* no parent in the input: missing */
    ts_free(&s);
    free(rt);
}

static void test_related_any_type(void **state) {
    (void)state;
    /* type "*": every object, never "not collected"; subscriptionId / resourceGroup read from the id when an
     * object has no such field (ARM objects) */
    const char *check = "{count: {related: {type: '*', path: resourceGroup, key: {field: properties.rg}}, "
                        "where: {field: type, equals: Test.Y/accounts}}, greaterOrEquals: 1}";
    const char *acct = "{\"id\":\"/subscriptions/s1/resourceGroups/RG-AI/providers/Test.Y/accounts/x\","
                       "\"type\":\"Test.Y/accounts\"}";
    PASS("{\"rg\":\"rg-ai\"}", check, acct);
    FAIL("{\"rg\":\"rg-other\"}", check, acct);
    FAIL("{\"rg\":\"rg-ai\"}", check, NULL); /* nothing of that type: a plain no, not unknown */
    PASS("{}", "{count: {related: {type: '*', path: subscriptionId, key: s1}}, greaterOrEquals: 2}", acct);
    /* needs: "*" adds nothing to fetch */
    ts s = {0};
    lz_err e = {{0}};
    char *rt =
        rule_text("Test.X/things", "check: {count: {related: {type: '*', path: name, key: x}}, equals: 0}\n");
    assert_int_equal(ts_load(&s, rt, &e), 0);
    assert_int_equal(s.p->rules[0]->needs.n, 0);
    ts_free(&s);
    free(rt);
}

/* ---- needs and the loader ---- */

static void test_needs(void **state) {
    (void)state;
    ts s = {0};
    lz_err e = {{0}};
    char *rt =
        rule_text("Test.X/things",
                  "needs: [Microsoft.Security/pricings]\n"
                  "check: {count: {related: {type: Microsoft.Network/privateDnsZones, path: name, key: x}}, "
                  "equals: 0}\n");
    assert_int_equal(ts_load(&s, rt, &e), 0);
    const rule *r = s.p->rules[0];
    assert_int_equal(r->needs.n, 2);
    assert_string_equal(r->needs.v[0], "microsoft.security/pricings");
    assert_string_equal(r->needs.v[1], "microsoft.network/privatednszones");
    rule_strv params = {0}, facts = {0};
    rule_refs(r, &params, &facts);
    assert_int_equal(params.n + facts.n, 0);
    strv_free(&params);
    strv_free(&facts);
    ts_free(&s);
    free(rt);
}

static void load_error(const char *check, const char *want) {
    ts s = {0};
    lz_err e = {{0}};
    char *rest = lz_asprintf("check: %s\n", check);
    char *rt = rule_text("Test.X/things", rest);
    assert_int_not_equal(ts_load(&s, rt, &e), 0);
    if (!strstr(e.msg, want)) fail_msg("error '%s' lacks '%s'", e.msg, want);
    ts_free(&s);
    free(rest);
    free(rt);
}

static void test_loader_errors(void **state) {
    (void)state;
    load_error("{field: $z.name, equals: a}", "unknown name '$z'");
    load_error("{count: {value: [a], as: z}, equals: 1, field: $z}", "t.yaml:7:");
    load_error("{count: {value: [a], as: resource}, equals: 1}", "cannot be 'resource'");
    load_error("{count: {value: [a], as: 'a-b'}, equals: 1}", "may only hold");
    load_error("{count: {chain: 'properties.l[*].id'}, equals: 1}", "without [*]");
    load_error("{count: {value: [a], field: 'x[*]'}, equals: 1}", "exactly one of");
    load_error("{if: {field: a, equals: b}}", "if needs a then:");
    load_error("{if: {field: a, equals: b}, then: {field: a, equals: b}, field: x}",
               "cannot be combined with if");
    load_error("{count: {related: {type: t, path: p, ancestors: yes}}, equals: 1}",
               "ancestors takes true or false");
    load_error("{count: {related: {type: t, path: $resource.p}}, equals: 1}", "read in the related object");
    load_error("{value: {fact: nope}, equals: 1}", "unknown fact 'nope'");
    load_error("{field: a, equals: {concat: []}}", "concat takes a non-empty list");
    load_error("{field: '$', equals: 1}", "'$' starts $resource");
    load_error("{count: {value: [a], as: parent}, equals: 1}", "reserved");
    /* a $NAME bound by an outer count is in scope in nested counts, not outside */
    ts s = {0};
    lz_err e = {{0}};
    char *rt =
        rule_text("Test.X/things", "check: {count: {value: [a], as: o, where: {count: {value: [b], where: "
                                   "{field: $o, equals: a}}, equals: 1}}, equals: 1}\n");
    assert_int_equal(ts_load(&s, rt, &e), 0);
    ts_free(&s);
    free(rt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_value),
        cmocka_unit_test(test_concat_and_key),
        cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_value_count_evidence),
        cmocka_unit_test(test_too_many_evidence),
        cmocka_unit_test(test_related_key),
        cmocka_unit_test(test_related_ancestors),
        cmocka_unit_test(test_related_on_element),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_ref_value),
        cmocka_unit_test(test_if),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_each_per_type),
        cmocka_unit_test(test_parent_path),
        cmocka_unit_test(test_related_any_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
