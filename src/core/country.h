/*
 * country.h - countries (ISO 3166-1 alpha-2), the EU, billing currencies and VAT rates.
 */
#ifndef PD_COUNTRY_H
#define PD_COUNTRY_H

#include <stdbool.h>
#include <stddef.h>

/* True for an assigned ISO 3166-1 alpha-2 code (upper case). */
bool country_valid(const char *code);

/* True for a member state of the European Union. */
bool country_in_eu(const char *code);

/* The currency a partner of that country is billed in: EUR in the euro area, the rest of
 * the EU and the euro-using micro-states, GBP in the United Kingdom, USD elsewhere (the
 * program prices offers in EUR, USD and GBP). */
const char *country_currency(const char *code);

/* The country whose VAT applies in country: Monaco is in France's VAT territory (Council
 * Directive 2006/112/EC, article 7), so a sale to Monaco is taxed as one to France; every
 * other country is its own. */
const char *country_vat_territory(const char *code);

/* The standard VAT rate of an EU member state in hundredths of a percent (2000 = 20 %),
 * or -1 outside the EU. */
int vat_standard_rate(const char *country);

/* The name of a country for people, in lang ("fr", "en"; French for anything else):
 * "Allemagne" / "Germany" for DE. NULL for a code that is not assigned. The names are
 * CLDR's (the ones the portal's browsers show), generated into core/country_names.c by
 * scripts/gen-country-names. */
const char *country_name(const char *code, const char *lang);

/* The generated table, in the order of the codes (alphabetical). */
struct country_name_row {
    char code[3];
    const char *fr, *en;
};
extern const struct country_name_row country_names[];
extern const size_t country_names_count;

#endif
