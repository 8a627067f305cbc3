/*
 * store/payments.h - SQL of card payment attempts and of the saved card.
 *
 * Every attempt to charge an order is a row with its idempotency key, committed before
 * the gateway is called (service/card.c): pending, then succeeded, failed or unknown.
 * The saved card is one row per organisation: the gateway's token and what may be shown.
 */
#ifndef PD_STORE_PAYMENTS_H
#define PD_STORE_PAYMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/orders.h"

struct db;

struct payment_row {
    char id[32];
    int attempt;
    char key[80];
    char status[12]; /* pending, succeeded, failed, unknown */
    int64_t created_at;
    int64_t sent_at;      /* real time it was last sent; 0 for an attempt made before it was kept */
    char action_url[512]; /* pending: the cardholder's challenge, or "" */
    int64_t action_expires_at; /* when that challenge is given up (business clock), or 0 */
    char failure_code[32];     /* failed: why ("authentication_required": handed over), or "" */
};

/* Inserts a pending attempt, sent now in real time (a Buy calls the gateway right after it
 * commits; a renewal batch, after the batch's earlier charges: up to RENEWAL_BATCH calls
 * later); its new id into id_out (n bytes). */
int payments_insert(struct db *db, const char *order_id, int attempt, const char *method,
                    const char *key, int64_t amount, const char *currency, int64_t now,
                    char *id_out, size_t n);

/* Sets the outcome of the attempt with key; charge_id (kept when NULL) and failure_code
 * may be NULL. */
int payments_set(struct db *db, const char *key, const char *status, const char *charge_id,
                 const char *failure_code, int64_t now);

/* Keeps the challenge the pending attempt with key waits for, and when it is given up. */
int payments_set_action(struct db *db, const char *key, const char *url, int64_t expires_at,
                        int64_t now);

/* The order id of the attempt with key into order_id (n bytes): 1, or 0 when none. */
int payments_order_of(struct db *db, const char *key, char *order_id, size_t n);

/* Marks the lost (pending or unknown) attempt with key as sent again now (real time): 1,
 * or 0 when it is no longer lost. */
int payments_resend(struct db *db, const char *key, int64_t real_now, int64_t now);

/* Fails the lost attempt with key ("not_sent") if it was last sent at sent_at: 1, or 0 when
 * it was settled or sent again since. */
int payments_give_up(struct db *db, const char *key, int64_t sent_at, int64_t now);

/* At most max payments of an order, by attempt (the first ones), into out; their number into
 * *count. */
int payments_of(struct db *db, const char *order_id, struct payment_row *out, int max, int *count);

/* At most max of the order's attempts still pending or unknown (lost answers, challenges
 * waiting), by attempt, into out; their number into *count. */
int payments_lost_of(struct db *db, const char *order_id, struct payment_row *out, int max,
                     int *count);

/* The attempt with key of order_id into *p: 1, or 0 when there is none. */
int payments_find(struct db *db, const char *order_id, const char *key, struct payment_row *p);

/* 1 and the gateway charge id of the order's successful payment, or 0. */
int payments_succeeded_charge(struct db *db, const char *order_id, char *charge_id, size_t n);

/* Saves the card of o (token, brand, last4, expiry) as the organisation's, replacing any:
 * the partner's own choice (PUT /api/v1/payment-method). */
int payment_method_save(struct db *db, const char *partner_id, const struct order_row *o,
                        int64_t now);

/* Saves the card order o was paid with, the same way, unless the partner saved another card
 * since the order was made (o->saved_card): that one stays. */
int payment_method_save_paid(struct db *db, const struct order_row *o, int64_t now);

/* 1 and the card, in the card_* fields of *card, when the organisation has one saved. */
int payment_method_get(struct db *db, const char *partner_id, struct order_row *card);

#endif
