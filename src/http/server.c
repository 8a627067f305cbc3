/*
 * server.c - libmicrohttpd glue.
 *
 * Threads: libmicrohttpd gives each connection its own thread, so a request that waits
 * (a payment gateway answering in seconds) holds up no other connection; at most
 * cfg.threads requests use the database at once (db/pool.h lends them a connection, and
 * a request whose body is still arriving holds none).
 *
 * Life of a request:
 *   on_connection()  a client connects: its headers must all arrive within
 *                    header_timeout_s, however slowly it drips them (the watch below).
 *   uri_log()        first callback, once per request: allocate struct req, request id.
 *   on_request() #1  headers are in: method, path, language, client address (the socket
 *                    peer, or X-Forwarded-For from a trusted proxy), route, the route's body
 *                    limit. Before a byte of the body is read (before_body()): its framing
 *                    (one Content-Length, no chunked body), who is calling and whether they
 *                    may (cfg.authorize), the body's size against the route's limit and
 *                    against the memory all bodies in flight may take (http/body.h). Any
 *                    refusal is answered at once; the body is never read. A body awaited
 *                    must then arrive within body_timeout_s, and the request holds no
 *                    database connection while it does.
 *   on_request() #n  body chunks: appended to r->body, within the declared length.
 *   on_request() end dispatch(): validate, decode JSON, call the handler, queue the answer.
 *   on_completed()   log line (secrets in paths redacted), metrics, the body's memory given
 *                    back, free everything; the connection's next request must have its
 *                    headers in within the idle timeout (timeout_s, or header_timeout_s if
 *                    longer).
 *
 * The watch (http/watch.h): each connection has a deadline, not libmicrohttpd's idle
 * timeout that every byte resets; a sweeper thread shuts the socket of any connection
 * past it, and libmicrohttpd then closes it as a broken connection.
 *
 * libmicrohttpd 0.9.75 has no body limit of its own and a parser older than upstream's
 * 1.0 rewrite: production runs behind nginx (docs/operations.md).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/netaddr.h"
#include "db/db.h"
#include "db/pool.h"
#include "http/assets.h"
#include "http/body.h"
#include "http/client.h"
#include "http/json_body.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/watch.h"
#include "log.h"

#define SECURITY_CSP                                                                               \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    char csp[1024]; /* SECURITY_CSP, or with the gateway's origins (http_start) */
    _Atomic int in_flight;
    struct body_budget bodies; /* the memory request bodies take (http/body.h) */
    struct db_pool *pool; /* lent to requests while they use the database */
    struct watch *watch; /* the deadline of every connection */
};

/* Per-request state beyond struct req that only the server needs. */
struct req_state {
    struct req r;
    struct http_server *server;
    int step; /* 0 before headers were seen, 1 while reading the body, 2 answered */
    enum route_result match;
    size_t reserved; /* bytes of the bodies' memory this request holds (body_admit) */
    int status;
    size_t bytes;
    const char *error_code;
};

/* How long a request waits for a database connection when all are lent. */
#define POOL_WAIT_MS 5000

/* Lends r a database connection for what it does next; 0 or PD_E_UNAVAILABLE. */
static int take_db(struct http_server *s, struct req *r, struct resp *w)
{
    if (r->db)
        return 0;
    struct pd_error err = {0};
    int rc = db_pool_take(s->pool, POOL_WAIT_MS, &r->db, &err);
    if (rc < 0) {
        char esc[512]; /* PostgreSQL's words end in a newline */
        log_line(LOG_ERROR, r->id, "db_unavailable", "detail=%s",
                 log_escape(err.message, esc, sizeof(esc)));
        resp_header(w, "Retry-After", "1");
    }
    pd_error_clear(&err);
    return rc;
}

static void give_db(struct http_server *s, struct req *r)
{
    db_pool_give(s->pool, r->db);
    r->db = NULL;
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, name);
}

/* ---- the watch (http/watch.h) ---- */

static void watch_set(struct MHD_Connection *c, int64_t deadline_us)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watch_deadline(ci ? ci->socket_context : NULL, deadline_us);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
            *socket_context = watch_add(s->watch, ci->connect_fd, watch_in(s->cfg.header_timeout_s));
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        /* libmicrohttpd closes the socket after this returns */
        watch_remove(s->watch, *socket_context);
        *socket_context = NULL;
    }
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http_server *s = cls;
    struct req_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->server = s;
    st->r.start_us = clock_monotonic_us();
    st->r.conn = c;
    st->r.route_index = -1;
    st->match = ROUTE_NO_PATH;
    random_hex(REQ_ID_LEN / 2, st->r.id);
    const char *q = strchr(uri, '?');
    if (q && query_parse(&st->r.arena, q + 1, strlen(q + 1), &st->r.query) < 0)
        st->r.query.count = -1; /* answered with 400 at dispatch */
    atomic_fetch_add(&s->in_flight, 1);
    return st;
}

