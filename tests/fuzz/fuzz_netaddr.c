/* fuzz_netaddr.c - the operator's list of trusted proxies and the address parser: never
 * crash; a parsed list has sane prefixes, and each network contains its own address. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[512];
    if (size >= sizeof(text))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct netaddr_list l;
    int bad;
    if (netaddr_list_parse(text, &l, &bad) == 0) {
        assert(l.count >= 0 && l.count <= NETADDR_LIST_MAX);
        for (int i = 0; i < l.count; i++) {
            assert(l.prefix[i] >= 0 && l.prefix[i] <= 128);
            assert(netaddr_list_contains(&l, &l.net[i]));
        }
    } else {
        assert(bad >= 1);
    }
    struct netaddr a;
    if (netaddr_parse(text, &a))
        (void)netaddr_is_public(&a);
    return 0;
}
