/*
 * vat_id.c - VAT ID check digits, one rule per prefix.
 *
 * Each member state publishes how its VAT numbers are built; the European Commission's
 * VIES pages sum them up, and open validators (python-stdnum among them) spell them out.
 * The table below gives, per prefix, the lengths its numbers may have and the function
 * that checks a number's body (what follows the prefix): weighted sums modulo 11, 10, 37,
 * 89 or 97, Luhn, ISO 7064 MOD 11,10, and letters for Cyprus, Ireland and Spain. Where a
 * state numbers people by their birth date (CZ, SK, BG, LV, RO), the date must exist too.
 * Passing these checks says a number is well formed, not that it is registered: that is
 * VIES's answer (service/vies.c).
 *
 * Northern Ireland's traders have XI numbers built like the United Kingdom's GB ones
 * (mod 97, or the "9755" rule of numbers issued from 2010, whose weighted sum is 42 or 55
 * modulo 97).
 */
#include "core/vat_id.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/card.h"
#include "core/siren.h"

/* ---- helpers: s is the body, upper case, len its length ---- */

static bool digits(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int d(const char *s, size_t i)
{
    return s[i] - '0';
}

/* Σ w[i] * digit i, for the first n digits. */
static int weighted(const char *s, const int *w, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i] * d(s, i);
    return sum;
}

/* The digits s[from..to) as a number (at most 18 of them). */
static int64_t number(const char *s, size_t from, size_t to)
{
    int64_t v = 0;
    for (size_t i = from; i < to; i++)
        v = v * 10 + d(s, i);
    return v;
}

static int pos_mod(int a, int m)
{
    return ((a % m) + m) % m;
}

/* ISO 7064 MOD 11,10 over n digits followed by their check digit (DE, HR). */
static bool iso7064_11_10(const char *s, size_t n)
{
    int product = 10;
    for (size_t i = 0; i < n; i++) {
        int sum = (d(s, i) + product) % 10;
        if (sum == 0)
            sum = 10;
        product = (2 * sum) % 11;
    }
    return (11 - product) % 10 == d(s, n);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_exists(int y, int m, int day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1)
        return false;
    return day <= mdays[m - 1] + (m == 2 && leap(y));
}

/* A Czech or Slovak birth number (rodné číslo): yymmdd (month + 50 for women, + 20 from
 * 2004), then 3 digits (before 1954) or 4 whose number is divisible by 11. */
static bool birth_number(const char *s, size_t len)
{
    int yy = (int)number(s, 0, 2), mm = (int)number(s, 2, 4), dd = (int)number(s, 4, 6);
    if (mm > 70)
        mm -= 70;
    else if (mm > 50)
        mm -= 50;
    else if (mm > 20)
        mm -= 20;
    int year = 1900 + yy;
    if (len == 9) {
        if (yy >= 54)
            return false;
    } else {
        if (yy < 54)
            year += 100;
        int check = (int)(number(s, 0, 9) % 11) % 10;
        if (check != d(s, 9))
            return false;
    }
    return date_exists(year, mm, dd);
}

/* ---- one function per prefix ---- */

static bool at(const char *s, size_t len)
{
    if (len != 9 || s[0] != 'U' || !digits(s, 1, 9))
        return false;
    int sum = 0;
    for (size_t i = 1; i < 8; i++) {
        int v = d(s, i);
        if (i % 2 == 0) { /* the 2nd, 4th and 6th digits count twice, digit-summed */
            v *= 2;
            v = v / 10 + v % 10;
        }
        sum += v;
    }
    return pos_mod(6 - sum, 10) == d(s, 8);
}

static bool be(const char *s, size_t len)
{
    if (len != 10 || !digits(s, 0, 10) || (s[0] != '0' && s[0] != '1'))
        return false;
    return 97 - number(s, 0, 8) % 97 == number(s, 8, 10);
}

static bool bg_egn(const char *s)
{
    static const int w[] = {2, 4, 8, 5, 10, 9, 7, 3, 6};
    int yy = (int)number(s, 0, 2), mm = (int)number(s, 2, 4), dd = (int)number(s, 4, 6);
    int year = 1900 + yy;
    if (mm > 40) {
        year += 100;
        mm -= 40;
    } else if (mm > 20) {
        year -= 100;
        mm -= 20;
    }
    return date_exists(year, mm, dd) && weighted(s, w, 9) % 11 % 10 == d(s, 9);
}

