/* core/base64.c - base64 through libsodium. */
#include "core/base64.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

char *base64_encode(const void *data, size_t size)
{
    size_t cap = sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(cap);
    if (text != NULL)
        sodium_bin2base64(text, cap, data, size, sodium_base64_VARIANT_ORIGINAL);
    return text;
}

int base64_decode(const char *text, unsigned char **out, size_t *size)
{
    size_t len = strlen(text);
    *out = malloc(len + 1);
    if (*out == NULL || sodium_base642bin(*out, len, text, len, NULL, size, NULL,
                                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}
