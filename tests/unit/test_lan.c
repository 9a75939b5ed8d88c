/* test_lan.c - the join URLs offered to phones: which interface addresses, in which order, and --public-url checks. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops/lan.h"

/* Interface addresses a test hands to lan_urls_from_ifaddrs, as getifaddrs
 * would list them. */
#define FAKE_MAX 64

typedef struct fake_ifaddrs {
    struct ifaddrs items[FAKE_MAX];
    struct sockaddr_storage addrs[FAKE_MAX];
    char names[FAKE_MAX][LAN_IFNAME_MAX];
    size_t n;
} fake_ifaddrs;

static void fake_add(fake_ifaddrs *f, const char *name, const char *addr, unsigned flags)
{
    struct ifaddrs *i;

    assert_true(f->n < FAKE_MAX);
    i = &f->items[f->n];
    memset(i, 0, sizeof(*i));
    snprintf(f->names[f->n], sizeof(f->names[f->n]), "%s", name);
    i->ifa_name = f->names[f->n];
    i->ifa_flags = flags;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&f->addrs[f->n];

        s->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, addr, &s->sin6_addr), 1);
    } else {
        struct sockaddr_in *s = (struct sockaddr_in *)&f->addrs[f->n];

        s->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, addr, &s->sin_addr), 1);
    }
    i->ifa_addr = (struct sockaddr *)&f->addrs[f->n];
    if (f->n > 0)
        f->items[f->n - 1].ifa_next = i;
    f->n++;
}

#define UP   (IFF_UP | IFF_RUNNING)
#define LOOP (IFF_UP | IFF_RUNNING | IFF_LOOPBACK)

static void test_every_address_lists_up_non_loopback_ipv4(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    fake_add(&f, "lo", "127.0.0.1", LOOP);
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    fake_add(&f, "eth0", "10.0.0.5", 0); /* down */
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "0.0.0.0", 8080, &u), 1);
    assert_string_equal(u.items[0].url, "http://192.168.1.20:8080/");
    assert_string_equal(u.items[0].ifname, "wlan0");
}

static void test_ipv6_link_local_skipped_and_global_in_brackets_after_ipv4(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    fake_add(&f, "lo", "::1", LOOP);
    fake_add(&f, "wlan0", "fe80::1234:5678:9abc:def0", UP);
    fake_add(&f, "wlan0", "2001:db8::20", UP);
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "0.0.0.0", 9000, &u), 2);
    assert_string_equal(u.items[0].url, "http://192.168.1.20:9000/");
    assert_string_equal(u.items[1].url, "http://[2001:db8::20]:9000/");
}

static void test_order_is_the_same_whatever_order_interfaces_are_listed(void **state)
{
    static const char *const names[] = {"docker0", "wlan0", "eth0", "wlan0", "enp0s31f6"};
    static const char *const addrs[] = {"172.17.0.1", "192.168.1.20", "169.254.10.1", "2001:db8::20", "10.1.2.3"};
    static const char *const want[] = {
        "http://10.1.2.3:8080/",       /* enp0s31f6: physical, IPv4, name order */
        "http://192.168.1.20:8080/",   /* wlan0 */
        "http://[2001:db8::20]:8080/", /* physical IPv6 after physical IPv4 */
        "http://172.17.0.1:8080/",     /* docker0: a container bridge */
        "http://169.254.10.1:8080/",   /* link-local IPv4: last */
    };
    size_t order[][5] = {{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}};

    (void)state;
    for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
        fake_ifaddrs f = {0};
        lan_urls u;

        for (size_t k = 0; k < 5; k++)
            fake_add(&f, names[order[o][k]], addrs[order[o][k]], UP);
        assert_int_equal(lan_urls_from_ifaddrs(f.items, "0.0.0.0", 8080, &u), 5);
        for (size_t k = 0; k < 5; k++)
            assert_string_equal(u.items[k].url, want[k]);
    }
}

static void test_specific_host_is_the_only_url_and_named_after_its_interface(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    fake_add(&f, "eth0", "10.0.0.5", UP);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "10.0.0.5", 8080, &u), 1);
    assert_string_equal(u.items[0].url, "http://10.0.0.5:8080/");
    assert_string_equal(u.items[0].ifname, "eth0");
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "2001:db8::7", 8080, &u), 1);
    assert_string_equal(u.items[0].url, "http://[2001:db8::7]:8080/");
    assert_string_equal(u.items[0].ifname, "");
}

static void test_loopback_host_offers_no_url(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    fake_add(&f, "lo", "127.0.0.1", LOOP);
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "127.0.0.1", 8080, &u), 0);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "::1", 8080, &u), 0);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "localhost", 8080, &u), 0);
    assert_int_equal(lan_urls_from_ifaddrs(NULL, "0.0.0.0", 8080, &u), 0);
}

static void test_an_address_listed_twice_counts_once(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "0.0.0.0", 8080, &u), 1);
}

static void test_urls_stop_at_LAN_URLS_MAX(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;

    (void)state;
    for (int k = 0; k < LAN_URLS_MAX + 5; k++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "10.0.0.%d", k + 1);
        fake_add(&f, "eth0", addr, UP);
    }
    assert_int_equal(lan_urls_from_ifaddrs(f.items, "0.0.0.0", 8080, &u), LAN_URLS_MAX);
    assert_int_equal(u.n, LAN_URLS_MAX);
    /* The lowest addresses stay, in address order. */
    assert_string_equal(u.items[0].url, "http://10.0.0.1:8080/");
    assert_string_equal(u.items[LAN_URLS_MAX - 1].url, "http://10.0.0.16:8080/");
}

