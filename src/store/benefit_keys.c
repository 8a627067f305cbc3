/*
 * store/benefit_keys.c - SQL of key pools, sealed product keys and the waiting queue.
 *
 * A pool's figures are kept, not counted (migration 021): every function here that adds or
 * gives a key moves key_pools.total_keys and free_keys, and every one that queues or
 * unqueues an activation moves key_pool_queues, in the caller's transaction, so a page of
 * pools costs the same whatever their keys and queues hold.
 */
#include "store/benefit_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "store/page.h"
#include "store/rows.h"

#define POOL_COLUMNS                                                                               \
    "SELECT p.id, p.low_notified, p.total_keys, p.free_keys, COALESCE(q.queued_requests, 0), "     \
    "COALESCE(q.queued_keys, 0), p.created_at FROM key_pools p LEFT JOIN key_pool_queues q ON "    \
    "q.pool_id = p.id"

int pools_list(struct db *db, struct arena *a, const struct page_request *p, struct pool_row **out,
               int *count)
{
    struct db_stmt *st;
    struct rows r = {0};
    int rc;
    if (p == NULL) {
        rc = db_query(db, &st, POOL_COLUMNS " ORDER BY p.id", "");
    } else {
        struct page_sql q = {0};
        page_sql_start(&q, POOL_COLUMNS " WHERE 1 = 1");
        page_sql_finish(&q, "p", p);
        rc = page_sql_run(db, &q, &st);
    }
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct pool_row *pool = rows_add(a, &r, sizeof(*pool));
        pool->id = arena_strdup(a, db_column_text(st, 0));
        pool->low_notified = (int)db_column_int64(st, 1);
        pool->total = db_column_int64(st, 2);
        pool->free = db_column_int64(st, 3);
        pool->queued_requests = db_column_int64(st, 4);
        pool->queued_keys = db_column_int64(st, 5);
        pool->created_at = db_column_int64(st, 6);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int pools_ensure(struct db *db, const char *id, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO key_pools (id, low_notified, created_at) VALUES (?, 0, ?) "
                        "ON CONFLICT (id) DO NOTHING",
                        "ti", id, now);
    return rc < 0 ? (int)rc : 0;
}

int pools_lock(struct db *db, const char *id)
{
    return db_lock_row(db, "key_pools", id);
}

int pools_free(struct db *db, const char *id, int64_t *count)
{
    return db_scalar(db, count, "SELECT free_keys FROM key_pools WHERE id = ?", "t", id);
}

int pools_set_low(struct db *db, const char *id, int low)
{
    int64_t rc =
        db_run(db, "UPDATE key_pools SET low_notified = ? WHERE id = ? AND low_notified <> ?",
               "iti", (int64_t)low, id, (int64_t)low);
    return rc < 0 ? (int)rc : rc > 0;
}

int keys_exists(struct db *db, const char *fingerprint)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM product_keys WHERE fingerprint = ?", "t",
                       fingerprint);
    return rc < 0 ? rc : n > 0;
}

int keys_any(struct db *db)
{
    int64_t n = 0;
    int rc = db_scalar(db, &n, "SELECT COUNT(*) FROM (SELECT 1 FROM product_keys LIMIT 1) AS k", "");
    return rc < 0 ? rc : n > 0;
}

int keys_insert(struct db *db, const char *id, const char *pool_id, const char *sealed,
                const char *fingerprint, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO product_keys (id, pool_id, seq, sealed, fingerprint, "
                        "loaded_at) SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM "
                        "product_keys",
                        "tttti", id, pool_id, sealed, fingerprint, now);
    if (rc >= 0)
        rc = db_run(db,
                    "UPDATE key_pools SET total_keys = total_keys + 1, free_keys = free_keys + 1 "
                    "WHERE id = ?",
                    "t", pool_id);
    return rc < 0 ? (int)rc : rc == 1 ? 0 : PD_E_INTERNAL; /* a key of no pool: refused */
}

