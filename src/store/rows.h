/*
 * store/rows.h - growing an array of typed rows in an arena, for reads of many rows.
 *
 * A list read by store/ lives in the caller's arena: the array doubles as rows come and the
 * old copies stay in the arena until it is freed, so the caller never frees a row.
 */
#ifndef PD_STORE_ROWS_H
#define PD_STORE_ROWS_H

#include <stddef.h>

struct arena;

/* An array being filled: items (in the arena), count used, cap allocated. */
struct rows {
    void *items;
    int count, cap;
};

/* Room for one more element of size at the end of r, zeroed; returns it. */
void *rows_add(struct arena *a, struct rows *r, size_t size);

#endif
