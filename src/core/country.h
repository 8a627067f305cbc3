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

/* The standard VAT rate of an EU member state in hundredths of a percent (2000 = 20 %),
 * or -1 outside the EU. */
int vat_standard_rate(const char *country);

#endif
