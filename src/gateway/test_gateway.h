/*
 * gateway/test_gateway.h - what only the built-in test gateway has: the tokenization that a
 * real gateway does in its own hosted fields (partnerd serves it under /test-gateway/, apart
 * from its API, in test mode only).
 */
#ifndef PD_TEST_GATEWAY_H
#define PD_TEST_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>

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

/* A 3-D Secure challenge of the test gateway, as its page shows it. */
struct test_challenge {
    char id[40];
    char status[12]; /* pending, passed, refused, expired */
    int64_t amount;
    char currency[4];
    char brand[16];
    char last4[5];
    char return_url[512];
};

/* The challenge id into *out: 1, 0 when there is none, or < 0. */
int test_gateway_challenge(const char *id, struct test_challenge *out);

/* The cardholder passes (the charge succeeds) or refuses (it is declined) the challenge id.
 * The gateway signs an event about the charge and keeps it in its ledger (gw_events), for it
 * to be sent to partnerd: *event (malloc'd body) and sig (its signature header). 1 when
 * decided now; 0 when it was no longer pending (nothing decided, no event); < 0. */
int test_gateway_challenge_decide(const char *id, bool pass, struct test_challenge *out,
                                  char **event, char sig[160]);

#endif
