/* The HTTP layer of live collection: how raw response header lines (as
 * libcurl's header callback gets them) become name/value pairs, and the
 * response body limit's error message, over a real socket. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scanner/live/http.h"

/* Parses the C string line (its bytes up to len) and checks kind, name, value. */
static void expect_line(const char *line, size_t len, http_line_kind kind, const char *name,
                        const char *value) {
    http_header h;
    assert_int_equal(http_header_line(line, len, &h), kind);
    if (name)
        assert_string_equal(h.name, name);
    else
        assert_null(h.name);
    if (value)
        assert_string_equal(h.value, value);
    else
        assert_null(h.value);
    free(h.name);
    free(h.value);
}

#define LINE(s) s, sizeof s - 1

static void fields_are_trimmed_and_lower_cased(void **state) {
    expect_line(LINE("Retry-After: 5\r\n"), HTTP_LINE_FIELD, "retry-after", "5");
    expect_line(LINE("X-MS-User-Quota-Remaining:\t 14 \t\r\n"), HTTP_LINE_FIELD, "x-ms-user-quota-remaining",
                "14");
    expect_line(LINE("Empty:\r\n"), HTTP_LINE_FIELD, "empty", "");
    expect_line(LINE("Location: https://h/p?a=b: c\r\n"), HTTP_LINE_FIELD, "location", "https://h/p?a=b: c");
    /* no CRLF at all, and a bare LF */
    expect_line(LINE("a:b"), HTTP_LINE_FIELD, "a", "b");
    expect_line(LINE("a: b\n"), HTTP_LINE_FIELD, "a", "b");
}

static void status_lines_and_the_end_of_headers(void **state) {
    expect_line(LINE("HTTP/1.1 200 OK\r\n"), HTTP_LINE_STATUS, NULL, NULL);
    expect_line(LINE("HTTP/2 429 \r\n"), HTTP_LINE_STATUS, NULL, NULL);
    expect_line(LINE("\r\n"), HTTP_LINE_SKIP, NULL, NULL);
    expect_line("", 0, HTTP_LINE_SKIP, NULL, NULL);
    /* "http/" is not a status line (HTTP-name is case-sensitive) and has no token name */
    expect_line(LINE("http/1.1 200 OK\r\n"), HTTP_LINE_SKIP, NULL, NULL);
}

static void names_that_are_not_tokens_are_dropped(void **state) {
    expect_line(LINE("Retry-After : 5\r\n"), HTTP_LINE_SKIP, NULL, NULL); /* RFC 9112: no blank before ':' */
    expect_line(LINE("Bad Name: x\r\n"), HTTP_LINE_SKIP, NULL, NULL);
    expect_line(LINE(": x\r\n"), HTTP_LINE_SKIP, NULL, NULL);
    expect_line(LINE("no colon here\r\n"), HTTP_LINE_SKIP, NULL, NULL);
    expect_line(LINE("Retry\0After: 5\r\n"), HTTP_LINE_SKIP, NULL, NULL);
    expect_line(LINE("Retry\rAfter: 5\r\n"), HTTP_LINE_SKIP, NULL, NULL);
}

static void nul_and_cr_inside_a_value_become_spaces(void **state) {
    /* never cut short at the NUL into a different, valid-looking value */
    expect_line(LINE("Retry-After: 5\0 000\r\n"), HTTP_LINE_FIELD, "retry-after", "5  000");
    expect_line(LINE("Retry-After: 5\r7\r\n"), HTTP_LINE_FIELD, "retry-after", "5 7");
    /* next to the ends they are trimmed like blanks */
    expect_line(LINE("Retry-After: \0 5\0\r\n"), HTTP_LINE_FIELD, "retry-after", "5");
}

static void folds(void **state) {
    expect_line(LINE("  continued \r\n"), HTTP_LINE_FOLD, NULL, "continued");
    expect_line(LINE("\t x: y\r\n"), HTTP_LINE_FOLD, NULL, "x: y");
    expect_line(LINE(" \t \r\n"), HTTP_LINE_SKIP, NULL, NULL);
}

/* Feeds lines (NULL-terminated list) to a response as the header callback does. */
static void feed(http_response *r, const char *const *lines) {
    for (size_t i = 0; lines[i]; i++) http_response_header_line(r, lines[i], strlen(lines[i]));
}

