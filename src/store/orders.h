/*
 * store/orders.h - SQL of orders.
 *
 * An order is what a partner buys (an offer, a purchase or a renewal) with its price, VAT
 * and how it is paid; its status moves review -> processing | awaiting_payment ->
 * confirmed | failed | payment_unknown | cancelled (service/orders.c tells the story).
 * Rows come out as struct order_row, fixed buffers, an empty string standing for NULL.
 * The writes that change an order's status also update the row the caller holds, so a
 * use case never reads its order again after writing it.
 */
#ifndef PD_STORE_ORDERS_H
#define PD_STORE_ORDERS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;

struct order_row {
    char id[32];
    char partner_id[32];
    char user_id[32]; /* empty for an automatic renewal */
    char offer_code[48];
    char action[12]; /* "purchase" or "renewal" */
    char subscription_id[32];
    char status[20];
    char currency[4];
    int64_t unit_amount, subtotal, tax_amount, total;
    int tax_rate; /* basis points: 2000 is 20 % */
    char tax_treatment[20];
    char payment_method[8]; /* "card" or "wire" */
    char card_token[48];
    char card_brand[16];
    char card_last4[5];
    int card_exp_month, card_exp_year;
    bool save_card;
    /* the token of the card saved when the order was made ("" when none); saved_card_known
     * is false for an order made before it was recorded. orders_insert() writes the card
     * saved as it inserts, unless the caller read it already (known: a payment with the
     * saved card) */
    char saved_card[48];
    bool saved_card_known;
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

/* Inserts a new order. */
int orders_insert(struct db *db, const struct order_row *o, int64_t now);

/* 1 and *out when the order exists, 0 when not. */
int orders_find(struct db *db, const char *id, struct order_row *out);

/* In the caller's transaction: locks the order's row and reads it as it stands once
 * locked (1 and *out), 0 when there is no such order. */
int orders_lock(struct db *db, const char *id, struct order_row *out);

/* In the caller's transaction: locks the order awaiting payment with this wire reference
 * and reads it (1 and *out), 0 when no order has the reference. */
int orders_lock_by_reference(struct db *db, const char *reference, struct order_row *out);

/* In the caller's transaction: locks the organisation's row, so that two purchases of one
 * organisation (checked against each other's open orders) take turns. */
int orders_lock_buyer(struct db *db, const char *partner_id);

/* In the caller's transaction: locks the organisation's open orders of the offer (awaiting a
 * transfer, or paid by card and not settled yet), so that a transfer's settlement waits for the
 * caller. *paying: how many of them are card payments under way (processing, payment_unknown). */
int orders_lock_open_of(struct db *db, const char *partner_id, const char *offer_code, int *paying);

/* 1 and the confirmed order that paid the subscription's current term (its latest). */
int orders_paying_term(struct db *db, const char *subscription_id, struct order_row *out);

/* What a list of orders is filtered by (NULL or 0: any). */
struct orders_filter {
    const char *partner_id, *status;
    const char *wire_reference; /* the payment reference a wire order gave */
    int64_t from, to;           /* created_at in [from, to) */
};

/* A page of orders, newest first: p->limit + 1 rows at most (malloc'd; owner: caller). */
int orders_page(struct db *db, const struct orders_filter *f, const struct page_request *p,
                struct order_row **out, int *count);

/* Orders in a status (every organisation), oldest first (malloc'd; owner: caller). */
int orders_in_status(struct db *db, const char *status, struct order_row **out, int *count);

/* Orders awaiting a transfer whose due date is before today (YYYY-MM-DD), by due date
 * (malloc'd; owner: caller). */
int orders_overdue(struct db *db, const char *today, struct order_row **out, int *count);

/* The subscription's orders awaiting a transfer, oldest first (malloc'd; owner: caller). */
int orders_awaiting_of(struct db *db, const char *subscription_id, struct order_row **out,
                       int *count);

/* The id of a card order of the subscription still being paid (processing: a charge sent,
 * or a bank's challenge open; payment_unknown: its answer lost) into out: 1, or 0. */
int orders_card_paying_of(struct db *db, const char *subscription_id, char *out, size_t n);

/* The statements above that the jobs run, for the query-plan checks (tests/unit/test_plans.c). */
extern const char orders_sql_paying_term[];
extern const char orders_sql_in_status[];
extern const char orders_sql_overdue[];
extern const char orders_sql_awaiting_of[];
extern const char orders_sql_count_open[];
extern const char orders_sql_open_method[];

/* Counts the organisation's orders for an offer and action that are being paid
 * (processing, payment_unknown or awaiting_payment), the order except_order_id aside. */
int orders_count_open(struct db *db, const char *partner_id, const char *offer_code,
                      const char *action, const char *except_order_id, int64_t *count);

/* The payment method ("card" or "wire") of the organisation's order for an offer and action
 * that is being paid (one at most: Buy refuses a second), into method (n bytes): 1, 0 ("")
 * when none is, or a db error. */
int orders_open_method(struct db *db, const char *partner_id, const char *offer_code,
                       const char *action, char *method, size_t n);

/* Moves an order from one status to another; 1 when it was in `from` (and *o says `to`),
 * 0 when it had moved on meanwhile. */
int orders_transition(struct db *db, struct order_row *o, const char *from, const char *to,
                      int64_t now);

/* Sets the status and failure code (NULL: none) and, when not NULL, the payment date,
 * invoice, subscription and due date; *o is updated to match. */
int orders_set_outcome(struct db *db, struct order_row *o, const char *status, const char *paid_on,
                       const char *invoice_id, const char *failure_code,
                       const char *subscription_id, const char *due_on, int64_t now);

#endif
