/*
 * service/renewals.h - what the calendar does to subscriptions (SPEC section 3).
 *
 * Both passes work from the business date of the one clock and are idempotent: a second
 * pass, or a pass in another process at the same time, does nothing more.
 */
#ifndef PD_SERVICE_RENEWALS_H
#define PD_SERVICE_RENEWALS_H

struct db;

/* Automatic renewal: charges the saved card of every subscription with auto-renew on whose
 * try is due today (days 1, 3 and 7 of the window), and finishes tries a killed process
 * left behind. progress (may be NULL) hears how far it got. Returns renewals made. */
int renewals_run(struct db *db, void (*progress)(int done, int total));

/* Reminders and notices: upcoming renewal, 30/7/1 days before expiry, window open,
 * window closing, lapsed; each once per subscription and term. Returns notices sent. */
int notices_run(struct db *db);

#endif
