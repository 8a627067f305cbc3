/*
 * country.c - country tables.
 *
 * VAT IDs have their own module, core/vat_id.c.
 */
#include "country.h"

#include <ctype.h>
#include <stdlib.h>
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

const char *country_vat_territory(const char *code)
{
    return code && strcmp(code, "MC") == 0 ? "FR" : code;
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

static int by_code(const void *key, const void *row)
{
    return strcmp(key, ((const struct country_name_row *)row)->code);
}

const char *country_name(const char *code, const char *lang)
{
    if (!country_valid(code))
        return NULL;
    const struct country_name_row *r =
        bsearch(code, country_names, country_names_count, sizeof(country_names[0]), by_code);
    if (r == NULL)
        return NULL;
    return lang && strcmp(lang, "en") == 0 ? r->en : r->fr;
}
