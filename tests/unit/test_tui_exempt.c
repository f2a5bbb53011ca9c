/* Exemptions written by the TUI: the entry is the documented YAML, values
 * cannot break out of their fields, every shape of existing file is
 * extended in place (comments kept) or refused untouched, validation names
 * the field at fault, and the file is written atomically. */
/* cmocka needs these first; its own block keeps clang-format from reordering.
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
#include <yaml.h>

#include "output/tui_exempt.h"

#define ID "/subscriptions/0000/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai"

static const tui_exemption X = {"AIHUB-NET-001",    ID,         "Legacy integration",
                                "jane@contoso.com", "SEC-1234", "2099-12-31"};

static const char entry2[] = "  - rules: [AIHUB-NET-001]\n"
                             "    selector:\n"
                             "      resourceId: \"" ID "\"\n"
                             "    justification: \"Legacy integration\"\n"
                             "    owner: \"jane@contoso.com\"\n"
                             "    ticket: \"SEC-1234\"\n"
                             "    expires: 2099-12-31\n";

/* The value of a scalar key of the n-th exemption, read back with libyaml
 * (a tiny event walk: enough for these flat entries). */
static int count_items(const char *text) {
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int depth = 0, items = 0, ok = 1;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            ok = 0;
            break;
        }
        if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
            if (depth == 2 && ev.type == YAML_MAPPING_START_EVENT) items++;
            depth++;
        }
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) depth--;
        int end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end) break;
    }
    yaml_parser_delete(&p);
    return ok ? items : -1;
}

static char *append(const char *old, int expect_rc) {
    lz_buf out = {0};
    lz_err e = {{0}};
    int rc = tui_exempt_append_text(old, old ? strlen(old) : 0, "ex.yaml", &X, &out, &e);
    if (rc != expect_rc) fail_msg("rc %d, expected %d: %s", rc, expect_rc, e.msg);
    if (rc < 0) {
        assert_int_equal(out.len, 0); /* nothing produced */
        assert_non_null(strstr(e.msg, "ex.yaml"));
        lz_buf_free(&out);
        return NULL;
    }
    return lz_buf_steal(&out);
}

static void test_format(void **state) {
    (void)state;
    lz_buf b = {0};
    tui_exempt_format(&b, &X, 2);
    assert_string_equal(b.data, entry2);
    lz_buf_reset(&b);
    tui_exempt_format(&b, &X, 0); /* an indentless list */
    assert_non_null(strstr(b.data, "- rules: [AIHUB-NET-001]\n  selector:\n    resourceId: "));
    lz_buf_free(&b);
}

