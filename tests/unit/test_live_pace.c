/* Live collection's throttling arithmetic: the ARM token bucket (refill,
 * waits, syncing down to x-ms-ratelimit-remaining-*), Retry-After in both
 * forms, x-ms-user-quota-resets-after, backoff bounds, and the header and
 * URL helpers of the HTTP layer. */
/* cmocka needs these first; its own block keeps clang-format from reordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "scanner/live/arm.h"
#include "scanner/live/http.h"
#include "scanner/live/pace.h"

static void bucket_starts_full_and_refills(void **state) {
    pace_bucket b;
    pace_bucket_init(&b, 250, 25, 0);
    for (int i = 0; i < 250; i++) assert_true(pace_bucket_take(&b, 0) == 0);
    /* empty: the next token comes 1/25 s later */
    double w = pace_bucket_take(&b, 0);
    assert_true(w > 39 && w <= 40.01);
    assert_true(pace_bucket_take(&b, 39) > 0);
    assert_true(pace_bucket_take(&b, 40) == 0);
    /* 10 s refill 250 tokens at most, never more than the capacity */
    int n = 0;
    while (pace_bucket_take(&b, 100000) == 0) n++;
    assert_int_equal(n, 250);
}

static void bucket_waits_are_exact(void **state) {
    pace_bucket b;
    pace_bucket_init(&b, 5, 20, 1000);
    for (int i = 0; i < 5; i++) assert_true(pace_bucket_take(&b, 1000) == 0);
    assert_true(pace_bucket_take(&b, 1000) > 49.9);
    assert_true(pace_bucket_take(&b, 1025) > 24.9); /* half a token back */
    assert_true(pace_bucket_take(&b, 1050) == 0);
}

static void bucket_syncs_down_never_up(void **state) {
    pace_bucket b;
    pace_bucket_init(&b, 250, 25, 0);
    pace_bucket_sync(&b, 3, 1, 0); /* the server says 3 left, 1 of ours in flight */
    assert_true(pace_bucket_take(&b, 0) == 0);
    assert_true(pace_bucket_take(&b, 0) == 0);
    assert_true(pace_bucket_take(&b, 0) > 0);
    pace_bucket_sync(&b, 200, 0, 0); /* a higher number never adds tokens */
    assert_true(pace_bucket_take(&b, 0) > 0);
    pace_bucket_sync(&b, 0, 5, 0); /* never negative */
    assert_true(b.tokens >= 0);
    pace_bucket_refund(&b, 0);
    assert_true(pace_bucket_take(&b, 0) == 0);
}

static void retry_after_forms(void **state) {
    assert_true(pace_retry_after_ms("7", 0) == 7000);
    assert_true(pace_retry_after_ms(" 0 ", 0) == 0);
    assert_true(pace_retry_after_ms("1.5", 0) == 1500);
    assert_true(pace_retry_after_ms("-1", 0) < 0);
    assert_true(pace_retry_after_ms("soon", 0) < 0);
    assert_true(pace_retry_after_ms(NULL, 0) < 0);
    /* HTTP-date: 784111777 is Sun, 06 Nov 1994 08:49:37 GMT */
    assert_true(pace_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30) == 30000);
    assert_true(pace_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 5) == 0);
    assert_true(pace_retry_after_ms("Sun, 06 Xyz 1994 08:49:37 GMT", 0) < 0);
}

static void quota_resets_after(void **state) {
    assert_true(pace_resets_after_ms("00:00:05") == 5000);
    assert_true(pace_resets_after_ms("00:01:02") == 62000);
    assert_true(pace_resets_after_ms("00:09:59") == 599000);
    assert_true(pace_resets_after_ms("01:00:00") == 600000); /* capped like Retry-After */
    assert_true(pace_retry_after_ms("86400", 0) == 600000);
    assert_true(pace_resets_after_ms("00:00:00.250") == 250);
    assert_true(pace_resets_after_ms("5") < 0);
    assert_true(pace_resets_after_ms("00:61:00") < 0);
    assert_true(pace_resets_after_ms("00:00:05x") < 0);
    assert_true(pace_resets_after_ms(NULL) < 0);
}

