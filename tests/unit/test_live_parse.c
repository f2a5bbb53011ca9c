/* Live collection's parsing and planning: Resource Graph and ARM pages
 * streamed row by row (paging fields, errors, truncation), the KQL text of
 * a query and its hash partitions, the plan a rule pack yields (pushdown),
 * and the snapshot writer (dedup, manifest first, atomic commit). */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
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

#include "scanner/ingest.h"
#include "scanner/live/arg.h"
#include "scanner/live/page.h"
#include "scanner/live/plan.h"
#include "scanner/live/snapshot.h"

typedef struct rows {
    lz_buf all;
    int n, ids, strings;
} rows;

static int on_row(const live_row *r, void *ctx, lz_err *e) {
    rows *x = ctx;
    x->n++;
    if (r->id) x->ids++;
    lz_buf_put(&x->all, r->json, r->len);
    lz_buf_putc(&x->all, '\n');
    return 0;
}

static void on_str(const char *s, size_t n, void *ctx) {
    ((rows *)ctx)->strings++;
}

static void rg_page(void **state) {
    const char *body =
        "{\"totalRecords\": 386, \"count\": 2, \"resultTruncated\": \"false\", \"facets\": [],"
        " \"$skipToken\": \"eyAibm8iOiAibHVjayIgfQ==\", \"data\": ["
        "{\"id\": \"/subscriptions/s/x/1\", \"type\": \"microsoft.compute/disks\", \"n\": 1.50,"
        " \"p\": {\"a\": [1, true, null, \"\\u00e9\\\"q\"]}},"
        "{\"id\": \"/subscriptions/s/x/2\", \"type\": \"t\", \"tags\": {}}]}";
    rows x = {0};
    live_page p;
    lz_err e;
    assert_int_equal(live_page_parse(body, strlen(body), on_row, on_str, &x, &p, &e), 0);
    assert_int_equal(p.rows, 2);
    assert_int_equal(x.ids, 2);
    assert_string_equal(p.skip_token, "eyAibm8iOiAibHVjayIgfQ==");
    assert_true(p.has_total && p.total_records == 386);
    assert_false(p.truncated);
    assert_null(p.next_link);
    /* rows keep their keys, order and number text; strings are re-escaped */
    assert_string_equal(lz_buf_cstr(&x.all),
                        "{\"id\":\"/subscriptions/s/x/1\",\"type\":\"microsoft.compute/disks\",\"n\":1.50,"
                        "\"p\":{\"a\":[1,true,null,\"\xc3\xa9\\\"q\"]}}\n"
                        "{\"id\":\"/subscriptions/s/x/2\",\"type\":\"t\",\"tags\":{}}\n");
    assert_int_equal(x.strings, 5);
    live_page_free(&p);
    lz_buf_free(&x.all);
}

static void arm_pages_and_errors(void **state) {
    rows x = {0};
    live_page p;
    lz_err e;
    const char *a = "{\"value\": [{\"id\": \"/a\", \"type\": \"t\"}], \"@nextLink\": \"https://h/next?x=1\"}";
    assert_int_equal(live_page_parse(a, strlen(a), on_row, NULL, &x, &p, &e), 0);
    assert_string_equal(p.next_link, "https://h/next?x=1");
    live_page_free(&p);
    const char *b = "{\"nextLink\": null, \"value\": []}";
    assert_int_equal(live_page_parse(b, strlen(b), on_row, NULL, &x, &p, &e), 0);
    assert_null(p.next_link);
    assert_int_equal(p.rows, 0);
    live_page_free(&p);
    const char *c =
        "{\"error\": {\"code\": \"BadRequest\", \"message\": \"m\", \"details\": [{\"code\": \"X\"}]}}";
    assert_int_equal(live_page_parse(c, strlen(c), on_row, NULL, &x, &p, &e), 0);
    assert_string_equal(p.error_code, "BadRequest");
    assert_string_equal(p.error_message, "m");
    live_page_free(&p);
    const char *d = "{\"data\": [], \"resultTruncated\": \"true\"}";
    assert_int_equal(live_page_parse(d, strlen(d), on_row, NULL, &x, &p, &e), 0);
    assert_true(p.truncated);
    live_page_free(&p);
    /* a body cut in half: an error, rows before the cut already handed over */
    const char *t = "{\"value\": [{\"id\": \"/a\", \"type\": \"t\"}, {\"id\": \"/b\", \"ty";
    int before = x.n;
    assert_int_equal(live_page_parse(t, strlen(t), on_row, NULL, &x, &p, &e), -1);
    assert_non_null(strstr(e.msg, "not complete JSON"));
    assert_int_equal(x.n, before + 1);
    live_page_free(&p);
    lz_buf_free(&x.all);
}

