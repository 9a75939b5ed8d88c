/* test_limits.c - per-address limits: the failure bound, its leak, the bounded table, and the client address behind a trusted proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/addr_limits.h"

static limits_addr addr(const char *text)
{
    limits_addr a;

    assert_int_equal(limits_addr_parse(text, &a), 0);
    return a;
}

static void test_twenty_failures_pass_and_the_next_attempt_is_refused(void **state)
{
    limits *l = limits_new(0, 0, 0);
    limits_addr a = addr("192.0.2.7");

    (void)state;
    assert_non_null(l);
    for (unsigned i = 0; i < LIMITS_FAILS_MAX; i++) {
        assert_int_equal(limits_blocked(l, &a, 1000), 0);
        limits_fail(l, &a, 1000);
    }
    assert_true(limits_blocked(l, &a, 1000) > 0);
    limits_free(l);
}

static void test_refusal_lifts_as_failures_leak_away(void **state)
{
    limits *l = limits_new(0, 20, 60000);
    limits_addr a = addr("192.0.2.7");
    uint64_t wait;

    (void)state;
    for (unsigned i = 0; i < 20; i++)
        limits_fail(l, &a, 5000);
    wait = limits_blocked(l, &a, 5000);
    /* One failure leaks away every 60000 / 20 ms. */
    assert_int_equal(wait, 3000);
    assert_int_equal(limits_blocked(l, &a, 5000 + 2999), 1);
    assert_int_equal(limits_blocked(l, &a, 5000 + 3000), 0);
    /* One more failure and it is refused again at once. */
    limits_fail(l, &a, 8000);
    assert_true(limits_blocked(l, &a, 8000) > 0);
    /* After a whole window of quiet, all 20 tries are back. */
    for (unsigned i = 0; i < 19; i++)
        limits_fail(l, &a, 8000 + 60000);
    assert_int_equal(limits_blocked(l, &a, 8000 + 60000), 0);
    limits_free(l);
}

static void test_spaced_failures_are_never_refused(void **state)
{
    limits *l = limits_new(0, 20, 60000);
    limits_addr a = addr("2001:db8::1");

    (void)state;
    /* One mistake every 3 s leaks away as fast as it comes. */
    for (uint64_t t = 0; t < 1000; t++) {
        assert_int_equal(limits_blocked(l, &a, t * 3000), 0);
        limits_fail(l, &a, t * 3000);
    }
    limits_free(l);
}

static void test_refused_attempts_do_not_extend_the_refusal(void **state)
{
    limits *l = limits_new(0, 20, 60000);
    limits_addr a = addr("192.0.2.7");

    (void)state;
    for (unsigned i = 0; i < 40; i++)
        limits_fail(l, &a, 0);
    /* Failures past the bound are capped: the wait is one step, not 21. */
    assert_int_equal(limits_blocked(l, &a, 0), 3000);
    limits_free(l);
}

static void test_other_addresses_are_not_refused(void **state)
{
    limits *l = limits_new(0, 0, 0);
    limits_addr a = addr("192.0.2.7"), b = addr("192.0.2.8");

    (void)state;
    for (unsigned i = 0; i < 100; i++)
        limits_fail(l, &a, 0);
    assert_true(limits_blocked(l, &a, 0) > 0);
    assert_int_equal(limits_blocked(l, &b, 0), 0);
    limits_free(l);
}

static void test_table_is_bounded_and_forgets_the_least_recent(void **state)
{
    limits *l = limits_new(8, 2, 60000);
    limits_addr a = addr("10.0.0.1"), fresh;
    char text[32];

    (void)state;
    limits_fail(l, &a, 0);
    limits_fail(l, &a, 0);
    assert_true(limits_blocked(l, &a, 0) > 0);
    for (unsigned i = 2; i < 9; i++) {
        snprintf(text, sizeof(text), "10.0.0.%u", i);
        fresh = addr(text);
        limits_fail(l, &fresh, 1);
    }
    assert_int_equal(limits_count(l), 8);
    /* Still there: eight fit. One more pushes out the oldest, a. */
    assert_true(limits_blocked(l, &a, 1) > 0);
    fresh = addr("10.0.0.99");
    limits_fail(l, &fresh, 2);
    assert_int_equal(limits_count(l), 8);
    assert_int_equal(limits_blocked(l, &a, 2), 0);
    /* And the others still count. */
    fresh = addr("10.0.0.99");
    limits_fail(l, &fresh, 2);
    assert_true(limits_blocked(l, &fresh, 2) > 0);
    limits_free(l);
}

