/* fuzz_card_pan.c - the card-number finder that guards the API (card data never reaches
 * partnerd): never reads outside the text, and whatever it says agrees with a plain
 * reference (some run of 13 to 19 digits, single spaces or dashes between them, standing
 * apart from letters, that passes Luhn). */
#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/card.h"

static bool word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The reference: every maximal run, as card_pan_in() defines one. */
static bool reference(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        if (!isdigit((unsigned char)s[i])) {
            i++;
            continue;
        }
        char digits[64];
        size_t len = 0, j = i;
        bool glued = i > 0 && word(s[i - 1]);
        while (j < n) {
            if (isdigit((unsigned char)s[j])) {
                if (len < sizeof(digits) - 1)
                    digits[len] = s[j];
                len++;
                j++;
            } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < n &&
                       isdigit((unsigned char)s[j + 1])) {
                j++;
            } else {
                break;
            }
        }
        digits[len < sizeof(digits) ? len : sizeof(digits) - 1] = '\0';
        if (!glued && !(j < n && word(s[j])) && len >= 13 && len <= 19 && card_luhn_ok(digits))
            return true;
        i = j;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    assert(card_pan_in(text) == reference(text));
    free(text);
    return 0;
}
