/*
 * api/idempotency.h - the Idempotency-Key header (SPEC section 4).
 *
 * A change sent again with the same key and the same method, path and body gets the
 * first answer again (with Idempotent-Replayed: true) instead of being done twice; the
 * same key with another request is 409 idempotency_key_reused. Answers are kept 24 hours
 * per caller. A 5xx answer is not kept, so the client may retry; so may it when the first
 * request died unanswered (service/idempotency.c takes its key over). Routes whose answers
 * carry a secret (ROUTE_SECRET_RESPONSE) never store them and ignore the header.
 */
#ifndef PD_API_IDEMPOTENCY_H
#define PD_API_IDEMPOTENCY_H

#include "http/request.h"

/* Before the handler: 0 to go on, HTTP_ANSWERED after writing a replay, or an error. */
int idempotency_begin(struct req *r, struct resp *w);

/* After the handler: keeps the answer of a claimed key. */
void idempotency_end(struct req *r, struct resp *w);

#endif
