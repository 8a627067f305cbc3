/* fuzz_query.c - query strings: never crash; accepted names are non-empty and NUL-free. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "http/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a = {0};
    struct query q;
    if (query_parse(&a, (const char *)data, size, &q) == 0) {
        assert(q.count >= 0 && q.count <= QUERY_MAX_PARAMS);
        for (int i = 0; i < q.count; i++) {
            assert(q.names[i][0] != '\0');
            assert(strlen(q.values[i]) <= size);
            assert(query_get(&q, q.names[i]) != NULL);
        }
    }
    arena_free(&a);
    return 0;
}
