/*
 * store/offers.h - SQL of the offer catalog and of certified people.
 */
#ifndef PD_STORE_OFFERS_H
#define PD_STORE_OFFERS_H

#include <jansson.h>
#include <stdint.h>

struct db;

struct offer_row {
    char code[48];
    int term_months;
    int certified_required;
};

/* 1 and *out when the offer exists. */
int offers_find(struct db *db, const char *code, struct offer_row *out);

/* The catalog in display order: each offer as {"code","name","description","term_months",
 * "certified_required","benefits":[{"kind","label"}],"prices":{"EUR":49000,...}}, texts in
 * lang. */
int offers_catalog(struct db *db, const char *lang, json_t **items);

/* The current price of an offer in a currency: 1 and *amount, or 0 when none. */
/* The offer's names as {"fr": ..., "en": ...}; {} when it has none. Owner: caller. */
json_t *offers_names(struct db *db, const char *code);

int offers_price(struct db *db, const char *code, const char *currency, int64_t *amount);

/* Inserts or replaces a price. */
int offers_set_price(struct db *db, const char *code, const char *currency, int64_t amount,
                     int64_t now);

/* Adds an offer with its texts (fr and en) and position after the last. */
int offers_insert(struct db *db, const struct offer_row *o, const char *name_fr,
                  const char *name_en, const char *description_fr, const char *description_en,
                  int64_t now);

int offers_add_benefit(struct db *db, const char *code, int position, const char *kind,
                       const char *fr, const char *en);

/* Certified people of an organisation. */
int certified_count(struct db *db, const char *partner_id, int64_t *count);
int certified_list(struct db *db, const char *partner_id, json_t **items);
/* PD_E_DB_CONSTRAINT when the email already counts for an organisation. */
int certified_insert(struct db *db, const char *id, const char *partner_id, const char *name,
                     const char *email, const char *certification, int64_t now);
/* 1 when the person belonged to the organisation and is gone. */
int certified_delete(struct db *db, const char *id, const char *partner_id);

#endif
