/*
 * service/wire.h - paying an order by wire transfer.
 *
 * Buy issues the invoice at once with payment instructions (the seller's IBAN and BIC and
 * an ISO 11649 reference unique to the order) and the order awaits payment for
 * WIRE_DUE_DAYS; a purchase's subscription is created unpaid meanwhile, so a second
 * purchase is refused. Finance records the transfer when it arrives
 * (service/wire_transfers.c). Unpaid at its due date, the order is cancelled and its
 * invoice credited (wire_expiry_run).
 */
#ifndef PD_SERVICE_WIRE_H
#define PD_SERVICE_WIRE_H

#include <jansson.h>

#include "core/error.h"
#include "service/invoice_issue.h"
#include "service/principal.h"
#include "service/settings.h"
#include "store/orders.h"
#include "store/wire_transfers.h"

struct db;

/* Wire transfers are due this many days after Buy. */
#define WIRE_DUE_DAYS 14

/* Gives a new wire order its payment reference, from its random id. */
void wire_reference_new(struct order_row *o);

/* The payment instructions of a wire order that awaits or awaited payment,
 * {"iban","bic","reference","due_on"}, or JSON null for any other order. */
json_t *wire_instructions(const struct settings *set, const struct order_row *o);

/* Buy by wire, in the caller's transaction with the order *o locked: the order must be in
 * review and eligible; its invoice is issued with the instructions and it awaits payment
 * (*o updated), with its audit entry and invoice.issued event. */
int wire_purchase(struct db *db, const struct settings *set, const struct principal *who,
                  const char *ip, struct order_row *o, struct pd_error *err);

/* In the caller's transaction: payment.surplus, to the billing contacts and the contact named
 * for the payment: the transfers of wire order o came to received, surplus more than its
 * invoice (as confirm_order() named it) asked, which refund refund_id pays back to the account
 * it came from. */
int wire_emit_surplus(struct db *db, const struct order_row *o,
                      const struct invoice_issued *invoice, int64_t received, int64_t surplus,
                      const char *refund_id);

/* In the caller's transaction: payment.returned, to the billing contacts and the contact named
 * for the payment of order o: its transfer w (received, amount) goes back whole, by refund
 * refund_id, to the account it came from. */
int wire_emit_returned(struct db *db, const struct order_row *o, const struct wire_transfer_row *w,
                       const char *refund_id);

/* Job: cancels wire orders still unpaid after their due date, each in its own
 * transaction, with a credit note for its invoice; the transfers allocated to one go back
 * to finance's review. Returns how many, or a failure. */
int wire_expiry_run(struct db *db);

/* In the caller's transaction: cancels the wire orders still awaiting payment for
 * subscription_id (a purchase the PMC import supersedes, a subscription support cancels),
 * each invoice credited, its
 * allocated transfers back to finance's review, the audit saying reason; no email. Returns
 * how many, or a failure. */
int wire_cancel_waiting(struct db *db, const struct settings *set, const char *subscription_id,
                        const char *reason);

#endif
