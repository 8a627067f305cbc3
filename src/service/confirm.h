/*
 * service/confirm.h - what paying an order does.
 *
 * Whichever way it was paid (a card charge settled, a wire transfer matched), a paid order
 * starts a term of its subscription on the payment date, has its invoice, and is
 * confirmed; the partner is told by an event.
 */
#ifndef PD_SERVICE_CONFIRM_H
#define PD_SERVICE_CONFIRM_H

#include <jansson.h>
#include <stdbool.h>

#include "service/invoice_issue.h"
#include "service/settings.h"
#include "store/orders.h"

struct db;

/* In the caller's transaction: the subscription's new term starts on paid_on (a new
 * subscription for a purchase); a card order's invoice is issued now, due and paid on
 * that date; a card to save is saved; the order is confirmed, audited, and its event
 * (order.confirmed, or subscription.renewed for an automatic renewal) emitted. charge_id
 * may be NULL (a wire transfer). *o is updated to match; invoice, unless NULL, names the
 * order's invoice, as its event does. */
int confirm_order(struct db *db, const struct settings *set, struct order_row *o,
                  const char *paid_on, const char *charge_id, struct invoice_issued *invoice);

/* confirm_order() in two halves, for a transaction that confirms many orders (a batch of
 * automatic renewals): the invoices' numbers are taken together at its end. A number locks
 * its series' row until the commit; taken first, it would make every other transaction that
 * issues an invoice (the other part of a renewal pass, a partner's Buy) wait for the whole
 * batch, on PostgreSQL. */
struct confirm_pending {
    struct order_row *o; /* NULL: nothing left */
    bool drafted;        /* draft is the order's invoice, to number and issue */
    struct invoice_draft draft;
    json_t *event; /* the order's event, but for the invoice it names */
};

/* All of confirm_order() but the invoice's number and what names it (its row, document and
 * audit, and the event): those into *pending, which confirm_orders_end() finishes in the same
 * transaction; o is kept by the caller until then. On failure nothing is left in *pending. */
int confirm_order_begin(struct db *db, const struct settings *set, struct order_row *o,
                        const char *paid_on, const char *charge_id,
                        struct confirm_pending *pending);

/* The end of n confirm_order_begin() (those with nothing left are passed over): their
 * invoices numbered in their order, issued, and their events emitted. Every one is
 * emptied, finished or not. */
int confirm_orders_end(struct db *db, struct confirm_pending *pending, int n);

/* What one holds, freed; for a transaction that fails between the two halves. */
void confirm_pending_drop(struct confirm_pending *pending);

#endif
