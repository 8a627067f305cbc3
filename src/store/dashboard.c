/*
 * store/dashboard.c - SQL of the dashboard's figures (see dashboard.h). The renewals due
 * are read from the counts kept per day (migration 027), the partners from the count kept
 * in counters (migration 028); each other count is served by an index on its status
 * (migrations 017, 018), so none reads the table.
 */
#include "store/dashboard.h"

#include "core/arena.h"
#include "db/db.h"
#include "store/counters.h"

const char day_counts_sql_due[] =
    "SELECT expires_on, auto_renew, SUM(n) FROM subscription_day_counts WHERE expires_on >= ? "
    "AND expires_on <= ? GROUP BY expires_on, auto_renew ORDER BY expires_on";
const char day_counts_sql_unfolded[] =
    "SELECT expires_on, auto_renew FROM subscription_day_counts GROUP BY expires_on, auto_renew "
    "HAVING COUNT(*) > 1 ORDER BY expires_on, auto_renew LIMIT ?";

int dashboard_counts(struct db *db, struct dashboard_counts *out)
{
    int rc = counters_get(db, "partners", &out->partners);
    if (rc >= 0)
        rc = db_scalar(db, &out->awaiting_payment,
                       "SELECT COUNT(*) FROM orders WHERE status = 'awaiting_payment'", "");
    if (rc >= 0)
        rc = db_scalar(db, &out->refunds_to_pay,
                       "SELECT COUNT(*) FROM refunds WHERE status = 'to_pay'", "");
    if (rc >= 0)
        rc = db_scalar(db, &out->open_requests,
                       "SELECT COUNT(*) FROM support_requests WHERE status = 'open'", "");
    return rc < 0 ? rc : 0;
}

int day_counts_due(struct db *db, const char *from, const char *to,
                   void (*each)(void *ctx, const char *expires_on, bool auto_renew, int64_t n),
                   void *ctx)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, day_counts_sql_due, "tt", from, to);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        each(ctx, db_column_text(st, 0), db_column_int64(st, 1) != 0, db_column_int64(st, 2));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int day_counts_unfolded(struct db *db, struct arena *a, int limit, struct day_count_key **keys,
                        int *count)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, day_counts_sql_unfolded, "i", (int64_t)limit);
    *keys = NULL;
    *count = 0;
    if (rc < 0)
        return rc;
    *keys = arena_alloc(a, (size_t)limit * sizeof(**keys));
    while ((rc = db_step(st)) == DB_ROW && *count < limit) {
        struct day_count_key *k = &(*keys)[(*count)++];
        k->expires_on = arena_strdup(a, db_column_text(st, 0));
        k->auto_renew = db_column_int64(st, 1) != 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int day_counts_fold(struct db *db, const struct day_count_key *key)
{
    struct db_stmt *st;
    int64_t sum = 0, auto_renew = key->auto_renew;
    int rc = db_query(db, &st,
                      "DELETE FROM subscription_day_counts WHERE expires_on = ? AND "
                      "auto_renew = ? RETURNING n",
                      "ti", key->expires_on, auto_renew);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        sum += db_column_int64(st, 0);
    db_finalize(st);
    if (rc >= 0 && sum != 0)
        rc = (int)db_run(db, "INSERT INTO subscription_day_counts VALUES (?, ?, ?)", "tii",
                         key->expires_on, auto_renew, sum);
    return rc < 0 ? rc : 0;
}
