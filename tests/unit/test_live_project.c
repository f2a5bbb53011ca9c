/* The projection pushdown and the child-call feed: what a compiled rule can
 * read (rule_reads: every construct that moves the context, and the reads
 * the engine makes for it), the keys kept per type and when a type or the
 * whole projection is left off, the KQL it becomes, the scanner's own reads
 * against scanner/topology.c, and the order the feed sends work in
 * (subscription with the most calls left first; a subscription without
 * bucket room passed over). */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "scanner/live/arg.h"
#include "scanner/live/feed.h"
#include "scanner/live/plan.h"
#include "scanner/live/project.h"

static const char PACK_YAML[] = "pack: {name: t, version: '1'}\n"
                                "parameters:\n"
                                "  names: {description: d, default: [a, b]}\n";

static const char HEAD[] = "id: R-1\ntitle: t\nseverity: low\ndescription: d\nremediation: r\n";

static rule_pack *load(const char *body) {
    rule_pack *p = rule_pack_new("t", "1");
    lz_err e = {{0}};
    char *yaml = lz_asprintf("%s%s", HEAD, body);
    if (rule_pack_add_buffer(p, "pack.yaml", PACK_YAML, strlen(PACK_YAML), &e) != 0 ||
        rule_pack_add_buffer(p, "r.yaml", yaml, strlen(yaml), &e) != 0)
        fail_msg("%s", e.msg);
    free(yaml);
    return p;
}

/* Every read as "ON:key.key" lines ("own" for the rule's objects). */
static void collect_read(const char *on, const char *const *keys, size_t n, void *ctx) {
    lz_buf *b = ctx;
    lz_buf_printf(b, "%s:", on ? on : "own");
    for (size_t i = 0; i < n; i++) lz_buf_printf(b, "%s%s", i ? "." : "", keys[i]);
    lz_buf_putc(b, '\n');
}

static char *reads_of(const char *body) {
    rule_pack *p = load(body);
    lz_buf b = {0};
    rule_reads(p->rules[0], collect_read, &b);
    rule_pack_free(p);
    lz_buf_puts(&b, "");
    return lz_buf_steal(&b);
}

static void has_read(const char *all, const char *line) {
    char *want = lz_asprintf("\n%s\n", line), *hay = lz_asprintf("\n%s", all);
    if (!strstr(hay, want)) fail_msg("no read %s in:\n%s", line, all);
    free(want);
    free(hay);
}

static void lacks_read(const char *all, const char *line) {
    char *want = lz_asprintf("\n%s\n", line), *hay = lz_asprintf("\n%s", all);
    if (strstr(hay, want)) fail_msg("unexpected read %s in:\n%s", line, all);
    free(want);
    free(hay);
}

static void reads_fields_counts_and_names(void **state) {
    char *r = reads_of("applies: {type: Microsoft.Network/virtualNetworks, kind: [x]}\n"
                       "each: 'properties.subnets[*]'\n"
                       "check:\n"
                       "  allOf:\n"
                       "    - {field: properties.routeTable.id, exists: true}\n"
                       "    - count:\n"
                       "        field: '$resource.properties.dhcpOptions.dnsServers[*]'\n"
                       "        as: srv\n"
                       "        where: {field: '$srv.x', equals: {field: \"$resource.tags['a.b']\"}}\n"
                       "      equals: 0\n"
                       "    - count: {value: {param: names}, as: n, where: {field: '$n.deep', equals: 1}}\n"
                       "      equals: 0\n");
    has_read(r, "own:properties.subnets");                /* each, and every read under an element */
    has_read(r, "own:properties.routeTable.id");          /* check on the whole object too */
    has_read(r, "own:properties.dhcpOptions.dnsServers"); /* $resource inside an element */
    has_read(r, "own:tags.a.b");                          /* a quoted key is one key */
    has_read(r, "own:kind");                              /* applies.kind */
    has_read(r, "own:id");
    lacks_read(r, "own:deep"); /* an item of a parameter is not an object */
    free(r);
}

