/* The TUI's findings model and hierarchy: every sort order, severity
 * toggles, scopes and the filter combined, the cursor staying on its
 * finding, and the management group -> subscription -> resource group ->
 * resource tree with rolled-up counts. */
/* cmocka needs these first; its own block keeps clang-format from reordering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "output/tui_model.h"
#include "output/tui_text.h"
#include "output/tui_tree.h"
#include "scanner/ingest.h"

#define S1 "/subscriptions/11111111-1111-1111-1111-111111111111"
#define S2 "/subscriptions/22222222-2222-2222-2222-222222222222"
#define MG "/providers/Microsoft.Management/managementGroups/"

static const char input[] =
    "[{\"id\":\"" MG "root\",\"type\":\"Microsoft.Management/managementGroups\",\"name\":\"root\","
    "\"properties\":{\"displayName\":\"Tenant Root\"}},"
    "{\"id\":\"" MG "corp\",\"type\":\"Microsoft.Management/managementGroups\",\"name\":\"corp\","
    "\"properties\":{\"displayName\":\"Corp\"}},"
    "{\"id\":\"" S1 "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"zeta-sub\","
    "\"subscriptionId\":\"11111111-1111-1111-1111-111111111111\",\"properties\":{"
    "\"managementGroupAncestorsChain\":[{\"name\":\"corp\"},{\"name\":\"root\"}]}},"
    "{\"id\":\"" S2 "\",\"type\":\"microsoft.resources/subscriptions\",\"name\":\"alpha-sub\","
    "\"subscriptionId\":\"22222222-2222-2222-2222-222222222222\",\"properties\":{"
    "\"managementGroupAncestorsChain\":[{\"name\":\"root\"}]}},"
    "{\"id\":\"" S1 "/resourceGroups/RG-A\",\"type\":\"microsoft.resources/subscriptions/resourcegroups\","
    "\"name\":\"RG-A\"},"
    "{\"id\":\"" S1 "/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/Bravo\","
    "\"type\":\"Microsoft.KeyVault/vaults\",\"name\":\"Bravo\"},"
    "{\"id\":\"" S1 "/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/alpha\","
    "\"type\":\"Microsoft.KeyVault/vaults\",\"name\":\"alpha\"},"
    "{\"id\":\"" S2 "/resourceGroups/rg-b/providers/Microsoft.CognitiveServices/accounts/charlie\","
    "\"type\":\"Microsoft.CognitiveServices/accounts\",\"name\":\"charlie\"},"
    "{\"id\":\"" S1 "/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/alpha/providers/"
    "microsoft.insights/diagnosticSettings/d1\",\"type\":\"microsoft.insights/diagnosticSettings\","
    "\"name\":\"d1\",\"properties\":{}}]";

static rule r_net = {.id = "AIHUB-NET-001", .title = "net", .severity = SEV_CRITICAL};
static rule r_log = {.id = "AIHUB-LOG-001", .title = "log", .severity = SEV_HIGH};
static rule r_tag = {.id = "AIHUB-GOV-001", .title = "tags", .severity = SEV_LOW};
static rule *rules[] = {&r_tag, &r_log, &r_net};
static rule_pack pack = {.name = "t", .version = "1", .rules = rules, .n = 3};

typedef struct fx {
    inv *v;
    report r;
    tui_tree tree;
    tui_model m;
} fx;

static inv_idx find(inv *v, const char *id) {
    return inv_find(v, id, strlen(id));
}

static void add(report *r, const rule *ru, enum result_status st, inv_idx res, const char *subject) {
    finding f = {.rule = ru,
                 .status = st,
                 .resource = res,
                 .subject_id = lz_strdup(subject),
                 .message = lz_asprintf("%s on %s", ru->id, subject)};
    report_add(r, &f);
}

#define KV_B  S1 "/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/Bravo"
#define KV_A  S1 "/resourceGroups/rg-a/providers/Microsoft.KeyVault/vaults/alpha"
#define OAI_C S2 "/resourceGroups/rg-b/providers/Microsoft.CognitiveServices/accounts/charlie"
#define DIAG  KV_A "/providers/microsoft.insights/diagnosticSettings/d1"

static int setup(void **state) {
    fx *f = lz_calloc(1, sizeof *f);
    lz_err e;
    tui_text_set_utf8(false);
    f->v = inv_new();
    if (ingest_buffer(f->v, "t.json", input, sizeof input - 1, &e) != 0) return -1;
    inv_finalize(f->v);
    report_init(&f->r, &pack, f->v);
    inv *v = f->v;
    /* report order (severity, rule, subject), as report_sort leaves it */
    add(&f->r, &r_net, RS_FAIL, find(v, OAI_C), OAI_C);  /* 0 */
    add(&f->r, &r_log, RS_FAIL, find(v, KV_A), KV_A);    /* 1 */
    add(&f->r, &r_log, RS_UNKNOWN, find(v, KV_B), KV_B); /* 2 */
    add(&f->r, &r_log, RS_FAIL, find(v, DIAG), DIAG);    /* 3: a child object */
    add(&f->r, &r_tag, RS_EXEMPT, find(v, KV_B), KV_B);  /* 4 */
    add(&f->r, &r_tag, RS_FAIL, find(v, S1 "/resourceGroups/RG-A"), S1 "/resourceGroups/RG-A"); /* 5 */
    add(&f->r, &r_tag, RS_FAIL, find(v, S2), S2);                                               /* 6 */
    tui_tree_build(&f->tree, &f->r);
    tui_model_build(&f->m, &f->r, tui_tree_sub_label, &f->tree);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    tui_model_free(&f->m);
    tui_tree_free(&f->tree);
    report_free(&f->r);
    inv_free(f->v);
    free(f);
    return 0;
}

