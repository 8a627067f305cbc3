/*
 * service/dashboard.c - renewals due by week and revenue by month, for the staff console,
 * and the job that folds the renewals due it keeps per day (day_counts).
 *
 * Both figures are computed on the business date (the test clock's, in tests). Revenue is
 * what was invoiced before VAT (the VAT collected is the state's, not the program's),
 * credit notes deducted, per month and currency, as the invoices store sums it; months
 * without an invoice are simply absent. Both come from a few hundred rows at most: the
 * renewals from the counts kept per expiry day (migration 027; folded by the jobs pass
 * below, and between two passes the rows of the changes since), the revenue from the
 * monthly totals kept as invoices are issued (migration 018), so the cost does not grow with
 * the number of subscriptions or invoices. Of the counts beside them, partners is kept too
 * (migration 028); wire orders awaiting payment, refunds to send and open requests are
 * indexed COUNTs of what is open: the console no longer downloads those lists to count them.
 */
#include "service/dashboard.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/date.h"
#include "db/db.h"
#include "service/tx.h"
#include "store/counters.h"
#include "store/dashboard.h"
#include "store/invoices.h"

#define WEEKS 12
#define MONTHS 12

struct due_weeks {
    struct date monday;
    int automatic[WEEKS], manual[WEEKS];
};

/* Adds the subscriptions expiring on one day to the week their window opens in. */
static void add_due(void *ctx, const char *expires_on, bool auto_renew, int64_t n)
{
    struct due_weeks *d = ctx;
    struct date expires;
    if (date_parse(expires_on, &expires) < 0)
        return;
    int week = date_diff_days(d->monday, date_add_days(expires, 1)) / 7;
    if (week >= 0 && week < WEEKS) {
        if (auto_renew)
            d->automatic[week] += (int)n;
        else
            d->manual[week] += (int)n;
    }
}

int dashboard_json(struct db *db, json_t **out, struct pd_error *err)
{
    struct date today = clock_today();
    struct due_weeks due = {.monday = date_add_days(today, 1 - date_weekday(today))};
    struct date monday = due.monday;
    char from[DATE_STRLEN], to[DATE_STRLEN], month0[DATE_STRLEN], today_s[DATE_STRLEN];
    /* due in week w when the window opens (the day after expiry) in it; the counts kept
     * per day, never the subscriptions */
    date_format(date_add_days(monday, -1), from);
    date_format(date_add_days(monday, WEEKS * 7 - 2), to);
    int n = 0;
    int rc = day_counts_due(db, from, to, add_due, &due);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    int *automatic = due.automatic, *manual = due.manual;
    json_t *weeks = json_array();
    for (int w = 0; w < WEEKS; w++) {
        char d[DATE_STRLEN];
        json_array_append_new(weeks, json_pack("{s:s, s:i, s:i}", "week_of",
                                               date_format(date_add_days(monday, 7 * w), d),
                                               "automatic", automatic[w], "manual", manual[w]));
    }
    struct date first = {today.year, today.month, 1};
    struct invoice_revenue *rows = NULL;
    rc = invoices_revenue_by_month(db, date_format(date_add_months(first, 1 - MONTHS), month0),
                                   &rows, &n);
    if (rc < 0) {
        json_decref(weeks);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    json_t *revenue = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(revenue, json_pack("{s:s, s:s, s:I, s:I}", "month", rows[i].month,
                                                 "currency", rows[i].currency, "amount_minor",
                                                 (json_int_t)rows[i].amount_minor, "invoices",
                                                 (json_int_t)rows[i].invoices));
    free(rows);
    json_t *months = json_array();
    for (int m = 1 - MONTHS; m <= 0; m++) {
        char d[DATE_STRLEN];
        date_format(date_add_months(first, m), d);
        d[7] = '\0';
        json_array_append_new(months, json_string(d));
    }
    struct dashboard_counts counts = {0};
    if ((rc = dashboard_counts(db, &counts)) < 0) {
        json_decref(weeks);
        json_decref(months);
        json_decref(revenue);
        return pd_fail(err, rc, "%s", db_errmsg(db));
    }
    *out = json_pack("{s:s, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I}}", "today",
                     date_format(today, today_s), "renewals_due", weeks, "months", months,
                     "revenue", revenue, "counts", "partners", (json_int_t)counts.partners,
                     "awaiting_payment", (json_int_t)counts.awaiting_payment, "refunds_to_pay",
                     (json_int_t)counts.refunds_to_pay, "open_requests",
                     (json_int_t)counts.open_requests);
    return 0;
}

/* Days folded in one pass at most: the rest are folded by the next. A day's purchases and
 * renewals touch a few days each; a program imported or generated in bulk, every day. */
#define FOLD_DAYS 1000

int dashboard_fold_run(struct db *db)
{
    struct arena a = {0};
    struct pd_error err = {0};
    struct day_count_key *keys;
    int n;
    /* read outside a transaction: a pass with nothing to fold takes no write lock (a day
     * another pass folds meanwhile is folded again below, to its own row: harmless) */
    int rc = day_counts_unfolded(db, &a, FOLD_DAYS, &keys, &n);
    if (rc >= 0 && n > 0) {
        int64_t fold;
        rc = tx_begin(db, &err);
        if (rc >= 0) {
            /* the folds' own series: taking its next number locks its row until commit, so
             * two servers' folds take turns (on PostgreSQL; SQLite's writer lock does
             * already) rather than lock a day's rows in two orders and deadlock */
            rc = counters_next(db, "day_counts:folds", &fold);
            for (int i = 0; rc >= 0 && i < n; i++)
                rc = day_counts_fold(db, &keys[i]);
            rc = tx_end(db, rc, &err);
        }
    }
    pd_error_clear(&err);
    arena_free(&a);
    return rc < 0 ? rc : n;
}
