/*
 * http/body.h - reading a request's body, within bounds set before its first byte.
 *
 * server.c reads a body only once everything its request's headers decide is decided (the
 * life of a request, in server.c), and only within these bounds:
 *   framing  one Content-Length and no Transfer-Encoding, whatever the method: a chunked
 *            body has no length to hold against a limit before it arrives, nor a deadline
 *            (411); two lengths leave which one is the body to guess (422).
 *   limit    the route's: an upload route's (cfg.upload_limit) or the usual
 *            (cfg.body_limit, --body-limit). A larger declared length is answered 413 by
 *            dispatch without reading the body; bytes beyond the limit are dropped and the
 *            request answered 413 the same.
 *   memory   the declared lengths of all the bodies being read or held, against
 *            cfg.body_memory (--body-memory): past it, 503 with Retry-After before the body
 *            is read, so clients declaring large bodies and sending them slowly cannot fill
 *            the memory. The bytes are reserved until the request completes.
 *   time     a body awaited (body_awaited) must arrive whole within cfg.body_timeout_s
 *            (--body-timeout): server.c sets that deadline, http/watch.h enforces it.
 * Then the body is decoded by http/json_body.h (JSON routes), or read raw by the handler.
 */
#ifndef PD_HTTP_BODY_H
#define PD_HTTP_BODY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"

struct req;
struct resp;

/* The memory all request bodies in flight may take: the declared lengths being read or
 * held, against cap (0: no cap). */
struct body_budget {
    _Atomic size_t held;
    size_t cap;
};

/* Whether a request of this method carries a body by its nature (POST, PUT, PATCH). */
bool method_has_body(const char *method);

/* The largest body the route of this request takes: an upload route's, or the usual. */
size_t body_limit_for(const struct http_config *cfg, const char *method, const char *path);

/* The framing of r's body, from its headers: 0 when it is one Content-Length or none;
 * PD_E_LENGTH_REQUIRED for a Transfer-Encoding; or 0 with w answered (422) for two
 * lengths, or a length beside a Transfer-Encoding. */
int body_framing(struct req *r, struct resp *w);

/* Admits r's declared body before a byte of it is read: 0 to read it, or 0 with
 * r->body_too_large (over r->body_limit: dispatch answers 413, with the limit), or
 * PD_E_UNAVAILABLE with a Retry-After in w (the budget is spent). The bytes reserved from
 * the budget go in *reserved, even when refused; body_release() gives them back. */
int body_admit(struct body_budget *b, struct req *r, size_t *reserved, struct resp *w);

/* Whether a body is to be awaited once the headers are in: by the method, or by a
 * Content-Length above 0 whatever the method (a GET or DELETE may carry one). */
bool body_awaited(struct req *r);

/* Appends a chunk of the body as it arrives, within r->body_limit; past it the chunk is
 * dropped and r->body_too_large set (dispatch answers 413). */
void body_append(struct req *r, const char *data, size_t n);

/* Gives back the bytes body_admit() reserved. */
void body_release(struct body_budget *b, size_t reserved);

#endif
