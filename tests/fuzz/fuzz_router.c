/* fuzz_router.c - paths against the real route table and one with parameters. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/router.h"

static int nop(struct req *r, struct resp *w)
{
    (void)r;
    (void)w;
    return 0;
}

static const struct route params_table[] = {
    {"GET", "/a/{x}", nop, 0, "fuzz"},
    {"GET", "/a/{x}/b/{y}/c/{z}/d/{w}", nop, 0, "fuzz"},
    {"POST", "/a/{x}/b", nop, 0, "fuzz"},
    {0, 0, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    char *path = malloc(size + 1);
    memcpy(path, data, size);
    path[size] = '\0';
    const struct route *tables[] = {api_routes, params_table};
    for (size_t t = 0; t < 2; t++)
        for (size_t m = 0; m < 5; m++) {
            struct route_params p;
            char allow[64];
            int idx = -1;
            enum route_result r =
                router_match(tables[t], methods[m], path, &idx, &p, allow, sizeof(allow));
            if (r == ROUTE_FOUND) {
                assert(idx >= 0 && strcmp(tables[t][idx].method, methods[m]) == 0);
                for (int i = 0; i < p.count; i++)
                    assert(p.values[i][0] != '\0' && strchr(p.values[i], '/') == NULL);
            }
            if (r == ROUTE_NO_METHOD)
                assert(allow[0] != '\0');
        }
    free(path);
    return 0;
}
