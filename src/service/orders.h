/*
 * service/orders.h - orders: created in review, then bought (Buy).
 *
 * The journey of SPEC section 4: an order is created in `review` with its lines, VAT and
 * total; Buy pays it by card at once (service/card.c: confirmed, or failed) or issues the
 * invoice with payment instructions for a wire transfer (service/wire.c:
 * awaiting_payment). A paid order starts a new term on the payment date
 * (service/confirm.c). This file holds the use cases partners call and the JSON of an
 * order; the payment methods hold the rest.
 */
#ifndef PD_SERVICE_ORDERS_H
#define PD_SERVICE_ORDERS_H

#include <jansson.h>
#include <stdbool.h>

#include "service/page.h"
#include "core/error.h"
#include "service/principal.h"
#include "store/orders.h"

struct db;

/* POST /orders: {"offer","action":"purchase"|"renewal","subscription_id"?,"payment":
 * {"method":"card","card":{"number","exp_month","exp_year","cvc","holder"?},"save"?} |
 * {"method":"card","saved_card":true} | {"method":"wire","contact":{"name","phone","email"}}}
 * -> the order in review. */
int orders_create(struct db *db, const struct principal *who, const char *ip, const json_t *body,
                  const char *lang, json_t **out, struct pd_error *err);

/* Buy. Card: charged now -> confirmed (or PD_E_PAYMENT_DECLINED, PD_E_INSUFFICIENT_FUNDS,
 * PD_E_PAYMENT_UNKNOWN); wire: invoice issued -> awaiting_payment. Buying an order already
 * confirmed or awaiting payment answers it again, nothing charged. */
int orders_purchase(struct db *db, const struct principal *who, const char *ip, const char *id,
                    const char *lang, json_t **out, struct pd_error *err);

/* One order of the caller's organisation. */
int orders_get(struct db *db, const struct principal *who, const char *id, const char *lang,
               json_t **out, struct pd_error *err);

/* The query string of a list of orders (NULL: not given). */
struct orders_query {
    struct page_in page;
    const char *status;     /* partners' list only */
    const char *reference;  /* the wire payment reference */
    const char *partner_id; /* staff's list only */
    const char *from, *to;  /* created between these days (YYYY-MM-DD), both included */
};

/* A page of the caller's organisation's orders, newest first. */
int orders_list_json(struct db *db, const struct principal *who, const struct orders_query *in,
                     const char *lang, json_t **items, char next[CURSOR_TEXT_MAX],
                     struct pd_error *err);

/* Staff: a page of the orders awaiting a wire transfer, newest first, with partner_id. */
int orders_awaiting_json(struct db *db, const struct orders_query *in, const char *lang,
                         json_t **items, char next[CURSOR_TEXT_MAX], struct pd_error *err);

/* An order made without anyone at the keyboard: the automatic renewal's. */
bool orders_automatic(const struct order_row *o);

/* What every outbox event about an order carries; the caller adds the rest. */
json_t *orders_event(struct db *db, const struct order_row *o);

/* The offer's name in lang (its code when it has none), as a JSON string. */
json_t *orders_offer_name(struct db *db, const char *code, const char *lang);

#endif