int keys_take(struct db *db, const char *pool_id, const char *grant_id, const char *partner_id,
              int count, int64_t now, char (*ids)[32])
{
    struct db_stmt *st;
    int n = 0;
    int rc = db_query(db, &st,
                      "SELECT id FROM product_keys WHERE pool_id = ? AND grant_id IS NULL ORDER "
                      "BY seq LIMIT ?",
                      "ti", pool_id, (int64_t)count);
    if (rc < 0)
        return rc;
    while (n < count && (rc = db_step(st)) == DB_ROW)
        snprintf(ids[n++], 32, "%s", db_column_text(st, 0));
    db_finalize(st);
    if (rc < 0)
        return rc;
    int given = 0;
    for (int i = 0; i < n; i++) {
        /* still free: the pool lock makes this certain, the WHERE makes it checked */
        int64_t changed = db_run(db,
                                 "UPDATE product_keys SET grant_id = ?, partner_id = ?, "
                                 "assigned_at = ? WHERE id = ? AND grant_id IS NULL",
                                 "ttit", grant_id, partner_id, now, ids[i]);
        if (changed < 0)
            return (int)changed;
        if (changed == 1 && given != i)
            memmove(ids[given], ids[i], 32);
        given += changed == 1;
    }
    if (given > 0) {
        int64_t rc2 = db_run(db, "UPDATE key_pools SET free_keys = free_keys - ? WHERE id = ?",
                             "it", (int64_t)given, pool_id);
        if (rc2 < 0)
            return (int)rc2;
    }
    return given;
}

/* A key row's columns, in the order read_keys() reads them. */
#define KEY_COLUMNS "id, pool_id, sealed, grant_id, partner_id, COALESCE(assigned_at, 0), loaded_at"

/* The rows of st (KEY_COLUMNS), finalized, into *out, *count. */
static int read_keys(struct db_stmt *st, struct arena *a, struct key_row **out, int *count)
{
    struct rows r = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct key_row *k = rows_add(a, &r, sizeof(*k));
        k->id = arena_strdup(a, db_column_text(st, 0));
        k->pool_id = arena_strdup(a, db_column_text(st, 1));
        k->sealed = arena_strdup(a, db_column_text(st, 2));
        k->grant_id = db_column_text(st, 3) ? arena_strdup(a, db_column_text(st, 3)) : NULL;
        k->partner_id = db_column_text(st, 4) ? arena_strdup(a, db_column_text(st, 4)) : NULL;
        k->assigned_at = db_column_int64(st, 5);
        k->loaded_at = db_column_int64(st, 6);
    }
    db_finalize(st);
    *out = r.items;
    *count = r.count;
    return rc < 0 ? rc : 0;
}

int keys_list(struct db *db, struct arena *a, const char *grant_id, const char *partner_id,
              const char *pool_id, struct key_row **out, int *count)
{
    struct db_stmt *st;
    const char *sql =
        grant_id     ? "SELECT " KEY_COLUMNS " FROM product_keys WHERE grant_id = ? ORDER BY "
                       "assigned_at, seq"
        : partner_id ? "SELECT " KEY_COLUMNS " FROM product_keys WHERE partner_id = ? ORDER BY "
                       "assigned_at, seq"
                     : "SELECT " KEY_COLUMNS " FROM product_keys WHERE pool_id = ? ORDER BY seq";
    int rc = db_query(db, &st, sql, "t", grant_id ? grant_id : partner_id ? partner_id : pool_id);
    if (rc < 0)
        return rc;
    return read_keys(st, a, out, count);
}

int keys_page(struct db *db, struct arena *a, const char *pool_id, const struct page_request *p,
              struct key_row **out, int *count)
{
    struct db_stmt *st;
    struct page_sql q = {0};
    page_sql_start(&q, "SELECT " KEY_COLUMNS " FROM product_keys WHERE 1 = 1");
    page_sql_and_text(&q, "pool_id = ?", pool_id);
    page_sql_finish_by(&q, "loaded_at", "id", p);
    int rc = page_sql_run(db, &q, &st);
    if (rc < 0)
        return rc;
    return read_keys(st, a, out, count);
}

int keys_reseal(struct db *db, const char *id, const char *sealed, const char *fingerprint)
{
    int64_t rc = db_run(db, "UPDATE product_keys SET sealed = ?, fingerprint = ? WHERE id = ?",
                        "ttt", sealed, fingerprint, id);
    return rc < 0 ? (int)rc : 0;
}

/* Moves the queue figures of a pool by requests and keys: both positive (a row is made for
 * the pool's first) or both negative (taken off: its row exists since they were added). */
