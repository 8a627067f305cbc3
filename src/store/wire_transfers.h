/*
 * store/wire_transfers.h - SQL of received wire transfers.
 *
 * Each transfer finance records (by hand or from a bank statement) is kept with what it
 * was matched to: the order it paid (matched), or why it could not pay one (partial,
 * excess, unknown_reference, not_awaiting, currency_mismatch), for review.
 */
#ifndef PD_STORE_WIRE_TRANSFERS_H
#define PD_STORE_WIRE_TRANSFERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"

struct db;

struct wire_transfer_row {
    char id[32];
    char reference[40];
    int64_t amount;
    char currency[4];
    char received_on[11];
    char status[20];
    char order_id[32];    /* empty when it matched no order */
    char source[12];      /* "manual" or "statement" */
    char recorded_by[32]; /* the staff user; empty for none */
    /* from a camt.053 statement; NULL otherwise */
    const char *bank_ref;   /* the entry in the bank's books (statement/entry/transaction) */
    const char *payer_name; /* who paid */
    const char *payer_iban; /* from which account */
    const char *remittance; /* what the payer wrote (its unstructured text) */
    /* finance's resolution of a transfer that paid no order by itself: "allocated",
     * "refunded", "dismissed", or empty while it waits for review */
    char resolution[12];
    char resolution_note[256];
    /* why a transfer finance had resolved is to review again: "order_cancelled" (the order
     * it was allocated to was cancelled unpaid), or empty */
    char review_reason[20];
    /* read only: the organisation of order_id, when there is one */
    char partner_id[32];
    char partner_name[256];
    char order_reference[32];
    int64_t created_at; /* when it was recorded */
    /* read only: payer_name and payer_iban as kept (empty when no statement showed them) */
    char payer[568];
    char payer_account[35];
    char remittance_text[141]; /* read only: remittance as kept (empty for none) */
    char order_status[24];     /* read only: the status of order_id, empty for none */
};

/* Inserts a received transfer. */
int wire_transfers_insert(struct db *db, const struct wire_transfer_row *w, int64_t now);

/* The latest transfer recorded under reference (as kept) for amount and currency: 1 with
 * its id and order (empty for none), 0 when there is none. */
int wire_transfers_find(struct db *db, const char *reference, int64_t amount, const char *currency,
                        char id[32], char order_id[32]);

/* Inside an import's transaction: waits until no other import of a bank file (CSV or
 * camt.053) is under way, then holds that turn until the transaction ends. Two uploads of
 * one file at the same moment: the second finds every line imported by the first. */
int wire_transfers_lock_imports(struct db *db);

/* 1 when a transfer of that bank reference is recorded already, else 0. */
int wire_transfers_seen(struct db *db, const char *bank_ref);

/* The account that paid an order by transfer (the latest of its transfers, matched or
 * allocated, from a camt.053 statement): 1 with name and IBAN, 0 when unknown. */
int wire_transfers_payer_of(struct db *db, const char *order_id,
                            char *name, size_t name_size,
                            char *iban, size_t iban_size);

/* What finance filters transfers by (NULL or 0: any). */
struct wire_transfers_filter {
    const char *status;
    const char *reference; /* the reference the payer wrote, exactly */
    int64_t from, to;      /* recorded (created_at) in [from, to) */
};

/* A page of transfers, newest first, with the organisation of their order: p->limit + 1
 * rows at most; malloc'd, owner: caller. */
int wire_transfers_page(struct db *db, const struct wire_transfers_filter *f,
                        const struct page_request *p, struct wire_transfer_row **out, int *count);

/* In the caller's transaction: locks the transfer's row and reads it (1 and *out), 0 when
 * there is no such transfer. */
int wire_transfers_lock(struct db *db, const char *id, struct wire_transfer_row *out);

/* Sets a transfer's resolution (and the order it is allocated to, when not NULL). */
int wire_transfers_resolve(struct db *db, const char *id, const char *resolution, const char *note,
                           const char *order_id, const char *by, int64_t now);

/* Takes a transfer's resolution back: it is to review again, its order the one its reference
 * names (order_id), or none (NULL). */
int wire_transfers_unresolve(struct db *db, const char *id, const char *order_id);

/* In the caller's transaction: gives the transfers allocated to order_id back to finance's
 * review (no resolution), reason saying why. How many, or a db error. */
int wire_transfers_reopen(struct db *db, const char *order_id, const char *reason);

/* What the transfers given to an order add up to: those that matched it and those finance
 * allocated to it. */
int wire_transfers_paid_to(struct db *db, const char *order_id, int64_t *sum);

#endif
