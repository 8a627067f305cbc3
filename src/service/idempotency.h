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
#include "core/holder.h"

/* Room for the holder text of a claim ("IDENTITY@SEQ", see core/holder.h). */
#define IDEMPOTENCY_HOLDER_MAX (HOLDER_MAX + 24)

struct db;

/* A kept answer. body is malloc'd (owner: the caller, free()). */
struct idempotency_answer {
    int status;
    char content_type[80];
    char *body;
};

/* Claims (scope, key) for the request whose hash is request_hash. 0: claimed, run the
 * request, holder (IDEMPOTENCY_HOLDER_MAX bytes) names the claim for idempotency_keep();
 * 1: answered before, *replay holds the answer. PD_E_IDEMPOTENCY_KEY_REUSED when the key
 * served another request, PD_E_CONFLICT while the first request with it still runs in a
 * live process, or a database failure. A key whose request died is claimed again. */
int idempotency_claim(struct db *db, const char *scope, const char *key, const char *request_hash,
                      char *holder, struct idempotency_answer *replay, struct pd_error *err);

/* Keeps the answer of the key claimed as holder, and ends the claim; a 5xx answer is not
 * kept, so the client may retry. */
void idempotency_keep(struct db *db, const char *scope, const char *key, const char *holder,
                      int status, const char *content_type, const char *body, size_t len);

#endif
