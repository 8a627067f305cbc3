/*
 * http/client.c - who is calling (see client.h): the language they read, the address they
 * call from, and what of their path the log may show.
 */
#include "http/client.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "log.h"

/* "fr" or "en" from Accept-Language: the first listed language that is one of them. */
const char *http_language(const char *accept)
{
    if (accept == NULL)
        return "fr";
    for (const char *p = accept; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (strncasecmp(p, "en", 2) == 0 && (p[2] == '\0' || strchr("-;, ", p[2])))
            return "en";
        if (strncasecmp(p, "fr", 2) == 0 && (p[2] == '\0' || strchr("-;, ", p[2])))
            return "fr";
        p = strchr(p, ',');
        if (p == NULL)
            break;
    }
    return "fr";
}

/* The text of an address: dotted for IPv4 (and IPv4-mapped IPv6), else IPv6. */
static void address_text(const struct netaddr *a, char *out, size_t n)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a->b, mapped, 12) == 0)
        inet_ntop(AF_INET, a->b + 12, out, (socklen_t)n);
    else
        inet_ntop(AF_INET6, a->b, out, (socklen_t)n);
}

/* The client's address: the socket peer; behind a trusted proxy, the rightmost hop of
 * X-Forwarded-For that is not itself a trusted proxy (hops to its left are the client's
 * to write, so they prove nothing). A hop that is not an address ends the walk. */
void http_client_address(struct MHD_Connection *c, const struct netaddr_list *trusted, char *out,
                         size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct netaddr peer;
    snprintf(out, n, "-");
    if (ci == NULL || !netaddr_from_sockaddr(ci->client_addr, &peer))
        return;
    address_text(&peer, out, n);
    if (trusted == NULL || !netaddr_list_contains(trusted, &peer))
        return;
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff == NULL)
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char hop[64];
        size_t a = start, b = end;
        while (a < b && isspace((unsigned char)xff[a]))
            a++;
        while (b > a && isspace((unsigned char)xff[b - 1]))
            b--;
        struct netaddr h;
        if (b - a >= sizeof(hop))
            return;
        memcpy(hop, xff + a, b - a);
        hop[b - a] = '\0';
        if (!netaddr_parse(hop, &h))
            return;
        address_text(&h, out, n);
        if (!netaddr_list_contains(trusted, &h))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}

/* Writes path for the log with every segment that looks like a bearer secret (32 or
 * more characters of base64url or hex: an invitation token) replaced by "-redacted-". */
const char *http_path_for_log(const char *path, char *out, size_t n)
{
    char redacted[1024];
    size_t o = 0;
    for (const char *p = path ? path : "-"; *p && o + 12 < sizeof(redacted);) {
        size_t len = strcspn(p, "/");
        size_t token = 0;
        while (token < len &&
               (isalnum((unsigned char)p[token]) || p[token] == '-' || p[token] == '_'))
            token++;
        if (len >= 32 && token == len) {
            memcpy(redacted + o, "-redacted-", 10);
            o += 10;
        } else {
            size_t take = len < sizeof(redacted) - 12 - o ? len : sizeof(redacted) - 12 - o;
            memcpy(redacted + o, p, take);
            o += take;
        }
        p += len;
        if (*p == '/')
            redacted[o++] = *p++;
    }
    redacted[o] = '\0';
    return log_escape(redacted, out, (unsigned)n);
}
