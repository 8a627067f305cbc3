/*
 * core/words.c - search words and folded names.
 *
 * Both walk UTF-8 by code point. A code point is a letter or digit when it is ASCII
 * alphanumeric, or at or above U+00AA outside the blocks of punctuation and symbols (the
 * Latin-1 signs, General Punctuation up to the arrows and shapes, CJK punctuation, the
 * fullwidth signs, emoji): close to SQLite's unicode61 tokenizer without its tables, which
 * is what the directory's search needs.
 */
#include "core/words.h"

#include <ctype.h>
#include <string.h>

/* The base letter of U+00C0..U+017F ('?' for the two signs among them). */
static const char latin[] = "aaaaaaaceeeeiiiidnooooo?ouuuuytsaaaaaaaceeeeiiiidnooooo?ouuuuyty"
                            "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllll"
                            "llllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* Decodes one code point at *p (advancing it); -1 for an invalid byte (skipped). */
static long next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    long cp;
    int extra;
    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1F;
        extra = 1;
    } else if ((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0F;
        extra = 2;
    } else if ((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07;
        extra = 3;
    } else {
        *p = s + 1;
        return -1;
    }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p = s + 1;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *p = s + 1 + extra;
    return cp;
}

static int is_word_cp(long cp)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return isalnum((int)cp);
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return 0;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
        (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
        (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp >= 0x1F000)
        return 0;
    return 1;
}

int words_split(const char *s, char out[WORDS_MAX][WORD_BYTES])
{
    int n = 0;
    size_t len = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p && n < WORDS_MAX) {
        const unsigned char *start = p;
        long cp = next_cp(&p);
        if (is_word_cp(cp)) {
            size_t k = (size_t)(p - start);
            if (len + k < WORD_BYTES) { /* a longer word is cut at a character's end */
                for (size_t i = 0; i < k; i++)
                    out[n][len + i] = (char)(k == 1 ? tolower(start[i]) : start[i]);
                len += k;
            }
        } else if (len > 0) {
            out[n++][len] = '\0';
            len = 0;
        }
    }
    if (len > 0 && n < WORDS_MAX)
        out[n++][len] = '\0';
    return n;
}

void words_fold(const char *s, char sep, char *out, size_t n)
{
    size_t o = 0;
    int pending = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    if (n == 0)
        return;
    while (*p) {
        long cp = next_cp(&p);
        char c = 0;
        const char *two = cp == 0xC6 || cp == 0xE6     ? "ae"
                          : cp == 0x152 || cp == 0x153 ? "oe"
                          : cp == 0xDF                 ? "ss"
                                                       : NULL;
        if (two) { /* a ligature: its two letters */
            if (pending && sep && o + 2 < n)
                out[o++] = sep;
            pending = 0;
            for (int i = 0; i < 2 && o + 1 < n; i++)
                out[o++] = two[i];
            continue;
        }
        if (cp >= 0 && cp < 0x80 && isalnum((int)cp))
            c = (char)tolower((int)cp);
        else if (cp >= 0xC0 && cp <= 0x17F && latin[cp - 0xC0] != '?')
            c = latin[cp - 0xC0];
        else if (is_word_cp(cp))
            continue; /* a letter of another alphabet: nothing in a-z to stand for it */
        if (c == 0) {
            pending = o > 0;
            continue;
        }
        if (pending && sep && o + 2 < n)
            out[o++] = sep;
        pending = 0;
        if (o + 1 < n)
            out[o++] = c;
    }
    out[o] = '\0';
}