static void order_is(const tui_model *m, const uint32_t *want, size_t n) {
    assert_int_equal(m->nvis, n);
    for (size_t i = 0; i < n; i++)
        if (m->vis[i] != want[i]) fail_msg("row %zu: finding %u, expected %u", i, m->vis[i], want[i]);
}

static void test_rows(void **state) {
    fx *f = *state;
    const tui_model *m = &f->m;
    assert_string_equal(tui_model_str(m, m->rows[0].name), "charlie");
    assert_string_equal(tui_model_str(m, m->rows[0].sub), "alpha-sub"); /* the subscription's name */
    assert_string_equal(tui_model_str(m, m->rows[1].rule), "AIHUB-LOG-001");
    assert_string_equal(tui_model_str(m, m->rows[3].name), "d1");
    assert_int_equal(m->rows[0].sev, SEV_CRITICAL);
}

static void test_sorts(void **state) {
    fx *f = *state;
    tui_model *m = &f->m;
    const uint32_t sev[] = {0, 1, 3, 2, 5, 6, 4}; /* severity, then fail / unknown / exempt */
    order_is(m, sev, 7);
    tui_model_set_sort(m, TUI_SORT_RULE); /* GOV < LOG < NET; ties keep report order */
    const uint32_t rule_o[] = {4, 5, 6, 1, 2, 3, 0};
    order_is(m, rule_o, 7);
    tui_model_set_sort(m, TUI_SORT_NAME); /* case-insensitive, objects by their own name: alpha, alpha-sub,
                                             Bravo x2, charlie, d1, RG-A */
    const uint32_t name_o[] = {1, 6, 2, 4, 0, 3, 5};
    order_is(m, name_o, 7);
    tui_model_set_sort(m, TUI_SORT_SUBSCRIPTION); /* alpha-sub first, then zeta-sub; severity within */
    const uint32_t sub_o[] = {0, 6, 1, 2, 3, 4, 5};
    order_is(m, sub_o, 7);
    tui_model_set_sort(m, TUI_SORT_STATUS); /* fail, unknown, exempt; severity within */
    const uint32_t st_o[] = {0, 1, 3, 5, 6, 2, 4};
    order_is(m, st_o, 7);
    assert_string_equal(tui_sort_name(TUI_SORT_STATUS), "status");
}

