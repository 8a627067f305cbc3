/* fuzz_csv.c - uploaded CSV files (bank statements, PMC exports): every line and field
 * stays inside the text, and an amount that parses prints back to the same minor units. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    static const char *const codes[] = {"EUR", "JPY", "KWD"};
    char *cursor = text, *line;
    while ((line = csv_next_line(&cursor)) != NULL) {
        assert(line >= text && line <= text + size);
        assert(strchr(line, '\n') == NULL);
        char *f[5];
        int n = csv_split(line, f, 5);
        assert(n >= 1 && n <= 6);
        for (int i = 0; i < n && i < 5; i++) {
            assert(f[i] >= text && f[i] + strlen(f[i]) <= text + size);
            assert(strchr(f[i], ',') == NULL);
            const struct currency *cur = money_currency(codes[(unsigned char)f[i][0] % 3]);
            int64_t minor;
            if (money_parse_major(f[i], cur, &minor) == 0) {
                /* back to major units with all its decimals, and parsed again: the same */
                char back[40];
                int64_t scale = 1, again = -1;
                for (int k = 0; k < cur->exponent; k++)
                    scale *= 10;
                if (cur->exponent)
                    snprintf(back, sizeof(back), "%lld.%0*lld", (long long)(minor / scale),
                             cur->exponent, (long long)(minor % scale));
                else
                    snprintf(back, sizeof(back), "%lld", (long long)minor);
                assert(minor >= 0);
                assert(money_parse_major(back, cur, &again) == 0 && again == minor);
            }
        }
    }
    free(text);
    return 0;
}