static void test_many_addresses_keep_the_table_consistent(void **state)
{
    limits *l = limits_new(64, 3, 60000);
    char text[32];

    (void)state;
    /* Far more addresses than slots, each failing thrice: every one is
     * refused right after its own failures, whatever was evicted. */
    for (unsigned i = 0; i < 5000; i++) {
        limits_addr a;

        snprintf(text, sizeof(text), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        a = addr(text);
        for (unsigned k = 0; k < 3; k++)
            limits_fail(l, &a, i);
        assert_true(limits_blocked(l, &a, i) > 0);
    }
    assert_int_equal(limits_count(l), 64);
    limits_free(l);
}

static void test_ipv6_addresses_count_per_64(void **state)
{
    limits_addr a = addr("2001:db8:1:2:aaaa::1"), b = addr("2001:db8:1:2:bbbb::2");
    limits_addr c = addr("2001:db8:1:3::1");
    limits_addr m = addr("::ffff:192.0.2.7"), v4 = addr("192.0.2.7");
    limits_addr v4b = addr("192.0.2.8");

    (void)state;
    assert_true(limits_addr_equal(&a, &b));
    assert_false(limits_addr_equal(&a, &c));
    /* IPv4, plain or mapped, is one key per address. */
    assert_true(limits_addr_equal(&m, &v4));
    assert_false(limits_addr_equal(&v4, &v4b));
    assert_int_equal(limits_addr_parse("not an address", &a), -1);
    assert_int_equal(limits_addr_parse("", &a), -1);
    assert_int_equal(limits_addr_parse(NULL, &a), -1);
}

static void test_forwarded_headers_count_only_from_a_trusted_proxy(void **state)
{
    limits_proxies p;
    limits_addr got, want;
    const char *why = NULL;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(limits_proxies_add(&p, "127.0.0.1,::1", &why), 0);
    assert_int_equal(limits_proxies_add(&p, "10.1.1.1", &why), 0);
    assert_int_equal(p.n, 3);

    /* From an untrusted peer the headers are ignored. */
    assert_int_equal(limits_client_addr(&p, "192.0.2.50", "198.51.100.1", "198.51.100.2", &got), 0);
    want = addr("192.0.2.50");
    assert_true(limits_addr_equal(&got, &want));

    /* From the proxy: X-Real-IP first. */
    assert_int_equal(limits_client_addr(&p, "127.0.0.1", "198.51.100.1", "198.51.100.2", &got), 0);
    want = addr("198.51.100.1");
    assert_true(limits_addr_equal(&got, &want));

    /* Else the last X-Forwarded-For hop: earlier ones are the client's word. */
    assert_int_equal(limits_client_addr(&p, "::ffff:10.1.1.1", NULL, "1.2.3.4, 198.51.100.2", &got), 0);
    want = addr("198.51.100.2");
    assert_true(limits_addr_equal(&got, &want));

    /* A proxy that sent nothing usable is the address itself. */
    assert_int_equal(limits_client_addr(&p, "::1", "garbage", NULL, &got), 0);
    want = addr("::1");
    assert_true(limits_addr_equal(&got, &want));

    /* Without any trusted proxy, headers never count. */
    assert_int_equal(limits_client_addr(NULL, "127.0.0.1", "198.51.100.1", NULL, &got), 0);
    want = addr("127.0.0.1");
    assert_true(limits_addr_equal(&got, &want));
    assert_int_equal(limits_client_addr(&p, "nonsense", NULL, NULL, &got), -1);
}

static void test_bad_trust_proxy_values_are_refused(void **state)
{
    limits_proxies p;
    const char *why = NULL;
    char many[LIMITS_PROXIES_MAX * 16 + 16] = "";

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(limits_proxies_add(&p, "proxy.example", &why), -1);
    assert_string_equal(why, "proxy.example");
    assert_int_equal(limits_proxies_add(&p, "127.0.0.1,", &why), -1);
    memset(&p, 0, sizeof(p));
    for (unsigned i = 0; i <= LIMITS_PROXIES_MAX; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s10.0.0.%u", i ? "," : "", i + 1);
    assert_int_equal(limits_proxies_add(&p, many, &why), -1);
}

static void test_a_clock_running_backwards_changes_nothing(void **state)
{
    limits *l = limits_new(0, 20, 60000);
    limits_addr a = addr("192.0.2.7");

    (void)state;
    for (unsigned i = 0; i < 20; i++)
        limits_fail(l, &a, 100000);
    assert_int_equal(limits_blocked(l, &a, 50), 3000);
    assert_int_equal(limits_blocked(l, &a, 103000), 0);
    limits_free(l);
}

static void test_open_connections_are_counted_exactly_per_address(void **state)
{
    limits_counts *lc = limits_counts_new(4);
    limits_addr a = addr("192.0.2.7"), b = addr("2001:db8::1"), c = addr("192.0.2.8");
    limits_addr d = addr("192.0.2.9"), e = addr("192.0.2.10");

    (void)state;
    assert_non_null(lc);
    assert_int_equal(limits_counts_add(lc, &a, 2), 0);
    assert_int_equal(limits_counts_add(lc, &a, 2), 0);
    /* The third of a is refused and counts nothing; others still fit. */
    assert_int_equal(limits_counts_add(lc, &a, 2), -1);
    assert_int_equal(limits_counts_get(lc, &a), 2);
    assert_int_equal(limits_counts_add(lc, &b, 2), 0);
    assert_int_equal(limits_counts_add(lc, &c, 2), 0);
    assert_int_equal(limits_counts_add(lc, &b, 2), 0);
    /* A fourth address fills a table of four: a fifth is refused. */
    assert_int_equal(limits_counts_add(lc, &d, 2), 0);
    assert_int_equal(limits_counts_add(lc, &e, 2), -1);
    assert_int_equal(limits_counts_get(lc, &e), 0);
    limits_counts_sub(lc, &d);
    limits_counts_sub(lc, &a);
    assert_int_equal(limits_counts_get(lc, &a), 1);
    limits_counts_sub(lc, &a);
    assert_int_equal(limits_counts_get(lc, &a), 0);
    /* a's entry went back to the table, for anyone. */
    assert_int_equal(limits_counts_add(lc, &a, 2), 0);
    limits_counts_sub(lc, &c);
    limits_counts_sub(lc, &c); /* one too many changes nothing */
    assert_int_equal(limits_counts_get(lc, &c), 0);
    assert_int_equal(limits_counts_get(lc, &a), 1);
    assert_int_equal(limits_counts_get(lc, &b), 2);
    assert_int_equal(limits_counts_add(lc, &c, 0), -1);
    limits_counts_free(lc);
    limits_counts_free(NULL);
}

static void test_many_addresses_come_and_go_in_the_count_table(void **state)
{
    enum { N = 300 };
    limits_counts *lc = limits_counts_new(N);
    limits_addr keys[N];
    char text[32];

    (void)state;
    assert_non_null(lc);
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < N; i++) {
            snprintf(text, sizeof(text), "198.51.%u.%u", (i + round) / 200, (i + round) % 200);
            keys[i] = addr(text);
            assert_int_equal(limits_counts_add(lc, &keys[i], 1), 0);
        }
        for (unsigned i = 0; i < N; i++)
            assert_int_equal(limits_counts_get(lc, &keys[i]), 1);
        /* Out of order, so that chains are cut in the middle. */
        for (unsigned i = 0; i < N; i += 2)
            limits_counts_sub(lc, &keys[i]);
        for (unsigned i = 1; i < N; i += 2)
            limits_counts_sub(lc, &keys[i]);
        for (unsigned i = 0; i < N; i++)
            assert_int_equal(limits_counts_get(lc, &keys[i]), 0);
    }
    limits_counts_free(lc);
}

