/*
 * service/clock_sync.h - the test clock, shared by every process through the database.
 *
 * Only processes started with --test-clock honour it; elsewhere the clock is always the
 * real time, whatever the database holds.
 */
#ifndef PD_CLOCK_SYNC_H
#define PD_CLOCK_SYNC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct db;
struct principal;

/* Turns test-clock mode on for this process (serve --test-clock). */
void clock_sync_enable(bool on);

/* True when this process honours the test clock. */
bool clock_sync_enabled(void);

/* Loads the pinned instant from the database into the clock (no-op unless enabled).
 * Call at the start of each request and job step. */
int clock_sync(struct db *db);

/* Pins the shared clock to an instant (unix seconds) for every process. */
int clock_sync_set(struct db *db, int64_t unix_seconds);

/* Returns every process to the real time. */
int clock_sync_reset(struct db *db);

/* The operator's use case: body {"now": "2027-06-23T09:00:00Z"} pins the clock, {"now":
 * null} returns to the real time; the caller's session moves with the clock, the change
 * is audited, and *out is clock_sync_view(). One transaction. */
int clock_sync_change(struct db *db, const struct principal *who, const char *ip,
                      const json_t *body, json_t **out, struct pd_error *err);

/* The business clock as this process sees it: {"now","today","pinned"}; with time_zone,
 * also {"time_zone"}. A new reference. */
json_t *clock_sync_view(bool time_zone);

#endif
