/*
 * tui_bench.c - time per key in the TUI with 100,000 findings (issue 6:
 * each move, scroll and filter keystroke within 50 ms).
 *
 * Builds a synthetic tenant (50,000 resources in 60 subscriptions under a
 * management-group hierarchy, 100,000 failing findings with evidence), then
 * drives the real TUI code (tui_app_key + tui_app_draw + doupdate) on a
 * headless ncurses screen whose output goes to /dev/null, and prints the
 * time of each action. Not a ctest test: figures depend on the machine.
 *
 *   build/tests/tui_bench [findings] [columns] [lines]
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/tui_app.h"
#include "output/tui_text.h"
#include "scanner/ingest.h"

enum { NRULES = 20, NSUBS = 60, NRGS = 8 };

static double clock_ms(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this process: what a key costs, whatever else the machine runs. */
static double cpu_ms(void) {
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static rule rules[NRULES];
static rule *rule_ptrs[NRULES];
static char rule_ids[NRULES][32];
static rule_pack pack = {.name = "bench", .version = "1"};

static void make_rules(void) {
    static const char *const fam[] = {"NET", "RT", "LOG", "GOV", "DNS"};
    for (int i = 0; i < NRULES; i++) {
        snprintf(rule_ids[i], sizeof rule_ids[i], "AIHUB-%s-%03d", fam[i % 5], i + 1);
        rules[i] = (rule){.id = rule_ids[i],
                          .title = "A synthetic control of the benchmark",
                          .severity = (enum rule_severity)(SEV_LOW + i % 4),
                          .description = "Why it matters.",
                          .remediation = "What to do."};
        rule_ptrs[i] = &rules[i];
    }
    pack.rules = rule_ptrs;
    pack.n = NRULES;
}

static const char *const types[] = {"Microsoft.KeyVault/vaults", "Microsoft.CognitiveServices/accounts",
                                    "Microsoft.Storage/storageAccounts", "Microsoft.Network/virtualNetworks",
                                    "Microsoft.Search/searchServices"};
static const char *const prefix[] = {"kv", "oai", "st", "vnet", "srch"};

static void sub_id(char *b, size_t n, int s) {
    snprintf(b, n, "5b1e0f3c-%04d-4000-8000-%012d", s, s);
}

static void res_id(char *b, size_t n, int i) {
    char sub[64];
    sub_id(sub, sizeof sub, i % NSUBS);
    snprintf(b, n, "/subscriptions/%s/resourceGroups/rg-tenant-%02d-%d/providers/%s/%s-tenant-%02d-%06d", sub,
             i % NSUBS, (i / NSUBS) % NRGS, types[i % 5], prefix[i % 5], i % NSUBS, i);
}

/* The inventory: management groups, subscriptions (with ancestor chains)
 * and resources, as one Resource Graph-shaped document. */
static inv *make_inventory(int nres) {
    lz_buf j = {0};
    lz_buf_puts(&j, "[");
    static const char *const mgs[] = {"root", "contoso", "platform", "landingzones", "corp", "online"};
    for (int m = 0; m < 6; m++)
        lz_buf_printf(
            &j,
            "{\"id\":\"/providers/Microsoft.Management/managementGroups/%s\",\"type\":"
            "\"microsoft.management/managementgroups\",\"name\":\"%s\",\"properties\":{\"displayName\":"
            "\"MG %s\"}},",
            mgs[m], mgs[m], mgs[m]);
    for (int s = 0; s < NSUBS; s++) {
        char sub[64];
        sub_id(sub, sizeof sub, s);
        const char *leaf = mgs[2 + s % 4];
        lz_buf_printf(
            &j,
            "{\"id\":\"/subscriptions/%s\",\"type\":\"microsoft.resources/subscriptions\",\"name\":"
            "\"sub-tenant-%02d\",\"subscriptionId\":\"%s\",\"properties\":{"
            "\"managementGroupAncestorsChain\":[{\"name\":\"%s\"},{\"name\":\"%s\"},{\"name\":\"root\"}]}},",
            sub, s, sub, leaf, s % 4 < 1 ? "contoso" : "landingzones");
    }
    char id[300];
    for (int i = 0; i < nres; i++) {
        res_id(id, sizeof id, i);
        lz_buf_printf(&j,
                      "%s{\"id\":\"%s\",\"type\":\"%s\",\"name\":\"%s\",\"location\":\"swedencentral\","
                      "\"tags\":{\"env\":\"prod\"},\"properties\":{\"publicNetworkAccess\":\"Enabled\","
                      "\"networkAcls\":{\"defaultAction\":\"Allow\",\"ipRules\":[]},\"provisioningState\":"
                      "\"Succeeded\"}}",
                      i ? "," : "", id, types[i % 5], strrchr(id, '/') + 1);
    }
    lz_buf_puts(&j, "]");
    inv *v = inv_new();
    lz_err e;
    if (ingest_buffer(v, "bench.json", j.data, j.len, &e) < 0) {
        fprintf(stderr, "tui_bench: %s\n", e.msg);
        exit(1);
    }
    inv_finalize(v);
    lz_buf_free(&j);
    return v;
}

static void make_findings(report *r, inv *v, int nres, int nfind) {
    char id[300];
    for (int k = 0; k < nfind; k++) {
        int i = k % nres, ru = (k / nres * 7 + i) % NRULES;
        res_id(id, sizeof id, i);
        finding f = {.rule = &rules[ru],
                     .status = k % 17 ? RS_FAIL : RS_UNKNOWN,
                     .resource = inv_find(v, id, strlen(id))};
        f.subject_id = lz_strdup(id);
        f.message = lz_strdup("properties.publicNetworkAccess is \"Enabled\", expected \"Disabled\"");
        f.evidence = lz_calloc(1, sizeof *f.evidence);
        f.evidence[0] = (evidence){lz_strdup("properties.publicNetworkAccess"), lz_strdup("\"Enabled\""),
                                   lz_strdup("\"Disabled\"")};
        f.nevidence = 1;
        report_add(r, &f);
        report_count(r, (size_t)ru, f.status);
    }
    report_sort(r);
}

/* ---- timing ---- */

typedef struct stat_row {
    const char *what;
    int n;
    double total, max, cpu_total, cpu_max;
} stat_row;

static double last_cpu;

static stat_row rows[64];
static int nrows;
static tui_app app;

static void frame(void) {
    tui_app_draw(&app);
    wnoutrefresh(stdscr);
    doupdate();
}

/* Times one key: the key's work plus the redraw, as in the real loop. */
static double press(int ch, bool fn) {
    double t = now_ms(), c = cpu_ms();
    tui_app_key(&app, ch, fn);
    frame();
    last_cpu = cpu_ms() - c;
    return now_ms() - t;
}

static void record(const char *what, double ms) {
    stat_row *r = NULL;
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].what, what) == 0) r = &rows[i];
    if (!r) {
        r = &rows[nrows++];
        r->what = what;
    }
    r->n++;
    r->total += ms;
    if (ms > r->max) r->max = ms;
    r->cpu_total += last_cpu;
    if (last_cpu > r->cpu_max) r->cpu_max = last_cpu;
}

