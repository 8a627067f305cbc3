/*
 * store/webhooks.c - SQL of webhook endpoints, the deliveries made to them and their
 * attempts.
 *
 * Endpoints are soft-deleted (deleted_at), so a delivery's history still names its URL.
 * Deliveries are fanned out when an event is recorded, in the caller's transaction; each
 * POST is then kept as an attempt row, and the delivery's outcome is written only while
 * the claim that sent it is still the delivery's (see store/outbox.h).
 */
#include "store/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "db/db.h"
#include "store/outbox.h"
#include "store/page.h"

int webhook_endpoints_count_locked(struct db *db, const char *partner_id, int64_t *count)
{
    int rc = db_lock_row(db, "partners", partner_id);
    if (rc < 0)
        return rc;
    return db_scalar(
        db, count,
        "SELECT COUNT(*) FROM webhook_endpoints WHERE partner_id = ? AND deleted_at IS "
        "NULL",
        "t", partner_id);
}

int webhook_endpoint_insert(struct db *db, const struct webhook_endpoint_row *e,
                            const char *partner_id, const char *secret, const char *created_by)
{
    int64_t rc =
        db_run(db,
               "INSERT INTO webhook_endpoints (id, partner_id, url, events, secret, "
               "created_by, created_at, signature_scheme) VALUES (?, ?, ?, ?, ?, ?, ?, "
               "'standard')",
               "tttttti", e->id, partner_id, e->url, e->events, secret, created_by, e->created_at);
    return rc < 0 ? (int)rc : 0;
}

int webhook_endpoints_list(struct db *db, const char *partner_id, const struct page_request *p,
                           struct webhook_endpoint_row **out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    int cap = 0;
    *out = NULL;
    *count = 0;
    page_sql_start(&q, "SELECT id, url, events, created_at, signature_scheme FROM webhook_endpoints "
                       "WHERE deleted_at IS NULL");
    page_sql_and_text(&q, "partner_id = ?", partner_id);
    page_sql_finish(&q, "", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            struct webhook_endpoint_row *grown = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        struct webhook_endpoint_row *e = &(*out)[(*count)++];
        snprintf(e->id, sizeof(e->id), "%s", db_column_text(st, 0));
        snprintf(e->url, sizeof(e->url), "%s", db_column_text(st, 1));
        snprintf(e->events, sizeof(e->events), "%s", db_column_text(st, 2));
        e->created_at = db_column_int64(st, 3);
        snprintf(e->scheme, sizeof(e->scheme), "%s", db_column_text(st, 4));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int webhook_endpoint_rotate(struct db *db, const char *id, const char *partner_id,
                            const char *secret, struct webhook_endpoint_row *row)
{
    int64_t changed = db_run(db,
                             "UPDATE webhook_endpoints SET secret = ?, signature_scheme = "
                             "'standard' WHERE id = ? AND partner_id = ? AND deleted_at IS NULL",
                             "ttt", secret, id, partner_id);
    if (changed <= 0)
        return changed < 0 ? (int)changed : 0;
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT id, url, events, created_at, signature_scheme FROM "
                      "webhook_endpoints WHERE id = ?",
                      "t", id);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(row->id, sizeof(row->id), "%s", db_column_text(st, 0));
        snprintf(row->url, sizeof(row->url), "%s", db_column_text(st, 1));
        snprintf(row->events, sizeof(row->events), "%s", db_column_text(st, 2));
        row->created_at = db_column_int64(st, 3);
        snprintf(row->scheme, sizeof(row->scheme), "%s", db_column_text(st, 4));
        rc = 1;
    }
    db_finalize(st);
    return rc;
}

int webhook_secrets_sealed_any(struct db *db)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n,
                       "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_endpoints WHERE secret LIKE "
                       "'sealed:%' LIMIT 1) AS w",
                       "");
    return rc < 0 ? rc : n > 0;
}

