/*
 * core/netaddr.c - special-purpose address ranges, and lists of networks.
 *
 * Every address is held in its 128-bit IPv6 form; IPv4 is ::ffff:a.b.c.d, so one table of
 * (network, prefix) rows serves both families. An IPv6 address that carries an IPv4
 * address inside it (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002:AABB:CCDD::/48)
 * is judged by the IPv4 address it carries as well.
 */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void from_v4(const uint8_t v4[4], struct netaddr *out)
{
    memset(out->b, 0, 10);
    out->b[10] = 0xff;
    out->b[11] = 0xff;
    memcpy(out->b + 12, v4, 4);
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
    if (sa == NULL)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        from_v4((const uint8_t *)&in->sin_addr, out);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->b, &in6->sin6_addr, 16);
        return true;
    }
    return false;
}

bool netaddr_parse(const char *text, struct netaddr *out)
{
    uint8_t v4[4];
    if (text == NULL)
        return false;
    if (inet_pton(AF_INET, text, v4) == 1) { /* dotted quad only: no 127.1, no 0x7f */
        from_v4(v4, out);
        return true;
    }
    return inet_pton(AF_INET6, text, out->b) == 1;
}

/* True when the first bits of a and net agree. */
static bool in_prefix(const uint8_t *a, const uint8_t *net, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, net, (size_t)whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

struct range {
    const char *net;
    int prefix; /* bits, of the address family written in net */
};

/* IPv4 special-purpose ranges that are not globally reachable (IANA registry). */
static const struct range v4_special[] = {
    {"0.0.0.0", 8},       /* "this network", 0.0.0.0 unspecified */
    {"10.0.0.0", 8},      /* private */
    {"100.64.0.0", 10},   /* shared address space (CGNAT) */
    {"127.0.0.0", 8},     /* loopback */
    {"169.254.0.0", 16},  /* link-local, cloud metadata services */
    {"172.16.0.0", 12},   /* private */
    {"192.0.0.0", 24},    /* IETF protocol assignments */
    {"192.0.2.0", 24},    /* documentation TEST-NET-1 */
    {"192.88.99.0", 24},  /* deprecated 6to4 relay anycast */
    {"192.168.0.0", 16},  /* private */
    {"198.18.0.0", 15},   /* benchmarking */
    {"198.51.100.0", 24}, /* documentation TEST-NET-2 */
    {"203.0.113.0", 24},  /* documentation TEST-NET-3 */
    {"224.0.0.0", 4},     /* multicast */
    {"240.0.0.0", 4},     /* reserved, and 255.255.255.255 broadcast */
};

/* IPv6 special-purpose ranges (IANA registry); IPv4-mapped and -embedding forms are
 * handled by extracting the IPv4 address. */
static const struct range v6_special[] = {
    {"::", 128},        /* unspecified */
    {"::1", 128},       /* loopback */
    {"100::", 64},      /* discard-only */
    {"2001::", 23},     /* IETF protocol assignments (Teredo 2001::/32 among them) */
    {"2001:db8::", 32}, /* documentation */
    {"3fff::", 20},     /* documentation */
    {"5f00::", 16},     /* segment routing */
    {"fc00::", 7},      /* unique local */
    {"fe80::", 10},     /* link-local */
    {"fec0::", 10},     /* deprecated site-local */
    {"ff00::", 8},      /* multicast */
};

static bool v4_is_public(const uint8_t v4[4])
{
    for (size_t i = 0; i < sizeof(v4_special) / sizeof(v4_special[0]); i++) {
        uint8_t net[4];
        inet_pton(AF_INET, v4_special[i].net, net);
        if (in_prefix(v4, net, v4_special[i].prefix))
            return false;
    }
    return true;
}

bool netaddr_is_public(const struct netaddr *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t zero[12] = {0};
    const uint8_t *b = a->b;

    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_is_public(b + 12);
    if (memcmp(b, zero, 12) == 0) /* ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d */
        return false;
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD */
        return v4_is_public(b + 2);
    if ((b[0] & 0xe0) != 0x20) /* only 2000::/3 is global unicast */
        return false;
    for (size_t i = 0; i < sizeof(v6_special) / sizeof(v6_special[0]); i++) {
        uint8_t net[16];
        inet_pton(AF_INET6, v6_special[i].net, net);
        if (in_prefix(b, net, v6_special[i].prefix))
            return false;
    }
    return true;
}

int netaddr_list_parse(const char *text, struct netaddr_list *out, int *bad)
{
    out->count = 0;
    *bad = 0;
    const char *p = text ? text : "";
    for (int pos = 1; *p; pos++) {
        char item[64];
        size_t n = strcspn(p, ",");
        const char *next = p[n] ? p + n + 1 : p + n;
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0 && *next == '\0' && pos > 1)
            break; /* a trailing comma */
        if (n == 0 || n >= sizeof(item) || out->count == NETADDR_LIST_MAX) {
            *bad = pos;
            return -1;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        char *slash = strchr(item, '/');
        long bits = -1;
        if (slash) {
            char *end;
            *slash = '\0';
            bits = strtol(slash + 1, &end, 10);
            if (*end != '\0' || slash[1] == '\0' || bits < 0)
                bits = 999;
        }
        struct netaddr *a = &out->net[out->count];
        uint8_t v4[4];
        if (inet_pton(AF_INET, item, v4) == 1) {
            from_v4(v4, a);
            bits = bits < 0 ? 128 : bits > 32 ? -1 : bits + 96;
        } else if (inet_pton(AF_INET6, item, a->b) == 1) {
            bits = bits < 0 ? 128 : bits > 128 ? -1 : bits;
        } else {
            bits = -1;
        }
        if (bits < 0) {
            *bad = pos;
            return -1;
        }
        out->prefix[out->count++] = (int)bits;
        p = next;
    }
    return 0;
}

bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a)
{
    for (int i = 0; l && i < l->count; i++)
        if (in_prefix(a->b, l->net[i].b, l->prefix[i]))
            return true;
    return false;
}
