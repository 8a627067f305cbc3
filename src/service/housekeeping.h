/*
 * service/housekeeping.h - the small chores of the jobs: forgetting what is kept only
 * for a while.
 */
#ifndef PD_SERVICE_HOUSEKEEPING_H
#define PD_SERVICE_HOUSEKEEPING_H

struct db;

/* Forgets the Idempotency-Key answers older than a day. 0 or a negative status. */
int housekeeping_idempotency_run(struct db *db);

#endif