static void test_an_address_in_a_room_keeps_both_apart(void **state)
{
    limits_addr v4 = addr("192.0.2.7"), v4b = addr("192.0.2.8"), v6 = addr("2001:db8:1:2::1");
    limits_addr k1, k2, k3, k4, k5;

    (void)state;
    limits_addr_in_room(&v4, "ABCDEF", &k1);
    limits_addr_in_room(&v4, "ABCDEG", &k2);
    limits_addr_in_room(&v4b, "ABCDEF", &k3);
    limits_addr_in_room(&v6, "ABCDEF", &k4);
    limits_addr_in_room(&v6, "ABCDEG", &k5);
    assert_false(limits_addr_equal(&k1, &k2));
    assert_false(limits_addr_equal(&k1, &k3));
    assert_false(limits_addr_equal(&k1, &k4));
    assert_false(limits_addr_equal(&k4, &k5));
    assert_false(limits_addr_equal(&k1, &v4));
    assert_false(limits_addr_equal(&k4, &v6));
    limits_addr_in_room(&v4, "ABCDEF", &k2);
    assert_true(limits_addr_equal(&k1, &k2));
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twenty_failures_pass_and_the_next_attempt_is_refused),
        cmocka_unit_test(test_refusal_lifts_as_failures_leak_away),
        cmocka_unit_test(test_spaced_failures_are_never_refused),
        cmocka_unit_test(test_refused_attempts_do_not_extend_the_refusal),
        cmocka_unit_test(test_other_addresses_are_not_refused),
        cmocka_unit_test(test_table_is_bounded_and_forgets_the_least_recent),
        cmocka_unit_test(test_many_addresses_keep_the_table_consistent),
        cmocka_unit_test(test_ipv6_addresses_count_per_64),
        cmocka_unit_test(test_forwarded_headers_count_only_from_a_trusted_proxy),
        cmocka_unit_test(test_bad_trust_proxy_values_are_refused),
        cmocka_unit_test(test_a_clock_running_backwards_changes_nothing),
        cmocka_unit_test(test_open_connections_are_counted_exactly_per_address),
        cmocka_unit_test(test_many_addresses_come_and_go_in_the_count_table),
        cmocka_unit_test(test_an_address_in_a_room_keeps_both_apart),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
