/*
 * store/refunds.h - SQL of refunds: what a cancellation gives back, by the gateway (a card
 * charge: pending -> refunded) or by finance (a wire transfer: to_pay -> paid).
 *
 * Texts of rows read are copied into the caller's arena.
 */
#ifndef PD_STORE_REFUNDS_H
#define PD_STORE_REFUNDS_H

#include <stdint.h>

struct arena;
struct db;

/* A refund to insert. */
struct refund_new {
    char id[32];
    const char *request_id;
    const char *partner_id;
    const char *order_id;
    const char *invoice_id;
    const char *credit_note_id;
    int64_t amount; /* minor units, VAT included */
    const char *currency;
    const char *method; /* "card" (status pending) or "wire" (status to_pay) */
};

/* A refund with its request's number, its organisation and its credit note's number. */
struct refund_row {
    const char *id, *request_id, *request_number;
    const char *partner_id, *partner_legal_name, *partner_membership_id;
    const char *order_id, *invoice_id, *credit_note_id, *credit_note_number;
    int64_t amount;
    const char *currency, *method, *status;
    const char *gateway_refund_id, *paid_on, *reference; /* NULL until known */
    int64_t created_at;
};

/* A card refund the gateway has not confirmed yet. */
struct refund_due {
    char id[32];
    char request_id[32];
    char order_id[32];
    int64_t amount;
};

/* Inserts a refund, pending (card) or to_pay (wire). */
int refund_insert(struct db *db, const struct refund_new *r, int64_t now);

/* Refunds, newest first, at most 500; status NULL: all. *out in a. */
int refund_list(struct db *db, struct arena *a, const char *status, struct refund_row **out,
                int *count);

/* One refund: 1 and *out (texts in a), or 0. */
int refund_find(struct db *db, struct arena *a, const char *id, struct refund_row *out);

/* Card refunds still pending, oldest first, at most max into out. */
int refund_card_pending(struct db *db, struct refund_due *out, int max, int *count);

/* The gateway made it: pending -> refunded. 1 when it moved. */
int refund_set_refunded(struct db *db, const char *id, const char *gateway_refund_id, int64_t now);

/* Finance paid it by transfer: to_pay -> paid. 1 when it moved. */
int refund_set_paid(struct db *db, const char *id, const char *paid_on, const char *reference,
                    int64_t now);

#endif
