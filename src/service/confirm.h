/*
 * service/confirm.h - what paying an order does.
 *
 * Whichever way it was paid (a card charge settled, a wire transfer matched), a paid order
 * starts a term of its subscription on the payment date, has its invoice, and is
 * confirmed; the partner is told by an event.
 */
#ifndef PD_SERVICE_CONFIRM_H
#define PD_SERVICE_CONFIRM_H

#include "service/settings.h"
#include "store/orders.h"

struct db;

/* In the caller's transaction: the subscription's new term starts on paid_on (a new
 * subscription for a purchase); a card order's invoice is issued now, due and paid on
 * that date; a card to save is saved; the order is confirmed, audited, and its event
 * (order.confirmed, or subscription.renewed for an automatic renewal) emitted. charge_id
 * may be NULL (a wire transfer). *o is updated to match. */
int confirm_order(struct db *db, const struct settings *set, struct order_row *o,
                  const char *paid_on, const char *charge_id);

#endif