int webhook_secrets_all(struct db *db, struct webhook_secret_row **out, int *count)
{
    struct db_stmt *st;
    int cap = 0;
    *out = NULL;
    *count = 0;
    int rc = db_query(db, &st, "SELECT id, secret FROM webhook_endpoints ORDER BY id", "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            struct webhook_secret_row *grown = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        struct webhook_secret_row *e = &(*out)[(*count)++];
        snprintf(e->id, sizeof(e->id), "%s", db_column_text(st, 0));
        snprintf(e->stored, sizeof(e->stored), "%s", db_column_text(st, 1));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int webhook_secret_replace(struct db *db, const char *id, const char *was, const char *next)
{
    int64_t changed =
        db_run(db, "UPDATE webhook_endpoints SET secret = ? WHERE id = ? AND secret = ?", "ttt",
               next, id, was);
    return changed < 0 ? (int)changed : changed > 0;
}

int webhook_endpoint_delete(struct db *db, const char *id, const char *partner_id, int64_t now)
{
    int64_t changed = db_run(db,
                             "UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND "
                             "partner_id = ? AND deleted_at IS NULL",
                             "itt", now, id, partner_id);
    return changed < 0 ? (int)changed : changed > 0;
}

int webhook_endpoint_owned(struct db *db, const char *id, const char *partner_id)
{
    int64_t owned = 0;
    int rc = db_scalar(db, &owned,
                       "SELECT COUNT(*) FROM webhook_endpoints WHERE id = ? AND partner_id = ?",
                       "tt", id, partner_id);
    return rc < 0 ? rc : owned > 0;
}

int webhook_deliveries_give_up(struct db *db, const char *endpoint_id)
{
    /* a delivery being sent is given up too: the sender records its outcome only while the
     * claim is its own (webhook_delivery_done), so a POST under way is not retried, and one a
     * dead process left claimed is never claimed again; the POST's attempt stays in the
     * history */
    int64_t rc = db_run(db,
                        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint "
                        "deleted', claim = NULL WHERE endpoint_id = ? AND status IN ('pending', "
                        "'sending')",
                        "t", endpoint_id);
    return rc < 0 ? (int)rc : 0;
}

int webhook_deliveries_fan_out(struct db *db, const char *outbox_id, const char *partner_id,
                               const char *event, int64_t now)
{
    char stem[DELIVERY_STEM_SIZE];
    int rc = delivery_id_stem("whd", outbox_id, stem);
    if (rc < 0)
        return rc;
    /* (the WHERE lets SQLite tell the upsert's ON from a join's) */
    return db_write(db,
                    "INSERT INTO webhook_deliveries (id, outbox_id, endpoint_id, status, "
                    "next_attempt_at, created_at) SELECT CAST(? AS TEXT) || CAST(ROW_NUMBER() "
                    "OVER (ORDER BY id) AS TEXT), ?, id, 'pending', ?, ? FROM webhook_endpoints "
                    "WHERE partner_id = ? AND deleted_at IS NULL AND (events = '*' OR events LIKE "
                    "'%,' || ? || ',%') ON CONFLICT (outbox_id, endpoint_id) DO NOTHING",
                    "ttiitt", stem, outbox_id, now, now, partner_id, event);
}

/* An event's id, the stem of its deliveries' ids, its organisation, its name. */
static const char *fan_out_value(const struct outbox_new *row, int col, char *buffer)
{
    if (col == 1)
        return delivery_id_stem("whd", row->id, buffer) == 0 ? buffer : NULL;
    const char *v[] = {row->id, NULL, row->partner_id, row->event};
    return v[col];
}

const char webhook_deliveries_sql_many[] =
    "INSERT INTO webhook_deliveries (id, outbox_id, endpoint_id, status, next_attempt_at, "
    "created_at) SELECT v.column2 || CAST(ROW_NUMBER() OVER (PARTITION BY v.column1 ORDER BY "
    "e.id) AS TEXT), v.column1, e.id, 'pending', ?, ? FROM (" OUTBOX_VALUES(
        "(?, ?, ?, ?)") ") AS v JOIN webhook_endpoints e ON e.partner_id = v.column3 WHERE "
                        "v.column1 IS NOT NULL AND e.deleted_at IS NULL AND (e.events = '*' OR "
                        "e.events LIKE '%,' || v.column4 || ',%') ON CONFLICT (outbox_id, "
                        "endpoint_id) DO NOTHING";

int webhook_deliveries_fan_out_many(struct db *db, const struct outbox_new *rows, int n,
                                    int64_t now)
{
    return outbox_rows_run(db, webhook_deliveries_sql_many, 2, now, rows, n, 4, fan_out_value);
}

int webhook_delivery_done(struct db *db, const char *id, const char *claim, bool delivered,
                          const char *error, int64_t next_attempt_at, int64_t now)
{
    const char *status = delivered ? "delivered" : next_attempt_at ? "pending" : "failed";
    int64_t rc =
        db_run(db,
               "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, "
               "last_error = ?, next_attempt_at = ?, delivered_at = ?, claim = NULL "
               "WHERE id = ? AND claim = ?",
               "ttiitt", status, error, next_attempt_at, delivered ? now : (int64_t)0, id, claim);
    return rc < 0 ? (int)rc : 0;
}

int webhook_attempt_insert(struct db *db, const char *delivery_id, int attempt, int64_t at,
                           int status_code, const char *error, int64_t duration_ms)
{
    int64_t rc = db_run(db,
                        "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, "
                        "status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (delivery_id, attempt) DO NOTHING",
                        "tiiiti", delivery_id, (int64_t)attempt, at, (int64_t)status_code, error,
                        duration_ms);
    return rc < 0 ? (int)rc : 0;
}

int webhook_attempts_of(struct db *db, const char *delivery_id, struct webhook_attempt_row **out,
                        int *count)
{
    struct db_stmt *st;
    int cap = 0;
    *out = NULL;
    *count = 0;
    int rc = db_query(db, &st,
                      "SELECT attempt, attempted_at, status_code, error, duration_ms FROM "
                      "webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
                      "t", delivery_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 4;
            struct webhook_attempt_row *grown = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        struct webhook_attempt_row *a = &(*out)[(*count)++];
        const char *error = db_column_text(st, 3);
        a->attempt = db_column_int64(st, 0);
        a->attempted_at = db_column_int64(st, 1);
        a->status_code = db_column_int64(st, 2);
        snprintf(a->error, sizeof(a->error), "%s", error ? error : "");
        a->has_error = error != NULL;
        a->duration_ms = db_column_int64(st, 4);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}
