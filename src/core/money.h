/*
 * money.h - amounts in integer minor units, VAT rounding and localised formatting.
 *
 * An amount is an int64_t count of the currency's minor unit (cents for EUR, yen for JPY,
 * fils for KWD): never a float. Each currency's exponent comes from ISO 4217. Rates
 * (VAT) are integers in hundredths of a percent: 2000 is 20 %, 550 is 5.5 %.
 */
#ifndef PD_MONEY_H
#define PD_MONEY_H

#include <jansson.h>

/* The largest amount partnerd takes from outside (a price, a transfer, a statement line),
 * in minor units: a billion in a two-decimal currency. Anything above it is a typing
 * mistake or an attack, and far below what int64_t arithmetic with VAT could overflow. */
#define MONEY_MAX_MINOR ((int64_t)100000000000)
#include <stddef.h>
#include <stdint.h>

/* A currency partnerd knows. */
struct currency {
    const char *code;   /* ISO 4217, e.g. "EUR" */
    int exponent;       /* minor-unit digits: 0, 2 or 3 */
    const char *sym_en; /* symbol written before the amount in English, or NULL: use code */
    const char *sym_fr; /* symbol written after the amount in French, or NULL: use code */
};

/* The currency of an ISO 4217 code (upper case), or NULL when unknown. */
const struct currency *money_currency(const char *code);

/* "490.00" or "490,00" in a currency's major units -> minor units, exactly: digits, then
 * at most the currency's decimals after a dot or comma; no sign, no grouping. Returns 0,
 * or -1 for anything else (or an amount past int64). */
int money_parse_major(const char *s, const struct currency *cur, int64_t *out);

/* amount x rate_e4 / 10000, rounded half away from zero ("half-up" on magnitudes, so a
 * credit note mirrors its invoice to the minor unit). Returns 0, or PD_E_OVERFLOW. */
int money_apply_rate(int64_t amount, int32_t rate_e4, int64_t *out);

/* a + b, or PD_E_OVERFLOW. */
int money_add(int64_t a, int64_t b, int64_t *out);

/* Formats amount for people: fr "1 234,56 €" (narrow no-break space between groups,
 * no-break space before the symbol), en "€1,234.56". Returns 0, PD_E_UNKNOWN_CURRENCY,
 * or PD_E_OVERFLOW when out (size n) is too small. 48 bytes always suffice. */
int money_format(int64_t amount, const char *currency, const char *lang, char *out, size_t n);

/* The API's money object {"amount_minor","currency","formatted"} (formatted in lang). */
json_t *money_json(int64_t amount, const char *currency, const char *lang);

#endif
