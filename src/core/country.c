/*
 * country.c - country tables.
 *
 * VAT ID formats follow the European Commission's VIES rules, written as patterns:
 * '9' a digit, 'A' a letter, 'X' a letter or digit, anything else itself. They check the
 * shape only; whether the number is registered is VIES's business, not ours.
 */
#include "country.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
    "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
    "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
    "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
    "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
    "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
    "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
    "US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

static const char eu[] = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL "
                         "PT RO SE SI SK";

/* Euro area (Bulgaria since 2026) and the micro-states that use the euro. */
static const char euro[] = "AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK "
                           "AD MC SM VA ME XK";

/* True when code (two letters) is one of the space-separated codes of list. */
static bool in_list(const char *list, const char *code)
{
    if (code == NULL || strlen(code) != 2 || !isupper((unsigned char)code[0]) ||
        !isupper((unsigned char)code[1]))
        return false;
    for (const char *p = list;; p += 3) { /* "AA BB CC": a code, then a space or the end */
        if (p[0] == code[0] && p[1] == code[1])
            return true;
        if (p[2] == '\0')
            return false;
    }
}

bool country_valid(const char *code)
{
    return in_list(iso3166, code);
}

bool country_in_eu(const char *code)
{
    return in_list(eu, code);
}

const char *country_currency(const char *code)
{
    if (in_list(euro, code) || in_list(eu, code))
        return "EUR";
    if (code && strcmp(code, "GB") == 0)
        return "GBP";
    return "USD";
}

struct vat_format {
    const char *country;
    const char *prefix;
    const char *patterns[10];
};

static const struct vat_format vat_formats[] = {
    {"AT", "AT", {"U99999999"}},
    {"BE", "BE", {"0999999999", "1999999999"}},
    {"BG", "BG", {"999999999", "9999999999"}},
    {"CY", "CY", {"99999999A"}},
    {"CZ", "CZ", {"99999999", "999999999", "9999999999"}},
    {"DE", "DE", {"999999999"}},
    {"DK", "DK", {"99999999"}},
    {"EE", "EE", {"999999999"}},
    {"GR", "EL", {"999999999"}},
    {"ES", "ES", {"X9999999X"}},
    {"FI", "FI", {"99999999"}},
    {"FR", "FR", {"XX999999999"}},
    {"HR", "HR", {"99999999999"}},
    {"HU", "HU", {"99999999"}},
    {"IE", "IE", {"9999999A", "9999999AA", "9X99999A"}},
    {"IT", "IT", {"99999999999"}},
    {"LT", "LT", {"999999999", "999999999999"}},
    {"LU", "LU", {"99999999"}},
    {"LV", "LV", {"99999999999"}},
    {"MT", "MT", {"99999999"}},
    {"NL", "NL", {"999999999B99"}},
    {"PL", "PL", {"9999999999"}},
    {"PT", "PT", {"999999999"}},
    {"RO", "RO", {"99", "999", "9999", "99999", "999999", "9999999", "99999999", "999999999",
                  "9999999999"}},
    {"SE", "SE", {"9999999999" "01"}},
    {"SI", "SI", {"99999999"}},
    {"SK", "SK", {"9999999999"}},
};

static bool matches(const char *pattern, const char *s)
{
    if (strlen(pattern) != strlen(s))
        return false;
    for (; *pattern; pattern++, s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = *pattern == '9'   ? isdigit(c)
                  : *pattern == 'A' ? isupper(c)
                  : *pattern == 'X' ? (isdigit(c) || isupper(c))
                                    : *pattern == *s;
        if (!ok)
            return false;
    }
    return true;
}

bool vat_id_normalise(const char *country, const char *vat_id, char *out, size_t n)
{
    char norm[32];
    size_t len = 0;
    if (vat_id == NULL || n == 0)
        return false;
    for (const char *p = vat_id; *p; p++) {
        if (*p == ' ' || *p == '.' || *p == '-')
            continue;
        if (!isalnum((unsigned char)*p) || len + 1 >= sizeof(norm))
            return false;
        norm[len++] = (char)toupper((unsigned char)*p);
    }
    norm[len] = '\0';
    if (!country_in_eu(country)) {
        if (len < 2 || len > 20)
            return false;
        snprintf(out, n, "%s", norm);
        return true;
    }
    if (len < 4) /* a prefix and at least two characters */
        return false;
    for (size_t i = 0; i < sizeof(vat_formats) / sizeof(vat_formats[0]); i++) {
        const struct vat_format *f = &vat_formats[i];
        if (strcmp(f->country, country) != 0)
            continue;
        if (strncmp(norm, f->prefix, 2) != 0)
            return false;
        for (int k = 0; k < 10 && f->patterns[k]; k++)
            if (matches(f->patterns[k], norm + 2)) {
                snprintf(out, n, "%s", norm);
                return true;
            }
        return false;
    }
    return false;
}

int vat_standard_rate(const char *country)
{
    /* standard rates in force in 2026 */
    static const struct {
        const char *code;
        int rate;
    } rates[] = {
        {"AT", 2000}, {"BE", 2100}, {"BG", 2000}, {"CY", 1900}, {"CZ", 2100}, {"DE", 1900},
        {"DK", 2500}, {"EE", 2400}, {"ES", 2100}, {"FI", 2550}, {"FR", 2000}, {"GR", 2400},
        {"HR", 2500}, {"HU", 2700}, {"IE", 2300}, {"IT", 2200}, {"LT", 2100}, {"LU", 1700},
        {"LV", 2100}, {"MT", 1800}, {"NL", 2100}, {"PL", 2300}, {"PT", 2300}, {"RO", 2100},
        {"SE", 2500}, {"SI", 2200}, {"SK", 2300},
    };
    for (size_t i = 0; country && i < sizeof(rates) / sizeof(rates[0]); i++)
        if (strcmp(rates[i].code, country) == 0)
            return rates[i].rate;
    return -1;
}
