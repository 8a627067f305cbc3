/*
 * store/wire_transfers.h - SQL of received wire transfers.
 *
 * Each transfer finance records (by hand or from a bank statement) is kept with what it
 * was matched to: the order it paid (matched), or why it could not pay one (partial,
 * excess, unknown_reference, not_awaiting, currency_mismatch), for review.
 */
#ifndef PD_STORE_WIRE_TRANSFERS_H
#define PD_STORE_WIRE_TRANSFERS_H

#include <stdint.h>

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
};

/* Inserts a received transfer. */
int wire_transfers_insert(struct db *db, const struct wire_transfer_row *w, int64_t now);

/* Transfers, newest first, in one status (NULL: all); malloc'd, owner: caller. */
int wire_transfers_list(struct db *db, const char *status, struct wire_transfer_row **out,
                        int *count);

#endif
