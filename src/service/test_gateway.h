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

#include "core/error.h"

/* True when the test gateway is the gateway in use. */
bool test_gateway_enabled(void);

/* POST /test-gateway/v1/tokens {"card":{"number","exp_month","exp_year","cvc","holder"?}}
 * -> {"id","object":"payment_method","brand","last4","exp_month","exp_year"}. Problems name
 * card.number, card.exp_month, card.exp_year, card.cvc. */
int test_gateway_tokens_create(const json_t *body, json_t **out, struct pd_error *err);

#endif
