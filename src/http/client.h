/*
 * http/client.h - who is calling: facts about a request that server.c reads before routing
 * it, kept apart from the life of the request.
 */
#ifndef PD_HTTP_CLIENT_H
#define PD_HTTP_CLIENT_H

#include <stddef.h>

#include "core/netaddr.h"

struct MHD_Connection;

/* "fr" or "en" from an Accept-Language header: the first listed language that is one of
 * them; "fr" (the program owner's) when none is, or when there is no header. */
const char *http_language(const char *accept);

/* The client's address into out: the socket peer; when the peer is in trusted (the proxies
 * in front, NULL: none), the rightmost hop of X-Forwarded-For that is not itself a trusted
 * proxy. "-" when the peer is unknown. */
void http_client_address(struct MHD_Connection *c, const struct netaddr_list *trusted, char *out,
                         size_t n);

/* path as the log may show it: every segment that looks like a bearer secret (32 or more
 * characters of base64url or hex: an invitation token) replaced by "-redacted-", escaped
 * for a log line. Returns out. */
const char *http_path_for_log(const char *path, char *out, size_t n);

#endif
