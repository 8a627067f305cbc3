/*
 * store/renewals.c - SQL of renewal attempts, subscription notices and terms.
 *
 * Only reads and writes, no decisions: which try is due and which notice is owed are
 * the rules of core/subscription.c, applied by service/renewals.c and service/notices.c.
 */
#include "store/renewals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int renewal_lock_subscription(struct db *db, const char *subscription_id)
{
    return db_lock_row(db, "subscriptions", subscription_id);
}

/* One subscription's tries from a row of renewal_tries_of()'s shape: the term, then a try's
 * status and day, or NULLs when there is none. */
static void add_try(struct db_stmt *st, int col, struct renewal_tries *out)
{
    const char *status = db_column_text(st, col + 1);
    out->term = db_column_int64(st, col);
    if (status == NULL) /* no try */
        return;
    if (strcmp(status, "failed") == 0)
        out->failed++;
    else
        out->open_or_done = true;
    snprintf(out->last_on, sizeof(out->last_on), "%s", db_column_text(st, col + 2));
}

int renewal_tries_of(struct db *db, const char *subscription_id, struct renewal_tries *out)
{
    struct db_stmt *st;
    memset(out, 0, sizeof(*out));
    /* the term, the number of terms the subscription has had, counted in the same statement:
     * a row even when there is no try yet */
    int rc = db_query(db, &st,
                      "SELECT t.n, a.status, a.attempted_on FROM (SELECT COUNT(*) AS n FROM "
                      "subscription_terms WHERE subscription_id = ?) AS t LEFT JOIN "
                      "renewal_attempts a ON a.subscription_id = ? AND a.term = t.n ORDER BY a.try",
                      "tt", subscription_id, subscription_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        add_try(st, 0, out);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* renewal_tries_of() for up to RENEWAL_TRIES_READ_MAX subscriptions at once. */
#define SIXTEEN_IDS "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define TERMS_OF_S "(SELECT COUNT(*) FROM subscription_terms t WHERE t.subscription_id = s.id)"
const char renewal_sql_tries_many[] =
    "SELECT s.id, " TERMS_OF_S ", a.status, a.attempted_on FROM subscriptions s LEFT JOIN "
    "renewal_attempts a ON a.subscription_id = s.id AND a.term = " TERMS_OF_S
    " WHERE s.id IN (" SIXTEEN_IDS ", " SIXTEEN_IDS ", " SIXTEEN_IDS ", " SIXTEEN_IDS
    ") ORDER BY s.id, a.try";
_Static_assert(RENEWAL_TRIES_READ_MAX == 4 * 16, "one parameter for each id");

int renewal_tries_of_many(struct db *db, const char *const *ids, int n, struct renewal_tries *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, renewal_sql_tries_many, &st);
    if (rc >= 0)
        rc = db_bind_text_list(st, 1, ids, n, RENEWAL_TRIES_READ_MAX);
    if (rc < 0) {
        db_finalize(st);
        return rc;
    }
    memset(out, 0, sizeof(*out) * (size_t)n);
    int at = -1; /* the subscription of the rows being read: in the order of their ids */
    while ((rc = db_step(st)) == DB_ROW) {
        const char *id = db_column_text(st, 0);
        if (at < 0 || strcmp(ids[at], id) != 0)
            for (at = 0; at < n && strcmp(ids[at], id) != 0; at++)
                ;
        if (at < n)
            add_try(st, 1, &out[at]);
        else
            at = -1;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int renewal_try_of_order(struct db *db, const char *order_id, int *try, char *attempted_on)
{
    struct db_stmt *st;
    int rc = db_query(db, &st, "SELECT try, attempted_on FROM renewal_attempts WHERE order_id = ?",
                      "t", order_id);
    if (rc < 0)
        return rc;
    int found = 0;
    if ((rc = db_step(st)) == DB_ROW) {
        *try = (int)db_column_int64(st, 0);
        snprintf(attempted_on, 11, "%s", db_column_text(st, 1));
        found = 1;
    }
    db_finalize(st);
    return rc < 0 ? rc : found;
}

int renewal_open_order(struct db *db, const char *subscription_id, char order_id[32])
{
    struct db_stmt *st;
    int rc = db_query(db, &st,
                      "SELECT order_id FROM renewal_attempts WHERE subscription_id = ? AND status "
                      "= 'pending' ORDER BY try DESC",
                      "t", subscription_id);
    if (rc < 0)
        return rc;
    int found = 0;
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(order_id, 32, "%s", db_column_text(st, 0));
        found = 1;
    }
    db_finalize(st);
    return rc < 0 ? rc : found;
}

int renewal_attempt_insert(struct db *db, const struct renewal_attempt_new *a, int64_t now)
{
    int64_t rc = db_run(db,
                        "INSERT INTO renewal_attempts (id, subscription_id, term, try, order_id, "
                        "status, attempted_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                        "'pending', ?, ?, ?)",
                        "ttiittii", a->id, a->subscription_id, a->term, (int64_t)a->try,
                        a->order_id, a->attempted_on, now, now);
    /* the renewals job looks at the subscription again once the try has ended (set again
     * then, by order_effects_end_attempt) */
    if (rc >= 0)
        rc = db_run(db, "UPDATE subscriptions SET renew_check_on = '' WHERE id = ?", "t",
                    a->subscription_id);
    return rc < 0 ? (int)rc : 0;
}

int renewal_pending_orders(struct db *db, char (**out)[32], int *count)
{
    struct db_stmt *st;
    int cap = 0;
    *out = NULL;
    *count = 0;
    int rc = db_query(
        db, &st, "SELECT order_id FROM renewal_attempts WHERE status = 'pending' ORDER BY id", "");
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (*count == cap) {
            cap = cap ? cap * 2 : 64;
            char(*grown)[32] = realloc(*out, (size_t)cap * sizeof(**out));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            *out = grown;
        }
        snprintf((*out)[(*count)++], sizeof(**out), "%s", db_column_text(st, 0));
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int renewal_notices_sent(struct db *db, const char *subscription_id,
                         char (*kinds)[NOTICE_KIND_LEN], int max, int *n)
{
    struct db_stmt *st;
    *n = 0;
    int rc = db_query(db, &st,
                      "SELECT kind FROM subscription_notices WHERE subscription_id = ? AND term = "
                      "(SELECT COUNT(*) FROM subscription_terms WHERE subscription_id = ?)",
                      "tt", subscription_id, subscription_id);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW)
        if (*n < max)
            snprintf(kinds[(*n)++], NOTICE_KIND_LEN, "%s", db_column_text(st, 0));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int renewal_notice_insert(struct db *db, const char *subscription_id, const char *kind,
                          const char *day)
{
    /* the term (the number of terms the subscription has had) counted in the insert: one
     * statement, not a count and then the insert */
    int64_t fresh = db_run(db,
                           "INSERT INTO subscription_notices (subscription_id, term, kind, "
                           "sent_on) SELECT ?, COUNT(*), ?, ? FROM subscription_terms WHERE "
                           "subscription_id = ? ON CONFLICT DO NOTHING",
                           "tttt", subscription_id, kind, day, subscription_id);
    return fresh < 0 ? (int)fresh : fresh == 1;
}
