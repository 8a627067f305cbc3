/* http/body.c - reading a request's body, within bounds set before its first byte
 * (http/body.h). */
#include "http/body.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/request.h"

bool method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

size_t body_limit_for(const struct http_config *cfg, const char *method, const char *path)
{
    struct route_params params;
    int index;
    if (cfg->upload_limit > cfg->body_limit &&
        router_match(cfg->routes, method, path, &index, &params, NULL, 0) == ROUTE_FOUND &&
        (cfg->routes[index].flags & ROUTE_UPLOAD))
        return cfg->upload_limit;
    return cfg->body_limit;
}

/* Counts the values of a request header. */
static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct {
        const char *name;
        int count;
    } *want = cls;
    (void)kind;
    (void)value;
    if (strcasecmp(key, want->name) == 0)
        want->count++;
    return MHD_YES;
}

static int header_count(struct MHD_Connection *c, const char *name)
{
    struct {
        const char *name;
        int count;
    } want = {name, 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &want);
    return want.count;
}

/* The body's length as its Content-Length declares it; 0 without one. */
static unsigned long long declared_length(struct req *r)
{
    const char *cl = req_header(r, "Content-Length");
    return cl ? strtoull(cl, NULL, 10) : 0;
}

int body_framing(struct req *r, struct resp *w)
{
    struct pd_error err = {0};
    const char *cl = req_header(r, "Content-Length");
    const char *te = req_header(r, "Transfer-Encoding");
    if (header_count(r->conn, "Content-Length") > 1 || (cl && te)) { /* ambiguous framing */
        pd_fail_field(&err, PD_E_INVALID_REQUEST, "Content-Length", MSG_FIELD_ONE_LENGTH, NULL);
        resp_error(r, w, &err);
        pd_error_clear(&err);
        return 0;
    }
    if (te) /* whatever the method: a GET's chunked body would arrive with no deadline */
        return PD_E_LENGTH_REQUIRED;
    return 0;
}

int body_admit(struct body_budget *b, struct req *r, size_t *reserved, struct resp *w)
{
    unsigned long long declared = declared_length(r);
    if (declared > r->body_limit) {
        r->body_too_large = true; /* answered by dispatch, with the limit */
        return 0;
    }
    if (declared && b->cap) {
        size_t held = atomic_fetch_add(&b->held, (size_t)declared);
        *reserved = (size_t)declared;
        if (held + declared > b->cap) {
            resp_header(w, "Retry-After", "1");
            return PD_E_UNAVAILABLE;
        }
    }
    return 0;
}

bool body_awaited(struct req *r)
{
    return method_has_body(r->method) || declared_length(r) > 0;
}

void body_append(struct req *r, const char *data, size_t n)
{
    if (r->body.len + n > r->body_limit)
        r->body_too_large = true;
    else
        buf_append(&r->body, data, n);
}

void body_release(struct body_budget *b, size_t reserved)
{
    atomic_fetch_sub(&b->held, reserved);
}