static void reads_joins(void **state) {
    char *r = reads_of(
        "applies: {type: Microsoft.Network/privateEndpoints}\n"
        "check:\n"
        "  allOf:\n"
        "    - count:\n"
        "        related: {type: Microsoft.KeyVault/vaults, path: properties.owner.id}\n"
        "        where: {field: properties.enableRbacAuthorization, equals: true}\n"
        "      equals: 0\n"
        "    - ref: properties.subnet.id\n"
        "      field: properties.addressPrefix\n"
        "      equals: x\n"
        "    - count: {chain: properties.basePolicy.id, where: {field: properties.mode, equals: y}}\n"
        "      equals: 0\n"
        "    - {field: $parent.properties.p1, exists: false}\n"
        "    - count: {related: {type: '*', path: identity.principalId}}\n"
        "      equals: 0\n");
    has_read(r, "microsoft.keyvault/vaults:properties.owner.id"); /* the index reads the path */
    has_read(r, "microsoft.keyvault/vaults:properties.enableRbacAuthorization");
    has_read(r, "own:id"); /* the default related key */
    has_read(r, "own:properties.subnet.id");
    has_read(r, "*:properties.addressPrefix"); /* a ref's target is any object */
    has_read(r, "*:properties.subnets");       /* a subnet id resolves in its VNet */
    has_read(r, "own:properties.basePolicy.id");
    has_read(r, "*:properties.basePolicy.id"); /* every link of a chain */
    has_read(r, "*:properties.mode");
    has_read(r, "own:properties.mode");
    has_read(r, "*:properties.p1"); /* $parent */
    has_read(r, "*:identity.principalId");
    has_read(r, "*:"); /* a count without where prints its items: the whole objects */
    free(r);
    rule_pack *p = load("applies: {type: a/b}\ncheck: {count: {related: {type: '*', path: x}}, equals: 0}\n");
    assert_true(rule_reads_every_type(p->rules[0]));
    rule_pack_free(p);
    p = load("applies: {type: a/b}\ncheck: {count: {related: {type: c/d, path: x}}, equals: 0}\n");
    assert_false(rule_reads_every_type(p->rules[0]));
    rule_pack_free(p);
}

static const char *const *kept_for(const live_projection *pj, const char *type, size_t *n) {
    for (size_t i = 0; i < pj->ntypes; i++)
        if (strcmp(pj->types[i].type, type) == 0) {
            *n = pj->types[i].keys.n;
            return (const char *const *)pj->types[i].keys.v;
        }
    *n = 0;
    return NULL;
}

static bool kept(const live_projection *pj, const char *type, const char *key) {
    size_t n;
    const char *const *k = kept_for(pj, type, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(k[i], key) == 0) return true;
    rule_strv any = pj->any;
    return strv_has(&any, key);
}

static void projection_keys_and_whole_types(void **state) {
    rule_pack *p = load("applies: {type: [Microsoft.Storage/storageAccounts, Microsoft.KeyVault/vaults]}\n"
                        "check:\n"
                        "  anyOf:\n"
                        "    - {field: properties.publicNetworkAccess, equals: Disabled}\n"
                        "    - {field: properties.networkAcls.defaultAction, equals: Deny}\n"
                        "    - {field: SKU.name, equals: Premium}\n"
                        "    - ref: properties.encryption.keyVaultProperties.keyVaultUri\n"
                        "      field: properties.enablePurgeProtection\n"
                        "      equals: true\n"
                        "    - count:\n"
                        "        related: {type: Microsoft.Network/privateEndpoints, path: properties.x}\n"
                        "        where: {field: properties, exists: true}\n"
                        "      equals: 0\n");
    live_plan plan;
    live_plan_build(p, &plan);
    live_projection pj;
    live_projection_build(p, &plan, true, &pj);
    assert_true(pj.on);
    assert_true(kept(&pj, "microsoft.storage/storageaccounts", "publicNetworkAccess"));
    assert_true(kept(&pj, "microsoft.keyvault/vaults", "networkAcls"));
    assert_true(kept(&pj, "microsoft.keyvault/vaults", "encryption"));
    assert_true(kept(&pj, "microsoft.network/azurefirewalls", "enablePurgeProtection")); /* a ref: any type */
    assert_true(kept(&pj, "microsoft.network/virtualnetworks", "subnets"));              /* topology */
    assert_false(kept(&pj, "microsoft.storage/storageaccounts", "primaryEndpoints"));
    rule_strv whole = pj.whole;
    assert_true(strv_has(&whole, "microsoft.network/privateendpoints")); /* read whole by `where` */
    char *kql = live_projection_kql(&pj);
    char *types[] = {"microsoft.keyvault/vaults"};
    char *q = arg_kql_projected("resources", types, 1, kql, 1, 2);
    assert_non_null(strstr(q, "| where abs(hash(tolower(id)) % 2) == 1 | extend lzscanKeep = "));
    assert_non_null(strstr(q,
                           "| project-away lzscanKeep, lzscanDrop, tenantId, location, identity, managedBy, "
                           "plan, zones, extendedLocation | order by id asc"));
    free(q);
    assert_non_null(strstr(kql, " | extend lzscanKeep = array_concat(dynamic(["));
    assert_non_null(strstr(kql, "type =~ 'microsoft.storage/storageaccounts', dynamic(["));
    assert_non_null(strstr(kql, "type in~ ('microsoft.network/privateendpoints')"));
    assert_non_null(strstr(kql, "bag_remove_keys(properties, lzscanDrop)"));
    assert_non_null(strstr(kql, "| project-away lzscanKeep, lzscanDrop, tenantId, location, identity, "));
    assert_null(strstr(kql, "sku")); /* a column a rule reads stays (its case aside) */
    free(kql);
    live_projection_free(&pj);
    live_projection_build(p, &plan, false, &pj); /* --no-projection */
    assert_false(pj.on);
    assert_null(live_projection_kql(&pj));
    live_projection_free(&pj);
    live_plan_free(&plan);
    rule_pack_free(p);
}

