/*
 * service/pricing.h - what an organisation pays for an offer, and which VAT applies.
 *
 * The price is the offer's in the organisation's currency; VAT follows SPEC section 5:
 * the seller's rate at home, reverse charge for an EU business with a VAT ID, the buyer's
 * country rate for an EU buyer without one, none outside the EU. The buyer's facts read
 * here are also those an invoice is issued to (service/invoice_issue.c).
 */
#ifndef PD_SERVICE_PRICING_H
#define PD_SERVICE_PRICING_H

#include "core/error.h"
#include "service/settings.h"
#include "store/orders.h"

struct db;

/* The organisation as a buyer: what prices, VAT and its invoices need. */
struct buyer {
    char legal_name[801], country[3], vat_id[41], currency[4], locale[3], membership_id[8];
    char siren[10];         /* empty when none */
    char vat_id_status[12]; /* what VIES said of vat_id (store/users.h) */
    char line1[801], line2[801], postal_code[81], city[401];
};

/* Reads the organisation's buyer facts: 0, PD_E_NOT_FOUND, or a database failure. */
int pricing_buyer(struct db *db, const char *partner_id, struct buyer *b);

/* The VAT mention an order or invoice carries for a treatment, worded in lang; NULL when
 * the treatment needs none (domestic, eu_no_vat_id). */
const char *pricing_tax_mention(const char *treatment, const char *lang);

/* Fills o's currency, unit price, subtotal, VAT treatment, rate, amount and total for the
 * organisation. set: the settings the use case already loaded, or NULL to load them. */
int pricing_order(struct db *db, const struct settings *set, const char *partner_id,
                  const char *offer_code, struct order_row *o, struct pd_error *err);

#endif
