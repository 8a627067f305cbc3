/*
 * service/test_gateway.h - what the built-in test gateway shows the browser, served by
 * partnerd under /test-gateway/ (apart from its API) while the test gateway is in use: the
 * tokenization a real gateway does in its hosted fields, and the 3-D Secure challenge page.
 * A server with a real gateway answers 404 there.
 */
#ifndef PD_SERVICE_TEST_GATEWAY_H
#define PD_SERVICE_TEST_GATEWAY_H

#include <jansson.h>
#include <stdbool.h>

#include <stddef.h>

#include "core/error.h"

struct db;

/* True when the test gateway is the gateway in use. */
bool test_gateway_enabled(void);

/* POST /test-gateway/v1/tokens {"card":{"number","exp_month","exp_year","cvc","holder"?}}
 * -> {"id","object":"payment_method","brand","last4","exp_month","exp_year"}. Problems name
 * card.number, card.exp_month, card.exp_year, card.cvc. */
int test_gateway_tokens_create(const json_t *body, json_t **out, struct pd_error *err);

/* GET /test-gateway/v1/challenges/{id}: the challenge page in lang (HTML, malloc'd into
 * *html): the amount and card, « Valider » and « Refuser ». PD_E_NOT_FOUND. */
int test_gateway_challenge_page(const char *id, const char *lang, char **html,
                                struct pd_error *err);

/* POST /test-gateway/v1/challenges/{id}: the cardholder passes or refuses it. The gateway
 * then sends its signed event to partnerd (handled here, in process, as
 * service/payment_events.c handles one received over HTTP), unless hold (a test keeps it
 * in the ledger's gw_events to send it itself, later or twice). location (n bytes): where
 * the browser goes back to (the return URL, with ?challenge=passed|refused|expired). */
int test_gateway_challenge_answer(struct db *db, const char *id, bool pass, bool hold,
                                  char *location, size_t n, struct pd_error *err);

/* The page that sends the browser back to location (HTML, malloc'd). */
char *test_gateway_back_page(const char *location, const char *lang);

#endif
