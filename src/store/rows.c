/* store/rows.c - arrays of rows that grow in an arena. */
#include "store/rows.h"

#include <string.h>

#include "core/arena.h"

void *rows_add(struct arena *a, struct rows *r, size_t size)
{
    if (r->count == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        void *bigger = arena_alloc(a, (size_t)cap * size);
        if (r->count)
            memcpy(bigger, r->items, (size_t)r->count * size);
        r->items = bigger;
        r->cap = cap;
    }
    return (char *)r->items + (size_t)r->count++ * size;
}