static void keys(const char *what, int ch, bool fn, int times) {
    for (int i = 0; i < times; i++) record(what, press(ch, fn));
}

/* Per-keystroke times of the typed sequences, printed after the table. */
static lz_buf detail;

static void type(const char *what, const char *s) {
    lz_buf_printf(&detail, "- %s:", what);
    for (; *s; s++) {
        double ms = press((unsigned char)*s, false);
        record(what, ms);
        lz_buf_printf(&detail, " `%c` %.1f", *s, ms);
    }
    lz_buf_puts(&detail, " ms\n");
}

static void scenario(void) {
    keys("Tab (dashboard -> findings list)", '\t', false, 1);
    keys("Down (move)", KEY_DOWN, true, 2000);
    keys("PgDn (scroll a page)", KEY_NPAGE, true, 300);
    keys("PgUp (scroll a page)", KEY_PPAGE, true, 300);
    keys("End", KEY_END, true, 20);
    keys("Home", KEY_HOME, true, 20);
    keys("/ (open the filter prompt)", '/', false, 1);
    type("filter keystroke: t-e-n-a-n-t-.-0-7-.-*-k-v", "tenant.07.*kv");
    keys("filter keystroke: Backspace", 127, false, 6);
    type("filter keystroke: |oai (widens: full rescan)", "|oai");
    type("filter keystroke: ( (bad regex, shown inline)", "(");
    keys("filter keystroke: Backspace", 127, false, 1);
    keys("Enter (keep the filter)", '\n', false, 1);
    keys("Down (move)", KEY_DOWN, true, 200);
    keys("Esc (clear the filter)", 27, false, 1);
    keys("/ (open the filter prompt)", '/', false, 1);
    type("filter keystroke: first character, full scan (z)", "z");
    keys("filter keystroke: Backspace", 127, false, 1);
    type("filter keystroke: first character, full scan (k)", "k");
    keys("Enter (keep the filter)", '\n', false, 1);
    keys("Esc (clear the filter)", 27, false, 1);
    for (int i = 0; i < 10; i++) keys("s (next sort order)", 's', false, 1);
    for (int i = 0; i < 8; i++) keys("1-4 (toggle a severity)", '1' + i % 4, false, 1);
    for (int i = 0; i < 20; i++) {
        keys("Enter (open a finding's detail)", '\n', false, 1);
        keys("Esc (back to the list)", 27, false, 1);
        keys("Down (move)", KEY_DOWN, true, 1);
    }
    keys("Tab (to the tree)", '\t', false, 1);
    keys("Down (move, tree)", KEY_DOWN, true, 500);
    for (int i = 0; i < 20; i++) keys("Space (expand/collapse, tree)", ' ', false, 1);
    keys("/ (open the filter prompt)", '/', false, 1);
    type("search keystroke in the tree: tenant-59", "tenant-59");
    keys("Enter (keep the filter)", '\n', false, 1);
    keys("n (next match, tree)", 'n', false, 20);
    keys("Tab (to the rules)", '\t', false, 1);
    keys("Tab (to the dashboard)", '\t', false, 1);
    keys("Down (move, dashboard)", KEY_DOWN, true, 100);
}