static void test_quoting(void **state) {
    (void)state;
    lz_buf b = {0};
    tui_yaml_quote(&b, "a\"b\\c\nd\te\x1b[2J\xc2\x85\xe2\x80\xae caf\xc3\xa9 #: - [x]");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\x1b[2J\\x85\\u202e caf\xc3\xa9 #: - [x]\"");
    lz_buf_free(&b);
    /* A hostile justification stays one value. */
    tui_exemption x = X;
    x.justification = "ok\"\n    owner: mallory\n  - rules: ['*']";
    lz_buf out = {0};
    lz_err e;
    assert_int_equal(tui_exempt_append_text(NULL, 0, "ex.yaml", &x, &out, &e), 0);
    assert_int_equal(count_items(out.data), 1);
    assert_null(strstr(out.data, "\n    owner: mallory"));
    lz_buf_free(&out);
}

static void test_glob_id_becomes_regex(void **state) {
    (void)state;
    tui_exemption x = X;
    x.resource_id = "/subscriptions/0/resourceGroups/rg/providers/x/y/we*ird[1].name";
    lz_buf b = {0};
    tui_exempt_format(&b, &x, 2);
    assert_null(strstr(b.data, "resourceId:"));
    assert_non_null(strstr(
        b.data, "resourceIdRegex: \"^/subscriptions/0/resourceGroups/rg/providers/x/y/we\\\\*ird\\\\[1\\\\]"
                "\\\\.name$\""));
    lz_buf_free(&b);
}

static void test_new_file(void **state) {
    (void)state;
    char *t = append(NULL, 0);
    assert_string_equal(t, (const char *)"exemptions:\n"
                                         "  - rules: [AIHUB-NET-001]\n"
                                         "    selector:\n"
                                         "      resourceId: \"" ID "\"\n"
                                         "    justification: \"Legacy integration\"\n"
                                         "    owner: \"jane@contoso.com\"\n"
                                         "    ticket: \"SEC-1234\"\n"
                                         "    expires: 2099-12-31\n");
    free(t);
    t = append("# only a comment", 0); /* no newline at the end */
    const char *head = "# only a comment\nexemptions:\n  - rules:";
    assert_true(strncmp(t, head, strlen(head)) == 0);
    assert_int_equal(count_items(t), 1);
    free(t);
}

static void test_append_block(void **state) {
    (void)state;
    const char *old = "# reviewed quarterly\n"
                      "exemptions:\n"
                      "    - rules: [AIHUB-GOV-*]    # tagging\n"
                      "      selector: {resourceGroup: rg-sandbox}\n"
                      "      justification: sandbox\n"
                      "      owner: a@b.c\n"
                      "      ticket: T-1\n"
                      "      expires: 2099-01-01\n"
                      "# end of list\n";
    char *t = append(old, 0);
    assert_true(strncmp(t, old, strlen(old)) == 0); /* every old byte kept */
    assert_non_null(strstr(t, "# end of list\n    - rules: [AIHUB-NET-001]\n      selector:\n"));
    assert_int_equal(count_items(t), 2);
    /* again: three */
    lz_buf out = {0};
    lz_err e;
    assert_int_equal(tui_exempt_append_text(t, strlen(t), "ex.yaml", &X, &out, &e), 0);
    assert_int_equal(count_items(out.data), 3);
    lz_buf_free(&out);
    free(t);
    /* indentless list, no final newline, CRLF and non-ASCII before it */
    t = append("# caf\xc3\xa9\r\nexemptions:\r\n- rules: [A]\r\n  selector: {subscription: s}\r\n"
               "  justification: j\r\n  owner: o\r\n  ticket: t\r\n  expires: 2099-01-01",
               0);
    assert_non_null(strstr(t, "2099-01-01\n- rules: [AIHUB-NET-001]\n  selector:\n"));
    assert_int_equal(count_items(t), 2);
    free(t);
}

static void test_append_empty_values(void **state) {
    (void)state;
    const char *cases[] = {"exemptions: []\n", "exemptions:\n", "exemptions: ~  # none yet\n",
                           "exemptions: null\n", "exemptions:"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = append(cases[i], 0);
        if (count_items(t) != 1) fail_msg("case %zu gave:\n%s", i, t);
        assert_non_null(strstr(t, "exemptions:\n  - rules: [AIHUB-NET-001]\n"));
        free(t);
    }
}

static void test_refused(void **state) {
    (void)state;
    append("exemptions: [{rules: [A]}]\n", -1); /* a non-empty flow list */
    append("exemptions: {}\n", -1);
    append("exemptions: 3\n", -1);
    append("rules: []\n", -1);                 /* no exemptions key */
    append("- a\n- b\n", -1);                  /* not a mapping */
    append("exemptions: [\n", -1);             /* not YAML */
    append("exemptions: []\n---\nx: 1\n", -1); /* several documents */
}

static void test_validate(void **state) {
    (void)state;
    time_t now = 1767225600; /* 2026-01-01T00:00:00Z */
    lz_err e;
    enum tui_exempt_field f;
    assert_int_equal(tui_exempt_validate(&X, now, &f, &e), 0);
    tui_exemption x = X;
    x.owner = "  ";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    assert_int_equal(f, TXF_OWNER);
    assert_string_equal(e.msg, "owner is required");
    x = X;
    x.expires = "2026-02-30";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    assert_int_equal(f, TXF_EXPIRES);
    x.expires = "31/12/2099";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    x.expires = "2025-12-30";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    assert_non_null(strstr(e.msg, "in the past"));
    x.expires = "2025-12-31"; /* ends at the end of that day: still valid at 2026-01-01T00:00? no */
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    x.expires = "2026-01-01"; /* today */
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), 0);
    x = X;
    x.ticket = "\xff";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    assert_int_equal(f, TXF_TICKET);
    x = X;
    x.resource_id = "";
    assert_int_equal(tui_exempt_validate(&x, now, &f, &e), -1);
    assert_int_equal(f, TXF_NONE);
}

static void test_file(void **state) {
    (void)state;
    char dir[] = "/tmp/lz-tui-exempt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = lz_asprintf("%s/ex.yaml", dir);
    lz_err e;
    assert_int_equal(tui_exempt_append_file(path, &X, 1767225600, &e), 0);
    assert_int_equal(tui_exempt_append_file(path, &X, 1767225600, &e), 0);
    char *text;
    size_t len;
    assert_int_equal(lz_read_file(path, &text, &len, &e), 0);
    assert_int_equal(count_items(text), 2);
    free(text);
    /* A file lzscan cannot extend is left exactly as it was. */
    FILE *f = fopen(path, "w");
    fputs("exemptions: [{rules: [A]}]\n", f);
    fclose(f);
    assert_int_equal(tui_exempt_append_file(path, &X, 1767225600, &e), -1);
    assert_int_equal(lz_read_file(path, &text, &len, &e), 0);
    assert_string_equal(text, "exemptions: [{rules: [A]}]\n");
    free(text);
    tui_exemption bad = X;
    bad.justification = "";
    assert_int_equal(tui_exempt_append_file(path, &bad, 1767225600, &e), -1);
    unlink(path);
    rmdir(dir);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_glob_id_becomes_regex),
        cmocka_unit_test(test_new_file),
        cmocka_unit_test(test_append_block),
        cmocka_unit_test(test_append_empty_values),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
