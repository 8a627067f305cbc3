/* fuzz_date.c - dates and instants from clients: a parsed value formats back the same. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct date d;
    if (date_parse(s, &d) == 0) {
        char back[DATE_STRLEN];
        assert(date_valid(d));
        assert(strcmp(date_format(d, back), s) == 0);
        assert(date_cmp(date_from_days(date_to_days(d)), d) == 0);
        (void)date_term_end(d, 12);
    }
    int64_t t;
    if (instant_parse(s, &t) == 0) {
        char back[21];
        int64_t again;
        assert(instant_parse(instant_format(t, back), &again) == 0 && again == t);
    }
    free(s);
    return 0;
}
