/* fuzz_text.c - the UTF-8 checks that judge uploaded files and every text field, against
 * a decoder written the other way round: decode a code point, then judge its value. */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static bool reference_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len;
        if (p[i] < 0x80) {
            cp = p[i], len = 1;
        } else if ((p[i] & 0xE0) == 0xC0) {
            cp = p[i] & 0x1Fu, len = 2;
        } else if ((p[i] & 0xF0) == 0xE0) {
            cp = p[i] & 0x0Fu, len = 3;
        } else if ((p[i] & 0xF8) == 0xF0) {
            cp = p[i] & 0x07u, len = 4;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool valid = text_utf8_valid((const char *)data, size);
    assert(valid == reference_valid(data, size));
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    /* a valid line is valid UTF-8 (up to its first NUL) */
    if (text_line_valid(s, 4096))
        assert(text_utf8_valid(s, strlen(s)));
    free(s);
    return 0;
}
