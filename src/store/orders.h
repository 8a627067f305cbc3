/*
 * store/orders.h - SQL of orders, payments, the saved card, invoices and wire transfers.
 */
#ifndef PD_STORE_ORDERS_H
#define PD_STORE_ORDERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db;

struct order_row {
    char id[32];
    char partner_id[32];
    char user_id[32];
    char offer_code[48];
    char action[12];
    char subscription_id[32];
    char status[20];
    char currency[4];
    int64_t unit_amount, subtotal, tax_amount, total;
    int tax_rate;
    char tax_treatment[20];
    char payment_method[8];
    char card_token[48];
    char card_brand[16];
    char card_last4[5];
    int card_exp_month, card_exp_year;
    bool save_card;
    char wire_name[256];
    char wire_phone[40];
    char wire_email[256];
    char wire_reference[32];
    char due_on[11];
    char paid_on[11];
    char invoice_id[32];
    char failure_code[40];
    int64_t created_at;
};

int orders_insert(struct db *db, const struct order_row *o, int64_t now);
int orders_find(struct db *db, const char *id, struct order_row *out);
/* 1 and *out for the order awaiting payment with this wire reference. */
int orders_find_by_reference(struct db *db, const char *reference, struct order_row *out);
/* 1 and the confirmed order that paid the subscription's current term (its latest). */
int orders_paying_term(struct db *db, const char *subscription_id, struct order_row *out);
/* The organisation's orders, newest first (malloc'd array; owner: caller). */
int orders_list(struct db *db, const char *partner_id, struct order_row **out, int *count);
/* Orders in a status (every organisation), oldest first. */
int orders_in_status(struct db *db, const char *status, struct order_row **out, int *count);
/* Counts the organisation's orders for an offer and action that are being paid
 * (processing, payment_unknown or awaiting_payment), the order except_order_id aside. */
int orders_count_open(struct db *db, const char *partner_id, const char *offer_code,
                      const char *action, const char *except_order_id, int64_t *count);
/* Moves an order from one status to another; 1 when it was in `from`. */
int orders_transition(struct db *db, const char *id, const char *from, const char *to,
                      int64_t now);
int orders_set_outcome(struct db *db, const char *id, const char *status, const char *paid_on,
                       const char *invoice_id, const char *failure_code,
                       const char *subscription_id, const char *due_on, int64_t now);

struct payment_row {
    char id[32];
    int attempt;
    char key[80];
    char status[12];
    int64_t created_at;
};

int payments_insert(struct db *db, const char *order_id, int attempt, const char *method,
                    const char *key, int64_t amount, const char *currency, int64_t now,
                    char *id_out, size_t n);
int payments_set(struct db *db, const char *key, const char *status, const char *charge_id,
                 const char *failure_code, int64_t now);
/* Payments of an order, by attempt. */
int payments_of(struct db *db, const char *order_id, struct payment_row *out, int max, int *count);
/* The gateway charge id of the order's successful payment, or 0. */
int payments_succeeded_charge(struct db *db, const char *order_id, char *charge_id, size_t n);

int payment_method_save(struct db *db, const char *partner_id, const struct order_row *o,
                        int64_t now);
/* 1 and the card when the organisation has one saved. */
int payment_method_get(struct db *db, const char *partner_id, struct order_row *card);

/* Takes the next number of a series ("invoice:2027") inside the caller's transaction. */
int counters_next(struct db *db, const char *series, int64_t *value);

struct invoice_row {
    char id[32];
    char type[12];
    char number[24];
    char partner_id[32];
    char order_id[32];
    char credits_invoice_id[32];
    char issued_on[11];
    char due_on[11];
    char currency[4];
    int64_t subtotal, tax_amount, total;
    int tax_rate;
    char tax_treatment[20];
    char lang[3];
    int64_t created_at;
};

int invoices_insert(struct db *db, const struct invoice_row *inv, const char *service_start,
                    const char *service_end, const char *document, int64_t now);
int invoices_find(struct db *db, const char *id, struct invoice_row *out, char **document);
int invoices_list(struct db *db, const char *partner_id, struct invoice_row **out, int *count);
/* Invoiced per month and currency from `from` (YYYY-MM-DD) on, credit notes deducted:
 * [{"month":"2027-06","currency","amount_minor","invoices"}] by month. */
int invoices_revenue_by_month(struct db *db, const char *from, json_t **items);
/* 1 when a credit note already cancels or refunds the invoice. */
int invoices_credited(struct db *db, const char *invoice_id);

int wire_insert(struct db *db, const char *id, const char *reference, int64_t amount,
                const char *currency, const char *received_on, const char *status,
                const char *order_id, const char *source, const char *recorded_by, int64_t now);
/* Wire transfers, newest first, optionally in one status, as API objects. */
int wire_list(struct db *db, const char *status, json_t **items);

#endif
