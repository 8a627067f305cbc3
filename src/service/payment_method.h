/*
 * service/payment_method.h - the organisation's saved card.
 *
 * A card is saved when an order paid with it asked so (the default), or replaced here;
 * the automatic renewal charges it. Only the gateway's token and what may be shown (brand,
 * last 4 digits, expiry) are kept.
 */
#ifndef PD_SERVICE_PAYMENT_METHOD_H
#define PD_SERVICE_PAYMENT_METHOD_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* {"card": {"brand","last4","exp_month","exp_year"} or null}. */
int payment_method_json(struct db *db, const struct principal *who, json_t **out,
                        struct pd_error *err);

/* Replaces the saved card with a new one {"card": {...}} (tokenized by the gateway now);
 * *out as payment_method_json(). */
int payment_method_replace(struct db *db, const struct principal *who, const char *ip,
                           const json_t *body, json_t **out, struct pd_error *err);

/* The gateway the portal's card form hands cards to: {"name": "test"} or {"name": "stripe",
 * "publishable_key": "pk_..."} (public: the publishable key is meant for browsers). */
json_t *payment_gateway_json(void);

#endif
