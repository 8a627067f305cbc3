/*
 * request.h - the request and response as handlers see them.
 *
 * A struct req lives from the first byte of a request to the end of its response; all
 * of its memory comes from r->arena. Handlers read the method, path parameters, query,
 * headers and decoded JSON body, and write the response through the resp_* helpers.
 * Nothing here exposes libmicrohttpd.
 */
#ifndef PD_REQUEST_H
#define PD_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "http/query.h"
#include "http/router.h"

struct db;
struct principal;

#define REQ_ID_LEN 16

struct req {
    struct arena arena;          /* everything below that is allocated comes from here */
    char id[REQ_ID_LEN + 1];     /* random hex, echoed in X-Request-Id and the log */
    const char *method;
    const char *path;            /* without the query string */
    struct query query;
    struct route_params params;
    const struct route *route;   /* NULL when unmatched */
    int route_index;             /* index in the route table, -1 when unmatched */
    json_t *json;                /* decoded body for ROUTE_JSON_BODY routes; owned */
    struct buf body;             /* raw body, at most the configured limit */
    bool body_too_large;
    size_t body_limit; /* for this request: the route's (uploads) or the server's */
    const char *lang;            /* "fr" or "en", from Accept-Language */
    char client_ip[64];
    struct db *db;               /* lent to this request (db/pool.h) */
    struct principal *principal; /* the caller, set by the API before its handler; or NULL */
    const char *idempotency_scope; /* set while an Idempotency-Key is claimed by this request */
    const char *idempotency_key;
    const char *idempotency_holder; /* the claim's holder (service/idempotency.h) */
    int64_t start_us;
    void *conn;                  /* the server's connection handle; opaque */
};

struct resp_header {
    const char *name;
    const char *value;
};

#define RESP_MAX_HEADERS 8

struct db;

/* Writes the next bytes of a streamed body into buf (at most max): how many, 0 at the end,
 * or -1 on an error (the connection is then cut, so the client never takes a truncated
 * body for a whole one). db is the connection of the thread that serves the request. */
typedef long (*resp_fill_fn)(void *ctx, struct db *db, char *buf, size_t max);

struct resp {
    int status;           /* 0 until a handler set it */
    const char *content_type;
    const char *data;     /* body bytes (arena or static) */
    size_t len;
    bool data_static;     /* data lives as long as the process (a portal file): not copied */
    int nheaders;
    struct resp_header headers[RESP_MAX_HEADERS];
    const char *error_code; /* for the log line */
    /* a body written a chunk at a time (resp_stream); NULL for data */
    resp_fill_fn fill;
    void *fill_ctx;
    void (*fill_done)(void *ctx); /* frees fill_ctx once the answer is over or dropped */
};

/* A request header (case-insensitive name), or NULL. */
const char *req_header(struct req *r, const char *name);

/* A cookie's value, or NULL. */
const char *req_cookie(struct req *r, const char *name);

/* A path parameter by name ("id" for {id}), or NULL. */
const char *req_param(struct req *r, const char *name);

/* Serialises json (reference taken) as the response body with status. */
void resp_json(struct req *r, struct resp *w, int status, json_t *json);

/* A body of unknown length written a chunk at a time by fill(ctx, ...) while it is sent
 * (chunked transfer encoding), for exports that grow with the database: never built whole
 * in memory. done(ctx) frees ctx, whether the answer went out or not. */
void resp_stream(struct resp *w, int status, const char *content_type, resp_fill_fn fill,
                 void *ctx, void (*done)(void *ctx));

/* The libmicrohttpd answer of a streamed resp (server.c queues it like any other). fill
 * reads with db, the connection lent to the request until it completes: the answer is
 * sent on the request's own thread before then. */
struct MHD_Response *resp_stream_response(struct resp *w, struct db *db);

/* A body with its content type, bytes copied into the request arena. */
void resp_bytes(struct req *r, struct resp *w, int status, const char *content_type,
                const void *data, size_t len);

/* Adds a response header; name and value must outlive the response (arena or static). */
void resp_header(struct resp *w, const char *name, const char *value);

/* Content-Disposition: attachment for a file named filename (UTF-8, as its owner typed
 * it): RFC 6266's filename*=UTF-8''... percent-encoded, after a filename="..." fallback
 * in printable ASCII for older clients (other bytes, quotes and backslashes as '_'). */
void resp_attachment(struct req *r, struct resp *w, const char *filename);

/* The SPEC error body {"error":{"code","message","details"}} for e, in the request's
 * language, with the code's HTTP status. */
void resp_error(struct req *r, struct resp *w, const struct pd_error *e);

/* Same, from a bare status code. */
void resp_status_error(struct req *r, struct resp *w, enum pd_status code);

#endif
