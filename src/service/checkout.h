/*
 * service/checkout.h - orders, card and wire payments, invoices and credit notes.
 *
 * The journey of SPEC section 4: an order is created in `review` with its lines, VAT and
 * total; Buy charges the card at once (confirmed) or issues the invoice with payment
 * instructions (awaiting_payment) for a wire transfer. A paid order starts a new term on
 * the payment date. The gateway is called between two short transactions, never inside
 * one: an attempt row with its idempotency key is committed first, so a crash or a
 * timeout leaves a charge that the next attempt looks up instead of repeating.
 */
#ifndef PD_SERVICE_CHECKOUT_H
#define PD_SERVICE_CHECKOUT_H

#include <jansson.h>

#include "core/error.h"
#include "gateway/gateway.h"
#include "store/orders.h"
#include "service/principal.h"

struct db;

/* Wire transfers are due this many days after Buy. */
#define WIRE_DUE_DAYS 14

/* POST /orders: {"offer","action":"purchase"|"renewal","subscription_id"?,"payment":
 * {"method":"card","card":{"number","exp_month","exp_year","cvc","holder"?},"save"?} |
 * {"method":"card","saved_card":true} | {"method":"wire","contact":{"name","phone","email"}}}
 * -> the order in review. */
int orders_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                  const char *lang, json_t **out, struct pd_error *err);

/* Buy. Card: charged now -> confirmed (or PD_E_PAYMENT_DECLINED, PD_E_INSUFFICIENT_FUNDS,
 * PD_E_PAYMENT_UNKNOWN); wire: invoice issued -> awaiting_payment. */
int orders_purchase(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const char *lang, json_t **out, struct pd_error *err);

int orders_get(struct db *db, const struct principal *who, const char *id, const char *lang,
               json_t **out, struct pd_error *err);
int orders_list_json(struct db *db, const struct principal *who, const char *lang,
                     json_t **items);

/* Invoices and credit notes of the caller's organisation. */
int invoices_list_json(struct db *db, const struct principal *who, const char *lang,
                       json_t **items);
int invoices_get(struct db *db, const struct principal *who, const char *id, const char *lang,
                 json_t **out, struct pd_error *err);
/* The frozen document of an invoice (what its PDF shows). */
int invoices_document(struct db *db, const struct principal *who, const char *id,
                      json_t **document, struct pd_error *err);

/* The organisation's saved card, or null; replacing it with a new card. */
int payment_method_json(struct db *db, const struct principal *who, json_t **out);
int payment_method_replace(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err);

/* Finance: records a received transfer {"reference","amount_minor","currency",
 * "received_on"}. The exact amount and reference confirm the order; anything else is
 * kept for review. *out is the transfer with its status. */
int wire_record(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                json_t **out, struct pd_error *err);

/* Finance: a bank statement as CSV with the header date,amount,currency,reference
 * (amount in major units with a decimal point, e.g. 490.00). */
int bank_statement_import(struct db *db, const struct principal *who, const char *ip,
                          const char *csv, json_t **out, struct pd_error *err);

/* Staff: transfers (optionally in one status) and orders awaiting payment. */
int wire_list_json(struct db *db, const char *status, json_t **items, struct pd_error *err);
int orders_awaiting_json(struct db *db, const char *lang, json_t **items);

/* Jobs: cancel wire orders past their due date (credit note for the invoice), and
 * resolve card payments left pending or unknown. Return the number handled. */
/* For service/renewals.c, the automatic renewal. */

/* Fills the order's currency, price, VAT treatment, rate and total for the organisation. */
int checkout_price(struct db *db, const char *partner_id, const char *offer_code,
                   struct order_row *o, struct pd_error *err);

/* May the organisation renew this subscription today? 0, or the reason as an error. */
int checkout_eligible_renewal(struct db *db, const char *partner_id, const char *offer_code,
                              const char *sub_id, struct pd_error *err);

/* Charges the order's card with key (an attempt row already committed) and settles the
 * outcome in one transaction: confirmed with its new term, invoice and event, or failed
 * with its event. Never charges twice for one key. */
int checkout_charge(struct db *db, struct order_row *o, const char *key, enum gw_outcome *outcome);

/* For service/support.c, a refund: a credit note of the order's invoice for subtotal
 * (before VAT), issued in the caller's transaction. Its id into credit_id, its total
 * (VAT included) into *total. */
int checkout_credit(struct db *db, const char *order_id, int64_t subtotal, char *credit_id,
                    size_t n, int64_t *total);

int wire_expiry_run(struct db *db);
int payment_recovery_run(struct db *db);

#endif
