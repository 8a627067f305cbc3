/* jobs/deliver.h - the outbox_delivery job (see deliver.c). */
#ifndef PD_JOBS_DELIVER_H
#define PD_JOBS_DELIVER_H

struct db;

/* Sends due emails and webhooks. Returns how many went out, or a negative status. */
int outbox_delivery_run(struct db *db);

#endif
