/*
 * service/idempotency.h - the answers kept for Idempotency-Key replays (SPEC section 4).
 *
 * A caller (scope) claims a key for a request, identified by the SHA-256 of its method,
 * path and body. The first claim runs the request and keeps its answer; the same key
 * with the same request gets that answer again; with another request it is refused.
 * Answers are kept IDEMPOTENCY_SECONDS. api/idempotency.c reads the header and writes
 * the replay; this file decides.
 */
#ifndef PD_SERVICE_IDEMPOTENCY_H
#define PD_SERVICE_IDEMPOTENCY_H

#include <stddef.h>

#include "core/error.h"

struct db;

/* A kept answer. body is malloc'd (owner: the caller, free()). */
struct idempotency_answer {
    int status;
    char content_type[80];
    char *body;
};

/* Claims (scope, key) for the request whose hash is request_hash. 0: claimed, run the
 * request; 1: answered before, *replay holds the answer. PD_E_IDEMPOTENCY_KEY_REUSED
 * when the key served another request, PD_E_CONFLICT while the first request with it
 * still runs, or a database failure. */
int idempotency_claim(struct db *db, const char *scope, const char *key, const char *request_hash,
                      struct idempotency_answer *replay, struct pd_error *err);

/* Keeps the answer of a claimed key; a 5xx answer is not kept, so the client may retry. */
void idempotency_keep(struct db *db, const char *scope, const char *key, int status,
                      const char *content_type, const char *body, size_t len);

#endif
