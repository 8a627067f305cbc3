/*
 * core/netaddr.h - is this an address on the public internet?
 *
 * A webhook URL is the partner's to choose, so partnerd must never be made to connect to
 * its own machine or network (server-side request forgery). How a host is spelled proves
 * nothing: 127.1, 2130706433, 0x7f.0.0.1, 0177.0.0.1, [::ffff:127.0.0.1] and a name that
 * resolves to 10.0.0.5 are all private. So the decision is taken on the address actually
 * connected to, after resolution, with the table of special-purpose ranges of the IANA
 * registries (RFC 6890 and its successors), IPv4-mapped and IPv4-embedding IPv6 forms
 * included. Pure: no resolution here, no I/O.
 *
 * Also here: the CIDR lists an operator gives for trusted proxies.
 */
#ifndef PD_NETADDR_H
#define PD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* An IPv4 or IPv6 address, IPv4 kept as the 16 bytes of ::ffff:a.b.c.d. */
struct netaddr {
    uint8_t b[16];
};

/* The address of a socket (AF_INET or AF_INET6); false for any other family. */
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);

/* Parses a numeric address in its canonical spelling (dotted quad, or IPv6 text as
 * inet_pton reads it, without brackets or zone). False otherwise. */
bool netaddr_parse(const char *text, struct netaddr *out);

/* True when the address is routable on the public internet: not loopback, private,
 * shared (CGNAT), link-local, multicast, broadcast, unspecified, documentation,
 * benchmarking, reserved, or an IPv6 form that embeds such an IPv4 address. */
bool netaddr_is_public(const struct netaddr *a);

/* A list of networks ("127.0.0.1, 10.0.0.0/8, ::1"), at most NETADDR_LIST_MAX. */
#define NETADDR_LIST_MAX 32
struct netaddr_list {
    int count;
    struct netaddr net[NETADDR_LIST_MAX];
    int prefix[NETADDR_LIST_MAX]; /* in bits of the 128-bit form */
};

/* Parses a comma-separated list of addresses and CIDR networks. 0, or -1 with the first
 * bad entry's position (1-based) in *bad. An empty text gives an empty list. */
int netaddr_list_parse(const char *text, struct netaddr_list *out, int *bad);

/* True when a falls in one of the list's networks. */
bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a);

#endif
