/*
 * http/client.c - who is calling (see client.h): the language they read, the address they
 * call from, and what of their path the log may show.
 */
#include "http/client.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <stdbool.h>
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

/* Walks one X-Forwarded-For value from its right: writes each hop read to out. True when
 * every hop was a trusted proxy (the walk goes on to the header line before), false when
 * it stopped on the client or on a hop that is not an address. */
static bool walk_hops(const char *xff, const struct netaddr_list *trusted, char *out, size_t n)
{
    size_t end = strlen(xff);
    if (end == 0) /* no hop is no address */
        return false;
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
            return false;
        memcpy(hop, xff + a, b - a);
        hop[b - a] = '\0';
        if (!netaddr_parse(hop, &h))
            return false;
        address_text(&h, out, n);
        if (!netaddr_list_contains(trusted, &h))
            return false;
        end = start > 0 ? start - 1 : 0;
    }
    return true;
}

#define XFF_LINES_MAX 16

struct xff_lines {
    const char *value[XFF_LINES_MAX];
    int count;
    bool too_many;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct xff_lines *l = cls;
    (void)kind;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || value == NULL)
        return MHD_YES;
    if (l->count == XFF_LINES_MAX)
        l->too_many = true;
    else
        l->value[l->count++] = value;
    return MHD_YES;
}

/* The client's address: the socket peer; behind a trusted proxy, the rightmost hop of
 * X-Forwarded-For that is not itself a trusted proxy (hops to its left are the client's
 * to write, so they prove nothing). Several X-Forwarded-For lines are one list, in their
 * order (RFC 9110, 5.3): a proxy that adds its own line after the client's (HAProxy's
 * option forwardfor) is read from its line, not the client's. A hop that is not an
 * address ends the walk. */
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
    struct xff_lines lines = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &lines);
    if (lines.too_many) /* the last lines are not all here: believe none */
        return;
    for (int i = lines.count - 1; i >= 0; i--)
        if (!walk_hops(lines.value[i], trusted, out, n))
            return;
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
