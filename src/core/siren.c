/*
 * siren.c - SIREN and SIRET keys.
 *
 * INSEE numbers companies with a 9-digit SIREN whose last digit is a Luhn key, and their
 * establishments with a 14-digit SIRET (the SIREN, a 4-digit sequence and a Luhn key over
 * all 14). One exception is published: La Poste's thousands of offices share SIREN
 * 356 000 000 and did not fit in a Luhn sequence, so their SIRETs only have a digit sum
 * divisible by 5.
 */
#include "core/siren.h"

#include <ctype.h>
#include <string.h>

#include "core/card.h"

bool siren_compact(const char *s, size_t digits, char *out, size_t n)
{
    size_t len = 0;
    if (s == NULL || n < digits + 1)
        return false;
    for (; *s; s++) {
        if (*s == ' ' || *s == '.')
            continue;
        if (!isdigit((unsigned char)*s) || len >= digits)
            return false;
        out[len++] = *s;
    }
    out[len] = '\0';
    return len == digits;
}

/* True when s is exactly len digits. */
static bool all_digits(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

bool siren_valid(const char *s)
{
    return all_digits(s, 9) && card_luhn_ok(s);
}

bool siren_siret_valid(const char *s)
{
    if (!all_digits(s, 14))
        return false;
    if (strncmp(s, "356000000", 9) == 0 && strcmp(s, "35600000000048") != 0) {
        int sum = 0;
        for (int i = 0; i < 14; i++)
            sum += s[i] - '0';
        return sum % 5 == 0;
    }
    char head[10];
    memcpy(head, s, 9);
    head[9] = '\0';
    return card_luhn_ok(s) && siren_valid(head);
}
