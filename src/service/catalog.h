/*
 * service/catalog.h - the offer catalog: its API objects, and the operator's changes to it
 * (a price, a new offer).
 *
 * An offer is shown in the caller's language: its name, description and benefit labels are
 * stored in fr and en (store/offers.c); every price is shown, by currency.
 */
#ifndef PD_SERVICE_CATALOG_H
#define PD_SERVICE_CATALOG_H

#include <jansson.h>

#include "core/error.h"
#include "service/principal.h"

struct db;

/* The catalog in display order, texts in lang: each offer as {"code","name","description",
 * "term_months","certified_required","benefits":[{"kind","label"}],"prices":{"EUR":49000}}. */
int catalog_list(struct db *db, const char *lang, json_t **items, struct pd_error *err);

/* The offer's names as {"fr": ..., "en": ...}; {} when it has none. A new reference. */
json_t *catalog_offer_names(struct db *db, const char *code);

/* The offer's name in lang, or JSON null when it has none there. A new reference. */
json_t *catalog_offer_name(struct db *db, const char *code, const char *lang);

/* Operator: {"amount_minor"} becomes the price of offer code in currency. */
int catalog_set_price(struct db *db, const struct principal *who, const char *ip, const char *code,
                      const char *currency, const json_t *body, struct pd_error *err);

/* Operator: adds an offer {"code","term_months"?,"certified_required"?,"name":{fr,en},
 * "description":{fr,en},"prices":{currency: amount},"benefits"?:[{kind,fr,en}]}. */
int catalog_add_offer(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, struct pd_error *err);

#endif
