/* service/check_days.c - keeping the jobs' check days true to the window and the clock. */
#include "service/check_days.h"

#include "core/clock.h"
#include "core/subscription.h"
#include "log.h"
#include "service/tx.h"
#include "store/benefits.h"
#include "store/counters.h"
#include "store/subscriptions.h"

/* The counters check_days_sync() keeps: the window and the day (days since 1970). */
static int counters_read(struct db *db, int64_t *window, int64_t *day)
{
    int rc = counters_get(db, "check_days:window", window);
    return rc < 0 ? rc : counters_get(db, "check_days:day", day);
}

/* Whether today is before the day the stored days were written on, and so the days after
 * it must be set back. Only a test clock goes back; two processes either side of midnight
 * do not take the day back. */
static bool clock_went_back(int64_t was_day, int64_t day)
{
    return was_day > day && clock_is_pinned();
}

int check_days_sync(struct db *db, int window, struct date today)
{
    struct pd_error err = {0};
    int64_t was_window = 0, was_day = 0, day = date_to_days(today);
    char on[DATE_STRLEN], since[DATE_STRLEN];
    int rc = counters_read(db, &was_window, &was_day);
    if (rc < 0 || (was_window == window && was_day >= day && !clock_went_back(was_day, day)))
        return rc; /* the same window, and no new day: nothing to write */
    /* locked first: a transaction of a pass that read the window (check_days_stale) ends
     * before these days are set back, or begins after and reads the new window */
    if ((rc = tx_begin(db, &err)) >= 0 && (rc = counters_lock(db, "check_days:window", false)) >= 0)
        rc = counters_read(db, &was_window, &was_day); /* another process may be first */
    date_format(today, on);
    if (rc >= 0 && was_window != 0 && was_window != window) {
        /* the days after expiry of the subscriptions (and grants) that can still be in
         * their window or lapse notice, under the old window or the new */
        int widest = (int)(was_window > window ? was_window : window);
        date_format(date_add_days(today, -(widest + 32)), since);
        rc = subs_checks_reset(db, NULL, true, since);
        if (rc >= 0)
            rc = grants_checks_reset(db, on, since);
        log_line(LOG_INFO, NULL, "check_days", "window_days=%lld->%d: check days set again",
                 (long long)was_window, window);
    }
    bool back = clock_went_back(was_day, day);
    if (rc >= 0 && back)
        rc = subs_checks_reset(db, on, false, NULL);
    if (rc >= 0 && was_window != window)
        rc = counters_set(db, "check_days:window", window);
    if (rc >= 0 && (was_day < day || back))
        rc = counters_set(db, "check_days:day", day);
    rc = tx_end(db, rc, &err);
    pd_error_clear(&err);
    return rc;
}

int check_days_stale(struct db *db, int window, bool *stale)
{
    int64_t current = 0;
    /* shared: no reset of the days can commit before this transaction ends (PostgreSQL
     * reads what commits meanwhile; on SQLite the write lock already keeps it out) */
    int rc = counters_lock(db, "check_days:window", true);
    if (rc >= 0)
        rc = counters_get(db, "check_days:window", &current);
    *stale = rc >= 0 && current != 0 && current != window;
    return rc < 0 ? rc : 0;
}

int check_days_value(bool stale, struct date next, char day[DATE_STRLEN])
{
    if (stale) { /* "now": the pass that reset the days looks at it again */
        day[0] = '\0';
        return 1;
    }
    if (date_cmp(next, SUB_CHECK_NEVER) == 0)
        return 0;
    date_format(next, day);
    return 1;
}