static void a_response_keeps_the_last_block_and_joins_folds(void **state) {
    http_response r = {0};
    const char *const lines[] = {"  orphan fold\r\n", /* nothing to continue: ignored */
                                 "HTTP/1.1 100 Continue\r\n",
                                 "X-Early: 1\r\n",
                                 "\r\n",
                                 "HTTP/1.1 429 Too Many Requests\r\n",
                                 "Retry-After: 7\r\n",
                                 "X-Folded: a\r\n",
                                 "   b \r\n",
                                 "\tc\r\n",
                                 "Empty:\r\n",
                                 " after-empty\r\n",
                                 "Bad Name: dropped\r\n",
                                 "\r\n",
                                 NULL};
    feed(&r, lines);
    assert_int_equal(r.nheaders, 3);
    assert_null(http_header_get(&r, "x-early")); /* the 100's headers were dropped */
    assert_string_equal(http_header_get(&r, "Retry-After"), "7");
    assert_string_equal(http_header_get(&r, "x-folded"), "a b c");
    assert_string_equal(http_header_get(&r, "empty"), "after-empty");
    assert_null(http_header_get(&r, "bad name"));
    http_response_free(&r);
}

/* A one-shot HTTP/1.1 server on 127.0.0.1 that answers any request with a
 * body of body_len bytes; returns its port, its pid in *pid. */
static int serve_body(size_t body_len, pid_t *pid) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 1), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        signal(SIGPIPE, SIG_IGN); /* the client hangs up at its limit: a write error, not a death */
        int c = accept(s, NULL, NULL);
        char req[4096];
        if (c < 0 || read(c, req, sizeof req) <= 0) _exit(1);
        char head[128];
        int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body_len);
        char chunk[8192];
        memset(chunk, ' ', sizeof chunk);
        if (write(c, head, (size_t)n) != n) _exit(1);
        for (size_t left = body_len; left > 0;) {
            ssize_t w = write(c, chunk, left < sizeof chunk ? left : sizeof chunk);
            if (w <= 0) _exit(0); /* the client hung up at its limit */
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(s);
    return ntohs(a.sin_port);
}

static void fetch(size_t max_body, size_t body_len, http_request *req) {
    pid_t pid;
    int port = serve_body(body_len, &pid);
    lz_err e = {{0}};
    http_config cfg = {.max_body = max_body, .timeout_ms = 10000};
    http_client *c = http_client_new(&cfg, &e);
    assert_non_null(c);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/secret-path?sig=query-secret", port);
    *req = (http_request){.method = "GET", .url = url, .allow_http = true};
    http_perform(c, req);
    req->url = NULL; /* url is on this stack frame */
    http_client_free(c);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
}

static void a_body_over_the_limit_names_the_limit(void **state) {
    http_request req;
    fetch(64 * 1024, 200 * 1024, &req);
    assert_int_equal(req.resp.status, 0);
    assert_int_not_equal(req.resp.curl_code, 0);
    assert_string_equal(req.resp.error, "response body exceeds the 64 KiB limit");
    assert_true(req.resp.body.len <= 64 * 1024);
    http_response_free(&req.resp);

    fetch(1000, 1001, &req);
    assert_string_equal(req.resp.error, "response body exceeds the 1000-byte limit");
    http_response_free(&req.resp);
}

static void a_body_at_the_limit_is_read(void **state) {
    http_request req;
    fetch(1u << 20, 1u << 20, &req);
    assert_int_equal(req.resp.curl_code, 0);
    assert_int_equal(req.resp.status, 200);
    assert_int_equal(req.resp.body.len, 1u << 20);
    assert_string_equal(req.resp.error, "");
    http_response_free(&req.resp);
}

int main(void) {
    /* 127.0.0.1 directly, whatever proxy the environment names */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_are_trimmed_and_lower_cased),
        cmocka_unit_test(status_lines_and_the_end_of_headers),
        cmocka_unit_test(names_that_are_not_tokens_are_dropped),
        cmocka_unit_test(nul_and_cr_inside_a_value_become_spaces),
        cmocka_unit_test(folds),
        cmocka_unit_test(a_response_keeps_the_last_block_and_joins_folds),
        cmocka_unit_test(a_body_over_the_limit_names_the_limit),
        cmocka_unit_test(a_body_at_the_limit_is_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
