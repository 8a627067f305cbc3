/*
 * store/idempotency.h - SQL of the Idempotency-Key answers.
 *
 * A row is claimed by one process (holder, with a lease in real time) while its request
 * runs, then holds the answer. Taking a row over is a compare-and-set on the claim that
 * was read, so of two retries racing for an abandoned key only one wins.
 */
#ifndef PD_STORE_IDEMPOTENCY_H
#define PD_STORE_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "core/holder.h"

struct db;

/* How long an answer is kept for replays. */
#define IDEMPOTENCY_SECONDS ((int64_t)24 * 3600)

struct idem_row {
    char request_hash[65];
    int status; /* 0 while in progress */
    char content_type[80];
    char *body; /* malloc'd; owner: caller */
    int64_t created_at;
    char holder[HOLDER_MAX + 24]; /* "IDENTITY@SEQ"; "" when written before holders were kept */
    int64_t lease_until;     /* real time; 0 when not kept */
};

/* A new claim of a key: its request, its holder and lease, when (business time). */
struct idem_claim {
    const char *hash;
    const char *holder;
    int64_t lease_until;
    int64_t now;
};

/* Claims (scope, key) for a new request: 1 when claimed, 0 when the key exists. */
int idem_claim(struct db *db, const char *scope, const char *key, const struct idem_claim *c);
/* Takes over the row read as *seen (an abandoned claim or an expired answer) for the claim
 * c: 1 when taken, 0 when another request changed it since it was read. */
int idem_take_over(struct db *db, const char *scope, const char *key, const struct idem_row *seen,
                   const struct idem_claim *c);
/* 1 and *out when the key exists. */
int idem_find(struct db *db, const char *scope, const char *key, struct idem_row *out);
/* Keeps the answer of a key claimed by holder (nothing when another holder took it). */
int idem_complete(struct db *db, const char *scope, const char *key, const char *holder, int status,
                  const char *content_type, const char *body, size_t len);
/* Forgets a key still claimed by holder. */
int idem_forget(struct db *db, const char *scope, const char *key, const char *holder);
/* Drops answers older than before. */
int idem_expire(struct db *db, int64_t before);

#endif
