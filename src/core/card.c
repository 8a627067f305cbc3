/* card.c - Luhn, brands, expiry, and ISO 11649 references (mod 97 as in IBANs). */
#include "card.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool card_digits(const char *number, char *out, size_t n)
{
    size_t len = 0;
    if (number == NULL || n == 0)
        return false;
    for (const char *p = number; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (!isdigit((unsigned char)*p) || len + 1 >= n)
            return false;
        out[len++] = *p;
    }
    out[len] = '\0';
    return len >= 12 && len <= 19;
}

bool card_luhn_ok(const char *digits)
{
    int sum = 0;
    size_t len = strlen(digits);
    for (size_t i = 0; i < len; i++) {
        int d = digits[len - 1 - i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return len > 0 && sum % 10 == 0;
}

/* True when the run of len digits is a card number. */
static bool pan_run(const char *digits, size_t len)
{
    char d[20];
    if (len < 13 || len > 19)
        return false;
    memcpy(d, digits, len);
    d[len] = '\0';
    return card_luhn_ok(d);
}

/* True when c glues to a word: a letter, a digit or an underscore (an id, a reference). */
static bool wordish(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

bool card_pan_in(const char *text)
{
    char run[20];
    size_t len = 0;
    bool too_long = false, glued = false;
    if (text == NULL)
        return false;
    for (const char *p = text;; p++) {
        if (isdigit((unsigned char)*p)) {
            if (len == 0)
                glued = p > text && wordish(p[-1]);
            if (len < sizeof(run) - 1)
                run[len++] = *p;
            else
                too_long = true;
            continue;
        }
        /* one space or dash between digits keeps the run going */
        if ((*p == ' ' || *p == '-') && len > 0 && isdigit((unsigned char)p[1]))
            continue;
        if (!too_long && !glued && !wordish(*p) && pan_run(run, len))
            return true;
        len = 0;
        too_long = false;
        if (*p == '\0')
            return false;
    }
}

const char *card_brand(const char *d)
{
    int two = (d[0] - '0') * 10 + (d[1] - '0');
    int four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    if (d[0] == '4')
        return "visa";
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
        return "mastercard";
    if (two == 34 || two == 37)
        return "amex";
    return "card";
}

bool card_not_expired(int exp_month, int exp_year, struct date today)
{
    if (exp_month < 1 || exp_month > 12 || exp_year < 2000 || exp_year > 2100)
        return false;
    return exp_year > today.year || (exp_year == today.year && exp_month >= today.month);
}

/* The remainder mod 97 of a string of letters (A=10 ... Z=35) and digits. */
static int mod97(const char *s)
{
    int r = 0;
    for (; *s; s++) {
        int v = isdigit((unsigned char)*s) ? *s - '0' : toupper((unsigned char)*s) - 'A' + 10;
        r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
    }
    return r;
}

bool rf_reference(const char *body, char *out, size_t n)
{
    char tmp[32], upper[24];
    size_t len = body ? strlen(body) : 0;
    if (len == 0 || len > 21 || n < len + 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)body[i]))
            return false;
        upper[i] = (char)toupper((unsigned char)body[i]);
    }
    upper[len] = '\0';
    snprintf(tmp, sizeof(tmp), "%sRF00", upper);
    snprintf(out, n, "RF%02d%s", 98 - mod97(tmp), upper);
    return true;
}

void rf_compact(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++)
        if (!isspace((unsigned char)*s))
            out[k++] = (char)toupper((unsigned char)*s);
    /* cut inside a character (a typed reference may hold "é"): the character goes whole, for
     * the text kept to stay UTF-8, which PostgreSQL refuses otherwise */
    if (s && ((unsigned char)*s & 0xC0) == 0x80)
        while (k > 0 && ((unsigned char)out[--k] & 0xC0) == 0x80)
            ;
    if (n > 0)
        out[k] = '\0';
}

bool rf_reference_valid(const char *s)
{
    char compact[64] = "", moved[64];
    rf_compact(s, compact, sizeof(compact)); /* a longer one, cut, is too long still */
    size_t len = strlen(compact);
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)compact[i]))
            return false;
    if (len < 5 || len > 25 || compact[0] != 'R' || compact[1] != 'F' ||
        !isdigit((unsigned char)compact[2]) || !isdigit((unsigned char)compact[3]))
        return false;
    snprintf(moved, sizeof(moved), "%s%.4s", compact + 4, compact);
    return mod97(moved) == 1;
}

bool bic_valid(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len != 8 && len != 11)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i < 6 ? !isupper(c) : !(isupper(c) || isdigit(c)))
            return false;
    }
    return true;
}
