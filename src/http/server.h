/*
 * server.h - the HTTP server: libmicrohttpd, a thread per connection.
 *
 * The server owns connections, body buffering (with a cap), routing, the security
 * headers, the request id, the access log line and the metrics. A request borrows a
 * database connection from the server's pool (db/pool.h) while it uses the database. Handlers come from the route table given in
 * the config; the server knows nothing of what they do.
 */
#ifndef PD_SERVER_H
#define PD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/router.h"

struct req;
struct resp;
struct http_server;
struct netaddr_list;

/* before_request's answer when it wrote the response. */
#define HTTP_ANSWERED 1

struct http_config {
    const char *host;         /* "127.0.0.1", "0.0.0.0", "::1" */
    int port;                 /* 0 picks a free port; see http_port() */
    unsigned threads;         /* requests using the database at once (db/pool.h) */
    size_t body_limit;        /* bytes; larger bodies answer 413 */
    size_t upload_limit;      /* bytes, for ROUTE_UPLOAD routes (0: body_limit) */
    bool serve_portal;        /* a GET no route matches gets the web portal (http/assets.h) */
    /* Extra origins of the Content-Security-Policy, for a payment gateway's fields in the
     * portal (Stripe.js), NULL or "" for none, each a whole origin ("https://x.example"):
     * csp_script in script-src and frame-src, csp_frame in frame-src, csp_connect in
     * connect-src. */
    const char *csp_script;
    const char *csp_frame;
    const char *csp_connect;
    unsigned max_connections; /* in total */
    unsigned max_per_ip;      /* connections from one address */
    unsigned timeout_s;       /* idle connection timeout */
    unsigned header_timeout_s; /* a connection's first request headers, whole, within this */
    unsigned body_timeout_s;   /* a request's body, whole, within this after its headers */
    size_t conn_memory;       /* per-connection buffer, bounds header size */
    size_t body_memory;       /* request bodies held at once, all connections (0: no cap) */
    /* Peers whose X-Forwarded-For is believed (nginx in front): the client address is then
     * the rightmost hop that is not one of them. NULL or empty: the socket peer. */
    const struct netaddr_list *trusted_proxies;
    /* Client addresses that may read ROUTE_MONITORING routes (/metrics). NULL: anyone. */
    const struct netaddr_list *monitoring_from;
    const char *db_url;       /* each worker opens its own connection to this */
    const struct route *routes;
    /* Called once the headers of a request for a matched route are in, before any byte of
     * its body is read, with r->db ready: who is calling and whether they may (it may
     * lower r->body_limit). A negative return answers with that status at once, and the
     * body is never read. May be NULL. */
    int (*authorize)(struct req *r, struct resp *w);
    /* Called before each matched handler, with r->db ready (e.g. to load the test clock).
     * A negative return answers with that status; HTTP_ANSWERED means it wrote the
     * response itself (the handler is skipped). May be NULL. */
    int (*before_request)(struct req *r, struct resp *w);
    /* Called after the handler with the response about to be sent. May be NULL. */
    void (*after_request)(struct req *r, struct resp *w);
};

/* Starts listening. Returns 0 and *out, or -1 with a message on standard error. */
int http_start(const struct http_config *cfg, struct http_server **out);

/* The port actually bound (useful with port 0). */
int http_port(struct http_server *s);

/* Stops accepting, lets in-flight requests finish (at most grace_ms), closes everything
 * and frees the server. */
void http_stop(struct http_server *s, int grace_ms);

#endif