static bool is_json_type(const char *ct)
{
    if (ct == NULL)
        return false;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0)
        return false;
    ct += n;
    while (*ct == ' ')
        ct++;
    if (*ct == '\0')
        return true;
    if (*ct != ';')
        return false;
    ct++;
    while (*ct == ' ')
        ct++;
    return strncasecmp(ct, "charset=utf-8", 13) == 0 && ct[13] == '\0';
}

/* A file of the portal, or 304 when the client holds this version. Browsers revalidate
 * each time (no-cache): the files keep their names from one release to the next. */
static void serve_asset(struct req *r, struct resp *w, const struct http_asset *a)
{
    const char *held = req_header(r, "If-None-Match");
    resp_header(w, "ETag", a->etag);
    resp_header(w, "Cache-Control", "no-cache");
    if (held && strstr(held, a->etag)) {
        w->status = 304;
        return;
    }
    w->status = 200;
    w->content_type = a->content_type;
    w->data = (const char *)a->data;
    w->len = a->size;
    w->data_static = true;
}

/* Matches the route of a request whose headers are in (HEAD as GET). On a path without
 * this method, allow gets the methods it has. */
static enum route_result route_request(struct http_server *s, struct req *r, char *allow, size_t n)
{
    const char *match_method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    enum route_result rr =
        router_match(s->cfg.routes, match_method, r->path, &r->route_index, &r->params, allow, n);
    if (rr == ROUTE_FOUND)
        r->route = &s->cfg.routes[r->route_index];
    return rr;
}

/* Decides the answer. Fills w; never fails. */
static void dispatch(struct http_server *s, struct req_state *st, struct resp *w)
{
    struct req *r = &st->r;
    char allow[64];
    const char *match_method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    struct pd_error err = {0};

    enum route_result rr = st->match;
    if (rr == ROUTE_NO_METHOD) /* the methods the path has, for Allow */
        rr = route_request(s, r, allow, sizeof(allow));
    /* a query only routes read; a portal file is the same whatever its address carries
     * (a link with ?utm=%E9t%E9 in Latin-1 opens the page) */
    if (r->query.count < 0 && rr != ROUTE_NO_PATH) {
        pd_fail(&err, PD_E_INVALID_QUERY, "malformed query string");
        pd_error_detail(&err, "query", json_string("malformed query string"));
        goto error;
    }
    if (rr == ROUTE_NO_PATH) {
        const struct http_asset *a = NULL;
        if (s->cfg.serve_portal && strcmp(match_method, "GET") == 0)
            a = http_asset_for(r->path);
        if (a)
            serve_asset(r, w, a);
        else
            resp_status_error(r, w, PD_E_NOT_FOUND);
        return;
    }
    if (rr == ROUTE_NO_METHOD) {
        resp_status_error(r, w, PD_E_METHOD_NOT_ALLOWED);
        resp_header(w, "Allow", arena_strdup(&r->arena, allow));
        return;
    }
    if (r->body_too_large) {
        pd_fail(&err, PD_E_PAYLOAD_TOO_LARGE, "body over %zu bytes", r->body_limit);
        pd_error_detail(&err, "limit_bytes", json_integer((json_int_t)r->body_limit));
        goto error;
    }
    const char *ctype = req_header(r, "Content-Type");
    /* A CSV route takes text/csv only; an upload route any file; every other route JSON. */
    bool csv_route = (r->route->flags & ROUTE_CSV_BODY) != 0;
    bool csv = ctype && strncasecmp(ctype, "text/csv", 8) == 0;
    if (r->body.len > 0 && !(r->route->flags & ROUTE_UPLOAD) &&
        (csv_route ? !csv : !is_json_type(ctype))) {
        resp_status_error(r, w, PD_E_UNSUPPORTED_MEDIA_TYPE);
        return;
    }
    if ((r->route->flags & ROUTE_JSON_BODY) && method_has_body(r->method) &&
        json_body_decode(r->body.data, r->body.len, &r->json, &err) < 0)
        goto error;

    int rc = r->route->flags & ROUTE_NO_DB ? 0 : take_db(s, r, w);
    if (rc < 0 && (r->route->flags & ROUTE_DB_OPTIONAL))
        rc = 0; /* the handler says it, with r->db NULL */
    if (rc == 0 && s->cfg.before_request)
        rc = s->cfg.before_request(r, w);
    if (rc == HTTP_ANSWERED)
        return;
    if (rc == 0)
        rc = r->route->handler(r, w);
    if (rc < 0 && w->status == 0)
        resp_status_error(r, w, rc);
    if (w->status == 0)
        resp_status_error(r, w, PD_E_INTERNAL);
    if (s->cfg.after_request)
        s->cfg.after_request(r, w);
    return;
error:
    resp_error(r, w, &err);
    pd_error_clear(&err);
}

