/* fuzz_bank_csv.c - the CSV bank statements finance uploads (service/wire_statement.c):
 * a file read without a problem gives positive amounts in known currencies, each line with
 * a key, and, without the bank's own reference column, no two lines with the same key (two
 * identical payments of one day are two transfers, never one taken for the other). */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "service/wire_statement.h"

#define ROWS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wire_received rows[ROWS];
    static char keys[ROWS][WIRE_KEY_SIZE];
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    json_t *problems = json_array();
    int n = wire_statement_read(text, "en", rows, keys, ROWS, problems);
    assert(n >= 0 && n <= ROWS);
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) assert(json_is_string(p) && json_string_length(p) > 0);
    if (json_array_size(problems) == 0) {
        const char *nl = strchr(text, '\n');
        size_t head = nl ? (size_t)(nl - text) : strlen(text);
        bool bank_refs = memmem(text, head, "bank_ref", 8) != NULL;
        for (int r = 0; r < n; r++) {
            assert(rows[r].amount > 0 && rows[r].amount <= MONEY_MAX_MINOR);
            assert(money_currency(rows[r].currency) != NULL);
            assert(strncmp(keys[r], "csv:", 4) == 0 && keys[r][4] != '\0');
            for (int q = 0; !bank_refs && q < r; q++)
                assert(strcmp(keys[q], keys[r]) != 0);
        }
    }
    json_decref(problems);
    free(text);
    return 0;
}
