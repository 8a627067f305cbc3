/*
 * jobs/webhook_send.h - the outbox's webhooks POSTed, several at once (jobs/webhook_send.c).
 */
#ifndef PD_JOBS_WEBHOOK_SEND_H
#define PD_JOBS_WEBHOOK_SEND_H

#include "service/delivery.h"

struct db;

/* POSTs every webhook due by the pass's start, each recorded as its answer comes. Returns
 * how many were delivered (a 2xx answer), or a negative status. */
int webhooks_send(struct db *db, struct delivery_pass *p);

#endif