static bool bg(const char *s, size_t len)
{
    if ((len != 9 && len != 10) || !digits(s, 0, len))
        return false;
    if (len == 9) {
        static const int w1[] = {1, 2, 3, 4, 5, 6, 7, 8}, w2[] = {3, 4, 5, 6, 7, 8, 9, 10};
        int check = weighted(s, w1, 8) % 11;
        if (check == 10)
            check = weighted(s, w2, 8) % 11;
        return check % 10 == d(s, 8);
    }
    static const int foreigner[] = {21, 19, 17, 13, 11, 9, 7, 3, 1};
    static const int other[] = {4, 3, 2, 7, 6, 5, 4, 3, 2};
    if (bg_egn(s) || weighted(s, foreigner, 9) % 10 == d(s, 9))
        return true;
    int check = pos_mod(11 - weighted(s, other, 9), 11);
    return check < 10 && check == d(s, 9);
}

static bool cy(const char *s, size_t len)
{
    static const int odd[] = {1, 0, 5, 7, 9, 13, 15, 17, 19, 21};
    if (len != 9 || !digits(s, 0, 8) || !isupper((unsigned char)s[8]) ||
        (s[0] == '1' && s[1] == '2'))
        return false;
    int sum = 0;
    for (size_t i = 0; i < 8; i++)
        sum += i % 2 == 0 ? odd[d(s, i)] : d(s, i);
    return 'A' + sum % 26 == s[8];
}

static bool cz(const char *s, size_t len)
{
    if (len < 8 || len > 10 || !digits(s, 0, len))
        return false;
    if (len == 8) {
        if (s[0] == '9')
            return false;
        static const int w[] = {8, 7, 6, 5, 4, 3, 2};
        int check = pos_mod(11 - weighted(s, w, 7), 11);
        return (check == 0 ? 1 : check) % 10 == d(s, 7);
    }
    if (len == 9 && s[0] == '6') { /* people without a birth number */
        static const int w[] = {8, 7, 6, 5, 4, 3, 2};
        int check = weighted(s + 1, w, 7) % 11;
        return pos_mod(8 - (10 - check) % 11, 10) == d(s, 8);
    }
    return birth_number(s, len);
}

static bool de(const char *s, size_t len)
{
    return len == 9 && digits(s, 0, 9) && s[0] != '0' && iso7064_11_10(s, 8);
}

static bool dk(const char *s, size_t len)
{
    static const int w[] = {2, 7, 6, 5, 4, 3, 2, 1};
    return len == 8 && digits(s, 0, 8) && s[0] != '0' && weighted(s, w, 8) % 11 == 0;
}

static bool ee(const char *s, size_t len)
{
    static const int w[] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
    return len == 9 && digits(s, 0, 9) && s[0] == '1' && s[1] == '0' && weighted(s, w, 9) % 10 == 0;
}

static bool el(const char *s, size_t len)
{
    static const int w[] = {256, 128, 64, 32, 16, 8, 4, 2};
    return len == 9 && digits(s, 0, 9) && weighted(s, w, 8) % 11 % 10 == d(s, 8);
}

static bool es(const char *s, size_t len)
{
    static const char dni[] = "TRWAGMYFPDXBNJZSQVHLCKE";
    if (len != 9 || !digits(s, 1, 8))
        return false;
    if (isdigit((unsigned char)s[0])) /* DNI: a Spaniard */
        return digits(s, 0, 8) && dni[number(s, 0, 8) % 23] == s[8];
    if (s[0] == 'X' || s[0] == 'Y' || s[0] == 'Z') /* NIE: a foreigner */
        return dni[((int64_t)(s[0] - 'X') * 10000000 + number(s, 1, 8)) % 23] == s[8];
    if (strchr("KLM", s[0])) /* minors, non-residents: a DNI letter over 7 digits */
        return dni[number(s, 1, 8) % 23] == s[8];
    if (!strchr("ABCDEFGHJNPQRSUVW", s[0])) /* CIF: a legal entity */
        return false;
    int sum = 0;
    for (size_t i = 1; i < 8; i++) {
        int v = d(s, i);
        if (i % 2 == 1) {
            v *= 2;
            v = v / 10 + v % 10;
        }
        sum += v;
    }
    int check = (10 - sum % 10) % 10;
    return s[8] == '0' + check || s[8] == "JABCDEFGHI"[check];
}

static bool fi(const char *s, size_t len)
{
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1};
    return len == 8 && digits(s, 0, 8) && weighted(s, w, 8) % 11 == 0;
}

/* The key's alphabet: digits and letters, without I and O. */
static int fr_index(char c)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

