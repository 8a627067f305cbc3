/*
 * service/check_days.h - the days the notices, renewals and benefits passes look at a row
 * again (migration 024), and the two facts they were reckoned with.
 *
 * A subscription's notice_check_on and renew_check_on, and a grant's check day, are
 * computed from the renewal window and today. Both can change under them: staff change
 * renewal.window_days, or a test clock goes back. The window and the day the stored days
 * were written with are kept as counters ("check_days:window", "check_days:day"), so a
 * pass can tell and set the days concerned back to "now" ('').
 */
#ifndef PD_SERVICE_CHECK_DAYS_H
#define PD_SERVICE_CHECK_DAYS_H

#include <stdbool.h>

#include "core/date.h"

struct db;

/* Keeps the stored check days true to the window and clock of this pass: a window changed
 * since moves the days after expiry (subscriptions and grants), a clock set back (a test
 * clock) every day after today; those are set back to "now". Each pass calls it first; with
 * nothing changed it reads the two counters and writes nothing. */
int check_days_sync(struct db *db, int window, struct date today);

/* Whether the window changed since a pass that began with `window` did: another process
 * reset the days, and the days this pass reckoned would be stale. Read once in each
 * transaction that writes days (the tx_batch_job's begin), before its first, with the
 * counter locked shared, so no reset commits before that transaction ends. */
int check_days_stale(struct db *db, int window, bool *stale);

/* The check day to write for `next` (a day, or SUB_CHECK_NEVER): 1 and the day in day (""
 * for "now" when stale), or 0 for NULL. */
int check_days_value(bool stale, struct date next, char day[DATE_STRLEN]);

#endif
