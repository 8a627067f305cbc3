/*
 * store/offers.h - SQL of the offer catalog: offers, their texts, benefits and prices.
 *
 * Rows are typed; texts (names, descriptions, benefit labels) are copied into the arena the
 * caller passes and live as long as it. The JSON of an offer is shaped in service/catalog.c.
 */
#ifndef PD_STORE_OFFERS_H
#define PD_STORE_OFFERS_H

#include <stdint.h>

struct arena;
struct db;

/* An offer's rules. */
struct offer_row {
    char code[48];
    int term_months;
    int certified_required;
};

/* An offer of the catalog with its texts in one language (in the arena). */
struct offer_entry {
    struct offer_row offer;
    const char *name;
    const char *description;
};

/* A benefit of an offer, labelled in both languages (in the arena). */
struct offer_benefit {
    const char *offer_code;
    const char *kind; /* software, cloud, support, training, marketing */
    const char *fr, *en;
};

/* A current price of an offer. */
struct offer_price {
    const char *offer_code;
    char currency[4];
    int64_t amount_minor;
};

/* An offer's names; an empty name is one the offer does not have. */
struct offer_names {
    char fr[808], en[808];
};

/* 1 and *out when the offer exists. */
int offers_find(struct db *db, const char *code, struct offer_row *out);

/* The catalog in display order, texts in lang: *out an array of *count entries in a. Offers
 * without texts in lang are left out. */
int offers_catalog(struct db *db, struct arena *a, const char *lang, struct offer_entry **out,
                   int *count);

/* Every benefit of every offer, by offer and position, into a. */
int offers_benefits(struct db *db, struct arena *a, struct offer_benefit **out, int *count);

/* Every price of every offer, into a. */
int offers_prices(struct db *db, struct arena *a, struct offer_price **out, int *count);

/* The offer's names in every language it has; 0 (and empty names) when it has none. */
int offers_names(struct db *db, const char *code, struct offer_names *out);

/* The current price of an offer in a currency: 1 and *amount, or 0 when none. */
int offers_price(struct db *db, const char *code, const char *currency, int64_t *amount);

/* Inserts or replaces a price. */
int offers_set_price(struct db *db, const char *code, const char *currency, int64_t amount,
                     int64_t now);

/* Adds an offer with its texts (fr and en) and position after the last. */
int offers_insert(struct db *db, const struct offer_row *o, const char *name_fr,
                  const char *name_en, const char *description_fr, const char *description_en,
                  int64_t now);

/* Adds a benefit at position (1 for the first). */
int offers_add_benefit(struct db *db, const char *code, int position, const char *kind,
                       const char *fr, const char *en);

#endif
