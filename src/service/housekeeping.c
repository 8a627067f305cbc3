/*
 * service/housekeeping.c - chores of the jobs that no use case owns.
 *
 * An Idempotency-Key answer is kept a day (IDEMPOTENCY_SECONDS) so that a client may
 * retry a request; after that the key may be used again and the row is dropped here.
 */
#include "service/housekeeping.h"

#include "core/clock.h"
#include "store/idempotency.h"

int housekeeping_idempotency_run(struct db *db)
{
    int rc = idem_expire(db, clock_now() - IDEMPOTENCY_SECONDS);
    return rc < 0 ? rc : 0;
}
