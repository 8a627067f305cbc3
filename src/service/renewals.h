/*
 * service/renewals.h - automatic renewal, what the calendar does with a saved card
 * (SPEC section 3). The notices of the same calendar are in service/notices.h.
 *
 * The pass works from the business date of the one clock and is idempotent: a second
 * pass, or a pass in another process at the same time, does nothing more.
 */
#ifndef PD_SERVICE_RENEWALS_H
#define PD_SERVICE_RENEWALS_H

#include "core/subscription.h"

struct db;
struct order_row;
struct settings;
struct sub_row;
struct tx_workers;

/* Automatic renewal: charges the saved card of every subscription with auto-renew on whose
 * try is due today (days 1, 3 and 7 of the window), a page's tries spread over w's
 * connections, and finishes tries a killed process left behind. progress (may be NULL)
 * hears how far it got. Returns renewals made. */
int renewals_run(const struct tx_workers *w, void (*progress)(int done, int total));

/* The facts of a stored subscription that the rules of core/subscription.h read, with a
 * renewal window of window_days. */
struct sub_facts renewals_facts(const struct sub_row *s, int window_days);

/* The instant (business clock) until which the automatic renewal paid by order o waits for
 * the partner when the bank asks to authenticate it: the start of the next try's day (days 3
 * and 7 of the window), of the day after the window for the last try. *until is left as it is
 * when o is no try of the job's. */
int renewals_action_deadline(struct db *db, const struct settings *set, const struct order_row *o,
                             int64_t *until);

#endif
