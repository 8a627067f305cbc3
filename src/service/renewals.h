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

/* Automatic renewal: charges the saved card of every subscription with auto-renew on whose
 * try is due today (days 1, 3 and 7 of the window), and finishes tries a killed process
 * left behind. progress (may be NULL) hears how far it got. Returns renewals made. */
int renewals_run(struct db *db, void (*progress)(int done, int total));

/* Keeps the check days of the notices and renewals jobs true to the renewal window and
 * the clock they were written with (both are kept as counters): a window changed since
 * moves the days after expiry, a clock set back (a test clock) every day after today; those
 * are set back to "now". Each of the two passes calls it first. */
int renewals_check_days(struct db *db, int window, struct date today);

/* The check day a step of a pass that began with `window` writes for `next` (a day, or
 * SUB_CHECK_NEVER): 1 and the day in day ("" for "now" when the window changed since the
 * pass began: another process reset the days, and this pass's would be stale), or 0 for
 * NULL. */
int renewals_check_day(struct db *db, int window, struct date next, char day[DATE_STRLEN]);

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
