/*
 * service/payment_events.h - the gateway's signed events about charges.
 *
 * A charge that waited for the cardholder's challenge is settled by whichever comes first:
 * the partner's return (a Buy again), this event, or the recovery job. The event only says
 * which charge to look at: partnerd asks the gateway for its outcome and settles it once
 * (card_recover, service/card_recovery.c), so an event sent twice, or after the return,
 * changes nothing.
 */
#ifndef PD_SERVICE_PAYMENT_EVENTS_H
#define PD_SERVICE_PAYMENT_EVENTS_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct db;

/* The header that signs the gateway's events (Test-Gateway-Signature, Stripe-Signature). */
const char *payment_events_header(void);

/* A signed event (raw body of len bytes, its signature header) -> {"received": true,
 * "order_id"?, "status"?}. PD_E_EVENT_SIGNATURE when the signature does not hold. An event
 * about a charge partnerd does not know is received and ignored. */
int payment_events_receive(struct db *db, const char *body, size_t len, const char *signature,
                           json_t **out, struct pd_error *err);

#endif