static bool fr(const char *s, size_t len)
{
    if (len != 11 || fr_index(s[0]) < 0 || fr_index(s[1]) < 0 || !digits(s, 2, 11))
        return false;
    /* Monaco's numbers (000 ...) are no SIREN */
    if (strncmp(s + 2, "000", 3) != 0 && !siren_valid(s + 2))
        return false;
    int64_t siren = number(s, 2, 11);
    if (digits(s, 0, 2)) /* the numeric key of the old numbers */
        return (siren * 100 + 12) % 97 == number(s, 0, 2);
    int check = isdigit((unsigned char)s[0]) ? fr_index(s[0]) * 24 + fr_index(s[1]) - 10
                                             : fr_index(s[0]) * 34 + fr_index(s[1]) - 100;
    return (siren + 1 + check / 11) % 11 == check % 11;
}

static bool gb(const char *s, size_t len)
{
    if (len == 5) { /* government departments GD000-499, health authorities HA500-999 */
        if (!digits(s, 2, 5))
            return false;
        int64_t v = number(s, 2, 5);
        return (s[0] == 'G' && s[1] == 'D' && v < 500) || (s[0] == 'H' && s[1] == 'A' && v >= 500);
    }
    if (len == 11 && (strncmp(s, "GD8888", 6) == 0 || strncmp(s, "HA8888", 6) == 0)) {
        if (!digits(s, 6, 11))
            return false;
        int64_t v = number(s, 6, 9);
        if ((s[0] == 'G') != (v < 500))
            return false;
        return v % 97 == number(s, 9, 11);
    }
    if ((len != 9 && len != 12) || !digits(s, 0, len))
        return false;
    static const int w[] = {8, 7, 6, 5, 4, 3, 2, 10, 1};
    int sum = weighted(s, w, 9) % 97;
    if (number(s, 0, 3) >= 100) /* 9755: numbers issued since 2010 may sum to 42 or 55 */
        return sum == 0 || sum == 42 || sum == 55;
    return sum == 0;
}

static bool hr(const char *s, size_t len)
{
    return len == 11 && digits(s, 0, 11) && iso7064_11_10(s, 10);
}

static bool hu(const char *s, size_t len)
{
    static const int w[] = {9, 7, 3, 1, 9, 7, 3, 1};
    return len == 8 && digits(s, 0, 8) && weighted(s, w, 8) % 10 == 0;
}

static bool ie(const char *s, size_t len)
{
    static const char alphabet[] = "WABCDEFGHIJKLMNOPQRSTUV";
    if ((len != 8 && len != 9) || !isdigit((unsigned char)s[0]) || !digits(s, 2, 7))
        return false;
    int sum = 0;
    if (digits(s, 0, 7)) { /* 7 digits, the check letter, and maybe a second letter */
        for (size_t i = 0; i < 7; i++)
            sum += (int)(8 - i) * d(s, i);
        if (len == 9) {
            const char *p = strchr(alphabet, s[8]);
            if (s[8] == '\0' || p == NULL)
                return false;
            sum += 9 * (int)(p - alphabet);
        }
    } else { /* old numbers: a digit, a letter, 5 digits, the check letter */
        if (len != 8 || !isupper((unsigned char)s[1]))
            return false;
        char moved[8] = {'0', s[2], s[3], s[4], s[5], s[6], s[0], '\0'};
        for (size_t i = 0; i < 7; i++)
            sum += (int)(8 - i) * d(moved, i);
    }
    return alphabet[sum % 23] == s[7];
}

static bool it(const char *s, size_t len)
{
    if (len != 11 || !digits(s, 0, 11) || number(s, 0, 7) == 0)
        return false;
    int64_t office = number(s, 7, 10); /* the province's office */
    if (!((office >= 1 && office <= 100) || office == 120 || office == 121 || office == 888 ||
          office == 999))
        return false;
    return card_luhn_ok(s);
}

static bool lt(const char *s, size_t len)
{
    if ((len != 9 && len != 12) || !digits(s, 0, len) || s[len - 2] != '1')
        return false;
    int sum = 0;
    for (size_t i = 0; i + 1 < len; i++)
        sum += (int)(1 + i % 9) * d(s, i);
    int check = sum % 11;
    if (check == 10) {
        sum = 0;
        for (size_t i = 0; i + 1 < len; i++)
            sum += (int)(1 + (i + 2) % 9) * d(s, i);
        check = sum % 11;
    }
    return check % 10 == d(s, len - 1);
}

static bool lu(const char *s, size_t len)
{
    return len == 8 && digits(s, 0, 8) && number(s, 0, 6) % 89 == number(s, 6, 8);
}