static void test_public_url_accepts_http_and_https(void **state)
{
    char err[256];

    (void)state;
    assert_int_equal(lan_public_url_check("https://verrijk.example.org/", err, sizeof(err)), 0);
    assert_int_equal(lan_public_url_check("http://192.168.1.20:8080/", err, sizeof(err)), 0);
    assert_int_equal(lan_public_url_check("https://school.example/verrijk/", err, sizeof(err)), 0);
    assert_int_equal(lan_public_url_check("http://[2001:db8::1]:8080", NULL, 0), 0);
}

static void test_public_url_refuses_other_schemes_spaces_and_no_host(void **state)
{
    char err[256];
    char long_url[LAN_URL_MAX + 16];

    (void)state;
    assert_int_equal(lan_public_url_check("ftp://example.org/", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "http:// or https://"));
    assert_int_equal(lan_public_url_check("example.org", err, sizeof(err)), -1);
    assert_int_equal(lan_public_url_check("HTTP//example.org", err, sizeof(err)), -1);
    assert_int_equal(lan_public_url_check("https://exa mple.org/", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "space"));
    assert_int_equal(lan_public_url_check("https://example.org/\tx", err, sizeof(err)), -1);
    assert_int_equal(lan_public_url_check("https://example.org/<script>", err, sizeof(err)), -1);
    assert_int_equal(lan_public_url_check("https://", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no host"));
    assert_int_equal(lan_public_url_check("https:///path", err, sizeof(err)), -1);
    memcpy(long_url, "https://", 8);
    memset(long_url + 8, 'a', sizeof(long_url) - 9);
    long_url[sizeof(long_url) - 1] = '\0';
    assert_int_equal(lan_public_url_check(long_url, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too long"));
    assert_int_equal(lan_public_url_check("ftp://x", NULL, 0), -1);
}

/* What lan_print writes, as a string. */
static char *printed(const lan_urls *u, const char *public_url, const char *host)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    lan_print(f, u, public_url, host);
    fclose(f);
    return buf;
}

static void test_print_names_each_url_and_its_interface(void **state)
{
    fake_ifaddrs f = {0};
    lan_urls u;
    char *s;

    (void)state;
    fake_add(&f, "wlan0", "192.168.1.20", UP);
    fake_add(&f, "eth0", "10.0.0.5", UP);
    lan_urls_from_ifaddrs(f.items, "0.0.0.0", 8080, &u);
    s = printed(&u, NULL, "0.0.0.0");
    assert_string_equal(s, "Phones can join at: http://10.0.0.5:8080/ (eth0)\n"
                           "Phones can join at: http://192.168.1.20:8080/ (wlan0)\n");
    free(s);
    s = printed(&u, "https://verrijk.example.org/", "0.0.0.0");
    assert_string_equal(s, "Phones can join at: https://verrijk.example.org/ (--public-url)\n");
    free(s);
}

static void test_print_explains_when_no_url_can_be_offered(void **state)
{
    lan_urls u;
    char *s;

    (void)state;
    lan_urls_from_ifaddrs(NULL, "127.0.0.1", 8080, &u);
    s = printed(&u, NULL, "127.0.0.1");
    assert_non_null(strstr(s, "127.0.0.1 only"));
    assert_non_null(strstr(s, "--host 0.0.0.0"));
    free(s);
    lan_urls_from_ifaddrs(NULL, "0.0.0.0", 8080, &u);
    s = printed(&u, NULL, "0.0.0.0");
    assert_non_null(strstr(s, "No network address"));
    free(s);
    u.container = true;
    s = printed(&u, NULL, "0.0.0.0");
    assert_non_null(strstr(s, "In a container"));
    assert_non_null(strstr(s, "--public-url"));
    free(s);
}

static void test_collect_on_this_machine_offers_no_loopback_url(void **state)
{
    lan_urls u;

    (void)state;
    lan_urls_collect("0.0.0.0", 8080, &u);
    assert_true(u.n <= LAN_URLS_MAX);
    if (access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0) {
        assert_true(u.container);
        assert_int_equal(u.n, 0);
    }
    for (size_t i = 0; i < u.n; i++) {
        assert_null(strstr(u.items[i].url, "//127."));
        assert_null(strstr(u.items[i].url, "[::1]"));
        assert_null(strstr(u.items[i].url, "[fe80:"));
        assert_true(strncmp(u.items[i].url, "http://", 7) == 0);
    }
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_address_lists_up_non_loopback_ipv4),
        cmocka_unit_test(test_ipv6_link_local_skipped_and_global_in_brackets_after_ipv4),
        cmocka_unit_test(test_order_is_the_same_whatever_order_interfaces_are_listed),
        cmocka_unit_test(test_specific_host_is_the_only_url_and_named_after_its_interface),
        cmocka_unit_test(test_loopback_host_offers_no_url),
        cmocka_unit_test(test_an_address_listed_twice_counts_once),
        cmocka_unit_test(test_urls_stop_at_LAN_URLS_MAX),
        cmocka_unit_test(test_public_url_accepts_http_and_https),
        cmocka_unit_test(test_public_url_refuses_other_schemes_spaces_and_no_host),
        cmocka_unit_test(test_print_names_each_url_and_its_interface),
        cmocka_unit_test(test_print_explains_when_no_url_can_be_offered),
        cmocka_unit_test(test_collect_on_this_machine_offers_no_loopback_url),
    };
    /* clang-format on */

    return cmocka_run_group_tests(tests, NULL, NULL);
}
