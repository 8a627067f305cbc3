/*
 * store/idempotency.h - SQL of the Idempotency-Key answers.
 */
#ifndef PD_STORE_IDEMPOTENCY_H
#define PD_STORE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* How long an answer is kept for replays. */
#define IDEMPOTENCY_SECONDS ((int64_t)24 * 3600)

struct idem_row {
    char request_hash[65];
    int status; /* 0 while in progress */
    char content_type[80];
    char *body; /* malloc'd; owner: caller */
    int64_t created_at;
};

/* Claims (scope, key) for a new request: 1 when claimed, 0 when the key exists. */
int idem_claim(struct db *db, const char *scope, const char *key, const char *hash, int64_t now);
/* 1 and *out when the key exists. */
int idem_find(struct db *db, const char *scope, const char *key, struct idem_row *out);
int idem_complete(struct db *db, const char *scope, const char *key, int status,
                  const char *content_type, const char *body, size_t len);
int idem_forget(struct db *db, const char *scope, const char *key);
/* Drops answers older than before. */
int idem_expire(struct db *db, int64_t before);

#endif
