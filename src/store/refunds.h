/*
 * store/refunds.h - SQL of refunds: what a cancellation gives back, by the gateway (a card
 * charge: pending -> refunded) or by finance (a wire transfer: to_pay -> paid, or to_pay
 * -> sent in a transfer file -> paid when a statement shows it); the surplus of a transfer
 * that paid more than its order owed, by finance too; and the transfer files.
 *
 * Texts of rows read are copied into the caller's arena.
 */
#ifndef PD_STORE_REFUNDS_H
#define PD_STORE_REFUNDS_H

#include <stdint.h>

#include "core/cursor.h"

struct arena;
struct db;

/* A refund to insert: a cancellation's (request_id and credit_note_id), or a transfer's
 * surplus (transfer_id, by wire). */
struct refund_new {
    char id[32];
    const char *reason; /* "cancellation", "surplus" or "transfer" (sent back whole) */
    const char *request_id;
    const char *partner_id;
    const char *order_id;
    const char *invoice_id;
    const char *credit_note_id;
    const char *transfer_id;
    int64_t amount; /* minor units, VAT included */
    const char *currency;
    const char *method; /* "card" (status pending) or "wire" (status to_pay) */
};

/* A refund with its request's number, its organisation, its invoice's and its credit note's
 * numbers. A surplus has no request and no credit note (NULL) but a transfer; a transfer sent
 * back whole has no invoice either, nor an organisation when it named no order. */
struct refund_row {
    const char *id, *reason, *request_id, *request_number;
    const char *partner_id, *partner_legal_name, *partner_membership_id;
    const char *order_id, *invoice_id, *invoice_number, *credit_note_id, *credit_note_number;
    const char *transfer_id;
    /* the transfer's (a surplus, or one sent back): who paid, from where, when, saying what */
    const char *payer_name, *payer_iban, *transfer_received_on, *transfer_reference;
    int64_t amount;
    const char *currency, *method, *status;
    const char *gateway_refund_id, *paid_on, *reference; /* NULL until known */
    int64_t created_at;
    /* a wire refund in a transfer file: who it went to, how the statement names it */
    const char *payee_name, *payee_iban, *end_to_end_id, *transfer_file_id; /* NULL before */
};

/* A SEPA credit transfer file (pain.001) made for refunds. */
struct transfer_file {
    char id[32];
    char msg_id[36];
    int transfers;
    int64_t control_sum; /* minor units */
    char currency[4];
    char execution_date[11];
    char created_by[32]; /* "" for none */
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

/* A page of refunds, newest first: p->limit + 1 rows at most; status NULL: all. *out in a. */
int refund_page(struct db *db, struct arena *a, const char *status, const struct page_request *p,
                struct refund_row **out, int *count);

/* One refund: 1 and *out (texts in a), or 0. */
int refund_find(struct db *db, struct arena *a, const char *id, struct refund_row *out);

/* Card refunds still pending, oldest first, at most max into out. */
int refund_card_pending(struct db *db, struct refund_due *out, int max, int *count);

/* The gateway made it: pending -> refunded. 1 when it moved. */
int refund_set_refunded(struct db *db, const char *id, const char *gateway_refund_id, int64_t now);

/* Finance paid it by transfer: to_pay or sent -> paid. 1 when it moved. */
int refund_set_paid(struct db *db, const char *id, const char *paid_on, const char *reference,
                    int64_t now);

/* A wire refund put in transfer file file_id: to_pay -> sent. 1 when it moved. */
int refund_set_sent(struct db *db, const char *id, const char *payee_name, const char *payee_iban,
                    const char *end_to_end_id, const char *file_id, int64_t now);

/* The sent refund of an EndToEndId for that amount and currency: 1 with its id and
 * organisation ("" for a transfer sent back that named no order), or 0. */
int refund_sent_by_end_to_end(struct db *db, const char *end_to_end_id, int64_t amount,
                              const char *currency, char id[32],
                              char partner_id[32]);

/* Keeps a transfer file and its XML. */
int refund_transfer_file_insert(struct db *db, const struct transfer_file *f, const char *document,
                                int64_t now);

/* The XML of a transfer file: 1 and *document (malloc'd, owner: caller, free()), or 0. */
int refund_transfer_file_document(struct db *db, const char *id, char **document);

#endif