static bool lv(const char *s, size_t len)
{
    if (len != 11 || !digits(s, 0, 11))
        return false;
    if (s[0] > '3') { /* a legal entity */
        static const int w[] = {9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1};
        return weighted(s, w, 11) % 11 == 3;
    }
    /* a person: ddmmyy, the century, then the check digit */
    int year = 1800 + d(s, 6) * 100 + (int)number(s, 4, 6);
    if (!date_exists(year, (int)number(s, 2, 4), (int)number(s, 0, 2)))
        return false;
    static const int w[] = {10, 5, 8, 4, 2, 1, 6, 3, 7, 9};
    return (1 + weighted(s, w, 10)) % 11 % 10 == d(s, 10);
}

static bool mt(const char *s, size_t len)
{
    static const int w[] = {3, 4, 6, 7, 8, 9, 10, 1};
    return len == 8 && digits(s, 0, 8) && s[0] != '0' && weighted(s, w, 8) % 37 == 0;
}

static bool nl(const char *s, size_t len)
{
    if (len != 12 || !digits(s, 0, 9) || s[9] != 'B' || !digits(s, 10, 12) ||
        number(s, 10, 12) == 0)
        return false;
    /* the RSIN or BSN "11-test" */
    int sum = 0;
    for (size_t i = 0; i < 8; i++)
        sum += (int)(9 - i) * d(s, i);
    if (pos_mod(sum - d(s, 8), 11) == 0)
        return true;
    /* sole traders' numbers since 2020: ISO 7064 MOD 97-10 over "NL" + the number */
    int r = (23 * 100 + 21) % 97; /* N = 23, L = 21 */
    for (size_t i = 0; i < len; i++)
        r = isdigit((unsigned char)s[i]) ? (r * 10 + d(s, i)) % 97
                                         : (r * 100 + s[i] - 'A' + 10) % 97;
    return r == 1;
}

static bool pl(const char *s, size_t len)
{
    static const int w[] = {6, 5, 7, 2, 3, 4, 5, 6, 7};
    return len == 10 && digits(s, 0, 10) && weighted(s, w, 9) % 11 == d(s, 9);
}

static bool pt(const char *s, size_t len)
{
    static const int w[] = {9, 8, 7, 6, 5, 4, 3, 2};
    return len == 9 && digits(s, 0, 9) && pos_mod(11 - weighted(s, w, 8), 11) % 10 == d(s, 8);
}

static bool ro(const char *s, size_t len)
{
    if (!digits(s, 0, len) || s[0] == '0')
        return false;
    if (len == 13) { /* a person's CNP */
        static const int w[] = {2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9};
        int check = weighted(s, w, 12) % 11;
        int mm = (int)number(s, 3, 5), dd = (int)number(s, 5, 7);
        return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31 && (check == 10 ? 1 : check) == d(s, 12);
    }
    if (len < 2 || len > 10)
        return false;
    static const int w[] = {7, 5, 3, 2, 1, 7, 5, 3, 2};
    int sum = 0;
    size_t pad = 10 - len; /* the body is right-aligned on 9 weights */
    for (size_t i = 0; i + 1 < len; i++)
        sum += w[pad + i] * d(s, i);
    return sum * 10 % 11 % 10 == d(s, len - 1);
}

static bool se(const char *s, size_t len)
{
    char org[11];
    if (len != 12 || !digits(s, 0, 12) || s[10] != '0' || s[11] != '1')
        return false;
    memcpy(org, s, 10);
    org[10] = '\0';
    return card_luhn_ok(org);
}

static bool si(const char *s, size_t len)
{
    static const int w[] = {8, 7, 6, 5, 4, 3, 2};
    if (len != 8 || !digits(s, 0, 8) || s[0] == '0')
        return false;
    int check = 11 - weighted(s, w, 7) % 11;
    if (check == 11)
        return false;
    return check % 10 == d(s, 7);
}

static bool sk(const char *s, size_t len)
{
    if (len != 10 || !digits(s, 0, 10))
        return false;
    if (s[0] != '0' && strchr("234789", s[2]) && number(s, 0, 10) % 11 == 0)
        return true;
    return birth_number(s, len);
}

/* ---- the table ---- */

struct vat_rule {
    char prefix[3];
    char country[3];      /* whose partners use it (ISO 3166-1) */
    unsigned char pad_to; /* a shorter all-digit body is left-padded with zeros to this */
    bool (*check)(const char *body, size_t len);
};

