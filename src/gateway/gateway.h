/*
 * gateway/gateway.h - the payment gateway, as partnerd sees it.
 *
 * Card data goes to the gateway and never further: tokenize() returns a token, a brand,
 * the last 4 digits and the expiry, which is all partnerd keeps. Every charge carries an
 * idempotency key: charging again with the same key returns the first charge's outcome,
 * and lookup() tells what became of a charge whose answer was lost (a timeout).
 */
#ifndef PD_GATEWAY_H
#define PD_GATEWAY_H

#include <stdint.h>

#include "core/error.h"

struct gw_card {
    const char *number;
    int exp_month;
    int exp_year;
    const char *cvc;
    const char *holder;
};

struct gw_token {
    char token[48];
    char brand[16];
    char last4[5];
    int exp_month;
    int exp_year;
};

enum gw_outcome {
    GW_SUCCEEDED,
    GW_DECLINED,
    GW_INSUFFICIENT_FUNDS,
    GW_UNKNOWN,   /* no answer (timeout): the charge may or may not have happened */
    GW_NOT_FOUND, /* lookup: no charge with this key */
};

struct gw_result {
    enum gw_outcome outcome;
    char charge_id[48];
};

/* Opens the test gateway with its ledger (a SQLite file of its own). Call once. */
int gateway_open_test(const char *ledger_path, struct pd_error *err);

/* Closes the gateway. */
void gateway_close(void);

/* Checks and tokenizes a card. Errors: PD_E_CARD_INVALID, PD_E_CARD_EXPIRED (details name
 * the field). */
int gateway_tokenize(const struct gw_card *card, struct gw_token *out, struct pd_error *err);

/* Charges a token. The same key returns the first outcome without charging again. */
int gateway_charge(const char *token, int64_t amount, const char *currency, const char *key,
                   struct gw_result *out);

/* What became of the charge made with key. */
int gateway_lookup(const char *key, struct gw_result *out);

/* Refunds (part of) a charge; the same key refunds once and answers the same again.
 * GW_SUCCEEDED with the refund id in out->charge_id, or GW_DECLINED (no such charge, or
 * less than amount on it). */
int gateway_refund(const char *charge_id, int64_t amount, const char *key, struct gw_result *out);

/* "succeeded", "declined", ... */
const char *gw_outcome_name(enum gw_outcome o);

#endif
