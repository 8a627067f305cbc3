/*
 * core/hash.c - FNV-1a (Fowler, Noll, Vo), 32 and 64 bits.
 */
#include "core/hash.h"

#include <string.h>

uint32_t hash32(uint32_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

uint64_t hash64(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

uint32_t hash32_str(uint32_t h, const char *s)
{
    return hash32(h, s, strlen(s));
}

uint64_t hash64_str(uint64_t h, const char *s)
{
    return hash64(h, s, strlen(s));
}