static void kql(void **state) {
    char *types[] = {"microsoft.network/virtualnetworks", "it's"};
    char *q = arg_kql("resources", types, 2, 0, 0);
    assert_string_equal(
        q, "resources | where type in~ ('microsoft.network/virtualnetworks', 'it\\'s') | order by id asc");
    free(q);
    q = arg_kql("resourcecontainers", NULL, 0, 3, 4);
    assert_string_equal(q, "resourcecontainers | where abs(hash(tolower(id)) % 4) == 3 | order by id asc");
    free(q);
}

static rule *mkrule(const char *id, const char **types, size_t nt, const char **needs, size_t nn) {
    rule *r = calloc(1, sizeof *r);
    r->id = (char *)id;
    r->types.v = (char **)types;
    r->types.n = nt;
    r->needs.v = (char **)needs;
    r->needs.n = nn;
    return r;
}

static void plan_pushdown(void **state) {
    const char *t1[] = {"microsoft.cognitiveservices/accounts", "microsoft.keyvault/vaults"};
    const char *n1[] = {"microsoft.insights/diagnosticsettings", "microsoft.network/privateendpoints"};
    const char *t2[] = {"microsoft.network/privateendpoints/privatednszonegroups"};
    const char *t3[] = {"microsoft.authorization/roleassignments"};
    const char *n3[] = {"securityresources"};
    rule *rs[] = {mkrule("A", t1, 2, n1, 2), mkrule("B", t2, 1, NULL, 0), mkrule("C", t3, 1, n3, 1)};
    rule_pack pack = {0};
    pack.rules = rs;
    pack.n = 3;
    live_plan p;
    live_plan_build(&pack, &p);
    plan_table *res = &p.tables[PLAN_RESOURCES];
    assert_true(res->wanted && !res->all);
    assert_true(live_strv_has(&res->types, "microsoft.keyvault/vaults"));
    assert_true(
        live_strv_has(&res->types, "microsoft.network/privateendpoints")); /* a need in Resource Graph */
    assert_true(live_strv_has(&res->types, "microsoft.network/virtualnetworks")); /* topology always */
    assert_false(live_strv_has(&res->types, "microsoft.insights/diagnosticsettings"));
    assert_true(p.tables[PLAN_AUTHORIZATION].wanted && !p.tables[PLAN_AUTHORIZATION].all);
    assert_true(p.tables[PLAN_SECURITY].wanted && p.tables[PLAN_SECURITY].all);
    assert_true(p.tables[PLAN_CONTAINERS].all);
    assert_int_equal(p.nchildren, 2);
    const plan_child *diag = &p.children[0], *zg = &p.children[1];
    assert_string_equal(diag->def->type, "microsoft.insights/diagnosticsettings");
    assert_true(plan_child_wants(diag, "microsoft.keyvault/vaults"));
    assert_false(plan_child_wants(diag, "microsoft.network/privateendpoints"));
    assert_string_equal(zg->def->type, "microsoft.network/privateendpoints/privatednszonegroups");
    assert_true(plan_child_wants(zg, "microsoft.network/privateendpoints"));
    assert_true(live_strv_has(&p.collected, "microsoft.network/privateendpoints/privatednszonegroups"));
    live_plan_free(&p);

    const char *star[] = {"*"};
    rule *r4 = mkrule("D", star, 1, n1, 1); /* "*" needing diagnostic settings: every resource */
    pack.rules = &r4;
    pack.n = 1;
    live_plan_build(&pack, &p);
    assert_true(p.tables[PLAN_RESOURCES].all);
    assert_true(p.children[0].all_parents);
    assert_false(p.tables[PLAN_AUTHORIZATION].wanted);
    live_plan_free(&p);
    for (int i = 0; i < 3; i++) free(rs[i]);
    free(r4);
}

