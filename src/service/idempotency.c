/*
 * service/idempotency.c - claim, replay and keep answers per caller and key.
 *
 * A claim is an INSERT that does nothing when the key exists, so two racing requests
 * cannot both run. A claim never answered (its process died) is taken over after
 * IN_PROGRESS_SECONDS; an expired answer is forgotten and the key claimed again.
 */
#include "service/idempotency.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/db.h"
#include "store/idempotency.h"

/* A request still unanswered after this long was abandoned (its process died). */
#define IN_PROGRESS_SECONDS 60

int idempotency_claim(struct db *db, const char *scope, const char *key, const char *request_hash,
                      struct idempotency_answer *replay, struct pd_error *err)
{
    int64_t now = clock_now();
    for (int attempt = 0; attempt < 2; attempt++) {
        int rc = idem_claim(db, scope, key, request_hash, now);
        if (rc < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (rc == 1)
            return 0;
        struct idem_row row;
        if ((rc = idem_find(db, scope, key, &row)) < 0)
            return pd_fail(err, rc, "%s", db_errmsg(db));
        if (rc == 0)
            continue; /* gone between the two statements: claim again */
        bool stale = now - row.created_at >= IDEMPOTENCY_SECONDS ||
                     (row.status == 0 && now - row.created_at >= IN_PROGRESS_SECONDS);
        if (stale) {
            free(row.body);
            if ((rc = idem_forget(db, scope, key)) < 0)
                return pd_fail(err, rc, "%s", db_errmsg(db));
            continue;
        }
        if (strcmp(row.request_hash, request_hash) != 0) {
            free(row.body);
            return pd_fail(err, PD_E_IDEMPOTENCY_KEY_REUSED, NULL);
        }
        if (row.status == 0) {
            free(row.body);
            return pd_fail(err, PD_E_CONFLICT, "the first request with this key still runs");
        }
        replay->status = row.status;
        memcpy(replay->content_type, row.content_type, sizeof(replay->content_type));
        replay->body = row.body;
        return 1;
    }
    return pd_fail(err, PD_E_CONFLICT, "the key could not be claimed");
}

void idempotency_keep(struct db *db, const char *scope, const char *key, int status,
                      const char *content_type, const char *body, size_t len)
{
    if (status >= 500)
        idem_forget(db, scope, key);
    else
        idem_complete(db, scope, key, status, content_type, body, len);
}
