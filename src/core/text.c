/* text.c - small string checks shared by every use case. */
#include "text.h"

#include <ctype.h>
#include <string.h>

bool text_email_valid(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    const char *at = s ? strchr(s, '@') : NULL;
    if (len == 0 || len > 254 || at == NULL || at == s || at - s > 64 || strchr(at + 1, '@'))
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' ||
            *p == ';' || *p == '"' || *p == '\\')
            return false;
    const char *domain = at + 1;
    if (*domain == '\0' || *domain == '.' || strchr(domain, '.') == NULL ||
        strstr(domain, "..") || domain[strlen(domain) - 1] == '.')
        return false;
    return true;
}

void text_lower(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

/* The length of the well-formed UTF-8 sequence at p (1 to 4 bytes, never past end), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF (Unicode table 3-7). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                            : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || (size_t)(end - p) < n)
        return 0;
    /* the second byte's range depends on the first */
    unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (n > 1 && (p[1] < lo || p[1] > hi))
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Counts the characters of s, not NULL nor empty, of at most 4 * max bytes (no character
 * takes more than 4) and UTF-8, into *chars; with line, none of them a control character.
 * *blank: all of them spaces. False when s is none of that. */
static bool count_chars(const char *s, size_t max, bool line, size_t *chars, bool *blank)
{
    if (s == NULL)
        return false;
    size_t len = strlen(s);
    if (len == 0 || len > 4 * max)
        return false;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    *chars = 0;
    *blank = true;
    for (size_t n; p < end; p += n, (*chars)++) {
        if ((n = utf8_len(p, end)) == 0 || (line && n == 1 && (*p < 0x20 || *p == 0x7f)))
            return false;
        *blank = *blank && *p == ' ';
    }
    return true;
}

bool text_long_valid(const char *s, size_t max)
{
    size_t chars;
    bool blank;
    return count_chars(s, max, false, &chars, &blank) && chars <= max;
}

bool text_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    size_t len;
    for (; p < end; p += len)
        if ((len = utf8_len(p, end)) == 0)
            return false;
    return true;
}

size_t text_utf8_fit(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* s[n] continues a character */
        n--;
    return n;
}

bool text_line_valid(const char *s, size_t max)
{
    size_t chars;
    bool blank;
    return count_chars(s, max, true, &chars, &blank) && !blank && chars <= max;
}
