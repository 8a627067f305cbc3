/* store/idempotency.c - SQL of idempotency_keys. */
#include "store/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int idem_claim(struct db *db, const char *scope, const char *key, const struct idem_claim *c)
{
    int64_t rc = db_run(db,
                        "INSERT INTO idempotency_keys (scope, key, request_hash, created_at, "
                        "holder, lease_until) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) "
                        "DO NOTHING",
                        "tttiti", scope, key, c->hash, c->now, c->holder, c->lease_until);
    return rc < 0 ? (int)rc : rc > 0;
}

int idem_take_over(struct db *db, const char *scope, const char *key, const struct idem_row *seen,
                   const struct idem_claim *c)
{
    int64_t rc = db_run(db,
                        "UPDATE idempotency_keys SET request_hash = ?, response_status = 0, "
                        "content_type = NULL, response_body = NULL, created_at = ?, holder = ?, "
                        "lease_until = ? WHERE scope = ? AND key = ? AND response_status = ? AND "
                        "created_at = ? AND COALESCE(holder, '') = ? AND "
                        "COALESCE(lease_until, 0) = ?",
                        "titittiiti", c->hash, c->now, c->holder, c->lease_until, scope, key,
                        (int64_t)seen->status, seen->created_at, seen->holder, seen->lease_until);
    return rc < 0 ? (int)rc : rc > 0;
}

int idem_find(struct db *db, const char *scope, const char *key, struct idem_row *out)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT request_hash, response_status, content_type, response_body, "
                      "created_at, holder, lease_until FROM idempotency_keys WHERE scope = ? AND "
                      "key = ?",
                      "tt", scope, key);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out->request_hash, sizeof(out->request_hash), "%s", db_column_text(st, 0));
        out->status = (int)db_column_int64(st, 1);
        snprintf(out->content_type, sizeof(out->content_type), "%s",
                 db_column_text(st, 2) ? db_column_text(st, 2) : "");
        out->body = strdup(db_column_text(st, 3) ? db_column_text(st, 3) : "");
        out->created_at = db_column_int64(st, 4);
        snprintf(out->holder, sizeof(out->holder), "%s",
                 db_column_text(st, 5) ? db_column_text(st, 5) : "");
        out->lease_until = db_column_int64(st, 6);
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int idem_complete(struct db *db, const char *scope, const char *key, const char *holder, int status,
                  const char *content_type, const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, body, len);
    copy[len] = '\0';
    int64_t rc = db_run(db,
                        "UPDATE idempotency_keys SET response_status = ?, content_type = ?, "
                        "response_body = ?, lease_until = NULL WHERE scope = ? AND key = ? AND "
                        "response_status = 0 AND holder = ?",
                        "ittttt", (int64_t)status, content_type, copy, scope, key, holder);
    free(copy);
    return rc < 0 ? (int)rc : 0;
}

int idem_forget(struct db *db, const char *scope, const char *key, const char *holder)
{
    int64_t rc = db_run(db,
                        "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND "
                        "response_status = 0 AND holder = ?",
                        "ttt", scope, key, holder);
    return rc < 0 ? (int)rc : 0;
}

int idem_expire(struct db *db, int64_t before)
{
    int64_t rc = db_run(db, "DELETE FROM idempotency_keys WHERE created_at < ?", "i", before);
    return rc < 0 ? (int)rc : 0;
}
