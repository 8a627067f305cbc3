/*
 * gateway/test_gateway.h - what only the built-in test gateway has: the tokenization that a
 * real gateway does in its own hosted fields (partnerd serves it under /test-gateway/, apart
 * from its API, in test mode only).
 */
#ifndef PD_TEST_GATEWAY_H
#define PD_TEST_GATEWAY_H

#include "core/error.h"
#include "gateway/gateway.h"

struct gw_card {
    const char *number;
    int exp_month;
    int exp_year;
    const char *cvc;
    const char *holder;
};

/* Checks and tokenizes a card into a payment method. Errors: PD_E_CARD_INVALID,
 * PD_E_CARD_EXPIRED (details name the field: card.number, card.exp_month, card.cvc). */
int test_gateway_tokenize(const struct gw_card *card, struct gw_token *out, struct pd_error *err);

#endif