static const struct vat_rule rules[] = {
    {"AT", "AT", 0, at}, {"BE", "BE", 10, be}, {"BG", "BG", 0, bg}, {"CY", "CY", 0, cy},
    {"CZ", "CZ", 0, cz}, {"DE", "DE", 0, de},  {"DK", "DK", 0, dk}, {"EE", "EE", 0, ee},
    {"EL", "GR", 9, el}, {"ES", "ES", 0, es},  {"FI", "FI", 0, fi}, {"FR", "FR", 0, fr},
    {"FR", "MC", 0, fr}, {"HR", "HR", 0, hr},  {"HU", "HU", 0, hu}, {"IE", "IE", 0, ie},
    {"IT", "IT", 0, it}, {"LT", "LT", 0, lt},  {"LU", "LU", 0, lu}, {"LV", "LV", 0, lv},
    {"MT", "MT", 0, mt}, {"NL", "NL", 0, nl},  {"PL", "PL", 0, pl}, {"PT", "PT", 0, pt},
    {"RO", "RO", 0, ro}, {"SE", "SE", 0, se},  {"SI", "SI", 0, si}, {"SK", "SK", 0, sk},
    {"GB", "GB", 0, gb}, {"XI", "GB", 0, gb},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static const struct vat_rule *rule_of_prefix(const char *vat_id)
{
    for (size_t i = 0; vat_id && i < NRULES; i++)
        if (strncmp(vat_id, rules[i].prefix, 2) == 0)
            return &rules[i];
    return NULL;
}

bool vat_id_prefix_known(const char *vat_id)
{
    return rule_of_prefix(vat_id) != NULL;
}

bool vat_id_valid(const char *vat_id)
{
    const struct vat_rule *r = rule_of_prefix(vat_id);
    if (r == NULL)
        return false;
    const char *body = vat_id + 2;
    size_t len = strlen(body);
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)body[i]) && !isupper((unsigned char)body[i]))
            return false;
    return len > 0 && len <= 16 && r->check(body, len);
}

/* Inserts k zeros at the start of the body of norm (prefix + body, of size bytes). */
static void zeros(char *norm, size_t size, size_t k)
{
    size_t len = strlen(norm);
    if (len + k + 1 > size)
        return;
    memmove(norm + 2 + k, norm + 2, len - 2 + 1);
    memset(norm + 2, '0', k);
}

/* Pads the body of norm as the rule asks: Belgium's old 9-digit and Greece's 8-digit
 * numbers, the Netherlands' short RSINs before "B". */
static void pad(const struct vat_rule *r, char *norm, size_t size)
{
    size_t len = strlen(norm + 2);
    if (r->pad_to && len + 1 == r->pad_to && digits(norm + 2, 0, len))
        zeros(norm, size, 1);
    const char *b = strchr(norm + 2, 'B');
    size_t before = b ? (size_t)(b - (norm + 2)) : 0;
    if (strcmp(r->prefix, "NL") == 0 && before >= 7 && before < 9 && digits(norm + 2, 0, before))
        zeros(norm, size, 9 - before);
}

bool vat_id_normalise(const char *country, const char *vat_id, char *out, size_t n)
{
    char norm[40] = {0};
    size_t len = 0;
    if (vat_id == NULL || country == NULL || n == 0)
        return false;
    for (const char *p = vat_id; *p; p++) {
        if (*p == ' ' || *p == '.' || *p == '-')
            continue;
        if (!isalnum((unsigned char)*p) || len + 1 >= 24)
            return false;
        norm[len++] = (char)toupper((unsigned char)*p);
    }
    norm[len] = '\0';
    bool ruled = false;
    for (size_t i = 0; i < NRULES; i++) {
        if (strcmp(rules[i].country, country) != 0)
            continue;
        ruled = true;
        if (strncmp(norm, rules[i].prefix, 2) != 0)
            continue;
        pad(&rules[i], norm, sizeof(norm));
        if (!vat_id_valid(norm) || strlen(norm) + 1 > n)
            return false;
        snprintf(out, n, "%s", norm);
        return true;
    }
    if (ruled || len < 2 || len > 20 || len + 1 > n)
        return false;
    snprintf(out, n, "%s", norm); /* outside the EU and the UK: a tax number, unchecked */
    return true;
}

bool vat_id_fr_of_siren(const char *siren, char *out, size_t n)
{
    if (!siren_valid(siren) || n < 14)
        return false;
    int64_t v = number(siren, 0, 9);
    snprintf(out, n, "FR%02d%s", (int)((v * 100 + 12) % 97), siren);
    return true;
}
