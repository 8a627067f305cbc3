/*
 * store/benefit_keys.h - SQL of product keys: their pools (one per product), the keys
 * (sealed: service/benefit_keys.c seals and opens them, never this file) and the queue of
 * activations waiting for keys.
 *
 * A key goes to one grant only: keys_take() runs with its pool locked (the caller's
 * transaction), and the UPDATE of each key re-checks that it is still free.
 */
#ifndef PD_STORE_BENEFIT_KEYS_H
#define PD_STORE_BENEFIT_KEYS_H

#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;

/* A pool with its figures (kept: migration 021). */
struct pool_row {
    const char *id;
    int64_t total, free, queued_requests, queued_keys;
    int low_notified;
    int64_t created_at;
};

/* A key as stored: sealed. */
struct key_row {
    const char *id, *pool_id, *sealed, *grant_id, *partner_id;
    int64_t assigned_at, loaded_at;
};

/* A waiting activation. */
struct queued_row {
    char grant_id[32];
    char partner_id[32];
    char requested_by[32];
    int count;
};

/* Pools with their counts, into a: a page (store/page.h: newest first, up to p->limit + 1)
 * or, p NULL, every pool by product (a reseal). */
int pools_list(struct db *db, struct arena *a, const struct page_request *p, struct pool_row **out,
               int *count);

/* A page of the keys of a pool, the last loaded first (store/page.h: by loaded_at and id,
 * up to p->limit + 1 rows after the cursor's), into a. */
int keys_page(struct db *db, struct arena *a, const char *pool_id, const struct page_request *p,
              struct key_row **out, int *count);

/* Creates the pool of a product if it has none. */
int pools_ensure(struct db *db, const char *id, int64_t now);

/* Locks the pool until commit (PostgreSQL: its row; SQLite: the write lock it holds).
 * 1 when it exists. */
int pools_lock(struct db *db, const char *id);

/* Keys of the pool not given yet (its kept figure). */
int pools_free(struct db *db, const char *id, int64_t *count);

/* Sets whether operators were told the pool runs low: 1 when it changed. */
int pools_set_low(struct db *db, const char *id, int low);

/* 1 when a key of this fingerprint was loaded already. */
int keys_exists(struct db *db, const char *fingerprint);

/* 1 when any key was ever loaded (each sealed with the key file), else 0. */
int keys_any(struct db *db);

/* Adds a sealed key to a pool. */
int keys_insert(struct db *db, const char *id, const char *pool_id, const char *sealed,
                const char *fingerprint, int64_t now);

/* Gives count free keys of the pool (oldest first) to a grant of partner_id; their ids into
 * ids (count of 32 bytes). Returns how many were given (less than count: caller rolls
 * back). Call with the pool locked. */
int keys_take(struct db *db, const char *pool_id, const char *grant_id, const char *partner_id,
              int count, int64_t now, char (*ids)[32]);

/* Keys of a grant (grant_id) or an organisation (partner_id) or a pool (pool_id): the
 * first not NULL decides. Into a, by assignment. */
int keys_list(struct db *db, struct arena *a, const char *grant_id, const char *partner_id,
              const char *pool_id, struct key_row **out, int *count);

/* Replaces the sealed form of a key (rotation). */
int keys_reseal(struct db *db, const char *id, const char *sealed, const char *fingerprint);

/* Queues an activation waiting for keys; a grant queued already stays as it was (0), 1
 * when queued now. */
int bqueue_insert(struct db *db, const char *grant_id, const char *pool_id, const char *partner_id,
                  int count, const char *user_id, int64_t now);

/* The waiting activations of a pool, first come first. *out malloc'd (owner: caller). */
int bqueue_list(struct db *db, const char *pool_id, struct queued_row **out, int *count);

/* 1 when the grant waits in the queue. */
int bqueue_has(struct db *db, const char *grant_id);

/* Queue figures taken off but not yet moved (bqueue_delete's defer). */
struct bqueue_taken {
    int64_t requests, keys;
};

/* Takes a grant off the queue (0 whether it was queued or not) and its pool's queue figures
 * with it: at once, or, defer not NULL, into *defer for one bqueue_settle() at the end of
 * the caller's work. The figures' row is locked last by every transaction: serving a queue
 * locks grant after grant, and must not hold that row meanwhile while the job, holding a
 * grant it revokes, waits for it (service/benefits.c benefits_serve_queue). */
int bqueue_delete(struct db *db, const char *grant_id, struct bqueue_taken *defer);

/* Moves the pool's queue figures by what *taken holds, and empties it. */
int bqueue_settle(struct db *db, const char *pool_id, struct bqueue_taken *taken);

#endif