static int bqueue_move(struct db *db, const char *pool_id, int64_t requests, int64_t keys)
{
    /* a row's CHECKs see the values an INSERT proposes before its conflict: a negative
     * move is an UPDATE */
    int64_t rc =
        requests > 0
            ? db_run(db,
                     "INSERT INTO key_pool_queues (pool_id, queued_requests, queued_keys) "
                     "VALUES (?, ?, ?) ON CONFLICT (pool_id) DO UPDATE SET queued_requests = "
                     "key_pool_queues.queued_requests + excluded.queued_requests, queued_keys "
                     "= key_pool_queues.queued_keys + excluded.queued_keys",
                     "tii", pool_id, requests, keys)
            : db_run(db,
                     "UPDATE key_pool_queues SET queued_requests = queued_requests + ?, "
                     "queued_keys = queued_keys + ? WHERE pool_id = ?",
                     "iit", requests, keys, pool_id);
    return rc < 0 ? (int)rc : rc == 1 ? 0 : PD_E_INTERNAL;
}

int bqueue_insert(struct db *db, const char *grant_id, const char *pool_id, const char *partner_id,
                  int count, const char *user_id, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO benefit_queue (grant_id, pool_id, partner_id, count, "
                        "requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                        "(grant_id) DO NOTHING",
                        "tttiti", grant_id, pool_id, partner_id, (int64_t)count, user_id, now);
    if (rc > 0) { /* queued now (not before): counted */
        int moved = bqueue_move(db, pool_id, 1, count);
        if (moved < 0)
            return moved;
    }
    return rc < 0 ? (int)rc : rc > 0;
}

int bqueue_list(struct db *db, const char *pool_id, struct queued_row **out, int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT grant_id, partner_id, requested_by, count FROM benefit_queue WHERE "
                      "pool_id = ? ORDER BY created_at, grant_id",
                      "t", pool_id);
    if (rc < 0)
        return rc;
    int n = 0, cap = 0;
    struct queued_row *list = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct queued_row *more = realloc(list, (size_t)cap * sizeof(*list));
            if (more == NULL) {
                rc = PD_E_INTERNAL;
                break;
            }
            list = more;
        }
        snprintf(list[n].grant_id, sizeof(list[n].grant_id), "%s", db_column_text(st, 0));
        snprintf(list[n].partner_id, sizeof(list[n].partner_id), "%s", db_column_text(st, 1));
        snprintf(list[n].requested_by, sizeof(list[n].requested_by), "%s", db_column_text(st, 2));
        list[n++].count = (int)db_column_int64(st, 3);
    }
    db_finalize(st);
    if (rc < 0) {
        free(list);
        return rc;
    }
    *out = list;
    *count = n;
    return 0;
}

int bqueue_has(struct db *db, const char *grant_id)
{
    int64_t n = 0;
    int rc =
        db_scalar(db, &n, "SELECT COUNT(*) FROM benefit_queue WHERE grant_id = ?", "t", grant_id);
    return rc < 0 ? rc : n > 0;
}

int bqueue_delete(struct db *db, const char *grant_id, struct bqueue_taken *defer)
{
    struct db_stmt *st;
    /* the row this transaction took off, if any: one taken off by another is not counted
     * twice (PostgreSQL: the DELETE waits for it and then finds nothing) */
    int rc =
        db_query(db, &st, "DELETE FROM benefit_queue WHERE grant_id = ? RETURNING pool_id, count",
                 "t", grant_id);
    if (rc < 0)
        return rc;
    char pool_id[64] = "";
    int64_t count = 0;
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(pool_id, sizeof(pool_id), "%s", db_column_text(st, 0));
        count = db_column_int64(st, 1);
        rc = db_step(st);
    }
    db_finalize(st);
    if (rc < 0 || pool_id[0] == '\0')
        return rc < 0 ? rc : 0;
    if (defer == NULL)
        return bqueue_move(db, pool_id, -1, -count);
    defer->requests++;
    defer->keys += count;
    return 0;
}

int bqueue_settle(struct db *db, const char *pool_id, struct bqueue_taken *taken)
{
    int rc = 0;
    if (taken->requests > 0)
        rc = bqueue_move(db, pool_id, -taken->requests, -taken->keys);
    taken->requests = taken->keys = 0;
    return rc;
}
