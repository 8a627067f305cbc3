/* api/idempotency.c - the Idempotency-Key header: read it, replay a kept answer, keep
 * the new one (the rules are in service/idempotency.c). */
#include "api/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "http/server.h"
#include "service/idempotency.h"
#include "service/principal.h"

static bool valid_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 255)
        return false;
    for (const char *p = k; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

int idempotency_begin(struct req *r, struct resp *w)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (key == NULL || strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 ||
        (r->route->flags & ROUTE_SECRET_RESPONSE))
        return 0;
    if (!valid_key(key)) {
        struct pd_error err = {0};
        pd_fail_field(&err, PD_E_INVALID_REQUEST, "Idempotency-Key", MSG_FIELD_IDEMPOTENCY_KEY,
                      NULL);
        resp_error(r, w, &err);
        pd_error_clear(&err);
        return HTTP_ANSWERED;
    }
    const char *scope = r->principal ? r->principal->user_id
                                     : arena_printf(&r->arena, "anonymous:%s", r->client_ip);
    char *material = arena_printf(&r->arena, "%s\n%s\n", r->method, r->path);
    struct buf whole = {0};
    char hash[65];
    buf_puts(&whole, material);
    if (r->body.len)
        buf_append(&whole, r->body.data, r->body.len);
    sha256_hex(whole.data, hash);
    buf_free(&whole);

    struct idempotency_answer replay;
    struct pd_error err = {0};
    char holder[IDEMPOTENCY_HOLDER_MAX];
    int rc = idempotency_claim(r->db, scope, key, hash, holder, &replay, &err);
    if (rc < 0) {
        resp_error(r, w, &err);
        pd_error_clear(&err);
        return HTTP_ANSWERED;
    }
    if (rc == 0) {
        r->idempotency_scope = scope;
        r->idempotency_key = arena_strdup(&r->arena, key);
        r->idempotency_holder = arena_strdup(&r->arena, holder);
        return 0;
    }
    resp_bytes(r, w, replay.status,
               replay.content_type[0] ? arena_strdup(&r->arena, replay.content_type) : NULL,
               replay.body, strlen(replay.body));
    resp_header(w, "Idempotent-Replayed", "true");
    free(replay.body);
    return HTTP_ANSWERED;
}

void idempotency_end(struct req *r, struct resp *w)
{
    if (r->idempotency_key != NULL)
        idempotency_keep(r->db, r->idempotency_scope, r->idempotency_key, r->idempotency_holder,
                         w->status, w->content_type, w->data ? w->data : "", w->len);
}
