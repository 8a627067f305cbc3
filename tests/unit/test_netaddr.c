/* test_netaddr.c - which addresses partnerd may connect a webhook to (core/netaddr), for
 * every spelling of a private address that the system's resolver accepts, and the lists
 * of trusted proxies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "core/netaddr.h"

/* Resolves host as libcurl would (getaddrinfo) and counts the addresses, and the public
 * ones among them. */
static int resolve(const char *host, int *public_count)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int n = 0;
    *public_count = 0;
    if (getaddrinfo(host, "443", &hints, &res) != 0)
        return 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        struct netaddr a;
        if (!netaddr_from_sockaddr(ai->ai_addr, &a))
            continue;
        n++;
        if (netaddr_is_public(&a))
            (*public_count)++;
    }
    freeaddrinfo(res);
    return n;
}

/* Spellings of loopback, private, link-local, CGNAT, multicast, unspecified and reserved
 * addresses. Each either does not resolve at all or resolves only to refused addresses. */
static const char *const never[] = {
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0x7f.1",
    "0177.0.0.1",
    "0177.1",
    "017700000001",
    "127.255.255.254",
    "0",
    "0.0.0.0",
    "0x0",
    "10.0.0.1",
    "10.1",
    "167772161",
    "012.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "192.168.1",
    "3232235777",
    "0xc0.0xa8.0.1",
    "169.254.169.254",
    "2852039166",
    "100.64.0.1",
    "100.127.255.254",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "0:0:0:0:0:0:0:1",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::10.0.0.1",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "ff02::1",
    "fec0::1",
    "2001:db8::1",
    "::ffff:0:0",
    "localhost",
    "LOCALHOST",
};

static void test_private_spellings_are_refused(void **state)
{
    (void)state;
    int resolved = 0;
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
        int pub, n = resolve(never[i], &pub);
        if (pub != 0)
            fail_msg("%s resolved to %d public address(es)", never[i], pub);
        resolved += n > 0;
    }
    /* the table is worth something only if the resolver took these spellings */
    assert_true(resolved >= 50);
}

static void test_public_addresses_are_allowed(void **state)
{
    (void)state;
    const char *const ok[] = {"93.184.216.34",        "8.8.8.8",         "1.1.1.1",
                              "2606:4700:4700::1111", "::ffff:8.8.8.8",  "2a00:1450:4007:80c::200e",
                              "64:ff9b::808:808",     "2002:808:808::1", "100.128.0.1",
                              "172.32.0.1",           "11.0.0.1"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int pub, n = resolve(ok[i], &pub);
        if (n == 0 || pub != n)
            fail_msg("%s: %d of %d addresses public", ok[i], pub, n);
    }
}

static void test_canonical_parse_only(void **state)
{
    (void)state;
    struct netaddr a;
    assert_true(netaddr_parse("192.168.1.1", &a));
    assert_false(netaddr_is_public(&a));
    assert_true(netaddr_parse("::ffff:192.168.1.1", &a));
    assert_false(netaddr_is_public(&a));
    assert_false(netaddr_parse("127.1", &a));
    assert_false(netaddr_parse("0x7f.0.0.1", &a));
    assert_false(netaddr_parse("[::1]", &a));
    assert_false(netaddr_parse("", &a));
}

static void test_proxy_lists(void **state)
{
    (void)state;
    struct netaddr_list l;
    struct netaddr a;
    int bad;
    assert_int_equal(netaddr_list_parse("127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8", &l, &bad), 0);
    assert_int_equal(l.count, 4);
    assert_true(netaddr_parse("127.0.0.1", &a) && netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("127.0.0.2", &a) && !netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("10.200.3.4", &a) && netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("11.0.0.1", &a) && !netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("::1", &a) && netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("fd12::1", &a) && netaddr_list_contains(&l, &a));
    assert_true(netaddr_parse("fe80::1", &a) && !netaddr_list_contains(&l, &a));
    assert_int_equal(netaddr_list_parse("", &l, &bad), 0);
    assert_int_equal(l.count, 0);
    assert_int_equal(netaddr_list_parse("127.0.0.1,", &l, &bad), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(netaddr_list_parse("127.0.0.1, nginx", &l, &bad), -1);
    assert_int_equal(bad, 2);
    assert_int_equal(netaddr_list_parse("10.0.0.0/33", &l, &bad), -1);
    assert_int_equal(netaddr_list_parse("::/129", &l, &bad), -1);
    assert_int_equal(netaddr_list_parse("10.0.0.0/", &l, &bad), -1);
    assert_int_equal(netaddr_list_parse(",,", &l, &bad), -1);
    assert_int_equal(netaddr_list_parse("0.0.0.0/0", &l, &bad), 0);
    assert_true(netaddr_parse("8.8.8.8", &a) && netaddr_list_contains(&l, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_spellings_are_refused),
        cmocka_unit_test(test_public_addresses_are_allowed),
        cmocka_unit_test(test_canonical_parse_only),
        cmocka_unit_test(test_proxy_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
