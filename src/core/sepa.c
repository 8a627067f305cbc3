/* core/sepa.c - IBAN check digits and the SEPA character set. */
#include "core/sepa.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool sepa_iban(const char *typed, char *out, size_t n)
{
    char c[40];
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = typed ? typed : ""; *p; p++) {
        if (*p == ' ')
            continue;
        if (!isalnum((unsigned char)*p) || len + 1 >= sizeof(c))
            return false;
        c[len++] = (char)toupper((unsigned char)*p);
    }
    c[len] = '\0';
    if (len < 15 || len > 34 || n <= len || !isalpha((unsigned char)c[0]) ||
        !isalpha((unsigned char)c[1]) || !isdigit((unsigned char)c[2]) ||
        !isdigit((unsigned char)c[3]))
        return false;
    /* the first four moved to the end, letters as 10..35, mod 97 must be 1 */
    int r = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = c[(i + 4) % len];
        int v = isdigit((unsigned char)ch) ? ch - '0' : ch - 'A' + 10;
        r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
    }
    if (r != 1)
        return false;
    memcpy(out, c, len + 1);
    return true;
}

void sepa_iban_print(const char *iban, char *out, size_t n)
{
    char c[35];
    if (n == 0)
        return;
    if (!sepa_iban(iban, c, sizeof(c))) {
        snprintf(out, n, "%s", iban ? iban : "");
        return;
    }
    size_t w = 0;
    for (size_t i = 0; c[i] && w + 2 < n; i++) {
        if (i > 0 && i % 4 == 0)
            out[w++] = ' ';
        out[w++] = c[i];
    }
    out[w] = '\0';
}

static bool sepa_char(char ch)
{
    return isalnum((unsigned char)ch) || (ch && strchr("/-?:().,'+ ", ch) != NULL);
}

/* The ASCII of a two-byte UTF-8 Latin letter (U+00C0..U+017F), or NULL. */
static const char *latin(unsigned char a, unsigned char b)
{
    static const struct {
        unsigned char a, b;
        const char *to;
    } map[] = {
        {0xC3, 0x80, "A"},  {0xC3, 0x82, "A"}, {0xC3, 0x84, "A"},  {0xC3, 0x86, "AE"},
        {0xC3, 0x87, "C"},  {0xC3, 0x88, "E"}, {0xC3, 0x89, "E"},  {0xC3, 0x8A, "E"},
        {0xC3, 0x8B, "E"},  {0xC3, 0x8E, "I"}, {0xC3, 0x8F, "I"},  {0xC3, 0x94, "O"},
        {0xC3, 0x96, "O"},  {0xC3, 0x99, "U"}, {0xC3, 0x9B, "U"},  {0xC3, 0x9C, "U"},
        {0xC3, 0x9F, "ss"}, {0xC3, 0xA0, "a"}, {0xC3, 0xA2, "a"},  {0xC3, 0xA4, "a"},
        {0xC3, 0xA6, "ae"}, {0xC3, 0xA7, "c"}, {0xC3, 0xA8, "e"},  {0xC3, 0xA9, "e"},
        {0xC3, 0xAA, "e"},  {0xC3, 0xAB, "e"}, {0xC3, 0xAE, "i"},  {0xC3, 0xAF, "i"},
        {0xC3, 0xB4, "o"},  {0xC3, 0xB6, "o"}, {0xC3, 0xB9, "u"},  {0xC3, 0xBB, "u"},
        {0xC3, 0xBC, "u"},  {0xC3, 0xBF, "y"}, {0xC5, 0x92, "OE"}, {0xC5, 0x93, "oe"},
        {0xC3, 0x81, "A"},  {0xC3, 0x8D, "I"}, {0xC3, 0x93, "O"},  {0xC3, 0x9A, "U"},
        {0xC3, 0xA1, "a"},  {0xC3, 0xAD, "i"}, {0xC3, 0xB3, "o"},  {0xC3, 0xBA, "u"},
        {0xC3, 0xB1, "n"},  {0xC3, 0x91, "N"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].a == a && map[i].b == b)
            return map[i].to;
    return NULL;
}

void sepa_text(const char *s, char *out, size_t n, size_t max)
{
    size_t o = 0;
    if (n == 0)
        return;
    if (max > n - 1)
        max = n - 1;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o < max;) {
        const char *put = NULL;
        char one[2] = {0, 0};
        if (*p < 0x80) {
            char c = (char)*p;
            if (c == '&')
                c = '+';
            else if (!sepa_char(c))
                c = ' ';
            one[0] = c;
            put = one;
            p++;
        } else {
            size_t len = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
            put = len == 2 && p[1] ? latin(p[0], p[1]) : NULL;
            if (put == NULL)
                put = " ";
            for (size_t k = 0; k < len && *p; k++)
                p++;
        }
        for (; *put && o < max; put++) {
            if (*put == ' ' && (o == 0 || out[o - 1] == ' '))
                continue;
            out[o++] = *put;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

bool sepa_id_valid(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > 35 || s[0] == '/' || strstr(s, "//"))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!sepa_char(s[i]))
            return false;
    return true;
}
