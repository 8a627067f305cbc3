/*
 * store/dashboard.h - the figures of the staff console's dashboard: the renewals due per
 * day, kept in subscription_day_counts (migration 027), and the counts beside them: the
 * partners kept in counters (migration 028), the others each one indexed COUNT.
 */
#ifndef PD_STORE_DASHBOARD_H
#define PD_STORE_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;

struct dashboard_counts {
    int64_t partners;         /* organisations in the network */
    int64_t awaiting_payment; /* wire orders not paid yet */
    int64_t refunds_to_pay;   /* wire refunds finance must send */
    int64_t open_requests;    /* support requests nobody took yet */
};

/* 0 and *out, or a negative status. */
int dashboard_counts(struct db *db, struct dashboard_counts *out);

/* The running Partner Center subscriptions (paid, not cancelled) expiring from `from` to `to`
 * (YYYY-MM-DD, inclusive), per expiry day and auto_renew, by day: each() is called once per
 * (day, auto_renew) that has rows, with their sum. 0, or a negative status. */
int day_counts_due(struct db *db, const char *from, const char *to,
                   void (*each)(void *ctx, const char *expires_on, bool auto_renew, int64_t n),
                   void *ctx);

/* A day and auto_renew of subscription_day_counts. */
struct day_count_key {
    const char *expires_on;
    bool auto_renew;
};

/* Up to `limit` (day, auto_renew) that have more than one row, in *keys (allocated in a):
 * what day_counts_fold() has to do. 0, or a negative status. */
int day_counts_unfolded(struct db *db, struct arena *a, int limit, struct day_count_key **keys,
                        int *count);

/* Replaces the rows of one (day, auto_renew) by one row of their sum (none when it is 0),
 * in the caller's transaction. Only the rows it deletes are summed: on PostgreSQL a row
 * another transaction adds meanwhile stays beside the new one, still counted. 0, or a
 * negative status. */
int day_counts_fold(struct db *db, const struct day_count_key *key);

/* The statements above the dashboard and the jobs run, for the query-plan checks
 * (tests/unit/test_plans.c). */
extern const char day_counts_sql_due[];
extern const char day_counts_sql_unfolded[];

#endif
