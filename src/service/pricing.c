/*
 * service/pricing.c - an offer's price for an organisation, and its VAT.
 *
 * The one place that decides the VAT treatment of a sale (tax_for) and the one place that
 * reads the organisation as a buyer (pricing_buyer). An order keeps the treatment and rate
 * it was priced with; its invoice copies them, so a later change of the organisation's
 * country or VAT ID never changes what was sold.
 */
#include "service/pricing.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/country.h"
#include "core/money.h"
#include "db/db.h"
#include "store/offers.h"
#include "store/users.h"

int pricing_buyer(struct db *db, const char *partner_id, struct buyer *b)
{
    struct partner_row p;
    int rc = partners_find(db, partner_id, &p);
    if (rc != 1)
        return rc < 0 ? rc : PD_E_NOT_FOUND;
    snprintf(b->legal_name, sizeof(b->legal_name), "%s", p.legal_name);
    snprintf(b->country, sizeof(b->country), "%s", p.country);
    snprintf(b->vat_id, sizeof(b->vat_id), "%s", p.vat_id);
    snprintf(b->siren, sizeof(b->siren), "%s", p.siren);
    snprintf(b->vat_id_status, sizeof(b->vat_id_status), "%s", p.vat_id_status);
    snprintf(b->currency, sizeof(b->currency), "%s", p.currency);
    snprintf(b->locale, sizeof(b->locale), "%s", p.locale);
    snprintf(b->membership_id, sizeof(b->membership_id), "%s", p.membership_id);
    snprintf(b->line1, sizeof(b->line1), "%s", p.address_line1);
    snprintf(b->line2, sizeof(b->line2), "%s", p.address_line2);
    snprintf(b->postal_code, sizeof(b->postal_code), "%s", p.postal_code);
    snprintf(b->city, sizeof(b->city), "%s", p.city);
    return 0;
}

/* The treatment and rate of a sale from seller_country to b, each country taken as the VAT
 * territory it is in (Monaco is France's). A VAT ID VIES called invalid is no VAT ID for the
 * reverse charge (one VIES has not answered about yet, or could not, passed its country's
 * check digits and is trusted meanwhile). */
static void tax_for(const struct buyer *b, const char *seller_country, int *rate,
                    const char **treatment)
{
    bool vat_id = b->vat_id[0] && strcmp(b->vat_id_status, "invalid") != 0;
    const char *buyer = country_vat_territory(b->country);
    const char *seller = country_vat_territory(seller_country);
    if (strcmp(buyer, seller) == 0) {
        int r = vat_standard_rate(seller);
        *rate = r < 0 ? 0 : r;
        *treatment = "domestic";
    } else if (country_in_eu(buyer) && country_in_eu(seller) && vat_id) {
        *rate = 0;
        *treatment = "reverse_charge";
    } else if (country_in_eu(buyer) && country_in_eu(seller)) {
        *rate = vat_standard_rate(buyer);
        *treatment = "eu_no_vat_id";
    } else {
        *rate = 0;
        *treatment = "outside_eu";
    }
}

const char *pricing_tax_mention(const char *treatment, const char *lang)
{
    if (strcmp(treatment, "reverse_charge") == 0)
        return msg_text(MSG_TAX_REVERSE_CHARGE, lang);
    if (strcmp(treatment, "outside_eu") == 0)
        return msg_text(MSG_TAX_OUTSIDE_EU, lang);
    return NULL;
}

int pricing_order(struct db *db, const struct settings *set, const char *partner_id,
                  const char *offer_code, struct order_row *o, struct pd_error *err)
{
    struct settings loaded;
    struct buyer b;
    const char *treatment;
    int64_t price = 0;
    int rc = 0;
    if (set == NULL && (rc = settings_load(db, &loaded)) < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    if (set == NULL)
        set = &loaded;
    if ((rc = pricing_buyer(db, partner_id, &b)) < 0)
        return pd_fail(err, rc, "partner");
    if ((rc = offers_price(db, offer_code, b.currency, &price)) <= 0)
        return rc < 0 ? pd_fail(err, rc, "%s", db_errmsg(db))
                      : pd_fail(err, PD_E_PRICE_MISSING, NULL);
    snprintf(o->currency, sizeof(o->currency), "%s", b.currency);
    o->unit_amount = o->subtotal = price;
    tax_for(&b, set->seller_country, &o->tax_rate, &treatment);
    snprintf(o->tax_treatment, sizeof(o->tax_treatment), "%s", treatment);
    if (money_apply_rate(o->subtotal, o->tax_rate, &o->tax_amount) < 0 ||
        money_add(o->subtotal, o->tax_amount, &o->total) < 0)
        return pd_fail(err, PD_E_OVERFLOW, NULL);
    return 0;
}
