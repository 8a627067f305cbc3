/*
 * service/wire_transfers.h - finance's side of wire payments: recording what arrived.
 *
 * A received transfer is recorded by hand or from a bank statement. The reference and
 * currency of an order awaiting payment, with exactly what it still owes (its total less
 * the transfers finance allocated to it), confirm it (its term starts on the day the money
 * was received); anything else is kept, with why, for review.
 */
#ifndef PD_SERVICE_WIRE_TRANSFERS_H
#define PD_SERVICE_WIRE_TRANSFERS_H

#include <jansson.h>

#include "service/page.h"
#include "core/error.h"
#include "service/principal.h"
#include "service/settings.h"
#include "store/wire_transfers.h"

struct camt_refs;
struct db;

/* Characters of a transfer's reference as finance types it or a CSV statement gives it: the
 * transfer keeps it in 39 bytes (store/wire_transfers.h), and a SEPA reference is ASCII. */
#define WIRE_REFERENCE_MAX 39

/* A received transfer as finance or a statement tells it. */
struct wire_received {
    /* reference: as typed, whole (WIRE_REFERENCE_MAX characters of up to 4 bytes each) */
    char date[11], currency[4], reference[164];
    int64_t amount;
    /* from a camt.053 statement, else NULL */
    const char *bank_ref, *payer_name, *payer_iban, *remittance;
    /* a camt.053 text's readings (core/camt.h), tried in turn instead of reference (left
     * empty then); the first is the reference recorded when none names an order. NULL:
     * reference alone */
    const struct camt_refs *readings;
};

/* In the caller's transaction: records one received transfer from source ("manual",
 * "statement", "camt053") and matches it; a matched transfer confirms its order. *w gets
 * the row recorded (its id and status). */
int wire_transfers_match(struct db *db, const struct settings *set, const struct principal *who,
                         const struct wire_received *t, const char *source,
                         struct wire_transfer_row *w);

/* Records a received transfer {"reference","amount_minor","currency","received_on"}.
 * *out is the transfer with its status. */
int wire_transfers_record(struct db *db, const struct principal *who, const char *ip,
                          const json_t *body, json_t **out, struct pd_error *err);

/* Records every transfer of a bank statement, CSV with the header
 * date,amount,currency,reference (amount in major units with a decimal point, e.g.
 * 490.00), all or none: a file with a wrong line records nothing, and details.lines says
 * what is wrong, worded in lang. *out: {"transfers","matched","items"}. */
int wire_transfers_import(struct db *db, const struct principal *who, const char *ip,
                          const char *csv, const char *lang, json_t **out, struct pd_error *err);

/* The query string of the list of transfers (NULL: not given). */
struct wire_transfers_query {
    struct page_in page;
    const char *status;
    const char *reference; /* the reference the payer wrote, exactly */
    const char *from, *to; /* recorded between these days (YYYY-MM-DD), both included */
};

/* A page of transfers, newest first. */
int wire_transfers_list_json(struct db *db, const struct wire_transfers_query *in, json_t **items,
                             char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* Finance resolves a transfer that paid no order by itself: {"action": "allocate",
 * "order_id"} gives it to a wire order awaiting payment (the transfers of an order add up;
 * the one that completes its total confirms it), "refund" sends it back whole (a wire
 * refund for finance to pay to its payer, "refund" in *out; {"note"} optional), "dismiss"
 * closes it with a reason ({"note"}, required). *out is the transfer, with "order_status"
 * after an allocation. */
int wire_transfers_resolve_json(struct db *db, const struct principal *who, const char *ip,
                                const char *id, const json_t *body, json_t **out,
                                struct pd_error *err);

#endif
