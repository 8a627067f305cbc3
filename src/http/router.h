/*
 * router.h - maps a method and a path to a handler, with {name} path parameters.
 *
 * A route table is a static array ending with a zeroed entry. Patterns are literal
 * segments and {name} segments; a {name} matches one non-empty segment. The router tells
 * apart "no such path" (404) from "path exists, not with this method" (405 + Allow).
 */
#ifndef PD_ROUTER_H
#define PD_ROUTER_H

#include <stddef.h>

struct req;
struct resp;

/* A handler fills the response; it returns 0 or a negative pd_status when it has not. */
typedef int (*route_handler)(struct req *r, struct resp *w);

#define ROUTE_MAX_PARAMS 4

struct route {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/v1/subscriptions/{id}" */
    route_handler handler;
    unsigned flags;     /* ROUTE_* below */
    const char *action; /* the name the application's authorization table knows it by */
};

/* The route takes a JSON body (POST/PUT/PATCH that reads one). */
#define ROUTE_JSON_BODY 1u
/* The response carries a secret (a token, a password link): it is never stored, so such a
 * route does not replay answers for an Idempotency-Key. */
#define ROUTE_SECRET_RESPONSE 2u
/* The route takes a text/csv body (kept raw in r->body). */
#define ROUTE_CSV_BODY 4u
/* The route takes a file of any type, up to the server's upload_limit (kept raw). */
#define ROUTE_UPLOAD 8u
/* The route is for the operator's monitoring (/metrics): only the addresses of the
 * server's monitoring_from list may read it. */
#define ROUTE_MONITORING 16u
/* The route never uses the database (the version, the metrics): it answers without a
 * connection, so it answers while the database is unreachable or every connection lent.
 * Its action must be public. */
#define ROUTE_NO_DB 32u
/* The route answers in its own words when no database connection can be had (/healthz:
 * "unreachable"): its handler then runs with r->db NULL. Its action must be public. */
#define ROUTE_DB_OPTIONAL 64u

struct route_params {
    int count;
    const char *names[ROUTE_MAX_PARAMS];  /* point into the pattern */
    const char *values[ROUTE_MAX_PARAMS]; /* NUL-terminated copies in values_buf */
    char values_buf[512];
};

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/* Finds the route for method and path. On ROUTE_FOUND, *index is its position in the
 * table and params holds the path parameters. On ROUTE_NO_METHOD, *index is the first
 * route of the path and allow (size n) gets the methods the path accepts, comma-separated
 * ("GET, HEAD, PATCH": HEAD with every GET). */
enum route_result router_match(const struct route *table, const char *method, const char *path,
                               int *index, struct route_params *params, char *allow, size_t n);

/* Number of routes in a table. */
int router_count(const struct route *table);

#endif
