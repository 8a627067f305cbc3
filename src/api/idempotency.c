/* api/idempotency.c - claim, replay and keep answers per caller and key. */
#include "api/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "http/server.h"
#include "service/principal.h"
#include "store/idempotency.h"

/* A request still unanswered after this long was abandoned (its process died). */
#define IN_PROGRESS_SECONDS 60

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

    int64_t now = clock_now();
    for (int attempt = 0; attempt < 2; attempt++) {
        int rc = idem_claim(r->db, scope, key, hash, now);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            r->idempotency_scope = scope;
            r->idempotency_key = arena_strdup(&r->arena, key);
            return 0;
        }
        struct idem_row row;
        if ((rc = idem_find(r->db, scope, key, &row)) < 0)
            return rc;
        if (rc == 0)
            continue; /* gone between the two statements: claim again */
        bool stale = now - row.created_at >= IDEMPOTENCY_SECONDS ||
                     (row.status == 0 && now - row.created_at >= IN_PROGRESS_SECONDS);
        if (stale) {
            free(row.body);
            if ((rc = idem_forget(r->db, scope, key)) < 0)
                return rc;
            continue;
        }
        if (strcmp(row.request_hash, hash) != 0) {
            free(row.body);
            return PD_E_IDEMPOTENCY_KEY_REUSED;
        }
        if (row.status == 0) {
            free(row.body);
            return PD_E_CONFLICT; /* the first request with this key is still running */
        }
        resp_bytes(r, w, row.status, row.content_type[0] ? arena_strdup(&r->arena, row.content_type)
                                                         : NULL,
                   row.body, strlen(row.body));
        resp_header(w, "Idempotent-Replayed", "true");
        free(row.body);
        return HTTP_ANSWERED;
    }
    return PD_E_CONFLICT;
}

void idempotency_end(struct req *r, struct resp *w)
{
    if (r->idempotency_key == NULL)
        return;
    if (w->status >= 500)
        idem_forget(r->db, r->idempotency_scope, r->idempotency_key);
    else
        idem_complete(r->db, r->idempotency_scope, r->idempotency_key, w->status,
                      w->content_type, w->data ? w->data : "", w->len);
}