static void backoff_is_bounded_and_jittered(void **state) {
    /* attempt n: [d/2, d] with d = base * 2^(n-1), capped */
    assert_true(pace_backoff_ms(1, 500, 30000, 0) == 250);
    assert_true(pace_backoff_ms(1, 500, 30000, 0.999) < 500.01);
    assert_true(pace_backoff_ms(3, 500, 30000, 0) == 1000);
    assert_true(pace_backoff_ms(30, 500, 30000, 0.999) <= 30000);
    assert_true(pace_backoff_ms(30, 500, 30000, 0) == 15000);
    assert_true(pace_backoff_ms(0, 500, 30000, 0.5) >= 250);
}

static void bucket_spec(void **state) {
    double c, r;
    assert_true(pace_parse_bucket_spec("250:25", &c, &r) && c == 250 && r == 25);
    assert_true(pace_parse_bucket_spec("5:0.5", &c, &r) && c == 5 && r == 0.5);
    assert_false(pace_parse_bucket_spec("250", &c, &r));
    assert_false(pace_parse_bucket_spec("0:25", &c, &r));
    assert_false(pace_parse_bucket_spec("5:0", &c, &r));
    assert_false(pace_parse_bucket_spec("5:x", &c, &r));
    assert_false(pace_parse_bucket_spec(NULL, &c, &r));
}

static void headers_are_case_insensitive_last_wins(void **state) {
    http_response r = {0};
    http_header h[] = {{"retry-after", "1"}, {"x-ms-user-quota-remaining", "4"}, {"retry-after", "9"}};
    r.headers = h;
    r.nheaders = 3;
    assert_string_equal(http_header_get(&r, "Retry-After"), "9");
    assert_string_equal(http_header_get(&r, "X-MS-User-Quota-Remaining"), "4");
    assert_null(http_header_get(&r, "x-ms-user-quota-resets-after"));
}

static void log_paths_drop_query_values(void **state) {
    char *p = http_log_path("https://management.azure.com/subscriptions/x/providers/Microsoft.Insights/"
                            "diagnosticSettings?api-version=2021-05-01-preview&%24skipToken=abc&sig=SECRET");
    assert_string_equal(
        p, "/subscriptions/x/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-"
           "preview&%24skipToken=...&sig=...");
    free(p);
    p = http_log_path("https://login.example/tenant/oauth2/v2.0/token");
    assert_string_equal(p, "/tenant/oauth2/v2.0/token");
    free(p);
}

static void escaping(void **state) {
    char *e = http_escape("api://AzureADTokenExchange a+b");
    assert_string_equal(e, "api%3A%2F%2FAzureADTokenExchange%20a%2Bb");
    free(e);
    e = arm_escape_path("/subscriptions/s/resourceGroups/rg (1)/providers/x/y/n#1 %");
    assert_string_equal(e, "/subscriptions/s/resourceGroups/rg%20(1)/providers/x/y/n%231%20%25");
    free(e);
}

static void same_origin_only(void **state) {
    assert_true(arm_same_origin("https://management.azure.com", "https://management.azure.com/x?y"));
    assert_true(arm_same_origin("https://127.0.0.1:8443", "HTTPS://127.0.0.1:8443/next"));
    assert_false(arm_same_origin("https://127.0.0.1:8443", "https://127.0.0.1:8444/next"));
    assert_false(
        arm_same_origin("https://management.azure.com", "https://management.azure.com.evil.example/x"));
    assert_false(arm_same_origin("https://management.azure.com", "http://management.azure.com/x"));
    assert_false(arm_same_origin("https://management.azure.com", "/relative"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_starts_full_and_refills),
        cmocka_unit_test(bucket_waits_are_exact),
        cmocka_unit_test(bucket_syncs_down_never_up),
        cmocka_unit_test(retry_after_forms),
        cmocka_unit_test(quota_resets_after),
        cmocka_unit_test(backoff_is_bounded_and_jittered),
        cmocka_unit_test(bucket_spec),
        cmocka_unit_test(headers_are_case_insensitive_last_wins),
        cmocka_unit_test(log_paths_drop_query_values),
        cmocka_unit_test(escaping),
        cmocka_unit_test(same_origin_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
