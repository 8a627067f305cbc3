/*
 * server.c - libmicrohttpd glue.
 *
 * Life of a request:
 *   uri_log()        first callback, once per request: allocate struct req, request id.
 *   on_request() #1  headers are in: method, path, language, address, route; a declared
 *                    Content-Length over the limit is refused at once with 413.
 *   on_request() #n  body chunks: appended to r->body up to the limit, the rest dropped.
 *   on_request() end dispatch(): validate, decode JSON, call the handler, queue the answer.
 *   on_completed()   log line, metrics, free everything.
 *
 * libmicrohttpd 0.9.75 has no body limit of its own and a parser older than upstream's
 * 1.0 rewrite: production runs behind nginx (docs/operations.md).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "db/db.h"
#include "http/assets.h"
#include "http/json_body.h"
#include "http/metrics.h"
#include "http/request.h"
#include "log.h"

#define SECURITY_CSP                                                                          \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "        \
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    _Atomic int in_flight;
    pthread_mutex_t dbs_lock;
    struct db **dbs; /* every worker's connection, closed at stop */
    size_t ndbs;
};

/* Per-request state beyond struct req that only the server needs. */
struct req_state {
    struct req r;
    struct http_server *server;
    int step; /* 0 before headers were seen, 1 while reading the body, 2 answered */
    int status;
    size_t bytes;
    const char *error_code;
};

static __thread struct db *thread_db;

/* The worker thread's database connection, opened on first use. */
static struct db *worker_db(struct http_server *s)
{
    if (thread_db)
        return thread_db;
    struct pd_error err = {0};
    if (db_open(s->cfg.db_url, &thread_db, &err) < 0) {
        log_line(LOG_ERROR, NULL, "db_open_failed", "detail=\"%s\"", err.message);
        pd_error_clear(&err);
        return NULL;
    }
    pthread_mutex_lock(&s->dbs_lock);
    size_t slot = sizeof(struct db *); /* the array holds pointers */
    struct db **grown = realloc(s->dbs, (s->ndbs + 1) * slot);
    if (grown) {
        s->dbs = grown;
        s->dbs[s->ndbs++] = thread_db;
    }
    pthread_mutex_unlock(&s->dbs_lock);
    return thread_db;
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, name);
}

/* "fr" or "en" from Accept-Language: the first listed language that is one of them. */
static const char *pick_language(const char *accept)
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

static void client_address(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "-");
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
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
    random_hex(REQ_ID_LEN / 2, st->r.id);
    const char *q = strchr(uri, '?');
    if (q && query_parse(&st->r.arena, q + 1, strlen(q + 1), &st->r.query) < 0)
        st->r.query.count = -1; /* answered with 400 at dispatch */
    atomic_fetch_add(&s->in_flight, 1);
    return st;
}

static bool method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
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

/* Decides the answer. Fills w; never fails. */
static void dispatch(struct http_server *s, struct req *r, struct resp *w)
{
    char allow[64];
    const char *match_method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    struct pd_error err = {0};

    if (r->query.count < 0) {
        pd_fail(&err, PD_E_INVALID_QUERY, "malformed query string");
        pd_error_detail(&err, "query", json_string("malformed query string"));
        goto error;
    }
    enum route_result rr = router_match(s->cfg.routes, match_method, r->path, &r->route_index,
                                        &r->params, allow, sizeof(allow));
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
    r->route = &s->cfg.routes[r->route_index];
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

    r->db = worker_db(s);
    if (r->db == NULL) {
        resp_status_error(r, w, PD_E_UNAVAILABLE);
        return;
    }
    int rc = s->cfg.before_request ? s->cfg.before_request(r, w) : 0;
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
    struct MHD_Response *res = MHD_create_response_from_buffer(
        w->len, (void *)w->data, w->data_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    if (res == NULL)
        return MHD_NO;
    if (w->content_type)
        MHD_add_response_header(res, "Content-Type", w->content_type);
    MHD_add_response_header(res, "X-Request-Id", st->r.id);
    MHD_add_response_header(res, "Content-Security-Policy", SECURITY_CSP);
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

/* The largest body the route of this request takes: an upload's, or the usual. */
static size_t body_limit_for(const struct http_server *s, const char *method, const char *path)
{
    struct route_params params;
    int index;
    if (s->cfg.upload_limit > s->cfg.body_limit &&
        router_match(s->cfg.routes, method, path, &index, &params, NULL, 0) == ROUTE_FOUND &&
        (s->cfg.routes[index].flags & ROUTE_UPLOAD))
        return s->cfg.upload_limit;
    return s->cfg.body_limit;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
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
        r->lang = pick_language(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                            "Accept-Language"));
        client_address(c, r->client_ip, sizeof(r->client_ip));
        r->body_limit = body_limit_for(s, method, url);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
            /* refuse before reading a byte of it; libmicrohttpd closes the connection */
            struct resp w = {0};
            r->body_too_large = true;
            dispatch(s, r, &w);
            return queue(st, c, &w);
        }
        return MHD_YES;
    }
    if (st->step == 2) { /* answered early; drop whatever still arrives */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > r->body_limit)
            r->body_too_large = true;
        else
            buf_append(&r->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    struct resp w = {0};
    dispatch(s, r, &w);
    return queue(st, c, &w);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct req_state *st = *con_cls;
    (void)c;
    if (st == NULL)
        return;
    struct req *r = &st->r;
    int64_t dur = clock_monotonic_us() - r->start_us;
    if (st->step == 2) {
        char path[256];
        metrics_observe(r->route_index, st->status, dur);
        log_line(LOG_INFO, r->id, "request",
                 "method=%s path=%s route=%s status=%d dur_us=%lld bytes=%zu ip=%s%s%s%s",
                 r->method, log_escape(r->path, path, sizeof(path)),
                 r->route ? r->route->pattern : "-", st->status, (long long)dur, st->bytes,
                 r->client_ip, st->error_code ? " error=" : "",
                 st->error_code ? st->error_code : "",
                 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    }
    json_decref(r->json);
    buf_free(&r->body);
    arena_free(&r->arena);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt,
                                                        va_list ap)
{
    char msg[512], esc[600];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_line(LOG_WARN, NULL, "httpd", "detail=%s", log_escape(msg, esc, sizeof(esc)));
}

int http_start(const struct http_config *cfg, struct http_server **out)
{
    struct http_server *s = calloc(1, sizeof(*s));
    struct sockaddr_storage ss = {0};
    socklen_t sslen;

    if (s == NULL)
        return -1;
    s->cfg = *cfg;
    pthread_mutex_init(&s->dbs_lock, NULL);
    metrics_init(cfg->routes);

    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
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
        free(s);
        return -1;
    }
    (void)sslen;

    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        cfg->max_per_ip, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->conn_memory, MHD_OPTION_URI_LOG_CALLBACK,
        uri_log, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (s->daemon == NULL) {
        fprintf(stderr, "partnerd: cannot listen on %s:%d (address in use, or not allowed)\n",
                cfg->host, cfg->port);
        pthread_mutex_destroy(&s->dbs_lock);
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
    MHD_stop_daemon(s->daemon);
    for (size_t i = 0; i < s->ndbs; i++)
        db_close(s->dbs[i]);
    free(s->dbs);
    pthread_mutex_destroy(&s->dbs_lock);
    free(s);
}