static void table_of(void **state) {
    assert_int_equal(live_plan_table_of("microsoft.resources/subscriptions"), PLAN_CONTAINERS);
    assert_int_equal(live_plan_table_of("microsoft.authorization/roleassignments"), PLAN_AUTHORIZATION);
    assert_int_equal(live_plan_table_of("microsoft.authorization/policyassignments"), PLAN_POLICY);
    assert_int_equal(live_plan_table_of("microsoft.security/pricings"), PLAN_SECURITY);
    assert_int_equal(live_plan_table_of("microsoft.network/virtualnetworks"), PLAN_RESOURCES);
}

static void snapshot_round_trip(void **state) {
    char dir[] = "/tmp/lz_snap_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = lz_asprintf("%s/snap.ndjson", dir);
    snap_writer *w;
    lz_err e;
    assert_int_equal(snap_open(&w, path, &e), 0);
    const char *a = "{\"id\":\"/subscriptions/s/resourceGroups/g/providers/P/t/a\",\"type\":\"P/t\"}";
    const char *a2 = "{\"id\":\"/SUBSCRIPTIONS/s/resourcegroups/g/providers/p/t/A\",\"type\":\"P/t\"}";
    assert_int_equal(snap_add(w, a, strlen(a), "/subscriptions/s/resourceGroups/g/providers/P/t/a", &e), 1);
    assert_int_equal(snap_add(w, a2, strlen(a2), "/SUBSCRIPTIONS/s/resourcegroups/g/providers/p/t/A", &e), 0);
    assert_int_equal(snap_count(w), 1);
    const char *m =
        "{\"lzscan\":\"snapshot-manifest\",\"collected\":[\"x/y\"],"
        "\"gaps\":[{\"scope\":\"/subscriptions/s2\",\"type\":\"\",\"reason\":\"GET /x: HTTP 403\"}],"
        "\"complete\":true}";
    assert_int_equal(snap_commit(w, m, NULL, &e), 0);
    char *text;
    size_t len;
    assert_int_equal(lz_read_file(path, &text, &len, &e), 0);
    assert_true(strncmp(text, m, strlen(m)) == 0 && text[strlen(m)] == '\n');
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((st.st_mode & 0044) == 0044 || (st.st_mode & 0600) == 0600);
    /* the ordinary ingest reads it: the object, the collected type, the gap */
    inv *v = inv_new();
    assert_int_equal(ingest_path(v, path, &e), 0);
    inv_finalize(v);
    assert_int_equal(inv_count(v), 1);
    assert_true(inv_collected(v, "x/y"));
    const inv_gap *g;
    assert_int_equal(inv_gaps(v, &g), 1);
    assert_string_equal(g[0].scope, "/subscriptions/s2");
    inv_free(v);
    free(text);
    unlink(path);
    /* an abandoned snapshot leaves nothing behind */
    assert_int_equal(snap_open(&w, path, &e), 0);
    snap_abort(w);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left */
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rg_page),  cmocka_unit_test(arm_pages_and_errors),
        cmocka_unit_test(kql),      cmocka_unit_test(plan_pushdown),
        cmocka_unit_test(table_of), cmocka_unit_test(snapshot_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
