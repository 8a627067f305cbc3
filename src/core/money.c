/*
 * money.c - currencies, rounding and formatting.
 *
 * Formatting follows CLDR for fr and en: French groups thousands with U+202F (narrow
 * no-break space), uses a decimal comma and writes the symbol after a U+00A0; English
 * groups with commas, a decimal point, the symbol first and the minus sign before it.
 */
#include "money.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

#define NNBSP "\xE2\x80\xAF" /* U+202F narrow no-break space */
#define NBSP "\xC2\xA0"      /* U+00A0 no-break space */

static const struct currency currencies[] = {
    {"EUR", 2, "€", "€"},      {"USD", 2, "$", "$US"},   {"GBP", 2, "£", "£GB"},
    {"CHF", 2, NULL, NULL},    {"CAD", 2, "CA$", "$CA"}, {"AUD", 2, "A$", "$AU"},
    {"SEK", 2, NULL, NULL},    {"DKK", 2, NULL, NULL},   {"NOK", 2, NULL, NULL},
    {"PLN", 2, NULL, NULL},    {"CZK", 2, NULL, NULL},   {"HUF", 2, NULL, NULL},
    {"RON", 2, NULL, NULL},    {"BGN", 2, NULL, NULL},   {"JPY", 0, "¥", "JPY"},
    {"KRW", 0, "₩", "₩"},      {"ISK", 0, NULL, NULL},   {"CLP", 0, NULL, NULL},
    {"KWD", 3, NULL, NULL},    {"BHD", 3, NULL, NULL},   {"TND", 3, NULL, NULL},
    {"JOD", 3, NULL, NULL},    {"OMR", 3, NULL, NULL},
};

const struct currency *money_currency(const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
        if (strcmp(currencies[i].code, code) == 0)
            return &currencies[i];
    return NULL;
}

int money_parse_major(const char *s, const struct currency *cur, int64_t *out)
{
    int64_t whole = 0, frac = 0, scale = 1;
    int digits = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++)
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, *p - '0', &whole))
            return -1;
    if (p == s)
        return -1;
    if (*p == '.' || *p == ',') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits >= cur->exponent)
                return -1;
            frac = frac * 10 + (*p - '0');
        }
        if (digits == 0)
            return -1;
    }
    if (*p != '\0')
        return -1;
    for (; digits < cur->exponent; digits++)
        frac *= 10;
    for (int i = 0; i < cur->exponent; i++)
        scale *= 10;
    if (__builtin_mul_overflow(whole, scale, &whole) || __builtin_add_overflow(whole, frac, out))
        return -1;
    return 0;
}

int money_apply_rate(int64_t amount, int32_t rate_e4, int64_t *out)
{
    int64_t product;
    if (rate_e4 < 0 || amount == INT64_MIN)
        return PD_E_OVERFLOW;
    int64_t magnitude = amount < 0 ? -amount : amount;
    if (__builtin_mul_overflow(magnitude, (int64_t)rate_e4, &product) ||
        product > INT64_MAX - 5000)
        return PD_E_OVERFLOW;
    int64_t rounded = (product + 5000) / 10000;
    *out = amount < 0 ? -rounded : rounded;
    return 0;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? PD_E_OVERFLOW : 0;
}

/* Writes the digits of v (>= 0) with a group separator every three digits. */
static void put_grouped(char *dst, size_t n, uint64_t v, const char *sep)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    size_t pos = 0;
    for (int i = 0; i < len && pos + 4 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            size_t sl = strlen(sep);
            if (pos + sl + 1 >= n)
                break;
            memcpy(dst + pos, sep, sl);
            pos += sl;
        }
        dst[pos++] = digits[i];
    }
    dst[pos] = '\0';
}

int money_format(int64_t amount, const char *code, const char *lang, char *out, size_t n)
{
    const struct currency *c = money_currency(code);
    if (c == NULL)
        return PD_E_UNKNOWN_CURRENCY;

    int fr = !(lang && strcmp(lang, "en") == 0);
    uint64_t mag = amount < 0 ? (uint64_t)(-(amount + 1)) + 1 : (uint64_t)amount;
    uint64_t scale = c->exponent == 0 ? 1 : c->exponent == 2 ? 100 : 1000;
    char whole[64], frac[8] = "";
    put_grouped(whole, sizeof(whole), mag / scale, fr ? NNBSP : ",");
    unsigned minor = (unsigned)(mag % scale); /* < 1000 */
    if (c->exponent == 2)
        snprintf(frac, sizeof(frac), "%s%02u", fr ? "," : ".", minor % 100u);
    else if (c->exponent == 3)
        snprintf(frac, sizeof(frac), "%s%03u", fr ? "," : ".", minor % 1000u);

    const char *sign = amount < 0 ? "-" : "";
    int w;
    if (fr)
        w = snprintf(out, n, "%s%s%s" NBSP "%s", sign, whole, frac, c->sym_fr ? c->sym_fr : c->code);
    else if (c->sym_en)
        w = snprintf(out, n, "%s%s%s%s", sign, c->sym_en, whole, frac);
    else
        w = snprintf(out, n, "%s%s" NBSP "%s%s", sign, c->code, whole, frac);
    return w < 0 || (size_t)w >= n ? PD_E_OVERFLOW : 0;
}

json_t *money_json(int64_t amount, const char *currency, const char *lang)
{
    char formatted[64];
    if (money_format(amount, currency, lang, formatted, sizeof(formatted)) < 0)
        formatted[0] = '\0';
    return json_pack("{s:I, s:s, s:s}", "amount_minor", (json_int_t)amount, "currency", currency,
                     "formatted", formatted);
}