static void projection_off(void **state) {
    /* the whole properties of any object (across a ref): nothing is projected */
    rule_pack *p =
        load("applies: {type: a/b}\ncheck: {ref: properties.x, field: properties, exists: true}\n");
    live_plan plan;
    live_plan_build(p, &plan);
    live_projection pj;
    live_projection_build(p, &plan, true, &pj);
    assert_false(pj.on);
    live_projection_free(&pj);
    live_plan_free(&plan);
    rule_pack_free(p);
    /* the query is filtered by type, and a related "*" looks at every type */
    p = load("applies: {type: a/b}\ncheck: {count: {related: {type: '*', path: properties.y}}, equals: 0}\n");
    live_plan_build(p, &plan);
    live_projection_build(p, &plan, true, &pj);
    assert_false(pj.on);
    assert_non_null(strstr(pj.why_off, "related type"));
    live_projection_free(&pj);
    live_plan_free(&plan);
    rule_pack_free(p);
    /* the built-in pack applies to "*" (no type filter): projected */
    lz_err e;
    assert_int_equal(rule_pack_builtin(&p, &e), 0);
    live_plan_build(p, &plan);
    live_projection_build(p, &plan, true, &pj);
    assert_true(pj.on);
    assert_true(kept(&pj, "microsoft.cognitiveservices/accounts", "publicNetworkAccess"));
    live_projection_free(&pj);
    live_plan_free(&plan);
    rule_pack_free(p);
}

/* Every "properties.KEY" topology.c reads is in the projection's own list. */
static void builtin_reads_cover_topology(void **state) {
    char *path = lz_asprintf("%s/scanner/topology.c", LZ_SOURCE_DIR), *text;
    size_t len;
    lz_err e;
    assert_int_equal(lz_read_file(path, &text, &len, &e), 0);
    regex_t re;
    assert_int_equal(regcomp(&re, "\"properties\\.([A-Za-z]+)", REG_EXTENDED), 0);
    regmatch_t m[2];
    int found = 0;
    for (const char *at = text; regexec(&re, at, 2, m, 0) == 0; at += m[0].rm_eo) {
        char *key = lz_strndup(at + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
        bool listed = false;
        for (size_t i = 0; live_projection_builtin_reads[i][0]; i++)
            listed = listed || strcmp(live_projection_builtin_reads[i][1], key) == 0;
        if (!listed) fail_msg("topology.c reads properties.%s, which the projection drops", key);
        free(key);
        found++;
    }
    assert_true(found >= 8);
    regfree(&re);
    free(text);
    free(path);
}

/* ---- the feed ---- */

typedef struct sent {
    char order[64];
    size_t n;
    const char *sub_of[16];
} sent;

static void send_item(live_ctx *L, size_t item, void *ctx) {
    sent *s = ctx;
    s->order[s->n++] = (char)('A' + (s->sub_of[item][0] - 'a'));
    live_submit(L, live_call_new(LIVE_ARM, "GET", "https://x/", NULL, s->sub_of[item], NULL, NULL));
}

static void feed_most_left_first(void **state) {
    live_tuning t;
    live_tuning_init(&t);
    live_ctx L;
    live_ctx_init(&L, NULL, NULL, &t);
    sent s = {{0}, 0, {NULL}};
    live_feed *f = feed_new(send_item, &s);
    for (size_t i = 0; i < 5; i++) {
        s.sub_of[i] = "a";
        feed_add(f, "a", i, 1);
    }
    for (size_t i = 5; i < 8; i++) {
        s.sub_of[i] = "b";
        feed_add(f, "b", i, 1);
    }
    assert_int_equal(feed_left(f), 8);
    feed_pump(f, &L, 100);
    assert_string_equal(s.order, "AAABABAB"); /* ties: the subscription seen first */
    assert_int_equal(feed_left(f), 0);
    feed_free(f);
    live_ctx_free(&L);

    /* a bucket of 2: after two queued calls, subscription a has no room and b goes first */
    t.arm_bucket_cap = 2;
    live_ctx_init(&L, NULL, NULL, &t);
    memset(&s, 0, sizeof s);
    f = feed_new(send_item, &s);
    for (size_t i = 0; i < 6; i++) {
        s.sub_of[i] = i < 4 ? "a" : "b";
        feed_add(f, s.sub_of[i], i, 1);
    }
    feed_pump(f, &L, 100);
    assert_string_equal(s.order, "AABB"); /* both full: the rest waits for room */
    assert_int_equal(feed_left(f), 2);
    feed_free(f);
    live_ctx_free(&L);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_fields_counts_and_names),   cmocka_unit_test(reads_joins),
        cmocka_unit_test(projection_keys_and_whole_types), cmocka_unit_test(projection_off),
        cmocka_unit_test(builtin_reads_cover_topology),    cmocka_unit_test(feed_most_left_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
