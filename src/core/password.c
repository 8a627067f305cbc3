/*
 * core/password.c - the rules of core/password.h.
 *
 * The list is one string of lines; a lookup walks it (30 000 entries, a few hundred
 * microseconds), which is fine for something done at join, invitation and password change.
 * "Common with decorations" strips what people add to a common word to pass a length
 * rule: digits and symbols at either end (2024password!, Password1234).
 */
#include "core/password.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX (PASSWORD_MAX_BYTES + 1) /* passwords are 128 characters at most (checked before) */

bool password_length_valid(const char *password)
{
    size_t chars = 0;
    if (password == NULL)
        return false;
    /* each character has one lead byte; continuation bytes are 10xxxxxx */
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    return chars >= PASSWORD_MIN && chars <= PASSWORD_MAX;
}

bool password_listed(const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return false;
    /* memchr within the list's end, not strchr: under ASan's strict string checks strchr
     * measures the rest of the list at every line, 2 s a join instead of a millisecond */
    const char *p = password_list, *last = p + strlen(p);
    while (p < last) {
        const char *nl = memchr(p, '\n', (size_t)(last - p));
        const char *end = nl ? nl : last;
        if ((size_t)(end - p) == n && memcmp(p, s, n) == 0)
            return true;
        p = end + 1;
    }
    return false;
}

/* s lower-cased (ASCII) into out, keeping only letters and digits when alnum_only. */
static void fold(const char *s, char *out, size_t n, bool alnum_only)
{
    size_t o = 0;
    for (; s && *s && o + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (alnum_only && !isalnum(c) && c < 0x80)
            continue;
        out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

static bool decoration(unsigned char c)
{
    return isdigit(c) || (ispunct(c) && c < 0x80) || c == ' ';
}

/* The password without the digits and symbols at either end. */
static void undecorated(const char *lower, char *out, size_t n)
{
    size_t start = 0, end = strlen(lower);
    while (start < end && decoration((unsigned char)lower[start]))
        start++;
    while (end > start && decoration((unsigned char)lower[end - 1]))
        end--;
    snprintf(out, n, "%.*s", (int)(end - start), lower + start);
}

static int distinct_chars(const char *s)
{
    bool seen[256] = {false};
    int count = 0;
    for (; *s; s++)
        if (!seen[(unsigned char)*s]) {
            seen[(unsigned char)*s] = true;
            count++;
        }
    return count;
}

/* True for a straight run: each character one more (or one less) than the one before,
 * digits wrapping (1234567890, 9876543210, abcdefghijkl). */
static bool straight(const char *s)
{
    size_t n = strlen(s);
    for (int dir = -1; dir <= 1; dir += 2) {
        size_t i = 1;
        for (; i < n; i++) {
            int a = (unsigned char)s[i - 1], b = (unsigned char)s[i];
            bool digits = isdigit(a) && isdigit(b);
            if (!(b - a == dir || (digits && (b - a + 10) % 10 == (dir + 10) % 10)))
                break;
        }
        if (n > 1 && i == n)
            return true;
    }
    return false;
}

/* True when s is a shorter unit said again and again (dragondragon), and that unit is
 * short or common itself. */
static bool repeated(const char *s)
{
    size_t n = strlen(s);
    for (size_t p = 1; p <= n / 2; p++) {
        if (n % p != 0)
            continue;
        size_t i = p;
        while (i < n && s[i] == s[i - p])
            i++;
        if (i == n) {
            char unit[MAX];
            snprintf(unit, sizeof(unit), "%.*s", (int)p, s);
            return p < 5 || password_listed(unit);
        }
    }
    return false;
}

/* True when hay contains needle and needle says something (at least four characters). */
static bool contains(const char *hay, const char *needle)
{
    return strlen(needle) >= 4 && strstr(hay, needle) != NULL;
}

enum password_verdict password_judge(const char *password, const char *email, const char *company)
{
    char lower[MAX] = "", core[MAX] = "", alnum[MAX] = "", mail[256] = "", local[256] = "";
    char name[256] = "";
    fold(password, lower, sizeof(lower), false);
    fold(password, alnum, sizeof(alnum), true);
    undecorated(lower, core, sizeof(core));
    if (password_listed(lower) || password_listed(core) || distinct_chars(lower) < 5 ||
        straight(alnum) || repeated(alnum))
        return PASSWORD_COMMON;
    if (email && *email) {
        fold(email, mail, sizeof(mail), false);
        /* the local part, without a +tag (nora+partners@ is nora@) */
        snprintf(local, sizeof(local), "%.*s", (int)strcspn(mail, "@+"), mail);
        char local_alnum[256];
        fold(local, local_alnum, sizeof(local_alnum), true);
        if (contains(lower, mail) || contains(lower, local) || contains(alnum, local_alnum))
            return PASSWORD_PERSONAL;
        /* or a name in it (fatou.diallo@: fatou, diallo) */
        for (char *word = local; *word;) {
            size_t len = strcspn(word, ".-_");
            char piece[256];
            snprintf(piece, sizeof(piece), "%.*s", (int)len, word);
            if (len >= 5 && contains(lower, piece))
                return PASSWORD_PERSONAL;
            word += len + (word[len] != '\0');
        }
    }
    if (company && *company) {
        fold(company, name, sizeof(name), true);
        if (contains(alnum, name))
            return PASSWORD_PERSONAL;
        /* or the company's first word, when it is a name of its own (Contoso, Northwind) */
        char first[256];
        fold(company, first, sizeof(first), false);
        first[strcspn(first, " -_.,'")] = '\0';
        if (strlen(first) >= 5 && contains(alnum, first))
            return PASSWORD_PERSONAL;
    }
    return PASSWORD_OK;
}