static enum MHD_Result queue(struct req_state *st, struct MHD_Connection *c, struct resp *w)
{
    struct MHD_Response *res =
        w->fill ? resp_stream_response(w, st->r.db)
                : MHD_create_response_from_buffer(w->len, (void *)w->data,
                                                  w->data_static ? MHD_RESPMEM_PERSISTENT
                                                                 : MHD_RESPMEM_MUST_COPY);
    if (res == NULL)
        return MHD_NO;
    if (w->content_type)
        MHD_add_response_header(res, "Content-Type", w->content_type);
    MHD_add_response_header(res, "X-Request-Id", st->r.id);
    MHD_add_response_header(res, "Content-Security-Policy", st->server->csp);
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
    bool cache_control = false;
    for (int i = 0; i < w->nheaders; i++) {
        MHD_add_response_header(res, w->headers[i].name, w->headers[i].value);
        cache_control = cache_control || strcasecmp(w->headers[i].name, "Cache-Control") == 0;
    }
    if (!cache_control) /* API answers are never stored */
        MHD_add_response_header(res, "Cache-Control", "no-store");
    st->status = w->status;
    st->bytes = w->len;
    st->error_code = w->error_code;
    st->step = 2;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)w->status, res);
    MHD_destroy_response(res);
    return ok;
}

/* Everything decided before the body is read (see the life of a request). 0 to go on
 * reading, or a negative status to answer with at once. */