static void test_toggles_scope_filter(void **state) {
    fx *f = *state;
    tui_model *m = &f->m;
    lz_err e;
    m->cur.cur = 3; /* finding 2 */
    assert_int_equal(tui_model_selected(m), 2);
    tui_model_toggle_severity(m, SEV_CRITICAL);
    const uint32_t no_crit[] = {1, 3, 2, 5, 6, 4};
    order_is(m, no_crit, 6);
    assert_int_equal(tui_model_selected(m), 2); /* the cursor stayed on its finding */
    tui_model_toggle_severity(m, SEV_LOW);
    const uint32_t high[] = {1, 3, 2};
    order_is(m, high, 3);
    tui_model_toggle_severity(m, SEV_CRITICAL);
    tui_model_toggle_severity(m, SEV_LOW);
    assert_int_equal(tui_model_set_pattern(m, "vaults/(alpha|bravo)$", &e), 0);
    const uint32_t kv[] = {1, 2, 4};
    order_is(m, kv, 3);
    uint8_t in[7] = {0, 0, 1, 0, 1, 1, 0}; /* a scope: findings 2, 4, 5 */
    tui_model_set_scope(m, in, "test");
    const uint32_t both[] = {2, 4};
    order_is(m, both, 2);
    assert_string_equal(m->scope_label, "test");
    assert_int_equal(tui_model_set_pattern(m, "(", &e), -1); /* bad: nothing changes */
    order_is(m, both, 2);
    tui_model_set_scope(m, NULL, NULL);
    assert_int_equal(tui_model_set_pattern(m, "", &e), 0);
    assert_int_equal(m->nvis, 7);
}

static void test_cursor(void **state) {
    (void)state;
    tui_cursor c = {0, 0};
    tui_cursor_move(&c, 5, 100, 10);
    assert_int_equal(c.cur, 5);
    assert_int_equal(c.top, 0);
    tui_cursor_move(&c, 10, 100, 10);
    assert_int_equal(c.cur, 15);
    assert_int_equal(c.top, 6); /* scrolled just enough */
    tui_cursor_move(&c, -100, 100, 10);
    assert_int_equal(c.cur, 0);
    assert_int_equal(c.top, 0);
    tui_cursor_end(&c, 100, 10);
    assert_int_equal(c.cur, 99);
    assert_int_equal(c.top, 90);
    tui_cursor_fix(&c, 50, 10); /* the list shrank */
    assert_int_equal(c.cur, 49);
    assert_int_equal(c.top, 40);
    tui_cursor_fix(&c, 0, 10);
    assert_int_equal(c.cur, 0);
}

static uint32_t node_named(const tui_tree *t, const char *label) {
    for (uint32_t i = 1; i < t->n; i++)
        if (strcmp(tui_tree_str(t, t->nodes[i].label), label) == 0) return i;
    fail_msg("no node %s", label);
    return 0;
}

static void test_tree(void **state) {
    fx *f = *state;
    tui_tree *t = &f->tree;
    uint32_t root = node_named(t, "Tenant Root"), corp = node_named(t, "Corp"),
             zeta = node_named(t, "zeta-sub"), alpha_sub = node_named(t, "alpha-sub"),
             rga = node_named(t, "RG-A"), kva = node_named(t, "alpha");
    assert_int_equal(t->nodes[corp].parent, root);
    assert_int_equal(t->nodes[zeta].parent, corp);
    assert_int_equal(t->nodes[alpha_sub].parent, root);
    assert_int_equal(t->nodes[rga].parent, zeta);
    assert_int_equal(t->nodes[kva].parent, rga);
    assert_int_equal(t->nodes[kva].kind, TN_RES);
    /* alpha: its own LOG fail and its diagnostic setting's */
    assert_int_equal(t->nodes[kva].fail[SEV_HIGH], 2);
    assert_int_equal(t->nodes[rga].fail[SEV_LOW], 1);
    assert_int_equal(t->nodes[rga].unknown, 1);
    assert_int_equal(t->nodes[rga].exempt, 1);
    assert_int_equal(t->nodes[rga].nres, 2);
    assert_int_equal(tui_tree_failing(&t->nodes[root]), 5);
    assert_int_equal(t->nodes[root].nres, 3);
    /* children sorted: management groups before subscriptions */
    assert_int_equal(t->nodes[root].first, corp);
    /* dashboard rows: management groups and subscriptions only */
    assert_int_equal(t->ndash, 4);
    /* open / collapse */
    size_t before = t->nvis;
    tui_tree_set_open(t, corp, false);
    assert_true(t->nvis < before);
    tui_tree_reveal(t, kva, 10);
    assert_int_equal(tui_tree_selected(t), kva);
    uint8_t in[7];
    tui_tree_scope(t, zeta, in);
    const uint8_t want[7] = {0, 1, 1, 1, 1, 1, 0};
    assert_memory_equal(in, want, 7);
    assert_string_equal(tui_tree_sub_label("11111111-1111-1111-1111-111111111111", t), "zeta-sub");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toggles_scope_filter, setup, teardown),
        cmocka_unit_test(test_cursor),
        cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
