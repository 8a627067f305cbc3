/*
 * service/card_attempts.h - what paying by card (service/card.c) and recovering lost
 * answers (service/card_recovery.c) share about an order's attempts. Internal to those two.
 */
#ifndef PD_SERVICE_CARD_ATTEMPTS_H
#define PD_SERVICE_CARD_ATTEMPTS_H

#include <stdbool.h>

#include "gateway/gateway.h"
#include "service/settings.h"
#include "store/orders.h"
#include "store/payments.h"

struct db;

/* Attempts an order may have at most (an automatic renewal's own included): a Buy that would
 * make one more is refused (PD_E_PAYMENT_ATTEMPTS), and the partner makes a new order, with
 * another card if need be, so one order is never tried without end (a script looping on Buy,
 * a card being tested). An attempt sent again with its own key is not a new one. No order
 * then has more lost attempts than this (orders made before the cap have 33 attempts at
 * most): reading this many of them reads them all. */
#define ATTEMPTS 40

/* An attempt whose answer never came back. */
bool card_attempt_lost(const struct payment_row *p);

/* An attempt waiting for the cardholder's authentication (with or without a challenge URL:
 * off session the gateway may give none). */
bool card_attempt_waiting(const struct payment_row *p);

/* The automatic renewal's own attempts are its keys ("auto:..."), charged off session; every
 * other attempt is the partner's, on session. */
bool card_off_session(const char *key);

/* The attempt with key of order_id into *p: 1, or 0 when there is none. */
int card_attempt_of(struct db *db, const char *order_id, const char *key, struct payment_row *p);

/* Settles the outcome g of the attempt with key in a transaction of its own, with the order
 * locked and read again (*o becomes what was written): written exactly once, whoever settles
 * it first. recovered: an answer lost and found later, which never replaces the saved card;
 * reason: the failure code of a decline, NULL for the gateway's. */
int card_settle(struct db *db, const struct settings *set, struct order_row *o, const char *key,
                const struct gw_result *g, bool recovered, const char *reason);

#endif