static int before_body(struct http_server *s, struct req_state *st, struct resp *w)
{
    struct req *r = &st->r;
    int rc = body_framing(r, w);
    if (rc < 0 || w->status)
        return rc;
    if (st->match != ROUTE_FOUND)
        return 0; /* 404 and 405: answered by dispatch at once, their bodies never read */
    if ((r->route->flags & ROUTE_MONITORING) && s->cfg.monitoring_from) {
        struct netaddr a;
        if (!netaddr_parse(r->client_ip, &a) || !netaddr_list_contains(s->cfg.monitoring_from, &a))
            return PD_E_FORBIDDEN;
    }
    rc = r->route->flags & ROUTE_NO_DB ? 0 : take_db(s, r, w);
    if (rc < 0 && !(r->route->flags & ROUTE_DB_OPTIONAL))
        return rc;
    if (r->query.count >= 0 && s->cfg.authorize) {
        rc = s->cfg.authorize(r, w);
        if (rc < 0 || rc == HTTP_ANSWERED)
            return rc;
    }
    return body_admit(&s->bodies, r, &st->reserved, w);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct http_server *s = cls;
    struct req_state *st = *con_cls;
    (void)version;
    if (st == NULL)
        return MHD_NO;
    struct req *r = &st->r;

    if (st->step == 0) {
        st->step = 1;
        r->method = arena_strdup(&r->arena, method);
        r->path = arena_strdup(&r->arena, url);
        r->lang = http_language(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
        http_client_address(c, s->cfg.trusted_proxies, r->client_ip, sizeof(r->client_ip));
        r->body_limit = body_limit_for(&s->cfg, method, url);
        st->match = route_request(s, r, NULL, 0);
        struct resp w = {0};
        int rc = before_body(s, st, &w);
        if (rc < 0 && w.status == 0)
            resp_status_error(r, &w, rc);
        /* nothing to read: too large, no route, or a query that is 400 (unauthorized) */
        if (w.status == 0 && (r->body_too_large || st->match != ROUTE_FOUND || r->query.count < 0))
            dispatch(s, st, &w);
        if (w.status) { /* refuse before reading a byte of the body */
            watch_set(c, 0);
            return queue(st, c, &w);
        }
        /* a body is awaited by its Content-Length whatever the method (a GET or DELETE
         * may carry one): within the body timeout, and without a database connection */
        bool awaited = body_awaited(r);
        watch_set(c, awaited ? watch_in(s->cfg.body_timeout_s) : 0);
        if (awaited)
            give_db(s, r); /* not held while a client sends its body, however slowly */
        return MHD_YES;
    }
    if (st->step == 2) { /* answered early; drop whatever still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        body_append(r, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    watch_set(c, 0);
    struct resp w = {0};
    dispatch(s, st, &w);
    return queue(st, c, &w);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct req_state *st = *con_cls;
    if (st == NULL)
        return;
    struct req *r = &st->r;
    int64_t dur = clock_monotonic_us() - r->start_us;
    if (st->step == 2) {
        char path[256], method[64]; /* the client's to write: escaped, as the path */
        metrics_observe(r->route_index, r->method, st->status, dur);
        log_line(LOG_INFO, r->id, "request",
                 "method=%s path=%s route=%s status=%d dur_us=%lld bytes=%zu ip=%s%s%s%s",
                 log_escape(r->method, method, sizeof(method)),
                 http_path_for_log(r->path, path, sizeof(path)),
                 r->route ? r->route->pattern : "-", st->status, (long long)dur, st->bytes,
                 r->client_ip, st->error_code ? " error=" : "",
                 st->error_code ? st->error_code : "",
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    }
    /* the next request on this connection: its headers within the idle timeout */
    watch_set(c, watch_in(s->cfg.timeout_s > s->cfg.header_timeout_s ? s->cfg.timeout_s
                                                                        : s->cfg.header_timeout_s));
    body_release(&s->bodies, st->reserved);
    give_db(s, r);
    json_decref(r->json);
    buf_free(&r->body);
    arena_free(&r->arena);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512], esc[600];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_line(LOG_WARN, NULL, "httpd", "detail=%s", log_escape(msg, esc, sizeof(esc)));
}

static bool given(const char *s)
{
    return s && *s;
}

/* SECURITY_CSP, or with the gateway's origins where they are needed and nowhere else. */
static void set_csp(char *out, size_t n, const struct http_config *cfg)
{
    if (!given(cfg->csp_script) && !given(cfg->csp_frame) && !given(cfg->csp_connect)) {
        snprintf(out, n, "%s", SECURITY_CSP);
        return;
    }
    const char *script = given(cfg->csp_script) ? cfg->csp_script : "";
    const char *frame = given(cfg->csp_frame) ? cfg->csp_frame : "";
    snprintf(out, n,
             "default-src 'self'; script-src 'self'%s%s; style-src 'self'; img-src 'self' data:; "
             "frame-src%s%s%s%s; connect-src 'self'%s%s; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'",
             *script ? " " : "", script, *script ? " " : "", script, *frame ? " " : "", frame,
             given(cfg->csp_connect) ? " " : "", given(cfg->csp_connect) ? cfg->csp_connect : "");
}

int http_start(const struct http_config *cfg, struct http_server **out)
{
    struct http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss = {0};
    socklen_t sslen;

    if (s == NULL)
        return -1;
    s->cfg = *cfg;
    s->bodies.cap = cfg->body_memory;
    set_csp(s->csp, sizeof(s->csp), cfg);
    s->pool = db_pool_new(cfg->db_url, cfg->threads);
    s->watch = s->pool ? watch_start() : NULL;
    if (s->watch == NULL) {
        fprintf(stderr, "partnerd: cannot start the server (out of memory or threads)\n");
        db_pool_free(s->pool);
        free(s);
        return -1;
    }
    metrics_init(cfg->routes);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
        MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, cfg->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
        sslen = sizeof(*v4);
    } else if (inet_pton(AF_INET6, cfg->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        sslen = sizeof(*v6);
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "partnerd: cannot listen on '%s': not an IP address\n", cfg->host);
        watch_stop(s->watch);
        db_pool_free(s->pool);
        free(s);
        return -1;
    }
    (void)sslen;

    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->conn_memory,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (s->daemon == NULL) {
        fprintf(stderr, "partnerd: cannot listen on %s:%d (address in use, or not allowed)\n",
                cfg->host, cfg->port);
        watch_stop(s->watch);
        db_pool_free(s->pool);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int http_port(struct http_server *s)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : -1;
}

void http_stop(struct http_server *s, int grace_ms)
{
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10)
        usleep(10000);
    MHD_stop_daemon(s->daemon); /* every connection closed, and so unwatched */
    watch_stop(s->watch);
    db_pool_free(s->pool);
    free(s);
}
