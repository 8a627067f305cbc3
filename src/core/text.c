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

bool text_line_valid(const char *s, size_t max)
{
    if (s == NULL)
        return false;
    size_t len = strlen(s);
    if (len == 0 || len > max)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    bool blank = true;
    while (*p) {
        unsigned c = *p;
        int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2
                                 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || (extra == 1 && c < 0xC2) || (extra == 3 && c > 0xF4))
            return false;
        if (extra == 0 && (c < 0x20 || c == 0x7f))
            return false;
        for (int i = 1; i <= extra; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        if (c != ' ')
            blank = false;
        p += extra + 1;
    }
    return !blank;
}