int main(int argc, char **argv) {
    int nfind = argc > 1 ? atoi(argv[1]) : 100000;
    const char *cols = argc > 2 ? argv[2] : "160", *lines = argc > 3 ? argv[3] : "50";
    int nres = nfind / 2 ? nfind / 2 : 1;
    make_rules();
    double t0 = now_ms();
    inv *v = make_inventory(nres);
    report r;
    report_init(&r, &pack, v);
    make_findings(&r, v, nres, nfind);
    double t1 = now_ms();

    setlocale(LC_ALL, "C.UTF-8");
    tui_text_set_utf8(true);
    setenv("COLUMNS", cols, 1);
    setenv("LINES", lines, 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        fprintf(stderr, "tui_bench: no terminfo for xterm-256color\n");
        return 1;
    }
    double t2 = now_ms();
    tui_options o = {.exemptions = "/dev/null/never-written"};
    tui_app_init(&app, &r, &o);
    tui_app_screen(&app, false, true);
    double t3 = now_ms();
    frame();
    double t4 = now_ms();
    scenario();
    tui_app_free(&app);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);

    printf("lzscan TUI benchmark: %zu findings on %d resources, %s x %s screen (UTF-8)\n\n", r.nfindings,
           nres, cols, lines);
    printf("setup (not per key): synthetic report %.0f ms; TUI models (display strings, 5 sort orders, tree) "
           "%.0f ms; first frame %.1f ms\n\n",
           t1 - t0, t3 - t2, t4 - t3);
    printf(
        "| action | times | mean ms | max ms | mean CPU ms | max CPU ms |\n|---|---:|---:|---:|---:|---:|\n");
    double worst = 0, worst_cpu = 0;
    for (int i = 0; i < nrows; i++) {
        printf("| %s | %d | %.2f | %.2f | %.2f | %.2f |\n", rows[i].what, rows[i].n,
               rows[i].total / rows[i].n, rows[i].max, rows[i].cpu_total / rows[i].n, rows[i].cpu_max);
        if (rows[i].max > worst) worst = rows[i].max;
        if (rows[i].cpu_max > worst_cpu) worst_cpu = rows[i].cpu_max;
    }
    printf("\nper keystroke:\n%s", lz_buf_cstr(&detail));
    printf("\nslowest single key: %.2f ms elapsed, %.2f ms CPU (budget 50 ms): %s\n", worst, worst_cpu,
           worst <= 50 ? "within" : "OVER");
    lz_buf_free(&detail);
    report_free(&r);
    inv_free(v);
    return 0;
}
