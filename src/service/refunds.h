/*
 * service/refunds.h - refunds of cancelled subscriptions: made when support resolves a
 * cancellation with a refund, paid by the gateway for a card charge or by finance by
 * transfer for a wire payment.
 */
#ifndef PD_SERVICE_REFUNDS_H
#define PD_SERVICE_REFUNDS_H

#include <jansson.h>

#include "core/date.h"
#include "core/error.h"
#include "service/page.h"
#include "service/principal.h"
#include "store/subscriptions.h"

struct wire_transfer_row;

struct order_row;

struct db;

/* What a resolution refunded: the refund row, the credit note and, for a card, the charge
 * the gateway is to refund. */
struct refund_made {
    char id[32]; /* empty: nothing refunded */
    char credit_id[32];
    char charge_id[64]; /* empty: finance pays it by transfer */
    int64_t amount;     /* VAT included */
};

/* Inside the caller's transaction: a credit note for what is left of the current term of
 * s from today, and the refund row (by the gateway for a card, else by finance). 1 and *out
 * when something was refunded, 0 when nothing was paid here or nothing is left. */
int refunds_make(struct db *db, const struct sub_row *s, const char *request_id, struct date today,
                 struct refund_made *out);

/* Inside the caller's transaction: the wire refund of what transfer_id paid over what order
 * o owed (amount > 0), for finance to pay back to its payer; its id into id. */
int refunds_of_surplus(struct db *db, const struct order_row *o, const char *transfer_id,
                       int64_t amount, char id[32]);

/* Inside the caller's transaction: the wire refund of the whole of transfer w, for finance to
 * pay back to its payer (of the organisation whose order it named, if any); its id into id. */
int refunds_of_transfer(struct db *db, const struct wire_transfer_row *w, char id[32]);

/* "card" or "wire". */
const char *refunds_method(const struct refund_made *f);

/* Outside any transaction: asks the gateway for a card refund; the key is the request's,
 * so asking again (the refund_retry job) never refunds twice. 1 when the gateway made it. */
int refunds_by_gateway(struct db *db, const char *refund_id, const char *request_id,
                       const char *charge_id, int64_t amount);

/* Finance: a page of refunds, newest first, optionally in one status (pending, refunded,
 * to_pay, sent, paid). */
int refunds_list(struct db *db, const char *status, const struct page_in *page, json_t **items,
                 char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Finance records the transfer that paid a wire refund: {"paid_on", "reference"?}. */
int refunds_record_paid(struct db *db, const struct principal *who, const char *ip, const char *id,
                        const json_t *body, json_t **out, struct pd_error *err);

/* Job: asks the gateway again for card refunds it has not confirmed; how many it made. */
int refunds_retry_run(struct db *db);

#endif
