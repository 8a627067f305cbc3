/*
 * store/counters.h - SQL of numbered series (invoice:2027, credit_note:2027,
 * support_request).
 *
 * A series hands out 1, 2, 3... Taken inside the caller's transaction, a number is lost
 * only if that transaction rolls back, and then nobody saw it: the series has no gap.
 */
#ifndef PD_STORE_COUNTERS_H
#define PD_STORE_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

struct db;

/* Takes the next number of a series ("invoice:2027") inside the caller's transaction. */
int counters_next(struct db *db, const char *series, int64_t *value);

/* Takes the next k numbers of a series (k >= 1) inside the caller's transaction, in one
 * statement: *last is the last of them, the first is *last - k + 1. */
int counters_take(struct db *db, const char *series, int k, int64_t *last);

/* A counter kept rather than taken (what the jobs' check days were written with,
 * "check_days:window"): its value, 0 when it was never set. */
int counters_get(struct db *db, const char *name, int64_t *value);
int counters_set(struct db *db, const char *name, int64_t value);

/* Locks a kept counter's row until the caller's transaction ends (db_lock_row_by): shared
 * by the transactions that act on its value, not shared by the one that changes it. */
int counters_lock(struct db *db, const char *name, bool shared);

#endif
